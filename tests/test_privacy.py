"""Hidden fields appear nowhere: not in any page, feed, JSON file, vCard,
search index or any other file of the output, in any form (escaped, folded,
tokenised). Each value is a distinctive single word, so grepping the whole
output tree, case-insensitively, finds every leak.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import pytest

from trombino.build import build
from trombino.privacy import HIDEABLE

from conftest import MINIMAL_SITE

def png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    stream = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(stream, "PNG")
    return stream.getvalue()

# One distinctive word per hideable field: what must never be published when hidden.
MARKERS = {
    "email": "zqmailword@example.com",
    "chat": "@zqchatword",
    "location": "zqlocationword",
    "timezone": "Pacific/Chatham",
    "pronouns": "zqpronounword",
    "pronunciation": "zqpronunciationword",
    "title": "zqtitleword",
    "languages": "zqlanguageword",
    "github": "zqgithubword",
    "gitlab": "zqgitlabword",
    "links": "https://zqlinkword.example/",
    "skills": "zqskillword",
    "interests": "zqinterestword",
    "ask_me_about": "zqaskword",
    "availability": "zqavailabilityword",
    "commitments": "zqcommitmentword",
    "bio": "zqbioword",
    "joined": "1987-06-05",
    "updated": "1988-07-06",
    "open_to": "speaking",  # an enum: checked on the person's own files only
    "manager": "zqmanager",
    "teams": "zqteam",
    "photo": "zqphotomarker",
}


def profile(slug_word: str, private: list[str]) -> str:
    """A profile filling every hideable field with its marker (prefixed, to tell two people apart)."""
    m = {k: v.replace("zq", slug_word) if k not in ("timezone", "open_to", "joined", "updated") else v for k, v in MARKERS.items()}
    return f"""---
name: Person {slug_word}
title: {m["title"]}
teams: [{m["teams"]}]
manager: {m["manager"]}
location: {m["location"]}
timezone: {m["timezone"]}
email: "{m["email"]}"
chat: "{m["chat"]}"
pronouns: {m["pronouns"]}
pronunciation: {m["pronunciation"]}
languages: [{m["languages"]}]
github: {m["github"]}
gitlab: {m["gitlab"]}
links: {{Site: "{m["links"]}", Phone: "tel:+33-6-12-34-{slug_word}"}}
skills: [{m["skills"]}]
interests: [{m["interests"]}]
ask_me_about: [{m["ask_me_about"]}]
availability: {{status: partial, note: {m["availability"]}}}
commitments: [{{what: {m["commitments"]}, share: 20, link: "https://{m["commitments"]}.example/"}}]
open_to: [{m["open_to"]}]
joined: {m["joined"]}
updated: {m["updated"]}
photo: photos/{slug_word}.png
private: [{", ".join(private)}]
---
Bio with {m["bio"]} inside.
"""


def site_files(private: list[str], hidden_fields: list[str] | None = None) -> dict[str, str | bytes]:
    """Two people: 'zq' hides `private`, 'xk' hides nothing; both post, mention each other, lead and manage."""
    config = "title: Privacy Corp\n"
    if hidden_fields is not None:
        config += f"publish:\n  hidden_fields: [{', '.join(hidden_fields)}]\n"
    files: dict[str, str | bytes] = {**MINIMAL_SITE, "trombino.yaml": config}
    for word, hides in (("zq", private), ("xk", [])):
        files[f"content/people/{word}-person.md"] = profile(word, hides)
        files[f"content/people/{word}manager.md"] = f"---\nname: Manager {word}\n---\n"
        files[f"content/people/photos/{word}.png"] = png((200, 30, 30) if word == "zq" else (30, 30, 200))
        files[f"content/posts/2026/03/{word}-post.md"] = f"---\nauthor: {word}-person\ndate: 2026-03-06\n---\nHello @ana-lima #python\n"
    files["content/posts/2026/03/mention.md"] = "---\nauthor: ana-lima\ndate: 2026-03-07\n---\nThanks @zq-person and @xk-person\n"
    return files


def forms(value: str) -> set[str]:
    """Every way a value can be written out, lower-cased: as is, HTML- and JSON-escaped, and its words."""
    lowered = value.lower()
    found = {lowered, html.escape(lowered), json.dumps(lowered)[1:-1]}
    if not value[:1].isdigit() and "/" not in value:
        found |= {w for w in lowered.replace("@", " ").replace(".", " ").replace(":", " ").split() if w.startswith(("zq", "xk"))}
    return found


def leaks(output: Path, values: dict[str, str]) -> dict[str, list[str]]:
    """For each field, the output files holding its value in any form."""
    texts = {p.relative_to(output).as_posix(): p.read_bytes().decode("utf-8", "replace").lower() for p in output.rglob("*") if p.is_file()}
    found: dict[str, list[str]] = {}
    for name, value in values.items():
        hits = sorted(path for path, text in texts.items() if any(form in text for form in forms(value)))
        if hits:
            found[name] = hits
    return found


def own_markers(word: str, fields: list[str]) -> dict[str, str]:
    words = {k: v.replace("zq", word) for k, v in MARKERS.items()}
    return {k: words[k] for k in fields if k not in ("timezone", "open_to", "joined", "updated")}


def build_site(make_site, tmp_path: Path, files: dict) -> Path:  # noqa: ANN001
    out = tmp_path / "out"
    result = build(make_site(files), out)
    assert result.ok, [d.format() for d in result.diagnostics]
    return out


# Fields whose marker is a free word. The others are checked on the person's own files: typed
# values (a time zone, a date, an enum) and the manager, who has a public page of their own.
WORD_FIELDS = sorted(f for f in HIDEABLE if f in MARKERS and f not in ("timezone", "open_to", "joined", "updated", "manager", "photo"))


def photo_files(out: Path, slug: str) -> list[str]:
    return sorted(p.name for p in (out / "people" / slug).glob("photo*"))


def test_every_hideable_field_is_covered() -> None:
    assert set(MARKERS) == set(HIDEABLE)


def test_nothing_hidden_means_everything_published(make_site, tmp_path: Path) -> None:
    """The control: without privacy settings, every marker is found — so the grep below can find leaks."""
    out = build_site(make_site, tmp_path, site_files(private=[]))
    published = leaks(out, own_markers("zq", WORD_FIELDS))
    assert sorted(published) == WORD_FIELDS
    assert photo_files(out, "zq-person")
    assert "photo-" in (out / "people/zq-person/index.html").read_text()


def test_private_fields_of_one_person_appear_in_no_file(make_site, tmp_path: Path) -> None:
    out = build_site(make_site, tmp_path, site_files(private=sorted(HIDEABLE)))
    assert leaks(out, own_markers("zq", WORD_FIELDS)) == {}
    # The other person, who hides nothing, is unaffected.
    assert sorted(leaks(out, own_markers("xk", WORD_FIELDS))) == WORD_FIELDS
    # Typed values, on every file about this person (their page, vCard, feed) and in the JSON API.
    person_files = [p for p in out.rglob("*") if p.is_file() and "zq-person" in p.as_posix()]
    assert len(person_files) >= 3
    for path in person_files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for value in ("Pacific/Chatham", "1987", "1988", "speaking"):
            assert value not in text, (path, value)
    api = json.loads((out / "api/people.json").read_text())
    zq = next(p for p in api["people"] if p["slug"] == "zq-person")
    assert zq["timezone"] is None and zq["joined"] is None and zq["open_to"] == [] and zq["photo"] is None
    assert photo_files(out, "zq-person") == [] and photo_files(out, "xk-person")
    assert not [p for p in out.rglob("*") if p.is_file() and "zq-person/photo" in p.read_text(errors="replace")]


@pytest.mark.parametrize("field", ["email", "chat", "location", "links", "bio", "title", "skills", "commitments", "availability", "teams"])
def test_one_private_field_hides_just_that_field(make_site, tmp_path: Path, field: str) -> None:
    out = build_site(make_site, tmp_path, site_files(private=[field]))
    found = leaks(out, own_markers("zq", WORD_FIELDS))
    assert field not in found, found.get(field)
    assert sorted(found) == sorted(set(WORD_FIELDS) - {field})


def test_hidden_manager_links_neither_way(make_site, tmp_path: Path) -> None:
    out = build_site(make_site, tmp_path, site_files(private=["manager"]))
    for path in out.rglob("*"):
        if path.is_file() and "zq-person" in path.as_posix():
            assert "zqmanager" not in path.read_text(encoding="utf-8", errors="replace"), path
    manager_files = [p for p in out.rglob("*") if p.is_file() and "zqmanager" in p.as_posix()]
    assert manager_files
    for path in manager_files:
        assert "zq-person" not in path.read_text(encoding="utf-8", errors="replace"), path
    org = (out / "org/index.html").read_text()
    assert "zqmanager" in org and org.count("zq-person") >= 1  # still on the chart, without the manager link
    xk = (out / "people/xk-person/index.html").read_text()
    assert "xkmanager" in xk  # the control: a visible manager is shown


def test_site_wide_hidden_fields_apply_to_everyone(make_site, tmp_path: Path) -> None:
    hidden = ["email", "chat", "location", "links", "pronunciation"]
    out = build_site(make_site, tmp_path, site_files(private=[], hidden_fields=hidden))
    for word in ("zq", "xk"):
        found = leaks(out, own_markers(word, WORD_FIELDS))
        assert not set(found) & set(hidden), {k: found[k] for k in set(found) & set(hidden)}
        assert sorted(found) == sorted(set(WORD_FIELDS) - set(hidden))
    assert "+33-6-12-34" not in "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())  # the phone link


def test_privacy_settings_are_validated(make_site) -> None:
    from trombino.loader import load_site

    files = {**MINIMAL_SITE, "trombino.yaml": "title: T\npublish:\n  hidden_fields: [emial]\n", "content/people/zoe.md": "---\nname: Zoé\nprivate: [name]\n---\n"}
    messages = [d.format() for d in load_site(make_site(files)).diagnostics]
    assert len(messages) == 2
    assert messages[0].startswith("content/people/zoe.md:3:11: 'private' cannot hide 'name'")
    assert messages[1].startswith("trombino.yaml:3:19: 'publish.hidden_fields' cannot hide 'emial'")
