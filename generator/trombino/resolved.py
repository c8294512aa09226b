"""What one load resolved, kept for the next load of the same configuration in the
same process (``serve``'s parse cache).

Resolving checks each file against the rest of the site and makes the model's
objects: most of a reload when one file changed (1.3 s of a 10,000-people,
100,000-updates load). Whatever was made from the very same parse result, under
the same conditions, is taken as it was:

- a person, if its git date is the same and its photo still checks out the same;
- a post, if its slug is the same and its author, mentions, team, reply and
  contact still exist (see :meth:`KeptResolutions.post`);
- every post at once, when the post files are the same objects, the last load
  kept all of them, and the people, their first teams and the teams are the same:
  the usual case of a profile edit, which then costs nothing per post.

Only what raised no diagnostic is kept, so nothing kept has a message to repeat;
the tag spellings of what is kept are counted again (the most common names a tag).
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Mapping

from trombino.model import Config, Person, Post, Team

if TYPE_CHECKING:
    from trombino.loader import ParsedFile, _Resolver

TagUse = tuple[str, bool, str]  # one tag spelling as ``_Resolver.tag`` knew it


@dataclass(frozen=True)
class Kept:
    parsed: ParsedFile  # the very parse result it was made from
    made: Any  # the Person or Post
    tags: tuple[TagUse, ...]
    condition: Any = None  # what else it was made from: a person's git date, a post's slug


@dataclass(frozen=True)
class AllPosts:
    """Every dated post of a load that kept them all, and what they were checked against."""

    files: list[ParsedFile]  # the load's post files, in order
    numbering: tuple[dict[str, str], list[ParsedFile], set[str]]  # slugs, dated files, post ids
    people: dict[str, str | None]  # person → first team: all a post looks at in a person
    teams: frozenset[str]
    posts: tuple[Post, ...]  # in the model's order
    spellings: dict[str, Counter[str]]  # the posts' tag spellings
    newest: date | None


def same_objects(these: list[Any], those: list[Any]) -> bool:
    return len(these) == len(those) and all(map(operator.is_, these, those))


def post_context(people: Mapping[str, Person], teams: Mapping[str, Team]) -> tuple[dict[str, str | None], frozenset[str]]:
    """What a post's checks read of the people and teams."""
    return {slug: (person.teams[0] if person.teams else None) for slug, person in people.items()}, frozenset(teams)


def add_spellings(into: dict[str, Counter[str]], more: dict[str, Counter[str]]) -> None:
    for key, counts in more.items():
        into[key].update(counts)  # a tag whose spellings are not counted still gets its key


class KeptResolutions:
    def __init__(self) -> None:
        self.config: Config | None = None
        self.people: dict[str, Kept] = {}  # by path
        self.posts: dict[str, Kept] = {}
        self.all_posts: AllPosts | None = None

    def start(self, config: Config) -> bool:
        """Whether what is kept was resolved under this configuration; forgets it if not."""
        if config != self.config:
            self.config, self.people, self.posts, self.all_posts = config, {}, {}, None
        return bool(self.people or self.posts)

    def person(self, resolver: _Resolver, parsed: ParsedFile, updated: date | None) -> Person | None:
        known = self.people.get(parsed.path)
        if known is None or known.parsed is not parsed or known.condition != updated:
            return None
        person: Person = known.made
        photo = parsed.record.values.get("photo")  # type: ignore[union-attr]  # people resolved have a record
        if photo and resolver.find_photo(parsed.path, photo) != (person.photo, None):
            return None
        resolver.count_tags(known.tags)
        return person

    def post(self, resolver: _Resolver, parsed: ParsedFile, slug: str, people: Mapping[str, Person], teams: Mapping[str, Team], post_ids: set[str]) -> Post | None:
        known = self.posts.get(parsed.path)
        if known is None or known.parsed is not parsed or known.condition != slug:
            return None
        post: Post = known.made
        author = people.get(post.author)
        if author is None or any(mention not in people for mention in parsed.mentions):
            return None
        named = parsed.record.values.get("team")  # type: ignore[union-attr]  # posts resolved have a record
        if named is not None:
            if named not in teams:
                return None
        elif post.team != (author.teams[0] if author.teams else None):  # a post naming none takes its author's first
            return None
        if post.in_reply_to and post.in_reply_to not in post_ids:
            return None
        if post.opening and post.opening.contact not in people:
            return None
        resolver.count_tags(known.tags)
        return post
