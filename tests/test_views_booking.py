"""Capacity: running commitments, "booked until", how the load falls, ended ones."""

from __future__ import annotations

from datetime import date

from trombino.views.booking import booking

from view_model import REFERENCE, person


def test_booked_until_the_last_commitment_with_steps() -> None:
    p = person(
        "ana",
        commitments=[
            {"what": "Billing", "share": 50, "until": date(2026, 9, 30)},
            {"what": "On-call", "share": 20, "until": date(2026, 12, 31)},
            {"what": "Old project", "share": 30, "until": date(2026, 1, 31)},  # ended before the reference date
        ],
    )
    b = booking(p, REFERENCE)
    assert b.share == 70 and b.free == 30
    assert b.until == date(2026, 12, 31) and not b.open_ended
    assert [(s.commitment.what, s.start) for s in b.segments] == [("On-call", 0), ("Billing", 20)]  # longest-running first
    assert [(s.after, s.share) for s in b.steps] == [(date(2026, 10, 1), 20), (date(2027, 1, 1), 0)]
    assert [c.what for c in b.ended] == ["Old project"]


def test_an_open_ended_commitment_means_no_end_date() -> None:
    b = booking(person("ana", commitments=[{"what": "Team lead", "share": 40}, {"what": "X", "share": 10, "until": date(2026, 7, 1)}]), REFERENCE)
    assert b.open_ended and b.until is None and b.share == 50
    assert [(s.after, s.share) for s in b.steps] == [(date(2026, 7, 2), 40)]


def test_a_commitment_ending_on_the_reference_date_still_counts() -> None:
    b = booking(person("ana", commitments=[{"what": "X", "share": 25, "until": REFERENCE}]), REFERENCE)
    assert b.share == 25 and b.until == REFERENCE


def test_no_commitments() -> None:
    b = booking(person("ana"), REFERENCE)
    assert (b.share, b.segments, b.until, b.open_ended) == (0, (), None, False)
