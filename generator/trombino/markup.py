"""Markdown → sanitised HTML, collecting inline ``#tags`` and ``@mentions``.

Tags and mentions are found on the parsed Markdown tree, so text inside code,
links and headings never counts. They are written as placeholder links
(``/__trombino__/tag/<key>``) that the renderer resolves per page, because a
tag's URL slug and a page's depth are only known once the whole corpus is read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import quote, unquote

import markdown
import nh3
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

PLACEHOLDER_PREFIX = "/__trombino__/"
PLACEHOLDER_RE = re.compile(r'/__trombino__/(tag|person)/([^"\'\s<>]+)')

TAG_RE = re.compile(r"(?<![\w&#/])#(\.?[^\W_][\w.+#-]*)")
MENTION_RE = re.compile(r"(?<![\w@.+-])@([a-z0-9]+(?:-[a-z0-9]+)*)(?![\w@-]|\.\w)")
_SKIP_ELEMENTS = {"code", "pre", "a", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "samp"}
_EXTERNAL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


_LETTER_RE = re.compile(r"[^\W\d_]")


def clean_tag_text(raw: str) -> str | None:
    tag = raw.rstrip(".-")
    if not _LETTER_RE.search(tag):  # '#123' is an issue number, not a tag
        return None
    return tag


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    tags: tuple[str, ...]  # raw spellings, in order of appearance
    mentions: tuple[str, ...]  # person slugs, in order of appearance


class _StrictHashHeader(HashHeaderProcessor):
    """ATX headings need a space after the hashes, as in CommonMark.

    Python-Markdown would otherwise turn a line starting with '#rust' into a
    heading and the tag would be lost.
    """

    RE = re.compile(r"(?:^|\n)(?P<level>#{1,6})(?:[ \t]+(?P<header>(?:\\.|[^\\])*?))?#*(?:\n|$)")

    def run(self, parent, blocks):  # noqa: ANN001 - Python-Markdown API
        block = blocks[0]
        match = self.RE.search(block)
        if match and match.group("header") is None:
            match = None
        if not match:  # pragma: no cover - test() already matched
            return False
        return super().run(parent, blocks)


class _TagsAndMentions(Treeprocessor):
    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.tags: list[str] = []
        self.mentions: list[str] = []
        self.link_tags = True

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        children = list(element)  # the links made below are not scanned again
        for child in children:
            if child.tag == "img":
                self._externalise_image(element, child)
            if child.tag not in _SKIP_ELEMENTS:
                self._walk(child)
        if element.tag not in _SKIP_ELEMENTS:
            self._replace_text(element)
        for child in children:
            self._replace_tail(element, child)

    def _externalise_image(self, parent: etree.Element, image: etree.Element) -> None:
        """An image from another host becomes a plain link: pages never load remote content."""
        src = image.get("src", "")
        if _EXTERNAL_RE.match(src) and not src.lower().startswith("data:"):
            label = image.get("alt") or src
            image.tag = "a"
            image.attrib = {"href": src}
            image.text = label

    def _pieces(self, text: str) -> list[str | etree.Element]:
        pieces: list[str | etree.Element] = []
        position = 0
        for match in _TOKEN_RE.finditer(text):
            if match.group("tag") is not None:
                if not self.link_tags:
                    continue
                tag = clean_tag_text(match.group("tag"))
                if tag is None:
                    continue
                end = match.start("tag") + len(tag)
                link = etree.Element("a", {"class": "tag", "href": PLACEHOLDER_PREFIX + "tag/" + quote(tag, safe="")})
                link.text = "#" + tag
                self.tags.append(tag)
            else:
                slug = match.group("mention")
                end = match.end()
                link = etree.Element("a", {"class": "mention", "href": PLACEHOLDER_PREFIX + "person/" + slug})
                link.text = "@" + slug
                self.mentions.append(slug)
            pieces.append(text[position : match.start()])
            pieces.append(link)
            position = end
        if not pieces:
            return []
        pieces.append(text[position:])
        return pieces

    def _replace_text(self, element: etree.Element) -> None:
        if not element.text:
            return
        pieces = self._pieces(element.text)
        if not pieces:
            return
        element.text = pieces[0]  # type: ignore[assignment]
        self._insert(element, 0, pieces[1:])

    def _replace_tail(self, parent: etree.Element, child: etree.Element) -> None:
        if not child.tail:
            return
        pieces = self._pieces(child.tail)
        if not pieces:
            return
        child.tail = pieces[0]  # type: ignore[assignment]
        index = list(parent).index(child) + 1
        self._insert(parent, index, pieces[1:])

    @staticmethod
    def _insert(parent: etree.Element, index: int, pieces: list) -> None:
        last: etree.Element | None = None
        for piece in pieces:
            if isinstance(piece, str):
                if last is not None:
                    last.tail = piece
            else:
                parent.insert(index, piece)
                index += 1
                last = piece


_TOKEN_RE = re.compile(
    r"(?<![\w&#/])#(?P<tag>\.?[^\W_][\w.+#-]*)"
    r"|(?<![\w@.+-])@(?P<mention>[a-z0-9]+(?:-[a-z0-9]+)*)(?![\w@-]|\.\w)"
)


class _TrombinoExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown API
        md.parser.blockprocessors.register(_StrictHashHeader(md.parser), "hashheader", 70)
        processor = _TagsAndMentions(md)
        md.treeprocessors.register(processor, "trombino_tags", 5)
        md.trombino = processor  # type: ignore[attr-defined]


_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS)
_ALLOWED_ATTRIBUTES = {key: set(value) for key, value in nh3.ALLOWED_ATTRIBUTES.items()}
_ALLOWED_ATTRIBUTES.setdefault("a", set()).update({"href", "title", "class"})
_ALLOWED_ATTRIBUTES.setdefault("img", set()).update({"src", "alt", "title", "width", "height"})
_ALLOWED_ATTRIBUTES.setdefault("code", set()).add("class")
_ALLOWED_ATTRIBUTES.setdefault("th", set()).add("align")
_ALLOWED_ATTRIBUTES.setdefault("td", set()).add("align")


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        allowed = {"a": ("tag", "mention"), "code": ()}.get(element)
        if allowed is None:
            return None
        if element == "code":
            return value if re.fullmatch(r"language-[\w+#.-]{1,40}", value) else None
        return value if value in allowed else None
    if element == "img" and attribute == "src" and _EXTERNAL_RE.match(value.strip()):
        return None  # remote images would fetch from another host
    return value


_SANITISER_OPTIONS = dict(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel="noopener noreferrer",
    attribute_filter=_attribute_filter,
    set_tag_attribute_values={"img": {"loading": "lazy"}},
    strip_comments=True,
)
# A reusable cleaner (nh3 >= 0.3) is five times faster than nh3.clean, which
# converts the allow-lists on every call: it matters with 100,000 updates.
_SANITISED_REL = f' rel="{_SANITISER_OPTIONS["link_rel"]}"'  # what the sanitiser adds to every link
_CLEANER = nh3.Cleaner(**_SANITISER_OPTIONS) if hasattr(nh3, "Cleaner") else None


def sanitise(html: str) -> str:
    """Allow-list sanitising: no script, no event handlers, no javascript:/data: URLs."""
    if _CLEANER is not None:
        return _CLEANER.clean(html)
    return nh3.clean(html, **_SANITISER_OPTIONS)


# (unsanitised html, tags, mentions): what Markdown conversion yields before sanitise().
Converted = tuple[str, tuple[str, ...], tuple[str, ...]]


class MarkdownRenderer:
    """Reusable converter: Python-Markdown instances are costly to create."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "nl2br", _TrombinoExtension()],
            output_format="html",
        )

    def render(self, text: str, *, link_tags: bool = True) -> RenderedMarkdown:
        """Render text; with link_tags False (bios), '#word' stays plain text.

        Plain paragraphs take a fast path that builds the very HTML Python-Markdown
        and the sanitiser would; everything else goes through both.
        """
        fast = plain_markdown(text, link_tags=link_tags, sanitised=True)
        if fast is not None:
            return RenderedMarkdown(*fast)
        html, tags, mentions = self.convert(text, link_tags=link_tags)
        return RenderedMarkdown(sanitise(html), tags, mentions)

    def convert(self, text: str, *, link_tags: bool = True) -> Converted:
        """The full Python-Markdown pipeline, unsanitised: the reference the fast path must equal."""
        md = self._md
        md.reset()
        processor: _TagsAndMentions = md.trombino  # type: ignore[attr-defined]
        processor.tags, processor.mentions, processor.link_tags = [], [], link_tags
        html = md.convert(text)
        return html, tuple(processor.tags), tuple(processor.mentions)


# The fast path. Most updates are a paragraph or two of plain text with #tags
# and @mentions: Python-Markdown takes about 80 µs on one, this about 10 µs. A
# body passes this whitelist only if nothing in it can trigger any enabled
# Python-Markdown processor, so its HTML is just paragraphs, nl2br's <br> and
# our links. tests/test_markup_fast_path.py checks that against Python-Markdown
# itself (rerun it when upgrading Python-Markdown). Refused:
# - characters: * _ (emphasis), ` (code, fences), [ ] (links, images,
#   references), < > (HTML, autolinks, quotes), \ (escapes), | (tables);
#   '&' unless followed by a space (entities; html.parser also reads '&name'
#   as an entity reference); any control, format, private-use, unassigned,
#   space or line-separator character but ' ' and newline (str.isprintable()
#   is False for exactly these, bar ' '), which also rules out tabs, \r, NBSP
#   and the STX/ETX placeholders Python-Markdown uses internally;
# - line starts: a space (indented code, list continuations, whitespace-only
#   lines), '#' then a space, '#' or the line end (ATX headings), - + =
#   (lists, setext headings, rules), digits then '.' or ')' (ordered lists),
#   '~~' (fences are three or more at a line start: '~' is plain text elsewhere);
# - line ends: a space (hard line breaks; trailing space is also kept as is).
# '!' needs a '[' to mean anything and '(' a ']', so both are plain here.
_NOT_PLAIN_RE = re.compile(r"[*_`\[\]<>\\|]|&(?! )|^(?: |#(?:[# ]|$)|[-+=]|~~|\d+[.)])| $", re.MULTILINE)
_PARAGRAPH_BREAK_RE = re.compile(r"\n\n+")


def plain_markdown(text: str, *, link_tags: bool = True, sanitised: bool = False) -> Converted | None:
    """What MarkdownRenderer.convert returns for a body of plain paragraphs; None for any other body.
    With ``sanitised``, what :func:`sanitise` makes of that HTML, without running it.

    The sanitiser would only add its ``rel`` to our links (10 µs a body, a tenth of
    parsing one): this HTML holds no '<' or '>' but the elements made here, and their
    attributes come from slugs and percent-quoted tags. test_markup_fast_path compares
    both ways.

    Python-Markdown splits blocks at blank lines, nl2br turns each other newline
    into '<br>' followed by a newline, paragraphs are joined by a newline, and
    the serialiser escapes only '&' here. Tags and mentions are found as
    _TagsAndMentions finds them: a token never spans a newline, and a newline
    looks the same to its lookarounds as the text-node edge it becomes.
    """
    if _NOT_PLAIN_RE.search(text) or not text.replace("\n", "").isprintable():
        return None
    tags: list[str] = []
    mentions: list[str] = []
    rel = _SANITISED_REL if sanitised else ""

    def link(match: re.Match[str]) -> str:
        raw = match.group("tag")
        if raw is None:
            slug = match.group("mention")
            mentions.append(slug)
            replacement = f'<a class="mention" href="{PLACEHOLDER_PREFIX}person/{slug}"{rel}>@{slug}</a>'
        else:
            tag = clean_tag_text(raw) if link_tags else None
            if tag is None:
                return match.group()
            tags.append(tag)
            href = PLACEHOLDER_PREFIX + "tag/" + quote(tag, safe="")
            replacement = f'<a class="tag" href="{href}"{rel}>#{tag}</a>{raw[len(tag):]}'
        return replacement

    body = _TOKEN_RE.sub(link, text.strip("\n")).replace("&", "&amp;")
    if not body:
        return "", (), ()
    paragraphs = _PARAGRAPH_BREAK_RE.split(body)
    html = "\n".join("<p>" + paragraph.replace("\n", "<br>\n") + "</p>" for paragraph in paragraphs)
    return html, tuple(tags), tuple(mentions)


# Python-Markdown scans forward from every '[' (and every '(' after ']') to its
# match or to the end of the paragraph, and from every '<' to the next '>': a
# body of unclosed brackets costs time quadratic in its length (40 KB of '['
# takes minutes). Bodies over this many scan steps (about a second) are refused.
MARKDOWN_SCAN_BUDGET = 2_000_000
_SCAN_TOKEN_RE = re.compile(r"\n[ \t]*(?=\n)|\]\(|[\[\]()>]|<[A-Za-z/!?]")


BRACKETS_MESSAGE = "Markdown body has too many unclosed '[', '(' or '<' to render in reasonable time; close them or escape them as '\\['"
NESTING_MESSAGE = "Markdown body nests lists or quotes too deeply to render in reasonable time; flatten it"
BLOCK_MESSAGE = "Markdown body has too many lines without a blank line between them to render in reasonable time; add blank lines between paragraphs"
# Python-Markdown's block parser costs about 50 µs a line, re-parses nested
# lists and quotes once per level (2,000 nested items took 90 s), and splits a
# run of lines without a blank line one block at a time, which is quadratic in
# the run's length (4,000 headings in a row took a second, 50,000 three minutes).
MAX_MARKDOWN_LINES = 20_000
MARKDOWN_NESTING_BUDGET = 5_000_000  # sum over lines of (depth beyond FREE_NESTING) x length
FREE_NESTING = 4
MARKDOWN_RUN_BUDGET = 20_000_000  # sum over runs of lines without a blank line of their length squared
_NESTING_PREFIX_RE = re.compile(r"(?:[ \t]|>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")


def costly_spot(text: str) -> tuple[int, str] | None:
    """Where a body would make Python-Markdown take too long, and why; None if it is fine. Linear."""
    spot = _bracket_spot(text)
    if spot is not None:
        return spot, BRACKETS_MESSAGE
    return _block_spot(text)


def _block_spot(text: str) -> tuple[int, str] | None:
    nesting = runs = lines = run = 0
    offset = run_start = 0
    for line in text.split("\n"):
        if not line.strip():
            runs += run * run
            run = 0
        else:
            lines += 1
            if lines > MAX_MARKDOWN_LINES:
                return offset, f"Markdown body is too long: more than {MAX_MARKDOWN_LINES:,} lines"
            if run == 0:
                run_start = offset
            run += 1
            if runs + run * run > MARKDOWN_RUN_BUDGET:
                return run_start, BLOCK_MESSAGE
            prefix = _NESTING_PREFIX_RE.match(line).group()  # type: ignore[union-attr]
            spaces = prefix.count(" ") + 4 * prefix.count("\t")
            excess = len(prefix) - prefix.count(" ") - prefix.count("\t") + spaces // 4 - FREE_NESTING
            if excess > 0:
                nesting += excess * (len(line) + excess)
                if nesting > MARKDOWN_NESTING_BUDGET:
                    return offset, NESTING_MESSAGE
        offset += len(line) + 1
    return None


def _bracket_spot(text: str) -> int | None:
    """Offset of the worst bracket in a body Python-Markdown would take too long on; None if it is fine.

    Linear: only brackets are visited, each once.
    """
    total = worst_cost = 0
    worst_at = 0
    squares: list[int] = []  # offsets of open '['
    parens: list[tuple[int, bool]] = []  # open '(' and whether it follows ']'
    angles: list[int] = []  # '<' waiting for a '>'
    open_sum = 0  # sum of the offsets of the open '[' and '<', to stop early

    def spend(start: int, end: int) -> None:
        nonlocal total, worst_cost, worst_at
        total += end - start
        if end - start > worst_cost:
            worst_cost, worst_at = end - start, start

    for match in _SCAN_TOKEN_RE.finditer(text):
        token, at = match.group(), match.start()
        if total + (len(squares) + len(angles)) * at - open_sum > MARKDOWN_SCAN_BUDGET:
            return (squares + angles)[0] if squares or angles else worst_at  # already over, whatever follows
        if token[0] == "\n":  # blank line: the paragraph ends, its open brackets scanned to here
            for start in squares:
                spend(start, at)
            for start, after_link in parens:
                if after_link:
                    spend(start, at)
            open_sum -= sum(squares)
            squares, parens = [], []
        elif token == "[":
            squares.append(at)
            open_sum += at
        elif token == "]" or token == "](":
            if squares:
                open_sum -= squares[-1]
                spend(squares.pop(), at)
            if token == "](":
                parens.append((at + 1, True))
        elif token == "(":
            parens.append((at, False))
        elif token == ")":
            if parens:
                start, after_link = parens.pop()
                if after_link:
                    spend(start, at)
        elif token == ">":
            for start in angles:
                spend(start, at)
            open_sum -= sum(angles)
            angles = []
        else:
            angles.append(at)
            open_sum += at
    for start in squares + [s for s, after_link in parens if after_link] + angles:
        spend(start, len(text))
    return worst_at if total > MARKDOWN_SCAN_BUDGET else None


def locate_all(body: str, needle_re: re.Pattern[str]) -> dict[str, tuple[int, int]]:
    """0-based (line, column) of the first match of each value, in one pass.

    Calling :func:`locate` once per tag is quadratic: 10,000 #tags took minutes.
    """
    found: dict[str, tuple[int, int]] = {}
    line, line_start, counted = 0, 0, 0
    for match in needle_re.finditer(body):
        start = match.start()
        newlines = body.count("\n", counted, start)
        if newlines:
            line += newlines
            line_start = body.rfind("\n", counted, start) + 1
        counted = start
        for value in (match.group(1), clean_tag_text(match.group(1))):
            if value is not None:
                found.setdefault(value, (line, start - line_start))
    return found


def locate(body: str, needle_re: re.Pattern[str], value: str) -> tuple[int, int]:
    """0-based (line, column) of the first match of needle_re whose group 1 is value."""
    for match in needle_re.finditer(body):
        if match.group(1) == value or clean_tag_text(match.group(1)) == value:
            line = body.count("\n", 0, match.start())
            column = match.start() - (body.rfind("\n", 0, match.start()) + 1)
            return line, column
    return 0, 0


def resolve_placeholders(html: str, tag_url, person_url) -> str:  # noqa: ANN001 - callables
    """Replace placeholder links with real URLs for the page being rendered."""

    def replace(match: re.Match[str]) -> str:
        kind, value = match.group(1), unquote(match.group(2))
        return tag_url(value) if kind == "tag" else person_url(value)

    return PLACEHOLDER_RE.sub(replace, html)
