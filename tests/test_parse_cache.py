"""The parse cache skips reading files whose stat shows them unchanged, and never trusts a stale stat."""

from __future__ import annotations

import os
import time

import pytest
from pathlib import Path

from trombino.cache import DiskParseCache
from trombino.diagnostics import Diagnostics
from trombino.loader import ParseCache, discover, load_site

AN_HOUR_AGO = time.time() - 3600


def age(site: Path) -> None:
    """Make every content file look written an hour ago (its ctime stays now: fine, it is compared, not aged)."""
    for path in (site / "content").rglob("*.md"):
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))


def settle(monkeypatch, seconds: float = 3600) -> None:  # noqa: ANN001
    """Pretend the clock moved on, so files just written count as settled (not racy)."""
    real = time.time_ns
    monkeypatch.setattr("trombino.loader.time.time_ns", lambda: real() + int(seconds * 1e9))


def test_unchanged_files_are_not_read_again(minimal_site: Path, monkeypatch) -> None:  # noqa: ANN001
    age(minimal_site)
    settle(monkeypatch)
    cache = ParseCache()
    first = load_site(minimal_site, cache)
    cache.prune()
    sources = discover(minimal_site, Diagnostics(), cache)
    assert sources and all(s.data is None for s in sources)
    assert load_site(minimal_site, cache) == first


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(minimal_site: Path, monkeypatch) -> None:  # noqa: ANN001
    age(minimal_site)
    settle(monkeypatch)
    person = minimal_site / "content/people/ana-lima.md"
    cache = ParseCache()
    load_site(minimal_site, cache)
    cache.prune()
    text = person.read_text()
    assert "Engineer" in text
    time.sleep(0.01)  # a later ctime
    person.write_text(text.replace("Engineer", "Engineeq"))  # same size
    os.utime(person, (AN_HOUR_AGO, AN_HOUR_AGO))  # and the old mtime
    result = load_site(minimal_site, cache)
    assert result.site.people["ana-lima"].title.endswith("Engineeq")


def test_a_file_changed_just_now_is_read_every_time(minimal_site: Path) -> None:
    cache = ParseCache()
    load_site(minimal_site, cache)
    cache.prune()
    # Written a moment ago: another write could keep the same timestamps, so its stat is not trusted yet.
    assert all(s.data is not None for s in discover(minimal_site, Diagnostics(), cache))


def test_the_disk_cache_keeps_the_stats_between_runs(minimal_site: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    age(minimal_site)
    settle(monkeypatch)
    cache = DiskParseCache(tmp_path / "cache")
    cold = load_site(minimal_site, cache)
    cache.save()
    again = DiskParseCache(tmp_path / "cache")
    assert again.stats and set(again.stats) == {s.path for s in discover(minimal_site, Diagnostics())}
    assert load_site(minimal_site, again) == cold
    assert all(key in again.used for key in again.entries)  # every file came from the cache


def test_an_unchanged_file_whose_parse_result_is_gone_is_read_after_all(minimal_site: Path, monkeypatch) -> None:  # noqa: ANN001
    age(minimal_site)
    settle(monkeypatch)
    cache = ParseCache()
    load_site(minimal_site, cache)
    cache.prune()
    config = minimal_site / "trombino.yaml"
    config.write_text(config.read_text() + "timezone: Asia/Tokyo\n")  # parse results are kept per time zone
    assert load_site(minimal_site, cache) == load_site(minimal_site)


def edit(person: Path, old: str, new: str) -> None:
    person.write_text(person.read_text().replace(old, new))
    os.utime(person, (AN_HOUR_AGO, AN_HOUR_AGO))


def test_a_small_change_is_added_beside_the_parse_results(minimal_site: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    age(minimal_site)
    settle(monkeypatch)
    folder = tmp_path / "cache"
    cache = DiskParseCache(folder)
    load_site(minimal_site, cache)
    cache.save()
    whole = (folder / "parse.pickle").read_bytes()
    edit(minimal_site / "content/people/ana-lima.md", "Engineer", "Staff Engineer")
    cache = DiskParseCache(folder)
    load_site(minimal_site, cache)
    cache.save()
    assert (folder / "parse.pickle").read_bytes() == whole, "one new result does not rewrite them all"
    assert (folder / "parse-new.pickle").is_file()
    again = DiskParseCache(folder)
    monkeypatch.setattr("trombino.loader.parse_file", lambda *args: pytest.fail("parsed again"))
    assert load_site(minimal_site, again).site.people["ana-lima"].title == "Staff Engineer"


def test_results_are_merged_again_and_an_old_journal_is_ignored(minimal_site: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    age(minimal_site)
    settle(monkeypatch)
    folder = tmp_path / "cache"
    person = minimal_site / "content/people/ana-lima.md"
    cache = DiskParseCache(folder)
    load_site(minimal_site, cache)
    cache.save()
    edit(person, "Engineer", "Staff Engineer")
    cache = DiskParseCache(folder)
    load_site(minimal_site, cache)
    cache.save()
    old_journal = (folder / "parse-new.pickle").read_bytes()
    monkeypatch.setattr(DiskParseCache, "JOURNAL_MINIMUM", 0)  # every change now merges everything
    edit(person, "Staff Engineer", "Principal Engineer")
    cache = DiskParseCache(folder)
    load_site(minimal_site, cache)
    cache.save()
    assert not (folder / "parse-new.pickle").exists()
    merged = DiskParseCache(folder).entries
    assert not any(getattr(v, "path", "") == "content/people/ana-lima.md" and "Staff" in v.record.values["title"] for v in merged.values()), "unused results were dropped"
    (folder / "parse-new.pickle").write_bytes(old_journal)  # left over from the parse.pickle before
    assert DiskParseCache(folder).entries.keys() == merged.keys()


def test_files_parsed_while_discovering_give_the_same_site(make_site, monkeypatch) -> None:  # noqa: ANN001
    """EarlyParse (no cache: every file is parsed) hands its batches to workers during discovery."""
    from trombino import loader

    posts = {f"content/posts/2026/01/u{i}.md": f"---\nauthor: ana\ndate: 2026-01-{i % 28 + 1:02d}T10:00:00+00:00\n---\nNote {i} about #python\n" for i in range(30)}
    root = make_site({"trombino.yaml": "title: Early\n", "content/people/ana.md": "---\nname: Ana\n---\nHi.\n", **posts})
    monkeypatch.setattr(loader, "PARSE_BATCH", 4)
    sent = []
    monkeypatch.setattr(loader.EarlyParse, "_send", lambda self, original=loader.EarlyParse._send: (sent.append(len(self._waiting)), original(self))[1])
    cache = ParseCache()  # knows no file yet: everything is parsed, early
    early = load_site(root, cache)
    assert sent, "no batch went to the workers early: the test would pass without them"
    assert cache.entries and all(key[0] == parsed.path for key, parsed in cache.entries.items()), "a result cached under another file's key"
    monkeypatch.setattr(loader, "early_parse", lambda config, cache: None)
    plain = load_site(root)
    assert early.site == plain.site and early.diagnostics == plain.diagnostics
