"""Command-line interface: parses arguments and calls library functions."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jinja2

from trombino import __version__
from trombino.diagnostics import FORMATTERS, Diagnostic, summary
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


def cmd_check(args: argparse.Namespace) -> int:
    from trombino.loader import load_site

    source = Path(args.source)
    result = load_site(source)
    changed = _changed_files(source, args.changed or [], args.since)
    diagnostics = _order(result.diagnostics, changed)
    if args.strict:
        diagnostics = [Diagnostic(d.path, d.line, d.column, d.message, "error") for d in diagnostics]
    _emit(diagnostics, args.format)
    errors = [d for d in diagnostics if d.level == "error"]
    if args.format == "text":
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
    from trombino.build import build

    source = Path(args.source)
    output = Path(args.output) if args.output else source / "site"
    try:
        result = build(source, output, base_url=args.base_url, strict=args.strict, check_links=args.check_links)
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
    print(f"Built {result.pages:,} pages into {output} in {result.seconds:.2f} s ({result.written:,} files written, {result.linked:,} unchanged).")
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


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="trombino", description="Build a company's people directory from Markdown files.")
    main_parser.add_argument("--version", action="version", version=f"trombino {__version__}")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_source(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--source", default=".", metavar="DIR", help="site folder holding trombino.yaml and content/ (default: .)")
        return p

    check = with_source(commands.add_parser("check", help="validate the content; exit 1 on any error"))
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="output format (default: text)")
    check.add_argument("--changed", nargs="+", metavar="FILE", help="files changed by a pull request: their faults come first")
    check.add_argument("--since", metavar="GIT_REF", help="treat files changed since GIT_REF as changed")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(func=cmd_check)

    build = with_source(commands.add_parser("build", help="validate, then build the site"))
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
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.set_defaults(func=cmd_serve)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug, not bad input: say so briefly, traceback on request
        if os.environ.get("TROMBINO_DEBUG"):
            raise
        print(f"trombino: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("Please report it; set TROMBINO_DEBUG=1 to see the traceback.", file=sys.stderr)
        return 2
