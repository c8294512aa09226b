"""``trombino serve``: build, serve on this machine, rebuild on every save, reload open tabs.

Three threads share one :class:`Session`:

- a watchdog observer notes changed files under ``content/``, ``themes/`` and
  ``trombino.yaml`` (editors' temporary and swap files are ignored);
- the rebuilder waits until nothing changed for :data:`DEBOUNCE` seconds, then
  rebuilds incrementally (:class:`trombino.incremental.LiveSite`) into a private
  temporary folder — never the site's own ``site/`` — and prints one line;
- the HTTP server serves that folder, adding to each HTML page a script
  (``serve_assets/reload.js``, served under ``/__trombino__/``) that listens to
  Server-Sent Events: after a good build it reloads the tab, after a bad one it
  shows the ``path:line:col: message`` list over the last good site.

Nothing of this reaches ``trombino build`` output: the script is added to
responses, not to files.
"""

from __future__ import annotations

import gc
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import socketserver
import sys
import tempfile
import threading
import time
import traceback
import uuid
import webbrowser
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2

from trombino.config import CONFIG_NAME
from trombino.diagnostics import Diagnostic
from trombino.incremental import LiveSite
from trombino.loader import CONTENT
from trombino.theme import DEFAULT_THEME, FINGERPRINTED_SUFFIXES
from trombino.write import OutputError

DEBOUNCE = 0.1  # seconds without changes before rebuilding: one save is often several events
SETTLE = 0.02  # the same after an event that ends a save (see watch)
PREFIX = "/__trombino__/"
ASSETS = Path(str(resources.files("trombino").joinpath("serve_assets")))
KEEPALIVE = 15.0  # seconds between SSE comments, so a closed tab is noticed
WATCHED = (CONTENT, "themes")
# Seconds without changes after a build before looking for changes the watcher missed (a
# build after changes it reported looks at those files only; see LiveSite.build).
CHECK_AFTER = 0.3
# Seconds the rest of a build waits, at most, for the tabs whose pages went first to fetch
# them: the build would otherwise hold the interpreter while those requests are answered.
FETCH_WAIT = 0.3
IDLE_COLLECT = 1.0  # seconds without changes after a build before collecting garbage
# Builds in a row with no idle pause between them before one collects first. A build leaves
# little for the collector (~500 objects at 1,000 people: the render cache releases the last
# build's views), while a full collection holds every thread for ~0.5 s.
UNCOLLECTED_BUILDS = 10
# How long a thread may hold the interpreter while another waits (Python's default: 5 ms).
# A reloading tab asks for its page, then its style sheet and scripts, each answered by a
# thread that waits for the rebuild to let go each time it blocks: at 5 ms a wait, a tab's
# reload took 0.15 s longer while the rest of the site was rebuilt.
SWITCH_INTERVAL = 0.0005
MAX_FIRST = 8  # pages open in tabs that a rebuild renders and writes before the rest


# -- what changed ----------------------------------------------------------------


def is_editor_litter(name: str) -> bool:
    """Swap, backup and temporary files editors write next to the file being saved."""
    return (
        name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".part", ".bak", ".orig"))
        or name.startswith((".#", ".~lock"))
        or (name.startswith("#") and name.endswith("#"))
        or name in ("4913", ".DS_Store")  # vim probes a folder with a file named 4913
    )


def relevant(root: Path, path: str) -> str | None:
    """The site-relative path of a change worth a rebuild, or None."""
    try:
        relative = Path(path).relative_to(root)
    except ValueError:
        return None
    parts = relative.parts
    if not parts or any(is_editor_litter(part) for part in parts):
        return None
    if parts == (CONFIG_NAME,) or parts[0] in WATCHED:
        return relative.as_posix()
    return None


# -- shared state ----------------------------------------------------------------


@dataclass
class State:
    """What the browser needs to know about the last build."""

    build: str  # changes whenever the served files change: tabs showing another build reload
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    ready: bool = False  # a good build has been served at least once
    # While a build runs: the pages tabs are showing that are already up to date (URL paths),
    # and the build they belong to (``build`` once the whole site is written).
    ahead: str = ""
    ahead_pages: list[str] = field(default_factory=list)

    def build_of(self, url_path: str) -> str:
        """The build the served file at this URL belongs to."""
        return self.ahead if self.ahead and url_path in self.ahead_pages else self.build

    def to_json(self) -> str:
        fields = {"build": self.build, "ok": self.ok, "errors": self.errors, "ready": self.ready, "ahead": self.ahead, "ahead_pages": self.ahead_pages}
        return json.dumps(fields, ensure_ascii=False)


class Session:
    """One ``trombino serve`` run: the live site, its state, and the threads' meeting point."""

    def __init__(self, source: Path, output: Path, base_url: str, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.source = source
        self.output = output
        self.site = LiveSite(source, output, base_url=base_url)
        self.out, self.err = out, err
        self._id = uuid.uuid4().hex[:8]
        self._generation = 0
        self.state = State(build=f"{self._id}-0")
        self.changed = threading.Condition()  # notified when `state` changes or the session closes
        self.closing = False
        self._pending: set[str] = set()
        self._last_event = 0.0
        self._last_finished = False  # the last event ended a save
        self._wake = threading.Condition()
        self._printed: set[Diagnostic] = set()
        self._open: Counter[str] = Counter()  # URL paths the connected tabs show
        self._open_lock = threading.Lock()
        self._started = 0.0  # when the current build started
        self._ahead_after: float | None = None  # seconds into it when the open tabs' pages were written
        self._unfetched: set[str] = set()  # URL paths written ahead that no tab fetched yet
        self._fetched = threading.Condition()

    # events from the watcher
    def touched(self, relative: str, moved_to: str | None = None, finished: bool = False) -> None:
        """A file changed; or was renamed to ``moved_to`` (either may be None when not watched).
        ``finished``: this event ends a save, so the rebuild need not wait out the whole debounce."""
        with self._wake:
            if moved_to is not None and relative in self._pending:
                self._pending.discard(relative)  # a temporary file renamed into place: only its target counts
            elif relative:
                self._pending.add(relative)
            if moved_to is not None:
                self._pending.add(moved_to)
            self._last_event = time.monotonic()
            self._last_finished = finished
            self._wake.notify()

    def close(self) -> None:
        gc.enable()  # paused by rebuild()
        with self._wake:
            self.closing = True
            self._wake.notify_all()
        with self.changed:
            self.changed.notify_all()
        with self._fetched:
            self._fetched.notify_all()

    # tabs
    @contextmanager
    def showing(self, url_path: str) -> Iterator[None]:
        """A tab shows this page for as long as the block runs (its event stream is open)."""
        with self._open_lock:
            self._open[url_path] += 1
        try:
            yield
        finally:
            with self._open_lock:
                self._open[url_path] -= 1
                if not self._open[url_path]:
                    del self._open[url_path]

    def fetched(self, url_path: str) -> None:
        """A page was sent: if it went ahead, the build may go on (see FETCH_WAIT)."""
        with self._fetched:
            if url_path in self._unfetched:
                self._unfetched.discard(url_path)
                self._fetched.notify_all()

    def _shown_pages(self) -> dict[str, str]:
        """Output path → URL path, for the pages open tabs show (a few: they go first)."""
        with self._open_lock:
            shown = sorted(self._open)[:MAX_FIRST]
        return {output_path(url_path): url_path for url_path in shown}

    # the rebuilder
    def rebuild_loop(self, debounce: float = DEBOUNCE) -> None:
        uncollected = 1  # builds since the cycle collector last ran: the first one
        while True:
            with self._wake:
                while not self._pending and not self.closing:
                    if self.site.unverified and not self._wake.wait(CHECK_AFTER):
                        break  # quiet: look for missed changes, outside the lock (events may come meanwhile)
                    if uncollected and not self._wake.wait(IDLE_COLLECT):
                        collect_garbage()  # while nobody waits
                        uncollected = 0
                    elif not uncollected:
                        self._wake.wait()
                if self.closing:
                    return
                idle = not self._pending
            if idle:
                self._look_for_missed_changes()
                continue
            with self._wake:
                while not self.closing and (quiet := time.monotonic() - self._last_event) < (needed := SETTLE if self._last_finished else debounce):
                    self._wake.wait(needed - quiet)
                if self.closing:
                    return
                changed, self._pending = sorted(self._pending), set()
            if uncollected >= UNCOLLECTED_BUILDS:  # saves keep coming: bound the garbage kept
                collect_garbage()
                uncollected = 0
            self.rebuild(changed)
            uncollected += 1

    def _look_for_missed_changes(self) -> None:
        """Compare every content file with what the last build found, and rebuild for any the
        watcher did not report (an overflowing event queue, a network folder). A change that
        comes meanwhile stops the comparison: its build is compared afterwards."""
        missed = self.site.drifted(interrupted=lambda: bool(self._pending) or self.closing)
        if missed is None:
            return
        if missed:  # worth knowing: a watcher that misses changes (a network folder?) makes serve lag
            print(f"the file watcher missed a change: {describe(missed)}", file=self.out, flush=True)
        for relative in missed:
            self.touched(relative)

    def rebuild(self, changed: list[str] | None = None) -> bool:
        """Build and tell the tabs. The cycle collector stays paused afterwards, until
        :meth:`rebuild_loop` (or :meth:`close`) runs it: otherwise it would start at the next
        allocation, walking everything the build made — 0.1 s at 1,000 people — while the
        tabs reload."""
        gc.disable()
        self._started = time.perf_counter()
        self._ahead_after = None
        diagnostics, written, removed = self._build(changed)
        elapsed = time.perf_counter() - self._started
        errors = [d for d in diagnostics if d.level == "error"]
        self._report(diagnostics, errors, elapsed, changed, written, removed)
        with self.changed:
            if not errors and self.state.ahead:  # the pages written ahead are part of this build
                self.state.build = self.state.ahead
            elif not errors and (written or removed or not self.state.ready):
                self._generation += 1
                self.state.build = f"{self._id}-{self._generation}"
            self.state.ahead, self.state.ahead_pages = "", []
            self.state.ok = not errors
            self.state.errors = [d.format() for d in errors]
            self.state.ready = self.state.ready or not errors
            self.changed.notify_all()
        return not errors

    def _build(self, changed: list[str] | None) -> tuple[list[Diagnostic], int, int]:
        shown = self._shown_pages()

        def ahead(paths: list[str]) -> None:  # those pages are written: their tabs may reload now
            self._ahead_after = time.perf_counter() - self._started
            pages = sorted(shown[path] for path in paths)
            with self._fetched:
                self._unfetched = set(pages)
            with self.changed:
                self._generation += 1
                self.state.ahead = f"{self._id}-{self._generation}"
                self.state.ahead_pages = pages
                self.changed.notify_all()
            with self._fetched:
                self._fetched.wait_for(lambda: not self._unfetched or self.closing, FETCH_WAIT)
                self._unfetched = set()

        try:
            result = self.site.build(first=shown, on_first=ahead, changed=changed)
        except Exception as exc:  # a template error, or a bug: the server outlives it
            return [failure_diagnostic(exc, self.source)], 0, 0
        if not result.ok:
            return result.diagnostics, 0, 0
        return result.diagnostics, self.site.writer.written, len(self.site.writer.removed)

    def _report(self, diagnostics: list[Diagnostic], errors: list[Diagnostic], elapsed: float, changed: list[str] | None, written: int, removed: int) -> None:
        fresh = [d for d in diagnostics if d.level == "error" or d not in self._printed]
        self._printed = set(diagnostics)
        for diagnostic in fresh:
            print(diagnostic.format(), file=self.err, flush=True)
        took = f"{elapsed * 1000:,.0f} ms" if elapsed < 10 else f"{elapsed:,.1f} s"
        what = describe(changed) if changed is not None else "first build"
        if errors:
            count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
            still = "still serving the last good site" if self.state.ready else "nothing to serve until it is fixed"
            print(f"build failed in {took}: {what}; {count}, {still}", file=self.err, flush=True)
            return
        files = f"{written:,} file{'s' if written != 1 else ''} written" if written else "no page changed"
        if removed:
            files += f", {removed:,} removed"
        verb = "built" if changed is None else "rebuilt"
        ahead = f"; the open tabs' pages in {self._ahead_after * 1000:,.0f} ms" if self._ahead_after is not None else ""
        print(f"{verb} in {took}: {what}, {files}{ahead}", file=self.out, flush=True)


def collect_garbage() -> None:
    """Run the cycle collector that builds leave paused (see :meth:`Session.rebuild`), and resume it."""
    gc.collect()
    gc.enable()


def describe(changed: list[str]) -> str:
    if not changed:
        return "nothing changed"
    shown = ", ".join(changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"{shown}{more} changed"


def failure_diagnostic(exc: BaseException, source: Path) -> Diagnostic:
    """A build that raised, as a located diagnostic: template errors point into the template."""
    message = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Diagnostic(_shown(exc.filename or exc.name or "template", source), exc.lineno or 1, 1, f"template error: {message}")
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".html") and Path(frame.filename).is_file():
            return Diagnostic(_shown(frame.filename, source), frame.lineno or 1, 1, f"template error: {message}")
    if isinstance(exc, (jinja2.TemplateError, OutputError)):
        return Diagnostic(CONFIG_NAME, 1, 1, f"{'template error: ' if isinstance(exc, jinja2.TemplateError) else ''}{message}")
    traceback.print_exception(exc)
    return Diagnostic("trombino", 1, 1, f"internal error: {type(exc).__name__}: {message}")


def _shown(filename: str, source: Path) -> str:
    path = Path(filename)
    for base, prefix in ((source.resolve(), ""), (DEFAULT_THEME, "(built-in theme) ")):
        try:
            return prefix + path.resolve().relative_to(base).as_posix()
        except ValueError:
            continue
    return filename


# -- HTTP ------------------------------------------------------------------------


PLACEHOLDER = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>trombino serve</title></head>
<body><p>No good build yet: fix the errors listed over this page, or in the terminal.</p></body></html>
"""


def output_path(url_path: str) -> str:
    """The output file a URL path serves: '/people/ana/' → 'people/ana/index.html'."""
    relative = unquote(url_path).lstrip("/")
    return relative + "index.html" if relative.endswith("/") or not relative else relative


def _assets_version() -> str:
    digest = hashlib.sha256()
    for name in ("reload.js", "reload.css"):
        digest.update((ASSETS / name).read_bytes())
    return digest.hexdigest()[:10]


# The reload script and style are named with their content's hash, like the theme's style
# sheets and scripts, so a reloading tab takes all of them from its cache: only the page is
# fetched again (each request waits for the rebuild that goes on meanwhile).
ASSETS_VERSION = _assets_version()
FOREVER = "public, max-age=31536000, immutable"
FINGERPRINTED = re.compile(r"/static/.+\.[0-9a-f]{10}(%s)" % "|".join(re.escape(suffix) for suffix in FINGERPRINTED_SUFFIXES))


def inject(html: bytes, build: str) -> bytes:
    """Add the reload script to a page as it is served (never to the built file)."""
    tag = (
        f'<link rel="stylesheet" href="{PREFIX}reload.css?v={ASSETS_VERSION}">'
        f'<script src="{PREFIX}reload.js?v={ASSETS_VERSION}" data-build="{build}" defer></script>'
    ).encode()
    head_end = html.find(b"</head>")
    return html[:head_end] + tag + html[head_end:] if head_end >= 0 else html + tag


class Handler(http.server.SimpleHTTPRequestHandler):
    session: Session  # set on the subclass made for each server

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.session.output), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the terminal shows rebuilds only
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        url = urlsplit(self.path)
        if url.path.startswith(PREFIX):
            return self._internal(unquote(url.path[len(PREFIX) :]), body)
        target = Path(self.translate_path(url.path))
        if target.is_dir():
            if not url.path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", url.path + "/" + (f"?{url.query}" if url.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        status = 200
        if not target.is_file():
            status, target = 404, self.session.output / "404.html"
        build = self.session.state.build_of(url.path)  # read before the file: a newer file under an older id only reloads once more
        try:
            data = target.read_bytes()
            kind = self.guess_type(str(target))
        except OSError:
            data, kind = PLACEHOLDER, "text/html"
            status = 404 if self.session.state.ready else 503
        if kind == "text/html":
            data = inject(data, build)
        self._send(status, kind, data, body, FOREVER if status == 200 and FINGERPRINTED.fullmatch(url.path) else "no-store")
        if kind == "text/html":
            self.session.fetched(url.path)

    def _send(self, status: int, kind: str, data: bytes, body: bool, cache: str = "no-store") -> None:
        self.send_response(status)
        charset = "; charset=utf-8" if kind.startswith("text/") or kind in ("application/json", "application/xml") else ""
        self.send_header("Content-Type", kind + charset)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _internal(self, name: str, body: bool) -> None:
        if name == "events":
            page = self._query("page")
            if not page.startswith("/"):
                return self._events()
            with self.session.showing(page):
                return self._events()
        if name == "status":
            return self._send(200, "application/json", self.session.state.to_json().encode(), body)
        if name in ("reload.js", "reload.css"):
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            versioned = self._query("v") == ASSETS_VERSION
            return self._send(200, kind, (ASSETS / name).read_bytes(), body, FOREVER if versioned else "no-store")
        self._send(404, "text/plain", b"not found\n", body)

    def _query(self, name: str) -> str:
        """The request's first value for ``name`` in its query string ("" if none)."""
        return parse_qs(urlsplit(self.path).query).get(name, [""])[0]

    def _events(self) -> None:
        """Server-Sent Events: the state now, then each time it changes."""
        session = self.session
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        sent = None
        try:
            while not session.closing:
                with session.changed:
                    current = session.state.to_json()
                    if current == sent:
                        session.changed.wait(KEEPALIVE)
                        current = session.state.to_json()
                if session.closing:
                    return
                message = f"data: {current}\n\n" if current != sent else ": keepalive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                sent = current
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            return


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # open event streams do not hold up the exit

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # HTTPServer's would look the host name up in DNS
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


def make_server(host: str, port: int) -> Server:
    """A server whose handler class gets its ``session`` once the port, hence the base URL, is known."""
    handler = type("SessionHandler", (Handler,), {})
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type("SessionServer", (Server,), {"address_family": family})
    return server_class((host, port), handler)


MEMORY = Path("/dev/shm")
BYTES_PER_SOURCE = 50_000  # a generous share of the site per content file (about 16 KB at 1k/10k)


def scratch_parent(source: Path) -> str | None:
    """Where serve builds: in memory when it has room, as other development servers do.

    Writing the 17,000 files of a 1,000-person site into /tmp's disk took half the
    first build (a creation costs about 1 ms on some disks). A TMPDIR setting is obeyed;
    None is the usual temporary folder."""
    if "TMPDIR" in os.environ or not MEMORY.is_dir() or not os.access(MEMORY, os.W_OK):
        return None
    sources = sum(len(files) for _, _, files in os.walk(source / CONTENT))
    usage = shutil.disk_usage(MEMORY)
    return str(MEMORY) if usage.free > max(2**30, BYTES_PER_SOURCE * sources) else None


SCRATCH_PREFIX = "trombino-serve-"
OWNER = "pid"  # in each serve's scratch folder: the process that uses it


def remove_abandoned(parent: Path) -> None:
    """Delete the scratch folders of serve processes that are gone (killed before they could
    clean up): in memory, a 10,000-person site would hold 1.7 GB until the next reboot."""
    for folder in parent.glob(f"{SCRATCH_PREFIX}*"):
        try:
            owner = int((folder / OWNER).read_text())
            os.kill(owner, 0)
        except ProcessLookupError:  # its process is gone
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):  # another user's, just being made, or not ours to judge
            continue


def local_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


# -- watching --------------------------------------------------------------------


def watch(source: Path, on_change: Callable[[str, str | None, bool], None]):  # noqa: ANN201 - a started watchdog Observer
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    root = source.resolve()
    observer = Observer()
    watched: set[str] = set()

    def schedule(name: str) -> None:
        folder = root / name
        if name not in watched and folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
            watched.add(name)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type in ("modified", "closed"):
                return  # a folder "changes" whenever a file in it does: the file's own event counts
            paths = [p.decode() if isinstance(p, bytes) else p for p in (event.src_path, getattr(event, "dest_path", "")) if p]
            for path in paths:
                if Path(path).parent == root and Path(path).name in WATCHED:
                    schedule(Path(path).name)  # content/ or themes/ created after the start
            changed = [relevant(root, path) for path in paths]
            # A save ends with its file closed after writing, or with a temporary file renamed
            # into place. A file deleted or renamed away may be followed by its new version
            # (vim renames the file to its backup, then writes it anew): that waits the debounce.
            if event.event_type == "moved":
                if changed[0] is not None or changed[1] is not None:
                    on_change(changed[0] or "", changed[1], changed[1] is not None)
            elif changed[0] is not None:
                on_change(changed[0], None, event.event_type == "closed")

    handler = Handler()
    observer.schedule(handler, str(root), recursive=False)
    for name in WATCHED:
        schedule(name)
    observer.daemon = True
    observer.start()
    return observer


# -- the command -----------------------------------------------------------------


def serve(source: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run until interrupted; the exit code is 0 after Ctrl-C, 1 if the server cannot start."""
    if not source.is_dir():
        print(f"error: source folder {source} does not exist", file=err)
        return 1
    parent = scratch_parent(source)
    remove_abandoned(Path(parent or tempfile.gettempdir()))
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=parent))
    (scratch / OWNER).write_text(str(os.getpid()))
    output = scratch / "site"
    output.mkdir()
    stop = threading.Event()
    previous_switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    previous_term = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if threading.current_thread() is threading.main_thread() else None
    session = server = observer = None
    try:
        try:
            server = make_server(host, port)
        except OSError as exc:
            print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}; try another --port (0 picks a free one)", file=err)
            return 1
        url = local_url(host, server.server_address[1])
        session = Session(source, output, url, out=out, err=err)
        server.RequestHandlerClass.session = session  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, name="trombino-http", daemon=True).start()
        print(f"Serving {source} at {url} (built in {output}; Ctrl-C stops)", file=out, flush=True)
        observer = watch(source, session.touched)
        session.rebuild(None)
        threading.Thread(target=session.rebuild_loop, name="trombino-rebuild", daemon=True).start()
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if session is not None:
            session.close()
        if observer is not None:
            observer.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
        sys.setswitchinterval(previous_switch)
        shutil.rmtree(scratch, ignore_errors=True)
    print("Stopped.", file=out, flush=True)
    return 0
