"""Read and validate ``trombino.yaml`` into a :class:`~trombino.model.Config`."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from trombino.diagnostics import Diagnostics
from trombino.frontmatter import SourceText, decode_source, parse_front_matter
from trombino.model import Config
from trombino.privacy import HIDEABLE
from trombino.schema import CONFIG_FIELDS, Validator
from trombino.text import tag_key

CONFIG_NAME = "trombino.yaml"


def _is_folder_name(name: str) -> bool:
    return bool(re.fullmatch(r"[\w][\w.-]*", name)) and ".." not in name


def _links_outside(root: Path, folder: Path) -> list[str]:
    """Files (relative paths) under folder, or folder itself, that resolve outside the site."""
    real_root = root.resolve()
    if not folder.resolve().is_relative_to(real_root):
        return [folder.relative_to(root).as_posix()]
    return [p.relative_to(root).as_posix() for p in sorted(folder.rglob("*")) if not p.resolve().is_relative_to(real_root)]


def load_config(root: Path, diagnostics: Diagnostics) -> Config:
    path = root / CONFIG_NAME
    if not path.is_file():
        return Config()
    if not path.resolve().is_relative_to(root.resolve()):
        diagnostics.error(CONFIG_NAME, 1, 1, "symbolic link points outside the site folder; it was not read")
        return Config()
    data = path.read_bytes()
    if not data.strip():
        return Config()
    text, problems = decode_source(CONFIG_NAME, data)
    diagnostics.extend(problems)
    if text is None:
        return Config()
    node, problems = parse_front_matter(SourceText(CONFIG_NAME, text, 1, "", 1))
    diagnostics.extend(problems)
    if node is None:
        return Config()
    record = Validator(CONFIG_NAME, 1, diagnostics).record(node, CONFIG_FIELDS)
    values = record.values
    aliases = {}
    for alias, canonical in (values.get("tag_aliases") or {}).items():
        line, column = record.at(f"tag_aliases.{alias}")
        alias_key, canonical_key = tag_key(alias), tag_key(canonical)
        if not alias_key or not canonical_key:
            diagnostics.error(CONFIG_NAME, line, column, f"tag alias '{alias}: {canonical}' is not a valid tag")
        elif alias_key == canonical_key:
            diagnostics.error(CONFIG_NAME, line, column, f"tag alias '{alias}' points to itself")
        else:
            aliases[alias_key] = canonical_key
    for alias, target in list(aliases.items()):  # follow chains, refuse loops
        seen = {alias}
        while target in aliases:
            if target in seen:
                line, column = record.at(f"tag_aliases.{alias}")
                diagnostics.error(CONFIG_NAME, line, column, f"tag aliases form a loop through '{target}'")
                aliases.pop(alias)
                break
            seen.add(target)
            target = aliases[target]
        else:
            aliases[alias] = target
    theme = values.get("theme", "default")
    if theme != "default" and not _is_folder_name(theme):
        # A name, never a path: templates are only read from inside the site's themes/ folder.
        line, column = record.at("theme")
        diagnostics.error(CONFIG_NAME, line, column, f"theme '{theme}' must be the name of a folder under themes/, not a path")
        theme = "default"
    elif theme != "default" and not (root / "themes" / theme).is_dir():
        line, column = record.at("theme")
        diagnostics.error(CONFIG_NAME, line, column, f"theme '{theme}' not found: expected a folder themes/{theme}/")
    elif theme != "default":
        for outside in _links_outside(root, root / "themes" / theme):
            diagnostics.error(outside, 1, 1, "symbolic link points outside the site folder; the theme cannot use it")
    hidden = (values.get("publish") or {}).get("hidden_fields", ())
    for index, name in enumerate(hidden):
        if name not in HIDEABLE:
            line, column = record.at(f"publish.hidden_fields[{index}]")
            diagnostics.error(CONFIG_NAME, line, column, f"'publish.hidden_fields' cannot hide '{name}': it can hide {', '.join(sorted(HIDEABLE))}")
    base_url = values.get("base_url", "/")
    # Both are written into href attributes of every page: only web URLs, never javascript: or data:.
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?|/(?!/)\S*", base_url, re.IGNORECASE):
        line, column = record.at("base_url")
        diagnostics.error(CONFIG_NAME, line, column, f"'base_url' must be an http(s) URL or a path starting with '/', not '{base_url}'")
        base_url = "/"
    if not base_url.endswith("/"):
        base_url += "/"
    edit_url = values.get("edit_url")
    if edit_url and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", edit_url, re.IGNORECASE):
        line, column = record.at("edit_url")
        diagnostics.error(CONFIG_NAME, line, column, f"'edit_url' must be an http(s) URL, not '{edit_url}'")
        edit_url = None
    return Config(
        title=values.get("title", "trombino"),
        description=values.get("description", ""),
        language=values.get("language", "en"),
        base_url=base_url,
        theme=theme,
        timezone=values.get("timezone", "UTC"),
        edit_url=edit_url,
        tag_aliases=MappingProxyType(aliases),
        stale_after_days=values.get("stale_after_days", 180),
        page_size=values.get("page_size", 20),
        open_questions_days=values.get("open_questions_days", 60),
        half_life_days=(values.get("expertise") or {}).get("half_life_days", 180),
        hidden_fields=tuple((values.get("publish") or {}).get("hidden_fields", ())),
        include_without_open_to=(values.get("openings") or {}).get("include_without_open_to", False),
    )
