"""Accessibility of the demo site in headless Chromium: axe-core, keyboard use, narrow screens, print.

axe-core is vendored for tests only (tests/vendor/axe-core, MPL-2.0) and injected
into each page; the pages' CSP forbids inline scripts, so the test's browser
context bypasses it (the site itself never does).
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")


def main_pages(site: Path) -> dict[str, str]:
    """Name → path of the pages under test, chosen from what the demo site holds."""
    profile = next(p.parent.name for p in sorted(site.glob("people/*/photo-256.jpg")))
    teams = sorted(site.glob("teams/*/index.html"), key=lambda p: -p.read_text(encoding="utf-8").count('class="hours-label"'))
    return {
        "home": "",
        "people": "people/",
        "profile": f"people/{profile}/",
        "team": f"teams/{teams[0].parent.name}/",
        "search": "search/?q=postgres",
        "experts": "experts/",
        "faces": "faces/",
        "locations": "locations/",
        "org": "org/",
    }


@pytest.fixture(scope="module")
def site_url(demo_site: Path, http_server) -> str:  # noqa: ANN001
    return http_server(demo_site)


def open_page(browser, url: str, *, width: int = 1280, dark: bool = False):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True, color_scheme="dark" if dark else "light")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_load_state("load")
    if "search/" in url:
        page.wait_for_selector(".search-hit", timeout=15000)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def axe_violations(page) -> list[dict]:  # noqa: ANN001
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " — " + n.failureSummary.split("\\n").slice(1, 2).join("")) }));
        }"""
    )


@pytest.mark.parametrize("name", ["home", "profile", "team", "search", "experts", "faces", "locations", "people"])
def test_no_serious_or_critical_axe_violations(browser, demo_site: Path, site_url: str, name: str) -> None:  # noqa: ANN001
    page = open_page(browser, site_url + main_pages(demo_site)[name])
    try:
        violations = axe_violations(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert blocking == [], "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in blocking)
        assert page.errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("name", ["profile", "team", "faces"])
def test_no_serious_axe_violations_in_dark_mode(browser, demo_site: Path, site_url: str, name: str) -> None:  # noqa: ANN001
    page = open_page(browser, site_url + main_pages(demo_site)[name], dark=True)
    try:
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        assert blocking == [], "\n".join(f"{v['impact']} {v['id']}: " + "\n  ".join(v["nodes"]) for v in blocking)
    finally:
        page.context.close()


FOCUS_STATE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return { tag: el.tagName, cls: el.className && el.className.baseVal === undefined ? el.className : "", text: (el.textContent || "").trim().slice(0, 40),
             outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2, shadow: style.boxShadow !== "none",
             visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight };
}"""


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_the_content(browser, demo_site: Path, site_url: str) -> None:  # noqa: ANN001
    page = open_page(browser, site_url + main_pages(demo_site)["profile"])
    try:
        page.keyboard.press("Tab")
        first = page.evaluate(FOCUS_STATE)
        assert "skip-link" in first["cls"] and first["visible"] and first["outline"], first
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")  # the first link of the content, not the header again
        assert page.evaluate("document.activeElement.closest('main') !== null")
    finally:
        page.context.close()


@pytest.mark.parametrize("name", ["home", "faces", "team", "search"])
def test_every_focus_stop_shows_a_visible_focus_indicator(browser, demo_site: Path, site_url: str, name: str) -> None:  # noqa: ANN001
    page = open_page(browser, site_url + main_pages(demo_site)[name])
    try:
        seen = []
        for _ in range(40):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_STATE)
            if state["tag"] == "BODY":
                break
            seen.append(state)
            assert state["visible"], f"focus went to something off screen: {state}"
            assert state["outline"] or state["shadow"], f"no visible focus on {state}"
        assert len(seen) >= 10
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_main_pages_fit_the_screen_without_sideways_scrolling(browser, demo_site: Path, site_url: str, width: int) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        too_wide = {}
        for name, path in main_pages(demo_site).items():
            page.goto(site_url + path)
            if name == "search":
                page.wait_for_selector(".search-hit", timeout=15000)
            scroll = page.evaluate("document.scrollingElement.scrollWidth")
            if scroll > width:
                culprit = page.evaluate(
                    """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
                        .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                    width,
                )
                too_wide[name] = (scroll, culprit)
            size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p, main li, main a')).fontSize)")
            assert size >= 14, f"{name}: body text of {size}px is too small to read"
        assert too_wide == {}
    finally:
        context.close()
