"""UCLG's three languages, and the two things every part needs from them: which one a request
asks for, and a sentence from an en/fr/es table in that language."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "fr", "es")


def pick_language(requested: str | None) -> str:
    """The first of en/fr/es named by a tag or an ``Accept-Language`` value, else ``en``.

    >>> [pick_language(x) for x in ("fr-CA", "de, es;q=0.8", "pt_BR", None)]
    ['fr', 'es', 'en', 'en']
    """
    for part in (requested or "").replace(",", " ").split():
        primary = part.split(";")[0].replace("_", "-").split("-")[0].strip().lower()
        if primary in LANGUAGES:
            return primary
    return "en"


def localize(
    table: Mapping[str, Mapping[str, str]], key: str, lang: str, /, **values: object
) -> str:
    """``table[key]`` in ``lang`` (English when the language is missing), filled with ``values``.

    Raises ``KeyError`` for an unknown key: a typo in a key is a programming error.
    """
    entry = table[key]
    text = entry.get(lang, entry["en"])
    return text.format(**values) if values else text
