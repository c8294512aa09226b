"""Golden pages: a small fixed site renders to exactly the HTML kept in tests/golden/.

A deliberate change to templates or CSS changes these files; regenerate them with

    TROMBINO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

and review the diff like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trombino.build import build

from conftest import MINIMAL_SITE, write_site

GOLDEN = Path(__file__).parent / "golden"
PAGES = [
    "people/ana-lima/index.html",
    "teams/platform/index.html",
    "posts/2026/03/hello/index.html",
    "tags/python/index.html",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden")
    site = write_site(root / "site", dict(MINIMAL_SITE))
    result = build(site, root / "out")
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "out"


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden_file(built: Path, page: str) -> None:
    golden = GOLDEN / page.replace("/index.html", "").replace("/", "__")
    golden = golden.with_suffix(".html")
    actual = (built / page).read_text(encoding="utf-8")
    if os.environ.get("TROMBINO_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with TROMBINO_UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8")
