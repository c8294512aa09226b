"""Internal mobility: ranking people for openings on hand-made models, the docs' worked example, and the built pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from trombino.build import build
from trombino.derive import Index
from trombino.model import Availability, Commitment, Opening
from trombino.views.openings import (
    AVAILABLE_BOOST,
    LEVEL_POINTS,
    OPEN_TO_BOOST,
    REQUIRED_WEIGHT,
    SHOWN_MIN,
    effective_status,
    openings,
    rank_candidates,
    tiers,
)

from view_model import REFERENCE, person, post, site

DAY = timedelta(days=1)
DOC = Path(__file__).resolve().parent.parent / "docs" / "openings.md"


def opening(author: str = "eve", *, required=("python", "postgresql"), nice=(), slug: str = "job", day: date = REFERENCE, **fields) -> object:  # noqa: ANN001, ANN003
    fields.setdefault("contact", author)
    return post(author, day, kind="opening", slug=slug, opening=Opening(required_skills=tuple(required), nice_to_have=tuple(nice), **fields))


def ranked(s, job) -> list[str]:  # noqa: ANN001
    return [m.person.slug for m in rank_candidates(s, Index(s), job)]


def by_slug(s, job) -> dict:  # noqa: ANN001, ANN201
    return {m.person.slug: m for m in rank_candidates(s, Index(s), job)}


EVE = person("eve", skills=["python"], open_to=["mobility"])


# --- required skills ----------------------------------------------------------


def test_meeting_every_required_skill_ranks_first_and_missing_ones_are_named() -> None:
    job = opening(nice=["go", "rust"])
    s = site([EVE, person("ana", skills=["python", "postgresql"], open_to=["pairing"]), person("bob", skills=["python", "go", "rust"], open_to=["mobility"])], [job])
    matches = by_slug(s, job)
    assert ranked(s, job) == ["ana", "bob"]  # a higher score does not make up for a missing required skill
    assert matches["bob"].score > matches["ana"].score
    assert [m.tag for m in matches["ana"].required_matched] == ["python", "postgresql"]
    assert matches["ana"].required_missing == () and matches["ana"].tier == "all" and matches["ana"].met == 2
    assert [m.tag for m in matches["bob"].required_matched] == ["python"]
    assert matches["bob"].required_missing == ("postgresql",) and matches["bob"].tier == "some"


def test_nobody_matching_no_skill_is_listed() -> None:
    job = opening()
    s = site([EVE, person("ana", skills=["rust"], open_to=["mobility"])], [job])
    assert ranked(s, job) == []


def test_nice_to_have_counts_once_and_half_as_much_as_required() -> None:
    job = opening(required=["python"], nice=["python", "kubernetes"])
    s = site([EVE, person("ana", skills=["python", "kubernetes"], open_to=["pairing"])], [job])
    (m,) = rank_candidates(s, Index(s), job)
    assert [x.tag for x in m.nice_matched] == ["kubernetes"]  # python is required, not counted twice
    assert m.score == REQUIRED_WEIGHT * LEVEL_POINTS["skill"] + LEVEL_POINTS["skill"] + AVAILABLE_BOOST


# --- levels: declared skill > shown in updates > interest ---------------------


def test_declared_skill_beats_evidence_which_beats_interest() -> None:
    job = opening(required=["rust"])
    s = site(
        [
            EVE,
            person("ana", skills=["rust"], open_to=["pairing"]),
            person("bob", open_to=["pairing"]),  # posts about rust
            person("cyd", interests=["rust"], open_to=["pairing"]),
            person("dan", ask_me_about=["rust"], open_to=["pairing"]),
        ],
        [job, post("bob", REFERENCE - 10 * DAY, tags=["rust"])],
    )
    matches = by_slug(s, job)
    assert {slug: m.required_matched[0].level for slug, m in matches.items()} == {"ana": "skill", "dan": "skill", "bob": "shown", "cyd": "interest"}
    assert ranked(s, job) == ["ana", "dan", "bob", "cyd"]  # ana and dan tie: A–Z by family name (Ana, Dan)
    assert matches["cyd"].met == 0 and matches["cyd"].tier == "related"  # an interest is not the skill
    assert matches["bob"].met == 1


def test_shown_evidence_reuses_the_expert_index_posts_and_leaves_questions_out() -> None:
    fresh = post("bob", REFERENCE - 10 * DAY, tags=["rust"], slug="fresh")
    job = opening(required=["rust"])
    s = site(
        [EVE, person("bob", open_to=["pairing"]), person("cyd", open_to=["pairing"]), person("dan", open_to=["pairing"])],
        [
            job,
            fresh,
            post("cyd", REFERENCE - DAY, tags=["rust"], kind="question", hour=9),  # asking is not knowing,
            post("cyd", REFERENCE - DAY, tags=["rust"], kind="question", hour=10),  # even twice (0.5 each in the expert index)
            post("dan", REFERENCE - 400 * DAY, tags=["rust"]),  # 0.21: too old alone
        ],
    )
    matches = by_slug(s, job)
    assert list(matches) == ["bob"]
    bob = matches["bob"]
    expertise = Index(s).views.experts.by_person["bob"][0]
    assert bob.required_matched[0].expertise == expertise  # the expert index's own entry, not a recomputation
    assert bob.evidence == (fresh,)
    assert bob.required_matched[0].shown == pytest.approx(0.5 ** (10 / 180))
    assert SHOWN_MIN == 0.5


def test_interest_backed_by_updates_counts_as_shown() -> None:
    job = opening(required=["rust"])
    s = site([EVE, person("cyd", interests=["rust"], open_to=["pairing"])], [job, post("cyd", REFERENCE - DAY, tags=["rust"])])
    (m,) = rank_candidates(s, Index(s), job)
    assert m.required_matched[0].level == "shown" and m.required_matched[0].expertise.declared == "interests"


def test_a_language_meets_a_required_skill_but_alone_suggests_nobody() -> None:
    job = opening(required=["english", "lean"])
    s = site(
        [EVE, person("ana", languages=("English",), skills=["lean"], open_to=["mobility"]), person("bob", languages=("English", "French"), open_to=["mobility"])],
        [job],
    )
    matches = by_slug(s, job)
    assert list(matches) == ["ana"]
    assert [(m.tag, m.level) for m in matches["ana"].required_matched] == [("english", "language"), ("lean", "skill")]
    hidden = site([EVE, person("ana", languages=("English",), skills=["lean"], open_to=["mobility"], private=("languages",))], [job])
    assert by_slug(hidden, job)["ana"].required_missing == ("english",)  # a private field never counts


# --- who may be listed --------------------------------------------------------


def test_people_who_did_not_opt_in_are_never_listed_unless_the_site_says_so() -> None:
    job = opening()
    people = [EVE, person("ana", skills=["python", "postgresql"]), person("bob", skills=["python"], open_to=["mentoring"])]
    assert ranked(site(people, [job]), job) == ["bob"]
    assert ranked(site(people, [job], include_without_open_to=True), job) == ["ana", "bob"]


def test_former_colleagues_the_author_and_the_contact_are_never_listed() -> None:
    job = opening("eve", contact="zed")
    people = [
        EVE,
        person("zed", skills=["python"], open_to=["mobility"]),
        person("old", skills=["python"], open_to=["mobility"], left=REFERENCE - DAY, former=True),
        person("ana", skills=["python"], open_to=["mobility"]),
    ]
    assert ranked(site(people, [job], include_without_open_to=True), job) == ["ana"]


# --- boosts: open to a move, time available on the start date ----------------


def test_open_to_mobility_or_new_projects_boosts_once() -> None:
    job = opening(required=["python"])
    s = site(
        [EVE, person("ana", skills=["python"], open_to=["mentoring"]), person("bob", skills=["python"], open_to=["mobility", "new-projects"]), person("cyd", skills=["python"], open_to=["new-projects"])],
        [job],
    )
    matches = by_slug(s, job)
    assert ranked(s, job) == ["bob", "cyd", "ana"]  # bob and cyd tie: A–Z
    assert matches["bob"].score == matches["cyd"].score == matches["ana"].score + OPEN_TO_BOOST
    assert matches["bob"].moving == ("mobility", "new-projects") and matches["ana"].moving == ()


def test_availability_compares_booked_share_on_the_start_date_with_the_share_needed() -> None:
    start = REFERENCE + 30 * DAY
    job = opening(required=["python"], share=50, start=start)
    s = site(
        [
            EVE,
            person("ana", skills=["python"], open_to=["pairing"], commitments=[Commitment("Billing", 60, start + DAY)]),  # 40 % free
            person("bob", skills=["python"], open_to=["pairing"], commitments=[Commitment("Billing", 80, start - DAY)]),  # over by then
            person("cyd", skills=["python"], open_to=["pairing"], commitments=[Commitment("Run", 50)]),  # exactly enough
            person("dan", skills=["python"], open_to=["pairing"], availability=Availability("busy", start + DAY)),
            person("eli", skills=["python"], open_to=["pairing"], availability=Availability("away", start - DAY)),  # back before the start
            person("fay", skills=["python"], open_to=["pairing"], commitments=[Commitment("Billing", 90)], private=("commitments", "availability")),
        ],
        [job],
    )
    m = by_slug(s, job)
    assert {slug: x.availability_ok for slug, x in m.items()} == {"ana": False, "bob": True, "cyd": True, "dan": False, "eli": True, "fay": None}
    assert (m["ana"].fit.booked, m["ana"].fit.free, m["ana"].fit.needed, m["ana"].fit.day) == (60, 40, 50, start)
    assert m["dan"].fit.blocking == Availability("busy", start + DAY)
    assert m["fay"].fit.booked is None  # private: unknown, neither boosted nor shown
    assert m["bob"].score - m["ana"].score == AVAILABLE_BOOST
    assert m["fay"].score == m["ana"].score
    assert ranked(s, job) == ["bob", "cyd", "eli", "ana", "dan", "fay"]  # boosted first, then A–Z by family name


def test_an_opening_without_share_needs_some_free_time() -> None:
    job = opening(required=["python"])
    s = site([EVE, person("ana", skills=["python"], open_to=["pairing"], commitments=[Commitment("Run", 100)]), person("bob", skills=["python"], open_to=["pairing"])], [job])
    m = by_slug(s, job)
    assert (m["ana"].availability_ok, m["bob"].availability_ok) == (False, True)
    assert m["ana"].fit.day == REFERENCE  # no start: judged on the reference date


# --- openings, archive, and the other direction -------------------------------


def test_closed_filled_and_expired_openings_are_archived_without_candidates() -> None:
    people = [EVE, person("ana", skills=["python"], open_to=["mobility"])]
    posts = [
        opening(slug="open-late", closes=REFERENCE + 20 * DAY, day=REFERENCE - 3 * DAY),
        opening(slug="open-soon", closes=REFERENCE, day=REFERENCE - 5 * DAY),
        opening(slug="open-any", day=REFERENCE - 1 * DAY),
        opening(slug="filled", status="filled", day=REFERENCE - 2 * DAY),
        opening(slug="closed", status="closed", day=REFERENCE - 4 * DAY),
        opening(slug="expired", closes=REFERENCE - DAY, day=REFERENCE - 6 * DAY),
        post("ana", REFERENCE, tags=["python"]),
    ]
    result = openings(site(people, posts), Index(site(people, posts)))
    assert [v.post.slug for v in result.open] == ["open-soon", "open-late", "open-any"]  # closing soonest first
    assert [(v.post.slug, v.status) for v in result.archived] == [("filled", "filled"), ("closed", "closed"), ("expired", "closed")]
    assert all(v.candidates == () for v in result.archived)
    assert [v.expired for v in result.archived] == [False, False, True]
    assert all([m.person.slug for m in v.candidates] == ["ana"] for v in result.open)
    assert sorted(v.post.slug for v, _ in result.for_person("ana")) == ["open-any", "open-late", "open-soon"]
    assert result.get(posts[3].id).status == "filled" and result.get("2026/01/nothing") is None
    assert effective_status(Opening(status="open", closes=REFERENCE), REFERENCE) == "open"  # the closing day itself is still open


def test_a_person_sees_the_openings_that_fit_them() -> None:
    strong = opening(slug="strong", required=["python"])
    related = opening(slug="related", required=["go"], nice=["python"])
    s = site(
        [EVE, person("ana", skills=["python"], open_to=["mobility"]), person("bob", skills=["python"], open_to=["mentoring"]), person("cyd", skills=["rust"], open_to=["mobility"])],
        [strong, related],
    )
    result = openings(s, Index(s))
    assert [(v.post.slug, m.tier) for v, m in result.for_person("ana")] == [("strong", "all"), ("related", "related")]
    # Related skills only are suggested to people who asked for a move; bob did not.
    assert [v.post.slug for v, _ in result.for_person("bob")] == ["strong"]
    assert result.for_person("cyd") == ()
    assert [m.person.slug for m in result.get(related.id).candidates] == ["ana", "bob"]


def test_tiers_keep_the_ranking_order() -> None:
    job = opening(required=["python", "go"])
    s = site(
        [EVE, person("ana", skills=["python", "go"], open_to=["pairing"]), person("bob", skills=["python"], open_to=["pairing"]), person("cyd", interests=["go"], open_to=["pairing"])],
        [job],
    )
    groups = tiers(rank_candidates(s, Index(s), job))
    assert [(tier, [m.person.slug for m in ms]) for tier, ms in groups] == [("all", ["ana"]), ("some", ["bob"]), ("related", ["cyd"])]


# --- docs/openings.md: the worked example is the code's ----------------------


def worked_example():  # noqa: ANN201
    start = date(2026, 7, 1)
    job = post(
        "eve",
        REFERENCE - DAY,
        kind="opening",
        slug="billing",
        opening=Opening(required_skills=("python", "postgresql"), nice_to_have=("kubernetes",), share=50, start=start, contact="eve"),
    )
    people = [
        person("ana", "Ana Lima", skills=["python", "postgresql"], open_to=["mentoring"], commitments=[Commitment("Billing", 60, date(2026, 12, 31))]),
        person("bob", "Bob Stone", skills=["python"], open_to=["mobility"]),
        person("chloe", "Chloé Roy", skills=["kubernetes"], interests=["postgresql"], open_to=["new-projects"], availability=Availability("busy", date(2026, 6, 20))),
        person("fay", "Fay Dupont", skills=["python"], open_to=["pairing"], availability=Availability("away", date(2026, 9, 30))),
        person("dan", "Dan Brun", skills=["python", "postgresql"]),
        person("eve", "Eve Marsh", skills=["python"], open_to=["mobility"]),
    ]
    posts = [job, post("bob", REFERENCE - 30 * DAY, tags=["postgresql"])]
    return site(people, posts, reference=REFERENCE, half_life_days=180), job


def test_worked_example_matches_the_code() -> None:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    s, job = worked_example()
    matches = rank_candidates(s, Index(s), job)
    assert len(matches) == 4
    labels = {"open_to": "open to", "available": "time"}
    for rank, m in enumerate(matches, 1):
        levels = {x.tag: f"{x.level} {x.points:g}" for x in m.required_matched + m.nice_matched}
        skills = " | ".join(levels.get(tag, "—") for tag in ("python", "postgresql", "kubernetes"))
        boosts = ", ".join(f"{labels[b.reason]} +{b.points:g}" for b in m.boosts) or "—"
        row = f"| {rank} | {m.person.name} | {m.met} of {m.required_count} | {skills} | {boosts} | {m.score:g} |"
        assert row in lines, row
    assert f"weight {0.5 ** (30 / 180):.3f}" in " ".join(lines)


# --- the built site -----------------------------------------------------------

SITE = {
    "trombino.yaml": "title: Mobility Co\nbase_url: https://people.example/\ntag_aliases: {postgres: postgresql}\n",
    "content/teams/platform.md": "---\nname: Platform\n---\n",
    "content/people/eve-marsh.md": "---\nname: Eve Marsh\nteam: platform\nskills: [Python]\n---\n",
    "content/people/ana-lima.md": "---\nname: Ana Lima\nteam: platform\nskills: [Python, Postgres]\nopen_to: [mobility]\nlanguages: [English]\n---\n",
    "content/people/bob-stone.md": "---\nname: Bob Stone\nteam: platform\nskills: [Python, Postgres]\n---\n",
    "content/people/cyd-roy.md": "---\nname: Cyd Roy\nteam: platform\ninterests: [Go]\nopen_to: [new-projects]\n---\n",
    "content/posts/2026/05/billing.md": """---
author: eve-marsh
date: 2026-05-20
kind: opening
title: Backend engineer <for> billing
team: platform
required_skills: [Python, PostgreSQL]
nice_to_have: [Go, Rust]
share: 50
duration: 4 months
start: 2026-07-01
closes: 2026-06-15
---
Help us port the credit notes.
""",
    "content/posts/2026/04/old.md": "---\nauthor: eve-marsh\ndate: 2026-04-01\nkind: opening\ntitle: Data analyst\nrequired_skills: [SQL]\nstatus: filled\n---\nFilled by @ana-lima.\n",
    "content/posts/2026/05/note.md": "---\nauthor: ana-lima\ndate: 2026-05-21\n---\nShipping #python.\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_site

    root = write_site(tmp_path_factory.mktemp("openings") / "site", dict(SITE))
    out = root.parent / "out"
    result = build(root, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_openings_page_lists_open_ones_and_archives_the_rest(built: Path) -> None:
    page = text(built / "openings/index.html")
    assert page.index("Backend engineer &lt;for&gt; billing") < page.index("Archive") < page.index("Data analyst")
    assert 'href="../openings/2026/05/billing/"' in page and 'href="../openings/2026/04/old/"' in page
    assert '<link rel="alternate" type="application/atom+xml" href="../feeds/openings.xml"' in page
    assert "2 people fit" in page
    assert 'href="../openings/" aria-current="page"' in page  # in the main navigation


def test_opening_page_ranks_candidates_with_reasons(built: Path) -> None:
    page = text(built / "openings/2026/05/billing/index.html")
    candidates = re.findall(r'<li class="candidate">.*?class="person-name" href="([^"]+)"', page, re.S)
    # bob did not opt in and eve wrote it; cyd only wants to learn Go, a nice-to-have, but asked for new projects.
    assert candidates == ["../../../../people/ana-lima/", "../../../../people/cyd-roy/"]
    assert page.index("Meet every required skill") < page.index("Related skills or interest only")
    assert "declared skill" in page and "wants to learn it" in page and "not on their profile" in page
    assert "100 % free on 1 Jul 2026" in page and "needs 50 %" in page
    assert 'href="../../../../posts/2026/05/billing/"' in page
    assert "bob-stone" not in page


def test_post_page_links_to_its_opening_page(built: Path) -> None:
    page = text(built / "posts/2026/05/billing/index.html")
    assert 'href="../../../../openings/2026/05/billing/"' in page
    assert "See the 2 people who fit" in page
    old = text(built / "posts/2026/04/old/index.html")
    assert "Filled" in old and 'href="../../../../openings/2026/04/old/"' in old


def test_person_page_shows_openings_that_fit_or_how_to_be_suggested(built: Path) -> None:
    ana = text(built / "people/ana-lima/index.html")
    assert "Openings that fit Ana Lima" in ana and 'href="../../openings/2026/05/billing/"' in ana
    bob = text(built / "people/bob-stone/index.html")
    assert "Openings that fit" not in bob and "add open_to: [mobility]" in bob


def test_openings_feed_holds_the_open_openings(built: Path) -> None:
    feed = ET.parse(built / "feeds/openings.xml").getroot()
    a = "{http://www.w3.org/2005/Atom}"
    assert [e.find(a + "title").text for e in feed.findall(a + "entry")] == ["Backend engineer <for> billing"]
    links = {link.get("rel"): link.get("href") for link in feed.findall(a + "link")}
    assert links == {"self": "https://people.example/feeds/openings.xml", "alternate": "https://people.example/openings/"}


def test_openings_are_searchable_by_the_skills_they_ask_for() -> None:
    from trombino import search

    job = opening(required=["python"], nice=["kubernetes"])
    s = site([EVE, person("ana", skills=["python", "kubernetes"])], [job, post("ana", REFERENCE, tags=["python"])])
    documents = {d.shown["r"]: d for d in search.update_documents(s, s.posts)}
    assert documents[job.id].fields["tags"] == "python kubernetes"  # not in its tags: only its opening fields
    assert documents[job.id].shown["k"] == "opening"  # shown with an "Opening" mark in the results


def test_live_rebuilds_follow_opt_outs_and_status_changes(make_site) -> None:  # noqa: ANN001
    """`trombino serve` re-renders what an edit touches: the ranking, the person pages, the feed."""
    from trombino.incremental import LiveSite

    from test_serve_incremental import difference, tree

    files = dict(SITE)
    source = make_site(files, "src")
    live_out, full_out = source.parent / "live", source.parent / "full"
    live_out.mkdir()
    live = LiveSite(source, live_out, base_url="https://people.example/")
    assert live.build().ok
    edits = [  # file, edit, who the opening page suggests afterwards
        ("content/people/ana-lima.md", lambda t: t.replace("open_to: [mobility]\n", ""), ["cyd-roy"]),  # ana opts out
        ("content/people/bob-stone.md", lambda t: t.replace("skills:", "open_to: [mentoring]\nskills:"), ["bob-stone", "cyd-roy"]),
        ("content/posts/2026/05/billing.md", lambda t: t.replace("closes: 2026-06-15", "status: filled"), []),
    ]
    for path, edit, suggested in edits:
        (source / path).write_text(edit((source / path).read_text(encoding="utf-8")), encoding="utf-8")
        assert live.build().ok
        page = text(live_out / "openings/2026/05/billing/index.html")
        assert re.findall(r'<li class="candidate">.*?href="../../../../people/([^/]+)/"', page, re.S) == suggested, path
        expected = build(source, full_out, base_url="https://people.example/")
        assert expected.ok
        assert difference(tree(live_out), tree(full_out)) == [], path


def test_an_opening_page_shows_ten_candidates_in_full_and_lists_the_rest(make_site) -> None:  # noqa: ANN001
    files = {k: v for k, v in SITE.items() if k.startswith(("trombino", "content/teams", "content/posts/2026/05/billing", "content/people/eve"))}
    for i in range(12):
        files[f"content/people/p{i:02d}.md"] = f"---\nname: Person {i:02d}\nskills: [Python]\nopen_to: [pairing]\n---\n"
    root = make_site(files)
    out = root.parent / "out"
    assert build(root, out).ok
    page = text(out / "openings/2026/05/billing/index.html")
    assert page.count('<li class="candidate">') == 10
    assert "2 more matches" in page and '<ol class="link-list small" start="11">' in page
    assert page.index("Person 09") < page.index("2 more matches") < page.index("Person 10") < page.index("Person 11")
