"""Command-line interface: parses arguments and calls library functions."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import jinja2

from trombino import __version__
from trombino.diagnostics import FORMATTERS, Diagnostic, summary
from trombino.vcs import VcsError
from trombino.write import OutputError


def _emit(diagnostics: list[Diagnostic], fmt: str, stream=None) -> None:  # noqa: ANN001
    stream = stream or sys.stdout
    text = FORMATTERS[fmt](diagnostics)
    if text and (fmt != "json"):
        stream.write(text)
    elif fmt == "json":
        stream.write(text)


def _order(diagnostics: list[Diagnostic], changed: set[str]) -> list[Diagnostic]:
    """Faults in the files a pull request touches come first."""
    return sorted(diagnostics, key=lambda d: (d.path not in changed, d.path, d.line, d.column, d.message))


def _changed_files(source: Path, files: list[str], since: str | None) -> set[str]:
    from trombino.vcs import changed_since

    root = source.resolve()
    result = set()
    for name in files:
        path = Path(name)
        full = path if path.is_absolute() else (Path.cwd() / path)
        try:
            result.add(full.resolve().relative_to(root).as_posix())
        except ValueError:
            result.add(path.as_posix())
    if since:
        result |= changed_since(source, since)
    return result


def _parse_cache(args: argparse.Namespace):  # noqa: ANN202
    """The on-disk parse cache the command should use, or None with --no-cache."""
    from trombino.cache import CACHE_DIR_NAME, DiskParseCache

    if args.no_cache:
        return None
    folder = Path(args.cache_dir) if args.cache_dir else Path(args.source) / CACHE_DIR_NAME
    cache = DiskParseCache(folder)
    _kept_to_the_end()
    return cache


def _kept_to_the_end() -> None:
    """What this command has loaded so far lives until it exits: out of the cycle
    collector's sight, it is not walked again by every later full collection
    (a second of a warm `check` at 100,000 files). A policy of this short-lived
    process; the library itself never freezes what a long-running caller made."""
    gc.freeze()


def with_cache_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--cache-dir", metavar="DIR", help="where parse results are cached between runs (default: SOURCE/.trombino-cache)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    return p


def cmd_check(args: argparse.Namespace) -> int:
    from trombino.checking import check_site

    source = Path(args.source)
    # A check makes no garbage cycles worth collecting, and the process ends right
    # after: with the collector on, the first allocation after loading would walk
    # every object the load made (most of a second at 100,000 files).
    gc.disable()
    cache = _parse_cache(args)
    found = check_site(source, cache)
    try:
        changed = _changed_files(source, args.changed or [], args.since)
    except VcsError as exc:
        print(f"error: --since {args.since}: {exc}", file=sys.stderr)
        return 2
    if cache is not None:
        cache.save()
    diagnostics = _order(found, changed)
    if args.strict:
        diagnostics = [Diagnostic(d.path, d.line, d.column, d.message, "error") for d in diagnostics]
    _emit(diagnostics, args.format)
    errors = [d for d in diagnostics if d.level == "error"]
    # The human summary goes to stderr in every format, so stdout stays machine-readable.
    if changed:
        own = [d for d in diagnostics if d.path in changed]
        others = len(diagnostics) - len(own)
        print(("Your files: " + summary(own)) if own else "Your files: no problems found.", file=sys.stderr)
        if others:
            print(f"Elsewhere: {summary([d for d in diagnostics if d.path not in changed])}", file=sys.stderr)
    else:
        print(summary(diagnostics), file=sys.stderr)
    return 1 if errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from trombino.build import build, render_pages
    from trombino.recorded import RecordedRender
    from trombino.photos import PhotoCache

    source = Path(args.source)
    output = Path(args.output) if args.output else source / "site"
    # As for check: loading, replaying and digesting make millions of objects and few
    # garbage cycles (a third of a warm build at 5k/50k went to the collector). The
    # render workers collect as usual (see trombino.build.in_workers).
    gc.disable()
    cache = _parse_cache(args)
    try:
        generations = cache.folder / "generations" if cache is not None else None
        photos = PhotoCache(cache.folder / "photos") if cache is not None else None
        # With a cache, pages whose inputs did not change since the last build are not rendered
        # again. A cache that cannot be signed (a linked folder, no key) keeps no record.
        recorded = RecordedRender(cache) if cache is not None and cache.key is not None else None
        result = build(source, output, base_url=args.base_url, strict=args.strict, check_links=args.check_links, cache=cache, generations=generations, photo_cache=photos, render=recorded or render_pages)
        if cache is not None:
            cache.save()
        if recorded is not None and result.ok:
            recorded.save()
        if photos is not None and result.ok:
            photos.prune()
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except jinja2.TemplateNotFound as exc:
        print(f"error: template '{exc.name}' not found in the theme chain", file=sys.stderr)
        return 1
    except jinja2.TemplateError as exc:
        location = f"{getattr(exc, 'filename', None) or getattr(exc, 'name', None) or 'template'}:{getattr(exc, 'lineno', None) or 1}:1"
        print(f"{location}: template error: {exc.message if hasattr(exc, 'message') else exc}", file=sys.stderr)
        return 1
    _emit(result.diagnostics, "text", sys.stderr)
    if not result.ok:
        errors = sum(1 for d in result.diagnostics if d.level == "error")
        print(f"Build failed: {summary(result.diagnostics)} The previous site was left untouched.", file=sys.stderr)
        return 1
    reuse = ""
    if recorded is not None:
        stats = recorded.stats
        reuse = f"; {stats.rendered:,} pages rendered, {stats.kept:,} reused from the last build"
        if stats.opaque:  # a read or context the record cannot digest (a theme's own objects…)
            reuse += f", {stats.opaque:,} that cannot be recorded (rendered on every build)"
    print(f"Built {result.pages:,} pages into {output} in {result.seconds:.2f} s ({result.written:,} files written, {result.linked:,} unchanged{reuse}).")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from trombino.scaffold import NewFileError, new_person, new_post

    source = Path(args.source)
    try:
        if args.what == "person":
            if not args.slug:
                print("error: trombino new person needs a SLUG, e.g. trombino new person ana-lima", file=sys.stderr)
                return 2
            path = new_person(source, args.slug)
        else:
            path = new_post(source, author=args.author, title=args.title, slug=args.slug)
    except NewFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Created {path}. Fill it in, then run: trombino check")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from trombino.serve import serve

    return serve(Path(args.source), host=args.host, port=args.port, open_browser=args.open)


def _load_clean(source: Path):  # noqa: ANN202 - Site | None
    """The site, or None after printing its errors: these commands act on sound content only."""
    from trombino.loader import load_site

    result = load_site(source)
    if not result.ok:
        errors = [d for d in result.diagnostics if d.level == "error"]
        _emit(errors, "text", sys.stderr)
        print(f"{summary(errors)} Fix them first (trombino check).", file=sys.stderr)
        return None
    return result.site


def cmd_codeowners(args: argparse.Namespace) -> int:
    from trombino.codeowners import codeowners_text, ownership
    from trombino.derive import Index
    from trombino.vcs import repository_prefix
    from trombino.write import replace_file

    if args.check and not args.output:
        print("error: --check compares with the file named by --output", file=sys.stderr)
        return 2
    source = Path(args.source)
    site = _load_clean(source)
    if site is None:
        return 1
    result = ownership(site, Index(site), args.platform, repository_prefix(source))
    text = codeowners_text(result, args.platform)
    if result.unowned_people:
        count = len(result.unowned_people)
        print(f"{count} {'person has' if count == 1 else 'people have'} no {args.platform} handle, so nobody is asked to review their profile: {', '.join(result.unowned_people)}", file=sys.stderr)
    if result.unowned_teams:
        print(f"Team files without an owner (no lead with a {args.platform} handle): {', '.join(result.unowned_teams)}", file=sys.stderr)
    if not args.output:
        sys.stdout.write(text)
        return 0
    output = Path(args.output)
    if args.check:
        current = output.read_text(encoding="utf-8") if output.is_file() else None
        if current != text:
            print(f"{output} is out of date: run trombino codeowners --platform {args.platform} --output {output}", file=sys.stderr)
            return 1
        print(f"{output} is up to date.", file=sys.stderr)
        return 0
    replace_file(output, text.encode("utf-8"))
    print(f"Wrote {output}: {len(result.rules)} rules.", file=sys.stderr)
    return 0


def _suggest_slugs(args: argparse.Namespace, site, source: Path) -> list[str]:  # noqa: ANN001
    """Who to make suggestions for: one slug, everyone, or the people a change touches."""
    from trombino.vcs import changed_since

    if args.all:
        return [p.slug for p in site.current_people]
    if args.since:
        changed = changed_since(source, args.since)
        slugs = {p.slug for p in site.people.values() if p.source_path in changed}
        slugs |= {post.author for post in site.posts if post.source_path in changed}
        return [slug for slug in site.people if slug in slugs]  # A–Z
    return [args.slug]


def cmd_suggest(args: argparse.Namespace) -> int:
    import difflib

    from trombino.derive import Index
    from trombino.suggest import SuggestError, apply, propose

    if sum(bool(x) for x in (args.slug, args.all, args.since)) != 1:
        print("error: give one of SLUG, --all or --since GIT_REF", file=sys.stderr)
        return 2
    source = Path(args.source)
    site = _load_clean(source)
    if site is None:
        return 1
    try:
        slugs = _suggest_slugs(args, site, source)
    except VcsError as exc:
        print(f"error: --since {args.since}: {exc}", file=sys.stderr)
        return 2
    index = Index(site)
    failed = False
    proposed = 0
    for slug in slugs:
        if slug not in site.people:
            hint = difflib.get_close_matches(slug, list(site.people), n=1)
            print(f"error: unknown person '{slug}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""), file=sys.stderr)
            failed = True
            continue
        try:
            proposal = propose(source, site, index, slug, field=args.field, min_posts=args.min_posts, window_days=args.days)
            if proposal is None:
                if args.slug:
                    print(f"{slug}: nothing to suggest", file=sys.stderr)
                continue
            proposed += 1
            sys.stdout.write(proposal.diff())
            print(proposal.explain(), file=sys.stderr)
            if args.apply:
                apply(source, proposal)
                print(f"Updated {proposal.path}", file=sys.stderr)
        except SuggestError as exc:
            print(f"{site.people[slug].source_path}: {exc}", file=sys.stderr)
            failed = True
    if not args.slug:
        print(f"Suggestions for {proposed} of {len(slugs)} people.", file=sys.stderr)
    return 1 if failed else 0


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from trombino.derive import Index
    from trombino.privacy import publish
    from trombino.stats import site_stats, stats_json, stats_table

    site = _load_clean(Path(args.source))
    if site is None:
        return 1
    site = publish(site)  # the numbers the /stats/ page shows: hidden fields count as missing
    stats = site_stats(site, Index(site))
    if args.format == "json":
        sys.stdout.write(json.dumps(stats_json(stats), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(stats_table(stats, site.config.title, site.config.stale_after_days))
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="trombino", description="Build a company's people directory from Markdown files.")
    main_parser.add_argument("--version", action="version", version=f"trombino {__version__}")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_source(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--source", default=".", metavar="DIR", help="site folder holding trombino.yaml and content/ (default: .)")
        return p

    check = with_cache_options(with_source(commands.add_parser("check", help="validate the content; exit 1 on any error")))
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="output format (default: text)")
    check.add_argument("--changed", nargs="+", metavar="FILE", help="files changed by a pull request: their faults come first")
    check.add_argument("--since", metavar="GIT_REF", help="treat files changed since GIT_REF as changed")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(func=cmd_check)

    build = with_cache_options(with_source(commands.add_parser("build", help="validate, then build the site")))
    build.add_argument("--output", metavar="DIR", help="output folder (default: SOURCE/site)")
    build.add_argument("--base-url", metavar="URL", help="public URL of the site (overrides base_url)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--check-links", action="store_true", help="fail when an internal link or asset is broken")
    build.set_defaults(func=cmd_build)

    new = with_source(commands.add_parser("new", help="create a commented template for a person or a post"))
    new.add_argument("what", choices=("person", "post"))
    new.add_argument("slug", nargs="?", help="slug of the new person (or post file)")
    new.add_argument("--author", help="post author's slug")
    new.add_argument("--title", help="post title")
    new.set_defaults(func=cmd_new)

    serve = with_source(commands.add_parser("serve", help="build, serve locally and rebuild on change"))
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.set_defaults(func=cmd_serve)

    owners = with_source(commands.add_parser("codeowners", help="write CODEOWNERS: people own their profile, leads their team file"))
    owners.add_argument("--platform", choices=("github", "gitlab"), default="github", help="which handle field to use (default: github)")
    owners.add_argument("--output", metavar="FILE", help="write to FILE (e.g. .github/CODEOWNERS) instead of printing")
    owners.add_argument("--check", action="store_true", help="with --output: exit 1 if FILE is not up to date, change nothing")
    owners.set_defaults(func=cmd_codeowners)

    suggest = with_source(commands.add_parser("suggest", help="propose profile additions from a person's own updates, as a diff"))
    suggest.add_argument("slug", nargs="?", help="the person's slug")
    suggest.add_argument("--all", action="store_true", help="everyone")
    suggest.add_argument("--since", metavar="GIT_REF", help="the people whose profile or updates changed since GIT_REF")
    suggest.add_argument("--apply", action="store_true", help="write the change into the profile file(s)")
    suggest.add_argument("--min-posts", type=int, default=3, metavar="N", help="updates a tag needs within the window (default: 3)")
    suggest.add_argument("--days", type=int, default=365, metavar="N", help="the window, in days before the newest content (default: 365)")
    suggest.add_argument("--field", choices=("skills", "interests", "ask_me_about"), default="skills", help="the list to add to (default: skills)")
    suggest.set_defaults(func=cmd_suggest)

    stats = with_source(commands.add_parser("stats", help="adoption statistics: completeness, activity, stale profiles, top tags"))
    stats.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    stats.set_defaults(func=cmd_stats)
    return main_parser


def run() -> None:
    """The ``trombino`` command: :func:`main`, then exit without tearing the interpreter down.

    A build leaves millions of objects behind (the model, its views, the caches); freeing
    them one by one at exit took most of a second at 5k/50k, for nothing: the process ends.
    Every file trombino writes is closed and renamed into place before ``main`` returns;
    only the standard streams may still hold output, so they are flushed first."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        code = code or 1
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except BrokenProcessPool:  # killed from outside: a build leaves the previous site in place
        print("trombino: error: a worker process was killed (out of memory?); nothing was published", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input: say so briefly, traceback on request
        if os.environ.get("TROMBINO_DEBUG"):
            raise
        print(f"trombino: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("Please report it; set TROMBINO_DEBUG=1 to see the traceback.", file=sys.stderr)
        return 2
