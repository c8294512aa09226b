"""Openings on the demo site in headless Chromium: ranked candidates with their reasons, at desktop and phone widths.

The opening tested is the demo's open opening with the most candidates, as
:mod:`trombino.views.openings` ranks them, so the test follows the demo
content as it grows. Screenshots land in pytest's temporary folder.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from trombino.derive import Index
from trombino.loader import load_site

from conftest import REPO

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
from playwright.sync_api import expect  # noqa: E402

WIDTHS = (1280, 375)


@pytest.fixture(scope="module")
def demo_openings():  # noqa: ANN201
    site = load_site(REPO).site
    return site, Index(site).views.openings


@pytest.fixture(scope="module")
def base_url(demo_site: Path, http_server) -> str:  # noqa: ANN001
    return http_server(demo_site)


def open_page(browser, width: int):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1" and problems.append(f"foreign request: {r.url}"))
    return context, page, problems


def fits_the_width(page, width: int) -> bool:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_opening_page_shows_ranked_candidates_with_why(browser, base_url: str, demo_openings, width: int, tmp_path: Path) -> None:  # noqa: ANN001
    site, openings = demo_openings
    assert len(openings.open) >= 1 and len(openings.archived) >= 1, "the demo content has open and archived openings"
    view = max(openings.open, key=lambda v: len(v.candidates))
    assert view.candidates, "some demo opening has candidates"
    context, page, problems = open_page(browser, width)
    page.goto(base_url + view.path)
    expect(page.locator("h1")).to_have_text(view.post.heading)
    names = page.locator(".candidate .person-name")
    shown = view.candidates[:10]
    expect(names).to_have_text([m.person.name for m in shown])
    first = page.locator(".candidate").first
    top = view.candidates[0]
    for m in top.required_matched + top.nice_matched:
        expect(first.locator(".skill-match .chip", has_text=site.tags[m.tag].display).first).to_be_visible()
    expect(first.locator(".candidate-score")).to_have_text(f"{top.score:g} pts")
    page.get_by_text("How are people ranked?").click()
    expect(page.locator(".ranking-how p")).to_be_visible()
    assert fits_the_width(page, width)
    page.screenshot(path=str(tmp_path / f"opening-{width}.png"), full_page=True)
    context.close()
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_openings_list_and_a_candidate_page(browser, base_url: str, demo_openings, width: int, tmp_path: Path) -> None:  # noqa: ANN001
    site, openings = demo_openings
    context, page, problems = open_page(browser, width)
    page.goto(base_url + "openings/")
    expect(page.locator(".opening-card-title")).to_have_text([v.post.heading for v in openings.open])
    expect(page.locator(".opening-archive li")).to_have_count(len(openings.archived))
    assert fits_the_width(page, width)
    page.screenshot(path=str(tmp_path / f"openings-{width}.png"), full_page=True)
    slug, pairs = next(iter(openings.by_person.items()))
    page.goto(base_url + f"people/{slug}/")
    expect(page.locator("#fit-h")).to_have_text(f"Openings that fit {site.people[slug].name}")
    expect(page.locator(".fit-title")).to_have_text([v.post.heading for v, _ in pairs])
    assert fits_the_width(page, width)
    context.close()
    assert problems == []
