"""The pull-request workflow: check --since, build --check-links, codeowners, suggest, stats."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from trombino.build import build
from trombino.codeowners import codeowners_text, ownership
from trombino.derive import Index
from trombino.loader import load_site
from trombino.stats import site_stats, stats_table
from trombino.suggest import SuggestError, edit_profile, evidence, yaml_item
from trombino.theme import Theme

from conftest import REPO, run_cli

# A small organisation: Ana posts a lot, declares little; Bruno has no handle;
# Chloé left; the platform team names its lead, the data team does not.
TEAM_SITE = {
    "trombino.yaml": """
        title: Test Corp
        tag_aliases: {k8s: kubernetes}
    """,
    "content/people/ana-lima.md": """
        ---
        # Ana keeps this file herself.
        name: Ana Lima
        team: platform
        github: "@analima"
        gitlab: ana.lima
        skills: [Python, k8s]  # k8s is kubernetes
        photo: photos/ana.png
        updated: 2026-01-10
        ---
        Ana builds things.
    """,
    "content/people/photos/ana.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "content/people/bruno-diaz.md": """
        ---
        name: Bruno Díaz
        team: data
        manager: dora-ek
        ---
    """,
    "content/people/dora-ek.md": """
        ---
        name: Dora Ek
        team: data
        github: doraek
        availability: {status: available}
        ---
        Dora leads data.
    """,
    "content/people/chloe-martin.md": """
        ---
        name: Chloé Martin
        github: cmartin
        joined: 2019-01-01
        left: 2025-06-30
        ---
    """,
    "content/teams/platform.md": """
        ---
        name: Platform
        leads: [ana-lima]
        ---
    """,
    "content/teams/data.md": """
        ---
        name: Data
        ---
    """,
}


def post(author: str, day: str, tags: str, name: str) -> dict[str, str]:
    return {f"content/posts/{day[:4]}/{name}.md": f"---\nauthor: {author}\ndate: {day}\n---\nNews. {tags}\n"}


def ana_posts() -> dict[str, str]:
    files: dict[str, str] = {}
    # terraform: 3 recent updates → suggested; kubernetes (alias k8s) is declared → never;
    # go: 2 → below the default threshold; rust: 3, but more than a year before the newest post.
    for i, day in enumerate(("2026-01-05", "2026-02-11", "2026-03-02")):
        files.update(post("ana-lima", day, "#terraform #kubernetes", f"tf-{i}"))
    for i, day in enumerate(("2026-02-20", "2026-03-01")):
        files.update(post("ana-lima", day, "#go", f"go-{i}"))
    for i, day in enumerate(("2024-11-01", "2024-12-01", "2025-01-15")):
        files.update(post("ana-lima", day, "#rust", f"rust-{i}"))
    files.update(post("dora-ek", "2026-03-05", "#dbt", "dora-1"))
    return files


@pytest.fixture
def team_site(make_site) -> Path:  # noqa: ANN001
    return make_site({**TEAM_SITE, **ana_posts()})


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2026-01-01T12:00:00", "GIT_COMMITTER_DATE": "2026-01-01T12:00:00"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def init_repo(repo: Path) -> str:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return git(repo, "rev-parse", "HEAD").strip()


# --- check --since ------------------------------------------------------------------


def test_check_since_puts_the_pull_requests_faults_first(team_site: Path) -> None:
    init_repo(team_site)
    # Already broken on main: not this pull request's fault.
    (team_site / "content/teams/data.md").write_text("---\nname: Data\nparent: nowhere\n---\n")
    git(team_site, "commit", "-q", "-am", "main breaks data")
    base = git(team_site, "rev-parse", "HEAD").strip()
    # The pull request: edits Bruno's profile and adds a post, both with faults.
    (team_site / "content/people/bruno-diaz.md").write_text("---\nname: Bruno Díaz\nteam: data\nmanager: dora\n---\n")
    (team_site / "content/posts/2026/new.md").write_text("---\nauthor: bruno-diaz\ndate: 2026-03-09\n---\nHi @nobody\n")
    result = run_cli("check", "--source", str(team_site), "--since", base)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/people/bruno-diaz.md:4:10: unknown manager 'dora' (did you mean 'dora-ek'?)",
        "content/posts/2026/new.md:5:4: unknown person '@nobody'",
        "content/teams/data.md:3:9: unknown parent team 'nowhere'",
    ]
    assert "Your files: 1 error in content/people/bruno-diaz.md; 1 error in content/posts/2026/new.md." in result.stderr
    assert "Elsewhere: 1 error in content/teams/data.md." in result.stderr

    github = run_cli("check", "--source", str(team_site), "--since", base, "--format", "github")
    assert github.stdout.splitlines()[0] == "::error file=content/people/bruno-diaz.md,line=4,col=10::unknown manager 'dora' (did you mean 'dora-ek'?)"
    assert "Your files: 1 error in content/people/bruno-diaz.md" in github.stderr  # the log keeps its summary

    gitlab = run_cli("check", "--source", str(team_site), "--since", base, "--format", "gitlab")
    report = json.loads(gitlab.stdout)
    assert report[0]["location"] == {"path": "content/people/bruno-diaz.md", "lines": {"begin": 4}}
    assert report[0]["severity"] == "major" and report[0]["check_name"] == "trombino"
    assert len({issue["fingerprint"] for issue in report}) == 3


def test_check_since_unknown_ref_is_an_error_not_an_empty_change(team_site: Path) -> None:
    init_repo(team_site)
    result = run_cli("check", "--source", str(team_site), "--since", "origin/nope")
    assert result.returncode == 2
    assert "error: --since origin/nope: unknown git reference 'origin/nope'" in result.stderr


def test_check_since_outside_git_says_so(team_site: Path) -> None:
    result = run_cli("check", "--source", str(team_site), "--since", "HEAD")
    assert result.returncode == 2
    assert "not a git repository" in result.stderr


# --- build --check-links -----------------------------------------------------------


def test_build_check_links_fails_on_a_dead_link_and_keeps_the_previous_site(team_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("build", "--source", str(team_site), "--output", str(out), "--check-links").returncode == 0
    before = (out / "people/index.html").read_bytes()
    config = team_site / "trombino.yaml"
    config.write_text(config.read_text() + "theme: mine\n")
    (team_site / "themes/mine/templates").mkdir(parents=True)
    (team_site / "themes/mine/templates/people.html").write_text(
        '{% extends "default/people.html" %}\n{% block content %}\n{{ super() }}\n'
        '<p><a href="{{ link.url(\'handbook/\') }}">Handbook</a> <img src="{{ link.url(\'static/logo.png\') }}" alt=""></p>\n{% endblock %}\n'
    )
    result = run_cli("build", "--source", str(team_site), "--output", str(out), "--check-links")
    assert result.returncode == 1
    html = out.parent / "probe"
    built = build(team_site, html)  # without link checking the same site builds
    assert built.ok
    line = next(i for i, text in enumerate((html / "people/index.html").read_text().splitlines(), 1) if "handbook/" in text)
    assert f"people/index.html:{line}:1: broken link to ../handbook/" in result.stderr
    assert f"people/index.html:{line}:1: broken link to ../static/logo.png" in result.stderr
    assert "Build failed: 2 errors in people/index.html. The previous site was left untouched." in result.stderr
    assert (out / "people/index.html").read_bytes() == before


# --- codeowners ----------------------------------------------------------------------


def test_codeowners_people_own_their_profile_and_leads_their_team(team_site: Path) -> None:
    site = load_site(team_site).site
    result = ownership(site, Index(site), "github")
    assert codeowners_text(result, "github") == (
        "# Generated by `trombino codeowners --platform github`: do not edit by hand;\n"
        "# change the profiles (github/gitlab fields, team leads) and run it again.\n"
        "\n"
        "# Each person owns their own profile and photo.\n"
        "/content/people/ana-lima.md     @analima\n"
        "/content/people/photos/ana.png  @analima\n"
        "/content/people/dora-ek.md      @doraek\n"
        "\n"
        "# Team leads own their team's file.\n"
        "/content/teams/data.md          @doraek\n"  # derived lead: manages a member
        "/content/teams/platform.md      @analima\n"  # declared lead
    )
    assert result.unowned_people == ("bruno-diaz",)  # Chloé left: her account is not asked
    gitlab = ownership(site, Index(site), "gitlab", prefix="directory/")
    assert [(r.path, r.owners) for r in gitlab.rules] == [
        ("/directory/content/people/ana-lima.md", ("@ana.lima",)),
        ("/directory/content/people/photos/ana.png", ("@ana.lima",)),
        ("/directory/content/teams/platform.md", ("@ana.lima",)),
    ]
    assert gitlab.unowned_teams == ("data",)


def test_codeowners_cli_writes_checks_and_uses_the_repository_prefix(make_site, tmp_path: Path) -> None:  # noqa: ANN001
    repo = tmp_path / "repo"
    site = make_site({**TEAM_SITE}, name="repo/directory")
    init_repo(repo)
    target = repo / ".github/CODEOWNERS"
    written = run_cli("codeowners", "--source", str(site), "--output", str(target))
    assert written.returncode == 0, written.stderr
    assert "Wrote" in written.stderr and "1 person has no github handle" in written.stderr
    text = target.read_text()
    assert "/directory/content/people/ana-lima.md" in text and "@analima" in text
    assert run_cli("codeowners", "--source", str(site), "--output", str(target), "--check").returncode == 0
    assert run_cli("codeowners", "--source", str(site), "--check").returncode == 2  # --check needs --output
    profile = site / "content/people/dora-ek.md"
    profile.write_text(profile.read_text().replace("github: doraek", "github: dora-ek"))
    stale = run_cli("codeowners", "--source", str(site), "--output", str(target), "--check")
    assert stale.returncode == 1
    assert "is out of date" in stale.stderr
    assert target.read_text() == text  # --check changes nothing
    printed = run_cli("codeowners", "--source", str(site), "--platform", "gitlab")
    assert "@ana.lima" in printed.stdout and "@dora" not in printed.stdout


def test_invalid_handles_are_content_errors(make_site) -> None:  # noqa: ANN001
    site = make_site({**TEAM_SITE, "content/people/dora-ek.md": "---\nname: Dora Ek\ngithub: dora ek\ngitlab: -dora\n---\n"})
    result = run_cli("check", "--source", str(site))
    assert "content/people/dora-ek.md:3:9: 'github' must be a GitHub user name such as 'emarchand', not 'dora ek'" in result.stdout
    assert "content/people/dora-ek.md:4:9: 'gitlab' must be a GitLab user name such as 'emarchand', not '-dora'" in result.stdout
    refused = run_cli("codeowners", "--source", str(site))
    assert refused.returncode == 1 and refused.stdout == ""
    assert "Fix them first" in refused.stderr


# --- suggest ---------------------------------------------------------------------------


def test_evidence_counts_recent_undeclared_tags_after_aliases(team_site: Path) -> None:
    site = load_site(team_site).site
    index = Index(site)
    assert [(e.tag, len(e.posts)) for e in evidence(site, index, "ana-lima")] == [("terraform", 3)]
    assert [(e.tag, len(e.posts)) for e in evidence(site, index, "ana-lima", min_posts=2)] == [("terraform", 3), ("go", 2)]
    assert [e.tag for e in evidence(site, index, "ana-lima", window_days=900)] == ["terraform", "rust"]  # most updates, then the latest
    assert evidence(site, index, "chloe-martin") == ()  # former colleagues get no advice


def test_suggest_prints_a_diff_that_keeps_comments_and_applies(team_site: Path) -> None:
    profile = team_site / "content/people/ana-lima.md"
    original = profile.read_text()
    result = run_cli("suggest", "ana-lima", "--source", str(team_site))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "--- a/content/people/ana-lima.md\n"
        "+++ b/content/people/ana-lima.md\n"
        "@@ -4,7 +4,7 @@\n"
        " team: platform\n"
        ' github: "@analima"\n'
        " gitlab: ana.lima\n"
        "-skills: [Python, k8s]  # k8s is kubernetes\n"
        "+skills: [Python, k8s, terraform]  # k8s is kubernetes\n"
        " photo: photos/ana.png\n"
        " updated: 2026-01-10\n"
        " ---\n"
    )
    assert "ana-lima: add to skills: terraform (3 updates, latest 2026-03-02)" in result.stderr
    assert profile.read_text() == original  # printing changes nothing
    # The diff is a real patch, relative to the site folder.
    patch = subprocess.run(["patch", "-p1", "--dry-run"], cwd=team_site, input=result.stdout, capture_output=True, text=True)
    assert patch.returncode == 0, patch.stdout + patch.stderr

    applied = run_cli("suggest", "ana-lima", "--source", str(team_site), "--apply", "--min-posts", "2")
    assert applied.returncode == 0, applied.stderr
    assert "Updated content/people/ana-lima.md" in applied.stderr
    text = profile.read_text()
    assert text == original.replace("skills: [Python, k8s]", "skills: [Python, k8s, terraform, go]")
    assert text.startswith("---\n# Ana keeps this file herself.\n")
    loaded = load_site(team_site)
    assert loaded.diagnostics == []
    assert loaded.site.people["ana-lima"].skills == ("python", "kubernetes", "terraform", "go")
    again = run_cli("suggest", "ana-lima", "--source", str(team_site), "--min-posts", "2")
    assert (again.returncode, again.stdout) == (0, "")
    assert "ana-lima: nothing to suggest" in again.stderr
    assert not list(profile.parent.glob(".*.tmp"))  # the atomic write left nothing behind


def test_suggest_block_list_absent_field_and_crlf(team_site: Path) -> None:
    profile = team_site / "content/people/ana-lima.md"
    profile.write_bytes(
        b"---\r\nname: Ana Lima\r\nteam: platform\r\nskills:\r\n  - Python   # since 2010\r\n  - k8s\r\n# what I like\r\ninterests: [cooking]\r\n---\r\nBio.\r\n"
    )
    assert run_cli("suggest", "ana-lima", "--source", str(team_site), "--apply").returncode == 0
    assert profile.read_bytes() == (
        b"---\r\nname: Ana Lima\r\nteam: platform\r\nskills:\r\n  - Python   # since 2010\r\n  - k8s\r\n  - terraform\r\n"
        b"# what I like\r\ninterests: [cooking]\r\n---\r\nBio.\r\n"
    )
    profile.write_text("---\nname: Ana Lima\nteam: platform\nlanguages:\n  - Portuguese\n# likes\ninterests: [cooking]\n---\n")
    assert run_cli("suggest", "ana-lima", "--source", str(team_site), "--apply").returncode == 0
    assert profile.read_text() == "---\nname: Ana Lima\nteam: platform\nlanguages:\n  - Portuguese\nskills: [kubernetes, terraform]\n# likes\ninterests: [cooking]\n---\n"


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("skills: []", "skills: [x, \"C#\"]"),
        ("skills: [a, b,]  # c", "skills: [a, b, x, \"C#\",]  # c"),
        ("skills: [a,\n  b  # note\n]", "skills: [a,\n  b, x, \"C#\"  # note\n]"),
        ("skills:   # fill me", "skills: [x, \"C#\"]   # fill me"),
        ("skills: ~", "skills: [x, \"C#\"]"),
        ("skills:\n- a", "skills:\n- a\n- x\n- \"C#\""),
        ("name: A\ntitle: |\n  two\n  lines\nteam: t", "name: A\ntitle: |\n  two\n  lines\nteam: t\nskills: [x, \"C#\"]"),
    ],
)
def test_edit_profile_edits_text_in_place(front: str, expected: str) -> None:
    assert edit_profile(f"---\n{front}\n---\nbody\n", "skills", ["x", "C#"]) == f"---\n{expected}\n---\nbody\n"


def test_edit_profile_refuses_what_it_cannot_do_safely() -> None:
    with pytest.raises(SuggestError, match="'skills' is not a list"):
        edit_profile("---\nskills: Python\n---\n", "skills", ["x"])
    with pytest.raises(SuggestError, match="without changing something else"):
        edit_profile("---\nskills: [a]\nskills: [b]\n---\n", "skills", ["x"])  # the second key wins in YAML
    with pytest.raises(SuggestError, match="no front matter"):
        edit_profile("name: x\n", "skills", ["x"])


def test_yaml_items_stay_text() -> None:
    assert [yaml_item(t) for t in ("Python", "machine learning", "C++", "C#", "yes", "3.10", "a: b", "l'été")] == [
        "Python", "machine learning", "C++", '"C#"', '"yes"', '"3.10"', '"a: b"', '"l\'été"'
    ]


def test_suggest_all_and_since(team_site: Path) -> None:
    base = init_repo(team_site)
    everyone = run_cli("suggest", "--all", "--source", str(team_site))
    assert everyone.returncode == 0
    assert everyone.stdout.count("--- a/") == 1 and "ana-lima.md" in everyone.stdout
    assert "Suggestions for 1 of 3 people." in everyone.stderr
    # A pull request touching only Dora's files proposes nothing for Ana.
    (team_site / "content/posts/2026/dora-2.md").write_text("---\nauthor: dora-ek\ndate: 2026-03-06\n---\nMore #dbt\n")
    since = run_cli("suggest", "--since", base, "--source", str(team_site))
    assert (since.returncode, since.stdout) == (0, "")
    assert "Suggestions for 0 of 1 people." in since.stderr
    usage = run_cli("suggest", "ana-lima", "--all", "--source", str(team_site))
    assert usage.returncode == 2
    unknown = run_cli("suggest", "ana-lim", "--source", str(team_site))
    assert unknown.returncode == 1 and "unknown person 'ana-lim' (did you mean 'ana-lima'?)" in unknown.stderr


# --- stats ------------------------------------------------------------------------------


def test_site_stats(team_site: Path) -> None:
    site = load_site(team_site).site
    stats = site_stats(site, Index(site))
    assert (stats.people, stats.former, stats.teams, stats.team_files, stats.posts) == (3, 1, 2, 2, 9)
    assert stats.reference_date.isoformat() == "2026-03-05"
    assert stats.recent_posts == ((30, 5), (90, 6))
    assert stats.active_authors == 2 and stats.active_percent == 67
    assert {s.name: (s.count, s.total) for s in stats.completeness} == {
        "photo": (1, 3), "skills": (1, 3), "availability": (1, 3), "bio": (2, 3), "handle": (2, 3)
    }
    assert [(s.person.slug, s.last_activity) for s in stats.stale] == [("bruno-diaz", None)]
    assert [(u.tag.key, u.people, u.posts) for u in stats.top_tags][:3] == [("kubernetes", 1, 3), ("rust", 0, 3), ("terraform", 0, 3)]
    assert [m.strftime("%Y-%m") for m, _ in stats.months][0] == "2025-04"
    assert dict((m.strftime("%Y-%m"), n) for m, n in stats.months)["2026-03"] == 3
    table = stats_table(stats, "Test Corp", 180)
    assert "People          3 current, 1 former" in table
    assert re.search(r"photo\s+1/3\s+33 %", table)
    assert re.search(r"Bruno Díaz\s+content/people/bruno-diaz.md\s+never", table)


def test_stats_cli_and_page(team_site: Path, tmp_path: Path) -> None:
    text = run_cli("stats", "--source", str(team_site))
    assert text.returncode == 0, text.stderr
    assert "Stale profiles: 1 (no profile change and no update for 180 days)" in text.stdout
    data = json.loads(run_cli("stats", "--source", str(team_site), "--format", "json").stdout)
    assert data["completeness"]["photo"] == {"count": 1, "total": 3, "percent": 33}
    assert data["stale"] == [{"slug": "bruno-diaz", "path": "content/people/bruno-diaz.md", "last_activity": None}]
    out = tmp_path / "out"
    assert build(team_site, out).ok
    page = (out / "stats/index.html").read_text()
    assert "<h1>Directory statistics</h1>" in page
    assert re.search(r'<meter min="0" max="3" value="1"[^>]*>33 %</meter>', page)
    assert 'href="../people/bruno-diaz/">Bruno Díaz</a>' in page
    assert 'href="stats/"' in (out / "index.html").read_text()  # the footer links to it
    french = team_site / "trombino.yaml"
    french.write_text(french.read_text() + "language: fr\n")
    assert build(team_site, out).ok
    assert "<h1>Statistiques de l’annuaire</h1>" in (out / "stats/index.html").read_text()


# --- publishing docs: the cache rules match what a build writes ------------------------------


def test_publishing_doc_cache_pattern_matches_fingerprinted_files_only(demo_site: Path) -> None:
    doc = (REPO / "docs/publishing.md").read_text(encoding="utf-8")
    nginx = re.search(r'"~\*(.+?)"\s+"public, max-age=31536000, immutable";', doc)
    assert nginx, "docs/publishing.md must keep the nginx map rule for fingerprinted files"
    pattern = nginx.group(1)
    assert f'<FilesMatch "{pattern}">' in doc  # Apache
    assert f'<add input="{{URL}}" pattern="{pattern}" />' in doc  # IIS
    immutable = re.compile(pattern, re.I)
    files = ["/" + p.relative_to(demo_site).as_posix() for p in demo_site.rglob("*") if p.is_file()]
    # What the theme fingerprints, and the search index scripts, which are fingerprinted too.
    theme = Theme(REPO, load_site(REPO).site.config.theme)
    fingerprinted = {"/" + a.output_path for a in theme.assets.values() if a.output_path != f"static/{a.name}"}
    fingerprinted |= {f for f in files if f.startswith("/static/search/") and f.endswith(".js")}
    assert "/static/style.css" not in files and any(f.startswith("/static/style.") for f in fingerprinted)
    assert sorted(f for f in files if immutable.search(f)) == sorted(fingerprinted)
    assert not any(immutable.search(f) for f in files if f.endswith((".html", ".xml", ".json", ".vcf", ".svg")))
