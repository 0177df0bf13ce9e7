"""The store protocol: the one small API every backend implements.

The embedded pyoxigraph store (``store/oxigraph.py``) is the default; a remote SPARQL 1.1 endpoint
(Virtuoso) fits behind the same protocol. Results are expressed with pyoxigraph's term classes,
which are small, immutable and cheap to build from SPARQL JSON too, so callers never care which
backend answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, Protocol, runtime_checkable

import pyoxigraph as ox

from rightsgraph.errors import InputError, StoreError

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
    #: True when the engine stopped at its cap: the answer is incomplete and must say so.
    capped: bool = False


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
    no history (e.g. a packaged graph reloaded by ``init``). ``private`` holds personal data
    (contact e-mails and names) in ``rgg:private/...`` graphs, which replace those graphs (and
    ``rgg:private/{history_key}``) beside the history, out of every query and public dump.
    """

    graph: str
    quads: list[ox.Quad]
    provenance: list[ox.Quad] = field(default_factory=list)
    history_key: str | None = None
    private: list[ox.Quad] | None = None


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

    def update(
        self,
        sparql: str,
        *,
        using_graph: Sequence[str] | None = None,
        using_named_graphs: Sequence[str] | None = None,
    ) -> None:
        """Run a SPARQL 1.1 update in one transaction; bumps the revision counter.

        ``using_graph``/``using_named_graphs`` are the SPARQL 1.1 Protocol's
        ``using-graph-uri``/``using-named-graph-uri``: the dataset of every ``WHERE`` (see
        :func:`apply_using`). Raises ``DatasetConflictError`` when the update names its own
        (``USING``/``WITH``), ``UpdateEvaluationError`` when it parses but cannot be applied.
        """
        ...

    def has_graph(self, graph: str) -> bool:
        """Whether a named graph exists (even empty); ``DEFAULT_GRAPH`` always exists."""
        ...

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """The triples of one graph (``DEFAULT_GRAPH``: the store's own default graph), streamed.
        Consume the iterator in the thread that asked for it (pyoxigraph iterators are bound to
        their thread)."""
        ...

    def write_graph(self, graph: str, triples: Iterable[ox.Triple], *, replace: bool) -> bool:
        """Replace (``replace=True``, Graph Store PUT) or extend (POST) one graph in one
        transaction that also bumps the revision counter; returns True if the graph was created.
        """
        ...

    def delete_graph(self, graph: str) -> bool:
        """Drop one graph (``DEFAULT_GRAPH``: empty it) atomically, bumping the revision counter;
        returns False (and writes nothing) when it does not exist."""
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
        """Load RDF, all or nothing; returns the number of quads read. ``bulk`` uses the
        backend's fastest loader (the embedded store loads into a staged copy and swaps it in,
        so a load killed half-way leaves the store as it was; see ``store/oxigraph.py``)."""
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


def parse_quads(
    source: Path | bytes, *, format: ox.RdfFormat, graph: str | None
) -> Iterator[ox.Quad]:
    """Quads of a file or bytes, streamed, default-graph quads put into ``graph`` when given:
    what every backend's ``load`` reads. Raises ``InputError`` naming the file (and the line, in
    ``error.line``) for a syntax error, or for a file that cannot be read."""
    target = ox.NamedNode(graph) if graph else None
    name = source.name if isinstance(source, Path) else "the data"
    try:
        if isinstance(source, Path):
            parsed = ox.parse(path=str(source), format=format)
        else:
            parsed = ox.parse(source, format=format)
        for quad in parsed:
            if target is not None and isinstance(quad.graph_name, ox.DefaultGraph):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, target)
            else:
                yield quad
    except SyntaxError as exc:
        raise syntax_error(name, exc) from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None


def syntax_error(name: str, exc: SyntaxError) -> InputError:
    """The ``InputError`` for an RDF file pyoxigraph could not parse, with its line."""
    error = InputError(f"{name}: {exc}")
    error.line = getattr(exc, "lineno", None)  # already part of the message
    return error


def revisions_of(store: Store, key: str) -> list[Revision]:
    """The earlier submissions of one territory, oldest first, read from the provenance graph:
    one query every backend answers alike (the ``revisions`` of both stores)."""
    from rightsgraph import iri

    prefix = iri.graph(f"revision/{key}/")
    result = select(
        store,
        f"""SELECT ?g ?n ?sub ?t WHERE {{ GRAPH <{iri.graph("provenance")}> {{
              ?g <{iri.ontology("revisionNumber")}> ?n .
              OPTIONAL {{ ?g <http://www.w3.org/ns/prov#wasGeneratedBy> ?sub .
                         OPTIONAL {{ ?sub <http://www.w3.org/ns/prov#endedAtTime> ?t }} }}
              FILTER(STRSTARTS(STR(?g), "{prefix}")) }} }} ORDER BY ?n""",
    )
    return [
        Revision(
            number=int(row[1].value) if row[1] else 0,
            graph=row[0].value if row[0] else "",
            submission=row[2].value if row[2] else None,
            generated_at=row[3].value if row[3] else None,
        )
        for row in result.rows
    ]


def quads_in_graph(triples: Iterable[ox.Triple], graph: str) -> list[ox.Quad]:
    """Put triples into one named graph."""
    g = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]


class UpdateEvaluationError(StoreError):
    """An update parsed but could not be applied (``DROP GRAPH`` of a missing graph, a failed
    ``LOAD``): the client's mistake, so 400, yet still a ``StoreError`` for callers catching those.
    Nothing was written."""

    status = 400
    type = "update-evaluation"


class DatasetConflictError(InputError):
    """An update got ``using-graph-uri``/``using-named-graph-uri`` and names its own dataset
    with ``USING``/``WITH`` too: the SPARQL 1.1 Protocol makes that an error (400)."""

    status = 400
    type = "update-dataset-conflict"


# -- SPARQL text, read lexically -------------------------------------------------------------
# Just enough of the SPARQL grammar's lexical layer to find keywords at the top level of a query
# or update: strings, IRIs, comments and braces are recognised so that a keyword inside a string,
# an IRI or a group pattern is never mistaken for one at the top level. The text is never
# rebuilt from tokens: edits are splices at token offsets, so everything else stays as written.
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '(?:[^'\\\r\n]|\\.)*'
               | "(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<word>[^\W\d][\w-]*(?::[^\s{}()\[\];,"'<>]*)?|:[^\s{}()\[\];,"'<>]*)
    | (?P<brace>[{}])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: SPARQL functions whose value changes from one evaluation to the next: an answer or an update
#: that calls one can be neither cached nor replayed.
VOLATILE_FUNCTIONS = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})
_NOT_IN_IRI = set('<>"{}|^`\\ \t\r\n')


def _top_level(text: str) -> Iterator[tuple[str, str, int, int, int]]:
    """(kind, value, start, end, depth) of every significant token; ``depth`` counts the braces
    around it (an opening brace has the depth outside it, a closing one the depth after it)."""
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        value = m.group()
        if kind == "brace":
            if value == "{":
                yield kind, value, m.start(), m.end(), depth
                depth += 1
            else:
                depth = max(depth - 1, 0)
                yield kind, value, m.start(), m.end(), depth
            continue
        yield kind, value, m.start(), m.end(), depth


def _keyword(kind: str, value: str) -> str | None:
    return value.upper() if kind == "word" and ":" not in value else None


def query_form(sparql: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of a query, read from its
    first keyword after the prologue; ``None`` when the text does not start like a query."""
    for kind, value, _, _, _ in _top_level(sparql):
        word = _keyword(kind, value)
        if word in ("BASE", "PREFIX") or kind == "iri" or (kind == "word" and word is None):
            continue
        return word if word in QUERY_FORMS else None
    return None


def apply_using(
    sparql: str,
    using_graph: Sequence[str] | None = None,
    using_named_graphs: Sequence[str] | None = None,
) -> str:
    """An update with the SPARQL 1.1 Protocol's ``using-graph-uri``/``using-named-graph-uri``
    written in: a ``USING``/``USING NAMED`` clause before the ``WHERE`` of every
    ``DELETE``/``INSERT`` operation, which is exactly what the protocol says they mean (so with
    only ``using-named-graph-uri`` the default graph of the ``WHERE`` is empty, as with
    ``USING NAMED`` alone). ``DELETE WHERE { Q }``, whose grammar has no ``USING``, becomes the
    equivalent ``DELETE { Q } USING ... WHERE { Q }``. Without parameters the text is unchanged.

    Raises ``DatasetConflictError`` when parameters are given and the update has its own
    ``USING`` or ``WITH``; ``InputError`` for a graph name that is not an IRI.
    """
    graphs = list(using_graph or ())
    named = list(using_named_graphs or ())
    if not graphs and not named:
        return sparql
    for g in (*graphs, *named):
        if not g or _NOT_IN_IRI.intersection(g):
            raise InputError(f"not an IRI: {g!r}")
    clause = " ".join([f"USING <{g}>" for g in graphs] + [f"USING NAMED <{g}>" for g in named])
    edits: list[tuple[int, int, str]] = []
    previous: str | None = None
    delete_where: int | None = None
    block: int | None = None
    for kind, value, start, end, depth in _top_level(sparql):
        if kind == "brace":
            if value == "{" and depth == 0 and delete_where is not None and block is None:
                block = start
            elif value == "}" and depth == 0 and delete_where is not None and block is not None:
                pattern = sparql[block:end]
                edits.append((delete_where, end, f"{pattern} {clause} WHERE {pattern}"))
                delete_where = block = None
            if depth == 0:
                previous = value
            continue
        if depth > 0:
            continue
        word = _keyword(kind, value)
        if word in ("USING", "WITH"):
            raise DatasetConflictError(
                f"the update has its own {word} clause and the request gives "
                "using-graph-uri/using-named-graph-uri: use one or the other"
            )
        if word == "WHERE":
            if previous == "DELETE":
                delete_where = start
            else:
                edits.append((start, start, clause + " "))
        previous = word or kind
    for start, end, replacement in sorted(edits, reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def has_relative_iri(sparql: str) -> bool:
    """Whether a query or update writes a relative IRI (``<test>``), which only parses against
    a base IRI."""
    return any(
        kind == "iri" and not _SCHEME.match(value[1:])
        for kind, value, _, _, _ in _top_level(sparql)
    )
