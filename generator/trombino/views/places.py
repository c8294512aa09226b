"""Where people are: each location with its people and time zones (the /locations/ page).

Locations are free text in profiles; spellings that fold to the same words
('Saint-Étienne', 'saint etienne') are one place, shown as most people write it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from trombino.model import Person, Site
from trombino.text import fold, slugify


@dataclass(frozen=True)
class Location:
    name: str
    anchor: str  # id of its section on /locations/, from location_anchor()
    people: tuple[Person, ...]  # A–Z
    zones: tuple[str, ...]  # its people's time zones, most common first


def location_key(name: str) -> str:
    return " ".join(fold(name).replace("-", " ").split())


def location_anchor(name: str) -> str:
    return "at-" + slugify(location_key(name))


def locations(site: Site) -> tuple[tuple[Location, ...], tuple[Person, ...]]:
    """Current people by location, A–Z by place; and the people who gave no location."""
    groups: dict[str, list[Person]] = defaultdict(list)
    unplaced = []
    for person in site.current_people:  # A–Z by sort key already
        if person.location.strip():
            groups[location_key(person.location)].append(person)
        else:
            unplaced.append(person)
    result = []
    for key, people in groups.items():
        spellings = Counter(p.location.strip() for p in people)
        name = min(spellings, key=lambda s: (-spellings[s], s))
        zones = Counter(p.timezone for p in people if p.timezone)
        ordered_zones = tuple(z for z, _ in sorted(zones.items(), key=lambda item: (-item[1], item[0])))
        result.append(Location(name, location_anchor(name), tuple(people), ordered_zones))
    result.sort(key=lambda loc: location_key(loc.name))
    return tuple(result), tuple(unplaced)
