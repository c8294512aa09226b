"""The Python side of search: terms, documents, boosts, privacy, the compact index."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trombino import search
from trombino.build import build
from trombino.derive import Index
from trombino.loader import load_site

SITE = {
    "trombino.yaml": """
        title: Search Corp
        language: en
        tag_aliases:
          postgres: postgresql
    """,
    "content/teams/engineering.md": "---\nname: Engineering\n---\n",
    "content/teams/platform.md": "---\nname: Platform\nparent: engineering\n---\n",
    "content/teams/data.md": "---\nname: Data\nparent: engineering\n---\n",
    "content/people/eloise-marchand.md": """
        ---
        name: Éloïse Marchand
        title: Staff Engineer
        team: platform
        location: Nantes
        skills: [Kubernetes]
        availability: {status: partial}
        open_to: [mentoring]
        ---
        Éloïse runs the on-call rotation.
    """,
    "content/people/priya-raman.md": """
        ---
        name: Priya Raman
        title: Database Engineer
        team: data
        location: London
        skills: [PostgreSQL]
        availability: {status: available}
        open_to: [mobility]
        ---
        Priya tunes queries.
    """,
    "content/people/hugo-vasseur.md": """
        ---
        name: Hugo Vasseur
        title: Analyst
        team: data
        location: Lyon
        private: [location, title]
        ---
        Hugo once wrote a PostgreSQL extension.
    """,
    "content/people/camille-former.md": """
        ---
        name: Camille Former
        team: platform
        left: 2025-01-31
        skills: [Kubernetes]
        ---
    """,
    "content/posts/2026/03/kafka.md": """
        ---
        author: eloise-marchand
        date: 2026-03-04
        title: Kafka consumers fixed
        tags: [kafka]
        ---
        Lag is gone, thanks @priya-raman.
    """,
    "content/posts/2026/03/kafka-again.md": """
        ---
        author: eloise-marchand
        date: 2026-03-05
        tags: [kafka]
        ---
        More #kafka tuning.
    """,
    "content/posts/2026/03/hiring.md": """
        ---
        author: priya-raman
        date: 2026-03-06
        ---
        We are hiring #c++ and #c# engineers.
    """,
}


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_site

    return write_site(tmp_path_factory.mktemp("search") / "site", dict(SITE))


@pytest.fixture(scope="module")
def model(site_root: Path):  # noqa: ANN201
    loaded = load_site(site_root)
    assert loaded.site is not None, [d.format() for d in loaded.diagnostics]
    return loaded.site, Index(loaded.site)


def people_by_name(model) -> dict[str, search.Document]:  # noqa: ANN001
    site, index = model
    return {d.shown["n"]: d for d in search.person_documents(site, index)}


# --- terms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Éloïse", ["eloise"]),
        ("GAËL Le Goff", ["gael", "le", "goff"]),
        ("Straße Œuvre", ["strasse", "oeuvre"]),
        ("C++ c# F# .NET", ["cplusplus", "csharp", "fsharp", "dotnet"]),
        ("asp.net node.js e.g.", ["asp", "net", "node", "js", "e", "g"]),
        ("(c++17), C#.", ["cplusplus", "17", "csharp"]),
        ("l'équipe d’Éloïse", ["l", "equipe", "d", "eloise"]),
        ("migrations queries données status class bus", ["migration", "query", "donnee", "status", "class", "bus"]),
        ("machine_learning", ["machine", "learning"]),
        ("#python @bruno-diaz", ["python", "bruno", "diaz"]),
        ("", []),
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert search.terms(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_terms_ignore_case(text: str) -> None:
    # lunr's tokenizer lowercases before the pipeline runs, on both sides; the
    # fold must give the same terms either way (it once missed 'Ð' and 'Þ').
    assert search.terms(text.lower()) == search.terms(text)


def test_pipeline_function_is_registered_with_lunr_py() -> None:
    from lunr.pipeline import Pipeline

    assert Pipeline.registered_functions[search.TERMS_FUNCTION] is search._terms_pipeline
    assert Pipeline.load([search.TERMS_FUNCTION]).run_string("Éloïse C++") == ["eloise", "cplusplus"]


# --- documents ----------------------------------------------------------------


def test_person_fields_and_what_a_result_shows(model) -> None:  # noqa: ANN001
    eloise = people_by_name(model)["Éloïse Marchand"]
    assert eloise.fields["name"] == "Éloïse Marchand"
    assert eloise.fields["skills"] == "Kubernetes"
    assert eloise.fields["teams"] == "Platform"
    assert eloise.fields["location"] == "Nantes"
    assert "on-call rotation" in eloise.fields["bio"]
    # The expertise evidence: Kafka, posted about twice, never declared.
    assert eloise.fields["evidence"] == "kafka kafka"
    assert eloise.shown["k"] == [["Kubernetes", 0], ["kafka", 2]]
    assert eloise.shown["a"] == "partial" and eloise.shown["o"] == ["mentoring"]
    assert eloise.shown["i"] == "ÉM" and 0 <= eloise.shown["h"] < 360
    assert eloise.boost == 1.0


def test_aliases_are_indexed_with_the_tag(model) -> None:  # noqa: ANN001
    assert people_by_name(model)["Priya Raman"].fields["skills"] == "PostgreSQL postgres"


def test_private_fields_are_neither_indexed_nor_shown(model) -> None:  # noqa: ANN001
    hugo = people_by_name(model)["Hugo Vasseur"]
    assert hugo.fields["location"] == "" and hugo.fields["title"] == ""
    assert hugo.shown["l"] == "" and hugo.shown["t"] == ""
    site, index = model
    assert "Lyon" not in search.people_file(site, index).body


def test_former_colleagues_are_indexed_with_a_lower_boost(model) -> None:  # noqa: ANN001
    former = people_by_name(model)["Camille Former"]
    assert former.shown["f"] == 1 and former.boost == search.FORMER_BOOST


def test_update_documents(model) -> None:  # noqa: ANN001
    site, index = model
    docs = search.update_documents(site, site.posts)
    hiring = docs[0]  # newest first
    assert hiring.fields["body"] == "We are hiring #c++ and #c# engineers."
    assert hiring.fields["author"] == "Priya Raman"
    assert hiring.shown["r"] == "2026/03/hiring" and hiring.shown["d"] == "2026-03-06"
    assert hiring.shown["g"] == ["c++", "c#"]
    assert site.people[list(site.people)[hiring.shown["a"]]].name == "Priya Raman"


# --- boosts and folding, checked by querying a real lunr.py index ---------------


def lunr_people(model):  # noqa: ANN001, ANN201
    site, index = model
    docs = search.person_documents(site, index)
    return search.lunr_builder(search.PEOPLE_FIELDS, docs).build(), {d.ref: d.shown["n"] for d in docs}


def names(model, query: str) -> list[str]:  # noqa: ANN001
    idx, by_ref = lunr_people(model)
    return [by_ref[r["ref"]] for r in idx.search(query)]


def test_folded_queries_find_accented_names(model) -> None:  # noqa: ANN001
    assert names(model, "eloise") == ["Éloïse Marchand"]
    assert names(model, "ÉLOÏSE") == ["Éloïse Marchand"]


def test_a_declared_skill_outranks_a_bio_mention(model) -> None:  # noqa: ANN001
    # Priya lists PostgreSQL (boost 8); Hugo mentions it in his bio (boost 1).
    assert names(model, "postgresql") == ["Priya Raman", "Hugo Vasseur"]


def test_a_current_colleague_outranks_a_former_one(model) -> None:  # noqa: ANN001
    assert names(model, "kubernetes") == ["Éloïse Marchand", "Camille Former"]


def test_evidence_makes_people_findable_by_what_they_post_about(model) -> None:  # noqa: ANN001
    assert names(model, "kafka") == ["Éloïse Marchand"]


def test_prefix_queries_match_as_you_type(model) -> None:  # noqa: ANN001
    assert names(model, "postgre*") == ["Priya Raman", "Hugo Vasseur"]


# --- the compact index ------------------------------------------------------------


def decode(compact: dict) -> dict[str, dict[str, int]]:
    """Back from the file's gaps and counts to lunr's field term frequencies."""
    result = {}
    for ref, per_field in enumerate(compact["vectors"]):
        for field, encoded in zip(compact["fields"], per_field):
            counts: dict[str, int] = {}
            number, last = 0, None
            for value in encoded:
                if value < 0:
                    counts[last] = -value
                    continue
                number += value
                last = compact["terms"][number]
                counts[last] = 1
            result[f"{field}/{ref}"] = counts
    return result


def test_fast_counts_equal_lunr_py_counts(model) -> None:  # noqa: ANN001
    site, index = model
    for fields, docs in (
        (search.PEOPLE_FIELDS, search.person_documents(site, index)),
        (search.UPDATE_FIELDS, search.update_documents(site, site.posts)),
    ):
        assert search.term_frequencies(fields, docs) == search.lunr_builder(fields, docs).field_term_frequencies


TRICKY_TEXT = st.one_of(st.text(), st.text(alphabet=list("ab1.+#-_ \t\n\u2003\u00a0\x1cÉé'’ẞİ")))


@settings(max_examples=150, deadline=None)
@given(st.lists(TRICKY_TEXT, min_size=1, max_size=4))
def test_fast_counts_equal_lunr_py_counts_on_any_text(texts: list[str]) -> None:
    fields = (("body", 1),)
    docs = [search.Document(str(i), {"body": text}, {}) for i, text in enumerate(texts)]
    assert search.term_frequencies(fields, docs) == search.lunr_builder(fields, docs).field_term_frequencies


def test_compact_index_round_trips_to_the_counts(model) -> None:  # noqa: ANN001
    site, index = model
    docs = search.person_documents(site, index)
    counts = search.term_frequencies(search.PEOPLE_FIELDS, docs)
    compact = search.compact_index(counts, search.PEOPLE_FIELDS, docs)
    assert compact["terms"] == sorted(compact["terms"])
    assert compact["pipeline"] == ["trombinoTerms"] and compact["version"].startswith("2.3.")
    assert compact["fields"] == [f for f, _ in search.PEOPLE_FIELDS]
    assert compact["boosts"] == [b for _, b in search.PEOPLE_FIELDS]
    assert decode(compact) == counts
    former = next(d.ref for d in docs if d.shown["f"])
    assert compact["docBoosts"] == {former: search.FORMER_BOOST}


def test_files_are_scripts_named_by_their_content(model) -> None:  # noqa: ANN001
    site, index = model
    people = search.people_file(site, index)
    prefix = '(window.trombinoSearch=window.trombinoSearch||{})["people"]='
    assert people.body.startswith(prefix) and people.body.endswith(";\n")
    payload = json.loads(people.body[len(prefix) : -2])
    assert set(payload) == {"index", "docs", "teams"}
    assert [t["s"] for t in payload["teams"]] == list(site.teams)
    assert people.name.startswith("people.") and people.name.endswith(".js")
    assert search.people_file(site, index) == people  # same content, same name


def test_updates_come_in_chunks_newest_first(model) -> None:  # noqa: ANN001
    site, _ = model
    chunks = search.update_files(site, per_chunk=2)
    assert [c.name.split(".")[0] for c in chunks] == ["updates-0", "updates-1"]
    first = json.loads(chunks[0].body.split("=", 2)[2].rstrip(";\n"))
    assert [d["r"] for d in first["docs"]] == [p.id for p in site.posts[:2]]
    assert search.update_files(replace(site, posts=())) == []


def test_filters_offer_only_values_someone_has(model) -> None:  # noqa: ANN001
    site, index = model
    filters = search.search_filters(site, index)
    assert filters.teams == (("engineering", "Engineering", 0), ("data", "Data", 1), ("platform", "Platform", 1))
    assert filters.locations == ("London", "Nantes")  # Hugo's is private
    assert filters.statuses == ("available", "partial")
    assert filters.open_to == ("mentoring", "mobility")


def test_built_site_has_the_search_page_and_its_files(site_root: Path, tmp_path: Path) -> None:
    result = build(site_root, tmp_path / "out")
    assert result.ok
    page = (tmp_path / "out/search/index.html").read_text(encoding="utf-8")
    files = sorted(p.name for p in (tmp_path / "out/static/search").glob("*.js"))
    assert [f.split(".")[0] for f in files] == ["people", "updates-0"]
    people_file = next(f for f in files if f.startswith("people."))
    assert f'<script src="../static/search/{people_file}" defer></script>' in page
    assert "updates-0." in page  # named in data-updates, loaded on the first query
    assert 'href="../people/"' in page and 'href="../experts/"' in page  # the no-JS links
