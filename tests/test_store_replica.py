"""The in-memory copy of the embedded store (``OxigraphStore(memory_reads=True)``, issue 6).

Every test writes through a store whose reads come from memory, then compares the whole copy
with what a fresh read-only open of the same folder finds on disk: after each kind of write the
two must hold exactly the same quads (blank nodes included), and the reads must answer from the
copy. Real stores in temporary folders, no mocks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph import iri
from rightsgraph.errors import InputError, StoreError
from rightsgraph.store.base import DEFAULT_GRAPH, GraphReplacement, SelectResult
from rightsgraph.store.isolated import IsolatedStore
from rightsgraph.store.oxigraph import OxigraphStore, is_deterministic

EX = "http://example.org/"
G = EX + "g"


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def quad(s: str, o: str, graph: str) -> ox.Quad:
    return ox.Quad(n(s), n("p"), ox.Literal(o), ox.NamedNode(graph))


def memory_quads(store: OxigraphStore) -> set[ox.Quad]:
    memory = store._memory
    assert memory is not None, "reads are not answered from memory"
    return set(memory)


def disk_quads(path: Path) -> set[ox.Quad]:
    """Every quad of the live database, read by a fresh read-only open (retried: RocksDB may be
    removing a compacted file of the open writer at that instant)."""
    for attempt in range(10):
        try:
            return set(ox.Store.read_only(str(path / "live")))
        except RuntimeError:
            if attempt == 9:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def assert_same(store: OxigraphStore) -> None:
    """The copy holds exactly the quads on disk (the revision counter's included)."""
    store.flush()
    assert memory_quads(store) == disk_quads(store.path)


def count(store: OxigraphStore, where: str = "?s ?p ?o") -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    assert isinstance(result, SelectResult)
    value = next(result.rows)[0]
    assert value is not None
    return int(value.value)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(tmp_path / "store", memory_reads=True)
    yield opened
    opened.close()


def test_updates_replayed_or_resynced(store: OxigraphStore) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1, 2, 3 }} }}")
    assert_same(store)
    assert count(store) == 3 + 1  # and the revision counter
    store.update(f"DELETE WHERE {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 2 }} }}")
    store.update(
        f"INSERT {{ GRAPH <{G}> {{ ?s <{EX}q> ?o }} }} WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"
    )
    assert_same(store)
    assert count(store, f"?s <{EX}q> ?o") == 2
    # Not deterministic: every run gives other values, so the copy is taken from disk.
    store.update(
        f"INSERT {{ GRAPH <{G}> {{ <{EX}a> <{EX}at> ?t ; <{EX}id> ?u ; <{EX}s> ?v }} }} "
        "WHERE { BIND(NOW() AS ?t) BIND(UUID() AS ?u) BIND(STRUUID() AS ?v) }"
    )
    assert_same(store)
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ _:x <{EX}p> [ <{EX}p> (1 2) ] }} }}")
    assert_same(store)
    assert store.revision() == 5


def test_graph_store_writes(store: OxigraphStore) -> None:
    triples = [
        ox.Triple(n("a"), n("p"), ox.Literal("one")),
        ox.Triple(ox.BlankNode(), n("p"), n("b")),
    ]
    assert store.write_graph(G, triples, replace=True) is True
    assert_same(store)
    store.write_graph(G, [ox.Triple(n("c"), n("p"), ox.Literal("two"))], replace=False)
    assert_same(store)
    assert count(store, f"GRAPH <{G}> {{ ?s ?p ?o }}") == 3
    store.write_graph(G, [ox.Triple(n("d"), n("p"), ox.Literal("three"))], replace=True)
    store.write_graph(DEFAULT_GRAPH, [ox.Triple(n("e"), n("p"), n("f"))], replace=True)
    store.write_graph(EX + "empty", [], replace=True)
    assert_same(store)
    assert store.has_graph(EX + "empty")
    assert store.delete_graph(G) is True
    assert store.delete_graph(DEFAULT_GRAPH) is True
    assert store.delete_graph(EX + "missing") is False
    assert_same(store)
    assert not store.has_graph(G)
    assert list(store.graph_triples(DEFAULT_GRAPH)) == []


def test_submissions_with_history_and_private_data(store: OxigraphStore) -> None:
    live, key = iri.territory_graph("xx-town"), "xx-town"
    for version in ("one", "two", "three"):
        store.replace_graph(
            GraphReplacement(
                graph=live,
                quads=[
                    quad("t", version, live),
                    ox.Quad(ox.BlankNode(), n("p"), n("t"), ox.NamedNode(live)),
                ],
                history_key=key,
                private=[quad("c", f"{version}@example.org", iri.private_graph(key))],
            )
        )
        assert_same(store)
    assert [r.number for r in store.revisions(key)] == [1, 2]
    # Personal data and revisions stay on disk, out of the copy.
    assert not any(
        iri.is_history_graph(q.graph_name.value)
        for q in memory_quads(store)
        if isinstance(q.graph_name, ox.NamedNode)
    )


@pytest.mark.parametrize("bulk", [False, True])
def test_loads(store: OxigraphStore, tmp_path: Path, bulk: bool) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1 }} }}")
    data = tmp_path / "data.nq"
    revision = iri.revision_graph("xx-town", 1)
    data.write_text(
        f'<{EX}s> <{EX}p> "x" .\n'
        f'<{EX}s> <{EX}p> "y" <{EX}h> .\n'
        f'_:b <{EX}p> "z" <{EX}h> .\n'
        f'<{EX}s> <{EX}p> "old" <{revision}> .\n',
        encoding="utf-8",
    )
    added = store.load(data, format=ox.RdfFormat.N_QUADS, graph=EX + "target", bulk=bulk)
    assert added == 4
    assert_same(store)
    assert store.has_graph(EX + "target") and store.has_graph(EX + "h")
    assert not store.has_graph(revision)  # moved to the history
    assert count(store, f'GRAPH <{EX}target> {{ ?s ?p "x" }}') == 1
    # The history got the revision graph.
    history = store._history
    assert len(list(history.quads_for_pattern(None, None, None, ox.NamedNode(revision)))) == 1


def test_a_failed_write_leaves_both_unchanged(store: OxigraphStore, tmp_path: Path) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1 }} }}")
    before = memory_quads(store)
    with pytest.raises(StoreError):
        store.update(f"DROP GRAPH <{G}> ; DROP GRAPH <{EX}missing>")
    bad = tmp_path / "bad.nq"
    bad.write_text(f"<{EX}a> <{EX}p> .\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        store.load(bad, format=ox.RdfFormat.N_QUADS, bulk=True)
    assert info.value.line == 1
    assert memory_quads(store) == before
    assert_same(store)


def test_reopen_builds_the_copy(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = OxigraphStore(path)
    first.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1 }} }}")
    first.write_graph(EX + "empty", [], replace=True)
    first.close()
    again = OxigraphStore(path, memory_reads=True)
    try:
        assert again.memory_ready()
        assert_same(again)
        assert again.has_graph(EX + "empty")
    finally:
        again.close()
    background = OxigraphStore(path, memory_reads=True, build_in_background=True)
    try:
        background.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}b> <{EX}p> 2 }} }}")  # waits
        assert background.wait_for_memory(30)
        assert_same(background)
        assert count(background, f"GRAPH <{G}> {{ ?s ?p ?o }}") == 2
    finally:
        background.close()


def test_the_service_worker_reads_from_memory(tmp_path: Path) -> None:
    store = IsolatedStore(tmp_path / "store")
    try:
        store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1 }} }}")
        assert store.memory_ready() is True
        result = store.query(f"SELECT ?o WHERE {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> ?o }} }}")
        assert isinstance(result, SelectResult)
        assert [row[0].value for row in result.rows if row[0] is not None] == ["1"]
        assert store.revision() == 1
    finally:
        store.close()
    plain = IsolatedStore(tmp_path / "store", memory_reads=False)
    try:
        assert plain.memory_ready() is False
        assert plain.revision() == 1
    finally:
        plain.close()


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ("INSERT DATA { <urn:a> <urn:b> 1 }", True),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p (?o) } WHERE { ?s ?p ?o }", False),
        ("INSERT { ?s <urn:p> ?o } WHERE { ?s ?p ?o FILTER(STRLEN(?o) > 1) }", True),
        ("INSERT { ?s <urn:p> ?t } WHERE { ?s ?p ?o BIND(now() AS ?t) }", False),
        ("INSERT { ?s <urn:p> [] } WHERE { ?s ?p ?o }", False),
        ('INSERT DATA { <urn:a> <urn:b> "NOW() _:x [ (" }', True),
        ("INSERT { ?s <urn:p> ?o } WHERE { SELECT ?s ?o { ?s ?p ?o } LIMIT 1 }", False),
        ("LOAD <http://example.org/data.ttl>", False),
    ],
)
def test_determinism_is_read_conservatively(update: str, expected: bool) -> None:
    assert is_deterministic(update) is expected


def test_the_copy_is_rebuilt_after_many_writes(store: OxigraphStore) -> None:
    """What writes removed stays in pyoxigraph's in-memory store: past a volume of writes the
    copy is built afresh (the threshold is lowered here to reach it)."""
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1 }} }}")
    first = store._memory
    store._rebuild_after = 2
    store.write_graph(
        G, [ox.Triple(n("a"), n("p"), ox.Literal(str(i))) for i in range(5)], replace=True
    )
    assert store._memory is not first
    assert_same(store)
    assert count(store, f"GRAPH <{G}> {{ ?s ?p ?o }}") == 5
