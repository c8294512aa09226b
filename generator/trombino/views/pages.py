"""Pages of the derived views: experts, timelines, org chart, feeds, JSON, vCards, openings.

The base page sources in :mod:`trombino.pages` call :func:`view_pages` (one
entry of ``PAGE_SOURCES``) and add the views' data to the pages they already
make (profiles, team and tag pages, home) through ``index.views``.
"""

from __future__ import annotations

from itertools import groupby
from typing import Iterator

from trombino.derive import Index
from trombino.i18n import Translator
from trombino.model import Site
from trombino.pages import Page, sort_letter
from trombino.views import Views
from trombino.views.api import people_json, teams_json
from trombino.views.feeds import FEED_ENTRIES, AtomWriter, FeedSpec
from trombino.views.faces import faces
from trombino.views.hours import hours_strip
from trombino.views.openings import listable, tiers
from trombino.views.places import locations
from trombino.views.timelines import TimelinePage, open_questions
from trombino.views.vcard import vcard

TOP_EXPERTS = 3
CANDIDATES_SHOWN = 10  # on an opening's page with their reasons; the rest as a short list
OPENINGS_FEED = "feeds/openings.xml"


def _later_pages(pages: tuple[TimelinePage, ...]) -> tuple[TimelinePage, ...]:
    return pages[1:]


def expert_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    rows = [(tag, views.experts.experts(key)[:TOP_EXPERTS], len(views.experts.experts(key))) for key, tag in site.tags.items()]
    # site.tags is A–Z by folded display name, so letters come in order.
    groups = tuple((letter, tuple(group)) for letter, group in groupby(rows, key=lambda row: sort_letter(row[0].display)))
    yield Page("experts/index.html", "experts.html", {"groups": groups, "top": TOP_EXPERTS})


def timeline_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    for slug, team in site.teams.items():
        for page in _later_pages(views.team_timeline(slug)):
            yield Page(page.path + "index.html", "timeline.html", {"timeline": page, "team": team, "feed": f"feeds/teams/{slug}.xml"})
        for page in views.team_decisions(slug):
            yield Page(page.path + "index.html", "decisions.html", {"timeline": page, "team": team, "feed": f"feeds/teams/{slug}.xml"})
    for page in views.company_timeline():
        yield Page(page.path + "index.html", "updates.html", {"timeline": page, "feed": "feeds/updates.xml"})
    for key, tag in site.tags.items():
        for page in _later_pages(views.tag_timeline(key)):
            yield Page(page.path + "index.html", "timeline.html", {"timeline": page, "tag": tag, "feed": f"feeds/tags/{tag.slug}.xml"})


def org_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    yield Page("org/index.html", "org.html", {"org": views.org})


def feed_specs(site: Site, index: Index, views: Views) -> Iterator[FeedSpec]:
    t = Translator(site.config.language)
    yield FeedSpec("feeds/updates.xml", "updates/", t("feed_updates", site=site.config.title), site.posts)
    for slug, team in site.teams.items():
        posts = tuple(e.post for e in views.team_entries(slug)[:FEED_ENTRIES])
        yield FeedSpec(f"feeds/teams/{slug}.xml", f"teams/{slug}/", t("feed_team", team=team.name, site=site.config.title), posts)
    for slug, person in site.people.items():
        posts = index.posts_by_author.get(slug, ())
        yield FeedSpec(f"feeds/people/{slug}.xml", f"people/{slug}/", t("feed_person", name=person.name, site=site.config.title), posts)
    for key, tag in site.tags.items():
        posts = index.posts_by_tag.get(key, ())
        yield FeedSpec(f"feeds/tags/{tag.slug}.xml", f"tags/{tag.slug}/", t("feed_tag", tag=tag.display, site=site.config.title), posts)
    yield FeedSpec(OPENINGS_FEED, "openings/", t("feed_openings", site=site.config.title), views.openings.open_posts)


def feed_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    writer = AtomWriter(site)
    for path, text in writer.feeds(feed_specs(site, index, views)):
        yield Page(path, "", {"body": text}, kind="raw")


def data_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    yield Page("api/people.json", "", {"body": people_json(site, index, views.experts)}, kind="raw")
    yield Page("api/teams.json", "", {"body": teams_json(site, index)}, kind="raw")
    for slug, person in site.people.items():
        yield Page(f"people/{slug}/{slug}.vcf", "", {"body": vcard(site, person)}, kind="raw")


def opening_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    """/openings/ (open ones, then the archive) and /openings/<post id>/ for each (see docs/openings.md)."""
    openings = views.openings
    yield Page("openings/index.html", "openings.html", {"openings": openings, "feed": OPENINGS_FEED})
    for view in openings.open + openings.archived:
        shown = view.candidates[:CANDIDATES_SHOWN]
        context = {"view": view, "groups": tiers(shown), "more": view.candidates[len(shown) :], "feed": OPENINGS_FEED}
        yield Page(view.path + "index.html", "opening.html", context)


def faces_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    """The trombinoscope: every face, team by team, filterable and printable (issue 9)."""
    yield Page("faces/index.html", "faces.html", {"faces": faces(site, index)})


def location_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    places, unplaced = locations(site)
    yield Page("locations/index.html", "locations.html", {"places": places, "unplaced": unplaced})


VIEW_SOURCES = (expert_pages, timeline_pages, org_pages, feed_pages, data_pages, opening_pages, faces_pages, location_pages)


def view_pages(site: Site, index: Index) -> Iterator[Page]:
    for source in VIEW_SOURCES:
        yield from source(site, index, index.views)


# Extra context for the pages trombino.pages already makes.


def person_context(site: Site, index: Index, slug: str) -> dict:
    views: Views = index.views
    person = site.people[slug]
    return {
        "declared": views.experts.declared_groups(slug),
        "shown": views.experts.shown(slug),
        "booking": views.booking(person),
        "feed": f"feeds/people/{slug}.xml",
        "vcard": f"people/{slug}/{slug}.vcf",
        "fitting_openings": views.openings.for_person(slug),
        # Someone not listed for openings learns how to be, while there are any.
        "openings_hint": bool(views.openings.open) and not person.former and not listable(person, site.config),
    }


def team_context(site: Site, index: Index, slug: str) -> dict:
    views: Views = index.views
    entries = views.team_entries(slug)
    members = index.members(slug)
    return {
        "timeline": views.team_timeline(slug)[0],
        "decision_count": views.team_decisions(slug)[0].total,
        "questions": open_questions(site, index, entries),
        "load": tuple((m.person, views.booking(m.person)) for m in members if m.person.commitments),
        "feed": f"feeds/teams/{slug}.xml",
        "hours": hours_strip((m.person for m in members), site.config.timezone, site.reference_date),
    }


def tag_context(site: Site, index: Index, key: str) -> dict:
    views: Views = index.views
    tag = site.tags[key]
    return {
        "experts": views.experts.experts(key),
        "timeline": views.tag_timeline(key)[0],
        "feed": f"feeds/tags/{tag.slug}.xml",
    }


def cloud_context(site: Site, index: Index) -> dict:
    return {"cloud": index.views.cloud}
