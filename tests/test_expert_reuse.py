"""The expert index keeps its last ranking (for ``trombino serve``) only while everything ranking reads is equal."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

import pytest

from trombino.derive import Index
from trombino.model import Site
from trombino.views import expertise
from trombino.views.expertise import expert_index

from view_model import REFERENCE, person, post, site

DAY = timedelta(days=1)


def sample() -> Site:
    return site(
        people=[
            person("ana", "Ana Lima", skills=["rust"], title="Engineer"),
            person("bob", "Bob Stone", interests=["sql"]),
            person("cyd", "Cyd Roy", ask_me_about=["rust"]),
            person("dan", "Dan Abel", skills=["rust"]),  # ties with Ana: A–Z by sort name
        ],
        posts=[
            post("bob", REFERENCE, tags=["rust"]),
            post("cyd", REFERENCE - 30 * DAY, tags=["rust", "sql"], kind="decision"),
            post("ana", REFERENCE - 200 * DAY, tags=["go"]),
        ],
    )


def with_person(s: Site, slug: str, **fields) -> Site:  # noqa: ANN003
    return replace(s, people=MappingProxyType({**s.people, slug: replace(s.people[slug], **fields)}))


def fresh(s: Site) -> expertise.ExpertIndex:
    """The index computed with nothing kept from before."""
    expertise._LAST_RANKING.clear()
    return expert_index(s, Index(s))


def test_an_edit_ranking_does_not_read_keeps_the_rest_of_the_index() -> None:
    s = sample()
    before = fresh(s)
    edited = with_person(s, "ana", title="Boss", bio_html="<p>New.</p>")
    after = expert_index(edited, Index(edited))
    assert after == fresh(edited)
    assert all(e.person is edited.people["ana"] for e in after.by_person["ana"])
    assert after.by_tag["sql"] is before.by_tag["sql"]  # Ana has no part in it: the very same tuple
    assert after.by_person["bob"] is before.by_person["bob"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: with_person(s, "bob", skills=("sql",)),
        lambda s: with_person(s, "ana", former=True),
        lambda s: with_person(s, "dan", sort_key="zzz"),
        lambda s: replace(s, posts=s.posts[1:]),
        lambda s: replace(s, reference_date=REFERENCE + 100 * DAY),
        lambda s: replace(s, config=replace(s.config, half_life_days=30)),
    ],
    ids=["skills", "former", "sort name", "posts", "reference date", "half-life"],
)
def test_an_edit_ranking_reads_ranks_again(edit) -> None:  # noqa: ANN001
    s = sample()
    before = fresh(s)
    edited = edit(s)
    after = expert_index(edited, Index(edited))
    assert after == fresh(edited)
    assert after != before


def test_ranking_sees_only_the_fields_it_is_said_to_read() -> None:
    s = sample()
    standing = tuple(expertise._ranked_part(p) for p in s.people.values())
    reduced, _ = expertise._reduced((s.posts, s.reference_date, s.config.half_life_days, standing))
    ana = reduced.people["ana"]
    assert ana.skills == ("rust",) and ana.sort_key == s.people["ana"].sort_key
    assert ana.name == "" and ana.title == "" and not reduced.tags and not reduced.teams


def test_ranking_the_reduced_people_equals_ranking_the_real_ones() -> None:
    """Guards RANKED_FIELDS: if ranking ever reads another field of a person, the demo site tells."""
    from conftest import REPO
    from trombino.loader import load_site
    from trombino.privacy import publish

    demo = publish(load_site(REPO).site)
    expertise._LAST_RANKING.clear()
    ranked = expert_index(demo, Index(demo))
    assert ranked.by_tag and ranked == expertise._rank(demo, Index(demo))
