"""Fuzzing the loaders and the whole build with random, hostile sources.

Whatever a pull request contains, the only outcomes allowed are a clean build
or diagnostics that point into a real file — never a traceback, never a hang,
never a file written outside the output folder.
"""

from __future__ import annotations

import string
import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st

from trombino.build import build
from trombino.frontmatter import MAX_FRONT_MATTER_BYTES
from trombino.loader import load_site
from trombino.schema import CONFIG_FIELDS, OPENING_ONLY, PERSON_FIELDS, POST_FIELDS, TEAM_FIELDS

from conftest import MINIMAL_SITE, write_site

# Generous: the machine is noisy. A hang (alias expansion, regex blow-up) takes far longer.
SECONDS_PER_EXAMPLE = 20
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None)

# -- what goes into the files ---------------------------------------------------

TRICKY = (
    "\u202e\u202d\u200f\u061c"  # bidi overrides and marks (RTL)
    "\u0301\u0308\u0327\u20dd"  # combining marks
    "\u200b\u2028\u2029\ufeff\u00a0"  # invisible, line/paragraph separators, BOM, NBSP
    "\t\r\x00\x01\x07\x1b\x7f\x85"  # control characters
    "#@&*!|>%{}[]:,'\"-?`<>/\\"  # YAML and Markdown punctuation
    "اאБé中😀"
)
characters = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(TRICKY))
texts = st.text(characters, max_size=40)
long_line = st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "\u202e", "#", "*", "[", "<"]), st.integers(100, 30_000))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    texts,
    long_line,
    st.dates(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.sampled_from(["ana-lima", "platform", "bruno-diaz", "2026-03-04", "Europe/Paris", "mentoring", "available", "../../etc/passwd", "/etc/passwd"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts | st.sampled_from(["status", "what", "share", "until"]), inner, max_size=4), max_leaves=12)


def keys_of(fields) -> st.SearchStrategy[str]:  # noqa: ANN001
    return st.sampled_from([f.name for f in fields]) | texts


def yaml_mapping(fields) -> st.SearchStrategy[str]:  # noqa: ANN001
    """Well-formed YAML of random shape and types, keyed mostly by real field names."""
    mapping = st.dictionaries(keys_of(fields), values, max_size=8)
    return mapping.map(lambda m: yaml.safe_dump(m, allow_unicode=True, default_flow_style=None, width=10**6))


RAW_LINES = [
    "name: Zoé",
    "name: &a [x, x, x, x, x, x, x, x, x]",
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "title: *a",
    "skills:",
    "  - Python",
    "\t- tab",
    "availability: {status: away",
    "date: 2026-02-30",
    "date: 0001-01-01T00:00:00+14:00",
    "author: ana-lima",
    "? [complex, key]",
    ": no key",
    "!!python/object/apply:os.system ['true']",
    "x: !!binary aGVsbG8=",
    "%YAML 1.1",
    "---",
    "...",
    "- list at root",
    "links: {Home: 'javascript:alert(1)'}",
    "photo: ../../../../etc/passwd",
    "photo: /etc/passwd",
    "private: [email, nonsense]",
    "'unterminated",
    "key: \"\\uD800\"",
]
raw_front = st.lists(st.sampled_from(RAW_LINES) | texts | long_line, max_size=12).map("\n".join)
nested = st.integers(1, 400).map(lambda depth: "name: " + "[" * depth + "x" + "]" * depth)
nested_maps = st.integers(1, 200).map(lambda depth: "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "v")
billion_laughs = st.just("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)) + "name: *i\n")
big_front = st.integers(1, 3).map(lambda n: "name: x\n" + "bio: " + "x" * (MAX_FRONT_MATTER_BYTES * n) + "\n")
many_nodes = st.integers(1, 3).map(lambda n: "skills:\n" + "".join(f"  - s{i}\n" for i in range(8_000 * n)))

BODY_BITS = ["#rust", "@ana-lima", "@nobody", "[x](javascript:alert(1))", "<script>alert(1)</script>", "![i](https://e.example/i.png)", "```", "    code", "> quote", "* item", "1. one", "| a | b |\n|---|---|\n| 1 | 2 |", "<", "&#0;", "\u202e", "[" * 200, "*" * 300, ">" * 200]
bodies = st.lists(st.sampled_from(BODY_BITS) | texts | long_line, max_size=10).map("\n".join)


def front_for(fields) -> st.SearchStrategy[str]:  # noqa: ANN001
    return st.one_of(yaml_mapping(fields), raw_front, nested, nested_maps, billion_laughs, big_front, many_nodes)


@st.composite
def source_file(draw, fields) -> bytes:  # noqa: ANN001
    shape = draw(st.sampled_from(["front", "front", "front", "no-fence", "unclosed", "bytes", "empty"]))
    if shape == "bytes":
        return draw(st.binary(max_size=200))
    if shape == "empty":
        return draw(st.sampled_from([b"", b"   \n", b"---\n---\n", b"---\n...\n"]))
    front, body = draw(front_for(fields)), draw(bodies)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    if shape == "no-fence":
        text = front + "\n" + body
    elif shape == "unclosed":
        text = "---\n" + front + "\n"
    else:
        text = f"---\n{front}\n---\n{body}"
    return (bom + text.replace("\n", newline)).encode("utf-8", "surrogatepass")


NAME_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="/\x00") | st.sampled_from(" .\u202eé-_")
file_stems = st.one_of(st.sampled_from(["zoe", "ana-lima", "Ana-Lima", "..", "...", " zoe", "zoé", "con", "a b", "-", ".hidden"]), st.text(NAME_CHARS, min_size=1, max_size=12))


@st.composite
def hostile_site(draw) -> dict[str, bytes | str]:
    """The minimal valid site plus one to three fuzzed files, sometimes a fuzzed trombino.yaml."""
    files: dict[str, bytes | str] = dict(MINIMAL_SITE)
    for _ in range(draw(st.integers(1, 3))):
        kind, folder, fields = draw(st.sampled_from([("person", "people", PERSON_FIELDS), ("team", "teams", TEAM_FIELDS), ("post", "posts/2026/03", POST_FIELDS)]))
        stem = draw(file_stems)
        files[f"content/{folder}/{stem}.md"] = draw(source_file(fields))
    if draw(st.integers(0, 4)) == 0:
        files["trombino.yaml"] = draw(front_for(CONFIG_FIELDS)).encode("utf-8", "surrogatepass")
    return files


# Text a validator accepts: no control characters, no YAML-only line breaks.
printable_texts = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")) | st.sampled_from("\u202e\u200f\u0301\u200b\ufeffاא😀<>&\"'"), min_size=1, max_size=60)
hostile_words = printable_texts | st.sampled_from(["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "</script><script>x</script>", "c++", "#rust", "@ana-lima", "{{ 7*7 }}"])
plausible_bodies = st.lists(st.sampled_from(BODY_BITS) | printable_texts, max_size=8).map("\n".join)


def typed_value(field) -> st.SearchStrategy:  # noqa: ANN001
    """A value of the right type for the field (or None: leave the field out)."""
    if field.kind == "text":
        return hostile_words
    if field.kind == "texts":
        return st.lists(hostile_words, max_size=5)
    if field.kind in ("slug", "slugs"):
        one = st.just("platform") if field.name in ("team", "teams", "parent") else st.sampled_from(["ana-lima", "bruno-diaz"])
        return one if field.kind == "slug" else st.lists(one, max_size=2, unique=True)
    if field.kind == "links":
        return st.dictionaries(hostile_words, st.sampled_from(["https://example.com/a?b=<c>&d=\"e\"", "mailto:x@example.com", "tel:+331"]), max_size=3)
    return st.none()


def typed_front(fields, fixed: dict) -> st.SearchStrategy[str]:  # noqa: ANN001
    skipped = {"photo", "private", "in_reply_to", "github", "gitlab", "teams", *OPENING_ONLY}  # each has its own test elsewhere
    chosen = [f for f in fields if f.kind in ("text", "texts", "slug", "slugs", "links") and f.name not in fixed and f.name not in skipped]
    mapping = st.fixed_dictionaries({}, optional={f.name: typed_value(f) for f in chosen})
    return mapping.map(lambda m: yaml.safe_dump({**fixed, **{k: v for k, v in m.items() if v is not None}}, allow_unicode=True, width=10**6))


@st.composite
def plausible_site(draw) -> dict[str, bytes | str]:
    """The minimal site plus a person, a team and a post whose every value is hostile text of the right type."""
    files: dict[str, bytes | str] = dict(MINIMAL_SITE)
    person = draw(typed_front(PERSON_FIELDS, {"name": draw(hostile_words), "team": "platform"}))
    team = draw(typed_front(TEAM_FIELDS, {"name": draw(hostile_words)}))
    post = draw(typed_front(POST_FIELDS, {"author": "zoe", "date": "2026-03-05T10:00:00+01:00", "kind": draw(st.sampled_from(["update", "decision", "question"]))}))
    files["content/people/zoe.md"] = f"---\n{person}---\n{draw(plausible_bodies)}".encode()
    files["content/teams/ops.md"] = f"---\n{team}---\n{draw(plausible_bodies)}".encode()
    files["content/posts/2026/03/fuzz.md"] = f"---\n{post}---\n{draw(plausible_bodies)}".encode()
    return files


# -- what must hold --------------------------------------------------------------


def snapshot(folder: Path, *, skip: Path | None = None) -> dict[str, tuple[int, int]]:
    """Every path under folder (outside skip) with its size and mtime."""
    result = {}
    for path in folder.rglob("*"):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        stat = path.lstat()
        result[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return result


def assert_diagnostics_point_into_files(root: Path, diagnostics) -> None:  # noqa: ANN001
    for d in diagnostics:
        source = root / d.path
        assert source.is_file(), d.format()
        assert d.line >= 1 and d.column >= 1, d.format()
        data = source.read_bytes()
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        assert d.line <= lines, (d.format(), lines)
        assert d.message.strip() and "\n" not in d.format(), d.format()  # one line per fault, whatever the file name


def load_and_check(files: dict[str, bytes | str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_site(Path(tmp) / "site", files)
        started = time.perf_counter()
        result = load_site(root)
        assert time.perf_counter() - started < SECONDS_PER_EXAMPLE
        assert_diagnostics_point_into_files(root, result.diagnostics)
        if any(d.level == "error" for d in result.diagnostics):
            assert not result.ok


@given(files=hostile_site())
@settings(FUZZ, max_examples=300)
def test_loader_never_raises_and_locates_every_fault(files: dict[str, bytes | str]) -> None:
    load_and_check(files)


@given(front=front_for(PERSON_FIELDS), body=bodies)
@settings(FUZZ, max_examples=300)
def test_person_front_matter_of_any_shape(front: str, body: str) -> None:
    load_and_check({**MINIMAL_SITE, "content/people/zoe.md": f"---\n{front}\n---\n{body}"})


@given(files=st.one_of(plausible_site(), plausible_site(), hostile_site()))
@settings(FUZZ, max_examples=40)
def test_whole_build_stays_inside_its_output(files: dict[str, bytes | str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        root = write_site(workspace / "site", files)
        output = workspace / "out"
        before = snapshot(workspace)
        started = time.perf_counter()
        result = build(root, output)
        assert time.perf_counter() - started < SECONDS_PER_EXAMPLE * 2
        assert snapshot(workspace, skip=output) == before  # nothing written, moved or left outside out/
        assert_diagnostics_point_into_files(root, result.diagnostics)
        event("built" if result.ok else "refused")
        if result.ok:
            assert (output / "index.html").is_file()
            assert all(p.resolve().is_relative_to(output.resolve()) for p in output.rglob("*"))
        else:
            assert any(d.level == "error" for d in result.diagnostics)
            assert not output.exists()


@given(text=st.text(st.sampled_from(string.printable + TRICKY), max_size=300))
@settings(FUZZ, max_examples=150)
def test_config_of_any_text(text: str) -> None:
    load_and_check({**MINIMAL_SITE, "trombino.yaml": text.encode("utf-8", "surrogatepass")})


@given(files=plausible_site())
@settings(FUZZ, max_examples=150)
def test_hostile_values_of_the_right_type_load(files: dict[str, bytes | str]) -> None:
    load_and_check(files)


# -- faults the fuzzer found, kept as plain examples -----------------------------------


def test_yaml_only_line_breaks_are_refused_with_the_editors_location(tmp_path: Path) -> None:
    """YAML counts NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks; editors do not."""
    for char, name in (("\x85", "NEL (U+0085)"), ("\u2028", "LINE SEPARATOR (U+2028)"), ("\u2029", "PARAGRAPH SEPARATOR (U+2029)")):
        root = write_site(tmp_path / name[:3], {**MINIMAL_SITE, "content/people/zoe.md": f"---\nname: Zoé\ntitle: a{char}b\nlocation: x: y\n---\n".encode()})
        assert [d.format() for d in load_site(root).diagnostics] == [
            f"content/people/zoe.md:3:9: front matter contains the invisible character {name}, which YAML reads as a line break; remove it"
        ]


def test_config_error_at_the_end_of_a_file_without_newline_points_into_it(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {**MINIMAL_SITE, "trombino.yaml": b"title: [T"})
    [message] = [d.format() for d in load_site(root).diagnostics]
    assert message.startswith("trombino.yaml:1:10: malformed YAML")


@given(body=st.lists(st.sampled_from(["#rust", "#c++", "@ana-lima", "@bo", "#123", "#a.", "word", " ", "\n", "\n\n", "é", "#é"]), max_size=40).map("".join))
@settings(FUZZ, max_examples=200)
def test_one_pass_locations_equal_the_slow_ones(body: str) -> None:
    """locate_all (linear, used for thousands of tags) agrees with locate, value by value."""
    from trombino.markup import MENTION_RE, TAG_RE, locate, locate_all

    for pattern in (TAG_RE, MENTION_RE):
        places = locate_all(body, pattern)
        for value, place in places.items():
            assert locate(body, pattern, value) == place, (value, body)


def test_a_config_of_only_a_document_marker_points_into_the_file(tmp_path: Path) -> None:
    """Found by the fuzzer: '---' alone is an empty document whose position is past the last line."""
    root = write_site(tmp_path / "site", {**MINIMAL_SITE, "trombino.yaml": "---"})
    result = load_site(root)
    assert [d.format() for d in result.diagnostics] == ["trombino.yaml:1:4: front matter must be a mapping of fields ('key: value' lines)"]
    assert_diagnostics_point_into_files(root, result.diagnostics)
