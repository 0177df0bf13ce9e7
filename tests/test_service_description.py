"""The SPARQL 1.1 Service Description at ``GET /sparql`` and the VoID/DCAT description of the data:
the W3C service-description tests, the schema, the formats, and statistics that match the store."""

from __future__ import annotations

import httpx
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node
from test_w3c_protocol import W3C, admin, require

from conftest import Served
from rightsgraph.iri import DEFAULT_BASE
from rightsgraph.service.description import (
    LICENSE,
    cached_statistics,
    dataset_description,
    dataset_iri,
    graph_statistics,
    service_description,
)
from rightsgraph.service.results import FORMAT_IRIS
from rightsgraph.store.base import DEFAULT_GRAPH, Store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RGG = f"{DEFAULT_BASE}graph/"
PARSERS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}

# The SPARQL 1.1 Service Description vocabulary (W3C Recommendation, 21 March 2013): every term,
# and the domains and ranges it declares.
SD_TERMS = {
    "Aggregate", "BasicFederatedQuery", "Dataset", "DereferencesURIs", "EmptyGraphs",
    "EntailmentProfile", "EntailmentRegime", "Feature", "Function", "Graph", "GraphCollection",
    "Language", "NamedGraph", "RequiresDataset", "SPARQL10Query", "SPARQL11Query",
    "SPARQL11Update", "Service", "UnionDefaultGraph", "availableGraphs", "defaultDataset",
    "defaultEntailmentRegime", "defaultGraph", "defaultSupportedEntailmentProfile", "endpoint",
    "entailmentRegime", "extensionAggregate", "extensionFunction", "feature", "graph",
    "inputFormat", "languageExtension", "name", "namedGraph", "propertyFeature", "resultFormat",
    "supportedEntailmentProfile", "supportedLanguage",
}  # fmt: skip
DOMAINS = {
    "endpoint": "Service",
    "feature": "Service",
    "defaultEntailmentRegime": "Service",
    "supportedEntailmentProfile": "Service",
    "extensionFunction": "Service",
    "extensionAggregate": "Service",
    "languageExtension": "Service",
    "supportedLanguage": "Service",
    "propertyFeature": "Service",
    "defaultDataset": "Service",
    "availableGraphs": "Service",
    "resultFormat": "Service",
    "inputFormat": "Service",
    "defaultGraph": "Dataset",
    "namedGraph": "GraphCollection",
    "name": "NamedGraph",
    "graph": "NamedGraph",
    "entailmentRegime": "NamedGraph",
}
RANGES = {
    "feature": "Feature",
    "defaultEntailmentRegime": "EntailmentRegime",
    "extensionFunction": "Function",
    "extensionAggregate": "Aggregate",
    "supportedLanguage": "Language",
    "defaultDataset": "Dataset",
    "availableGraphs": "GraphCollection",
    "defaultGraph": "Graph",
    "namedGraph": "NamedGraph",
    "graph": "Graph",
    "entailmentRegime": "EntailmentRegime",
}
SUBCLASSES = {"Dataset": {"GraphCollection"}, "Aggregate": {"Function"}}


def fetch(url: str, accept: str | None = None) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return httpx.get(url + "/sparql", headers=headers, timeout=60)


def description(url: str, accept: str | None = None) -> Graph:
    r = fetch(url, accept)
    assert r.status_code == 200, r.text
    media = r.headers["content-type"].split(";")[0]
    return Graph().parse(data=r.content, format=PARSERS[media])


def number(g: Graph, node: Node | None, predicate: URIRef) -> int:
    value = g.value(node, predicate)
    assert isinstance(value, Literal), f"{node} has no {predicate}"
    return int(value.toPython())


def languages(g: Graph, node: Node | None, predicate: URIRef) -> set[str | None]:
    return {t.language for t in g.objects(node, predicate) if isinstance(t, Literal)}


def types(g: Graph, node: object) -> set[str]:
    out = {str(t).removeprefix(str(SD)) for t in g.objects(node, RDF.type)}  # type: ignore[arg-type]
    for t in list(out):
        out |= SUBCLASSES.get(t, set())
    return out


# -- the W3C service description tests ----------------------------------------------------------
def has_endpoint_triple(url: str) -> None:
    g = description(url)
    services = set(g.subjects(SD.endpoint, URIRef(url + "/sparql")))
    assert services, "no sd:endpoint triple names the endpoint"
    assert all((s, RDF.type, SD.Service) in g for s in services)


def returns_rdf(url: str) -> None:
    r = fetch(url, "text/turtle, application/rdf+xml;q=0.9")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] in PARSERS
    assert len(Graph().parse(data=r.content, format="turtle")) > 0


def conforms_to_schema(url: str) -> None:
    g = description(url)
    for s, p, o in g:
        for term in (s, p, o):
            if isinstance(term, URIRef) and str(term).startswith(str(SD)):
                assert str(term).removeprefix(str(SD)) in SD_TERMS, f"not an SD term: {term}"
        if not str(p).startswith(str(SD)):
            continue
        name = str(p).removeprefix(str(SD))
        if name in DOMAINS:
            assert DOMAINS[name] in types(g, s), f"{s} sd:{name}: subject is not sd:{DOMAINS[name]}"
        if name in RANGES:
            assert RANGES[name] in types(g, o), f"sd:{name} {o}: object is not sd:{RANGES[name]}"
        if name in ("endpoint", "name"):
            assert isinstance(o, URIRef), f"sd:{name} must be an IRI, not {o!r}"
    for named in g.subjects(RDF.type, SD.NamedGraph):
        names = list(g.objects(named, SD.name))
        assert len(names) == 1 and isinstance(names[0], URIRef), f"{named} sd:name {names}"
    services = list(g.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    assert list(g.objects(services[0], SD.endpoint))


CHECKS = {
    "has-endpoint-triple": has_endpoint_triple,
    "returns-rdf": returns_rdf,
    "conforms-to-schema": conforms_to_schema,
}


def test_w3c_service_description_suite(service: Served) -> None:
    manifest_path = W3C / "sparql11-service-description" / "manifest.ttl"
    require(manifest_path)
    manifest = Graph().parse(manifest_path, format="turtle")
    tests = [t for lst in manifest.objects(None, MF.entries) for t in Collection(manifest, lst)]
    assert len(tests) == 3
    failures = {}
    for test in tests:
        name = str(test).rsplit("#", 1)[-1]
        assert (test, RDF.type, MF.ServiceDescriptionTest) in manifest
        try:
            CHECKS[name](service.url)
        except AssertionError as exc:
            failures[name] = str(exc)
    print(f"\nW3C SPARQL 1.1 Service Description: {len(tests) - len(failures)}/{len(tests)} passed")
    assert not failures, failures


# -- formats and contents ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "accept", [None, "text/turtle", "application/rdf+xml", "application/ld+json"]
)
def test_description_formats(service: Served, accept: str | None) -> None:
    url = service.url
    r = fetch(url, accept)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == (accept or "text/turtle")
    assert "accept" in r.headers["vary"].lower()
    g = Graph().parse(data=r.content, format=PARSERS[accept or "text/turtle"])
    assert (None, SD.endpoint, URIRef(url + "/sparql")) in g


def test_description_not_acceptable(service: Served) -> None:
    r = fetch(service.url, "text/csv")
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/problem+json"


def test_languages_features_and_formats(service: Served) -> None:
    g = description(service.url)
    node = next(g.subjects(RDF.type, SD.Service))
    assert set(g.objects(node, SD.feature)) >= {SD.UnionDefaultGraph, SD.BasicFederatedQuery}
    assert set(g.objects(node, SD.supportedLanguage)) >= {SD.SPARQL11Query, SD.SPARQL11Update}
    assert {str(f) for f in g.objects(node, SD.resultFormat)} == set(FORMAT_IRIS.values())
    assert languages(g, node, DCTERMS.title) == {"en", "fr", "es"}


def sparql(url: str, query: str) -> list[dict[str, str]]:
    r = httpx.get(url + "/sparql", params={"query": query}, timeout=60)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def test_every_named_graph_with_void_statistics(service: Served) -> None:
    url = service.url
    g = description(url)
    dataset = next(g.objects(None, SD.defaultDataset))
    described: dict[str, Node | None] = {}
    for named in g.objects(dataset, SD.namedGraph):
        described[str(g.value(named, SD.name))] = g.value(named, SD.graph)
    expected = sparql(
        url,
        "SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?s) WHERE { GRAPH ?g { ?s ?p ?o } } "
        "GROUP BY ?g",
    )
    assert {row["g"] for row in expected} <= set(described)
    assert {RGG + name for name in ("ontology", "vocab", "seed", "example")} <= set(described)
    for row in expected:
        node = described[row["g"]]
        assert (node, RDF.type, SD.Graph) in g and (node, RDF.type, VOID.Dataset) in g
        assert number(g, node, VOID.triples) == int(row["n"]), row["g"]
        assert number(g, node, VOID.distinctSubjects) == int(row["s"])
        assert (dataset, VOID.subset, node) in g
        assert g.value(node, DCTERMS.license) == LICENSE
    default = g.value(dataset, SD.defaultGraph)
    assert isinstance(default, BNode)
    assert number(g, default, VOID.triples) == sum(int(r["n"]) for r in expected)
    assert languages(g, described[RGG + "seed"], DCTERMS.title) == {"en", "fr", "es"}


def test_dcat_and_licence_as_the_ontology(service: Served) -> None:
    url = service.url
    g = description(url)
    dataset = dataset_iri(url)
    assert (dataset, RDF.type, DCAT.Dataset) in g and (dataset, RDF.type, VOID.Dataset) in g
    ontology_licence = sparql(
        url, f"SELECT ?l WHERE {{ <{DEFAULT_BASE}ontology> <{DCTERMS.license}> ?l }}"
    )
    assert [row["l"] for row in ontology_licence] == [str(LICENSE)]
    assert g.value(dataset, DCTERMS.license) == LICENSE
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef(url + "/sparql")
    assert languages(g, dataset, DCTERMS.title) == {"en", "fr", "es"}
    distributions = set(g.objects(dataset, DCAT.distribution))
    assert any(g.value(d, DCAT.accessURL) == URIRef(url + "/sparql") for d in distributions)


def test_description_follows_writes(admin_service: Served) -> None:
    graph = "http://example.org/described-later"
    admin(admin_service.url, f"INSERT DATA {{ GRAPH <{graph}> {{ <http://a> <http://b> 1, 2 }} }}")
    g = description(admin_service.url)
    nodes = [g.value(n, SD.graph) for n in g.subjects(SD.name, URIRef(graph))]
    assert len(nodes) == 1 and number(g, nodes[0], VOID.triples) == 2
    admin(admin_service.url, f"DROP GRAPH <{graph}>")
    assert not list(description(admin_service.url).subjects(SD.name, URIRef(graph)))


# -- the builders, on both backends (a fresh empty store each) ---------------------------------
def test_statistics_in_one_pass_and_cached_per_revision(backend_store: Store) -> None:
    store = backend_store
    store.update(
        "INSERT DATA { GRAPH <http://g/1> { <http://a> <http://p> 1 , 2 . <http://b> <http://p> 3 }"
        " GRAPH <http://g/2> { <http://a> <http://q> 1 } <http://d> <http://p> 0 }"
    )
    store.update("CREATE GRAPH <http://g/empty>")
    stats = graph_statistics(store)
    by_name = {s.graph: s for s in stats}
    assert stats[0].graph == DEFAULT_GRAPH and stats[0].triples == 1
    assert (by_name["http://g/1"].triples, by_name["http://g/1"].distinct_subjects) == (3, 2)
    assert by_name["http://g/1"].properties == 1
    assert by_name["http://g/empty"].triples == 0
    first = cached_statistics(store, store.revision())
    assert cached_statistics(store, store.revision()) is first
    store.update("DROP GRAPH <http://g/2>")
    assert "http://g/2" not in {s.graph for s in cached_statistics(store, store.revision())}
    # the VoID document (for /.well-known/void) describes the same dataset node as the SD
    void = dataset_description(stats, service_url="http://localhost:1")
    sd = service_description(
        stats, endpoint="http://localhost:1/sparql", service_url="http://localhost:1"
    )
    node = dataset_iri("http://localhost:1")
    total = sum(s.triples for s in stats)
    assert number(void, node, VOID.triples) == total
    assert number(sd, node, VOID.triples) == total
    assert len(list(void.objects(node, SD.namedGraph))) == len(stats) - 1
    assert next(sd.objects(None, SD.defaultDataset)) == node
    assert not list(void.subjects(RDF.type, SD.Service))
