"""The trombinoscope proper: every current face, team by team (the /faces/ page).

Teams come in the order of the team tree (a sub-team right after its parent);
each lists its direct members, so someone in two teams shows in both, as on a
printed trombinoscope with one team per page. People in no team come last.
"""

from __future__ import annotations

from dataclasses import dataclass

from trombino.derive import Index, TeamNode
from trombino.model import Person, Site, Team
from trombino.views.places import location_anchor, locations


@dataclass(frozen=True)
class Face:
    person: Person
    place: str  # anchor of the person's location on /locations/ ("" without one): the location filter's value


@dataclass(frozen=True)
class FaceGroup:
    team: Team | None  # None: people in no team
    faces: tuple[Face, ...]


@dataclass(frozen=True)
class Faces:
    groups: tuple[FaceGroup, ...]
    locations: tuple[tuple[str, str], ...]  # (anchor, name) of every location shown, for the filter
    count: int  # distinct people


def _teams_in_tree_order(nodes: tuple[TeamNode, ...]) -> list[Team]:
    found: list[Team] = []
    for node in nodes:
        found.append(node.team)
        found.extend(_teams_in_tree_order(node.children))
    return found


def _faces(people: tuple[Person, ...]) -> tuple[Face, ...]:
    return tuple(Face(p, location_anchor(p.location) if p.location.strip() else "") for p in people)


def faces(site: Site, index: Index) -> Faces:
    groups = []
    for team in _teams_in_tree_order(index.team_tree()):
        members = index.direct_members.get(team.slug, ())
        if members:
            groups.append(FaceGroup(team, _faces(members)))
    teamless = tuple(p for p in site.current_people if not any(t in site.teams for t in p.teams))
    if teamless:
        groups.append(FaceGroup(None, _faces(teamless)))
    places = tuple((place.anchor, place.name) for place in locations(site)[0])
    return Faces(tuple(groups), places, len(site.current_people))
