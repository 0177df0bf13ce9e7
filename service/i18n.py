"""The few interface strings the CLI and the service say themselves, in UCLG's three languages.

Validation messages come from the shapes (``sh:message`` in en, fr, es); these are only the
sentences around them.
"""

from __future__ import annotations

from starlette.requests import Request

from rightsgraph.languages import LANGUAGES, localize, pick_language

__all__ = ["LANGUAGES", "pick_language", "request_language", "t"]


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


def request_language(request: Request, explicit: str | None = None) -> str:
    """The language to answer a request in: ``explicit`` (e.g. a ``lang`` form field), else the
    ``lang`` query parameter, else ``Accept-Language``, else English."""
    return pick_language(
        explicit or request.query_params.get("lang") or request.headers.get("accept-language")
    )


def t(key: str, lang: str, **values: object) -> str:
    return localize(_TEXT, key, lang, **values)
