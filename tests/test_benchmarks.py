"""The benchmark harness in ``benchmarks/``: its corpus is deterministic and valid, and the
runner measures a real (tiny) corpus end to end and writes its report."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import trombino

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
ENV_PATH = str(Path(trombino.__file__).parent.parent)


def run(*command: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=timeout, env={"PYTHONPATH": ENV_PATH, "PATH": "/usr/bin:/bin"})


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def make_corpus(out: Path, seed: int, hugo: Path | None = None) -> None:
    extra = ["--hugo", str(hugo)] if hugo else []
    made = run(str(BENCHMARKS / "make_corpus.py"), "--people", "60", "--updates", "400", "--seed", str(seed), "--out", str(out), *extra)
    assert made.returncode == 0, made.stderr


def front_matter(path: Path) -> str:
    return path.read_text().split("---\n")[1]


def test_the_corpus_is_deterministic_realistic_and_valid(tmp_path: Path) -> None:
    first, again, other, hugo = tmp_path / "a", tmp_path / "b", tmp_path / "c", tmp_path / "hugo"
    make_corpus(first, 7, hugo)
    make_corpus(again, 7)
    make_corpus(other, 8)
    assert tree(first) == tree(again)
    assert tree(first) != tree(other)

    people = sorted((first / "content/people").glob("*.md"))
    posts = sorted((first / "content/posts").rglob("*.md"))
    assert len(people) == 60 and len(posts) == 400
    names = [re.search(r"^name: (.*)$", front_matter(p), re.M).group(1) for p in people]
    assert any(not name.isascii() for name in names), "no accented name"
    assert sum("manager:" in front_matter(p) for p in people) >= 30
    assert any("parent:" in front_matter(t) for t in (first / "content/teams").glob("*.md")), "no team tree"
    matters = [front_matter(p) for p in posts]
    years = {re.search(r"^date: (\d{4})", m, re.M).group(1) for m in matters}
    assert len(years) >= 3, years
    assert {"decision", "question"} <= {k for m in matters for k in re.findall(r"^kind: (\w+)$", m, re.M)}
    bodies = [p.read_text().split("---\n", 2)[2] for p in posts]
    assert sum("@" in body for body in bodies) >= 40 and sum("#" in body for body in bodies) >= 40
    authors = [re.search(r"^author: (.*)$", m, re.M).group(1) for m in matters]
    busiest = max(authors.count(a) for a in set(authors))
    assert busiest >= 4 * len(authors) / len(set(authors)), "authors are not skewed (Zipf)"

    checked = run("-m", "trombino", "check", "--source", str(first), "--no-cache")
    assert checked.returncode == 0 and "No problems found" in checked.stdout + checked.stderr, checked.stderr

    # The same people and updates as a Hugo site: people as pages, updates as posts with tags and authors.
    assert (hugo / "hugo.toml").is_file()
    assert len(list((hugo / "content/people").glob("*.md"))) == 60
    hugo_posts = [p for p in (hugo / "content").rglob("*.md") if "people" not in p.parts]
    assert len(hugo_posts) == 400
    assert all("tags" in p.read_text() and "authors" in p.read_text() for p in hugo_posts[:20])


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the runner on a 30x200 corpus, for the tests below: the folder of its work and report."""
    folder = tmp_path_factory.mktemp("bench")
    ran = run(str(BENCHMARKS / "run.py"), "--scales", "30x200", "--runs", "1", "--no-hugo", "--work", str(folder / "work"), "--out", str(folder / "report"), timeout=600)
    assert ran.returncode == 0, ran.stderr
    return folder


def test_the_runner_measures_a_small_corpus_and_writes_its_report(small_run: Path) -> None:
    out = small_run / "report"
    report = json.loads((out / "report.json").read_text())
    scale = report["scales"]["30x200"]
    assert (scale["people"], scale["updates"]) == (30, 200)
    for key in ("cold_build", "first_cached_build", "warm_build_profile_edit", "warm_build_new_update", "check_cold", "check_warm", "check_after_profile_edit"):
        measure = scale[key]
        assert measure["wall_s"] > 0 and measure["cpu_s"] > 0 and measure["peak_rss_mb"] > 0, key
    assert scale["cold_build"]["pages"] > 200  # every update has its page, and then some
    assert scale["warm_build_new_update"]["pages"] > scale["cold_build"]["pages"]  # the new update's page, at least
    assert 0 < scale["warm_build_profile_edit"]["share_of_cold"]
    assert scale["search_index"]["gzip_kb"] > 0 and scale["search_index"]["raw_kb"] > scale["search_index"]["gzip_kb"]
    markdown = (out / "report.md").read_text()
    assert "| 30x200 (30/200) | cold build |" in markdown and "One run." in markdown
    trash = small_run / "work" / ".trash"
    assert not trash.exists() or not any(trash.iterdir()), "the runner left its set-aside outputs"


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="the runner times search queries in /usr/bin/chromium")
def test_the_runner_times_search_queries_in_chromium(small_run: Path) -> None:
    queries = json.loads((small_run / "report" / "report.json").read_text())["scales"]["30x200"]["search_query_ms"]
    assert "skipped" not in queries, queries
    assert queries["page_ready_s"] > 0 and all(value > 0 for key, value in queries.items() if key != "page_ready_s")
