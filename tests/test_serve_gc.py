"""``serve`` keeps the cycle collector paused from a build until it is idle, so the collection never delays a reload."""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import pytest

from trombino import serve
from trombino.serve import Session


@pytest.fixture
def session(minimal_site: Path, tmp_path: Path):  # noqa: ANN201
    devnull = open(os.devnull, "w")
    live = Session(minimal_site, tmp_path, "http://127.0.0.1:1/", out=devnull, err=devnull)
    try:
        yield live
    finally:
        live.close()
        gc.enable()  # whatever happened above, the test run keeps its collector
        devnull.close()


def wait_until(probe, seconds: float = 10.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.01)
    return False


def test_a_build_leaves_the_collector_paused_until_idle(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    assert session.rebuild(None)
    assert not gc.isenabled()  # the tabs reload now: no collection may start
    monkeypatch.setattr(serve, "IDLE_COLLECT", 0.05)
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(args) or 0)
    threading.Thread(target=session.rebuild_loop, daemon=True).start()
    assert wait_until(gc.isenabled)  # idle: collected, then resumed
    assert collected == [()]  # a full collection


def test_saves_in_a_row_still_collect_every_few_builds(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "IDLE_COLLECT", 60.0)  # never idle during this test
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(args) or 0)
    builds = []
    monkeypatch.setattr(session, "rebuild", lambda changed=None: builds.append(changed) or gc.disable() or True)
    threading.Thread(target=session.rebuild_loop, args=(0.0,), daemon=True).start()
    seen = []
    for number in range(serve.UNCOLLECTED_BUILDS):
        session.touched(f"content/people/p{number}.md")
        assert wait_until(lambda: len(builds) == number + 1)
        seen.append(len(collected))
    # The build before the loop counts: the last of these saves is built after a collection.
    assert seen == [0] * (serve.UNCOLLECTED_BUILDS - 1) + [1] and collected == [()]


def test_the_last_builds_views_are_freed_without_the_collector(minimal_site: Path, tmp_path: Path) -> None:
    import weakref

    from trombino.incremental import LiveSite

    live = LiveSite(minimal_site, tmp_path / "out", base_url="http://127.0.0.1:1/")
    (tmp_path / "out").mkdir()
    gc.disable()
    try:
        assert live.build().ok
        views = weakref.ref(live.render_cache.tracker.roots["index"].views)
        assert live.build().ok
        assert views() is None  # freed by reference counting: serve keeps the collector paused
    finally:
        gc.enable()
