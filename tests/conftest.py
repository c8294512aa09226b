"""Shared fixtures: small site factories writing real files, the demo site, a browser."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path → text, dedented, or bytes) under ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path):
    """``make_site({path: text})`` → a site folder in tmp_path with those files."""

    def factory(files: dict[str, str | bytes], name: str = "site") -> Path:
        return write_site(tmp_path / name, files)

    return factory


MINIMAL_SITE = {
    "trombino.yaml": """
        title: Test Corp
        language: en
    """,
    "content/people/ana-lima.md": """
        ---
        name: Ana Lima
        title: Engineer
        team: platform
        skills: [Python, PostgreSQL]
        ---
        Ana builds things.
    """,
    "content/people/bruno-diaz.md": """
        ---
        name: Bruno Díaz
        team: platform
        manager: ana-lima
        ---
    """,
    "content/teams/platform.md": """
        ---
        name: Platform
        ---
        The platform team.
    """,
    "content/posts/2026/03/hello.md": """
        ---
        author: ana-lima
        date: 2026-03-04
        ---
        Hello @bruno-diaz, shipping #python today.
    """,
}


@pytest.fixture
def minimal_site(make_site) -> Path:  # noqa: ANN001
    return make_site(dict(MINIMAL_SITE))


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real ``trombino`` CLI in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "trombino", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's demo site, built once per test session."""
    from trombino.build import build

    output = tmp_path_factory.mktemp("demo") / "site"
    result = build(REPO, output)
    assert result.ok, [d.format() for d in result.diagnostics]
    return output


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skipped where Chromium is absent."""
    if not CHROMIUM.exists() or not shutil.which(str(CHROMIUM)):
        pytest.skip("Chromium is not installed at /usr/bin/chromium (CI installs it with apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def http_server():
    """Serve folders over HTTP on 127.0.0.1: ``url = http_server(folder)``."""
    import functools
    import http.server
    import threading

    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()


class QuietHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        pass
