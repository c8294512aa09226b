"""Update files are kept between builds (for ``trombino serve``): reused only when what they are made of is equal."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from trombino import search

from view_model import REFERENCE, person, post, site


def sample():  # noqa: ANN201
    return site(
        people=[person("ana", "Ana Lima", teams=["data"], title="Engineer"), person("bob", "Bob Stone", teams=["data"])],
        posts=[post("ana", REFERENCE, tags=["python"], team="data"), post("bob", REFERENCE, tags=["sql"])],
    )


def fresh(s) -> list[search.SearchFile]:  # noqa: ANN001
    """What update_files gives without anything kept from before."""
    search._LAST_UPDATE_FILES.clear()
    return search.update_files(s, per_chunk=1)


def test_files_are_reused_when_only_what_they_do_not_show_changes() -> None:
    s = sample()
    before = fresh(s)
    retitled = replace(s, people=MappingProxyType({**s.people, "ana": replace(s.people["ana"], title="Boss")}))
    after = search.update_files(retitled, per_chunk=1)
    assert all(a is b for a, b in zip(after, before, strict=True))


def test_files_are_made_again_when_an_author_name_posts_tags_or_order_change() -> None:
    s = sample()
    renamed = replace(s, people=MappingProxyType({**s.people, "ana": replace(s.people["ana"], name="Ana Souza")}))
    reordered = replace(s, people=MappingProxyType(dict(reversed(s.people.items()))))
    retagged = replace(s, tags=MappingProxyType({k: replace(t, display=t.display.upper()) for k, t in s.tags.items()}))
    edited = replace(s, posts=(replace(s.posts[0], title="New title"), s.posts[1]))
    for changed in (renamed, reordered, retagged, edited):
        search._LAST_UPDATE_FILES.clear()
        search.update_files(s, per_chunk=1)
        kept = search.update_files(changed, per_chunk=1)
        assert kept == fresh(changed)  # exactly what a build starting from nothing makes
        assert kept != fresh(s)


def test_chunks_no_site_has_any_more_are_forgotten() -> None:
    s = sample()
    fresh(s)
    assert search.update_files(replace(s, posts=s.posts[:1]), per_chunk=1)
    assert set(search._LAST_UPDATE_FILES) == {0}


def test_naming_update_files_makes_no_documents_and_any_change_to_a_post_renames_its_file() -> None:
    s = sample()
    files = fresh(s)
    names = [f.name for f in files]
    assert not any("documents" in vars(f) for f in files)  # made by the render workers, if at all
    for change in ({"html": "<p>Other words</p>"}, {"summary": "Other words"}, {"kind": "decision"}, {"team": "platform"}, {"tags": ("go",)}):
        edited = replace(s, posts=(replace(s.posts[0], **change), s.posts[1]))
        renamed = [f.name for f in fresh(edited)]
        assert renamed[0] != names[0] and renamed[1] == names[1], change
