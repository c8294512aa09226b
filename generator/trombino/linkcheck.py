"""Check a built site's internal links: every relative href/src must resolve."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True, order=True)
class BrokenLink:
    page: str  # output path of the page, relative to the site root
    target: str
    line: int = 1  # where the link stands in the page's HTML, to find the template that wrote it

    def format(self) -> str:
        return f"{self.page}:{self.line}: broken link to {self.target}"


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value and name in ("href", "src"):
                self.links.append((value, line))
            elif value and name == "srcset":
                self.links.extend((part.strip().split(" ")[0], line) for part in value.split(",") if part.strip())


_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def links_of(html: str) -> list[tuple[str, int]]:
    """Every href, src and srcset URL of a page, with its line."""
    collector = _LinkCollector()
    collector.feed(html)
    return collector.links


def resolve_target(site: Path, page: Path, link: str) -> Path | None:
    """The file a relative link points to, or None for external and fragment-only links."""
    if not link or link.startswith("#") or _EXTERNAL.match(link):
        return None
    path = unquote(urlsplit(link).path)
    if not path:
        return None
    target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    if path.endswith("/"):
        target = target / "index.html"
    return target


def check_links(site: Path, base_path: str = "/") -> list[BrokenLink]:
    """Broken internal links of every HTML page under ``site``.

    Root-relative links (``/x/``) are resolved against ``base_path`` (the path
    part of the site's base URL).
    """
    broken: set[BrokenLink] = set()
    root = site.resolve()
    for page in sorted(root.rglob("*.html")):
        html = page.read_text(encoding="utf-8", errors="replace")
        for link, line in links_of(html):
            candidate = link
            if link.startswith("/") and not link.startswith("//"):
                if not link.startswith(base_path):
                    broken.add(BrokenLink(page.relative_to(root).as_posix(), link, line))
                    continue
                candidate = "/" + link[len(base_path):]
            target = resolve_target(root, page, candidate)
            if target is None:
                continue
            try:
                resolved = target.resolve()
            except OSError:
                resolved = target
            if not resolved.is_relative_to(root) or not (resolved.is_file() or (resolved.is_dir() and (resolved / "index.html").is_file())):
                broken.add(BrokenLink(page.relative_to(root).as_posix(), link, line))
    return sorted(broken)
