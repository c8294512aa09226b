"""Profile photos become small square thumbnails; people without one get an initials avatar.

Each published photo is turned, at build time, into squares of :data:`SIZES`
pixels, as WebP with a JPEG fallback (templates use ``<picture>``). The EXIF
orientation is applied to the pixels and every bit of metadata (EXIF with its
GPS position and camera serial, XMP, comments) is dropped: only pixels leave the
build. Colour profiles are converted to sRGB, then dropped too.

Thumbnails are keyed by the source's content hash and this recipe, and kept in
:class:`PhotoCache` (in memory, and on disk under the build's cache folder), so
an unchanged photo is not decoded again. Encoding is deterministic: the same
photo always gives the same bytes.

Output paths depend on the person's slug only (:func:`thumbnail_path`), so the
JSON API, vCards and the search index can name a photo without building it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from trombino.diagnostics import Diagnostic
from trombino.model import Person, Site
from trombino.text import avatar_hue, initials

SIZES = (96, 256)  # 96 covers avatars up to 48 px on 2x screens; 256 the profile and faces pages
FORMATS = ("webp", "jpeg")
EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}
JPEG_QUALITY = 85
WEBP_QUALITY = 80
# Portraits have the face above the middle: crop a tall photo nearer its top.
VERTICAL_CENTRE = 0.4
# Bumped whenever the recipe below changes, so cached thumbnails are made again.
RECIPE = "1"


def thumbnail_path(slug: str, size: int, image_format: str) -> str:
    """Output path of one thumbnail, e.g. ``people/ana/photo-96.webp``."""
    return f"people/{slug}/photo-{size}.{EXTENSIONS[image_format]}"


def avatar_path(slug: str) -> str:
    """Output path of a person's initials avatar (people without a published photo)."""
    return f"people/{slug}/avatar.svg"


@dataclass(frozen=True)
class Photo:
    """A person's published photo: where it comes from and where its thumbnails go."""

    slug: str
    source: str  # relative to the site root

    def path(self, size: int = SIZES[-1], image_format: str = "jpeg") -> str:
        return thumbnail_path(self.slug, size, image_format)

    @property
    def outputs(self) -> tuple[tuple[int, str, str], ...]:
        """(size, format, output path) of every thumbnail."""
        return tuple((size, fmt, thumbnail_path(self.slug, size, fmt)) for size in SIZES for fmt in FORMATS)


def photo_plan(site: Site) -> dict[str, Photo]:
    """Each person with a published photo, by slug (hidden photos were removed by :func:`trombino.privacy.publish`)."""
    return {slug: Photo(slug, person.photo) for slug, person in site.people.items() if person.photo}


def avatar_svg(person: Person) -> bytes:
    """An initials avatar: a disc of the person's stable hue with their initials."""
    hue = avatar_hue(person.slug)
    text = initials(person.name).replace("&", "&amp;").replace("<", "&lt;")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 48 48">'
        f'<rect width="48" height="48" rx="24" fill="hsl({hue}, 45%, 42%)"/>'
        '<text x="24" y="30.5" text-anchor="middle" font-size="17" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-weight="600" fill="#fff">{text}</text></svg>\n'
    ).encode("utf-8")


class PhotoError(Exception):
    """The file is not an image Pillow can decode (or is far too large)."""


def thumbnail(data: bytes, size: int, image_format: str) -> bytes:
    """A ``size``×``size`` square of the image in ``data``, upright, in sRGB, without metadata."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.seek(0)  # first frame of an animated GIF or WebP
            if opened.format == "JPEG":  # decode a camera's 24 MP at 1/2…1/8 scale: ten times faster, still ≥ 2× the thumbnail
                opened.draft(None, (2 * size, 2 * size))
            image = ImageOps.exif_transpose(opened)
            image = _to_srgb(image, opened.info.get("icc_profile"))
            square = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS, centering=(0.5, VERTICAL_CENTRE))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoError(str(exc) or type(exc).__name__) from exc
    # A fresh image from the pixels alone: nothing of the source's info (EXIF, XMP, ICC, comments) can follow.
    clean = Image.frombytes(square.mode, square.size, square.tobytes())
    out = io.BytesIO()
    if image_format == "webp":
        clean.save(out, "WEBP", quality=WEBP_QUALITY, method=6)
    else:
        if clean.mode == "RGBA":  # JPEG has no transparency: lay it on white
            flat = Image.new("RGB", clean.size, (255, 255, 255))
            flat.paste(clean, mask=clean.getchannel("A"))
            clean = flat
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _to_srgb(image, icc_profile: bytes | None):  # noqa: ANN001, ANN202 - PIL images
    """RGB or RGBA pixels in sRGB: a camera's Adobe RGB or Display P3 would look dull once its profile is dropped."""
    from PIL import Image, ImageCms

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode if image.mode != "CMYK" else "RGB")
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    return image if image.mode == mode else image.convert(mode)


class PhotoCache:
    """Thumbnails by key, in memory and, with a folder, on disk between runs.

    Keys hash the source bytes, the size, the format, :data:`RECIPE` and
    Pillow's version. :meth:`prune` drops what the last build did not use.
    """

    def __init__(self, folder: Path | None = None) -> None:
        # File names are keyed with this machine's secret (see trombino.cache): a
        # pull request cannot commit a thumbnail the build would publish as someone's photo.
        self.secret = b""
        if folder is not None:
            from trombino.cache import signing_key

            secret = None if folder.is_symlink() or folder.parent.is_symlink() else signing_key()
            folder, self.secret = (folder, secret) if secret else (None, b"")
        self.folder = folder
        self.memory: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.made = 0  # thumbnails encoded (not found in the cache) since creation

    def key(self, data: bytes, size: int, image_format: str) -> str:
        from PIL import __version__ as pillow_version

        h = hmac.new(self.secret, data, hashlib.sha256)
        h.update(f"|{size}|{image_format}|{RECIPE}|{pillow_version}".encode())
        return h.hexdigest()[:32]

    def _file(self, key: str, image_format: str) -> Path | None:
        return self.folder / f"{key}.{EXTENSIONS[image_format]}" if self.folder else None

    def get_or_make(self, data: bytes, size: int, image_format: str) -> bytes:
        key = self.key(data, size, image_format)
        self.used.add(key)
        if key in self.memory:
            return self.memory[key]
        path = self._file(key, image_format)
        if path is not None and path.is_file():
            result = path.read_bytes()
        else:
            result = thumbnail(data, size, image_format)
            self.made += 1
            if path is not None:
                self._store(path, result)
        self.memory[key] = result
        return result

    def _store(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix="photo.", suffix=".tmp", dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except OSError:
            pass  # a read-only cache folder only costs time

    def prune(self) -> None:
        """Forget thumbnails the last build did not use, in memory and on disk."""
        self.memory = {key: value for key, value in self.memory.items() if key in self.used}
        if self.folder and self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.is_file() and path.stem not in self.used and re.fullmatch(r"[0-9a-f]{32}\.(webp|jpg)", path.name):
                    path.unlink(missing_ok=True)
        self.used = set()


@dataclass(frozen=True)
class Portraits:
    """What the photo stage gives the build: the photo map for templates, the files to write, faults."""

    photos: Mapping[str, Photo]
    files: tuple[tuple[str, bytes], ...]
    diagnostics: tuple[Diagnostic, ...]
    failed: frozenset[str] = frozenset()  # slugs whose photo could not be decoded

    def published(self, site: Site) -> Site:
        """``site`` without the photos that failed, so no page, JSON file or vCard names them."""
        if not self.failed:
            return site
        people = {slug: (dataclasses.replace(p, photo=None) if slug in self.failed else p) for slug, p in site.people.items()}
        return dataclasses.replace(site, people=MappingProxyType(people))


def portraits(site: Site, root: Path, cache: PhotoCache) -> Portraits:
    """Thumbnails of every published photo and an initials avatar for everyone else.

    A photo that cannot be decoded is a warning on its profile, at its ``photo:``
    line, and the person is shown with initials (``--strict`` makes it an error).
    """
    photos: dict[str, Photo] = {}
    files: list[tuple[str, bytes]] = []
    faults: list[Diagnostic] = []
    failed: set[str] = set()
    for slug, photo in photo_plan(site).items():
        try:
            data = (root / photo.source).read_bytes()
            made = [(path, cache.get_or_make(data, size, fmt)) for size, fmt, path in photo.outputs]
        except (OSError, PhotoError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            person = site.people[slug]
            message = f"photo '{photo.source}' cannot be made into a thumbnail ({reason}): initials are shown instead"
            faults.append(Diagnostic(person.source_path, _photo_line(root / person.source_path), 1, message, "warning"))
            failed.add(slug)
            continue
        photos[slug] = photo
        files.extend(made)
    for slug, person in site.people.items():
        if slug not in photos:
            files.append((avatar_path(slug), avatar_svg(person)))
    return Portraits(photos, tuple(files), tuple(faults), frozenset(failed))


def _photo_line(profile: Path) -> int:
    """Line of the ``photo:`` key in a profile's front matter (1 when it cannot be found)."""
    try:
        lines = profile.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    for number, line in enumerate(lines, 1):
        if re.match(r"photo\s*:", line):
            return number
    return 1
