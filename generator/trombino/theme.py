"""Theme chain: a site's ``themes/<name>/`` overrides the built-in ``default``.

Templates and static files are looked up by relative name in each theme of
the chain, first match wins. ``{% extends "default/base.html" %}`` reaches the
built-in template explicitly, to extend it instead of replacing it.

Static files are published under ``static/``; the themes' own CSS and JavaScript
are minified (:mod:`trombino.minify`; vendored and ``*.min.*`` files are left
as they are) and their names carry a hash of the published bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from trombino.jinja_env import Environment
from trombino.minify import minify

DEFAULT_THEME = Path(str(resources.files("trombino").joinpath("theme", "default")))
FINGERPRINTED_SUFFIXES = (".css", ".js")


@dataclass(frozen=True)
class Asset:
    name: str  # logical name, e.g. "style.css"
    source: Path
    output_path: str  # e.g. "static/style.3f2a91c0.css"
    content: bytes = b""  # what is published: the theme's own CSS and JS minified, other files as they are


class Theme:
    def __init__(self, site_root: Path, name: str) -> None:
        self.chain: list[Path] = []
        if name != "default":
            self.chain.append(site_root / "themes" / name)
        self.chain.append(DEFAULT_THEME)
        self.assets = self._collect_assets()

    def environment(self) -> jinja2.Environment:
        loader = jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(DEFAULT_THEME / "templates"))}),
                jinja2.FileSystemLoader([str(theme / "templates") for theme in self.chain]),
            ]
        )
        return Environment(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # One environment renders one build: a changed template means a new build and a
            # new environment, so stat-ing each imported template at every import is waste.
            auto_reload=False,
        )

    def _collect_assets(self) -> dict[str, Asset]:
        found: dict[str, Path] = {}
        for theme in reversed(self.chain):  # later (site) themes override
            static = theme / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    found[path.relative_to(static).as_posix()] = path
        assets = {}
        for name, source in sorted(found.items()):
            output = f"static/{name}"
            content = minify(name, source.read_bytes())
            if source.suffix in FINGERPRINTED_SUFFIXES:
                digest = hashlib.sha256(content).hexdigest()[:10]  # of what is published
                stem, _, suffix = name.rpartition(".")
                output = f"static/{stem}.{digest}.{suffix}"
            assets[name] = Asset(name, source, output, content)
        return assets

    def digest(self) -> str:
        """Hash of every template and asset in the chain (for caches)."""
        h = hashlib.sha256()
        for theme in self.chain:
            if theme.is_dir():
                for path in sorted(theme.rglob("*")):
                    if path.is_file():
                        h.update(path.relative_to(theme).as_posix().encode())
                        h.update(path.read_bytes())
        return h.hexdigest()
