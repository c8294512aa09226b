"""Read and validate ``trombino.yaml`` into a :class:`~trombino.model.Config`."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from trombino.diagnostics import Diagnostics
from trombino.frontmatter import SourceText, decode_source, parse_front_matter
from trombino.model import Config
from trombino.schema import CONFIG_FIELDS, Validator
from trombino.text import tag_key

CONFIG_NAME = "trombino.yaml"


def load_config(root: Path, diagnostics: Diagnostics) -> Config:
    path = root / CONFIG_NAME
    if not path.is_file():
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
    if theme != "default" and not (root / "themes" / theme).is_dir():
        line, column = record.at("theme")
        diagnostics.error(CONFIG_NAME, line, column, f"theme '{theme}' not found: expected a folder themes/{theme}/")
    base_url = values.get("base_url", "/")
    if not base_url.endswith("/"):
        base_url += "/"
    return Config(
        title=values.get("title", "trombino"),
        description=values.get("description", ""),
        language=values.get("language", "en"),
        base_url=base_url,
        theme=theme,
        timezone=values.get("timezone", "UTC"),
        edit_url=values.get("edit_url"),
        tag_aliases=MappingProxyType(aliases),
        stale_after_days=values.get("stale_after_days", 180),
        page_size=values.get("page_size", 20),
        open_questions_days=values.get("open_questions_days", 60),
        half_life_days=(values.get("expertise") or {}).get("half_life_days", 180),
        hidden_fields=tuple((values.get("publish") or {}).get("hidden_fields", ())),
        include_without_open_to=(values.get("openings") or {}).get("include_without_open_to", False),
    )
