"""The search page in real headless Chromium: typing, matching, filters, keyboard, URL, no JS.

Every test runs on a site built from the content below and served on
127.0.0.1; the ``visit`` fixture fails a test that logs a console error or
requests anything from another host.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from trombino import search
from trombino.build import build
from trombino.derive import Index
from trombino.loader import load_site

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
from playwright.sync_api import expect  # noqa: E402

SITE = {
    "trombino.yaml": """
        title: Search Corp
        language: en
        tag_aliases:
          postgres: postgresql
    """,
    "content/teams/engineering.md": "---\nname: Engineering\n---\n",
    "content/teams/platform.md": "---\nname: Platform\nparent: engineering\n---\n",
    "content/teams/data.md": "---\nname: Data\nparent: engineering\n---\n",
    "content/teams/people-ops.md": "---\nname: People Ops\n---\n",
    "content/people/eloise-marchand.md": """
        ---
        name: Éloïse Marchand
        title: Staff Engineer
        team: platform
        location: Nantes
        skills: [Kubernetes, Go]
        interests: [PostgreSQL]
        availability: {status: partial}
        open_to: [mentoring]
        ---
        Éloïse runs the platform on-call rotation.
    """,
    "content/people/gael-le-goff.md": """
        ---
        name: Gaël Le Goff
        title: Engineering Manager
        team: engineering
        location: Brest
        skills: [Leadership]
        availability: {status: available}
        open_to: [mobility, mentoring]
        ---
    """,
    "content/people/camille-aubert.md": """
        ---
        name: Camille Aubert
        title: Software Engineer
        team: platform
        location: Paris
        skills: [C++, "C#", .NET]
        availability: {status: busy}
        ---
        Camille writes the pricing engine.
    """,
    "content/people/priya-raman.md": """
        ---
        name: Priya Raman
        title: Database Engineer
        team: data
        location: London
        skills: [PostgreSQL, Python]
        availability: {status: available}
        open_to: [mobility]
        ---
    """,
    "content/people/bruno-diaz.md": """
        ---
        name: Bruno Díaz
        title: Recruiter
        team: people-ops
        location: Paris
        skills: [Hiring]
        ---
    """,
    "content/people/camille-roux.md": """
        ---
        name: Camille Roux
        title: Designer
        team: people-ops
        location: Lyon
        left: 2025-01-31
        ---
    """,
    "content/posts/2026/03/postgres-upgrade.md": """
        ---
        author: priya-raman
        date: 2026-03-04
        title: PostgreSQL 16 upgrade done
        tags: [postgresql]
        ---
        The main cluster runs 16 now, thanks @eloise-marchand.
    """,
    "content/posts/2026/03/kafka.md": """
        ---
        author: eloise-marchand
        date: 2026-03-05
        kind: decision
        title: Kafka for the order events
        tags: [kafka]
        ---
        Order events go through #kafka from April.
    """,
    "content/posts/2026/03/hiring.md": """
        ---
        author: bruno-diaz
        date: 2026-03-06
        ---
        We are hiring two #c++ engineers for the pricing team.
    """,
}


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_site

    return write_site(tmp_path_factory.mktemp("search-browser") / "site", dict(SITE))


@pytest.fixture(scope="module")
def built(site_root: Path) -> Path:
    out = site_root.parent / "out"
    result = build(site_root, out)
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


@pytest.fixture(scope="module")
def base_url(built: Path, http_server) -> str:  # noqa: ANN001
    return http_server(built)


class Visit:
    """A page with what it logged and requested, for the checks every test ends with."""

    def __init__(self, context) -> None:  # noqa: ANN001
        self.page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def search(self, base_url: str, query: str = "") -> None:
        self.page.goto(base_url + "search/" + query)
        expect(self.page.locator("#search-status")).not_to_have_text(re.compile("Loading the search index"))

    def type(self, text: str) -> None:
        box = self.page.locator("#search-q")
        box.fill("")
        box.press_sequentially(text, delay=20)

    def people(self):  # noqa: ANN201
        return self.page.locator("#search-people .search-hit-name")

    def updates(self):  # noqa: ANN201
        return self.page.locator("#search-updates .search-hit-name")


@pytest.fixture
def visit(browser):  # noqa: ANN001, ANN201
    context = browser.new_context()
    v = Visit(context)
    yield v
    context.close()
    assert v.errors == []
    foreign = [url for url in v.requests if urlsplit(url).scheme != "file" and urlsplit(url).hostname != "127.0.0.1"]
    assert foreign == [], "requests to another host"


def test_typing_without_accents_finds_accented_names(visit: Visit, base_url: str) -> None:
    visit.search(base_url)
    visit.type("eloise")
    expect(visit.people()).to_have_text(["Éloïse Marchand"])
    visit.type("GAEL")
    expect(visit.people()).to_have_text(["Gaël Le Goff"])
    visit.type("diaz")
    expect(visit.people()).to_have_text(["Bruno Díaz"])


def test_a_prefix_finds_postgresql_people_as_you_type(visit: Visit, base_url: str) -> None:
    visit.search(base_url)
    visit.type("postgre")
    expect(visit.people()).to_have_text(["Priya Raman", "Éloïse Marchand"])  # a skill outranks an interest
    first = visit.page.locator("#search-people .search-item").first
    expect(first.locator(".chip.is-match")).to_have_text(["PostgreSQL · 1 update"])  # with the evidence
    expect(first.locator(".badge")).to_have_text("Available")
    expect(first.locator(".search-hit-meta")).to_have_text("Database Engineer · Data · London")
    expect(visit.updates()).to_have_text(["PostgreSQL 16 upgrade done"])
    visit.type("postgres")  # an alias, and a prefix of the tag
    expect(visit.people().first).to_have_text("Priya Raman")


@pytest.mark.parametrize(("query", "expected"), [("c++", "Camille Aubert"), ("C#", "Camille Aubert"), (".net", "Camille Aubert")])
def test_tags_with_symbols_are_findable(visit: Visit, base_url: str, query: str, expected: str) -> None:
    visit.search(base_url)
    visit.type(query)
    expect(visit.people().first).to_have_text(expected)
    expect(visit.page.locator("#search-people .search-item").first.locator(".chip.is-match")).to_have_count(1)


def test_c_plus_plus_finds_people_and_updates(visit: Visit, base_url: str) -> None:
    visit.search(base_url, "?q=c%2B%2B")
    expect(visit.updates()).to_have_text(["We are hiring two #c++ engineers for the pricing team."])
    # Bruno's evidence: he posted about C++.
    expect(visit.people()).to_have_text(["Camille Aubert", "Bruno Díaz"])


def test_every_word_of_a_query_must_match(visit: Visit, base_url: str) -> None:
    visit.search(base_url)
    visit.type("camille")
    expect(visit.people()).to_have_text(["Camille Aubert", "Camille Roux"])  # the former colleague last
    expect(visit.page.locator("#search-people .badge-former")).to_have_count(1)
    visit.type("camille paris")
    expect(visit.people()).to_have_text(["Camille Aubert"])
    visit.type("engineer nantes")
    expect(visit.people()).to_have_text(["Éloïse Marchand"])
    visit.type("who can help with kafka?")
    expect(visit.people()).to_have_text(["Éloïse Marchand"])
    expect(visit.page.locator("#search-status")).not_to_contain_text("closest")
    visit.type("kafka paris")
    expect(visit.page.locator("#search-status")).to_contain_text("closest")


def test_filters_narrow_results_and_list_people_without_a_query(visit: Visit, base_url: str) -> None:
    visit.search(base_url)
    visit.page.select_option("select[name=open_to]", "mobility")
    expect(visit.people()).to_have_text(["Gaël Le Goff", "Priya Raman"])
    assert parse_qs(urlsplit(visit.page.url).query) == {"open_to": ["mobility"]}
    visit.page.select_option("select[name=open_to]", "")
    visit.type("engineer")
    visit.page.select_option("select[name=team]", "engineering")  # sub-teams included
    expect(visit.people()).to_have_count(4)
    visit.page.select_option("select[name=availability]", "available")
    expect(visit.people()).to_have_text(["Priya Raman", "Gaël Le Goff"])
    visit.page.select_option("select[name=location]", "Brest")
    expect(visit.people()).to_have_text(["Gaël Le Goff"])
    assert parse_qs(urlsplit(visit.page.url).query) == {"q": ["engineer"], "team": ["engineering"], "location": ["Brest"], "availability": ["available"]}
    visit.page.click("#search-clear")
    expect(visit.people()).to_have_count(4)
    expect(visit.page.locator("#search-clear")).to_be_hidden()


def test_arrows_and_enter_open_a_result(visit: Visit, base_url: str) -> None:
    visit.search(base_url)
    visit.type("postgre")
    expect(visit.people()).to_have_count(2)
    box = visit.page.locator("#search-q")
    box.press("ArrowDown")
    expect(visit.page.locator(".search-hit").first).to_be_focused()
    visit.page.keyboard.press("ArrowDown")
    visit.page.keyboard.press("ArrowUp")
    visit.page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    box.press("ArrowDown")
    visit.page.keyboard.press("ArrowDown")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url("**/people/eloise-marchand/")
    expect(visit.page.locator("h1")).to_contain_text("Éloïse Marchand")


def test_the_query_is_kept_in_the_url_and_read_back(visit: Visit, base_url: str) -> None:
    visit.search(base_url)
    visit.type("kafka")
    expect(visit.updates()).to_have_text(["Kafka for the order events"])
    assert parse_qs(urlsplit(visit.page.url).query) == {"q": ["kafka"]}
    visit.search(base_url, "?q=engineer&team=platform")
    expect(visit.page.locator("#search-q")).to_have_value("engineer")
    expect(visit.page.locator("select[name=team]")).to_have_value("platform")
    expect(visit.people()).to_have_count(2)
    assert sorted(visit.people().all_inner_texts()) == ["Camille Aubert", "Éloïse Marchand"]


def test_the_header_search_box_leads_to_the_search_page(visit: Visit, base_url: str) -> None:
    visit.page.goto(base_url + "people/")
    visit.page.fill("#header-q", "gael")
    visit.page.press("#header-q", "Enter")
    visit.page.wait_for_url("**/search/?q=gael")
    expect(visit.people()).to_have_text(["Gaël Le Goff"])
    expect(visit.page.locator(".header-search")).to_be_hidden()  # the page's own box replaces it
    expect(visit.page.locator("#search-q")).to_be_focused()


def test_updates_show_author_date_kind_and_tags(visit: Visit, base_url: str) -> None:
    visit.search(base_url, "?q=order+events")
    item = visit.page.locator("#search-updates .search-item")
    expect(item).to_have_count(1)
    expect(item.locator(".search-hit-meta")).to_have_text("Éloïse Marchand · 5 March 2026 · Platform")
    expect(item.locator(".kind")).to_have_text("Decision")
    expect(item.locator(".search-hit")).to_have_attribute("href", "../posts/2026/03/kafka/")


def test_without_javascript_the_page_says_so_and_links_the_directories(browser, base_url: str) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "search/?q=eloise")
    notice = page.locator("main .notice")
    expect(notice).to_contain_text("Search needs JavaScript")
    expect(notice.locator("a")).to_have_text(["the A–Z directory", "the expert index"])
    assert [a.get_attribute("href") for a in notice.locator("a").all()] == ["../people/", "../experts/"]
    expect(page.locator("#search")).to_be_hidden()
    context.close()


def test_the_page_works_from_a_folder(visit: Visit, built: Path) -> None:
    visit.page.goto((built / "search/index.html").as_uri() + "?q=priya")
    expect(visit.people()).to_have_text(["Priya Raman"])
    expect(visit.page.locator("#search-people .search-hit")).to_have_attribute("href", "../people/priya-raman/index.html")


def test_python_and_javascript_cut_text_into_the_same_terms(visit: Visit, base_url: str) -> None:
    samples = [
        "Éloïse Marchand", "GAËL", "Straße ẞ", "Œuvre Ærø Łódź Đorđe Þór Ðóra ıi İstanbul",
        "C++ c# F# .NET asp.net node.js (c++17), e.g.", "l'équipe d’Éloïse", "migrations queries données",
        "ﬁnance ＦＵＬＬ 𝐁𝐨𝐥𝐝 Ǆemal", "Ωμέγας", "Тест Москва", "हिन्दी", "日本語 テスト", "العربية", "עִברִית",
        "Tiếng Việt", "emoji 🎉 ok", "under_score tab\tnew\nline", "a+b c+ ++x #tag @who",
        "a\u2003.net c\ufeff++ x\x1c.net y\u00a0c# -.net --c++",
    ]
    rng = random.Random(4)
    alphabet = [chr(c) for c in list(range(0x20, 0x250)) + list(range(0x370, 0x500)) + list(range(0x1E00, 0x1F00)) + [0x2019, 0x00A0, 0x2028, 0x2003, 0xFEFF, 0x1C, 0xFB01, 0x1D400]]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    visit.search(base_url)
    in_js = visit.page.evaluate("(texts) => texts.map((t) => window.trombinoSearch.engine.terms(t))", samples)
    assert in_js == [search.terms(text) for text in samples]
    # And through lunr's tokenizer and the registered pipeline function, as queries go.
    piped = visit.page.evaluate(
        "(texts) => texts.map((t) => lunr.Pipeline.load(['trombinoTerms']).run(lunr.tokenizer(t)).map(String))", samples
    )
    assert piped == [[term for token in re.split(r"[\s\-]+", text.lower()) if token for term in search.terms(token)] for text in samples]


def test_the_browser_rebuilds_exactly_the_index_lunr_py_serialises(visit: Visit, site_root: Path, base_url: str) -> None:
    loaded = load_site(site_root)
    site, index = loaded.site, Index(loaded.site)
    docs = search.person_documents(site, index)
    expected = search.lunr_builder(search.PEOPLE_FIELDS, docs).build().serialize()
    visit.search(base_url)
    rebuilt = visit.page.evaluate("() => window.trombinoSearch.engine.expand(window.trombinoSearch.people.index)")
    assert rebuilt["version"] == expected["version"] and rebuilt["pipeline"] == expected["pipeline"]
    assert rebuilt["fields"] == expected["fields"]

    def by_term(serialised: dict) -> tuple[dict, dict]:
        terms = {posting["_index"]: term for term, posting in serialised["invertedIndex"]}
        postings = {term: {f: sorted(refs) for f, refs in posting.items() if f != "_index"} for term, posting in serialised["invertedIndex"]}
        vectors = {ref: {terms[v[i]]: v[i + 1] for i in range(0, len(v), 2)} for ref, v in serialised["fieldVectors"]}
        return postings, vectors

    postings, vectors = by_term(rebuilt)
    want_postings, want_vectors = by_term(json.loads(json.dumps(expected)))
    assert postings == want_postings
    assert vectors.keys() == want_vectors.keys()
    for ref, scores in want_vectors.items():
        assert vectors[ref].keys() == scores.keys(), ref
        for term, score in scores.items():
            assert vectors[ref][term] == pytest.approx(score, abs=0.0011), (ref, term)
    assert [term for term, _ in rebuilt["invertedIndex"]] == sorted(t for t, _ in expected["invertedIndex"])


def test_demo_site_search(browser, demo_site: Path, http_server) -> None:  # noqa: ANN001
    context = browser.new_context()
    visit = Visit(context)
    visit.search(http_server(demo_site), "?q=eloise")
    expect(visit.people().first).to_have_text("Éloïse Marchand")
    visit.type("postgre")
    expect(visit.page.locator("#search-people .search-item").first.locator(".chip.is-match").first).to_contain_text(re.compile("postgresql", re.I))
    expect(visit.updates().first).to_be_visible()
    context.close()
    assert visit.errors == []
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in visit.requests)


def test_older_updates_load_on_demand(visit: Visit, make_site, http_server, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(search, "UPDATES_PER_CHUNK", 2)
    root = make_site(dict(SITE))
    out = root.parent / "chunked"
    assert build(root, out).ok
    assert len(list((out / "static/search").glob("updates-*.js"))) == 2
    visit.search(http_server(out), "?q=postgresql")
    expect(visit.people()).to_have_text(["Priya Raman", "Éloïse Marchand"])
    older = visit.page.locator("#search-older")
    expect(older).to_contain_text("Searched the 2 most recent updates.")
    expect(visit.updates()).to_have_count(0)  # the PostgreSQL update is the oldest
    older.locator("button").click()
    expect(visit.updates()).to_have_text(["PostgreSQL 16 upgrade done"])
    expect(older).to_be_hidden()
