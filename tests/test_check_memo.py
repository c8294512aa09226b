"""`check` gives its remembered answer only when nothing it depends on changed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trombino.cache import DiskParseCache
from trombino.checking import check_site
from trombino.loader import RACY_NS
from test_parse_cache import AN_HOUR_AGO, age, settle

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def site(minimal_site: Path, tmp_path: Path, monkeypatch) -> Path:  # noqa: ANN001
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    photo = minimal_site / "content/people/ana.png"
    photo.write_bytes(PNG)
    os.utime(photo, (AN_HOUR_AGO, AN_HOUR_AGO))
    person = minimal_site / "content/people/ana-lima.md"
    person.write_text(person.read_text().replace("name: Ana Lima", "name: Ana Lima\nphoto: ana.png"))
    config = minimal_site / "trombino.yaml"
    config.write_text(config.read_text() + "theme: mine\n")
    (minimal_site / "themes/mine/templates").mkdir(parents=True)
    age(minimal_site)
    settle(monkeypatch)
    return minimal_site


def checked(site: Path) -> tuple[list[str], bool]:
    """(the diagnostics, whether the parse results had to be read) of a check with the site's disk cache."""
    cache = DiskParseCache(site / ".trombino-cache")
    found = check_site(site, cache)
    cache.save()
    return [d.format() for d in found], cache._entries is not None


def fresh(site: Path) -> list[str]:
    return [d.format() for d in check_site(site)]


def test_an_unchanged_site_is_answered_without_parsing(site: Path) -> None:
    person = site / "content/people/ana-lima.md"
    person.write_text(person.read_text().replace("team: platform", "team: platform\nmanager: nobody"))
    os.utime(person, (AN_HOUR_AGO, AN_HOUR_AGO))
    first, parsed = checked(site)
    assert parsed and any("unknown manager 'nobody'" in line for line in first)
    again, parsed = checked(site)
    assert again == first == fresh(site)
    assert not parsed, "nothing changed: the remembered answer is given"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: (s / "content/people/ana-lima.md").write_text((s / "content/people/ana-lima.md").read_text().replace("Engineer", "Engineer\nmanager: nobody")), id="content edited"),
        pytest.param(lambda s: (s / "content/people/ana-lima.md").unlink(), id="content deleted"),
        pytest.param(lambda s: (s / "content/people/zoe.md").write_text("---\nname: Zoé\nmanager: nobody\n---\n"), id="content added"),
        pytest.param(lambda s: (s / "trombino.yaml").write_text("title: Test Corp\ntheme: mine\nunknown_setting: 1\n"), id="configuration"),
        pytest.param(lambda s: (s / "content/people/ana.png").unlink(), id="photo deleted"),
        pytest.param(lambda s: (s / "content/people/ana.png").write_bytes(b"not an image at all"), id="photo replaced"),
        pytest.param(lambda s: (s / "themes/mine/templates/extra.html").write_text("{{ _('no_such_message') }}"), id="theme template"),
    ],
)
def test_any_change_to_an_input_is_checked_again(site: Path, change) -> None:  # noqa: ANN001
    before, _ = checked(site)
    change(site)
    after, parsed = checked(site)
    assert after == fresh(site)
    assert after != before, "each of these changes changes the answer"


def test_a_photo_changed_just_now_is_not_trusted(site: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.undo()  # the real clock: the photo below was written a moment ago
    monkeypatch.setenv("XDG_CACHE_HOME", str(site.parent / "xdg"))
    photo = site / "content/people/ana.png"
    photo.write_bytes(PNG)
    checked(site)
    assert DiskParseCache(site / ".trombino-cache").checked is None, "its stat could stay the same through another write"
    _, parsed = checked(site)
    assert parsed


def test_the_command_gives_the_same_report_twice(site: Path, tmp_path: Path) -> None:
    person = site / "content/people/ana-lima.md"
    person.write_text(person.read_text().replace("team: platform", "team: platform\nmanager: nobody"))
    time.sleep(RACY_NS / 1e9 + 0.1)  # the real clock in the subprocess: let every file's stat settle

    def run() -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
        return subprocess.run([sys.executable, "-m", "trombino", "check", "--source", str(site)], capture_output=True, text=True, env=env, timeout=120)

    first = run()
    assert first.returncode == 1 and "unknown manager 'nobody'" in first.stdout
    (site / ".trombino-cache/parse.pickle").unlink()
    second = run()
    assert (second.returncode, second.stdout, second.stderr) == (first.returncode, first.stdout, first.stderr)
    assert not (site / ".trombino-cache/parse.pickle").exists(), "the remembered answer was given: nothing was parsed"
