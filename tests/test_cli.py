"""The real CLI in a subprocess: exit codes, formats, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli


def break_site(site: Path) -> None:
    (site / "content/people/bruno-diaz.md").write_text("---\nname: Bruno\nskils: [x]\nmanager: nobody\n---\n")


def test_check_clean_site_exits_0(minimal_site: Path) -> None:
    result = run_cli("check", "--source", str(minimal_site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "No problems found." in result.stderr


def test_check_reports_every_fault_with_location_and_exits_1(minimal_site: Path) -> None:
    break_site(minimal_site)
    result = run_cli("check", "--source", str(minimal_site))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/people/bruno-diaz.md:3:1: unknown key 'skils' (did you mean 'skills'?)",
        "content/people/bruno-diaz.md:4:10: unknown manager 'nobody'",
    ]
    assert "Traceback" not in result.stderr
    assert "2 errors in content/people/bruno-diaz.md" in result.stderr


def test_check_json_format(minimal_site: Path) -> None:
    break_site(minimal_site)
    result = run_cli("check", "--source", str(minimal_site), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data[0] == {"path": "content/people/bruno-diaz.md", "line": 3, "column": 1, "message": "unknown key 'skils' (did you mean 'skills'?)", "level": "error"}


def test_check_github_format(minimal_site: Path) -> None:
    break_site(minimal_site)
    result = run_cli("check", "--source", str(minimal_site), "--format", "github")
    assert result.stdout.splitlines()[0] == "::error file=content/people/bruno-diaz.md,line=3,col=1::unknown key 'skils' (did you mean 'skills'?)"


def test_check_changed_puts_own_files_first(minimal_site: Path) -> None:
    break_site(minimal_site)
    (minimal_site / "content/teams/platform.md").write_text("---\nname: Platform\nparent: nowhere\n---\n")
    result = run_cli("check", "--source", str(minimal_site), "--changed", str(minimal_site / "content/teams/platform.md"))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("content/teams/platform.md:3:9: unknown parent team")
    assert "Your files: 1 error in content/teams/platform.md." in result.stderr


def test_build_cli_and_failed_build(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok = run_cli("build", "--source", str(minimal_site), "--output", str(out))
    assert ok.returncode == 0, ok.stderr
    assert (out / "people/ana-lima/index.html").is_file()
    before = (out / "index.html").read_bytes()
    break_site(minimal_site)
    failed = run_cli("build", "--source", str(minimal_site), "--output", str(out))
    assert failed.returncode == 1
    assert "content/people/bruno-diaz.md:3:1: unknown key 'skils'" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert (out / "index.html").read_bytes() == before


def test_build_default_output_is_site_folder(minimal_site: Path) -> None:
    result = run_cli("build", cwd=minimal_site)
    assert result.returncode == 0, result.stderr
    assert (minimal_site / "site/index.html").is_file()


def test_build_check_links_passes_on_clean_site(minimal_site: Path, tmp_path: Path) -> None:
    result = run_cli("build", "--source", str(minimal_site), "--output", str(tmp_path / "o"), "--check-links")
    assert result.returncode == 0, result.stderr


def test_new_person_and_post_templates_pass_check_once_filled(minimal_site: Path) -> None:
    result = run_cli("new", "person", "zoe-roy", "--source", str(minimal_site))
    assert result.returncode == 0, result.stderr
    path = minimal_site / "content/people/zoe-roy.md"
    assert path.is_file()
    unfilled = run_cli("check", "--source", str(minimal_site))
    assert unfilled.returncode == 1 and "content/people/zoe-roy.md" in unfilled.stdout
    path.write_text(path.read_text().replace('name: ""', 'name: "Zoé Roy"'))
    assert run_cli("check", "--source", str(minimal_site)).returncode == 0

    again = run_cli("new", "person", "zoe-roy", "--source", str(minimal_site))
    assert again.returncode == 1 and "already exists" in again.stderr

    post = run_cli("new", "post", "--source", str(minimal_site), "--author", "zoe-roy", "--title", 'Hello "world"')
    assert post.returncode == 0, post.stderr
    filled = run_cli("check", "--source", str(minimal_site))
    assert filled.returncode == 0, filled.stdout


def test_malformed_config_is_reported_not_raised(minimal_site: Path) -> None:
    (minimal_site / "trombino.yaml").write_text("title: [unclosed\n")
    result = run_cli("check", "--source", str(minimal_site))
    assert result.returncode == 1
    assert result.stdout.startswith("trombino.yaml:2:1: malformed YAML")
    assert "Traceback" not in result.stderr
