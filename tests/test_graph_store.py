"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/graph-store``: the W3C suite (direct and indirect
identification) run against the real admin server, then reads on the example store, writes with
and without the token, statuses, formats and atomicity."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from test_w3c_protocol import (  # the session's admin server and the manifest interpreter
    ADMIN_TOKEN,
    W3C,
    admin,
    entries,
    load_manifest,
    media_type,
    requests_of,
    require,
    send,
    status_matches,
)

from conftest import Served
from rightsgraph.iri import DEFAULT_BASE
from rightsgraph.store.base import Store

GSP = W3C / "sparql11-graph-store-protocol"
AUTH = {"authorization": f"Bearer {ADMIN_TOKEN}"}
RGG = f"{DEFAULT_BASE}graph/"
TTL = {"content-type": "text/turtle; charset=utf-8"}
PERSON = b"""@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/alice> a foaf:Person ; foaf:name "Alice" ."""

FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def parse(response: httpx.Response) -> Graph:
    return Graph().parse(data=response.content, format=FORMATS[media_type(response)])


def same_content_type(expected: str, got: str) -> bool:
    def norm(value: str) -> tuple[str, ...]:
        return tuple(sorted(p.strip().lower().replace('"', "") for p in value.split(";")))

    return norm(expected) == norm(got)


# -- the W3C suite ---------------------------------------------------------------------------
def run_gsp_test(client: httpx.Client, url: str, manifest: Graph, test: object) -> None:
    admin(url, "DROP ALL")  # every test starts from an empty store
    variables: dict[str, str] = {}
    for request in requests_of(manifest, test):  # type: ignore[arg-type]
        response = send(client, url, "/gsp", "/graph-store", request, variables)
        assert any(status_matches(s, response.status_code) for s in request.expected_status), (
            f"{request.method} {request.path}: status {response.status_code}: {response.text[:300]}"
        )
        if request.expected_location:
            location = response.headers.get("location")
            assert location, f"{request.method} {request.path}: no Location header"
            variables[request.expected_location] = location
        for name, value in request.expected_headers.items():
            got = response.headers.get(name, "")
            assert same_content_type(value, got), f"{name}: {got!r}, expected {value!r}"
        if request.expected_body is not None:
            expected = Graph().parse(data=request.expected_body, format="turtle")
            got_graph = parse(response)
            assert isomorphic(expected, got_graph), (
                f"GET {request.path}: the graph differs:\n{response.text}"
            )


def test_w3c_graph_store_protocol_suite(admin_service: Served) -> None:
    """Direct and indirect identification, POST graph creation: every test passes."""
    require(GSP / "manifest.ttl")
    manifest = load_manifest(GSP / "manifest.ttl")
    tests = entries(manifest)
    assert len(tests) == 13
    failures: dict[str, str] = {}
    with httpx.Client(timeout=30) as client:
        for test in tests:
            try:
                run_gsp_test(client, admin_service.url, manifest, test)
            except AssertionError as exc:
                failures[test.fragment] = str(exc)
    passed = len(tests) - len(failures)
    print(f"\nW3C SPARQL 1.1 Graph Store Protocol: {passed}/{len(tests)} passed")
    for name, reason in failures.items():
        print(f"  FAIL {name}: {reason}")
    assert not failures, failures


# -- reads on the example store ----------------------------------------------------------------
def count(url: str, graph: str) -> int:
    r = httpx.get(
        url + "/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        timeout=30,
    )
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_direct_and_indirect_reads_name_the_same_graph(service: Served) -> None:
    url = service.url
    direct = httpx.get(url + "/graph-store/seed", timeout=30)
    indirect = httpx.get(url + "/graph-store", params={"graph": RGG + "seed"}, timeout=30)
    assert direct.status_code == indirect.status_code == 200
    assert media_type(direct) == "text/turtle"  # the default
    assert direct.headers["content-type"] == "text/turtle; charset=utf-8"
    g = parse(direct)
    assert len(g) == count(url, RGG + "seed") > 100
    assert isomorphic(g, parse(indirect))


@pytest.mark.parametrize("media", list(FORMATS))
def test_get_negotiates_every_rdf_syntax(service: Served, media: str) -> None:
    url = service.url
    r = httpx.get(url + "/graph-store/ontology", headers={"accept": media}, timeout=30)
    assert r.status_code == 200 and media_type(r) == media
    if media in ("application/trig", "application/n-quads"):
        from rdflib import Dataset

        assert len(Dataset().parse(data=r.content, format=FORMATS[media])) > 0
    else:
        assert len(parse(r)) == count(url, RGG + "ontology")


def test_read_errors(service: Served) -> None:
    url = service.url
    missing = httpx.get(url + "/graph-store", params={"graph": "http://example.org/none"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert httpx.head(url + "/graph-store/no-such-graph").status_code == 404
    head = httpx.head(url + "/graph-store/vocab", headers={"accept": "text/turtle"})
    assert head.status_code == 200 and media_type(head) == "text/turtle"
    assert head.content == b""
    not_acceptable = httpx.get(url + "/graph-store/vocab", headers={"accept": "text/csv"})
    assert not_acceptable.status_code == 406
    for params in ({}, {"graph": "not an iri"}, {"graph": RGG + "seed", "default": ""}):
        r = httpx.get(url + "/graph-store", params=params)
        assert r.status_code == 400, params
        assert r.headers["content-type"] == "application/problem+json"


def test_writes_need_the_admin_token(service: Served, admin_service: Served) -> None:
    url = service.url
    for base, headers in ((url, {}), (admin_service.url, {"authorization": "Bearer wrong"})):
        for method in ("PUT", "POST", "DELETE"):
            r = httpx.request(
                method,
                base + "/graph-store",
                params={"graph": "http://example.org/g"},
                content=PERSON,
                headers={**TTL, **headers},
            )
            assert r.status_code == 401, (method, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["www-authenticate"].startswith("Bearer")
    # nothing was written
    r = httpx.get(admin_service.url + "/graph-store", params={"graph": "http://example.org/g"})
    assert r.status_code == 404


# -- writes on the admin server ------------------------------------------------------------------
def revision(url: str) -> int:
    return int(httpx.get(url + "/health", timeout=10).json()["revision"])


def test_put_post_delete_statuses_and_revisions(admin_service: Served) -> None:
    url = admin_service.url
    graph = {"graph": "http://example.org/people"}
    before = revision(url)
    r = httpx.put(url + "/graph-store", params=graph, content=PERSON, headers={**TTL, **AUTH})
    assert r.status_code == 201
    assert revision(url) == before + 1
    r = httpx.put(url + "/graph-store", params=graph, content=PERSON, headers={**TTL, **AUTH})
    assert r.status_code == 204
    more = b'<http://example.org/bob> <http://xmlns.com/foaf/0.1/name> "Bob" .'
    r = httpx.post(
        url + "/graph-store",
        params=graph,
        content=more,
        headers={"content-type": "application/n-triples", **AUTH},
    )
    assert r.status_code == 204
    assert len(parse(httpx.get(url + "/graph-store", params=graph))) == 3
    # PUT replaces
    r = httpx.put(url + "/graph-store", params=graph, content=more, headers={**TTL, **AUTH})
    assert r.status_code == 204
    assert len(parse(httpx.get(url + "/graph-store", params=graph))) == 1
    assert revision(url) == before + 4
    assert httpx.delete(url + "/graph-store", params=graph, headers=AUTH).status_code == 204
    assert httpx.delete(url + "/graph-store", params=graph, headers=AUTH).status_code == 404
    assert httpx.get(url + "/graph-store", params=graph).status_code == 404
    assert revision(url) == before + 5


def test_empty_put_creates_an_empty_graph(admin_service: Served) -> None:
    params = {"graph": "http://example.org/empty"}
    r = httpx.put(
        admin_service.url + "/graph-store", params=params, content=b"", headers={**TTL, **AUTH}
    )
    assert r.status_code == 201
    got = httpx.get(admin_service.url + "/graph-store", params=params)
    assert got.status_code == 200 and len(parse(got)) == 0
    httpx.delete(admin_service.url + "/graph-store", params=params, headers=AUTH)


def test_bad_bodies_write_nothing(admin_service: Served) -> None:
    url = admin_service.url
    graph = {"graph": "http://example.org/bad"}
    before = revision(url)
    r = httpx.put(url + "/graph-store", params=graph, content=b"<a> <b> .", headers={**TTL, **AUTH})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    r = httpx.put(
        url + "/graph-store",
        params=graph,
        content=b"a,b\n1,2\n",
        headers={"content-type": "text/csv", **AUTH},
    )
    assert r.status_code == 415
    r = httpx.put(url + "/graph-store", params=graph, content=PERSON, headers=AUTH)
    assert r.status_code == 415  # no Content-Type
    assert revision(url) == before
    assert httpx.get(url + "/graph-store", params=graph).status_code == 404


def test_bookkeeping_and_history_are_protected(admin_service: Served) -> None:
    for name in ("system", "revision/xx-town/1"):
        r = httpx.put(
            admin_service.url + "/graph-store/" + name, content=PERSON, headers={**TTL, **AUTH}
        )
        assert r.status_code == 403, name


def test_direct_paths_are_graphs_under_the_base(admin_service: Served) -> None:
    url = admin_service.url
    r = httpx.put(url + "/graph-store/tests/direct", content=PERSON, headers={**TTL, **AUTH})
    assert r.status_code == 201
    indirect = httpx.get(url + "/graph-store", params={"graph": RGG + "tests/direct"})
    assert indirect.status_code == 200 and len(parse(indirect)) == 2
    assert httpx.delete(url + "/graph-store/tests/direct", headers=AUTH).status_code == 204


def test_post_to_the_store_creates_a_graph(admin_service: Served) -> None:
    r = httpx.post(admin_service.url + "/graph-store", content=PERSON, headers={**TTL, **AUTH})
    assert r.status_code == 201
    location = r.headers["location"]
    assert location.startswith(RGG + "gsp/")
    got = httpx.get(admin_service.url + "/graph-store", params={"graph": location})
    assert got.status_code == 200 and len(parse(got)) == 2


def test_multipart_post_merges_every_part(admin_service: Served) -> None:
    params = {"graph": "http://example.org/multi"}
    files = [
        ("a", ("a.ttl", PERSON, "text/turtle")),
        ("b", ("b.nt", b"<http://example.org/c> <http://example.org/p> _:x .\n", "")),
    ]
    r = httpx.post(admin_service.url + "/graph-store", params=params, files=files, headers=AUTH)
    assert r.status_code == 201, r.text
    assert len(parse(httpx.get(admin_service.url + "/graph-store", params=params))) == 3
    httpx.delete(admin_service.url + "/graph-store", params=params, headers=AUTH)


def test_default_graph_is_the_stores_own(admin_service: Served) -> None:
    url = admin_service.url
    r = httpx.put(url + "/graph-store?default", content=PERSON, headers={**TTL, **AUTH})
    assert r.status_code in (201, 204)
    got = httpx.get(url + "/graph-store?default")
    assert got.status_code == 200 and len(parse(got)) == 2
    assert httpx.delete(url + "/graph-store?default", headers=AUTH).status_code == 204
    assert len(parse(httpx.get(url + "/graph-store?default"))) == 0


# -- the store's graph helpers, on both backends (a fresh empty store each) ---------------------
def test_store_graph_helpers(backend_store: Store) -> None:
    import pyoxigraph as ox

    from rightsgraph.store.base import DEFAULT_GRAPH

    store = backend_store
    triple = ox.Triple(
        ox.BlankNode(), ox.NamedNode("http://p"), ox.Literal('a "b"\n', language="fr")
    )
    assert store.write_graph("http://g", [triple], replace=True) is True
    assert store.write_graph("http://g", [triple], replace=False) is False
    assert len(list(store.graph_triples("http://g"))) == 2  # a POSTed blank node is a new one
    assert store.write_graph("http://g", [triple], replace=True) is False
    assert len(list(store.graph_triples("http://g"))) == 1
    assert store.revision() == 3
    assert store.write_graph("http://empty", [], replace=True) and store.has_graph("http://empty")
    assert store.delete_graph("http://empty") and not store.has_graph("http://empty")
    assert store.delete_graph("http://empty") is False
    assert store.revision() == 5  # a delete of nothing writes nothing
    assert store.write_graph(DEFAULT_GRAPH, [triple], replace=True) is False  # always exists
    assert len(list(store.graph_triples(DEFAULT_GRAPH))) == 1
    # the revision never goes back, even when an update drops the counter with everything else
    store.update("DROP ALL")
    assert store.revision() == 7


def test_store_update_with_a_protocol_dataset(backend_store: Store) -> None:
    from rightsgraph.store.base import DatasetConflictError

    store = backend_store
    store.update(
        "INSERT DATA { GRAPH <http://g1> { <http://a> <http://p> 1 } "
        "GRAPH <http://g2> { <http://b> <http://p> 2 } }"
    )
    store.update(
        "INSERT { GRAPH <http://out> { ?s ?p ?o } } WHERE { ?s ?p ?o }", using_graph=["http://g1"]
    )
    store.update("DELETE WHERE { GRAPH ?g { ?s ?p 2 } }", using_named_graphs=["http://g2"])
    assert [t.subject.value for t in store.graph_triples("http://out")] == ["http://a"]
    assert list(store.graph_triples("http://g2")) == []
    with pytest.raises(DatasetConflictError):
        store.update(
            "WITH <http://g1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", using_graph=["http://g1"]
        )
