"""Timelines: a team's updates (with its sub-teams'), the company-wide one,
decisions on their own, open questions; paginated and grouped by week.

A post belongs to exactly one team (the loader sets ``post.team``: its
``team:`` field, else its author's first team). A parent team's timeline merges
its sub-teams' posts, each marked with the sub-team it came from.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta
from typing import Iterable

from trombino.derive import Index
from trombino.model import Post, Site, Team


@dataclass(frozen=True)
class Entry:
    post: Post
    via: Team | None = None  # the sub-team the post belongs to, when not the team itself


@dataclass(frozen=True)
class Week:
    monday: date
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class TimelinePage:
    base: str  # URL path of page 1, e.g. "teams/data/"
    number: int  # 1-based
    count: int  # number of pages (at least 1)
    total: int  # entries over all pages
    entries: tuple[Entry, ...]

    @cached_property
    def weeks(self) -> tuple[Week, ...]:
        # Grouped when a page is rendered, not when the timeline is split.
        return group_by_week(self.entries)

    @property
    def path(self) -> str:
        return page_path(self.base, self.number)

    @property
    def previous(self) -> str | None:
        return page_path(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return page_path(self.base, self.number + 1) if self.number < self.count else None


def page_path(base: str, number: int) -> str:
    """URL path of page ``number``: the base itself for page 1, then base/page/N/."""
    return base if number == 1 else f"{base}page/{number}/"


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def group_by_week(entries: Iterable[Entry]) -> tuple[Week, ...]:
    weeks: list[Week] = []
    current: list[Entry] = []
    monday: date | None = None
    for entry in entries:
        start = week_of(entry.post.day)
        if start != monday and current:
            weeks.append(Week(monday, tuple(current)))  # type: ignore[arg-type]
            current = []
        monday = start
        current.append(entry)
    if current:
        weeks.append(Week(monday, tuple(current)))  # type: ignore[arg-type]
    return tuple(weeks)


def paginate(entries: tuple[Entry, ...], page_size: int, base: str) -> tuple[TimelinePage, ...]:
    """Split newest-first entries into pages; an empty timeline still has page 1."""
    count = max(1, -(-len(entries) // page_size))
    return tuple(
        TimelinePage(base, n + 1, count, len(entries), entries[n * page_size : (n + 1) * page_size])
        for n in range(count)
    )


def _newest_first(post: Post) -> tuple:
    return (post.date, post.id)


def team_entries(site: Site, index: Index, slug: str) -> tuple[Entry, ...]:
    """The team's posts and its sub-teams' (marked), newest first."""
    streams = [[Entry(p) for p in index.posts_by_team.get(slug, ())]]
    for sub in index.subteams(slug):
        streams.append([Entry(p, sub) for p in index.posts_by_team.get(sub.slug, ())])
    # Each stream is already newest first: merging keeps the whole O(n log k).
    merged = heapq.merge(*streams, key=lambda e: _newest_first(e.post), reverse=True)
    return tuple(merged)


def company_entries(site: Site) -> tuple[Entry, ...]:
    return tuple(Entry(p) for p in site.posts)


def decisions(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    return tuple(e for e in entries if e.post.kind == "decision")


@dataclass(frozen=True)
class Question:
    entry: Entry
    answers: int


def open_questions(site: Site, index: Index, entries: tuple[Entry, ...]) -> tuple[Question, ...]:
    """Questions from the last ``open_questions_days``: unanswered first, then newest first."""
    since = site.reference_date - timedelta(days=site.config.open_questions_days)
    found = [Question(e, len(index.replies_to.get(e.post.id, ()))) for e in entries if e.post.kind == "question" and e.post.day >= since]
    return tuple(sorted(found, key=lambda q: q.answers > 0))  # stable: keeps newest first within each group
