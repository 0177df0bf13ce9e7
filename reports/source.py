"""Where the report's SPARQL runs: the embedded store or a remote SPARQL 1.1 endpoint.

The analysis only needs ``select(sparql)`` (rows of Python values) and ``revision()`` (the data
version the figures come from), so one small protocol, :class:`Source`, hides the backend. Both
implementations turn RDF terms into the same Python values (:func:`python_value` for pyoxigraph
terms, :func:`json_value` for SPARQL JSON results), so a report built on the embedded store and
one built through HTTP on the same data are equal, table for table.

- :class:`StoreSource` wraps anything with ``query(sparql)`` and ``revision()``: a
  :class:`rightsgraph.store.base.Store` or the service's ``QueryEngine`` (whose deadlines and row
  caps then apply).
- :class:`EndpointSource` asks a SPARQL 1.1 endpoint (ours at ``/sparql``, Virtuoso, ...) with
  SPARQLWrapper: POST (form-encoded), JSON results, a timeout, and errors mapped onto the
  project's exceptions.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from rightsgraph import iri
from rightsgraph.errors import (
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
)
from rightsgraph.store.base import QueryResult, SelectResult

#: A cell: integers and decimals as numbers, booleans as bool, IRIs and other literals as their
#: string (dates keep their lexical form), unbound as None.
Value = int | float | bool | str | None
Row = dict[str, Value]

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: xsd:integer and every datatype derived from it: Virtuoso answers COUNT with xsd:int,
#: pyoxigraph with xsd:integer; both become int.
_INTEGERS = frozenset(
    _XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
)
_DECIMALS = frozenset(_XSD + name for name in ("decimal", "double", "float"))
_BOOLEAN = _XSD + "boolean"


@runtime_checkable
class Source(Protocol):
    """What the analysis asks of a backend.

    ``select`` runs a SELECT and returns every row (the report's queries aggregate, so answers
    are small) with one key per projected variable; it raises ``QuerySyntaxError``,
    ``QueryEvaluationError``, ``QueryTimeoutError`` or ``StoreError``. ``revision`` is the data
    version of the answers (0 when the backend cannot tell).
    """

    def select(self, sparql: str) -> list[Row]: ...

    def revision(self) -> int: ...


def _literal_value(lexical: str, datatype: str | None) -> Value:
    """The Python value of a literal; a malformed number stays a string rather than failing."""
    try:
        if datatype in _INTEGERS:
            return int(lexical)
        if datatype in _DECIMALS:
            return float(lexical)
    except ValueError:
        return lexical
    if datatype == _BOOLEAN:
        return lexical.strip() in ("true", "1")
    return lexical


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Value:
    """A pyoxigraph term as a Python value (see :data:`Value`).

    >>> python_value(ox.Literal("3", datatype=ox.NamedNode(_XSD + "integer")))
    3
    >>> python_value(ox.NamedNode("https://example.org/a"))
    'https://example.org/a'
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return _literal_value(term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def json_value(binding: Mapping[str, Any] | None) -> Value:
    """One binding of a SPARQL 1.1 JSON result as a Python value, as :func:`python_value` does
    for the same term (``typed-literal`` is the old form some Virtuoso versions send).

    >>> json_value({"type": "literal", "value": "2.50", "datatype": _XSD + "decimal"})
    2.5
    """
    if binding is None:
        return None
    kind = binding.get("type")
    value = str(binding.get("value", ""))
    if kind in ("literal", "typed-literal"):
        datatype = binding.get("datatype")
        return _literal_value(value, str(datatype) if datatype else None)
    if kind == "bnode":
        return "_:" + value
    return value


def rows_from_result(result: QueryResult) -> list[Row]:
    """The rows of a store's SELECT result as dicts. Raises ``QuerySyntaxError`` when the
    query was not a SELECT and ``QueryEvaluationError`` when the answer was cut at a row cap (a
    report must never show a partial figure)."""
    if not isinstance(result, SelectResult):
        raise QuerySyntaxError("a SELECT query was expected")
    names = list(result.variables)
    rows = [
        {name: python_value(term) for name, term in zip(names, row, strict=True)}
        for row in result.rows
    ]
    if result.capped:
        raise QueryEvaluationError(
            f"a report query gave more than {len(rows)} rows and was cut short; "
            "narrow the report with filters"
        )
    return rows


class _Queryable(Protocol):
    def query(self, sparql: str) -> QueryResult: ...

    def revision(self) -> int: ...


class StoreSource:
    """The embedded store (or the service's ``QueryEngine``) as a :class:`Source`."""

    def __init__(self, store: _Queryable) -> None:
        self.store = store

    def select(self, sparql: str) -> list[Row]:
        """Run a SELECT on the store. Raises what the store raises (``QuerySyntaxError``,
        ``QueryEvaluationError``, ``QueryTimeoutError``, ``StoreError``)."""
        return rows_from_result(self.store.query(sparql))

    def revision(self) -> int:
        return int(self.store.revision())


def store_source(store: _Queryable) -> StoreSource:
    """A :class:`StoreSource` over ``store`` (an open store or a ``QueryEngine``)."""
    return StoreSource(store)


class EndpointSource:
    """A remote SPARQL 1.1 endpoint as a :class:`Source`, through SPARQLWrapper.

    Queries go by POST (``application/x-www-form-urlencoded``, so long queries fit) and ask for
    ``application/sparql-results+json`` by content negotiation only (no ``format=`` parameter,
    which some endpoints refuse). ``timeout`` bounds each request in seconds.
    """

    def __init__(
        self, url: str, *, timeout: float = 120.0, agent: str = "rightsgraph-reports"
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise StoreError(f"not an HTTP(S) SPARQL endpoint: {url!r}")
        self.url = url
        self.timeout = max(1, round(timeout))
        self.agent = agent

    def _wrapper(self, sparql: str) -> Any:
        from SPARQLWrapper import JSON, POST, URLENCODED, SPARQLWrapper

        wrapper = SPARQLWrapper(self.url, agent=self.agent)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setReturnFormat(JSON)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(self.timeout)
        wrapper.setQuery(sparql)
        return wrapper

    def _json(self, sparql: str) -> dict[str, Any]:
        """The endpoint's JSON answer. Raises ``QuerySyntaxError`` (HTTP 400),
        ``QueryTimeoutError`` (no answer within the timeout, or the endpoint's own deadline),
        ``QueryEvaluationError`` (HTTP 500) or ``StoreError`` (unreachable, not found, refused,
        not JSON)."""
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError,
            EndPointNotFound,
            QueryBadFormed,
            SPARQLWrapperException,
            Unauthorized,
            URITooLong,
        )

        where = f"the SPARQL endpoint {self.url}"
        try:
            answer = self._wrapper(sparql).query().convert()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(f"{where} refused the query: {_short(exc)}") from None
        except EndPointInternalError as exc:
            raise QueryEvaluationError(f"{where} failed on the query: {_short(exc)}") from None
        except (EndPointNotFound, Unauthorized, URITooLong) as exc:
            raise StoreError(f"{where} refused the request: {_short(exc)}") from None
        except SPARQLWrapperException as exc:
            raise StoreError(f"{where} answered with an error: {_short(exc)}") from None
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")[:300]
            if exc.code in (503, 504) and "timeout" in body.lower():
                raise QueryTimeoutError(f"{where} stopped the query at its deadline") from None
            raise StoreError(f"{where} answered HTTP {exc.code}: {body}") from None
        except TimeoutError:
            raise QueryTimeoutError(f"{where} did not answer within {self.timeout} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeoutError(
                    f"{where} did not answer within {self.timeout} s"
                ) from None
            raise StoreError(f"cannot reach {where}: {exc.reason}") from None
        except (ValueError, json.JSONDecodeError) as exc:
            raise StoreError(f"{where} did not answer with SPARQL JSON results: {exc}") from None
        except OSError as exc:
            raise StoreError(f"cannot reach {where}: {exc}") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), dict):
            raise StoreError(f"{where} did not answer with SPARQL JSON results")
        return answer

    def select(self, sparql: str) -> list[Row]:
        """Run a SELECT on the endpoint; every projected variable is a key of every row."""
        answer = self._json(sparql)
        names: Sequence[str] = answer.get("head", {}).get("vars", [])
        bindings = answer["results"].get("bindings", [])
        return [{name: json_value(b.get(name)) for name in names} for b in bindings]

    def revision(self) -> int:
        """The store revision our own server keeps in ``rgg:system`` (0 when the endpoint
        has none, as any other endpoint)."""
        system = iri.graph("system")
        rows = self.select(
            f"SELECT ?v WHERE {{ GRAPH <{system}> {{ <{system}> "
            "<https://schema.org/version> ?v } }"
        )
        value = rows[0]["v"] if rows else None
        return value if isinstance(value, int) else 0


def endpoint_source(url: str, *, timeout: float = 120.0) -> EndpointSource:
    """An :class:`EndpointSource` for the SPARQL endpoint at ``url``. Raises ``StoreError``
    when ``url`` is not an HTTP(S) address."""
    return EndpointSource(url, timeout=timeout)


def _short(exc: Exception) -> str:
    """An endpoint's error message on one line, not too long."""
    text = " ".join(str(exc).split())
    return text[:300]
