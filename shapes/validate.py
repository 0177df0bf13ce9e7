"""Validate a submission against the RightsGraph shapes and explain the problems in the
submitter's language.

Why it is built this way:

- The data graph is a read-only union, built per call without copying the big graphs: a copy of
  the submission, the packaged ontology and vocabularies (``rightsgraph.packaged``, parsed once),
  the ``rdf:type`` triples of the packaged seed data (the campaign, its waves, the organisations
  a submission points to) and the optional ``context`` (what the store already knows). Only the
  submission's own subjects are validated: a shape's focus nodes are its targets that are also
  subjects of ``data``, so nothing in the context, the seed or the vocabularies is reported.
- pySHACL is driven shape by shape (its ``ShapesGraph``, ``Shape.focus_nodes``,
  ``Shape.validate`` and ``Validator.create_validation_report``, as of pySHACL 0.40) with a
  shapes graph parsed and harvested once per process: pySHACL's ``validate()`` would parse and
  harvest the shapes again on every call. Nothing here mutates the shared graphs, so concurrent
  validations are safe.
- pySHACL sends the same SPARQL text for every focus node and binds ``$this`` through initial
  bindings; rdflib would parse that text again each time (a few milliseconds each), so the data
  graph parses each distinct query once (:class:`_UnionGraph`).
- pySHACL drops the language tag of SHACL-SPARQL messages when it fills their ``{?var}``
  placeholders; the language is found again by matching each message against the shape's
  templates, and restored in the report graph.
- RDF 1.1 makes ``"ES"`` and ``"ES"^^xsd:string`` the same literal but rdflib does not, so
  ``xsd:string`` literals of the submission are written as plain literals before validation
  (``sh:in`` lists compare terms).

Results are deterministic: problems are sorted by severity, focus node, path, shape and value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyshacl.pytypes import SHACLExecutor
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator
from rdflib import Graph, Literal
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, SH, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from rightsgraph import iri, packaged
from rightsgraph.errors import InputError, Problem
from rightsgraph.parsing import RDFLIB_SPARQL
from rightsgraph.resources import iter_files, read_text

__all__ = [
    "LANGUAGES",
    "SHAPES_VERSION",
    "ValidationReport",
    "shapes_graph",
    "validate",
]

#: Release of the shapes; :data:`SHAPES_VERSION` adds a digest of the shape files to it.
SHAPES_RELEASE = "0.1.0"

#: Languages every shape speaks; other requested languages fall back to English.
LANGUAGES = ("en", "fr", "es")

_SEVERITIES: dict[Node, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_PLACEHOLDER = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


def _shape_files() -> list[tuple[str, str]]:
    """``(name, text)`` of every packaged shapes file, sorted by name."""
    return [(name, read_text("shapes", name)) for name, _ in iter_files("shapes", "", ".ttl")]


def _shapes_version() -> str:
    digest = hashlib.sha256()
    for name, text in _shape_files():
        digest.update(name.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return f"{SHAPES_RELEASE}+{digest.hexdigest()[:12]}"


#: ``"0.1.0+<first 12 hex digits of the SHA-256 of the shape files>"``; recorded with every
#: submission (``rg:shapesVersion``) so that a result can be traced to the rules that made it.
SHAPES_VERSION: str = _shapes_version()


# --- Shapes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CompiledShapes:
    graph: Graph
    shapes_graph: ShapesGraph
    targeted: tuple[Shape, ...]
    #: node of a shape or SPARQL constraint -> [(language, compiled template)]
    templates: Mapping[Node, tuple[tuple[str, re.Pattern[str]], ...]]


def _template_pattern(text: str) -> re.Pattern[str]:
    """A message template as a regular expression: placeholders match any text."""
    parts = (re.escape(part) for part in _PLACEHOLDER.split(text))
    return re.compile("(.*?)".join(parts) + r"\Z", re.DOTALL)


@lru_cache(maxsize=4)
def _compiled(base: str) -> _CompiledShapes:
    graph = Graph()
    for _name, text in _shape_files():
        graph.parse(data=iri.rebase(text, base=base), format="turtle")
    shapes = ShapesGraph(graph)
    targeted = tuple(
        shape
        for shape in sorted(shapes.shapes, key=lambda s: str(s.node))
        if any(True for p in _TARGETS for _ in graph.objects(shape.node, p))
    )
    templates: dict[Node, tuple[tuple[str, re.Pattern[str]], ...]] = {}
    for node in set(graph.subjects(SH.message, None)):
        templates[node] = tuple(
            (m.language or "", _template_pattern(str(m)))
            for m in graph.objects(node, SH.message)
            if isinstance(m, Literal)
        )
    return _CompiledShapes(graph, shapes, targeted, templates)


def shapes_graph() -> Graph:
    """The shapes (``shapes/*.ttl``) as one graph, parsed once per process and base IRI.

    Do not modify the returned graph. Raises rdflib's parser errors if a packaged file is broken
    (a packaging bug, not an input problem).
    """
    return _compiled(iri.base_iri()).graph


# --- Data graph ----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _UnionGraph(ReadOnlyGraphAggregate):
    """A read-only union of graphs that parses each distinct SPARQL text once per process.

    The union avoids copying the ontology and vocabularies for every submission. pySHACL
    evaluates a SHACL-SPARQL constraint once per focus node with the same text and ``$this`` in
    ``initBindings``; parsing would otherwise dominate the cost of such a query in rdflib.
    """

    def __hash__(self) -> int:  # type: ignore[override]
        # pySHACL keys report nodes by (source graph, node); the aggregate refuses to hash.
        return id(self)

    def query(
        self,
        query_object: str | Query,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Any] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@lru_cache(maxsize=4)
def _seed_types(base: str) -> Graph:
    """The ``rdf:type`` triples of the packaged seed data (the campaign, its waves, the pioneer
    territories, the organisations), which submissions point to. The rest of the seed is left out
    so that it never mixes with a resubmitted description of the same territory."""
    types = Graph()
    for triple in packaged.seed_graph().triples((None, RDF.type, None)):
        types.add(triple)
    return types


def _triples(graph: Graph) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple of a graph, or of every named graph of a dataset."""
    if graph.context_aware:
        for s, p, o, _g in graph.quads((None, None, None, None)):  # type: ignore[attr-defined]
            yield s, p, o
    else:
        yield from graph.triples((None, None, None))


def _plain(o: Node) -> Node:
    if isinstance(o, Literal) and o.datatype == XSD.string:
        return Literal(str(o))
    return o


def _data_graph(data: Graph, context: Graph | None, base: str) -> tuple[_UnionGraph, set[Node]]:
    """The graph to validate and the submission's subjects (the only focus nodes).

    It is the union of a copy of the submission (with ``xsd:string`` literals made plain), the
    packaged ontology and vocabularies, the types of the seed data and the context. Context triples
    about a subject of the submission are left out: the submission replaces what the store says
    about its own resources (a resubmission must not be checked against its previous version).
    """
    submission = Graph()
    subjects: set[Node] = set()
    for s, p, o in _triples(data):
        subjects.add(s)
        submission.add((s, p, _plain(o)))
    graphs = [submission, packaged.ontology_graph(), packaged.vocab_graph(), _seed_types(base)]
    if context is not None:
        known = Graph()
        for s, p, o in _triples(context):
            if s not in subjects:
                known.add((s, p, o))
        graphs.append(known)
    return _UnionGraph(graphs), subjects


# --- Validation ----------------------------------------------------------------------------------


@dataclass
class ValidationReport:
    """The outcome of :func:`validate`.

    ``conforms`` is False iff there is at least one ``sh:Violation`` (warnings and infos do not
    block a submission); ``graph`` is the SHACL report, whose own ``sh:conforms`` follows the
    SHACL definition (false as soon as there is any result).
    """

    conforms: bool
    problems: list[Problem]
    graph: Graph
    shapes_version: str


def _language(lang: str) -> str:
    primary = (lang or "en").strip().split("-")[0].split("_")[0].lower()
    return primary if primary in LANGUAGES else "en"


def _message_language(
    message: Literal, templates: Iterable[tuple[str, re.Pattern[str]]]
) -> str | None:
    if message.language:
        return message.language
    for lang, pattern in templates:
        if pattern.match(str(message)):
            return lang or None
    return None


def _pick_message(
    report: Graph, result: Node, templates: tuple[tuple[str, re.Pattern[str]], ...], lang: str
) -> str:
    """The result's message in ``lang`` (else English, else any); restores lost language tags."""
    by_lang: dict[str, str] = {}
    for message in list(report.objects(result, SH.resultMessage)):
        if not isinstance(message, Literal):
            continue
        found = _message_language(message, templates)
        if found and not message.language:
            report.remove((result, SH.resultMessage, message))
            report.add((result, SH.resultMessage, Literal(str(message), lang=found)))
        by_lang.setdefault(found or "", str(message))
    for choice in (lang, "en", ""):
        if choice in by_lang:
            return by_lang[choice]
    return next(iter(sorted(by_lang.values())), "")


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _problems(report: Graph, compiled: _CompiledShapes, lang: str) -> list[Problem]:
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        constraint = report.value(result, SH.sourceConstraint)
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        templates: tuple[tuple[str, re.Pattern[str]], ...] = ()
        for node in (constraint, shape):
            if node is not None:
                templates += compiled.templates.get(node, ())
        severity = report.value(result, SH.resultSeverity)
        problems.append(
            Problem(
                severity=_SEVERITIES.get(severity, "Violation") if severity else "Violation",
                message=_pick_message(report, result, templates, lang),
                focus=_text(focus),
                path=_text(report.value(result, SH.resultPath)),
                # pySHACL repeats the focus node as the value of a SHACL-SPARQL result that
                # binds no ?value (a missing value): that says nothing, so it is left out.
                value=None if value == focus else _text(value),
                shape=_text(shape),
                constraint=_text(report.value(result, SH.sourceConstraintComponent)),
            )
        )
    problems.sort(
        key=lambda p: (
            _SEVERITY_RANK.get(p.severity, 3),
            p.focus or "",
            p.path or "",
            p.shape or "",
            p.value or "",
            p.constraint or "",
        )
    )
    return problems


def validate(data: Graph, *, context: Graph | None = None, lang: str = "en") -> ValidationReport:
    """Check a submission against the shapes.

    ``data`` is the submission (a graph, or a dataset whose named graphs are all read);
    ``context`` holds what the store already knows and the submission may point to (territories,
    organisations, waves, extra concepts); ``lang`` chooses the language of the messages (en, fr
    or es; anything else falls back to English).

    Non-conformance is reported, never raised. Raises :class:`~rightsgraph.errors.InputError` only
    when the data cannot be validated at all: it is empty, or it describes no territory,
    initiative, membership or contact point.
    """
    if not any(True for _ in _triples(data)):
        raise InputError("The submission is empty: it contains no data to check.")
    with RDFLIB_SPARQL:  # pySHACL parses SPARQL with rdflib: one thread at a time (see there)
        return _validate(data, context, lang)


def _validate(data: Graph, context: Graph | None, lang: str) -> ValidationReport:
    base = iri.base_iri()
    compiled = _compiled(base)
    combined, subjects = _data_graph(data, context, base)
    executor = SHACLExecutor()
    results: list[Any] = []
    focused = False
    for shape in compiled.targeted:
        focus = [node for node in shape.focus_nodes(combined) if node in subjects]
        if not focus:
            continue
        focused = True
        _conforms, shape_results = shape.validate(executor, combined, focus=focus)
        results.extend(shape_results)
    if not focused:
        raise InputError(
            "The submission describes no territory, initiative, membership or contact point, "
            "so there is nothing to check; check that each item has its type."
        )
    report, _text_report = Validator.create_validation_report(
        compiled.shapes_graph, not results, results
    )
    problems = _problems(report, compiled, _language(lang))
    return ValidationReport(
        conforms=not any(p.severity == "Violation" for p in problems),
        problems=problems,
        graph=report,
        shapes_version=SHAPES_VERSION,
    )
