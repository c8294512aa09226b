"""The JSON API: ``/api/people.json`` and ``/api/teams.json``.

Documented in ``docs/expertise.md`` ("JSON API"). The shape is stable: every
key is always present (``null`` or ``[]`` when empty or not published), keys
keep their order, and ``version`` changes only when a key changes meaning or
disappears. URLs are absolute, from ``base_url``. The text is compact JSON (no
spaces or line breaks between tokens), one line.
"""

from __future__ import annotations

import json
from typing import Any

from trombino.derive import Index
from trombino.model import Person, Site, Team
from trombino.views.booking import booking
from trombino.views.expertise import ExpertIndex
from trombino.views.publish import photo_path, visible

API_VERSION = 1
SCORE_DIGITS = 3


def _date(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value else None


def person_record(site: Site, index: Index, experts: ExpertIndex, person: Person) -> dict[str, Any]:
    config, base = site.config, site.config.base_url

    def pub(name: str, value: Any, empty: Any = None) -> Any:
        return value if value and visible(person, config, name) else empty

    availability = None
    if person.availability and visible(person, config, "availability"):
        a = person.availability
        availability = {"status": a.status, "until": _date(a.until), "note": a.note or None}
    load = booking(person, site.reference_date)
    commitments = []
    booked = None
    if visible(person, config, "commitments"):
        commitments = [{"what": c.what, "share": c.share, "until": _date(c.until), "link": c.link} for c in person.commitments]
        booked = {"share": load.share, "until": _date(load.until), "open_ended": load.open_ended} if person.commitments else None
    photo = photo_path(person, config)
    return {
        "slug": person.slug,
        "name": person.name,
        "url": f"{base}people/{person.slug}/",
        "vcard": f"{base}people/{person.slug}/{person.slug}.vcf",
        "feed": f"{base}feeds/people/{person.slug}.xml",
        "former": person.former,
        "stale": index.is_stale(person) if not person.former else None,
        "title": pub("title", person.title),
        "pronouns": pub("pronouns", person.pronouns),
        "teams": list(person.teams),
        "manager": pub("manager", person.manager),
        "location": pub("location", person.location),
        "timezone": pub("timezone", person.timezone),
        "email": pub("email", person.email),
        "chat": pub("chat", person.chat),
        "languages": list(pub("languages", person.languages, ())),
        "github": pub("github", person.github),
        "gitlab": pub("gitlab", person.gitlab),
        "links": dict(pub("links", person.links, ())),
        "photo": base + photo if photo else None,
        "skills": list(person.skills),
        "ask_me_about": list(person.ask_me_about),
        "interests": list(person.interests),
        "open_to": list(person.open_to),
        "availability": availability,
        "commitments": commitments,
        "booked": booked,
        "joined": _date(pub("joined", person.joined)),
        "left": _date(person.left),
        "updated": _date(person.updated),
        "last_update": _date(index.last_post_date(person.slug)),
        "expertise": [
            {
                "tag": e.tag,
                "score": round(e.score, SCORE_DIGITS),
                "declared": e.declared,
                "updates": len(e.posts),
                "last": _date(e.last),
            }
            for e in (() if person.former else experts.by_person.get(person.slug, ()))
        ],
    }


def team_record(site: Site, index: Index, team: Team) -> dict[str, Any]:
    base = site.config.base_url
    return {
        "slug": team.slug,
        "name": team.name,
        "url": f"{base}teams/{team.slug}/",
        "feed": f"{base}feeds/teams/{team.slug}.xml",
        "parent": team.parent,
        "children": [t.slug for t in index.children_of.get(team.slug, ())],
        "leads": [p.slug for p in index.leads(team.slug)],
        "members": [p.slug for p in index.direct_members.get(team.slug, ())],
        "all_members": [m.person.slug for m in index.members(team.slug)],
        "chat": team.chat or None,
        "email": team.email or None,
        "links": dict(team.links),
        "updates": len(index.posts_by_team.get(team.slug, ())),
    }


def _tags(site: Site) -> dict[str, Any]:
    base = site.config.base_url
    return {key: {"name": tag.display, "url": f"{base}tags/{tag.slug}/"} for key, tag in site.tags.items()}


def _dump(data: dict[str, Any]) -> str:
    # Compact: with ``indent`` json.dumps falls back to its pure-Python encoder,
    # several times slower, and this file is rewritten whenever anyone's profile changes.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def people_json(site: Site, index: Index, experts: ExpertIndex) -> str:
    return _dump(
        {
            "version": API_VERSION,
            "title": site.config.title,
            "reference_date": site.reference_date.isoformat(),
            "half_life_days": site.config.half_life_days,
            "tags": _tags(site),
            "people": [person_record(site, index, experts, p) for p in site.people.values()],
        }
    )


def teams_json(site: Site, index: Index) -> str:
    return _dump(
        {
            "version": API_VERSION,
            "title": site.config.title,
            "reference_date": site.reference_date.isoformat(),
            "teams": [team_record(site, index, t) for t in site.teams.values()],
        }
    )
