"""Page weight of the demo site: no page over 200 KB before images, CSS and JS minified and fingerprinted.

A page's weight is its HTML plus the stylesheets and scripts it links (what a first
visit downloads before images). The search page's index files are the one exception:
they are loaded on demand, in pieces (see docs/search.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from trombino.minify import minify, minify_css
from trombino.theme import DEFAULT_THEME, Theme

LIMIT = 200 * 1024
SEARCH_INDEX = "static/search/"
LINKED = re.compile(r"""<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)\"""")


def page_weight(site: Path, page: Path) -> tuple[int, list[str]]:
    html = page.read_text(encoding="utf-8")
    url = "/" + page.relative_to(site).as_posix()
    files = sorted({urljoin(url, ref).lstrip("/") for ref in LINKED.findall(html)})
    counted = [f for f in files if not f.startswith(SEARCH_INDEX)]
    return len(html.encode("utf-8")) + sum((site / f).stat().st_size for f in counted), files


def test_no_page_is_over_200_kb_before_images(demo_site: Path) -> None:
    weights = {page.relative_to(demo_site).as_posix(): page_weight(demo_site, page) for page in demo_site.rglob("*.html")}
    assert len(weights) > 100
    heavy = {path: weight for path, (weight, _) in weights.items() if weight > LIMIT}
    assert heavy == {}, f"over {LIMIT // 1024} KB: {heavy}"
    linked = {f for _, files in weights.values() for f in files}
    assert all(f.startswith("static/") for f in linked), linked  # nothing from elsewhere
    assert {f for f in linked if f.startswith(SEARCH_INDEX)} <= {f for f in weights["search/index.html"][1]}  # only search loads its index


def test_other_text_files_stay_small_except_the_search_index(demo_site: Path) -> None:
    large = {
        p.relative_to(demo_site).as_posix(): p.stat().st_size
        for p in demo_site.rglob("*")
        if p.is_file() and p.suffix in (".css", ".js", ".xml", ".vcf", ".svg") and p.stat().st_size > LIMIT
    }
    assert {p: s for p, s in large.items() if not p.startswith(SEARCH_INDEX)} == {}


def test_theme_css_and_js_are_published_minified_and_fingerprinted(demo_site: Path) -> None:
    theme = Theme(demo_site, "default")
    for name in ("style.css", "trombino.js", "search.js", "faces.js"):
        asset = theme.assets[name]
        assert re.fullmatch(r"static/[\w/]+\.[0-9a-f]{10}\.(css|js)", asset.output_path)
        published = (demo_site / asset.output_path).read_bytes()
        assert published == asset.content == minify(name, asset.source.read_bytes())
        assert len(published) < 0.9 * asset.source.stat().st_size, name
    lunr = theme.assets["vendor/lunr/lunr.min.js"]
    assert (demo_site / lunr.output_path).read_bytes() == (DEFAULT_THEME / "static/vendor/lunr/lunr.min.js").read_bytes()  # vendored: as is


def test_images_are_lazy_loaded(demo_site: Path) -> None:
    for page in ("people/index.html", "experts/index.html", "faces/index.html", "org/index.html"):
        html = (demo_site / page).read_text(encoding="utf-8")
        avatars = re.findall(r'<img class="avatar[^>]*>', html)
        assert avatars and all('loading="lazy"' in img for img in avatars), page


def test_css_minifier_keeps_what_whitespace_means() -> None:
    source = """
    /* comment { with braces } */
    a :hover, .b > .c  ~ .d { margin : 0 auto ;  content: "  /* kept */  " ; }
    @media (min-width: 600px) and (max-width: 900px) { .e { width: calc(100% - 2rem); } }
    .f { background: url( data:image/svg+xml;utf8,x ) ; font: 12px/1.4 "Segoe UI", sans-serif; }
    """
    assert minify_css(source) == (
        'a :hover,.b>.c ~ .d{margin :0 auto;content:"  /* kept */  "}'  # a space before ":" may be a selector's: kept
        "@media (min-width:600px) and (max-width:900px){.e{width:calc(100% - 2rem)}}"
        '.f{background:url( data:image/svg+xml;utf8,x );font:12px/1.4 "Segoe UI",sans-serif}\n'
    )


def test_minified_stylesheet_parses_to_the_same_rules_in_chromium(browser) -> None:  # noqa: ANN001
    """The browser's own reading of the theme's CSS, before and after minification, is the same."""
    source = (DEFAULT_THEME / "static/style.css").read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        rules = page.evaluate(
            """([a, b]) => [a, b].map(text => { const sheet = new CSSStyleSheet(); sheet.replaceSync(text);
                 return [...sheet.cssRules].map(r => r.cssText); })""",
            [source, minify_css(source)],
        )
    finally:
        page.close()
    before, after = ([_custom_values_unspaced(rule) for rule in sheet] for sheet in rules)
    assert len(before) > 100 and before == after


def _custom_values_unspaced(rule: str) -> str:
    """A custom property keeps its value's spelling ('rgba(0, 0, 0)' vs 'rgba(0,0,0)'); both mean the same once substituted."""
    return re.sub(r"(--[\w-]+:)([^;]*)", lambda m: m.group(1) + re.sub(r"\s*,\s*", ",", m.group(2)).strip(), rule)


def test_readme_visual_tour_shows_committed_modest_screenshots() -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shots = re.findall(r"\]\((docs/screenshots/[\w-]+\.png)\)", readme)
    assert len(shots) >= 8
    for shot in shots:
        path = REPO / shot
        assert path.is_file(), f"{shot}: run scripts/screenshots"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size <= 300 * 1024, shot
