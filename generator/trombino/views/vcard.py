"""One vCard 3.0 (``.vcf``) per person: what the profile publishes, importable
into any address book. Version 3.0 rather than 4.0 because it is what phones
and mail clients import most reliably.
"""

from __future__ import annotations

import uuid

from trombino.model import Person, Site
from trombino.text import _PARTICLES as PARTICLES
from trombino.views.publish import photo_path, visible

LINE_OCTETS = 75  # RFC 2425/6350: fold longer lines


def escape_value(text: str) -> str:
    return text.replace("\r", "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character; continuations start with a space."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def split_name(name: str) -> tuple[str, str]:
    """(family, given) the way A–Z sorting sees it: 'Marguerite de La Fontaine' → ('de La Fontaine', 'Marguerite')."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(words[start:]), " ".join(words[:start])


def vcard(site: Site, person: Person) -> str:
    config, base = site.config, site.config.base_url
    family, given = split_name(person.name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"UID:urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'trombino:people/' + person.slug)}",
        f"FN:{escape_value(person.name)}",
        f"N:{escape_value(family)};{escape_value(given)};;;",
    ]
    team = site.teams.get(person.teams[0]) if person.teams else None
    lines.append(f"ORG:{escape_value(config.title)}" + (f";{escape_value(team.name)}" if team else ""))
    if person.title and visible(person, config, "title"):
        lines.append(f"TITLE:{escape_value(person.title)}")
    if person.email and visible(person, config, "email"):
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{escape_value(person.email)}")
    if person.location and visible(person, config, "location"):
        lines.append(f"ADR;TYPE=WORK:;;;{escape_value(person.location)};;;")
    lines.append(f"URL:{base}people/{person.slug}/")
    photo = photo_path(person, config)
    if photo:
        lines.append(f"PHOTO;VALUE=URI:{base}{photo}")
    if person.skills:
        lines.append("CATEGORIES:" + ",".join(escape_value(site.tags[k].display) for k in person.skills if k in site.tags))
    notes = []
    if person.pronouns and visible(person, config, "pronouns"):
        notes.append(person.pronouns)
    if person.chat and visible(person, config, "chat"):
        notes.append(f"chat {person.chat}")
    if person.timezone and visible(person, config, "timezone"):
        notes.append(person.timezone)
    if notes:
        lines.append("NOTE:" + escape_value(" · ".join(notes)))
    if person.updated:
        lines.append(f"REV:{person.updated.isoformat()}")
    lines.append("END:VCARD")
    return "".join(fold_line(line) + "\r\n" for line in lines)
