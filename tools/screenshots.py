"""Take screenshots of a built site with headless Chromium.

    python tools/screenshots.py SITE_DIR OUT_DIR [PATH ...] [--width 1280]

Serves SITE_DIR on 127.0.0.1 and saves one PNG per path (default: the main pages).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
DEFAULT_PATHS = ["", "people/", "people/eloise-marchand/", "teams/platform/", "tags/postgresql/", "tags/", "experts/", "org/", "search/?q=postgre"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full", action="store_true", help="full-page screenshots")
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(args.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
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
