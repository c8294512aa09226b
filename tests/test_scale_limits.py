"""Huge content: a clear, located error or a working build — never a crash, a
hang, or time that grows with the square of the input.

Big corpora are written to /dev/shm when it exists: the test measures the
tool, not the disk.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from trombino.build import build
from trombino.frontmatter import MAX_FILE_BYTES
from trombino.loader import load_site

from conftest import MINIMAL_SITE, write_site


@pytest.fixture
def fast_tmp(tmp_path: Path):
    """A scratch folder in memory when possible."""
    if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):
        with tempfile.TemporaryDirectory(dir="/dev/shm", prefix="trombino-scale-") as folder:
            yield Path(folder)
    else:
        yield tmp_path


class Stopwatch:
    def __init__(self, limit: float) -> None:
        self.limit = limit

    def __enter__(self) -> "Stopwatch":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
        if exc[0] is None:
            assert self.seconds < self.limit, f"took {self.seconds:.1f} s (limit {self.limit} s)"


def site_with(folder: Path, files: dict[str, str | bytes]) -> Path:
    return write_site(folder / "site", {**MINIMAL_SITE, **files})


def errors(result) -> list[str]:  # noqa: ANN001
    return [d.format() for d in result.diagnostics if d.level == "error"]


PARAGRAPH = "Lorem ipsum dolor sit amet, [consectetur](https://example.com/) *adipiscing* elit, sed do eiusmod tempor. " * 10 + "\n\n"


def test_a_5_mb_bio_builds(fast_tmp: Path) -> None:
    bio = PARAGRAPH * (5_000_000 // len(PARAGRAPH))
    site = site_with(fast_tmp, {"content/people/zoe.md": ("---\nname: Zoé\n---\n" + bio).encode()})
    with Stopwatch(60):
        result = build(site, fast_tmp / "out")
    assert result.ok, errors(result)
    page = (fast_tmp / "out/people/zoe/index.html").read_text()
    assert page.count("<p>Lorem ipsum") == bio.count("\n\n")


def test_a_file_over_the_size_limit_is_a_located_error(fast_tmp: Path) -> None:
    data = b"---\nname: Zo\xc3\xa9\n---\n" + b"x" * MAX_FILE_BYTES
    site = site_with(fast_tmp, {"content/people/zoe.md": data})
    assert errors(load_site(site)) == [f"content/people/zoe.md:1:1: file is too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})"]


def test_10_000_skills_on_one_person(fast_tmp: Path) -> None:
    skills = ", ".join(f"skill-{i}" for i in range(10_000))
    site = site_with(fast_tmp, {"content/people/zoe.md": f"---\nname: Zoé\nskills: [{skills}]\n---\n".encode()})
    with Stopwatch(10):
        result = load_site(site)
    assert errors(result) == ["content/people/zoe.md:3:9: 'skills' has too many items (10,000; the limit is 500)"]


def test_10_000_inline_tags_in_one_post(fast_tmp: Path) -> None:
    body = "\n".join(" ".join(f"#tag{row}x{col}" for col in range(100)) for row in range(100))
    site = site_with(fast_tmp, {"content/posts/2026/03/tags.md": f"---\nauthor: ana-lima\ndate: 2026-03-05\n---\n{body}\n".encode()})
    with Stopwatch(10):  # was minutes: each tag's location was searched from the start
        result = load_site(site)
    # Tag 501 ('#tag4x100' would be the 501st; the post already holds none from front matter).
    assert errors(result) == ["content/posts/2026/03/tags.md:10:1: too many tags in one post (the limit is 500)"]


def test_10_000_unknown_mentions_in_one_post(fast_tmp: Path) -> None:
    body = " ".join(f"@ghost-{i}" for i in range(10_000))
    site = site_with(fast_tmp, {"content/posts/2026/03/ghosts.md": f"---\nauthor: ana-lima\ndate: 2026-03-05\n---\n{body}\n".encode()})
    with Stopwatch(30):
        result = load_site(site)
    found = errors(result)
    assert len(found) == 10_000
    assert found[0] == "content/posts/2026/03/ghosts.md:5:1: unknown person '@ghost-0'"


BRACKETS = "Markdown body has too many unclosed '[', '(' or '<' to render in reasonable time; close them or escape them as '\\['"
NESTING = "Markdown body nests lists or quotes too deeply to render in reasonable time; flatten it"
RUN = "Markdown body has too many lines without a blank line between them to render in reasonable time; add blank lines between paragraphs"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("[" * 40_000, "5:1", BRACKETS),  # each '[' scanned to the end of its paragraph: minutes
        ("Intro.\n\n" + "[a](" * 20_000, "7:4", BRACKETS),
        ("<a " * 20_000, "5:1", BRACKETS),
        ("\n\n".join(["[" * 60] * 3_000), None, BRACKETS),  # many paragraphs, each small
        ("".join("  " * i + "- item\n" for i in range(2_000)), None, NESTING),  # was 90 s
        ("".join("> " * i + "x\n" for i in range(1_000)), None, NESTING),
        (("- " * 300 + "x\n") * 50, None, NESTING),
        ("# heading\n" * 8_000, "5:1", RUN),  # quadratic block splitting: 50,000 took three minutes
        ("text\n***\n" * 4_000, "5:1", RUN),
        ("x\n\n" * 25_000, "40005:1", "Markdown body is too long: more than 20,000 lines"),
    ],
    ids=["brackets", "links", "tags", "paragraphs", "nested-lists", "nested-quotes", "markers", "headings", "rules", "lines"],
)
def test_markdown_that_would_take_minutes_is_refused_at_once(fast_tmp: Path, body: str, where: str | None, message: str) -> None:
    site = site_with(fast_tmp, {"content/posts/2026/03/bomb.md": f"---\nauthor: ana-lima\ndate: 2026-03-05\n---\n{body}\n".encode()})
    with Stopwatch(10):
        result = load_site(site)
    [found] = errors(result)
    path, line, column, text = found.split(":", 3)
    assert (path, text.strip()) == ("content/posts/2026/03/bomb.md", message)
    assert int(line) >= 5 and int(column) >= 1
    if where:
        assert f"{line}:{column}" == where


@pytest.mark.parametrize(
    "body",
    [
        "x" * 5_000_000,  # one 5 MB line
        "> " * 20_000 + "deep",  # nested block quotes
        "".join("  " * i + "- item\n" for i in range(150)),  # nested lists, just under the limit
        "# a\n" * 4_000,  # a long run of headings, just under the limit
        "*" * 200_000,
        "`" * 100_000,
        "\u202e\u0301" * 500_000,
    ],
    ids=["long-line", "quotes", "lists", "headings", "stars", "backticks", "rtl-combining"],
)
def test_pathological_markdown_loads_or_is_refused_quickly(fast_tmp: Path, body: str) -> None:
    site = site_with(fast_tmp, {"content/people/zoe.md": ("---\nname: Zoé\n---\n" + body).encode()})
    with Stopwatch(15):
        result = load_site(site)
    for message in errors(result):
        assert message.startswith("content/people/zoe.md:"), message


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("name: " + "[" * 150_000 + "]" * 150_000, "content/people/zoe.md:2:1: front matter is too large (the limit is 262,144 bytes)"),
        ("name: " + "[" * 100_000 + "]" * 100_000, "content/people/zoe.md:2:"),  # too deep for the YAML parser
        ("skills:\n" + "".join(f"  - s{i}\n" for i in range(25_000)), "content/people/zoe.md:2:1: front matter is too large"),
        ("skills: [" + ",".join("s" for _ in range(25_000)) + "]", "content/people/zoe.md:2:1: front matter has too many values (more than 20,000)"),
    ],
    ids=["too-large", "too-deep", "too-many-lines", "too-many-values"],
)
def test_front_matter_bombs_are_located_errors(fast_tmp: Path, front: str, message: str) -> None:
    site = site_with(fast_tmp, {"content/people/zoe.md": f"---\n{front}\n---\n".encode()})
    with Stopwatch(20):
        found = errors(load_site(site))
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_team_of_5_000_members_builds(fast_tmp: Path) -> None:
    files: dict[str, str | bytes] = {f"content/people/m{i}.md": f"---\nname: Member {i}\nteam: platform\nmanager: ana-lima\nskills: [s{i % 50}]\n---\n".encode() for i in range(5_000)}
    site = site_with(fast_tmp, files)
    with Stopwatch(150):
        result = build(site, fast_tmp / "out")
    assert result.ok, errors(result)[:5]
    team = (fast_tmp / "out/teams/platform/index.html").read_text()
    assert all(f"people/m{i}/" in team for i in (0, 2_500, 4_999))


def test_100_000_updates_by_one_person_are_checked_in_seconds(fast_tmp: Path) -> None:
    site = site_with(fast_tmp, {})
    for month in range(1, 13):
        (site / f"content/posts/2025/{month:02d}").mkdir(parents=True)
    for i in range(100_000):
        month, day = i % 12 + 1, i % 28 + 1
        with open(site / f"content/posts/2025/{month:02d}/u{i}.md", "w", encoding="utf-8") as handle:
            handle.write(f"---\nauthor: ana-lima\ndate: 2025-{month:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00\n---\nUpdate {i} on #python with @bruno-diaz\n")
    with Stopwatch(90):  # about 20 s on two idle cores; the margin is for a busy machine
        result = load_site(site)
    assert errors(result) == []
    assert len(result.site.posts) == 100_001
    assert len({p.id for p in result.site.posts}) == 100_001


@pytest.mark.parametrize(("value", "column"), [("0001-01-01", 9), ("9999-12-31", 9), ("1899-12-31", 9), ("3000-01-01", 9)])
def test_dates_outside_1900_to_2999_are_located_errors(fast_tmp: Path, value: str, column: int) -> None:
    """Near year 1 or 9999, date arithmetic in the views overflowed: a traceback, found by fuzzing."""
    site = site_with(fast_tmp, {"content/people/zoe.md": f"---\nname: Zoé\njoined: {value}\n---\n".encode()})
    assert errors(load_site(site)) == [f"content/people/zoe.md:3:{column}: 'joined' must be between the years 1900 and 2999, not '{value}'"]


def test_post_dates_with_offsets_at_the_edges_are_located_errors(fast_tmp: Path) -> None:
    site = site_with(fast_tmp, {"content/posts/2026/03/x.md": b"---\nauthor: ana-lima\ndate: 0001-01-01T00:00:00+01:00\n---\nx\n"})
    assert errors(load_site(site)) == ["content/posts/2026/03/x.md:3:7: 'date' must be between the years 1900 and 2999, not '0001-01-01T00:00:00+01:00'"]


def test_10_000_unknown_mentions_on_a_site_of_5_000_people(fast_tmp: Path) -> None:
    """Every fault is reported; 'did you mean' hints, ~10 ms each against 5,000 names, are capped."""
    files: dict[str, str | bytes] = {f"content/people/member-{i}.md": f"---\nname: Member {i}\n---\n".encode() for i in range(5_000)}
    body = " ".join(f"@membr-{i}" for i in range(10_000))
    files["content/posts/2026/03/ghosts.md"] = f"---\nauthor: ana-lima\ndate: 2026-03-05\n---\n{body}\n".encode()
    site = site_with(fast_tmp, files)
    with Stopwatch(60):
        found = errors(load_site(site))
    assert len(found) == 10_000
    assert found[0] == "content/posts/2026/03/ghosts.md:5:1: unknown person '@membr-0' (did you mean 'member-0'?)"
