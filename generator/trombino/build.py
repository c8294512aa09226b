"""The build pipeline: load → derive → render → write.

`check` is the same pipeline stopped before rendering.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from urllib.parse import urlsplit

from trombino import linkcheck
from trombino.derive import Index
from trombino.diagnostics import Diagnostic
from trombino.loader import LoadResult, ParseCache, load_site, workers
from trombino.model import Site
from trombino.privacy import publish
from trombino.pages import PAGE_SOURCES, Page, PageSource, all_pages
from trombino.photos import Photo, PhotoCache, Portraits, portraits
from trombino.render import Renderer
from trombino.template_messages import template_faults
from trombino.theme import Theme
from trombino.write import SiteWriter, spare_tree


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


def with_base_url(site: Site, base_url: str | None) -> Site:
    if not base_url:
        return site
    if not base_url.endswith("/"):
        base_url += "/"
    return replace(site, config=replace(site.config, base_url=base_url))


PARALLEL_PAGES = 2_000  # below this, forking workers costs more than it saves
CHUNK_PAGES = 250

# The task of forked workers and its first arguments: they inherit it with the parent's
# memory, so the model and the page list are never pickled. Set only while a pool forks.
_FORK_STATE: tuple[Callable[..., Any], tuple] | None = None


@dataclass(frozen=True)
class Placed:
    """A page a render worker already put into the writer's folder (see ``SiteWriter.put``)."""

    wrote: bool


def _run_forked(more: tuple = ()) -> Any:
    """In a forked worker: the inherited task, given the inherited arguments, then ``more``."""
    assert _FORK_STATE is not None
    task, args = _FORK_STATE
    return task(*args, *more)


@contextmanager
def forked_pool(processes: int, initializer: Callable[[], Any] | None = None) -> Iterator[ProcessPoolExecutor]:
    """A pool of forked processes. Not ``multiprocessing.Pool``: when one of its processes is
    killed (by the kernel when memory runs out, say), that one waits forever for the lost
    task; this one raises ``BrokenProcessPool``. Left by an exception, it cancels the tasks
    still queued and waits for the running ones (a chunk of pages at most): its processes
    must be gone before the command exits, or they would keep its output pipes open."""
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"), initializer=initializer)
    try:
        yield pool
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    pool.shutdown()


def in_workers(task: Callable[..., list], state: Any, count: int, chunk: int = CHUNK_PAGES) -> Iterator[list]:
    """``task(state, start, stop)`` for consecutive chunks of ``range(count)``, each run in one
    of the forked workers (one per core); yields the chunks' results in order."""
    global _FORK_STATE
    bounds = [(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    _FORK_STATE = (task, (state,))
    # What exists now is only read by the workers: out of the cycle collector's
    # sight, it is never walked there, so its memory pages stay shared (a
    # collection would touch, and so copy, every object of the model).
    gc.freeze()
    try:
        # Workers collect garbage whatever the parent does: rendering makes cycles.
        with forked_pool(workers(), initializer=gc.enable) as pool:
            yield from pool.map(_run_forked, bounds)
    finally:
        _FORK_STATE = None
        gc.unfreeze()


@contextmanager
def in_background(task: Callable[..., Any], *args: Any, fork: bool = True) -> Iterator[Callable[[], Any]]:
    """Run ``task(*args)`` in a forked process while the caller goes on; gives a function that
    waits for its result (or raises its exception). The arguments are inherited, not pickled;
    only the result comes back. With one core, or ``fork`` False (not worth a process), the
    function runs the task itself."""
    global _FORK_STATE
    if not fork or workers() < 2:
        yield lambda: task(*args)
        return
    _FORK_STATE = (task, args)
    try:
        with forked_pool(1) as pool:
            pending = pool.submit(_run_forked)  # forks the process
            _FORK_STATE = None  # the child has its copy
            yield pending.result
    finally:
        _FORK_STATE = None


def _render_chunk(state: tuple[Renderer, list[Page], SiteWriter | None, list[str]], start: int, stop: int) -> list[tuple[str, bytes | Placed]]:
    renderer, pages, writer, targets = state
    done: list[tuple[str, bytes | Placed]] = []
    for i in range(start, stop):
        page = pages[i]
        data = renderer.render(page)
        # Workers write their own pages: creating files costs system time, and
        # sending every page's bytes back to one writing process costs more.
        done.append((page.path, Placed(writer.put(targets[i], page.path, data)) if writer else data))
    return done


def render_pages(
    site: Site,
    theme: Theme,
    photos: Mapping[str, Photo],
    sources: list[PageSource],
    extra_head: str = "",
    writer: SiteWriter | None = None,
) -> Iterator[tuple[str, bytes | Placed]]:
    """Every page of ``sources``, rendered: (output path, bytes), in order.

    Large sites are rendered by one forked worker per core; with a ``writer``,
    the workers also put the files in place and yield ``Placed`` instead of
    bytes (the paths are claimed here first, so clashes fail before any work).
    """
    index = Index(site)
    renderer = Renderer(site, index, theme, photos=photos, extra_head=extra_head)
    pages = list(all_pages(site, index, sources))
    if len(pages) < PARALLEL_PAGES or workers() < 2:
        for page in pages:
            yield page.path, renderer.render(page)
        return
    targets = [writer.claim(page.path) for page in pages] if writer else []
    for chunk in in_workers(_render_chunk, (renderer, pages, writer, targets), len(pages)):
        yield from chunk


# How pages become bytes; `trombino serve` passes one that re-renders only what changed.
PageRenderer = Callable[..., Iterable[tuple[str, "bytes | Placed"]]]


def render_site(
    site: Site,
    source: Path,
    writer: SiteWriter,
    *,
    extra_head: str = "",
    sources: list[PageSource] | None = None,
    render: PageRenderer = render_pages,
    theme: Theme | None = None,
    people: Portraits | None = None,
) -> int:
    theme = theme or Theme(source, site.config.theme)
    people = people or portraits(site, source, PhotoCache())
    count = 0
    for path, data in render(site, theme, people.photos, sources or PAGE_SOURCES, extra_head, writer=writer):
        if isinstance(data, Placed):
            writer.record(data.wrote)
        else:
            writer.write(path, data)
        count += 1
    for asset in theme.assets.values():
        writer.write(asset.output_path, asset.content)
    for path, data in people.files:
        writer.write(path, data)
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
    generations: Path | None = None,
    photo_cache: PhotoCache | None = None,
) -> BuildResult:
    """Validate, then render into a staging folder swapped in only on success.

    ``render`` and ``writer`` are for ``trombino serve``: an incremental renderer
    and a writer that updates its folder in place (see :mod:`trombino.incremental`).
    ``photo_cache`` keeps thumbnails between builds (see :mod:`trombino.photos`).
    """
    started = time.perf_counter()
    # The spare output generation is listed on the other core while the sources load
    # (a folder per update: at 50,000 updates the listing takes a second or two).
    with in_background(spare_tree, generations, fork=writer is None and generations is not None) as spare_listing:
        loaded = load_site(source, cache)
        errors = [d for d in loaded.diagnostics if d.level == "error" or strict]
        if errors or loaded.site is None:
            return BuildResult(loaded.diagnostics, False, seconds=time.perf_counter() - started)
        site = publish(with_base_url(loaded.site, base_url))
        # Faults only the theme and the photos reveal still leave the previous site untouched.
        theme = Theme(source, site.config.theme)
        people = portraits(site, source, photo_cache or PhotoCache())
        site = people.published(site)
        late = template_faults(theme, source, site.config.language, cache) + list(people.diagnostics)
        if any(d.level == "error" or strict for d in late):
            return BuildResult(loaded.diagnostics + late, False, seconds=time.perf_counter() - started)
        writer = writer or SiteWriter(output, generations, spare_listing)
    try:
        pages = render_site(site, source, writer, extra_head=extra_head, render=render, theme=theme, people=people)
        broken = linkcheck.check_links(writer.staging, urlsplit(site.config.base_url).path or "/") if check_links else []
        if broken:
            writer.abort()
            diagnostics = loaded.diagnostics + [Diagnostic(b.page, b.line, 1, f"broken link to {b.target}") for b in broken]
            return BuildResult(diagnostics, False, pages, seconds=time.perf_counter() - started, broken_links=broken)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildResult(loaded.diagnostics + late, True, pages, writer.written, writer.linked, time.perf_counter() - started, site)
