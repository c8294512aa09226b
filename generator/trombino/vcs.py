"""The little git the CLI needs: which files changed since a reference."""

from __future__ import annotations

import subprocess
from pathlib import Path


def changed_since(source: Path, ref: str) -> set[str]:
    """Paths (relative to the site folder) changed between ``ref`` and the working tree."""
    run = subprocess.run(
        ["git", "diff", "--name-only", "--relative", ref, "--"],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    return {line for line in (run.stdout + untracked.stdout).splitlines() if line}
