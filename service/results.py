"""Serialising query results: SPARQL 1.1 JSON, CSV and TSV result formats, and a text table.

Each writer consumes rows as they come, so an answer is never held twice in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from rightsgraph.store.base import SelectResult, Term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def term_json(term: Term) -> dict[str, str]:
    """One RDF term in the SPARQL 1.1 JSON results shape."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def iter_json(result: SelectResult) -> Iterator[str]:
    """SPARQL 1.1 Query Results JSON, in chunks."""
    yield '{"head":{"vars":' + json.dumps(result.variables) + '},"results":{"bindings":['
    first = True
    for row in result.rows:
        binding = {
            v: term_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None
        }
        yield ("" if first else ",") + json.dumps(binding, ensure_ascii=False)
        first = False
    yield "]}}"


def boolean_json(value: bool) -> str:
    return json.dumps({"head": {}, "boolean": value})


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _tsv_value(term: Term | None) -> str:
    return "" if term is None else str(term)


def iter_delimited(result: SelectResult, *, tsv: bool = False) -> Iterator[str]:
    """SPARQL 1.1 CSV (plain values) or TSV (terms in Turtle/N-Triples syntax)."""
    if tsv:
        yield "\t".join("?" + v for v in result.variables) + "\n"
        for row in result.rows:
            yield "\t".join(_tsv_value(t) for t in row) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(t) for t in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def shorten(value: str, prefixes: dict[str, str]) -> str:
    """``rg:Territory`` for a full IRI when a known prefix matches, for people reading a table."""
    best = max((ns for ns in prefixes.values() if value.startswith(ns)), key=len, default=None)
    if best is None:
        return value
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{value[len(best) :]}"


def table(result: SelectResult, *, prefixes: dict[str, str], max_width: int = 60) -> Iterable[str]:
    """An aligned text table; needs the whole answer to size columns (for terminals only)."""
    rows = [
        [
            ""
            if t is None
            else shorten(t.value, prefixes)
            if isinstance(t, ox.NamedNode)
            else t.value
            for t in row
        ]
        for row in result.rows
    ]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    yield "  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip()
    yield "  ".join("-" * w for w in widths)
    for r in cells:
        yield "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
    yield f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
