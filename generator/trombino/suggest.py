"""Profile suggestions: tags a person keeps posting about but has not declared.

The evidence is the expert index's (:mod:`trombino.views.expertise`): the
updates each person wrote carrying a tag they do not list in ``skills``,
``interests`` or ``ask_me_about`` (tag keys after alias mapping, so posting
``#k8s`` never suggests ``kubernetes`` to someone who lists it). A tag is
suggested when at least ``min_posts`` of them fall within ``window_days``
before the site's reference date — "often and recently".

The suggestion is a unified diff of the person's file, made by editing the
YAML *text*: one item appended to an existing list (flow ``[a, b]`` or block
``- a``), or one new line. Re-dumping the YAML would lose the comments, the
quoting and the order the owner chose. Every edit is parsed back and compared
with the intended result before it is shown or written.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

from trombino.derive import Index
from trombino.model import Post, Site
from trombino.schema import PERSON_FIELDS
from trombino.text import fold
from trombino.write import replace_file

DEFAULT_MIN_POSTS = 3
DEFAULT_WINDOW_DAYS = 365
FIELDS = ("skills", "interests", "ask_me_about")
_FIELD_ORDER = {f.name: i for i, f in enumerate(PERSON_FIELDS)}


class SuggestError(Exception):
    """The file cannot be edited safely (it does not parse, or the edit would change more than the list)."""


@dataclass(frozen=True)
class Evidence:
    tag: str  # tag key
    display: str  # the tag's most common spelling, as written into the profile
    posts: tuple[Post, ...]  # the person's updates carrying it within the window, newest first


@dataclass(frozen=True)
class Proposal:
    slug: str
    path: str  # the profile file, relative to the site folder
    field: str
    evidence: tuple[Evidence, ...]
    old: str
    new: str

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.old.splitlines(keepends=True),
                self.new.splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )

    def explain(self) -> str:
        """One line for people: what is added and why."""
        parts = [f"{e.display} ({len(e.posts)} updates, latest {e.posts[0].day.isoformat()})" for e in self.evidence]
        return f"{self.slug}: add to {self.field}: " + ", ".join(parts)


def evidence(site: Site, index: Index, slug: str, *, min_posts: int = DEFAULT_MIN_POSTS, window_days: int = DEFAULT_WINDOW_DAYS) -> tuple[Evidence, ...]:
    """Undeclared tags the person posted about in ≥ ``min_posts`` updates of the window, most posts first."""
    since = site.reference_date - timedelta(days=window_days)
    found = []
    for shown in index.views.experts.shown(slug):  # undeclared tags with their evidence, current people only
        recent = tuple(post for post in shown.posts if post.day > since)
        if len(recent) >= min_posts:
            found.append(Evidence(shown.tag, site.tags[shown.tag].display, recent))
    return tuple(sorted(found, key=lambda e: (-len(e.posts), -e.posts[0].day.toordinal(), fold(e.display), e.tag)))


# --- editing the front matter as text ----------------------------------------

_PLAIN = re.compile(r"[^\W_][\w .+/-]*", re.UNICODE)
_YAML_WORDS = {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"}


def yaml_item(text: str) -> str:
    """A list item as YAML: plain when that is unambiguous, else double-quoted."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and text.lower() not in _YAML_WORDS and not re.fullmatch(r"[\d.+-]+", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _front_span(text: str) -> tuple[int, int]:
    """Character span of the front matter between its '---' fences."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise SuggestError("the file has no front matter")
    start = len(lines[0]) + 1
    offset = start
    for line in lines[1:]:
        if line.rstrip() in ("---", "..."):
            return start, max(start, offset - 1)
        offset += len(line) + 1
    raise SuggestError("the front matter is not closed")


def _compose(front: str) -> yaml.MappingNode:
    try:
        # The pure-Python loader: its marks count characters, which the edits rely on.
        root = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise SuggestError(f"the front matter does not parse: {exc}") from exc
    if not isinstance(root, yaml.MappingNode):
        raise SuggestError("the front matter is not a mapping")
    return root


def _last_line(node: yaml.Node) -> int:
    """0-based line where a value's text ends (comments after it excluded)."""
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last)
    end = node.end_mark
    if end.column == 0 and end.line > node.start_mark.line:  # block scalars end at the next line's start
        return end.line - 1
    return end.line


def _insert_line(front: str, after: int, line: str) -> str:
    lines = front.split("\n")
    lines.insert(after + 1, line)
    return "\n".join(lines)


def _flow(items: list[str]) -> str:
    return ", ".join(yaml_item(item) for item in items)


def add_items(front: str, field: str, items: list[str]) -> str:
    """``front`` with ``items`` appended to the list ``field``, everything else byte for byte."""
    root = _compose(front)
    pairs = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode)]
    found = next(((k, v) for k, v in pairs if k.value == field), None)
    if found is None:
        # A new line after the entry that precedes it in the schema's order, else first.
        before = [(k, v) for k, v in pairs if _FIELD_ORDER.get(k.value, len(_FIELD_ORDER)) < _FIELD_ORDER[field]]
        indent = " " * (pairs[0][0].start_mark.column if pairs else 0)
        line = f"{indent}{field}: [{_flow(items)}]"
        if before:
            return _insert_line(front, _last_line(before[-1][1]), line)
        return line + "\n" + front if front else line
    key, value = found
    if isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null":
        if value.start_mark.index == value.end_mark.index:  # 'skills:' with nothing after it
            colon = front.index(":", key.end_mark.index) + 1
            return front[:colon] + f" [{_flow(items)}]" + front[colon:]
        return front[: value.start_mark.index] + f"[{_flow(items)}]" + front[value.end_mark.index :]
    if not isinstance(value, yaml.SequenceNode):
        raise SuggestError(f"'{field}' is not a list")
    if value.flow_style:
        if value.value:  # after the last item, before any trailing comma, comment or bracket
            at = value.value[-1].end_mark.index
            return front[:at] + ", " + _flow(items) + front[at:]
        at = value.end_mark.index - 1  # the closing ']'
        return front[:at] + _flow(items) + front[at:]
    last = value.value[-1]
    lines = front.split("\n")
    prefix = lines[last.start_mark.line][: last.start_mark.column]
    if not re.fullmatch(r"\s*-\s+", prefix):
        prefix = " " * value.start_mark.column + "- "
    for offset, item in enumerate(items):
        front = _insert_line(front, _last_line(last) + offset, prefix + yaml_item(item))
    return front


def _verify(old_front: str, new_front: str, field: str, items: list[str]) -> None:
    """The edit must add exactly ``items`` to ``field`` and change nothing else."""
    try:
        old, new = yaml.safe_load(old_front) or {}, yaml.safe_load(new_front) or {}
    except yaml.YAMLError as exc:
        raise SuggestError(f"the edited front matter does not parse: {exc}") from exc
    expected = dict(old)
    expected[field] = list(old.get(field) or []) + items
    others = lambda mapping: [key for key in mapping if key != field]  # noqa: E731 - order of the other keys
    if new != expected or others(new) != others(old):
        raise SuggestError(f"could not add to '{field}' without changing something else; add {', '.join(items)} by hand")


def edit_profile(text: str, field: str, items: list[str]) -> str:
    """The whole file with the front matter edited (LF line endings)."""
    start, end = _front_span(text)
    front = text[start:end]
    new_front = add_items(front, field, items)
    _verify(front, new_front, field, items)
    return text[:start] + new_front + text[end:]


# --- files ---------------------------------------------------------------------


def read_profile(path: Path) -> tuple[str, bool, bool]:
    """(text with LF endings, had a BOM, used CRLF)."""
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    crlf = "\r\n" in text
    return text.replace("\r\n", "\n"), bom, crlf


def propose(source: Path, site: Site, index: Index, slug: str, *, field: str = "skills", min_posts: int = DEFAULT_MIN_POSTS, window_days: int = DEFAULT_WINDOW_DAYS) -> Proposal | None:
    """The edit suggested for one person, or None when their profile already says it all."""
    if field not in FIELDS:
        raise ValueError(f"field must be one of {', '.join(FIELDS)}")
    person = site.people[slug]
    found = evidence(site, index, slug, min_posts=min_posts, window_days=window_days)
    if not found:
        return None
    text, _, _ = read_profile(source / person.source_path)
    new = edit_profile(text, field, [e.display for e in found])
    return Proposal(slug, person.source_path, field, found, text, new)


def apply(source: Path, proposal: Proposal) -> None:
    """Write the edited file atomically, keeping its BOM, line endings and mode."""
    path = source / proposal.path
    current, bom, crlf = read_profile(path)
    if current != proposal.old:
        raise SuggestError(f"{proposal.path} changed since the suggestion was made; run it again")
    text = proposal.new.replace("\n", "\r\n") if crlf else proposal.new
    replace_file(path, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
