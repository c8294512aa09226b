"""The expert index: "who knows X?".

A person's expertise in a tag adds two things:

* what they *declare* on their profile, the strongest field counting
  (``skills`` > ``ask_me_about`` > ``interests``);
* what their updates *show*: every update they wrote carrying the tag counts
  ``kind weight × 0.5 ** (age in days / half-life)``, the age measured from the
  site's reference date (its newest content date), so a build is a pure
  function of the content, never of the day it runs.

``docs/expertise.md`` documents the formula with a worked example that a test
recomputes with this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from types import MappingProxyType
from typing import Mapping

from trombino.derive import Index
from trombino.model import Config, Person, Post, Site

# Declared fields, strongest first, and what each is worth.
DECLARED_WEIGHTS: Mapping[str, float] = MappingProxyType({"skills": 3.0, "ask_me_about": 2.0, "interests": 1.0})

# What one fresh post is worth, by kind. An answer (a post replying to a
# question) and a decision show more command of a topic than a plain update; a
# question shows interest rather than expertise; an opening's tags describe the
# people wanted, not the author, so it counts nothing.
KIND_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"decision": 2.0, "answer": 2.0, "update": 1.0, "announcement": 1.0, "question": 0.5, "opening": 0.0}
)


def decay(age_days: int, half_life_days: int) -> float:
    """Weight left after ``age_days``: 1 when fresh, ½ after one half-life."""
    return 0.5 ** (max(age_days, 0) / half_life_days)


def evidence_kind(post: Post, index: Index) -> str:
    """The kind a post counts as: replies to a question are answers."""
    if post.in_reply_to:
        question = index.post_by_id.get(post.in_reply_to)
        if question is not None and question.kind == "question" and post.kind in ("update", "announcement"):
            return "answer"
    return post.kind


def post_weight(post: Post, index: Index, reference: date, half_life_days: int) -> float:
    return KIND_WEIGHTS.get(evidence_kind(post, index), 1.0) * decay((reference - post.day).days, half_life_days)


@dataclass(frozen=True)
class Expertise:
    """One person's standing in one tag, with the evidence behind it."""

    person: Person
    tag: str
    declared: str | None  # strongest declaring field, or None: shown in updates only
    declared_score: float
    activity_score: float
    posts: tuple[Post, ...]  # evidence, newest first

    @property
    def score(self) -> float:
        return self.declared_score + self.activity_score

    @property
    def last(self) -> date | None:
        return self.posts[0].day if self.posts else None

    def rank_key(self) -> tuple:
        # Ties break on declaration strength, then recency, then name: never on dict order.
        last = self.last.toordinal() if self.last else 0
        return (-round(self.score, 9), -self.declared_score, -last, self.person.sort_key, self.person.slug)


@dataclass(frozen=True)
class ExpertIndex:
    by_tag: Mapping[str, tuple[Expertise, ...]]  # every tag with current experts, best first
    by_person: Mapping[str, tuple[Expertise, ...]]  # each person's tags, strongest first (former people too, for their page)

    def experts(self, tag: str) -> tuple[Expertise, ...]:
        return self.by_tag.get(tag, ())

    def declared(self, slug: str) -> tuple[Expertise, ...]:
        """Declared tags in profile order (skills, ask me about, interests)."""
        order = {name: i for i, name in enumerate(DECLARED_WEIGHTS)}
        own = [e for e in self.by_person.get(slug, ()) if e.declared]
        person_order = {key: i for i, key in enumerate(own[0].person.declared)} if own else {}
        return tuple(sorted(own, key=lambda e: (order[e.declared], person_order.get(e.tag, 0))))

    def declared_groups(self, slug: str) -> tuple[tuple[str, tuple[Expertise, ...]], ...]:
        """Declared tags grouped by field, strongest field first: (("skills", (...)), ...)."""
        declared = self.declared(slug)
        groups = ((name, tuple(e for e in declared if e.declared == name)) for name in DECLARED_WEIGHTS)
        return tuple((name, items) for name, items in groups if items)

    def shown(self, slug: str) -> tuple[Expertise, ...]:
        """Tags a person posts about without declaring them, strongest first."""
        return tuple(e for e in self.by_person.get(slug, ()) if not e.declared)


def strongest_field(person: Person, tag: str) -> str | None:
    for name in DECLARED_WEIGHTS:
        if tag in getattr(person, name):
            return name
    return None


def expert_index(site: Site, index: Index) -> ExpertIndex:
    """Score every (person, tag) pair in one pass over the posts; rank current people only.

    Ranking reads only a few fields of a person (:data:`RANKED_FIELDS`), so it runs on the
    people reduced to those, and the real people are put in afterwards. ``serve`` rebuilds
    after every save, and most saves (a title, a bio) leave every reduced person as it was:
    then the last ranking is kept, with only the edited people put in again.
    """
    standing = tuple(map(_ranked_part, site.people.values()))
    inputs = (site.posts, site.reference_date, site.config.half_life_days, standing)
    if _LAST_RANKING and _LAST_RANKING[0] == inputs:
        ranking = _LAST_RANKING[1]
    else:
        ranking = _rank(*_reduced(inputs))
    result = _with_people(ranking, site.people)
    _LAST_RANKING[:] = [inputs, result]
    return result


# The last ranking made and what it was made from (see expert_index): safe to keep,
# since _rank sees nothing else (_reduced), and compared by value (the previous
# build's posts being the very same objects, that is cheap).
_LAST_RANKING: list = []


# All that ranking reads of a person; it sees the others empty.
RANKED_FIELDS = ("slug", "sort_key", "former", *DECLARED_WEIGHTS)
_ranked_part = attrgetter(*RANKED_FIELDS)


def _reduced(inputs: tuple) -> tuple[Site, Index]:
    """A site holding only what ranking may read: its posts, reference date, half-life and reduced people."""
    posts, reference, half_life, standing = inputs
    people = (Person(name="", source_path="", **dict(zip(RANKED_FIELDS, part))) for part in standing)
    empty: Mapping = MappingProxyType({})
    site = Site(Config(half_life_days=half_life), MappingProxyType({p.slug: p for p in people}), empty, posts, empty, reference)
    return site, Index(site)


def _with_people(ranking: ExpertIndex, people: Mapping[str, Person]) -> ExpertIndex:
    """The ranking holding ``people``: items and tuples of people already in it are kept as they are."""
    renewed: dict[int, Expertise] = {}  # id of an item → the same with the person now
    by_person = {}
    for slug, items in ranking.by_person.items():
        person = people[slug]
        if items[0].person is not person:
            fresh = tuple(Expertise(person, e.tag, e.declared, e.declared_score, e.activity_score, e.posts) for e in items)
            renewed.update(zip(map(id, items), fresh))
            items = fresh
        by_person[slug] = items
    if not renewed:
        return ranking
    by_tag = {
        tag: tuple(renewed.get(id(e), e) for e in items) if any(id(e) in renewed for e in items) else items
        for tag, items in ranking.by_tag.items()
    }
    return ExpertIndex(MappingProxyType(by_tag), MappingProxyType(by_person))


def _rank(site: Site, index: Index) -> ExpertIndex:
    reference, half_life = site.reference_date, site.config.half_life_days
    people = site.people
    evidence: dict[tuple[str, str], list[Post]] = defaultdict(list)
    activity: dict[tuple[str, str], float] = defaultdict(float)
    for post in site.posts:  # newest first, so evidence lists are too
        if post.author not in people or not post.tags:
            continue
        weight = post_weight(post, index, reference, half_life)
        if weight <= 0:
            continue
        for tag in post.tags:
            evidence[(post.author, tag)].append(post)
            activity[(post.author, tag)] += weight
    pairs = set(evidence)
    for person in people.values():
        pairs.update((person.slug, tag) for tag in person.declared)
    by_tag: dict[str, list[Expertise]] = defaultdict(list)
    by_person: dict[str, list[Expertise]] = defaultdict(list)
    for slug, tag in pairs:
        person = people[slug]
        field = strongest_field(person, tag)
        item = Expertise(
            person=person,
            tag=tag,
            declared=field,
            declared_score=DECLARED_WEIGHTS[field] if field else 0.0,
            activity_score=activity.get((slug, tag), 0.0),
            posts=tuple(evidence.get((slug, tag), ())),
        )
        by_person[slug].append(item)
        if not person.former:  # former colleagues keep their page but leave the rankings
            by_tag[tag].append(item)
    ranked_tags = {tag: tuple(sorted(items, key=Expertise.rank_key)) for tag, items in sorted(by_tag.items())}
    ranked_people = {
        slug: tuple(sorted(items, key=lambda e: (-round(e.score, 9), e.tag))) for slug, items in sorted(by_person.items())
    }
    return ExpertIndex(MappingProxyType(ranked_tags), MappingProxyType(ranked_people))
