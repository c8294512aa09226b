"""Tag normalisation, slugs, sorting, and Markdown → sanitised HTML with #tags and @mentions."""

from __future__ import annotations

import pytest

from trombino.markup import MarkdownRenderer, sanitise
from trombino.text import default_sort_name, fold, tag_key, tag_slug


@pytest.mark.parametrize(
    ("raw", "key"),
    [("Machine Learning", "machine-learning"), ("machine_learning", "machine-learning"), ("  #Rust ", "rust"), ("C++", "c++"), ("Sécurité", "sécurité")],
)
def test_tag_key(raw: str, key: str) -> None:
    assert tag_key(raw) == key


@pytest.mark.parametrize(
    ("key", "slug"),
    [("c", "c"), ("c++", "c-plus-plus"), ("c#", "c-sharp"), (".net", "dotnet"), ("sécurité", "securite"), ("node.js", "node-dot-js"), ("f#", "f-sharp")],
)
def test_tag_slug_is_readable_ascii(key: str, slug: str) -> None:
    assert tag_slug(key) == slug


def test_symbol_tags_do_not_collide() -> None:
    slugs = {tag_slug(k) for k in ("c", "c++", "c#", ".net", "net")}
    assert len(slugs) == 5


def test_fold_and_sort_names() -> None:
    assert fold("Éloïse Gaël Œuvre") == "eloise gael oeuvre"
    assert default_sort_name("Éloïse Marchand") == "marchand eloise"
    assert default_sort_name("Jean de la Fontaine") == "fontaine de la jean"
    assert sorted(["Zoé Abel", "Émile Zola", "Eve Martin"], key=default_sort_name) == ["Zoé Abel", "Eve Martin", "Émile Zola"]


@pytest.fixture(scope="module")
def renderer() -> MarkdownRenderer:
    return MarkdownRenderer()


def test_tags_and_mentions_found_outside_code_links_and_headings(renderer: MarkdownRenderer) -> None:
    text = "#rust first, with @ana-lima and #c++.\n\n## Heading #nottag\n\n`#incode @nobody` [#inlink](https://example.com/#frag) mail ana@example.com #123\n"
    out = renderer.render(text)
    assert out.tags == ("rust", "c++")
    assert out.mentions == ("ana-lima",)
    assert "<h2>Heading #nottag</h2>" in out.html
    assert "<h1>" not in out.html  # '#rust' at a line start is a tag, not a heading


def test_bio_tags_stay_text(renderer: MarkdownRenderer) -> None:
    out = renderer.render("I like #go", link_tags=False)
    assert out.tags == () and "#go" in out.html and "<a" not in out.html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        '<svg onload="alert(1)"><script>alert(1)</script></svg>',
        '<div style="background:url(javascript:alert(1));width:expression(alert(1))">x</div>',
        '<iframe src="https://evil.example"></iframe>',
        "<scr<script>ipt>alert(1)</script>",
        '<a href="#" onclick="alert(1)">x</a>',
    ],
)
def test_hostile_markdown_is_neutralised(renderer: MarkdownRenderer, payload: str) -> None:
    html = renderer.render(payload).html.lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert " on" not in html.replace("noopener", "").replace("noreferrer", "")
    assert "<iframe" not in html and "<svg" not in html and "style=" not in html
    assert "data:" not in html


def test_remote_images_become_links(renderer: MarkdownRenderer) -> None:
    html = renderer.render("![chart](https://cdn.example.com/c.png)").html
    assert "<img" not in html
    assert '<a href="https://cdn.example.com/c.png" rel="noopener noreferrer">chart</a>' in html
    assert "src=" not in sanitise('<img src="//cdn.example.com/x.png">')
