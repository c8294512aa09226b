"""The little git the CLI needs: which files changed since a reference, and
where the site folder sits inside its repository."""

from __future__ import annotations

import subprocess
from pathlib import Path


class VcsError(Exception):
    """git is missing, the folder is not in a repository, or the reference is unknown."""


def _git(source: Path, *args: str) -> str:
    try:
        run = subprocess.run(["git", *args], cwd=source, capture_output=True, text=True, check=False, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise VcsError(f"cannot run git: {exc}") from exc
    if run.returncode != 0:
        message = (run.stderr.strip().splitlines() or ["git failed"])[0]
        raise VcsError(message.removeprefix("fatal: "))
    return run.stdout


def changed_since(source: Path, ref: str) -> set[str]:
    """Paths (relative to the site folder) changed between ``ref`` and the working tree.

    Raises :class:`VcsError` for an unknown reference: silently treating
    nothing as changed would hide a contributor's faults among the others.
    """
    _git(source, "rev-parse", "--git-dir")  # "not a git repository" comes from here
    try:
        _git(source, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except VcsError as exc:
        raise VcsError(f"unknown git reference '{ref}' (in a CI checkout, fetch the history: fetch-depth: 0 or GIT_DEPTH: 0)") from exc
    diff = _git(source, "diff", "--name-only", "--relative", ref, "--")
    untracked = _git(source, "ls-files", "--others", "--exclude-standard")
    return {line for line in (diff + untracked).splitlines() if line}


def repository_prefix(source: Path) -> str:
    """The site folder's path inside its git repository ('' at the root, or outside git)."""
    try:
        return _git(source, "rev-parse", "--show-prefix").strip()
    except VcsError:
        return ""
