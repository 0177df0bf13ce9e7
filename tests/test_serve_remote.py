"""``rightsgraph serve --endpoint URL``: the same service, API and questions over a remote
SPARQL store (the session's Virtuoso), answering as the embedded store does."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from virtuoso import Virtuoso

from conftest import RIGHTSGRAPH, _env, _stop, _wait_for_health, free_port
from rightsgraph.store.remote import RemoteStore

pytestmark = pytest.mark.virtuoso

#: Named questions whose answers both backends must give alike over HTTP (portable ones).
QUESTIONS = ("territories", "counts_by_class", "pioneers", "campaign_progress")


@pytest.fixture
def remote_server(
    virtuoso: Virtuoso, packaged_virtuoso: RemoteStore, tmp_path: Path
) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = {
        "RIGHTSGRAPH_UPDATE_ENDPOINT": virtuoso.update,
        "RIGHTSGRAPH_ENDPOINT_USER": virtuoso.user,
        "RIGHTSGRAPH_ENDPOINT_PASSWORD": virtuoso.password,
    }
    command = [
        *RIGHTSGRAPH,
        "--store",
        str(tmp_path / "service"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--endpoint",
        virtuoso.sparql,
    ]
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=_env(env))
        try:
            _wait_for_health(proc, url, log, 60)
            yield url
        finally:
            _stop(proc)


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
