"""What gets published: hidden fields are removed from the model itself.

Site-wide (`publish.hidden_fields` in trombino.yaml) and per person
(`private: [...]` in a profile). Removing them before anything is derived or
rendered means no page, feed, JSON file, vCard or search index can leak them.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Iterable, Mapping

from trombino.model import Person, Post, Site, Tag, Team

# Fields that can be hidden: every profile field but the name and the slug.
HIDEABLE = frozenset(f.name for f in dataclasses.fields(Person)) - {"slug", "name", "source_path", "sort_key", "former", "left", "bio_html", "private"} | {"bio"}
_DEFAULTS = {f.name: (f.default if f.default is not dataclasses.MISSING else None) for f in dataclasses.fields(Person)}


def published_person(person: Person, site_hidden: frozenset[str]) -> Person:
    hidden = (site_hidden | set(person.private)) & HIDEABLE
    if not hidden:
        return person
    changes = {name: _DEFAULTS[name] for name in hidden if name != "bio"}
    if "bio" in hidden:
        changes["bio_html"] = ""
    return dataclasses.replace(person, **changes)


def publish(site: Site) -> Site:
    """The site as it may be published: without any hidden field, nor anything derived from one.

    A post's team defaults to its author's first team, a team named only in a
    profile exists because of it, and a tag exists because someone declared it:
    those go too when the field they came from is hidden.
    """
    site_hidden = frozenset(site.config.hidden_fields)
    people = {slug: published_person(p, site_hidden) for slug, p in site.people.items()}
    # Authors who hide a team: their posts do not tell it. Nobody, usually: the posts stay as they are.
    hiding = {slug: people[slug] for slug, person in site.people.items() if people[slug].teams != person.teams}
    posts = tuple(_published_post(post, site.people[post.author], hiding[post.author]) if post.author in hiding else post for post in site.posts) if hiding else site.posts
    teams = _referenced_teams(site.teams, people.values(), posts)
    tags = _referenced_tags(site.tags, people.values(), posts)
    return dataclasses.replace(site, people=MappingProxyType(people), posts=posts, teams=MappingProxyType(teams), tags=MappingProxyType(tags))


def _published_post(post: Post, author: Person, published: Person) -> Post:
    if post.team is None or post.team in published.teams or post.team not in author.teams:
        return post
    return dataclasses.replace(post, team=None)  # the author hides their teams: the post does not tell them


def _referenced_teams(teams: Mapping[str, Team], people: Iterable[Person], posts: tuple[Post, ...]) -> dict[str, Team]:
    """Teams with a file, or named by a published profile or post (and their ancestors)."""
    named = {t for p in people for t in p.teams} | _posts_references(posts)[0]
    keep = {slug for slug, team in teams.items() if team.source_path is not None or slug in named}
    for slug in list(keep):
        parent = teams[slug].parent
        while parent and parent in teams and parent not in keep:
            keep.add(parent)
            parent = teams[parent].parent
    return {slug: team for slug, team in teams.items() if slug in keep}


def _referenced_tags(tags: Mapping[str, Tag], people: Iterable[Person], posts: tuple[Post, ...]) -> dict[str, Tag]:
    """Tags still declared by a published profile or used by a post."""
    used = {key for p in people for key in p.declared} | _posts_references(posts)[1]
    return {key: tag for key, tag in tags.items() if key in used}


_last_references: tuple[tuple[Post, ...], tuple[frozenset[str], frozenset[str]]] | None = None


def _posts_references(posts: tuple[Post, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The teams and the tags the posts name. The last answer is kept: ``serve`` loads the
    very same tuple of posts again after most profile edits (0.1 s at 100,000 posts)."""
    global _last_references
    if _last_references is not None and _last_references[0] is posts:
        return _last_references[1]
    teams = frozenset(post.team for post in posts if post.team)
    tags: set[str] = set()
    for post in posts:
        tags.update(post.tags)
        if post.opening:
            tags.update(post.opening.required_skills + post.opening.nice_to_have)
    _last_references = posts, (teams, frozenset(tags))
    return _last_references[1]
