"""The report's filters as SPARQL: checked codes in, graph patterns out.

A :class:`~rightsgraph.reports.model.Filters` becomes two graph patterns:

- the **initiative base**: the initiatives the figures count (the subjects of ``rg:ledBy``, whose
  domain is ``rg:Initiative``) with the territory that leads each, restricted by every filter:
  the territory's UCLG region (``rg:uclgRegion``), country (``rg:countryCode``), the territory
  itself, its campaign wave (its membership's ``rg:inWave/rg:waveNumber``), the initiative's
  rights category and group (a code includes its narrower concepts, through ``skos:broader*``),
  instrument (``rg:implementsInstrument``), start year (the year of ``schema:startDate``,
  inclusive), and example data (``rg:isExample true``, on the initiative or its territory);
- the **territory scope**: the territories (``rg:Territory``) that the territory filters keep
  (region, country, territory, wave, examples), with or without an initiative.

User text never reaches the query text. Every code is checked against a strict pattern first
(:func:`checked`, which raises ``InputError``), then turned into an IRI under the configured base
(or a string or integer literal) and written with pyoxigraph's own N-Triples serialisation of the
term, so even an unchecked value could not break out of its ``VALUES`` block.

How the patterns are built, and why
- Standard SPARQL 1.1 only (``VALUES``, ``MINUS``, ``OPTIONAL``, simple ``SELECT`` sub-queries):
  the same text runs on pyoxigraph and on Virtuoso 7 (``tests/test_report_analysis.py`` compares
  the two). A rights or group filter lists the concepts asked *and their narrower ones*
  (found beforehand with ``skos:broader*``, see :meth:`Scope.expand`) in a ``VALUES`` block:
  Virtuoso mis-evaluates a property path inside nested sub-queries.
- Every block is a ``VALUES`` table or a sub-query of one triple pattern: pyoxigraph joins
  sub-queries by hash, whereas a plain basic graph pattern is joined by a lookup per row, about
  ten times slower on a disk store at 100,000 initiatives.

Query templates (``reports/sparql/*.rq``) mark where the patterns go with one comment line each,
so that the files stay valid SPARQL:

- ``#@initiatives ?i ?t``: the rows (initiative ``?i``, its territory ``?t``) of the base;
- ``#@restrict ?i``: keep only initiatives of the base (nothing when no filter is set: every
  initiative is in the base);
- ``#@territories ?t``: the territories in scope;
- ``#@led ?i ?t`` and ``#@restrict-initiatives ?i``: like ``#@initiatives`` and ``#@restrict``
  without the territory filters, for initiatives joined to the territories in scope anyway;
- ``#@values ?x name`` and ``#@ranks ?x ?rank``: a ``VALUES`` table the report supplies (the
  headline themes; groups numbered for the triples).

Without any filter the queries that only need the initiatives skip the restriction altogether:
the subjects of ``rg:targetsGroup`` and ``rg:addressesRight`` are initiatives (their domain),
each led by exactly one territory (``shapes/initiative.ttl``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from rightsgraph import iri
from rightsgraph.errors import InputError
from rightsgraph.reports.model import Filters
from rightsgraph.resources import read_text

#: A vocabulary code: lower-case letters and digits in dash-separated runs (``docs/model.md``).
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: ISO 3166-1 alpha-2, upper case once normalised.
COUNTRY = re.compile(r"^[A-Z]{2}$")
#: A territory key ``{cc}-{slug}``, or ``example/{cc}-{slug}`` for example data.
TERRITORY_KEY = re.compile(r"^(?:example/)?[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
#: At most this many values per list filter: a report filter is a choice, not a data dump.
MAX_VALUES = 200
#: Years the period filter accepts.
YEARS = range(1000, 10000)


def _check_codes(name: str, values: Iterable[str], pattern: re.Pattern[str], hint: str) -> None:
    values = tuple(values)
    if len(values) > MAX_VALUES:
        raise InputError(f"{name}: at most {MAX_VALUES} values, not {len(values)}")
    for value in values:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise InputError(f"{name}: {value!r} is not {hint}")


def territory_key(value: str) -> str:
    """The key of a territory given by key (``es-barcelona``, ``example/xx-name``) or by IRI
    (``rgid:territory/es-barcelona``). Raises ``InputError`` for anything else."""
    prefix = iri.entity("territory/")
    key = value[len(prefix) :] if value.startswith(prefix) else value
    if not TERRITORY_KEY.fullmatch(key):
        raise InputError(
            f"territory: {value!r} is neither a territory key like es-barcelona nor the IRI of "
            "a territory"
        )
    return key


def checked(filters: Filters) -> Filters:
    """``filters`` validated and normalised (country codes upper case, territories as keys,
    duplicates dropped, order kept). Raises ``InputError`` naming the filter at fault: a code that
    does not match its pattern, too many values, a year out of range, a period that ends before it
    starts, a wave number below 1."""
    code = "a code (lower-case letters and digits separated by -)"
    _check_codes("region", filters.regions, CODE, code + ", e.g. europe")
    _check_codes("category", filters.categories, CODE, code + ", e.g. housing")
    _check_codes("group", filters.groups, CODE, code + ", e.g. migrants")
    _check_codes("instrument", filters.instruments, CODE, code + ", e.g. crpd")
    countries = tuple(c.upper() if isinstance(c, str) else c for c in filters.countries)
    _check_codes("country", countries, COUNTRY, "an ISO 3166-1 alpha-2 code such as ES")
    if len(filters.territories) > MAX_VALUES:
        raise InputError(f"territory: at most {MAX_VALUES} values")
    territories = tuple(territory_key(str(t)) for t in filters.territories)
    for name, year in (("year from", filters.year_from), ("year to", filters.year_to)):
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or year not in YEARS
        ):
            raise InputError(f"{name}: {year!r} is not a year")
    if (
        filters.year_from is not None
        and filters.year_to is not None
        and filters.year_from > filters.year_to
    ):
        raise InputError(
            f"the period starts in {filters.year_from}, after its end in {filters.year_to}"
        )
    if len(filters.waves) > MAX_VALUES:
        raise InputError(f"wave: at most {MAX_VALUES} values")
    for wave in filters.waves:
        if isinstance(wave, bool) or not isinstance(wave, int) or wave < 1:
            raise InputError(f"wave: {wave!r} is not a wave number (1, 2, 3...)")
    return dataclasses.replace(
        filters,
        regions=_distinct(filters.regions),
        countries=_distinct(countries),
        territories=_distinct(territories),
        categories=_distinct(filters.categories),
        groups=_distinct(filters.groups),
        instruments=_distinct(filters.instruments),
        waves=tuple(dict.fromkeys(filters.waves)),
    )


def _distinct(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# -------------------------------------------------------------------------------------------------
# Terms
# -------------------------------------------------------------------------------------------------


def region_iri(code: str) -> str:
    return iri.vocab(f"uclg-regions/{code}")


def category_iri(code: str) -> str:
    return iri.vocab(f"rights/{code}")


def group_iri(code: str) -> str:
    return iri.vocab(f"groups/{code}")


def instrument_iri(code: str) -> str:
    return iri.vocab(f"instruments/{code}")


def country_iri(code: str) -> str:
    return iri.vocab(f"countries/{code}")


def term(value: str | int) -> str:
    """An IRI (a str that is an absolute IRI), a string or an integer written as SPARQL, by
    pyoxigraph's serialiser (which escapes whatever needs escaping)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a report term")
    if isinstance(value, int):
        return str(value)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        return str(ox.NamedNode(value))
    return str(ox.Literal(value))


def values_block(variable: str, items: Iterable[str | int]) -> str:
    """``VALUES ?v { ... }`` with every item written by :func:`term`."""
    return f"VALUES {variable} {{ {' '.join(term(i) for i in items)} }}"


# -------------------------------------------------------------------------------------------------
# Patterns
# -------------------------------------------------------------------------------------------------


_VARIABLE = re.compile(r"^\?[A-Za-z_][A-Za-z0-9_]*$")


def _var(name: str) -> str:
    if not _VARIABLE.fullmatch(name):
        raise ValueError(f"not a SPARQL variable name: {name!r}")
    return name


class Scope:
    """Checked filters and the graph patterns they give. Build it with :func:`scope`."""

    def __init__(self, filters: Filters) -> None:
        self.filters = checked(filters)
        #: Each concept asked (category or group IRI) with itself and its narrower concepts,
        #: completed by :meth:`expand` (the report asks the store with ``skos:broader*`` and
        #: the base lists them in a ``VALUES`` block: Virtuoso 7 mis-evaluates a property path
        #: inside nested sub-queries, and a short list joins faster than a path anyway).
        self.narrower: dict[str, tuple[str, ...]] = {
            c: (c,)
            for c in [*map(category_iri, self.filters.categories),
                      *map(group_iri, self.filters.groups)]
        }

    # -- what is set ------------------------------------------------------------------------
    @property
    def territory_filtered(self) -> bool:
        f = self.filters
        return bool(f.regions or f.countries or f.territories or f.waves) or not f.include_examples

    @property
    def initiative_filtered(self) -> bool:
        return self.only_initiative_filtered or self.territory_filtered

    @property
    def only_initiative_filtered(self) -> bool:
        """Whether a filter on the initiatives themselves is set (rights, groups, instruments,
        period, examples), territory filters aside."""
        f = self.filters
        return (
            bool(f.categories or f.groups or f.instruments)
            or f.year_from is not None
            or f.year_to is not None
            or not f.include_examples
        )

    # -- patterns ---------------------------------------------------------------------------
    def territory_lines(self, t: str, *, keys: bool = True) -> list[str]:
        """The blocks that keep the territories ``t`` in scope (without the ``rg:Territory``
        type, which the callers add where they need it; without the territory keys when ``keys``
        is false). Each block is a ``VALUES`` table or a sub-query of one pattern, which
        pyoxigraph joins by hash: a lookup per row on disk costs ten times more."""
        t = _var(t)
        f = self.filters
        lines: list[str] = []
        if f.territories and keys:
            lines.append(self.territory_filter(t))
        if f.regions:
            regions = values_block(f"{t}_region", [region_iri(c) for c in f.regions])
            lines.append(
                f"{{ SELECT DISTINCT {t} WHERE {{ {regions} {t} rg:uclgRegion {t}_region }} }}"
            )
        if f.countries:
            countries = values_block(f"{t}_country", f.countries)
            lines.append(
                f"{{ SELECT {t} WHERE {{ {countries} {t} rg:countryCode {t}_country }} }}"
            )
        if f.waves:
            waves = ", ".join(str(w) for w in f.waves)
            lines.append(
                f"{{ SELECT DISTINCT {t} WHERE {{\n"
                f"      {{ SELECT {t}_wave WHERE {{ {t}_wave rg:waveNumber {t}_number . "
                f"FILTER({t}_number IN ({waves})) }} }}\n"
                f"      {{ SELECT {t}_membership {t}_wave WHERE "
                f"{{ {t}_membership rg:inWave {t}_wave }} }}\n"
                f"      {{ SELECT {t}_membership {t} WHERE {{ {t}_membership rg:member {t} }} }}\n"
                "  } }"
            )
        if not f.include_examples:
            lines.append(f"MINUS {{ {t} rg:isExample true }}")
        return lines

    def territory_filter(self, t: str) -> str:
        """The territories asked, as ``FILTER(?t IN (...))``: a ``VALUES`` block would do on
        pyoxigraph, but Virtuoso 7 drops it inside a sub-query under ``OPTIONAL``."""
        keys = ", ".join(term(iri.territory(k)) for k in self.filters.territories)
        return f"FILTER({_var(t)} IN ({keys}))"

    def initiative_lines(
        self, i: str, t: str, *, led: bool = True, territorial: bool = True
    ) -> list[str]:
        """The blocks of the base: initiatives ``i`` led by ``t``, each filter a ``VALUES``
        table or a sub-query joined by hash (the rights and group filters start from the
        concepts asked and their narrower ones, and range-scan the initiatives naming them).

        With ``led`` false and no territory filter, the leading territory is left out: a
        restriction joined with initiative-only patterns (``rg:targetsGroup``...) needs no
        ``rg:ledBy`` join when some initiative filter already lists the initiatives. With
        ``territorial`` false the territory filters are left to the caller (see :meth:`led`)."""
        i, t = _var(i), _var(t)
        f = self.filters
        lines: list[str] = []
        if f.territories and territorial:
            lines.append(self.territory_filter(t))
        for codes, to_iri, name, prop in (
            (f.categories, category_iri, "category", "rg:addressesRight"),
            (f.groups, group_iri, "group", "rg:targetsGroup"),
        ):
            if codes:
                named = sorted({n for c in codes for n in self.narrower[to_iri(c)]})
                lines.append(
                    f"{{ SELECT DISTINCT {i} WHERE {{ {values_block(f'{i}_{name}', named)} "
                    f"{i} {prop} {i}_{name} }} }}"
                )
        if f.instruments:
            asked = values_block(f"{i}_instrument", [instrument_iri(c) for c in f.instruments])
            lines.append(
                f"{{ SELECT DISTINCT {i} WHERE {{ {asked} "
                f"{i} rg:implementsInstrument {i}_instrument }} }}"
            )
        listed = bool(f.categories or f.groups or f.instruments)
        if f.year_from is not None or f.year_to is not None:
            bounds = []
            if f.year_from is not None:
                bounds.append(f"{i}_year >= {int(f.year_from)}")
            if f.year_to is not None:
                bounds.append(f"{i}_year <= {int(f.year_to)}")
            lines.append(
                f"{{ SELECT DISTINCT {i} WHERE {{ {i} schema:startDate {i}_start . "
                f"BIND(xsd:integer(SUBSTR(STR({i}_start), 1, 4)) AS {i}_year) "
                f"FILTER({' && '.join(bounds)}) }} }}"
            )
        if led or (territorial and self.territory_filtered) or not listed:
            # (schema:startDate alone is not an initiative's: events have one too)
            lines.append(f"{{ SELECT {i} {t} WHERE {{ {i} rg:ledBy {t} }} }}")
            if territorial:
                lines += self.territory_lines(t, keys=False)
        if not f.include_examples:
            lines.append(f"MINUS {{ {i} rg:isExample true }}")
        return lines

    def initiatives(self, i: str, t: str) -> str:
        """The ``#@initiatives`` replacement: rows (``i``, ``t``) of the base, each once."""
        if not self.initiative_filtered:
            return f"{{ SELECT {_var(i)} {_var(t)} WHERE {{ {i} rg:ledBy {t} }} }}"
        body = "\n    ".join(self.initiative_lines(i, t))
        return f"{{ SELECT DISTINCT {i} {t} WHERE {{\n    {body}\n  }} }}"

    def led(self, i: str, t: str) -> str:
        """The ``#@led`` replacement: the initiatives that pass the filters on initiatives, with
        the territory leading each, the territory filters left out. For a query that joins them
        with the territories in scope anyway: Virtuoso 7 mishandles a filter on the join variable
        inside a sub-query under ``OPTIONAL``."""
        if not self.only_initiative_filtered:
            return f"{{ SELECT {_var(i)} {_var(t)} WHERE {{ {i} rg:ledBy {t} }} }}"
        body = "\n    ".join(self.initiative_lines(i, t, territorial=False))
        return f"{{ SELECT DISTINCT {i} {t} WHERE {{\n    {body}\n  }} }}"

    def restrict_initiatives(self, i: str) -> str:
        """The ``#@restrict-initiatives`` replacement: like ``#@restrict`` with the filters on
        initiatives only (for initiatives already joined to territories in scope)."""
        if not self.only_initiative_filtered:
            return "# no filter on initiatives"
        t = f"{_var(i)}_territory"
        body = "\n    ".join(self.initiative_lines(i, t, led=False, territorial=False))
        return f"{{ SELECT DISTINCT {i} WHERE {{\n    {body}\n  }} }}"

    def restrict(self, i: str) -> str:
        """The ``#@restrict`` replacement: nothing without filters, else a sub-query of the
        initiatives of the base, which the engine joins by hash."""
        if not self.initiative_filtered:
            return "# every initiative is in the base: no filter"
        t = f"{_var(i)}_territory"
        body = "\n    ".join(self.initiative_lines(i, t, led=False))
        return f"{{ SELECT DISTINCT {i} WHERE {{\n    {body}\n  }} }}"

    def territories(self, t: str) -> str:
        """The ``#@territories`` replacement: the territories in scope, each once."""
        t = _var(t)
        if not self.territory_filtered:
            return f"{t} a rg:Territory ."
        typed = f"{{ SELECT {t} WHERE {{ {t} a rg:Territory }} }}"
        body = "\n    ".join([typed, *self.territory_lines(t)])
        return f"{{ SELECT DISTINCT {t} WHERE {{\n    {body}\n  }} }}"

    # -- templates --------------------------------------------------------------------------
    def render(
        self,
        template: str,
        *,
        ranks: Sequence[str] = (),
        values: Mapping[str, Iterable[str]] | None = None,
    ) -> str:
        """A query template with its marker lines replaced (indentation kept). ``ranks`` are
        the IRIs that ``#@ranks ?thing ?rank`` numbers 1, 2, 3... in that order;
        ``#@values ?thing name`` becomes a ``VALUES`` block of the IRIs ``values[name]``. Raises
        ``ValueError`` for an unknown marker or missing values (a bug in a template)."""
        values = values or {}
        out: list[str] = []
        for line in template.splitlines():
            stripped = line.strip()
            indent = line[: len(line) - len(line.lstrip())]
            if stripped.startswith("#@"):
                marker, *args = stripped[2:].split()
                if marker == "initiatives" and len(args) == 2:
                    out.append(indent + self.initiatives(args[0], args[1]))
                    continue
                if marker == "led" and len(args) == 2:
                    out.append(indent + self.led(args[0], args[1]))
                    continue
                if marker == "restrict-initiatives" and len(args) == 1:
                    out.append(indent + self.restrict_initiatives(args[0]))
                    continue
                if marker == "restrict" and len(args) == 1:
                    out.append(indent + self.restrict(args[0]))
                    continue
                if marker == "territories" and len(args) == 1:
                    out.append(indent + self.territories(args[0]))
                    continue
                if marker == "values" and len(args) == 2:
                    items = values.get(args[1])
                    if items is None:
                        raise ValueError(f"no values given for {stripped!r}")
                    out.append(indent + values_block(_var(args[0]), sorted(items)))
                    continue
                if marker == "ranks" and len(args) == 2:
                    thing, rank = _var(args[0]), _var(args[1])
                    rows = " ".join(f"({term(v)} {n})" for n, v in enumerate(ranks, start=1))
                    out.append(f"{indent}VALUES ({thing} {rank}) {{ {rows} }}")
                    continue
                raise ValueError(f"unknown template marker: {stripped!r}")
            out.append(line)
        return "\n".join(out) + "\n"

    def expand(self, rows: Iterable[Mapping[str, object]]) -> None:
        """Record the narrower concepts of the concepts asked: rows with ``asked`` (a category
        or group of the filters) and ``narrower`` (one of its narrower concepts, through
        ``skos:broader*``)."""
        found: dict[str, set[str]] = {c: {c} for c in self.narrower}
        for row in rows:
            asked, narrower = row.get("asked"), row.get("narrower")
            if isinstance(asked, str) and isinstance(narrower, str) and asked in found:
                found[asked].add(narrower)
        self.narrower = {c: tuple(sorted(n)) for c, n in found.items()}

    def known_codes_query(self) -> str | None:
        """A SELECT of the filter values that exist in the store (concepts in their scheme,
        territories, waves), or None when no value needs checking."""
        f = self.filters
        pairs: list[tuple[str, str]] = []
        pairs += [(region_iri(c), iri.vocab("uclg-regions")) for c in f.regions]
        pairs += [(country_iri(c), iri.vocab("countries")) for c in f.countries]
        pairs += [(category_iri(c), iri.vocab("rights")) for c in f.categories]
        pairs += [(group_iri(c), iri.vocab("groups")) for c in f.groups]
        pairs += [(instrument_iri(c), iri.vocab("instruments")) for c in f.instruments]
        branches: list[str] = []
        if pairs:
            rows = " ".join(f"({term(c)} {term(s)})" for c, s in pairs)
            branches.append(
                f"{{ VALUES (?thing ?scheme) {{ {rows} }} ?thing skos:inScheme ?scheme . }}"
            )
        if f.territories:
            branches.append(
                "{ "
                + values_block("?thing", [iri.territory(k) for k in f.territories])
                + " ?thing a rg:Territory . }"
            )
        if f.waves:
            waves = ", ".join(str(w) for w in f.waves)
            branches.append(
                "{ ?wave a rg:CampaignWave ; rg:waveNumber ?number . "
                f"FILTER(?number IN ({waves})) BIND(STR(?number) AS ?thing) }}"
            )
        if not branches:
            return None
        return (
            f"PREFIX rg: <{iri.ontology()}>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            f"SELECT DISTINCT ?thing WHERE {{\n  {' UNION '.join(branches)}\n}}\n"
        )

    def unknown(self, found: Iterable[str]) -> list[str]:
        """Messages for the filter values missing from ``found`` (the answer of
        :meth:`known_codes_query`)."""
        have = set(found)
        f = self.filters
        problems: list[str] = []
        checks: list[tuple[str, tuple[str, ...], object]] = [
            ("UCLG region", f.regions, region_iri),
            ("country", f.countries, country_iri),
            ("rights category", f.categories, category_iri),
            ("rights-holder group", f.groups, group_iri),
            ("instrument", f.instruments, instrument_iri),
            ("territory", f.territories, iri.territory),
        ]
        for what, codes, to_iri in checks:
            for code in codes:
                if callable(to_iri) and to_iri(code) not in have:
                    problems.append(f"unknown {what} {code!r}")
        for wave in f.waves:
            if str(wave) not in have:
                problems.append(f"no campaign wave {wave}")
        return problems


def scope(filters: Filters) -> Scope:
    """The :class:`Scope` of ``filters``. Raises ``InputError`` (see :func:`checked`)."""
    return Scope(filters)


def template(name: str) -> str:
    """The query template ``reports/sparql/{name}.rq``, rebased to the configured base IRI."""
    return iri.rebase(read_text("reports", f"sparql/{name}.rq"))
