"""Render pages with the theme's Jinja2 templates.

Links between pages are relative (``../../people/ana/``), so a built site works
under any sub-path and from ``file://``; feeds and the 404 page, which are read
from elsewhere, use absolute URLs built from ``base_url``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Callable, Mapping
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from trombino import __version__
from trombino.derive import Index
from trombino.i18n import Translator
from trombino.markup import resolve_placeholders
from trombino.model import Post, Site
from trombino.pages import Page, url_of
from trombino.photos import SIZES as PHOTO_SIZES, Photo, avatar_path
from trombino.views.places import location_anchor
from trombino.text import avatar_hue, initials
from trombino.theme import Theme

if TYPE_CHECKING:
    from trombino.incremental import Reads, Tracker

# Main navigation: (path, message key); later features append to it.
NAV_ITEMS: tuple[tuple[str, str], ...] = (
    ("people/", "nav_people"),
    ("faces/", "nav_faces"),
    ("teams/", "nav_teams"),
    ("experts/", "nav_experts"),
    ("tags/", "nav_tags"),
    ("updates/", "nav_updates"),
    ("org/", "nav_org"),
    ("openings/", "nav_openings"),
)



class Links:
    """URL helpers for one page; every URL is relative to that page."""

    def __init__(self, site: Site, theme: Theme, page_path: str, *, absolute: bool = False, photos: Mapping[str, Photo] | None = None) -> None:
        self.site = site
        self.theme = theme
        self.page_path = page_path
        self.photos = photos or {}
        if absolute:
            self.root = site.config.base_url
        else:
            depth = page_path.count("/")
            self.root = "../" * depth

    def url(self, path: str = "") -> str:
        return (self.root + path) or "./"

    def absolute(self, path: str = "") -> str:
        return self.site.config.base_url + path

    def person(self, slug: str) -> str:
        return self.url(f"people/{slug}/")

    def team(self, slug: str) -> str:
        return self.url(f"teams/{slug}/")

    def tag(self, key: str) -> str:
        tag = self.site.tags.get(key)
        return self.url(f"tags/{tag.slug}/") if tag else self.url("tags/")

    def post(self, post: Post) -> str:
        return self.url(f"posts/{post.id}/")

    def asset(self, name: str) -> str:
        return self.url(self.theme.assets[name].output_path)

    def photo(self, slug: str, size: int = PHOTO_SIZES[-1], image_format: str = "jpeg") -> str | None:
        """One thumbnail of the person's photo (see trombino.photos), or None without a published photo."""
        photo = self.photos.get(slug)
        return self.url(photo.path(size, image_format)) if photo else None

    def photo_srcset(self, slug: str, image_format: str) -> str:
        """Every thumbnail size in one format, for ``srcset`` (browsers pick by ``sizes`` and pixel density)."""
        photo = self.photos.get(slug)
        return ", ".join(f"{self.url(photo.path(size, image_format))} {size}w" for size in PHOTO_SIZES) if photo else ""

    def location(self, name: str) -> str:
        """A place's section on the /locations/ page."""
        return self.url("locations/") + "#" + location_anchor(name)

    def avatar(self, slug: str) -> str:
        """The initials avatar of someone without a published photo."""
        return self.url(avatar_path(slug))

    def html(self, content: str) -> Markup:
        """User content with its tag and mention placeholders resolved for this page."""

        def person_url(slug: str) -> str:
            return self.person(slug)

        return Markup(resolve_placeholders(content, self.tag, person_url))

    def edit(self, source_path: str | None) -> str | None:
        edit_url = self.site.config.edit_url
        if not edit_url or not source_path:
            return None
        return edit_url + quote(source_path)

    @property
    def current(self) -> str:
        return url_of(self.page_path)

    @property
    def section(self) -> str:
        """The main navigation item this page belongs to ('' if none)."""
        current = self.current
        return next((path for path, _key in NAV_ITEMS if current.startswith(path)), "")


def _days_between(a: date, b: date) -> int:
    return (b - a).days


def _no_fragment(*key: object, caller: Callable[[], str], link: Links | None = None) -> str:
    return caller()


# Stands for a page's root while a fragment is rendered for pages of any depth:
# characters no text of a page can hold (noncharacters, never escaped either).
_ROOT_MARK = "\ufdd0root\ufdd1"


class Renderer:
    """Renders pages of one build.

    ``fragments``: templates may wrap a part in ``{% call fragment(key, …) %}``
    to render it once per key and reuse it on later pages (a post in every
    timeline it appears in, the site header of pages at the same depth). The
    key must hold whatever the part reads that differs between pages. With
    ``link=link``, the part is rendered once for pages of every depth: its
    links are made from a stand-in root, replaced by each page's own (so every
    link in it must name a path: ``link.url()`` alone would be wrong at the
    top level). With a ``tracker`` (see :mod:`trombino.incremental`), what a
    fragment read is kept with it and counted as read by every page that uses
    it; ``fragments=False`` renders every part for every page.
    """

    def __init__(
        self,
        site: Site,
        index: Index,
        theme: Theme,
        *,
        photos: Mapping[str, Photo] | None = None,
        extra_head: str = "",
        fragments: bool = True,
        tracker: "Tracker | None" = None,
    ) -> None:
        self.site = site
        self.index = index
        self.theme = theme
        self.photos = photos or {}
        self.env = theme.environment()
        # The `link` global macros see: the default theme imports its macro files without
        # context, so each is loaded once per build (imported with context, to see the page's
        # `link`, every import ran the whole macro file again for every page). It shares the
        # attributes of the page being rendered's Links (see render), so it is that page's.
        self._page_links = Links.__new__(Links)
        self.translate = Translator(site.config.language)
        self.env.globals.update(
            site=site,
            config=site.config,
            index=index,
            _=self.translate,
            t=self.translate,
            initials=initials,
            version=__version__,
            nav_items=NAV_ITEMS,
            assets=theme.assets,
            extra_head=Markup(extra_head),
            days_between=_days_between,
            avatar_hue=avatar_hue,
            fragment=self._fragment if fragments else _no_fragment,
            link=self._page_links,
        )
        self.env.filters["date"] = lambda value, short=False: self.translate.date(value, short=short)
        self.env.filters["number"] = self.translate.number
        # JSON for a <script type="application/json"> or a single-quoted attribute: no '<', '>', '&'
        # or "'" left, so no value can close the element or the attribute it sits in.
        self.env.filters["json"] = lambda value: Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027"))
        self._templates: dict[str, jinja2.Template] = {}
        self._fragments: dict[tuple, str] = {}
        self._tracker = tracker
        self._fragment_reads: dict[tuple, Reads] = {}

    def forget_fragments(self) -> None:
        """Drop the parts made so far (a renderer kept for the next build: its model changes)."""
        self._fragments.clear()
        self._fragment_reads.clear()

    def _fragment(self, *key: object, caller: Callable[[], str], link: Links | None = None) -> str:
        made = self._fragments.get(key)
        if made is None:
            if self._tracker is None:
                made = self._make_fragment(caller, link)
            else:
                with self._tracker.recording() as reads:
                    made = self._make_fragment(caller, link)
                self._fragment_reads[key] = reads
            self._fragments[key] = made
        if self._tracker is not None:
            self._tracker.absorb(self._fragment_reads[key])  # the page read it too, through the fragment
        return made if link is None else made.replace(_ROOT_MARK, link.root)

    @staticmethod
    def _make_fragment(caller: Callable[[], str], link: Links | None) -> str:
        if link is None:
            return caller()
        root, link.root = link.root, _ROOT_MARK
        try:
            return caller()
        finally:
            link.root = root

    def template(self, name: str) -> jinja2.Template:
        if name not in self._templates:
            self._templates[name] = self.env.get_template(name)
        return self._templates[name]

    def render(self, page: Page) -> bytes:
        if page.kind == "raw":
            return page.context["body"].encode("utf-8")
        if page.kind == "data":
            from trombino.views.pages import DATA_FILES  # views build on render's inputs, not the reverse

            return DATA_FILES[page.template](self.site, self.index, **page.context).encode("utf-8")
        links = Links(self.site, self.theme, page.path, absolute=page.context.get("absolute_links", False), photos=self.photos)
        self._page_links.__dict__ = links.__dict__
        text = self.template(page.template).render(page=page, link=links, **page.context)
        return text.encode("utf-8")
