"""The submission pipeline: parse -> map -> validate -> commit.

A submission is stored whole or not at all: validation runs on the mapped graph before anything is
written, and the commit is one atomic replacement of the territory's named graph (the previous one
becomes a revision). The same function serves ``rightsgraph validate`` (``dry_run``), ``rightsgraph
submit`` and the HTTP API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from rightsgraph import iri
from rightsgraph.errors import Problem
from rightsgraph.loaders.reader import ParsedSubmission, read_submission
from rightsgraph.personal import split_personal
from rightsgraph.shapes.validate import validate
from rightsgraph.store.base import GraphReplacement, SelectResult, Store


@dataclass
class SubmissionResult:
    """What happened to one submission; ``as_dict`` is the JSON report of the CLI and the API."""

    conforms: bool
    committed: bool
    territory: str
    graph: str
    format: str
    filename: str | None
    sha256: str
    shapes_version: str
    triples: int
    problems: list[Problem] = field(default_factory=list)
    revision: int | None = None
    submission: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "committed": self.committed,
            "territory": self.territory,
            "graph": self.graph,
            "revision": self.revision,
            "submission": self.submission,
            "format": self.format,
            "filename": self.filename,
            "sha256": self.sha256,
            "shapes_version": self.shapes_version,
            "triples": self.triples,
            "violations": sum(1 for p in self.problems if p.severity == "Violation"),
            "warnings": sum(1 for p in self.problems if p.severity == "Warning"),
            "results": [p.as_dict() for p in self.problems],
        }


def process(
    data: bytes,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    lang: str = "en",
    store: Store | None = None,
    dry_run: bool = False,
    submitted_by: str = "rightsgraph-cli",
) -> SubmissionResult:
    """Run one submission through the pipeline and commit it unless ``dry_run``.

    Raises ``rightsgraph.errors.InputError`` (and subclasses) when the file cannot be read at all;
    a readable file that does not conform is reported in the result, not raised.
    """
    started = datetime.now(UTC)
    parsed = read_submission(data, filename=filename, media_type=media_type, lang=lang)
    context = _context(parsed, store)
    report = validate(parsed.graph, context=context, lang=lang)
    problems = [_locate(p, parsed) for p in [*parsed.problems, *report.problems]]
    problems.sort(key=lambda p: (p.row or 0, p.line or 0, p.severity != "Violation"))
    conforms = not any(p.severity == "Violation" for p in problems)
    result = SubmissionResult(
        conforms=conforms,
        committed=False,
        territory=str(parsed.territory),
        graph=iri.territory_graph(parsed.territory_key),
        format=parsed.format,
        filename=parsed.filename,
        sha256=parsed.sha256,
        shapes_version=report.shapes_version,
        triples=len(parsed.graph),
        problems=problems,
    )
    if not conforms or dry_run or store is None:
        return result
    activity = iri.entity(f"submission/{uuid.uuid4()}")
    provenance = _provenance(parsed, result, activity, started, submitted_by, lang)
    public, personal = split_personal(_to_quads(parsed.graph, result.graph))
    private = ox.NamedNode(iri.private_graph(parsed.territory_key))
    result.revision = store.replace_graph(
        GraphReplacement(
            graph=result.graph,
            quads=public,
            provenance=_to_quads(provenance, iri.graph("provenance")),
            history_key=parsed.territory_key,
            private=[ox.Quad(q.subject, q.predicate, q.object, private) for q in personal],
        )
    )
    result.committed = True
    result.submission = activity
    return result


def _context(parsed: ParsedSubmission, store: Store | None) -> Graph | None:
    """The territories the submission points to besides its own, typed, from the store.

    Only what validation needs is fetched, so validation time does not grow with the store.
    """
    prefix = iri.entity("territory/")
    referenced = {
        o
        for o in parsed.graph.objects()
        if isinstance(o, URIRef) and str(o).startswith(prefix) and o != parsed.territory
    }
    if not referenced or store is None:
        return None
    values = " ".join(f"<{t}>" for t in sorted(referenced))
    result = store.query(
        f"SELECT ?t WHERE {{ VALUES ?t {{ {values} }} ?t a <{iri.ontology('Territory')}> }}"
    )
    context = Graph()
    if isinstance(result, SelectResult):
        for t, *_rest in result.rows:
            if t is not None:
                context.add((URIRef(t.value), RDF.type, URIRef(iri.ontology("Territory"))))
    return context


def _locate(problem: Problem, parsed: ParsedSubmission) -> Problem:
    """Point a validation result back at the row or line (and column) it came from."""
    if problem.row is not None or problem.line is not None or problem.focus is None:
        return problem
    focus = URIRef(problem.focus)
    path = URIRef(problem.path) if problem.path else None
    where = parsed.locations.get((focus, path)) or parsed.locations.get((focus, None))
    if where is not None:
        problem.row = where.row
        problem.line = where.line
        problem.field = problem.field or where.field
    return problem


def _provenance(
    parsed: ParsedSubmission,
    result: SubmissionResult,
    activity: str,
    started: datetime,
    submitted_by: str,
    lang: str,
) -> Graph:
    rg = Namespace(iri.ontology())
    g = Graph()
    sub = URIRef(activity)
    live = URIRef(result.graph)
    file = URIRef(iri.entity(f"file/sha256-{parsed.sha256}"))
    g.add((live, RDF.type, rg.SubmissionGraph))
    g.add((live, PROV.wasGeneratedBy, sub))
    g.add((live, rg.aboutTerritory, parsed.territory))
    g.add((live, DCTERMS.modified, Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)))
    g.add((sub, RDF.type, rg.Submission))
    g.add((sub, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((sub, PROV.endedAtTime, Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)))
    g.add((sub, rg.submittedBy, Literal(submitted_by)))
    g.add((sub, PROV.used, file))
    g.add((sub, rg.shapesVersion, Literal(result.shapes_version)))
    g.add((sub, rg.conforms, Literal(True)))
    g.add((sub, DCTERMS.language, Literal(lang)))
    g.add((file, RDF.type, rg.SubmittedFile))
    if parsed.filename:
        g.add((file, DCTERMS.title, Literal(parsed.filename)))
    g.add((file, rg.sha256, Literal(parsed.sha256)))
    g.add((file, DCTERMS["format"], Literal(parsed.media_type)))
    g.add((file, DCTERMS.extent, Literal(parsed.size, datatype=XSD.nonNegativeInteger)))
    return g


def _to_quads(graph: Graph, graph_name: str) -> list[ox.Quad]:
    """rdflib -> pyoxigraph through N-Triples, the one exchange both sides read exactly."""
    data = graph.serialize(format="nt", encoding="utf-8")
    target = ox.NamedNode(graph_name)
    return [
        ox.Quad(q.subject, q.predicate, q.object, target)
        for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]
