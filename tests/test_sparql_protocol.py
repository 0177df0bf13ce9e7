"""The SPARQL 1.1 Protocol endpoint beyond the W3C suite: content negotiation (q-values,
wildcards, 406), every result format, datasets, every class of malformed request, update
authorisation, capped answers, and the pure helpers (negotiation, USING, result writers)."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
from test_w3c_protocol import ADMIN_TOKEN, MAX_ROWS

from conftest import Served
from rightsgraph.iri import DEFAULT_BASE
from rightsgraph.service import results
from rightsgraph.service.negotiation import negotiate
from rightsgraph.store.base import (
    DatasetConflictError,
    SelectResult,
    apply_using,
    has_relative_iri,
    query_form,
)

RGG = f"{DEFAULT_BASE}graph/"
SELECT = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5"
CONSTRUCT = "CONSTRUCT WHERE { ?s a <https://w3id.org/rightsgraph/ontology#Territory> } LIMIT 5"
ASK = "ASK { ?s ?p ?o }"
AUTH = {"authorization": f"Bearer {ADMIN_TOKEN}"}
PROBLEM = "application/problem+json"
SR = "{http://www.w3.org/2005/sparql-results#}"


def get(url: str, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"accept": accept} if accept is not None else {}
    return httpx.get(
        url + "/sparql", params={"query": query, **params}, headers=headers, timeout=60
    )


def media(r: httpx.Response) -> str:
    return r.headers.get("content-type", "").split(";")[0]


# -- negotiation (pure) --------------------------------------------------------------------------
OFFERS = list(results.RESULTS_MEDIA)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv, application/sparql-results+xml;q=0.4", "text/csv"),
        ("text/*", "text/csv"),
        ("text/*, text/csv;q=0", "text/tab-separated-values"),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        ("TEXT/CSV", "text/csv"),
        ("application/json", "application/json"),
        ("text/html, */*;q=0.8", "application/sparql-results+json"),
        ("image/png", None),
        ("text/csv;q=0", None),
        ("text/csv;q=bad", None),
        ("*/*;q=0", None),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, OFFERS) == expected


def test_negotiate_prefers_what_the_client_named_over_a_wildcard() -> None:
    rdf = list(results.RDF_MEDIA)
    assert negotiate("application/ld+json, */*", rdf) == "application/ld+json"
    assert negotiate("application/n-quads;q=0.9, */*;q=0.9", rdf) == "application/n-quads"
    assert negotiate(None, rdf) == "text/turtle"


# -- USING, query forms, relative IRIs (pure) ---------------------------------------------------
def test_apply_using_writes_the_dataset_into_every_where() -> None:
    update = (
        "PREFIX ex: <http://ex/> INSERT { ?s a ex:T } WHERE { ?s a ex:U . FILTER(?x != 'WHERE') } ;"
        " DELETE WHERE { ?s ex:p 'USING' } ; INSERT DATA { ex:a ex:b ex:c }"
    )
    out = apply_using(update, ["http://g1"], ["http://n1"])
    assert out.count("USING <http://g1> USING NAMED <http://n1> WHERE") == 2
    assert "DELETE { ?s ex:p 'USING' } USING" in out
    ox.Store().update(out)  # it parses
    assert apply_using(update) == update


@pytest.mark.parametrize(
    "update",
    [
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }",
        "insert { ?s ?p ?o } using named <http://g> where { ?s ?p ?o }",
    ],
)
def test_using_parameters_conflict_with_using_or_with_in_the_text(update: str) -> None:
    with pytest.raises(DatasetConflictError):
        apply_using(update, ["http://x"])
    with pytest.raises(DatasetConflictError):
        apply_using(update, None, ["http://x"])


def test_query_form_and_relative_iris() -> None:
    assert query_form("PREFIX a: <http://a/> # SELECT\nBASE <http://b/> ask {}") == "ASK"
    assert query_form("construct where { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("CLEAR ALL") is None
    assert has_relative_iri("CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert not has_relative_iri("SELECT * { <http://a> ?p '<s>' FILTER(?p < 3) }")


# -- result writers (pure) -------------------------------------------------------------------------
def sample() -> SelectResult:
    rows = [
        (ox.NamedNode("http://a"), ox.Literal('x\ty\n"z"', language="en"), None),
        (
            ox.BlankNode("b0"),
            ox.Literal("1", datatype=ox.NamedNode(str(ox.Literal(1).datatype.value))),
            ox.Literal("a,b"),
        ),
    ]
    return SelectResult(variables=["s", "o", "c"], rows=iter(rows))


def test_xml_results() -> None:
    root = ET.fromstring("".join(results.iter_xml(sample())))
    assert [v.get("name") for v in root.iter(f"{SR}variable")] == ["s", "o", "c"]
    first, second = root.iter(f"{SR}result")
    assert first.find(f"{SR}binding/{SR}uri").text == "http://a"  # type: ignore[union-attr]
    literal = first.find(f"{SR}binding[@name='o']/{SR}literal")
    assert literal is not None and literal.text == 'x\ty\n"z"'
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert len(first.findall(f"{SR}binding")) == 2  # unbound ?c is left out
    assert second.find(f"{SR}binding/{SR}bnode").text == "b0"  # type: ignore[union-attr]
    assert ET.fromstring(results.boolean_xml(True)).find(f"{SR}boolean").text == "true"  # type: ignore[union-attr]


def test_delimited_results() -> None:
    rows = list(csv.reader(io.StringIO("".join(results.iter_delimited(sample())))))
    assert rows[0] == ["s", "o", "c"] and rows[1][1] == 'x\ty\n"z"' and rows[2][2] == "a,b"
    tsv = "".join(results.iter_delimited(sample(), tsv=True)).splitlines()
    assert tsv[0] == "?s\t?o\t?c" and len(tsv) == 3
    assert tsv[1].split("\t")[1] == '"x\\ty\\n\\"z\\""@en'
    assert results.boolean_delimited(False) == "_askResult\r\nfalse\r\n"


# -- content negotiation over HTTP ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
    ],
)
def test_select_formats(service: Served, accept: str | None, expected: str) -> None:
    r = get(service.url, SELECT, accept)
    assert r.status_code == 200 and media(r) == expected
    assert "accept" in r.headers["vary"].lower()
    if expected.endswith("json"):
        assert len(r.json()["results"]["bindings"]) == 5
    elif expected.endswith("xml"):
        assert len(list(ET.fromstring(r.content).iter(f"{SR}result"))) == 5
    else:
        delimiter = "," if expected == "text/csv" else "\t"
        assert len(list(csv.reader(io.StringIO(r.text), delimiter=delimiter))) == 6


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask_formats(service: Served, accept: str) -> None:
    r = get(service.url, ASK, accept)
    assert r.status_code == 200 and media(r) == accept
    value = r.json()["boolean"] if "json" in accept else ET.fromstring(r.content)[1].text
    assert value in (True, "true")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.4", "application/rdf+xml"),
    ],
)
def test_graph_formats(service: Served, accept: str | None, expected: str) -> None:
    r = get(service.url, CONSTRUCT, accept)
    assert r.status_code == 200 and media(r) == expected
    fmt = ox.RdfFormat.from_media_type(expected)
    assert fmt is not None
    assert len(list(ox.parse(r.content, fmt))) == 5


def test_describe_is_turtle_by_default(service: Served) -> None:
    r = get(service.url, f"DESCRIBE <{DEFAULT_BASE}id/campaign/10-100-1000>")
    assert r.status_code == 200 and media(r) == "text/turtle"
    assert len(list(ox.parse(r.content, ox.RdfFormat.TURTLE))) > 0


@pytest.mark.parametrize(
    ("query", "accept"),
    [(SELECT, "text/turtle"), (ASK, "image/png"), (CONSTRUCT, "application/sparql-results+json")],
)
def test_406_only_when_nothing_is_acceptable(service: Served, query: str, accept: str) -> None:
    r = get(service.url, query, accept)
    assert r.status_code == 406
    assert media(r) == PROBLEM and r.json()["status"] == 406


def test_post_form_and_direct(service: Served) -> None:
    url = service.url
    form = httpx.post(url + "/sparql", data={"query": SELECT}, timeout=30)
    direct = httpx.post(
        url + "/sparql",
        content=SELECT.encode(),
        headers={"content-type": "application/sparql-query; charset=utf-8"},
        timeout=30,
    )
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json() == get(url, SELECT).json()


def test_answers_stream(service: Served) -> None:
    r = get(service.url, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "text/csv")
    assert r.status_code == 200
    assert r.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in r.headers
    assert len(r.text.splitlines()) > 1000


# -- datasets --------------------------------------------------------------------------------------
def count(url: str, query: str, **params: str) -> int:
    r = get(url, query, **params)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_protocol_dataset(service: Served) -> None:
    url = service.url
    everything = count(url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    seed = count(url, "SELECT (COUNT(*) AS ?n) { GRAPH <" + RGG + "seed> { ?s ?p ?o } }")
    assert (
        count(url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **{"default-graph-uri": RGG + "seed"})
        == seed
    )
    assert seed < everything
    graphs = count(
        url,
        "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
        **{"named-graph-uri": RGG + "seed"},
    )
    assert graphs == 1
    # a protocol dataset overrides FROM
    assert (
        count(
            url,
            f"SELECT (COUNT(*) AS ?n) FROM <{RGG}vocab> {{ ?s ?p ?o }}",
            **{"default-graph-uri": RGG + "seed"},
        )
        == seed
    )


def test_relative_iris_resolve_against_the_endpoint(service: Served) -> None:
    r = get(service.url, "SELECT ?x { BIND(<thing> AS ?x) }")
    assert r.json()["results"]["bindings"][0]["x"]["value"] == service.url + "/thing"


# -- malformed requests ----------------------------------------------------------------------------
def post(url: str, body: bytes, content_type: str | None, **kwargs: object) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return httpx.post(url + "/sparql", content=body, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def _url(u: str, query: str) -> httpx.Response:
    return httpx.get(u + "/sparql?" + query)


BAD = {
    "syntax": (lambda u: get(u, "SELECT * WHERE {"), 400),
    "syntax_post": (lambda u: post(u, b"ASK {", DIRECT), 400),
    "wrong_media_type": (lambda u: post(u, b"ASK {}", "text/plain"), 415),
    "missing_media_type": (lambda u: post(u, b"query=ASK%20%7B%7D", None), 415),
    "non_utf8_direct": (lambda u: post(u, "ASK {}".encode("utf-16"), DIRECT), 400),
    "non_utf8_charset": (lambda u: post(u, b"ASK {}", DIRECT + "; charset=UTF-16"), 400),
    "non_utf8_form": (lambda u: post(u, b"query=ASK%20%7B%FF%7D", FORM), 400),
    "non_utf8_url": (lambda u: _url(u, "query=ASK%20%7B%FF%7D"), 400),
    "two_queries_get": (lambda u: _url(u, "query=ASK%7B%7D&query=ASK%7B%7D"), 400),
    "two_queries_form": (lambda u: post(u, b"query=ASK%7B%7D&query=ASK%7B%7D", FORM), 400),
    "query_in_url_and_body": (
        lambda u: httpx.post(
            u + "/sparql?query=ASK%7B%7D", content=b"ASK {}", headers={"content-type": DIRECT}
        ),
        400,
    ),
    "update_by_get": (lambda u: _url(u, "update=CLEAR%20ALL"), 400),
    "query_and_update": (lambda u: post(u, b"query=ASK%7B%7D&update=CLEAR%20ALL", FORM), 400),
    "nothing_posted": (lambda u: post(u, b"", FORM), 400),
    "bad_graph_iri": (lambda u: get(u, ASK, **{"default-graph-uri": "not an iri"}), 400),
    "using_on_a_query": (lambda u: get(u, ASK, **{"using-graph-uri": "http://g"}), 400),
    "bad_timeout": (lambda u: get(u, ASK, timeout="soon"), 400),
    "update_as_query": (lambda u: get(u, "CLEAR ALL"), 400),
    "method": (lambda u: httpx.put(u + "/sparql", params={"query": ASK}), 405),
}


@pytest.mark.parametrize("case", list(BAD))
def test_malformed_requests(service: Served, case: str) -> None:
    send, status = BAD[case]
    r = send(service.url)
    assert r.status_code == status, r.text
    assert media(r) == PROBLEM
    body = r.json()
    assert body["status"] == status and body["detail"]
    if status == 405:
        assert "POST" in r.headers["allow"]


def test_messages_follow_accept_language(service: Served) -> None:
    r = httpx.get(
        service.url + "/sparql", params={"update": "CLEAR ALL"}, headers={"accept-language": "fr"}
    )
    assert r.status_code == 400 and "POST" in r.json()["detail"]
    assert "mises à jour" in r.json()["detail"]


# -- updates ---------------------------------------------------------------------------------------
def test_the_public_endpoint_is_read_only(service: Served) -> None:
    url = service.url
    before = httpx.get(url + "/health").json()["revision"]
    for r in (
        post(url, b"CLEAR ALL", "application/sparql-update"),
        post(url, b"update=CLEAR%20ALL", "application/x-www-form-urlencoded"),
        httpx.post(
            url + "/sparql",
            content=b"CLEAR ALL",
            headers={"content-type": "application/sparql-update", **AUTH},
        ),  # this server has no admin token at all
    ):
        assert r.status_code == 401 and media(r) == PROBLEM
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(url + "/health").json()["revision"] == before
    assert get(url, ASK).json()["boolean"] is True


def update(url: str, text: str, **params: str) -> httpx.Response:
    return httpx.post(
        url + "/sparql",
        params=params,
        content=text.encode(),
        headers={"content-type": "application/sparql-update", **AUTH},
        timeout=30,
    )


def test_updates_with_the_token(admin_service: Served) -> None:
    url = admin_service.url
    before = httpx.get(url + "/health").json()["revision"]
    wrong = httpx.post(
        url + "/sparql",
        content=b"CLEAR ALL",
        headers={"content-type": "application/sparql-update", "authorization": "Bearer nope"},
    )
    assert wrong.status_code == 401
    r = update(url, "INSERT DATA { GRAPH <http://example.org/u> { <http://a> <http://p> 1 } }")
    assert r.status_code == 204
    assert httpx.get(url + "/health").json()["revision"] == before + 1
    form = httpx.post(
        url + "/sparql",
        data={"update": "INSERT DATA { GRAPH <http://example.org/u> { <http://a> <http://p> 2 } }"},
        headers=AUTH,
    )
    assert form.status_code == 204
    assert count(url, "SELECT (COUNT(*) AS ?n) { GRAPH <http://example.org/u> { ?s ?p ?o } }") == 2
    # USING through the protocol: only graph u is the WHERE's default graph
    r = update(
        url,
        "INSERT { GRAPH <http://example.org/copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
        **{"using-graph-uri": "http://example.org/u"},
    )
    assert r.status_code == 204
    assert (
        count(url, "SELECT (COUNT(*) AS ?n) { GRAPH <http://example.org/copy> { ?s ?p ?o } }") == 2
    )
    conflict = update(
        url,
        "WITH <http://example.org/u> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        **{"using-named-graph-uri": "http://example.org/u"},
    )
    assert conflict.status_code == 400 and media(conflict) == PROBLEM
    syntax = update(url, "CLEAR XYZ")
    assert syntax.status_code == 400 and media(syntax) == PROBLEM
    missing = update(url, "DROP GRAPH <http://example.org/never-was>")
    assert missing.status_code == 400 and media(missing) == PROBLEM
    assert (
        update(
            url, "DROP GRAPH <http://example.org/u> ; DROP GRAPH <http://example.org/copy>"
        ).status_code
        == 204
    )


def test_capped_answers_say_so(admin_service: Served) -> None:
    values = " ".join(str(i) for i in range(100))
    query = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"
    r = get(admin_service.url, query)
    assert r.status_code == 200
    assert r.headers["rightsgraph-result-capped"] == "true"
    assert len(r.json()["results"]["bindings"]) == MAX_ROWS
    small = get(admin_service.url, "SELECT ?a WHERE { VALUES ?a { 1 2 } }")
    assert "rightsgraph-result-capped" not in small.headers


def test_the_server_stays_up(service: Served) -> None:
    for send, _ in BAD.values():
        send(service.url)
    r = httpx.get(service.url + "/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert get(service.url, ASK).json() == {"head": {}, "boolean": True}
    assert json.loads(get(service.url, SELECT).text)["head"]["vars"] == ["s", "label"]


def test_health_says_where_reads_come_from(service: Served) -> None:
    """The embedded service answers from its in-memory copy once built (``building`` until
    then); a service in front of Virtuoso says ``remote``."""
    deadline = time.monotonic() + 60
    while True:
        reads = httpx.get(service.url + "/health", timeout=10).json()["reads"]
        if reads != "building" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert reads == ("remote" if service.backend == "virtuoso" else "memory")
