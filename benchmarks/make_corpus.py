"""Deterministic benchmark corpus: a fictional company of any size, valid for `trombino check`.

    python benchmarks/make_corpus.py --people 1000 --updates 10000 --seed 1 --out /tmp/corpus-s
    python benchmarks/make_corpus.py ... --hugo /tmp/hugo-s   # the same content as a Hugo site

People get realistic (often accented) names, a team in a two-level tree, a
manager; skills and authors follow Zipf distributions; updates span three
years with tags, mentions and kinds.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

GIVEN = (
    "Éloïse Gaël Zoé Anaïs Noël Björn Chloé François Inès Jérôme Hélène Léa Mathéo Célia Raphaël Océane Loïc Maëlle "
    "Amelia Callum Priya Samuel Kofi Tomasz Agathe Hugo Camille Lucas Emma Jules Manon Théo Louise Nathan Sofia "
    "Yusuf Aiko Mateo Lucía Søren Åsa Dvořák Zoltán Ngozi Aarav Mei Olusegun Ingrid Rafael Leïla Benoît Anouk"
).split()
FAMILY = (
    "Marchand Le Goff Lindqvist Roussel Dubreuil Lambert Vasseur Okafor Haddad Bonnet Perrin Aubert Castel Caradec "
    "Leclerc Moreau Thornbury Price Raman Fraser Wróbel Guérin Jouvet Fabre Nguyen Giraud Whitfield Mensah Morgan "
    "Kowalski Müller García Fernández Rossi Novák Nakamura Ødegaard Østergaard Çelik Yılmaz Dupont Laurent Lefèvre "
    "Mercier Girard Faure André Rousseau Blanc Guerin Muller Henry Roussel Nicolas Perrot Morin Mathieu Clément"
).split()
DEPARTMENTS = ("engineering", "operations", "sales", "finance", "people", "research", "support", "design")
SKILLS = (
    "python postgresql kubernetes devops security accessibility react typescript rust c++ c# .net java go "
    "machine-learning observability supply-chain lean comptabilité recrutement sécurité ux-research data dbt "
    "terraform aws azure gcp linux networking kafka spark airflow figma product-management sql excel sap "
    "negotiation onboarding training legal gdpr embedded firmware robotics quality kaizen finops billing "
    "forecasting testing qa mobile ios android swift kotlin graphql api-design architecture incident-response"
).split()
KINDS = ("update",) * 14 + ("decision",) * 3 + ("question",) * 2 + ("announcement",)
SENTENCES = (
    "Shipped the new {a} pipeline today, thanks @{m} for the review.",
    "Nous avons terminé la migration {a} ; merci à @{m} pour son aide.",
    "Quick question: who has experience with {a} at scale?",
    "Decision: we standardise on {a} for new services from next quarter, @{m} owns the rollout.",
    "Retour d'expérience sur {a} : moins de complexité, plus de tests.",
    "Pairing session on {a} this Thursday; ping @{m} if you want to join.",
    "Lessons learned from last week's incident, mostly about {a} and alerting.",
    "Le nouvel atelier {a} démarre lundi, inscriptions ouvertes.",
)


@dataclass(frozen=True)
class Person:
    slug: str
    name: str
    team: str
    manager: str | None
    skills: tuple[str, ...]


def zipf_choice(rng: random.Random, items: list | tuple, s: float = 1.1):  # noqa: ANN201
    """Pick with probability ∝ 1/rank^s (cumulative weights cached per list)."""
    key = (id(items), s)
    weights = _CUMULATIVE.get(key)
    if weights is None:
        total, weights = 0.0, []
        for rank in range(1, len(items) + 1):
            total += 1 / rank**s
            weights.append(total)
        _CUMULATIVE[key] = weights
    return rng.choices(items, cum_weights=weights, k=1)[0]


_CUMULATIVE: dict = {}


def make_people(rng: random.Random, count: int) -> tuple[list[Person], dict[str, tuple[str, str | None]]]:
    team_count = max(2, count // 12)
    departments = [d for d in DEPARTMENTS[: max(2, min(len(DEPARTMENTS), team_count // 4 or 2))]]
    teams: dict[str, tuple[str, str | None]] = {d: (d.title(), None) for d in departments}
    sub_teams = [f"{departments[i % len(departments)]}-{i // len(departments) + 1}" for i in range(team_count)]
    for slug in sub_teams:
        parent = slug.rsplit("-", 1)[0]
        teams[slug] = (f"{parent.title()} {slug.rsplit('-', 1)[1]}", parent)
    people: list[Person] = []
    used: set[str] = set()
    leads: dict[str, str] = {}
    ceo = None
    for index in range(count):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        name = f"{given} {family}"
        base = "".join(ch for ch in _ascii(name).lower().replace(" ", "-") if ch.isalnum() or ch == "-")
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        if index == 0:
            team, manager = departments[0], None
            ceo = slug
        elif index <= len(departments):
            team, manager = departments[index - 1], ceo
            leads[team] = slug
        else:
            team = sub_teams[(index - len(departments) - 1) % len(sub_teams)]
            parent = teams[team][1]
            if team not in leads:
                leads[team] = slug
                manager = leads.get(parent or "", ceo)
            else:
                manager = leads[team]
        skills = tuple(dict.fromkeys(zipf_choice(rng, SKILLS) for _ in range(rng.randint(1, 6))))
        people.append(Person(slug, name, team, manager, skills))
    return people, teams


def _ascii(text: str) -> str:
    import unicodedata

    text = text.translate(str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "ı": "i", "ß": "ss"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def write_trombino(out: Path, people: list[Person], teams: dict, updates: list[dict]) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "content/people").mkdir(parents=True)
    (out / "content/teams").mkdir(parents=True)
    (out / "trombino.yaml").write_text("title: Benchmark Corp\nlanguage: en\ntimezone: Europe/Paris\ntag_aliases: {k8s: kubernetes}\n")
    for slug, (name, parent) in teams.items():
        text = f"---\nname: {name}\n" + (f"parent: {parent}\n" if parent else "") + f"---\nThe {name} team.\n"
        (out / f"content/teams/{slug}.md").write_text(text)
    for p in people:
        skills = ", ".join(_yaml_str(s) for s in p.skills)
        text = f"---\nname: {p.name}\nteam: {p.team}\n" + (f"manager: {p.manager}\n" if p.manager else "")
        text += f"title: Specialist\nlocation: Nantes\nskills: [{skills}]\n---\nI work on {', '.join(p.skills)}.\n"
        (out / f"content/people/{p.slug}.md").write_text(text)
    folders: set[Path] = set()
    for u in updates:
        folder = out / "content/posts" / f"{u['date']:%Y}" / f"{u['date']:%m}"
        if folder not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        tags = ", ".join(_yaml_str(t) for t in u["tags"])
        text = f"---\nauthor: {u['author']}\ndate: {u['date'].isoformat()}\nkind: {u['kind']}\ntags: [{tags}]\n---\n{u['body']}\n"
        (folder / f"{u['slug']}.md").write_text(text)


def write_hugo(out: Path, people: list[Person], updates: list[dict]) -> None:
    """The same people and updates as a minimal Hugo site (pages + posts with tags/authors taxonomies)."""
    if out.exists():
        shutil.rmtree(out)
    (out / "content/people").mkdir(parents=True)
    (out / "layouts/_default").mkdir(parents=True)
    (out / "hugo.toml").write_text(
        'baseURL = "http://example.org/"\ntitle = "Benchmark Corp"\n'
        "[taxonomies]\n  tag = 'tags'\n  author = 'authors'\n"
    )
    layouts = {
        "baseof.html": "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><nav><a href=\"/\">Home</a></nav>{{ block \"main\" . }}{{ end }}</body></html>",
        "single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ range .Params.tags }}<a href=\"/tags/{{ . | urlize }}/\">{{ . }}</a> {{ end }}{{ .Content }}{{ end }}",
        "list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}",
    }
    for name, text in layouts.items():
        (out / "layouts/_default" / name).write_text(text)
    for p in people:
        (out / f"content/people/{p.slug}.md").write_text(
            f'---\ntitle: "{p.name}"\ntags: [{", ".join(_yaml_str(s) for s in p.skills)}]\n---\nI work on {", ".join(p.skills)}.\n'
        )
    folders: set[Path] = set()
    for u in updates:
        folder = out / "content/posts" / f"{u['date']:%Y}" / f"{u['date']:%m}"
        if folder not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        (folder / f"{u['slug']}.md").write_text(
            f"---\ntitle: \"{u['slug']}\"\ndate: {u['date'].isoformat()}\ntags: [{', '.join(_yaml_str(t) for t in u['tags'])}]\n"
            f"authors: [{u['author']}]\n---\n{u['body']}\n"
        )


def _yaml_str(text: str) -> str:
    return f'"{text}"' if any(c in text for c in "#:,[]{}&*!|>'\"%@`") else text


def make_updates(rng: random.Random, people: list[Person], count: int, end: date) -> list[dict]:
    authors = [p for p in people]
    rng.shuffle(authors)
    start = datetime(end.year - 3, end.month, 1, tzinfo=timezone.utc)
    span = (datetime(end.year, end.month, end.day, tzinfo=timezone.utc) - start).total_seconds()
    updates = []
    for index in range(count):
        author = zipf_choice(rng, authors, 0.8)
        moment = start + timedelta(seconds=int(span * (index + rng.random()) / count))
        topic = zipf_choice(rng, SKILLS) if rng.random() < 0.5 or not author.skills else rng.choice(author.skills)
        mentioned = rng.choice(people).slug
        body = rng.choice(SENTENCES).format(a=topic, m=mentioned)
        inline = zipf_choice(rng, SKILLS)
        if "+" not in inline and "#" not in inline and not inline.startswith("."):
            body += f" #{inline}"
        updates.append(
            {
                "author": author.slug,
                "date": moment,
                "kind": rng.choice(KINDS),
                "tags": (topic,),
                "body": body,
                "slug": f"u{index:06d}",
            }
        )
    return updates


def generate(people_count: int, updates_count: int, seed: int, out: Path | None, hugo: Path | None) -> None:
    rng = random.Random(seed)
    people, teams = make_people(rng, people_count)
    updates = make_updates(rng, people, updates_count, date(2026, 11, 20))
    if out:
        write_trombino(out, people, teams, updates)
    if hugo:
        write_hugo(hugo, people, updates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write a trombino site here (replaced)")
    parser.add_argument("--hugo", type=Path, help="also write the same content as a Hugo site here (replaced)")
    args = parser.parse_args()
    if not args.out and not args.hugo:
        parser.error("give --out and/or --hugo")
    generate(args.people, args.updates, args.seed, args.out, args.hugo)


if __name__ == "__main__":
    main()
