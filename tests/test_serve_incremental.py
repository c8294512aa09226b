"""An incremental rebuild (``trombino serve``) must equal a full build of the same sources, byte for byte.

A small site is kept as a model (people, teams, posts, a theme override, a
photo); seeded random edits change the model — add, modify, delete, rename —
the files are synchronised, then the live site is rebuilt and its output tree
compared with a fresh ``build``. Some edits break the content on purpose: the
live build must then fail like the full one and leave the last good site in place.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from trombino.build import build
from trombino.incremental import LiveSite, RenderCache, Replay, Reused, Tracker, digest, intern_site
from trombino.config import load_config
from trombino.derive import Index
from trombino.diagnostics import Diagnostics
from trombino import loader
from trombino.loader import LoadResult, ParseCache, discover, load_site, parse_all, resolve
from trombino.resolved import KeptResolutions

BASE_URL = "http://127.0.0.1:8000/"
SKILLS = ["python", "postgresql", "kubernetes", "rust", "design", "accessibility", "go", "sql"]
FIRST = ["Ana", "Bruno", "Chloé", "Dmitri", "Eun-ji", "Farid", "Gaëlle", "Hugo", "Inès", "Jonas", "Kofi", "Lena"]


def png(shade: int) -> bytes:
    """A valid 2×2 grey PNG; each shade is a different file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([shade, shade]) for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@dataclass
class Corpus:
    """The site as data; ``files()`` writes it out."""

    rnd: random.Random
    title: str = "Live Corp"
    people: dict[str, dict] = field(default_factory=dict)
    teams: dict[str, dict] = field(default_factory=dict)
    posts: dict[str, dict] = field(default_factory=dict)  # file stem → post
    template: int = 0  # which variant of the theme override
    team_override: bool = False
    counter: int = 0
    broken: str | None = None  # a file written with an error in it

    def new_slug(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def files(self) -> dict[str, str | bytes]:
        files: dict[str, str | bytes] = {
            "trombino.yaml": f"title: {self.title}\nlanguage: en\ntheme: house\n",
            "themes/house/templates/person.html": (
                '{% extends "default/person.html" %}\n'
                "{% block title %}" + ("{{ person.name }}" if self.template % 2 == 0 else "Profile of {{ person.name }}") + "{% endblock %}\n"
            ),
        }
        if self.team_override:
            files["themes/house/templates/team.html"] = '{% extends "default/team.html" %}\n{% block title %}Team {{ team.name }}{% endblock %}\n'
        for slug, team in self.teams.items():
            parent = f"parent: {team['parent']}\n" if team.get("parent") else ""
            files[f"content/teams/{slug}.md"] = f"---\nname: {team['name']}\n{parent}---\n{team['about']}\n"
        for slug, person in self.people.items():
            lines = [f"name: {person['name']}", f"title: {person['title']}", f"teams: [{', '.join(person['teams'])}]", f"skills: [{', '.join(person['skills'])}]"]
            if person.get("manager"):
                lines.append(f"manager: {person['manager']}")
            if person.get("photo"):
                lines.append(f"photo: {slug}.png")
                files[f"content/people/{slug}.png"] = png(80 * person["photo"])
            files[f"content/people/{slug}.md"] = "---\n" + "\n".join(lines) + "\n---\n" + person["bio"] + "\n"
        for stem, post in self.posts.items():
            mention = f" with @{post['mention']}" if post.get("mention") else ""
            kind = f"kind: {post['kind']}\n" if post["kind"] != "update" else ""
            files[f"content/posts/2026/{post['month']:02d}/{stem}.md"] = (
                f"---\nauthor: {post['author']}\ndate: 2026-{post['month']:02d}-{post['day']:02d}T10:00:00+00:00\n{kind}tags: [{', '.join(post['tags'])}]\n---\n"
                f"{post['text']}{mention}, about #{post['inline']}.\n"
            )
        if self.broken:
            files[self.broken] = "---\nname: [unclosed\n---\n"
        return files

    # -- edits -------------------------------------------------------------

    def person(self) -> dict:
        return {
            "name": f"{self.rnd.choice(FIRST)} {self.rnd.choice(['Lima', 'Díaz', 'Ng', 'Okafor', 'Moreau'])}",
            "title": self.rnd.choice(["Engineer", "Designer", "Manager", "Analyst"]),
            "teams": [self.rnd.choice(sorted(self.teams))] if self.teams else [],
            "skills": self.rnd.sample(SKILLS, self.rnd.randint(0, 3)),
            "manager": self.rnd.choice([None, *sorted(self.people)]),
            "bio": self.rnd.choice(["Builds things.", "Knows #sql well.", "Ask me about **design**.", ""]),
            "photo": self.rnd.choice([0, 0, 1, 2]),
        }

    def post(self) -> dict:
        return {
            "author": self.rnd.choice(sorted(self.people)),
            "month": self.rnd.randint(1, 6),
            "day": self.rnd.randint(1, 28),
            "kind": self.rnd.choice(["update", "update", "decision", "question"]),
            "tags": self.rnd.sample(SKILLS, self.rnd.randint(0, 2)),
            "inline": self.rnd.choice(SKILLS),
            "text": self.rnd.choice(["Shipped the thing", "Moved the queue", "Fixed the flaky test"]),
            "mention": self.rnd.choice([None, *sorted(self.people)]),
        }

    def forget_person(self, slug: str, replacement: str | None) -> None:
        """Every reference to ``slug`` now names ``replacement`` (or nothing)."""
        for person in self.people.values():
            if person.get("manager") == slug:
                person["manager"] = replacement
        for stem, post in list(self.posts.items()):
            if post.get("mention") == slug:
                post["mention"] = replacement
            if post["author"] == slug:
                if replacement:
                    post["author"] = replacement
                else:
                    del self.posts[stem]

    def forget_team(self, slug: str, replacement: str | None) -> None:
        for person in self.people.values():
            person["teams"] = [replacement if t == slug else t for t in person["teams"] if replacement or t != slug]
        for team in self.teams.values():
            if team.get("parent") == slug:
                team["parent"] = replacement

    def edit(self) -> str:
        """Apply one random edit; return its description."""
        rnd = self.rnd
        if self.broken:
            fixed, self.broken = self.broken, None
            return f"fix {fixed}"
        choices = ["modify person"] * 4 + ["add post", "modify post", "modify post", "delete post", "rename post", "add person", "delete person", "rename person", "add team", "modify team", "delete team", "rename team", "template", "team override", "title", "break"]
        what = rnd.choice(choices)
        if what == "add person" or not self.people:
            slug = self.new_slug("p")
            self.people[slug] = self.person()
            return f"add person {slug}"
        if what == "modify person":
            slug = rnd.choice(sorted(self.people))
            fresh = self.person()
            key = rnd.choice(["name", "title", "teams", "skills", "manager", "bio", "photo"])
            if key != "manager" or fresh["manager"] != slug:
                self.people[slug][key] = fresh[key]
            return f"modify person {slug} {key}"
        if what in ("delete person", "rename person") and len(self.people) > 2:
            slug = rnd.choice(sorted(self.people))
            person = self.people.pop(slug)
            if what == "rename person":
                new = self.new_slug("p")
                self.people[new] = person
                self.forget_person(slug, new)
                return f"rename person {slug} → {new}"
            self.forget_person(slug, rnd.choice(sorted(self.people)) if rnd.random() < 0.5 else None)
            return f"delete person {slug}"
        if what == "add post" or (what.endswith("post") and not self.posts):
            stem = self.new_slug("update")
            self.posts[stem] = self.post()
            return f"add post {stem}"
        if what == "modify post":
            stem = rnd.choice(sorted(self.posts))
            key = rnd.choice(["author", "month", "day", "kind", "tags", "inline", "text", "mention"])
            self.posts[stem][key] = self.post()[key]
            return f"modify post {stem} {key}"
        if what == "delete post":
            return f"delete post {self.posts.pop(rnd.choice(sorted(self.posts)))['text']}"
        if what == "rename post":
            stem = rnd.choice(sorted(self.posts))
            new = self.new_slug("note")
            self.posts[new] = self.posts.pop(stem)
            return f"rename post {stem} → {new}"
        if what == "add team" or (what.endswith("team") and not self.teams):
            slug = self.new_slug("team")
            self.teams[slug] = {"name": f"Team {self.counter}", "parent": rnd.choice([None, *sorted(self.teams)]), "about": "We do things."}
            return f"add team {slug}"
        if what == "modify team":
            slug = rnd.choice(sorted(self.teams))
            self.teams[slug]["name"] = f"Team {rnd.randint(100, 999)}"
            return f"modify team {slug}"
        if what in ("delete team", "rename team"):
            slug = rnd.choice(sorted(self.teams))
            team = self.teams.pop(slug)
            if what == "rename team":
                new = self.new_slug("team")
                self.teams[new] = team
                self.forget_team(slug, new)
                return f"rename team {slug} → {new}"
            self.forget_team(slug, None)
            return f"delete team {slug}"
        if what == "template":
            self.template += 1
            return "edit the person template override"
        if what == "team override":
            self.team_override = not self.team_override
            return f"{'add' if self.team_override else 'remove'} the team template override"
        if what == "title":
            self.title = f"Live Corp {rnd.randint(1, 9)}"
            return "edit trombino.yaml"
        self.broken = f"content/people/{rnd.choice(sorted(self.people))}.md"
        return f"break {self.broken}"


def sync(root: Path, files: dict[str, str | bytes]) -> list[str]:
    """Make the folder hold exactly ``files`` (like a checkout), touching only what differs;
    the relative paths of what it deleted, wrote or made (what a file watcher would report)."""
    wanted = {root / name for name in files}
    touched = []
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            touched.append(path)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            touched.append(path)
    for name, content in files.items():
        path = root / name
        data = content if isinstance(content, bytes) else content.encode()
        if not path.is_file() or path.read_bytes() != data:
            touched.extend(folder for folder in reversed(path.parents) if folder.is_relative_to(root) and not folder.exists())
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            touched.append(path)
    return [path.relative_to(root).as_posix() for path in touched]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, and every folder (so an empty folder left behind shows)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<folder>" for p in sorted(folder.rglob("*"))}


def difference(live: dict[str, bytes], full: dict[str, bytes]) -> list[str]:
    problems = [f"only in the live build: {p}" for p in sorted(set(live) - set(full))]
    problems += [f"only in the full build: {p}" for p in sorted(set(full) - set(live))]
    problems += [f"differs: {p}" for p in sorted(set(live) & set(full)) if live[p] != full[p]]
    return problems


def starting_corpus(seed: int) -> Corpus:
    corpus = Corpus(random.Random(seed))
    for _ in range(3):
        slug = corpus.new_slug("team")
        corpus.teams[slug] = {"name": f"Team {corpus.counter}", "parent": None, "about": "We do things."}
    for _ in range(6):
        corpus.people[corpus.new_slug("p")] = corpus.person()
    for _ in range(8):
        corpus.posts[corpus.new_slug("update")] = corpus.post()
    return corpus


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_match_a_full_build(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = starting_corpus(seed)
    source, live_out, full_out = tmp_path / "src", tmp_path / "live", tmp_path / "full"
    source.mkdir()
    live_out.mkdir()
    sync(source, corpus.files())
    live = LiveSite(source, live_out, base_url=BASE_URL)
    assert live.build().ok
    history: list[str] = []
    reused = 0
    announced: list[list[str]] = []
    rediscovered: list[object] = []
    rediscover = loader._rediscover
    monkeypatch.setattr(loader, "_rediscover", lambda *args: rediscovered.append(rediscover(*args)) or rediscovered[-1])
    for _ in range(12):
        history.append(corpus.edit())
        changed = sync(source, corpus.files())
        before = tree(live_out)
        # Tabs show the home page and a profile: those go first (and must change nothing).
        shown = ["index.html", *(f"people/{slug}/index.html" for slug in sorted(corpus.people)[:1])]
        # The changed paths, as serve's watcher reports them: only those files are looked at again.
        result = live.build(first=shown, on_first=announced.append, changed=changed)
        reused += live.render_cache.stats.reused
        shutil.rmtree(full_out, ignore_errors=True)
        expected = build(source, full_out, base_url=BASE_URL)
        assert result.ok == expected.ok, (history, expected.diagnostics)
        if not result.ok:
            assert result.diagnostics == expected.diagnostics, history
            assert tree(live_out) == before, f"a failed build changed the served site after {history}"
            continue
        problems = difference(tree(live_out), tree(full_out))
        assert not problems, f"after {history}: {problems[:8]}"
    assert reused > 0, "the render cache never reused a page: the test would pass with full rebuilds"
    assert announced, "no page went first: the test would pass without them"
    assert any(found is not None for found in rediscovered), "no build looked at the changed files only"


def test_a_profile_edit_renders_few_pages(make_site) -> None:  # noqa: ANN001
    corpus = starting_corpus(7)
    for _ in range(14):
        corpus.people[corpus.new_slug("p")] = corpus.person()
    for _ in range(20):
        corpus.posts[corpus.new_slug("update")] = corpus.post()
    source = make_site(corpus.files(), "src")
    out = source.parent / "live"
    out.mkdir()
    live = LiveSite(source, out, base_url=BASE_URL)
    live.build()
    total = live.render_cache.stats.rendered
    slug = sorted(corpus.people)[0]
    corpus.people[slug]["title"] = "Principal Something"
    sync(source, corpus.files())
    live.build()
    stats = live.render_cache.stats
    assert 0 < stats.rendered < total / 3, stats
    assert f"people/{slug}/index.html" in live.writer.changed
    assert "Principal Something" in (out / f"people/{slug}/index.html").read_text()


def test_nothing_changed_renders_nothing(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "live"
    out.mkdir()
    live = LiveSite(minimal_site, out, base_url=BASE_URL)
    live.build()
    first = tree(out)
    result = live.build()
    assert result.ok and live.render_cache.stats.rendered == 0 and live.writer.written == 0
    assert tree(out) == first


# -- the pieces ----------------------------------------------------------------


class Lookup:
    """Stands for an Index: identity equality, defined in a trombino-like module."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def find(self, key: str) -> str | None:
        return self.data.get(key)

    def first(self, keys: list[str]) -> str | None:
        return next((self.data[k] for k in keys if k in self.data), None)


Lookup.__module__ = "trombino.testing"


def test_replay_sees_exactly_the_reads_that_changed() -> None:
    tracker = Tracker()
    tracker.roots = {"index": Lookup({"a": "1", "b": "2"})}
    with tracker.recording() as reads:
        index = tracker.root("index")
        assert index.find("a") == "1"
        assert index.data.get("zzz") is None
    assert set(reads.values) == {
        ("index", ("attr", "find"), ("call", ("a",), ())),
        ("index", ("attr", "data"), ("key", "zzz")),
    }
    assert Replay({"index": Lookup({"a": "1", "b": "changed"})}).unchanged(reads)
    assert not Replay({"index": Lookup({"a": "changed", "b": "2"})}).unchanged(reads)
    assert not Replay({"index": Lookup({"a": "1", "zzz": "now here"})}).unchanged(reads)


def test_whole_reads_and_untrackable_calls() -> None:
    tracker = Tracker()
    tracker.roots = {"index": Lookup({"a": "1"})}
    with tracker.recording() as reads:
        assert list(tracker.root("index").data.values()) == ["1"]
    assert not Replay({"index": Lookup({"a": "1", "b": "2"})}).unchanged(reads)
    assert Replay({"index": Lookup({"a": "1"})}).unchanged(reads)
    with tracker.recording() as opaque:
        tracker.root("index").find(tracker.root("index"))  # a proxy as an argument cannot be replayed
    assert opaque.opaque and not Replay({"index": Lookup({"a": "1"})}).unchanged(opaque)
    with tracker.recording() as unhashable:
        assert tracker.root("index").first(["zzz", "a"]) == "1"
    assert unhashable.opaque


def test_interning_keeps_equal_objects(minimal_site: Path) -> None:
    first = load_site(minimal_site).site
    second = load_site(minimal_site).site
    assert first is not None and second is not None
    kept = intern_site(second, first)
    assert kept == second
    assert kept.people["ana-lima"] is first.people["ana-lima"]
    assert kept.posts[0] is first.posts[0]


def test_a_source_the_proxies_cannot_follow_runs_on_the_real_model(minimal_site: Path) -> None:
    from trombino.build import render_pages
    from trombino.pages import Page
    from trombino.theme import Theme

    def merging(site, index):  # noqa: ANN001, ANN202 - dict | proxy raises: the proxy is a Mapping, not a dict
        yield Page("counts.txt", "", {"body": f"{len({} | index.posts_by_author)} {len(site.people)}"}, kind="raw")

    def plain(site, index):  # noqa: ANN001, ANN202
        yield Page("people.txt", "", {"body": ", ".join(sorted(site.people))}, kind="raw")

    site = load_site(minimal_site).site
    assert site is not None
    theme = Theme(minimal_site, "default")
    cache = RenderCache()
    sources = [merging, plain]
    expected = dict(render_pages(site, theme, {}, sources))
    assert dict(cache(site, theme, {}, sources)) == expected
    again = dict(cache(site, theme, {}, sources))
    assert cache.stats.sources_run == 1, "the source that cannot be followed runs every time"
    assert again == {path: Reused(digest(data)) for path, data in expected.items()}, "its unchanged page is not written again"


def test_a_source_that_read_something_before_the_proxies_failed_runs_again(minimal_site: Path) -> None:
    from dataclasses import replace
    from types import MappingProxyType

    from trombino.build import render_pages
    from trombino.pages import Page
    from trombino.theme import Theme

    def plain(site, index):  # noqa: ANN001, ANN202
        yield Page("people.txt", "", {"body": ", ".join(sorted(site.people))}, kind="raw")

    def merging(site, index):  # noqa: ANN001, ANN202 - reads the people, then does what proxies cannot follow
        count = len(site.people)
        yield Page("counts.txt", "", {"body": f"{len({} | index.posts_by_author)} {count}"}, kind="raw")

    site = load_site(minimal_site).site
    assert site is not None
    theme = Theme(minimal_site, "default")
    cache = RenderCache()
    sources = [plain, merging]
    dict(cache(site, theme, {}, sources))
    fewer = replace(site, people=MappingProxyType(dict(list(site.people.items())[1:])))
    assert dict(cache(fewer, theme, {}, sources)) == dict(render_pages(fewer, theme, {}, sources))
    assert cache.stats.sources_run == 2


def test_a_writer_out_of_step_with_the_cache_recovers(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "live"
    out.mkdir()
    live = LiveSite(minimal_site, out, base_url=BASE_URL)
    live.build()
    live.writer._on_disk["people/ana-lima/index.html"] = b"not what the cache rendered"
    assert live.build().ok
    assert live.render_cache.stats.rendered > 0, "started again from scratch"
    full = tmp_path / "full"
    build(minimal_site, full, base_url=BASE_URL)
    assert not difference(tree(out), tree(full))


# -- pages open in tabs go first -------------------------------------------------------


def test_pages_open_in_tabs_are_written_before_the_rest(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "live"
    out.mkdir()
    live = LiveSite(minimal_site, out, base_url=BASE_URL)
    live.build()
    profile = minimal_site / "content/people/ana-lima.md"
    profile.write_text(profile.read_text().replace("title: Engineer", "title: Chief Engineer"))
    seen: dict[str, object] = {}

    def first(paths: list[str]) -> None:  # called mid-build: only the open page is new yet
        seen["paths"] = paths
        seen["profile"] = (out / "people/ana-lima/index.html").read_text()
        seen["directory"] = (out / "people/index.html").read_text()

    open_pages = ["people/ana-lima/index.html", "people/nobody/index.html", "404.html"]
    result = live.build(first=open_pages, on_first=first)
    assert result.ok
    assert seen["paths"] == ["people/ana-lima/index.html"], "an unchanged page or a page no build makes is not announced"
    assert "Chief Engineer" in seen["profile"]  # type: ignore[operator]
    assert "Chief Engineer" not in seen["directory"], "the rest waited for the end of the build"  # type: ignore[operator]
    assert "people/ana-lima/index.html" in live.writer.changed and "people/index.html" in live.writer.changed
    full = tmp_path / "full"
    build(minimal_site, full, base_url=BASE_URL)
    assert not difference(tree(out), tree(full))
    assert live.build(first=open_pages, on_first=first).ok and seen["paths"] == ["people/ana-lima/index.html"], "nothing changed: not called again"


def test_a_build_that_fails_after_all_puts_the_open_pages_back(minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "live"
    out.mkdir()
    live = LiveSite(minimal_site, out, base_url=BASE_URL)
    live.build()
    before = tree(out)
    profile = minimal_site / "content/people/ana-lima.md"
    profile.write_text(profile.read_text().replace("title: Engineer", "title: Chief Engineer"))
    announced: list[list[str]] = []

    def fail() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(live.writer, "commit", fail)
    with pytest.raises(OSError):
        live.build(first=["people/ana-lima/index.html"], on_first=announced.append)
    assert announced == [["people/ana-lima/index.html"]]
    assert tree(out) == before, "the page written ahead was put back"
    monkeypatch.undo()
    assert live.build().ok
    assert "Chief Engineer" in (out / "people/ana-lima/index.html").read_text()
    full = tmp_path / "full"
    build(minimal_site, full, base_url=BASE_URL)
    assert not difference(tree(out), tree(full))


def load_like_from_scratch(site: Path, cache: ParseCache, step: str) -> LoadResult:
    """A load with the cache, checked equal to a load without it (models and diagnostics)."""
    kept, fresh = load_site(site, cache), load_site(site)
    assert kept.diagnostics == fresh.diagnostics, step
    assert kept.site == fresh.site, step
    cache.prune()
    return kept


def test_posts_kept_between_loads_are_checked_again(minimal_site: Path) -> None:
    """serve's parse cache keeps resolved posts; each load must equal a load from scratch."""
    cache = ParseCache(resolved=KeptResolutions())
    same_as_from_scratch = functools.partial(load_like_from_scratch, minimal_site, cache)

    people, posts = minimal_site / "content/people", minimal_site / "content/posts/2026/03"
    (posts / "opening.md").write_text("---\nauthor: ana-lima\ndate: 2026-03-02\nkind: opening\ntitle: Observability lead\ncontact: bruno-diaz\nrequired_skills: [observability]\n---\nJoin us. #tracing\n")
    same_as_from_scratch("first load")
    assert cache.resolved is not None and len(cache.resolved.posts) == 2
    bruno = (people / "bruno-diaz.md").read_text()
    (people / "bruno-diaz.md").unlink()
    same_as_from_scratch("the person a post mentions is gone")
    (people / "bruno-diaz.md").write_text(bruno)
    same_as_from_scratch("back")
    ana = people / "ana-lima.md"
    ana.write_text(ana.read_text().replace("team: platform", "team: data"))
    same_as_from_scratch("the author moved: a post that names no team takes the author's")
    assert next(iter(load_site(minimal_site, cache).site.posts)).team == "data"  # type: ignore[union-attr]
    (posts / "reply.md").write_text("---\nauthor: bruno-diaz\ndate: 2026-03-05\nin_reply_to: 2026/03/hello\n---\nAgreed #Python.\n")
    same_as_from_scratch("a reply")
    (posts / "hello.md").rename(posts / "hello-world.md")
    same_as_from_scratch("the post replied to got another slug")
    (minimal_site / "trombino.yaml").write_text("title: Test Corp\nlanguage: en\ntag_aliases:\n  python: py\n")
    same_as_from_scratch("a tag alias")
    (posts / "other.md").write_text("---\nauthor: ana-lima\ndate: 2026-03-06\nteam: platform\n---\nHi #PYTHON.\n")
    same_as_from_scratch("a post naming its team")
    (minimal_site / "content/teams/platform.md").unlink()
    (people / "bruno-diaz.md").write_text(bruno.replace("team: platform", "team: data"))
    same_as_from_scratch("the team it names is gone")
    assert any("unknown team 'platform'" in d.message for d in load_site(minimal_site, cache).diagnostics)


def test_people_and_whole_post_lists_kept_between_loads_are_checked_again(minimal_site: Path) -> None:
    """Kept people (photo, tags) and the whole post list taken at once must equal loads from scratch."""
    cache = ParseCache(resolved=KeptResolutions())
    same_as_from_scratch = functools.partial(load_like_from_scratch, minimal_site, cache)

    people = minimal_site / "content/people"
    photo = people / "ana.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    ana = people / "ana-lima.md"
    ana.write_text(ana.read_text().replace("team: platform", "team: platform\nphoto: ana.png"))
    first = same_as_from_scratch("first load")
    assert cache.resolved is not None and cache.resolved.all_posts is not None
    bruno = people / "bruno-diaz.md"
    bruno.write_text(bruno.read_text().replace("team: platform", "team: platform\ntitle: Analyst"))
    again = same_as_from_scratch("a profile edit that changes nothing a post looks at")
    assert again.site.posts[0] is first.site.posts[0], "the posts were taken whole"  # type: ignore[union-attr]
    assert again.site.people["ana-lima"] is first.site.people["ana-lima"], "an unchanged person was kept"  # type: ignore[union-attr]
    photo.write_bytes(b"not an image")
    assert any("is not a JPEG" in d.message for d in same_as_from_scratch("the photo is no longer an image").diagnostics)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    same_as_from_scratch("the photo is back")
    photo.unlink()
    assert any("not found" in d.message for d in same_as_from_scratch("the photo is gone").diagnostics)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    bruno.write_text(bruno.read_text().replace("team: platform", "team: data"))
    same_as_from_scratch("a person's first team changed: posts are checked one by one")
    bruno.write_text(bruno.read_text().replace("title: Analyst", "title: Analyst\nskills: [python, Rust]"))
    same_as_from_scratch("tag spellings from a kept person and kept posts are counted together")
    (minimal_site / "trombino.yaml").write_text("title: Test Corp\nlanguage: en\ntag_aliases:\n  rust: rustlang\n")
    same_as_from_scratch("another configuration forgets what was kept")


def test_a_kept_person_takes_its_new_git_date(minimal_site: Path) -> None:
    diagnostics = Diagnostics()
    config = load_config(minimal_site, diagnostics)
    files = parse_all(discover(minimal_site, diagnostics), config, None)
    kept = KeptResolutions()
    path = "content/people/bruno-diaz.md"
    before = resolve(minimal_site, config, files, Diagnostics(), {path: date(2026, 1, 2)}, resolved=kept)
    after = resolve(minimal_site, config, files, Diagnostics(), {path: date(2026, 2, 3)}, resolved=kept)
    assert before.people["bruno-diaz"].updated == date(2026, 1, 2)
    assert after.people["bruno-diaz"].updated == date(2026, 2, 3)
    assert after.people["ana-lima"] is before.people["ana-lima"]


def test_an_index_takes_the_post_lookups_of_the_last_one_only_for_the_same_posts(minimal_site: Path) -> None:
    site = load_site(minimal_site).site
    assert site is not None
    before = Index(site)
    by_author, by_tag = before.posts_by_author, before.people_by_tag
    edited = dataclasses.replace(site, people=MappingProxyType({**site.people}))
    after = Index(edited, before)
    assert after.posts_by_author is by_author, "the same posts: taken as they were"
    assert after.people_by_tag is not by_tag and after.people_by_tag == by_tag, "what reads the people is made again"
    other = Index(dataclasses.replace(site, posts=site.posts[1:]), before)
    assert other.posts_by_author is not by_author and sum(map(len, other.posts_by_author.values())) == len(site.posts) - 1
