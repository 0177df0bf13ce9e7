"""The store protocol: the one small API every backend implements.

The embedded pyoxigraph store (``store/oxigraph.py``) is the default; a remote SPARQL 1.1 endpoint
(Virtuoso) fits behind the same protocol. Results are expressed with pyoxigraph's term classes,
which are small, immutable and cheap to build from SPARQL JSON too, so callers never care which
backend answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, Protocol, runtime_checkable

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal

#: The name under which ``default_graph`` lists refer to the store's own (unnamed) default graph.
DEFAULT_GRAPH = "urn:x-rightsgraph:default-graph"
DumpFormat = Literal["nquads", "trig"]

#: File extensions and media types we read and write, mapped to pyoxigraph formats.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """The RDF format for a format name (``trig``) or a file name (``dump.nq``).

    Raises ``rightsgraph.errors.UnsupportedFormatError`` for anything else.
    """
    from rightsgraph.errors import UnsupportedFormatError

    text = str(name_or_path)
    key = text.rsplit(".", 1)[-1].lower() if "." in text else text.lower()
    try:
        return RDF_FORMATS[key]
    except KeyError:
        known = ", ".join(sorted({"nquads", "trig", "turtle", "ntriples", "rdfxml", "jsonld"}))
        raise UnsupportedFormatError(f"unknown RDF format {key!r}; use one of {known}") from None


@dataclass
class SelectResult:
    """Rows of a SELECT; ``rows`` is a one-shot iterator so big answers stream."""

    variables: list[str]
    rows: Iterator[tuple[Term | None, ...]]
    #: True when the engine stopped at its row cap: the answer is incomplete and must say so.
    capped: bool = False


@dataclass
class GraphResult:
    """Triples of a CONSTRUCT or DESCRIBE, streamed."""

    triples: Iterator[ox.Triple]


QueryResult = SelectResult | GraphResult | bool


@dataclass
class Revision:
    """One earlier submission of a territory, kept in the history with its provenance."""

    number: int
    graph: str
    generated_at: str | None = None
    submission: str | None = None


@dataclass
class GraphReplacement:
    """What one atomic write does: replace ``graph`` with ``quads`` (all of whose graph names
    are ``graph``), and add ``provenance`` quads (in any graph, usually ``rgg:provenance``).

    ``history_key`` names the territory whose previous graph is kept as a revision; ``None`` means
    no history (e.g. a packaged graph reloaded by ``init``).
    """

    graph: str
    quads: list[ox.Quad]
    provenance: list[ox.Quad] = field(default_factory=list)
    history_key: str | None = None


@runtime_checkable
class Store(Protocol):
    """What the service, the loaders and the reports need from a store.

    Every method raises ``rightsgraph.errors.QuerySyntaxError`` for a query or update that does not
    parse, ``rightsgraph.errors.StoreError`` when the backend cannot be read or written.
    """

    #: True when the backend answers ``substitutions`` natively (pyoxigraph); a remote backend
    #: binds them with a trailing ``VALUES`` block instead.
    native_substitutions: bool

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query.

        The default graph is the union of the live graphs unless ``default_graph`` lists the
        graphs to merge (``DEFAULT_GRAPH`` names the store's own default graph); ``named_graphs``
        restricts ``GRAPH`` patterns. Both override a ``FROM``/``FROM NAMED`` in the query, as
        the SPARQL 1.1 Protocol's ``default-graph-uri``/``named-graph-uri`` do.
        """
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update in one transaction; bumps the revision counter."""
        ...

    def load(
        self,
        source: Path | bytes,
        *,
        format: ox.RdfFormat,
        graph: str | None = None,
        bulk: bool = False,
        progress: bool = False,
    ) -> int:
        """Load RDF; returns the number of quads read. ``bulk`` trades atomicity for speed."""
        ...

    def replace_graph(self, change: GraphReplacement) -> int:
        """Replace one named graph atomically (all or nothing), keeping the previous content as a
        revision when ``change.history_key`` is set; returns the graph's new revision number."""
        ...

    def dump(
        self, output: BinaryIO, *, format: DumpFormat = "nquads", history: bool = True
    ) -> None:
        """Write every quad (and the revision history, as ``rgg:revision/...`` graphs)."""
        ...

    def revision(self) -> int:
        """A counter that grows with every write: the key of result caches and ETags."""
        ...

    def named_graphs(self) -> list[str]: ...

    def revisions(self, key: str) -> list[Revision]:
        """The earlier submissions of one territory, oldest first."""
        ...

    def is_empty(self) -> bool: ...

    def close(self) -> None: ...


def select(
    store: Store, sparql: str, *, substitutions: Mapping[str, Term] | None = None
) -> SelectResult:
    """Run a query that must be a SELECT. Raises ``QuerySyntaxError`` for any other form."""
    from rightsgraph.errors import QuerySyntaxError

    result = store.query(sparql, substitutions=substitutions)
    if not isinstance(result, SelectResult):
        raise QuerySyntaxError("a SELECT query was expected")
    return result


def quads_in_graph(triples: Iterable[ox.Triple], graph: str) -> list[ox.Quad]:
    """Put triples into one named graph."""
    g = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
