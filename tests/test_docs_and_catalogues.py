"""Docs generated from the schema stay in sync; every UI string exists in every catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trombino.i18n import LANGUAGES, catalogue
from trombino.schema import schema_markdown
from trombino.template_messages import DYNAMIC_KEYS, key_uses, missing
from trombino.theme import DEFAULT_THEME

from conftest import MINIMAL_SITE, REPO, run_cli


def test_content_format_doc_embeds_current_schema() -> None:
    doc = (REPO / "docs/content-format.md").read_text(encoding="utf-8")
    embedded = doc.split("<!-- schema:start -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    assert embedded == schema_markdown(), "run: python -m trombino.schema and paste into docs/content-format.md"


def template_keys() -> set[str]:
    """Every fixed key the default theme uses (read from the templates' syntax trees)."""
    keys: set[str] = set()
    for template in (DEFAULT_THEME / "templates").glob("*.html"):
        for use in key_uses(template.read_text(encoding="utf-8"), template.name):
            keys.update(use.keys)
    return keys


def test_key_reader_finds_every_kind_of_use() -> None:
    source = """
    {{ _("plain") }} {{ t("other", n=1) }} {{ t.plural("count", 3) }} {{ _("a") if x else _("b" if y else "c") }}
    {% set names = ["from_list_1", "from_list_2"] %}{% for key in names %}{{ _(key) }}{% endfor %}
    {% for path, key in nav_items %}{{ _(key) }}{% endfor %}
    {{ _("status_" ~ a.status) }} {{ _("house_" ~ thing) }} {{ _(unknown) }}
    """
    uses = key_uses(source, "t.html")
    keys = {k for u in uses for k in u.keys}
    assert {"plain", "other", "count.one", "count.other", "a", "b", "c", "from_list_1", "from_list_2", "nav_people"} <= keys
    assert sorted(u.prefix for u in uses if u.prefix) == ["house_", "status_"]
    assert [u.line for u in uses if u.unresolved] == [5]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_string_is_in_the_catalogue(language: str) -> None:
    uses = [u for t in sorted((DEFAULT_THEME / "templates").glob("*.html")) for u in key_uses(t.read_text(encoding="utf-8"), t.name)]
    assert len({k for u in uses for k in u.keys}) > 200
    problems = [f"{u.template}:{u.line}: {problem}" for u, problem in missing(uses, catalogue(language))]
    assert problems == [], f"messages/{language}.yaml: {problems}"
    assert not [u for u in uses if u.unresolved], "the default theme's keys can all be checked"


@pytest.mark.parametrize("language", LANGUAGES)
def test_dynamic_keys_cover_every_value_of_their_enumeration(language: str) -> None:
    """"status_" ~ a.status needs status_available … status_away; each prefix the theme uses is registered."""
    uses = [u for t in (DEFAULT_THEME / "templates").glob("*.html") for u in key_uses(t.read_text(encoding="utf-8"), t.name)]
    prefixes = {u.prefix for u in uses if u.prefix}
    assert {"status_", "open_to_", "kind_", "field_"} <= prefixes
    assert prefixes <= set(DYNAMIC_KEYS), f"register these prefixes in trombino.template_messages.DYNAMIC_KEYS: {sorted(prefixes - set(DYNAMIC_KEYS))}"
    messages = catalogue(language)
    for prefix in prefixes:
        for value in DYNAMIC_KEYS[prefix]:
            assert prefix + value in messages, f"messages/{language}.yaml lacks {prefix}{value}"


def test_a_missing_message_fails_the_build_naming_template_and_key(make_site, tmp_path: Path) -> None:  # noqa: ANN001
    site = make_site(
        {
            **MINIMAL_SITE,
            "trombino.yaml": "title: Test Corp\nlanguage: fr\ntheme: house\n",
            "themes/house/templates/team.html": '{% extends "default/team.html" %}\n{% block title %}{{ _("house_team_title") }}{% endblock %}\n',
            "themes/house/templates/tag.html": '{% extends "default/tag.html" %}\n{% block title %}\n{{ _("kind_" ~ x) }}{{ _("house_kind_" ~ x) }}{% endblock %}\n',
        }
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out/keep.txt").write_text("old")
    result = run_cli("build", "--source", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    assert "themes/house/templates/team.html:2:1: message 'house_team_title' is missing from the 'fr' catalogue (messages/fr.yaml)" in result.stderr
    assert "themes/house/templates/tag.html:3:1: no message starts with 'house_kind_'" in result.stderr
    assert "kind_" not in result.stderr.replace("house_kind_", "")  # every kind_ value has its message
    assert (tmp_path / "out/keep.txt").read_text() == "old"


def test_catalogues_have_the_same_keys() -> None:
    en, fr = set(catalogue("en")), set(catalogue("fr"))
    assert sorted(en ^ fr) == []


def test_check_reports_a_missing_message_too(make_site) -> None:  # noqa: ANN001
    site = make_site({**MINIMAL_SITE, "trombino.yaml": "title: T\ntheme: house\n", "themes/house/templates/tags.html": '{{ _("house_only") }}\n'})
    result = run_cli("check", "--source", str(site))
    assert result.returncode == 1
    assert "themes/house/templates/tags.html:1:1: message 'house_only' is missing from the 'en' catalogue (messages/en.yaml)" in result.stdout
