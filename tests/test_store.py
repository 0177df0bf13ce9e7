"""The store contract on both backends (the embedded pyoxigraph store and Virtuoso, through the
``backend_store`` fixture of tests/virtuoso.py): atomic graph replacement, revisions, revision
counter, dump and restore, persistence across restarts; and the embedded store's lock."""

from __future__ import annotations

import io
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from virtuoso import Backend

from rightsgraph import iri
from rightsgraph.errors import InputError, QuerySyntaxError, StoreError, StoreLockedError
from rightsgraph.store import OxigraphStore
from rightsgraph.store.base import DumpFormat, GraphReplacement, SelectResult, Store, rdf_format

EX = "http://example.org/"


def quad(s: str, o: str, graph: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), ox.NamedNode(graph))


def values(store: Store, sparql: str) -> list[str]:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return sorted(row[0].value for row in result.rows if row[0] is not None)


def test_replace_graph_keeps_revisions_out_of_the_default_graph(backend_store: Store) -> None:
    store = backend_store
    live = iri.territory_graph("xx-town")
    for version in ("one", "two", "three"):
        store.replace_graph(
            GraphReplacement(graph=live, quads=[quad("t", version, live)], history_key="xx-town")
        )
    # Only the current version is visible to queries over the default graph.
    assert values(store, f"SELECT ?o WHERE {{ <{EX}t> <{EX}p> ?o }}") == ["three"]
    revisions = store.revisions("xx-town")
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].graph == iri.revision_graph("xx-town", 1)
    # The provenance chain links the live graph to its previous revision.
    assert values(
        store,
        f"SELECT ?r WHERE {{ <{live}> <http://www.w3.org/ns/prov#wasRevisionOf> ?r }}",
    ) == [iri.revision_graph("xx-town", 2)]


def test_revision_counter_grows_with_every_write(backend_store: Store) -> None:
    store = backend_store
    assert store.revision() == 0
    store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    assert store.revision() == 1
    store.load(b"<http://example.org/b> <http://example.org/p> 2 .", format=ox.RdfFormat.TURTLE)
    assert store.revision() == 2
    store.replace_graph(GraphReplacement(graph=EX + "g", quads=[quad("c", "x", EX + "g")]))
    assert store.revision() == 3


def test_failed_update_writes_nothing(backend_store: Store) -> None:
    store = backend_store
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}")
    before = store.revision()
    with pytest.raises(StoreError):
        # The last operation fails, so the first must not be applied either.
        store.update(f"DROP GRAPH <{EX}g> ; DROP GRAPH <{EX}missing>")
    assert values(store, f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}") == ["1"]
    assert store.revision() == before


def test_bad_query_and_bad_data_raise_project_errors(backend_store: Store) -> None:
    store = backend_store
    with pytest.raises(QuerySyntaxError):
        store.query("SELEC ?x WHERE {}")
    with pytest.raises(InputError) as info:
        store.load(b"<http://a> <http://b> .\n", format=ox.RdfFormat.N_TRIPLES)
    assert "line" in str(info.value) or info.value.line is not None
    assert store.is_empty()


def test_persistence_across_restarts(backend: Backend) -> None:
    store = backend.opened[0]
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 'kept' }} }}")
    again = backend.reopen(store)
    assert values(again, f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}") == ["kept"]
    assert again.revision() == 1


def test_second_writer_gets_a_clear_lock_error(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path)
    with pytest.raises(StoreLockedError) as info:
        OxigraphStore(tmp_path)
    assert "in use by another process" in str(info.value)
    store.close()


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_dump_and_restore_is_isomorphic(backend: Backend, fmt: str) -> None:
    store = backend.opened[0]
    live = iri.territory_graph("xx-town")
    store.load(
        b'<http://example.org/s> <http://example.org/p> "caf\xc3\xa9"@fr .',
        format=ox.RdfFormat.N_TRIPLES,
        graph=EX + "seed",
    )
    for version in ("one", "two"):
        store.replace_graph(
            GraphReplacement(graph=live, quads=[quad("t", version, live)], history_key="xx-town")
        )
    out = io.BytesIO()
    store.dump(out, format=cast("DumpFormat", fmt))
    restored = backend.fresh()  # on Virtuoso: the same server, emptied
    restored.load(out.getvalue(), format=rdf_format(fmt))
    again = io.BytesIO()
    restored.dump(again, format=cast("DumpFormat", fmt))
    a, b = Dataset(), Dataset()
    a.parse(data=out.getvalue(), format=fmt)
    b.parse(data=again.getvalue(), format=fmt)
    # The revision counter differs by the restore's own write; compare everything else.
    system = iri.graph("system")
    strip = lambda d: {q for q in d.quads() if str(q[3]) != system}  # noqa: E731
    assert strip(a) == strip(b)
    assert [r.number for r in restored.revisions("xx-town")] == [1]


def test_unknown_format_is_refused() -> None:
    from rightsgraph.errors import UnsupportedFormatError

    with pytest.raises(UnsupportedFormatError):
        rdf_format("data.xlsx")
