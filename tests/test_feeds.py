"""Atom feeds: valid XML, every required Atom 1.0 element, absolute links, advertised on pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from trombino.build import build
from trombino.views.feeds import FEED_ENTRIES, AtomWriter, FeedSpec

from view_model import REFERENCE, person, post, site
from views_site import VIEWS_SITE

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_site

    root = write_site(tmp_path_factory.mktemp("feeds") / "site", dict(VIEWS_SITE))
    out = root.parent / "out"
    result = build(root, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


def parse(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == A + "feed"
    return root


def check_atom(feed: ET.Element) -> None:
    """RFC 4287's required elements, and RFC 3339 dates."""
    for name in ("id", "title", "updated"):
        assert feed.find(A + name) is not None and feed.find(A + name).text, name
    datetime.fromisoformat(feed.find(A + "updated").text)
    rels = {link.get("rel"): link.get("href") for link in feed.findall(A + "link")}
    assert rels["self"].startswith("https://people.example/dir/feeds/")
    assert rels["alternate"].startswith("https://people.example/dir/")
    feed_author = feed.find(A + "author")
    for entry in feed.findall(A + "entry"):
        for name in ("id", "title", "updated"):
            assert entry.find(A + name) is not None and entry.find(A + name).text, name
        datetime.fromisoformat(entry.find(A + "updated").text)
        author = entry.find(A + "author") or feed_author
        assert author is not None and author.find(A + "name").text
        (alternate,) = [link for link in entry.findall(A + "link") if link.get("rel") == "alternate"]
        assert alternate.get("href").startswith("https://people.example/dir/posts/")


def test_every_feed_is_valid_atom(built: Path) -> None:
    feeds = sorted((built / "feeds").rglob("*.xml"))
    names = {p.relative_to(built / "feeds").as_posix() for p in feeds}
    assert {"updates.xml", "teams/eng.xml", "teams/data.xml", "people/ana-lima.xml", "people/bruno-diaz.xml", "tags/kubernetes.xml", "tags/python.xml"} <= names
    assert "tags/k8s.xml" not in names  # alias merged
    for path in feeds:
        check_atom(parse(path))


def test_feed_content_order_and_absolute_links(built: Path) -> None:
    feed = parse(built / "feeds/updates.xml")
    entries = feed.findall(A + "entry")
    assert [e.find(A + "link").get("href") for e in entries][:2] == [
        "https://people.example/dir/posts/2026/03/five/",
        "https://people.example/dir/posts/2026/03/four/",
    ]
    assert feed.find(A + "updated").text == "2026-03-12T09:00:00+01:00"  # newest content date, not the clock
    decision = next(e for e in entries if e.find(A + "title").text == "We use Postgres 17")
    html = decision.find(A + "content").text
    assert 'href="https://people.example/dir/people/bruno-diaz/"' in html
    assert 'href="https://people.example/dir/tags/postgresql/"' in html
    assert "<everywhere>" not in html and "&amp; more" in html  # the same sanitised HTML as the site
    assert {c.get("term") for c in decision.findall(A + "category")} == {"decision", "postgresql"}
    assert decision.find(A + "author/" + A + "name").text == "Ana Lima"


def test_team_feed_includes_subteams_and_posts_addressed_to_the_team(built: Path) -> None:
    eng = [e.find(A + "link").get("href").rsplit("/", 2)[-2] for e in parse(built / "feeds/teams/eng.xml").findall(A + "entry")]
    data = [e.find(A + "link").get("href").rsplit("/", 2)[-2] for e in parse(built / "feeds/teams/data.xml").findall(A + "entry")]
    assert data == ["five", "four", "two", "one"]  # "five" is Bruno's, addressed to data
    assert eng == ["five", "four", "three", "two", "one"]


def test_pages_advertise_their_feed(built: Path) -> None:
    for page, feed in (
        ("index.html", "feeds/updates.xml"),
        ("updates/index.html", "feeds/updates.xml"),
        ("teams/eng/index.html", "feeds/teams/eng.xml"),
        ("people/ana-lima/index.html", "feeds/people/ana-lima.xml"),
        ("tags/python/index.html", "feeds/tags/python.xml"),
    ):
        html = (built / page).read_text()
        depth = page.count("/")
        assert f'<link rel="alternate" type="application/atom+xml" href="{"../" * depth}{feed}"' in html, page


def test_feeds_keep_the_newest_entries_and_escape_everything() -> None:
    people = [person("ana", "Ana <b>&</b>")]
    posts = [post("ana", REFERENCE, hour=i % 24, slug=f"s{i}", summary="x < y & \x0bz", html="<p>a&amp;b</p>") for i in range(FEED_ENTRIES + 5)]
    s = site(people, posts, base_url="/")
    text = AtomWriter(s).feed(FeedSpec("feeds/updates.xml", "updates/", "T & <t>", s.posts))
    feed = ET.fromstring(text)
    entries = feed.findall(A + "entry")
    assert len(entries) == FEED_ENTRIES
    assert feed.find(A + "title").text == "T & <t>"
    assert entries[0].find(A + "author/" + A + "name").text == "Ana <b>&</b>"
    assert entries[0].find(A + "summary").text == "x < y & z"
    assert entries[0].find(A + "id").text.startswith("urn:uuid:")  # base_url "/" is no absolute IRI


def test_empty_feed_is_still_valid() -> None:
    s = site([person("ana")], [], base_url="https://x.example/")
    feed = ET.fromstring(AtomWriter(s).feed(FeedSpec("feeds/people/ana.xml", "people/ana/", "Ana", ())))
    assert feed.find(A + "updated").text == "2026-06-01T00:00:00+00:00"
    assert feed.find(A + "id").text == "https://x.example/feeds/people/ana.xml"
    assert feed.findall(A + "entry") == []
