"""Small text helpers shared by every stage: accent folding, slugs, tag keys."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_SPECIAL_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"})


def fold(text: str) -> str:
    """Lowercase ASCII-ish form for matching and sorting: 'Éloïse' → 'eloise'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=1 << 16)  # pure, and called for the same few thousand tags again and again
def tag_key(raw: str) -> str:
    """Identity of a tag: case-folded, spaces and underscores become '-'.

    'Machine Learning', 'machine_learning' and 'machine-learning' are one tag;
    'C', 'C++' and 'C#' stay three; accents are kept ('sécurité').
    """
    text = unicodedata.normalize("NFC", raw).strip().lstrip("#").strip()
    text = re.sub(r"[\s_]+", "-", text.casefold())
    text = re.sub(r"-{2,}", "-", text).strip("-")
    return text


_SYMBOL_WORDS = (("++", "-plus-plus"), ("+", "-plus"), ("#", "-sharp"), ("&", "-and-"), ("@", "-at-"))


@lru_cache(maxsize=1 << 16)
def tag_slug(key: str) -> str:
    """Readable ASCII URL slug for a tag key: 'c++' → 'c-plus-plus', '.net' → 'dotnet'."""
    text = fold(key)
    if text.startswith("."):
        text = "dot" + text[1:]
    for symbol, word in _SYMBOL_WORDS:
        text = text.replace(symbol, word)
    text = text.replace(".", "-dot-")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "tag"


@lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """URL-safe slug from any text (file stems of posts, team names)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug or "item"


def avatar_hue(slug: str) -> int:
    """Stable hue (0–359) of a person's initials avatar, the same on every page and in search."""
    return int(hashlib.sha256(slug.encode()).hexdigest()[:4], 16) % 360


def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w[0].isalpha()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


_PARTICLES = {"de", "du", "des", "la", "le", "van", "von", "der", "den", "di", "da", "del", "d'", "l'", "ten", "ter"}


def default_sort_name(name: str) -> str:
    """Family name first, accents folded: 'Éloïse Marchand' sorts as 'marchand eloise'.

    Particles before the family name are kept with it but do not lead the key
    ('Jean de la Fontaine' → 'fontaine de la jean').
    """
    words = name.split()
    if len(words) < 2:
        return fold(name)
    index = len(words) - 1
    while index > 1 and words[index - 1].lower() in _PARTICLES:
        index -= 1
    family = words[-1]
    particles = words[index:-1]
    given = words[:index]
    return fold(" ".join([family, *particles, *given]))
