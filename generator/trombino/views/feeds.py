"""Atom 1.0 feeds, written as text from precomputed entries.

Every link is absolute (from ``base_url``) because feed readers fetch a feed
from elsewhere. An entry's XML depends only on its post, so each post is
serialised once and reused by every feed that carries it (site, team, author,
tags): at 100k posts the feeds cost one pass, not one pass per feed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from trombino import __version__
from trombino.markup import resolve_placeholders
from trombino.model import Post, Site

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
TITLE_LENGTH = 90
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_INVALID_XML.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_INVALID_XML.sub("", value))


def _stamp(moment: datetime) -> str:
    """RFC 3339, as Atom requires (seconds always present)."""
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class FeedSpec:
    path: str  # output file, e.g. "feeds/teams/data.xml"
    page: str  # URL path of the matching HTML page, e.g. "teams/data/"
    title: str
    posts: tuple[Post, ...]  # newest first; only the first FEED_ENTRIES are written


class AtomWriter:
    """Writes the feeds of one site; caches each post's entry."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.base = site.config.base_url
        self._entries: dict[str, str] = {}

    def absolute(self, path: str = "") -> str:
        return self.base + path

    def identifier(self, path: str) -> str:
        """An IRI that never changes for this path: the URL itself when base_url is absolute."""
        if re.match(r"^[a-z][a-z0-9+.-]*://", self.base, re.I):
            return self.absolute(path)
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "trombino:" + path))

    def tag_url(self, key: str) -> str:
        tag = self.site.tags.get(key)
        return self.absolute(f"tags/{tag.slug}/" if tag else "tags/")

    def person_url(self, slug: str) -> str:
        return self.absolute(f"people/{slug}/")

    def entry(self, post: Post) -> str:
        cached = self._entries.get(post.id)
        if cached is not None:
            return cached
        author = self.site.people.get(post.author)
        title = post.heading or post.kind
        if len(title) > TITLE_LENGTH:
            title = title[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
        path = f"posts/{post.id}/"
        lines = [
            "<entry>",
            f"<id>{_text(self.identifier(path))}</id>",
            f"<title type=\"text\">{_text(title)}</title>",
            f"<updated>{_stamp(post.date)}</updated>",
            f"<published>{_stamp(post.date)}</published>",
            f"<author><name>{_text(author.name if author else post.author)}</name><uri>{_text(self.person_url(post.author))}</uri></author>",
            f"<link rel=\"alternate\" type=\"text/html\" href={_attr(self.absolute(path))}/>",
        ]
        if post.kind != "update":
            lines.append(f"<category term={_attr(post.kind)} scheme=\"urn:trombino:kind\"/>")
        for key in post.tags:
            tag = self.site.tags.get(key)
            label = tag.display if tag else key
            lines.append(f"<category term={_attr(key)} label={_attr(label)} scheme={_attr(self.absolute('tags/'))}/>")
        if post.summary:
            lines.append(f"<summary type=\"text\">{_text(post.summary)}</summary>")
        html = resolve_placeholders(post.html, self.tag_url, self.person_url)
        lines.append(f"<content type=\"html\">{_text(html)}</content>")
        lines.append("</entry>")
        text = "\n".join(lines)
        self._entries[post.id] = text
        return text

    def feed(self, spec: FeedSpec) -> str:
        posts = spec.posts[:FEED_ENTRIES]
        if posts:
            updated = max(p.date for p in posts)
        else:
            updated = datetime.combine(self.site.reference_date, time(0, 0), timezone.utc)
        head = [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<feed xmlns="{ATOM_NS}" xml:lang={_attr(self.site.config.language)}>',
            f"<id>{_text(self.identifier(spec.path))}</id>",
            f"<title type=\"text\">{_text(spec.title)}</title>",
            f"<updated>{_stamp(updated)}</updated>",
            f"<link rel=\"self\" type=\"application/atom+xml\" href={_attr(self.absolute(spec.path))}/>",
            f"<link rel=\"alternate\" type=\"text/html\" href={_attr(self.absolute(spec.page))}/>",
            f"<author><name>{_text(self.site.config.title)}</name></author>",
            f"<generator version={_attr(__version__)}>trombino</generator>",
        ]
        return "\n".join(head + [self.entry(p) for p in posts] + ["</feed>", ""])

    def feeds(self, specs: Iterable[FeedSpec]) -> Iterable[tuple[str, str]]:
        for spec in specs:
            yield spec.path, self.feed(spec)
