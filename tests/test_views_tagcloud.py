"""Tag cloud: weights from people and recent posts, log-scale size classes, both orders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trombino.derive import Index
from trombino.views.tagcloud import SIZE_CLASSES, size_class, tag_cloud

from view_model import REFERENCE, person, post, site


def test_size_classes_span_the_log_scale() -> None:
    assert size_class(0, 0, 100) == 1
    assert size_class(100, 0, 100) == SIZE_CLASSES
    assert size_class(5, 5, 5) == 3  # all equal: the middle size
    # Log scale: 10 is well past the middle between 0 and 100, unlike a linear scale.
    assert size_class(10, 0, 100) == 3
    classes = [size_class(w, 0, 1000) for w in (0, 1, 3, 10, 30, 100, 300, 1000)]
    assert classes == sorted(classes) and set(classes) == set(range(1, SIZE_CLASSES + 1))


def test_weights_count_people_and_decayed_posts_and_orders_are_stable() -> None:
    s = site(
        people=[person("ana", skills=["rust", "go"]), person("bob", interests=["rust"]), person("cyd", skills=["zig"], former=True)],
        posts=[post("ana", REFERENCE, tags=["go"]), post("bob", REFERENCE - timedelta(days=180), tags=["go", "apl"])],
    )
    cloud = tag_cloud(s, Index(s))
    weights = {e.tag.key: e.weight for e in cloud.alphabetical}
    assert weights == pytest.approx({"apl": 0.5, "go": 2.5, "rust": 2.0, "zig": 0.0})
    assert [e.tag.key for e in cloud.alphabetical] == ["apl", "go", "rust", "zig"]
    assert [e.tag.key for e in cloud.by_weight] == ["go", "rust", "apl", "zig"]
    by_key = {e.tag.key: e for e in cloud.alphabetical}
    assert by_key["go"].size == SIZE_CLASSES and by_key["zig"].size == 1
    assert (by_key["go"].people, by_key["go"].posts) == (1, 2)


def test_home_cloud_keeps_the_heaviest_in_reading_order() -> None:
    s = site(people=[person("p", skills=["b", "a", "c"])], posts=[post("p", REFERENCE, tags=["c"]), post("p", REFERENCE, tags=["b"])])
    cloud = tag_cloud(s, Index(s))
    assert [e.tag.key for e in cloud.top(2)] == ["b", "c"]


def test_ties_in_weight_fall_back_to_alphabetical() -> None:
    s = site(people=[person("p", skills=["beta", "alpha", "gamma"])])
    assert [e.tag.key for e in tag_cloud(s, Index(s)).by_weight] == ["alpha", "beta", "gamma"]
