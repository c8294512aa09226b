"""Take screenshots of a built site with headless Chromium.

    python tools/screenshots.py SITE_DIR OUT_DIR [PATH ...] [--width 1280]
    python tools/screenshots.py SITE_DIR docs/screenshots --tour

Serves SITE_DIR on 127.0.0.1 and saves one PNG per path (default: the main pages).
``--tour`` saves the README's visual tour instead (``scripts/screenshots`` builds
the demo site and runs it): fixed views with the clock set to the site's
reference date, lazy images loaded, and PNGs reduced to 256 colours so each
stays small.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import re
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
DEFAULT_PATHS = ["", "people/", "people/eloise-marchand/", "teams/platform/", "tags/postgresql/", "tags/", "experts/", "org/", "search/?q=postgre"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


# The visual tour: (file name, path, viewport width, CSS selector to frame or None for the top of the page).
TOUR = [
    ("home", "", 1280, None),
    ("profile", "people/eloise-marchand/", 1280, None),
    ("faces", "faces/", 1280, None),
    ("team-hours", "teams/platform/", 1280, "#hours-h"),
    ("search", "search/?q=postgres", 1280, None),
    ("experts", "experts/", 1280, None),
    ("org", "org/", 1280, None),
    ("locations", "locations/", 1280, None),
    ("profile-mobile", "people/eloise-marchand/", 375, None),
    ("faces-mobile", "faces/", 375, None),
]


def reference_date(site: Path) -> str:
    """The date the demo site was built for ('Content as of …' in its footer), as YYYY-MM-DD."""
    text = (site / "api/people.json").read_text(encoding="utf-8")
    found = re.search(r'"reference_date":\s*"(\d{4}-\d{2}-\d{2})"', text)
    return found.group(1) if found else "2026-01-01"


def small_png(data: bytes) -> bytes:
    """The screenshot reduced to 256 colours: UI pictures stay sharp at a third of the size."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def tour(browser, base: str, site: Path, out: Path) -> None:  # noqa: ANN001
    from datetime import datetime, timezone

    moment = datetime.fromisoformat(reference_date(site) + "T14:30:00").replace(tzinfo=timezone.utc)
    for name, path, width, frame in TOUR:
        page = browser.new_page(viewport={"width": width, "height": 900 if width > 600 else 760}, color_scheme="light")
        page.clock.install(time=moment)  # local times and "3 days ago" read the same on every run
        page.goto(base + path)
        if "search/" in path:
            page.wait_for_selector(".search-hit")
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
        page.wait_for_load_state("networkidle")
        if frame:
            page.evaluate("(s) => { const el = document.querySelector(s); window.scrollTo(0, el.getBoundingClientRect().top + scrollY - 110); }", frame)
        target = out / f"{name}.png"
        target.write_bytes(small_png(page.screenshot()))
        print(f"{target} ({target.stat().st_size // 1024} KB)")
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full", action="store_true", help="full-page screenshots")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--tour", action="store_true", help="save the README's visual tour (docs/screenshots/) instead")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(args.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        if args.tour:
            tour(browser, base, args.site, args.out)
            browser.close()
            server.shutdown()
            return
        page = browser.new_page(viewport={"width": args.width, "height": args.height}, color_scheme="dark" if args.dark else "light")
        for path in args.paths:
            page.goto(base + path)
            page.wait_for_timeout(300)
            name = (path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home") + f"-{args.width}.png"
            page.screenshot(path=str(args.out / name), full_page=args.full)
            print(args.out / name)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
