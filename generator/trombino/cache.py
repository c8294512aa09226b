"""On-disk cache of per-file parse results, kept between runs (``.trombino-cache/``).

Entries are keyed by path, kind, time zone and the file's content hash; the
whole cache is tied to the trombino, Markdown and nh3 versions, so upgrading
any of them starts afresh. Only parse results are cached: everything derived
from the whole corpus is recomputed every run, so a warm build equals a cold one.
The one exception is `check`'s answer, kept with the digest of everything it
depends on (see :mod:`trombino.checking`) and given again only for the same inputs.

The cache files are pickles, and unpickling runs code: a cache committed in a
pull request must never be loaded. So the file is signed (HMAC-SHA256)
with a key that lives outside every site folder, in this machine's user cache
(``$XDG_CACHE_HOME/trombino/cache-key``); a file without a valid signature is
ignored like a stale one, before anything is unpickled.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from trombino import __version__
from trombino.loader import ParseCache, collector_paused

CACHE_DIR_NAME = ".trombino-cache"
_MAGIC = b"trombino-cache-1\n"
_KEY_BYTES = 32


def signing_key() -> bytes | None:
    """This user's secret for signing caches, created on first use; None if it cannot be kept."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trombino"
    path = home / "cache-key"
    try:
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_bytes()
            return key if len(key) == _KEY_BYTES else None
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(_KEY_BYTES))
        return path.read_bytes()
    except OSError:
        return None


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


@functools.cache  # read once per process: the search files' names use it too
def code_digest() -> str:
    """Digest of trombino's own modules and message catalogues: a changed parser never reuses
    entries of the old one, even before the version number moves (a development checkout, a
    patched install), and a check's remembered answer is not that of other catalogues."""
    digest = hashlib.sha1()
    package = Path(__file__).parent
    for module in sorted([*package.rglob("*.py"), *package.glob("messages/*.yaml")]):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def _fingerprint() -> str:
    parts = [f"trombino={__version__}", f"code={code_digest()}"]
    for package in ("markdown", "nh3", "pyyaml"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:  # pragma: no cover
            parts.append(f"{package}=?")
    return ";".join(parts)


def _unpickle(payload: bytes) -> object:
    """pickle.loads with the cycle collector paused: it would walk the hundreds of
    thousands of objects being made again and again (a second of 3 at 100,000 files)."""
    with collector_paused():
        return pickle.loads(payload)


class DiskParseCache(ParseCache):
    """A ParseCache kept in ``<folder>``: the parse results in ``parse.pickle``, read only
    when some file needs them; the files' stats and the last check's answer in the much
    smaller ``files.pickle`` (an unchanged site is checked without the parse results).

    A run that adds a few parse results writes only those, to ``parse-new.pickle`` beside
    the big file (rewriting 80 MB of results for one edited profile cost 2 s); the two are
    merged into one again once the new or unused results pass a twentieth of the whole.
    """

    JOURNAL_SHARE = 0.05
    JOURNAL_MINIMUM = 1_000

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.path = folder / "parse.pickle"
        self.journal_path = folder / "parse-new.pickle"
        self.files_path = folder / "files.pickle"
        self.fingerprint = _fingerprint()
        self.dirty = False
        self.key = signing_key() if not folder.is_symlink() else None  # a linked cache folder could write anywhere
        self._entries = None  # not read yet
        self._base_id: str | None = None  # names the parse.pickle a journal adds to
        self._journaled: set = set()  # keys whose entries are in the journal on disk
        self._added: set = set()  # keys put since the last save
        files = self._load(self.files_path)
        self.stats = files.get("stats", {})
        self.checked = self._saved_check = files.get("checked")

    @property  # type: ignore[override]
    def entries(self) -> dict:
        if self._entries is None:
            base = self._load(self.path)
            self._entries, self._base_id = base.get("entries", {}), base.get("id")
            journal = self._load(self.journal_path) if self._base_id else {}
            if journal and journal.get("base") == self._base_id:  # not one left over from an older parse.pickle
                self._entries.update(journal["entries"])
                self._journaled = set(journal["entries"])
        return self._entries

    @entries.setter
    def entries(self, value: dict) -> None:
        self._entries = value

    def read_signed(self, name: str) -> dict:
        """Another signed file of this cache folder (e.g. the render record), or {}."""
        return self._load(self.folder / name)

    def write_signed(self, name: str, content: dict) -> None:
        if self.key is not None:
            self._store(self.folder / name, content)

    def _load(self, path: Path) -> dict:
        """What this machine stored at ``path`` for this trombino, or {} (missing, stale, damaged, forged)."""
        try:
            data = path.read_bytes() if self.key is not None else b""
            mac, payload = data[len(_MAGIC) : len(_MAGIC) + 32], data[len(_MAGIC) + 32 :]
            if not (data.startswith(_MAGIC) and hmac.compare_digest(mac, _signature(self.key, payload))):  # type: ignore[arg-type]
                return {}  # not signed by this machine: never unpickle it
            stored = _unpickle(payload)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError, ValueError):
            return {}
        return stored if isinstance(stored, dict) and stored.get("fingerprint") == self.fingerprint else {}

    def put(self, key, value) -> None:  # noqa: ANN001
        super().put(key, value)
        self._added.add(key)
        self.dirty = True

    def save(self) -> None:
        """Keep the entries this run used, and the stats it saw, each file written atomically."""
        if self.key is None:
            return
        if self._entries is not None:
            self._save_entries(self._entries)
        if self.seen != self.stats or self.checked is not self._saved_check:
            self._store(self.files_path, {"stats": self.seen, "checked": self.checked})
        self.used, self.stats, self.seen, self._saved_check, self.dirty, self._added = set(), self.seen, {}, self.checked, False, set()

    def _save_entries(self, entries: dict) -> None:
        limit = max(self.JOURNAL_MINIMUM, len(entries) * self.JOURNAL_SHARE)
        unused = len(entries) - len(self.used & entries.keys())
        fresh = (self._journaled | self._added) & entries.keys()
        if self._base_id is not None and len(fresh) <= limit and unused <= limit:
            if self.dirty:  # only what is new; unused entries wait on disk for the next merge
                self._store(self.journal_path, {"base": self._base_id, "entries": {key: entries[key] for key in fresh}})
                self._journaled = fresh
            return
        if not self.dirty and not unused:
            return
        self._entries = {key: entries[key] for key in self.used if key in entries}
        self._base_id = secrets.token_hex(8)
        self._store(self.path, {"id": self._base_id, "entries": self._entries})
        self.journal_path.unlink(missing_ok=True)
        self._journaled = set()

    def _store(self, path: Path, content: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f"{path.stem}.", suffix=".tmp", dir=self.folder)
        try:
            payload = pickle.dumps({"fingerprint": self.fingerprint, **content}, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(handle, "wb") as stream:
                stream.write(_MAGIC + _signature(self.key, payload) + payload)  # type: ignore[arg-type]
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
