"""Save-to-reloaded-page time of `trombino serve`, measured in headless Chromium.

    python benchmarks/serve_reload.py --people 1000 --updates 10000 --edits 7

Generates the corpus (benchmarks/make_corpus.py, fixed seed) unless --corpus
names one, starts `trombino serve --port 0` on a copy, opens one person's
profile in Chromium, then edits that person's `title` again and again. Each
time it measures from the file write to the moment the open tab shows the new
title (the page reloads itself, told by the server's event stream), then lets
the rest of the rebuild end before the next edit. Prints the median and spread;
the median up to the reloaded document's DOMContentLoaded by the browser's own
clock (Playwright's polling adds its round trips to the first figure); the
median time from a rebuild's start until the open tab's page was written (the
server writes the pages open in tabs first); and the server's rebuild lines.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def start_server(source: Path) -> tuple[subprocess.Popen[str], str, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "trombino", "serve", "--source", str(source), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    url = ""
    for line in process.stdout:
        lines.append(line.rstrip())
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if found:
            url = found.group(0)
            break
    if not url:
        raise SystemExit("serve did not start:\n" + "\n".join(lines))
    for line in process.stdout:  # the server listens at once, then makes its first build
        lines.append(line.rstrip())
        if "first build" in line:
            break
    # Keep reading its output (one line per rebuild) without blocking it.
    threading.Thread(target=lambda: lines.extend(line.rstrip() for line in process.stdout), daemon=True).start()  # type: ignore[union-attr]
    return process, url, lines


def measure(source: Path, edits: int) -> dict:
    from playwright.sync_api import sync_playwright

    person = sorted((source / "content/people").glob("*.md"))[3]
    text = person.read_text(encoding="utf-8")
    if "\ntitle:" not in text:
        raise SystemExit(f"{person} has no title line to edit")
    process, url, lines = start_server(source)
    times: list[float] = []  # until Playwright's polling sees the new title
    shown: list[float] = []  # until the reloaded document was parsed (its DOMContentLoaded), by the browser's clock
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page()
            page.goto(f"{url}people/{person.stem}/")
            page.wait_for_load_state("load")
            time.sleep(1.0)  # let the event stream connect
            for number in range(edits):
                title = f"Benchmark title {number}"
                edited = re.sub(r"\ntitle:[^\n]*", f"\ntitle: {title}", text, count=1)
                started, wall = time.perf_counter(), time.time()
                person.write_text(edited, encoding="utf-8")
                page.wait_for_function("(t) => document.body && document.body.innerText.includes(t)", arg=title, timeout=300_000, polling=10)
                times.append(time.perf_counter() - started)
                loaded_ms = page.evaluate("() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
                shown.append(loaded_ms / 1000 - wall)
                # The tab reloads before the whole site is rebuilt: let that rebuild end, so the
                # next save does not wait for it (nobody saves that often while reading the page).
                while sum("rebuilt in" in line for line in lines) <= number:
                    time.sleep(0.05)
                time.sleep(0.3)
            browser.close()
    finally:
        person.write_text(text, encoding="utf-8")
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # still busy building: do not leave it behind
            process.kill()
            process.wait()
    rebuilds = [line for line in lines if line.startswith("rebuilt in")]
    ahead = [float(found.group(1).replace(",", "")) / 1000 for line in rebuilds if (found := re.search(r"the open tabs' pages in ([\d,]+) ms", line))]
    return {
        "median_s": round(statistics.median(times), 3),
        "shown_median_s": round(statistics.median(shown), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "runs": len(times),
        "open_page_written_median_s": round(statistics.median(ahead), 3) if ahead else None,
        "server": [line for line in lines if "built" in line],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--corpus", type=Path, help="an existing corpus to copy instead of generating one")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="trombino-serve-bench-"))
    try:
        source = work / "corpus"
        if args.corpus:
            shutil.copytree(args.corpus, source, ignore=shutil.ignore_patterns(".trombino-cache", "site"))
        else:
            sys.path.insert(0, str(HERE))
            from run import SEED, generate  # type: ignore[import-not-found]  # the corpus run.py measures

            generate(args.people, args.updates, SEED, source, None)
        result = measure(source, args.edits)
        print(f"save → reloaded tab, one-profile edit, {args.edits} edits: median {result['median_s']} s (min {result['min_s']}, max {result['max_s']})")
        print(f"save → reloaded page parsed (its DOMContentLoaded, without the polling's delay): median {result['shown_median_s']} s")
        if result["open_page_written_median_s"] is not None:
            print(f"rebuild start → open tab's page written (server's figure): median {result['open_page_written_median_s']} s")
        for line in result["server"]:
            print("  server:", line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
