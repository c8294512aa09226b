"""Diagnostics are values: every fault found in the sources, with its location.

Loaders never raise on bad input; they record a :class:`Diagnostic` and go on,
so one run reports every fault at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Iterable, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # relative to the site root, POSIX separators
    line: int  # 1-based
    column: int  # 1-based
    message: str
    level: Level = "error"

    def format(self) -> str:
        prefix = f"{printable(self.path)}:{self.line}:{self.column}: "
        return prefix + ("warning: " if self.level == "warning" else "") + printable(self.message)


# Control and bidirectional-override characters in a file name or a quoted value
# would split one diagnostic into several lines or disguise a path: shown escaped.
_UNPRINTABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    return _UNPRINTABLE_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass
class Diagnostics:
    """An append-only collector of diagnostics."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, column: int, message: str) -> None:
        self.items.append(Diagnostic(path, line, column, message, "error"))

    def warning(self, path: str, line: int, column: int, message: str) -> None:
        self.items.append(Diagnostic(path, line, column, message, "warning"))

    def extend(self, others: Iterable[Diagnostic]) -> None:
        self.items.extend(others)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items))


def _github_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(d.format() + "\n" for d in diagnostics)


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], ensure_ascii=False, indent=2) + "\n"


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        command = "error" if d.level == "error" else "warning"
        lines.append(
            f"::{command} file={_github_escape(d.path, property_value=True)},"
            f"line={d.line},col={d.column}::{_github_escape(d.message)}\n"
        )
    return "".join(lines)


def format_gitlab(diagnostics: Iterable[Diagnostic]) -> str:
    """A GitLab Code Quality report: merge requests show the faults in their widget and diff."""
    issues = []
    seen: dict[str, int] = {}
    for d in diagnostics:
        # Without the line, so an unchanged fault keeps its identity when lines above it move;
        # with a counter, so two identical faults in one file stay two.
        identity = f"{d.path}\0{d.level}\0{d.message}"
        seen[identity] = seen.get(identity, 0) + 1
        identity += f"\0{seen[identity]}"
        issues.append(
            {
                "description": d.message,
                "check_name": "trombino",
                "fingerprint": hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32],
                "severity": "major" if d.level == "error" else "minor",
                "location": {"path": d.path, "lines": {"begin": d.line}},
            }
        )
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github, "gitlab": format_gitlab}


def summary(diagnostics: list[Diagnostic]) -> str:
    """A short human summary: '2 errors in content/people/ana.md, 1 warning in …'."""
    if not diagnostics:
        return "No problems found."
    by_file: dict[str, list[int]] = {}
    for d in diagnostics:
        counts = by_file.setdefault(d.path, [0, 0])
        counts[0 if d.level == "error" else 1] += 1
    parts = []
    for path, (errors, warnings) in by_file.items():
        words = []
        if errors:
            words.append(f"{errors} error{'s' if errors != 1 else ''}")
        if warnings:
            words.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        parts.append(f"{' and '.join(words)} in {printable(path)}")
    return "; ".join(parts) + "."
