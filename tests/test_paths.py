"""Paths from untrusted files: nothing outside the site is read, nothing outside
the output is written, and every refusal is a located, readable error."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from trombino.build import build
from trombino.loader import load_site
from trombino.scaffold import NewFileError, new_person, new_post
from trombino.write import OutputError

from conftest import MINIMAL_SITE, run_cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def real_png() -> bytes:
    """A decodable PNG (PNG above is only its signature: enough for the loader, not for thumbnails)."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 40), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


SECRET = "TOP-SECRET-7f3a9c"


def messages(site: Path) -> list[str]:
    return [d.format() for d in load_site(site).diagnostics]


def everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the site holding files no build may read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(f"---\nname: {SECRET}\n---\n{SECRET}\n")
    (folder / "secret.png").write_bytes(PNG + SECRET.encode())
    (folder / "theme" / "templates").mkdir(parents=True)
    (folder / "theme" / "templates" / "home.html").write_text(SECRET)
    return folder


# -- photos --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("photo", "expected"),
    [
        ("../../../../etc/passwd", "photo '../../../../etc/passwd' is outside the content folder"),
        ("../../trombino.yaml", "photo '../../trombino.yaml' is outside the content folder"),
        ("/etc/passwd", "photo '/etc/passwd' must be a path relative to the profile file"),
        ("C:\\\\Windows\\\\win.ini", "photo 'C:\\Windows\\win.ini' must be a path relative to the profile file"),
        ("\\\\\\\\server\\\\share\\\\x.png", "photo '\\\\server\\share\\x.png' must be a path relative to the profile file"),
        ("photos", "photo 'photos' not found"),  # a folder
        ("../../../outside/secret.png", "photo '../../../outside/secret.png' is outside the content folder"),
    ],
)
def test_photo_paths_are_confined_to_content(make_site, outside: Path, photo: str, expected: str) -> None:
    site = make_site({**MINIMAL_SITE, "content/people/photos/ok.png": PNG, "content/people/zoe.md": f'---\nname: Zoé\nphoto: "{photo}"\n---\n'})
    assert messages(site) == [f"content/people/zoe.md:3:8: {expected}"]


def test_photo_symlink_pointing_outside_is_refused(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site({**MINIMAL_SITE, "content/people/zoe.md": "---\nname: Zoé\nphoto: photos/zoe.png\n---\n"})
    (site / "content/people/photos").mkdir()
    os.symlink(outside / "secret.png", site / "content/people/photos/zoe.png")
    assert messages(site) == ["content/people/zoe.md:3:8: photo 'photos/zoe.png' is outside the content folder"]
    result = build(site, tmp_path / "out")
    assert not result.ok and not (tmp_path / "out").exists()


def test_photo_names_with_spaces_unicode_and_dots_are_copied_under_a_safe_name(make_site, tmp_path: Path) -> None:
    site = make_site(
        {
            **MINIMAL_SITE,
            "content/people/photos/Zoé Roy..final (1).PNG": real_png(),
            "content/people/zoe.md": '---\nname: Zoé\nphoto: "photos/../photos/Zoé Roy..final (1).PNG"\n---\n',
        }
    )
    out = tmp_path / "out"
    result = build(site, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert (out / "people/zoe/photo-96.webp").is_file() and (out / "people/zoe/photo-256.jpg").is_file()
    assert not any("Zoé Roy" in p.name for p in out.rglob("*"))


# -- source files and folders ----------------------------------------------------------


def test_content_symlink_pointing_outside_is_not_read(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site(dict(MINIMAL_SITE))
    os.symlink(outside / "secret.md", site / "content/people/eve.md")
    assert messages(site) == ["content/people/eve.md:1:1: symbolic link points outside the site folder; it was not read"]
    result = build(site, tmp_path / "out")
    assert not result.ok


def test_a_content_folder_linked_outside_is_not_read(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site({k: v for k, v in MINIMAL_SITE.items() if not k.startswith(("content/people/", "content/posts/"))})
    (outside / "people").mkdir()
    (outside / "people" / "eve.md").write_text((outside / "secret.md").read_text())
    os.symlink(outside / "people", site / "content/people")
    assert messages(site) == ["content/people/eve.md:1:1: symbolic link points outside the site folder; it was not read"]


def test_symlinked_folders_and_loops_are_not_followed(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site(dict(MINIMAL_SITE))
    os.symlink(outside, site / "content/posts/elsewhere")
    os.symlink(site / "content/posts", site / "content/posts/loop")  # would recurse forever if followed
    result = load_site(site)
    assert result.diagnostics == []
    assert [p.source_path for p in result.site.posts] == ["content/posts/2026/03/hello.md"]
    out = tmp_path / "out"
    assert build(site, out).ok
    assert SECRET.encode() not in everything_under(out)


def test_config_symlink_pointing_outside_is_not_read(make_site, outside: Path) -> None:
    site = make_site({k: v for k, v in MINIMAL_SITE.items() if k != "trombino.yaml"})
    (outside / "trombino.yaml").write_text(f"title: {SECRET}\n")
    os.symlink(outside / "trombino.yaml", site / "trombino.yaml")
    result = load_site(site)
    assert [d.format() for d in result.diagnostics] == ["trombino.yaml:1:1: symbolic link points outside the site folder; it was not read"]
    assert result.site.config.title != SECRET


@pytest.mark.parametrize("theme", ["../../outside/theme", "/tmp", "..", "a/b", "themes/../x"])
def test_theme_must_be_a_folder_name_not_a_path(make_site, outside: Path, theme: str) -> None:
    site = make_site({**MINIMAL_SITE, "trombino.yaml": f'title: T\ntheme: "{theme}"\n', "themes/x/templates/.keep": ""})
    assert messages(site) == [f"trombino.yaml:2:8: theme '{theme}' must be the name of a folder under themes/, not a path"]


def test_theme_symlinks_pointing_outside_are_refused(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site({**MINIMAL_SITE, "trombino.yaml": "title: T\ntheme: corp\n", "themes/corp/static/site.css": "body{}"})
    os.symlink(outside / "theme" / "templates", site / "themes/corp/templates")
    os.symlink(outside / "secret.md", site / "themes/corp/static/leak.txt")
    assert messages(site) == [
        "themes/corp/static/leak.txt:1:1: symbolic link points outside the site folder; the theme cannot use it",
        "themes/corp/templates:1:1: symbolic link points outside the site folder; the theme cannot use it",
    ]
    assert not build(site, tmp_path / "out").ok


def test_odd_post_file_names_get_safe_urls(make_site, tmp_path: Path) -> None:
    post = "---\nauthor: ana-lima\ndate: 2026-03-05\n---\nHi\n"
    names = ["..", "...", ".hidden", "a..b", "x y", "日本語", "\u202eevil", "%2e%2e", "-"]
    site = make_site({**MINIMAL_SITE, **{f"content/posts/misc/{name}.md": post for name in names}})
    result = load_site(site)
    assert result.ok, [d.format() for d in result.diagnostics]
    ids = sorted(p.id for p in result.site.posts)
    assert len(ids) == len(names) + 1
    for post_id in ids:
        year, month, slug = post_id.split("/")
        assert (year, month) in {("2026", "03")} and slug and all(c.isascii() and (c.isalnum() or c == "-") for c in slug), post_id
    out = tmp_path / "out"
    assert build(site, out).ok
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


@pytest.mark.parametrize("tag", ["../../escape", "a/b", "..%2f..%2fx", "x\\..\\y", "~root"])
def test_tags_that_look_like_paths_get_safe_slugs(make_site, tmp_path: Path, tag: str) -> None:
    site = make_site({**MINIMAL_SITE, "content/posts/2026/03/t.md": f"---\nauthor: ana-lima\ndate: 2026-03-05\ntags: ['{tag}']\n---\nHi\n"})
    out = tmp_path / "out"
    result = build(site, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    slugs = {t.slug for t in result.site.tags.values()}
    assert all(s and "/" not in s and "." not in s and "\\" not in s for s in slugs), slugs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


# -- the output folder -----------------------------------------------------------


def test_output_that_is_a_file_or_a_foreign_folder_is_refused(minimal_site: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        build(minimal_site, a_file)
    with pytest.raises(OutputError, match="was not built by trombino"):
        build(minimal_site, minimal_site)  # the source itself
    assert a_file.read_text() == "keep me"
    assert (minimal_site / "content/people/ana-lima.md").is_file()
    result = run_cli("build", "--source", str(minimal_site), "--output", str(minimal_site / "content"))
    assert result.returncode == 1 and "refusing to replace" in result.stderr and "Traceback" not in result.stderr


def test_output_symlink_is_replaced_not_followed(minimal_site: Path, tmp_path: Path) -> None:
    """A symlink at the output path: the real folder it names is never emptied or written into."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    os.symlink(precious, tmp_path / "out")
    with pytest.raises(OutputError):
        build(minimal_site, tmp_path / "out")
    assert sorted(p.name for p in precious.iterdir()) == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    os.symlink(empty, tmp_path / "out2")
    assert build(minimal_site, tmp_path / "out2").ok
    assert list(empty.iterdir()) == []  # the link was swapped away, its target untouched
    assert (tmp_path / "out2" / "index.html").is_file()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # the swapped-away link is not left behind


# -- trombino new ------------------------------------------------------------------

NOW = datetime(2026, 3, 5, 9, 30, tzinfo=timezone.utc)


def test_new_never_overwrites(minimal_site: Path) -> None:
    original = (minimal_site / "content/people/ana-lima.md").read_bytes()
    with pytest.raises(NewFileError, match="already exists"):
        new_person(minimal_site, "ana-lima")
    assert (minimal_site / "content/people/ana-lima.md").read_bytes() == original
    first = new_post(minimal_site, author="ana-lima", title="Same", slug=None, now=NOW)
    first.write_text("mine")
    with pytest.raises(NewFileError, match="already exists"):
        new_post(minimal_site, author="ana-lima", title="Same", slug=None, now=NOW)
    assert first.read_text() == "mine"


def test_new_does_not_follow_a_dangling_symlink(minimal_site: Path, tmp_path: Path) -> None:
    target = tmp_path / "created-through-link.md"
    os.symlink(target, minimal_site / "content/people/zoe.md")
    with pytest.raises(NewFileError, match="already exists"):
        new_person(minimal_site, "zoe")
    assert not target.exists()


@pytest.mark.parametrize(("slug", "author"), [("../../../escape", "ana-lima"), ("ok", "x\nname: injected"), ("a/b", None)])
def test_new_post_refuses_slugs_and_authors_that_are_not_slugs(minimal_site: Path, tmp_path: Path, slug: str, author: str | None) -> None:
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(NewFileError, match="is not a valid"):
        new_post(minimal_site, author=author, title=None, slug=slug, now=NOW)
    assert sorted(tmp_path.rglob("*")) == before


def test_new_refuses_a_folder_symlinked_outside(minimal_site: Path, outside: Path) -> None:
    (minimal_site / "content/posts/2030").symlink_to(outside)
    with pytest.raises(NewFileError, match="outside the site folder"):
        new_post(minimal_site, author="ana-lima", title="Hi", slug=None, now=datetime(2030, 1, 2, tzinfo=timezone.utc))
    assert sorted(p.name for p in outside.iterdir()) == ["secret.md", "secret.png", "theme"]


def test_new_cli_reports_refusals_without_traceback(minimal_site: Path) -> None:
    result = run_cli("new", "post", "../../x", "--source", str(minimal_site), "--author", "ana-lima")
    assert result.returncode == 1 and "is not a valid slug" in result.stderr and "Traceback" not in result.stderr


# -- the cache folder: a pull request can commit one ----------------------------------


class _RunsCode:
    """Unpickling this creates a folder: proof that a pickle ran code."""

    def __init__(self, proof: Path) -> None:
        self.proof = proof

    def __reduce__(self):  # noqa: ANN204
        return (os.mkdir, (str(self.proof),))


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}


def test_a_committed_parse_cache_is_never_unpickled(minimal_site: Path, tmp_path: Path) -> None:
    import pickle
    import subprocess
    import sys

    from trombino.cache import _MAGIC

    proof = tmp_path / "code-ran"
    cache = minimal_site / ".trombino-cache"
    cache.mkdir()
    for forged in (pickle.dumps(_RunsCode(proof)), _MAGIC + b"\0" * 32 + pickle.dumps(_RunsCode(proof))):
        (cache / "parse.pickle").write_bytes(forged)
        for command in ("check", "build"):
            result = subprocess.run([sys.executable, "-m", "trombino", command, "--source", str(minimal_site)], capture_output=True, text=True, env=cli_env(tmp_path), timeout=120)
            assert result.returncode == 0, result.stderr
            assert not proof.exists(), f"trombino {command} ran code from a committed cache"
    # What this machine writes, it reads back: the cache still works.
    assert (cache / "parse.pickle").read_bytes().startswith(_MAGIC)
    from trombino.cache import DiskParseCache

    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")
    try:
        assert DiskParseCache(cache).entries, "a cache written on this machine is loaded"
    finally:
        if previous is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = previous


def test_a_committed_spare_generation_cannot_lead_writes_outside(minimal_site: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    spare = minimal_site / ".trombino-cache" / "generations" / "spare"
    spare.mkdir(parents=True)
    (spare / ".trombino-site").write_text("committed by a pull request")
    os.symlink(victim, spare / "people")
    out = tmp_path / "out"
    result = build(minimal_site, out, generations=minimal_site / ".trombino-cache" / "generations")
    assert result.ok
    assert list(victim.iterdir()) == []
    assert (out / "people/ana-lima/index.html").is_file() and not (out / "people").is_symlink()


def test_a_committed_thumbnail_is_not_published_as_someones_photo(minimal_site: Path, tmp_path: Path) -> None:
    """Thumbnail cache names are keyed with this machine's secret: a planted file is never found."""
    import hashlib
    import subprocess
    import sys

    from PIL import __version__ as pillow_version

    from trombino.photos import EXTENSIONS, FORMATS, RECIPE, SIZES

    photo = real_png()
    (minimal_site / "content/people/photos").mkdir()
    (minimal_site / "content/people/photos/ana.png").write_bytes(photo)
    profile = minimal_site / "content/people/ana-lima.md"
    profile.write_text(profile.read_text().replace("title: Engineer", "title: Engineer\nphoto: photos/ana.png"))
    planted = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
    folder = minimal_site / ".trombino-cache/photos"
    folder.mkdir(parents=True)
    for size in SIZES:
        for image_format in FORMATS:  # every name an unkeyed cache would use
            h = hashlib.sha256(photo)
            h.update(f"|{size}|{image_format}|{RECIPE}|{pillow_version}".encode())
            (folder / f"{h.hexdigest()[:32]}.{EXTENSIONS[image_format]}").write_bytes(planted)
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "trombino", "build", "--source", str(minimal_site), "--output", str(out)], capture_output=True, text=True, env=cli_env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    thumbnails = list((out / "people/ana-lima").glob("photo-*"))
    assert thumbnails and all(planted not in p.read_bytes() for p in thumbnails)


def test_a_committed_cache_folder_symlink_is_not_written_through(minimal_site: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    (minimal_site / "content/people/photos").mkdir()
    (minimal_site / "content/people/photos/ana.png").write_bytes(real_png())
    profile = minimal_site / "content/people/ana-lima.md"
    profile.write_text(profile.read_text().replace("title: Engineer", "title: Engineer\nphoto: photos/ana.png"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, minimal_site / ".trombino-cache")
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "trombino", "build", "--source", str(minimal_site), "--output", str(tmp_path / "out")], capture_output=True, text=True, env=cli_env(tmp_path), timeout=120)
        assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []


def test_file_names_with_control_and_bidi_characters_are_reported_on_one_line(make_site) -> None:
    """A file name cannot forge extra diagnostics or disguise itself in `check` output."""
    site = make_site({**MINIMAL_SITE, "content/people/evil\nana-lima.md:1:1: fake.md": "---\nname: X\n---\n", "content/people/\u202egpj.md": "---\nname: Y\n---\n"})
    result = run_cli("check", "--source", str(site))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith("content/people/") for line in lines), lines
    assert "evil\\nana-lima.md:1:1: fake.md" in result.stdout and "\\u202egpj.md" in result.stdout
    assert "\u202e" not in result.stdout + result.stderr


def test_security_md_names_only_tests_that_exist() -> None:
    """Every promise in SECURITY.md points to its test: the pointers must stay true."""
    import re

    repo = Path(__file__).resolve().parent.parent
    text = (repo / "SECURITY.md").read_text(encoding="utf-8")
    references = re.findall(r"`(tests/[\w/.-]+\.py)(?:::(\w+))?`", text)
    assert len(references) >= 15
    for path, name in references:
        source = repo / path
        assert source.is_file(), path
        if name:
            assert re.search(rf"^def {name}\(", source.read_text(encoding="utf-8"), re.M), f"{path}::{name}"
    assert (repo / "tests/data/xss-payloads.txt").is_file()


def test_a_relative_source_folder_gives_the_same_paths(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(dict(MINIMAL_SITE))
    monkeypatch.chdir(site)
    relative, absolute = load_site(Path(".")), load_site(site)
    assert [p.source_path for p in relative.site.posts] == [p.source_path for p in absolute.site.posts] == ["content/posts/2026/03/hello.md"]
    assert [p.source_path for p in relative.site.people.values()] == [p.source_path for p in absolute.site.people.values()]


@pytest.mark.parametrize("plant", ["file link", "folder link", "fifo", "nothing"])
def test_a_spare_generation_is_reused_only_if_it_holds_plain_files_and_folders(tmp_path: Path, plant: str) -> None:
    from trombino.write import _plain_tree

    spare = tmp_path / "spare"
    (spare / "people/ana").mkdir(parents=True)
    (spare / "people/ana/index.html").write_text("<p>Ana</p>")
    (spare / "index.html").write_text("<p>home</p>")
    deep = spare / "people/ana"
    if plant == "file link":
        os.symlink(tmp_path / "elsewhere.html", deep / "photo.jpg")
    elif plant == "folder link":
        os.symlink(tmp_path, deep / "feeds")
    elif plant == "fifo":
        os.mkfifo(deep / "pipe")
    assert (_plain_tree(str(spare)) is not None) is (plant == "nothing")
