"""Ontology and vocabulary quality checks, in the manner of the Ontology Development Kit.

Each check is one packaged SPARQL ``SELECT`` query, ``ontology/checks/<name>-violation.rq``, whose
rows are violations: a healthy graph returns none. The query starts with a comment header that
carries the check's metadata as data, so that a report can sort and filter on it::

    # description: What the rows mean, possibly continued on
    #   indented comment lines.
    # severity: error

Checks are plain queries, so any SPARQL store can run them; :func:`run_checks` runs them on an
embedded pyoxigraph store, by default over the union of all its graphs, which is how the packaged
ontology, vocabularies, seed and example data are loaded (:func:`load_packaged`).

>>> import pyoxigraph
>>> store = pyoxigraph.Store()
>>> load_packaged(store)
>>> {name: rows for name, rows in run_checks(store).items() if rows}
{}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph

from rightsgraph import iri
from rightsgraph.errors import QuerySyntaxError
from rightsgraph.resources import iter_files, read_text

__all__ = ["SEVERITIES", "Check", "load_packaged", "packaged_checks", "run_check", "run_checks"]

#: Severities a check header may declare, most serious first.
SEVERITIES = ("error", "warning", "info")

_SUFFIX = "-violation.rq"
_HEADER_KEY = re.compile(r"^#\s*([a-z][a-z-]*):\s*(.*)$")
_HEADER_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")


@dataclass(frozen=True)
class Check:
    """One quality check: its name (the file stem without ``-violation``), header and query text."""

    name: str
    description: str
    severity: str
    query: str


def parse_check(name: str, text: str) -> Check:
    """Read a check's header and keep its query text.

    Raises :class:`~rightsgraph.errors.QuerySyntaxError` when the header lacks a ``description`` or
    a known ``severity``: a check whose metadata cannot be read must fail loudly, not be skipped.
    """
    fields: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key = _HEADER_KEY.match(line)
        more = _HEADER_CONTINUATION.match(line)
        if key:
            last = key.group(1)
            fields[last] = key.group(2).strip()
        elif more and last is not None:
            fields[last] = f"{fields[last]} {more.group(1).strip()}".strip()
    description = fields.get("description", "")
    severity = fields.get("severity", "")
    if not description:
        raise QuerySyntaxError(f"check {name!r}: the header has no '# description:' line")
    if severity not in SEVERITIES:
        expected = ", ".join(SEVERITIES)
        raise QuerySyntaxError(
            f"check {name!r}: '# severity:' is {severity!r}, expected one of {expected}"
        )
    return Check(name=name, description=description, severity=severity, query=text)


def packaged_checks() -> list[Check]:
    """Every packaged check, sorted by name, with IRIs rewritten to the configured base.

    Raises :class:`~rightsgraph.errors.QuerySyntaxError` for a check with an unreadable header.
    """
    checks = []
    for relative, _file in iter_files("ontology", "checks", _SUFFIX):
        name = relative.rsplit("/", 1)[-1].removesuffix(_SUFFIX)
        checks.append(parse_check(name, iri.rebase(read_text("ontology", relative))))
    return checks


def _text(term: object) -> str:
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def run_check(store: pyoxigraph.Store, check: Check, *, union: bool = True) -> list[dict[str, str]]:
    """The rows ``check`` returns on ``store``: one dict per row, variable name -> term value.

    Unbound variables are left out of a row. With ``union`` the query's default graph is the union
    of every graph in the store; without it, only the store's default graph.

    Raises :class:`~rightsgraph.errors.QuerySyntaxError` if the query does not parse, and
    ``OSError`` if the store cannot be read.
    """
    try:
        solutions = store.query(check.query, use_default_graph_as_union=union)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"check {check.name!r}: {exc}") from exc
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise QuerySyntaxError(f"check {check.name!r} is not a SELECT query")
    names = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = _text(term)
        rows.append(row)
    return rows


def run_checks(
    store: pyoxigraph.Store,
    *,
    union: bool = True,
    checks: Iterable[Check] | None = None,
) -> dict[str, list[dict[str, str]]]:
    """Run every packaged check (or ``checks``) on ``store``: check name -> offending rows.

    Every check appears in the answer, with an empty list when it passes. Raises what
    :func:`packaged_checks` and :func:`run_check` raise.
    """
    selected = packaged_checks() if checks is None else list(checks)
    return {check.name: run_check(store, check, union=union) for check in selected}


def load_packaged(store: pyoxigraph.Store, *, example: bool = True) -> None:
    """Load the packaged ontology, vocabularies and seed data (and, with ``example``, the example
    dataset) into their named graphs, rebased to the configured base IRI, as ``init`` reads them.

    Raises ``SyntaxError`` if a packaged file does not parse and ``OSError`` if the store cannot be
    written.
    """
    from rightsgraph.loaders.packaged import packaged_quads

    for quads in packaged_quads(example=example).values():
        store.extend(quads)
