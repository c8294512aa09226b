"""docs/expertise.md: the worked example is recomputed with the real code."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from trombino.derive import Index
from trombino.views.expertise import decay, evidence_kind, expert_index, post_weight

from view_model import person, post, site

DOC = Path(__file__).resolve().parent.parent / "docs" / "expertise.md"
REFERENCE = date(2026, 6, 1)
DAY = timedelta(days=1)


def example():  # noqa: ANN201
    question = post("chloe", REFERENCE - 12 * DAY, tags=["kubernetes"], kind="question", slug="q")
    posts = [
        post("ana", REFERENCE - 30 * DAY, tags=["kubernetes"], kind="decision", slug="a1"),
        post("ana", REFERENCE - 200 * DAY, tags=["kubernetes"], slug="a2"),
        post("bob", REFERENCE - 10 * DAY, tags=["kubernetes"], in_reply_to=question.id, slug="b1"),
        post("bob", REFERENCE - 5 * DAY, tags=["kubernetes"], slug="b2"),
        post("bob", REFERENCE - 60 * DAY, tags=["kubernetes"], slug="b3"),
        question,
    ]
    people = [person("ana", "Ana Lima", skills=["kubernetes"]), person("bob", "Bob Stone", interests=["kubernetes"]), person("chloe", "Chloé Roy")]
    return site(people, posts, reference=REFERENCE, half_life_days=180)


def test_worked_example_matches_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    s = example()
    index = Index(s)
    for p in s.posts:
        age = (REFERENCE - p.day).days
        row_start = f"| {p.slug} | {s.people[p.author].name} | "
        (row,) = [line for line in text.splitlines() if line.startswith(row_start)]
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2].split()[0] == evidence_kind(p, index), row
        assert int(cells[3]) == age
        assert cells[4] == f"{decay(age, 180):.3f}"
        assert float(cells[5]) == post_weight(p, index, REFERENCE, 180) / decay(age, 180)
        assert cells[6] == f"{post_weight(p, index, REFERENCE, 180):.3f}"
    for rank, e in enumerate(expert_index(s, index).experts("kubernetes"), 1):
        row = f"| {rank} | {e.person.name} | {e.declared_score:g} | {e.activity_score:.3f} | {e.score:.3f} |"
        assert row in text.splitlines(), row
