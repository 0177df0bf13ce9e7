"""The intersectionality report: every table of :data:`~rightsgraph.reports.model.TABLES`, computed
from aggregating SPARQL queries, on the embedded store or a remote endpoint alike.

How the figures are made
- Counting happens in SPARQL (``reports/sparql/*.rq``, filled in by
  :mod:`rightsgraph.reports.filters`): ``GROUP BY`` over countries, groups, categories, pairs and
  triples of them, years, waves. Only those aggregated rows reach Python, which divides (shares,
  expected counts, lifts), adds up disjoint counts (a region is the sum of its countries, since a
  territory has one country), draws networks (:mod:`rightsgraph.reports.networks`) and sorts.
- **The base.** N is the number of initiatives that match the filters (see ``filters``); every
  table states it, with the territories leading them, except the two tables about territories
  (headline gaps: the territories in scope; members: the members counted).
- **As named.** An initiative counts for the groups and rights categories it names
  (``rg:targetsGroup``, ``rg:addressesRight``), not for their broader concepts: the families of
  rights and broad groups such as "women and girls" show only what initiatives name directly.
  Filters, by contrast, include narrower concepts (filtering on a family keeps its rights).
- **Co-occurrence.** For two things a and b named by n_a and n_b initiatives, of which t name both:
  expected = n_a × n_b / N (what independence would give), lift = t / expected.
- **Intersections.** For a combination of two or three groups: together = initiatives naming all
  of them; under-served index = 1 − together / min(n_g); shortfall = min(n_g) − together.
- Everything is deterministic: the same store gives the same report, whichever backend answers.

``build_report`` raises ``InputError`` for bad or unknown filters and an unknown language, and
what the source raises (``QuerySyntaxError``, ``QueryEvaluationError``, ``QueryTimeoutError``,
``StoreError``).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from rightsgraph import iri
from rightsgraph.errors import InputError
from rightsgraph.reports import filters as filters_mod
from rightsgraph.reports import networks, text
from rightsgraph.reports.filters import Scope, scope, template, term
from rightsgraph.reports.model import TABLES, Base, Filters, Report, Table
from rightsgraph.reports.source import Row, Source, Value

#: The campaign's headline themes (codes of the rights scheme): the themes that both campaign
#: documents of the shared corpus put forward (``../shared/seeds``; ``reports/sparql/headline.rq``
#: lists the same codes):
#: - the fight against inequalities and discrimination: ``inclusion``, ``non-discrimination``
#:   (concept note of the 14 June 2022 session, 001_97a4004ee22488f7.txt: "la lutte contre les
#:   inégalités et les discriminations"; invitation letter of 15 July 2022,
#:   003_d74cc08c7e7b2b00.txt: "luttent contre toutes les formes d'inégalités, de discrimination");
#: - the essential rights of the concept note, "l'accès à l'eau, à la nourriture, à l'éducation, au
#:   logement": ``water-food``, ``education``, ``housing`` (the letter too names water, food and
#:   housing);
#: - the new generation of rights both name, "droits numériques": ``digital-rights``.
HEADLINE_THEMES = (
    "inclusion",
    "non-discrimination",
    "water-food",
    "education",
    "housing",
    "digital-rights",
)
#: Groups left out of intersections: naming everyone is not an intersection.
NOT_INTERSECTIONAL = ("all-inhabitants",)
#: At most this many combinations of each size (two groups, three groups) in ``intersections``.
INTERSECTIONS_PER_SIZE = 50
#: Territories compared for similarity (the ``LIMIT`` of ``reports/sparql/profiles.rq``).
SIMILARITY_TERRITORIES = 200
#: Most similar pairs listed.
SIMILAR_PAIRS = 20
#: The summary's gap sentence considers regions with at least this many initiatives and rights
#: or groups named by at least this share of the base (smaller figures are noise).
GAP_MIN_INITIATIVES = 5
GAP_MIN_SHARE = 0.05
#: At most this many summary sentences.
SUMMARY_SENTENCES = 8

KIND_CATEGORY = "category"
KIND_GROUP = "group"


# -------------------------------------------------------------------------------------------------
# Concepts and labels
# -------------------------------------------------------------------------------------------------


@dataclass
class Concept:
    """A concept of one of the report's schemes, as the store describes it."""

    iri: str
    scheme: str
    broader: set[str] = field(default_factory=set)
    region: str | None = None  # a country's UCLG region
    labels: dict[str, str] = field(default_factory=dict)


def _tail(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def pick_label(labels: Mapping[str, str], lang: str, fallback: str) -> str:
    """The label in ``lang``, else in English, else the first by language tag, else
    ``fallback``."""
    if lang in labels:
        return labels[lang]
    if "en" in labels:
        return labels["en"]
    for tag in sorted(labels):
        return labels[tag]
    return fallback


class Concepts:
    """Every concept of the rights, groups, UCLG regions and countries schemes."""

    def __init__(self, rows: Iterable[Row], lang: str) -> None:
        self.lang = lang
        self.by_iri: dict[str, Concept] = {}
        for row in rows:
            concept_iri = str(row["concept"])
            concept = self.by_iri.setdefault(
                concept_iri, Concept(iri=concept_iri, scheme=str(row["scheme"]))
            )
            if row.get("broader"):
                concept.broader.add(str(row["broader"]))
            if row.get("region"):
                concept.region = str(row["region"])
            if row.get("label") is not None and row.get("lang"):
                tag = str(row["lang"])
                label = str(row["label"])
                # Two labels in one language (a data error): keep the smallest, deterministic.
                if tag not in concept.labels or label < concept.labels[tag]:
                    concept.labels[tag] = label
        self.narrower: dict[str, set[str]] = defaultdict(set)
        for concept in self.by_iri.values():
            for broader in concept.broader:
                self.narrower[broader].add(concept.iri)

    def label(self, value: str | None) -> str | None:
        if value is None:
            return None
        concept = self.by_iri.get(value)
        return pick_label(concept.labels, self.lang, _tail(value)) if concept else _tail(value)

    def in_scheme(self, scheme: str) -> list[str]:
        return sorted(c.iri for c in self.by_iri.values() if c.scheme == scheme)

    def broader_of(self, value: str) -> str | None:
        """One broader concept (the smallest IRI if several), or None."""
        concept = self.by_iri.get(value)
        return min(concept.broader) if concept and concept.broader else None

    def ancestors(self, value: str) -> set[str]:
        out: set[str] = set()
        todo = [value]
        while todo:
            concept = self.by_iri.get(todo.pop())
            for broader in concept.broader if concept else ():
                if broader not in out:
                    out.add(broader)
                    todo.append(broader)
        return out

    def country_region(self, code: str | None) -> str | None:
        if code is None:
            return None
        concept = self.by_iri.get(iri.vocab(f"countries/{code}"))
        return concept.region if concept else None

    def country_label(self, code: str | None) -> str | None:
        if code is None:
            return None
        concept = self.by_iri.get(iri.vocab(f"countries/{code}"))
        return pick_label(concept.labels, self.lang, code) if concept else code


def _sort_label(label: str | None) -> str:
    return (label or "").casefold()


# -------------------------------------------------------------------------------------------------
# Running queries
# -------------------------------------------------------------------------------------------------


#: The queries that need only the filters (and the headline themes), in the order the report
#: reads them: started together, two at a time, by :meth:`_Run.prefetch`.
_INDEPENDENT_QUERIES = (
    "concept_counts",
    "category_pairs",
    "group_pairs",
    "profiles",
    "concepts",
    "territories_in_scope",
    "headline",
    "trend",
    "members",
)


class _Run:
    """One report's queries against one source, timed."""

    def __init__(self, source: Source, scope_: Scope, timings: dict[str, float]) -> None:
        self.source = source
        self.scope = scope_
        self.timings = timings
        self.texts: dict[str, str] = {}
        #: The headline themes and their narrower categories (IRIs).
        self.themes: list[str] = []
        #: Answers being fetched ahead (:meth:`prefetch`).
        self.futures: dict[str, Future[list[Row]]] = {}
        self.lock = threading.Lock()

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            with self.lock:
                self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started

    def query(self, name: str, *, ranks: Sequence[str] = ()) -> list[Row]:
        """Render the template ``name`` with the filters and run it (or collect the answer
        :meth:`prefetch` started)."""
        future = self.futures.pop(name, None)
        if future is not None and not ranks:
            return future.result()
        sparql = self.scope.render(template(name), ranks=ranks, values={"themes": self.themes})
        self.texts[name] = sparql
        with self.timed(f"query:{name}"):
            return self.source.select(sparql)

    def prefetch(self, names: Sequence[str]) -> ThreadPoolExecutor:
        """Start the queries that depend on nothing but the filters, two at a time.

        Both backends answer concurrent reads (pyoxigraph evaluates without the GIL; a remote
        endpoint serves parallel requests), and the machine this targets has two cores: the
        report's queries then take about half the time. The caller shuts the pool down.
        """
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-query")
        for name in names:
            sparql = self.scope.render(template(name), values={"themes": self.themes})
            self.texts[name] = sparql
            self.futures[name] = pool.submit(self._timed_select, name, sparql)
        return pool

    def _timed_select(self, name: str, sparql: str) -> list[Row]:
        started = time.perf_counter()
        try:
            return self.source.select(sparql)
        finally:
            with self.lock:
                step = f"query:{name}"
                self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started

    def raw(self, step: str, sparql: str) -> list[Row]:
        with self.timed(f"query:{step}"):
            return self.source.select(sparql)

    def sparql(self, *names: str) -> str:
        """The text of one or more queries run, as a table shows it."""
        parts = [self.texts[n].strip() for n in names if n in self.texts]
        return "\n\n".join(parts) + "\n"


def _int(value: Value) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _str(value: Value) -> str | None:
    return None if value is None else str(value)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _table(
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    base: Base,
    sparql: str,
    lang: str,
    **note_values: object,
) -> Table:
    return Table(
        name=name,
        columns=tuple(columns),
        labels=tuple(text.render_text(f"col_{c}", lang) for c in columns),
        rows=tuple(tuple(r) for r in rows),
        base=base,
        sparql=sparql,
        note=text.render_text(f"note_{name}", lang, **note_values)
        if note_values
        else text.render_text(f"note_{name}", lang),
    )


# -------------------------------------------------------------------------------------------------
# Counts read from the queries
# -------------------------------------------------------------------------------------------------


@dataclass
class CountryCounts:
    """``concept_counts.rq`` read: per country, its base initiatives and territories, and per
    (country, concept) the initiatives naming the concept and the territories leading them."""

    initiatives: dict[str | None, int] = field(default_factory=dict)
    territories: dict[str | None, int] = field(default_factory=dict)
    named: dict[tuple[str | None, str], int] = field(default_factory=dict)
    named_territories: dict[tuple[str | None, str], int] = field(default_factory=dict)

    @classmethod
    def read(cls, rows: Iterable[Row]) -> CountryCounts:
        out = cls()
        for row in rows:
            country = _str(row.get("country"))
            concept = _str(row.get("concept"))
            if concept is None:
                out.initiatives[country] = _int(row.get("initiatives"))
                out.territories[country] = _int(row.get("territories"))
            else:
                out.named[(country, concept)] = _int(row.get("initiatives"))
                out.named_territories[(country, concept)] = _int(row.get("territories"))
        return out

    def total(self) -> int:
        return sum(self.initiatives.values())

    def concept_totals(self) -> tuple[dict[str, int], dict[str, int]]:
        """Initiatives and territories per concept over the whole base (sums over countries)."""
        n: dict[str, int] = defaultdict(int)
        t: dict[str, int] = defaultdict(int)
        for (_country, concept), value in self.named.items():
            n[concept] += value
        for (_country, concept), value in self.named_territories.items():
            t[concept] += value
        return dict(n), dict(t)


def _pairs(
    rows: Iterable[Row], *, first: str | None = None
) -> tuple[dict[str, int], dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """An ordered pair query read: the diagonal (each thing's own count), the pairs a < b, and
    the pairs whose ``a`` is not of the same kind as ``b`` (when ``first``, the IRI prefix of the
    things paired with themselves, is given: those are the cross pairs, kept as they come)."""
    diagonal: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    cross: dict[tuple[str, str], int] = {}
    for row in rows:
        x, y = _str(row.get("a")), _str(row.get("b"))
        if x is None or y is None:
            continue
        n = _int(row.get("together"))
        if first is not None and not x.startswith(first):
            cross[(x, y)] = n
        elif x == y:
            diagonal[x] = n
        elif x < y:
            pairs[(x, y)] = n
    return diagonal, pairs, cross


# -------------------------------------------------------------------------------------------------
# The report
# -------------------------------------------------------------------------------------------------


def build_report(
    source: Source,
    filters: Filters,
    lang: str,
    *,
    timings: dict[str, float] | None = None,
) -> Report:
    """The intersectionality report for ``filters`` in ``lang`` (en, fr, es), every table of
    :data:`TABLES` filled from ``source``.

    ``timings``, when given, receives the seconds spent per step (``query:{name}`` for each
    query, ``table:{name}`` for the Python work of each table), for benchmarks.

    Raises ``InputError`` for an unknown language, a malformed filter value or one that names
    nothing in the store; and what ``source`` raises.
    """
    if lang not in text.LANGUAGES:
        raise InputError(f"language must be one of {', '.join(text.LANGUAGES)}, not {lang!r}")
    spent: dict[str, float] = {} if timings is None else timings
    run = _Run(source, scope(filters), spent)
    with run.timed("query:known"):
        _check_known(run)
    with run.timed("query:narrower"):
        run.themes = _expand(run)
    return _Builder(run, lang).build()


def _expand(run: _Run) -> list[str]:
    """Ask the narrower concepts of the rights and groups the filters name, and of the
    headline themes (one query, ``skos:broader*``); record the former in the scope and return
    the headline themes with theirs."""
    themes = [iri.vocab(f"rights/{code}") for code in HEADLINE_THEMES]
    asked = {**run.scope.narrower, **{t: (t,) for t in themes}}
    # One branch per concept, the concept written in the path: Virtuoso 7 wants the start of
    # a transitive path given in the pattern itself ("transitive start not given" otherwise).
    branches = " UNION\n  ".join(
        f"{{ BIND({term(c)} AS ?asked) ?narrower skos:broader* {term(c)} }}" for c in sorted(asked)
    )
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"SELECT ?asked ?narrower WHERE {{\n  {branches}\n}}\n"
    )
    rows = run.source.select(query)
    run.scope.expand(rows)
    found = set(themes)
    for row in rows:
        if row.get("asked") in themes and row.get("narrower"):
            found.add(str(row["narrower"]))
    return sorted(found)


def _check_known(run: _Run) -> None:
    """Raise ``InputError`` when a filter value names nothing in the store."""
    query = run.scope.known_codes_query()
    if query is None:
        return
    found = {str(row["thing"]) for row in run.source.select(query) if row.get("thing")}
    problems = run.scope.unknown(found)
    if problems:
        raise InputError("; ".join(problems))


class _Builder:
    """Builds the tables in dependency order; each ``table_*`` method adds one table."""

    def __init__(self, run: _Run, lang: str) -> None:
        self.run = run
        self.lang = lang
        self.tables: dict[str, Table] = {}
        self._facts: dict[str, Any] = {}

    # -- helpers ----------------------------------------------------------------------------
    def t(self, key: str, **values: object) -> str:
        return text.render_text(key, self.lang, **values)

    def label(self, value: str | None) -> str | None:
        return self.concepts.label(value)

    def step(self, name: str) -> Any:
        return self.run.timed(f"table:{name}")

    # -- the whole report -------------------------------------------------------------------
    def build(self) -> Report:
        pool = self.run.prefetch(_INDEPENDENT_QUERIES)
        try:
            return self._build()
        finally:
            for future in self.run.futures.values():
                future.cancel()
            pool.shutdown(wait=True)

    def _build(self) -> Report:
        run = self.run
        self.concepts = Concepts(run.query("concepts"), self.lang)
        scope_rows = run.query("territories_in_scope")
        self.in_scope = _int(scope_rows[0].get("territories")) if scope_rows else 0
        self.counts = CountryCounts.read(run.query("concept_counts"))
        self.n = self.counts.total()
        self.territories = sum(self.counts.territories.values())
        self.base = Base(initiatives=self.n, territories=self.territories)
        self.concept_n, self.concept_t = self.counts.concept_totals()

        self.group_n, self.group_pairs, _ = _pairs(run.query("group_pairs"))
        self.category_n, self.category_pairs, self.group_category = _pairs(
            run.query("category_pairs"), first=iri.vocab("rights/")
        )

        with self.step("overview"):
            self.table_overview()
        with self.step("groups"):
            self.table_groups()
        with self.step("categories"):
            self.table_categories()
        with self.step("group_cooccurrence"):
            self.table_cooccurrence(
                "group_cooccurrence", "group", self.group_n, self.group_pairs, "group_pairs"
            )
        with self.step("category_cooccurrence"):
            self.table_cooccurrence(
                "category_cooccurrence",
                "category",
                self.category_n,
                self.category_pairs,
                "category_pairs",
            )
        with self.step("group_category"):
            self.table_group_category()
        self.table_intersections()
        with self.step("group_network"):
            self.table_network("group_network", "group", self.group_n, self.group_pairs,
                               "group_pairs")
        with self.step("category_network"):
            self.table_network("category_network", "category", self.category_n,
                               self.category_pairs, "category_pairs")
        self.table_similar_territories(run.query("profiles"))
        with self.step("gaps_by_region"):
            self.table_gaps_by_region()
        with self.step("gaps_by_country"):
            self.table_gaps_by_country()
        self.table_headline_gaps(run.query("headline"))
        self.table_trend_by_year(run.query("trend"))
        self.table_members_by_wave(run.query("members"))
        with self.step("summary"):
            summary = self.make_summary()
        missing = [name for name in TABLES if name not in self.tables]
        if missing:  # a bug: every table of the model must be built
            raise RuntimeError(f"tables not built: {missing}")
        return Report(
            title=self.t("report_title"),
            lang=self.lang,
            filters=run.scope.filters,
            data_version=run.source.revision(),
            generated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            base=self.base,
            tables={name: self.tables[name] for name in TABLES},
            summary=tuple(summary),
            filter_labels=self.filter_labels(run.scope.filters),
        )

    def filter_labels(self, filters: Filters) -> dict[str, str]:
        """The labels of the codes the filters name, from the concepts already fetched."""
        named = (
            [(c, filters_mod.region_iri(c)) for c in filters.regions]
            + [(c, filters_mod.country_iri(c)) for c in filters.countries]
            + [(c, filters_mod.category_iri(c)) for c in filters.categories]
            + [(c, filters_mod.group_iri(c)) for c in filters.groups]
        )
        return {
            code: pick_label(concept.labels, self.lang, code)
            for code, value in named
            if (concept := self.concepts.by_iri.get(value)) is not None and concept.labels
        }

    def add(self, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
            sparql: str, base: Base | None = None, **note_values: object) -> None:
        self.tables[name] = _table(
            name, columns, rows, base or self.base, sparql, self.lang, **note_values
        )

    # -- universes ----------------------------------------------------------------------------
    def universe(self, scheme: str, prefix: str, counts: Mapping[str, int]) -> list[str]:
        """The concepts a table lists: every concept of ``scheme`` and every concept named in the
        base, less the broader concepts (those with narrower ones) that no initiative names."""
        things = set(self.concepts.in_scheme(scheme))
        things |= {c for c in counts if c.startswith(prefix)}
        return sorted(
            c for c in things if counts.get(c, 0) > 0 or not self.concepts.narrower.get(c)
        )

    @property
    def group_universe(self) -> list[str]:
        return self.universe(iri.vocab("groups"), iri.vocab("groups/"), self.concept_n)

    @property
    def category_universe(self) -> list[str]:
        return self.universe(iri.vocab("rights"), iri.vocab("rights/"), self.concept_n)

    def by_count(self, things: Iterable[str], counts: Mapping[str, int]) -> list[str]:
        return sorted(things, key=lambda c: (-counts.get(c, 0), _sort_label(self.label(c)), c))

    # -- tables ------------------------------------------------------------------------------
    def table_overview(self) -> None:
        countries = [c for c, n in self.counts.initiatives.items() if c is not None and n > 0]
        regions = {self.concepts.country_region(c) for c in countries} - {None}
        groups = [c for c in self.group_universe if self.concept_n.get(c, 0) > 0]
        categories = [c for c in self.category_universe if self.concept_n.get(c, 0) > 0]
        self.add(
            "overview",
            ("initiatives", "territories", "countries", "regions", "groups", "categories",
             "territories_in_scope"),
            [(self.n, self.territories, len(countries), len(regions), len(groups),
              len(categories), self.in_scope)],
            sparql=self.run.sparql("concept_counts", "territories_in_scope"),
        )

    def table_groups(self) -> None:
        rows = []
        for group in self.by_count(self.group_universe, self.concept_n):
            n = self.concept_n.get(group, 0)
            broader = self.concepts.broader_of(group)
            rows.append((group, self.label(group), broader, self.label(broader), n,
                         self.concept_t.get(group, 0), _ratio(n, self.n)))
        self.add(
            "groups",
            ("group", "group_label", "broader", "broader_label", "initiatives", "territories",
             "share"),
            rows,
            sparql=self.run.sparql("concept_counts"),
        )

    def table_categories(self) -> None:
        rows = []
        for category in self.by_count(self.category_universe, self.concept_n):
            n = self.concept_n.get(category, 0)
            family = self.concepts.broader_of(category)
            rows.append((category, self.label(category), family, self.label(family), n,
                         self.concept_t.get(category, 0), _ratio(n, self.n)))
        self.add(
            "categories",
            ("category", "category_label", "family", "family_label", "initiatives",
             "territories", "share"),
            rows,
            sparql=self.run.sparql("concept_counts"),
        )

    def table_cooccurrence(
        self,
        name: str,
        stem: str,
        totals: Mapping[str, int],
        pairs: Mapping[tuple[str, str], int],
        query: str,
    ) -> None:
        rows = []
        for (a, b), together in pairs.items():
            if together <= 0:
                continue
            n_a, n_b = totals.get(a, 0), totals.get(b, 0)
            expected = n_a * n_b / self.n if self.n else 0.0
            rows.append((a, self.label(a), b, self.label(b), together, n_a - together,
                         n_b - together, expected, _ratio(together, expected)))
        rows.sort(key=lambda r: (-r[4], -(r[8] or 0.0), _sort_label(r[1]), _sort_label(r[3]),
                                 r[0], r[2]))
        self.add(
            name,
            (f"{stem}_a", f"{stem}_a_label", f"{stem}_b", f"{stem}_b_label", "together",
             "a_only", "b_only", "expected", "lift"),
            rows,
            sparql=self.run.sparql(query),
        )

    def table_group_category(self) -> None:
        groups = self.by_count([g for g, n in self.group_n.items() if n > 0], self.group_n)
        categories = self.by_count(
            [c for c, n in self.category_n.items() if n > 0], self.category_n
        )
        rows = []
        for group in groups:
            for category in categories:
                n = self.group_category.get((group, category), 0)
                n_g, n_c = self.group_n[group], self.category_n[category]
                expected = n_g * n_c / self.n if self.n else 0.0
                rows.append((group, self.label(group), category, self.label(category), n,
                             n_g, n_c, expected, _ratio(n, expected)))
        self.add(
            "group_category",
            ("group", "group_label", "category", "category_label", "initiatives",
             "group_initiatives", "category_initiatives", "expected", "lift"),
            rows,
            sparql=self.run.sparql("category_pairs", "group_pairs"),
        )

    def table_intersections(self) -> None:
        excluded = {iri.vocab(f"groups/{code}") for code in NOT_INTERSECTIONAL}
        eligible = sorted(g for g, n in self.group_n.items() if n > 0 and g not in excluded)
        related = {g: self.concepts.ancestors(g) for g in eligible}

        def nested(combo: tuple[str, ...]) -> bool:
            return any(x in related[y] or y in related[x] for x, y in combinations(combo, 2))

        candidates = self.triple_candidates(
            [c for c in combinations(eligible, 3) if not nested(c)]
        )
        needed = sorted({g for combo in candidates for g in combo})
        triples_rows = self.run.query("group_triples", ranks=needed) if len(needed) >= 3 else []
        with self.step("intersections"):
            triples: dict[tuple[str, ...], int] = {}
            for row in triples_rows:
                key = tuple(sorted(str(row[k]) for k in ("a", "b", "c") if row.get(k)))
                if len(key) == 3:
                    triples[key] = _int(row.get("together"))
            found: list[tuple[Any, ...]] = []
            pair_counts: dict[tuple[str, ...], int] = {k: v for k, v in self.group_pairs.items()}
            counts = ((2, pair_counts), (3, triples))
            for size, observed in counts:
                rows = []
                combos = combinations(eligible, 2) if size == 2 else iter(candidates)
                for combo in combos:
                    if nested(combo):
                        continue
                    together = observed.get(combo, 0)
                    totals = [self.group_n[g] for g in combo]
                    least = min(totals)
                    under = 1.0 - together / least
                    rows.append((size, combo, together, totals, under, least - together))
                rows.sort(key=lambda r: (-r[5], -r[4],
                                         [_sort_label(self.label(g)) for g in r[1]], r[1]))
                found += rows[:INTERSECTIONS_PER_SIZE]
            found.sort(key=lambda r: (-r[5], -r[4], r[0],
                                      [_sort_label(self.label(g)) for g in r[1]], r[1]))
            table_rows = []
            for size, combo, together, totals, under, shortfall in found:
                cells: list[Any] = [size]
                for k in range(3):
                    group = combo[k] if k < size else None
                    cells += [group, self.label(group)]
                cells.append(together)
                cells += [totals[k] if k < size else None for k in range(3)]
                cells += [under, shortfall]
                table_rows.append(cells)
            self.add(
                "intersections",
                ("size", "group_a", "group_a_label", "group_b", "group_b_label", "group_c",
                 "group_c_label", "together", "group_a_initiatives", "group_b_initiatives",
                 "group_c_initiatives", "under_served", "shortfall"),
                table_rows,
                sparql=self.run.sparql("group_pairs", "group_triples"),
                limit=INTERSECTIONS_PER_SIZE,
            )

    def triple_candidates(self, triples: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """The triples of groups that can be among the :data:`INTERSECTIONS_PER_SIZE` with the
        largest shortfall, found from the pair counts alone, so that the triple query counts
        only the groups they involve (at 10,000 territories: 8 groups of 23, half the work).

        A triple's shortfall, min(n_g) − together, is at most min(n_g) and at least
        min(n_g) − the smallest count of its pairs (together cannot exceed any pair's count).
        With L the lower bound of the triple ranked :data:`INTERSECTIONS_PER_SIZE` by lower
        bound, a triple whose upper bound is below L has a smaller shortfall than that many
        others and cannot be listed; every other triple is a candidate. The listed triples are
        exactly those a count of every triple would list."""
        if len(triples) <= INTERSECTIONS_PER_SIZE:
            return triples

        def least(combo: tuple[str, ...]) -> int:
            return min(self.group_n[g] for g in combo)

        lower = sorted(
            (
                least(combo) - min(self.group_pairs.get(pair, 0)
                                   for pair in combinations(combo, 2))
                for combo in triples
            ),
            reverse=True,
        )
        bound = lower[INTERSECTIONS_PER_SIZE - 1]
        return [combo for combo in triples if least(combo) >= bound]

    def table_network(
        self,
        name: str,
        stem: str,
        totals: Mapping[str, int],
        pairs: Mapping[tuple[str, str], int],
        query: str,
    ) -> None:
        nodes = [c for c, n in totals.items() if n > 0]
        graph = networks.cooccurrence_graph(nodes, pairs)
        measures = networks.node_measures(graph)
        rows = [
            (node, self.label(node), totals[node], m.weighted_degree, m.betweenness, m.community)
            for node, m in measures.items()
        ]
        rows.sort(key=lambda r: (-r[3], -r[2], _sort_label(r[1]), r[0]))
        self.add(
            name,
            (stem, f"{stem}_label", "initiatives", "weighted_degree", "betweenness",
             "community"),
            rows,
            sparql=self.run.sparql(query),
            seed=networks.LOUVAIN_SEED,
        )

    def territory_labels(self, territories: Iterable[str]) -> dict[str, str]:
        """Labels of territories (rdfs:label in the report's language, else English, else any),
        asked in batches; a territory without a label is named by its key."""
        wanted = sorted(set(territories))
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for start in range(0, len(wanted), 200):
            batch = wanted[start : start + 200]
            rows = self.run.raw(
                "territory_labels",
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                "SELECT ?territory ?label ?lang WHERE {\n"
                f"  VALUES ?territory {{ {' '.join(term(t) for t in batch)} }}\n"
                "  ?territory rdfs:label ?name .\n"
                "  BIND(STR(?name) AS ?label) BIND(LANG(?name) AS ?lang)\n}\n",
            )
            for row in rows:
                territory, label = _str(row.get("territory")), _str(row.get("label"))
                tag = _str(row.get("lang")) or ""
                if territory and label is not None:
                    known = labels[territory].get(tag)
                    if known is None or label < known:
                        labels[territory][tag] = label
        prefix = iri.entity("territory/")
        return {
            t: pick_label(labels.get(t, {}), self.lang, t.removeprefix(prefix)) for t in wanted
        }

    def table_similar_territories(self, result: list[Row]) -> None:
        with self.step("similar_territories"):
            profiles: dict[str, dict[str, int]] = defaultdict(dict)
            totals: dict[str, int] = {}
            for row in result:
                territory, category = _str(row.get("territory")), _str(row.get("category"))
                if territory is None:
                    continue
                totals[territory] = _int(row.get("total"))
                if category is not None:
                    profiles[territory][category] = _int(row.get("initiatives"))
            pairs = networks.similar_pairs(profiles, top=SIMILAR_PAIRS)
            labels = self.territory_labels([p.a for p in pairs] + [p.b for p in pairs])
            rows = [
                (p.a, labels[p.a], p.b, labels[p.b], p.similarity, p.shared, totals.get(p.a, 0),
                 totals.get(p.b, 0))
                for p in pairs
            ]
            self.add(
                "similar_territories",
                ("territory_a", "territory_a_label", "territory_b", "territory_b_label",
                 "similarity", "shared_categories", "territory_a_initiatives",
                 "territory_b_initiatives"),
                rows,
                sparql=self.run.sparql("profiles"),
                limit=SIMILARITY_TERRITORIES,
                pairs=SIMILAR_PAIRS,
            )

    def gap_concepts(self) -> list[tuple[str, str]]:
        """(kind, concept) of every right and group a gap table lists, rights first."""
        return [(KIND_CATEGORY, c) for c in self.category_universe] + [
            (KIND_GROUP, g) for g in self.group_universe
        ]

    def gap_rows(
        self, areas: Mapping[str | None, Sequence[str | None]]
    ) -> list[tuple[str | None, str, str, int, int, int, float | None, int, float | None,
                    float | None]]:
        """For each area (a region, or a country) made of countries: every (kind, concept) with
        the area's initiatives and territories naming it, the area's initiatives, the area's
        share, the base's count and share, and the gap (area share − base share)."""
        out = []
        concepts = self.gap_concepts()
        for area, countries in areas.items():
            area_n = sum(self.counts.initiatives.get(c, 0) for c in countries)
            for kind, concept in concepts:
                n = sum(self.counts.named.get((c, concept), 0) for c in countries)
                t = sum(self.counts.named_territories.get((c, concept), 0) for c in countries)
                share = _ratio(n, area_n)
                campaign_n = self.concept_n.get(concept, 0)
                campaign_share = _ratio(campaign_n, self.n)
                gap = (
                    None if share is None or campaign_share is None else share - campaign_share
                )
                out.append((area, kind, concept, n, t, area_n, share, campaign_n,
                            campaign_share, gap))
        return out

    def table_gaps_by_region(self) -> None:
        regions: dict[str | None, list[str | None]] = defaultdict(list)
        for country, n in self.counts.initiatives.items():
            if n > 0:
                regions[self.concepts.country_region(country)].append(country)
        rows = []
        for region, kind, concept, n, t, area_n, share, campaign_n, campaign_share, gap in (
            self.gap_rows(regions)
        ):
            rows.append((region, self.label(region), kind, concept, self.label(concept), n, t,
                         area_n, share, campaign_n, campaign_share, gap))
        rows.sort(key=lambda r: (r[0] is None, _sort_label(r[1]), r[11] if r[11] is not None
                                 else 0.0, r[2], _sort_label(r[4]), r[3]))
        self.add(
            "gaps_by_region",
            ("region", "region_label", "kind", "concept", "concept_label", "initiatives",
             "territories", "region_initiatives", "share", "campaign_initiatives",
             "campaign_share", "gap"),
            rows,
            sparql=self.run.sparql("concept_counts"),
        )

    def table_gaps_by_country(self) -> None:
        countries = {c: [c] for c, n in self.counts.initiatives.items() if n > 0}
        rows = []
        for country, kind, concept, n, t, area_n, share, campaign_n, campaign_share, gap in (
            self.gap_rows(countries)
        ):
            region = self.concepts.country_region(country)
            rows.append((country, self.concepts.country_label(country), region,
                         self.label(region), kind, concept, self.label(concept), n, t, area_n,
                         share, campaign_n, campaign_share, gap))
        rows.sort(key=lambda r: (r[0] is None, _sort_label(r[1]), r[0] or "", r[13]
                                 if r[13] is not None else 0.0, r[4], _sort_label(r[6]), r[5]))
        self.add(
            "gaps_by_country",
            ("country", "country_label", "region", "region_label", "kind", "concept",
             "concept_label", "initiatives", "territories", "country_initiatives", "share",
             "campaign_initiatives", "campaign_share", "gap"),
            rows,
            sparql=self.run.sparql("concept_counts"),
        )

    def table_headline_gaps(self, result: list[Row]) -> None:
        with self.step("headline_gaps"):
            found = [
                (str(row["territory"]), _str(row.get("country")), _int(row.get("initiatives")))
                for row in result
                if row.get("territory")
            ]
            labels = self.territory_labels(t for t, _, _ in found)
            rows = [
                (t, labels[t], country, self.concepts.country_label(country), n)
                for t, country, n in found
            ]
            rows.sort(key=lambda r: (-r[4], _sort_label(r[1]), r[0]))
            themes = ", ".join(
                self.label(iri.vocab(f"rights/{code}")) or code for code in HEADLINE_THEMES
            )
            self.add(
                "headline_gaps",
                ("territory", "territory_label", "country", "country_label", "initiatives"),
                rows,
                sparql=self.run.sparql("headline", "territories_in_scope"),
                base=Base(initiatives=self.n, territories=self.in_scope),
                themes=themes,
            )
            self._facts["headline_gaps"] = len(rows)

    def table_trend_by_year(self, result: list[Row]) -> None:
        with self.step("trend_by_year"):
            year_total: dict[int, int] = {}
            cells: list[tuple[int, str, int]] = []
            for row in result:
                year = row.get("year")
                if not isinstance(year, int) or isinstance(year, bool):
                    continue
                category = _str(row.get("category"))
                if category is None:
                    year_total[year] = _int(row.get("initiatives"))
                else:
                    cells.append((year, category, _int(row.get("initiatives"))))
            rows = []
            for year, category, n in cells:
                family = self.concepts.broader_of(category)
                rows.append((year, category, self.label(category), family, self.label(family), n,
                             year_total.get(year, 0)))
            rows.sort(key=lambda r: (r[0], -r[5], _sort_label(r[2]), r[1]))
            undated = max(0, self.n - sum(year_total.values()))
            self.add(
                "trend_by_year",
                ("year", "category", "category_label", "family", "family_label", "initiatives",
                 "year_total"),
                rows,
                sparql=self.run.sparql("trend"),
                undated=text.format_int(undated, self.lang),
            )

    def table_members_by_wave(self, result: list[Row]) -> None:
        with self.step("members_by_wave"):
            waves: dict[int | None, int] = {}
            milestones: dict[int, str | None] = {}
            for row in result:
                target = row.get("target")
                if isinstance(target, int) and not isinstance(target, bool):
                    date = _str(row.get("targetDate"))
                    milestones[target] = date or milestones.get(target)
                elif row.get("members") is not None:
                    wave = row.get("wave")
                    key = wave if isinstance(wave, int) and not isinstance(wave, bool) else None
                    waves[key] = waves.get(key, 0) + _int(row.get("members"))
            targets = sorted(milestones)
            rows = []
            running = 0
            for wave in sorted(waves, key=lambda w: (w is None, w or 0)):
                running += waves[wave]
                reached = max((m for m in targets if m <= running), default=None)
                upcoming = min((m for m in targets if m > running), default=None)
                label = (
                    self.t("wave_none") if wave is None else self.t("wave_number", number=wave)
                )
                rows.append((wave, label, waves[wave], running, reached, upcoming,
                             milestones.get(upcoming) if upcoming is not None else None,
                             _ratio(running, upcoming) if upcoming else None))
            self.add(
                "members_by_wave",
                ("wave", "wave_label", "members", "cumulative", "milestone_reached",
                 "next_milestone", "next_milestone_date", "share_of_next"),
                rows,
                sparql=self.run.sparql("members"),
                base=Base(initiatives=self.n, territories=running),
            )
            self._facts["members"] = (running, targets)

    # -- the summary ---------------------------------------------------------------------------
    def quoted(self, name: str) -> str:
        """A name quoted as the language quotes it (“…” in English, « … » in French)."""
        return self.t("quoted", name=name)

    def names(self, labels: Sequence[str], *, most: int = 4) -> str:
        """A list of names in a sentence: "A, B and C"; beyond ``most`` names, the first ones
        and "n others". Quoted as the language quotes names."""
        quoted = [self.quoted(label) for label in labels]
        if len(quoted) > most:
            quoted = [*quoted[: most - 1], self.t("list_others", count=len(quoted) - most + 1)]
        if len(quoted) == 1:
            return quoted[0]
        return ", ".join(quoted[:-1]) + self.t("list_and") + quoted[-1]

    def make_summary(self) -> list[str]:
        lang = self.lang
        fmt_int: Callable[[int], str] = lambda v: text.format_int(v, lang)  # noqa: E731
        fmt_pct: Callable[[float], str] = lambda v: text.format_percent(v, lang)  # noqa: E731

        def count(n: int, noun: str = "initiative") -> str:
            return text.count_phrase(n, noun, lang)

        out: list[str] = []
        if self.n == 0:
            out.append(self.t("sum_empty"))
        else:
            overview = self.tables["overview"].records()[0]
            out.append(self.t("sum_base", initiatives=count(self.n),
                              territories=count(self.territories, "territory"),
                              countries=count(overview["countries"], "country")))
            everyone = {iri.vocab(f"groups/{code}") for code in NOT_INTERSECTIONAL}
            groups = [r for r in self.tables["groups"].records()
                      if r["group"] not in everyone and r["initiatives"] > 0]
            if groups:
                top = [r for r in groups if r["initiatives"] == groups[0]["initiatives"]]
                values = {"share": fmt_pct(top[0]["share"]), "count": count(top[0]["initiatives"])}
                if len(top) == 1:
                    out.append(self.t("sum_top_group", group=self.quoted(top[0]["group_label"]),
                                      **values))
                else:
                    names = self.names([r["group_label"] for r in top])
                    out.append(self.t("sum_top_groups", groups=names, **values))
            categories = [r for r in self.tables["categories"].records() if r["initiatives"] > 0]
            if categories:
                top = [r for r in categories if r["initiatives"] == categories[0]["initiatives"]]
                share = fmt_pct(top[0]["share"])
                if len(top) == 1:
                    out.append(self.t("sum_top_category",
                                      category=self.quoted(top[0]["category_label"]),
                                      share=share))
                else:
                    names = self.names([r["category_label"] for r in top])
                    out.append(self.t("sum_top_categories", categories=names, share=share))
            pairs = [r for r in self.tables["intersections"].records() if r["size"] == 2]
            if pairs and pairs[0]["shortfall"] > 0:
                r = pairs[0]
                key = "sum_intersection" if r["together"] else "sum_intersection_never"
                out.append(self.t(key, a=self.quoted(r["group_a_label"]),
                                  b=self.quoted(r["group_b_label"]),
                                  together=count(r["together"]),
                                  n_a=count(r["group_a_initiatives"]),
                                  n_b=count(r["group_b_initiatives"])))
            floor = max(2, -(-self.n // 100))
            strong = [r for r in self.tables["category_cooccurrence"].records()
                      if r["together"] >= floor and r["lift"] is not None and r["lift"] > 1]
            if strong:
                r = max(strong, key=lambda r: (r["lift"], r["together"]))
                out.append(self.t("sum_lift", a=self.quoted(r["category_a_label"]),
                                  b=self.quoted(r["category_b_label"]),
                                  lift=text.format_decimal(r["lift"], lang),
                                  together=count(r["together"])))
            gaps = [r for r in self.tables["gaps_by_region"].records()
                    if r["region"] is not None and r["gap"] is not None
                    and r["region_initiatives"] >= GAP_MIN_INITIATIVES
                    and (r["campaign_share"] or 0.0) >= GAP_MIN_SHARE]
            if gaps:
                r = min(gaps, key=lambda r: (r["gap"], _sort_label(r["region_label"]),
                                              _sort_label(r["concept_label"])))
                if r["gap"] < 0:
                    out.append(self.t("sum_gap", region=r["region_label"],
                                      concept=self.quoted(r["concept_label"]),
                                      share=fmt_pct(r["share"]),
                                      campaign=fmt_pct(r["campaign_share"])))
        if self.in_scope:
            out.append(self.t("sum_headline", count=fmt_int(self._facts["headline_gaps"]),
                              total=fmt_int(self.in_scope)))
        members, targets = self._facts["members"]
        if members:
            upcoming = min((m for m in targets if m > members), default=None)
            if upcoming is not None:
                out.append(self.t("sum_members", members=count(members, "member"),
                                  next=fmt_int(upcoming), share=fmt_pct(members / upcoming)))
            elif targets:
                out.append(self.t("sum_members_done", members=count(members, "member"),
                                  milestone=fmt_int(max(targets))))
        if self.n:
            unserved = [r for r in self.tables["groups"].records() if r["initiatives"] == 0]
            if unserved:
                names = self.names([r["group_label"] for r in unserved[:3]])
                out.append(self.t("sum_unserved_groups", count=fmt_int(len(unserved)),
                                  examples=names))
        return out[:SUMMARY_SENTENCES]
