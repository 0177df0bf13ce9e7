"""``rightsgraph serve --endpoint URL``: the same service, API and questions over a remote
SPARQL store (the session's Virtuoso), answering as the embedded store does; and two guarantees
of the remote store the service relies on (a failed bulk load writes nothing; a query's deadline
reaches Virtuoso). The service-level suites run on both backends through ``conftest.service``."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from virtuoso import Virtuoso, clear_virtuoso

from conftest import Served
from rightsgraph.errors import InputError, QueryTimeoutError
from rightsgraph.store.remote import RemoteStore

pytestmark = pytest.mark.virtuoso

#: Named questions whose answers both backends must give alike over HTTP (portable ones).
QUESTIONS = ("territories", "counts_by_class", "pioneers", "campaign_progress")


@pytest.fixture
def remote_server(virtuoso_service: Served) -> str:
    """``rightsgraph serve --endpoint`` on the session's Virtuoso holding the initialised data
    (``conftest.virtuoso_service``, shared with the service-level suites)."""
    return virtuoso_service.url


def _rows(base: str, name: str) -> list[tuple[tuple[str, str], ...]]:
    answer = httpx.get(f"{base}/api/queries/{name}", params={"lang": "fr"}, timeout=60)
    assert answer.status_code == 200, answer.text
    bindings = answer.json()["results"]["bindings"]
    return sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in bindings)


def test_the_questions_answer_alike_on_both_backends(
    remote_server: str, server: tuple[str, Path]
) -> None:
    embedded, _ = server
    for name in QUESTIONS:
        assert _rows(remote_server, name) == _rows(embedded, name), name


def test_sparql_pages_and_reconciliation_are_served_from_the_remote_store(
    remote_server: str,
) -> None:
    query = (
        "SELECT (COUNT(DISTINCT ?t) AS ?n) "
        "WHERE { ?t a <https://w3id.org/rightsgraph/ontology#Territory> }"
    )
    answer = httpx.get(
        f"{remote_server}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == 80  # 10 seed + 70 example
    assert httpx.get(f"{remote_server}/", timeout=60).status_code == 200
    found = httpx.post(
        f"{remote_server}/api/reconcile",
        data={"queries": '{"q0": {"query": "Barcelone"}}'},
        timeout=60,
    )
    assert found.status_code == 200, found.text
    ids = [c["id"] for c in found.json()["q0"]["result"]]
    assert "https://w3id.org/rightsgraph/id/territory/es-barcelona" in ids


# -- the remote store's loader and deadlines (store level, on the session's Virtuoso) ------------
GOOD_GRAPH = "http://example.org/bulk/good"
BAD_GRAPH = "http://example.org/bulk/bad"


def _ntriples(n: int, name: str) -> str:
    return "".join(
        f'<http://example.org/{name}/{i}> <http://example.org/p> "{name} {i}" .\n' for i in range(n)
    )


@pytest.mark.parametrize("loader", ["bulk-loader", "graph-store"])
def test_a_bulk_load_that_fails_midway_writes_nothing(
    virtuoso: Virtuoso, tmp_path: Path, loader: str
) -> None:
    """``load(bulk=True)`` of a file with a syntax error near its end: none of it is visible,
    the data loaded before are intact and the revision has not moved (through Virtuoso's bulk
    loader over isql, and through Graph Store POSTs when no isql is configured)."""
    clear_virtuoso(virtuoso)
    options: dict[str, object] = {} if loader == "bulk-loader" else {"isql": None, "load_dir": None}
    store = virtuoso.store(**options)
    try:
        good = tmp_path / "good.nt"
        good.write_text(_ntriples(500, "good"), encoding="utf-8")
        assert store.load(good, format=ox.RdfFormat.N_TRIPLES, graph=GOOD_GRAPH, bulk=True) == 500
        before = store.revision()
        bad = tmp_path / "bad.nt"
        bad.write_text(
            _ntriples(3000, "bad") + "<http://example.org/broken> <http://example.org/p> .\n",
            encoding="utf-8",
        )
        with pytest.raises(InputError):
            store.load(bad, format=ox.RdfFormat.N_TRIPLES, graph=BAD_GRAPH, bulk=True)
        assert not store.has_graph(BAD_GRAPH)
        assert store.query("ASK { ?s ?p 'bad 0' }") is False
        assert len(list(store.graph_triples(GOOD_GRAPH))) == 500
        assert store.revision() == before
    finally:
        store.close()
        clear_virtuoso(virtuoso)


#: A query that runs for minutes on the packaged data (22,000 quads squared, compared as text).
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f "
    "FILTER(CONCAT(STR(?c), STR(?f)) != CONCAT(STR(?f), STR(?c))) }"
)


def test_a_slow_query_is_stopped_at_its_deadline(packaged_virtuoso: RemoteStore) -> None:
    """``query(timeout=)`` reaches Virtuoso (its ``timeout`` parameter): the query stops near
    its deadline with ``QueryTimeoutError``, and the server answers the next query at once."""
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        packaged_virtuoso.query(SLOW, timeout=1.0)
    assert time.monotonic() - started < 8
    started = time.monotonic()
    assert packaged_virtuoso.query("ASK { ?s a ?type }", timeout=5.0) is True
    assert time.monotonic() - started < 2
    with pytest.raises(InputError):
        packaged_virtuoso.query("ASK {}", timeout=0)
