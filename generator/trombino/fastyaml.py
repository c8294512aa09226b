"""Build the node tree of the plainest front matter without composing it.

Nearly every front matter is a handful of ``key: value`` lines and one-line
``[a, b]`` lists. For those, libyaml parses fast, but ``yaml.compose`` then
resolves and builds node by node through Python calls, and the tree is walked
again to count its nodes. This module
recognises a conservative subset of YAML and builds, directly, the tree
``yaml.compose(text, Loader=CSafeLoader)`` would build: the same node classes,
tags, values, styles, flow styles and marks (name, index, line, column).

The subset (everything else returns ``None``, and the caller composes):

* lines are blank (spaces only) or ``key: value`` starting at column 0, the key
  an ASCII name ``[A-Za-z_][A-Za-z0-9_-]*``, each key once;
* a value is empty; a one-line plain scalar that cannot start or end a YAML
  token (no leading indicator, no ``': '``, ``' #'`` or trailing ``:``);
  a one-line ``"…"`` without ``\\`` or ``"`` inside; a one-line ``'…'`` without
  ``'`` inside; or a one-line flow list ``[…]`` of such quoted scalars and of
  plain scalars without any of ``,[]{}#:?'"``;
* only printable characters YAML and Python agree on: no tab, CR, NEL, BOM,
  U+2028/U+2029 or control characters anywhere.

Being outside the subset costs only speed, so every rule errs towards
``None``; tests/test_frontmatter_fast_path.py compares the trees with
``yaml.compose`` node for node.
"""

from __future__ import annotations

import functools
import re

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - without libyaml there is nothing to match; always compose
    _Loader = None
else:
    # libyaml's marks are its own class (not yaml.Mark); take it from a real tree.
    _Mark = type(yaml.compose("a", Loader=_Loader).start_mark)

# How libyaml names the marks of a str input.
_MARK_NAME = "<unicode string>"

# Anything but LF and the printable characters every YAML reader treats as ordinary.
_OUTSIDE = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")

# The patterns never backtrack into a scalar (possessive loops; a run of spaces
# is taken whole, and only when content follows it), so a long hostile line
# costs linear time.
_LINE = re.compile(
    r"""(?P<key>[A-Za-z_][A-Za-z0-9_-]*+):
    (?:\ ++(?:
        # plain: no indicator first ('-' only before a non-space); no ': ', ' #' or final ':'
        (?P<plain>(?:[^-?:,\[\]{}\#&*!|>'"%@`\ ]|-(?=[^\ ]))(?:[^\ :]++|:(?=[^\ ])|\ ++(?=[^\ \#]))*+)
      | "(?P<double>[^"\\]*+)"
      | '(?P<single>[^']*+)'
      | \[(?P<flow>[^\]]*+)\]
    ))?\ *\Z""",
    re.VERBOSE,
)
# One item of a flow list, then ',' or the end of the list. Plain items take none of ,[]{}#:?'"
# (':' and '?' inside flow plain scalars differ between libyaml versions).
_ITEM = re.compile(
    r"""\ *(?:
        (?P<plain>(?:[^-,\[\]{}\#:?'"&*!|>%@`\ ]|-(?=[^,\[\]{}\#:?'"\ ]))(?:[^,\[\]{}\#:?'"\ ]++|\ ++(?=[^,\[\]{}\#:?'"\ ]))*+)
      | "(?P<double>[^"\\]*+)"
      | '(?P<single>[^']*+)'
    )\ *+(?:,|\Z)""",
    re.VERBOSE,
)
_BLANK_TO_END = re.compile(r" *\Z")
_STYLES = {"plain": "", "double": '"', "single": "'"}

# The resolver that tags plain scalars, as yaml.compose does. Its implicit
# resolvers are read when a text is first seen (trombino registers none of its
# own); texts repeat across files (keys, teams, kinds), hence the memo.
_resolver = _Loader("") if _Loader is not None else None


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    return _resolver.resolve(yaml.ScalarNode, value, (True, False))


def compose_simple(text: str, max_nodes: int) -> yaml.MappingNode | None:
    """The tree ``yaml.compose(text, Loader=CSafeLoader)`` returns, or None if ``text`` is outside the subset.

    None also when the tree would have more than ``max_nodes`` nodes, so that a
    returned tree (two levels deep, no shared nodes) never needs the caller's
    alias, size and depth checks.
    """
    if _Loader is None or _Loader.yaml_path_resolvers or _OUTSIDE.search(text):
        return None
    Mark, ScalarNode, name, str_tag = _Mark, yaml.ScalarNode, _MARK_NAME, _Loader.DEFAULT_SCALAR_TAG
    plain_tag, line_match = _plain_tag, _LINE.match
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    seen: set[str] = set()
    nodes = 1
    offset = 0  # index of the current line's first character
    for number, line in enumerate(text.split("\n")):
        match = line_match(line)
        if match is None:
            if line.strip(" "):
                return None  # not 'key: value', or indented: a nested block or a continued scalar
            offset += len(line) + 1
            continue
        colon = match.end("key")
        key = line[:colon]
        if key in seen:
            return None
        seen.add(key)
        key_node = ScalarNode(plain_tag(key), key, Mark(name, offset, number, 0, None, None), Mark(name, offset + colon, number, colon, None, None), "")
        kind = match.lastgroup
        if kind == "key":  # 'key:' alone: an empty plain scalar right after the colon
            start = end = colon + 1
            value_node = ScalarNode(plain_tag(""), "", Mark(name, offset + start, number, start, None, None), Mark(name, offset + end, number, end, None, None), "")
        elif kind == "flow":
            items = _flow_items(line, match.start("flow"), match.end("flow"), offset, number, max_nodes - nodes - 2)
            if items is None:
                return None
            nodes += len(items)
            start, end = match.start("flow") - 1, match.end("flow") + 1
            value_node = yaml.SequenceNode(_Loader.DEFAULT_SEQUENCE_TAG, items, Mark(name, offset + start, number, start, None, None), Mark(name, offset + end, number, end, None, None), True)
        elif kind == "plain":
            value = match.group("plain")
            start, end = match.span("plain")
            value_node = ScalarNode(plain_tag(value), value, Mark(name, offset + start, number, start, None, None), Mark(name, offset + end, number, end, None, None), "")
        else:  # quoted: the marks take in the quotes
            start, end = match.start(kind) - 1, match.end(kind) + 1
            value_node = ScalarNode(str_tag, match.group(kind), Mark(name, offset + start, number, start, None, None), Mark(name, offset + end, number, end, None, None), _STYLES[kind])
        pairs.append((key_node, value_node))
        nodes += 2
        if nodes > max_nodes:
            return None
        offset += len(line) + 1
    if not pairs:
        return None
    # libyaml ends the stream at the start of the line after the last one.
    last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
    first_key = pairs[0][0].start_mark
    return yaml.MappingNode(
        _Loader.DEFAULT_MAPPING_TAG,
        pairs,
        Mark(name, first_key.index, first_key.line, 0, None, None),
        Mark(name, len(text), last_line, 0, None, None),
        False,
    )


def _flow_items(line: str, at: int, close: int, offset: int, number: int, room: int) -> list[yaml.ScalarNode] | None:
    """The scalars of the one-line flow list ``line[at - 1 : close + 1]``; None outside the subset or beyond ``room`` items."""
    items: list[yaml.ScalarNode] = []
    if _BLANK_TO_END.match(line, at, close):
        return items
    Mark, ScalarNode, name = _Mark, yaml.ScalarNode, _MARK_NAME
    while True:
        item = _ITEM.match(line, at, close)
        if item is None:
            return None  # an empty item, a nested collection, a special character
        kind = item.lastgroup
        value = item.group(kind)
        if kind == "plain":
            start, end = item.span(kind)
            tag = _plain_tag(value)
        else:
            start, end = item.start(kind) - 1, item.end(kind) + 1
            tag = _Loader.DEFAULT_SCALAR_TAG
        items.append(ScalarNode(tag, value, Mark(name, offset + start, number, start, None, None), Mark(name, offset + end, number, end, None, None), _STYLES[kind]))
        if len(items) > room:
            return None
        at = item.end()
        if _BLANK_TO_END.match(line, at, close):  # the end, or a trailing comma
            return items
