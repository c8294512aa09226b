"""The build end to end: pages, determinism, atomicity, theme chain, base URL."""

from __future__ import annotations

import hashlib
import io
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from trombino.build import build
from trombino.linkcheck import check_links
from trombino.write import MARKER, OutputError

from conftest import MINIMAL_SITE


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_writes_the_expected_pages(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(minimal_site, out)
    assert result.ok, result.diagnostics
    for page in (
        "index.html",
        "404.html",
        "people/index.html",
        "people/ana-lima/index.html",
        "people/bruno-diaz/index.html",
        "teams/index.html",
        "teams/platform/index.html",
        "posts/2026/03/hello/index.html",
        "tags/python/index.html",
        "tags/postgresql/index.html",
    ):
        assert (out / page).is_file(), page
    profile = (out / "people/ana-lima/index.html").read_text()
    assert "Ana Lima" in profile and 'href="../../tags/python/"' in profile
    assert 'href="../../people/bruno-diaz/"' in profile  # direct report
    post = (out / "posts/2026/03/hello/index.html").read_text()
    assert 'class="mention" href="../../../../people/bruno-diaz/"' in post
    assert 'class="tag" href="../../../../tags/python/"' in post
    assert check_links(out) == []


def test_build_is_deterministic(minimal_site: Path, tmp_path: Path) -> None:
    build(minimal_site, tmp_path / "a")
    build(minimal_site, tmp_path / "b")
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_failed_build_leaves_previous_site_untouched(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(minimal_site, out).ok
    before = tree_digest(out)
    (minimal_site / "content/people/ana-lima.md").write_text("---\nname: [broken\n---\n")
    result = build(minimal_site, out)
    assert not result.ok
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no temporary folder left behind


def test_rebuild_replaces_whole_site_and_keeps_unchanged_files(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(minimal_site, out)
    unchanged = next((out / "static").glob("style.*.css"))
    inode = unchanged.stat().st_ino
    (minimal_site / "content/posts/2026/03/hello.md").unlink()
    result = build(minimal_site, out)
    assert result.ok and result.linked > 0
    assert not (out / "posts/2026/03/hello").exists()  # nothing stale left
    assert unchanged.stat().st_ino == inode  # not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_leftovers_of_a_killed_build_are_cleaned(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / ".out.tmp-deadbeef/people").mkdir(parents=True)
    assert build(minimal_site, out).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_refuses_to_replace_a_folder_not_built_by_trombino(minimal_site: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    with pytest.raises(OutputError):
        build(minimal_site, precious)
    assert (precious / "thesis.txt").read_text() == "do not delete"


def test_output_marker_and_empty_output_folder(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert build(minimal_site, out).ok
    assert (out / MARKER).is_file()


def test_base_url_subpath_feeds_absolute_links_only_where_needed(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(minimal_site, out, base_url="https://intranet.example/people").ok
    not_found = (out / "404.html").read_text()
    assert 'href="https://intranet.example/people/people/"' in not_found
    home = (out / "index.html").read_text()
    assert "https://intranet.example" not in home.split("<main", 1)[1]  # pages link relatively


def test_theme_override_extends_default(make_site, tmp_path: Path) -> None:
    site = make_site(
        {
            **MINIMAL_SITE,
            "trombino.yaml": "title: Test Corp\ntheme: corp\n",
            "themes/corp/templates/home.html": '{% extends "default/home.html" %}{% block home_side %}<p id="corp-note">Corp!</p>{{ super() }}{% endblock %}',
            "themes/corp/static/style.css": "body { color: red; }",
        }
    )
    out = tmp_path / "out"
    assert build(site, out).ok
    home = (out / "index.html").read_text()
    assert '<p id="corp-note">Corp!</p>' in home and "Recent updates" in home
    css = [p for p in (out / "static").iterdir() if p.name.startswith("style.")]
    assert len(css) == 1 and css[0].read_text() == "body{color:red}\n"  # the site's own file, minified


def test_unknown_theme_is_a_located_error(make_site) -> None:
    from trombino.loader import load_site

    site = make_site({**MINIMAL_SITE, "trombino.yaml": "title: X\ntheme: nope\n"})
    assert [d.format() for d in load_site(site).diagnostics] == ["trombino.yaml:2:8: theme 'nope' not found: expected a folder themes/nope/"]


def test_french_interface(make_site, tmp_path: Path) -> None:
    site = make_site({**MINIMAL_SITE, "trombino.yaml": "title: Test\nlanguage: fr\n"})
    out = tmp_path / "out"
    assert build(site, out).ok
    home = (out / "index.html").read_text()
    assert '<html lang="fr">' in home and "Nouvelles récentes" in home and "4 mars 2026" in home


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[str] = []
        self.scripts: list[str | None] = []
        self.remote: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value}>")
            if name in ("src", "srcset") and value and value.strip().lower().startswith(("http:", "https:", "//")):
                self.remote.append(value)
            if name in ("href", "src", "action", "formaction") and value and value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.handlers.append(f"<{tag} {name}={value}>")
        if tag == "script":
            self.scripts.append(dict(attrs).get("src"))
        if tag == "link" and dict(attrs).get("rel") == "stylesheet" and (dict(attrs).get("href") or "").startswith(("http", "//")):
            self.remote.append(dict(attrs)["href"] or "")


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">j</a>'


def test_hostile_content_is_neutralised_in_every_page(make_site, tmp_path: Path) -> None:
    site = make_site(
        {
            **MINIMAL_SITE,
            "content/people/evil.md": f"""
                ---
                name: '<script>alert(1)</script> Eve'
                title: '"><img src=x onerror=alert(2)>'
                location: "<svg onload=alert(3)>"
                chat: "javascript:alert(4)"
                skills: ['<b onmouseover=alert(5)>x</b>', "c++"]
                links: {{Home: "https://example.com/?q=<script>"}}
                team: platform
                ---
                {HOSTILE}
                ![pixel](https://tracker.example/p.gif)
            """,
            "content/posts/2026/03/evil.md": f"""
                ---
                author: evil
                date: 2026-03-05
                title: "</title><script>alert(6)</script>"
                tags: ['"><script>alert(7)</script>']
                ---
                {HOSTILE} @ana-lima #ok
            """,
        }
    )
    out = tmp_path / "out"
    result = build(site, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text()
        parser = _Attributes()
        parser.feed(text)
        assert parser.handlers == [], page
        assert parser.remote == [], page
        assert all(src and "static/" in src for src in parser.scripts), (page, parser.scripts)
        assert "<script>alert" not in text and "<svg onload" not in text and "<b onmouseover" not in text, page


def test_photos_are_published_as_thumbnails(make_site, tmp_path: Path) -> None:
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(png, "PNG")
    site = make_site({**MINIMAL_SITE, "content/people/photos/zoe.png": png.getvalue(), "content/people/zoe.md": "---\nname: Zoé\nphoto: photos/zoe.png\n---\n"})
    out = tmp_path / "out"
    assert build(site, out).ok
    assert Image.open(out / "people/zoe/photo-256.jpg").size == (256, 256)  # details in test_photos.py
    assert 'src="../../people/zoe/photo-256.jpg"' in (out / "people/zoe/index.html").read_text()


def test_former_colleague_keeps_page_but_leaves_directory(make_site, tmp_path: Path) -> None:
    site = make_site({**MINIMAL_SITE, "content/people/old.md": "---\nname: Olga Old\nteam: platform\nleft: 2025-01-31\n---\n"})
    out = tmp_path / "out"
    assert build(site, out).ok
    assert "Former colleague" in (out / "people/old/index.html").read_text()
    directory = (out / "people/index.html").read_text()
    assert directory.index("Olga Old") > directory.index("Former colleagues")
    assert "Olga Old" not in (out / "teams/platform/index.html").read_text()


def test_edit_links(make_site, tmp_path: Path) -> None:
    site = make_site({**MINIMAL_SITE, "trombino.yaml": "title: T\nedit_url: https://git.example/org/repo/edit/main/\n"})
    out = tmp_path / "out"
    assert build(site, out).ok
    assert 'href="https://git.example/org/repo/edit/main/content/people/ana-lima.md"' in (out / "people/ana-lima/index.html").read_text()
    assert 'href="https://git.example/org/repo/edit/main/content/teams/platform.md"' in (out / "teams/platform/index.html").read_text()
    assert 'href="https://git.example/org/repo/edit/main/content/posts/2026/03/hello.md"' in (out / "posts/2026/03/hello/index.html").read_text()


def test_posts_url_from_date_not_folder_and_unique(make_site, tmp_path: Path) -> None:
    site = make_site(
        {
            **MINIMAL_SITE,
            "content/posts/misc/Hello World!.md": "---\nauthor: ana-lima\ndate: 2026-04-02T23:30:00-05:00\n---\nA\n",
            "content/posts/misc2/hello-world.md": "---\nauthor: ana-lima\ndate: 2026-04-03\n---\nB\n",
        }
    )
    from trombino.loader import load_site

    site_model = load_site(site).site
    ids = sorted(p.id for p in site_model.posts)
    assert ids == ["2026/03/hello", "2026/04/hello-world", "2026/04/hello-world-2"]


def test_no_write_outside_output(minimal_site: Path, tmp_path: Path) -> None:
    from trombino.write import SiteWriter

    writer = SiteWriter(tmp_path / "out")
    with pytest.raises(OutputError):
        writer.write("../escape.html", b"x")
    with pytest.raises(OutputError):
        writer.write("/etc/passwd", b"x")
    writer.abort()
    assert not (tmp_path / "escape.html").exists()
    assert os.listdir(tmp_path) == ["site"]
