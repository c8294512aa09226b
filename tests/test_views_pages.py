"""The derived views end to end: every page exists, links hold, content reads right."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trombino.build import build
from trombino.linkcheck import check_links

from views_site import VIEWS_SITE


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_site

    root = write_site(tmp_path_factory.mktemp("views") / "site", dict(VIEWS_SITE))
    out = root.parent / "out"
    result = build(root, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


def text(built: Path, path: str) -> str:
    return (built / path).read_text(encoding="utf-8")


def test_every_view_page_is_written_and_links_hold(built: Path) -> None:
    for path in (
        "experts/index.html",
        "org/index.html",
        "updates/index.html",
        "updates/page/2/index.html",
        "updates/page/3/index.html",
        "teams/eng/page/2/index.html",
        "teams/eng/page/3/index.html",
        "teams/eng/decisions/index.html",
        "teams/data/decisions/index.html",
        "tags/kubernetes/index.html",
        "api/people.json",
        "api/teams.json",
        "people/ana-lima/ana-lima.vcf",
    ):
        assert (built / path).is_file(), path
    assert not (built / "updates/page/4").exists()  # 5 updates, 2 per page
    assert not (built / "teams/eng/page/4").exists()
    assert check_links(built) == []


def test_no_inline_styles_or_scripts(built: Path) -> None:
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert " style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html), page
        assert not re.search(r"\son[a-z]+=", html), page


def test_team_page_timeline_paginates_with_weeks_and_marks_subteams(built: Path) -> None:
    page = text(built, "teams/eng/index.html")
    assert page.count('class="week-head"') == 1  # 10–12 March: one week on page 1
    assert "Week of 9 March 2026" in page
    assert 'rel="next" href="../../teams/eng/page/2/"' in page and 'rel="prev"' not in page
    assert 'class="via"' in page and ">Data</a>" in page  # posts from the Data sub-team are marked
    assert 'href="../../teams/eng/decisions/">1 decision</a>' in page
    last = text(built, "teams/eng/page/3/index.html")
    assert 'rel="prev" href="../../../../teams/eng/page/2/"' in last and 'rel="next"' not in last
    assert "page 3 of 3" in last


def test_team_page_lists_questions_and_load(built: Path) -> None:
    page = text(built, "teams/eng/index.html")
    questions = page.split('id="questions-h"')[1].split("</section>")[0]
    assert "Who knows" in questions and "1 answer" in questions
    load = page.split('id="load-h"')[1].split("</section>")[0]
    assert "Ana Lima" in load and "80 % booked, no end date" in load
    assert 'class="booking-seg booking-seg-1" x="0" y="0" width="20"' in load  # open-ended on-call first


def test_experts_page_shows_rank_why_and_availability(built: Path) -> None:
    page = text(built, "experts/index.html")
    kubernetes = page.split('href="../tags/kubernetes/"')[1].split('class="expert-tag"')[0]
    assert kubernetes.index("Ana Lima") < kubernetes.index("Bruno Díaz")
    assert "declared skill" in kubernetes and "1 update, last on 11 Mar 2026" in kubernetes
    assert "Busy until 15 Dec 2026" in kubernetes


def test_tag_page_ranks_everyone_then_updates(built: Path) -> None:
    page = text(built, "tags/kubernetes/index.html")
    assert page.index("Who knows this") < page.index("Ana Lima") < page.index("Bruno Díaz") < page.index('id="posts-h"')


def test_profile_splits_declared_and_shown(built: Path) -> None:
    ana = text(built, "people/ana-lima/index.html")
    declared = ana.split('id="skills-h"')[1].split("</section>")[0]
    shown = ana.split('id="shown-h"')[1].split("</section>")[0]
    assert "python" in declared.lower() and "kubernetes" in declared.lower()
    assert "postgresql" in shown and 'href="../../posts/2026/03/two/"' in shown  # evidence links to the post
    assert 'href="../../people/ana-lima/ana-lima.vcf"' in ana
    bruno = text(built, "people/bruno-diaz/index.html")
    mentions = bruno.split('id="mentions-h"')[1].split("</section>")[0]
    assert mentions.index("We use Postgres 17") < mentions.index("Shipping")  # decisions first


def test_tags_page_has_both_orders_and_home_a_cloud(built: Path) -> None:
    tags = text(built, "tags/index.html")
    assert 'id="by-weight"' in tags and 'id="a-z"' in tags and "size-5" in tags
    assert "cloud-compact" in text(built, "index.html")


def test_org_page(built: Path) -> None:
    org = text(built, "org/index.html")
    assert "<details open>" in org and "1 direct report" in org


def test_api_is_valid_json_with_absolute_urls(built: Path) -> None:
    people = json.loads(text(built, "api/people.json"))
    bruno = next(p for p in people["people"] if p["slug"] == "bruno-diaz")
    assert bruno["email"] is None and bruno["url"] == "https://people.example/dir/people/bruno-diaz/"
    assert json.loads(text(built, "api/teams.json"))["teams"][0]["slug"] in {"data", "eng"}
    assert "EMAIL" not in text(built, "people/bruno-diaz/bruno-diaz.vcf")


def test_navigation_links_to_the_views(built: Path) -> None:
    home = text(built, "index.html")
    for path in ("experts/", "updates/", "org/"):
        assert f'href="{path}"' in home
