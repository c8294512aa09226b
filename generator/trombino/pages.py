"""The list of pages of a site: which template renders which output file, with what.

Each ``*_pages`` function is a pure function of the model (and its indexes) that
yields :class:`Page` values; :mod:`trombino.render` turns them into bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Callable, Iterable, Iterator

from trombino import search
from trombino.derive import Index
from trombino.model import Site
from trombino.stats import site_stats
from trombino.text import fold

HOME_POSTS = 15
PROFILE_POSTS = 10


@dataclass(frozen=True)
class Page:
    path: str  # output file relative to the site root, e.g. "people/ana/index.html"
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    kind: str = "html"  # html | raw (context["body"] is the file's text) | data (see views.pages.DATA_FILES)


def url_of(path: str) -> str:
    """The URL path of an output file ('people/ana/index.html' → 'people/ana/')."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


def home_pages(site: Site, index: Index) -> Iterator[Page]:
    yield Page("index.html", "home.html", {"recent": site.posts[:HOME_POSTS], **_views_context("cloud_context", site, index)})


def directory_pages(site: Site, index: Index) -> Iterator[Page]:
    people = site.current_people
    groups = [(key, tuple(group)) for key, group in groupby(people, key=lambda p: sort_letter(p.sort_key))]
    former = tuple(p for p in site.people.values() if p.former)
    yield Page("people/index.html", "people.html", {"groups": groups, "former": former, "count": len(people)})


def person_pages(site: Site, index: Index) -> Iterator[Page]:
    for person in site.people.values():
        posts = index.posts_by_author.get(person.slug, ())
        yield Page(
            f"people/{person.slug}/index.html",
            "person.html",
            {
                "person": person,
                "posts": posts[:PROFILE_POSTS],
                "post_count": len(posts),
                "mentions": index.mentions_of.get(person.slug, ())[:PROFILE_POSTS],
                "manager": site.people.get(person.manager) if person.manager else None,
                "reports": index.reports_of.get(person.slug, ()),
                "chain": index.manager_chain(person.slug),
                "last_post": index.last_post_date(person.slug),
                "stale": index.is_stale(person),
                **_views_context("person_context", site, index, person.slug),
            },
        )


def team_pages(site: Site, index: Index) -> Iterator[Page]:
    yield Page("teams/index.html", "teams.html", {"tree": index.team_tree()})
    for team in site.teams.values():
        yield Page(
            f"teams/{team.slug}/index.html",
            "team.html",
            {
                "team": team,
                "members": index.members(team.slug),
                "leads": index.leads(team.slug),
                "ancestors": index.team_ancestors(team.slug),
                "children": index.children_of.get(team.slug, ()),
                "posts": index.posts_by_team.get(team.slug, ())[:HOME_POSTS],
                **_views_context("team_context", site, index, team.slug),
            },
        )


def post_pages(site: Site, index: Index) -> Iterator[Page]:
    for post in site.posts:
        yield Page(
            f"posts/{post.id}/index.html",
            "post.html",
            {
                "post": post,
                "replies": index.replies_to.get(post.id, ()),
                "question": index.post_by_id.get(post.in_reply_to) if post.in_reply_to else None,
            },
        )


def tag_pages(site: Site, index: Index) -> Iterator[Page]:
    for tag in site.tags.values():
        yield Page(
            f"tags/{tag.slug}/index.html",
            "tag.html",
            {
                "tag": tag,
                "people": index.people_by_tag.get(tag.key, ()),
                "posts": index.posts_by_tag.get(tag.key, ()),
                **_views_context("tag_context", site, index, tag.key),
            },
        )


def tag_index_pages(site: Site, index: Index) -> Iterator[Page]:
    yield Page("tags/index.html", "tags.html", _views_context("cloud_context", site, index))


def search_pages(site: Site, index: Index) -> Iterator[Page]:
    """The search page and the index files it loads (see trombino.search)."""
    page = index.views.search
    for file in (page.people, *page.updates):
        yield Page(search.INDEX_FOLDER + file.name, "search_file", {"part": file.part}, kind="data")
    yield Page("search/index.html", "search.html", {"search": page, "index_folder": search.INDEX_FOLDER})


def not_found_pages(site: Site, index: Index) -> Iterator[Page]:
    yield Page("404.html", "404.html", {"absolute_links": True})


def _views_context(name: str, site: Site, index: Index, *args: str) -> dict[str, Any]:
    """Context from trombino.views.pages (imported here, lazily: it builds on this module's Page)."""
    from trombino.views import pages as view_pages

    return getattr(view_pages, name)(site, index, *args)


def view_pages(site: Site, index: Index) -> Iterator[Page]:
    """Experts, timelines, org chart, feeds, JSON API and vCards (trombino.views)."""
    from trombino.views.pages import view_pages as sources

    yield from sources(site, index)


def stats_pages(site: Site, index: Index) -> Iterator[Page]:
    """Adoption statistics for admins (trombino.stats, also printed by `trombino stats`)."""
    yield Page("stats/index.html", "stats.html", {"stats": site_stats(site, index)})


PageSource = Callable[[Site, Index], Iterable[Page]]

PAGE_SOURCES: list[PageSource] = [
    home_pages,
    directory_pages,
    person_pages,
    team_pages,
    post_pages,
    tag_pages,
    tag_index_pages,
    search_pages,
    not_found_pages,
    view_pages,
    stats_pages,
]


def all_pages(site: Site, index: Index, sources: Iterable[PageSource] = PAGE_SOURCES) -> Iterator[Page]:
    for source in sources:
        yield from source(site, index)


def sort_letter(text: str) -> str:
    first = fold(text)[:1].upper()
    return first if first.isalpha() else "#"
