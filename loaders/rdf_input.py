"""Read a submission written directly in RDF: JSON-LD (with the published context) or Turtle.

Such a submission is already in the model's terms, so there is nothing to map; what this module
does is keep it within bounds:

- JSON-LD may use the published context ``https://w3id.org/rightsgraph/context.jsonld`` (also
  under the configured base); it is replaced by the packaged copy (``data/context.jsonld``) before
  rdflib sees the document, and any other remote context or ``@import`` is refused, so that
  reading a submission never fetches anything;
- Turtle is parsed by pyoxigraph, whose syntax errors carry a line and a column;
- the document must describe exactly one ``rg:Territory`` whose IRI is
  ``rgid:territory/{cc}-{slug}`` under the configured base; it may only make statements about that
  territory, its contact point (and other nodes under its IRI), its membership and its initiatives
  (``rgid:initiative/{cc}-{slug}/...``), so that a submission cannot rewrite another territory or
  the vocabularies;
- concept values of ``rg:addressesRight``, ``rg:targetsGroup`` and ``rg:implementsInstrument``
  must be concepts of their scheme, literals are screened like spreadsheet cells.

Locations are line numbers: the first line where a subject is defined, and the first line after it
where a predicate appears.
"""

from __future__ import annotations

import bisect
import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry
import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from rightsgraph import iri
from rightsgraph.errors import InputError, Problem, TooLargeError
from rightsgraph.loaders.formats import (
    MAX_TRIPLES,
    decode_utf8,
    join_alternatives,
    message,
)
from rightsgraph.loaders.mapping import Location, Mapped, bind_prefixes, rg
from rightsgraph.loaders.tabular import check_length, screen_text
from rightsgraph.loaders.terms import term_index
from rightsgraph.resources import read_text

#: Where the context is published; documents may name it under the configured base too.
CONTEXT_URL = "https://w3id.org/rightsgraph/context.jsonld"

#: The scheme of the concepts each predicate takes.
CONCEPT_PREDICATES = {
    "addressesRight": "rights",
    "targetsGroup": "groups",
    "implementsInstrument": "instruments",
}

_STRING_TYPES = {None, XSD.string, RDF.langString}
# Characters a Turtle local name must escape with a backslash (rgid:membership\/es-x).
_PN_ESCAPE = re.compile(r"[~!$&'()*+,;=/?#@%]")


def context_urls() -> set[str]:
    """The context addresses that resolve to the packaged context."""
    urls = {CONTEXT_URL, CONTEXT_URL.replace("https://", "http://")}
    urls.add(f"{iri.base_iri()}context.jsonld")
    return urls


@lru_cache(maxsize=4)
def _packaged_context(base: str) -> dict[str, object]:
    document = json.loads(iri.rebase(read_text("data", "context.jsonld"), base=base))
    context: dict[str, object] = document["@context"]
    return context


def packaged_context() -> dict[str, object]:
    """The ``@context`` object of ``data/context.jsonld``, rewritten to the configured base."""
    return copy.deepcopy(_packaged_context(iri.base_iri()))


# --------------------------------------------------------------------------------------------
# Finding lines
# --------------------------------------------------------------------------------------------


# Tokens that can name an IRI: <iri> and prefix:local in Turtle, "strings" in JSON-LD.
_TURTLE_TOKEN = re.compile(r"<[^<>\"{}|^`\\\s]*>|(?:[A-Za-z][\w.\-]*)?:(?:[\w\-.:%]|\\[^\s])*")
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_JSON_ID = re.compile(r'"(?:@id|id)"\s*:\s*"((?:[^"\\]|\\.)*)"')


class LineFinder:
    """First lines where IRIs are written, in whichever form the document wrote them.

    The text is scanned once: every token that can name an IRI is indexed with the lines where it
    occurs, and with the first line where it starts a description (a Turtle subject, a JSON-LD
    ``"@id"``). Looking a node up is then a few dictionary reads, whatever the size of the file.
    """

    def __init__(self, text: str, *, prefixes: dict[str, str], terms: dict[str, str],
                 base: str, jsonld: bool) -> None:
        self.prefixes = prefixes
        self.terms = terms
        self.base = base
        self.jsonld = jsonld
        self.occurrences: dict[str, list[int]] = {}
        self.described: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if jsonld:
                tokens = [m.group(1) for m in _JSON_STRING.finditer(line)]
                for found in _JSON_ID.finditer(line):
                    self.described.setdefault(found.group(1), number)
            else:
                matches = list(_TURTLE_TOKEN.finditer(line))
                tokens = [m.group().rstrip(".") for m in matches]
                if matches and not line[: matches[0].start()].strip():
                    self.described.setdefault(tokens[0], number)
            for token in tokens:
                lines = self.occurrences.setdefault(token, [])
                if not lines or lines[-1] != number:
                    lines.append(number)

    def forms(self, node: URIRef) -> list[str]:
        """The tokens that may name ``node`` in this document."""
        value = str(node)
        names: list[str] = [term for term, expansion in self.terms.items() if expansion == value]
        for prefix, namespace in self.prefixes.items():
            if value.startswith(namespace) and len(value) > len(namespace):
                local = value[len(namespace):]
                names.append(f"{prefix}:{local}")
                escaped = _PN_ESCAPE.sub(r"\\\g<0>", local)
                names.append(f"{prefix}:{escaped}")
        iris = [value]
        if value.startswith(self.base) and len(value) > len(self.base):
            iris.append(value[len(self.base):])
        if self.jsonld:
            return names + iris
        return names + [f"<{i}>" for i in iris]

    def subject_line(self, node: URIRef) -> int | None:
        """1-based line where ``node`` is first described (else first mentioned)."""
        forms = self.forms(node)
        described = [self.described[f] for f in forms if f in self.described]
        if described:
            return min(described)
        mentioned = [self.occurrences[f][0] for f in forms if f in self.occurrences]
        return min(mentioned) if mentioned else None

    def predicate_line(self, subject: URIRef, predicate: URIRef) -> int | None:
        """The first line, from the subject's, where ``predicate`` is written (else the
        subject's line: ``a`` and ``@type`` are not looked for)."""
        start = self.subject_line(subject)
        if start is None:
            return None
        found = []
        for form in self.forms(predicate):
            lines = self.occurrences.get(form)
            if lines:
                index = bisect.bisect_left(lines, start)
                if index < len(lines):
                    found.append(lines[index])
        return min(found) if found else start


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@dataclass
class RdfDocument:
    """A parsed RDF submission and a way back to its lines."""

    graph: Graph
    lines: LineFinder


def _replace_contexts(value: object, lang: str, terms: dict[str, str]) -> object:
    """The document with every allowed context replaced by the packaged one; raises
    ``InputError`` for any other remote context or ``@import``."""
    if isinstance(value, dict):
        return {
            k: (_context(v, lang, terms) if k == "@context" else _replace_contexts(v, lang, terms))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_replace_contexts(v, lang, terms) for v in value]
    return value


def _context(value: object, lang: str, terms: dict[str, str]) -> object:
    if isinstance(value, str):
        if value.strip() in context_urls():
            local = packaged_context()
            _collect_terms(local, terms)
            return local
        raise InputError(message("remote-context", lang, url=value, expected=CONTEXT_URL))
    if isinstance(value, list):
        return [_context(v, lang, terms) for v in value]
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, definition in value.items():
            if key == "@import":
                raise InputError(message("remote-context", lang, url=str(definition),
                                         expected=CONTEXT_URL))
            if isinstance(definition, dict) and "@context" in definition:
                definition = dict(definition)
                definition["@context"] = _context(definition["@context"], lang, terms)
            out[key] = definition
        _collect_terms(out, terms)
        return out
    return value


def _collect_terms(context: dict[str, object], terms: dict[str, str]) -> None:
    """Remember ``term -> IRI`` of a context, for finding lines (compact IRIs expanded)."""
    raw: dict[str, str] = {}
    for key, definition in context.items():
        if key.startswith("@"):
            continue
        if isinstance(definition, str):
            raw[key] = definition
        elif isinstance(definition, dict) and isinstance(definition.get("@id"), str):
            raw[key] = str(definition["@id"])
    for key, value in raw.items():
        prefix, sep, local = value.partition(":")
        if sep and prefix in raw and not local.startswith("//"):
            value = raw[prefix] + local
        terms[key] = value


def _prefixes_of(terms: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in terms.items() if v.endswith(("/", "#", ":")) and ":" in v}


def read_jsonld(data: bytes, *, lang: str = "en") -> RdfDocument:
    """Parse a JSON-LD submission without fetching anything.

    Raises ``InputError`` (not UTF-8, JSON syntax error with line and column, not an object,
    a remote context, unreadable JSON-LD, named graphs).
    """
    text = decode_utf8(data, lang)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            message("json-syntax", lang, line=err.lineno, column=err.colno, error=err.msg),
            line=err.lineno,
            column=str(err.colno),
        ) from None
    except RecursionError:
        raise InputError(message("json-too-deep", lang)) from None
    if not isinstance(document, dict | list):
        raise InputError(message("jsonld-not-object", lang), line=1)
    terms: dict[str, str] = {}
    try:
        resolved = _replace_contexts(document, lang, terms)
    except RecursionError:
        raise InputError(message("json-too-deep", lang)) from None
    base = iri.entity("")
    dataset = Dataset()
    try:
        dataset.parse(data=json.dumps(resolved), format="json-ld", base=base)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as err:
        raise InputError(message("jsonld-invalid", lang, error=type(err).__name__)) from None
    graph = Graph()
    for context in dataset.graphs():
        if context.identifier == dataset.default_graph.identifier:
            for triple in context:
                graph.add(triple)
        elif len(context):
            raise InputError(message("named-graphs", lang))
    finder = LineFinder(text, prefixes=_prefixes_of(terms), terms=terms, base=base, jsonld=True)
    return RdfDocument(graph=graph, lines=finder)


def read_turtle(data: bytes, *, lang: str = "en") -> RdfDocument:
    """Parse a Turtle submission (relative IRIs resolve under ``rgid:``).

    pyoxigraph reads it first, because its syntax errors give a line and a column and it counts
    the statements cheaply; rdflib then builds the graph, so that literals (language-tag case
    included) are exactly what rdflib gives for the same text everywhere else in the project.

    Raises ``InputError`` with the line and column of a syntax error, and ``TooLargeError``
    past ``MAX_TRIPLES`` statements.
    """
    text = decode_utf8(data, lang)
    base = iri.entity("")
    parser = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base)
    try:
        for count, _quad in enumerate(parser, start=1):
            if count > MAX_TRIPLES:
                raise TooLargeError(message("too-many-triples", lang, count=f"> {MAX_TRIPLES}",
                                            limit=MAX_TRIPLES))
    except SyntaxError as err:
        line = err.lineno or None
        column = err.offset or None
        detail = re.sub(r"^Parser error (?:at|between) .*?: ", "", err.msg or str(err))
        raise InputError(
            message("turtle-syntax", lang, line=line or "?", column=column or "?", error=detail),
            line=line,
            column=str(column) if column else None,
        ) from None
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=base)
    except BadSyntax as err:
        line = int(getattr(err, "lines", 0)) + 1
        raise InputError(
            message("turtle-syntax", lang, line=line, column="?", error=str(err)), line=line
        ) from None
    finder = LineFinder(text, prefixes=dict(parser.prefixes), terms={},
                        base=parser.base_iri or base, jsonld=False)
    return RdfDocument(graph=graph, lines=finder)


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


def territory_pattern() -> re.Pattern[str]:
    """``rgid:territory/{cc}-{slug}`` under the configured base."""
    return re.compile(
        re.escape(iri.entity("territory/")) + r"(?P<cc>[a-z]{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)"
    )


def check_document(document: RdfDocument, *, lang: str = "en") -> Mapped:
    """The territory of an RDF submission, its locations and its problems.

    Raises ``InputError`` unless the document describes exactly one ``rg:Territory`` with a
    well-formed IRI, and ``TooLargeError`` past ``MAX_TRIPLES`` statements or for a literal over
    the field limit.
    """
    graph = document.graph
    lines = document.lines
    if len(graph) > MAX_TRIPLES:
        raise TooLargeError(message("too-many-triples", lang, count=len(graph), limit=MAX_TRIPLES))
    bind_prefixes(graph)
    territories = sorted(set(graph.subjects(RDF.type, rg("Territory"))), key=str)
    if not territories:
        raise InputError(message("rdf-no-territory", lang))
    if len(territories) > 1:
        shown = ", ".join(f"<{t}>" for t in territories[:5])
        first = territories[0]
        raise InputError(
            message("rdf-several-territories", lang, count=len(territories), iris=shown),
            line=lines.subject_line(first) if isinstance(first, URIRef) else None,
        )
    territory = territories[0]
    pattern = territory_pattern()
    match = pattern.fullmatch(str(territory)) if isinstance(territory, URIRef) else None
    if match is None or not isinstance(territory, URIRef):
        line = lines.subject_line(territory) if isinstance(territory, URIRef) else None
        raise InputError(
            message("rdf-territory-iri", lang, iri=str(territory),
                    pattern=iri.entity("territory/") + "{cc}-{slug}",
                    example=iri.entity("territory/es-barcelona")),
            line=line,
        )
    key = f"{match.group('cc')}-{match.group('slug')}"
    mapped = Mapped(graph=graph, territory=territory, territory_key=key)

    def problem(text: str, subject: Node, predicate: Node | None, value: object) -> None:
        line = None
        if isinstance(subject, URIRef):
            line = (lines.predicate_line(subject, predicate) if isinstance(predicate, URIRef)
                    else lines.subject_line(subject))
        mapped.problems.append(Problem(
            severity="Violation", message=text,
            focus=str(subject) if isinstance(subject, URIRef) else None,
            path=str(predicate) if predicate is not None else None,
            value=None if value is None else str(value), line=line,
        ))

    cc = match.group("cc").upper()
    if pycountry.countries.get(alpha_2=cc) is None:
        problem(message("unknown-country", lang, value=cc, suggestions=""), territory, None, cc)
    for code in graph.objects(territory, rg("countryCode")):
        if str(code).strip().upper() != cc:
            problem(message("rdf-country-mismatch", lang, value=str(code), cc=cc), territory,
                    rg("countryCode"), code)

    allowed_prefixes = (
        f"{territory}/",
        iri.entity(f"initiative/{key}/"),
    )
    membership = iri.entity(f"membership/{key}")
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str):
        value = str(subject)
        if subject != territory and value != membership and not value.startswith(
                allowed_prefixes):
            problem(message("rdf-foreign-subject", lang, iri=value, key=key), subject, None,
                    value)
        line = lines.subject_line(subject)
        mapped.locations[(subject, None)] = Location(line=line)

    for s, p, o in graph:
        if isinstance(s, URIRef) and isinstance(p, URIRef):
            mapped.locations.setdefault((s, p), Location(line=lines.predicate_line(s, p)))
        if isinstance(o, Literal):
            where = (lines.predicate_line(s, p)
                     if isinstance(s, URIRef) and isinstance(p, URIRef) else None)
            check_length(str(o), lang, line=where)
            if o.datatype in _STRING_TYPES:
                why = screen_text(str(o).strip(), lang)
                if why:
                    problem(why, s, p, str(o)[:200])
        if p == rg("isExample") and isinstance(o, Literal) and o.toPython() is True:
            problem(message("rdf-example-data", lang), s, p, o)

    for local, scheme in CONCEPT_PREDICATES.items():
        index = term_index(scheme)
        kind = message(f"kind-{scheme}", lang)
        for s, o in graph.subject_objects(rg(local)):
            if isinstance(o, URIRef) and o in index:
                continue
            hint_from = str(o).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            suggestions = [index.describe(c, lang) for c in index.suggest(hint_from)]
            hint = message("did-you-mean", lang, options=join_alternatives(suggestions, lang)) \
                if suggestions else ""
            problem(message("rdf-unknown-concept", lang, iri=str(o), kind=kind,
                            suggestions=hint), s, rg(local), o)
    return mapped
