"""Faults (issue 6, section 3): reads during writes, SIGKILL in the middle of writes, backup and
restore.

Everything runs for real: ``rightsgraph serve`` (in its own process group, so that a kill takes
the store worker with it), the ``rightsgraph`` command line, pyoxigraph stores on disk. A write is
"all or nothing" when, after the kill and a restart, the store opens, the interrupted graph holds
either its old content or its whole new content, the revision counter moved with it (by one, or
not at all) and everything committed before is still there.

While the service runs it holds the store, so a bulk load through it is a large Graph Store
``PUT`` with the admin token (one transaction); ``rightsgraph load --bulk`` is killed on its own.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef
from rdflib.compare import isomorphic

from conftest import (
    FIXTURES,
    RIGHTSGRAPH,
    _env,
    _wait_for_health,
    copy_store,
    free_port,
    run_cli,
)
from rightsgraph import iri
from rightsgraph.data.synthetic import generate
from rightsgraph.store.oxigraph import OxigraphStore

TOKEN = "fault-tests-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
#: Big Graph Store bodies are the point here: the default limit (5 MB) is raised.
SERVER_ENV = {"RIGHTSGRAPH_ADMIN_TOKEN": TOKEN, "RIGHTSGRAPH_MAX_BODY_BYTES": "200000000"}
SYSTEM = iri.graph("system")
VERSION = "https://schema.org/version"
TOWN = "es-example-town"
TOWN_GRAPH = iri.territory_graph(TOWN)
GOOD = FIXTURES / "cli" / "good-en.csv"  # Example Town, es-example-town
OTHER = FIXTURES / "submissions" / "good-en.csv"  # Maple Testville, another territory
#: Longest a read may take while a write runs (they take well under a second on their own).
READ_BOUND = 5.0


# -- helpers ---------------------------------------------------------------------------------
def _kill_group(proc: subprocess.Popen[bytes], *, politely: bool = False) -> None:
    """SIGKILL the server's process group (the server and its store worker) at once, or
    ``politely``: SIGTERM to the server alone, which closes its worker, then SIGKILL for whatever
    is left. Returns once no process of the group runs."""
    if politely:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _group_alive(proc.pid):  # dying processes still hold the store's lock for a moment
        assert time.monotonic() < deadline, f"process group {proc.pid} did not exit"
        time.sleep(0.01)


def _group_alive(pgid: int) -> bool:
    """Whether a thread of a process of group ``pgid`` is still running: a killed process keeps
    its files (and the store's lock) until its last thread is gone, even when its main thread
    already shows as a zombie."""
    for stat in Path("/proc").glob("[0-9]*/task/[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                return True
    return False


@contextlib.contextmanager
def serving(store: Path, env: Mapping[str, str] = SERVER_ENV) -> Iterator[Server]:
    """``rightsgraph serve`` on ``store`` in a new process group; stopped on exit whatever
    happened (SIGTERM, then SIGKILL to the group)."""
    log_path = store.parent / "server.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("a", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [*RIGHTSGRAPH, "--store", str(store), "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(env),
            cwd=Path(__file__).parent,
            start_new_session=True,
        )
        try:
            _wait_for_health(proc, url, log_path, 60)
            yield Server(url, proc)
        finally:
            _kill_group(proc, politely=True)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]

    def sparql(self, query: str, client: httpx.Client | None = None) -> httpx.Response:
        get = client.get if client is not None else httpx.get
        return get(
            self.url + "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )

    def count_and_revision(self, graph: str, client: httpx.Client | None = None) -> tuple[int, int]:
        """The size of ``graph`` and the revision counter, read in one query (one snapshot)."""
        response = self.sparql(_count_and_revision(graph), client)
        assert response.status_code == 200, response.text
        row = response.json()["results"]["bindings"][0]
        return int(row["n"]["value"]), int(row["v"]["value"]) if "v" in row else 0

    def triples(self, graph: str) -> set[tuple[str, str, str]]:
        response = httpx.get(
            self.url + "/graph-store",
            params={"graph": graph},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
        if response.status_code == 404:
            return set()
        assert response.status_code == 200, response.text
        return _triple_set(response.content)

    def submit(self, data: bytes, timeout: float = 120) -> httpx.Response:
        return httpx.post(
            self.url + "/api/submissions",
            content=data,
            headers={**ADMIN, "Content-Type": "text/csv"},
            timeout=timeout,
        )

    def put(self, graph: str, body: bytes, timeout: float = 120) -> httpx.Response:
        return httpx.put(
            self.url + "/graph-store",
            params={"graph": graph},
            content=body,
            headers={**ADMIN, "Content-Type": "application/n-triples"},
            timeout=timeout,
        )


_COUNT_AND_REVISION = (
    "SELECT ?n ?v WHERE {{ {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} }}"
    " OPTIONAL {{ GRAPH <{system}> {{ <{system}> <{version}> ?v }} }} }}"
)


def _count_and_revision(graph: str) -> str:
    return _COUNT_AND_REVISION.format(graph=graph, system=SYSTEM, version=VERSION)


def _triple_set(ntriples: bytes) -> set[tuple[str, str, str]]:
    return {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    }


def synthetic_ntriples(territories: int, seed: int) -> tuple[bytes, int]:
    """A synthetic campaign graph (benchmarks/generate.py's generator) as one N-Triples
    document, and its number of distinct triples."""
    quads = ox.parse("".join(generate(territories, seed=seed)), format=ox.RdfFormat.N_QUADS)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", len(triples)


def resubmission() -> bytes:
    """Example Town again, with another contact e-mail and a third initiative (example data)."""
    text = GOOD.read_text(encoding="utf-8").replace("rights@example.org", "office@example.org")
    row = (
        "Example Town,ES,ES-CT,120000,2024-03-01,office@example.org,"
        "Participatory budget (example),Example initiative: residents decide part of the budget.,"
        "participatory-democracy,youth,,2021-02-01,,en\n"
    )
    return (text.rstrip("\n") + "\n" + row).encode("utf-8")


@dataclass
class Read:
    kind: str
    started: float
    ended: float
    status: int
    value: tuple[int, int] | None = None


def read_continuously(server: Server, graph: str, stop: threading.Event, out: list[Read]) -> None:
    """Alternate a SPARQL snapshot (graph size and revision) and a named question until
    ``stop``; record every answer."""
    with httpx.Client(timeout=60) as client:
        while not stop.is_set():
            started = time.monotonic()
            response = server.sparql(_count_and_revision(graph), client)
            value = None
            if response.status_code == 200:
                row = response.json()["results"]["bindings"][0]
                value = (int(row["n"]["value"]), int(row["v"]["value"]) if "v" in row else 0)
            out.append(Read("sparql", started, time.monotonic(), response.status_code, value))
            started = time.monotonic()
            response = client.get(server.url + "/api/queries/territories", params={"lang": "en"})
            out.append(Read("question", started, time.monotonic(), response.status_code))


def reads_during(
    server: Server, graph: str, write: Callable[[], httpx.Response]
) -> tuple[httpx.Response, float, float, list[Read]]:
    """Run ``write`` while three clients read continuously; returns the write's answer, its start
    and end, and every read."""
    stop = threading.Event()
    reads: list[Read] = []
    readers = [
        threading.Thread(target=read_continuously, args=(server, graph, stop, reads))
        for _ in range(3)
    ]
    for reader in readers:
        reader.start()
    try:
        time.sleep(0.3)  # the readers are under way before the write starts
        started = time.monotonic()
        response = write()
        ended = time.monotonic()
        time.sleep(0.3)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=120)
    return response, started, ended, reads


def check_reads(
    reads: list[Read],
    started: float,
    ended: float,
    before: tuple[int, int],
    after: tuple[int, int],
) -> None:
    """Every read answered (200, or 429 from the concurrency limit) within ``READ_BOUND``; reads
    overlapped the write; each snapshot is the state before the write or after it."""
    assert reads
    bad = [r for r in reads if r.status not in (200, 429)]
    assert not bad, f"reads failed during the write: {bad[:5]}"
    slowest = max(r.ended - r.started for r in reads)
    assert slowest < READ_BOUND, f"a read took {slowest:.1f} s during the write"
    during = [r for r in reads if r.started < ended and r.ended > started and r.status == 200]
    assert len(during) >= 3, f"only {len(during)} reads overlapped the write"
    seen = {r.value for r in reads if r.value is not None}
    assert seen <= {before, after}, f"a read saw a half-done write: {seen - {before, after}}"


# -- reads during writes ---------------------------------------------------------------------
def test_reads_are_answered_during_a_graph_store_load_and_a_submission(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = copy_store(initialised_store, tmp_path_factory, "faults-reads")
    body, size = synthetic_ntriples(150, seed=11)
    graph = iri.graph("gsp/faults-load")
    other = iri.territory_graph("ca-maple-testville")
    with serving(store) as server:
        before = server.count_and_revision(graph)
        assert before[0] == 0
        response, started, ended, reads = reads_during(
            server, graph, lambda: server.put(graph, body)
        )
        assert response.status_code == 201, response.text
        after = server.count_and_revision(graph)
        assert after == (size, before[1] + 1)
        check_reads(reads, started, ended, before, after)

        before = server.count_and_revision(other)
        response, started, ended, reads = reads_during(
            server, other, lambda: server.submit(OTHER.read_bytes())
        )
        assert response.status_code == 201, response.text
        after = server.count_and_revision(other)
        assert after[0] > 0 and after[1] == before[1] + 1
        check_reads(reads, started, ended, before, after)


# -- SIGKILL in the middle of writes ------------------------------------------------------------
Graphs = dict[str, set[tuple[str, str, str]]]


def graphs_of(store: Path) -> tuple[Graphs, int]:
    """Open the store (as a restart does: an interrupted write is settled here) and read every
    graph, live and history, through ``dump``; also the revision counter."""
    opened = OxigraphStore(store)
    try:
        out = io.BytesIO()
        opened.dump(out)
        revision = opened.revision()
    finally:
        opened.close()
    graphs: Graphs = {}
    for q in ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS):
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        graphs.setdefault(name, set()).add((str(q.subject), str(q.predicate), str(q.object)))
    graphs.pop(SYSTEM, None)  # the counter, compared on its own
    leftovers = [p.name for p in store.iterdir() if p.name.startswith(".load-")]
    assert not leftovers, f"an interrupted load was left behind: {leftovers}"
    assert iri.private_graph(".pending") not in graphs, "an interrupted submission was left pending"
    return graphs, revision


def same_except(a: Graphs, b: Graphs, touched: set[str]) -> None:
    """Nothing but the ``touched`` graphs changed between ``a`` and ``b``."""
    keys = (set(a) | set(b)) - touched
    changed = sorted(g for g in keys if a.get(g) != b.get(g))
    assert not changed, f"graphs committed earlier changed: {changed[:5]}"


def kill_during(store: Path, write: Callable[[Server], httpx.Response], delay: float) -> bool:
    """Start the service, start ``write``, SIGKILL the service's process group ``delay`` seconds
    later; returns whether the write was answered before the kill."""
    answered: list[httpx.Response] = []

    def run(server: Server) -> None:
        with contextlib.suppress(httpx.HTTPError):
            answered.append(write(server))

    with serving(store) as server:
        writer = threading.Thread(target=run, args=(server,))
        writer.start()
        time.sleep(delay)
        _kill_group(server.proc)
        writer.join(timeout=120)
    return bool(answered)


def test_sigkill_during_a_submission_and_a_graph_store_load(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = copy_store(initialised_store, tmp_path_factory, "faults-kill")
    body, size = synthetic_ntriples(150, seed=12)
    first_load, killed_load = iri.graph("gsp/faults-first"), iri.graph("gsp/faults-killed")
    private, revision_1 = iri.private_graph(TOWN), iri.revision_graph(TOWN, 1)
    provenance = iri.graph("provenance")
    # Committed before any kill: a submission and a Graph Store load, timed.
    with serving(store) as server:
        started = time.monotonic()
        assert server.submit(GOOD.read_bytes()).status_code == 201
        submit_time = time.monotonic() - started
        started = time.monotonic()
        assert server.put(first_load, body).status_code == 201
        put_time = time.monotonic() - started
    graphs, revision = graphs_of(store)
    town_a, private_a = graphs[TOWN_GRAPH], graphs[private]
    assert len(graphs[first_load]) == size and any("rights@example.org" in t[2] for t in private_a)

    # 1. The resubmission of the territory, killed at two moments (or until it lands).
    landed = False
    for fraction in (0.6, 0.95):
        kill_during(store, lambda s: s.submit(resubmission()), fraction * submit_time)
        after, now = graphs_of(store)
        same_except(graphs, after, {TOWN_GRAPH, private, revision_1, provenance})
        if after[TOWN_GRAPH] == town_a:  # none of it: no revision kept, the old personal data
            assert now == revision and revision_1 not in after and after[private] == private_a
            assert after[provenance] == graphs[provenance]
            continue
        # all of it: the new graph, the old one kept as revision 1, the new personal data
        assert now == revision + 1, "the revision counter did not move with the write"
        assert after[revision_1] == town_a and after[TOWN_GRAPH] > town_a
        assert any("office@example.org" in t[2] for t in after[private])
        assert not any("rights@example.org" in t[2] for t in after[private])
        graphs, revision, landed = after, now, True
        break

    # 2. A Graph Store load of a new graph, killed at two moments (or until it lands).
    for fraction in (0.5, 0.85):
        kill_during(store, lambda s: s.put(killed_load, body), fraction * put_time)
        after, now = graphs_of(store)
        same_except(graphs, after, {killed_load})
        got = len(after.get(killed_load, ()))
        assert got in (0, size), f"half-written graph: {got} of {size} triples"
        assert now == revision + (got == size), "the revision counter did not move with the write"
        if got:
            graphs, revision = after, now
            break

    # Started again: it serves, and finishes what the kills stopped.
    with serving(store) as server:
        if not landed:
            assert server.submit(resubmission()).status_code == 201
        assert server.put(killed_load, body).status_code in (201, 204)
        assert server.count_and_revision(killed_load)[0] == size
        assert server.count_and_revision(first_load)[0] == size
        assert server.triples(TOWN_GRAPH) > town_a
    final, _ = graphs_of(store)
    assert final[revision_1] == town_a


def test_a_killed_bulk_load_leaves_all_or_nothing(initialised_store: Path, tmp_path: Path) -> None:
    """``rightsgraph load --bulk`` killed in the middle leaves nothing of the file (pyoxigraph's
    bulk loader alone leaves the chunks it has written: 100,000 quads each); all of it once it
    runs to the end."""
    data = tmp_path / "bulk.nq"
    data.write_text("".join(generate(1200, seed=13)), encoding="utf-8")
    store, reference = tmp_path / "store", tmp_path / "reference"
    shutil.copytree(initialised_store, store)
    shutil.copytree(initialised_store, reference)
    before, revision = graphs_of(store)
    started = time.monotonic()
    run_cli("load", "--bulk", data, store=reference, check=True)
    load_time = time.monotonic() - started
    complete, complete_revision = graphs_of(reference)
    assert complete_revision == revision + 1
    same_except(before, complete, set(complete) - set(before))
    added = sum(len(t) for g, t in complete.items() if g not in before)
    assert added == len(set(data.read_text(encoding="utf-8").splitlines()))

    for fraction in (0.6, 0.85):  # the command starts in about a third of its time
        proc = subprocess.Popen(
            [*RIGHTSGRAPH, "--store", str(store), "load", "--bulk", str(data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(),
        )
        try:
            time.sleep(fraction * load_time)
        finally:
            proc.kill()
            proc.wait()
        after, now = graphs_of(store)
        if (after, now) == (complete, complete_revision):
            break
        assert (after, now) == (before, revision), "a killed bulk load left part of the file"


# Fault injection: the process kills itself (SIGKILL) at one exact point of a commit, to reach the
# windows a timed kill rarely hits. Everything else is the real store on disk.
_INJECT = r"""
import os, signal, sys
from pathlib import Path
import pyoxigraph as ox
from rightsgraph import iri
from rightsgraph.store import oxigraph as m
from rightsgraph.store.base import GraphReplacement

point, path, version = sys.argv[1:4]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "load-committed":
    m._swap_in = die
elif point.startswith("load-swap-"):
    renames, rename = [0], Path.rename
    def counting(self, target):
        result = rename(self, target)
        renames[0] += 1
        if renames[0] == int(point.rsplit("-", 1)[1]):
            die()
        return result
    Path.rename = counting
elif point == "submission-staged":
    stage = m.OxigraphStore._stage
    m.OxigraphStore._stage = lambda self, *a: (stage(self, *a), die())
elif point == "submission-committed":
    m.OxigraphStore._resolve_pending = lambda self, pending, committed: committed and die()

store = m.OxigraphStore(path)
if point.startswith("load"):
    store.load(f'<urn:x:s> <urn:x:p> "{version}" .'.encode(), format=ox.RdfFormat.N_TRIPLES)
else:
    live, key = iri.territory_graph("xx-town"), "xx-town"
    node = ox.NamedNode
    store.replace_graph(GraphReplacement(
        graph=live,
        quads=[ox.Quad(node("urn:x:t"), node("urn:x:p"), ox.Literal(version), node(live))],
        history_key=key,
        private=[ox.Quad(node("urn:x:c"), node("https://schema.org/email"),
                         ox.Literal(version + "@example.org"), node(iri.private_graph(key)))],
    ))
store.close()
"""


def _inject(point: str, store: Path, version: str) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", _INJECT, point, str(store), version],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    return proc.returncode


@pytest.mark.parametrize(
    ("point", "lands"),
    [
        ("load-committed", True),
        ("load-swap-1", True),
        ("load-swap-3", True),
        ("submission-staged", False),
        ("submission-committed", True),
    ],
)
def test_a_write_killed_at_its_commit_is_finished_or_dropped_at_open(
    tmp_path: Path, point: str, lands: bool
) -> None:
    store = tmp_path / "store"
    kind = point.split("-", 1)[0]
    assert _inject(f"{kind}-none", store, "one") == 0  # version one, committed whole
    before, revision = graphs_of(store)
    assert _inject(point, store, "two") == -signal.SIGKILL
    after, now = graphs_of(store)  # the open settles the interrupted write
    assert now == revision + lands, "the revision counter did not move with the write"
    if kind == "load":
        two = ("<urn:x:s>", "<urn:x:p>", '"two"')
        assert after == {**before, "": before[""] | ({two} if lands else set())}
        return
    live, private = iri.territory_graph("xx-town"), iri.private_graph("xx-town")
    revision_1 = iri.revision_graph("xx-town", 1)
    version = "two" if lands else "one"
    assert after[live] == {("<urn:x:t>", "<urn:x:p>", f'"{version}"')}
    assert after[private] == {
        ("<urn:x:c>", "<https://schema.org/email>", f'"{version}@example.org"')
    }
    assert after.get(revision_1) == (before[live] if lands else None)
    same_except(before, after, {live, private, revision_1, iri.graph("provenance")})


# -- backup and restore -------------------------------------------------------------------------
def _dataset(path: Path) -> Dataset:
    ds = Dataset()
    ds.parse(path, format="nquads")
    return ds


def test_dump_then_load_into_an_empty_store_is_isomorphic(
    initialised_store: Path, tmp_path: Path
) -> None:
    """``rightsgraph dump``, then ``rightsgraph load`` (and ``load --bulk``) into empty stores:
    the same dataset, graph by graph up to blank node names, revisions and personal data
    included; only the revision counter moved on (by the restore's own write)."""
    from rightsgraph.loaders.submission import process

    store = tmp_path / "store"
    shutil.copytree(initialised_store, store)
    opened = OxigraphStore(store)
    try:
        for name, data in (("good-en.csv", GOOD.read_bytes()), ("again.csv", resubmission())):
            assert process(data, filename=name, store=opened).committed
    finally:
        opened.close()
    backup = tmp_path / "backup.nq"
    run_cli("dump", "-o", backup, store=store, check=True)
    original = _dataset(backup)
    names = {str(g.identifier) for g in original.graphs()}
    assert {iri.revision_graph(TOWN, 1), iri.private_graph(TOWN), TOWN_GRAPH} <= names

    for how in ((), ("--bulk",)):
        restored_store = tmp_path / f"restored{''.join(how)}"
        run_cli("load", *how, backup, store=restored_store, check=True)
        again = tmp_path / f"again{''.join(how)}.nq"
        run_cli("dump", "-o", again, store=restored_store, check=True)
        restored = _dataset(again)
        assert {str(g.identifier) for g in restored.graphs()} == names
        for name in sorted(names - {SYSTEM}):
            a, b = original.graph(URIRef(name)), restored.graph(URIRef(name))
            assert isomorphic(a, b), f"{name} differs after the restore ({how})"
        old, new = (
            d.graph(URIRef(SYSTEM)).value(URIRef(SYSTEM), URIRef(VERSION))
            for d in (original, restored)
        )
        assert int(str(new)) == int(str(old)) + 1  # the restore is a write of its own
