"""The CI examples in examples/ci/ are runnable, not just plausible.

Their YAML parses, every action is pinned to a commit, and every shell step
runs against a temporary copy of this repository (a git repository with a
"main" commit and a pull request on top), with the venv's ``trombino`` on
PATH. Steps that install packages or talk to a platform or a server are
skipped — each one named below with the reason, so a new step cannot slip
through untested.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from trombino.loader import load_site

from conftest import REPO

GITHUB = REPO / "examples/ci/github"
GITLAB = REPO / "examples/ci/gitlab/.gitlab-ci.yml"
COPIED = ("pyproject.toml", "generator", "content", "themes", "trombino.yaml")
VENV_BIN = Path(sys.executable).parent
FIXED_DATE = "2026-11-20T12:00:00+00:00"  # commit dates feed "profile updated": keep them fixed

GITHUB_SKIPPED = {
    ("check.yml", "Install trombino"): "pip install: the venv's trombino is on PATH",
    ("check.yml", "Post the suggestions"): "posts a comment through the GitHub API",
    ("publish.yml", "Install trombino"): "pip install: the venv's trombino is on PATH",
    ("publish.yml", "Upload with rsync and switch atomically"): "needs the intranet server",
}
GITLAB_SKIPPED = {"python -m pip install .": "pip install: the venv's trombino is on PATH"}
MERGE_REQUEST_JOBS = ("check", "suggest", "build")
MAIN_JOBS = ("pages",)
PAGES_URL = "https://example.gitlab.io/directory"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com", "GIT_COMMITTER_NAME": "ci",
           "GIT_COMMITTER_EMAIL": "ci@example.com", "GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


class PullRequest:
    """A copy of the repository: 'main' at ``base``, and a pull request adding three updates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        for name in COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                shutil.copy2(source, root / name)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "main")
        self.base = git(root, "rev-parse", "HEAD")
        site = load_site(root).site
        assert site is not None
        # The contributor posts three times about a topic missing from their profile.
        self.author = next(p for p in site.current_people if "pr-workflow" not in p.declared)
        day = site.reference_date
        for n in range(3):
            path = root / f"content/posts/{day.year}/{day.month:02d}/pr-test-{n}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"---\nauthor: {self.author.slug}\ndate: {day.isoformat()}\n---\nNotes on our #pr-workflow, part {n + 1}.\n")
        git(root, "checkout", "-q", "-b", "pull-request")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "three updates")
        self.head = git(root, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> PullRequest:
    return PullRequest(tmp_path_factory.mktemp("ci") / "repo")


@pytest.fixture
def checkout(pull_request: PullRequest, tmp_path: Path) -> Path:
    """A fresh working copy of the pull request for one test."""
    work = tmp_path / "work"
    shutil.copytree(pull_request.root, work, symlinks=True)
    return work


def base_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "CI": "true"}


def run_script(script: str, cwd: Path, env: dict[str, str], shell: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*shell, "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False)


# --- GitHub Actions --------------------------------------------------------------------

GITHUB_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # what `shell: bash` runs
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def load_workflow(name: str) -> dict:
    workflow = yaml.safe_load((GITHUB / name).read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    return workflow


def github_steps(name: str, job: str, expressions: dict[str, str]) -> list[tuple[dict, dict[str, str]]]:
    """Each `run:` step of a job to execute, with its env resolved; skipped steps are left out."""
    workflow = load_workflow(name)
    assert workflow["defaults"]["run"]["shell"] == "bash"
    result = []
    for step in workflow["jobs"][job]["steps"]:
        if "run" not in step or (name, step["name"]) in GITHUB_SKIPPED:
            continue
        assert "${{" not in step["run"], f"{step['name']}: pass expressions through env, never into the script"

        def resolve(match: re.Match[str]) -> str:
            if match.group(1) not in expressions:
                pytest.fail(f"{name}: {step['name']}: give the test a value for ${{{{ {match.group(1)} }}}}")
            return expressions[match.group(1)]

        env = {key: EXPRESSION.sub(resolve, str(value)) for key, value in (step.get("env") or {}).items()}
        result.append((step, env))
    return result


def run_github_job(name: str, job: str, cwd: Path, tmp_path: Path, expressions: dict[str, str]) -> dict[str, Path]:
    files = {"GITHUB_OUTPUT": tmp_path / "output", "GITHUB_STEP_SUMMARY": tmp_path / "summary", "GITHUB_ENV": tmp_path / "env"}
    for path in files.values():
        path.touch()
    env = {**base_env(tmp_path), **{k: str(v) for k, v in files.items()}, "GITHUB_REPOSITORY": "example/directory",
           "GITHUB_SHA": expressions.get("github.sha", "0" * 40), "GITHUB_WORKSPACE": str(cwd)}
    for step, step_env in github_steps(name, job, expressions):
        result = run_script(step["run"], cwd, {**env, **step_env}, GITHUB_SHELL)
        assert result.returncode == 0, f"{name}: step '{step['name']}' failed:\n{result.stdout}\n{result.stderr}"
    return files


def test_github_workflows_parse_and_pin_everything() -> None:
    for name in ("check.yml", "publish.yml"):
        workflow = load_workflow(name)
        assert workflow["permissions"]["contents"] == "read"
        steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
        for step in steps:
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), f"{step['uses']}: pin actions to a commit"
            if step.get("uses", "").startswith("actions/setup-python@"):
                assert re.fullmatch(r"3\.\d+\.\d+", step["with"]["python-version"])
                assert step["with"]["cache"] == "pip"
        names = {step["name"] for step in steps}
        for skipped_file, skipped in GITHUB_SKIPPED:
            if skipped_file == name:
                assert skipped in names, f"GITHUB_SKIPPED names a step that no longer exists: {skipped}"
        text = (GITHUB / name).read_text(encoding="utf-8")
        for line in re.findall(r"uses: (\S+@[0-9a-f]{40})(.*)", text):
            assert re.match(r" # v\d+\.\d+\.\d+$", line[1]), f"{line[0]}: say which version the commit is"
    assert load_workflow("check.yml")["on"]["pull_request"]["paths"]
    assert load_workflow("publish.yml")["on"]["push"]["branches"] == ["main"]


def test_github_check_workflow_runs_on_a_pull_request(pull_request: PullRequest, checkout: Path, tmp_path: Path) -> None:
    expressions = {"github.event.pull_request.base.sha": pull_request.base, "github.sha": pull_request.head}
    files = run_github_job("check.yml", "check", checkout, tmp_path, expressions)
    summary = files["GITHUB_STEP_SUMMARY"].read_text()
    assert summary.startswith("### trombino check\n") and "Your files: no problems found." in summary
    assert (checkout / "site/index.html").is_file() and (checkout / "site/stats/index.html").is_file()
    assert "found=true" in files["GITHUB_OUTPUT"].read_text()
    comment = (checkout / "suggestions-comment.md").read_text()
    profile = pull_request.author.source_path
    assert f"- {pull_request.author.slug}: add to skills: pr-workflow (3 updates" in comment
    assert f"```diff\n--- a/{profile}\n+++ b/{profile}\n" in comment
    assert "+skills:" in comment or re.search(r"\n\+.*pr-workflow", comment)
    assert "Suggestions for" not in comment


def test_github_check_step_annotates_the_pull_requests_faults(pull_request: PullRequest, checkout: Path, tmp_path: Path) -> None:
    profile = checkout / pull_request.author.source_path
    lines = profile.read_text().splitlines()
    lines.insert(1, "favourite_colour: teal")  # an unknown key on line 2
    profile.write_text("\n".join(lines) + "\n")
    expressions = {"github.event.pull_request.base.sha": pull_request.base}
    step, env = next((s, e) for s, e in github_steps("check.yml", "check", expressions) if s["name"] == "Check the content")
    summary = tmp_path / "summary"
    result = run_script(step["run"], checkout, {**base_env(tmp_path), **env, "GITHUB_STEP_SUMMARY": str(summary)}, GITHUB_SHELL)
    assert result.returncode == 1
    assert result.stdout.startswith(f"::error file={pull_request.author.source_path},line=2,col=1::unknown key 'favourite_colour'")
    assert f"Your files: 1 error in {pull_request.author.source_path}." in summary.read_text()


def test_github_publish_workflow_builds_and_unpacks_for_rsync(pull_request: PullRequest, checkout: Path, tmp_path: Path) -> None:
    expressions = {
        "steps.pages.outputs.base_url || vars.SITE_URL": "https://example.github.io/directory",
        "secrets.DEPLOY_SSH_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----",
        "secrets.DEPLOY_KNOWN_HOSTS": "intranet.example.com ssh-ed25519 AAAA",
        "github.sha": pull_request.head,
    }
    run_github_job("publish.yml", "build", checkout, tmp_path, expressions)
    assert "https://example.github.io/directory/" in (checkout / "site/feeds/updates.xml").read_text()
    # What upload-pages-artifact and download-artifact hand over: a tar of the site.
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    subprocess.run(["tar", "-cf", str(deploy / "artifact.tar"), "-C", str(checkout / "site"), "."], check=True)
    run_github_job("publish.yml", "rsync", deploy, tmp_path, expressions)
    assert (deploy / "site/people/index.html").read_bytes() == (checkout / "site/people/index.html").read_bytes()
    key = tmp_path / "home/.ssh/deploy_key"
    assert key.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----") and (key.stat().st_mode & 0o777) == 0o600


# --- GitLab CI ------------------------------------------------------------------------------

GITLAB_SHELL = ["bash", "-eo", "pipefail"]  # how the runner executes a job's script lines


def gitlab_config() -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))


def run_gitlab_job(job: str, cwd: Path, tmp_path: Path, variables: dict[str, str]) -> None:
    config = gitlab_config()
    lines = [line for line in config["default"]["before_script"] + config[job]["script"] if line not in GITLAB_SKIPPED]
    env = {**base_env(tmp_path), **{k: str(v) for k, v in config["variables"].items()}, **variables, "CI_PROJECT_DIR": str(cwd)}
    result = run_script("\n".join(lines), cwd, env, GITLAB_SHELL)
    assert result.returncode == 0, f"job {job} failed:\n{result.stdout}\n{result.stderr}"


def test_gitlab_pipeline_parses_pins_and_knows_its_jobs() -> None:
    config = gitlab_config()
    assert re.fullmatch(r"python:3\.\d+\.\d+-\w+", config["default"]["image"])  # pinned, and not -slim (no git)
    assert config["variables"]["GIT_DEPTH"] == 0
    assert config["default"]["cache"]["paths"] == [".cache/pip"] and "PIP_CACHE_DIR" in config["variables"]
    for skipped in GITLAB_SKIPPED:
        assert skipped in config["default"]["before_script"]
    jobs = {name for name, value in config.items() if isinstance(value, dict) and "script" in value}
    assert jobs == set(MERGE_REQUEST_JOBS + MAIN_JOBS), "a new job needs a test"
    for name in MERGE_REQUEST_JOBS:
        assert [rule["if"] for rule in config[name]["rules"]] == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    for name in MAIN_JOBS:
        assert [rule["if"] for rule in config[name]["rules"]] == ["$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]
    assert config["pages"]["artifacts"]["paths"] == ["public"]
    assert config["check"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"


def test_gitlab_merge_request_pipeline_runs(pull_request: PullRequest, checkout: Path, tmp_path: Path) -> None:
    variables = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": pull_request.base,
                 "CI_DEFAULT_BRANCH": "main", "CI_API_V4_URL": "http://127.0.0.1:9/api/v4", "CI_PROJECT_ID": "1", "CI_MERGE_REQUEST_IID": "7"}
    for job in MERGE_REQUEST_JOBS:
        run_gitlab_job(job, checkout, tmp_path, variables)
    assert json.loads((checkout / "gl-code-quality-report.json").read_text()) == []
    assert (checkout / "public/index.html").is_file()
    diff = (checkout / "suggestions.diff").read_text()
    assert diff.startswith(f"--- a/{pull_request.author.source_path}\n") and "pr-workflow" in diff
    assert "```diff" in (checkout / "suggestions-note.md").read_text()


def test_gitlab_pages_job_publishes_with_the_pages_url(checkout: Path, tmp_path: Path) -> None:
    variables = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main", "CI_PAGES_URL": PAGES_URL}
    run_gitlab_job("pages", checkout, tmp_path, variables)
    assert f"{PAGES_URL}/" in (checkout / "public/feeds/updates.xml").read_text()
    assert (checkout / "public/404.html").is_file()
