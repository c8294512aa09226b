"""Internal mobility: openings matched to people, and people matched to openings.

An opening is a post of ``kind: opening``. While it is *open* (its status is
``open`` and its ``closes`` date, if any, has not passed) it ranks candidates:
current colleagues whose profile and updates match its skills. The ranking is
:func:`rank_candidates`, a pure function of the site and the expert index:

* Each skill of the opening (``required_skills``, ``nice_to_have``) is matched
  at the person's strongest *level*: ``skill`` (declared in ``skills`` or
  ``ask_me_about``) or ``language`` (a published language naming the skill)
  3 points, ``shown`` (not declared, but the person's updates carry the tag,
  questions excepted, for an expert-index weight of at least
  :data:`SHOWN_MIN`) 2, ``interest`` (only in ``interests``) 1. Skill, language
  and shown *meet* a skill; an interest does not, it shows someone who wants
  to learn it.
* score = 2 × the points of required skills + the points of nice-to-have ones
  + 3 if the person is ``open_to`` ``mobility`` or ``new-projects``
  + 2 if their time allows the opening on its start date (see :class:`Fit`).
* Candidates are everyone matching at least one of the opening's skills at any
  level other than ``language`` (speaking a language the opening asks for
  counts, but alone suggests nobody). Those meeting more required skills come
  first whatever their score; then the higher score; then the more
  demonstrated evidence; then A–Z.
* Never listed: former colleagues, the opening's author and contact, and
  people without ``open_to`` on their profile (they did not opt in) unless
  ``openings.include_without_open_to`` is true in ``trombino.yaml``.

``docs/openings.md`` documents the formula with a worked example that a test
recomputes with this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Iterable, Mapping

from trombino.derive import Index
from trombino.model import Availability, Config, Opening, Person, Post, Site
from trombino.text import tag_key
from trombino.views.booking import booking
from trombino.views.expertise import Expertise, ExpertIndex, evidence_kind, post_weight
from trombino.views.publish import visible

# What a match on one skill is worth, by level; the first three *meet* the skill.
LEVEL_POINTS: Mapping[str, float] = MappingProxyType({"skill": 3.0, "language": 3.0, "shown": 2.0, "interest": 1.0})
MET_LEVELS = frozenset({"skill", "language", "shown"})
REQUIRED_WEIGHT = 2.0
NICE_WEIGHT = 1.0
# Demonstrated in updates: at least one fresh update's worth of expert-index
# weight (one update a half-life old, or a single fresh answer, is enough).
SHOWN_MIN = 0.5
OPEN_TO_BOOST = 3.0
AVAILABLE_BOOST = 2.0
MOVING = ("mobility", "new-projects")  # open_to values that ask for this kind of move
BLOCKING_STATUSES = ("busy", "away")
TIERS = ("all", "some", "related")  # meets every required skill, some of them, none (nice-to-have or interest only)


def effective_status(opening: Opening, reference: date) -> str:
    """``open``, ``filled`` or ``closed``; an open opening past its closing date is closed."""
    if opening.status == "open" and opening.closes and opening.closes < reference:
        return "closed"
    return opening.status


def listable(person: Person, config: Config) -> bool:
    """May this person be suggested for openings at all? Current colleagues who opted in with ``open_to``."""
    return not person.former and (bool(person.open_to) or config.include_without_open_to)


@dataclass(frozen=True)
class SkillMatch:
    """How one person matches one skill of an opening, with the evidence behind it."""

    tag: str
    level: str  # skill | language | shown | interest
    points: float  # LEVEL_POINTS × the required or nice-to-have weight
    expertise: Expertise | None  # the expert-index entry: declaring field and evidence posts (None: a language only)
    shown: float  # demonstrated weight: the tag's updates in the expert index, questions excepted

    @property
    def met(self) -> bool:
        return self.level in MET_LEVELS


@dataclass(frozen=True)
class Fit:
    """Whether a person's published time allows an opening on its start date."""

    day: date  # the opening's start, or the reference date when it has none or it is past
    needed: int | None  # the opening's share, percent
    booked: int | None  # commitments still running on `day`; None when not published
    blocking: Availability | None  # a busy or away status not over by `day`
    known: bool  # False when neither availability nor commitments are published

    @property
    def free(self) -> int | None:
        return None if self.booked is None else max(0, 100 - self.booked)

    @property
    def ok(self) -> bool | None:
        """True: free enough; False: not; None: unknown (nothing published)."""
        if not self.known:
            return None
        if self.blocking is not None:
            return False
        if self.free is None:
            return True
        return self.free >= self.needed if self.needed else self.free > 0


@dataclass(frozen=True)
class Boost:
    reason: str  # "open_to" | "available"
    points: float


@dataclass(frozen=True)
class Match:
    person: Person
    score: float
    required_matched: tuple[SkillMatch, ...]  # required skills matched at any level, in the opening's order
    required_missing: tuple[str, ...]  # required skills with no match at all
    nice_matched: tuple[SkillMatch, ...]
    boosts: tuple[Boost, ...]
    fit: Fit

    @property
    def met(self) -> int:
        """Required skills met (an interest does not meet one)."""
        return sum(1 for m in self.required_matched if m.met)

    @property
    def required_count(self) -> int:
        return len(self.required_matched) + len(self.required_missing)

    @property
    def tier(self) -> str:
        if self.met == self.required_count:
            return "all"
        return "some" if self.met else "related"

    @property
    def availability_ok(self) -> bool | None:
        return self.fit.ok

    @property
    def moving(self) -> tuple[str, ...]:
        """The person's open_to values that asked for a move (shown as the reason of the boost)."""
        return tuple(v for v in self.person.open_to if v in MOVING)

    @property
    def shown(self) -> float:
        return sum(m.shown for m in self.required_matched + self.nice_matched)

    @property
    def evidence(self) -> tuple[Post, ...]:
        """Every update backing a matched skill, newest first, each once."""
        posts = {p.id: p for m in self.required_matched + self.nice_matched if m.expertise for p in m.expertise.posts}
        return tuple(sorted(posts.values(), key=lambda p: (p.date, p.id), reverse=True))

    def rank_key(self) -> tuple:
        return (-self.met, -round(self.score, 9), -round(self.shown, 9), self.person.sort_key, self.person.slug)


def shown_weight(expertise: Expertise | None, index: Index) -> float:
    """Weight of the updates showing a tag: the expert index's own weights, questions left out."""
    if expertise is None:
        return 0.0
    site = index.site
    return sum(
        post_weight(post, index, site.reference_date, site.config.half_life_days)
        for post in expertise.posts
        if evidence_kind(post, index) != "question"
    )


def language_keys(person: Person, site: Site) -> frozenset[str]:
    """Tag keys of a person's published languages ('English' → 'english', aliases applied)."""
    if not visible(person, site.config, "languages"):
        return frozenset()
    aliases = site.config.tag_aliases
    return frozenset(aliases.get(tag_key(name), tag_key(name)) for name in person.languages)


def skill_match(tag: str, expertise: Expertise | None, languages: frozenset[str], weight: float, index: Index) -> SkillMatch | None:
    """The strongest level at which a person matches one skill (see the module docstring), or None."""
    shown = shown_weight(expertise, index)
    declared = expertise.declared if expertise else None
    if declared in ("skills", "ask_me_about"):
        level = "skill"
    elif tag in languages:
        level = "language"
    elif shown >= SHOWN_MIN:
        level = "shown"
    elif declared == "interests":
        level = "interest"
    else:
        return None
    return SkillMatch(tag, level, LEVEL_POINTS[level] * weight, expertise, shown)


def fit(person: Person, opening: Opening, site: Site) -> Fit:
    reference = site.reference_date
    day = max(opening.start or reference, reference)
    commitments = visible(person, site.config, "commitments")
    status = person.availability if visible(person, site.config, "availability") else None
    blocking = None
    if status and status.status in BLOCKING_STATUSES and (status.until is None or status.until >= day):
        blocking = status
    booked = booking(person, day).share if commitments else None
    known = commitments or visible(person, site.config, "availability")
    return Fit(day, opening.share, booked, blocking, known)


def match(person: Person, post: Post, standing: Mapping[str, Expertise], index: Index) -> Match | None:
    """How well one person fits one opening; None when no skill of it matches at all.

    ``standing``: the person's expert-index entries by tag. Whether the person
    may be listed is not checked here (see :func:`rank_candidates`).
    """
    opening = post.opening
    assert opening is not None, post.id
    site = index.site
    languages = language_keys(person, site)
    required, missing = [], []
    for tag in opening.required_skills:
        found = skill_match(tag, standing.get(tag), languages, REQUIRED_WEIGHT, index)
        if found:
            required.append(found)
        else:
            missing.append(tag)
    nice = [m for tag in opening.nice_to_have if tag not in opening.required_skills and (m := skill_match(tag, standing.get(tag), languages, NICE_WEIGHT, index))]
    if all(m.level == "language" for m in required + nice):
        return None  # nothing matched, or only a language: too little to suggest anyone
    person_fit = fit(person, opening, site)
    boosts = []
    if any(v in MOVING for v in person.open_to):
        boosts.append(Boost("open_to", OPEN_TO_BOOST))
    if person_fit.ok:
        boosts.append(Boost("available", AVAILABLE_BOOST))
    score = sum(m.points for m in required + nice) + sum(b.points for b in boosts)
    return Match(person, score, tuple(required), tuple(missing), tuple(nice), tuple(boosts), person_fit)


def _standing(experts: ExpertIndex, slug: str) -> dict[str, Expertise]:
    return {e.tag: e for e in experts.by_person.get(slug, ())}


def rank_candidates(site: Site, index: Index, post: Post, experts: ExpertIndex | None = None) -> tuple[Match, ...]:
    """Everyone who may be suggested for this opening and matches it, best first."""
    opening = post.opening
    assert opening is not None, post.id
    experts = experts if experts is not None else index.views.experts
    excluded = {post.author, opening.contact}
    tags = set(opening.required_skills) | set(opening.nice_to_have)
    # Only people with an expert-index entry or a language for one of the tags can match.
    slugs = {e.person.slug for tag in tags for e in experts.experts(tag)}
    slugs |= {p.slug for p in site.current_people if p.languages and tags & language_keys(p, site)}
    matches = []
    for slug in slugs - excluded:
        person = site.people[slug]
        if not listable(person, site.config):
            continue
        found = match(person, post, _standing(experts, slug), index)
        if found:
            matches.append(found)
    return tuple(sorted(matches, key=Match.rank_key))


def suggested_to_person(m: Match) -> bool:
    """Shown on the person's page: they meet a required skill, or only related skills but asked for a move."""
    return m.tier != "related" or bool(m.moving)


def tiers(matches: Iterable[Match]) -> tuple[tuple[str, tuple[Match, ...]], ...]:
    """Ranked matches grouped by tier ("all", "some", "related"), keeping their order."""
    groups: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        groups[m.tier].append(m)
    return tuple((tier, tuple(groups[tier])) for tier in TIERS if groups[tier])


@dataclass(frozen=True)
class OpeningView:
    post: Post
    status: str  # effective status: open | filled | closed
    candidates: tuple[Match, ...]  # best first; empty unless open

    @property
    def opening(self) -> Opening:
        assert self.post.opening is not None
        return self.post.opening

    @property
    def path(self) -> str:
        """URL path of the opening's page: /openings/<post id>/, next to the post's /posts/<post id>/."""
        return f"openings/{self.post.id}/"

    @property
    def expired(self) -> bool:
        """Marked open in its file, but its closing date has passed."""
        return self.opening.status == "open" and self.status == "closed"


@dataclass(frozen=True)
class Openings:
    open: tuple[OpeningView, ...]  # closing soonest first, those without a closing date last
    archived: tuple[OpeningView, ...]  # filled or closed, newest first
    by_person: Mapping[str, tuple[tuple[OpeningView, Match], ...]]  # open openings suggested to each person, best fit first

    def get(self, post_id: str) -> OpeningView | None:
        return next((v for v in self.open + self.archived if v.post.id == post_id), None)

    def for_person(self, slug: str) -> tuple[tuple[OpeningView, Match], ...]:
        return self.by_person.get(slug, ())

    @property
    def open_posts(self) -> tuple[Post, ...]:
        """The open openings' posts, newest first (for the feed)."""
        return tuple(sorted((v.post for v in self.open), key=lambda p: (p.date, p.id), reverse=True))


def openings(site: Site, index: Index) -> Openings:
    experts = index.views.experts
    reference = site.reference_date
    open_views, archived = [], []
    for post in site.posts:  # newest first
        if post.kind != "opening" or post.opening is None:
            continue
        status = effective_status(post.opening, reference)
        if status == "open":
            open_views.append(OpeningView(post, status, rank_candidates(site, index, post, experts)))
        else:
            archived.append(OpeningView(post, status, ()))
    open_views.sort(key=lambda v: (v.opening.closes is None, v.opening.closes or reference, -v.post.date.timestamp(), v.post.id))
    by_person: dict[str, list[tuple[OpeningView, Match]]] = defaultdict(list)
    for view in open_views:
        for m in view.candidates:
            if suggested_to_person(m):
                by_person[m.person.slug].append((view, m))
    ranked = {
        slug: tuple(sorted(pairs, key=lambda pair: (TIERS.index(pair[1].tier), -round(pair[1].score, 9), pair[0].post.id)))
        for slug, pairs in sorted(by_person.items())
    }
    return Openings(tuple(open_views), tuple(archived), MappingProxyType(ranked))
