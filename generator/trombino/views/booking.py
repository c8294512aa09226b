"""Capacity: how much of a person's time is already committed, and until when.

Only commitments still running on the reference date count; ended ones are
what ``trombino check`` warns about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trombino.model import Commitment, Person

BAR_CLASSES = 4  # distinct segment colours in the bar, reused in turn


@dataclass(frozen=True)
class Segment:
    commitment: Commitment
    start: int  # percent from the left of the bar
    colour: int  # 1 … BAR_CLASSES


@dataclass(frozen=True)
class Step:
    after: date  # the day after a commitment ends
    share: int  # what stays booked from then on


@dataclass(frozen=True)
class Booking:
    share: int  # percent booked on the reference date
    segments: tuple[Segment, ...]
    until: date | None  # when the last commitment ends; None if one is open-ended
    open_ended: bool
    steps: tuple[Step, ...]  # how the load falls over time
    ended: tuple[Commitment, ...]

    @property
    def free(self) -> int:
        return max(0, 100 - self.share)


def booking(person: Person, reference: date) -> Booking:
    active = [c for c in person.commitments if c.until is None or c.until >= reference]
    ended = tuple(c for c in person.commitments if c not in active)
    # Longest-running first, so the bar reads "booked until" from the left.
    active.sort(key=lambda c: (c.until is not None, -(c.until or reference).toordinal(), -c.share, c.what))
    segments, start = [], 0
    for number, commitment in enumerate(active):
        segments.append(Segment(commitment, min(start, 100), number % BAR_CLASSES + 1))
        start += commitment.share
    share = sum(c.share for c in active)
    open_ended = any(c.until is None for c in active)
    dated = sorted({c.until for c in active if c.until})
    steps = tuple(Step(day.fromordinal(day.toordinal() + 1), sum(c.share for c in active if c.until is None or c.until > day)) for day in dated)
    return Booking(share, tuple(segments), None if open_ended or not dated else dated[-1], open_ended, steps, ended)
