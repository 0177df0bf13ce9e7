"""IRI minting: every IRI the project makes comes from here, under one configurable base."""

from __future__ import annotations

import os
import re
import unicodedata

DEFAULT_BASE = "https://w3id.org/rightsgraph/"


def base_iri() -> str:
    """The base IRI, from ``RIGHTSGRAPH_BASE_IRI`` or the default; always ends with ``/``."""
    base = os.environ.get("RIGHTSGRAPH_BASE_IRI", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"


def slugify(text: str, *, max_length: int = 80) -> str:
    """ASCII, lower case, dash-separated slug, stable across runs and platforms.

    >>> slugify("Ciudad de México")
    'ciudad-de-mexico'
    >>> slugify("  Wien / Vienna  ")
    'wien-vienna'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "x"


def territory_key(country: str, name: str) -> str:
    """The key ``{cc}-{slug}`` that names a territory's IRI and its submission graph.

    >>> territory_key("ES", "Barcelona")
    'es-barcelona'
    """
    return f"{country.strip().lower()}-{slugify(name)}"


def ontology(term: str = "") -> str:
    return f"{base_iri()}ontology#{term}"


def entity(path: str) -> str:
    """An instance IRI, e.g. ``entity('territory/es-barcelona')``."""
    return f"{base_iri()}id/{path}"


def vocab(path: str) -> str:
    return f"{base_iri()}vocab/{path}"


def graph(path: str) -> str:
    """A named graph IRI, e.g. ``graph('territory/es-barcelona')``."""
    return f"{base_iri()}graph/{path}"


def territory(key: str) -> str:
    return entity(f"territory/{key}")


def territory_graph(key: str) -> str:
    return graph(f"territory/{key}")


def revision_graph(key: str, number: int) -> str:
    return graph(f"revision/{key}/{number}")


def private_graph(key: str) -> str:
    """The graph of a territory's personal data (contact e-mails, names): never queried."""
    return graph(f"private/{key}")


def is_revision_graph(iri: str) -> bool:
    return iri.startswith(graph("revision/"))


def is_history_graph(iri: str) -> bool:
    """Graphs kept beside the live dataset: revisions and personal data."""
    return iri.startswith((graph("revision/"), graph("private/")))


def rebase(text: str, *, base: str | None = None) -> str:
    """Rewrite packaged text written with the default base to the configured base."""
    target = base or base_iri()
    return text if target == DEFAULT_BASE else text.replace(DEFAULT_BASE, target)
