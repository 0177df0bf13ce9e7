"""What the service and its data are: the SPARQL 1.1 Service Description of ``/sparql`` and the
VoID + DCAT description of the dataset (every named graph with its statistics and licence).

Both are built as rdflib graphs by pure functions of the graph statistics, so that ``/sparql``
(service description) and ``/.well-known/void`` (dataset description) describe the same dataset
node with the same numbers. Statistics come from one SPARQL ``GROUP BY`` over every quad, never a
loop of per-graph queries, and are cached per store revision: a description costs one scan per
write, however often it is asked for.

Use, e.g. for ``/.well-known/void`` (in a worker thread: the queries run where they are
consumed)::

    stats = cached_statistics(engine, engine.revision())
    graph = dataset_description(stats, service_url=str(request.base_url), base_iri=...)
    triples = as_triples(graph)  # for pyoxigraph's writers, or graph.serialize(...) with rdflib
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD

from rightsgraph import iri
from rightsgraph.namespaces import bind_prefixes
from rightsgraph.service.results import FORMAT_IRIS
from rightsgraph.store.base import DEFAULT_GRAPH, QueryResult, SelectResult

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
#: The licence of the data, the same as the ontology's.
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
GRAPH_STORE_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-http-rdf-update/")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

#: RDF syntaxes the Graph Store accepts in PUT and POST bodies.
INPUT_FORMATS = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
)

#: One scan: triples, distinct subjects and properties of every graph; the store's own default
#: graph is the group where ``?g`` is unbound (run with ``default_graph=[DEFAULT_GRAPH]``).
STATISTICS_QUERY = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties)
WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }
GROUP BY ?g
"""
#: Every named graph, empty ones included (they have no row in the statistics).
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"


class Queryable(Protocol):
    """A store or the query engine: anything that answers SPARQL with a dataset."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult: ...


@dataclass(frozen=True)
class GraphStatistics:
    """VoID numbers of one graph; ``graph`` is ``DEFAULT_GRAPH`` for the store's own (unnamed)
    default graph."""

    graph: str
    triples: int = 0
    distinct_subjects: int = 0
    properties: int = 0


def _int(term: object) -> int:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else 0
    except ValueError:
        return 0


def graph_statistics(source: Queryable) -> list[GraphStatistics]:
    """Statistics of the store's default graph (first) and of every named graph, by name.

    Raises what ``source.query`` raises (``QueryTimeoutError`` on a store too big for the
    deadline, ``StoreError``). Runs and consumes its queries in the calling thread.
    """
    counts: dict[str, GraphStatistics] = {}
    rows = source.query(STATISTICS_QUERY, default_graph=[DEFAULT_GRAPH])
    if isinstance(rows, SelectResult):
        for g, triples, subjects, properties in rows.rows:
            name = g.value if isinstance(g, ox.NamedNode) else DEFAULT_GRAPH
            counts[name] = GraphStatistics(name, _int(triples), _int(subjects), _int(properties))
    names = source.query(GRAPHS_QUERY)
    if isinstance(names, SelectResult):
        for (g,) in names.rows:
            if isinstance(g, ox.NamedNode) and g.value not in counts:
                counts[g.value] = GraphStatistics(g.value)
    default = counts.pop(DEFAULT_GRAPH, GraphStatistics(DEFAULT_GRAPH))
    return [default, *(counts[name] for name in sorted(counts))]


_CACHE: weakref.WeakKeyDictionary[object, tuple[int, list[GraphStatistics]]] = (
    weakref.WeakKeyDictionary()
)


def cached_statistics(source: Queryable, revision: int) -> list[GraphStatistics]:
    """:func:`graph_statistics`, computed once per store revision and source."""
    hit = _CACHE.get(source)
    if hit is not None and hit[0] == revision:
        return hit[1]
    stats = graph_statistics(source)
    _CACHE[source] = (revision, stats)
    return stats


# -- titles ----------------------------------------------------------------------------------
_TITLES: dict[str, tuple[str, str, str]] = {
    "ontology": ("The RightsGraph ontology", "L'ontologie RightsGraph", "La ontología RightsGraph"),
    "vocab": (
        "Concept schemes (controlled vocabularies)",
        "Schémas de concepts (vocabulaires contrôlés)",
        "Esquemas de conceptos (vocabularios controlados)",
    ),
    "seed": (
        "Sourced facts: the campaign, organisations, events, pioneer territories",
        "Faits sourcés : la campagne, les organisations, les événements, les territoires pionniers",
        "Hechos con fuente: la campaña, las organizaciones, los eventos, los territorios pioneros",
    ),
    "example": (
        "Example data (invented, never to be read as fact)",
        "Données d'exemple (inventées, à ne jamais lire comme des faits)",
        "Datos de ejemplo (inventados, nunca deben leerse como hechos)",
    ),
    "provenance": (
        "Provenance of submissions",
        "Provenance des soumissions",
        "Procedencia de los envíos",
    ),
    "system": (
        "Store bookkeeping (revision counter)",
        "Gestion interne de l'entrepôt (compteur de révisions)",
        "Gestión interna del almacén (contador de revisiones)",
    ),
}
_TERRITORY = (
    "Current submission of territory {key}",
    "Soumission actuelle du territoire {key}",
    "Envío actual del territorio {key}",
)
_SYNTHETIC = (
    "Synthetic benchmark data, fictional territory {key}",
    "Données synthétiques de test, territoire fictif {key}",
    "Datos sintéticos de prueba, territorio ficticio {key}",
)
_DATASET_TITLE = ("RightsGraph", "RightsGraph", "RightsGraph")
_DATASET_DESCRIPTION = (
    "The knowledge graph of local and regional governments that commit to human rights, their "
    "initiatives and their membership of the UCLG campaign '10, 100, 1000 cities and "
    "territories for human rights by 2030'.",
    "Le graphe de connaissances des gouvernements locaux et régionaux qui s'engagent en faveur "
    "des droits humains, de leurs initiatives et de leur adhésion à la campagne de CGLU "
    "« 10, 100, 1000 villes et territoires des droits humains d'ici 2030 ».",
    "El grafo de conocimiento de los gobiernos locales y regionales que se comprometen con los "
    "derechos humanos, sus iniciativas y su adhesión a la campaña de CGLU «10, 100, 1000 "
    "ciudades y territorios de derechos humanos para 2030».",
)
_DEFAULT_GRAPH_DESCRIPTION = (
    "The default graph of queries: the union of all named graphs (revisions excluded); "
    "void:triples counts it as queries do, graph by graph.",
    "Le graphe par défaut des requêtes : l'union de tous les graphes nommés (hors révisions) ; "
    "void:triples le compte comme les requêtes, graphe par graphe.",
    "El grafo por defecto de las consultas: la unión de todos los grafos con nombre (sin las "
    "revisiones); void:triples lo cuenta como las consultas, grafo por grafo.",
)
_SERVICE_NOTE = (
    "Queries see the union of all named graphs as their default graph. Updates (admin token) "
    "without USING, WITH or using-graph-uri match the store's own default graph, as in "
    "Oxigraph; name the graphs to read with GRAPH, USING or using-graph-uri.",
    "Les requêtes voient l'union de tous les graphes nommés comme graphe par défaut. Les mises à "
    "jour (jeton d'administration) sans USING, WITH ni using-graph-uri portent sur le graphe par "
    "défaut propre de l'entrepôt, comme dans Oxigraph ; désignez les graphes à lire avec GRAPH, "
    "USING ou using-graph-uri.",
    "Las consultas ven la unión de todos los grafos con nombre como grafo por defecto. Las "
    "actualizaciones (token de administración) sin USING, WITH ni using-graph-uri operan sobre el "
    "grafo por defecto propio del almacén, como en Oxigraph; indique los grafos que se leen con "
    "GRAPH, USING o using-graph-uri.",
)
_SERVICE_TITLE = (
    "RightsGraph SPARQL 1.1 endpoint",
    "Point d'accès SPARQL 1.1 de RightsGraph",
    "Punto de acceso SPARQL 1.1 de RightsGraph",
)


def _titled(g: Graph, node: URIRef | BNode, predicate: URIRef, texts: Iterable[str]) -> None:
    for lang, text in zip(("en", "fr", "es"), texts, strict=True):
        g.add((node, predicate, Literal(text, lang=lang)))


def graph_title(name: str, base_iri: str | None = None) -> tuple[str, str, str] | None:
    """en/fr/es titles of a graph the project names (``rgg:seed``, a territory's graph...)."""
    prefix = f"{base_iri or iri.base_iri()}graph/"
    if not name.startswith(prefix):
        return None
    local = name[len(prefix) :]
    if local in _TITLES:
        return _TITLES[local]
    for start, texts in (("territory/example/", _SYNTHETIC), ("territory/", _TERRITORY)):
        if local.startswith(start) and "/" not in local[len(start) :]:
            key = local[len(start) :]
            return (
                texts[0].format(key=key),
                texts[1].format(key=key),
                texts[2].format(key=key),
            )
    return None


# -- the descriptions ------------------------------------------------------------------------
def dataset_iri(service_url: str) -> URIRef:
    """The dataset's IRI: a fragment of the service's VoID document (``/.well-known/void``)."""
    return URIRef(f"{service_url.rstrip('/')}/.well-known/void#dataset")


def dataset_description(
    statistics: Sequence[GraphStatistics],
    *,
    service_url: str,
    endpoint: str | None = None,
    base_iri: str | None = None,
) -> Graph:
    """VoID + DCAT + SPARQL-SD description of the dataset: the ``void:Dataset``/``dcat:Dataset``/
    ``sd:Dataset`` node (see :func:`dataset_iri`) with its licence, its SPARQL endpoint and dump,
    its default graph and every named graph (``sd:NamedGraph`` with ``sd:name``; its
    ``sd:Graph`` is a ``void:subset`` with ``void:triples``, ``void:distinctSubjects``,
    ``void:properties``, the licence and, for the project's graphs, titles in en, fr, es).
    """
    base = base_iri or iri.base_iri()
    service = service_url.rstrip("/")
    endpoint = endpoint or f"{service}/sparql"
    g = bind_prefixes(Graph(), base=base)
    g.bind("sd", SD)
    g.bind("void", VOID)
    ds = dataset_iri(service)
    for cls in (SD.Dataset, VOID.Dataset, DCAT.Dataset):
        g.add((ds, RDF.type, cls))
    _titled(g, ds, DCTERMS.title, _DATASET_TITLE)
    _titled(g, ds, DCTERMS.description, _DATASET_DESCRIPTION)
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((ds, VOID.vocabulary, URIRef(f"{base}ontology")))
    g.add((ds, VOID.dataDump, URIRef(f"{service}/dump")))
    g.add((ds, DCAT.landingPage, URIRef(f"{service}/")))

    api = BNode()
    g.add((api, RDF.type, DCAT.DataService))
    g.add((api, DCAT.endpointURL, URIRef(endpoint)))
    g.add((api, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((api, DCAT.servesDataset, ds))
    g.add((api, DCTERMS.license, LICENSE))
    for kind, url in (("sparql", endpoint), ("dump", f"{service}/dump")):
        dist = BNode()
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.license, LICENSE))
        if kind == "sparql":
            g.add((dist, DCAT.accessURL, URIRef(url)))
            g.add((dist, DCAT.accessService, api))
        else:
            g.add((dist, DCAT.downloadURL, URIRef(url)))
            g.add((dist, DCAT.mediaType, URIRef(MEDIA_TYPES + "application/n-quads")))
            g.add((dist, DCAT.compressFormat, URIRef(MEDIA_TYPES + "application/gzip")))

    total = sum(s.triples for s in statistics)
    g.add((ds, VOID.triples, Literal(total, datatype=XSD.integer)))
    default = BNode()
    g.add((ds, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDF.type, VOID.Dataset))
    g.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    _titled(g, default, DCTERMS.description, _DEFAULT_GRAPH_DESCRIPTION)

    for stats in statistics:
        if stats.graph == DEFAULT_GRAPH:
            continue
        named, node = BNode(), BNode()
        g.add((ds, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(stats.graph)))
        g.add((named, SD.graph, node))
        g.add((ds, VOID.subset, node))
        g.add((node, RDF.type, SD.Graph))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
        g.add((node, VOID.distinctSubjects, Literal(stats.distinct_subjects, datatype=XSD.integer)))
        g.add((node, VOID.properties, Literal(stats.properties, datatype=XSD.integer)))
        g.add((node, DCTERMS.license, LICENSE))
        titles = graph_title(stats.graph, base)
        if titles:
            _titled(g, node, DCTERMS.title, titles)
    return g


def service_description(
    statistics: Sequence[GraphStatistics],
    *,
    endpoint: str,
    service_url: str,
    base_iri: str | None = None,
    graph_store: str | None = None,
    result_formats: Iterable[str] = tuple(FORMAT_IRIS),
) -> Graph:
    """The SPARQL 1.1 Service Description of ``endpoint``: an ``sd:Service`` with
    ``sd:endpoint``, the languages (SPARQL 1.0/1.1 Query, 1.1 Update), every result format, the
    features (union default graph, basic federated query, empty graphs), simple entailment, and
    the :func:`dataset_description` as its ``sd:defaultDataset``. ``result_formats`` are media
    types of :data:`~rightsgraph.service.results.FORMAT_IRIS`."""
    g = dataset_description(
        statistics, service_url=service_url, endpoint=endpoint, base_iri=base_iri
    )
    service = BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    _titled(g, service, DCTERMS.title, _SERVICE_TITLE)
    _titled(g, service, RDFS.label, _SERVICE_TITLE)
    _titled(g, service, DCTERMS.description, _SERVICE_NOTE)
    for language in (SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update):
        g.add((service, SD.supportedLanguage, language))
        g.add((language, RDF.type, SD.Language))
    for feature in (SD.UnionDefaultGraph, SD.BasicFederatedQuery, SD.EmptyGraphs):
        g.add((service, SD.feature, feature))
        g.add((feature, RDF.type, SD.Feature))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    g.add((ENTAILMENT_SIMPLE, RDF.type, SD.EntailmentRegime))
    for media in result_formats:
        g.add((service, SD.resultFormat, URIRef(FORMAT_IRIS[media])))
    for media in INPUT_FORMATS:
        g.add((service, SD.inputFormat, URIRef(FORMAT_IRIS[media])))
    g.add((service, SD.defaultDataset, dataset_iri(service_url)))
    g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    if graph_store:
        store = URIRef(graph_store)
        g.add((service, RDFS.seeAlso, store))
        g.add((store, RDF.type, DCAT.DataService))
        g.add((store, DCAT.endpointURL, store))
        g.add((store, DCTERMS.conformsTo, GRAPH_STORE_PROTOCOL))
        g.add((store, DCAT.servesDataset, dataset_iri(service_url)))
    return g


def as_triples(graph: Graph) -> Iterator[ox.Triple]:
    """An rdflib graph as pyoxigraph triples, to serialise with pyoxigraph's streaming writers."""
    nodes: dict[object, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def term(t: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if t in nodes:
            return nodes[t]
        out: ox.NamedNode | ox.BlankNode | ox.Literal
        if isinstance(t, URIRef):
            out = ox.NamedNode(str(t))
        elif isinstance(t, BNode):
            out = ox.BlankNode()
        elif isinstance(t, Literal):
            if t.language:
                out = ox.Literal(str(t), language=t.language)
            elif t.datatype is not None:
                out = ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            else:
                out = ox.Literal(str(t))
        else:
            raise TypeError(f"not an RDF term: {t!r}")
        nodes[t] = out
        return out

    # Sorted by subject, so that Turtle groups each subject's triples under it.
    for s, p, o in sorted(graph, key=lambda t: (isinstance(t[0], BNode), str(t[0]), str(t[1]))):
        subject, predicate, obj = term(s), term(p), term(o)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise TypeError(f"not an RDF triple: {s!r} {p!r} {o!r}")
        yield ox.Triple(subject, predicate, obj)
