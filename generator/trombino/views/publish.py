"""Which profile fields a site may publish: the one rule shared by the JSON API and vCards."""

from __future__ import annotations

from trombino.model import Config, Person
from trombino.photos import SIZES, thumbnail_path


def visible(person: Person, config: Config, name: str) -> bool:
    """A field is published unless the site hides it or the person made it private.

    A build publishes the model through :func:`trombino.privacy.publish`, which
    already blanks hidden fields; views that are also called on unpublished
    models (hand-made ones in tests) ask here.
    """
    return name not in config.hidden_fields and name not in person.private


def photo_path(person: Person, config: Config, size: int = SIZES[-1]) -> str | None:
    """Output path of a person's published photo: its JPEG thumbnail of ``size`` px (see :mod:`trombino.photos`)."""
    if not person.photo or not visible(person, config, "photo"):
        return None
    return thumbnail_path(person.slug, size, "jpeg")
