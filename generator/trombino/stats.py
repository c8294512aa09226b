"""Adoption statistics: is the directory alive and are profiles filled in?

:func:`site_stats` is a pure function of the (published) site, measured at the
site's reference date like every other view; ``trombino stats`` prints it as a
table and the ``/stats/`` page shows it to admins.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from trombino.derive import Index
from trombino.model import Person, Site, Tag
from trombino.text import fold

RECENT_DAYS = (30, 90)
ACTIVE_DAYS = 90
MONTHS = 12
TOP_TAGS = 10

# Profile fields whose share of filled-in profiles is measured, in display order.
COMPLETENESS = {
    "photo": lambda p: bool(p.photo),
    "skills": lambda p: bool(p.skills),
    "availability": lambda p: p.availability is not None,
    "bio": lambda p: bool(p.bio_html.strip()),
    "handle": lambda p: bool(p.github or p.gitlab),
}


@dataclass(frozen=True)
class Share:
    name: str  # a COMPLETENESS key
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


@dataclass(frozen=True)
class TagUse:
    tag: Tag
    people: int  # current people declaring it
    posts: int  # updates carrying it

    @property
    def total(self) -> int:
        return self.people + self.posts


@dataclass(frozen=True)
class StaleProfile:
    person: Person
    last_activity: date | None  # newest of profile change and own update


@dataclass(frozen=True)
class Stats:
    reference_date: date
    people: int  # current
    former: int
    teams: int
    team_files: int
    posts: int
    recent_posts: tuple[tuple[int, int], ...]  # (days, updates in the last `days` days)
    active_authors: int  # current people who posted in the last ACTIVE_DAYS days
    months: tuple[tuple[date, int], ...]  # (first day of month, updates), oldest first
    completeness: tuple[Share, ...]
    stale: tuple[StaleProfile, ...]
    top_tags: tuple[TagUse, ...]

    @property
    def active_percent(self) -> int:
        return round(100 * self.active_authors / self.people) if self.people else 0

    @property
    def busiest_month(self) -> int:
        return max((count for _, count in self.months), default=0)


def _month_starts(reference: date, count: int) -> list[date]:
    starts = []
    year, month = reference.year, reference.month
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def site_stats(site: Site, index: Index) -> Stats:
    reference = site.reference_date
    current = site.current_people
    posts = site.posts

    def within(days: int) -> list:
        since = reference - timedelta(days=days)
        return [p for p in posts if p.day > since]

    per_month = Counter(date(p.day.year, p.day.month, 1) for p in posts)
    recent_authors = {p.author for p in within(ACTIVE_DAYS)}
    stale = []
    for person in current:
        if index.is_stale(person):
            dates = [d for d in (person.updated, index.last_post_date(person.slug)) if d]
            stale.append(StaleProfile(person, max(dates) if dates else None))
    stale.sort(key=lambda s: (s.last_activity or date.min, s.person.sort_key, s.person.slug))
    declared = Counter(tag for person in current for tag in person.declared)
    uses = [TagUse(tag, declared.get(key, 0), len(index.posts_by_tag.get(key, ()))) for key, tag in site.tags.items()]
    uses.sort(key=lambda u: (-u.total, -u.people, fold(u.tag.display), u.tag.key))
    return Stats(
        reference_date=reference,
        people=len(current),
        former=len(site.people) - len(current),
        teams=len(site.teams),
        team_files=sum(1 for t in site.teams.values() if t.source_path),
        posts=len(posts),
        recent_posts=tuple((days, len(within(days))) for days in RECENT_DAYS),
        active_authors=sum(1 for p in current if p.slug in recent_authors),
        months=tuple((start, per_month.get(start, 0)) for start in _month_starts(reference, MONTHS)),
        completeness=tuple(Share(name, sum(1 for p in current if test(p)), len(current)) for name, test in COMPLETENESS.items()),
        stale=tuple(stale),
        top_tags=tuple(u for u in uses[:TOP_TAGS] if u.total),
    )


# --- the table `trombino stats` prints ---------------------------------------------

_FIELD_LABELS = {"photo": "photo", "skills": "skills", "availability": "availability", "bio": "bio", "handle": "github/gitlab handle"}


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return ["  " + line(header), "  " + "  ".join("-" * w for w in widths)] + ["  " + line(row) for row in rows]


def stats_table(stats: Stats, title: str, stale_after_days: int) -> str:
    recent = ", ".join(f"{n:,} in the last {days} days" for days, n in stats.recent_posts)
    lines = [
        f"{title} — statistics as of {stats.reference_date.isoformat()}",
        "",
        f"People          {stats.people:,} current, {stats.former:,} former",
        f"Teams           {stats.teams:,} ({stats.team_files:,} with a team file)",
        f"Updates         {stats.posts:,} in total; {recent}",
        f"Active authors  {stats.active_authors:,} of {stats.people:,} people posted in the last {ACTIVE_DAYS} days ({stats.active_percent} %)",
        "",
        "Profile completeness",
    ]
    lines += _table(("field", "people", "share"), [(_FIELD_LABELS[s.name], f"{s.count}/{s.total}", f"{s.percent} %") for s in stats.completeness], {1, 2})
    lines += ["", "Updates per month"]
    scale = max(stats.busiest_month, 1)
    lines += _table(("month", "updates", ""), [(start.strftime("%Y-%m"), str(n), "#" * round(30 * n / scale)) for start, n in stats.months], {1})
    lines += ["", f"Top tags ({len(stats.top_tags)})"]
    lines += _table(("tag", "people", "updates"), [(u.tag.display, str(u.people), str(u.posts)) for u in stats.top_tags], {1, 2}) if stats.top_tags else ["  none yet"]
    lines += ["", f"Stale profiles: {len(stats.stale)} (no profile change and no update for {stale_after_days} days)"]
    if stats.stale:
        lines += _table(("person", "file", "last activity"), [(s.person.name, s.person.source_path, s.last_activity.isoformat() if s.last_activity else "never") for s in stats.stale], set())
    return "\n".join(lines) + "\n"


def stats_json(stats: Stats) -> dict:
    """Plain data for other tools (`trombino stats --format json`)."""
    return {
        "reference_date": stats.reference_date.isoformat(),
        "people": stats.people,
        "former": stats.former,
        "teams": stats.teams,
        "team_files": stats.team_files,
        "posts": stats.posts,
        "recent_posts": {f"{days}_days": n for days, n in stats.recent_posts},
        "active_authors": stats.active_authors,
        "months": {start.strftime("%Y-%m"): n for start, n in stats.months},
        "completeness": {s.name: {"count": s.count, "total": s.total, "percent": s.percent} for s in stats.completeness},
        "stale": [{"slug": s.person.slug, "path": s.person.source_path, "last_activity": s.last_activity.isoformat() if s.last_activity else None} for s in stats.stale],
        "top_tags": [{"tag": u.tag.key, "display": u.tag.display, "people": u.people, "posts": u.posts} for u in stats.top_tags],
    }
