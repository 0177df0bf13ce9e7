"""The few interface strings the CLI and the service say themselves, in UCLG's three languages.

Validation messages come from the shapes (``sh:message`` in en, fr, es); these are only the
sentences around them.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "es")

_TEXT: dict[str, dict[str, str]] = {
    "conforms": {
        "en": "conforms",
        "fr": "conforme",
        "es": "conforme",
    },
    "does_not_conform": {
        "en": "does not conform",
        "fr": "non conforme",
        "es": "no conforme",
    },
    "counts": {
        "en": "{violations} violation(s), {warnings} warning(s)",
        "fr": "{violations} violation(s), {warnings} avertissement(s)",
        "es": "{violations} infracción(es), {warnings} advertencia(s)",
    },
    "stored": {
        "en": "stored as {graph} (revision {revision})",
        "fr": "enregistré dans {graph} (révision {revision})",
        "es": "guardado en {graph} (revisión {revision})",
    },
    "nothing_written": {
        "en": "nothing was written",
        "fr": "rien n'a été enregistré",
        "es": "no se ha guardado nada",
    },
    "dry_run": {
        "en": "validation only, nothing was written",
        "fr": "validation seule, rien n'a été enregistré",
        "es": "solo validación, no se ha guardado nada",
    },
    "row": {"en": "row", "fr": "ligne", "es": "fila"},
    "line": {"en": "line", "fr": "ligne", "es": "línea"},
    "Violation": {"en": "Violation", "fr": "Violation", "es": "Infracción"},
    "Warning": {"en": "Warning", "fr": "Avertissement", "es": "Advertencia"},
    "Info": {"en": "Info", "fr": "Info", "es": "Info"},
}


def pick_language(requested: str | None) -> str:
    """The first of en/fr/es that the request names (``fr-CA`` -> ``fr``), else ``en``."""
    for part in (requested or "").replace(",", " ").split():
        primary = part.split(";")[0].split("-")[0].strip().lower()
        if primary in LANGUAGES:
            return primary
    return "en"


def t(key: str, lang: str, **values: object) -> str:
    entry = _TEXT[key]
    return entry.get(lang, entry["en"]).format(**values)
