"""A warm ``trombino build`` renders only the pages whose inputs changed, and its output equals a cold build's.

The render record (``.trombino-cache/render.pickle``, see :mod:`trombino.recorded`)
keeps digests of what each page read; these tests edit real sources on disk
at random and compare the warm build's output folder, byte for byte, with a
build that has no cache at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from types import MappingProxyType

import pytest
from test_serve_incremental import difference, starting_corpus, sync, tree

from trombino import build as build_module, recorded
from trombino.cli import main
from trombino.recorded import Digester

BUILT = re.compile(r"\((?P<written>[\d,]+) files written, [\d,]+ unchanged; (?P<rendered>[\d,]+) pages rendered, (?P<reused>[\d,]+) reused from the last build\)")


def warm_build(source: Path, output: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int] | None:
    """``trombino build`` with its cache, in this process; what it rendered, or None if it failed.

    The cache is kept beside the source folder: ``sync`` makes that folder hold exactly the corpus."""
    code = main(["build", "--source", str(source), "--output", str(output), "--cache-dir", str(source.parent / "cache")])
    printed = capsys.readouterr().out
    if code != 0:
        return None
    found = BUILT.search(printed)
    assert found, printed
    return {name: int(value.replace(",", "")) for name, value in found.groupdict().items()}


def cold_build(source: Path, output: Path, capsys: pytest.CaptureFixture[str]) -> bool:
    shutil.rmtree(output, ignore_errors=True)
    code = main(["build", "--source", str(source), "--output", str(output), "--no-cache"])
    capsys.readouterr()
    return code == 0


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_edits_match_a_cold_build(tmp_path: Path, seed: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Odd seeds replay the record in a forked process (as large sites do), even ones in this one.
    monkeypatch.setattr(recorded, "FEW_PAIRS", 0 if seed % 2 else 10**9)
    monkeypatch.setattr(build_module, "workers", lambda: 2)
    corpus = starting_corpus(seed)
    source, warm_out, cold_out = tmp_path / "src", tmp_path / "site", tmp_path / "cold"
    source.mkdir()
    sync(source, corpus.files())
    assert warm_build(source, warm_out, capsys) is not None
    history: list[str] = []
    reused = 0
    for _ in range(10):
        history.append(corpus.edit())
        sync(source, corpus.files())
        before = tree(warm_out)
        outcome = warm_build(source, warm_out, capsys)
        assert (outcome is not None) == cold_build(source, cold_out, capsys), history
        if outcome is None:
            assert tree(warm_out) == before, f"a failed build changed the site after {history}"
            continue
        reused += outcome["reused"]
        problems = difference(tree(warm_out), tree(cold_out))
        assert not problems, f"after {history}: {problems[:8]}"
    assert reused > 0, "no page was ever reused: the test would pass with full rebuilds"


def test_a_profile_edit_renders_few_pages_and_rewrites_fewer_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = starting_corpus(5)
    for _ in range(14):
        corpus.people[corpus.new_slug("p")] = corpus.person()
    for _ in range(20):
        corpus.posts[corpus.new_slug("update")] = corpus.post()
    source, out = tmp_path / "src", tmp_path / "site"
    source.mkdir()
    sync(source, corpus.files())
    first = warm_build(source, out, capsys)
    assert first is not None and first["reused"] == 0
    unchanged = warm_build(source, out, capsys)
    assert unchanged == {"written": 0, "rendered": 0, "reused": first["rendered"]}
    slug = sorted(corpus.people)[0]
    corpus.people[slug]["title"] = "Principal Something"
    sync(source, corpus.files())
    edited = warm_build(source, out, capsys)
    assert edited is not None and 0 < edited["rendered"] < first["rendered"] / 3, edited
    assert "Principal Something" in (out / f"people/{slug}/index.html").read_text()


def test_a_live_file_changed_outside_trombino_is_rendered_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = starting_corpus(6)
    source, out, cold = tmp_path / "src", tmp_path / "site", tmp_path / "cold"
    source.mkdir()
    sync(source, corpus.files())
    assert warm_build(source, out, capsys) is not None
    page = out / "people" / sorted(corpus.people)[0] / "index.html"
    page.write_text("defaced")
    outcome = warm_build(source, out, capsys)
    assert outcome is not None and outcome["rendered"] == 1
    assert cold_build(source, cold, capsys)
    assert not difference(tree(out), tree(cold))


def test_another_output_folder_or_theme_renders_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = starting_corpus(8)
    source = tmp_path / "src"
    source.mkdir()
    sync(source, corpus.files())
    first = warm_build(source, tmp_path / "one", capsys)
    assert first is not None
    other = warm_build(source, tmp_path / "two", capsys)
    assert other is not None and other["reused"] == 0
    corpus.template += 1
    sync(source, corpus.files())
    themed = warm_build(source, tmp_path / "two", capsys)
    assert themed is not None and themed["reused"] == 0 and themed["rendered"] == first["rendered"]


def test_the_cli_reuses_pages_across_processes(tmp_path: Path) -> None:
    """Digests must not depend on the process (string hashing is randomised per process)."""
    corpus = starting_corpus(9)
    source, out = tmp_path / "src", tmp_path / "site"
    source.mkdir()
    sync(source, corpus.files())
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "trombino", "build", "--source", str(source), "--output", str(out), "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        runs.append(BUILT.search(done.stdout))
    assert runs[1] and runs[1]["rendered"] == "0" and runs[1]["written"] == "0", runs[1]


# -- digests -------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    name: str
    tags: frozenset[str]
    when: date


@dataclass(frozen=True)
class Wrapper:  # like a timeline's entry: spelled out where it stands, not digested on its own
    item: Item
    via: Item | None = None


ANA, BRUNO = Item("ana", frozenset({"go"}), date(2026, 1, 1)), Item("bruno", frozenset(), date(2026, 1, 1))


DIGEST_SCRIPT = """
import sys
from datetime import date
sys.path.insert(0, {tests!r})
from test_recorded_build import Item, sample
from trombino.recorded import Digester
print(Digester()(sample()).hex())
"""


def sample() -> object:
    return {"items": (Item("ana", frozenset({"rust", "go", "sql", "python"}), date(2026, 1, 2)),), "set": {"b", "a", "c"}, "view": MappingProxyType({"x": [1.5, None, True]}), "wrapped": (Wrapper(ANA, BRUNO), Wrapper(BRUNO))}


def test_digests_are_the_same_in_every_process() -> None:
    here = Digester()(sample())
    assert here is not None
    for seed in ("0", "7"):
        script = DIGEST_SCRIPT.format(tests=str(Path(__file__).parent))
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == here.hex()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (1, "1"),
        (1, True),
        ((1, 2), [1, 2]),
        (("ab", "c"), ("a", "bc")),
        (Item("ana", frozenset(), date(2026, 1, 1)), Item("ana", frozenset(), date(2026, 1, 2))),
        (Item("ana", frozenset({"go"}), date(2026, 1, 1)), Item("ana", frozenset({"rust"}), date(2026, 1, 1))),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # templates see the order
        (datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 1)),
        (1.0, 1),
        (Wrapper(ANA), ANA),
        (Wrapper(ANA), Wrapper(BRUNO)),
        (Wrapper(ANA), Wrapper(ANA, ANA)),
        ((Wrapper(ANA, BRUNO), Wrapper(BRUNO)), (Wrapper(ANA), Wrapper(BRUNO, BRUNO))),
        ((Wrapper(ANA),) * 9, (Wrapper(ANA),) * 8 + (Wrapper(BRUNO),)),
    ],
)
def test_different_values_have_different_digests(a: object, b: object) -> None:
    digest = Digester()
    assert digest(a) != digest(b)
    assert digest(a) == Digester()(a)


def test_wrappers_are_spelled_out_and_equal_values_digest_alike() -> None:
    from trombino.recorded import _field_plan

    assert _field_plan(Wrapper)[2] and not _field_plan(Item)[2]
    digest = Digester()
    assert digest(Wrapper(ANA, BRUNO)) == digest(Wrapper(Item("ana", frozenset({"go"}), date(2026, 1, 1)), BRUNO))
    assert digest((Wrapper(ANA),) * 9) == Digester()((Wrapper(ANA),) * 9)


def test_a_value_it_cannot_see_into_has_no_digest() -> None:
    class Opaque:
        pass

    assert Digester()((1, Opaque())) is None


def test_a_cache_that_cannot_be_signed_keeps_no_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A linked cache folder is never trusted (see trombino.cache): pages render as without a cache."""
    corpus = starting_corpus(10)
    source, out, cold = tmp_path / "src", tmp_path / "site", tmp_path / "cold"
    source.mkdir()
    sync(source, corpus.files())
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "elsewhere")
    for _ in range(2):
        assert main(["build", "--source", str(source), "--output", str(out), "--cache-dir", str(tmp_path / "linked")]) == 0
        printed = capsys.readouterr().out
        assert "Built" in printed and "reused from the last build" not in printed
    assert not (tmp_path / "elsewhere" / "render.pickle").exists()
    assert cold_build(source, cold, capsys)
    assert not difference(tree(out), tree(cold))


def test_a_page_whose_reads_cannot_be_recorded_is_rendered_every_time(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Never stale: an opaque page is left out of the record, and the build says how many there are."""
    from trombino import recorded

    original = recorded._digested
    monkeypatch.setattr(recorded, "FEW_PAGES", 10**9)  # rendered in this process, where the patch holds
    # Pages that read the site's reference date: as if one of their reads could not be digested.
    monkeypatch.setattr(recorded, "_digested", lambda values, digester: None if ("site", ("attr", "reference_date")) in values else original(values, digester))
    corpus = starting_corpus(4)
    source, out = tmp_path / "src", tmp_path / "site"
    source.mkdir()
    sync(source, corpus.files())
    said = []
    for _ in range(2):
        assert main(["build", "--source", str(source), "--output", str(out), "--cache-dir", str(tmp_path / "cache")]) == 0
        printed = capsys.readouterr().out
        found = re.search(r"; ([\d,]+) pages rendered, ([\d,]+) reused from the last build, ([\d,]+) that cannot be recorded", printed)
        assert found, printed
        said.append(tuple(int(n.replace(",", "")) for n in found.groups()))
    (rendered, _, opaque), (again, reused, still) = said
    assert 0 < opaque < rendered and still == opaque
    assert again == opaque and reused == rendered - opaque  # only the pages that could not be recorded
