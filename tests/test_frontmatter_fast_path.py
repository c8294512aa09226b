"""The front-matter fast path builds exactly the tree yaml.compose builds.

Whenever trombino.fastyaml.compose_simple() accepts a text, its tree must equal
yaml.compose(text, Loader=CSafeLoader)'s node for node: class, tag, value,
style, flow style, and both marks' class, name, index, line and column. What
comes after (alias and size checks, validation, diagnostics) must not change.
"""

from __future__ import annotations

import itertools
import time
from datetime import timezone
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st

from trombino import frontmatter
from trombino.diagnostics import Diagnostics
from trombino.fastyaml import compose_simple
from trombino.frontmatter import MAX_FRONT_MATTER_NODES, SourceText, _count_nodes, decode_source, parse_front_matter, split_front_matter
from trombino.loader import KINDS
from trombino.schema import CONFIG_FIELDS, PERSON_FIELDS, POST_FIELDS, TEAM_FIELDS

REPO = Path(__file__).resolve().parent.parent
SETTINGS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], max_examples=500)
MARK_FIELDS = ("name", "index", "line", "column", "buffer", "pointer")


def tree_difference(fast: yaml.Node, slow: yaml.Node, where: str = "root") -> str | None:
    """The first difference between two node trees, or None."""
    if type(fast) is not type(slow):
        return f"{where}: {type(fast).__name__} vs {type(slow).__name__}"
    for attribute in ("tag", "style", "flow_style"):
        if getattr(fast, attribute, None) != getattr(slow, attribute, None):
            return f"{where}: {attribute} {getattr(fast, attribute, None)!r} vs {getattr(slow, attribute, None)!r}"
    for which in ("start_mark", "end_mark"):
        a, b = getattr(fast, which), getattr(slow, which)
        if type(a) is not type(b):
            return f"{where}: {which} is a {type(a).__name__} vs {type(b).__name__}"
        if [getattr(a, f) for f in MARK_FIELDS] != [getattr(b, f) for f in MARK_FIELDS]:
            return f"{where}: {which} {[getattr(a, f) for f in MARK_FIELDS]} vs {[getattr(b, f) for f in MARK_FIELDS]}"
    if isinstance(fast, yaml.ScalarNode):
        return None if fast.value == slow.value else f"{where}: value {fast.value!r} vs {slow.value!r}"
    if len(fast.value) != len(slow.value):
        return f"{where}: {len(fast.value)} vs {len(slow.value)} children"
    if isinstance(fast, yaml.MappingNode):
        children = [(k, k2, f"{where}.key[{i}]") for i, ((k, _), (k2, _)) in enumerate(zip(fast.value, slow.value))]
        children += [(v, v2, f"{where}.{k2.value}") for (_, v), (k2, v2) in zip(fast.value, slow.value)]
    else:
        children = [(a, b, f"{where}[{i}]") for i, (a, b) in enumerate(zip(fast.value, slow.value))]
    for a, b, at in children:
        difference = tree_difference(a, b, at)
        if difference:
            return difference
    return None


def accepted_and_same(text: str) -> bool:
    """Compare the fast tree with yaml.compose's; True if the fast path accepted the text."""
    fast = compose_simple(text, MAX_FRONT_MATTER_NODES)
    if fast is None:
        return False
    slow = yaml.compose(text, Loader=yaml.CSafeLoader)  # must not raise: the fast path only takes valid YAML
    difference = tree_difference(fast, slow)
    assert difference is None, (text, difference)
    assert _count_nodes(fast, "x.md", 2) is None  # why parse_front_matter may skip it
    return True


# -- random front matter: accepted or not, an accepted text must be exact ------

NAMES = [f.name for f in PERSON_FIELDS + POST_FIELDS + TEAM_FIELDS] + ["yes", "No", "on", "OFF", "null", "Null", "true", "y", "n", "_", "_x", "a-b", "a_", "k8s", "A"]
NOT_NAMES = ["1a", "a b", "é", "-a", ".a", "a.b", "<<", "~", "? a", "a#", "'a'", '"a"', "[a]", "a "]
WORDS = [
    "", "yes", "no", "on", "off", "Yes", "NO", "y", "n", "true", "False", "null", "Null", "NULL", "~",
    "0", "1.0", "0x1F", "0o17", "017", "0b101", "1_000", "-1", "+1", ".5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "190:20:30",
    "2024-01-05", "2024-1-5", "2024-01-05T10:00:00+02:00", "2024-01-05 10:00:00", "2024-01-05t10:00:00.5Z", "2026-03-04T09:30:00Z",
    "-", "--", "---", "...", "=", "<<", "a: b", "a:b", "a :b", "a:", "a #b", "a#b", "C#", "c++", ".net", "@eloise", "#platform",
    "&a", "*a", "a*", "!tag", "!!str x", "|", "> x", "%x", "`x`", "?x", "? x", ": x", "-x", "- x", "[a]", "{a: b}", "a, b", "a,b",
    "'quoted'", '"dq"', "it's", 'say "hi"', "back\\slash", "Mathéo Müller", "Éloïse", "ÅÉ", "日本語", "😀", "a\u00a0b", "\u00a0",
    "\u202eabc", "\u200b", "a  b", "  padded  ", "http://x.example/a?b=c#d", "mailto:a@b.c", "Europe/Paris", "photos/a.jpg",
    "\t", "a\tb", "\ufeff", "\x85", "\x7f", "\x01", "\r",
]  # fmt: skip
characters = st.sampled_from(list(" abcXY019-_.:,#[]{}'\"?&*!|>%@`~=<+/\\éü😀\u00a0\u202e")) | st.characters(exclude_categories=("Cs",))
texts = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS),
    st.text(characters, max_size=12),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    st.builds(lambda word, n: " ".join([word] * n), st.sampled_from(["a", "Éloïse", "2024", "x-y"]), st.integers(50, 300)),
)


def flow_list(items: list[str], separator: str, opening: str, closing: str) -> str:
    return opening + separator.join(items) + closing


quoted = st.builds(lambda text, quote: quote + text + quote, texts, st.sampled_from(['"', "'"]))
values = st.one_of(
    texts,
    texts,
    quoted,
    st.builds(
        flow_list,
        st.lists(texts | quoted, max_size=6),
        st.sampled_from([", ", ",", " , ", ",  ", ", , "]),
        st.sampled_from(["[", "[ ", "[  "]),
        st.sampled_from(["]", " ]", ",]", ", ]", "] ", "]]", "] #c", "", ", "]),
    ),
)
# Mostly well-formed lines, so that many texts are accepted and their values compared;
# the rest (odd keys and separators, nesting, comments, markers) must be declined or exact.
keys = st.sampled_from(NAMES) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True)
odd_keys = st.sampled_from(NOT_NAMES)
separators = st.sampled_from([": ", ":  ", ":   "])
odd_separators = st.sampled_from([":", " : ", ":\t", "\t: "])
nested = st.sampled_from(["\n  a: 1", "\n- a\n- b", "\n  - a", " {a: b}", " |\n  text", " >-\n  folded", " &x a", " *x", " !!str a", " a\n  continued", " # comment", " a\n\n  b"])
tails = st.sampled_from(["", "", " ", "  "])
lines = st.one_of(
    st.builds(lambda key, sep, value, tail: key + sep + value + tail, keys, separators, values, tails),
    st.builds(lambda key, sep, value, tail: key + sep + value + tail, keys, separators, values, tails),
    st.builds(lambda key, sep, value, tail: key + sep + value + tail, keys, separators, values, tails),
    st.builds(lambda key, sep, value, tail: key + sep + value + tail, keys | odd_keys, separators | odd_separators, values, tails),
    st.builds(lambda key, rest: key + ":" + rest, keys, nested),
    st.sampled_from(["", "", "   ", "# comment", "  indented: x", "- item", "---", "...", "--- a", "%YAML 1.1", "\ufeffa: b", "a: b # c"]),
)
front_matters = st.builds(lambda body, end: "\n".join(body) + end, st.lists(lines, max_size=8), st.sampled_from(["", "", "\n", "\n\n", "\n  ", "  "]))


@SETTINGS
@given(front_matters)
def test_an_accepted_front_matter_composes_to_the_same_tree(text: str) -> None:
    event("accepted" if accepted_and_same(text) else "declined")


@SETTINGS
@given(values, st.sampled_from(["k: {}", "k: {}\nz: 1", "k:  {}  ", "k: [{}]", "k: [a, {}, b]", "k: [{},]"]))
def test_an_accepted_value_composes_to_the_same_node(value: str, context: str) -> None:
    event("accepted" if accepted_and_same(context.replace("{}", value)) else "declined")


# -- realistic front matter must take the fast path ------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzéèëïôçøåüÉÅÜ"
slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
words = st.text(LETTERS, min_size=1, max_size=10)
realistic_values = st.one_of(
    st.just(""),
    slugs,
    st.lists(words, min_size=1, max_size=4).map(" ".join).map(str.capitalize),
    st.dates().map(lambda day: day.isoformat()),
    st.datetimes(timezones=st.just(timezone.utc) | st.timezones()).map(lambda moment: moment.isoformat(timespec="seconds")),
    st.integers(0, 100).map(str),
    st.sampled_from(["true", "false", "yes", "no", "null", "~", "Europe/Paris", "photos/a.jpg", "eloise@example.com", "https://blog.example.org/e", "C#", "c++"]),
    st.lists(slugs | words | st.sampled_from([".net", "c++", "node.js", "2024"]), max_size=6).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(st.text(LETTERS + " #@:,&*!-", min_size=1, max_size=12), max_size=3).map(lambda items: "[" + ", ".join(f'"{item}"' for item in items) + "]"),
    st.text(LETTERS + " #@:,&*!-/", max_size=20).map(lambda text: f'"{text}"'),
)
realistic = st.lists(
    st.tuples(st.sampled_from([f.name for f in PERSON_FIELDS + POST_FIELDS + TEAM_FIELDS]), realistic_values, st.sampled_from(["", "", "", " ", "\n"])),
    min_size=1,
    max_size=10,
    unique_by=lambda entry: entry[0],
).map(lambda entries: "\n".join(f"{key}: {value}{tail}" if value else f"{key}:{tail}" for key, value, tail in entries))


@SETTINGS
@given(realistic)
def test_realistic_front_matter_takes_the_fast_path(text: str) -> None:
    assert accepted_and_same(text), text


# -- every short scalar, in every position ---------------------------------------

ALPHABET = " a1-:#,[]{}\"'?.~&*!|>%@`\\é\u00a0\t+="
CONTEXTS = ["k: {}", "k: [{}]", "k: [x, {}]", "k: [{}, y]", "{}: v", "a: 1\n{}", "k:{}", "k: {}\nz: 2"]


def test_every_short_scalar_in_every_position() -> None:
    accepted = 0
    for length in range(4):
        for letters in itertools.product(ALPHABET, repeat=length):
            for context in CONTEXTS:
                accepted += accepted_and_same(context.replace("{}", "".join(letters)))
    assert accepted > 20_000  # the subset is not empty: about 1 in 8 of these are plain enough


# -- real content ---------------------------------------------------------------------

DEMO_FILES = sorted((REPO / "content").rglob("*.md"))
FOLDER_KINDS = {"people": "person", "teams": "team", "posts": "post"}


def composed_the_old_way(source: SourceText) -> tuple[yaml.MappingNode | None, list]:
    with mock.patch.object(frontmatter, "compose_simple", lambda text, max_nodes: None):
        return parse_front_matter(source)


def assert_same_downstream(source: SourceText, fields: tuple) -> None:
    """parse_front_matter then Validator.record give the same diagnostics and values with or without the fast path."""
    from trombino.schema import Validator

    results = []
    for parse in (parse_front_matter, composed_the_old_way):
        node, problems = parse(source)
        diagnostics = Diagnostics()
        record = Validator(source.path, source.front_line, diagnostics, ZoneInfo("Europe/Paris")).record(node, fields) if node is not None else None
        results.append((node, problems, record, diagnostics.items))
    (fast_node, *fast), (slow_node, *slow) = results
    assert fast == slow, source.front
    if fast_node is not None:
        assert tree_difference(fast_node, slow_node) is None


def test_demo_content_takes_the_fast_path_with_identical_results() -> None:
    accepted = 0
    for path in DEMO_FILES:
        text, _ = decode_source(path.name, path.read_bytes())
        split, _ = split_front_matter(path.name, text)
        accepted += accepted_and_same(split.front)
        assert_same_downstream(split, KINDS[FOLDER_KINDS[path.relative_to(REPO / "content").parts[0]]])
    assert len(DEMO_FILES) > 300
    assert accepted / len(DEMO_FILES) > 0.9  # only flow mappings and block lists of mappings are composed
    config = (REPO / "trombino.yaml").read_text(encoding="utf-8")
    assert_same_downstream(SourceText("trombino.yaml", config, 1, "", 1), CONFIG_FIELDS)


@SETTINGS
@given(st.one_of(realistic, front_matters), st.sampled_from([PERSON_FIELDS, POST_FIELDS, TEAM_FIELDS]))
def test_validation_diagnostics_do_not_change(text: str, fields: tuple) -> None:
    assert_same_downstream(SourceText("content/x.md", text, 2, "", 5), fields)


# -- limits -----------------------------------------------------------------------------


def test_too_many_values_still_reported_the_same_way() -> None:
    source = SourceText("x.md", "tags: [" + "a, " * MAX_FRONT_MATTER_NODES + "]", 2, "", 3)
    assert compose_simple(source.front, MAX_FRONT_MATTER_NODES) is None
    node, problems = parse_front_matter(source)
    assert node is None and [p.message for p in problems] == [f"front matter has too many values (more than {MAX_FRONT_MATTER_NODES:,})"]
    assert (node, problems) == composed_the_old_way(source)


def test_more_distinct_values_than_the_tag_cache_holds() -> None:
    text = "\n".join(f"k{i}: {value}" for i, value in enumerate(v for n in range(2500) for v in (str(n), f"2024-01-{n % 28 + 1:02}T{n % 24:02}:00:00Z", f"w{n}")))
    assert accepted_and_same(text)


@pytest.mark.parametrize(
    "line",
    [
        "k: [a" + " " * 200_000 + "b]",
        "k: [a" + " " * 200_000 + "b",
        "k: [a" + " a" * 100_000 + " #]",
        "k: a" + " a" * 100_000 + " #",
        "k: a" + " " * 200_000 + ":",
        "k: " + "a:" * 100_000 + " ",
        "k: [" + "a," * 100_000 + "]",
        'k: "' + "a" * 200_000,
    ],
)
def test_hostile_long_lines_cost_linear_time(line: str) -> None:
    started = time.perf_counter()
    compose_simple(line, MAX_FRONT_MATTER_NODES)
    assert time.perf_counter() - started < 2.0  # linear: milliseconds; a backtracking pattern takes minutes
