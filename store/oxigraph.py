"""The embedded backend: pyoxigraph on disk.

Layout of a store folder::

    DIR/live/      the dataset that queries see (default graph = union of its graphs)
    DIR/history/   earlier submissions of each territory, as graphs rgg:revision/{key}/{n}

Keeping revisions in a second database keeps the live union default graph exact and fast
(pyoxigraph's union default graph is one index scan; a list of thousands of live graphs is not),
while ``dump`` and ``load`` still treat the two as one dataset.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from rightsgraph import iri
from rightsgraph.errors import (
    QueryEvaluationError,
    QuerySyntaxError,
    StoreError,
    StoreLockedError,
)
from rightsgraph.store.base import (
    DEFAULT_GRAPH,
    DumpFormat,
    GraphReplacement,
    GraphResult,
    QueryResult,
    Revision,
    SelectResult,
    Term,
    UpdateEvaluationError,
    apply_using,
    select,
)

log = logging.getLogger(__name__)

_VERSION = "https://schema.org/version"
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_CHUNK = 100_000
_DUMP_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def _open(path: Path, *, read_only: bool) -> ox.Store:
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreLockedError(
                f"the store {path.parent} is in use by another process "
                "(is `rightsgraph serve` running on it?); stop it or send the change through it"
            ) from None
        raise StoreError(f"cannot open the store {path}: {exc}") from None


class OxigraphStore:
    """The store protocol over an on-disk pyoxigraph database.

    Raises ``StoreLockedError`` when another process holds the database and ``StoreError`` when it
    cannot be opened.
    """

    native_substitutions = True

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._live: ox.Store = _open(self.path / "live", read_only=read_only)
        self._history: ox.Store = _open(self.path / "history", read_only=read_only)
        self._system = ox.NamedNode(iri.graph("system"))
        self._provenance = iri.graph("provenance")

    # -- reading ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        subs = {ox.Variable(k.lstrip("?$")): v for k, v in (substitutions or {}).items()}
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = (
            None if default_graph is None else [_graph_term(g) for g in default_graph]
        )
        named: list[ox.NamedNode | ox.BlankNode] | None = (
            None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs]
        )
        try:
            result = self._live.query(
                sparql,
                substitutions=subs or None,
                use_default_graph_as_union=default is None,
                default_graph=default,
                named_graphs=named,
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the query does not parse: {exc}") from None
        except RuntimeError as exc:
            raise QueryEvaluationError(f"the query failed: {exc}") from None
        except OSError as exc:
            raise StoreError(f"the store could not answer: {exc}") from None
        return _convert(result)

    def revision(self) -> int:
        for quad in self._live.quads_for_pattern(
            self._system, ox.NamedNode(_VERSION), None, self._system
        ):
            return _int(quad.object)
        return 0

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._live.named_graphs() if isinstance(g, ox.NamedNode))

    def is_empty(self) -> bool:
        return next(iter(self._live.quads_for_pattern(None, None, None, None)), None) is None

    def revisions(self, key: str) -> list[Revision]:
        prefix = iri.graph(f"revision/{key}/")
        result = select(
            self,
            f"""SELECT ?g ?n ?sub ?t WHERE {{ GRAPH <{self._provenance}> {{
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

    # -- writing ---------------------------------------------------------------------------
    def _bump(self) -> str:
        """The update operation that adds one to the revision counter, inside the transaction.

        When the write itself removed the counter (an admin's ``DROP ALL``), it counts on from
        the revision read before the write, so the revision never goes back (ETags and caches
        are keyed on it)."""
        s = f"<{self._system.value}>"
        before = self.revision()
        return (
            f"DELETE {{ GRAPH {s} {{ {s} <{_VERSION}> ?v }} }} "
            f"INSERT {{ GRAPH {s} {{ {s} <{_VERSION}> ?n }} }} "
            f"WHERE {{ OPTIONAL {{ GRAPH {s} {{ {s} <{_VERSION}> ?v }} }} "
            f"BIND(COALESCE(?v, {before}) + 1 AS ?n) }}"
        )

    def update(
        self,
        sparql: str,
        *,
        using_graph: Sequence[str] | None = None,
        using_named_graphs: Sequence[str] | None = None,
    ) -> None:
        self._writable()
        body = apply_using(sparql, using_graph, using_named_graphs).rstrip().rstrip(";")
        self._apply(f"{body}\n;\n{self._bump()}", what="the update")

    def _apply(self, update: str, *, what: str) -> None:
        """Run one update transaction (with its revision bump); map pyoxigraph's errors."""
        try:
            self._live.update(update)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"{what} does not parse: {exc}") from None
        except RuntimeError as exc:
            raise UpdateEvaluationError(f"{what} failed and nothing was written: {exc}") from None
        except OSError as exc:
            raise StoreError(f"{what} failed and nothing was written: {exc}") from None

    # -- one graph at a time (Graph Store Protocol) ----------------------------------------------
    def has_graph(self, graph: str) -> bool:
        if graph == DEFAULT_GRAPH:
            return True
        return bool(self._live.contains_named_graph(ox.NamedNode(graph)))

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        for q in self._live.quads_for_pattern(None, None, None, _graph_term(graph)):
            yield ox.Triple(q.subject, q.predicate, q.object)

    def write_graph(self, graph: str, triples: Iterable[ox.Triple], *, replace: bool) -> bool:
        self._writable()
        target = _graph_term(graph)
        existed = self.has_graph(graph)
        operations = []
        if isinstance(target, ox.DefaultGraph):
            if replace:
                operations.append("DROP SILENT DEFAULT")
        else:
            if replace:
                operations.append(f"DROP SILENT GRAPH {target}")
            operations.append(f"CREATE SILENT GRAPH {target}")
        quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
        if quads:
            operations.append("INSERT DATA {\n" + _quads_block(quads) + "\n}")
        operations.append(self._bump())
        self._apply(" ;\n".join(operations), what=f"the write of {graph}")
        return not existed

    def delete_graph(self, graph: str) -> bool:
        self._writable()
        if not self.has_graph(graph):
            return False
        target = _graph_term(graph)
        drop = (
            "DROP SILENT DEFAULT"
            if isinstance(target, ox.DefaultGraph)
            else f"DROP SILENT GRAPH {target}"
        )
        self._apply(f"{drop} ;\n{self._bump()}", what=f"the deletion of {graph}")
        return True

    def load(
        self,
        source: Path | bytes,
        *,
        format: ox.RdfFormat,
        graph: str | None = None,
        bulk: bool = False,
        progress: bool = False,
    ) -> int:
        """Load RDF; quads in ``rgg:revision/...`` graphs go to the history (a restored dump).

        Without ``bulk`` the load is one transaction (all or nothing) and needs the data in
        memory; with ``bulk`` it streams in chunks of 100,000 quads through pyoxigraph's bulk
        loader. Raises ``rightsgraph.errors.InputError`` for syntax errors (with line numbers).
        """
        self._writable()
        quads = _parse(source, format=format, graph=graph)
        if progress:
            from tqdm import tqdm

            quads = iter(tqdm(quads, unit=" quads", unit_scale=True, mininterval=0.5))
        count = 0
        if bulk:
            while chunk := list(islice(quads, _CHUNK)):
                live, history = _split_history(chunk)
                self._live.bulk_extend(live)
                if history:
                    self._history.bulk_extend(history)
                count += len(chunk)
        else:
            live, history = _split_history(list(quads))
            if history:
                self._history.extend(history)
            self._live.extend(live)
            count = len(live) + len(history)
        self._live.update(self._bump())
        return count

    def replace_graph(self, change: GraphReplacement) -> int:
        self._writable()
        live = change.graph
        prov = self._provenance
        rn = iri.ontology("revisionNumber")
        previous = self._graph_revision(live)
        lines = [self._bump()]
        number = previous + 1
        extra: list[ox.Quad] = [
            ox.Quad(
                ox.NamedNode(live),
                ox.NamedNode(rn),
                ox.Literal(str(number), datatype=_XSD_INTEGER),
                ox.NamedNode(prov),
            )
        ]
        if change.private is not None:
            # Personal data first, each private graph replaced whole (idempotent if we stop
            # before the swap below).
            targets = {q.graph_name for q in change.private}
            if change.history_key:
                targets.add(ox.NamedNode(iri.private_graph(change.history_key)))
            for target in targets:
                self._history.update(f"DROP SILENT GRAPH {target}")
            self._history.extend(change.private)
        if change.history_key and previous:
            revision = iri.revision_graph(change.history_key, previous)
            # Copy first: if we stop between the copy and the swap, the copy is redone next time.
            old = [
                ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(revision))
                for q in self._live.quads_for_pattern(None, None, None, ox.NamedNode(live))
            ]
            self._history.update(f"DROP SILENT GRAPH <{revision}>")
            self._history.extend(old)
            lines.append(
                f"DELETE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }} "
                f"INSERT {{ GRAPH <{prov}> {{ <{revision}> ?p ?o }} }} "
                f"WHERE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }}"
            )
            extra.append(
                ox.Quad(
                    ox.NamedNode(live),
                    ox.NamedNode("http://www.w3.org/ns/prov#wasRevisionOf"),
                    ox.NamedNode(revision),
                    ox.NamedNode(prov),
                )
            )
        else:
            lines.append(f"DELETE WHERE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }}")
        lines.append(f"DROP SILENT GRAPH <{live}>")
        lines.append(
            "INSERT DATA {\n" + _quads_block([*change.quads, *change.provenance, *extra]) + "\n}"
        )
        try:
            self._live.update(" ;\n".join(lines))
        except (OSError, RuntimeError, SyntaxError) as exc:
            raise StoreError(
                f"the graph {live} could not be replaced; nothing was written: {exc}"
            ) from None
        return number

    def _graph_revision(self, graph: str) -> int:
        for quad in self._live.quads_for_pattern(
            ox.NamedNode(graph),
            ox.NamedNode(iri.ontology("revisionNumber")),
            None,
            ox.NamedNode(self._provenance),
        ):
            return _int(quad.object)
        return 0

    def dump(
        self, output: BinaryIO, *, format: DumpFormat = "nquads", history: bool = True
    ) -> None:
        fmt = _DUMP_FORMATS[format]
        self._live.dump(output, fmt)
        if history and next(iter(self._history.quads_for_pattern(None, None, None, None)), None):
            self._history.dump(output, fmt)

    def flush(self) -> None:
        self._live.flush()
        self._history.flush()

    def close(self) -> None:
        if not self.read_only:
            self.flush()
        del self._live
        del self._history

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")


def _graph_term(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == DEFAULT_GRAPH else ox.NamedNode(name)


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def _parse(source: Path | bytes, *, format: ox.RdfFormat, graph: str | None) -> Iterator[ox.Quad]:
    from rightsgraph.errors import InputError

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
        error = InputError(f"{name}: {exc}")
        error.line = getattr(exc, "lineno", None)  # already part of the message
        raise error from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None


def _split_history(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    live: list[ox.Quad] = []
    history: list[ox.Quad] = []
    for q in quads:
        g = q.graph_name
        (
            history if isinstance(g, ox.NamedNode) and iri.is_history_graph(g.value) else live
        ).append(q)
    return live, history


def _quads_block(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        g = q.graph_name
        key = str(g) if isinstance(g, ox.NamedNode) else ""
        by_graph.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for name, triples in by_graph.items():
        body = "\n".join(triples)
        parts.append(f"GRAPH {name} {{\n{body}\n}}" if name else body)
    return "\n".join(parts)


def _convert(result: object) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]

        def rows() -> Iterator[tuple[Term | None, ...]]:
            with _evaluation_errors():
                for solution in result:
                    yield tuple(solution[v] for v in variables)

        return SelectResult(variables=variables, rows=rows())
    if isinstance(result, ox.QueryTriples):

        def triples() -> Iterator[ox.Triple]:
            with _evaluation_errors():
                yield from result

        return GraphResult(triples=triples())
    raise StoreError(f"unexpected query result {type(result).__name__}")


@contextmanager
def _evaluation_errors() -> Iterator[None]:
    """pyoxigraph evaluates lazily: errors (a failing SERVICE call, a type error in an
    aggregate) surface while rows are read, and must become project errors there too."""
    try:
        yield
    except (OSError, RuntimeError) as exc:
        message = str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__
        raise QueryEvaluationError(f"the query failed: {message}") from None
