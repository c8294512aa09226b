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


def clean_tag_text(raw: str) -> str | None:
    tag = raw.rstrip(".-")
    if not re.search(r"[^\W\d_]", tag):  # '#123' is an issue number, not a tag
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
        for child in list(element):
            if child.tag == "img":
                self._externalise_image(element, child)
            if child.tag not in _SKIP_ELEMENTS:
                self._walk(child)
        if element.tag not in _SKIP_ELEMENTS:
            self._replace_text(element)
        for child in list(element):
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


def sanitise(html: str) -> str:
    """Allow-list sanitising: no script, no event handlers, no javascript:/data: URLs."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        strip_comments=True,
    )


class MarkdownRenderer:
    """Reusable converter: Python-Markdown instances are costly to create."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "nl2br", _TrombinoExtension()],
            output_format="html",
        )

    def render(self, text: str, *, link_tags: bool = True) -> RenderedMarkdown:
        """Render text; with link_tags False (bios), '#word' stays plain text."""
        md = self._md
        md.reset()
        processor: _TagsAndMentions = md.trombino  # type: ignore[attr-defined]
        processor.tags, processor.mentions, processor.link_tags = [], [], link_tags
        html = md.convert(text)
        return RenderedMarkdown(sanitise(html), tuple(processor.tags), tuple(processor.mentions))


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
