"""The tag cloud: every tag weighted by how much it is used, now.

A tag's weight is the number of current people who declare it plus its posts,
each counted with the same recency decay as the expert index (a post a
half-life old counts ½). Weights map to ``SIZE_CLASSES`` font sizes on a log
scale, so a handful of very popular tags do not flatten all the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from trombino.derive import Index
from trombino.model import Site, Tag
from trombino.text import fold
from trombino.views.expertise import decay

SIZE_CLASSES = 5
HOME_CLOUD_SIZE = 30


@dataclass(frozen=True)
class CloudEntry:
    tag: Tag
    weight: float
    size: int  # 1 (smallest) … SIZE_CLASSES
    people: int  # current people declaring it
    posts: int  # posts carrying it, any age


@dataclass(frozen=True)
class TagCloud:
    alphabetical: tuple[CloudEntry, ...]
    by_weight: tuple[CloudEntry, ...]  # heaviest first; ties A–Z

    def top(self, count: int = HOME_CLOUD_SIZE) -> tuple[CloudEntry, ...]:
        """The ``count`` heaviest tags, in A–Z order for reading."""
        keys = {e.tag.key for e in self.by_weight[:count]}
        return tuple(e for e in self.alphabetical if e.tag.key in keys)


def size_class(weight: float, lightest: float, heaviest: float, classes: int = SIZE_CLASSES) -> int:
    """Map a weight to 1…classes on a log scale (log1p, so zero weights work)."""
    low, high = math.log1p(lightest), math.log1p(heaviest)
    if high - low < 1e-12:
        return (classes + 1) // 2
    position = (math.log1p(weight) - low) / (high - low)
    return 1 + min(classes - 1, int(position * classes))


def tag_cloud(site: Site, index: Index) -> TagCloud:
    reference, half_life = site.reference_date, site.config.half_life_days
    weights: dict[str, float] = {}
    for key in site.tags:
        posts = index.posts_by_tag.get(key, ())
        people = len(index.people_by_tag.get(key, ()))
        weights[key] = people + sum(decay((reference - p.day).days, half_life) for p in posts)
    lightest = min(weights.values(), default=0.0)
    heaviest = max(weights.values(), default=0.0)
    entries = tuple(
        CloudEntry(
            tag=tag,
            weight=weights[key],
            size=size_class(weights[key], lightest, heaviest),
            people=len(index.people_by_tag.get(key, ())),
            posts=len(index.posts_by_tag.get(key, ())),
        )
        for key, tag in site.tags.items()  # site.tags is already A–Z by display
    )
    by_weight = tuple(sorted(entries, key=lambda e: (-round(e.weight, 9), fold(e.tag.display), e.tag.key)))
    return TagCloud(entries, by_weight)
