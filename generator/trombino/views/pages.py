"""Pages of the derived views: experts, timelines, org chart, feeds, JSON, vCards, openings.

The base page sources in :mod:`trombino.pages` call :func:`view_pages` (one
entry of ``PAGE_SOURCES``) and add the views' data to the pages they already
make (profiles, team and tag pages, home) through ``index.views``.
"""

from __future__ import annotations

from itertools import groupby
from typing import Callable, Iterator

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
            yield Page(page.path + "index.html", "timeline.html", {"timeline": page, "team": team, "feed": feed_path(site, "team", slug)})
        for page in views.team_decisions(slug):
            yield Page(page.path + "index.html", "decisions.html", {"timeline": page, "team": team, "feed": feed_path(site, "team", slug)})
    for page in views.company_timeline():
        yield Page(page.path + "index.html", "updates.html", {"timeline": page, "feed": feed_path(site, "updates")})
    for key, tag in site.tags.items():
        for page in _later_pages(views.tag_timeline(key)):
            yield Page(page.path + "index.html", "timeline.html", {"timeline": page, "tag": tag, "feed": feed_path(site, "tag", key)})


def org_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    yield Page("org/index.html", "org.html", {"org": views.org})


FEEDS = ("updates", "team", "person", "tag", "openings")


def feed_page(site: Site, feed: str, key: str = "") -> str:
    """URL path of the HTML page a feed follows; the feed file mirrors it under feeds/."""
    if feed == "team":
        return f"teams/{key}/"
    if feed == "person":
        return f"people/{key}/"
    if feed == "tag":
        return f"tags/{site.tags[key].slug}/"
    return "openings/" if feed == "openings" else "updates/"


def feed_path(site: Site, feed: str, key: str = "") -> str:
    return "feeds/" + feed_page(site, feed, key).rstrip("/") + ".xml"


def feed_spec(site: Site, index: Index, feed: str, key: str = "") -> FeedSpec:
    """One feed: ``feed`` is one of FEEDS; ``key`` the team or person slug, or the tag key."""
    views: Views = index.views
    t = Translator(site.config.language)
    title = site.config.title
    if feed == "team":
        posts = tuple(e.post for e in views.team_entries(key)[:FEED_ENTRIES])
        heading = t("feed_team", team=site.teams[key].name, site=title)
    elif feed == "person":
        posts = index.posts_by_author.get(key, ())
        heading = t("feed_person", name=site.people[key].name, site=title)
    elif feed == "tag":
        posts = index.posts_by_tag.get(key, ())
        heading = t("feed_tag", tag=site.tags[key].display, site=title)
    elif feed == "openings":
        posts, heading = views.openings.open_posts, t("feed_openings", site=title)
    else:
        posts, heading = site.posts, t("feed_updates", site=title)
    return FeedSpec(feed_path(site, feed, key), feed_page(site, feed, key), heading, posts)


def feed_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    # Listing is cheap; each feed's XML is produced when its page is rendered
    # (in parallel, and again only when what that feed read changed).
    feeds = [("updates", "")] + [("team", slug) for slug in site.teams] + [("person", slug) for slug in site.people]
    feeds += [("tag", key) for key in site.tags] + [("openings", "")]
    for feed, key in feeds:
        yield Page(feed_path(site, feed, key), "atom_feed", {"feed": feed, "key": key}, kind="data")


def data_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    yield Page("api/people.json", "people_json", kind="data")
    yield Page("api/teams.json", "teams_json", kind="data")
    for slug in site.people:
        yield Page(f"people/{slug}/{slug}.vcf", "vcard", {"slug": slug}, kind="data")


# Files of kind "data": the page's template names the function writing its text
# from the model at render time, with the page's context as keyword arguments.
DATA_FILES: dict[str, Callable[..., str]] = {
    "atom_feed": lambda site, index, feed, key: AtomWriter(site).feed(feed_spec(site, index, feed, key)),
    "people_json": lambda site, index: people_json(site, index, index.views.experts),
    "teams_json": teams_json,
    "vcard": lambda site, index, slug: vcard(site, site.people[slug]),
    # Read through index.views so a forked worker finds the documents listed before the fork.
    "search_file": lambda site, index, part: index.views.search_file(part).body,
}


def opening_pages(site: Site, index: Index, views: Views) -> Iterator[Page]:
    """/openings/ (open ones, then the archive) and /openings/<post id>/ for each (see docs/openings.md)."""
    openings = views.openings
    yield Page("openings/index.html", "openings.html", {"openings": openings, "feed": feed_path(site, "openings")})
    for view in openings.open + openings.archived:
        shown = view.candidates[:CANDIDATES_SHOWN]
        context = {"view": view, "groups": tiers(shown), "more": view.candidates[len(shown) :], "feed": feed_path(site, "openings")}
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
        "feed": feed_path(site, "person", slug),
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
        "feed": feed_path(site, "team", slug),
        "hours": hours_strip((m.person for m in members), site.config.timezone, site.reference_date),
    }


def tag_context(site: Site, index: Index, key: str) -> dict:
    views: Views = index.views
    tag = site.tags[key]
    return {
        "experts": views.experts.experts(key),
        "timeline": views.tag_timeline(key)[0],
        "feed": feed_path(site, "tag", key),
    }


def cloud_context(site: Site, index: Index) -> dict:
    return {"cloud": index.views.cloud}
