"""Profile photos: square thumbnails, upright, without metadata, cached, the same bytes every time."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from trombino.build import build
from trombino.photos import SIZES, PhotoCache, avatar_svg, thumbnail
from trombino.model import Person
from trombino.text import avatar_hue

ARTIST = "Secret Photographer"
GPS_IFD = 0x8825


def photo_with_exif(orientation: int = 6, size: tuple[int, int] = (300, 200)) -> bytes:
    """A JPEG whose stored pixels are red on the left, blue on the right, with EXIF saying how to turn it."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x013B] = ARTIST  # Artist
    exif[0x010F] = "SpyCam"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95, comment=b"taken at home")
    return out.getvalue()


def colour(image: Image.Image, x: int, y: int) -> str:
    r, g, b = image.convert("RGB").getpixel((x, y))[:3]
    return "red" if r > 200 and b < 60 else "blue" if b > 200 and r < 60 else f"other{(r, g, b)}"


def test_exif_orientation_is_applied_to_the_pixels() -> None:
    data = photo_with_exif(orientation=6)  # 6: rotate 90° clockwise to view; the left (red) half ends on top
    thumb = Image.open(io.BytesIO(thumbnail(data, 96, "jpeg")))
    assert thumb.size == (96, 96)
    assert colour(thumb, 48, 5) == "red"
    assert colour(thumb, 48, 90) == "blue"
    upright = Image.open(io.BytesIO(thumbnail(photo_with_exif(orientation=1), 96, "jpeg")))
    assert colour(upright, 5, 48) == "red" and colour(upright, 90, 48) == "blue"


@pytest.mark.parametrize("image_format", ["jpeg", "webp"])
def test_every_piece_of_metadata_is_stripped(image_format: str) -> None:
    data = photo_with_exif()
    assert ARTIST.encode() in data and b"taken at home" in data  # the source does carry it
    out = thumbnail(data, 256, image_format)
    image = Image.open(io.BytesIO(out))
    assert image.format == image_format.upper()
    assert not image.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    for secret in (ARTIST.encode(), b"SpyCam", b"Exif", b"taken at home"):
        assert secret not in out


def test_thumbnails_are_square_at_each_size_in_both_formats() -> None:
    data = photo_with_exif(orientation=1, size=(640, 480))
    for size in SIZES:
        webp, jpeg = thumbnail(data, size, "webp"), thumbnail(data, size, "jpeg")
        assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"
        assert jpeg[:3] == b"\xff\xd8\xff"
        assert Image.open(io.BytesIO(webp)).size == Image.open(io.BytesIO(jpeg)).size == (size, size)
    assert len(thumbnail(data, 96, "webp")) < len(thumbnail(data, 256, "webp"))


def test_transparent_png_becomes_white_behind_a_jpeg_and_stays_transparent_in_webp() -> None:
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    jpeg = Image.open(io.BytesIO(thumbnail(out.getvalue(), 96, "jpeg")))
    assert jpeg.mode == "RGB" and min(jpeg.getpixel((48, 48))) > 245
    webp = Image.open(io.BytesIO(thumbnail(out.getvalue(), 96, "webp")))
    assert webp.mode == "RGBA" and webp.getpixel((48, 48))[3] == 0


def test_encoding_is_deterministic() -> None:
    data = photo_with_exif()
    for image_format in ("jpeg", "webp"):
        assert thumbnail(data, 96, image_format) == thumbnail(bytes(data), 96, image_format)


def test_cache_is_reused_across_runs_and_pruned(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    data, other = photo_with_exif(), photo_with_exif(orientation=3)
    first = PhotoCache(folder)
    made = {(size, f): first.get_or_make(data, size, f) for size in SIZES for f in ("webp", "jpeg")}
    assert first.made == 4 and len(list(folder.iterdir())) == 4
    second = PhotoCache(folder)  # a later run: everything read back, nothing encoded
    again = {(size, f): second.get_or_make(data, size, f) for size in SIZES for f in ("webp", "jpeg")}
    assert second.made == 0 and again == made
    third = PhotoCache(folder)  # the photo was replaced: new thumbnails, the old ones pruned
    third.get_or_make(other, 96, "jpeg")
    assert third.made == 1
    third.prune()
    assert len(list(folder.iterdir())) == 1


def test_initials_avatar_has_the_stable_hue_of_the_slug() -> None:
    person = Person(slug="ana-lima", name="Ana Lima", source_path="content/people/ana-lima.md", sort_key="lima ana")
    svg = avatar_svg(person).decode()
    assert f"hsl({avatar_hue('ana-lima')}, 45%, 42%)" in svg  # the hue search results use too
    assert ">AL</text>" in svg
    other = avatar_svg(Person(slug="bruno-diaz", name="Ana Lima", source_path="x.md", sort_key="x")).decode()
    assert other != svg and f"hsl({avatar_hue('bruno-diaz')}, 45%, 42%)" in other


PROFILE = """
    ---
    name: {name}
    team: platform
    {extra}
    ---
"""


def photo_site(make_site, photo: bytes, extra: str = "photo: photos/ana.jpg") -> Path:  # noqa: ANN001
    return make_site(
        {
            "trombino.yaml": "title: Photo Corp\n",
            "content/people/ana-lima.md": PROFILE.format(name="Ana Lima", extra=extra),
            "content/people/bruno-diaz.md": PROFILE.format(name="Bruno Díaz", extra=""),
            "content/people/photos/ana.jpg": photo,
        }
    )


def test_build_publishes_thumbnails_and_initials_avatars(make_site, tmp_path: Path) -> None:  # noqa: ANN001
    source = photo_site(make_site, photo_with_exif())
    result = build(source, tmp_path / "out", photo_cache=PhotoCache(tmp_path / "cache"))
    assert result.ok, [d.format() for d in result.diagnostics]
    ana = tmp_path / "out/people/ana-lima"
    assert sorted(p.name for p in ana.iterdir() if p.name.startswith("photo")) == ["photo-256.jpg", "photo-256.webp", "photo-96.jpg", "photo-96.webp"]
    for path in ana.glob("photo-*"):
        assert ARTIST.encode() not in path.read_bytes()
    assert not (ana / "avatar.svg").exists()
    assert (tmp_path / "out/people/bruno-diaz/avatar.svg").read_bytes().startswith(b"<svg")
    page = (ana / "index.html").read_text(encoding="utf-8")
    here = "../../people/ana-lima/"
    assert (
        f'<picture class="avatar-picture"><source type="image/webp" srcset="{here}photo-96.webp 96w, {here}photo-256.webp 256w" sizes="128px">'
        f'<img class="avatar" src="{here}photo-256.jpg" srcset="{here}photo-96.jpg 96w, {here}photo-256.jpg 256w" sizes="128px" alt="Photo of Ana Lima"'
    ) in page
    team = (tmp_path / "out/teams/platform/index.html").read_text(encoding="utf-8")
    assert 'srcset="../../people/ana-lima/photo-96.webp"' in team  # small avatars need only the 96 px one
    assert 'src="../../people/bruno-diaz/avatar.svg" alt=""' in team
    assert 'loading="lazy"' in team
    # The API and vCards name the JPEG thumbnail, which exists.
    assert "people/ana-lima/photo-256.jpg" in (tmp_path / "out/api/people.json").read_text(encoding="utf-8")


def test_second_build_reads_the_cache_and_gives_the_same_files(make_site, tmp_path: Path) -> None:  # noqa: ANN001
    source = photo_site(make_site, photo_with_exif())
    first = PhotoCache(tmp_path / "cache")
    assert build(source, tmp_path / "one", photo_cache=first).ok
    assert first.made == 4
    second = PhotoCache(tmp_path / "cache")
    assert build(source, tmp_path / "two", photo_cache=second).ok
    assert second.made == 0
    for path in (tmp_path / "one/people/ana-lima").glob("photo-*"):
        assert path.read_bytes() == (tmp_path / "two/people/ana-lima" / path.name).read_bytes()


def test_hidden_photo_gets_an_initials_avatar_and_no_thumbnail(make_site, tmp_path: Path) -> None:  # noqa: ANN001
    source = photo_site(make_site, photo_with_exif(), extra="photo: photos/ana.jpg\n    private: [photo]")
    assert build(source, tmp_path / "out").ok
    ana = tmp_path / "out/people/ana-lima"
    assert not list(ana.glob("photo-*")) and (ana / "avatar.svg").is_file()


def test_undecodable_photo_is_a_warning_at_its_line_and_initials_are_shown(make_site, tmp_path: Path) -> None:  # noqa: ANN001
    broken = b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20
    source = photo_site(make_site, broken)
    result = build(source, tmp_path / "out")
    assert result.ok
    [fault] = [d for d in result.diagnostics if "photo" in d.message]
    assert (fault.path, fault.line, fault.level) == ("content/people/ana-lima.md", 4, "warning")
    assert fault.message.startswith("photo 'content/people/photos/ana.jpg' cannot be made into a thumbnail (")
    assert fault.message.endswith("): initials are shown instead")
    ana = tmp_path / "out/people/ana-lima"
    assert (ana / "avatar.svg").is_file() and not list(ana.glob("photo-*"))
    assert "photo-256" not in (tmp_path / "out/api/people.json").read_text(encoding="utf-8")  # nothing names the missing file
    assert "PHOTO" not in (ana / "ana-lima.vcf").read_text(encoding="utf-8")
    strict = build(source, tmp_path / "strict", strict=True)
    assert not strict.ok and not (tmp_path / "strict").exists()
