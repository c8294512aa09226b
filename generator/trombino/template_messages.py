"""Every message key the theme's templates use must be in the site's catalogue.

Checked before rendering, so a missing string is a build error naming the
template, the line and the key, not a crash halfway through the pages.

Keys are read from the templates' syntax trees: ``_("key")``, ``t("key")``,
``t.plural("key", n)`` (→ ``key.one`` and ``key.other``), keys taken from a
literal list or from ``nav_items`` by a ``for`` loop, both branches of
``a if c else b``, and keys built as ``"prefix_" ~ value``: for a prefix in
:data:`DYNAMIC_KEYS` every value of its enumeration must have a message; for
another prefix at least one message must start with it.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

import jinja2
from jinja2 import nodes

from trombino.diagnostics import Diagnostic
from trombino.i18n import catalogue
from trombino.schema import AVAILABILITY_STATUSES, OPEN_TO, OPENING_STATUSES, POST_KINDS
from trombino.theme import DEFAULT_THEME, Theme

if TYPE_CHECKING:
    from trombino.loader import ParseCache

# Keys built from a prefix and a value: the values the templates can meet.
DECLARED_FIELDS = ("skills", "ask_me_about", "interests")


def _dynamic_keys() -> dict[str, tuple[str, ...]]:
    from trombino.stats import COMPLETENESS
    from trombino.views.openings import TIERS

    return {
        "status_": AVAILABILITY_STATUSES,
        "open_to_": OPEN_TO,
        "kind_": POST_KINDS,
        "kind_title_": POST_KINDS,
        "field_": DECLARED_FIELDS,
        "why_declared_": DECLARED_FIELDS,
        "stats_field_": tuple(COMPLETENESS),
        "opening_status_": OPENING_STATUSES,
        "opening_archived_": tuple(s for s in OPENING_STATUSES if s != "open"),
        "opening_tier_": TIERS,
    }


DYNAMIC_KEYS = _dynamic_keys()


def _template_globals() -> dict[str, Any]:
    """Globals whose values the check can follow (the renderer sets the same ones)."""
    from trombino.render import NAV_ITEMS

    return {"nav_items": NAV_ITEMS}


@dataclass(frozen=True)
class KeyUse:
    """One place a template asks for messages: fixed keys, or keys starting with ``prefix``."""

    template: str
    line: int
    keys: tuple[str, ...] = ()
    prefix: str | None = None
    unresolved: bool = False  # a key the check cannot work out


class _Unknown(Exception):
    pass


class _Reader:
    def __init__(self, template: str, known: Mapping[str, Any]) -> None:
        self.template = template
        self.known = known
        self.uses: list[KeyUse] = []

    # values: a tuple of the Python values an expression can have
    def values(self, expr: nodes.Node, scope: Mapping[str, tuple]) -> tuple:
        if isinstance(expr, nodes.Const):
            return (expr.value,)
        if isinstance(expr, nodes.Name):
            if expr.name in scope:
                return scope[expr.name]
            raise _Unknown
        if isinstance(expr, nodes.CondExpr):
            return self.values(expr.expr1, scope) + (self.values(expr.expr2, scope) if expr.expr2 is not None else ())
        if isinstance(expr, nodes.Concat):
            parts = [self.values(part, scope) for part in expr.nodes]
            return tuple("".join(str(p) for p in combo) for combo in itertools.product(*parts))
        if isinstance(expr, nodes.Tuple):  # ("path", "key"): every combination of its items' values
            return tuple(itertools.product(*(self.values(item, scope) for item in expr.items)))
        if isinstance(expr, nodes.List):  # one value: the tuple of everything its items can be
            return (tuple(itertools.chain.from_iterable(self.values(item, scope) for item in expr.items)),)
        raise _Unknown

    def items(self, expr: nodes.Node, scope: Mapping[str, tuple]) -> tuple:
        """The items a ``for`` loop over ``expr`` can see."""
        if isinstance(expr, (nodes.List, nodes.Tuple)):
            found: list = []
            for item in expr.items:
                found.extend(self.values(item, scope))
            return tuple(found)
        if isinstance(expr, nodes.Name):
            if expr.name in scope:
                return tuple(itertools.chain.from_iterable(v for v in scope[expr.name] if isinstance(v, tuple)))
            if expr.name in self.known:
                return tuple(self.known[expr.name])
        raise _Unknown

    def bind(self, target: nodes.Node, items: tuple, scope: dict[str, tuple]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = items
        elif isinstance(target, nodes.Tuple):
            for position, name in enumerate(target.items):
                if isinstance(name, nodes.Name):
                    scope[name.name] = tuple(item[position] for item in items if isinstance(item, tuple) and len(item) > position)

    def visit(self, node: nodes.Node, scope: dict[str, tuple]) -> None:
        if isinstance(node, nodes.For):
            inner = dict(scope)
            try:
                self.bind(node.target, self.items(node.iter, scope), inner)
            except _Unknown:
                pass
            self.visit_all([node.iter], scope)
            self.visit_all(node.body, inner)
            self.visit_all(node.else_, scope)
            return
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            try:
                scope[node.target.name] = self.values(node.node, scope)
            except _Unknown:
                scope.pop(node.target.name, None)
        if isinstance(node, nodes.Call):
            self.call(node, scope)
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def visit_all(self, children: Iterable[nodes.Node], scope: dict[str, tuple]) -> None:
        for child in children:
            self.visit(child, scope)

    def call(self, node: nodes.Call, scope: Mapping[str, tuple]) -> None:
        callee = node.node
        plural = isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name) and callee.node.name == "t" and callee.attr == "plural"
        if not (plural or (isinstance(callee, nodes.Name) and callee.name in ("_", "t"))):
            return
        if not node.args:
            return
        argument = node.args[0]
        suffixes = (".one", ".other") if plural else ("",)
        try:
            keys = self.values(argument, scope)
        except _Unknown:
            prefix = _prefix(argument)
            self.uses.append(KeyUse(self.template, node.lineno, prefix=prefix, unresolved=prefix is None))
            return
        self.uses.append(KeyUse(self.template, node.lineno, tuple(str(k) + s for k in keys for s in suffixes)))


def _prefix(expr: nodes.Node) -> str | None:
    if isinstance(expr, nodes.Concat) and expr.nodes and isinstance(expr.nodes[0], nodes.Const) and isinstance(expr.nodes[0].value, str):
        return expr.nodes[0].value
    return None


@lru_cache(maxsize=512)  # keyed by the text itself: `trombino serve` re-checks only edited templates
def key_uses(source: str, template: str) -> tuple[KeyUse, ...]:
    """Where the template text ``source`` asks for messages. Raises jinja2.TemplateSyntaxError."""
    tree = jinja2.Environment().parse(source, name=template)
    reader = _Reader(template, _template_globals())
    reader.visit(tree, {})
    return tuple(reader.uses)


def missing(uses: Iterable[KeyUse], messages: Mapping[str, str]) -> Iterator[tuple[KeyUse, str]]:
    """(use, problem) for every key a use needs that ``messages`` lacks."""
    for use in uses:
        if use.unresolved:
            continue  # reported as a warning by template_faults
        if use.prefix is not None:
            values = DYNAMIC_KEYS.get(use.prefix)
            if values is None:
                if not any(key.startswith(use.prefix) for key in messages):
                    yield use, f"no message starts with '{use.prefix}' (used as \"{use.prefix}\" ~ …)"
                continue
            for value in values:
                if use.prefix + value not in messages:
                    yield use, f"message '{use.prefix}{value}' (from \"{use.prefix}\" ~ …) is missing"
            continue
        for key in use.keys:
            if key not in messages:
                yield use, f"message '{key}' is missing"


def template_files(theme: Theme, site_root: Path) -> Iterator[tuple[str, Path]]:
    """(name shown in diagnostics, file) of every template in the theme chain."""
    for folder in theme.chain:
        templates = folder / "templates"
        if not templates.is_dir():
            continue
        for path in sorted(templates.rglob("*.html")):
            if folder == DEFAULT_THEME:
                shown = "trombino/theme/default/" + path.relative_to(folder).as_posix()
            else:
                try:
                    shown = path.relative_to(site_root).as_posix()
                except ValueError:
                    shown = path.as_posix()
            yield shown, path


def template_faults(theme: Theme, site_root: Path, language: str, cache: ParseCache | None = None) -> list[Diagnostic]:
    """Diagnostics for every message a template needs that the ``language`` catalogue lacks.

    Each template's message uses are kept in ``cache`` by its text's digest:
    parsing the theme's templates costs more than a warm `check` of 10,000 files.
    """
    messages = catalogue(language)
    faults: list[Diagnostic] = []
    for shown, path in template_files(theme, site_root):
        try:
            text = path.read_text(encoding="utf-8")
            key = ("template", shown, "", hashlib.sha1(text.encode("utf-8")).hexdigest())
            uses = cache.get(key) if cache is not None else None
            if uses is None:
                uses = key_uses(text, shown)
                if cache is not None:
                    cache.put(key, uses)
        except jinja2.TemplateSyntaxError as exc:
            faults.append(Diagnostic(shown, exc.lineno or 1, 1, f"template syntax error: {exc.message}"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            faults.append(Diagnostic(shown, 1, 1, f"template cannot be read: {exc}"))
            continue
        for use, problem in missing(uses, messages):
            faults.append(Diagnostic(shown, use.line, 1, f"{problem} from the '{language}' catalogue (messages/{language}.yaml)"))
        for use in uses:
            if use.unresolved:
                faults.append(Diagnostic(shown, use.line, 1, "message key worked out at render time: it cannot be checked before rendering", "warning"))
    return sorted(set(faults))
