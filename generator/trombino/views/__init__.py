"""Derived views: the reasons people open the site.

Each module is a pure function of the validated :class:`~trombino.model.Site`
(and its :class:`~trombino.derive.Index`) returning frozen dataclasses or plain
text: :mod:`.expertise` (who knows X), :mod:`.tagcloud`, :mod:`.timelines`,
:mod:`.orgchart`, :mod:`.booking` (capacity), :mod:`.feeds` (Atom),
:mod:`.api` (JSON), :mod:`.vcard` and :mod:`.openings`
(internal mobility). :mod:`.pages` turns them into pages.

:class:`Views` computes each view once per build, on first use, and is
reached through ``index.views`` so every page of a build shares it.
"""

from __future__ import annotations

from functools import cached_property

from trombino.derive import Index
from trombino.model import Person, Site
from trombino.views.booking import Booking, booking
from trombino.views.expertise import ExpertIndex, expert_index
from trombino.views.openings import Openings, openings
from trombino.views.orgchart import OrgChart, org_chart
from trombino.views.tagcloud import TagCloud, tag_cloud
from trombino.views.timelines import Entry, TimelinePage, company_entries, decisions, paginate, team_entries


class Views:
    def __init__(self, site: Site, index: Index) -> None:
        self.site = site
        self.index = index
        self._timelines: dict[tuple[str, str], tuple[TimelinePage, ...]] = {}  # memo: page 1 and the rest share one pagination

    def _paginated(self, kind: str, key: str, entries, base: str) -> tuple[TimelinePage, ...]:  # noqa: ANN001
        if (kind, key) not in self._timelines:
            self._timelines[(kind, key)] = paginate(entries(), self.site.config.page_size, base)
        return self._timelines[(kind, key)]

    @cached_property
    def search(self):  # noqa: ANN201 - trombino.search.SearchPage (search builds on these views)
        from trombino.search import search_page

        return search_page(self.site, self.index)

    def search_file(self, part: str):  # noqa: ANN201 - trombino.search.SearchFile
        """One index file. Read through here, not ``search.file(part)``: incremental builds
        see a call on the views with its answer, so one file's page does not depend on the
        others (``search`` itself is a value, noted whole when read)."""
        return self.search.file(part)

    @cached_property
    def experts(self) -> ExpertIndex:
        return expert_index(self.site, self.index)

    @cached_property
    def openings(self) -> Openings:
        return openings(self.site, self.index)

    @cached_property
    def cloud(self) -> TagCloud:
        return tag_cloud(self.site, self.index)

    @cached_property
    def org(self) -> OrgChart:
        return org_chart(self.site, self.index)

    @cached_property
    def _team_entries(self) -> dict[str, tuple[Entry, ...]]:
        return {slug: team_entries(self.site, self.index, slug) for slug in self.site.teams}

    def team_entries(self, slug: str) -> tuple[Entry, ...]:
        return self._team_entries.get(slug, ())

    def team_timeline(self, slug: str) -> tuple[TimelinePage, ...]:
        return self._paginated("team", slug, lambda: self.team_entries(slug), f"teams/{slug}/")

    def team_decisions(self, slug: str) -> tuple[TimelinePage, ...]:
        return self._paginated("decisions", slug, lambda: decisions(self.team_entries(slug)), f"teams/{slug}/decisions/")

    def company_timeline(self) -> tuple[TimelinePage, ...]:
        return self._paginated("company", "", lambda: company_entries(self.site), "updates/")

    def tag_timeline(self, key: str) -> tuple[TimelinePage, ...]:
        tag = self.site.tags[key]
        entries = lambda: tuple(Entry(p) for p in self.index.posts_by_tag.get(key, ()))  # noqa: E731
        return self._paginated("tag", key, entries, f"tags/{tag.slug}/")

    def booking(self, person: Person) -> Booking:
        return booking(person, self.site.reference_date)
