"""``trombino serve`` end to end: a real server in a subprocess, real file edits, HTTP polling."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import jinja2
import pytest

from trombino.build import build
from trombino.serve import ASSETS_VERSION, Session, describe, failure_diagnostic, inject, is_editor_litter, relevant, watch

from conftest import run_cli

TIMEOUT = 30.0  # seconds; generous: the test machine may be busy


class Server:
    """``trombino serve --port 0`` in a subprocess; its output is collected line by line."""

    def __init__(self, source: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trombino", "serve", "--source", str(source), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # A shell starting the test run in the background ignores Ctrl-C for it and its
            # children; the server must get it as a terminal would send it.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()
        try:
            first = self.wait_for(lambda: next((line for line in self.out if "Serving" in line), None), "the server to start")
            self.url = re.search(r"http://127\.0\.0\.1:\d+/", first).group(0)  # type: ignore[union-attr]
            self.wait_for(lambda: self.status()["ready"] or None, "the first build")
        except BaseException:
            self.process.kill()  # a failed start must not leave a server behind
            self.process.wait()
            raise

    @staticmethod
    def _collect(stream, lines: list[str]) -> None:  # noqa: ANN001
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait_for(self, probe: Callable[[], object], what: str) -> object:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited ({self.process.returncode}) waiting for {what}: {self.err}")
            try:
                value = probe()
            except (urllib.error.URLError, ConnectionError):
                value = None
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; stdout {self.out}, stderr {self.err}")

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def status(self) -> dict:
        return json.loads(self.get("__trombino__/status")[1])

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture
def server(minimal_site: Path):
    running = Server(minimal_site)
    yield running
    running.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_edit_shows_up_in_the_served_page(server: Server, minimal_site: Path) -> None:
    status, page, headers = server.get("people/ana-lima/")
    assert status == 200 and "Engineer" in page and "Chief Engineer" not in page
    assert headers["Cache-Control"] == "no-store"
    build = server.status()["build"]
    edit(minimal_site / "content/people/ana-lima.md", "title: Engineer", "title: Chief Engineer")
    server.wait_for(lambda: "Chief Engineer" in server.get("people/ana-lima/")[1], "the edit to be served")
    server.wait_for(lambda: server.status()["build"] != build, "the new build to be announced")  # just after its files are in place
    line = server.wait_for(lambda: next((line for line in server.out if line.startswith("rebuilt in")), None), "the rebuild line")
    assert re.fullmatch(r"rebuilt in [\d,]+ ms: content/people/ana-lima\.md changed, \d+ files? written(, \d+ removed)?", line), line  # type: ignore[arg-type]


def test_new_and_deleted_files(server: Server, minimal_site: Path) -> None:
    profile = minimal_site / "content/people/carla-ng.md"
    profile.write_text("---\nname: Carla Ng\nteam: platform\n---\n")
    server.wait_for(lambda: server.get("people/carla-ng/")[0] == 200, "the new profile")
    assert "Carla Ng" in server.get("teams/platform/")[1]
    profile.unlink()
    server.wait_for(lambda: server.get("people/carla-ng/")[0] == 404, "the profile to go away")
    status, page, _ = server.get("people/carla-ng/")
    assert "__trombino__/reload.js" in page, "the 404 page also reloads"


def test_after_real_file_events_the_served_site_is_a_full_build(server: Server, minimal_site: Path, tmp_path: Path) -> None:
    """Rebuilds look only at the files the watcher reported (folders and renames included):
    what is served must still be, byte for byte, what a full build makes."""
    served = Path(re.search(r"\(built in (\S+);", next(line for line in server.out if "Serving" in line)).group(1))  # type: ignore[union-attr]
    posts, people = minimal_site / "content/posts/2026", minimal_site / "content/people"
    ana, bruno = people / "ana-lima.md", people / "bruno-diaz.md"

    def vim_save() -> None:  # the file renamed to a backup, written anew, the backup deleted
        ana.rename(people / "ana-lima.md~")
        ana.write_text((people / "ana-lima.md~").read_text().replace("title: Engineer", "title: Staff Engineer"))
        (people / "ana-lima.md~").unlink()

    steps: list[tuple[str, Callable[[], object]]] = [
        ("a post in a new folder", lambda: ((posts / "04").mkdir(), (posts / "04/spring.md").write_text("---\nauthor: bruno-diaz\ndate: 2026-04-02\n---\nSpring #rust @ana-lima\n"))),
        ("a post edited", lambda: edit(posts / "04/spring.md", "Spring", "Spring cleaning")),
        ("a post renamed", lambda: (posts / "04/spring.md").rename(posts / "04/spring-cleaning.md")),
        ("a profile saved as vim does", vim_save),
        ("a post and its folder deleted", lambda: ((posts / "04/spring-cleaning.md").unlink(), (posts / "04").rmdir())),
        ("a profile edited", lambda: edit(bruno, "team: platform", "team: platform\ntitle: Analyst")),
    ]

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    for step, (what, action) in enumerate(steps):
        before = sum(line.startswith("rebuilt in") for line in server.out)
        action()
        server.wait_for(lambda: sum(line.startswith("rebuilt in") for line in server.out) > before, what)
        quiet_since, count = time.monotonic(), len(server.out)
        while time.monotonic() - quiet_since < 0.25:  # a save's trailing events may make a second build
            time.sleep(0.05)
            if len(server.out) != count:
                quiet_since, count = time.monotonic(), len(server.out)
        server.wait_for(lambda: not server.status()["ahead"], f"the build after {what} to end")
        full = tmp_path / f"full-{step}"
        assert build(minimal_site, full, base_url=server.url).ok
        live, expected = files(served), files(full)
        assert sorted(set(live) ^ set(expected)) == [] and [path for path in expected if live[path] != expected[path]] == [], what
    assert "Staff Engineer" in live["people/ana-lima/index.html"].decode()
    assert not [line for line in server.out if "watcher missed" in line], "each rebuild saw its change without the comparison's help"


def test_a_bad_edit_keeps_the_last_good_site_and_reports_until_fixed(server: Server, minimal_site: Path) -> None:
    profile = minimal_site / "content/people/ana-lima.md"
    good = profile.read_text()
    profile.write_text(good.replace("title: Engineer", "title: Broken\nmanager: nobody-here"))
    state = server.wait_for(lambda: (s := server.status()) and not s["ok"] and s, "the error to be reported")
    assert any(e.startswith("content/people/ana-lima.md:4:10: unknown manager 'nobody-here'") for e in state["errors"]), state  # type: ignore[index]
    assert state["ready"]  # type: ignore[index]
    status, page, _ = server.get("people/ana-lima/")
    assert status == 200 and "Engineer" in page and "Broken" not in page, "the last good site is still served"
    server.wait_for(lambda: any("content/people/ana-lima.md:4:10: unknown manager" in line for line in server.err), "the error in the terminal")
    server.wait_for(lambda: any(line.startswith("build failed in") and "still serving the last good site" in line for line in server.err), "the failure line")
    profile.write_text(good.replace("title: Engineer", "title: Fixed Engineer"))
    server.wait_for(lambda: server.status()["ok"], "the fix")
    assert server.status()["errors"] == []
    server.wait_for(lambda: "Fixed Engineer" in server.get("people/ana-lima/")[1], "the fixed page")


def test_events_stream_announces_builds(server: Server, minimal_site: Path) -> None:
    with urllib.request.urlopen(server.url + "__trombino__/events", timeout=TIMEOUT) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")

        def next_event() -> dict:
            for raw in stream:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    return json.loads(line[len("data: ") :])
            raise AssertionError("stream ended")

        first = next_event()
        assert first["ok"] and first["ready"]
        edit(minimal_site / "content/teams/platform.md", "The platform team.", "The platform team, renamed.")
        second = next_event()
        assert second["ok"] and second["build"] != first["build"]


def test_the_page_a_tab_shows_is_announced_before_the_rest_of_the_build(server: Server, minimal_site: Path) -> None:
    with urllib.request.urlopen(server.url + "__trombino__/events?page=%2Fpeople%2Fana-lima%2F", timeout=TIMEOUT) as stream:
        events = (json.loads(raw.decode()[len("data: ") :]) for raw in stream if raw.startswith(b"data: "))
        first = next(events)
        assert first["ok"] and not first["ahead"]
        edit(minimal_site / "content/people/ana-lima.md", "title: Engineer", "title: Chief Engineer")
        ahead = next(events)
        assert ahead["ahead_pages"] == ["/people/ana-lima/"] and ahead["ahead"] != first["build"]
        assert ahead["build"] == first["build"], "other pages still belong to the last build"
        # Meanwhile the page is served, marked as part of the new build.
        _, page, _ = server.get("people/ana-lima/")
        assert "Chief Engineer" in page and f'data-build="{ahead["ahead"]}"' in page
        done = next(events)
        assert done["build"] == ahead["ahead"] and not done["ahead"] and done["ahead_pages"] == []
    _, directory, _ = server.get("people/")
    assert "Chief Engineer" in directory and f'data-build="{done["build"]}"' in directory


def test_serve_script_is_added_to_responses_not_to_builds(server: Server, minimal_site: Path, tmp_path: Path) -> None:
    _, page, _ = server.get("")
    build = server.status()["build"]
    assert f'<script src="/__trombino__/reload.js?v={ASSETS_VERSION}" data-build="{build}" defer></script></head>' in page
    status, script, headers = server.get(f"__trombino__/reload.js?v={ASSETS_VERSION}")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and "EventSource" in script
    assert "immutable" in headers["Cache-Control"], "named by its content: a reloading tab takes it from its cache"
    assert server.get("__trombino__/reload.js")[2]["Cache-Control"] == "no-store", "not named by its content"
    assert server.get(f"__trombino__/reload.css?v={ASSETS_VERSION}")[0] == 200
    css = re.search(r'href="(static/style\.[0-9a-f]+\.css)"', page)
    assert css and "__trombino__" not in server.get(css.group(1))[1], "only HTML responses get the script"
    assert "immutable" in server.get(css.group(1))[2]["Cache-Control"]
    output = tmp_path / "built"
    result = run_cli("build", "--source", str(minimal_site), "--output", str(output))
    assert result.returncode == 0, result.stderr
    for path in output.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"__trombino__" not in data and b"reload.js" not in data, path
    assert not (minimal_site / "site").exists(), "serve never writes into the site's own folder"


def test_links_redirect_and_base_url(server: Server) -> None:
    request = urllib.request.Request(server.url + "people/ana-lima")
    with urllib.request.urlopen(request, timeout=10) as response:  # follows the redirect
        assert response.url.endswith("/people/ana-lima/")
    status, page, _ = server.get("no/such/page/")
    assert status == 404
    assert server.url in page, "absolute links (404 page) use the local server's URL"


def test_ctrl_c_stops_cleanly(minimal_site: Path) -> None:
    running = Server(minimal_site)
    try:
        folder = re.search(r"built in (\S+);", running.out[0]).group(1)  # type: ignore[union-attr]
        assert Path(folder).is_dir()
    finally:
        code = running.stop(signal.SIGINT)
    assert code == 0
    time.sleep(0.2)
    assert "Traceback" not in "\n".join(running.err), running.err
    assert running.out[-1] == "Stopped."
    assert not Path(folder).exists(), "the temporary build folder is removed"


def test_port_in_use_is_reported(minimal_site: Path, server: Server) -> None:
    port = server.url.rsplit(":", 1)[1].strip("/")
    result = run_cli("serve", "--source", str(minimal_site), "--port", port, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


# -- the pieces ------------------------------------------------------------------


@pytest.mark.parametrize("name", [".ana-lima.md.swp", "ana-lima.md~", ".#ana-lima.md", "4913", "#ana-lima.md#", "ana-lima.md.tmp"])
def test_editor_litter_is_ignored(name: str, tmp_path: Path) -> None:
    assert is_editor_litter(name)
    assert relevant(tmp_path, str(tmp_path / "content/people" / name)) is None


def test_what_is_watched(tmp_path: Path) -> None:
    assert relevant(tmp_path, str(tmp_path / "content/people/ana-lima.md")) == "content/people/ana-lima.md"
    assert relevant(tmp_path, str(tmp_path / "themes/house/templates/person.html")) == "themes/house/templates/person.html"
    assert relevant(tmp_path, str(tmp_path / "trombino.yaml")) == "trombino.yaml"
    assert relevant(tmp_path, str(tmp_path / "site/index.html")) is None
    assert relevant(tmp_path, str(tmp_path / ".git/index")) is None
    assert relevant(tmp_path, "/elsewhere/content/x.md") is None


def test_a_temporary_file_renamed_into_place_counts_once(minimal_site: Path, tmp_path: Path) -> None:
    session = Session(minimal_site, tmp_path, "http://127.0.0.1:1/", out=open(os.devnull, "w"), err=open(os.devnull, "w"))
    session.touched("content/people/sedX1b2")
    session.touched("content/people/sedX1b2", "content/people/ana-lima.md")
    session.touched("content/people/old.md", "content/people/new.md")
    assert sorted(session._pending) == ["content/people/ana-lima.md", "content/people/new.md", "content/people/old.md"]


def test_a_change_the_watcher_missed_is_built_once_all_is_quiet(minimal_site: Path, tmp_path: Path) -> None:
    """A rebuild looks only at the files the watcher reported; once nothing happens, every
    file is compared with what the build found, and what differs is built."""
    out = io.StringIO()
    session = Session(minimal_site, tmp_path, "http://127.0.0.1:1/", out=out, err=open(os.devnull, "w"))
    assert session.rebuild(None)
    people = minimal_site / "content/people"
    for slug, title in (("ana-lima", "Engineer"), ("bruno-diaz", "")):
        text = (people / f"{slug}.md").read_text()
        (people / f"{slug}.md").write_text(text.replace(f"title: {title}", "title: Chief Engineer") if title else text.replace("---\n", "---\ntitle: Chief Engineer\n", 1))
    assert session.rebuild(["content/people/bruno-diaz.md"])  # the watcher missed ana-lima.md
    assert "Chief Engineer" in (tmp_path / "people/bruno-diaz/index.html").read_text()
    ana = tmp_path / "people/ana-lima/index.html"
    assert "Chief Engineer" not in ana.read_text(), "only the reported file was looked at"
    loop = threading.Thread(target=session.rebuild_loop, daemon=True)
    loop.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while "Chief Engineer" not in ana.read_text():
            assert time.monotonic() < deadline, "the missed change was never built"
            time.sleep(0.05)
    finally:
        session.close()
        loop.join(TIMEOUT)
    assert "the file watcher missed a change: content/people/ana-lima.md changed" in out.getvalue()


def test_the_rest_of_a_build_waits_for_the_tab_whose_page_went_first(minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trombino import serve

    monkeypatch.setattr(serve, "FETCH_WAIT", TIMEOUT)
    session = Session(minimal_site, tmp_path, "http://127.0.0.1:1/", out=open(os.devnull, "w"), err=open(os.devnull, "w"))
    assert session.rebuild(None)
    profile = minimal_site / "content/people/ana-lima.md"
    profile.write_text(profile.read_text().replace("title: Engineer", "title: Chief Engineer"))
    with session.showing("/people/ana-lima/"):
        build = threading.Thread(target=session.rebuild, args=(["content/people/ana-lima.md"],))
        build.start()
        deadline = time.monotonic() + TIMEOUT
        while not session.state.ahead:
            assert time.monotonic() < deadline, "the open page never went first"
            time.sleep(0.01)
        time.sleep(0.5)
        assert build.is_alive() and session.state.ahead, "the rest of the build waits while the tab fetches its page"
        session.fetched("/people/ana-lima/")
        build.join(TIMEOUT)
    assert not build.is_alive() and not session.state.ahead
    assert "Chief Engineer" in (tmp_path / "people/index.html").read_text()


def test_which_events_end_a_save(minimal_site: Path) -> None:
    """A file closed after writing or renamed into place ends a save; a file renamed away
    (to an editor's backup) or deleted may be followed by its new version."""
    calls: list[tuple[str, str | None, bool]] = []
    observer = watch(minimal_site, lambda relative, moved_to, finished: calls.append((relative, moved_to, finished)))
    people = minimal_site / "content/people"

    def events_of(action: Callable[[], object], last: tuple[str, str | None, bool]) -> list[tuple[str, str | None, bool]]:
        """The events an action caused, up to the one expected last."""
        start = len(calls)
        action()
        deadline = time.monotonic() + TIMEOUT
        while last not in calls[start:]:
            assert time.monotonic() < deadline, f"no {last} among {calls[start:]}"
            time.sleep(0.02)
        return calls[start:]

    try:
        written = events_of(lambda: (people / "carla-ng.md").write_text("---\nname: Carla Ng\n---\n"), ("content/people/carla-ng.md", None, True))
        assert ("content/people/carla-ng.md", None, False) in written, "created and written: those wait"
        renamed_away = events_of(lambda: (people / "ana-lima.md").rename(people / "ana-lima.md~"), ("content/people/ana-lima.md", None, False))
        assert all(not finished for *_, finished in renamed_away)
        (people / ".ana-lima.md.swp").write_text("draft")
        events_of(lambda: (people / ".ana-lima.md.swp").rename(people / "ana-lima.md"), ("", "content/people/ana-lima.md", True))  # the temporary file is not watched
        deleted = events_of(lambda: (people / "carla-ng.md").unlink(), ("content/people/carla-ng.md", None, False))
        assert all(not finished for *_, finished in deleted)
    finally:
        observer.stop()


def test_serve_builds_in_memory_when_it_has_room(minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from trombino import serve

    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(serve, "MEMORY", memory)
    monkeypatch.delenv("TMPDIR", raising=False)
    roomy = shutil.disk_usage(memory)._replace(free=2**31)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: roomy)
    assert serve.scratch_parent(minimal_site) == str(memory)
    monkeypatch.setattr(serve, "BYTES_PER_SOURCE", 2**30)  # the site would not fit
    assert serve.scratch_parent(minimal_site) is None
    monkeypatch.setattr(serve, "BYTES_PER_SOURCE", 1)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert serve.scratch_parent(minimal_site) is None, "a TMPDIR setting is obeyed"
    monkeypatch.delenv("TMPDIR")
    monkeypatch.setattr(serve, "MEMORY", tmp_path / "absent")
    assert serve.scratch_parent(minimal_site) is None


def test_scratch_folders_of_serve_processes_that_are_gone_are_removed(tmp_path: Path) -> None:
    from trombino.serve import remove_abandoned

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    folders = {name: tmp_path / f"trombino-serve-{name}" for name in ("gone", "running", "unowned")}
    for folder in folders.values():
        (folder / "site").mkdir(parents=True)
    (folders["gone"] / "pid").write_text(ended.stdout.strip())
    (folders["running"] / "pid").write_text(str(os.getpid()))
    (tmp_path / "other-folder").mkdir()
    remove_abandoned(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-folder", "trombino-serve-running", "trombino-serve-unowned"]


def test_describe_and_inject() -> None:
    assert describe(["a.md"]) == "a.md changed"
    assert describe(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more changed"
    assert inject(b"<html><head><title>x</title></head></html>", "s-1") == (
        b'<html><head><title>x</title><link rel="stylesheet" href="/__trombino__/reload.css?v=' + ASSETS_VERSION.encode() + b'">'
        b'<script src="/__trombino__/reload.js?v=' + ASSETS_VERSION.encode() + b'" data-build="s-1" defer></script></head></html>'
    )


def test_template_errors_point_into_the_template(make_site) -> None:  # noqa: ANN001
    site = make_site({"themes/house/templates/person.html": "{% extends 'default/person.html' %}\n{% block title %}{{ person.name }{% endblock %}\n"})
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(site / "themes/house/templates")))
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        environment.get_template("person.html")
    diagnostic = failure_diagnostic(caught.value, site)
    assert diagnostic.path == "themes/house/templates/person.html"
    assert diagnostic.line == 2
    assert diagnostic.message.startswith("template error: ")


def test_overlay_in_a_real_browser(server: Server, minimal_site: Path, browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(server.url + "people/ana-lima/")
        page.wait_for_function("() => document.querySelector('script[data-build]') !== null")
        profile = minimal_site / "content/people/ana-lima.md"
        good = profile.read_text()
        profile.write_text(good.replace("title: Engineer", "title: Broken\nmanager: nobody-here"))
        overlay = page.locator("#trombino-serve-errors")
        overlay.wait_for(state="visible", timeout=TIMEOUT * 1000)
        assert "content/people/ana-lima.md:4:10: unknown manager 'nobody-here'" in overlay.inner_text()
        assert "Engineer" in page.locator("main").inner_text(), "the last good page stays under the overlay"
        page.screenshot(path=str(Path(os.environ.get("TROMBINO_SHOTS", "/tmp")) / "serve-overlay.png"))
        profile.write_text(good.replace("title: Engineer", "title: Fixed Engineer"))
        page.get_by_text("Fixed Engineer").first.wait_for(timeout=TIMEOUT * 1000)  # the tab reloaded by itself
        assert overlay.count() == 0
        assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console
    finally:
        page.close()
