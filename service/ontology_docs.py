"""The ontology and the shapes as documents: the packaged Turtle, the ontology's human
documentation made by pyLODE, and a summary of the SHACL shapes.

``/ontology`` is the document of every ``rg:`` term (hash IRIs ``…/ontology#Term``), so a browser
that follows ``rg:Territory`` must land on readable documentation with an anchor per term. pyLODE
writes that documentation; it is slow (about a second) and the ontology only changes with a
release, so each language's page is generated once per process and kept.

Why the packaged file and not the store: the packaged ``ontology/rightsgraph.ttl`` is the source
of truth, carries its comments, and needs no query; it is rebased to the service's base IRI like
everything ``init`` loads.

pyLODE is given a parsed graph, never a location, so it reads nothing from the network (it loads
its background ontologies from files inside its own package; ``tests/test_linked_data.py`` checks
that no socket is opened). Two of its habits are contained here: importing it calls
``logging.basicConfig(level=DEBUG)``, which would turn on every library's debug output in the
server, so the root logger is restored after the import; and on first use it caches those
background ontologies as pickles in its package folder, which fails where that folder is
read-only, so any ``OSError`` becomes :class:`OntologyDocsError` and the caller falls back to the
generic linked-data page.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from rightsgraph import iri
from rightsgraph.errors import RightsGraphError
from rightsgraph.resources import iter_files, read_text
from rightsgraph.service.i18n import LANGUAGES

log = logging.getLogger(__name__)

ONTOLOGY_FILE = "rightsgraph.ttl"
_LOCK = threading.Lock()

_NAV = {
    "home": {"en": "Home", "fr": "Accueil", "es": "Inicio"},
    "query": {"en": "Query", "fr": "Requête", "es": "Consulta"},
    "turtle": {"en": "Turtle", "fr": "Turtle", "es": "Turtle"},
}


class OntologyDocsError(RightsGraphError):
    """pyLODE could not document the ontology (a pyLODE error, or its package folder is not
    writable for its cache)."""

    status = 503
    type = "ontology-docs-unavailable"


def ontology_iri(base: str) -> str:
    """The ontology IRI (``{base}ontology``), whose terms are ``{base}ontology#Term``."""
    return f"{_slash(base)}ontology"


@lru_cache(maxsize=4)
def ontology_turtle(base: str) -> str:
    """The packaged ontology Turtle, rebased to ``base``. Raises ``OSError`` if it is missing."""
    return iri.rebase(read_text("ontology", ONTOLOGY_FILE), base=_slash(base))


@lru_cache(maxsize=4)
def ontology_graph(base: str) -> Graph:
    """The ontology as an rdflib graph. Do not modify it (it is shared)."""
    return Graph().parse(data=ontology_turtle(base), format="turtle")


def ontology_version(base: str) -> str:
    """``owl:versionInfo`` of the ontology, e.g. ``0.1.0`` (empty when it has none)."""
    graph = ontology_graph(base)
    for value in graph.objects(None, OWL.versionInfo):
        return str(value)
    return ""


def ontology_html(base: str, lang: str) -> str:
    """The pyLODE documentation in ``lang`` (en, fr or es; others give en), made once per
    process and language. Raises :class:`OntologyDocsError` when pyLODE fails."""
    lang = lang if lang in LANGUAGES else "en"
    with _LOCK:  # pyLODE writes its cache files on first use: one generation at a time
        return _ontology_html(_slash(base), lang)


@lru_cache(maxsize=12)
def _ontology_html(base: str, lang: str) -> str:
    ont_pub = _import_pylode()
    graph = _one_language(ontology_graph(base), lang)
    try:
        html = str(ont_pub(graph).make_html())
    except OSError as exc:
        raise OntologyDocsError(f"pyLODE could not write its cache: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # pyLODE raises PylodeError (a ValueError) for a missing title and plain Python errors
        # for shapes of data it does not expect; either way there is no page to serve.
        raise OntologyDocsError(f"pyLODE could not document the ontology: {exc}") from None
    return _with_header(html, lang)


def _import_pylode() -> Any:
    """``pylode.OntPub``, imported without letting pyLODE reconfigure the root logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub
    except ImportError as exc:
        raise OntologyDocsError(f"pyLODE is not installed: {exc}") from None
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return OntPub


def _one_language(source: Graph, lang: str) -> Graph:
    """A copy of ``source`` that keeps, for each subject and predicate, only the literals in
    ``lang`` (else English, else all): pyLODE would otherwise print the three labels run
    together ("TerritoryTerritoireTerritorio")."""
    out = Graph()
    for prefix, namespace in source.namespaces():
        out.bind(prefix, namespace, override=True)
    tagged: dict[tuple[Any, Any], set[str]] = {}
    for s, p, o in source:
        if isinstance(o, Literal) and o.language:
            tagged.setdefault((s, p), set()).add(o.language.lower())
    for s, p, o in source:
        if isinstance(o, Literal) and o.language:
            present = tagged[(s, p)]
            keep = lang if lang in present else "en" if "en" in present else None
            if keep is not None and o.language.lower() != keep:
                continue
        out.add((s, p, o))
    # The ontology's title must survive in some language for pyLODE to accept the graph.
    for ont in source.subjects(RDF.type, OWL.Ontology):
        if not any(True for _ in out.objects(ont, DCTERMS.title)):
            for title in source.objects(ont, DCTERMS.title):
                out.add((ont, DCTERMS.title, title))
    return out


def _with_header(html: str, lang: str) -> str:
    """Add ``lang`` to ``<html>`` and a small bar of links (home, query, SPARQL, Turtle,
    languages) at the top of pyLODE's page. Only constant text is inserted."""
    links = [
        f'<a href="/">{_NAV["home"][lang]}</a>',
        f'<a href="/query">{_NAV["query"][lang]}</a>',
        '<a href="/sparql">SPARQL</a>',
        f'<a href="/ontology.ttl" type="text/turtle">{_NAV["turtle"][lang]}</a>',
    ]
    languages = " ".join(
        f"<strong>{code}</strong>"
        if code == lang
        else f'<a href="/ontology?lang={code}">{code}</a>'
        for code in LANGUAGES
    )
    bar = (
        '<nav style="font-family:sans-serif;padding:.5em 1em;border-bottom:1px solid #ccc;'
        'display:flex;gap:1em;flex-wrap:wrap">'
        + " ".join(links)
        + f'<span style="margin-left:auto">{languages}</span></nav>'
    )
    html = html.replace("<html>", f'<html lang="{lang}">', 1)
    head, sep, rest = html.partition("<body>")
    return head + sep + bar + rest if sep else html


@lru_cache(maxsize=4)
def term_labels(base: str) -> dict[str, dict[str, str]]:
    """``rdfs:label`` of every ontology term, by IRI and language tag (for pages that name
    classes and properties without querying the store)."""
    out: dict[str, dict[str, str]] = {}
    for s, o in ontology_graph(base).subject_objects(RDFS.label):
        if isinstance(s, URIRef) and isinstance(o, Literal):
            out.setdefault(str(s), {}).setdefault((o.language or "").lower(), str(o))
    return out


# -- the shapes ------------------------------------------------------------------------------------
SH = "http://www.w3.org/ns/shacl#"


def shapes_iri(base: str) -> str:
    """The shapes ontology IRI (``{base}shapes``), whose shapes are ``{base}shapes#Name``."""
    return f"{_slash(base)}shapes"


@lru_cache(maxsize=4)
def shapes_graph(base: str) -> Graph:
    """Every packaged shapes file (``shapes/*.ttl``) in one graph, rebased to ``base``. Do not
    modify it (it is shared). Raises ``OSError`` if the package is broken."""
    graph = Graph()
    for name, _file in iter_files("shapes", "", ".ttl"):
        graph.parse(data=iri.rebase(read_text("shapes", name), base=_slash(base)), format="turtle")
    graph.bind("rgsh", f"{shapes_iri(base)}#")
    graph.bind("sh", SH)
    return graph


@lru_cache(maxsize=4)
def shapes_turtle(base: str) -> str:
    """The shapes as one Turtle document (rdflib's writer nests their blank nodes and lists,
    which a plain concatenation of the files could not do safely)."""
    return shapes_graph(base).serialize(format="turtle")


@dataclass(frozen=True)
class ShapeSummary:
    """One shape as the shapes page shows it, in one language."""

    anchor: str
    iri: str
    name: str
    description: str
    message: str
    severity: str
    target: str
    path: str


def shape_summaries(base: str, lang: str) -> list[ShapeSummary]:
    """Every named shape (an IRI under ``{base}shapes#``), sorted by name, with its texts in
    ``lang`` (else English); target class and path as IRIs (empty when absent or blank)."""
    graph = shapes_graph(base)
    namespace = f"{shapes_iri(base)}#"
    sh = Namespace(SH)
    out = []
    for node in sorted({s for s in graph.subjects(sh.name, None) if isinstance(s, URIRef)}):
        if not str(node).startswith(namespace):
            continue
        severity = graph.value(node, sh.severity)
        target = graph.value(node, sh.targetClass)
        path = graph.value(node, sh.path)
        out.append(
            ShapeSummary(
                anchor=str(node)[len(namespace) :],
                iri=str(node),
                name=_text(graph, node, sh.name, lang),
                description=_text(graph, node, sh.description, lang),
                message=_text(graph, node, sh.message, lang),
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "",
                target=str(target) if isinstance(target, URIRef) else "",
                path=str(path) if isinstance(path, URIRef) else "",
            )
        )
    return out


def shapes_title(base: str, lang: str) -> str:
    graph = shapes_graph(base)
    return _text(graph, URIRef(shapes_iri(base)), RDFS.label, lang) or "RightsGraph shapes"


def _text(graph: Graph, node: URIRef, predicate: URIRef, lang: str) -> str:
    by_lang = {
        (o.language or "").lower(): str(o)
        for o in graph.objects(node, predicate)
        if isinstance(o, Literal)
    }
    for tag in (lang, "en", ""):
        if tag in by_lang:
            return by_lang[tag]
    return next(iter(sorted(by_lang.values())), "")


def _slash(base: str) -> str:
    return base if base.endswith("/") else base + "/"
