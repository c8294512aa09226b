"""Hand-made content models for the derived-view tests: no files, no loader.

``person()``, ``post()`` and ``site()`` fill every field a test does not care
about, so each test states only what it checks.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from types import MappingProxyType

from trombino.model import Commitment, Config, Person, Post, Site, Tag, Team
from trombino.text import default_sort_name, tag_key

REFERENCE = date(2026, 6, 1)


def person(slug: str, name: str | None = None, **fields) -> Person:  # noqa: ANN003
    name = name or slug.replace("-", " ").title()
    for key in ("skills", "interests", "ask_me_about", "teams"):
        if key in fields:
            fields[key] = tuple(fields[key])
    if "commitments" in fields:
        fields["commitments"] = tuple(c if isinstance(c, Commitment) else Commitment(**c) for c in fields["commitments"])
    fields.setdefault("updated", REFERENCE)
    return Person(slug=slug, name=name, source_path=f"content/people/{slug}.md", sort_key=default_sort_name(name), **fields)


_counter = 0


def post(author: str, day: date, *, tags=(), kind: str = "update", slug: str | None = None, hour: int = 12, **fields) -> Post:  # noqa: ANN001, ANN003
    global _counter
    _counter += 1
    slug = slug or f"p{_counter}"
    moment = datetime.combine(day, time(hour, 0), timezone.utc)
    fields.setdefault("html", f"<p>{slug}</p>")
    fields.setdefault("summary", slug)
    return Post(
        id=f"{day.year:04d}/{day.month:02d}/{slug}",
        slug=slug,
        author=author,
        date=moment,
        day=day,
        source_path=f"content/posts/{slug}.md",
        kind=kind,
        tags=tuple(tags),
        **fields,
    )


def site(people=(), posts=(), teams=(), *, reference: date = REFERENCE, **config) -> Site:  # noqa: ANN001, ANN003
    people = sorted(people, key=lambda p: (p.sort_key, p.slug))
    keys: dict[str, None] = {}
    for p in people:
        keys.update(dict.fromkeys(p.skills + p.ask_me_about + p.interests))
    for p in posts:
        keys.update(dict.fromkeys(p.tags))
    tags = {k: Tag(k, tag_key(k).replace("+", "-plus").replace("#", "-sharp").replace(".", "dot"), k) for k in sorted(keys)}
    team_map = {t.slug: t for t in teams}
    for p in people:
        for slug in p.teams:
            team_map.setdefault(slug, Team(slug, slug.title()))
    return Site(
        config=Config(**config),
        people=MappingProxyType({p.slug: p for p in people}),
        teams=MappingProxyType(dict(sorted(team_map.items()))),
        posts=tuple(sorted(posts, key=lambda p: (p.date, p.id), reverse=True)),
        tags=MappingProxyType(tags),
        reference_date=reference,
    )
