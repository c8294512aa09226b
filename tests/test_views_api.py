"""JSON API and vCards: public fields only, stable shape, escaping and folding."""

from __future__ import annotations

import json

from trombino.derive import Index
from trombino.views.api import API_VERSION, people_json, teams_json
from trombino.views.expertise import expert_index
from trombino.views.vcard import fold_line, split_name, vcard

from view_model import REFERENCE, person, post, site


def sample():  # noqa: ANN201
    return site(
        people=[
            person("ana", "Ana Lima", teams=["data"], email="ana@x.example", chat="@ana", skills=["python"], title="Engineer", location="Nantes, office 3", photo="content/people/photos/ana.JPG"),
            person("bob", "Bob Stone", teams=["data"], manager="ana", email="bob@x.example", private=("email", "manager")),
            person("old", "Old Timer", former=True),
        ],
        posts=[post("ana", REFERENCE, tags=["python", "sql"]), post("bob", REFERENCE, tags=["sql"], team="data")],
        base_url="https://d.example/",
        hidden_fields=("chat",),
    )


def test_people_json_shape_and_privacy() -> None:
    s = sample()
    index = Index(s)
    data = json.loads(people_json(s, index, expert_index(s, index)))
    assert data["version"] == API_VERSION and data["reference_date"] == "2026-06-01"
    people = {p["slug"]: p for p in data["people"]}
    assert list(people) == ["ana", "bob", "old"]
    ana, bob = people["ana"], people["bob"]
    assert list(ana) == list(bob) == list(people["old"])  # same keys for everyone, always
    assert ana["email"] == "ana@x.example" and ana["chat"] is None  # chat hidden site-wide
    assert bob["email"] is None and bob["manager"] is None  # private to Bob
    assert ana["photo"] == "https://d.example/people/ana/photo-256.jpg"  # its JPEG thumbnail (trombino.photos)
    assert ana["url"] == "https://d.example/people/ana/" and ana["vcard"] == "https://d.example/people/ana/ana.vcf"
    assert ana["skills"] == ["python"] and ana["teams"] == ["data"]
    assert ana["expertise"] == [
        {"tag": "python", "score": 4.0, "declared": "skills", "updates": 1, "last": "2026-06-01"},
        {"tag": "sql", "score": 1.0, "declared": None, "updates": 1, "last": "2026-06-01"},
    ]
    assert people["old"]["former"] is True and people["old"]["expertise"] == []
    assert data["tags"]["python"]["url"] == "https://d.example/tags/python/"


def test_teams_json() -> None:
    s = sample()
    data = json.loads(teams_json(s, Index(s)))
    (team,) = data["teams"]
    assert team["slug"] == "data" and team["members"] == ["ana", "bob"] and team["updates"] == 1
    assert team["url"] == "https://d.example/teams/data/" and team["feed"] == "https://d.example/feeds/teams/data.xml"


def test_vcard_publishes_only_public_fields() -> None:
    s = sample()
    card = vcard(s, s.people["ana"])
    lines = card.split("\r\n")
    assert lines[0] == "BEGIN:VCARD" and lines[1] == "VERSION:3.0" and lines[-2] == "END:VCARD" and lines[-1] == ""
    assert "FN:Ana Lima" in lines and "N:Lima;Ana;;;" in lines
    assert "ADR;TYPE=WORK:;;;Nantes\\, office 3;;;" in lines  # commas escaped
    assert "EMAIL;TYPE=INTERNET,WORK:ana@x.example" in lines
    assert "URL:https://d.example/people/ana/" in lines and "CATEGORIES:python" in lines
    assert "@ana" not in card  # chat is hidden site-wide
    assert "bob@x.example" not in vcard(s, s.people["bob"])


def test_vcard_lines_fold_at_75_octets_without_splitting_characters() -> None:
    line = "NOTE:" + "é" * 100
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_vcard_names_keep_particles_with_the_family_name() -> None:
    assert split_name("Marguerite de La Fontaine") == ("de La Fontaine", "Marguerite")
    assert split_name("Ana Lima") == ("Lima", "Ana")
    assert split_name("Madonna") == ("Madonna", "")
