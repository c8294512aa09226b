"""Incremental rebuilds for ``trombino serve``: render again only what changed.

A page's inputs are found by watching, not declared. Page sources and
templates see the build's ``site``, ``index`` and photo map through recording
proxies (:class:`Tracker`); every read is kept as a *path* from a root with the
value it gave, e.g. ``("index", ("attr", "posts_by_author"), ("key", "ana"))``
→ Ana's posts. On the next build each distinct path is replayed once against
the new model (:class:`Replay`). A page source runs again only if one of its
paths now gives a different value; a page is rendered again only if its
context changed or one of its paths did. Page sources and templates are pure
functions of what they read, and what they read is never mutated afterwards
(the model and its derived views are immutable), so the result equals a full build —
``tests/test_serve_incremental.py`` checks it byte for byte on random edits.

Whatever the proxies cannot follow (an exception under proxies, a proxy passed
as an argument or kept in a page context, an unhashable key) marks that page or
source *opaque*: it is redone on every build — slower, never stale. What is
global to rendering (configuration, theme files, trombino's version, the list
of page sources) is the cache key: when it changes, everything is redone.

Unchanged model objects are interned (the previous build's equal object is
kept), so most comparisons are identity checks.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
import os
import types
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Collection, Hashable, Iterable, Iterator

from trombino import __version__
from trombino.build import BuildResult, build
from trombino.derive import Index
from trombino.loader import ParseCache, collector_paused, drifted
from trombino.resolved import KeptResolutions
from trombino.model import Site
from trombino.pages import Page, PageSource
from trombino.photos import PhotoCache
from trombino.render import Renderer
from trombino.theme import Theme
from trombino.write import MARKER, OutputError

Path_ = tuple  # ("site" | "index" | "photos", step, …); a step is ("attr", name), ("key", k), ("has", k), ("call", args, kwargs) or ("all",)


class Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING = Sentinel("MISSING")  # the key was absent
CHANGED = Sentinel("CHANGED")  # the path cannot be followed in the new model: never equal


@dataclasses.dataclass(frozen=True)
class Raised:
    """The read raised this kind of exception (also a value: it can stay the same)."""

    kind: type


class Reads:
    """What one page or page source read: path → value it gave."""

    __slots__ = ("values", "opaque")

    def __init__(self) -> None:
        self.values: dict[Path_, Any] = {}
        self.opaque = False


# -- recording proxies -------------------------------------------------------


class Tracker:
    """Hands out proxies of the current build's roots and notes what is read through them."""

    def __init__(self) -> None:
        self._roots: dict[str, Any] = {}
        self.reads: Reads | None = None  # None: not recording (e.g. while the Renderer is set up)
        # This build's answers by (id(proxy), step): a page or source reading the same thing
        # ten thousand times pays for one lookup. Entries hold their proxy, so ids stay unique.
        self.answers: dict[tuple, tuple[Any, Path_, Any, bool]] = {}

    @property
    def roots(self) -> dict[str, Any]:
        return self._roots

    @roots.setter
    def roots(self, roots: dict[str, Any]) -> None:
        self._roots = roots
        self.answers = {}

    def note(self, path: Path_, value: Any) -> None:
        if self.reads is not None:
            try:
                self.reads.values.setdefault(path, value)
            except TypeError:  # an unhashable key or argument in the path
                self.reads.opaque = True

    def make_opaque(self) -> None:
        if self.reads is not None:
            self.reads.opaque = True

    def absorb(self, reads: Reads) -> None:
        """Count what was read elsewhere (a shared fragment) as read by the current page too."""
        if self.reads is not None:
            for path, value in reads.values.items():
                self.reads.values.setdefault(path, value)
            self.reads.opaque = self.reads.opaque or reads.opaque

    @contextmanager
    def recording(self) -> Iterator[Reads]:
        outer, self.reads = self.reads, Reads()
        try:
            yield self.reads
        finally:
            self.reads = outer

    def root(self, name: str) -> Any:
        value = self.roots[name]
        kind = _RootMapping if isinstance(value, Mapping) else TrackedObject
        return kind(self, (name,), _ROOT)

    def wrap(self, path: Path_, value: Any) -> Any:
        how = _how(type(value))
        if how is _LEAF:
            if self.reads is not None:
                self.note(path, value)
            return value
        return how(self, path, value)


_ROOT = Sentinel("ROOT")  # a root proxy's target is looked up in tracker.roots, so it outlives a build
_LEAF = Sentinel("LEAF")


@functools.cache  # the answer depends on the type only
def _how(kind: type) -> Any:
    """How values of a type are handed out: mappings and lookup objects as proxies, the rest as noted values.

    Lookup objects are the site and trombino's objects whose equality is identity (Index, Views):
    noting them whole would make every reader stale, so they are read attribute by attribute."""
    if issubclass(kind, Mapping):
        return TrackedMapping
    if issubclass(kind, Site) or (kind.__eq__ is object.__eq__ and kind.__module__.startswith("trombino.") and not any("__call__" in vars(c) for c in kind.__mro__)):
        return TrackedObject
    return _LEAF


class _Tracked:
    __slots__ = ("_tracker", "_path", "_target")

    def __init__(self, tracker: Tracker, path: Path_, target: Any) -> None:
        self._tracker = tracker
        self._path = path
        self._target = target

    def _get(self) -> Any:
        return self._tracker.roots[self._path[0]] if self._target is _ROOT else self._target

    def _whole(self) -> Any:
        target = self._get()
        self._tracker.note(self._path + (("all",),), target)
        return target

    @property  # type: ignore[misc]
    def __class__(self):  # noqa: ANN204 - isinstance(proxy, Site) stays true
        return type(self._get())

    def __eq__(self, other: object) -> bool:
        return self._whole() == (other._whole() if type(other) in PROXY_TYPES else other)  # type: ignore[union-attr]

    def __hash__(self) -> int:
        return hash(self._whole())

    def __bool__(self) -> bool:
        return bool(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._whole())

    def __contains__(self, item: object) -> bool:
        return item in self._whole()

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return f"<tracked {self._path!r}>"


class TrackedObject(_Tracked):
    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        tracker = self._tracker
        known = tracker.answers.get((id(self), name))
        if known is not None and known[0] is self:
            if known[3]:
                tracker.note(known[1], known[2])
            return known[2]
        target = self._get()
        path = self._path + (("attr", name),)
        try:
            value = getattr(target, name)
        except AttributeError:
            tracker.note(path, Raised(AttributeError))
            raise
        if isinstance(value, types.MethodType) and value.__self__ is target:
            answer = TrackedMethod(tracker, path, value)
        else:
            answer = tracker.wrap(path, value)
        tracker.answers[(id(self), name)] = (self, path, answer, answer is value)
        return answer


class TrackedMapping(_Tracked, Mapping):
    __slots__ = ()

    def _lookup(self, key: Any) -> Any:
        """The value at ``key`` (a proxy, or a value now noted), or MISSING (noted too)."""
        tracker = self._tracker
        if type(key) in PROXY_TYPES:
            tracker.make_opaque()
        try:
            known = tracker.answers.get((id(self), "key", key))
        except TypeError:  # unhashable: the real lookup raises the same error
            return self._get()[key]
        if known is not None and known[0] is self:
            if known[3]:
                tracker.note(known[1], known[2])
            return known[2]
        path = self._path + (("key", key),)
        try:
            value = self._get()[key]
        except KeyError:
            answer = value = MISSING
            tracker.note(path, MISSING)
        else:
            answer = tracker.wrap(path, value)
        tracker.answers[(id(self), "key", key)] = (self, path, answer, answer is value)
        return answer

    def __getitem__(self, key: Any) -> Any:
        answer = self._lookup(key)
        if answer is MISSING:
            raise KeyError(key)
        return answer

    def get(self, key: Any, default: Any = None) -> Any:
        answer = self._lookup(key)
        return default if answer is MISSING else answer

    def __contains__(self, key: object) -> bool:
        if type(key) in PROXY_TYPES:
            self._tracker.make_opaque()
        found = key in self._get()
        self._tracker.note(self._path + (("has", key),), found)
        return found

    def keys(self):  # noqa: ANN201
        return self._whole().keys()

    def values(self):  # noqa: ANN201
        return self._whole().values()

    def items(self):  # noqa: ANN201
        return self._whole().items()


class _RootMapping(TrackedMapping):
    """A root mapping is always true, so ``photos or {}`` keeps the proxy (an empty one reads as empty anyway)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return True


class TrackedMethod:
    __slots__ = ("_tracker", "_path", "_method")

    def __init__(self, tracker: Tracker, path: Path_, method: Callable[..., Any]) -> None:
        self._tracker = tracker
        self._path = path
        self._method = method

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        step = ("call", args, tuple(sorted(kwargs.items())))
        try:
            hash(step)
            followable = not any(type(a) in PROXY_TYPES for a in (*args, *kwargs.values()))
        except TypeError:
            followable = False
        if not followable:
            self._tracker.make_opaque()
            return self._method(*args, **kwargs)
        path = self._path + (step,)
        try:
            result = self._method(*args, **kwargs)
        except Exception as exc:
            self._tracker.note(path, Raised(type(exc)))
            raise
        return self._tracker.wrap(path, result)


PROXY_TYPES = frozenset({TrackedObject, TrackedMapping, _RootMapping, TrackedMethod})


def _holds_proxy(value: Any, depth: int = 3) -> bool:
    """Whether a page context keeps a proxy: reused in a later build, the page would read an old model."""
    kind = type(value)
    if kind in PROXY_TYPES:
        return True
    if depth == 0:
        return False
    if kind in (tuple, list, set, frozenset):
        return any(_holds_proxy(v, depth - 1) for v in value)
    if kind is dict:
        return any(_holds_proxy(v, depth - 1) for v in value.values())
    return False


# -- replay ------------------------------------------------------------------


def _apply(parent: Any, step: tuple) -> Any:
    try:
        kind = step[0]
        if kind == "attr":
            try:
                return getattr(parent, step[1])
            except AttributeError:
                return Raised(AttributeError)
        if kind == "key":
            try:
                return parent[step[1]]
            except KeyError:
                return MISSING
        if kind == "has":
            return step[1] in parent
        if kind == "call":
            return parent(*step[1], **dict(step[2]))
        return parent  # ("all",)
    except Exception as exc:
        return Raised(type(exc))


def _equal(new: Any, old: Any) -> bool:
    if new is old:
        return True
    if new is CHANGED:
        return False
    try:
        return bool(new == old)
    except Exception:
        return False


class Replay:
    """Evaluates recorded paths against a new build's roots, each path once."""

    def __init__(self, roots: dict[str, Any]) -> None:
        self.roots = roots
        self._values: dict[Path_, Any] = {}
        self._same: dict[tuple[Path_, int], bool] = {}

    def value(self, path: Path_) -> Any:
        try:
            return self._values[path]
        except KeyError:
            pass
        if len(path) == 1:
            result = self.roots.get(path[0], CHANGED)
        else:
            parent = self.value(path[:-1])
            unreachable = parent is CHANGED or parent is MISSING or type(parent) is Raised
            result = CHANGED if unreachable else _apply(parent, path[-1])
        self._values[path] = result
        return result

    def unchanged(self, reads: Reads) -> bool:
        if reads.opaque:
            return False
        same = self._same
        for path, old in reads.values.items():
            key = (path, id(old))  # the same path may have been read in different builds
            verdict = same.get(key)
            if verdict is None:
                verdict = same[key] = _equal(self.value(path), old)
            if not verdict:
                return False
        return True


# -- interning ---------------------------------------------------------------


def _natural_key(value: Any) -> Any:
    return getattr(value, "id", None) or getattr(value, "slug", None)


def _keep(new: Any, old: Any) -> Any:
    return old if old is not MISSING and _equal(new, old) else new


def intern_site(new: Site, old: Site | None) -> Site:
    """``new`` with every value equal to one of ``old`` replaced by the old object."""
    if old is None:
        return new
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(new):
        value, before = getattr(new, field.name), getattr(old, field.name)
        if value is before:
            continue
        if isinstance(value, types.MappingProxyType) and isinstance(before, Mapping):
            kept = types.MappingProxyType({k: _keep(v, before.get(k, MISSING)) for k, v in value.items()})
        elif isinstance(value, tuple) and isinstance(before, tuple):
            if len(value) == len(before) and all(map(operator.is_, value, before)):
                changes[field.name] = before  # the same objects (the posts, mostly): no need to compare 100,000 of them
                continue
            by_key = {_natural_key(v): v for v in before}
            by_key.pop(None, None)
            kept = tuple(_keep(v, by_key.get(_natural_key(v), MISSING)) for v in value)
        else:
            kept = _keep(value, before)
        if kept is not value:
            changes[field.name] = kept
    return dataclasses.replace(new, **changes) if changes else new


# -- the render cache --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reused:
    """A page whose bytes are those of the previous build (only their digest is kept)."""

    digest: bytes


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclasses.dataclass
class _SourceEntry:
    reads: Reads
    pages: list[Page]
    holding_proxies: frozenset[str]  # output paths whose context keeps a proxy: always rendered


@dataclasses.dataclass
class _PageEntry:
    page: Page
    reads: Reads
    digest: bytes


@dataclasses.dataclass
class RenderStats:
    sources_run: int = 0
    rendered: int = 0
    reused: int = 0


_ABSENT = Sentinel("ABSENT")  # not read at all (MISSING is a value a read can give)


def _indexed(entry: _SourceEntry | _PageEntry | None) -> dict[Path_, Any]:
    """The reads of an entry that the index of reads holds."""
    return {} if entry is None or entry.reads.opaque else entry.reads.values


class RenderCache:
    """A page renderer for :func:`trombino.build.build` that reuses what it can of the previous build.

    Entries (one per page source, one per page) are indexed by what they read, so a
    build replays each distinct read once instead of once per page that made it.
    """

    def __init__(self) -> None:
        self.tracker = Tracker()
        self.stats = RenderStats()
        # Pages someone is looking at (output paths): rendered first from the new model and
        # handed to ``on_first`` before the rest of the build, so their tabs reload sooner.
        self.first: frozenset[str] = frozenset()
        self.on_first: Callable[[dict[str, bytes]], None] | None = None
        self.clear()

    def clear(self) -> None:
        self._key: tuple | None = None
        self._site: Site | None = None
        self._renderer: Renderer | None = None
        self._sources: dict[Hashable, _SourceEntry] = {}
        self._pages: dict[Hashable, _PageEntry] = {}
        self._readers: dict[Path_, dict[int, tuple[Any, set[Hashable]]]] = {}  # path → id(value read) → (value, entry keys)
        self._opaque: set[Hashable] = set()

    def __call__(self, site: Site, theme: Theme, photos: Mapping[str, Any], sources: list[PageSource], extra_head: str = "", writer: Any = None) -> Iterator[tuple[str, bytes | Reused]]:
        # ``writer`` is for render_pages' workers; the served folder is written by LiveWriter alone.
        key = (site.config, theme.digest(), tuple(sources), extra_head, __version__)
        if key != self._key:
            self.clear()
            self._key = key
        site = intern_site(site, self._site)
        previous = self.tracker.roots.get("index")
        index = Index(site, previous)
        self.tracker.roots = {"site": site, "index": index, "photos": photos}
        if previous is not None:
            # Frees the last build's timelines, org chart, etc. now (~70,000 objects at
            # 1,000 people), by reference counting: serve keeps the cycle collector paused.
            previous.release_views()
        if self._renderer is None:
            root = self.tracker.root
            self._renderer = Renderer(root("site"), root("index"), theme, photos=root("photos"), extra_head=extra_head, tracker=self.tracker)
        self._renderer.forget_fragments()  # made from the last build's model
        plain = FallbackRenderer(site, index, theme, photos, extra_head)
        if self.first and self.on_first is not None:
            early = self._render_first(site, index)
            if early:
                self.on_first(early)
        roots = (self.tracker.root("site"), self.tracker.root("index"))
        stale = self._stale(Replay(dict(self.tracker.roots)))
        self.stats = RenderStats()
        seen: set[str] = set()
        try:
            for position, source in enumerate(sources):
                source_key = ("source", position, source)
                entry = self._sources.get(source_key)
                if entry is None or source_key in stale:
                    entry = self._run(source, site, index, roots)
                    self._remember(self._sources, source_key, entry)
                    self.stats.sources_run += 1
                for page in entry.pages:
                    seen.add(page.path)
                    fresh = page.path in entry.holding_proxies or page.path in stale
                    yield page.path, self._page(page, plain, fresh)
        except BaseException:
            self.clear()  # some entries may now describe pages that never reached the output
            raise
        for path in set(self._pages) - seen:
            self._remember(self._pages, path, None)
        self._site = site
        self._renderer.forget_fragments()  # not kept while idle: 0.5 GB at 10,000 people

    def _render_first(self, site: Site, index: Index) -> dict[str, bytes]:
        """The pages of ``first`` that the last build made, rendered from the new model.

        Only the sources that made them run (stopping at the last page wanted). A page
        that fails is left out: the full build that follows reports the error."""
        assert self._renderer is not None
        wanted = self.first
        by_source: dict[PageSource, set[str]] = {}
        for (_, _, source), entry in self._sources.items():
            paths = wanted.intersection(page.path for page in entry.pages)
            if paths:
                by_source[source] = paths
        rendered: dict[str, bytes] = {}
        for source, paths in by_source.items():
            try:
                for page in source(site, index):
                    if page.path in paths:
                        with self.tracker.recording():  # this renderer's templates are compiled already
                            rendered[page.path] = self._renderer.render(page)
                        paths.discard(page.path)
                        if not paths:
                            break
            except Exception:
                continue
        return rendered

    def _stale(self, replay: Replay) -> set[Hashable]:
        """Keys of the entries one of whose reads gives another value now."""
        stale = set(self._opaque)
        for path, groups in self._readers.items():
            new = replay.value(path)
            for old, keys in groups.values():
                if not _equal(new, old):
                    stale |= keys
        return stale

    def _remember(self, table: dict, key: Hashable, entry: _SourceEntry | _PageEntry | None) -> None:
        """Put (or, with None, drop) an entry, keeping the index of reads in step.

        A page rendered again mostly reads what it read before, the very same objects:
        only the reads that differ are taken out of the index or put in."""
        previous = table.pop(key, None)
        before = _indexed(previous)
        after = _indexed(entry)
        readers = self._readers
        for path, value in before.items():
            if after.get(path, _ABSENT) is not value:
                groups = readers[path]
                keys = groups[id(value)][1]
                keys.discard(key)
                if not keys:
                    del groups[id(value)]
                    if not groups:
                        del readers[path]
        for path, value in after.items():
            if before.get(path, _ABSENT) is not value:
                readers.setdefault(path, {}).setdefault(id(value), (value, set()))[1].add(key)
        self._opaque.discard(key)
        if entry is None:
            return
        table[key] = entry
        if entry.reads.opaque:  # its reads are not indexed: it is redone every time
            self._opaque.add(key)

    def _run(self, source: PageSource, site: Site, index: Index, roots: tuple[Any, Any]) -> _SourceEntry:
        tracker = self.tracker
        with tracker.recording() as reads:
            try:
                pages = list(source(*roots))
            except Exception:
                pages = None
        if pages is None:  # not followable through proxies: run it on the real model, every time
            reads.opaque = True
            pages = list(source(site, index))
        holding = frozenset(p.path for p in pages if _holds_proxy(p.context))
        if holding:  # those pages would read this build's model later: run the source every time
            reads.opaque = True
        return _SourceEntry(reads, pages, holding)

    def _page(self, page: Page, plain: "FallbackRenderer", fresh: bool) -> bytes | Reused:
        entry = self._pages.get(page.path)
        if entry is not None and not fresh and _equal(page, entry.page):
            self.stats.reused += 1
            return Reused(entry.digest)
        assert self._renderer is not None
        with self.tracker.recording() as reads:
            try:
                data = self._renderer.render(page)
            except Exception:
                data = None
        if data is None:
            reads.opaque = True
            data = plain.renderer().render(page)  # a real error raises here, as in a full build
        self._remember(self._pages, page.path, _PageEntry(page, reads, digest(data)))
        self.stats.rendered += 1
        return data


class FallbackRenderer:
    """A renderer on the real model, made only if some page cannot be rendered through proxies."""

    def __init__(self, site: Site, index: Index, theme: Theme, photos: Mapping[str, Any], extra_head: str) -> None:
        self._args = (site, index, theme, photos, extra_head)
        self._renderer: Renderer | None = None

    def renderer(self) -> Renderer:
        if self._renderer is None:
            site, index, theme, photos, extra_head = self._args
            self._renderer = Renderer(site, index, theme, photos=photos, extra_head=extra_head)
        return self._renderer


# -- the writer --------------------------------------------------------------


class StaleOutput(Exception):
    """A reused page is not what the output folder holds (a cache bug or an outside edit)."""


class LiveWriter:
    """Keeps one output folder up to date in place: only files whose bytes changed are written,
    each atomically; files no build produces any more are removed. Used by ``serve``, whose
    output is a private temporary folder, so readers may see a mix of two builds for a moment."""

    def __init__(self, output: Path) -> None:
        self.output = output.absolute()
        self.staging = self.output  # where linkcheck would look
        self._on_disk: dict[str, bytes] = {}  # output path → digest of what the folder holds
        self._pending: dict[str, bytes | Reused] = {}
        self._ahead: dict[str, tuple[bytes | None, bytes | None]] = {}  # written before commit → (digest, bytes) it replaced
        self.written = 0
        self.linked = 0
        self.changed: list[str] = []
        self.removed: list[str] = []

    def write(self, relative: str, data: bytes | Reused) -> None:
        _check_inside(relative)
        if relative in self._pending:
            raise OutputError(f"two pages want the same output file: {relative}")
        self._pending[relative] = data

    def write_ahead(self, relative: str, data: bytes) -> bool:
        """Put one file in place now, before the build commits (a page someone is looking
        at), unless it holds these bytes already; :meth:`abort` puts back what it replaced."""
        _check_inside(relative)
        new = digest(data)
        if self._on_disk.get(relative) == new:
            return False
        if relative not in self._ahead:
            try:
                previous: bytes | None = (self.output / relative).read_bytes()
            except OSError:
                previous = None
            self._ahead[relative] = (self._on_disk.get(relative), previous)
        self._replace(relative, data)
        self._on_disk[relative] = new
        return True

    def commit(self) -> None:
        pending, self._pending = self._pending, {}
        digests: dict[str, bytes] = {}
        changed: list[tuple[str, bytes]] = []
        for path, data in pending.items():
            if isinstance(data, Reused):
                if self._on_disk.get(path) != data.digest:
                    raise StaleOutput(path)
                digests[path] = data.digest
                continue
            digests[path] = digest(data)
            if self._on_disk.get(path) != digests[path]:
                changed.append((path, data))
        removed = sorted(set(self._on_disk) - set(digests))
        for path in removed:
            (self.output / path).unlink(missing_ok=True)
            _prune_empty(self.output / path, self.output)
        for path, data in changed:
            self._replace(path, data)
        marker = self.output / MARKER
        if not marker.exists():
            marker.write_text("This folder is generated by trombino; it is replaced by every build.\n")
        ahead = [path for path, (before, _) in self._ahead.items() if digests.get(path, before) != before]
        self._on_disk = digests
        self._ahead = {}
        self.changed = sorted(ahead) + [path for path, _ in changed]
        self.removed = removed
        self.written = len(self.changed)
        self.linked = len(digests) - len(changed) - len(ahead)

    def abort(self) -> None:
        self._pending = {}
        for path, (before, previous) in self._ahead.items():
            if previous is None:
                (self.output / path).unlink(missing_ok=True)
            else:
                self._replace(path, previous)
            if before is None:
                self._on_disk.pop(path, None)
            else:
                self._on_disk[path] = before
        self._ahead = {}

    def _replace(self, relative: str, data: bytes) -> None:
        """Write one file atomically: a reader sees the old bytes or the new, never a mix."""
        target = self.output / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.trombino-tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)


def _check_inside(relative: str) -> None:
    if not relative or relative.startswith(("/", "\\")) or ".." in relative.split("/"):
        raise OutputError(f"refusing to write outside the output folder: {relative!r}")


def _prune_empty(path: Path, root: Path) -> None:
    folder = path.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


# -- a site built again and again --------------------------------------------


class LiveSite:
    """One source folder rebuilt into one output folder, reusing parse results, rendered
    pages and unchanged files between builds. ``build()`` equals a full build's output."""

    def __init__(self, source: Path, output: Path, *, base_url: str | None = None) -> None:
        self.source = source
        self.output = output
        self.base_url = base_url
        self.parse_cache = ParseCache(resolved=KeptResolutions())
        self.render_cache = RenderCache()
        self.photo_cache = PhotoCache()  # thumbnails, in memory: an unchanged photo is not encoded again
        self.writer = LiveWriter(output)

    def build(self, first: Iterable[str] = (), on_first: Callable[[list[str]], None] | None = None, changed: Collection[str] | None = None) -> BuildResult:
        """Build; the cycle collector is paused meanwhile (it would walk every cached object many
        times per build and double its time) and left as it was found: a caller that keeps it
        paused afterwards (``serve``) should call :func:`gc.collect` when idle.

        ``first``: output paths of pages someone is looking at. Those the last build made are
        rendered before the rest and written at once; ``on_first`` then gets their paths. If
        the build fails after all, they are put back as they were.

        ``changed``: the site-relative paths that changed since the last build, if a file
        watcher knows them: only those content files are looked at again (see
        :func:`~trombino.loader.discover`; :meth:`drifted` finds what a watcher missed)."""
        cache = self.render_cache
        cache.first = frozenset(first)
        cache.on_first = functools.partial(self._write_first, on_first) if on_first else None
        self.parse_cache.changed = frozenset(changed) if changed is not None else None
        try:
            with collector_paused():
                try:
                    result = self._build()
                except StaleOutput:
                    cache.clear()
                    result = self._build()
                self.parse_cache.prune()
                if result.ok:
                    self.photo_cache.prune()
        finally:
            cache.first, cache.on_first = frozenset(), None
            self.parse_cache.changed = None
        return result

    @property
    def unverified(self) -> bool:
        """The last build took the watcher's word for files it was not told of (see :meth:`drifted`)."""
        return self.parse_cache.unverified

    def drifted(self, interrupted: Callable[[], bool] = lambda: False) -> list[str] | None:
        """Content files that are not as the last build found them (see :func:`~trombino.loader.drifted`)."""
        with collector_paused():
            return drifted(self.source, self.parse_cache, interrupted)

    def _write_first(self, on_first: Callable[[list[str]], None], pages: dict[str, bytes]) -> None:
        written = [path for path, data in sorted(pages.items()) if self.writer.write_ahead(path, data)]
        if written:
            on_first(written)

    def _build(self) -> BuildResult:
        return build(self.source, self.output, base_url=self.base_url, cache=self.parse_cache, render=self.render_cache, writer=self.writer, photo_cache=self.photo_cache)  # type: ignore[arg-type]
