"""Read every source file, validate it, and resolve the whole corpus into a
:class:`~trombino.model.Site`.

Two steps: :func:`parse_file` handles one file on its own (cacheable by content
hash), :func:`resolve` checks what needs the whole corpus (references, cycles,
duplicates) and builds the immutable model.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import multiprocessing
import os
import re
import stat
import subprocess
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping, NamedTuple
from zoneinfo import ZoneInfo

from trombino.config import load_config
from trombino.diagnostics import Diagnostic, Diagnostics
from trombino.frontmatter import decode_source, parse_front_matter, split_front_matter
from trombino.markup import MENTION_RE, TAG_RE, MarkdownRenderer, costly_spot, locate, locate_all
from trombino.model import Availability, Commitment, Config, Opening, Person, Post, Site, Tag, Team
from trombino.privacy import HIDEABLE
from trombino.resolved import AllPosts, Kept, KeptResolutions, add_spellings, post_context, same_objects
from trombino.schema import HANDLE_RES, MAX_LIST_ITEMS, OPENING_ONLY, PLATFORMS, PERSON_FIELDS, POST_FIELDS, SLUG_RE, TEAM_FIELDS, Record, Validator
from trombino.text import default_sort_name, fold, slugify, tag_key, tag_slug

CONTENT = "content"
KINDS = {"person": PERSON_FIELDS, "team": TEAM_FIELDS, "post": POST_FIELDS}
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
SUMMARY_LENGTH = 160
# 'Did you mean' hints compare a name with every candidate (~12 µs each for close
# names): 10,000 unknown @mentions on a site of 5,000 people took minutes. Hints
# stop after this many comparisons per load; every fault is still reported.
SUGGESTION_COMPARISONS = 100_000


@dataclass(frozen=True)
class ParsedFile:
    """One source file, validated on its own."""

    path: str
    kind: str
    record: Record | None
    html: str = ""
    inline_tags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    body: str = ""
    body_line: int = 1
    summary: str = ""  # the body as plain text, cut for listings and feeds
    diagnostics: tuple[Diagnostic, ...] = ()
    # A post's day in the site's time zone and the slug its file name gives: worked
    # out here, once per file (the time zone is part of the cache key), not at every load.
    day: date | None = None
    slug_base: str = ""


@dataclass
class ParseCache:
    """Per-file parse results keyed by content hash, kept across rebuilds
    (content files' ParsedFile, templates' message uses).

    It remembers which entries the current run used, so ``prune`` can forget
    the rest and a long ``serve`` session or an on-disk cache stays small.
    """

    entries: dict[tuple[str, str, str, str], Any] = field(default_factory=dict)
    used: set[tuple[str, str, str, str]] = field(default_factory=set)
    # path → (size, mtime, inode, ctime, content digest) of the files read last run:
    # a file whose stat is unchanged is not read again (see ``discover``).
    stats: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)
    seen: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)
    # The last `check`'s answer with the digest of its inputs (trombino.checking.Answer).
    checked: Any = None
    # The last discovery's files, if it reported nothing; and the paths a file watcher saw
    # change since (None: not known). See ``discover``.
    listing: list[SourceFile] | None = None
    changed: Collection[str] | None = None
    # The listing took a watcher's word for the files it was not told of, and no
    # comparison with every file (``drifted``) has confirmed it since.
    unverified: bool = False
    # What the last load resolved, for the next one (see trombino.resolved). Only a cache
    # that outlives loads in one process (``serve``'s) sets it: nothing else loads twice.
    resolved: "KeptResolutions | None" = None

    def get(self, key: tuple[str, str, str, str]) -> Any:
        hit = self.entries.get(key)
        if hit is not None:
            self.used.add(key)
        return hit

    def get_all(self, keys: list[tuple[str, str, str, str]]) -> list[Any]:
        """``get`` for each key, without a method call each (110,000 per load at 10,000 people).
        A key not found counts as used too: ``prune`` drops what is not there anyway."""
        self.used.update(keys)
        return list(map(self.entries.get, keys))

    def put(self, key: tuple[str, str, str, str], value: Any) -> None:
        self.entries[key] = value
        self.used.add(key)

    def prune(self) -> None:
        """Keep only what this run used, and start a new run."""
        self.entries = {key: self.entries[key] for key in self.used if key in self.entries}
        self.used = set()
        self.stats, self.seen = self.seen, {}


class SourceFile(NamedTuple):  # a tuple: made for every file of every load, 4x cheaper than a frozen dataclass
    path: str  # relative POSIX path
    kind: str
    data: bytes | None  # None: not read, because its stat shows it unchanged since it had this digest, or left to the parse workers
    digest: str  # SHA-1 of the bytes; "" when left to the parse workers (no cache: nothing is looked up by it)
    location: str = ""  # where to read it if it must be parsed after all


def _markdown_files(folder: str, recursive: bool) -> Iterator[tuple[str, os.DirEntry]]:
    """(folder, entry) for each *.md entry in folder, depth first, names in order.

    That is the order of ``sorted(Path(folder).glob("**/*.md"))``, with one
    ``scandir`` per folder instead of several system calls per file: at
    100,000 updates finding the files cost seconds.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.endswith(".md"):
            yield folder, entry
        if recursive and entry.is_dir(follow_symlinks=False):  # links to folders are not followed (loops)
            yield from _markdown_files(entry.path, True)


# A file changed within this many nanoseconds of being read could change again
# without its mtime moving (timestamps are coarse on some file systems): its
# stat is not trusted next time.
RACY_NS = 2_000_000_000

StatSignature = tuple[int, int, int, int]  # size, mtime, inode, ctime (nanoseconds)


def stat_signature(info: os.stat_result) -> StatSignature:
    """What must stay the same for a file to count as unchanged without reading it."""
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def settled(signature: StatSignature, now_ns: int) -> bool:
    """Whether a file with this signature last changed long enough ago to trust its stat later."""
    return now_ns - max(signature[1], signature[3]) > RACY_NS


SOURCE_FOLDERS = (("people", "person"), ("teams", "team"), ("posts", "post"))  # in the order they are found
_FOLDER_ORDER = {folder: index for index, (folder, _kind) in enumerate(SOURCE_FOLDERS)}
_FOLDER_KINDS = dict(SOURCE_FOLDERS)
# More changes than this since the last discovery: looking at every file costs less
# than placing each one.
MAX_CHANGED = 1_000


def _walk(root: Path, diagnostics: Diagnostics) -> Iterator[tuple[str, str, str, os.DirEntry]]:
    """(relative path, kind, path, entry) of each source file under content/, in a stable order."""
    content = root / CONTENT
    real_root = root.resolve()
    for folder, kind in SOURCE_FOLDERS:
        inside: dict[str, bool] = {}
        base = str(content / folder)
        for parent, entry in _markdown_files(base, kind == "post"):
            path = entry.path
            relative = f"{CONTENT}/{folder}" + path[len(base) :].replace(os.sep, "/")
            if parent not in inside:  # resolve each folder once, not each file
                inside[parent] = Path(parent).resolve().is_relative_to(real_root)
            if not inside[parent] or (entry.is_symlink() and not Path(path).resolve().is_relative_to(real_root)):
                diagnostics.error(relative, 1, 1, "symbolic link points outside the site folder; it was not read")
                continue
            if entry.is_file():  # not a folder, a dangling link (an editor's lock file), a pipe…
                yield relative, kind, path, entry


def _unchanged(known: tuple[int, int, int, int, str] | None, info: os.stat_result) -> bool:
    # The signature's fields (see stat_signature), compared without making the tuple.
    return known is not None and known[0] == info.st_size and known[1] == info.st_mtime_ns and known[2] == info.st_ino and known[3] == info.st_ctime_ns


def _read_source(relative: str, kind: str, path: str, info: os.stat_result | None, seen: dict[str, tuple[int, int, int, int, str]] | None) -> SourceFile:
    """The file read; its signature (from ``info``, taken before reading) goes into ``seen``
    if it is settled enough to trust next time."""
    with open(path, "rb") as handle:
        data = handle.read()
    digest = hashlib.sha1(data).hexdigest()
    if seen is not None and info is not None:
        signature = stat_signature(info)
        if settled(signature, time.time_ns()):
            seen[relative] = (*signature, digest)
    return SourceFile(relative, kind, data, digest, path)


def discover(root: Path, diagnostics: Diagnostics, cache: ParseCache | None = None, early: EarlyParse | None = None) -> list[SourceFile]:
    """Every source file under content/, in a stable order.

    With a cache, a file whose size, mtime, inode and ctime are those recorded
    when it was last read is not read again: its digest is known (reading
    100,000 files costs seconds, a stat each much less). When the cache also
    knows which paths changed since its last discovery (``cache.changed``, from a
    file watcher), only those are looked at (a stat each costs seconds too).
    """
    if cache is not None:
        if cache.changed is not None and cache.listing is not None and len(cache.changed) <= MAX_CHANGED:
            found = _rediscover(root, cache, cache.changed)
            if found is not None:
                cache.unverified = True
                return found
        cache.listing, cache.unverified = None, False
    reported = len(diagnostics.items)
    found: list[SourceFile] = []
    known_stats = cache.stats if cache is not None else {}
    seen = cache.seen if cache is not None else None
    for relative, kind, path, entry in _walk(root, diagnostics):
        try:
            if seen is None and early is not None:  # the parse workers read it (see EarlyParse)
                found.append(SourceFile(relative, kind, None, "", path))
            elif seen is None:  # no cache: nothing to remember a file by, so no stat
                found.append(_read_source(relative, kind, path, None, None))
            else:
                info = entry.stat()
                known = known_stats.get(relative)
                if _unchanged(known, info):
                    seen[relative] = known
                    found.append(SourceFile(relative, kind, None, known[4], path))  # type: ignore[index]  # known: not None
                    continue
                found.append(_read_source(relative, kind, path, info, seen))
        except OSError as exc:
            diagnostics.error(relative, 1, 1, f"cannot read file: {exc.strerror or exc}")
            continue
        if early is not None:
            early.add(found[-1])
    if cache is not None and len(diagnostics.items) == reported:
        cache.listing = found
    return found


def _folder_order(path: str) -> tuple[int, list[str]]:
    """Where a source path comes in :func:`discover`'s order: folder by folder, names
    sorted within each folder (what a depth-first walk of sorted folders gives)."""
    parts = path.split("/")
    return _FOLDER_ORDER[parts[1]], parts


def _rediscover(root: Path, cache: ParseCache, changed: Iterable[str]) -> list[SourceFile] | None:
    """The last discovery's files, with those at the changed paths looked at again; None when a
    change needs a whole discovery to tell (a folder of posts, a link, an unreadable file)."""
    listing, seen = list(cache.listing or ()), dict(cache.stats)
    real_root = root.resolve()
    for relative in changed:
        parts = relative.split("/")
        kind = _FOLDER_KINDS.get(parts[1]) if len(parts) > 2 and parts[0] == CONTENT else None
        if kind is None or (kind != "post" and len(parts) > 3):
            continue  # not where sources are found
        at = bisect.bisect_left(listing, _folder_order(relative), key=lambda source: _folder_order(source.path))
        listed = at < len(listing) and listing[at].path == relative
        path = os.path.join(root, *parts)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            info = None
        except OSError:
            return None
        if info is not None and stat.S_ISREG(info.st_mode):
            if not relative.endswith(".md"):
                continue
            if not Path(path).parent.resolve().is_relative_to(real_root):
                return None
            known = cache.stats.get(relative)
            if _unchanged(known, info):
                source = SourceFile(relative, kind, None, known[4], path)  # type: ignore[index]
            else:
                seen.pop(relative, None)
                try:
                    source = _read_source(relative, kind, path, info, seen)
                except OSError:
                    return None
            if listed:
                listing[at] = source
            else:
                listing.insert(at, source)
            continue
        if info is not None and (stat.S_ISLNK(info.st_mode) or (stat.S_ISDIR(info.st_mode) and kind == "post")):
            return None
        after = at + 1 if listed else at
        if after < len(listing) and listing[after].path.startswith(relative + "/"):
            return None  # a folder of posts is gone
        if listed:
            del listing[at]
            seen.pop(relative, None)
    cache.seen, cache.listing = seen, listing
    return listing


def drifted(root: Path, cache: ParseCache, interrupted: Callable[[], bool] = lambda: False) -> list[str] | None:
    """Paths whose files are not as the cache's last discovery listed them: changes a file
    watcher did not report. None if ``interrupted()`` said to stop first. Once it has
    answered, the listing counts as verified: what it returns is rebuilt."""
    if cache.listing is None:
        cache.unverified = False
        return []
    listed = {source.path: source.digest for source in cache.listing}
    reported = Diagnostics()
    drift = []
    for count, (relative, _kind, path, entry) in enumerate(_walk(root, reported)):
        if count % 1000 == 0 and interrupted():
            return None
        digest = listed.pop(relative, None)
        try:
            info = entry.stat()
            if digest is not None and (_unchanged(cache.stats.get(relative), info) or _read_source(relative, "", path, info, None).digest == digest):
                continue
        except OSError:
            pass
        drift.append(relative)
    drift.extend(listed)  # gone
    drift.extend(d.path for d in reported.items)
    cache.unverified = False
    return sorted(set(drift))


def parse_file(source: SourceFile, config: Config, renderer: MarkdownRenderer) -> ParsedFile:
    diagnostics = Diagnostics()
    assert source.data is not None
    text, problems = decode_source(source.path, source.data)
    diagnostics.extend(problems)
    if text is None:
        return ParsedFile(source.path, source.kind, None, diagnostics=tuple(diagnostics.items))
    split, problems = split_front_matter(source.path, text)
    diagnostics.extend(problems)
    if split is None:
        return ParsedFile(source.path, source.kind, None, diagnostics=tuple(diagnostics.items))
    node, problems = parse_front_matter(split)
    diagnostics.extend(problems)
    record = None
    zone = ZoneInfo(config.timezone)
    if node is not None:
        validator = Validator(source.path, split.front_line, diagnostics, zone)
        record = validator.record(node, KINDS[source.kind])
    costly = costly_spot(split.body)
    if costly is not None:
        spot, problem = costly
        line = split.body.count("\n", 0, spot) + split.body_line
        column = spot - (split.body.rfind("\n", 0, spot) + 1) + 1
        diagnostics.error(source.path, line, column, problem)
        return ParsedFile(source.path, source.kind, None, diagnostics=tuple(diagnostics.items))
    try:
        rendered = renderer.render(split.body, link_tags=source.kind == "post")
    except RecursionError:
        diagnostics.error(source.path, split.body_line, 1, "Markdown body is nested too deeply")
        return ParsedFile(source.path, source.kind, None, diagnostics=tuple(diagnostics.items))
    return ParsedFile(
        source.path,
        source.kind,
        record,
        rendered.html,
        rendered.tags,
        rendered.mentions,
        split.body,
        split.body_line,
        _plain_summary(rendered.html),
        tuple(diagnostics.items),
        *_post_day_and_slug(source, record, zone),
    )


def _post_day_and_slug(source: SourceFile, record: Record | None, zone: ZoneInfo) -> tuple[date | None, str]:
    moment = record.values.get("date") if record is not None and source.kind == "post" else None
    if moment is None:
        return None, ""
    return moment.astimezone(zone).date(), slugify(_stem(source.path))


def _read_now(source: SourceFile) -> SourceFile:
    with open(source.location, "rb") as handle:
        data = handle.read()
    return source._replace(data=data, digest=hashlib.sha1(data).hexdigest())


PARALLEL_THRESHOLD = 400  # below this, starting worker processes costs more than it saves


def _parse_batch(batch: list[SourceFile], timezone: str) -> list[ParsedFile]:
    # Only the time zone matters to parsing one file; a Config does not pickle.
    config = Config(timezone=timezone)
    renderer = MarkdownRenderer()
    return [_parse_unread(source, config, renderer) if source.data is None else parse_file(source, config, renderer) for source in batch]


def _parse_unread(source: SourceFile, config: Config, renderer: MarkdownRenderer) -> ParsedFile:
    """Read and parse a file discovery left unread (no cache: its digest would serve nothing)."""
    try:
        with open(source.location, "rb") as handle:
            source = source._replace(data=handle.read())
    except OSError as exc:
        problem = Diagnostic(source.path, 1, 1, f"cannot read file: {exc.strerror or exc}")
        return ParsedFile(source.path, source.kind, None, diagnostics=(problem,))
    return parse_file(source, config, renderer)


# Handed to forked parse workers with the parent's memory, so the files' bytes are
# never pickled on the way in. Set only while a pool runs.
_PARSE_STATE: tuple[list[SourceFile], str] | None = None
PARSE_BATCH = 1_000  # files per task: results come back, and are unpickled, while the workers go on


def _parse_indices(indices: list[int]) -> list[ParsedFile]:
    assert _PARSE_STATE is not None
    sources, timezone = _PARSE_STATE
    return _parse_batch([sources[i] for i in indices], timezone)


class EarlyParse:
    """Parses files on every core while :func:`discover` is still reading the next ones.

    For a load that will parse everything (no cache, or an empty one): the workers
    start on the first thousand files instead of waiting for all of them to be read
    (at 100,000 files, reading them takes seconds). Files go to the workers in
    batches, with their bytes when discovery read them (to digest them for a cache);
    without a cache the workers read them: discovery only lists the folders, and no
    bytes are pickled to the workers. :func:`parse_all` takes the results.
    """

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone
        self._waiting: list[SourceFile] = []
        self._pool: ProcessPoolExecutor | None = None
        self._batches: list[tuple[list[SourceFile], Any]] = []  # (files, future of their results)

    def add(self, source: SourceFile) -> None:
        self._waiting.append(source)
        if len(self._waiting) >= PARSE_BATCH:
            self._send()

    def _send(self) -> None:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=workers(), mp_context=multiprocessing.get_context("fork"))
        batch, self._waiting = self._waiting, []
        self._batches.append((batch, self._pool.submit(_parse_batch, batch, self.timezone)))

    def results(self) -> dict[tuple[str, str], ParsedFile]:
        """Parse results by (path, digest); files too few to start the workers for are left out."""
        if self._pool is None:
            return {}
        if self._waiting:
            self._send()
        found: dict[tuple[str, str], ParsedFile] = {}
        try:
            for batch, future in self._batches:
                for source, parsed in zip(batch, future.result()):
                    found[(source.path, source.digest)] = parsed
        finally:
            self._pool.shutdown()
            self._pool, self._batches = None, []
        return found


def workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def parse_all(sources: list[SourceFile], config: Config, cache: ParseCache | None, early: EarlyParse | None = None) -> list[ParsedFile]:
    """Parse every file, reusing cached results and those of ``early``; misses are spread over all cores."""
    keys = [(s.path, s.kind, config.timezone, s.digest) for s in sources]
    results: list[ParsedFile | None] = cache.get_all(keys) if cache is not None else [None] * len(keys)
    parsed_early = early.results() if early is not None else {}
    if parsed_early:
        for i, source in enumerate(sources):
            if results[i] is None:
                results[i] = parsed_early.get((source.path, source.digest))
                if results[i] is not None and cache is not None:
                    cache.put(keys[i], results[i])  # type: ignore[arg-type]
    missing = [i for i, hit in enumerate(results) if hit is None]
    sources = list(sources)
    for i in missing:  # known unchanged, but its parse result is gone (another time zone…): read it now
        if sources[i].data is None and cache is not None:  # (without a cache, parsing reads it)
            sources[i] = _read_now(sources[i])
            keys[i] = (*keys[i][:3], sources[i].digest)
    cores = workers()
    if len(missing) >= PARALLEL_THRESHOLD and cores > 1:
        global _PARSE_STATE
        # Many small tasks: the workers stay evenly busy, and the parent takes each
        # batch's results while they parse the next ones instead of all at the end.
        size = max(PARALLEL_THRESHOLD // cores, min(PARSE_BATCH, len(missing) // (cores * 4) or 1))
        batches = [missing[start : start + size] for start in range(0, len(missing), size)]
        _PARSE_STATE = (sources, config.timezone)
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=cores, mp_context=context) as pool:
                for batch, parsed in zip(batches, pool.map(_parse_indices, batches)):
                    for i, result in zip(batch, parsed):
                        results[i] = result
        finally:
            _PARSE_STATE = None
    else:
        for i, result in zip(missing, _parse_batch([sources[i] for i in missing], config.timezone)):
            results[i] = result
    if cache is not None:
        for i in missing:
            cache.put(keys[i], results[i])  # type: ignore[arg-type]
    return results  # type: ignore[return-value]


def git_dates(root: Path) -> dict[str, date]:
    """Last commit date of each file under content/people, if the site is in git."""
    try:
        output = subprocess.run(
            ["git", "log", "--format=%x00%cs", "--name-only", "--", f"{CONTENT}/people"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if output.returncode != 0:
        return {}
    prefix = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True, text=True, check=False).stdout.strip()
    dates: dict[str, date] = {}
    current: date | None = None
    for line in output.stdout.splitlines():
        if line.startswith("\x00"):
            current = date.fromisoformat(line[1:])
        elif line and current:
            path = line[len(prefix) :] if prefix and line.startswith(prefix) else line
            dates.setdefault(path, current)
    return dates


def _plain_summary(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"&(amp|lt|gt|quot|#39);", lambda m: {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'"}[m.group(1)], text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


class _Resolver:
    """Cross-file validation and model building for one load."""

    def __init__(self, root: Path, config: Config, diagnostics: Diagnostics, looked_at: set[str] | None = None) -> None:
        self.root = root
        self.config = config
        self.diagnostics = diagnostics
        self.looked_at = set() if looked_at is None else looked_at
        self.comparisons_left = SUGGESTION_COMPARISONS
        self.spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self._known_tags: dict[str, tuple[str, bool, str]] = {}  # spelling → (key, counted as a spelling of it, as shown)
        self.tags_seen: list[tuple[str, bool, str]] | None = None  # while set, each tag() call's answer (for trombino.resolved)

    def error(self, path: str, where: tuple[int, int], message: str) -> None:
        self.diagnostics.error(path, where[0], where[1], message)

    def warning(self, path: str, where: tuple[int, int], message: str) -> None:
        self.diagnostics.warning(path, where[0], where[1], message)

    def did_you_mean(self, value: str, options: Iterable[str]) -> str:
        """' (did you mean 'x'?)' for the closest option, while the load's budget of comparisons lasts."""
        import difflib

        candidates = list(options)
        if self.comparisons_left < len(candidates):
            return ""
        self.comparisons_left -= len(candidates)
        hint = difflib.get_close_matches(value, candidates, n=1)
        return f" (did you mean '{hint[0]}'?)" if hint else ""

    def tag(self, raw: str, path: str, where: Callable[[], tuple[int, int]]) -> str | None:
        """The canonical key of a tag spelling; ``where`` finds its position, only if it is wrong."""
        known = self._known_tags.get(raw)
        if known is None:
            key = tag_key(raw)
            if not key or not _WORD_RE.search(key):
                self.error(path, where(), f"'{raw}' is not a valid tag")
                return None
            canonical = self.config.tag_aliases.get(key, key)
            # A few hundred spellings make up 100,000 posts' tags: each is worked out once.
            known = self._known_tags[raw] = (canonical, canonical == key, raw.strip().lstrip("#"))
        if self.tags_seen is not None:
            self.tags_seen.append(known)
        self.count_tags((known,))
        return known[0]

    def count_tags(self, known: Iterable[tuple[str, bool, str]]) -> None:
        """Count spellings of tags (the most common one names the tag)."""
        for canonical, counted, spelling in known:
            if counted:
                self.spellings[canonical][spelling] += 1
            else:
                self.spellings.setdefault(canonical, Counter())

    def tags(self, raws: list[str], path: str, record: Record, field_name: str) -> tuple[str, ...]:
        keys = []
        for index, raw in enumerate(raws):
            key = self.tag(raw, path, lambda index=index: record.at(f"{field_name}[{index}]"))
            if key:
                keys.append(key)
        return tuple(dict.fromkeys(keys))

    # -- people ------------------------------------------------------------

    def person(self, parsed: ParsedFile, dates: dict[str, date]) -> Person | None:
        record, path = parsed.record, parsed.path
        assert record is not None
        values = record.values
        slug = Path(path).stem
        if "name" not in values:
            return None
        if "team" in values and "teams" in values:
            self.error(path, record.at("teams"), "use either 'team' or 'teams', not both")
        teams = tuple(dict.fromkeys(values.get("teams") or ([values["team"]] if "team" in values else [])))
        availability = None
        if "availability" in values and "status" in values["availability"]:
            a = values["availability"]
            availability = Availability(a["status"], a.get("until"), a.get("note", ""))
        commitments = tuple(Commitment(c["what"], c["share"], c.get("until"), c.get("link")) for c in values.get("commitments", []) if "what" in c and "share" in c)
        photo = self.photo(path, values.get("photo"), record)
        private = tuple(values.get("private", ()))
        for index, name in enumerate(private):
            if name not in HIDEABLE:
                self.error(path, record.at(f"private[{index}]"), f"'private' cannot hide '{name}': it can hide {', '.join(sorted(HIDEABLE))}")
        for platform, pattern in HANDLE_RES.items():
            handle = values.get(platform, "").lstrip("@")
            if handle and not pattern.match(handle):
                self.error(path, record.at(platform), f"'{platform}' must be a {PLATFORMS[platform]} user name such as 'emarchand', not '{handle}'")
        joined, left = values.get("joined"), values.get("left")
        if joined and left and left < joined:
            self.error(path, record.at("left"), f"'left' ({left}) is before 'joined' ({joined})")
        return Person(
            slug=slug,
            name=values["name"],
            source_path=path,
            sort_key=fold(values["sort_name"]) if values.get("sort_name") else default_sort_name(values["name"]),
            title=values.get("title", ""),
            teams=teams,
            manager=values.get("manager"),
            location=values.get("location", ""),
            timezone=values.get("timezone", ""),
            email=values.get("email", ""),
            chat=values.get("chat", ""),
            pronouns=values.get("pronouns", ""),
            languages=tuple(values.get("languages", ())),
            skills=self.tags(values.get("skills", []), path, record, "skills"),
            interests=self.tags(values.get("interests", []), path, record, "interests"),
            ask_me_about=self.tags(values.get("ask_me_about", []), path, record, "ask_me_about"),
            availability=availability,
            commitments=commitments,
            open_to=tuple(dict.fromkeys(values.get("open_to", ()))),
            joined=joined,
            left=left,
            pronunciation=values.get("pronunciation", ""),
            github=values.get("github", "").lstrip("@"),
            gitlab=values.get("gitlab", "").lstrip("@"),
            links=tuple((values.get("links") or {}).items()),
            photo=photo,
            private=private,
            updated=values.get("updated") or dates.get(path),
            bio_html=parsed.html,
        )

    def photo(self, path: str, value: str | None, record: Record) -> str | None:
        if not value:
            return None
        found, problem = self.find_photo(path, value)
        if problem:
            self.error(path, record.at("photo"), problem)
        return found

    def find_photo(self, path: str, value: str) -> tuple[str | None, str | None]:
        """The site-relative path of a profile's photo, or what is wrong with it."""
        candidate = Path(value)
        if candidate.is_absolute() or value.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", value):
            return None, f"photo '{value}' must be a path relative to the profile file"
        full = (self.root / path).parent / candidate
        self.looked_at.add(str(full))
        try:
            resolved = full.resolve()
        except (OSError, RuntimeError):
            return None, f"photo '{value}' cannot be read"
        if not resolved.is_relative_to((self.root / CONTENT).resolve()):
            return None, f"photo '{value}' is outside the content folder"
        if not resolved.is_file():
            return None, f"photo '{value}' not found"
        with resolved.open("rb") as handle:
            head = handle.read(16)
        is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        if not (head.startswith(IMAGE_MAGIC) or is_webp):
            return None, f"photo '{value}' is not a JPEG, PNG, GIF or WebP image"
        return resolved.relative_to(self.root.resolve()).as_posix(), None

    # -- teams -------------------------------------------------------------

    def team(self, parsed: ParsedFile) -> Team | None:
        record = parsed.record
        assert record is not None
        values = record.values
        if "name" not in values:
            return None
        return Team(
            slug=_stem(parsed.path),
            name=values["name"],
            source_path=parsed.path,
            parent=values.get("parent"),
            leads=tuple(values.get("leads", ())),
            chat=values.get("chat", ""),
            email=values.get("email", ""),
            links=tuple((values.get("links") or {}).items()),
            description_html=parsed.html,
        )

    # -- posts -------------------------------------------------------------

    def post(self, parsed: ParsedFile, slug: str, people: Mapping[str, Person], teams: Mapping[str, Team], post_ids: set[str]) -> Post | None:
        """The post, its references checked; None if its author is unknown."""
        record, path = parsed.record, parsed.path
        assert record is not None
        values = record.values
        moment, day = values["date"], parsed.day
        assert day is not None  # dated posts have one (parse_file)
        kind = values.get("kind", "update")
        tags = list(self.tags(values.get("tags", []), path, record, "tags"))
        places: dict[str, tuple[int, int]] = {}

        def place(raw: str) -> tuple[int, int]:
            if not places:  # located only when there is something to report
                places.update(locate_all(parsed.body, TAG_RE))
            line, column = places.get(raw, (0, 0))
            return line + parsed.body_line, column + 1

        for raw in parsed.inline_tags:
            key = self.tag(raw, path, lambda raw=raw: place(raw))
            if key and key not in tags:
                if len(tags) == MAX_LIST_ITEMS:
                    self.error(path, place(raw), f"too many tags in one post (the limit is {MAX_LIST_ITEMS:,})")
                    break
                tags.append(key)
        opening = None
        if kind == "opening":
            opening = Opening(
                required_skills=self.tags(values.get("required_skills", []), path, record, "required_skills"),
                nice_to_have=self.tags(values.get("nice_to_have", []), path, record, "nice_to_have"),
                share=values.get("share"),
                duration=values.get("duration", ""),
                start=values.get("start"),
                contact=values.get("contact", values["author"]),
                status=values.get("status", "open"),
                closes=values.get("closes"),
            )
        else:
            for name in OPENING_ONLY:
                if name in record.where:
                    self.error(path, record.at(name), f"'{name}' is only valid for posts of kind 'opening'")

        author = values["author"]
        if author not in people:
            self.error(path, record.at("author"), f"unknown author '{author}'{self.did_you_mean(author, people)}")
            return None
        team = values.get("team")
        if team is not None and team not in teams:
            self.error(path, record.at("team"), f"unknown team '{team}'{self.did_you_mean(team, teams)}")
            team = None
        if team is None and people[author].teams:
            team = people[author].teams[0]
        mentions = tuple(dict.fromkeys(parsed.mentions))
        unknown = [m for m in mentions if m not in people]
        if unknown:
            spots = locate_all(parsed.body, MENTION_RE)
            for mention in unknown:
                line, column = spots.get(mention, (0, 0))
                self.diagnostics.error(path, line + parsed.body_line, column + 1, f"unknown person '@{mention}'{self.did_you_mean(mention, people)}")
            mentions = tuple(m for m in mentions if m in people)
        in_reply_to = values.get("in_reply_to")
        if in_reply_to and in_reply_to not in post_ids:
            self.error(path, record.at("in_reply_to"), f"'in_reply_to' names no post: '{in_reply_to}' (expected an id like 2026/03/post-slug)")
            in_reply_to = None
        if opening and opening.contact not in people:
            self.error(path, record.at("contact"), f"unknown person '{opening.contact}'{self.did_you_mean(opening.contact, people)}")
        return Post(
            id=_post_id(day, slug),
            slug=slug,
            author=author,
            date=moment,
            day=day,
            source_path=path,
            kind=kind,
            title=values.get("title", ""),
            team=team,
            tags=tuple(tags),
            mentions=mentions,
            in_reply_to=in_reply_to,
            html=parsed.html,
            summary=parsed.summary,
            opening=opening,
        )


def _make_and_keep(resolver: _Resolver, make: Callable[[], Any], parsed: ParsedFile, condition: Any, kept: dict[str, Kept]) -> Any:
    """``make()``'s Person or Post, kept for the next load if it raised no diagnostic."""
    reported = len(resolver.diagnostics.items)
    resolver.tags_seen = []
    try:
        made = make()
        tags = tuple(resolver.tags_seen)
    finally:
        resolver.tags_seen = None
    if made is not None and len(resolver.diagnostics.items) == reported:
        kept[parsed.path] = Kept(parsed, made, tags, condition)
    return made


def _post_id(day: date, slug: str) -> str:
    return f"{day.year:04d}/{day.month:02d}/{slug}"


_WORD_RE = re.compile(r"\w")


def _stem(path: str) -> str:
    """'content/people/ana-lima.md' → 'ana-lima' (what Path.stem gives, without building a Path)."""
    name = path.rpartition("/")[2]
    stem, dot, _suffix = name.rpartition(".")
    return stem if dot and stem.strip(".") else name


def _post_slugs(parsed_posts: list[ParsedFile]) -> dict[str, str]:
    """URL-safe slug per post path, unique within its year and month."""
    used: set[tuple[int, int, str]] = set()
    slugs: dict[str, str] = {}
    for parsed in sorted(parsed_posts, key=lambda p: p.path):
        day, base = parsed.day, parsed.slug_base
        if day is None:
            continue
        slug, counter = base, 2
        while (day.year, day.month, slug) in used:
            slug, counter = f"{base}-{counter}", counter + 1
        used.add((day.year, day.month, slug))
        slugs[parsed.path] = slug
    return slugs


def _find_cycle(start: str, next_of: dict[str, str | None]) -> list[str] | None:
    seen: list[str] = []
    current: str | None = start
    while current is not None and current in next_of:
        if current in seen:
            cycle = seen[seen.index(current) :]
            return cycle + [current]
        seen.append(current)
        current = next_of[current]
    return None


def resolve(
    root: Path,
    config: Config,
    files: list[ParsedFile],
    diagnostics: Diagnostics,
    dates: dict[str, date] | None = None,
    looked_at: set[str] | None = None,
    resolved: KeptResolutions | None = None,
) -> Site:
    """The model, from every parsed file. ``looked_at`` collects the other files it read (photos);
    ``resolved`` holds what the last load resolved and gets this one's (see trombino.resolved)."""
    resolver = _Resolver(root, config, diagnostics, looked_at)
    dates = dates or {}
    by_kind: dict[str, list[ParsedFile]] = {kind: [] for kind in KINDS}
    for parsed in files:  # one pass: at 110,000 files, each pass over them costs 35 ms of memory reads
        if parsed.diagnostics:
            diagnostics.extend(parsed.diagnostics)
        if parsed.record is not None:
            by_kind[parsed.kind].append(parsed)
    reuse = resolved is not None and resolved.start(config)

    # File names are slugs; report those that are not, and case-only duplicates.
    for kind in ("person", "team"):
        by_lower: dict[str, list[ParsedFile]] = defaultdict(list)
        for parsed in by_kind[kind]:
            by_lower[_stem(parsed.path).lower()].append(parsed)
        kept = []
        for group in by_lower.values():
            group.sort(key=lambda p: (not SLUG_RE.match(_stem(p.path)), p.path))
            first, others = group[0], group[1:]
            for other in others:
                diagnostics.error(other.path, 1, 1, f"duplicate {kind} slug '{_stem(first.path)}': differs only by case from {first.path}")
            stem = _stem(first.path)
            if SLUG_RE.match(stem):
                kept.append(first)
            else:
                diagnostics.error(first.path, 1, 1, f"file name '{stem}' is not a valid slug: use lowercase letters, digits and '-' (e.g. '{slugify(stem)}.md')")
        by_kind[kind] = sorted(kept, key=lambda p: p.path)

    people = {p.slug: p for p in _people(resolver, by_kind["person"], dates, resolved, reuse) if p}
    teams = {t.slug: t for t in (resolver.team(f) for f in by_kind["team"]) if t}
    did_you_mean = resolver.did_you_mean

    records: dict[str, Record | None] = {}  # made when something is first reported

    def at(path: str, key: str) -> tuple[int, int]:
        if not records:
            records.update((f.path, f.record) for f in files)
        record = records[path]
        return record.at(key) if record else (1, 1)

    # Teams named by people exist even without a file.
    for person in people.values():
        for team in person.teams:
            teams.setdefault(team, Team(slug=team, name=team))
    for team in list(teams.values()):
        if team.parent and team.parent not in teams:
            resolver.error(team.source_path, at(team.source_path, "parent"), f"unknown parent team '{team.parent}'{did_you_mean(team.parent, teams)}")
            teams[team.slug] = Team(**{**team.__dict__, "parent": None})
        for index, lead in enumerate(team.leads):
            if lead not in people:
                resolver.error(team.source_path, at(team.source_path, f"leads[{index}]"), f"unknown person '{lead}'{did_you_mean(lead, people)}")
    parent_of = {t.slug: t.parent for t in teams.values()}
    reported: set[frozenset[str]] = set()
    for slug in sorted(parent_of):
        cycle = _find_cycle(slug, parent_of)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            first = teams[cycle[0]]
            path = first.source_path or ""
            resolver.error(path, at(path, "parent"), "team parents form a cycle: " + " → ".join(cycle))
            for member in cycle[:-1]:
                teams[member] = Team(**{**teams[member].__dict__, "parent": None})

    # People: managers exist, no management cycles.
    for person in list(people.values()):
        if person.manager and person.manager not in people:
            resolver.error(person.source_path, at(person.source_path, "manager"), f"unknown manager '{person.manager}'{did_you_mean(person.manager, people)}")
            people[person.slug] = Person(**{**person.__dict__, "manager": None})
    manager_of = {p.slug: p.manager for p in people.values()}
    reported = set()
    for slug in sorted(manager_of):
        cycle = _find_cycle(slug, manager_of)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            path = people[cycle[0]].source_path
            resolver.error(path, at(path, "manager"), "managers form a cycle: " + " → ".join(cycle))
            for member in cycle[:-1]:
                people[member] = Person(**{**people[member].__dict__, "manager": None})
    for person in people.values():
        if person.booked_share > 100:
            resolver.error(person.source_path, at(person.source_path, "commitments"), f"commitments add up to {person.booked_share} %, more than 100 %")

    posts, newest = _posts(resolver, by_kind["post"], people, teams, resolved, reuse)

    # Reference date: the newest date in the content, so builds are deterministic.
    content_dates = [p.updated for p in people.values() if p.updated] + ([newest] if newest else [])
    reference = max(content_dates) if content_dates else date(1970, 1, 1)

    for person in list(people.values()):
        path = person.source_path
        former = bool(person.left and person.left <= reference)
        if former != person.former:
            people[person.slug] = person = Person(**{**person.__dict__, "former": former})
        if person.availability and person.availability.until and person.availability.until < reference and not person.former:
            resolver.warning(path, at(path, "availability.until"), f"availability 'until' date {person.availability.until} has passed")
        for index, commitment in enumerate(person.commitments):
            if commitment.until and commitment.until < reference and not person.former:
                resolver.warning(path, at(path, f"commitments[{index}].until"), f"commitment '{commitment.what}' ended on {commitment.until}; remove it or extend it")

    tags = _tag_registry(resolver.spellings)
    ordered_people = dict(sorted(people.items(), key=lambda item: (item[1].sort_key, item[0])))
    ordered_teams = dict(sorted(teams.items(), key=lambda item: (fold(item[1].name), item[0])))
    return Site(
        config=config,
        people=MappingProxyType(ordered_people),
        teams=MappingProxyType(ordered_teams),
        posts=posts,
        tags=MappingProxyType(tags),
        reference_date=reference,
    )


def _people(resolver: _Resolver, files: list[ParsedFile], dates: dict[str, date], resolved: KeptResolutions | None, reuse: bool) -> Iterator[Person | None]:
    kept: dict[str, Kept] = {}
    for parsed in files:
        updated = dates.get(parsed.path)
        person = resolved.person(resolver, parsed, updated) if reuse else None  # type: ignore[union-attr]
        if person is not None:
            kept[parsed.path] = resolved.people[parsed.path]  # type: ignore[union-attr]
            yield person
        elif resolved is None:
            yield resolver.person(parsed, dates)
        else:
            yield _make_and_keep(resolver, lambda parsed=parsed: resolver.person(parsed, dates), parsed, updated, kept)
    if resolved is not None:
        resolved.people = kept


def _posts(
    resolver: _Resolver, files: list[ParsedFile], people: dict[str, Person], teams: dict[str, Team], resolved: KeptResolutions | None, reuse: bool
) -> tuple[tuple[Post, ...], date | None]:
    """The posts whose author is known, newest first, and the newest day.
    References are checked: a reply may name any post, even one whose author is unknown."""
    last = resolved.all_posts if reuse else None  # type: ignore[union-attr]
    if last is not None and same_objects(files, last.files):
        numbering = last.numbering
        if (last.people, last.teams) == post_context(people, teams):
            add_spellings(resolver.spellings, last.spellings)
            return last.posts, last.newest  # the same tuple: what derives from it can tell at once
    else:
        slugs = _post_slugs(files)
        dated = [f for f in files if f.path in slugs and "author" in f.record.values and "date" in f.record.values]  # type: ignore[union-attr]
        numbering = slugs, dated, {_post_id(f.day, slugs[f.path]) for f in dated}  # type: ignore[arg-type]
    slugs, dated, post_ids = numbering
    spellings, resolver.spellings = resolver.spellings, defaultdict(Counter)  # the posts' own, kept apart
    kept: dict[str, Kept] = {}
    posts = []
    for parsed in dated:
        slug = slugs[parsed.path]
        post = resolved.post(resolver, parsed, slug, people, teams, post_ids) if reuse else None  # type: ignore[union-attr]
        if post is not None:
            kept[parsed.path] = resolved.posts[parsed.path]  # type: ignore[union-attr]
        elif resolved is None:
            post = resolver.post(parsed, slug, people, teams, post_ids)
        else:
            post = _make_and_keep(resolver, lambda parsed=parsed, slug=slug: resolver.post(parsed, slug, people, teams, post_ids), parsed, slug, kept)
        if post is not None:
            posts.append(post)
    posts.sort(key=lambda p: (p.date, p.id), reverse=True)
    ordered = tuple(posts)
    newest = max((p.day for p in ordered), default=None)
    post_spellings, resolver.spellings = resolver.spellings, spellings
    add_spellings(resolver.spellings, post_spellings)
    if resolved is not None:
        resolved.posts = kept
        every = len(kept) == len(dated)
        resolved.all_posts = AllPosts(files, numbering, *post_context(people, teams), ordered, post_spellings, newest) if every else None
    return ordered, newest


def _tag_registry(spellings: dict[str, Counter[str]]) -> dict[str, Tag]:
    """Tags by key, each with a collision-free ASCII slug and its most common spelling."""
    tags: dict[str, Tag] = {}
    used: set[str] = set()
    for key in sorted(spellings):
        base = tag_slug(key)
        slug, counter = base, 2
        while slug in used:
            slug, counter = f"{base}-{counter}", counter + 1
        used.add(slug)
        counts = spellings[key]
        display = min(counts, key=lambda s: (-counts[s], s)) if counts else key
        tags[key] = Tag(key=key, slug=slug, display=display)
    return dict(sorted(tags.items(), key=lambda item: (fold(item[1].display), item[0])))


@dataclass(frozen=True)
class LoadResult:
    site: Site | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.site is not None and not any(d.level == "error" for d in self.diagnostics)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading makes millions of objects and no garbage cycles: the cycle collector
    would walk the growing model again and again for nothing (a fifth of the time at 1k/10k)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_site(root: Path, cache: ParseCache | None = None) -> LoadResult:
    """Read and validate everything under ``root``; the site is None only when nothing could be read."""
    with collector_paused():
        diagnostics = Diagnostics()
        config = load_config(root, diagnostics)
        early = early_parse(config, cache)
        sources = discover(root, diagnostics, cache, early)
        return load_sources(root, config, sources, diagnostics, cache, git_dates(root), early=early)


def early_parse(config: Config, cache: ParseCache | None) -> EarlyParse | None:
    """An :class:`EarlyParse` when every file will be parsed (no cache, or one that knows no
    file) and there is more than one core to parse on."""
    return EarlyParse(config.timezone) if (cache is None or not cache.stats) and workers() > 1 else None


def load_sources(
    root: Path,
    config: Config,
    sources: list[SourceFile],
    diagnostics: Diagnostics,
    cache: ParseCache | None,
    dates: dict[str, date],
    looked_at: set[str] | None = None,
    early: EarlyParse | None = None,
) -> LoadResult:
    """The second half of :func:`load_site`, for callers that looked at the discovered files first."""
    parsed = parse_all(sources, config, cache, early)
    site = resolve(root, config, parsed, diagnostics, dates, looked_at, cache.resolved if cache is not None else None)
    return LoadResult(site, diagnostics.sorted())
