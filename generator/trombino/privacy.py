"""What gets published: hidden fields are removed from the model itself.

Site-wide (`publish.hidden_fields` in trombino.yaml) and per person
(`private: [...]` in a profile). Removing them before anything is derived or
rendered means no page, feed, JSON file, vCard or search index can leak them.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from trombino.model import Person, Site

# Fields that can be hidden: every profile field but the name and the slug.
HIDEABLE = frozenset(f.name for f in dataclasses.fields(Person)) - {"slug", "name", "source_path", "sort_key", "former", "left", "bio_html", "private"} | {"bio"}
_DEFAULTS = {f.name: (f.default if f.default is not dataclasses.MISSING else None) for f in dataclasses.fields(Person)}


def published_person(person: Person, site_hidden: frozenset[str]) -> Person:
    hidden = (site_hidden | set(person.private)) & HIDEABLE
    if not hidden:
        return person
    changes = {name: _DEFAULTS[name] for name in hidden if name != "bio"}
    if "bio" in hidden:
        changes["bio_html"] = ""
    return dataclasses.replace(person, **changes)


def publish(site: Site) -> Site:
    """The site as it may be published: without any hidden field."""
    site_hidden = frozenset(site.config.hidden_fields)
    people = {slug: published_person(p, site_hidden) for slug, p in site.people.items()}
    return dataclasses.replace(site, people=MappingProxyType(people))
