"""Every payload of tests/data/xss-payloads.txt, through every field that takes
text, must come out inert in every file of the built site: HTML pages, feeds,
JSON, vCards and the search index — or be refused by `check` with a location.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from trombino.build import build
from trombino.loader import load_site
from trombino.theme import Theme

from conftest import write_site

CORPUS = Path(__file__).parent / "data" / "xss-payloads.txt"
PAYLOADS = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line and not line.startswith(";;")]
# Values with real line breaks, for the line-based formats (vCard, feeds).
PAYLOADS += ["x\nEMAIL:evil@example.com\nEND:VCARD\nBEGIN:VCARD", "line\r\nX-INJECTED:1"]

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data", "srcdoc", "ping", "cite", "manifest"}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "frame", "frameset", "applet", "base", "style", "foreignobject", "template", "math", "animate", "set"}


def yaml_value(value: object) -> str:
    """JSON is YAML: one field per line, whatever the payload contains."""
    return json.dumps(value, ensure_ascii=False)


def person_file(number: int, payload: str) -> str:
    fields = {
        "name": payload,
        "title": payload,
        "team": f"team-{number}",
        "location": payload,
        "email": payload,
        "chat": payload,
        "pronouns": payload,
        "pronunciation": payload,
        "github": payload,
        "languages": [payload],
        "skills": [payload, "python"],
        "interests": [payload],
        "ask_me_about": [payload],
        "open_to": ["mentoring"],
        "availability": {"status": "partial", "note": payload},
        "commitments": [{"what": payload, "share": 10, "link": payload}],
        "links": {payload: "https://example.com/", "Home": payload},
    }
    lines = [f"{key}: {yaml_value(value)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + payload + "\n\nSecond paragraph " + payload + "\n"


def team_file(payload: str) -> str:
    fields = {"name": payload, "chat": payload, "email": payload, "links": {payload: "https://example.com/", "Runbook": payload}}
    return "---\n" + "\n".join(f"{k}: {yaml_value(v)}" for k, v in fields.items()) + "\n---\n" + payload + "\n"


def post_file(number: int, payload: str) -> str:
    opening = number % 5 == 0
    fields: dict[str, object] = {"author": f"p{number}", "date": f"2026-03-{1 + number % 28:02d}T10:{number % 60:02d}:00+01:00", "title": payload, "tags": [payload, "python"]}
    if opening:
        fields.update({"kind": "opening", "required_skills": [payload], "duration": payload, "contact": f"p{number}"})
    elif number % 3 == 0:
        fields["kind"] = "question"
    body = f"{payload}\n\nThanks @p{number} #python {payload}\n\n- {payload}\n\n> {payload}\n"
    return "---\n" + "\n".join(f"{k}: {yaml_value(v)}" for k, v in fields.items()) + "\n---\n" + body


def corpus_site() -> dict[str, str]:
    files = {
        "trombino.yaml": f"title: {yaml_value('</title><script>alert(1)</script>')}\ndescription: {yaml_value(PAYLOADS[1])}\nedit_url: https://git.example/edit/\n",
    }
    # People some payloads mention, so those bodies are kept rather than refused.
    files["content/people/ana-lima.md"] = "---\nname: Ana Lima\n---\n"
    files["content/people/import.md"] = "---\nname: Import\n---\n"
    for number, payload in enumerate(PAYLOADS):
        files[f"content/people/p{number}.md"] = person_file(number, payload)
        files[f"content/teams/team-{number}.md"] = team_file(payload)
        files[f"content/posts/2026/03/post-{number}.md"] = post_file(number, payload)
    return files


# A required field whose payload was refused gets a harmless value instead.
STAND_INS = {"name": '"Refused Name"', "author": "p0", "date": "2026-03-01"}


def drop_refused_lines(root: Path, rounds: int = 20) -> list[str]:
    """Remove every line `check` refuses, until the site is clean; return the refusals.

    A refused value is an acceptable outcome for a payload: it never reaches a page.
    """
    refused: list[str] = []
    for _ in range(rounds):
        errors = [d for d in load_site(root).diagnostics if d.level == "error"]
        if not errors:
            return refused
        by_file: dict[str, set[int]] = {}
        missing: dict[str, list[str]] = {}
        for d in errors:
            assert d.line >= 1 and d.column >= 1 and (root / d.path).is_file(), d.format()
            refused.append(d.format())
            required = re.match(r"missing required field '(\w+)'", d.message)
            if required:
                missing.setdefault(d.path, []).append(f"{required.group(1)}: {STAND_INS[required.group(1)]}")
            elif d.message.startswith("front matter is empty"):  # every field was refused
                missing.setdefault(d.path, []).append(f"name: {STAND_INS['name']}" if "/posts/" not in d.path else f"author: p0\ndate: {STAND_INS['date']}")
            else:
                by_file.setdefault(d.path, set()).add(d.line)
        for path in set(by_file) | set(missing):
            source = root / path
            lines = source.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
            kept = [line for number, line in enumerate(lines, start=1) if number not in by_file.get(path, ())]
            kept[1:1] = missing.get(path, [])
            source.write_bytes("\n".join(kept).encode("utf-8"))
    raise AssertionError("site still has errors after removing refused lines:\n" + "\n".join(refused[-20:]))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    workspace = tmp_path_factory.mktemp("xss")
    root = write_site(workspace / "site", {k: v.encode("utf-8") for k, v in corpus_site().items()})
    refused = drop_refused_lines(root)
    output = workspace / "out"
    result = build(root, output)
    assert result.ok, [d.format() for d in result.diagnostics][:20]
    return output, refused


# -- checks ---------------------------------------------------------------------


def url_scheme(value: str) -> str:
    """The scheme a browser would see (WHATWG URL): leading and trailing controls and spaces
    stripped, tabs and newlines removed anywhere, case ignored; '' for a relative URL."""
    cleaned = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21))))).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(0) if match else ""


class PageAudit(HTMLParser):
    """Collects every executable or remote-loading construct of one HTML document."""

    def __init__(self, page: Path, output: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.output = page, output
        self.problems: list[str] = []
        self.open_script: dict[str, str | None] | None = None
        self.script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in values.items())}>"
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"forbidden element {where}")
        if tag == "meta" and values.get("http-equiv", "").lower() not in ("", "content-security-policy"):
            self.problems.append(f"meta http-equiv {where}")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {where}")
            if name == "style":
                self.problems.append(f"inline style {where}")
            if name in URL_ATTRIBUTES and url_scheme(value) in DANGEROUS_SCHEMES:
                self.problems.append(f"{url_scheme(value)} URL {where}")
            if name == "srcset" and any(url_scheme(part.strip()) in DANGEROUS_SCHEMES for part in value.split(",")):
                self.problems.append(f"srcset {where}")
            if name in ("src", "srcset", "poster", "data") and value and urlsplit(value.strip()).netloc:
                self.problems.append(f"remote resource {where}")
        if tag == "link" and "stylesheet" in values.get("rel", "") and urlsplit(values.get("href", "")).netloc:
            self.problems.append(f"remote stylesheet {where}")
        if tag == "script":
            self.open_script, self.script_text = values, []
            src = values.get("src")
            if src is None:
                if values.get("type") not in ("application/json", "application/ld+json"):
                    self.problems.append(f"inline script {where}")
            else:
                # Relative to the page, or absolute from the site root (the 404 page, served from any URL).
                target = src.lstrip("/") if src.startswith("/") and not src.startswith("//") else urljoin(self.page.relative_to(self.output).as_posix(), src)
                local = (self.output / target).resolve()
                if urlsplit(src).scheme or urlsplit(src).netloc or not local.is_relative_to(self.output.resolve()) or not local.is_file():
                    self.problems.append(f"script not from this site {where}")

    def handle_data(self, data: str) -> None:
        if self.open_script is not None:
            self.script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.open_script is not None:
            text = "".join(self.script_text)
            if self.open_script.get("src") is not None and text.strip():
                self.problems.append("script with src has content")
            if self.open_script.get("src") is None:
                try:  # embedded JSON must stay JSON: no payload closes the script early
                    json.loads(text)
                except ValueError:
                    self.problems.append(f"embedded JSON does not parse: {text[:80]!r}")
            self.open_script = None


def audit_html(page: Path, output: Path, text: str | None = None) -> list[str]:
    audit = PageAudit(page, output)
    audit.feed(page.read_text(encoding="utf-8") if text is None else text)
    audit.close()
    return audit.problems


def audit_feed(path: Path, output: Path) -> list[str]:
    problems = []
    root = ElementTree.fromstring(path.read_bytes())  # well-formed: no payload broke the XML
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in ("href", "src") and url_scheme(value) in DANGEROUS_SCHEMES:
                problems.append(f"{path}: {url_scheme(value)} in <{element.tag} {name}>")
        if element.get("type") == "html" and element.text:
            problems += [f"{path}: {p}" for p in audit_html(path, output, element.text)]
    return problems


VCARD_LINE = re.compile(r"^[A-Z][A-Z0-9-]*(;[A-Z0-9-]+=[^:;]*)*:")


def audit_vcard(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8")
    unfolded = text.replace("\r\n ", "").split("\r\n")
    assert unfolded[-1] == "", path
    problems = [f"{path}: bad line {line!r}" for line in unfolded[:-1] if not VCARD_LINE.match(line)]
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded[:-1]]
    for single in ("BEGIN", "END", "FN", "N", "VERSION", "UID"):
        if names.count(single) != 1:
            problems.append(f"{path}: {names.count(single)} {single} lines")
    if "X-INJECTED" in names or names.count("EMAIL") > 1:
        problems.append(f"{path}: injected property")
    return problems


SCRIPT_DATA = re.compile(r"^\(window\.\w+=window\.\w+\|\|\{\}\)(\.\w+|\[\"[\w-]+\"\])=(?P<json>.*);\n$", re.S)


def audit_data_script(path: Path) -> list[str]:
    """A generated script (search index) must be one assignment of one JSON value: no payload adds code."""
    match = SCRIPT_DATA.match(path.read_text(encoding="utf-8"))
    if not match:
        return [f"{path}: not a single data assignment"]
    try:
        json.loads(match.group("json"))
    except ValueError as exc:
        return [f"{path}: data does not parse: {exc}"]
    return []


def test_corpus_reaches_the_site(built: tuple[Path, list[str]]) -> None:
    """Not vacuous: every payload made a person page and a post page, and shows up as text."""
    output, refused = built
    people = [p for p in (output / "people").iterdir() if p.is_dir() and p.name.startswith("p")]
    assert len(people) == len(PAYLOADS)
    posts = list((output / "posts").rglob("index.html"))
    assert len(posts) >= len(PAYLOADS)
    assert "alert(1)" in (output / "people/p0/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (output / "people/p0/index.html").read_text()
    # Link URLs and handles with a dangerous scheme or stray characters are refused, with a location.
    assert any("'links.Home' must be an http(s), mailto: or tel: link" in r for r in refused)
    assert any("'commitments[0].link' must be" in r for r in refused)


def test_no_executable_html_in_any_page(built: tuple[Path, list[str]]) -> None:
    output, _ = built
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 3 * len(PAYLOADS)
    problems = [f"{page.relative_to(output)}: {problem}" for page in pages for problem in audit_html(page, output)]
    assert problems == [], "\n".join(problems[:30])


def test_no_executable_html_in_feeds(built: tuple[Path, list[str]]) -> None:
    output, _ = built
    feeds = sorted(output.rglob("*.xml"))
    assert feeds, "the site has feeds"
    problems = [p for feed in feeds for p in audit_feed(feed, output)]
    assert problems == [], "\n".join(problems[:30])


def test_json_files_parse_and_hold_the_payloads_as_data(built: tuple[Path, list[str]]) -> None:
    output, _ = built
    files = sorted(output.rglob("*.json"))
    assert files, "the site has JSON files"
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data
    people = json.loads((output / "api/people.json").read_text(encoding="utf-8"))["people"]
    names = {p["name"] for p in people}
    assert PAYLOADS[0] in names  # kept as data, verbatim: escaping is the consumer's job, as for any JSON API


def test_generated_scripts_are_pure_data(built: tuple[Path, list[str]]) -> None:
    output, _ = built
    theme_scripts = {asset.content for asset in Theme(output, "default").assets.values() if asset.name.endswith(".js")}
    generated = [p for p in output.rglob("*.js") if p.read_bytes() not in theme_scripts]
    assert generated, "the search index is a generated script"
    problems = [p for path in generated for p in audit_data_script(path)]
    assert problems == [], problems


def test_vcards_cannot_be_given_extra_properties(built: tuple[Path, list[str]]) -> None:
    output, _ = built
    cards = sorted(output.rglob("*.vcf"))
    assert len(cards) >= len(PAYLOADS)
    problems = [p for card in cards for p in audit_vcard(card)]
    assert problems == [], "\n".join(problems[:30])


def test_every_output_file_is_known_and_text_files_carry_no_raw_script(built: tuple[Path, list[str]]) -> None:
    """No payload creates a file type nobody audits, and no text file holds a raw, executable <script>alert."""
    output, _ = built
    audited = {".html", ".xml", ".json", ".vcf", ".js", ".css", ".svg", ".png", ".txt", ".md", ""}
    for path in output.rglob("*"):
        if not path.is_file():
            continue
        assert path.suffix in audited or path.name == ".trombino-site", path
        if path.suffix in (".html", ".xml", ".css", ".svg"):
            assert "<script>alert" not in path.read_text(encoding="utf-8").lower(), path


def test_the_audit_catches_what_it_looks_for(tmp_path: Path) -> None:
    """The checker itself: each construct it must flag is flagged."""
    page = tmp_path / "p.html"
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        "<iframe></iframe>",
        '<img src="https://evil.example/x.png">',
        '<script src="https://evil.example/x.js"></script>',
        '<script type="application/json">{"a": "</script><script>alert(1)</script>"}</script>',
        '<div style="color:red">x</div>',
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    ]:
        page.write_text(bad)
        assert audit_html(page, tmp_path), bad
    page.write_text('<script type="application/json">{"a": "\\u003c/script\\u003e"}</script><a href="https://example.com/">ok</a>')
    assert audit_html(page, tmp_path) == []


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("base_url", "javascript:alert(1)//", "'base_url' must be an http(s) URL or a path starting with '/', not 'javascript:alert(1)//'"),
        ("base_url", "//evil.example/", "'base_url' must be an http(s) URL or a path starting with '/', not '//evil.example/'"),
        ("base_url", "data:text/html,x", "'base_url' must be an http(s) URL or a path starting with '/', not 'data:text/html,x'"),
        ("edit_url", "javascript:alert(1)//", "'edit_url' must be an http(s) URL, not 'javascript:alert(1)//'"),
        ("edit_url", "/relative/", "'edit_url' must be an http(s) URL, not '/relative/'"),
    ],
)
def test_site_urls_in_the_config_must_be_web_urls(tmp_path: Path, key: str, value: str, message: str) -> None:
    """base_url and edit_url end up in href and src attributes of every page."""
    from conftest import MINIMAL_SITE

    root = write_site(tmp_path / "site", {**MINIMAL_SITE, "trombino.yaml": f"title: T\n{key}: '{value}'\n"})
    column = len(key) + 3
    assert [d.format() for d in load_site(root).diagnostics] == [f"trombino.yaml:2:{column}: {message}"]


@pytest.mark.parametrize("value", ["/", "/people/", "https://intranet.example", "https://intranet.example/people/"])
def test_web_base_urls_are_accepted(tmp_path: Path, value: str) -> None:
    from conftest import MINIMAL_SITE

    root = write_site(tmp_path / "site", {**MINIMAL_SITE, "trombino.yaml": f"title: T\nbase_url: '{value}'\nedit_url: https://git.example/edit/\n"})
    assert load_site(root).diagnostics == []


class _Embedded(HTMLParser):
    """The script text and data attribute a page carries, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script: list[str] = []
        self.attribute: str | None = None
        self.elements: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(tag)
        self.in_script = tag == "script"
        if tag == "div":
            self.attribute = dict(attrs).get("data-value")

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.script.append(data)

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


def test_json_embedded_in_a_page_cannot_break_out(built: tuple[Path, list[str]]) -> None:
    """The theme's `json` filter, in a <script> element and in a single-quoted attribute, for every payload."""
    from trombino.derive import Index
    from trombino.render import Renderer

    site = load_site(built[0].parent / "site").site
    renderer = Renderer(site, Index(site), Theme(built[0].parent / "site", "default"))
    template = renderer.env.from_string("""<script type="application/json">{{ value|json }}</script><div data-value='{{ value|json }}'></div>""")
    for payload in PAYLOADS + ["'", "</SCRIPT >", "<!--<script>", "\u2028\u2029"]:
        value = {"name": payload, "list": [payload]}
        parser = _Embedded()
        parser.feed(template.render(value=value))
        assert parser.elements == ["script", "div"], payload
        assert json.loads("".join(parser.script)) == value, payload
        assert json.loads(parser.attribute or "") == value, payload
