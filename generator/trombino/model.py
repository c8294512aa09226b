"""The content model: built once from validated sources, then read-only.

Every derived view (tag cloud, expert index, timelines…) is a pure function of
a :class:`Site`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Config:
    title: str = "trombino"
    description: str = ""
    language: str = "en"
    base_url: str = "/"
    theme: str = "default"
    timezone: str = "UTC"
    edit_url: str | None = None
    tag_aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    stale_after_days: int = 180
    page_size: int = 20
    open_questions_days: int = 60
    half_life_days: int = 180
    hidden_fields: tuple[str, ...] = ()
    include_without_open_to: bool = False


@dataclass(frozen=True)
class Availability:
    status: str
    until: date | None = None
    note: str = ""


@dataclass(frozen=True)
class Commitment:
    what: str
    share: int
    until: date | None = None
    link: str | None = None


@dataclass(frozen=True)
class Person:
    slug: str
    name: str
    source_path: str
    sort_key: str
    title: str = ""
    teams: tuple[str, ...] = ()
    manager: str | None = None
    location: str = ""
    timezone: str = ""
    email: str = ""
    chat: str = ""
    pronouns: str = ""
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()  # tag keys
    interests: tuple[str, ...] = ()
    ask_me_about: tuple[str, ...] = ()
    availability: Availability | None = None
    commitments: tuple[Commitment, ...] = ()
    open_to: tuple[str, ...] = ()
    joined: date | None = None
    left: date | None = None
    former: bool = False
    pronunciation: str = ""
    github: str = ""
    gitlab: str = ""
    links: tuple[tuple[str, str], ...] = ()
    photo: str | None = None  # source path relative to the site root
    private: tuple[str, ...] = ()
    updated: date | None = None
    bio_html: str = ""

    @property
    def declared(self) -> tuple[str, ...]:
        """Declared tag keys, strongest first, without repeats."""
        return tuple(dict.fromkeys(self.skills + self.ask_me_about + self.interests))

    @property
    def booked_share(self) -> int:
        return sum(c.share for c in self.commitments)


@dataclass(frozen=True)
class Team:
    slug: str
    name: str
    source_path: str | None = None  # None: named by people, no file
    parent: str | None = None
    leads: tuple[str, ...] = ()
    chat: str = ""
    email: str = ""
    links: tuple[tuple[str, str], ...] = ()
    description_html: str = ""


@dataclass(frozen=True)
class Opening:
    required_skills: tuple[str, ...] = ()  # tag keys
    nice_to_have: tuple[str, ...] = ()
    share: int | None = None
    duration: str = ""
    start: date | None = None
    contact: str = ""
    status: str = "open"
    closes: date | None = None


@dataclass(frozen=True)
class Post:
    id: str  # "yyyy/mm/slug", also its URL path under /posts/
    slug: str
    author: str
    date: datetime  # timezone-aware
    day: date  # local date in the site's time zone
    source_path: str
    kind: str = "update"
    title: str = ""
    team: str | None = None
    tags: tuple[str, ...] = ()  # tag keys, front matter first, then inline
    mentions: tuple[str, ...] = ()
    in_reply_to: str | None = None
    html: str = ""
    summary: str = ""  # plain text, for lists, feeds and search
    opening: Opening | None = None

    @property
    def heading(self) -> str:
        return self.title or self.summary


@dataclass(frozen=True)
class Tag:
    key: str
    slug: str
    display: str


@dataclass(frozen=True)
class Site:
    config: Config
    people: Mapping[str, Person]  # by slug, sorted A–Z by sort key
    teams: Mapping[str, Team]  # by slug, sorted by name
    posts: tuple[Post, ...]  # newest first
    tags: Mapping[str, Tag]  # by key
    reference_date: date  # newest content date: "now" for every derived view

    @property
    def current_people(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people.values() if not p.former)

    def tag_for(self, key: str) -> Tag:
        return self.tags[key]
