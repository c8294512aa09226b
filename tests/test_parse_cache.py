"""The parse cache skips reading files whose stat shows them unchanged, and never trusts a stale stat."""

from __future__ import annotations

import os
import time
from unittest import mock

import pytest
from pathlib import Path

from trombino import loader
from trombino.cache import DiskParseCache
from trombino.diagnostics import Diagnostics
from trombino.loader import ParseCache, discover, drifted, load_site

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


@pytest.mark.parametrize("batch", [4, loader.PARSE_BATCH], ids=["workers", "too-few-files-for-workers"])
def test_without_a_cache_parsing_reads_the_files_and_reports_what_it_cannot(make_site, monkeypatch, batch: int) -> None:  # noqa: ANN001
    """With no cache, discovery only lists the files: parsing reads them, in the workers
    if there are enough files for them. A file gone by then is reported as discovery
    reports it, and the site is the same."""
    from trombino import loader

    posts = {f"content/posts/2026/01/u{i}.md": f"---\nauthor: ana\ndate: 2026-01-{i % 28 + 1:02d}T10:00:00+00:00\n---\nNote {i} with @ana\n" for i in range(12)}
    root = make_site({"trombino.yaml": "title: Early\n", "content/people/ana.md": "---\nname: Ana\n---\nHi.\n", **posts})
    gone = root / "content/posts/2026/01/u7.md"
    kept = gone.read_bytes()
    walk = loader._walk

    def walk_then_lose_one(*args):  # noqa: ANN002, ANN202
        for found in walk(*args):
            if found[2] == str(gone):
                gone.unlink()  # listed, then deleted before anything reads it
            yield found

    monkeypatch.setattr(loader, "_walk", walk_then_lose_one)
    monkeypatch.setattr(loader, "PARSE_BATCH", batch)
    monkeypatch.setattr(loader, "workers", lambda: 2)
    read_here = []
    monkeypatch.setattr(loader, "_read_source", lambda *args, original=loader._read_source: (read_here.append(args[0]), original(*args))[1])
    early = load_site(root)
    assert read_here == [], "discovery read files the workers were to read"
    gone.write_bytes(kept)  # back, for the same walk to lose it again
    monkeypatch.setattr(loader, "early_parse", lambda config, cache: None)
    plain = load_site(root)
    assert read_here, "the comparison did not read the files in discovery"
    assert early.site == plain.site and early.diagnostics == plain.diagnostics
    assert [d.format() for d in early.diagnostics] == ["content/posts/2026/01/u7.md:1:1: cannot read file: No such file or directory"]


# -- looking only at the files a watcher reported ----------------------------------------


def listed(sources: list) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(source.path, source.digest) for source in sources]


def discover_told(site: Path, cache: ParseCache, changed: list[str]) -> bool:
    """Discovery told which paths changed, checked equal to a discovery from scratch;
    whether it looked at every file after all."""
    cache.changed = changed
    with mock.patch.object(loader, "_walk", wraps=loader._walk) as walk:
        found = listed(discover(site, Diagnostics(), cache))
    cache.changed = None
    cache.stats, cache.seen = cache.seen, {}
    assert found == listed(discover(site, Diagnostics())), changed
    return walk.called


def test_discovery_told_what_changed_looks_at_those_files_only(minimal_site: Path, monkeypatch) -> None:  # noqa: ANN001
    settle(monkeypatch)
    cache = ParseCache()
    posts = minimal_site / "content/posts/2026"
    (posts / "04").mkdir()
    (posts / "04/a.md").write_text("---\nauthor: ana-lima\ndate: 2026-04-01\n---\nA.\n")
    assert discover_told(minimal_site, cache, []), "the first time, every file"
    assert not discover_told(minimal_site, cache, [])
    (posts / "03/b.md").write_text("---\nauthor: ana-lima\ndate: 2026-03-09\n---\nB.\n")
    (minimal_site / "content/people/ana-lima.md").write_text("---\nname: Ana Lima\n---\n")
    assert not discover_told(minimal_site, cache, ["content/posts/2026/03/b.md", "content/people/ana-lima.md"])
    assert cache.unverified, "the watcher's word was taken for the other files"
    (posts / "03/b.md").unlink()
    (minimal_site / "content/people/sub").mkdir()
    (minimal_site / "content/people/sub/x.md").write_text("---\nname: Not a profile\n---\n")  # people/ is not searched deeper
    assert not discover_told(minimal_site, cache, ["content/posts/2026/03/b.md", "trombino.yaml", "themes/x.html", "content/people/sub/x.md"])
    assert "content/posts/2026/03/b.md" not in cache.stats, "a file gone is forgotten"
    expected = listed(discover(minimal_site, Diagnostics()))
    cache.changed = ["content/teams/platform.md"]
    with mock.patch.object(loader, "_read_source", wraps=loader._read_source) as read, mock.patch.object(loader, "_walk") as walk:
        assert listed(discover(minimal_site, Diagnostics(), cache)) == expected
    assert not read.called and not walk.called, "an unchanged file is not read, though it is named"


@pytest.mark.parametrize("change", ["folder renamed", "folder deleted", "link", "folder made"])
def test_discovery_told_of_a_change_it_cannot_place_looks_at_every_file(minimal_site: Path, change: str) -> None:
    cache = ParseCache()
    discover_told(minimal_site, cache, [])
    posts = minimal_site / "content/posts/2026"
    if change == "folder renamed":
        (posts / "03").rename(posts / "05")
        changed = ["content/posts/2026/03", "content/posts/2026/05"]
    elif change == "folder deleted":
        (posts / "03/hello.md").rename(minimal_site / "hello.md")
        (posts / "03").rmdir()
        changed = ["content/posts/2026/03"]
    elif change == "link":
        (minimal_site / "content/people/zoe.md").symlink_to(minimal_site / "content/people/ana-lima.md")
        changed = ["content/people/zoe.md"]
    else:
        (posts / "07").mkdir()
        (posts / "07/x.md").write_text("---\nauthor: ana-lima\ndate: 2026-07-01\n---\nX.\n")
        changed = ["content/posts/2026/07"]
    assert discover_told(minimal_site, cache, changed)
    assert not cache.unverified, "every file was looked at: nothing to compare afterwards"


def test_drift_finds_what_a_watcher_did_not_report(minimal_site: Path, monkeypatch) -> None:  # noqa: ANN001
    cache = ParseCache()
    discover(minimal_site, Diagnostics(), cache)
    cache.stats, cache.seen = cache.seen, {}
    assert drifted(minimal_site, cache) == []
    ana, platform = minimal_site / "content/people/ana-lima.md", minimal_site / "content/teams/platform.md"
    ana.write_text(ana.read_text() + "More.\n")
    platform.unlink()
    (minimal_site / "content/people/zoe.md").write_text("---\nname: Zoé\n---\n")
    assert drifted(minimal_site, cache) == ["content/people/ana-lima.md", "content/people/zoe.md", "content/teams/platform.md"]
    cache.unverified = True
    assert drifted(minimal_site, cache, interrupted=lambda: True) is None and cache.unverified
    assert drifted(minimal_site, cache) and not cache.unverified, "compared: its answer is rebuilt, the listing counts as verified"
