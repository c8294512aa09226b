"""Docs generated from the schema stay in sync; every UI string exists in every catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trombino.i18n import LANGUAGES, catalogue
from trombino.schema import schema_markdown
from trombino.theme import DEFAULT_THEME

from conftest import REPO


def test_content_format_doc_embeds_current_schema() -> None:
    doc = (REPO / "docs/content-format.md").read_text(encoding="utf-8")
    embedded = doc.split("<!-- schema:start -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    assert embedded == schema_markdown(), "run: python -m trombino.schema and paste into docs/content-format.md"


def template_keys() -> set[str]:
    keys: set[str] = set()
    for template in (DEFAULT_THEME / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        keys.update(re.findall(r"""\b_\(\s*["']([\w.-]+)["']\s*[,)]""", text))
        keys.update(re.findall(r"""\bt\(\s*["']([\w.-]+)["']\s*[,)]""", text))
        for base in re.findall(r"""t\.plural\(\s*["']([\w.-]+)["']""", text):
            keys.update({base + ".one", base + ".other"})
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_string_is_in_the_catalogue(language: str) -> None:
    missing = sorted(template_keys() - set(catalogue(language)))
    assert missing == [], f"missing from messages/{language}.yaml: {missing}"


def test_catalogues_have_the_same_keys() -> None:
    en, fr = set(catalogue("en")), set(catalogue("fr"))
    assert sorted(en ^ fr) == []
