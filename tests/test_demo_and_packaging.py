"""The repository's demo site builds cleanly, every internal link resolves, and
an installed (non-editable) trombino carries its theme."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from trombino.linkcheck import check_links
from trombino.loader import load_site

from conftest import REPO


def test_demo_content_has_no_errors_or_warnings() -> None:
    result = load_site(REPO)
    assert [d.format() for d in result.diagnostics] == []
    site = result.site
    assert 35 <= len(site.people) <= 50
    assert 6 <= len([t for t in site.teams.values() if t.source_path]) <= 8
    assert 250 <= len(site.posts) <= 400
    assert any(t.parent for t in site.teams.values())  # two-level tree
    assert sum(1 for p in site.people.values() if p.photo) >= 4


def test_every_internal_link_of_the_demo_site_resolves(demo_site: Path) -> None:
    assert check_links(demo_site) == []


def test_wheel_ships_theme_and_catalogues_and_builds_from_anywhere(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheel_dir.glob("trombino-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "trombino/theme/default/templates/base.html" in names
    assert "trombino/theme/default/static/style.css" in names
    assert "trombino/messages/fr.yaml" in names
    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); sys.argv[1:] = sys.argv[2:]; "
         "import trombino, trombino.cli; assert 'installed' in trombino.__file__, trombino.__file__; sys.exit(trombino.cli.main())",
         str(installed), "build", "--source", str(REPO), "--output", str(tmp_path / "out")],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/people/index.html").is_file()
