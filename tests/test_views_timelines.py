"""Timelines: team membership of posts, sub-teams, weeks, pagination, decisions, questions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trombino.derive import Index
from trombino.model import Team
from trombino.views.timelines import Entry, decisions, group_by_week, open_questions, page_path, paginate, team_entries, week_of

from view_model import REFERENCE, person, post, site

DAY = timedelta(days=1)


def entries(count: int) -> tuple[Entry, ...]:
    return tuple(Entry(post("a", REFERENCE - i * DAY)) for i in range(count))


@pytest.mark.parametrize(
    ("count", "size", "pages", "last_page"),
    [(0, 3, 1, 0), (1, 3, 1, 1), (3, 3, 1, 3), (4, 3, 2, 1), (6, 3, 2, 3), (7, 3, 3, 1)],
)
def test_pagination_boundaries(count: int, size: int, pages: int, last_page: int) -> None:
    result = paginate(entries(count), size, "updates/")
    assert len(result) == pages
    assert all(p.count == pages and p.total == count for p in result)
    assert len(result[-1].entries) == last_page
    assert [e for p in result for e in p.entries] == list(entries_of(result))


def entries_of(pages):  # noqa: ANN001, ANN201
    for page in pages:
        yield from page.entries


def test_pages_link_to_each_other() -> None:
    first, second, third = paginate(entries(5), 2, "teams/data/")
    assert (first.path, first.previous, first.next) == ("teams/data/", None, "teams/data/page/2/")
    assert (second.path, second.previous, second.next) == ("teams/data/page/2/", "teams/data/", "teams/data/page/3/")
    assert (third.previous, third.next) == ("teams/data/page/2/", None)
    assert page_path("updates/", 1) == "updates/"


def test_weeks_start_on_monday() -> None:
    sunday, monday = date(2026, 3, 8), date(2026, 3, 9)
    assert week_of(sunday) == date(2026, 3, 2) and week_of(monday) == monday
    weeks = group_by_week([Entry(post("a", monday, hour=9)), Entry(post("a", sunday, hour=20)), Entry(post("a", sunday, hour=8))])
    assert [(w.monday, len(w.entries)) for w in weeks] == [(monday, 1), (date(2026, 3, 2), 2)]


def org():  # noqa: ANN201
    teams = [Team("eng", "Engineering"), Team("data", "Data", parent="eng"), Team("ml", "ML", parent="data"), Team("ops", "Ops")]
    people = [person("ana", teams=["data"]), person("ben", teams=["eng"]), person("olga", teams=["ops"])]
    posts = [
        post("ana", REFERENCE - 1 * DAY, team="data", slug="own"),
        post("ana", REFERENCE - 2 * DAY, team="ops", slug="addressed-to-ops"),  # team: ops in front matter
        post("ben", REFERENCE - 3 * DAY, team="eng", slug="eng-post", kind="decision"),
        post("olga", REFERENCE - 4 * DAY, team="ml", slug="ml-post"),
        post("ana", REFERENCE - 5 * DAY, team="data", slug="dec", kind="decision"),
    ]
    return site(people, posts, teams)


def slugs(items) -> list[str]:  # noqa: ANN001
    return [e.post.slug for e in items]


def test_a_post_appears_on_its_team_only_and_parents_include_subteams_marked() -> None:
    s = org()
    index = Index(s)
    assert slugs(team_entries(s, index, "ops")) == ["addressed-to-ops"]
    assert slugs(team_entries(s, index, "data")) == ["own", "ml-post", "dec"]
    eng = team_entries(s, index, "eng")
    assert slugs(eng) == ["own", "eng-post", "ml-post", "dec"]  # newest first across sub-teams
    assert [e.via.slug if e.via else None for e in eng] == ["data", None, "ml", "data"]


def test_decisions_are_listed_on_their_own() -> None:
    s = org()
    assert slugs(decisions(team_entries(s, Index(s), "eng"))) == ["eng-post", "dec"]


def test_open_questions_are_recent_and_unanswered_first() -> None:
    answered = post("ana", REFERENCE - 3 * DAY, kind="question", team="data", slug="answered")
    old = post("ana", REFERENCE - 61 * DAY, kind="question", team="data", slug="too-old")
    fresh = post("ana", REFERENCE - 5 * DAY, kind="question", team="data", slug="open")
    reply = post("ben", REFERENCE - 2 * DAY, team="data", in_reply_to=answered.id, slug="reply")
    s = site([person("ana", teams=["data"]), person("ben", teams=["data"])], [answered, old, fresh, reply], open_questions_days=60)
    index = Index(s)
    questions = open_questions(s, index, team_entries(s, index, "data"))
    assert [(q.entry.post.slug, q.answers) for q in questions] == [("open", 0), ("answered", 1)]
