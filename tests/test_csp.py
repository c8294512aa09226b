"""The pages carry a strict Content-Security-Policy and the site passes it.

Static checks on every page of a built site (the policy is present and strict,
nothing inline needs an exception), then the main pages in Chromium over HTTP:
zero CSP violations (console and ``securitypolicyviolation`` events), no
script error, no dialog, no request to another host — including the search
page rendering results for hostile names and bios.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from trombino.build import build

from conftest import MINIMAL_SITE

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
}
HOSTILE_NAME = "Eve <img src=x onerror=alert(1)> \"'><script>alert(2)</script>"


def png() -> bytes:
    from PIL import Image

    stream = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 80, 20)).save(stream, "PNG")
    return stream.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_site

    root = write_site(
        tmp_path_factory.mktemp("csp") / "site",
        {
            **MINIMAL_SITE,
            "content/people/photos/eve.png": png(),
            "content/people/eve.md": f"""---
name: {json.dumps(HOSTILE_NAME)}
title: '<svg onload=alert(3)>'
team: platform
manager: ana-lima
location: '<b onmouseover=alert(4)>Lyon</b>'
skills: ['<script>alert(5)</script>', python]
availability: {{status: partial, note: '<i>busy</i>'}}
commitments: [{{what: '<u>x</u>', share: 30}}]
photo: photos/eve.png
---
Eve's bio <script>alert(6)</script> <img src=x onerror=alert(7)> [x](javascript:alert(8))
""",
            "content/posts/2026/03/eve.md": """---
author: eve
date: 2026-03-06
title: '</title><script>alert(9)</script>'
tags: ['"><img src=x onerror=alert(10)>']
kind: question
---
Question <style>body{display:none}</style> <img src="https://evil.example/x.png"> @ana-lima #python
""",
        },
    )
    out = root.parent / "out"
    result = build(root, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


def policy_of(page: Path) -> dict[str, str]:
    text = page.read_text(encoding="utf-8")
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
    assert match, f"{page}: no CSP meta tag"
    directives = {}
    for part in match.group(1).split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


class _Inline(HTMLParser):
    """What a strict policy would block: inline scripts, inline styles, handlers, style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names and dict(attrs).get("type") not in ("application/json", "application/ld+json"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        if "style" in names:
            self.found.append(f"style attribute on <{tag}>")
        self.found += [f"{name} on <{tag}>" for name in names if name.startswith("on")]


def test_every_page_has_the_strict_policy_and_needs_no_exception(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        policy = policy_of(page)
        for name, value in REQUIRED_DIRECTIVES.items():
            assert policy.get(name) == value, (page, name, policy.get(name))
        assert not any("unsafe" in value or "*" in value.split() for value in policy.values()), (page, policy)
        parser = _Inline()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.found == [], (page.relative_to(site), parser.found)


def main_pages(site: Path) -> list[str]:
    """Every section's front page, and one page of each kind below them."""
    pages = ["", "404.html"]
    pages += sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("*/index.html"))
    pages += ["people/eve/", "people/ana-lima/", "teams/platform/", "posts/2026/03/eve/", "tags/python/"]
    return pages


@pytest.fixture(scope="module")
def base_url(site: Path, http_server) -> str:  # noqa: ANN001
    return http_server(site)


WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Watcher:
    def __init__(self, browser) -> None:  # noqa: ANN001
        self.context = browser.new_context()
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        # Failed loads are reported with their URL by the response handler below.
        self.page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource") and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        # A missing theme file or search index would hide a script the policy blocks; a broken
        # image in a bio (<img src=x>, sanitised to a harmless relative URL) is not our concern here.
        self.page.on("response", lambda r: r.status >= 400 and "/static/" in r.url and self.problems.append(f"HTTP {r.status} for {r.url}"))

    def visit(self, url: str) -> None:
        self.page.goto(url, wait_until="load")
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_timeout(150)  # let deferred scripts run and report
        violations = self.page.evaluate("window.__csp")
        self.problems += [f"CSP violation on {self.page.url}: {v}" for v in violations]
        self.page.evaluate("window.__csp = []")
        handlers = self.page.evaluate("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))")
        self.problems += [f"event handler in the live page {self.page.url}: {h}" for h in handlers]

    def foreign_requests(self, base_url: str) -> list[str]:
        host = urlsplit(base_url).netloc
        return [u for u in self.requests if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != host]


@pytest.fixture
def watcher(browser):  # noqa: ANN001, ANN201
    w = Watcher(browser)
    yield w
    w.context.close()


def test_main_pages_pass_the_policy_in_a_browser(site: Path, base_url: str, watcher: Watcher) -> None:
    pages = main_pages(site)
    assert len(pages) >= 12
    for path in pages:
        watcher.visit(base_url + path)
    assert watcher.problems == []
    assert watcher.foreign_requests(base_url) == []
    assert any(u.endswith(".js") for u in watcher.requests)  # scripts did load, from this host


def test_search_renders_hostile_results_without_executing_them(base_url: str, watcher: Watcher) -> None:
    watcher.visit(base_url + "search/")
    box = watcher.page.locator("#search-q")
    for query in ("eve", "alert", "script", "lyon", "python"):
        box.fill("")
        box.press_sequentially(query, delay=10)
        watcher.page.wait_for_timeout(300)
        watcher.settle()
    watcher.visit(base_url + "search/?q=eve")
    hits = watcher.page.locator("#search-people .search-hit-name")
    assert hits.count() >= 1 and "<img" in hits.first.inner_text()  # the name shown as text, not markup
    assert watcher.problems == []
    assert watcher.foreign_requests(base_url) == []


def test_a_policy_violation_is_caught(base_url: str, watcher: Watcher) -> None:
    """The watcher itself: an injected inline script is blocked and reported."""
    watcher.visit(base_url)
    watcher.page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }")
    watcher.settle()
    assert watcher.page.evaluate("window.ran") is None
    assert any("CSP violation" in p and "script-src" in p for p in watcher.problems), watcher.problems
