"""One test per fault class: exact message and location."""

from __future__ import annotations

from pathlib import Path

import pytest

from trombino.loader import load_site

from conftest import MINIMAL_SITE


def diagnostics_for(make_site, files: dict) -> list[str]:  # noqa: ANN001
    site = make_site({**MINIMAL_SITE, **files})
    return [d.format() for d in load_site(site).diagnostics]


def test_minimal_site_is_clean(minimal_site: Path) -> None:
    result = load_site(minimal_site)
    assert result.diagnostics == []
    assert result.ok


def test_empty_file(make_site) -> None:
    assert diagnostics_for(make_site, {"content/people/zoe.md": ""}) == ["content/people/zoe.md:1:1: file is empty"]


def test_binary_file(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": b"\x89PNG\r\n\x1a\n\x00\x00"})
    assert out == ["content/people/zoe.md:1:1: file is binary, not UTF-8 text"]


def test_invalid_utf8_points_at_the_byte(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": b"---\nname: Zo\xe9\n---\n"})
    assert out == ["content/people/zoe.md:2:9: file is not valid UTF-8 text"]


def test_missing_front_matter(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "Just a bio\n"})
    assert out == ["content/people/zoe.md:1:1: missing front matter: the file must start with a line '---'"]


def test_unclosed_front_matter(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\n"})
    assert out == ["content/people/zoe.md:1:1: front matter is not closed: add a line '---' after it"]


def test_malformed_yaml_has_line_and_column(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\nskills: [a, b\n---\n"})
    assert len(out) == 1
    assert out[0].startswith("content/people/zoe.md:4:1: malformed YAML front matter:")


def test_tab_indentation_gets_a_hint(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\navailability:\n\tstatus: away\n---\n"})
    assert len(out) == 1 and "use spaces" in out[0] and out[0].startswith("content/people/zoe.md:4:")


def test_front_matter_not_a_mapping(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\n- a\n- b\n---\n"})
    assert out == ["content/people/zoe.md:2:1: front matter must be a mapping of fields ('key: value' lines)"]


def test_unknown_key_suggests(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\nskils: [Go]\n---\n"})
    assert out == ["content/people/zoe.md:3:1: unknown key 'skils' (did you mean 'skills'?)"]


def test_wrong_type_string_for_list(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\nskills: Go\n---\n"})
    assert out == ["content/people/zoe.md:3:9: 'skills' must be a list, e.g. [Kubernetes, PostgreSQL] (or one '- item' per line)"]


def test_missing_required_field(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\ntitle: Boss\n---\n"})
    assert out == ["content/people/zoe.md:2:1: missing required field 'name'"]


def test_impossible_date(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\njoined: 2026-02-30\n---\n"})
    assert out == ["content/people/zoe.md:3:9: invalid date '2026-02-30' for 'joined': day is out of range for month"]


def test_unknown_enum_value(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\navailability: {status: avialable}\n---\n"})
    assert out == [
        "content/people/zoe.md:3:24: 'availability.status' must be one of available, partial, busy, away; 'avialable' is not (did you mean 'available'?)"
    ]


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("content/people/zoe.md", "---\nname: Zoé\nmanager: nobody\n---\n", "content/people/zoe.md:3:10: unknown manager 'nobody'"),
        ("content/posts/2026/03/x.md", "---\nauthor: nobody\ndate: 2026-03-05\n---\nHi\n", "content/posts/2026/03/x.md:2:9: unknown author 'nobody'"),
        ("content/posts/2026/03/x.md", "---\nauthor: ana-lima\ndate: 2026-03-05\nteam: nowhere\n---\nHi\n", "content/posts/2026/03/x.md:4:7: unknown team 'nowhere'"),
        ("content/teams/sub.md", "---\nname: Sub\nparent: nowhere\n---\n", "content/teams/sub.md:3:9: unknown parent team 'nowhere'"),
    ],
)
def test_unknown_references(make_site, path: str, text: str, expected: str) -> None:
    assert diagnostics_for(make_site, {path: text}) == [expected]


def test_unknown_mention_points_into_the_body(make_site) -> None:
    text = "---\nauthor: ana-lima\ndate: 2026-03-05\n---\nFirst line.\nThanks @bruno-dias!\n"
    out = diagnostics_for(make_site, {"content/posts/2026/03/x.md": text})
    assert out == ["content/posts/2026/03/x.md:6:8: unknown person '@bruno-dias' (did you mean 'bruno-diaz'?)"]


def test_mentions_in_code_and_emails_are_ignored(make_site) -> None:
    text = "---\nauthor: ana-lima\ndate: 2026-03-05\n---\nMail ana@example.com, run `@nobody` and\n\n    @ghost\n"
    assert diagnostics_for(make_site, {"content/posts/2026/03/x.md": text}) == []


def test_manager_cycle(make_site) -> None:
    out = diagnostics_for(
        make_site,
        {
            "content/people/a.md": "---\nname: A\nmanager: b\n---\n",
            "content/people/b.md": "---\nname: B\nmanager: a\n---\n",
        },
    )
    assert out == ["content/people/a.md:3:10: managers form a cycle: a → b → a"]


def test_team_parent_cycle(make_site) -> None:
    out = diagnostics_for(
        make_site,
        {
            "content/teams/x.md": "---\nname: X\nparent: y\n---\n",
            "content/teams/y.md": "---\nname: Y\nparent: x\n---\n",
        },
    )
    assert out == ["content/teams/x.md:3:9: team parents form a cycle: x → y → x"]


def test_duplicate_slug_differing_by_case(make_site, tmp_path: Path) -> None:
    site = make_site({**MINIMAL_SITE, "content/people/Ana-Lima.md": "---\nname: Ana Bis\n---\n"})
    messages = [d.format() for d in load_site(site).diagnostics]
    assert messages == ["content/people/Ana-Lima.md:1:1: duplicate person slug 'ana-lima': differs only by case from content/people/ana-lima.md"]


def test_file_name_not_a_slug(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/Zoé Roy.md": "---\nname: Zoé\n---\n"})
    assert out == ["content/people/Zoé Roy.md:1:1: file name 'Zoé Roy' is not a valid slug: use lowercase letters, digits and '-' (e.g. 'zoe-roy.md')"]


def test_photo_missing_and_not_an_image(make_site) -> None:
    out = diagnostics_for(
        make_site,
        {
            "content/people/zoe.md": "---\nname: Zoé\nphoto: photos/zoe.jpg\n---\n",
            "content/people/max.md": "---\nname: Max\nphoto: max.txt\n---\n",
            "content/people/max.txt": "not an image",
        },
    )
    assert out == [
        "content/people/max.md:3:8: photo 'max.txt' is not a JPEG, PNG, GIF or WebP image",
        "content/people/zoe.md:3:8: photo 'photos/zoe.jpg' not found",
    ]


def test_photo_outside_content_is_refused(make_site) -> None:
    out = diagnostics_for(make_site, {"content/people/zoe.md": "---\nname: Zoé\nphoto: ../../../../etc/passwd\n---\n"})
    assert out == ["content/people/zoe.md:3:8: photo '../../../../etc/passwd' is outside the content folder"]


def test_yaml_11_surprises_keep_the_authors_text(make_site) -> None:
    site = make_site({**MINIMAL_SITE, "content/people/zoe.md": "---\nname: Zoé\npronouns: NO\ntitle: on\nskills: [3.10, yes]\n---\n"})
    result = load_site(site)
    assert result.diagnostics == []
    zoe = result.site.people["zoe"]
    assert (zoe.pronouns, zoe.title, zoe.skills) == ("NO", "on", ("3.10", "yes"))


def test_bom_and_crlf_are_valid(make_site) -> None:
    site = make_site({**MINIMAL_SITE, "content/people/zoe.md": "\ufeff---\r\nname: Zoé\r\nskills: [Go]\r\n---\r\nBio.\r\n".encode()})
    result = load_site(site)
    assert result.diagnostics == []
    assert result.site.people["zoe"].name == "Zoé"


def test_every_fault_is_reported_not_just_the_first(make_site) -> None:
    out = diagnostics_for(
        make_site,
        {
            "content/people/zoe.md": "---\nname: Zoé\nskils: [Go]\njoined: 2026-13-01\n---\n",
            "content/people/max.md": "---\ntitle: x\n---\n",
        },
    )
    assert len(out) == 3


def test_aliases_in_front_matter_are_refused(make_site) -> None:
    text = "---\nname: &n Zoé\ntitle: *n\n---\n"
    out = diagnostics_for(make_site, {"content/people/zoe.md": text})
    assert out == ["content/people/zoe.md:3:8: YAML anchors and aliases are not allowed in front matter"]


def test_config_unknown_key(make_site) -> None:
    out = diagnostics_for(make_site, {"trombino.yaml": "title: X\nlanguge: fr\n"})
    assert out == ["trombino.yaml:2:1: unknown key 'languge' (did you mean 'language'?)"]


def test_overbooked_commitments_and_past_until(make_site) -> None:
    text = (
        "---\nname: Zoé\ncommitments:\n"
        "  - {what: A, share: 70, until: 2027-01-01}\n"
        "  - {what: B, share: 40, until: 2025-01-01}\n---\n"
    )
    site = make_site({**MINIMAL_SITE, "content/people/zoe.md": text})
    out = [d.format() for d in load_site(site).diagnostics]
    assert out == [
        "content/people/zoe.md:4:3: commitments add up to 110 %, more than 100 %",
        "content/people/zoe.md:5:33: warning: commitment 'B' ended on 2025-01-01; remove it or extend it",
    ]


def test_opening_fields_only_on_openings(make_site) -> None:
    text = "---\nauthor: ana-lima\ndate: 2026-03-05\nstatus: open\n---\nHi\n"
    out = diagnostics_for(make_site, {"content/posts/2026/03/x.md": text})
    assert out == ["content/posts/2026/03/x.md:4:9: 'status' is only valid for posts of kind 'opening'"]
