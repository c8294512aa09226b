"""The org chart: the management tree drawn from each person's ``manager``.

The loader already breaks manager cycles, so the tree is a forest; it is built
bottom-up without recursion, so a very deep chain cannot exhaust the stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from trombino.derive import Index
from trombino.model import Person, Site


@dataclass(frozen=True)
class OrgNode:
    person: Person
    reports: tuple["OrgNode", ...]  # direct reports, A–Z
    size: int  # everyone below, at any depth

    @property
    def span(self) -> int:
        """Span of control: number of direct reports."""
        return len(self.reports)


@dataclass(frozen=True)
class OrgChart:
    roots: tuple[OrgNode, ...]  # top managers, largest organisation first
    unattached: tuple[Person, ...]  # no manager and nobody reporting to them
    depth: int  # levels in the deepest branch

    @property
    def people(self) -> int:
        return sum(1 + n.size for n in self.roots) + len(self.unattached)

    @property
    def managers(self) -> int:
        count, stack = 0, list(self.roots)
        while stack:
            node = stack.pop()
            count += node.span > 0
            stack.extend(node.reports)
        return count


def org_chart(site: Site, index: Index) -> OrgChart:
    current = {p.slug: p for p in site.current_people}
    # A person whose manager left (or is unknown) starts a tree of their own.
    tops = [p for p in current.values() if p.manager not in current]
    built: dict[str, OrgNode] = {}
    depth_of: dict[str, int] = {}
    seen: set[str] = set()
    for top in tops:
        order: list[Person] = []  # pre-order walk; nodes are then built children first
        stack = [top]
        while stack:
            person = stack.pop()
            if person.slug in seen:  # defensive: cycles were rejected by the loader
                continue
            seen.add(person.slug)
            order.append(person)
            stack.extend(index.reports_of.get(person.slug, ()))
        for person in reversed(order):
            reports = tuple(built[r.slug] for r in index.reports_of.get(person.slug, ()) if r.slug in built)
            built[person.slug] = OrgNode(person, reports, sum(1 + r.size for r in reports))
            depth_of[person.slug] = 1 + max((depth_of[r.person.slug] for r in reports), default=0)
    roots = sorted((built[p.slug] for p in tops if built[p.slug].reports), key=lambda n: (-n.size, n.person.sort_key, n.person.slug))
    unattached = tuple(p for p in tops if not built[p.slug].reports)
    depth = max((depth_of[n.person.slug] for n in roots), default=1 if unattached else 0)
    return OrgChart(tuple(roots), unattached, depth)
