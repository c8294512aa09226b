"""The build pipeline: load → derive → render → write.

`check` is the same pipeline stopped before rendering.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from urllib.parse import urlsplit

from trombino import linkcheck
from trombino.derive import Index
from trombino.diagnostics import Diagnostic
from trombino.loader import LoadResult, ParseCache, load_site
from trombino.model import Site
from trombino.privacy import publish
from trombino.pages import PAGE_SOURCES, PageSource, all_pages
from trombino.render import Renderer
from trombino.theme import Theme
from trombino.write import SiteWriter


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    ok: bool
    pages: int = 0
    written: int = 0
    linked: int = 0
    seconds: float = 0.0
    site: Site | None = None
    broken_links: list = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def check(source: Path, *, strict: bool = False, cache: ParseCache | None = None) -> LoadResult:
    return load_site(source, cache)


def with_base_url(site: Site, base_url: str | None) -> Site:
    if not base_url:
        return site
    if not base_url.endswith("/"):
        base_url += "/"
    return replace(site, config=replace(site.config, base_url=base_url))


def photo_outputs(site: Site) -> dict[str, str]:
    """Output path of each published photo, by person slug."""
    hidden = set(site.config.hidden_fields)
    result = {}
    for person in site.people.values():
        if person.photo and "photo" not in hidden and "photo" not in person.private:
            suffix = Path(person.photo).suffix.lower()
            result[person.slug] = f"people/{person.slug}/photo{suffix}"
    return result


def render_pages(site: Site, theme: Theme, photos: dict[str, str], sources: list[PageSource], extra_head: str = "") -> Iterator[tuple[str, bytes]]:
    """Every page of ``sources``, rendered: (output path, bytes), in order."""
    index = Index(site)
    renderer = Renderer(site, index, theme, photos=photos, extra_head=extra_head)
    for page in all_pages(site, index, sources):
        yield page.path, renderer.render(page)


# How pages become bytes; `trombino serve` passes one that re-renders only what changed.
PageRenderer = Callable[[Site, Theme, dict[str, str], list[PageSource], str], Iterable[tuple[str, bytes]]]


def render_site(
    site: Site,
    source: Path,
    writer: SiteWriter,
    *,
    extra_head: str = "",
    sources: list[PageSource] | None = None,
    render: PageRenderer = render_pages,
) -> int:
    theme = Theme(source, site.config.theme)
    photos = photo_outputs(site)
    count = 0
    for path, data in render(site, theme, photos, sources or PAGE_SOURCES, extra_head):
        writer.write(path, data)
        count += 1
    for asset in theme.assets.values():
        writer.copy(asset.output_path, asset.source)
    for slug, output in photos.items():
        writer.copy(output, source / site.people[slug].photo)  # type: ignore[operator]
    return count


def build(
    source: Path,
    output: Path,
    *,
    base_url: str | None = None,
    strict: bool = False,
    cache: ParseCache | None = None,
    extra_head: str = "",
    check_links: bool = False,
    render: PageRenderer = render_pages,
    writer: SiteWriter | None = None,
) -> BuildResult:
    """Validate, then render into a staging folder swapped in only on success.

    ``render`` and ``writer`` are for ``trombino serve``: an incremental renderer
    and a writer that updates its folder in place (see :mod:`trombino.incremental`).
    """
    started = time.perf_counter()
    loaded = load_site(source, cache)
    errors = [d for d in loaded.diagnostics if d.level == "error" or strict]
    if errors or loaded.site is None:
        return BuildResult(loaded.diagnostics, False, seconds=time.perf_counter() - started)
    site = publish(with_base_url(loaded.site, base_url))
    writer = writer or SiteWriter(output)
    try:
        pages = render_site(site, source, writer, extra_head=extra_head, render=render)
        broken = linkcheck.check_links(writer.staging, urlsplit(site.config.base_url).path or "/") if check_links else []
        if broken:
            writer.abort()
            diagnostics = loaded.diagnostics + [Diagnostic(b.page, 1, 1, f"broken link to {b.target}") for b in broken]
            return BuildResult(diagnostics, False, pages, seconds=time.perf_counter() - started, broken_links=broken)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildResult(loaded.diagnostics, True, pages, writer.written, writer.linked, time.perf_counter() - started, site)
