"""The plain-paragraph fast path of MarkdownRenderer yields exactly what Python-Markdown would.

Whenever plain_markdown() accepts a body, its unsanitised HTML, tags and
mentions must equal MarkdownRenderer.convert()'s (the full pipeline), and
render() must equal the full pipeline followed by sanitise().
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from trombino.frontmatter import decode_source, split_front_matter
from trombino.markup import MarkdownRenderer, RenderedMarkdown, plain_markdown, sanitise

DEMO_CONTENT = Path(__file__).resolve().parent.parent / "content"
SETTINGS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], max_examples=600)

RENDERER = MarkdownRenderer()  # one instance, as the loader uses: state must not leak between bodies


def assert_same_as_full_pipeline(body: str, link_tags: bool) -> bool:
    """Compare fast and full paths on body; True if the fast path accepted it."""
    fast = plain_markdown(body, link_tags=link_tags)
    full = RENDERER.convert(body, link_tags=link_tags)
    if fast is not None:
        assert fast == full, body
    expected = RenderedMarkdown(sanitise(full[0]), full[1], full[2])
    assert RENDERER.render(body, link_tags=link_tags) == expected, body
    return fast is not None


# Pieces that Python-Markdown or the tag/mention finder react to, next to
# ordinary words, accents and punctuation: joined with or without spaces they
# make headings, lists, emphasis, entities, glued tokens and line breaks.
WORDS = ["hello", "Éloïse", "café", "naïve", "Straße", "日本語", "ça", "x", "I'm", '"quoted"', "e-mail", "a.b", "ana@example.com", "R", "D"]
TOKENS = ["#rust", "#c++", "#c#", "#.net", "#node.js", "#go.", "#a-", "#123", "#é", "#_x", "#", "##", "###", "#-", "&#tag",
          "@ana-lima", "@bob", "@Bob", "@bob.", "@bob.x", "@x-", "@-x", "@@", "@1", "a@b", "/#x", "x#y"]  # fmt: skip
PUNCTUATION = [".", ",", "!", "?", ":", ";", "(", ")", "'", "/", "%", "$", "€", "→", "…", "+", "-", "=", "1.", "2)", "١.", "2024", "3.14", "~", "~~~"]
DANGEROUS = ["*", "**", "_", "__", "`", "```", "[", "]", "](", "![", "<", ">", "<b>", "&", "& ", "&amp;", "&#35;", "&x", "\\", "|", "---", "===", "> ",
             "\t", "\r", "\r\n", "\x00", "\x02", "\x03", "\x0b", "\x0c", "\x85", "\u00a0", "\u2028", "\u200d", "\ufeff", "\ue000"]  # fmt: skip
BREAKS = [" ", " ", " ", "  ", "\n", "\n", "\n\n", "\n\n\n", " \n", "\n ", "\n    ", "\n# ", "\n- ", "\n+ ", "\n1. ", "\n> ", "\n=\n", "\n~~~\n"]
FRAGMENTS = WORDS + TOKENS + PUNCTUATION + DANGEROUS + BREAKS
SAFE = WORDS + TOKENS + PUNCTUATION

# A soup of fragments finds glued tokens and odd characters ...
soup_bodies = st.lists(st.sampled_from(FRAGMENTS) | st.text(alphabet="#@.-+!?,:;()'é\n 0123456789abz&~*_", max_size=4), max_size=40).map("".join)
safe_soup_bodies = st.lists(st.sampled_from(SAFE + BREAKS[:8]), max_size=40).map("".join)

# ... lines built as prefix + mostly plain inline text + suffix find block syntax.
LINE_STARTS = [""] * 30 + ["#", "# ", "## ", "###### ", "#######", "#tag ", "- ", "+ ", "* ", "1. ", "12. ", "2) ", "١. ", "> ", " ", "  ",
               "    ", "\t", "=", "===", "---", "- - -", "***", "___", "~~~", "~~ ", "~", "```", "|", "| a | b |", "|---|---|", "a | b", ":--|--:",
               "[x]: https://example.com", "@bob ", "&amp; ", "& ", "!", "(", "2024 ", "3.14 "]  # fmt: skip
LINE_ENDS = [""] * 20 + [" ", "  ", "   ", "\\", "#", " ##", "|", ":", "!", "."]
inline_text = st.lists(st.tuples(st.sampled_from(["", " ", " ", " "]), st.sampled_from(SAFE * 12 + DANGEROUS)), max_size=8).map(
    lambda pairs: "".join(separator + piece for separator, piece in pairs).lstrip(" ")
)
lines = st.tuples(st.sampled_from(LINE_STARTS), inline_text, st.sampled_from(LINE_ENDS)).map("".join)
line_bodies = st.lists(st.tuples(lines, st.sampled_from(["\n", "\n", "\n", "\n\n", "\n\n\n", "\n \n", "\r\n"])), max_size=4).map(
    lambda pairs: "".join(line + newline for line, newline in pairs)
)


# ... and one construct of each kind dropped into plain text checks that
# every rule of the whitelist is needed where it stands.
CONSTRUCTS = ["# Heading", "## Heading ##", "#", "Title\n===", "Title\n---", "- item", "+ item", "* item", "1. item", "2024. a year", "١. item",
              "    code", "\tcode", "> quote", "---", "* * *", "~~~\ncode\n~~~", "```\ncode\n```", "a | b\n:--|--:", "| a | b |\n|---|---|",
              "hard  \nbreak", "end  ", "[x](https://e.com)", "[x]", "[x]: https://e.com", "![x](y.png)", "<b>x</b>", "<https://e.com>",
              "<a@b.c>", "a > b", "a < b", "&amp;", "&#35;", "R&D", "S&OP, yes", "*em*", "**strong**", "_em_", "__strong__", "`code`",
              "a\\*b", "\\#tag", "@ana#go", "#go@ana", "#c++@ana", "a\u00a0b", "a\u2028b", "\ufeffa", "a\x02b", "a\rb"]  # fmt: skip
plain_line = st.lists(st.sampled_from(WORDS + ["#rust", "#c++", "#123", "@ana-lima", "@bob.", ".", ",", "!", "~", "2024"]), min_size=1, max_size=6).map(" ".join)
plain_lines = st.lists(st.tuples(plain_line, st.sampled_from(["\n", "\n\n"])), min_size=1, max_size=4).map(lambda pairs: "".join(a + b for a, b in pairs))
one_construct_bodies = st.tuples(plain_lines, st.sampled_from(CONSTRUCTS), st.sampled_from(["", " ", "\n", "\n\n"]), plain_lines).map("".join)


@SETTINGS
@given(body=one_construct_bodies, link_tags=st.booleans())
def test_fast_path_equals_full_pipeline_around_one_construct(body: str, link_tags: bool) -> None:
    event("fast path" if assert_same_as_full_pipeline(body, link_tags) else "full pipeline")


@SETTINGS
@given(body=soup_bodies, link_tags=st.booleans())
def test_fast_path_equals_full_pipeline_on_hostile_text(body: str, link_tags: bool) -> None:
    event("fast path" if assert_same_as_full_pipeline(body, link_tags) else "full pipeline")


@SETTINGS
@given(body=safe_soup_bodies, link_tags=st.booleans())
def test_fast_path_equals_full_pipeline_on_plain_text(body: str, link_tags: bool) -> None:
    event("fast path" if assert_same_as_full_pipeline(body, link_tags) else "full pipeline")


@SETTINGS
@given(body=line_bodies, link_tags=st.booleans())
def test_fast_path_equals_full_pipeline_on_block_syntax(body: str, link_tags: bool) -> None:
    event("fast path" if assert_same_as_full_pipeline(body, link_tags) else "full pipeline")


def realistic_update(rng: random.Random) -> str:
    """A microblog update as people write them: sentences, #tags, @mentions, a few line breaks."""
    words = ["we", "shipped", "the", "new", "deploy", "pipeline", "today", "thanks", "to", "everyone", "équipe", "réunion", "très", "bien", "merci",
             "question:", "who", "knows", "about", "it's", "(beta)", "v2", "2024", "50%", "→", "R & D", "~10"]  # fmt: skip
    tokens = ["#devops", "#python", "#c++", "#node.js", "#sécurité", "#123", "@ana-lima", "@tomasz-fraser", "@bob"]
    paragraphs = []
    for _ in range(rng.randint(1, 3)):
        lines = []
        for _ in range(rng.choice([1, 1, 1, 2])):
            sentence = [rng.choice(tokens) if rng.random() < 0.2 else rng.choice(words) for _ in range(rng.randint(3, 20))]
            line = " ".join(sentence)
            lines.append(line[0].upper() + line[1:] + rng.choice([".", "!", "?", "", " :)"]))
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs) + rng.choice(["", "\n"])


def test_fast_path_takes_realistic_updates() -> None:
    rng = random.Random(20240611)
    bodies = [realistic_update(rng) for _ in range(400)]
    accepted = sum(assert_same_as_full_pipeline(body, link_tags) for body in bodies for link_tags in (True, False))
    assert accepted >= 0.95 * 2 * len(bodies)


@pytest.mark.parametrize(
    "body",
    [
        "Shipped it! Thanks @ana-lima, #devops #c++ #node.js.",
        "Line one\nline two #rust\n\n\nSecond paragraph with @bob.",
        "R & D budget: ~130 views moved (mostly) to dbt; 50% done → #data",
        "#rust at the start of a line is a tag, #123 is not, x#y neither.",
        "\n\nLeading and trailing blank lines\n\n",
        "Réunion très réussie — merci à l'équipe ! #rh",
    ],
)
def test_plain_updates_take_the_fast_path(body: str) -> None:
    assert assert_same_as_full_pipeline(body, True)
    assert assert_same_as_full_pipeline(body, False)


@pytest.mark.parametrize(
    "body",
    [
        "# Heading",
        "#\nx",
        "Title\n===",
        "Title\n---",
        "- item",
        "+ item",
        "1. item",
        "2024. was a year",
        "3) item",
        "    code",
        "> quote",
        "~~~\ncode\n~~~",
        "~~ almost a fence",
        "hard  \nbreak",
        "a *b* c",
        "snake_case",
        "`code`",
        "[link](https://example.com)",
        "<b>x</b>",
        "S&OP",
        "&amp;",
        "a\\*b",
        "a | b",
        "tab\there",
        "cr\r\nlf",
        "nbsp\u00a0here",
    ],
)
def test_markup_goes_to_the_full_pipeline(body: str) -> None:
    assert plain_markdown(body) is None
    assert_same_as_full_pipeline(body, True)


def test_empty_body() -> None:
    assert plain_markdown("") == RENDERER.convert("") == ("", (), ())
    assert plain_markdown("\n\n") == RENDERER.convert("\n\n") == ("", (), ())


def test_every_demo_body_renders_the_same_both_ways() -> None:
    accepted = files = 0
    for path in sorted(DEMO_CONTENT.rglob("*.md")):
        text, _ = decode_source(str(path), path.read_bytes())
        assert text is not None, path
        split, _ = split_front_matter(str(path), text)
        assert split is not None, path
        files += 1
        for link_tags in (True, False):
            accepted += assert_same_as_full_pipeline(split.body, link_tags)
    assert files >= 300
    assert accepted >= files  # most bodies are plain: the fast path must not be dead code


@pytest.mark.parametrize("body", ["@ana#go #rust", "first line\n@ana#go #rust", "#rust@ana #go", "x\n#rust@ana #go"])
def test_text_glued_to_a_link_is_not_scanned_again(body: str) -> None:
    # A tag or mention right after another one is not a token (its lookbehind
    # sees a word character), on the first line as on any other.
    full = RENDERER.convert(body)
    assert plain_markdown(body) == full
    assert (full[1], full[2]) in {(("rust",), ("ana",)), (("rust", "go"), ())}
