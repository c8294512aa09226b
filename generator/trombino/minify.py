"""Smaller theme CSS and JavaScript, with the same meaning.

CSS is simple enough to minify here: drop comments, collapse whitespace, and
remove it only where the grammar never needs it (around ``{ } ; ,`` and after
a declaration's ``:``), leaving strings and ``url()`` untouched. A space before
``:`` is kept (``a :hover`` differs from ``a:hover``), and so are the spaces in
``calc(1px + 2px)``.

JavaScript is minified by rjsmin, a small, long-maintained minifier that knows
a regular expression literal from a division — the part a home-made one gets
wrong. Files already minified (``*.min.js``, ``*.min.css``) are left alone.
"""

from __future__ import annotations

import re

# Strings, comments, url(...) and runs of whitespace, in one pass, so a "/*" inside a string stays.
_CSS_TOKENS = re.compile(
    r"""(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|(?P<url>url\(\s*[^)"'\s]*\s*\))"""
    r"""|(?P<comment>/\*.*?\*/)"""
    r"""|(?P<space>\s+)""",
    re.DOTALL | re.IGNORECASE,
)
_NO_SPACE_AROUND = set("{};,>")


def minify_css(text: str) -> str:
    out: list[str] = []
    pending_space = False
    for match in _iter_css(text):
        kind, value = match
        if kind in ("comment", "space"):
            pending_space = True
            continue
        if pending_space and out:
            before = out[-1][-1:]
            after = value[:1]
            if before not in _NO_SPACE_AROUND and after not in _NO_SPACE_AROUND and before not in ":(" and after != ")":
                out.append(" ")
        pending_space = False
        out.append(value)
    result = "".join(out)
    return result.replace(";}", "}").strip() + "\n"


def _iter_css(text: str):  # noqa: ANN202 - Iterator[tuple[str, str]]
    position = 0
    for match in _CSS_TOKENS.finditer(text):
        if match.start() > position:
            yield "text", text[position : match.start()]
        kind = match.lastgroup or "text"
        yield ("text" if kind in ("string", "url") else kind), match.group()
        position = match.end()
    if position < len(text):
        yield "text", text[position:]


def minify_js(text: str) -> str:
    import rjsmin

    return rjsmin.jsmin(text, keep_bang_comments=True) + "\n"


def minify(name: str, data: bytes) -> bytes:
    """``data`` of the asset file ``name``, minified when it is the theme's own CSS or JavaScript."""
    lower = name.lower()
    if ".min." in lower or lower.startswith("vendor/") or "/vendor/" in lower:
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    if lower.endswith(".css"):
        return minify_css(text).encode("utf-8")
    if lower.endswith(".js"):
        return minify_js(text).encode("utf-8")
    return data
