"""Named questions: one ``.rq`` file per question, grlc-style.

Metadata lives in ``#+`` YAML comment lines at the top, so every file stays valid SPARQL::

    #+ summary: Initiatives that address a rights category
    #+ tags: [initiatives]
    #+ defaults:
    #+   - category: https://w3id.org/rightsgraph/vocab/rights/housing

Parameters are variables named ``?_name_type`` (required) or ``?__name_type`` (optional). Values
are bound as typed RDF terms through the store (``substitutions`` on pyoxigraph, a ``VALUES``
block on a remote endpoint), never pasted into the query text. pyoxigraph binds only projected
variables, so a parameter is always in the SELECT clause (and in GROUP BY for aggregates);
``run`` drops those constant columns from the answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox
import yaml

from rightsgraph import iri
from rightsgraph.errors import InputError, NotFoundError, RightsGraphError
from rightsgraph.resources import iter_files, read_text
from rightsgraph.store.base import QueryResult, SelectResult, Store

XSD = "http://www.w3.org/2001/XMLSchema#"
_PARAM = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9]*)(?:_([A-Za-z][A-Za-z0-9_]*))?\b")
_HEADER_KEYS = {"summary", "description", "tags", "defaults", "enumerate", "pagination", "method"}
_LANG = re.compile(r"^[a-z]{2,3}$")


class QueryHeaderError(RightsGraphError):
    """A packaged query's ``#+`` header is malformed: a bug in the package, caught by the tests."""


@dataclass(frozen=True)
class Parameter:
    name: str
    variable: str
    type: str
    required: bool

    def bind(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The typed RDF term for a raw string value.

        Raises ``InputError`` when the value does not fit the declared type.
        """
        value = raw.strip()
        try:
            if self.type == "iri":
                if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
                    raise ValueError("not an absolute IRI")
                return ox.NamedNode(value)
            if self.type in ("integer", "xsd_integer"):
                return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
            if self.type in ("decimal", "xsd_decimal"):
                return ox.Literal(str(Decimal(value)), datatype=ox.NamedNode(XSD + "decimal"))
            if self.type in ("date", "xsd_date"):
                return ox.Literal(
                    date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD + "date")
                )
            if self.type in ("boolean", "xsd_boolean"):
                if value.lower() not in ("true", "false"):
                    raise ValueError("not true or false")
                return ox.Literal(value.lower(), datatype=ox.NamedNode(XSD + "boolean"))
            if _LANG.match(self.type):
                return ox.Literal(value, language=self.type)
            return ox.Literal(value)
        except (ValueError, InvalidOperation) as exc:
            raise InputError(
                f"parameter {self.name!r} expects {self.type}, got {raw!r} ({exc})"
            ) from None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    enumerate: tuple[str, ...] = ()
    pagination: int | None = None
    parameters: tuple[Parameter, ...] = ()

    def bindings(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for the given raw values, defaults filled in, required ones checked.

        Raises ``InputError`` for a missing required or an unknown parameter.
        """
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(
                f"unknown parameter(s) {', '.join(unknown)} for {self.name}; "
                f"known: {', '.join(known) or 'none'}"
            )
        out: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.parameters:
            raw = values.get(p.name, self.defaults.get(p.name))
            if raw is None:
                if p.required:
                    raise InputError(f"{self.name} needs the parameter {p.name!r} ({p.type})")
                continue
            out[p.variable] = p.bind(iri.rebase(str(raw)))
        return out


def run(store: Store, query: NamedQuery, values: Mapping[str, str]) -> QueryResult:
    """Run a named query with typed parameters; parameter columns are left out of the answer.

    Raises ``InputError`` for missing, unknown or ill-typed parameters.
    """
    bindings = query.bindings(values)
    result = store.query(query.text, substitutions=bindings)
    if not isinstance(result, SelectResult):
        return result
    hidden = {p.variable for p in query.parameters}
    keep = [i for i, v in enumerate(result.variables) if v not in hidden]
    if len(keep) == len(result.variables):
        return result
    rows = result.rows
    return SelectResult(
        variables=[result.variables[i] for i in keep],
        rows=(tuple(row[i] for i in keep) for row in rows),
    )


def parse_query(name: str, text: str) -> NamedQuery:
    """Read a query's header and parameters. Raises ``QueryHeaderError`` for a bad header."""
    header_lines = [ln[2:] for ln in text.splitlines() if ln.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(line.removeprefix(" ") for line in header_lines)) or {}
    except yaml.YAMLError as exc:
        raise QueryHeaderError(f"{name}: the #+ header is not YAML: {exc}") from None
    if not isinstance(header, dict):
        raise QueryHeaderError(f"{name}: the #+ header must be a mapping")
    extra = set(header) - _HEADER_KEYS
    if extra:
        raise QueryHeaderError(f"{name}: unknown header keys {sorted(extra)}")
    if not isinstance(header.get("summary"), str) or not header["summary"].strip():
        raise QueryHeaderError(f"{name}: the header needs a summary")
    defaults: dict[str, str] = {}
    for item in header.get("defaults") or []:
        if not isinstance(item, dict):
            raise QueryHeaderError(f"{name}: defaults must be a list of one-key mappings")
        defaults.update({str(k): str(v) for k, v in item.items()})
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    params: dict[str, Parameter] = {}
    for m in _PARAM.finditer(body):
        underscores, pname, ptype = m.groups()
        variable = f"{underscores}{pname}" + (f"_{ptype}" if ptype else "")
        params.setdefault(
            pname,
            Parameter(
                name=pname, variable=variable, type=ptype or "string", required=underscores == "_"
            ),
        )
    unknown_defaults = set(defaults) - set(params)
    if unknown_defaults:
        raise QueryHeaderError(
            f"{name}: defaults for unknown parameters {sorted(unknown_defaults)}"
        )
    pagination = header.get("pagination")
    if pagination is not None and (not isinstance(pagination, int) or pagination <= 0):
        raise QueryHeaderError(f"{name}: pagination must be a positive integer")
    return NamedQuery(
        name=name,
        text=iri.rebase(text),
        summary=header["summary"].strip(),
        description=str(header.get("description") or "").strip(),
        tags=tuple(header.get("tags") or ()),
        defaults=defaults,
        enumerate=tuple(header.get("enumerate") or ()),
        pagination=pagination,
        parameters=tuple(params.values()),
    )


@lru_cache(maxsize=1)
def catalog() -> dict[str, NamedQuery]:
    """Every packaged named query by name (its file stem), parsed once."""
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
        raise NotFoundError(
            f"no named query {name!r}; known: {', '.join(sorted(catalog()))}"
        ) from None
