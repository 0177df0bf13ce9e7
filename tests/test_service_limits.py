"""The service's shared limits over a real server: deadlines that really stop a query, body
size, per-client concurrency, SERVICE allow-list, revision ETags, gzip, CORS, metrics, query log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import copy_store, running_server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/rightsgraph/ontology#Territory> }"


@pytest.fixture(scope="session")
def limited(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A server with small limits: 1 s deadline, 50 rows, 20 kB bodies, 2 requests per client;
    yields its URL and its log."""
    store = copy_store(initialised_store, tmp_path_factory, "limited")
    env = {
        "RIGHTSGRAPH_QUERY_TIMEOUT": "1",
        "RIGHTSGRAPH_MAX_ROWS": "50",
        "RIGHTSGRAPH_MAX_BODY_BYTES": "20000",
        "RIGHTSGRAPH_MAX_CONCURRENT_PER_CLIENT": "2",
    }
    with running_server(store, env=env, log_name="server.log") as url:
        yield url, store.parent / "server.log"


def query(url: str, text: str, **kw: object) -> httpx.Response:
    return httpx.get(url + "/sparql", params={"query": text}, timeout=30, **kw)  # type: ignore[arg-type]


def test_a_query_past_its_deadline_is_stopped_and_the_server_goes_on(
    limited: tuple[str, Path],
) -> None:
    url, _ = limited
    started = time.monotonic()
    r = query(url, SLOW)
    elapsed = time.monotonic() - started
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert "deadline" in r.json()["detail"]
    assert elapsed < 5  # stopped near the 1 s deadline, not run to the end
    assert query(url, FAST).status_code == 200
    metrics = httpx.get(url + "/metrics").text
    assert 'rightsgraph_queries_total{outcome="timeout"}' in metrics
    restarts = [
        ln for ln in metrics.splitlines() if ln.startswith("rightsgraph_store_worker_restarts")
    ]
    assert restarts and float(restarts[0].split()[-1]) >= 1


def test_body_over_the_limit_is_413(limited: tuple[str, Path]) -> None:
    url, _ = limited
    body = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 30_000
    r = httpx.post(
        url + "/sparql", content=body, headers={"content-type": "application/sparql-query"}
    )
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        for _ in range(30):
            yield b"#" + b"y" * 1000 + b"\n"

    r = httpx.post(
        url + "/sparql", content=chunks(), headers={"content-type": "application/sparql-query"}
    )
    assert r.status_code == 413


def test_one_client_over_its_concurrency_limit_gets_429(limited: tuple[str, Path]) -> None:
    url, _ = limited
    statuses: list[int] = []
    retry_after: list[str] = []

    def one() -> None:
        r = query(url, SLOW)
        statuses.append(r.status_code)
        if r.status_code == 429:
            retry_after.append(r.headers.get("retry-after", ""))

    threads = [threading.Thread(target=one) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 429 in statuses and set(statuses) <= {429, 503}
    assert all(v.isdigit() for v in retry_after)
    assert query(url, FAST).status_code == 200  # and the server is fine afterwards


@pytest.mark.parametrize(
    "target",
    [
        "<http://127.0.0.1:8000/sparql>",
        "<http://10.1.2.3/sparql>",
        "<https://example.org/sparql>",
        "?endpoint",
    ],
)
def test_service_outside_the_allow_list_is_refused(limited: tuple[str, Path], target: str) -> None:
    url, _ = limited
    r = query(url, f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}")
    assert r.status_code == 403
    assert r.json()["type"].endswith("/service-not-allowed")


def test_revision_etag_and_304(limited: tuple[str, Path]) -> None:
    url, _ = limited
    first = query(url, FAST)
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = query(url, FAST, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    other = query(url, FAST, headers={"if-none-match": etag, "accept": "text/csv"})
    assert other.status_code == 200  # another representation, another tag


def test_gzip_and_cors(limited: tuple[str, Path]) -> None:
    url, _ = limited
    r = httpx.get(
        url + "/sparql",
        params={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40"},
        headers={"accept-encoding": "gzip", "origin": "https://researcher.example"},
    )
    assert r.status_code == 200
    assert r.headers.get("content-encoding") == "gzip"
    assert r.headers.get("access-control-allow-origin") in ("*", "https://researcher.example")
    assert r.json()["head"]["vars"] == ["s", "p", "o"]  # httpx undid the gzip


def test_query_log_lines_are_json(limited: tuple[str, Path]) -> None:
    url, log = limited
    query(url, FAST)
    time.sleep(0.2)
    lines = [
        ln.removeprefix("querylog ")
        for ln in log.read_text(encoding="utf-8").splitlines()
        if ln.startswith("querylog ")
    ]
    entries = [json.loads(ln) for ln in lines]
    assert entries and set(entries[-1]) >= {"query", "ms", "rows", "status"}
    assert {e["status"] for e in entries} >= {"ok"}


@pytest.mark.parametrize(
    ("text", "accept"),
    [
        ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "text/csv"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples"),
    ],
)
def test_capped_answers_say_so(limited: tuple[str, Path], text: str, accept: str) -> None:
    url, _ = limited
    r = query(url, text, headers={"accept": accept})
    assert r.status_code == 200
    assert r.headers.get("rightsgraph-result-capped") == "true"
    lines = [ln for ln in r.text.splitlines() if ln.strip()]
    assert len(lines) <= 51  # the 50-row cap (+ the CSV header)
    small = query(url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", headers={"accept": "text/csv"})
    assert "rightsgraph-result-capped" not in small.headers
