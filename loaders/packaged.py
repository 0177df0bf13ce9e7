"""Loading the packaged ontology, vocabularies, seed data and example data into a store.

Each packaged graph is replaced as a whole, atomically, so ``init`` can be run again after an
upgrade without touching submitted territories' graphs.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from rightsgraph import iri
from rightsgraph.packaged import packaged_graphs
from rightsgraph.personal import split_personal
from rightsgraph.resources import iter_files, read_text
from rightsgraph.store.base import GraphReplacement, Store

EXAMPLE_FILE = "example.trig"


def packaged_quads(*, example: bool = True) -> dict[str, list[ox.Quad]]:
    """The quads of every packaged graph, by graph IRI, rebased to the configured base IRI."""
    out: dict[str, list[ox.Quad]] = {}
    for graph_iri, package, name in packaged_graphs():
        target = ox.NamedNode(graph_iri)
        text = iri.rebase(read_text(package, name))
        out.setdefault(graph_iri, []).extend(
            ox.Quad(q.subject, q.predicate, q.object, target)
            for q in ox.parse(text, format=ox.RdfFormat.TURTLE)
        )
    if example and any(n == EXAMPLE_FILE for n, _ in iter_files("data", "", ".trig")):
        text = iri.rebase(read_text("data", EXAMPLE_FILE))
        for q in ox.parse(text, format=ox.RdfFormat.TRIG):
            if isinstance(q.graph_name, ox.NamedNode):
                out.setdefault(q.graph_name.value, []).append(q)
    return out


def init_store(
    store: Store, *, example: bool = True, report: Callable[[str, int], None] | None = None
) -> int:
    """Load (or refresh) every packaged graph; returns the number of quads written."""
    total = 0
    for graph_iri, quads in packaged_quads(example=example).items():
        public, personal = split_personal(quads)
        # Even fictional e-mails stay out of the public graphs: one rule for all data.
        private = ox.NamedNode(iri.graph("private/" + graph_iri.rsplit("/graph/", 1)[-1]))
        store.replace_graph(
            GraphReplacement(
                graph=graph_iri,
                quads=public,
                private=[ox.Quad(q.subject, q.predicate, q.object, private) for q in personal],
            )
        )
        total += len(quads)
        if report:
            report(graph_iri, len(quads))
    return total
