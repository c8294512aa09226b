"""Message catalogues (``messages/<lang>.yaml``) and locale-aware formatting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Mapping

import yaml

LANGUAGES = ("en", "fr")

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
}
_MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}


@lru_cache(maxsize=None)
def catalogue(language: str) -> Mapping[str, str]:
    text = resources.files("trombino").joinpath("messages", f"{language}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


class MissingMessage(KeyError):
    pass


@dataclass(frozen=True)
class Translator:
    language: str

    def __call__(self, key: str, **values: object) -> str:
        messages = catalogue(self.language)
        if key not in messages:
            raise MissingMessage(f"message '{key}' is missing from the '{self.language}' catalogue")
        text = messages[key]
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: object) -> str:
        """Keys 'KEY.one' / 'KEY.other'; French treats 0 and 1 as singular."""
        singular = count == 1 or (self.language == "fr" and count == 0)
        return self(f"{key}.{'one' if singular else 'other'}", count=self.number(count), **values)

    def number(self, value: int | float) -> str:
        if isinstance(value, float):
            text = f"{value:,.1f}"
        else:
            text = f"{value:,}"
        if self.language == "fr":
            return text.replace(",", "\u202f").replace(".", ",")
        return text

    def date(self, value: date | datetime | None, *, short: bool = False) -> str:
        if value is None:
            return ""
        months = (_MONTHS_SHORT if short else _MONTHS)[self.language]
        month = months[value.month - 1]
        if self.language == "fr":
            day = "1er" if value.day == 1 else str(value.day)
            return f"{day} {month} {value.year}"
        return f"{value.day} {month} {value.year}"

    def month(self, value: date) -> str:
        return f"{_MONTHS[self.language][value.month - 1]} {value.year}"
