"""The output writer with a recycled spare generation (the CLI's default)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from trombino.build import build
from trombino.write import GENERATION, SiteWriter

from conftest import run_cli


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def write_all(writer: SiteWriter, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        writer.write(path, data)


def test_generations_rotate_and_publish_exactly_the_new_files(tmp_path: Path) -> None:
    out, generations = tmp_path / "site", tmp_path / "cache" / "generations"
    builds = [
        {"index.html": b"one", "a/index.html": b"A", "keep.css": b"css", "x/y/z/index.html": b"deep"},
        {"index.html": b"two", "b/index.html": b"B", "keep.css": b"css", "x/index.html": b"X"},
        {"index.html": b"three", "a/index.html": b"A2", "keep.css": b"css"},
        {"index.html": b"three", "keep.css": b"css"},
    ]
    for files in builds:
        writer = SiteWriter(out, generations)
        write_all(writer, files)
        writer.commit()
        assert {k: v for k, v in digest(out).items() if k != ".trombino-site"} == {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
        folders = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()}
        assert folders == {f.as_posix() for k in files for f in Path(k).parents if f != Path(".")}, "no folder left empty"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]  # nothing beside the output
    assert (generations / GENERATION).is_dir()


def test_unchanged_files_keep_their_inode_across_builds(tmp_path: Path) -> None:
    out, generations = tmp_path / "site", tmp_path / "generations"
    inodes = []
    for content in (b"v1", b"v2", b"v3"):
        writer = SiteWriter(out, generations)
        write_all(writer, {"same.html": b"same", "changing.html": content})
        writer.commit()
        inodes.append((out / "same.html").stat().st_ino)
        assert (out / "changing.html").read_bytes() == content
    assert len(set(inodes)) == 1


def test_changed_file_never_modifies_the_live_inode(tmp_path: Path) -> None:
    out, generations = tmp_path / "site", tmp_path / "generations"
    for content in (b"x", b"x", b"y"):  # after two builds the spare shares the live inode
        writer = SiteWriter(out, generations)
        live_before = (out / "f.html").read_bytes() if (out / "f.html").exists() else None
        write_all(writer, {"f.html": content})
        if live_before is not None:
            assert (out / "f.html").read_bytes() == live_before  # untouched until commit
        writer.commit()
    assert (out / "f.html").read_bytes() == b"y"


def test_aborted_build_keeps_the_live_site(tmp_path: Path) -> None:
    out, generations = tmp_path / "site", tmp_path / "generations"
    writer = SiteWriter(out, generations)
    write_all(writer, {"index.html": b"good"})
    writer.commit()
    before = digest(out)
    writer = SiteWriter(out, generations)
    write_all(writer, {"index.html": b"half", "new.html": b"n"})
    writer.abort()
    assert digest(out) == before
    writer = SiteWriter(out, generations)
    write_all(writer, {"index.html": b"good2"})
    writer.commit()
    assert sorted(digest(out)) == [".trombino-site", "index.html"]


def test_cli_warm_build_equals_cold_build(minimal_site: Path, tmp_path: Path) -> None:
    warm_out, cold_out = tmp_path / "warm", tmp_path / "cold"
    assert run_cli("build", "--source", str(minimal_site), "--output", str(warm_out)).returncode == 0
    (minimal_site / "content/people/ana-lima.md").write_text((minimal_site / "content/people/ana-lima.md").read_text().replace("Engineer", "Staff Engineer"))
    (minimal_site / "content/posts/2026/03/second.md").write_text("---\nauthor: bruno-diaz\ndate: 2026-03-06\n---\nSecond #rust\n")
    warm = run_cli("build", "--source", str(minimal_site), "--output", str(warm_out))
    assert warm.returncode == 0, warm.stderr
    assert "unchanged" in warm.stdout
    cold = run_cli("build", "--source", str(minimal_site), "--output", str(cold_out), "--no-cache")
    assert cold.returncode == 0
    assert digest(warm_out) == digest(cold_out)
    assert (minimal_site / ".trombino-cache/parse.pickle").is_file()


def test_build_api_without_generations_stages_beside_output(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(minimal_site, out).ok
    assert build(minimal_site, out).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_parallel_parse_and_render_equal_serial(minimal_site: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import trombino.build as build_module
    import trombino.loader as loader_module

    assert build(minimal_site, tmp_path / "serial").ok
    monkeypatch.setattr(build_module, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(build_module, "CHUNK_PAGES", 3)
    monkeypatch.setattr(loader_module, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(loader_module, "workers", lambda: 2)
    monkeypatch.setattr(build_module, "workers", lambda: 2)
    assert build(minimal_site, tmp_path / "parallel").ok
    assert digest(tmp_path / "parallel") == digest(tmp_path / "serial")


def test_a_new_update_leaves_unrelated_pages_untouched(minimal_site: Path, tmp_path: Path) -> None:
    # The newest update moves the content date; only the home page shows it,
    # so the other pages (here: the first post's own page) keep their file.
    out = tmp_path / "published"
    assert run_cli("build", "--source", str(minimal_site), "--output", str(out)).returncode == 0
    first_post = next(out.glob("posts/*/*/*/index.html"))
    before = first_post.stat()
    home_before = (out / "index.html").read_text()
    (minimal_site / "content/posts/2026/03/newest.md").write_text("---\nauthor: bruno-diaz\ndate: 2026-03-28\n---\nNewest #go\n")
    assert run_cli("build", "--source", str(minimal_site), "--output", str(out)).returncode == 0
    after = first_post.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (out / "index.html").read_text() != home_before
    assert "28 March 2026" in (out / "index.html").read_text()


def test_what_the_spare_generation_held_but_this_build_did_not_make_is_not_published(tmp_path: Path) -> None:
    out, generations = tmp_path / "site", tmp_path / "generations"
    for _ in range(2):  # after two builds the spare generation is the first one's site
        writer = SiteWriter(out, generations)
        write_all(writer, {"index.html": b"home", "a/b/index.html": b"deep"})
        writer.commit()
    spare = generations / GENERATION
    (spare / "stale/older").mkdir(parents=True)
    (spare / "stale/older/page.html").write_bytes(b"old")
    (spare / "empty/emptier").mkdir(parents=True)
    (spare / "a/b/extra.html").write_bytes(b"left over")
    writer = SiteWriter(out, generations)
    write_all(writer, {"index.html": b"home", "a/b/index.html": b"deep", "new/index.html": b"new"})
    writer.commit()
    assert sorted(digest(out)) == [".trombino-site", "a/b/index.html", "index.html", "new/index.html"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()) == ["a", "a/b", "new"]


def test_a_kept_file_is_the_live_inode_and_a_spare_file_that_is_not_is_replaced(tmp_path: Path) -> None:
    from trombino.write import file_signature

    out, generations = tmp_path / "site", tmp_path / "generations"
    signatures = {}
    for _ in range(2):
        writer = SiteWriter(out, generations)
        write_all(writer, {"same.html": b"same", "other.html": b"other"})
        writer.commit()
    for name in ("same.html", "other.html"):
        signatures[name] = file_signature(str(out / name))
    spare = generations / GENERATION
    assert (spare / "same.html").stat().st_ino == (out / "same.html").stat().st_ino
    (spare / "other.html").unlink()
    (spare / "other.html").write_bytes(b"tampered")  # another inode than the live file's
    writer = SiteWriter(out, generations)
    for name, signature in signatures.items():
        assert writer.keep(name, signature) == signature
        writer.record(False)
    writer.commit()
    assert (out / "other.html").read_bytes() == b"other"
    assert {name: file_signature(str(out / name)) for name in signatures} == signatures


def test_a_build_lists_the_spare_generation_in_another_process_and_still_prunes_it(minimal_site: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import os

    from trombino import build as build_module, write

    out, generations = tmp_path / "out", tmp_path / "generations"
    for _ in range(2):
        assert build(minimal_site, out, generations=generations).ok
    spare = generations / GENERATION
    (spare / "people/stale").mkdir(parents=True)
    (spare / "people/stale/index.html").write_bytes(b"a page no build makes any more")
    listers = tmp_path / "listers"
    plain_tree = write._plain_tree

    def noted_plain_tree(folder: str):  # noqa: ANN202
        with listers.open("a") as note:  # a forked process's appends reach the file too
            note.write(f"{os.getpid()}\n")
        return plain_tree(folder)

    monkeypatch.setattr(write, "_plain_tree", noted_plain_tree)
    monkeypatch.setattr(build_module, "workers", lambda: 2)
    before = digest(out)
    assert build(minimal_site, out, generations=generations).ok
    assert listers.read_text().split() != [str(os.getpid())] and len(listers.read_text().split()) == 1, "the spare generation was not listed in another process"
    assert digest(out) == before  # the stale page is not published
    assert not (out / "people/stale").exists()


def test_in_background_runs_the_task_in_a_forked_process(monkeypatch) -> None:  # noqa: ANN001
    import os

    import pytest

    from trombino import build as build_module
    from trombino.build import in_background

    monkeypatch.setattr(build_module, "workers", lambda: 2)
    with in_background(os.getpid) as result:
        assert result() != os.getpid()
    with in_background(os.getpid, fork=False) as result:
        assert result() == os.getpid()
    with in_background(int, "not a number") as result, pytest.raises(ValueError):
        result()
