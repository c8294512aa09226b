"""Search: lunr indexes of people and updates, built here, queried by lunr.js in the browser.

The site has no server, so the indexes are built at build time and queried by
lunr.js 2.3.9 (vendored in the default theme). lunr.py is the reference:
:func:`lunr_builder` indexes documents with it, and the tests check that the
build's own counting (:func:`term_frequencies`, ten times faster) and the
browser's rebuilt index agree with it. Both sides cut
text into the same terms: lunr's tokenizer splits on spaces and hyphens, then
the pipeline function registered as ``trombinoTerms`` here and in
``static/search.js`` folds accents and case, keeps symbol words (``c++`` →
``cplusplus``, ``c#`` → ``csharp``, ``.net`` → ``dotnet``) and folds plurals.
A change to :func:`terms` must be made in ``search.js`` too; a browser test
compares both on sample text.

What a visitor downloads is kept small (see docs/search.md for sizes):

* The file holds each lunr index in a compact form: the sorted vocabulary and,
  for each field of each document, its term numbers and counts. lunr's
  serialised form repeats every (term, document) pair twice — in the postings
  and in the field vectors — with a 3-decimal score each; search.js rebuilds
  both from the counts with lunr's own BM25 formula and parameters, then loads
  the result with ``lunr.Index.load``. A browser test checks that the rebuilt
  index equals ``lunr.py``'s serialisation.
* Each file is a script assigning to ``window.trombinoSearch``, not a JSON
  file, because ``fetch()`` fails from ``file://`` while ``<script src>`` works
  everywhere. Names carry a digest of what they hold, so browsers may cache them for good.
* People are one file, loaded with the search page; updates come in chunks of
  :data:`UPDATES_PER_CHUNK`, newest first, loaded on the first query and then
  on demand.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from itertools import chain
from typing import Any, Callable, Iterable, Mapping, Sequence

import lunr as lunr_py
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.token import Token

from trombino.cache import code_digest
from trombino.derive import Index
from trombino.model import Post, Site
from trombino.schema import AVAILABILITY_STATUSES, OPEN_TO
from trombino.text import avatar_hue, fold, initials
from trombino.views.expertise import Expertise
from trombino.views.publish import photo_path, visible

TERMS_FUNCTION = "trombinoTerms"

# Field boosts: a match in a name or a declared skill outweighs one in a bio.
PEOPLE_FIELDS: tuple[tuple[str, int], ...] = (
    ("name", 10),
    ("skills", 8),
    ("ask", 6),
    ("title", 4),
    ("evidence", 4),  # tags of the person's own updates: what they show, not say
    ("interests", 3),
    ("teams", 3),
    ("location", 3),
    ("languages", 2),
    ("bio", 1),
)
UPDATE_FIELDS: tuple[tuple[str, int], ...] = (("title", 6), ("tags", 6), ("author", 3), ("body", 1))
# Long texts match whole words only: a prefix typed there would touch most documents.
WHOLE_WORD_FIELDS = frozenset({"bio", "body"})

FORMER_BOOST = 0.3  # former colleagues stay findable, below current ones
EVIDENCE_TAGS = 10  # strongest tags shown in a person's updates that are indexed
EVIDENCE_REPEAT = 3  # a tag posted about often counts up to this many times
CHIPS = 8  # tags kept per person for the result list
HEADING_LENGTH = 140
UPDATES_PER_CHUNK = 5000
INDEX_FOLDER = "static/search/"  # with the theme's scripts: every script a page loads is under static/
K1, B = 1.2, 0.75  # lunr's BM25 parameters (its defaults), sent along for search.js to score with


# --- terms: must stay identical to terms() in static/search.js ----------------

# A word is letters and digits; a leading dot (".net") or a trailing "++", "+"
# or "#" ("c++", "c#") belongs to it, because that is how people write tags.
_WORD = re.compile(r"(?<![^\W_])(?<!\.)\.[^\W_]+|[^\W_]+(?:\+\+|\+|#)?")
_SYMBOLS = (("++", "plusplus"), ("+", "plus"), ("#", "sharp"))
# lunr's tokenizer: whitespace and hyphens separate tokens.
_LUNR_SEPARATOR = re.compile(r"[\s\-]+")


def search_fold(text: str) -> str:
    """:func:`trombino.text.fold`, minus any nonspacing mark it keeps.

    JavaScript can drop marks only by category (``\\p{Mn}``), not by combining
    class as ``fold`` does; dropping the rest here makes both sides equal.
    """
    folded = fold(text)
    if folded.isascii():
        return folded
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")


def singular(word: str) -> str:
    """Fold an English or French plural onto its singular ("S-stemmer", Harman 1991).

    Predictable and the same for both languages of the site, unlike a full
    stemmer, and it keeps prefixes intact for matching as you type.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Search terms of a text: 'Éloïse knows C++ and .NET APIs' → ['eloise', 'know', 'cplusplus', 'and', 'dotnet', 'api']."""
    result = []
    for word in _WORD.findall(search_fold(text)):
        if word[0] == ".":
            result.append("dot" + word[1:])
        elif word[-1] in "+#":
            symbol, name = next((s, n) for s, n in _SYMBOLS if word.endswith(s))
            result.append(word[: -len(symbol)] + name)
        else:
            result.append(singular(word))
    return result


@lru_cache(maxsize=200_000)
def _token_terms(token: str) -> tuple[str, ...]:
    # Words repeat a lot in a corpus: folding each distinct one once is most of the build time saved.
    return tuple(terms(token))


def _terms_pipeline(token: Token, i: int, tokens: list[Token]) -> list[Token]:
    return [Token(term, token.metadata) for term in _token_terms(token.string)]


# lunr.py keeps registered functions in a class-level table; registering the
# same function again (a module reload) only replaces it.
if Pipeline.registered_functions.get(TERMS_FUNCTION) is not _terms_pipeline:
    Pipeline.register_function(_terms_pipeline, TERMS_FUNCTION)


# --- documents: what is indexed and what a result shows -----------------------


def plain_text(html_text: str) -> str:
    """Visible text of sanitised HTML (bios, post bodies)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", html_text))
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Document:
    ref: str  # its position in the file's list of documents
    fields: Mapping[str, str]  # field name → indexed text
    shown: Mapping[str, Any]  # what a result displays (short keys, listed in docs/search.md)
    boost: float = 1.0


def _aliases(site: Site) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for alias, key in site.config.tag_aliases.items():
        result.setdefault(key, []).append(alias)
    return result


def _tag_text(site: Site, keys: Iterable[str], aliases: Mapping[str, list[str]]) -> str:
    """Display names of tags with their aliases, so 'k8s' finds Kubernetes people."""
    words = []
    for key in keys:
        tag = site.tags.get(key)
        words.append(tag.display if tag else key)
        words.extend(aliases.get(key, ()))
    return " ".join(words)


def _evidence_text(site: Site, standing: Sequence[Expertise]) -> str:
    """Tags of the person's own updates, strongest first, repeated (up to a cap) as often as posted."""
    shown = [e for e in standing if e.posts and e.tag in site.tags][:EVIDENCE_TAGS]
    return " ".join(" ".join([site.tags[e.tag].display] * min(len(e.posts), EVIDENCE_REPEAT)) for e in shown)


def person_documents(site: Site, index: Index, experts: Mapping[str, Sequence[Expertise]] | None = None) -> list[Document]:
    """One document per person, A–Z, former colleagues included with a lower boost.

    ``experts``: each current person's tags, strongest first, with the updates
    showing them (the expert index, ``index.views.experts.by_person`` by default).
    Only published fields are indexed or shown.
    """
    if experts is None:
        experts = index.views.experts.by_person
    config = site.config
    aliases = _aliases(site)
    team_number = {slug: i for i, slug in enumerate(site.teams)}
    documents = []
    for number, person in enumerate(site.people.values()):
        title = person.title if visible(person, config, "title") else ""
        location = person.location if visible(person, config, "location") else ""
        languages = " ".join(person.languages) if visible(person, config, "languages") else ""
        standing = experts.get(person.slug, ())
        posts_with = {e.tag: len(e.posts) for e in standing}
        undeclared = [e.tag for e in standing if not e.declared and e.posts]
        chips = [key for key in list(person.declared) + undeclared if key in site.tags][:CHIPS]
        status = person.availability.status if person.availability and visible(person, config, "availability") else ""
        documents.append(
            Document(
                ref=str(number),
                fields={
                    "name": person.name,
                    "skills": _tag_text(site, person.skills, aliases),
                    "ask": _tag_text(site, person.ask_me_about, aliases),
                    "title": title,
                    "evidence": _evidence_text(site, standing),
                    "interests": _tag_text(site, person.interests, aliases),
                    "teams": " ".join(site.teams[t].name for t in person.teams if t in site.teams),
                    "location": location,
                    "languages": languages,
                    "bio": plain_text(person.bio_html),
                },
                shown={
                    "s": person.slug,
                    "n": person.name,
                    "t": title,
                    "m": [team_number[t] for t in person.teams if t in team_number],
                    "l": location,
                    "a": status,
                    "o": list(person.open_to),
                    "p": photo_path(person, config, size=96) or "",
                    "i": initials(person.name),
                    "h": avatar_hue(person.slug),
                    "f": 1 if person.former else 0,
                    "k": [[site.tags[key].display, posts_with.get(key, 0)] for key in chips],
                },
                boost=FORMER_BOOST if person.former else 1.0,
            )
        )
    return documents


def _heading(post: Post) -> str:
    text = post.heading
    if len(text) <= HEADING_LENGTH:
        return text
    return text[:HEADING_LENGTH].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _searchable_tags(post: Post) -> tuple[str, ...]:
    """A post's tags and, for an opening, the skills it asks for: "postgresql" finds the openings needing it."""
    if post.opening is None:
        return post.tags
    return tuple(dict.fromkeys(post.tags + post.opening.required_skills + post.opening.nice_to_have))


@dataclass(frozen=True)
class UpdateContext:
    """All an update's document reads from the site besides the post itself.

    Update files are a pure function of their posts and this, so equal ones
    give equal files: ``serve`` keeps the last ones made (:func:`update_files`).
    """

    authors: tuple[tuple[str, str], ...]  # (slug, name) of everyone, in the people file's order
    teams: tuple[str, ...]  # team slugs, in order
    tags: tuple[tuple[str, str], ...]  # (key, display name)

    @classmethod
    def of(cls, site: Site) -> "UpdateContext":
        return cls(
            tuple((slug, person.name) for slug, person in site.people.items()),
            tuple(site.teams),
            tuple((key, tag.display) for key, tag in site.tags.items()),
        )


def update_documents(site: Site, posts: Sequence[Post]) -> list[Document]:
    """One document per update; ``a`` is the author's position in the people file."""
    return _update_documents(posts, UpdateContext.of(site))


def _update_documents(posts: Sequence[Post], context: UpdateContext) -> list[Document]:
    person_number = {slug: i for i, (slug, _) in enumerate(context.authors)}
    names = dict(context.authors)
    team_number = {slug: i for i, slug in enumerate(context.teams)}
    display = dict(context.tags)
    documents = []
    for number, post in enumerate(posts):
        documents.append(
            Document(
                ref=str(number),
                fields={
                    "title": post.title,
                    "tags": " ".join(display[t] for t in _searchable_tags(post) if t in display),
                    "author": names.get(post.author, ""),
                    "body": plain_text(post.html),
                },
                shown={
                    "r": post.id,
                    "h": _heading(post),
                    "a": person_number.get(post.author, -1),
                    "d": post.day.isoformat(),
                    "k": post.kind,
                    "m": team_number.get(post.team, -1) if post.team else -1,
                    "g": [display[t] for t in post.tags[:4] if t in display],
                },
            )
        )
    return documents


# --- indexes -----------------------------------------------------------------


def lunr_builder(fields: Sequence[tuple[str, int]], documents: Iterable[Document]) -> Builder:
    """A lunr.py builder holding every document: ``.build()`` gives a searchable lunr.py index."""
    builder = Builder()
    builder.pipeline.add(_terms_pipeline)
    builder.search_pipeline.add(_terms_pipeline)
    builder.ref("ref")
    builder.k1(K1)
    builder.b(B)
    for name, boost in fields:
        builder.field(name, boost)
    for document in documents:
        values = {name: document.fields.get(name, "") for name, _ in fields}
        builder.add({"ref": document.ref, **values}, {"boost": document.boost} if document.boost != 1 else None)
    return builder


Frequencies = Mapping[str, Mapping[str, int]]  # "field/ref" → term → count, as lunr's builder keeps them


def term_frequencies(fields: Sequence[tuple[str, int]], documents: Iterable[Document]) -> dict[str, dict[str, int]]:
    """What :func:`lunr_builder` counts, without lunr.py's per-token objects.

    Same tokenizer split and same pipeline function, so the same counts (unit
    tests compare both), about ten times faster: lunr.py took 9 s for 10,000
    people and would take minutes for 100,000 updates.
    """
    result: dict[str, dict[str, int]] = {}
    for document in documents:
        for name, _ in fields:
            counts: dict[str, int] = {}
            for term in chain.from_iterable(map(_token_terms, _LUNR_SEPARATOR.split(document.fields.get(name, "").lower()))):
                counts[term] = counts.get(term, 0) + 1
            result[f"{name}/{document.ref}"] = counts
    return result


def compact_index(frequencies: Frequencies, fields: Sequence[tuple[str, int]], documents: Sequence[Document]) -> dict[str, Any]:
    """The index as search.js expects it: vocabulary plus per-field term counts (see the module docstring).

    ``vectors[ref][field]`` lists term numbers as gaps from the previous one
    (the first from 0), each followed by ``-count`` when the term occurs more
    than once.
    """
    vocabulary = sorted({term for counts in frequencies.values() for term in counts})
    number = {term: i for i, term in enumerate(vocabulary)}
    vectors = []
    for document in documents:
        per_field = []
        for name, _ in fields:
            encoded, previous = [], 0
            counts = frequencies[f"{name}/{document.ref}"]
            for term_number, count in sorted(zip(map(number.__getitem__, counts), counts.values())):
                encoded.append(term_number - previous)
                previous = term_number
                if count > 1:
                    encoded.append(-count)
            per_field.append(encoded)
        vectors.append(per_field)
    return {
        "version": lunr_py.__TARGET_JS_VERSION__,
        "pipeline": [TERMS_FUNCTION],
        "fields": [name for name, _ in fields],
        "boosts": [boost for _, boost in fields],
        "prefixFields": [name for name, _ in fields if name not in WHOLE_WORD_FIELDS],
        "k1": K1,
        "b": B,
        "terms": vocabulary,
        "vectors": vectors,
        "docBoosts": {d.ref: d.boost for d in documents if d.boost != 1},
    }


# What a file's bytes depend on besides what its documents are made from: trombino's code
# (this module, and the helpers it calls to make documents) and lunr's.
_WRITER = code_digest() + lunr_py.__TARGET_JS_VERSION__


@dataclass(frozen=True)
class SearchFile:
    """One script of the index: what its documents are made from now, its text when the
    file is written.

    Building the index of 100,000 updates takes seconds; listing the files only
    needs their names, so the documents and the text are made on first use of
    ``documents`` or ``body`` — by the render workers, in parallel, and only for the
    files a warm build renders. The name carries a digest of what the documents are
    made from (``made_from``) and of the code making them, so browsers may cache a
    file for good: other text, other name.
    """

    part: str  # "people" or "updates-N"
    fields: tuple[tuple[str, int], ...]
    made_from: str  # a digest of everything the documents are made from
    make: Callable[[], Iterable[Document]] = field(compare=False, repr=False)  # the documents
    extra: tuple[tuple[str, Any], ...] = ()  # more entries of the payload (the people file's teams)

    @cached_property
    def documents(self) -> tuple[Document, ...]:
        return tuple(self.make())

    @cached_property
    def content_digest(self) -> str:
        """A digest of everything the file's text is made from."""
        data = json.dumps([self.part, self.fields, self.made_from, self.extra], ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256((_WRITER + data).encode("utf-8")).hexdigest()

    @cached_property
    def name(self) -> str:
        return f"{self.part}.{self.content_digest[:10]}.js"

    def __digest__(self) -> str:
        """What stands for this value in :class:`trombino.recorded.Digester` (faster than its documents)."""
        return f"{self.part}:{self.content_digest}"

    @cached_property
    def body(self) -> str:
        frequencies = term_frequencies(self.fields, self.documents)
        payload = {"index": compact_index(frequencies, self.fields, self.documents), "docs": [d.shown for d in self.documents], **dict(self.extra)}
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return f'(window.trombinoSearch=window.trombinoSearch||{{}})["{self.part}"]={data};\n'


def people_file(site: Site, index: Index, experts: Mapping[str, Sequence[Expertise]] | None = None) -> SearchFile:
    teams = [{"s": t.slug, "n": t.name, "p": t.parent or ""} for t in site.teams.values()]
    documents = tuple(person_documents(site, index, experts))
    listed = [(d.ref, d.fields, d.shown, d.boost) for d in documents]
    made_from = hashlib.sha256(json.dumps(listed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()
    return SearchFile("people", PEOPLE_FIELDS, made_from, lambda: documents, (("teams", teams),))


def _updates_digest(posts: tuple[Post, ...], context: UpdateContext) -> str:
    """A digest of an update file's posts and context: their repr() spells every field
    exactly (strings escaped, dates with their time zone), far faster than making documents."""
    return hashlib.sha256("\n".join([repr(context), *map(repr, posts)]).encode("utf-8", "surrogatepass")).hexdigest()


def update_files(site: Site, per_chunk: int | None = None) -> list[SearchFile]:
    """The updates, newest first, in chunks of ``per_chunk`` (:data:`UPDATES_PER_CHUNK`): one lunr index each."""
    per_chunk = per_chunk or UPDATES_PER_CHUNK
    context = UpdateContext.of(site)
    starts = range(0, len(site.posts), per_chunk)
    for number in [n for n in _LAST_UPDATE_FILES if n >= len(starts)]:
        del _LAST_UPDATE_FILES[number]
    return [_update_file(number, site.posts[start : start + per_chunk], context) for number, start in enumerate(starts)]


# The last update file made for each chunk number, with what it was made from.
# ``serve`` rebuilds after every save and most saves leave the updates alone:
# making the documents again and naming the file cost a tenth of a second per
# 10,000 updates. Safe to keep because a file is a pure function of its posts
# and context, compared by value here (the previous build's posts usually
# being the very same objects, that is cheap).
_LAST_UPDATE_FILES: dict[int, tuple[tuple[Post, ...], UpdateContext, SearchFile]] = {}


def _update_file(number: int, posts: tuple[Post, ...], context: UpdateContext) -> SearchFile:
    last = _LAST_UPDATE_FILES.get(number)
    if last is not None and last[1] == context and last[0] == posts:
        return last[2]
    file = SearchFile(f"updates-{number}", UPDATE_FIELDS, _updates_digest(posts, context), partial(_update_documents, posts, context))
    _LAST_UPDATE_FILES[number] = (posts, context, file)
    return file


@dataclass(frozen=True)
class Filters:
    """Choices offered by the filters of the search page: only values someone has."""

    teams: tuple[tuple[str, str, int], ...]  # (slug, name, depth) in tree order
    locations: tuple[str, ...]
    statuses: tuple[str, ...]
    open_to: tuple[str, ...]


def search_filters(site: Site, index: Index) -> Filters:
    people = site.current_people
    config = site.config
    teams: list[tuple[str, str, int]] = []

    def walk(nodes, depth: int) -> None:  # noqa: ANN001 - TeamNode tuples
        for node in nodes:
            teams.append((node.team.slug, node.team.name, depth))
            walk(node.children, depth + 1)

    walk(index.team_tree(), 0)
    locations = sorted({p.location for p in people if p.location and visible(p, config, "location")}, key=fold)
    statuses = {p.availability.status for p in people if p.availability and visible(p, config, "availability")}
    open_to = {item for p in people for item in p.open_to}
    return Filters(
        teams=tuple(teams),
        locations=tuple(locations),
        statuses=tuple(s for s in AVAILABILITY_STATUSES if s in statuses),
        open_to=tuple(o for o in OPEN_TO if o in open_to),
    )


@dataclass(frozen=True)
class SearchPage:
    """Everything search.html needs: the index files to load and the filter choices."""

    people: SearchFile
    updates: tuple[SearchFile, ...]
    filters: Filters
    post_count: int

    def file(self, part: str) -> SearchFile:
        return next(f for f in (self.people, *self.updates) if f.part == part)


def search_page(site: Site, index: Index) -> SearchPage:
    return SearchPage(people_file(site, index), tuple(update_files(site)), search_filters(site, index), len(site.posts))
