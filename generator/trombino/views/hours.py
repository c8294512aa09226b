"""Working hours across time zones: when a team's members are at work, on one strip.

Everyone is assumed to work 9:00–18:00 in their own time zone on the build's
reference date (so summer time is that day's). The strip's axis is the day in
the site's time zone, midnight to midnight; people in other zones appear
shifted, wrapping past midnight when they are far enough away.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trombino.model import Person

DAY = 24 * 60
WORK_START = time(9)
WORK_END = time(18)

Span = tuple[int, int]  # [start, end) in minutes after the axis day's midnight, within 0..DAY


@dataclass(frozen=True)
class ZoneRow:
    """The members who share one time zone, and when they work, on the site's axis."""

    zone: str
    people: tuple[Person, ...]
    shift: int  # minutes their clock is ahead of the site's (negative: behind)
    spans: tuple[Span, ...]  # one span, or two when it wraps past midnight

    @property
    def city(self) -> str:
        """The zone's city, as people name it: 'America/New_York' → 'New York'."""
        return self.zone.rsplit("/", 1)[-1].replace("_", " ")

    @property
    def local_hours(self) -> str:
        return f"{WORK_START:%H:%M}–{WORK_END:%H:%M}"

    @property
    def site_hours(self) -> str:
        """Their working hours read on the site's clock, e.g. '08:00–17:00'."""
        start = (_minutes(WORK_START) - self.shift) % DAY
        end = (_minutes(WORK_END) - self.shift) % DAY
        return f"{clock(start)}–{clock(end)}"


@dataclass(frozen=True)
class HoursStrip:
    zone: str  # the axis: the site's time zone
    day: date
    rows: tuple[ZoneRow, ...]  # west to east
    common: tuple[Span, ...]  # when every row is at work (empty: never all at once)
    without_zone: tuple[Person, ...]  # members who gave no (known) time zone

    @property
    def common_labels(self) -> tuple[str, ...]:
        """The common hours as 'HH:MM–HH:MM' on the site's clock (a span over midnight reads as one)."""
        spans = list(self.common)
        if len(spans) > 1 and spans[0][0] == 0 and spans[-1][1] == DAY:
            spans = [(spans[-1][0], spans[0][1] + DAY)] + spans[1:-1]
        return tuple(f"{clock(start % DAY)}–{clock(end % DAY)}" for start, end in spans)

    @property
    def spread(self) -> int:
        """Minutes between the earliest and the latest clock of the team."""
        return (self.rows[-1].shift - self.rows[0].shift) if self.rows else 0


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def clock(minutes: int) -> str:
    """'HH:MM' of minutes after midnight (24:00 stays 24:00, the end of the axis)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def wrap(start: int, end: int) -> tuple[Span, ...]:
    """The span [start, end) laid on a 24-hour axis, split in two when it crosses midnight."""
    length = end - start
    if length >= DAY:
        return ((0, DAY),)
    start %= DAY
    if start + length <= DAY:
        return ((start, start + length),)
    return ((start, DAY), (0, start + length - DAY))


def shift_minutes(zone: ZoneInfo, site_zone: ZoneInfo, day: date) -> int:
    """How far ``zone``'s clock is ahead of ``site_zone``'s at the start of work on ``day``."""
    start = datetime.combine(day, WORK_START, tzinfo=zone)
    on_site_clock = start.astimezone(site_zone).replace(tzinfo=None)
    return round((datetime.combine(day, WORK_START) - on_site_clock) / timedelta(minutes=1))


def _intersection(a: tuple[Span, ...], b: tuple[Span, ...]) -> tuple[Span, ...]:
    found = []
    for s1, e1 in a:
        for s2, e2 in b:
            start, end = max(s1, s2), min(e1, e2)
            if start < end:
                found.append((start, end))
    return tuple(sorted(found))


def hours_strip(people: Iterable[Person], site_zone: str, day: date) -> HoursStrip:
    """Working hours of ``people``, grouped by time zone, on the site's clock for ``day``."""
    axis = ZoneInfo(site_zone)
    by_zone: dict[str, list[Person]] = defaultdict(list)
    without: list[Person] = []
    seen: set[str] = set()
    for person in people:
        if person.slug in seen:
            continue
        seen.add(person.slug)
        if not person.timezone:
            without.append(person)
            continue
        by_zone[person.timezone].append(person)
    rows = []
    for name, members in by_zone.items():
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            without.extend(members)
            continue
        shift = shift_minutes(zone, axis, day)
        start = _minutes(WORK_START) - shift
        rows.append(ZoneRow(name, tuple(members), shift, wrap(start, start + _minutes(WORK_END) - _minutes(WORK_START))))
    rows.sort(key=lambda row: (row.shift, row.zone))
    common: tuple[Span, ...] = ((0, DAY),) if rows else ()
    for row in rows:
        common = _intersection(common, row.spans)
    return HoursStrip(site_zone, day, tuple(rows), common, tuple(without))
