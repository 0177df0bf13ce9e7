"""Linked data over a real socket: dereferencing IRIs under the base (HTML, Turtle, JSON-LD,
N-Triples, RDF/XML), /ontology (pyLODE), /.well-known/void, /dump, and the privacy rule.

Most checks use the session's ``service`` (the initialised data) on both backends. The
hostile-data checks use a server of this module, on a store that holds a real submission (the CLI's
``submit`` on the embedded store, the same pipeline called in process on Virtuoso: contact e-mail
and submitter in the provenance) and a label with markup loaded past the submission checks, as an
admin's SPARQL Update could.
"""

from __future__ import annotations

import gzip
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID

from conftest import (
    FIXTURES,
    SERVICE_BACKENDS,
    Served,
    copy_store,
    remote_service,
    run_cli,
    running_server,
)
from rightsgraph.resources import read_text
from rightsgraph.service import ontology_docs
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.routers.linked_data import describe, is_public, private_predicates
from rightsgraph.service.settings import Settings
from rightsgraph.store import open_store
from rightsgraph.store.base import Store

BASE = "https://w3id.org/rightsgraph/"
RG = Namespace(BASE + "ontology#")
SCHEMA = Namespace("https://schema.org/")
# rdflib's closed DCAT namespace warns when pytest looks for mock attributes in this module.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
BARCELONA = URIRef(BASE + "id/territory/es-barcelona")
HOUSING = URIRef(BASE + "vocab/rights/housing")
HOSTILE = URIRef(BASE + "id/territory/example/xx-hostile")
HOSTILE_GRAPH = BASE + "graph/territory/example/xx-hostile"
EMAIL = "https://schema.org/email"
SUBMITTED_BY = BASE + "ontology#submittedBy"
PROBLEM = "application/problem+json"


def get(url: str, path: str, accept: str = "*/*", **kwargs: object) -> httpx.Response:
    headers = {"Accept": accept, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return httpx.get(url + path, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def graph_of(response: httpx.Response, fmt: str) -> Graph:
    return Graph().parse(data=response.content, format=fmt)


@pytest.fixture(scope="module")
def url(service: Served) -> str:
    return service.url


# -- dereferencing -------------------------------------------------------------------------------
def test_territory_html_in_the_language_asked(url: str) -> None:
    fr = get(url, "/id/territory/es-barcelona?lang=fr", "text/html")
    assert fr.status_code == 200
    assert media(fr) == "text/html"
    assert '<html lang="fr">' in fr.text
    assert "<h1>Barcelone</h1>" in fr.text
    # Literals keep their language tags; IRIs under the base link to their pages, keeping lang.
    assert '<span lang="ca">Barcelona</span><span class="tag">@ca</span>' in fr.text
    assert 'href="/vocab/uclg-regions/europe?lang=fr"' in fr.text
    assert 'href="/ontology?lang=fr#Territory"' in fr.text
    # Incoming links ("is led by of") and the header links.
    assert 'href="/id/initiative/es-barcelona/office-for-non-discrimination?lang=fr"' in fr.text
    for link in ('href="/"', 'href="/query"', 'href="/sparql"'):
        assert link in fr.text
    assert "Accept" in fr.headers["vary"]

    es = get(url, "/id/territory/es-barcelona", "text/html", headers={"Accept-Language": "es-ES"})
    assert '<html lang="es">' in es.text
    assert "Territorio" in es.text


def test_territory_as_rdf(url: str) -> None:
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        response = get(url, "/id/territory/es-barcelona", accept)
        assert response.status_code == 200, accept
        assert media(response) == accept
        g = graph_of(response, fmt)
        assert (BARCELONA, RDF.type, RG.Territory) in g, accept
        assert (BARCELONA, RDFS.label, Literal("Barcelone", lang="fr")) in g, accept
        # Labels of what it points to, and what points to it.
        europe = URIRef(BASE + "vocab/uclg-regions/europe")
        assert (europe, SKOS.prefLabel, Literal("Europe", lang="en")) in g
        assert (URIRef(BASE + "id/membership/es-barcelona"), RG.member, BARCELONA) in g
    turtle = get(url, "/id/territory/es-barcelona?format=ttl", "text/html")
    assert media(turtle) == "text/turtle"
    ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)  # pyoxigraph reads it too


def test_vocabulary_concept(url: str) -> None:
    g = graph_of(get(url, "/vocab/rights/housing", "text/turtle"), "turtle")
    assert (HOUSING, SKOS.notation, Literal("GCA-X")) in g
    assert (HOUSING, SKOS.prefLabel, Literal("Droit au logement et au domicile", lang="fr")) in g
    scheme = get(url, "/vocab/rights", "text/turtle")
    assert (URIRef(BASE + "vocab/rights"), RDF.type, SKOS.ConceptScheme) in graph_of(
        scheme, "turtle"
    )
    page = get(url, "/vocab/rights/housing?lang=es", "text/html")
    assert "<h1>Derecho a la Vivienda y al Domicilio</h1>" in page.text


def test_organisation_and_graph_iris(url: str) -> None:
    org = get(url, "/id/org/uclg", "text/turtle")
    assert org.status_code == 200
    seed = graph_of(get(url, "/graph/seed?lang=fr", "text/turtle"), "turtle")
    triples = seed.value(URIRef(BASE + "graph/seed"), VOID.triples)
    assert isinstance(triples, Literal) and int(triples) > 100
    titles = {
        t.language
        for t in seed.objects(URIRef(BASE + "graph/seed"), DCTERMS.title)
        if isinstance(t, Literal)
    }
    assert titles == {"en", "fr", "es"}
    page = get(url, "/graph/seed?lang=fr", "text/html")
    assert page.status_code == 200 and "Faits sourcés" in page.text


def test_unknown_iri_is_404(url: str) -> None:
    api = get(url, "/id/territory/xx-nowhere", "application/json, text/turtle")
    assert api.status_code == 404
    assert media(api) == PROBLEM
    assert api.json()["status"] == 404
    page = get(url, "/id/territory/xx-nowhere?lang=fr", "text/html")
    assert page.status_code == 404
    assert media(page) == "text/html"
    assert "Introuvable" in page.text
    assert get(url, "/vocab/no-such-scheme/x", "text/turtle").status_code == 404


def test_not_acceptable_and_conditional_requests(url: str) -> None:
    refused = get(url, "/id/territory/es-barcelona", "application/pdf")
    assert refused.status_code == 406
    assert media(refused) == PROBLEM
    assert get(url, "/id/territory/es-barcelona?format=docx").status_code == 406
    first = get(url, "/id/territory/es-barcelona", "text/turtle")
    again = get(
        url,
        "/id/territory/es-barcelona",
        "text/turtle",
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    head = httpx.head(url + "/id/territory/es-barcelona", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and media(head) == "text/turtle" and not head.content


# -- the ontology ----------------------------------------------------------------------------------
def test_ontology_html_documents_the_classes(url: str) -> None:
    page = get(url, "/ontology", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert page.status_code == 200
    assert media(page) == "text/html"
    assert 'id="Territory"' in page.text and 'id="ledBy"' in page.text
    assert "Territory" in page.text and "TerritoryTerritoire" not in page.text
    # Nothing is loaded from elsewhere at run time (links to elsewhere are fine).
    assert not re.search(r'<(script|img)[^>]+src="https?:', page.text)
    assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="https?:', page.text)
    french = get(url, "/ontology?lang=fr", "text/html")
    assert "Territoire" in french.text and '<html lang="fr">' in french.text


def test_ontology_turtle(url: str) -> None:
    for response in (get(url, "/ontology.ttl"), get(url, "/ontology", "text/turtle")):
        assert response.status_code == 200
        assert media(response) == "text/turtle"
        g = graph_of(response, "turtle")
        ox.parse(response.content, format=ox.RdfFormat.TURTLE)
        assert (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) in g
        assert (RG.Territory, RDF.type, OWL.Class) in g
    jsonld = get(url, "/ontology", "application/ld+json")
    assert (RG.Initiative, RDF.type, OWL.Class) in graph_of(jsonld, "json-ld")
    version = ontology_docs.ontology_version(BASE)
    assert get(url, f"/ontology/{version}", "text/turtle").status_code == 200
    assert get(url, "/ontology/0.0.0-none", "text/turtle").status_code == 404


def test_pylode_reads_nothing_from_the_network() -> None:
    """pyLODE is given a parsed graph; an audit hook records any connection attempt while it
    writes the documentation (for a base no other test uses, so nothing is cached)."""
    attempts: list[tuple[str, object]] = []
    watching = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if watching[0] and event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
            attempts.append((event, args))

    sys.addaudithook(hook)
    try:
        html = ontology_docs.ontology_html("https://example.org/audit/", "es")
    finally:
        watching[0] = False
    assert attempts == []
    assert "https://example.org/audit/ontology#Territory" in html
    assert "Territorio" in html


def test_shapes_dereference(url: str) -> None:
    page = get(url, "/shapes?lang=es", "text/html")
    assert page.status_code == 200
    assert '<section id="TerritoryNameShape">' in page.text  # rgsh:TerritoryNameShape's anchor
    assert 'href="/ontology?lang=es#Territory"' in page.text
    g = graph_of(get(url, "/shapes.ttl"), "turtle")
    shape = URIRef(BASE + "shapes#TerritoryNameShape")
    assert (shape, URIRef("http://www.w3.org/ns/shacl#targetClass"), RG.Territory) in g
    assert (URIRef(BASE + "shapes"), RDF.type, OWL.Ontology) in g


@pytest.fixture(params=SERVICE_BACKENDS)
def initialised(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The initialised data as a store on each backend: a copy of the embedded store, or the
    session's Virtuoso holding the packaged data (``packaged_virtuoso``; read only here)."""
    if request.param == "virtuoso":
        yield request.getfixturevalue("packaged_virtuoso")
        return
    store = open_store(request.getfixturevalue("store_copy"))
    yield store
    store.close()


def test_incoming_statements_are_bounded(initialised: Store, tmp_path: Path) -> None:
    engine = QueryEngine(initialised, Settings(store=tmp_path))
    this = ox.NamedNode(str(BARCELONA))
    full = describe(engine, str(BARCELONA), base=BASE)
    pointing = [t for t in full.incoming if t.object == this]
    assert len(pointing) >= 3 and not full.truncated
    bounded = describe(engine, str(BARCELONA), base=BASE, incoming_limit=2)
    assert bounded.truncated
    assert len([t for t in bounded.incoming if t.object == this]) == 2
    assert bounded.outgoing == full.outgoing


# -- VoID and DCAT ---------------------------------------------------------------------------------
def test_void_names_the_graphs(url: str) -> None:
    response = get(url, "/.well-known/void")
    assert response.status_code == 200
    assert media(response) == "text/turtle"
    g = graph_of(response, "turtle")
    dataset = URIRef(url + "/.well-known/void#dataset")  # the node /sparql's description names
    assert (dataset, RDF.type, VOID.Dataset) in g and (dataset, RDF.type, DCAT.Dataset) in g
    assert (URIRef(url + "/.well-known/void"), FOAF.primaryTopic, dataset) in g
    # Every named graph, by name, with its statistics on the void:subset it names.
    sizes = {}
    for named in g.objects(dataset, SD.namedGraph):
        node = g.value(named, SD.graph)
        assert (dataset, VOID.subset, node) in g
        sizes[g.value(named, SD.name)] = g.value(node, VOID.triples)
    for name in ("ontology", "vocab", "seed", "example"):
        size = sizes[URIRef(BASE + f"graph/{name}")]
        assert isinstance(size, Literal) and int(size) > 100, name
    for count in (VOID.triples, VOID.entities, VOID.classes):
        value = g.value(dataset, count)
        assert isinstance(value, Literal) and int(value) > 10, count
    partitions = {g.value(p, VOID["class"]) for p in g.objects(dataset, VOID.classPartition)}
    assert RG.Territory in partitions and SKOS.Concept in partitions
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef(url + "/sparql")
    downloads = {g.value(d, DCAT.downloadURL) for d in g.objects(dataset, DCAT.distribution)}
    assert URIRef(url + "/dump") in downloads
    publisher = g.value(dataset, URIRef("http://purl.org/dc/terms/publisher"))
    assert g.value(publisher, FOAF.name) == Literal("RightsGraph developers")
    assert g.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None

    jsonld = get(url, "/.well-known/void", "application/ld+json")
    assert media(jsonld) == "application/ld+json"
    assert len(graph_of(jsonld, "json-ld")) == len(g)


# -- the dump --------------------------------------------------------------------------------------
def test_dump_is_public_gzip_nquads(url: str) -> None:
    response = get(url, "/dump")
    assert response.status_code == 200
    assert media(response) == "application/gzip"
    assert 'filename="rightsgraph.nq.gz"' in response.headers["content-disposition"]
    quads = list(ox.parse(gzip.decompress(response.content), format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert {BASE + "graph/seed", BASE + "graph/vocab", BASE + "graph/example"} <= graphs
    assert BASE + "graph/system" not in graphs
    # The example data has contact e-mails; the dump keeps the contact points, not the e-mails.
    assert "schema:email" in read_text("data", "example.trig")
    assert not [q for q in quads if q.predicate.value == EMAIL]
    assert [q for q in quads if q.predicate.value == BASE + "ontology#contactPoint"]
    assert all(is_public(q) for q in quads)


# -- privacy and hostile data on a store with a submission -----------------------------------------
HOSTILE_TTL = f"""\
@prefix rg: <{BASE}ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{HOSTILE}> a rg:Territory ;
    rdfs:label "<script>alert('pwned')</script>"@en , "Ville <img src=x onerror=alert(1)>"@fr ;
    rdfs:seeAlso <javascript:alert(2)> ;
    rg:isExample true .
"""


def _hostile_data(store: Store, folder: Path) -> None:
    """The hostile test data, through the store protocol: what ``rightsgraph submit`` and
    ``rightsgraph load --graph`` do (used on Virtuoso, which the command line does not open)."""
    from rightsgraph.loaders.packaged import init_store
    from rightsgraph.loaders.submission import process

    init_store(store)
    good = FIXTURES / "cli" / "good-en.csv"
    result = process(good.read_bytes(), filename=good.name, lang="en", store=store)
    assert result.committed, result.as_dict()
    data = folder / "hostile.ttl"
    data.write_text(HOSTILE_TTL, encoding="utf-8")
    store.load(data, format=ox.RdfFormat.TURTLE, graph=HOSTILE_GRAPH)


@pytest.fixture(scope="module")
def hostile(
    service_backend: str,
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """``rightsgraph serve`` on a store with a submission and a label with markup."""
    if service_backend == "virtuoso":
        folder = tmp_path_factory.mktemp("virtuoso-linked-data")
        with remote_service(folder, lambda store: _hostile_data(store, folder)) as served:
            yield served.url
        return
    store = copy_store(initialised_store, tmp_path_factory, "linked-data")
    folder = store.parent
    run_cli("submit", FIXTURES / "cli" / "good-en.csv", store=store, check=True)
    data = folder / "hostile.ttl"
    data.write_text(HOSTILE_TTL, encoding="utf-8")
    run_cli("load", data, "--graph", HOSTILE_GRAPH, store=store, check=True)
    with running_server(store) as address:
        yield address


def test_hostile_label_is_escaped(hostile: str) -> None:
    for lang in ("en", "fr"):
        page = get(hostile, f"/id/territory/example/xx-hostile?lang={lang}", "text/html")
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page.text
        assert 'href="javascript:' not in page.text  # only http(s) IRIs become links
    turtle = graph_of(get(hostile, "/id/territory/example/xx-hostile", "text/turtle"), "turtle")
    assert (HOSTILE, RDFS.label, Literal("<script>alert('pwned')</script>", lang="en")) in turtle


def test_personal_data_never_served(hostile: str) -> None:
    territory = "/id/territory/es-example-town"
    contact = territory + "/contact"
    for path in (territory, contact):
        for accept in ("text/html", "text/turtle", "application/ld+json"):
            response = get(hostile, path, accept)
            assert response.status_code == 200, path
            assert "rights@example.org" not in response.text
    assert "Example Town" in get(hostile, territory, "text/html").text

    graph = get(hostile, "/graph/territory/es-example-town", "text/turtle")
    g = graph_of(graph, "turtle")
    submission = g.value(
        URIRef(BASE + "graph/territory/es-example-town"),
        URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"),
    )
    assert submission is not None
    described = get(hostile, str(submission)[len(BASE) - 1 :], "text/turtle")
    assert described.status_code == 200
    assert "submittedBy" not in described.text and "rightsgraph-cli" not in described.text

    dump = gzip.decompress(get(hostile, "/dump").content)
    assert b"rights@example.org" not in dump and b"rightsgraph-cli" not in dump
    quads = list(ox.parse(dump, format=ox.RdfFormat.N_QUADS))
    assert not [q for q in quads if q.predicate.value in (SUBMITTED_BY, EMAIL)]
    assert ox.NamedNode(str(HOSTILE)) in {q.subject for q in quads}  # public data is all there
    # The submission's graph and provenance are published (without the submitter).
    graphs = {q.graph_name for q in quads}
    assert ox.NamedNode(BASE + "graph/territory/es-example-town") in graphs


def test_is_public_rule() -> None:
    contact = ox.NamedNode(BASE + "id/territory/x/contact")
    email = ox.Triple(contact, ox.NamedNode(EMAIL), ox.Literal("a@example.org"))
    name = ox.Triple(contact, ox.NamedNode("https://schema.org/name"), ox.Literal("Office"))
    assert not is_public(email) and is_public(name)
    system = ox.Quad(contact, name.predicate, name.object, ox.NamedNode(BASE + "graph/system"))
    seed = ox.Quad(contact, name.predicate, name.object, ox.NamedNode(BASE + "graph/seed"))
    assert not is_public(system) and is_public(seed)
    other = "https://data.example.org/rg/"
    assert other + "ontology#submittedBy" in private_predicates(other)
    by = ox.Triple(contact, ox.NamedNode(other + "ontology#submittedBy"), ox.Literal("someone"))
    assert not is_public(by, base=other)
