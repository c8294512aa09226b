"""Split a source file into YAML front matter and a Markdown body, and parse
the front matter into a YAML node tree that keeps every value's position.

Nothing here raises on bad input: problems come back as diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from trombino.diagnostics import Diagnostic
from trombino.fastyaml import compose_simple

try:  # libyaml is much faster and reports the same marks.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_FRONT_MATTER_NODES = 20_000
MAX_NESTING = 32


_YAML_ONLY_BREAK_RE = re.compile("[\x85\u2028\u2029]")


@dataclass(frozen=True)
class SourceText:
    path: str  # relative POSIX path, used in diagnostics
    front: str  # YAML text between the fences
    front_line: int  # 1-based line number of the first front-matter line
    body: str
    body_line: int  # 1-based line number of the first body line


def decode_source(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """Bytes → text with LF line endings; UTF-8 (with or without BOM) only."""
    if len(data) > MAX_FILE_BYTES:
        return None, [Diagnostic(path, 1, 1, f"file is too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})")]
    if not data.strip():
        return None, [Diagnostic(path, 1, 1, "file is empty")]
    if b"\x00" in data:
        return None, [Diagnostic(path, 1, 1, "file is binary, not UTF-8 text")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic(path, line, column, "file is not valid UTF-8 text")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split_front_matter(path: str, text: str) -> tuple[SourceText | None, list[Diagnostic]]:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, [Diagnostic(path, 1, 1, "missing front matter: the file must start with a line '---'")]
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return SourceText(path, front, 2, body, index + 2), []
    return None, [Diagnostic(path, 1, 1, "front matter is not closed: add a line '---' after it")]


def _count_nodes(root: yaml.Node, path: str, front_line: int) -> Diagnostic | None:
    """Reject aliases and oversized or overly deep trees before anything walks them.

    Aliases are refused outright: front matter never needs them and they are
    the vector of 'billion laughs' expansion.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            mark = node.start_mark
            return Diagnostic(path, mark.line + front_line, mark.column + 1, "YAML anchors and aliases are not allowed in front matter")
        seen.add(id(node))
        if len(seen) > MAX_FRONT_MATTER_NODES:
            return Diagnostic(path, front_line, 1, f"front matter has too many values (more than {MAX_FRONT_MATTER_NODES:,})")
        if depth > MAX_NESTING:
            mark = node.start_mark
            return Diagnostic(path, mark.line + front_line, mark.column + 1, "front matter is nested too deeply")
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):  # document order, so the alias is found second
                stack.append((value, depth + 1))
                stack.append((key, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in reversed(node.value))
    return None


def _first_alias(text: str) -> yaml.Mark | None:
    """Where the first alias ('*name') stands; None if none (or if the YAML is malformed)."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark
    except yaml.YAMLError:
        return None
    return None


def _place(source: SourceText, mark: yaml.Mark) -> tuple[int, int]:
    """1-based line and column of a YAML mark in the file.

    A mark past the end of the YAML text (an error at its end, an empty
    document after '---'): in a Markdown file that is the closing fence;
    trombino.yaml has no fence, so it points at its last character instead.
    """
    lines = source.front.split("\n")
    has_fence = source.body_line > source.front_line
    if not has_fence and mark.line >= len(lines):
        return len(lines) - 1 + source.front_line, len(lines[-1]) + 1
    return mark.line + source.front_line, mark.column + 1


def parse_front_matter(source: SourceText) -> tuple[yaml.MappingNode | None, list[Diagnostic]]:
    path, offset = source.path, source.front_line
    if len(source.front.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        return None, [Diagnostic(path, offset, 1, f"front matter is too large (the limit is {MAX_FRONT_MATTER_BYTES:,} bytes)")]
    separator = _YAML_ONLY_BREAK_RE.search(source.front)
    if separator:
        # YAML counts these as line breaks and editors do not: every later location would be wrong.
        line = source.front.count("\n", 0, separator.start()) + offset
        column = separator.start() - (source.front.rfind("\n", 0, separator.start()) + 1) + 1
        name = {"\x85": "NEL (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)", "\u2029": "PARAGRAPH SEPARATOR (U+2029)"}[separator.group()]
        return None, [Diagnostic(path, line, column, f"front matter contains the invisible character {name}, which YAML reads as a line break; remove it")]
    if "*" in source.front:
        alias = _first_alias(source.front)
        if alias is not None:
            return None, [Diagnostic(path, alias.line + offset, alias.column + 1, "YAML anchors and aliases are not allowed in front matter")]
    root = compose_simple(source.front, MAX_FRONT_MATTER_NODES)
    if root is not None:
        # Plain 'key: value' lines and one-line lists, built without composing: the same
        # tree, and one _count_nodes cannot refuse (two levels, fresh nodes, within the limit).
        return root, []
    try:
        root = yaml.compose(source.front, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + offset
        column = (mark.column if mark else 0) + 1
        problem = exc.problem or exc.context or "invalid YAML"
        hint = ""
        lines = source.front.split("\n")
        if mark:
            line, column = _place(source, mark)
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            hint = " (YAML does not allow tabs for indentation; use spaces)"
        return None, [Diagnostic(path, line, column, f"malformed YAML front matter: {problem}{hint}")]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(path, offset, 1, f"malformed YAML front matter: {exc}")]
    except RecursionError:
        return None, [Diagnostic(path, offset, 1, "front matter is nested too deeply")]
    if root is None:
        return None, [Diagnostic(path, max(1, offset - 1), 1, "front matter is empty: it must be a mapping of fields, e.g. 'name: …'")]
    if not isinstance(root, yaml.MappingNode):
        line, column = _place(source, root.start_mark)
        return None, [Diagnostic(path, line, column, "front matter must be a mapping of fields ('key: value' lines)")]
    problem = _count_nodes(root, path, offset)
    if problem:
        return None, [problem]
    return root, []
