"""`trombino new`: commented templates that pass `check` once filled in."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from trombino.schema import SLUG_RE
from trombino.text import slugify


class NewFileError(Exception):
    pass


PERSON_TEMPLATE = """\
---
# Your profile. Fill in what you like; only `name` is required.
# Reference of every field: docs/content-format.md
name: ""                      # e.g. Éloïse Marchand
title: ""                     # e.g. Staff Engineer, Platform
teams: []                     # team slugs, main team first, e.g. [platform]
# manager: someone-slug
location: ""
# timezone: Europe/Paris
# email: you@example.com
# chat: "@you"
# pronouns: she/her
languages: []                 # e.g. [French, English]
skills: []                    # what you are good at, e.g. [PostgreSQL, Python]
interests: []                 # what you want to learn or do more of
ask_me_about: []              # topics you are happy to be asked about
availability:
  status: available           # available | partial | busy | away
  # until: 2027-01-31
  # note: "On a migration until January"
open_to: []                   # mentoring, mobility, new-projects, speaking, pairing
# photo: photos/{slug}.jpg    # relative to this file
---
A few lines about you: what you work on, how to reach you, what you like.
"""

POST_TEMPLATE = """\
---
author: {author}
date: {date}
# title: Optional title
# kind: update                # update | decision | question | announcement | opening
# team: some-team             # default: your first team
tags: []                      # or write #tags in the text below
# In the text, mention people with @ and their slug, and topics with # and a word.
---
What happened? Replace this line with your update.
"""


def _create(source: Path, path: Path, text: str) -> Path:
    # A symbolic link on the way (content/posts/2026 -> /elsewhere) must not lead outside the site.
    if not path.parent.resolve().is_relative_to(source.resolve()):
        raise NewFileError(f"{path.parent} leads outside the site folder {source}; nothing was created")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: never overwrite an existing file, even in a race.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise NewFileError(f"{path} already exists; it was left untouched") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def new_person(source: Path, slug: str) -> Path:
    if not SLUG_RE.match(slug):
        raise NewFileError(f"'{slug}' is not a valid slug: use lowercase letters, digits and '-' (e.g. '{slugify(slug)}')")
    return _create(source, source / "content" / "people" / f"{slug}.md", PERSON_TEMPLATE.replace("{slug}", slug))


def new_post(source: Path, *, author: str | None, title: str | None, slug: str | None, now: datetime | None = None) -> Path:
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    for label, value in (("slug", slug), ("author", author)):
        if value is not None and not SLUG_RE.match(value):
            raise NewFileError(f"'{value}' is not a valid {label}: use lowercase letters, digits and '-' (e.g. '{slugify(value)}')")
    stem = slug or slugify(title or f"update-{now:%d-%H%M}")
    text = POST_TEMPLATE.format(author=author or "your-slug", date=now.isoformat())
    if title:
        text = text.replace("# title: Optional title", f"title: {json.dumps(title, ensure_ascii=False)}")
    return _create(source, source / "content" / "posts" / f"{now:%Y}" / f"{now:%m}" / f"{stem}.md", text)
