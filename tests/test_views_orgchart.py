"""Org chart: tree from `manager`, span of control, roots, no recursion, no cycles."""

from __future__ import annotations

from trombino.derive import Index
from trombino.loader import load_site
from trombino.views.orgchart import org_chart

from view_model import person, site


def shape(node):  # noqa: ANN001, ANN201
    return (node.person.slug, node.span, node.size, [shape(r) for r in node.reports])


def test_tree_spans_and_sizes() -> None:
    s = site(
        people=[
            person("ceo", "Ada Ceo"),
            person("cto", "Bea Cto", manager="ceo"),
            person("coo", "Cid Coo", manager="ceo"),
            person("dev1", "Dan One", manager="cto"),
            person("dev2", "Dan Two", manager="cto"),
            person("solo", "Sol Alone"),
            person("small", "Zed Small"),
            person("intern", "Ivy Intern", manager="small"),
        ]
    )
    chart = org_chart(s, Index(s))
    assert [shape(r) for r in chart.roots] == [
        ("ceo", 2, 4, [("coo", 0, 0, []), ("cto", 2, 2, [("dev1", 0, 0, []), ("dev2", 0, 0, [])])]),
        ("small", 1, 1, [("intern", 0, 0, [])]),
    ]
    assert [p.slug for p in chart.unattached] == ["solo"]
    assert chart.depth == 3 and chart.managers == 3 and chart.people == 8


def test_reports_of_a_former_manager_start_their_own_tree() -> None:
    s = site(people=[person("boss", former=True), person("ana", manager="boss"), person("ben", manager="ana")])
    chart = org_chart(s, Index(s))
    assert [shape(r) for r in chart.roots] == [("ana", 1, 1, [("ben", 0, 0, [])])]


def test_a_very_deep_chain_needs_no_recursion() -> None:
    people = [person("p0")] + [person(f"p{i}", manager=f"p{i - 1}") for i in range(1, 5000)]
    chart = org_chart(site(people), Index(site(people)))
    assert chart.depth == 5000 and chart.roots[0].size == 4999


def test_manager_cycles_are_broken_by_the_loader_so_the_chart_is_a_forest(make_site) -> None:  # noqa: ANN001
    root = make_site(
        {
            "content/people/a.md": "---\nname: A\nmanager: b\n---\n",
            "content/people/b.md": "---\nname: B\nmanager: a\n---\n",
            "content/people/c.md": "---\nname: C\nmanager: a\n---\n",
        }
    )
    loaded = load_site(root)
    assert any("managers form a cycle" in d.message for d in loaded.diagnostics)
    s = loaded.site
    chart = org_chart(s, Index(s))
    assert sum(1 + r.size for r in chart.roots) + len(chart.unattached) == 3
