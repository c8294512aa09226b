"""Working hours across time zones, /locations/ and /faces/: pure views on hand-made models, then pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from trombino.build import build
from trombino.derive import Index
from trombino.model import Team
from trombino.views.faces import faces
from trombino.views.hours import clock, hours_strip, shift_minutes, wrap
from trombino.views.places import location_anchor, locations
from view_model import person, site

from conftest import write_site

SUMMER = date(2026, 6, 1)
WINTER = date(2026, 1, 15)


def test_wrap_splits_a_span_crossing_midnight() -> None:
    assert wrap(600, 1140) == ((600, 1140),)
    assert wrap(-300, 240) == ((1140, 1440), (0, 240))
    assert wrap(1200, 1740) == ((1200, 1440), (0, 300))
    assert clock(0) == "00:00" and clock(1140) == "19:00"


def test_shift_follows_summer_time_on_the_reference_date() -> None:
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    assert shift_minutes(ZoneInfo("Europe/London"), paris, SUMMER) == -60
    assert shift_minutes(ZoneInfo("America/New_York"), paris, SUMMER) == -360
    assert shift_minutes(ZoneInfo("Asia/Kolkata"), paris, SUMMER) == 210  # +5:30 against +2:00
    assert shift_minutes(ZoneInfo("Asia/Kolkata"), paris, WINTER) == 270  # Paris is on +1:00 in January
    assert shift_minutes(ZoneInfo("Australia/Sydney"), paris, WINTER) == 600


def test_strip_groups_by_zone_west_to_east_with_the_common_hours() -> None:
    people = [
        person("ana", timezone="Europe/Paris"),
        person("bob", timezone="America/New_York"),
        person("cy", timezone="Europe/London"),
        person("dee", timezone="Europe/Paris"),
        person("eve"),  # no time zone
    ]
    strip = hours_strip(people, "Europe/Paris", SUMMER)
    assert [row.zone for row in strip.rows] == ["America/New_York", "Europe/London", "Europe/Paris"]
    assert [p.slug for p in strip.rows[2].people] == ["ana", "dee"]
    new_york = strip.rows[0]
    assert new_york.spans == ((900, 1440),)  # 09:00 in New York is 15:00 in Paris; 18:00 there is midnight here
    assert new_york.site_hours == "15:00–00:00" and new_york.local_hours == "09:00–18:00"
    assert strip.common == ((900, 1080),) and strip.common_labels == ("15:00–18:00",)
    assert [p.slug for p in strip.without_zone] == ["eve"] and strip.spread == 360


def test_strip_without_common_hours_and_across_midnight() -> None:
    strip = hours_strip([person("a", timezone="Europe/Paris"), person("b", timezone="Australia/Sydney")], "Europe/Paris", WINTER)
    sydney = [row for row in strip.rows if row.zone == "Australia/Sydney"][0]
    assert sydney.spans == ((1380, 1440), (0, 480))  # 09:00–18:00 in Sydney is 23:00–08:00 in Paris
    assert sydney.site_hours == "23:00–08:00"
    assert strip.common == () and strip.common_labels == ()
    night = hours_strip([person("a", timezone="Australia/Sydney"), person("b", timezone="Asia/Tokyo")], "Europe/Paris", WINTER)
    assert night.common_labels == ("01:00–08:00",)  # one span over the axis's midnight reads as one


def test_strip_counts_each_person_once_and_skips_unknown_zones() -> None:
    ana = person("ana", timezone="Europe/Paris")
    strip = hours_strip([ana, ana, person("x", timezone="Mars/Olympus")], "UTC", SUMMER)
    assert [len(r.people) for r in strip.rows] == [1] and [p.slug for p in strip.without_zone] == ["x"]
    assert hours_strip([], "UTC", SUMMER).rows == ()


def test_locations_group_spellings_and_list_time_zones() -> None:
    s = site(
        [
            person("a", location="Saint-Étienne", timezone="Europe/Paris"),
            person("b", location="saint etienne", timezone="Europe/Paris"),
            person("c", location="Saint-Étienne", timezone="Europe/London"),
            person("d", location="Lisbon", timezone="Europe/Lisbon"),
            person("e"),
            person("f", location="Lisbon", left=date(2025, 1, 1), former=True),
        ]
    )
    places, unplaced = locations(s)
    assert [(p.name, p.anchor, [x.slug for x in p.people], p.zones) for p in places] == [
        ("Lisbon", "at-lisbon", ["d"], ("Europe/Lisbon",)),
        ("Saint-Étienne", "at-saint-etienne", ["a", "b", "c"], ("Europe/Paris", "Europe/London")),
    ]
    assert [p.slug for p in unplaced] == ["e"]
    assert location_anchor("saint  ÉTIENNE") == "at-saint-etienne"


def test_faces_follow_the_team_tree_and_keep_teamless_people_last() -> None:
    teams = [Team("eng", "Engineering"), Team("web", "Web", parent="eng"), Team("ops", "Operations")]
    s = site(
        [
            person("ana", teams=["web", "ops"], location="Nantes"),
            person("bob", teams=["eng"]),
            person("cy"),
            person("old", teams=["eng"], left=date(2025, 1, 1), former=True),
        ],
        teams=teams,
    )
    view = faces(s, Index(s))
    assert [(g.team.slug if g.team else None, [f.person.slug for f in g.faces]) for g in view.groups] == [
        ("eng", ["bob"]),
        ("web", ["ana"]),
        ("ops", ["ana"]),  # in two teams: on both pages of a printed trombinoscope
        (None, ["cy"]),
    ]
    assert view.groups[1].faces[0].place == "at-nantes" and view.groups[0].faces[0].place == ""
    assert view.count == 3 and view.locations == (("at-nantes", "Nantes"),)


# -- pages ---------------------------------------------------------------------------------------------

ZONES = {"ana-lima": ("Nantes", "Europe/Paris"), "bruno-diaz": ("New York", "America/New_York"), "chloe-wu": ("Nantes", "Europe/Paris"), "dev-rao": ("", "")}


@pytest.fixture(scope="module")
def zoned_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("zoned")
    files = {
        "trombino.yaml": "title: Zone Corp\nlanguage: fr\ntimezone: Europe/Paris\n",
        "content/teams/platform.md": "---\nname: Platform\n---\n",
        "content/teams/web.md": "---\nname: Web\n---\n",
        "content/posts/2026/06/hello.md": "---\nauthor: ana-lima\ndate: 2026-06-01\n---\nHello\n",
    }
    for slug, (place, zone) in ZONES.items():
        team = "web" if slug == "dev-rao" else "platform"
        extra = (f"location: {place}\n" if place else "") + (f"timezone: {zone}\n" if zone else "")
        files[f"content/people/{slug}.md"] = f"---\nname: {slug.replace('-', ' ').title()}\nteam: {team}\n{extra}---\n"
    write_site(root / "src", files)
    assert build(root / "src", root / "out").ok
    return root / "out"


def test_team_page_shows_the_working_hours_strip(zoned_site: Path) -> None:
    html = (zoned_site / "teams/platform/index.html").read_text(encoding="utf-8")
    assert "Heures de travail" in html
    assert html.count('class="hours-label"') == 3  # New York, Paris, and everyone
    assert '<span class="hours-zone" title="America/New_York">New York</span> <span class="local-time small muted" data-tz="America/New_York" data-time-only></span>' in html
    assert 'aria-label="America/New_York: au travail 09:00–18:00 heure locale, 15:00–00:00 heure de Europe/Paris"' in html
    assert '<rect class="hours-work" x="900" y="5" width="540" height="14"/>' in html
    assert "Tout le monde est au travail : 15:00–18:00 (heure de Europe/Paris)." in html
    assert " style=" not in html  # the CSP forbids inline styles
    assert "hours-grid" not in (zoned_site / "teams/web/index.html").read_text(encoding="utf-8")  # nobody gave a zone


def test_locations_page_and_profile_link_to_each_other(zoned_site: Path) -> None:
    html = (zoned_site / "locations/index.html").read_text(encoding="utf-8")
    assert re.search(r'<section class="place" id="at-nantes"[^>]*>\s*<h2 id="at-nantes-h">Nantes <span class="muted small">\(2 personnes\)</span>', html)
    assert '<span class="local-time" data-tz="Europe/Paris">Europe/Paris</span>' in html
    assert "Lieu non indiqué" in html and "Dev Rao" in html
    profile = (zoned_site / "people/ana-lima/index.html").read_text(encoding="utf-8")
    assert '<a href="../../locations/#at-nantes">Nantes</a>' in profile


def test_faces_page_lists_everyone_by_team_with_filters_hidden_until_the_script_runs(zoned_site: Path) -> None:
    html = (zoned_site / "faces/index.html").read_text(encoding="utf-8")
    assert '<form class="faces-filters" id="faces-filters" hidden>' in html
    assert html.count('<li class="face"') == 4
    assert '<option value="platform">Platform</option>' in html and '<option value="at-new-york">New York</option>' in html
    assert re.search(r'<script src="\.\./static/faces\.[0-9a-f]{10}\.js" defer></script>', html)
    assert 'href="../faces/" aria-current="page"' in html
    assert "Trombinoscope" in (zoned_site / "index.html").read_text(encoding="utf-8")  # in the navigation


def test_faces_filters_work_in_the_browser(browser, zoned_site: Path, http_server) -> None:  # noqa: ANN001
    page = browser.new_page()
    try:
        page.goto(http_server(zoned_site) + "faces/?location=at-nantes")
        status = page.locator(".faces-status")
        assert page.locator("#faces-filters").is_visible()
        assert status.text_content() == "2 personnes affichées"
        assert page.locator(".face:visible").count() == 2
        page.select_option("select[name=team]", "web")
        assert status.text_content() == "0 personne affichée"
        assert page.locator(".faces-team:visible").count() == 0
        page.select_option("select[name=location]", "")
        assert status.text_content() == "1 personne affichée"
        assert page.evaluate("location.search") == "?team=web"
    finally:
        page.close()


def test_faces_print_one_team_per_a4_page_without_navigation(browser, zoned_site: Path, http_server) -> None:  # noqa: ANN001
    page = browser.new_page()
    try:
        page.goto(http_server(zoned_site) + "faces/")
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible() and not page.locator(".faces-intro").is_visible()
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages == 2  # Platform, Web
    finally:
        page.close()


def test_team_strip_shows_local_times_and_a_line_at_the_current_time(browser, zoned_site: Path, http_server) -> None:  # noqa: ANN001
    from datetime import datetime, timezone

    page = browser.new_page()
    try:
        page.clock.install(time=datetime(2026, 6, 1, 12, 30, tzinfo=timezone.utc))
        page.goto(http_server(zoned_site) + "teams/platform/")
        assert page.locator('.local-time[data-tz="America/New_York"]').text_content() == "8:30"
        assert page.locator('.local-time[data-tz="Europe/Paris"]').first.text_content() == "14:30"
        lines = page.locator(".hours-now")
        assert lines.count() == 3
        assert {lines.nth(i).get_attribute("x1") for i in range(3)} == {"870"}  # 14:30 on the Paris axis
        assert lines.first.get_attribute("visibility") == "visible"
    finally:
        page.close()
