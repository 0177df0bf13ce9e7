"""Named questions: one ``.rq`` file per question, grlc-style.

Metadata lives in ``#+`` YAML comment lines at the top, so every file stays valid SPARQL::

    #+ summary: Initiatives that address a rights category
    #+ description: The initiatives addressing the given rights category ...
    #+ translations:
    #+   fr: {summary: ..., description: ...}
    #+   es: {summary: ..., description: ...}
    #+ tags: [initiatives]
    #+ defaults:
    #+   - category: https://w3id.org/rightsgraph/vocab/rights/housing
    #+ enumerate:
    #+   - region: [https://w3id.org/rightsgraph/vocab/uclg-regions/europe, ...]
    #+ pagination: 100

``summary`` (required), ``description``, ``tags``, ``defaults``, ``enumerate`` and ``pagination``
are grlc's keys; ``translations`` carries the French and Spanish summary and description (the
English ones are ``summary`` and ``description``), ``method`` may only be ``GET``. ``lists``
(ours) names the columns that are lists built by ``GROUP_CONCAT`` and their separator, e.g.
``lists: {organisers: " | "}``: SPARQL leaves the order of ``GROUP_CONCAT`` open and engines
differ (pyoxigraph follows its solution order, Virtuoso its own), so :func:`run` gives such a
column a defined value on every backend: its items sorted (by code point), each once, empty items
dropped, as a plain literal (``""`` when nothing is left, as SPARQL gives for no items). The query
writes each item as ``COALESCE(STR(...), "")``: never an error (pyoxigraph makes the whole
aggregate unbound when one item is, Virtuoso skips it) and never language-tagged (pyoxigraph keeps
a common tag, Virtuoso drops it). Anything else, a default or an enumerated value that does not
fit its parameter's type, an enumeration given without its values, or a pagination that is not a
positive integer is a :class:`QueryHeaderError`:
a bug in the package, caught at start-up and by the tests, never a warning in a log.

Parameters are variables named ``?_name_type`` (required) or ``?__name_type`` (optional); the
types are ``iri``, ``string`` (the default when no type is given), ``literal``, ``integer``,
``decimal``, ``date``, ``boolean`` (also as ``xsd_integer`` ...) or a language tag (``en``: a
literal in that language). Values are bound as typed RDF terms through the store (``substitutions``
on pyoxigraph, a ``VALUES`` block on a remote endpoint), never pasted into the query text.

Two pyoxigraph rules shape every query:

- it binds only projected variables, so a parameter is always in the SELECT clause (and in GROUP
  BY for aggregates); :func:`run` drops those constant columns from the answer;
- a substitution does not reach into a sub-SELECT (a new variable scope), so parameters are only
  used in the top-level pattern;
- ``BOUND(?__name_type)`` stays false even when the parameter is given, so an optional parameter is
  tested with ``COALESCE(STR(?__name_type), "") = ""`` (true when it is not given); a query that
  calls ``BOUND`` on a parameter is refused.

:func:`catalog_graph` publishes the catalogue as RDF: each question a ``sh:SPARQLExecutable``
(``sh:select`` with its text) with ``rdfs:label``/``rdfs:comment`` in en, fr and es and its tags
as ``dcterms:subject``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import islice
from typing import Protocol

import pyoxigraph as ox
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from rightsgraph import iri
from rightsgraph.errors import InputError, NotFoundError, RightsGraphError
from rightsgraph.namespaces import DCTERMS, RDF, RDFS, SCHEMA, SH, XSD, bind_prefixes
from rightsgraph.resources import iter_files, read_text
from rightsgraph.store.base import QueryResult, SelectResult, Term

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
#: The public Wikidata endpoint as the federated questions name it (see :func:`routed_services`).
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
_PARAM = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9]*)(?:_([A-Za-z][A-Za-z0-9_]*))?\b")
_HEADER_KEYS = frozenset(
    {
        "summary",
        "description",
        "tags",
        "defaults",
        "enumerate",
        "pagination",
        "method",
        "translations",
        "service_values",
        "lists",
    }
)
#: At most this many values are sent into a federated question's SERVICE blocks.
MAX_SERVICE_VALUES = 2_000
_SERVICE_BLOCK = re.compile(
    r"SERVICE\s+(?:SILENT\s+)?<" + re.escape("https://query.wikidata.org/sparql") + r">\s*\{",
    re.IGNORECASE,
)
_VARIABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TRANSLATION_KEYS = frozenset({"summary", "description"})
_LANG = re.compile(r"^[a-z]{2,3}$")
#: ``BOUND(?_x)`` is always false for a substituted parameter on pyoxigraph: a silent bug.
_BOUND_PARAMETER = re.compile(r"\bBOUND\s*\(\s*[?$]_", re.IGNORECASE)
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")
#: Parameter types and the XSD datatype of their literal (``None``: an IRI or a plain string).
_TYPES: dict[str, str | None] = {
    "iri": None,
    "string": None,
    "literal": None,
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "boolean": "boolean",
}
#: Query-string names the HTTP service keeps for itself: no question may use them.
RESERVED = frozenset({"page", "format"})
#: Longest value a parameter accepts (a generous IRI or search text; anything longer is refused).
MAX_VALUE_LENGTH = 2048
#: Largest page a question may declare.
MAX_PAGE_SIZE = 10_000
#: The languages every question's summary and description are written in.
LANGUAGES = ("en", "fr", "es")


class QueryHeaderError(RightsGraphError):
    """A packaged query's ``#+`` header or parameters are malformed: a bug in the package."""

    status = 500
    type = "query-header"


class ParameterError(InputError):
    """A value given for a named question's parameter is missing, unknown or does not fit.

    ``parameter`` names the parameter, so that the HTTP answer (422) can point at it.
    """

    status = 422
    type = "invalid-parameter"

    def __init__(self, message: str, *, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class Queryable(Protocol):
    """What :func:`run` needs: a store or the service's query engine."""

    def query(
        self, sparql: str, *, substitutions: Mapping[str, Term] | None = None
    ) -> QueryResult: ...


def _base_type(ptype: str) -> str:
    return ptype.removeprefix("xsd_")


@dataclass(frozen=True)
class Parameter:
    """One ``?_name_type`` variable of a question."""

    name: str
    variable: str
    type: str
    required: bool
    default: str | None = None
    enumerate: tuple[str, ...] = ()

    def bind(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The typed RDF term for a raw string value.

        Raises ``ParameterError`` when the value does not fit the declared type, is too long, or
        is not one of the enumerated values.
        """
        value = raw.strip()
        if len(value) > MAX_VALUE_LENGTH:
            raise ParameterError(
                f"parameter {self.name!r}: the value is longer than {MAX_VALUE_LENGTH} characters",
                parameter=self.name,
            )
        if self.enumerate and value not in self.enumerate:
            raise ParameterError(
                f"parameter {self.name!r} must be one of {', '.join(self.enumerate)}; "
                f"got {_shown(raw)}",
                parameter=self.name,
            )
        kind = _base_type(self.type)
        try:
            if kind == "iri":
                if not _IRI.fullmatch(value):
                    raise ValueError("not an absolute IRI")
                return ox.NamedNode(value)
            if kind == "integer":
                return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD_NS + "integer"))
            if kind == "decimal":
                number = Decimal(value)
                if not number.is_finite():
                    raise ValueError("not a finite number")
                return ox.Literal(str(number), datatype=ox.NamedNode(XSD_NS + "decimal"))
            if kind == "date":
                return ox.Literal(
                    date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD_NS + "date")
                )
            if kind == "boolean":
                if value.lower() not in ("true", "false"):
                    raise ValueError("not true or false")
                return ox.Literal(value.lower(), datatype=ox.NamedNode(XSD_NS + "boolean"))
            if _LANG.match(kind) and kind not in _TYPES:
                return ox.Literal(value, language=kind)
            return ox.Literal(value)
        except (ValueError, InvalidOperation) as exc:
            raise ParameterError(
                f"parameter {self.name!r} expects {self.type}, got {_shown(raw)} ({exc})",
                parameter=self.name,
            ) from None

    def describe(self) -> dict[str, object]:
        """The parameter as plain JSON-ready data (for ``GET /api/queries``)."""
        return {
            "name": self.name,
            "variable": "?" + self.variable,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "enumerate": list(self.enumerate) or None,
        }


def _shown(raw: str) -> str:
    """A raw value for an error message: quoted, and cut when long."""
    return repr(raw if len(raw) <= 80 else raw[:77] + "...")


@dataclass(frozen=True)
class NamedQuery:
    """One question: its text, its header and its parameters, as parsed and checked."""

    name: str
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    enumerate: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pagination: int | None = None
    parameters: tuple[Parameter, ...] = ()
    #: The answer's columns: the projected variables that are not parameters.
    variables: tuple[str, ...] = ()
    #: ``{lang: {"summary": ..., "description": ...}}`` for the other languages than English.
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: For a federated question: (variable, local SELECT) whose IRIs are sent into every Wikidata
    #: ``SERVICE`` block as ``VALUES`` (see :func:`bind_services`).
    service_values: tuple[str, str] | None = None
    #: ``{column: separator}``: the ``GROUP_CONCAT`` lists, put in a defined order by :func:`run`.
    lists: Mapping[str, str] = field(default_factory=dict)

    def summary_in(self, lang: str) -> str:
        """The summary in ``lang`` when translated, else the English one."""
        return self.translations.get(lang, {}).get("summary") or self.summary

    def description_in(self, lang: str) -> str:
        return self.translations.get(lang, {}).get("description") or self.description

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def bindings(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for the given raw values, defaults filled in, required ones checked.

        Raises ``ParameterError`` for a missing required, an unknown or an ill-typed parameter.
        """
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {', '.join(_shown(u) for u in unknown)} for {self.name}; "
                f"known: {', '.join(known) or 'none'}",
                parameter=unknown[0],
            )
        out: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.parameters:
            raw = values.get(p.name, p.default)
            if raw is None:
                if p.required:
                    raise ParameterError(
                        f"{self.name} needs the parameter {p.name!r} ({p.type})", parameter=p.name
                    )
                continue
            out[p.variable] = p.bind(iri.rebase(str(raw)))
        return out


@dataclass
class PagedResult(SelectResult):
    """One page of a paginated question's answer."""

    page: int = 1
    page_size: int = 0
    #: True when at least one more row follows this page.
    has_next: bool = False


def run(
    source: Queryable,
    query: NamedQuery,
    values: Mapping[str, str],
    *,
    page: int | None = None,
) -> QueryResult:
    """Run a named query with typed parameters; parameter columns are left out of the answer.

    ``source`` is a store or the service's query engine (anything with ``query(sparql,
    substitutions=...)``). For a question that declares ``pagination``, ``page`` (from 1) selects
    one page and the answer is a :class:`PagedResult`; without ``page`` the whole answer comes.

    ``SERVICE <https://query.wikidata.org/sparql>`` is sent where ``RIGHTSGRAPH_WIKIDATA_ENDPOINT``
    points (see :func:`routed_services`) unless ``source`` routes it itself (the service's engine,
    which has ``routes``).

    Raises ``ParameterError`` for missing, unknown or ill-typed parameters and for a ``page`` on a
    question without pagination, ``InputError`` for a malformed ``RIGHTSGRAPH_WIKIDATA_ENDPOINT``,
    and whatever ``source.query`` raises (``QuerySyntaxError``, ``QueryEvaluationError``,
    ``QueryTimeoutError``, ``StoreError``).
    """
    bindings = query.bindings(values)
    if page is not None:
        if page < 1:
            raise ParameterError("page numbers start at 1", parameter="page")
        if query.pagination is None and page != 1:
            raise ParameterError(f"{query.name} is not paginated", parameter="page")
    text = bind_services(source, query) if query.service_values else query.text
    if getattr(source, "routes", None) is None:  # the service's engine routes SERVICE itself
        text = routed_services(text)
    result = source.query(text, substitutions=bindings)
    if not isinstance(result, SelectResult):
        return result
    hidden = {p.variable for p in query.parameters}
    keep = [i for i, v in enumerate(result.variables) if v not in hidden]
    variables = [result.variables[i] for i in keep]
    rows: Iterator[tuple[Term | None, ...]] = result.rows
    if len(keep) != len(result.variables):
        source_rows = rows
        rows = (tuple(row[i] for i in keep) for row in source_rows)
    lists = {i: query.lists[v] for i, v in enumerate(variables) if v in query.lists}
    if lists:
        listed_rows = rows
        rows = (_sorted_lists(row, lists) for row in listed_rows)
    if page is None or query.pagination is None:
        return SelectResult(variables=variables, rows=rows, capped=result.capped)
    size = query.pagination
    chunk = list(islice(rows, (page - 1) * size, page * size + 1))
    return PagedResult(
        variables=variables,
        rows=iter(chunk[:size]),
        capped=result.capped,
        page=page,
        page_size=size,
        has_next=len(chunk) > size,
    )


def _sorted_lists(
    row: tuple[Term | None, ...], lists: Mapping[int, str]
) -> tuple[Term | None, ...]:
    """The row with each ``GROUP_CONCAT`` list column (index -> separator) in a defined form:
    items sorted by code point, each once, empty ones dropped, a plain literal (``""`` when no item
    is left)."""
    out = list(row)
    for index, separator in lists.items():
        term = out[index]
        if term is None:
            continue
        items = sorted({item for item in term.value.split(separator) if item})
        out[index] = ox.Literal(separator.join(items))
    return tuple(out)


def bind_services(source: Queryable, query: NamedQuery) -> str:
    """The question with its Wikidata ``SERVICE`` blocks bound to the items our graph names.

    pyoxigraph sends a ``SERVICE`` block as written, without the solutions around it: a block
    such as ``{ ?item wdt:P1082 ?population }`` would ask the public Wikidata for every
    population it knows. The question's ``service_values`` header names a variable and a local
    ``SELECT`` of it; its IRIs (at most ``MAX_SERVICE_VALUES``) open every block as a ``VALUES``
    clause, so that Wikidata is asked about our items only. Only IRIs go in, each checked.
    """
    assert query.service_values is not None
    variable, local = query.service_values
    result = source.query(local)
    if not isinstance(result, SelectResult):
        raise QueryHeaderError(f"{query.name}: service_values must be a SELECT")
    seen: dict[str, None] = {}
    for row in result.rows:
        term = row[0] if row else None
        if isinstance(term, ox.NamedNode) and _IRI.fullmatch(term.value):
            seen.setdefault(term.value, None)
        if len(seen) >= MAX_SERVICE_VALUES:
            break
    values = " ".join(f"<{v}>" for v in seen)
    return _SERVICE_BLOCK.sub(
        lambda m: f"{m.group(0)} VALUES ?{variable} {{ {values} }}", query.text
    )


def routed_services(text: str) -> str:
    """The question with ``SERVICE <https://query.wikidata.org/sparql>`` sent where the operator
    points Wikidata (``RIGHTSGRAPH_WIKIDATA_ENDPOINT``: a mirror, or a loopback fixture in tests),
    as the service does for the queries it runs: one rule for every caller of :func:`run` (the
    command line, reports, tests). Raises ``InputError`` when the variable is not an http(s) URL.
    """
    endpoint = os.environ.get("RIGHTSGRAPH_WIKIDATA_ENDPOINT", "").strip()
    if not endpoint or WIKIDATA_SPARQL not in text:
        return text
    from rightsgraph.service.guard import route_services, wikidata_routes  # rdflib: only if needed

    try:
        routes = wikidata_routes(endpoint)
    except ValueError as exc:
        raise InputError(f"RIGHTSGRAPH_WIKIDATA_ENDPOINT: {exc}") from None
    return route_services(text, routes)


# -- parsing and checking ----------------------------------------------------------------------
def _header(name: str, text: str) -> dict[str, object]:
    header_lines = [ln[2:] for ln in text.splitlines() if ln.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(line.removeprefix(" ") for line in header_lines)) or {}
    except yaml.YAMLError as exc:
        raise QueryHeaderError(f"{name}: the #+ header is not YAML: {exc}") from None
    if not isinstance(header, dict):
        raise QueryHeaderError(f"{name}: the #+ header must be a mapping")
    extra = set(header) - _HEADER_KEYS
    if extra:
        raise QueryHeaderError(
            f"{name}: unknown header keys {sorted(map(str, extra))}; "
            f"known: {', '.join(sorted(_HEADER_KEYS))}"
        )
    return header


def _one_key_items(name: str, key: str, value: object) -> list[tuple[str, object]]:
    """grlc writes ``defaults`` and ``enumerate`` as lists of one-key mappings; a plain mapping is
    accepted too."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if not isinstance(value, list):
        raise QueryHeaderError(f"{name}: {key} must be a list of one-key mappings")
    out: list[tuple[str, object]] = []
    for item in value:
        if isinstance(item, str) and key == "enumerate":
            raise QueryHeaderError(
                f"{name}: enumerate {item!r} needs its values ({item}: [value, ...])"
            )
        if not isinstance(item, dict) or len(item) != 1:
            raise QueryHeaderError(f"{name}: {key} must be a list of one-key mappings")
        out.extend((str(k), v) for k, v in item.items())
    return out


def _text(name: str, key: str, value: object, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise QueryHeaderError(f"{name}: the header needs a {key} (a non-empty string)")
    return " ".join(value.split())


def _translations(name: str, value: object) -> dict[str, dict[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise QueryHeaderError(f"{name}: translations must map a language to summary/description")
    out: dict[str, dict[str, str]] = {}
    for lang, entry in value.items():
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise QueryHeaderError(f"{name}: translations: {lang!r} is not a language code")
        if not isinstance(entry, dict) or not entry or set(entry) - _TRANSLATION_KEYS:
            raise QueryHeaderError(
                f"{name}: translations.{lang} may only give summary and description"
            )
        out[lang] = {
            k: _text(name, f"translations.{lang}.{k}", v, required=True) for k, v in entry.items()
        }
    return out


def _parameters(name: str, text: str) -> dict[str, tuple[str, str, bool]]:
    """``{name: (variable, type, required)}`` for the ``?_name_type`` variables of the query."""
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    found: dict[str, tuple[str, str, bool]] = {}
    for m in _PARAM.finditer(body):
        underscores, pname, ptype = m.groups()
        variable = f"{underscores}{pname}" + (f"_{ptype}" if ptype else "")
        ptype = ptype or "string"
        if _base_type(ptype) not in _TYPES and not _LANG.match(ptype):
            raise QueryHeaderError(
                f"{name}: ?{variable} has the unknown type {ptype!r}; "
                f"use one of {', '.join(_TYPES)} or a language code"
            )
        if pname in RESERVED:
            raise QueryHeaderError(f"{name}: the parameter name {pname!r} is reserved")
        previous = found.setdefault(pname, (variable, ptype, underscores == "_"))
        if previous[0] != variable:
            raise QueryHeaderError(
                f"{name}: the parameter {pname!r} is written both ?{previous[0]} and ?{variable}"
            )
    return found


def _dummy(ptype: str) -> ox.NamedNode | ox.Literal:
    """A value of the type, to check that a query accepts its parameters."""
    kind = _base_type(ptype)
    if kind == "iri":
        return ox.NamedNode("urn:x-rightsgraph:check")
    if kind in ("integer", "decimal"):
        return ox.Literal("1", datatype=ox.NamedNode(XSD_NS + kind))
    if kind == "date":
        return ox.Literal("2000-01-01", datatype=ox.NamedNode(XSD_NS + "date"))
    if kind == "boolean":
        return ox.Literal("true", datatype=ox.NamedNode(XSD_NS + "boolean"))
    return ox.Literal("x")


def _projection(name: str, text: str, params: tuple[Parameter, ...]) -> tuple[str, ...]:
    """The answer's columns, found by running the query on an empty in-memory store with every
    parameter bound: this parses the query with the engine that will run it and proves that each
    parameter is projected (pyoxigraph refuses to bind one that is not)."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(p.variable): _dummy(p.type) for p in params
    }
    try:
        result = ox.Store().query(text, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryHeaderError(f"{name}: the query does not parse: {exc}") from None
    except RuntimeError as exc:
        raise QueryHeaderError(
            f"{name}: {exc} (every parameter must be in the SELECT clause, and in GROUP BY "
            "when the query aggregates)"
        ) from None
    if not isinstance(result, ox.QuerySolutions):
        raise QueryHeaderError(f"{name}: a named question must be a SELECT query")
    hidden = {p.variable for p in params}
    return tuple(v.value for v in result.variables if v.value not in hidden)


def parse_query(name: str, text: str) -> NamedQuery:
    """Read and check a query's header and parameters.

    Raises ``QueryHeaderError`` for an unknown header key, a missing summary, a default or an
    enumerated value that does not fit its parameter, a bad pagination, a parameter with an
    unknown type, a query that does not parse or does not project its parameters.
    """
    header = _header(name, text)
    summary = _text(name, "summary", header.get("summary"), required=True)
    description = _text(name, "description", header.get("description"))
    method = header.get("method", "GET")
    if not isinstance(method, str) or method.upper() != "GET":
        raise QueryHeaderError(f"{name}: method must be GET (named questions only read)")
    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise QueryHeaderError(f"{name}: tags must be a list of strings")
    pagination = header.get("pagination")
    if pagination is not None and (
        isinstance(pagination, bool)
        or not isinstance(pagination, int)
        or not 0 < pagination <= MAX_PAGE_SIZE
    ):
        raise QueryHeaderError(
            f"{name}: pagination must be a positive integer up to {MAX_PAGE_SIZE}"
        )
    translations = _translations(name, header.get("translations"))
    service_values = _service_values(name, header.get("service_values"), text)
    lists = _lists(name, header.get("lists"))

    found = _parameters(name, text)
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    if _BOUND_PARAMETER.search(body):
        raise QueryHeaderError(
            f"{name}: BOUND() of a parameter is always false once it is substituted; test an "
            'optional parameter with COALESCE(STR(?__name_type), "") = ""'
        )
    defaults: dict[str, str] = {}
    for key, value in _one_key_items(name, "defaults", header.get("defaults")):
        if key not in found:
            raise QueryHeaderError(f"{name}: a default for the unknown parameter {key!r}")
        if value is None or isinstance(value, dict | list):
            raise QueryHeaderError(f"{name}: the default of {key!r} must be a single value")
        defaults[key] = str(value).lower() if isinstance(value, bool) else str(value)
    enumerated: dict[str, tuple[str, ...]] = {}
    for key, values in _one_key_items(name, "enumerate", header.get("enumerate")):
        if key not in found:
            raise QueryHeaderError(f"{name}: enumerate names the unknown parameter {key!r}")
        if not isinstance(values, list) or not values:
            raise QueryHeaderError(f"{name}: enumerate {key!r} needs a non-empty list of values")
        enumerated[key] = tuple(
            iri.rebase(str(v).lower() if isinstance(v, bool) else str(v)) for v in values
        )

    params: list[Parameter] = []
    for pname, (variable, ptype, required) in found.items():
        default = defaults.get(pname)
        param = Parameter(
            name=pname,
            variable=variable,
            type=ptype,
            required=required,
            default=iri.rebase(default) if default is not None else None,
            enumerate=enumerated.get(pname, ()),
        )
        unchecked = Parameter(name=pname, variable=variable, type=ptype, required=required)
        for value in param.enumerate:
            try:
                unchecked.bind(value)
            except ParameterError as exc:
                raise QueryHeaderError(f"{name}: enumerate: {exc}") from None
        if param.default is not None:
            try:
                param.bind(param.default)
            except ParameterError as exc:
                raise QueryHeaderError(f"{name}: defaults: {exc}") from None
        params.append(param)

    rebased = iri.rebase(text)
    parameters = tuple(params)
    variables = _projection(name, rebased, parameters)
    unknown_lists = sorted(set(lists) - set(variables))
    if unknown_lists:
        raise QueryHeaderError(
            f"{name}: lists names columns the query does not give: {', '.join(unknown_lists)}"
        )
    return NamedQuery(
        name=name,
        text=rebased,
        summary=summary,
        description=description,
        tags=tuple(t.strip() for t in tags),
        defaults={p.name: p.default for p in parameters if p.default is not None},
        enumerate={p.name: p.enumerate for p in parameters if p.enumerate},
        pagination=pagination,
        parameters=parameters,
        variables=variables,
        translations=translations,
        service_values=service_values,
        lists=lists,
    )


def _lists(name: str, value: object) -> dict[str, str]:
    """``lists: {column: separator}``, checked: variable names and non-empty separators."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and _VARIABLE.match(k) and isinstance(v, str) and v
        for k, v in value.items()
    ):
        raise QueryHeaderError(
            f"{name}: lists must map column names to their non-empty GROUP_CONCAT separators"
        )
    return dict(value)


def _service_values(name: str, value: object, text: str) -> tuple[str, str] | None:
    """``service_values: {variable: item, query: "SELECT ?item WHERE {...}"}``, checked."""
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or set(value) != {"variable", "query"}
        or not isinstance(value["variable"], str)
        or not _VARIABLE.match(value["variable"])
        or not isinstance(value["query"], str)
    ):
        raise QueryHeaderError(
            f"{name}: service_values needs a variable name and a local SELECT query"
        )
    if not _SERVICE_BLOCK.search(text):
        raise QueryHeaderError(f"{name}: service_values without a Wikidata SERVICE block")
    local = iri.rebase(value["query"])
    try:
        answer = ox.Store().query(local)  # parses it; on an empty store nothing is evaluated
    except SyntaxError as exc:
        raise QueryHeaderError(f"{name}: service_values query: {exc}") from None
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryHeaderError(f"{name}: service_values query must be a SELECT")
    return value["variable"], local


@lru_cache(maxsize=1)
def catalog() -> dict[str, NamedQuery]:
    """Every packaged named query by name (its file stem), parsed and checked once.

    Raises ``QueryHeaderError`` for the first malformed one.
    """
    out: dict[str, NamedQuery] = {}
    for relative, _ in iter_files("queries", "", ".rq"):
        stem = relative.rsplit("/", 1)[-1].removesuffix(".rq")
        out[stem] = parse_query(stem, read_text("queries", relative))
    return out


def get(name: str) -> NamedQuery:
    """One named query. Raises ``NotFoundError`` with the known names."""
    try:
        return catalog()[name]
    except KeyError:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise NotFoundError(
            f"no named query {shown!r}; known: {', '.join(sorted(catalog()))}"
        ) from None


# -- the catalogue as RDF ----------------------------------------------------------------------
def query_iri(name: str) -> str:
    """The IRI of a named question: ``rgid:query/{name}``."""
    return iri.entity(f"query/{name}")


def _rdf_term(term: ox.NamedNode | ox.Literal) -> URIRef | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_NS + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def catalog_graph(
    queries: Mapping[str, NamedQuery] | None = None, *, service_url: str | None = None
) -> Graph:
    """The named questions as RDF, in the manner of sib-swiss/sparql-examples.

    Each question is an ``sh:SPARQLExecutable`` and ``sh:SPARQLSelectExecutable`` with its text in
    ``sh:select``, ``rdfs:label`` (summary) and ``rdfs:comment`` (description) in en, fr and es,
    ``dcterms:subject`` for each tag and one ``sh:parameter`` per parameter (``sh:name``,
    ``sh:optional``, ``sh:datatype`` or ``sh:nodeKind sh:IRI``, ``sh:defaultValue``, ``sh:in``).
    With ``service_url`` (the service's root URL), ``schema:target`` names its SPARQL endpoint
    and ``rdfs:seeAlso`` the URL that answers the question.
    """
    queries = catalog() if queries is None else queries
    g = Graph()
    bind_prefixes(g)
    g.bind("sh", SH)
    for name, q in sorted(queries.items()):
        node = URIRef(query_iri(name))
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, SH.SPARQLSelectExecutable))
        g.add((node, DCTERMS.identifier, Literal(name)))
        g.add((node, SH.select, Literal(q.text)))
        for lang in LANGUAGES:
            g.add((node, RDFS.label, Literal(q.summary_in(lang), lang=lang)))
            if q.description_in(lang):
                g.add((node, RDFS.comment, Literal(q.description_in(lang), lang=lang)))
        for tag in q.tags:
            g.add((node, DCTERMS.subject, Literal(tag)))
        if service_url:
            root = service_url.rstrip("/")
            g.add((node, SCHEMA.target, URIRef(f"{root}/sparql")))
            g.add((node, RDFS.seeAlso, URIRef(f"{root}/api/queries/{name}")))
        for p in q.parameters:
            pnode = BNode()
            g.add((node, SH.parameter, pnode))
            g.add((pnode, RDF.type, SH.Parameter))
            g.add((pnode, SH.path, URIRef(f"{query_iri(name)}/parameter/{p.name}")))
            g.add((pnode, SH.name, Literal(p.name)))
            g.add((pnode, SH.optional, Literal(not p.required)))
            kind = _base_type(p.type)
            if kind == "iri":
                g.add((pnode, SH.nodeKind, SH.IRI))
            elif _TYPES.get(kind):
                g.add((pnode, SH.datatype, XSD[str(_TYPES[kind])]))
            elif _LANG.match(kind) and kind not in _TYPES:
                g.add((pnode, SH.languageIn, _rdf_list(g, [Literal(kind)])))
            else:
                g.add((pnode, SH.datatype, XSD.string))
            if p.default is not None:
                g.add((pnode, SH.defaultValue, _rdf_term(p.bind(p.default))))
            if p.enumerate:
                g.add((pnode, SH["in"], _rdf_list(g, [_rdf_term(p.bind(v)) for v in p.enumerate])))
    return g


def _rdf_list(g: Graph, items: list[URIRef | Literal]) -> BNode:
    head = BNode()
    Collection(g, head, list(items))
    return head


def is_language_tag(value: str) -> bool:
    """True for a BCP 47-shaped tag (``en``, ``fr-CA``): what the service accepts as ``lang``."""
    return bool(_LANG_TAG.match(value))
