"""Warm builds render only the pages whose inputs changed since the last build.

A build with a cache folder renders its pages through the recording proxies of
:mod:`trombino.incremental` (as ``trombino serve`` does) and keeps, in
``.trombino-cache/render.pickle``, a *render record*: for each page, a digest
of its context, the digests of the values it read from the model (each read is
a path from ``site``, ``index`` or the photo map, e.g. Ana's posts) and the
signature (inode, size, modification time) of the file it became.

The next build replays every recorded path once against the new model. A page
whose context and reads give the same digests, and whose live file still has
its signature, is not rendered: the live file is hard-linked into the new
generation (:meth:`trombino.write.SiteWriter.keep`). Every other page is
rendered and recorded again.

Digests, not values, are kept: the values are the model, and pickling it again
would cost what it saves. A digest is the same in every process (no ``hash()``;
sets in a fixed order) and covers every field of a value; a value of a type it
does not know makes its page *opaque*: rendered on every build, never stale.
A class may say what stands for its value with a ``__digest__()`` method (the
search index files do: a digest of what their text is made from).
What is global to rendering (configuration, theme files, the list of page
sources, the output folder) is the record's key, and trombino's code is part of
the cache's fingerprint: when either changes, every page is rendered.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import operator
import pickle
import types
import typing
from array import array
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from trombino.build import CHUNK_PAGES, Placed, in_background, in_workers
from trombino.derive import Index
from trombino.incremental import CHANGED, FallbackRenderer, Path_, Replay, Sentinel, Tracker, digest
from trombino.loader import collector_paused, workers
from trombino.model import Site
from trombino.pages import Page, PageSource, all_pages
from trombino.photos import Photo
from trombino.render import Renderer
from trombino.theme import Theme
from trombino.write import SiteWriter, file_signature

if TYPE_CHECKING:
    from trombino.cache import DiskParseCache

RECORD_FILE = "render.pickle"
FEW_PAGES = 16  # fewer pages to render than this: not worth forking workers
FEW_PAIRS = 2_000  # fewer recorded reads to replay than this: not worth a process of their own


# -- stable digests ----------------------------------------------------------


class Undigestable(Exception):
    """A value of a type whose content the digest cannot see."""


def _name(kind: Any) -> bytes:
    return f"{kind.__module__}.{kind.__qualname__}".encode()


# Types whose repr() spells their whole value, the same in every process.
_PLAIN = frozenset({str, int, float, bool, type(None), date, datetime})


@functools.cache  # by type
def _field_plan(kind: type) -> tuple[Callable[[Any], tuple], Callable[[Any], tuple], bool] | None:
    """For a dataclass: (getter of the fields declared as plain values, getter of the others,
    whether it only wraps other dataclass instances).

    The plain fields are spelled together by one repr() of their tuple, in C (exact for
    those types, the same in every process); the others one by one. Declared, not checked:
    a field declared ``str`` holding a set would only make its pages look changed. A mere
    wrapper (a timeline's entry: a post and a team) is spelled out in its containers, not
    digested on its own: there are hundreds of thousands of them, each read once or twice."""
    if not dataclasses.is_dataclass(kind):
        return None
    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # noqa: BLE001 - an annotation that cannot be resolved: spell every field out
        hints = {}
    names = [f.name for f in dataclasses.fields(kind)]
    plain = [name for name in names if _plain_annotation(hints.get(name))]
    others = [name for name in names if name not in plain]
    wrapper = bool(others) and not plain and all(_dataclass_annotation(hints.get(name)) for name in others)
    return _getter(plain), _getter(others), wrapper


def _getter(names: list[str]) -> Callable[[Any], tuple]:
    if not names:
        return lambda value: ()
    if len(names) == 1:
        single = operator.attrgetter(names[0])
        return lambda value: (single(value),)
    return operator.attrgetter(*names)


def _dataclass_annotation(hint: Any) -> bool:
    """A dataclass, or one or None."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return all(arg is type(None) or dataclasses.is_dataclass(arg) for arg in typing.get_args(hint))
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _plain_annotation(hint: Any) -> bool:
    if hint in _PLAIN:
        return True
    origin = typing.get_origin(hint)
    if origin is tuple or origin is typing.Union or origin is types.UnionType:
        return all(arg is Ellipsis or arg in _PLAIN for arg in typing.get_args(hint))
    return False


class Digester:
    """Digests of values that equal values share in any process: strings, numbers, dates,
    containers, trombino's frozen dataclasses. Dataclass instances and large containers are
    digested once per digester (by identity: the model does not change while a build runs)
    and stand in their containers' digests by their own; smaller values, and dataclasses
    that only wrap others (see ``_field_plan``), are spelled out."""

    SHARED_LENGTH = 8  # containers at least this long are digested once, like dataclass instances

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, bytes]] = {}  # id → (the value, kept alive; its digest)

    def __call__(self, value: Any) -> bytes | None:
        """The value's digest, or None if some part of it cannot be digested."""
        try:
            return self._digest(value)
        except (Undigestable, RecursionError):
            return None

    def once(self, *values: Any) -> bytes | None:
        """The digest of these values together, none of them kept (a page's context: each is
        digested once, and keeping them all would hold every page of the site in memory)."""
        parts: list[bytes] = []
        try:
            for value in values:
                self._describe(parts, value)
        except (Undigestable, RecursionError):
            return None
        return digest(b"".join(parts))

    def _digest(self, value: Any) -> bytes:
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        parts: list[bytes] = []
        self._describe(parts, value)
        made = digest(b"".join(parts))
        self._memo[id(value)] = (value, made)
        return made

    def _encode(self, parts: list[bytes], value: Any) -> None:
        """Append the value's encoding: spelled out, or ``#`` and its own digest."""
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            parts.append(b"s%d:" % len(data))
            parts.append(data)
        elif kind is int:
            parts.append(b"i%d;" % value)
        elif value is None:
            parts.append(b"N")
        elif kind is bool:
            parts.append(b"T" if value else b"F")
        elif (plan := _field_plan(kind)) is not None and plan[2]:
            self._describe(parts, value)
        elif plan is not None or ((kind is tuple or kind is list or kind is dict) and len(value) >= self.SHARED_LENGTH):
            parts.append(b"#")
            parts.append(self._digest(value))
        else:
            self._describe(parts, value)

    def _describe(self, parts: list[bytes], value: Any) -> None:  # noqa: C901 - one branch per kind of value
        kind = type(value)
        encode = self._encode
        if kind is tuple or kind is list:
            parts.append(b"(%d:" % len(value) if kind is tuple else b"[%d:" % len(value))
            for item in value:
                encode(parts, item)
        elif (own := getattr(kind, "__digest__", None)) is not None:
            parts.append(b"O" + _name(kind) + b":")
            encode(parts, own(value))
        elif (plan := _field_plan(kind)) is not None:
            plain, others, _ = plan
            parts.append(b"D" + _name(kind) + b":" + repr(plain(value)).encode("utf-8", "surrogatepass"))
            for item in others(value):
                encode(parts, item)
        elif kind is dict or kind is types.MappingProxyType:
            parts.append(b"{%d:" % len(value))
            for key, item in value.items():
                encode(parts, key)
                encode(parts, item)
        elif kind is frozenset or kind is set:
            parts.append(b"<%d:" % len(value))
            parts.extend(sorted(self._digest(item) for item in value))
        elif kind in (str, int, bool, type(None)):
            encode(parts, value)
        elif kind is float:
            parts.append(b"f" + repr(value).encode() + b";")
        elif kind is bytes:
            parts.append(b"b%d:" % len(value))
            parts.append(value)
        elif kind in (date, datetime, time):
            parts.append(_name(kind) + b":" + value.isoformat().encode() + repr(getattr(value, "tzinfo", None)).encode() + b";")
        elif kind is timedelta:
            parts.append(repr(value).encode())
        elif isinstance(value, enum.Enum):
            parts.append(b"E" + _name(kind) + b":" + value.name.encode() + b";")
        elif isinstance(value, str):  # Markup and other str subclasses
            parts.append(b"S" + _name(kind) + b":")
            encode(parts, str(value))
        elif isinstance(value, tuple):  # named tuples
            parts.append(b"T" + _name(kind) + b":")
            self._describe(parts, tuple(value))
        elif isinstance(value, type) or kind in (types.FunctionType, types.BuiltinFunctionType):
            parts.append(b"C" + _name(value) + b";")  # what code does is covered by the cache fingerprint
        elif kind is Sentinel:
            parts.append(b"!" + value.name.encode() + b";")
        elif isinstance(value, PurePath):
            parts.append(b"P")
            encode(parts, str(value))
        else:
            raise Undigestable(kind)


# -- the record ----------------------------------------------------------------


@dataclasses.dataclass
class RecordStats:
    rendered: int = 0
    kept: int = 0
    opaque: int = 0  # rendered, and not recorded: some context or read could not be digested


class RecordedRender:
    """A page renderer for :func:`trombino.build.build` (a ``PageRenderer``) that renders
    only the pages whose inputs changed since the last build that used ``cache``; call
    :meth:`save` once the build is committed."""

    def __init__(self, cache: DiskParseCache) -> None:
        self.cache = cache
        self.stats = RecordStats()
        self._record: dict | None = None  # this build's, for save()

    def __call__(self, site: Site, theme: Theme, photos: Mapping[str, Photo], sources: list[PageSource], extra_head: str = "", writer: SiteWriter | None = None) -> Iterator[tuple[str, bytes | Placed]]:
        if writer is None:
            raise ValueError("a recorded render puts pages into a SiteWriter")
        # Replaying and digesting make millions of objects and no garbage cycles: the cycle
        # collector would walk the whole model again and again (a third of a warm build at 5k/50k).
        with collector_paused():
            plan = self._plan(site, Index(site), photos, theme, sources, extra_head, writer)
        self.stats = stats = RecordStats(kept=len(plan.kept))
        for path in plan.kept:
            yield path, Placed(False)
        numbers = {pair: number for number, pair in enumerate(plan.pairs)}
        record = plan.record
        for page, context, done in self._render(plan, theme, extra_head, writer):
            wrote, reads, signature = done
            stats.rendered += 1
            if reads is None or context is None:
                stats.opaque += 1
            else:
                ids = array("I", (numbers.setdefault(pair, len(numbers)) for pair in reads))
                record[page.path] = (context, ids.tobytes(), signature)
            yield page.path, Placed(wrote)
        self._record = {"key": plan.key, "pairs": list(numbers), "pages": record}

    def _plan(self, site: Site, index: Index, photos: Mapping[str, Photo], theme: Theme, sources: list[PageSource], extra_head: str, writer: SiteWriter) -> _Plan:
        """Which pages to render; the others are put in place from the live site."""
        digester = Digester()
        names = tuple(f"{getattr(s, '__module__', '')}.{getattr(s, '__qualname__', repr(s))}" for s in sources)
        key = digester((site.config, theme.digest(), names, extra_head, str(writer.output)))
        stored = self.cache.read_signed(RECORD_FILE)
        if key is None or stored.get("key") != key:
            stored = {}
        pairs: list[tuple[Path_, bytes]] = stored.get("pairs", [])
        recorded: dict[str, tuple[bytes, bytes, tuple[int, int, int]]] = stored.get("pages", {})
        roots = {"site": site, "index": index, "photos": photos}
        plan = _Plan(key, roots, pairs, digester)
        pages = list(all_pages(site, index, sources))  # works out the derived views the pages show
        # Then two halves on two cores: a forked process replays what the pages read last
        # time (with the views it inherits) while this one digests the pages' contexts.
        with in_background(_changed_pairs, pairs, Replay(roots), digester, fork=len(pairs) >= FEW_PAIRS) as changed_pairs:
            contexts = [digester.once(page.template, page.kind, page.context) for page in pages]
            changed = changed_pairs()
        for page, context in zip(pages, contexts):
            entry = recorded.get(page.path)
            if entry is not None and context is not None and entry[0] == context and changed.isdisjoint(array("I", entry[1])):
                signature = writer.keep(page.path, entry[2])
                if signature is not None:
                    plan.record[page.path] = (context, entry[1], signature)
                    plan.kept.append(page.path)
                    continue
            plan.todo.append((page, context))
        return plan

    def _render(self, plan: _Plan, theme: Theme, extra_head: str, writer: SiteWriter) -> Iterator[tuple[Page, bytes | None, tuple]]:
        todo, roots = plan.todo, plan.roots
        tracker = Tracker()
        tracker.roots = roots
        root = tracker.root
        renderer = Renderer(root("site"), root("index"), theme, photos=root("photos"), extra_head=extra_head, tracker=tracker)
        plain = FallbackRenderer(roots["site"], roots["index"], theme, roots["photos"], extra_head)
        targets = [writer.claim(page.path) for page, _ in todo]
        # The plan's digester goes along (forked, its memory is shared): what the pages read
        # was mostly digested already while planning.
        state = _Job(tracker, renderer, plain, writer, [page for page, _ in todo], targets, plan.digester)
        cores = workers()
        if len(todo) < FEW_PAGES or cores < 2:
            chunks: Iterator[list] = iter([_render_recorded(state, 0, len(todo))])
        else:
            # Few pages to render are often the costly ones (the JSON API, tag pages, the
            # people search file): small chunks keep both cores busy to the end.
            chunk = max(1, min(CHUNK_PAGES, len(todo) // (cores * 4)))
            chunks = in_workers(_render_recorded, state, len(todo), chunk)
        position = 0
        for chunk in chunks:
            for done in chunk:
                page, context = todo[position]
                position += 1
                yield page, context, done

    def save(self) -> None:
        """Keep this build's record (call it only once the build's output is live)."""
        if self._record is None:
            return
        record, self._record = self._record, None
        try:
            self.cache.write_signed(RECORD_FILE, _compacted(record))
        except (pickle.PicklingError, TypeError, AttributeError):  # a read path that cannot be kept
            self.cache.write_signed(RECORD_FILE, {})


def _changed_pairs(pairs: list[tuple[Path_, bytes]], replay: Replay, digester: Digester) -> set[int]:
    """Numbers of the recorded (path, digest) pairs whose path gives another value now."""
    changed = set()
    for number, (path, before) in enumerate(pairs):
        now = replay.value(path)
        if now is CHANGED or digester(now) != before:
            changed.add(number)
    return changed


def _compacted(record: dict) -> dict:
    """The record without the pairs no page reads any more (once they are half of them)."""
    pages = record["pages"]
    used = set()
    for _, ids, _ in pages.values():
        used.update(array("I", ids))
    if len(used) * 2 >= len(record["pairs"]):
        return record
    renumbered = {old: new for new, old in enumerate(sorted(used))}
    pairs = [record["pairs"][old] for old in sorted(used)]
    pages = {path: (context, array("I", (renumbered[i] for i in array("I", ids))).tobytes(), signature) for path, (context, ids, signature) in pages.items()}
    return {**record, "pairs": pairs, "pages": pages}


@dataclasses.dataclass
class _Plan:
    key: bytes | None
    roots: dict[str, Any]
    pairs: list[tuple[Path_, bytes]]  # the last record's: this build's record adds to them
    digester: Digester
    kept: list[str] = dataclasses.field(default_factory=list)  # output paths put in place unrendered
    todo: list[tuple[Page, bytes | None]] = dataclasses.field(default_factory=list)  # (page, its context's digest) to render
    record: dict[str, tuple[bytes, bytes, tuple[int, int, int]]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _Job:
    tracker: Tracker
    renderer: Renderer
    plain: FallbackRenderer
    writer: SiteWriter
    pages: list[Page]
    targets: list[str]
    digester: Digester


def _render_recorded(job: _Job, start: int, stop: int) -> list[tuple[bool, list[tuple[Path_, bytes]] | None, tuple[int, int, int]]]:
    """Render pages, put each into the writer's folder, and say what each read (None: opaque)."""
    digester = job.digester
    done = []
    for i in range(start, stop):
        page = job.pages[i]
        with job.tracker.recording() as reads:
            try:
                data = job.renderer.render(page)
            except Exception:
                data = None
        if data is None:  # not followable through proxies: render it on the real model
            reads.opaque = True
            data = job.plain.renderer().render(page)  # a real error raises here, as in a full build
        wrote = job.writer.put(job.targets[i], page.path, data)
        kept = None if reads.opaque else _digested(reads.values, digester)
        done.append((wrote, kept, file_signature(job.targets[i])))
    return done


def _digested(values: dict[Path_, Any], digester: Digester) -> list[tuple[Path_, bytes]] | None:
    kept = []
    for path, value in values.items():
        made = digester(value)
        if made is None:
            return None
        kept.append((path, made))
    return kept if all(_keepable(path) for path, _ in kept) else None


_KEEPABLE = frozenset({str, int, float, bool, type(None), date, datetime})


def _keepable(part: Any) -> bool:
    """Whether a read path can be kept on disk and followed in another process: plain values,
    tuples, and trombino's frozen dataclasses (``index.is_stale(person)``), not other objects."""
    kind = type(part)
    if kind in _KEEPABLE:
        return True
    if kind is tuple:
        return all(_keepable(item) for item in part)
    return _field_plan(kind) is not None and kind.__module__.startswith("trombino.") and kind.__dataclass_params__.frozen
