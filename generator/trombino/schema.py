"""The one typed schema of every front-matter kind and of ``trombino.yaml``.

Validation and the documentation (``docs/content-format.md``) both come from
the field tables below, so they cannot drift apart.

Values are read from the YAML *node* text, not from PyYAML's YAML 1.1 type
guesses: ``pronouns: NO`` stays the text ``NO`` and ``version: 3.10`` stays
``3.10``, instead of silently becoming ``False`` or ``3.1``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from trombino.diagnostics import Diagnostics

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Account names as the platforms allow them; CODEOWNERS rejects anything else.
PLATFORMS = {"github": "GitHub", "gitlab": "GitLab"}
HANDLE_RES = {
    "github": re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"),
    "gitlab": re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-])?$"),
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
NULL_TAG = "tag:yaml.org,2002:null"
MAX_TEXT = 2_000
MAX_LIST_ITEMS = 500
# Dates outside these years are typos, and near year 1 or 9999 date arithmetic overflows.
MIN_YEAR, MAX_YEAR = 1900, 2999


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, slug, slugs, texts, date, datetime, enum, enums, int, bool, url, links, record, records, tz, mapping
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    fields: tuple["Field", ...] = ()
    low: int | None = None
    high: int | None = None
    example: str = ""
    default: Any = None


AVAILABILITY_STATUSES = ("available", "partial", "busy", "away")
OPEN_TO = ("mentoring", "mobility", "new-projects", "speaking", "pairing")
POST_KINDS = ("update", "decision", "question", "announcement", "opening")
OPENING_STATUSES = ("open", "filled", "closed")

AVAILABILITY_FIELDS = (
    Field("status", "enum", "How free the person is right now.", required=True, choices=AVAILABILITY_STATUSES),
    Field("until", "date", "When this status is expected to change."),
    Field("note", "text", "A short free-text explanation."),
)

COMMITMENT_FIELDS = (
    Field("what", "text", "What the time is committed to.", required=True),
    Field("share", "int", "Share of working time, in percent.", required=True, low=1, high=100),
    Field("until", "date", "When the commitment ends."),
    Field("link", "url", "Where to read more (ticket, project page)."),
)

PERSON_FIELDS = (
    Field("name", "text", "Full name as it should be displayed.", required=True, example="Éloïse Marchand"),
    Field("title", "text", "Job title.", example="Staff Engineer, Platform"),
    Field("team", "slug", "Slug of the person's team (use `teams` for several).", example="platform"),
    Field("teams", "slugs", "Slugs of the person's teams, main team first.", example="[platform, data]"),
    Field("manager", "slug", "Slug of the person's manager.", example="gael-le-goff"),
    Field("location", "text", "Office or city.", example="Nantes"),
    Field("timezone", "tz", "IANA time zone name.", example="Europe/Paris"),
    Field("email", "text", "Work e-mail address.", example="eloise@example.com"),
    Field("chat", "text", "Chat handle.", example='"@eloise"'),
    Field("pronouns", "text", "Pronouns.", example="she/her"),
    Field("languages", "texts", "Spoken languages.", example="[French, English]"),
    Field("skills", "texts", "Declared skills (become tags; strongest expertise signal).", example="[Kubernetes, PostgreSQL]"),
    Field("interests", "texts", "Topics of interest (become tags).", example="[Rust, observability]"),
    Field("ask_me_about", "texts", "Topics the person is happy to be asked about (become tags).", example='["incident reviews"]'),
    Field("availability", "record", "Current availability.", fields=AVAILABILITY_FIELDS, example="{status: partial, until: 2026-12-15, note: Migration}"),
    Field("commitments", "records", "Time already committed, so requesters see the load.", fields=COMMITMENT_FIELDS, example="[{what: Billing migration, share: 50, until: 2027-01-31}]"),
    Field("open_to", "enums", "What the person is open to.", choices=OPEN_TO, example="[mentoring, mobility]"),
    Field("joined", "date", "Date the person joined.", example="2019-04-01"),
    Field("left", "date", "Date the person left: their page stays, marked as former, but they leave lists and rankings.", example="2026-06-30"),
    Field("pronunciation", "text", "How to pronounce the name.", example='"ay-low-EEZ"'),
    Field("sort_name", "text", "Key for A–Z order (default: family name, then given names).", example="Fontaine Jean de la"),
    Field("github", "text", "GitHub user name; `trombino codeowners` makes the person the owner of their profile.", example="emarchand"),
    Field("gitlab", "text", "GitLab user name; `trombino codeowners --platform gitlab` makes the person the owner of their profile.", example="emarchand"),
    Field("links", "links", "Other links, label → URL.", example='{Blog: "https://blog.example.org"}'),
    Field("photo", "text", "Photo file, relative to the profile file (JPEG, PNG, GIF or WebP).", example="photos/eloise.jpg"),
    Field("private", "texts", "Fields of this profile not to publish.", example="[email, chat]"),
    Field("updated", "date", "When the profile was last reviewed (default: last git change).", example="2026-11-02"),
)

TEAM_FIELDS = (
    Field("name", "text", "Display name of the team.", required=True, example="Platform"),
    Field("parent", "slug", "Slug of the parent team.", example="engineering"),
    Field("leads", "slugs", "Slugs of the team's leads (default: the members who manage other members).", example="[gael-le-goff]"),
    Field("chat", "text", "Team chat channel.", example='"#platform"'),
    Field("email", "text", "Team e-mail address.", example="platform@example.com"),
    Field("links", "links", "Other links, label → URL.", example='{Runbook: "https://wiki.example/platform"}'),
)

POST_FIELDS = (
    Field("author", "slug", "Slug of the author.", required=True, example="eloise-marchand"),
    Field("date", "datetime", "Date, or date-time with UTC offset.", required=True, example="2026-03-04T09:30:00+01:00"),
    Field("title", "text", "Optional title.", example="Postgres 17 everywhere"),
    Field("tags", "texts", "Tags, in addition to inline `#tags`.", example="[postgresql, upgrades]"),
    Field("team", "slug", "Team the post belongs to (default: the author's first team).", example="data"),
    Field("kind", "enum", "Kind of post.", choices=POST_KINDS, default="update", example="decision"),
    Field("in_reply_to", "text", "Id (`yyyy/mm/slug`) of the question this post answers.", example="2026/03/which-queue"),
    # Openings (kind: opening) only.
    Field("required_skills", "texts", "Opening: skills a candidate must have.", example="[python, postgresql]"),
    Field("nice_to_have", "texts", "Opening: skills that help.", example="[kubernetes]"),
    Field("share", "int", "Opening: share of working time, in percent.", low=1, high=100, example="50"),
    Field("duration", "text", "Opening: expected duration.", example="6 months"),
    Field("start", "date", "Opening: start date.", example="2027-01-04"),
    Field("contact", "slug", "Opening: person to contact (default: the author).", example="gael-le-goff"),
    Field("status", "enum", "Opening: status.", choices=OPENING_STATUSES, default="open", example="open"),
    Field("closes", "date", "Opening: closing date for applications.", example="2027-01-15"),
)
OPENING_ONLY = ("required_skills", "nice_to_have", "share", "duration", "start", "contact", "status", "closes")

EXPERTISE_FIELDS = (
    Field("half_life_days", "int", "Half-life of the weight of an update, in days.", low=1, high=36500, default=180),
)
PUBLISH_FIELDS = (
    Field("hidden_fields", "texts", "Profile fields never published on this site.", example="[email, chat]"),
)
OPENINGS_FIELDS = (
    Field("include_without_open_to", "bool", "Match people who did not set `open_to` to openings.", default=False),
)

CONFIG_FIELDS = (
    Field("title", "text", "Site title.", example="Quillon & Fils — who's who", default="trombino"),
    Field("description", "text", "One-line description shown on the home page.", example="Who does what, and who knows what"),
    Field("language", "enum", "Language of the interface.", choices=("en", "fr"), default="en", example="fr"),
    Field("base_url", "text", "Public URL of the site (absolute URLs in feeds; can be a sub-path).", default="/", example="https://intranet.example/people/"),
    Field("theme", "text", "Theme folder under `themes/` (extends the built-in `default`).", default="default", example="quillon"),
    Field("timezone", "tz", "Time zone of dates without an offset.", default="UTC", example="Europe/Paris"),
    Field("edit_url", "text", "Repository URL prefix for 'Edit this page' links.", example="https://git.example/org/people/edit/main/"),
    Field("tag_aliases", "mapping", "Alias → canonical tag, applied everywhere.", example="{k8s: kubernetes, ml: machine-learning}"),
    Field("stale_after_days", "int", "A profile with no change and no update for this long is marked stale.", low=1, high=36500, default=180),
    Field("page_size", "int", "Updates per timeline page.", low=1, high=1000, default=20),
    Field("open_questions_days", "int", "Team pages list questions from the last N days.", low=1, high=36500, default=60),
    Field("expertise", "record", "Expert-index settings.", fields=EXPERTISE_FIELDS, example="{half_life_days: 180}"),
    Field("publish", "record", "What is published.", fields=PUBLISH_FIELDS, example="{hidden_fields: [email]}"),
    Field("openings", "record", "Internal-mobility settings.", fields=OPENINGS_FIELDS, example="{include_without_open_to: false}"),
)


@dataclass
class Record:
    """Validated values of one mapping, with where each value stands."""

    values: dict[str, Any] = field(default_factory=dict)
    where: dict[str, tuple[int, int]] = field(default_factory=dict)  # dotted key → (line, column)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def at(self, key: str, fallback: tuple[int, int] = (1, 1)) -> tuple[int, int]:
        return self.where.get(key, fallback)


class _Missing:
    pass


MISSING = _Missing()


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f]")  # control characters but tab and newline


@dataclass
class Validator:
    path: str
    line_offset: int  # add to 0-based YAML marks to get file line numbers
    diagnostics: Diagnostics
    default_tz: Any = dt_timezone.utc

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + self.line_offset, node.start_mark.column + 1

    def error(self, node: yaml.Node, message: str) -> _Missing:
        line, column = self.pos(node)
        self.diagnostics.error(self.path, line, column, message)
        return MISSING

    # -- mappings ---------------------------------------------------------

    def record(self, node: yaml.MappingNode, fields: tuple[Field, ...], prefix: str = "") -> Record:
        by_name = {f.name: f for f in fields}
        result = Record()
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "keys must be plain names")
                continue
            key = key_node.value
            label = prefix + key
            if key in seen:
                self.error(key_node, f"duplicate key '{label}' (first set on line {self.pos(seen[key])[0]})")
                continue
            seen[key] = key_node
            spec = by_name.get(key)
            if spec is None:
                hint = difflib.get_close_matches(key, list(by_name), n=1, cutoff=0.6)
                suggestion = f" (did you mean '{prefix}{hint[0]}'?)" if hint else ""
                self.error(key_node, f"unknown key '{label}'{suggestion}")
                continue
            value = self.value(value_node, spec, label, result)
            if value is not MISSING:
                result.values[key] = value
                result.where[label] = self.pos(value_node)
                result.where.setdefault(key, self.pos(value_node))
        for spec in fields:
            if spec.required and spec.name not in result.values and spec.name not in seen:
                line, column = self.pos(node)
                self.diagnostics.error(self.path, line, column, f"missing required field '{prefix}{spec.name}'")
            elif spec.name not in result.values and spec.default is not None:
                result.values[spec.name] = spec.default
        return result

    # -- values ------------------------------------------------------------

    def value(self, node: yaml.Node, spec: Field, label: str, into: Record) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG and node.value in ("", "~", "null", "Null", "NULL"):
            if spec.required:
                return self.error(node, f"'{label}' must not be empty")
            return MISSING
        kind = spec.kind
        if kind in ("texts", "slugs", "enums", "records"):
            return self.sequence(node, spec, label, into)
        if kind == "record":
            if not isinstance(node, yaml.MappingNode):
                return self.error(node, f"'{label}' must be a mapping of fields, e.g. {spec.example}")
            nested = self.record(node, spec.fields, label + ".")
            into.where.update(nested.where)
            return nested.values
        if kind in ("links", "mapping"):
            return self.mapping(node, spec, label, into)
        return self.scalar(node, spec, label)

    def text(self, node: yaml.Node, label: str, *, expected: str = "text") -> Any:
        if not isinstance(node, yaml.ScalarNode):
            shape = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            return self.error(node, f"'{label}' must be {expected}, not {shape}")
        text = node.value.strip()
        if len(text) > MAX_TEXT:
            return self.error(node, f"'{label}' is too long ({len(text):,} characters; the limit is {MAX_TEXT:,})")
        if _CONTROL_RE.search(text):
            return self.error(node, f"'{label}' contains control characters")
        return text

    def scalar(self, node: yaml.Node, spec: Field, label: str) -> Any:
        kind = spec.kind
        text = self.text(node, label, expected=_EXPECTED.get(kind, "text"))
        if text is MISSING:
            return MISSING
        if kind == "text":
            if spec.required and not text:
                return self.error(node, f"'{label}' must not be empty")
            return text
        if kind == "slug":
            return self.slug(node, text, label)
        if kind == "enum":
            return self.enum(node, text, spec, label)
        if kind == "date":
            return self.date(node, text, label)
        if kind == "datetime":
            return self.datetime(node, text, label)
        if kind == "int":
            if not re.fullmatch(r"[+-]?\d+", text):
                return self.error(node, f"'{label}' must be a whole number, not '{text}'")
            number = int(text)
            if (spec.low is not None and number < spec.low) or (spec.high is not None and number > spec.high):
                return self.error(node, f"'{label}' must be between {spec.low} and {spec.high}, not {number}")
            return number
        if kind == "bool":
            lowered = text.lower()
            if lowered in ("true", "yes"):
                return True
            if lowered in ("false", "no"):
                return False
            return self.error(node, f"'{label}' must be true or false, not '{text}'")
        if kind == "url":
            return self.url(node, text, label)
        if kind == "tz":
            try:
                ZoneInfo(text)
            except (ZoneInfoNotFoundError, ValueError):
                hint = difflib.get_close_matches(text, sorted(_timezones()), n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                return self.error(node, f"unknown time zone '{text}'{suggestion}")
            return text
        raise AssertionError(f"unknown field kind {kind}")

    def slug(self, node: yaml.Node, text: str, label: str) -> Any:
        if not SLUG_RE.match(text):
            return self.error(node, f"'{label}' must be a slug (lowercase letters, digits and '-'), not '{text}'")
        return text

    def enum(self, node: yaml.Node, text: str, spec: Field, label: str) -> Any:
        if text not in spec.choices:
            hint = difflib.get_close_matches(text.lower(), spec.choices, n=1, cutoff=0.5)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            return self.error(node, f"'{label}' must be one of {', '.join(spec.choices)}; '{text}' is not{suggestion}")
        return text

    def date(self, node: yaml.Node, text: str, label: str) -> Any:
        if not DATE_RE.match(text):
            return self.error(node, f"'{label}' must be a date like 2026-03-04, not '{text}'")
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            return self.error(node, f"invalid date '{text}' for '{label}': {exc}")
        return self.in_range(node, day, text, label)

    def in_range(self, node: yaml.Node, value: Any, text: str, label: str) -> Any:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            return self.error(node, f"'{label}' must be between the years {MIN_YEAR} and {MAX_YEAR}, not '{text}'")
        return value

    def datetime(self, node: yaml.Node, text: str, label: str) -> Any:
        if DATE_RE.match(text):
            day = self.date(node, text, label)
            if day is MISSING:
                return MISSING
            return datetime.combine(day, time(0, 0), tzinfo=self.default_tz)
        if not DATETIME_RE.match(text):
            return self.error(node, f"'{label}' must be a date (2026-03-04) or a date-time with offset (2026-03-04T09:30:00+01:00), not '{text}'")
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00").replace(" ", ""))
        except ValueError as exc:
            return self.error(node, f"invalid date-time '{text}' for '{label}': {exc}")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.default_tz)
        return self.in_range(node, moment, text, label)

    def url(self, node: yaml.Node, text: str, label: str) -> Any:
        lowered = text.lower()
        if re.match(r"^[a-z][a-z0-9+.-]*:", lowered) and not lowered.startswith(("http://", "https://", "mailto:", "tel:")):
            return self.error(node, f"'{label}' must be an http(s), mailto: or tel: link, not '{text}'")
        if any(ch.isspace() for ch in text):
            return self.error(node, f"'{label}' must be a URL without spaces")
        return text

    def sequence(self, node: yaml.Node, spec: Field, label: str, into: Record) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return self.error(node, f"'{label}' must be a list, e.g. {spec.example or '[a, b]'} (or one '- item' per line)")
        if len(node.value) > MAX_LIST_ITEMS:
            return self.error(node, f"'{label}' has too many items ({len(node.value):,}; the limit is {MAX_LIST_ITEMS:,})")
        items = []
        for index, item in enumerate(node.value):
            item_label = f"{label}[{index}]"
            if spec.kind == "records":
                if not isinstance(item, yaml.MappingNode):
                    self.error(item, f"'{item_label}' must be a mapping of fields, e.g. {spec.example}")
                    continue
                nested = self.record(item, spec.fields, item_label + ".")
                into.where.update(nested.where)
                into.where[item_label] = self.pos(item)
                items.append(nested.values)
                continue
            text = self.text(item, item_label)
            if text is MISSING:
                continue
            if not text:
                self.error(item, f"'{item_label}' is empty")
                continue
            if spec.kind == "slugs":
                text = self.slug(item, text, item_label)
            elif spec.kind == "enums":
                text = self.enum(item, text, spec, item_label)
            if text is not MISSING:
                into.where[item_label] = self.pos(item)
                items.append(text)
        return items

    def mapping(self, node: yaml.Node, spec: Field, label: str, into: Record) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return self.error(node, f"'{label}' must be a mapping, e.g. {spec.example}")
        result: dict[str, str] = {}
        for key_node, value_node in node.value:
            key = self.text(key_node, f"{label} key")
            if key is MISSING:
                continue
            item_label = f"{label}.{key}"
            value = self.text(value_node, item_label)
            if value is MISSING:
                continue
            if spec.kind == "links":
                value = self.url(value_node, value, item_label)
                if value is MISSING:
                    continue
            if key in result:
                self.error(key_node, f"duplicate key '{item_label}'")
                continue
            result[key] = value
            into.where[item_label] = self.pos(value_node)
        return result


_EXPECTED = {
    "slug": "a slug",
    "date": "a date",
    "datetime": "a date",
    "int": "a number",
    "bool": "true or false",
    "url": "a URL",
    "tz": "a time zone name",
    "enum": "one word",
}

_TZ_CACHE: set[str] = set()


def _timezones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(available_timezones())
    return _TZ_CACHE


# -- documentation ------------------------------------------------------------

_KIND_DOC = {
    "text": "text",
    "slug": "slug",
    "slugs": "list of slugs",
    "texts": "list of text",
    "date": "date",
    "datetime": "date or date-time",
    "enum": "one of",
    "enums": "list, each one of",
    "int": "number",
    "bool": "true/false",
    "url": "URL",
    "links": "mapping label → URL",
    "mapping": "mapping",
    "record": "mapping",
    "records": "list of mappings",
    "tz": "IANA time zone",
}


def _rows(fields: tuple[Field, ...], prefix: str = "") -> list[str]:
    rows = []
    for f in fields:
        kind = _KIND_DOC[f.kind]
        if f.choices:
            kind += " " + ", ".join(f"`{c}`" for c in f.choices)
        if f.low is not None:
            kind += f" ({f.low}–{f.high})"
        required = "yes" if f.required else ""
        example = f"`{f.example}`" if f.example else ""
        rows.append(f"| `{prefix}{f.name}` | {kind} | {required} | {f.help} | {example} |")
        if f.fields:
            sub = prefix + f.name + ("[]." if f.kind == "records" else ".")
            rows.extend(_rows(f.fields, sub))
    return rows


def schema_markdown() -> str:
    """The field reference, as Markdown; docs/content-format.md embeds it verbatim."""
    out = []
    for title, fields in (
        ("Person — `content/people/<slug>.md`", PERSON_FIELDS),
        ("Team — `content/teams/<slug>.md`", TEAM_FIELDS),
        ("Update — `content/posts/**/<slug>.md`", POST_FIELDS),
        ("Site — `trombino.yaml`", CONFIG_FIELDS),
    ):
        out.append(f"### {title}\n")
        out.append("| field | type | required | meaning | example |")
        out.append("|---|---|---|---|---|")
        out.extend(_rows(fields))
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(schema_markdown())
