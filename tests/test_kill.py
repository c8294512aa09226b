"""A build killed at any moment (SIGKILL) leaves the previous site or the new
one at the output path — whole, never a mix, never missing — and the next run
cleans up whatever the killed one left behind.

The real CLI runs in a subprocess on a site of a few hundred pages, with its
on-disk cache and recycled generations, and is killed at seeded random points
of its progress: anywhere in the run, with the new site written but not yet
swapped in, and the instant the output folder changes (during the swap's
clean-up). Points are measured in bytes read and written (/proc/PID/io), not
seconds, so they land at the same stages however busy the machine is.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import trombino
from conftest import write_site

SEED = 20261127
KILLS = 12
pytestmark = pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="kills are placed by progress read from Linux's /proc/PID/io")


def generated_site(version: int) -> dict[str, str]:
    """40 people, 6 teams, 120 posts; version 2 changes titles, a team and the posts' text."""
    files = {"trombino.yaml": "title: Kill Corp\nlanguage: en\n"}
    teams = [f"team-{t}" for t in range(6)]
    for t, team in enumerate(teams):
        parent = f"parent: {teams[0]}\n" if t else ""
        files[f"content/teams/{team}.md"] = f"---\nname: Team {t} v{version if t == 3 else 1}\n{parent}---\nTeam {t}.\n"
    for p in range(40):
        manager = f"manager: person-{p // 8}\n" if p >= 8 else ""
        skills = ", ".join(f"skill-{(p * 7 + k) % 30}" for k in range(3))
        title = f"Engineer v{version}" if p % 4 == 0 else "Engineer"
        files[f"content/people/person-{p}.md"] = f"---\nname: Person {p}\ntitle: {title}\nteam: {teams[p % 6]}\n{manager}skills: [{skills}]\n---\nBio of person {p}.\n"
    for n in range(120):
        day = 1 + n % 28
        text = f"Update {n} about #skill-{n % 30} with @person-{(n + 1) % 40}." + (" Edited." if version == 2 and n % 5 == 0 else "")
        files[f"content/posts/2026/{1 + n % 3:02d}/post-{n}.md"] = f"---\nauthor: person-{n % 40}\ndate: 2026-{1 + n % 3:02d}-{day:02d}T09:{n % 60:02d}:00+01:00\n---\n{text}\n"
    if version == 2:
        files["content/posts/2026/03/extra.md"] = "---\nauthor: person-1\ndate: 2026-03-28\ntitle: Extra\n---\nOnly in version 2 #skill-1\n"
    return files


def use_version(root: Path, version: int) -> None:
    extra = root / "content/posts/2026/03/extra.md"
    if version == 1 and extra.exists():
        extra.unlink()
    write_site(root, {k: v.encode() for k, v in generated_site(version).items()})


def tree_digest(root: Path) -> str | None:
    """One digest of every path and every file's bytes; None when there is no folder."""
    if not root.is_dir():
        return None
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        h.update(relative.encode() + b"\0")
        if path.is_symlink():
            h.update(b"link:" + os.readlink(path).encode())
        elif path.is_file():
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def start_build(root: Path, output: Path, env: dict[str, str]) -> subprocess.Popen:
    # Its own process group, so a kill also reaches any worker processes it forked.
    return subprocess.Popen(
        [sys.executable, "-m", "trombino", "build", "--source", str(root), "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )


def finish(process: subprocess.Popen) -> None:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err


def progress(process: subprocess.Popen) -> int | None:
    """Bytes the build has read and written so far (Linux /proc); None once it has exited.

    Kills are placed by progress, not by time, so they land at the same
    stages of the build however busy the machine is.
    """
    try:
        fields = dict(line.split(": ") for line in Path(f"/proc/{process.pid}/io").read_text().splitlines())
    except (OSError, ValueError):
        return None
    return int(fields["rchar"]) + int(fields["wchar"]) if process.poll() is None else None


def kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


@pytest.fixture
def workspace(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    root = tmp_path / "site"
    use_version(root, 1)
    # A snapshot of the code: the two reference sites must stay the only possible
    # outputs even if the working tree's theme or code changes during the test.
    code = tmp_path_factory.mktemp("code")
    shutil.copytree(Path(trombino.__file__).parent, code / "trombino", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache"), "PYTHONPATH": str(code)}
    return root, tmp_path / "out", env


def test_killed_builds_leave_a_whole_site(workspace: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    root, output, env = workspace
    rng = random.Random(SEED)

    # The two sites the output may ever hold, built normally, side by side.
    known: dict[int, str] = {}
    for version in (2, 1):
        use_version(root, version)
        reference = tmp_path / f"reference-{version}"
        finish(start_build(root, reference, env))
        known[version] = tree_digest(reference)  # type: ignore[assignment]
    assert known[1] != known[2]
    pages = sum(1 for _ in (tmp_path / "reference-1").rglob("*.html"))
    files = sum(1 for p in (tmp_path / "reference-1").rglob("*") if p.is_file())
    assert pages >= 200 and files >= 350, (pages, files)

    # A first build killed before anything existed: no folder, or the whole site.
    process = start_build(root, output, env)
    time.sleep(rng.uniform(0.3, 1.5))
    kill(process)
    assert tree_digest(output) in (None, known[1])
    finish(start_build(root, output, env))
    assert tree_digest(output) == known[1]

    # How much a warm build reads and writes in all, and how much before its swap.
    use_version(root, 2)
    inode, process = output.stat().st_ino, start_build(root, output, env)
    total = before_swap = 0
    while (now := progress(process)) is not None:
        if not before_swap and output.stat().st_ino != inode:
            before_swap = total  # the last reading before the swap was seen
        total = now
    finish(process)
    assert tree_digest(output) == known[2]
    before_swap = before_swap or total  # the swap and the exit fell between two readings
    assert 0 < before_swap <= total, (before_swap, total)

    outcomes = []
    for number in range(KILLS):
        version = 1 if tree_digest(output) == known[2] else 2  # always build the other site
        use_version(root, version)
        moment = number % 3
        # Anywhere in the run; close before the swap (the site written, not yet swapped in);
        # or the instant the output folder changes identity (during the swap's clean-up).
        target = {0: rng.uniform(0.05, 1.0) * total, 1: rng.uniform(0.9, 1.0) * before_swap, 2: None}[moment]
        inode, process = output.stat().st_ino, start_build(root, output, env)
        while (now := progress(process)) is not None:
            if (target is not None and now >= target) or (target is None and output.stat().st_ino != inode):
                break
        kill(process)
        when = f"kill {number} ({['anywhere', 'before the swap', 'after the swap'][moment]}, at {now} of {total} bytes)"
        digest = tree_digest(output)
        assert digest is not None, f"{when} left no output folder"
        assert digest in (known[1], known[2]), f"{when} left a mix of two sites"
        outcomes.append(("new" if digest == known[version] else "previous", process.returncode))

    # Both outcomes happened, and the kills landed while builds were running.
    assert {o for o, _ in outcomes} == {"new", "previous"}, outcomes
    assert sum(code == -signal.SIGKILL for _, code in outcomes) >= KILLS - 2, outcomes

    # The next normal run succeeds, cleans up, and builds exactly the current version.
    finish(start_build(root, output, env))
    assert tree_digest(output) == known[version]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "reference-1", "reference-2", "site", "user-cache"]
    generations = root / ".trombino-cache" / "generations"
    assert not generations.exists() or [p.name for p in generations.iterdir()] == ["spare"]


def test_a_render_worker_killed_from_outside_fails_the_build_and_keeps_the_site(tmp_path: Path) -> None:
    """A worker killed by the system (out of memory, say) fails the build at once, with a
    message, instead of leaving it waiting forever for the lost pages."""
    root, output = tmp_path / "src", tmp_path / "site"
    write_site(root, generated_site(1))
    env = {**os.environ, "PYTHONPATH": str(Path(trombino.__file__).parent.parent)}
    first = subprocess.run([sys.executable, "-m", "trombino", "build", "--source", str(root), "--output", str(output)], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = tree_digest(output)
    use_version(root, 2)
    script = (
        "import os, signal, sys\n"
        "from trombino import build, cli, recorded\n"
        "build.PARALLEL_PAGES = recorded.FEW_PAGES = 0  # workers even for a few pages\n"
        "build._render_chunk = recorded._render_recorded = lambda *args: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"sys.exit(cli.main(['build', '--source', {str(root)!r}, '--output', {str(output)!r}]))\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)  # multiprocessing.Pool waited forever
    assert killed.returncode == 1, killed.stderr
    assert "a worker process was killed" in killed.stderr and "Traceback" not in killed.stderr
    assert tree_digest(output) == before
