"""The expert index: declared vs shown expertise, decay, kinds, ranking, ties."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trombino.derive import Index
from trombino.views.expertise import DECLARED_WEIGHTS, KIND_WEIGHTS, decay, expert_index

from view_model import REFERENCE, person, post, site

DAY = timedelta(days=1)


def experts_of(s, tag):  # noqa: ANN001, ANN201
    return [(e.person.slug, round(e.score, 6)) for e in expert_index(s, Index(s)).experts(tag)]


def test_decay_halves_every_half_life() -> None:
    assert decay(0, 180) == 1.0
    assert decay(180, 180) == pytest.approx(0.5)
    assert decay(360, 180) == pytest.approx(0.25)
    assert decay(90, 180) == pytest.approx(2 ** -0.5)
    assert decay(-5, 180) == 1.0  # never more than fresh


def test_ranking_combines_declarations_and_recent_updates() -> None:
    s = site(
        people=[
            person("ana", skills=["rust"]),  # 3
            person("bob"),  # 4 fresh updates: 4
            person("cyd", interests=["rust"]),  # 1 + an old decision 2 × ½ = 2
        ],
        posts=[post("bob", REFERENCE, tags=["rust"], hour=8 + i) for i in range(4)]
        + [post("cyd", REFERENCE - 180 * DAY, tags=["rust"], kind="decision")],
    )
    assert experts_of(s, "rust") == [("bob", 4.0), ("ana", 3.0), ("cyd", 2.0)]


def test_half_life_comes_from_the_config() -> None:
    people = [person("ana")]
    posts = [post("ana", REFERENCE - 90 * DAY, tags=["go"])]
    assert experts_of(site(people, posts, half_life_days=90), "go") == [("ana", 0.5)]
    assert experts_of(site(people, posts, half_life_days=180), "go") == [("ana", round(2 ** -0.5, 6))]


def test_ties_break_on_declaration_then_recency_then_name() -> None:
    s = site(
        people=[
            person("zoe", "Zoé Zola", ask_me_about=["sql"]),  # 2, declared 2
            person("dan", "Dan Abel", interests=["sql"]),  # 1 + 1 fresh update = 2, declared 1
            person("eve", "Eve Brun", skills=["sql"]),  # 3
            person("amy", "Amy Brun", skills=["sql"]),  # 3, same as Eve: A–Z by family then given name
        ],
        posts=[post("dan", REFERENCE, tags=["sql"])],
    )
    assert [slug for slug, _ in experts_of(s, "sql")] == ["amy", "eve", "zoe", "dan"]


def test_equal_scores_without_declaration_prefer_the_most_recent() -> None:
    s = site(
        people=[person("fresh", "Zz Fresh"), person("older", "Aa Older"), person("twin", "Bb Twin")],
        posts=[
            post("fresh", REFERENCE, tags=["x"]),  # 1
            post("older", REFERENCE - 180 * DAY, tags=["x"], kind="decision"),  # 2 × ½ = 1, older evidence
            post("twin", REFERENCE - 180 * DAY, tags=["x"], kind="decision"),  # same as "older": name decides
        ],
    )
    result = expert_index(s, Index(s)).experts("x")
    assert {e.score for e in result} == {1.0}
    assert [e.person.slug for e in result] == ["fresh", "older", "twin"]


def test_answers_and_decisions_count_double_questions_half_openings_nothing() -> None:
    question = post("qa", REFERENCE, tags=["q"], kind="question", slug="which-queue")
    s = site(
        people=[person("qa"), person("ans"), person("dec"), person("upd"), person("opn")],
        posts=[
            question,
            post("ans", REFERENCE, tags=["q"], in_reply_to=question.id),
            post("dec", REFERENCE, tags=["q"], kind="decision"),
            post("upd", REFERENCE, tags=["q"]),
            post("opn", REFERENCE, tags=["q"], kind="opening"),
        ],
    )
    scores = dict(experts_of(s, "q"))
    assert scores == {"ans": KIND_WEIGHTS["answer"], "dec": KIND_WEIGHTS["decision"], "upd": 1.0, "qa": KIND_WEIGHTS["question"]}
    assert "opn" not in scores


def test_former_people_leave_the_rankings_but_keep_their_profile() -> None:
    s = site(people=[person("gone", skills=["go"], former=True), person("here", interests=["go"])], posts=[post("gone", REFERENCE, tags=["go", "c"])])
    assert experts_of(s, "go") == [("here", 1.0)]
    assert experts_of(s, "c") == []
    experts = expert_index(s, Index(s))
    assert [e.tag for _, items in experts.declared_groups("gone") for e in items] == ["go"]
    assert [e.tag for e in experts.shown("gone")] == ["c"]


def test_profile_splits_declared_and_shown_in_updates_with_evidence() -> None:
    first = post("ana", REFERENCE - 30 * DAY, tags=["rust", "wasm"])
    second = post("ana", REFERENCE - 2 * DAY, tags=["wasm"])
    s = site(people=[person("ana", skills=["rust"], interests=["music"], ask_me_about=["rust"])], posts=[first, second])
    experts = expert_index(s, Index(s))
    declared = experts.declared_groups("ana")
    assert [(field, [e.tag for e in items]) for field, items in declared] == [("skills", ["rust"]), ("interests", ["music"])]
    assert declared[0][1][0].posts == (first,)
    shown = experts.shown("ana")
    assert [e.tag for e in shown] == ["wasm"]
    assert shown[0].posts == (second, first)  # newest first
    assert shown[0].last == second.day
    assert shown[0].declared is None and shown[0].declared_score == 0


def test_declared_weights_are_ordered_strongest_first() -> None:
    assert list(DECLARED_WEIGHTS) == ["skills", "ask_me_about", "interests"]
    assert list(DECLARED_WEIGHTS.values()) == sorted(DECLARED_WEIGHTS.values(), reverse=True)


def test_aliases_merge_declarations_and_posts_into_one_tag(make_site) -> None:  # noqa: ANN001
    from trombino.loader import load_site

    root = make_site(
        {
            "trombino.yaml": "tag_aliases: {k8s: kubernetes, ml: machine-learning}\n",
            "content/people/ana.md": "---\nname: Ana\nskills: [K8s]\n---\n",
            "content/people/bob.md": "---\nname: Bob\ninterests: [Machine Learning]\n---\n",
            "content/posts/a.md": "---\nauthor: ana\ndate: 2026-03-01\n---\nRolled out #kubernetes and #k8s autoscaling.\n",
            "content/posts/b.md": "---\nauthor: bob\ndate: 2026-03-01\ntags: [ml]\n---\nTrained a model.\n",
        }
    )
    loaded = load_site(root)
    assert loaded.ok, loaded.diagnostics
    s = loaded.site
    assert "k8s" not in s.tags and "ml" not in s.tags
    experts = expert_index(s, Index(s))
    (ana,) = experts.experts("kubernetes")
    assert ana.declared == "skills" and len(ana.posts) == 1 and ana.score == pytest.approx(4.0)
    (bob,) = experts.experts("machine-learning")
    assert bob.declared == "interests" and bob.score == pytest.approx(2.0)
