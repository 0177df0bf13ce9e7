"""Linked data: dereferencing IRIs under the base, /ontology, /.well-known/void, /dump.

The service maps the base IRI (``settings.base_iri``, default ``https://w3id.org/rightsgraph/``)
to itself: ``GET /id/territory/es-barcelona`` describes ``{base}id/territory/es-barcelona``, in
HTML for browsers and in Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept`` (or ``?format=``).
A description is what the engine's CONSTRUCT queries give: the resource's own statements (with
its blank nodes), the labels of what it points to, and a bounded number of statements that point
to it, with their subjects' labels.

Personal data never leaves through these routes: :func:`is_public` is the one rule, applied to
every statement that a page, a dereferenced description or the dump serves (contact e-mails and
telephones, and the submitter recorded in the provenance, are personal data).

Everything shown in HTML goes through Jinja2 with autoescaping (labels are user-submitted), and
only ``http``/``https`` IRIs become links (a submitted ``javascript:`` IRI stays text).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import weakref
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote, unquote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from jinja2 import Environment, FunctionLoader, StrictUndefined
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

from rightsgraph import iri as iris
from rightsgraph.errors import NotFoundError, RightsGraphError, StoreError
from rightsgraph.namespaces import prefixes
from rightsgraph.personal import PERSONAL_PREDICATES
from rightsgraph.resources import read_text
from rightsgraph.service import description as description_module
from rightsgraph.service import ontology_docs
from rightsgraph.service.deps import EngineDep, SettingsDep, StoreDep
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.i18n import LANGUAGES, request_language
from rightsgraph.service.negotiation import negotiate
from rightsgraph.service.problems import problem
from rightsgraph.store.base import GraphResult, SelectResult

log = logging.getLogger(__name__)

router = APIRouter(tags=["linked-data"])

# -- vocabulary ----------------------------------------------------------------------------------
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
FOAF = "http://xmlns.com/foaf/0.1/"
SD = "http://www.w3.org/ns/sparql-service-description#"
OWL = "http://www.w3.org/2002/07/owl#"
SCHEMA = "https://schema.org/"
RDF_TYPE = RDF + "type"

#: Prefixes used in Turtle besides the project's (``rightsgraph.namespaces.prefixes``).
_EXTRA_PREFIXES = {"void": VOID, "sd": SD}
_SIMPLE_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:[.][A-Za-z0-9_-]+)*")

#: Predicates whose values name a resource, in order of preference.
LABEL_PREDICATES = (
    SKOS + "prefLabel",
    RDFS + "label",
    DCTERMS + "title",
    SCHEMA + "name",
    FOAF + "name",
)

#: Personal data, whatever the resource: contact e-mails and telephones (schema.org with either
#: scheme, FOAF, vCard). ``rg:submittedBy`` is added per base by :func:`private_predicates`.
_PRIVATE_STANDARD = PERSONAL_PREDICATES

# -- media types -----------------------------------------------------------------------------------
HTML = "text/html"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
RDF_MEDIA: dict[str, ox.RdfFormat] = {
    TURTLE: ox.RdfFormat.TURTLE,
    JSONLD: ox.RdfFormat.JSON_LD,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RDFXML: ox.RdfFormat.RDF_XML,
}
#: ``?format=`` values (and ``/ontology.{ext}`` extensions).
FORMAT_PARAM = {
    "html": HTML,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "jsonld": JSONLD,
    "json-ld": JSONLD,
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "rdf": RDFXML,
    "xml": RDFXML,
    "rdfxml": RDFXML,
}
_FORMAT_NAMES = {TURTLE: "ttl", JSONLD: "jsonld", NTRIPLES: "nt", RDFXML: "rdf"}
_FORMAT_LABELS = {TURTLE: "Turtle", JSONLD: "JSON-LD", NTRIPLES: "N-Triples", RDFXML: "RDF/XML"}
PAGE_OFFERS = [HTML, TURTLE, JSONLD, NTRIPLES, RDFXML]
DATA_OFFERS = [TURTLE, JSONLD, NTRIPLES, RDFXML]

#: At most this many statements pointing to a resource are described (the rest via SPARQL).
INCOMING_LIMIT = 200
#: Depth to which nested blank nodes are shown in HTML.
_BNODE_DEPTH = 4
_DUMP_BATCH = 10_000

_VARY = "Accept, Accept-Language"


class NotAcceptable(RightsGraphError):
    """No representation of the resource matches ``Accept`` or ``?format=``."""

    status = 406
    type = "not-acceptable"


# -- interface text --------------------------------------------------------------------------------
_UI: dict[str, dict[str, str]] = {
    "home": {"en": "Home", "fr": "Accueil", "es": "Inicio"},
    "query": {"en": "Query", "fr": "Requête", "es": "Consulta"},
    "ontology": {"en": "Ontology", "fr": "Ontologie", "es": "Ontología"},
    "formats": {"en": "Other formats", "fr": "Autres formats", "es": "Otros formatos"},
    "language": {"en": "Language", "fr": "Langue", "es": "Idioma"},
    "type": {"en": "Type", "fr": "Type", "es": "Tipo"},
    "properties": {"en": "Properties", "fr": "Propriétés", "es": "Propiedades"},
    "property": {"en": "Property", "fr": "Propriété", "es": "Propiedad"},
    "value": {"en": "Value", "fr": "Valeur", "es": "Valor"},
    "incoming": {"en": "Referenced by", "fr": "Référencé par", "es": "Referenciado por"},
    "is": {"en": "is", "fr": "est", "es": "es"},
    "of": {"en": "of", "fr": "de", "es": "de"},
    "truncated": {
        "en": "Only the first {n} references are shown; the SPARQL endpoint lists them all:",
        "fr": "Seules les {n} premières références sont affichées ; le point SPARQL les liste "
        "toutes :",
        "es": "Solo se muestran las {n} primeras referencias; el punto SPARQL las enumera todas:",
    },
    "all_references": {
        "en": "all references",
        "fr": "toutes les références",
        "es": "todas las referencias",
    },
    "example": {
        "en": "Fictional example data: this resource describes no real place, person or "
        "commitment.",
        "fr": "Données d'exemple fictives : cette ressource ne décrit aucun lieu, aucune personne "
        "ni aucun engagement réels.",
        "es": "Datos de ejemplo ficticios: este recurso no describe ningún lugar, persona ni "
        "compromiso reales.",
    },
    "not_found_title": {"en": "Not found", "fr": "Introuvable", "es": "No encontrado"},
    "not_found": {
        "en": "The knowledge graph says nothing about this IRI.",
        "fr": "Le graphe de connaissances ne dit rien de cet IRI.",
        "es": "El grafo de conocimiento no dice nada sobre este IRI.",
    },
    "none": {
        "en": "No statements.",
        "fr": "Aucune déclaration.",
        "es": "Ninguna declaración.",
    },
    "blank": {"en": "(unnamed node)", "fr": "(nœud sans nom)", "es": "(nodo sin nombre)"},
    "shapes_intro": {
        "en": "The rules that every submission is checked against. Each rule says what it checks "
        "and the message a submitter reads when the data breaks it.",
        "fr": "Les règles appliquées à chaque contribution. Chaque règle dit ce qu'elle vérifie "
        "et le message que lit le contributeur lorsque les données l'enfreignent.",
        "es": "Las reglas con las que se comprueba cada envío. Cada regla dice qué comprueba y "
        "el mensaje que lee quien envía los datos cuando estos la incumplen.",
    },
    "severity": {"en": "Severity", "fr": "Gravité", "es": "Gravedad"},
    "applies_to": {"en": "Applies to", "fr": "S'applique à", "es": "Se aplica a"},
    "path": {"en": "Property", "fr": "Propriété", "es": "Propiedad"},
    "message": {"en": "Message", "fr": "Message", "es": "Mensaje"},
    "Violation": {"en": "Violation", "fr": "Violation", "es": "Infracción"},
    "Warning": {"en": "Warning", "fr": "Avertissement", "es": "Advertencia"},
    "Info": {"en": "Info", "fr": "Info", "es": "Info"},
}


#: Labels of the standard terms most pages show, which the store does not label.
_STANDARD_LABELS: dict[str, dict[str, str]] = {
    RDF_TYPE: {"en": "type", "fr": "type", "es": "tipo"},
    RDFS + "label": {"en": "label", "fr": "libellé", "es": "etiqueta"},
    RDFS + "comment": {"en": "comment", "fr": "commentaire", "es": "comentario"},
    RDFS + "seeAlso": {"en": "see also", "fr": "voir aussi", "es": "véase también"},
    RDFS + "isDefinedBy": {"en": "defined by", "fr": "défini par", "es": "definido por"},
    SKOS + "prefLabel": {
        "en": "preferred label",
        "fr": "libellé préféré",
        "es": "etiqueta preferida",
    },
    SKOS + "altLabel": {"en": "alternative label", "fr": "autre libellé", "es": "otra etiqueta"},
    SKOS + "definition": {"en": "definition", "fr": "définition", "es": "definición"},
    SKOS + "notation": {"en": "code", "fr": "code", "es": "código"},
    SKOS + "inScheme": {"en": "in scheme", "fr": "dans le schéma", "es": "en el esquema"},
    SKOS + "topConceptOf": {
        "en": "top concept of",
        "fr": "concept de tête de",
        "es": "concepto principal de",
    },
    SKOS + "hasTopConcept": {
        "en": "has top concept",
        "fr": "a pour concept de tête",
        "es": "tiene como concepto principal",
    },
    SKOS + "broader": {"en": "broader", "fr": "plus général", "es": "más general"},
    SKOS + "narrower": {"en": "narrower", "fr": "plus spécifique", "es": "más específico"},
    SKOS + "exactMatch": {
        "en": "same as (exact match)",
        "fr": "correspondance exacte",
        "es": "correspondencia exacta",
    },
    SKOS + "closeMatch": {
        "en": "close match",
        "fr": "correspondance proche",
        "es": "correspondencia cercana",
    },
    SKOS + "scopeNote": {"en": "scope note", "fr": "note d'application", "es": "nota de alcance"},
    SKOS + "editorialNote": {
        "en": "editorial note",
        "fr": "note éditoriale",
        "es": "nota editorial",
    },
    DCTERMS + "title": {"en": "title", "fr": "titre", "es": "título"},
    DCTERMS + "description": {"en": "description", "fr": "description", "es": "descripción"},
    DCTERMS + "source": {"en": "source", "fr": "source", "es": "fuente"},
    DCTERMS + "identifier": {"en": "identifier", "fr": "identifiant", "es": "identificador"},
    DCTERMS + "issued": {"en": "issued", "fr": "adopté le", "es": "adoptado el"},
    DCTERMS + "modified": {"en": "modified", "fr": "modifié le", "es": "modificado el"},
    DCTERMS + "language": {"en": "language", "fr": "langue", "es": "idioma"},
    DCTERMS + "creator": {"en": "creator", "fr": "auteur", "es": "autor"},
    DCTERMS + "references": {
        "en": "references",
        "fr": "fait référence à",
        "es": "hace referencia a",
    },
    FOAF + "homepage": {"en": "website", "fr": "site web", "es": "sitio web"},
    FOAF + "name": {"en": "name", "fr": "nom", "es": "nombre"},
    SCHEMA + "name": {"en": "name", "fr": "nom", "es": "nombre"},
    SCHEMA + "startDate": {"en": "start date", "fr": "date de début", "es": "fecha de inicio"},
    SCHEMA + "endDate": {"en": "end date", "fr": "date de fin", "es": "fecha de fin"},
    SCHEMA + "location": {"en": "location", "fr": "lieu", "es": "lugar"},
    "http://www.w3.org/2003/01/geo/wgs84_pos#lat": {
        "en": "latitude",
        "fr": "latitude",
        "es": "latitud",
    },
    "http://www.w3.org/2003/01/geo/wgs84_pos#long": {
        "en": "longitude",
        "fr": "longitude",
        "es": "longitud",
    },
    "http://www.w3.org/ns/org#unitOf": {"en": "unit of", "fr": "unité de", "es": "unidad de"},
    "http://www.w3.org/ns/org#role": {"en": "role", "fr": "rôle", "es": "función"},
    "http://www.w3.org/ns/prov#wasGeneratedBy": {
        "en": "generated by",
        "fr": "produit par",
        "es": "generado por",
    },
    "http://www.w3.org/ns/prov#wasRevisionOf": {
        "en": "revision of",
        "fr": "révision de",
        "es": "revisión de",
    },
    OWL + "deprecated": {"en": "deprecated", "fr": "obsolète", "es": "obsoleto"},
    VOID + "triples": {"en": "statements", "fr": "déclarations", "es": "declaraciones"},
    VOID + "entities": {"en": "entities", "fr": "entités", "es": "entidades"},
    VOID + "subset": {"en": "subset", "fr": "sous-ensemble", "es": "subconjunto"},
    VOID + "distinctSubjects": {
        "en": "distinct subjects",
        "fr": "sujets distincts",
        "es": "sujetos distintos",
    },
    VOID + "properties": {"en": "properties", "fr": "propriétés", "es": "propiedades"},
    DCTERMS + "isPartOf": {"en": "part of", "fr": "fait partie de", "es": "forma parte de"},
}


def _ui(lang: str) -> dict[str, str]:
    return {key: text.get(lang, text["en"]) for key, text in _UI.items()}


# -- the privacy rule ------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def private_predicates(base: str) -> frozenset[str]:
    """Predicates whose statements are never served by these routes, under ``base`` (and under
    the default base, in case data was loaded before a base change)."""
    return _PRIVATE_STANDARD | {
        f"{_slash(base)}ontology#submittedBy",
        f"{iris.DEFAULT_BASE}ontology#submittedBy",
    }


@lru_cache(maxsize=8)
def _withheld_graphs(base: str) -> tuple[str, str]:
    """``(system graph, revision-graph prefix)`` under ``base``."""
    root = _slash(base)
    return f"{root}graph/system", f"{root}graph/revision/"


def is_public(statement: ox.Quad | ox.Triple, *, base: str = iris.DEFAULT_BASE) -> bool:
    """Whether a statement may be served to anyone: the one privacy rule of the linked-data
    routes (pages, dereferenced descriptions, the dump).

    Withheld: personal data (contact e-mails and telephones, ``rg:submittedBy`` of the
    provenance), and, for quads, the store's bookkeeping graph ``rgg:system`` and earlier
    revisions ``rgg:revision/...`` (the history is not part of the published dataset).

    >>> s = ox.NamedNode("https://w3id.org/rightsgraph/id/territory/x/contact")
    >>> is_public(ox.Triple(s, ox.NamedNode("https://schema.org/email"), ox.Literal("a@b.c")))
    False
    >>> is_public(ox.Triple(s, ox.NamedNode("https://schema.org/name"), ox.Literal("Office")))
    True
    """
    if statement.predicate.value in private_predicates(base):
        return False
    if isinstance(statement, ox.Quad) and isinstance(statement.graph_name, ox.NamedNode):
        system, revisions = _withheld_graphs(base)
        name = statement.graph_name.value
        if name == system or name.startswith(revisions):
            return False
    return True


def _private_filter(variable: str, base: str) -> str:
    """A SPARQL ``FILTER`` that keeps the private predicates out of ``?variable`` (the same set
    as :func:`is_public`, applied early so that limits count public statements only)."""
    listed = ", ".join(f"<{p}>" for p in sorted(private_predicates(base)))
    return f"FILTER(?{variable} NOT IN ({listed}))"


# -- descriptions ----------------------------------------------------------------------------------
@dataclass
class Description:
    """What the service says about one IRI: public statements only."""

    iri: str
    #: The resource's own statements, its blank nodes', and the labels of what it points to.
    outgoing: list[ox.Triple]
    #: Statements pointing to the resource (at most ``INCOMING_LIMIT``) and their subjects' labels.
    incoming: list[ox.Triple]
    #: True when more statements point to the resource than ``incoming`` holds.
    truncated: bool = False
    #: Statements the service derives (e.g. a named graph's size), not stored.
    derived: list[ox.Triple] = field(default_factory=list)

    @property
    def triples(self) -> list[ox.Triple]:
        seen: set[ox.Triple] = set()
        out: list[ox.Triple] = []
        for t in (*self.outgoing, *self.derived, *self.incoming):
            if t not in seen:
                seen.add(t)
                out.append(t)
        return out

    @property
    def found(self) -> bool:
        return bool(self.outgoing or self.incoming or self.derived)


def _values(name: str, items: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ {' '.join(f'<{i}>' for i in items)} }}"


def _outgoing_query(base: str) -> str:
    labels = _values("lp", LABEL_PREDICATES)
    return f"""
CONSTRUCT {{ ?this ?p ?o . ?o ?lp ?l . ?o ?bp ?bo . }}
WHERE {{
  {{ ?this ?p ?o . {_private_filter("p", base)} }}
  UNION
  {{ ?this ?p0 ?o . FILTER(isIRI(?o)) {_private_filter("p0", base)} {labels} ?o ?lp ?l . }}
  UNION
  {{ ?this ?p0 ?o . FILTER(isBlank(?o)) ?o ?bp ?bo . {_private_filter("bp", base)}
     {_private_filter("p0", base)} }}
}}"""


def _incoming_query(base: str, limit: int) -> str:
    # A top-level SELECT, not a sub-query: a substitution binds ?this only in the outer query
    # (and must be projected), so a sub-query would run, and sort, over every statement.
    return f"""
SELECT DISTINCT ?s ?ip ?this WHERE {{ ?s ?ip ?this . {_private_filter("ip", base)} }}
ORDER BY ?ip ?s LIMIT {limit + 1}"""


def _construct(engine: QueryEngine, sparql: str, this: ox.NamedNode) -> list[ox.Triple]:
    result = engine.query(sparql, substitutions={"this": this})
    if not isinstance(result, GraphResult):
        raise StoreError("a CONSTRUCT query did not answer with triples")
    return list(result.triples)


def describe(
    engine: QueryEngine, resource: str, *, base: str, incoming_limit: int = INCOMING_LIMIT
) -> Description:
    """Describe ``resource`` through the engine (so deadlines apply), keeping public statements.

    Raises ``NotFoundError`` for a string that is not an IRI, and what
    :meth:`QueryEngine.query` raises (``QueryTimeoutError``, ``StoreError``).
    """
    try:
        this = ox.NamedNode(resource)
    except ValueError:
        raise NotFoundError(f"not an IRI: {resource!r}") from None
    outgoing = [
        t for t in _construct(engine, _outgoing_query(base), this) if is_public(t, base=base)
    ]
    result = engine.query(_incoming_query(base, incoming_limit), substitutions={"this": this})
    if not isinstance(result, SelectResult):
        raise StoreError("a SELECT query did not answer with rows")
    pairs = [
        ox.Triple(s, p, this)
        for s, p, _ in result.rows
        if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode)
    ]
    truncated = len(pairs) > incoming_limit
    pointing = [t for t in pairs[:incoming_limit] if is_public(t, base=base)]
    subjects = {t.subject.value for t in pointing if isinstance(t.subject, ox.NamedNode)}
    incoming = pointing + [
        t for t in labels_of(engine, subjects, LABEL_PREDICATES) if is_public(t, base=base)
    ]
    return Description(resource, outgoing, incoming, truncated)


# -- statistics (VoID) -----------------------------------------------------------------------------
# Triples, distinct subjects and properties per graph come from ``service/description.py`` (one
# scan, cached per revision, shared with the Service Description of /sparql); this adds only what
# it does not count: instances per class and the number of IRIs described.
@dataclass
class ClassStatistics:
    """``void:entities`` (distinct IRI subjects) and ``void:classPartition`` counts over the
    default graph of queries (every live graph)."""

    entities: int
    #: class IRI -> number of distinct instances
    class_partitions: dict[str, int]


_CLASS_STATS_LOCK = threading.Lock()
_CLASS_STATS: weakref.WeakKeyDictionary[QueryEngine, tuple[int, ClassStatistics]] = (
    weakref.WeakKeyDictionary()
)


def class_statistics(engine: QueryEngine) -> ClassStatistics:
    """Computed once per store revision. Raises what :meth:`QueryEngine.query` raises."""
    revision = engine.revision()
    with _CLASS_STATS_LOCK:
        hit = _CLASS_STATS.get(engine)
    if hit is not None and hit[0] == revision:
        return hit[1]
    partitions = _select(
        engine,
        f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?c FILTER(isIRI(?c)) }}
            GROUP BY ?c ORDER BY ?c""",
    )
    entities = _select(
        engine, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"
    )
    stats = ClassStatistics(
        entities=_int(entities[0][0]) if entities else 0,
        class_partitions={row[0]: _int(row[1]) for row in partitions if row[0]},
    )
    with _CLASS_STATS_LOCK:
        _CLASS_STATS[engine] = (revision, stats)
    return stats


def _select(engine: QueryEngine, sparql: str) -> list[tuple[str, ...]]:
    result = engine.query(sparql)
    if not isinstance(result, SelectResult):
        raise StoreError("a SELECT query did not answer with rows")
    return [tuple("" if term is None else term.value for term in row) for row in result.rows]


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


# -- HTML rendering --------------------------------------------------------------------------------
@dataclass
class Link:
    """An IRI as shown: its label (or compact name), and an ``href`` only for http(s) IRIs."""

    iri: str
    text: str
    curie: str
    href: str | None
    local: bool


@dataclass
class Shown:
    """One value of a property."""

    kind: Literal["iri", "bnode", "literal"]
    text: str
    link: Link | None = None
    lang: str | None = None
    datatype: Link | None = None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Row:
    predicate: Link
    values: list[Shown]


@dataclass
class Incoming:
    predicate: Link
    subjects: list[Link]


class _Labeller:
    """Picks labels in the page's language and turns IRIs into links to this service."""

    def __init__(
        self,
        triples: Iterable[ox.Triple],
        *,
        lang: str,
        base: str,
        keep_lang: bool,
    ) -> None:
        self.lang = lang
        self.base = _slash(base)
        self.keep_lang = keep_lang
        self.labels: dict[str, dict[str, str]] = {}
        self.prefixes = sorted(
            {**prefixes(self.base), **_EXTRA_PREFIXES}.items(),
            key=lambda item: len(item[1]),
            reverse=True,
        )
        self.add(triples)
        for term, by_lang in _STANDARD_LABELS.items():
            self.labels.setdefault(term, dict(by_lang))

    def add(self, triples: Iterable[ox.Triple]) -> None:
        rank = {p: i for i, p in enumerate(LABEL_PREDICATES)}
        found: dict[str, dict[str, tuple[int, str]]] = {}
        for t in triples:
            p = t.predicate.value
            if (
                p in rank
                and isinstance(t.object, ox.Literal)
                and isinstance(t.subject, ox.NamedNode)
            ):
                tag = (t.object.language or "").lower()
                slot = found.setdefault(t.subject.value, {})
                if tag not in slot or rank[p] < slot[tag][0]:
                    slot[tag] = (rank[p], t.object.value)
        for subject, by_lang in found.items():
            target = self.labels.setdefault(subject, {})
            for tag, (_, text) in by_lang.items():
                target.setdefault(tag, text)

    def label(self, resource: str) -> str | None:
        by_lang = self.labels.get(resource)
        if not by_lang:
            return None
        for tag in (self.lang, "en", ""):
            if tag in by_lang:
                return by_lang[tag]
        primary = {tag.split("-")[0]: text for tag, text in sorted(by_lang.items())}
        return primary.get(self.lang) or next(iter(sorted(by_lang.items())))[1]

    def curie(self, resource: str) -> str:
        for prefix, namespace in self.prefixes:
            if resource.startswith(namespace) and len(resource) > len(namespace):
                return f"{prefix}:{resource[len(namespace) :]}"
        return resource

    def href(self, resource: str) -> str | None:
        if resource.startswith(self.base):
            path, hash_, fragment = resource[len(self.base) :].partition("#")
            local = "/" + quote(path, safe="/:@!$&'()*+,;=-._~%")
            if self.keep_lang:
                local += "?" + urlencode({"lang": self.lang})
            return local + (hash_ + quote(fragment, safe="-._~%") if hash_ else "")
        if resource.startswith(("http://", "https://")):
            return resource
        return None

    def link(self, resource: str) -> Link:
        curie = self.curie(resource)
        return Link(
            iri=resource,
            text=self.label(resource) or curie,
            curie=curie,
            href=self.href(resource),
            local=resource.startswith(self.base),
        )


def _shown(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    labeller: _Labeller,
    by_subject: dict[str, list[ox.Triple]],
    ui: dict[str, str],
    depth: int,
    seen: frozenset[str],
) -> Shown:
    if isinstance(term, ox.NamedNode):
        link = labeller.link(term.value)
        return Shown("iri", link.text, link=link)
    if isinstance(term, ox.BlankNode):
        key = str(term)
        rows: list[Row] = []
        if depth < _BNODE_DEPTH and key not in seen:
            rows = _rows(by_subject.get(key, []), labeller, by_subject, ui, depth + 1, seen | {key})
        return Shown("bnode", ui["blank"], rows=rows)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        shown_type = (
            None
            if term.language or datatype in (XSD + "string", RDF + "langString")
            else labeller.link(datatype)
        )
        return Shown("literal", term.value, lang=term.language, datatype=shown_type)
    return Shown("literal", str(term))  # an RDF-star triple term: shown as written


def _rows(
    triples: Sequence[ox.Triple],
    labeller: _Labeller,
    by_subject: dict[str, list[ox.Triple]],
    ui: dict[str, str],
    depth: int = 0,
    seen: frozenset[str] = frozenset(),
) -> list[Row]:
    grouped: dict[str, list[ox.Triple]] = {}
    for t in triples:
        grouped.setdefault(t.predicate.value, []).append(t)

    def predicate_order(p: str) -> tuple[int, str]:
        if p == RDF_TYPE:
            return (0, "")
        if p in LABEL_PREDICATES:
            return (1, str(LABEL_PREDICATES.index(p)))
        return (2, labeller.link(p).text.lower())

    def value_order(t: ox.Triple) -> tuple[int, str, str]:
        o = t.object
        if isinstance(o, ox.Literal) and o.language:
            tag = o.language.lower()
            return (0 if tag == labeller.lang else 1, tag, o.value)
        return (2, "", str(o))

    rows = []
    for p in sorted(grouped, key=predicate_order):
        values = [
            _shown(t.object, labeller, by_subject, ui, depth, seen)
            for t in sorted(grouped[p], key=value_order)
        ]
        rows.append(Row(labeller.link(p), values))
    return rows


def labels_of(
    engine: QueryEngine, resources: Iterable[str], predicates: Sequence[str] = LABEL_PREDICATES
) -> list[ox.Triple]:
    """The label statements (``predicates``) of ``resources``, in one CONSTRUCT."""
    wanted = sorted(set(resources))
    if not wanted:
        return []
    sparql = (
        "CONSTRUCT { ?x ?lp ?l } WHERE { "
        + _values("x", wanted)
        + " "
        + _values("lp", predicates)
        + " ?x ?lp ?l . FILTER(isLiteral(?l)) }"
    )
    result = engine.query(sparql)
    return list(result.triples) if isinstance(result, GraphResult) else []


def _load_template(name: str) -> str | None:
    try:
        return read_text("service", f"templates/{name}")
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def templates() -> Environment:
    """The Jinja2 environment of the linked-data pages: packaged templates, autoescaping on."""
    return Environment(
        loader=FunctionLoader(_load_template),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: object) -> str:
    return templates().get_template(name).render(**context)


@dataclass
class PageContext:
    """What every linked-data page shows around its content."""

    lang: str
    ui: dict[str, str]
    languages: list[tuple[str, str | None]]
    formats: list[tuple[str, str, str]]
    keep_lang: bool


def _page_context(
    request: Request, lang: str, *, formats: Sequence[str] = DATA_OFFERS
) -> PageContext:
    def with_params(**update: str) -> str:
        params = {k: v for k, v in request.query_params.items() if k not in update}
        params.update(update)
        return _request_path(request) + "?" + urlencode(params)

    languages = [(code, None if code == lang else with_params(lang=code)) for code in LANGUAGES]
    offered = [(_FORMAT_LABELS[m], m, with_params(format=_FORMAT_NAMES[m])) for m in formats]
    return PageContext(
        lang=lang,
        ui=_ui(lang),
        languages=languages,
        formats=offered,
        keep_lang="lang" in request.query_params,
    )


def render_description(
    engine: QueryEngine, description: Description, request: Request, *, lang: str, base: str
) -> str:
    """The HTML page of one description."""
    page = _page_context(request, lang)
    this = ox.NamedNode(description.iri)
    triples = description.triples
    labeller = _Labeller(triples, lang=lang, base=base, keep_lang=page.keep_lang)
    own = [t for t in (*description.outgoing, *description.derived) if t.subject == this]
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in description.outgoing:
        if isinstance(t.subject, ox.BlankNode):
            by_subject.setdefault(str(t.subject), []).append(t)
    pointing = [t for t in (*description.incoming, *description.derived) if t.object == this]
    needed = {t.predicate.value for t in (*own, *pointing)}
    types_iris = [
        t.object.value
        for t in own
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)
    ]
    needed |= set(types_iris)
    needed |= {
        t.object.datatype.value
        for t in own
        if isinstance(t.object, ox.Literal) and not t.object.language
    }
    missing = (n for n in needed if labeller.label(n) is None)
    labeller.add(labels_of(engine, missing, LABEL_PREDICATES[:2]))
    rows = _rows([t for t in own if t.predicate.value != RDF_TYPE], labeller, by_subject, page.ui)
    types = [labeller.link(t) for t in types_iris]
    incoming: dict[str, list[Link]] = {}
    for t in sorted(pointing, key=lambda t: (t.predicate.value, str(t.subject))):
        if isinstance(t.subject, ox.NamedNode):
            incoming.setdefault(t.predicate.value, []).append(labeller.link(t.subject.value))
    example = any(
        t.predicate.value.endswith("ontology#isExample")
        and isinstance(t.object, ox.Literal)
        and t.object.value in ("true", "1")
        for t in own
    )
    more = None
    if description.truncated:
        more = "/sparql?" + urlencode(
            {"query": f"SELECT ?subject ?property WHERE {{ ?subject ?property <{this.value}> }}"}
        )
    title = labeller.label(description.iri) or labeller.curie(description.iri)
    return render(
        "ld_resource.html",
        page=page,
        title=title,
        iri=description.iri,
        curie=labeller.curie(description.iri),
        types=types,
        rows=rows,
        incoming=[Incoming(labeller.link(p), subjects) for p, subjects in incoming.items()],
        truncated=description.truncated,
        limit=INCOMING_LIMIT,
        more=more,
        example=example,
    )


# -- responses -------------------------------------------------------------------------------------
def choose(request: Request, offers: Sequence[str]) -> str:
    """The media type to answer with: ``?format=`` if given, else by ``Accept``.

    Raises ``NotAcceptable`` (406) when none of ``offers`` fits.
    """
    wanted = request.query_params.get("format")
    if wanted:
        media = FORMAT_PARAM.get(wanted.strip().lower())
        if media is None or media not in offers:
            names = ", ".join(sorted({k for k, v in FORMAT_PARAM.items() if v in offers}))
            raise NotAcceptable(f"unknown format {wanted!r}; use one of {names}")
        return media
    media = negotiate(request.headers.get("accept", "*/*"), list(offers))
    if media is None:
        raise NotAcceptable(
            "none of the representations offered is acceptable: " + ", ".join(offers)
        )
    return media


def serialize(triples: Iterable[ox.Triple], media: str, *, base: str) -> bytes:
    """Triples in one of :data:`RDF_MEDIA`. Turtle groups statements by subject (the first
    subject first) and declares only the prefixes that give plain names."""
    fmt = RDF_MEDIA[media]
    if fmt != ox.RdfFormat.TURTLE:
        return ox.serialize(triples, format=fmt) or b""
    items = list(triples)
    first = {str(items[0].subject): 0} if items else {}
    items.sort(key=lambda t: (first.get(str(t.subject), 1), str(t.subject), str(t.predicate)))
    used = turtle_prefixes(items, base=base)
    return ox.serialize(items, format=fmt, prefixes=used) or b""


def turtle_prefixes(triples: Sequence[ox.Triple], *, base: str) -> dict[str, str]:
    """The prefixes that name some IRI of ``triples`` and never force an escaped local name
    (``rgid:territory\\/es-barcelona``): such IRIs are clearer written in full."""
    candidates = {**prefixes(_slash(base)), **_EXTRA_PREFIXES}
    iris_used: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris_used.add(term.value)
            elif isinstance(term, ox.Literal):
                iris_used.add(term.datatype.value)
    out: dict[str, str] = {}
    for prefix, namespace in candidates.items():
        locals_ = [i[len(namespace) :] for i in iris_used if i.startswith(namespace)]
        if locals_ and all(not x or _SIMPLE_LOCAL.fullmatch(x) for x in locals_):
            out[prefix] = namespace
    return out


def _etag(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    return any(tag.strip() in (etag, "*") for tag in header.split(",")) if header else False


def _headers(etag: str, media: str, request: Request) -> dict[str, str]:
    headers = {"ETag": etag, "Vary": _VARY, "Cache-Control": "no-cache"}
    links = [
        f'<{_request_path(request)}?format={name}>; rel="alternate"; type="{m}"'
        for m, name in _FORMAT_NAMES.items()
        if m != media
    ]
    headers["Link"] = ", ".join(links)
    return headers


def _request_path(request: Request) -> str:
    """The path as the client sent it, still percent-encoded: safe in a header or a link."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1")
    return quote(request.url.path, safe="/:@!$&'()*+,;=-._~")


def _content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media in (HTML, TURTLE, NTRIPLES) else media


def not_found_response(request: Request, resource: str, media: str, lang: str) -> Response:
    """404: an HTML page for browsers, problem+json for everyone else."""
    if media == HTML:
        page = _page_context(request, lang, formats=())
        body = render("ld_not_found.html", page=page, iri=resource)
        return HTMLResponse(body, status_code=404, headers={"Vary": _VARY})
    return problem(
        404,
        "Not found",
        f"the knowledge graph says nothing about <{resource}>",
        "not-found",
        headers={"Vary": _VARY},
    )


def dereference(
    request: Request,
    engine: QueryEngine,
    base: str,
    path: str,
    *,
    derive: Callable[[str], list[ox.Triple]] | None = None,
) -> Response:
    """Describe ``base + path`` in the negotiated representation (the work of every route that
    maps the base to this service)."""
    media = choose(request, PAGE_OFFERS)
    lang = request_language(request)
    resource = _slash(base) + path
    revision = engine.revision()
    etag = _etag("describe", revision, resource, media, lang, request.query_params.get("lang"))
    if _not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag, "Vary": _VARY})
    try:
        description = describe(engine, resource, base=base)
    except NotFoundError:
        description = Description(resource, [], [])
    if not description.found and "%" in resource:
        # The request path is percent-encoded; the IRI may have been stored decoded (an IRI).
        try:
            decoded = describe(engine, unquote(resource), base=base)
        except NotFoundError:
            decoded = Description(resource, [], [])
        if decoded.found:
            description, resource = decoded, decoded.iri
    if derive is not None:
        description.derived = derive(resource)
    if not description.found:
        return not_found_response(request, resource, media, lang)
    headers = _headers(etag, media, request)
    if media == HTML:
        body = render_description(engine, description, request, lang=lang, base=base)
        return HTMLResponse(body, headers=headers)
    return Response(
        serialize(description.triples, media, base=base),
        media_type=_content_type(media),
        headers=headers,
    )


def graph_triples(engine: QueryEngine, graph: str, *, base: str, service: str) -> list[ox.Triple]:
    """What the service says about one of its named graphs besides the stored statements: its
    size and title (from ``service/description.py``, as in ``/.well-known/void``), and the
    dataset it is part of. Empty for an IRI that names no graph of the store."""
    statistics = description_module.cached_statistics(engine, engine.revision())
    found = next((s for s in statistics if s.graph == graph), None)
    if found is None:
        return []
    g = ox.NamedNode(graph)
    out = [
        ox.Triple(g, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset")),
        ox.Triple(g, ox.NamedNode(VOID + "triples"), _integer(found.triples)),
        ox.Triple(g, ox.NamedNode(VOID + "distinctSubjects"), _integer(found.distinct_subjects)),
        ox.Triple(g, ox.NamedNode(VOID + "properties"), _integer(found.properties)),
        ox.Triple(
            g,
            ox.NamedNode(DCTERMS + "isPartOf"),
            ox.NamedNode(str(description_module.dataset_iri(service))),
        ),
    ]
    titles = description_module.graph_title(graph, _slash(base))
    for lang, text in zip(LANGUAGES, titles or (), strict=False):
        out.append(ox.Triple(g, ox.NamedNode(DCTERMS + "title"), ox.Literal(text, language=lang)))
    return out


# -- routes: dereferencing -------------------------------------------------------------------------
_PAGE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {m: {} for m in PAGE_OFFERS},
        "description": "The resource, in the negotiated representation.",
    },
    404: {"description": "Nothing is known about this IRI."},
    406: {"description": "No acceptable representation."},
}


@router.get(
    "/id/{path:path}",
    operation_id="dereference_instance",
    response_class=Response,
    responses=_PAGE_RESPONSES,
)
def dereference_instance(
    path: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    """An instance (``rgid:``): territory, initiative, organisation, person, event, ..."""
    return dereference(request, engine, settings.base_iri, "id/" + _raw_tail(request, "/id/", path))


@router.get(
    "/vocab/{path:path}",
    operation_id="dereference_concept",
    response_class=Response,
    responses=_PAGE_RESPONSES,
)
def dereference_concept(
    path: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    """A concept scheme or concept (``rgv:``)."""
    tail = _raw_tail(request, "/vocab/", path)
    return dereference(request, engine, settings.base_iri, "vocab/" + tail)


@router.get(
    "/graph/{path:path}",
    operation_id="dereference_graph",
    response_class=Response,
    responses=_PAGE_RESPONSES,
)
def dereference_graph(
    path: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    """A named graph (``rgg:``): its provenance, size and title."""
    tail = _raw_tail(request, "/graph/", path)
    base, service = settings.base_iri, str(request.base_url)
    return dereference(
        request,
        engine,
        base,
        "graph/" + tail,
        derive=lambda graph: graph_triples(engine, graph, base=base, service=service),
    )


def _raw_tail(request: Request, prefix: str, decoded: str) -> str:
    """The path after ``prefix`` as the client sent it (percent-encoding kept), so that an IRI
    stored with ``%xx`` escapes is found; falls back to the decoded path."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        text = raw.decode("latin-1")
        root = request.scope.get("root_path", "")
        if root and text.startswith(root):
            text = text[len(root) :]
        if text.startswith(prefix):
            return text[len(prefix) :]
    return decoded


# -- routes: the ontology --------------------------------------------------------------------------
@router.get(
    "/ontology",
    operation_id="ontology",
    response_class=Response,
    responses=_PAGE_RESPONSES,
)
def ontology(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """The ontology: pyLODE documentation for browsers (``?lang=`` en, fr, es), the Turtle (or
    JSON-LD, N-Triples, RDF/XML) by ``Accept``."""
    media = choose(request, PAGE_OFFERS)
    return _ontology_response(request, engine, settings.base_iri, media)


@router.get(
    "/ontology.{ext}",
    operation_id="ontology_file",
    response_class=Response,
    responses={200: {"content": {m: {} for m in DATA_OFFERS}}, 404: {}},
)
def ontology_file(ext: str, request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """The ontology as a file: ``/ontology.ttl``, ``.jsonld``, ``.nt``, ``.rdf``."""
    media = FORMAT_PARAM.get(ext.lower())
    if media is None or media == HTML:
        raise NotFoundError(f"no ontology file with the extension {ext!r}; try /ontology.ttl")
    return _ontology_response(request, engine, settings.base_iri, media)


@router.get(
    "/ontology/{version}",
    operation_id="ontology_version",
    response_class=Response,
    responses=_PAGE_RESPONSES,
)
def ontology_version(
    version: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    """The versioned ontology IRI (``owl:versionIRI``): the current release only."""
    current = ontology_docs.ontology_version(settings.base_iri)
    if version != current:
        raise NotFoundError(
            f"ontology version {version!r} is not served; the current one is {current!r}"
        )
    media = choose(request, PAGE_OFFERS)
    return _ontology_response(request, engine, settings.base_iri, media)


def _ontology_response(request: Request, engine: QueryEngine, base: str, media: str) -> Response:
    lang = request_language(request)
    version = ontology_docs.ontology_version(base)
    etag = _etag("ontology", base, version, media, lang)
    if _not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag, "Vary": _VARY})
    headers = _headers(etag, media, request)
    headers["Link"] = ", ".join(
        f'</ontology.{name}>; rel="alternate"; type="{m}"' for m, name in _FORMAT_NAMES.items()
    )
    if media == HTML:
        try:
            body = ontology_docs.ontology_html(base, lang)
        except ontology_docs.OntologyDocsError as exc:
            log.warning("serving the plain ontology page: %s", exc)
            return dereference(request, engine, base, "ontology")
        return HTMLResponse(body, headers=headers)
    if media == TURTLE:
        data = ontology_docs.ontology_turtle(base).encode("utf-8")
    else:
        text = ontology_docs.ontology_turtle(base)
        data = serialize(ox.parse(text, format=ox.RdfFormat.TURTLE), media, base=base)
    return Response(data, media_type=_content_type(media), headers=headers)


# -- routes: the shapes ---------------------------------------------------------------------------
@router.get(
    "/shapes",
    operation_id="shapes",
    response_class=Response,
    responses=_PAGE_RESPONSES,
)
def shapes(request: Request, settings: SettingsDep) -> Response:
    """The SHACL shapes that submissions are checked against (``rgsh:`` hash IRIs): a page that
    lists them in the language asked, or the RDF by ``Accept``."""
    return _shapes_response(request, settings.base_iri, choose(request, PAGE_OFFERS))


@router.get(
    "/shapes.{ext}",
    operation_id="shapes_file",
    response_class=Response,
    responses={200: {"content": {m: {} for m in DATA_OFFERS}}, 404: {}},
)
def shapes_file(ext: str, request: Request, settings: SettingsDep) -> Response:
    """The shapes as a file: ``/shapes.ttl``, ``.jsonld``, ``.nt``, ``.rdf``."""
    media = FORMAT_PARAM.get(ext.lower())
    if media is None or media == HTML:
        raise NotFoundError(f"no shapes file with the extension {ext!r}; try /shapes.ttl")
    return _shapes_response(request, settings.base_iri, media)


def _shapes_response(request: Request, base: str, media: str) -> Response:
    lang = request_language(request)
    etag = _etag("shapes", base, ontology_docs.ontology_version(base), media, lang)
    if _not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag, "Vary": _VARY})
    headers = _headers(etag, media, request)
    headers["Link"] = ", ".join(
        f'</shapes.{name}>; rel="alternate"; type="{m}"' for m, name in _FORMAT_NAMES.items()
    )
    if media == HTML:
        page = _page_context(request, lang)
        labeller = _Labeller((), lang=lang, base=base, keep_lang=page.keep_lang)
        for term, by_lang in ontology_docs.term_labels(base).items():
            labeller.labels.setdefault(term, dict(by_lang))
        body = render(
            "ld_shapes.html",
            page=page,
            title=ontology_docs.shapes_title(base, lang),
            iri=ontology_docs.shapes_iri(base),
            shapes=[
                (
                    shape,
                    labeller.link(shape.target) if shape.target else None,
                    labeller.link(shape.path) if shape.path else None,
                )
                for shape in ontology_docs.shape_summaries(base, lang)
            ],
        )
        return HTMLResponse(body, headers=headers)
    if media == TURTLE:
        data = ontology_docs.shapes_turtle(base).encode("utf-8")
    else:
        text = ontology_docs.shapes_turtle(base)
        data = serialize(ox.parse(text, format=ox.RdfFormat.TURTLE), media, base=base)
    return Response(data, media_type=_content_type(media), headers=headers)


# -- routes: VoID and DCAT -------------------------------------------------------------------------
PUBLISHER_NAME = "RightsGraph developers"
_DOCUMENT_TITLE = {
    "en": "VoID and DCAT description of the RightsGraph dataset",
    "fr": "Description VoID et DCAT du jeu de données RightsGraph",
    "es": "Descripción VoID y DCAT del conjunto de datos RightsGraph",
}
_PRIVACY_NOTE = {
    "en": "Contact e-mail addresses and telephone numbers, and the names of submitters, are "
    "personal data: the dump and the linked-data pages leave them out.",
    "fr": "Les adresses électroniques et numéros de téléphone de contact, et les noms des "
    "contributeurs, sont des données personnelles : le vidage et les pages de données liées "
    "les omettent.",
    "es": "Las direcciones de correo y los teléfonos de contacto, y los nombres de quienes "
    "envían datos, son datos personales: el volcado y las páginas de datos enlazados los "
    "omiten.",
}
#: The vocabularies the dataset uses (``void:vocabulary``), besides the ontology itself.
_VOCABULARIES = (
    SKOS[:-1],
    "http://www.w3.org/ns/org",
    "http://www.w3.org/ns/prov",
    DCTERMS,
    SCHEMA,
    "http://www.w3.org/2003/01/geo/wgs84_pos",
    FOAF,
)


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def void_description(engine: QueryEngine, *, base: str, service: str) -> Graph:
    """VoID and DCAT: ``service/description.py``'s dataset description (the dataset node that
    ``/sparql``'s Service Description names, its named graphs as ``void:subset`` with their
    statistics, licence, distributions ``/dump`` and ``/sparql``), plus this document, the
    publisher, ``void:entities``, ``void:classes`` and the class partitions.

    ``service`` is the URL this service answers on. Raises what :meth:`QueryEngine.query`
    raises.
    """
    statistics = description_module.cached_statistics(engine, engine.revision())
    g = description_module.dataset_description(
        statistics, service_url=service, base_iri=_slash(base)
    )
    ds = description_module.dataset_iri(service)
    doc = URIRef(f"{service.rstrip('/')}/.well-known/void")
    publisher = URIRef(f"{doc}#publisher")

    def term(value: str) -> URIRef:
        return URIRef(value)

    g.add((doc, term(RDF_TYPE), term(VOID + "DatasetDescription")))
    for lang in LANGUAGES:
        g.add((doc, term(DCTERMS + "title"), RdfLiteral(_DOCUMENT_TITLE[lang], lang=lang)))
        g.add((ds, term(RDFS + "comment"), RdfLiteral(_PRIVACY_NOTE[lang], lang=lang)))
    g.add((doc, term(FOAF + "primaryTopic"), ds))
    g.add((ds, term(DCTERMS + "publisher"), publisher))
    g.add((publisher, term(RDF_TYPE), term(FOAF + "Agent")))
    g.add((publisher, term(FOAF + "name"), RdfLiteral(PUBLISHER_NAME)))
    g.add((ds, term(VOID + "uriSpace"), RdfLiteral(_slash(base))))
    for vocabulary in _VOCABULARIES:
        g.add((ds, term(VOID + "vocabulary"), term(vocabulary)))

    classes = class_statistics(engine)
    integer = term(XSD + "integer")
    g.add((ds, term(VOID + "entities"), RdfLiteral(classes.entities, datatype=integer)))
    count = len(classes.class_partitions)
    g.add((ds, term(VOID + "classes"), RdfLiteral(count, datatype=integer)))
    for cls, n in classes.class_partitions.items():
        part = BNode()
        g.add((ds, term(VOID + "classPartition"), part))
        g.add((part, term(VOID + "class"), term(cls)))
        g.add((part, term(VOID + "entities"), RdfLiteral(n, datatype=integer)))
    return g


@router.get(
    "/.well-known/void",
    operation_id="void",
    response_class=Response,
    responses={200: {"content": {m: {} for m in DATA_OFFERS}}, 406: {}},
)
def void(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """VoID and DCAT description of the dataset: Turtle by default, JSON-LD, N-Triples or
    RDF/XML by ``Accept`` or ``?format=``."""
    media = choose(request, DATA_OFFERS)
    base = settings.base_iri
    service = str(request.base_url)
    etag = _etag("void", engine.revision(), base, service, media)
    if _not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
    graph = void_description(engine, base=base, service=service)
    headers = _headers(etag, media, request)
    headers["Vary"] = "Accept"
    return Response(
        serialize(description_module.as_triples(graph), media, base=base),
        media_type=_content_type(media),
        headers=headers,
    )


# -- HEAD ------------------------------------------------------------------------------------------
# Linked-data clients check a resource with HEAD before fetching it. The same handlers answer
# (uvicorn sends no body); kept out of the OpenAPI document so operation ids stay unique. Not for
# /dump, whose answer is expensive to prepare.
for _path, _endpoint in (
    ("/id/{path:path}", dereference_instance),
    ("/vocab/{path:path}", dereference_concept),
    ("/graph/{path:path}", dereference_graph),
    ("/ontology", ontology),
    ("/ontology.{ext}", ontology_file),
    ("/ontology/{version}", ontology_version),
    ("/shapes", shapes),
    ("/shapes.{ext}", shapes_file),
    ("/.well-known/void", void),
):
    router.add_api_route(
        _path, _endpoint, methods=["HEAD"], include_in_schema=False, response_class=Response
    )


# -- routes: the dump ------------------------------------------------------------------------------
DUMP_NAME = "rightsgraph.nq.gz"


@router.get(
    "/dump",
    operation_id="dump",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/gzip": {}},
            "description": "The public dataset as gzip-compressed N-Quads (rightsgraph.nq.gz).",
        }
    },
)
def dump(
    request: Request,
    store: StoreDep,
    engine: EngineDep,
    settings: SettingsDep,
    level: Annotated[int, Query(ge=1, le=9, description="gzip compression level")] = 6,
) -> Response:
    """The whole public dataset (every live named graph, without personal data, bookkeeping or
    revision history) as gzip-compressed N-Quads, streamed.

    The store writes a consistent snapshot to a temporary file first (here, in the thread pool);
    the answer then streams that file quad by quad through :func:`is_public` and gzip, so neither
    the dump nor its compressed form is ever held in memory.
    """
    etag = _etag("dump", engine.revision(), settings.base_iri, level)
    if _not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    descriptor, name = tempfile.mkstemp(prefix="rightsgraph-dump-", suffix=".nq")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as out:
            store.dump(out, format="nquads", history=False)
    except (OSError, RightsGraphError) as exc:
        path.unlink(missing_ok=True)
        if isinstance(exc, RightsGraphError):
            raise
        raise StoreError(f"the dump could not be written: {exc}") from None
    return StreamingResponse(
        public_gzip_stream(path, base=settings.base_iri, level=level),
        media_type="application/gzip",
        headers={
            "Content-Disposition": f'attachment; filename="{DUMP_NAME}"',
            "ETag": etag,
            "Cache-Control": "no-cache",
        },
    )


def public_gzip_stream(path: Path, *, base: str, level: int = 6) -> Iterator[bytes]:
    """Read the N-Quads file at ``path``, keep the public quads, yield them gzip-compressed in
    chunks; the file is removed at the end (or when the client goes away)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    try:
        batch: list[ox.Quad] = []
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            if is_public(quad, base=base):
                batch.append(quad)
            if len(batch) >= _DUMP_BATCH:
                chunk = compressor.compress(_nquads(batch))
                batch.clear()
                if chunk:
                    yield chunk
        if batch:
            chunk = compressor.compress(_nquads(batch))
            if chunk:
                yield chunk
        yield compressor.flush()
    finally:
        path.unlink(missing_ok=True)


def _nquads(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _slash(base: str) -> str:
    return base if base.endswith("/") else base + "/"
