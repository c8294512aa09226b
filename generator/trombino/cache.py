"""On-disk cache of per-file parse results, kept between runs (``.trombino-cache/``).

Entries are keyed by path, kind, time zone and the file's content hash; the
whole cache is tied to the trombino, Markdown and nh3 versions, so upgrading
any of them starts afresh. Only parse results are cached: everything derived
from the whole corpus is recomputed every run, so a warm build equals a cold one.

The cache is a pickle, and unpickling runs code: a ``parse.pickle`` committed
in a pull request must never be loaded. So the file is signed (HMAC-SHA256)
with a key that lives outside every site folder, in this machine's user cache
(``$XDG_CACHE_HOME/trombino/cache-key``); a file without a valid signature is
ignored like a stale one, before anything is unpickled.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from trombino import __version__
from trombino.loader import ParseCache

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


def _code_digest() -> str:
    """Digest of trombino's own modules: a changed parser never reuses entries of the old one,
    even before the version number moves (a development checkout, a patched install)."""
    digest = hashlib.sha1()
    package = Path(__file__).parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def _fingerprint() -> str:
    parts = [f"trombino={__version__}", f"code={_code_digest()}"]
    for package in ("markdown", "nh3", "pyyaml"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:  # pragma: no cover
            parts.append(f"{package}=?")
    return ";".join(parts)


def _unpickle(payload: bytes) -> object:
    """pickle.loads with the cycle collector paused: it would walk the hundreds of
    thousands of objects being made again and again (a second of 3 at 100,000 files)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(payload)
    finally:
        if collecting:
            gc.enable()


class DiskParseCache(ParseCache):
    """A ParseCache loaded from and saved to ``<folder>/parse.pickle``."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.path = folder / "parse.pickle"
        self.fingerprint = _fingerprint()
        self.dirty = False
        self.key = signing_key() if not folder.is_symlink() else None  # a linked cache folder could write anywhere
        try:
            data = self.path.read_bytes() if self.key is not None else b""
            mac, payload = data[len(_MAGIC) : len(_MAGIC) + 32], data[len(_MAGIC) + 32 :]
            if not (data.startswith(_MAGIC) and hmac.compare_digest(mac, _signature(self.key, payload))):  # type: ignore[arg-type]
                raise ValueError("not signed by this machine")  # never unpickle it
            stored = _unpickle(payload)
            if isinstance(stored, dict) and stored.get("fingerprint") == self.fingerprint:
                self.entries = stored["entries"]
                self.stats = stored.get("stats", {})
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError, ValueError):
            self.entries, self.stats = {}, {}  # missing, stale or damaged: start afresh

    def put(self, key, value) -> None:  # noqa: ANN001
        super().put(key, value)
        self.dirty = True

    def save(self) -> None:
        """Keep only the entries this run used, written atomically."""
        if self.key is None or (not self.dirty and len(self.used) == len(self.entries) and self.seen == self.stats):
            return
        self.prune()
        entries = self.entries
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix="parse.", suffix=".tmp", dir=self.folder)
        try:
            payload = pickle.dumps({"fingerprint": self.fingerprint, "entries": entries, "stats": self.stats}, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(handle, "wb") as stream:
                stream.write(_MAGIC + _signature(self.key, payload) + payload)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
