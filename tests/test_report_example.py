"""Every figure of the intersectionality report on the packaged example data, checked by a second,
independent route, in English, French and Spanish.

The report (``build_report`` on the store that ``rightsgraph init`` made: ontology, vocabularies,
seed and example data) counts in SPARQL. Here the same packaged files are parsed with rdflib into
one set of triples (the store's union default graph, where a triple counts once, whichever graph
holds it) and every table is recomputed in plain Python from the definitions the report states in
its table notes and in ``reports/analysis.py`` (no SPARQL, no code of ``reports/`` but the model
and the constants that fix the method: headline themes, the groups left out of intersections, the
top-N limits, the Louvain seed). Networks are recomputed with networkx on a graph built here.

Rows are compared cell by cell, in the order the report defines (every table defines one), floats
to 1e-9; labels must be the vocabularies' ``skos:prefLabel`` (and the territories' ``rdfs:label``)
in the report's language.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS

from conftest import same_rows
from rightsgraph import iri
from rightsgraph.packaged import packaged_graphs
from rightsgraph.reports.analysis import (
    HEADLINE_THEMES,
    INTERSECTIONS_PER_SIZE,
    NOT_INTERSECTIONAL,
    SIMILAR_PAIRS,
    SIMILARITY_TERRITORIES,
    build_report,
)
from rightsgraph.reports.model import TABLES, Base, Filters, Report
from rightsgraph.reports.networks import LOUVAIN_SEED
from rightsgraph.reports.source import store_source
from rightsgraph.resources import read_text
from rightsgraph.store.oxigraph import OxigraphStore

LANGS = ("en", "fr", "es")
RG = Namespace(iri.ontology())
SCHEMA = Namespace("https://schema.org/")
#: The schemes whose concepts the report names (concepts.rq).
SCHEMES = ("rights", "groups", "uclg-regions", "countries")
WITHDRAWN = iri.vocab("membership-status/withdrawn")
#: How the report words a wave (not a concept: the report's own wording).
WAVE = {"en": "Wave {}", "fr": "Vague {}", "es": "Ola {}"}
QUOTE = {"en": "\u201c{}\u201d", "fr": "« {} »", "es": "«{}»"}
INITIATIVES = {"en": "initiatives", "fr": "initiatives", "es": "iniciativas"}


# -------------------------------------------------------------------------------------------------
# The packaged data, read with rdflib
# -------------------------------------------------------------------------------------------------


def packaged_union() -> Graph:
    """Every triple ``rightsgraph init`` loads (loaders/packaged.py: the ontology, vocabulary and
    seed files of ``packaged_graphs``, and the graphs of ``data/example.trig``), once each."""
    union = Graph()
    for _graph, package, name in packaged_graphs():
        union.parse(data=iri.rebase(read_text(package, name)), format="turtle")
    example = Dataset()
    example.parse(data=iri.rebase(read_text("data", "example.trig")), format="trig")
    for s, p, o, _g in example.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def tag_of(value: Any) -> str:
    return value.language or "" if isinstance(value, Literal) else ""


class Example:
    """The base and the vocabularies, as plain Python sets and dicts."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        leaders: dict[str, set[str]] = defaultdict(set)
        for i, t in g.subject_objects(RG.ledBy):
            leaders[str(i)].add(str(t))
        assert all(len(ts) == 1 for ts in leaders.values()), "an initiative led twice"
        #: The base (no filter): every subject of rg:ledBy, with the territory leading it.
        self.led = {i: next(iter(ts)) for i, ts in leaders.items()}
        self.n = len(self.led)
        self.leaders = set(self.led.values())
        self.in_scope = {str(t) for t in g.subjects(RDF.type, RG.Territory)}
        codes: dict[str, set[str]] = defaultdict(set)
        for t, code in g.subject_objects(RG.countryCode):
            codes[str(t)].add(str(code))
        assert all(len(codes[t]) == 1 for t in self.in_scope), "a territory without one country"
        self.country = {t: next(iter(codes[t])) for t in self.in_scope}
        self.named: dict[str, set[str]] = {i: set() for i in self.led}
        for prop in (RG.addressesRight, RG.targetsGroup):
            for subject, concept in g.subject_objects(prop):
                if str(subject) in self.named:
                    self.named[str(subject)].add(str(concept))
        #: Initiatives of the base per concept they name (as named: no closure over broader).
        self.naming: dict[str, set[str]] = defaultdict(set)
        for initiative, named in self.named.items():
            for c in named:
                self.naming[c].add(initiative)
        deprecated = {
            str(s) for s, o in g.subject_objects(OWL.deprecated)
            if isinstance(o, Literal) and o.toPython() is True
        }
        self.scheme: dict[str, set[str]] = {
            code: {str(c) for c in g.subjects(SKOS.inScheme, URIRef(iri.vocab(code)))} - deprecated
            for code in SCHEMES
        }
        concepts = set().union(*self.scheme.values())
        self.broader = {c: {str(b) for b in g.objects(URIRef(c), SKOS.broader)} for c in concepts}
        self.has_narrower = {b for c in concepts for b in self.broader[c]}

    # -- counts -----------------------------------------------------------------------------
    def count(self, concept: str) -> int:
        return len(self.naming.get(concept, ()))

    def territories(self, concept: str) -> int:
        return len({self.led[i] for i in self.naming.get(concept, ())})

    def share(self, concept: str) -> float:
        return self.count(concept) / self.n

    # -- labels -----------------------------------------------------------------------------
    def pref_label(self, concept: str, lang: str) -> str:
        """The concept's skos:prefLabel in ``lang`` (there must be exactly one)."""
        found = [str(v) for v in self.g.objects(URIRef(concept), SKOS.prefLabel)
                 if tag_of(v) == lang]
        assert len(found) == 1, (concept, lang, found)
        return found[0]

    def territory_label(self, territory: str, lang: str) -> str:
        """The territory's rdfs:label in ``lang`` (else English)."""
        labels = {tag_of(v): str(v) for v in self.g.objects(URIRef(territory), RDFS.label)}
        return labels.get(lang) or labels["en"]

    def country_iri(self, code: str) -> str:
        return iri.vocab(f"countries/{code}")

    def country_region(self, code: str) -> str:
        regions = list(self.g.objects(URIRef(self.country_iri(code)), RG.uclgRegion))
        assert len(regions) == 1, (code, regions)
        return str(regions[0])

    def label_of(self, concept: str | None, lang: str) -> str | None:
        """The prefLabel of a concept that may be absent (no broader concept: None)."""
        return None if concept is None else self.pref_label(concept, lang)

    def family(self, concept: str) -> str | None:
        return min(self.broader.get(concept, ()), default=None)

    def ancestors(self, concept: str) -> set[str]:
        out: set[str] = set()
        todo = [concept]
        while todo:
            for b in self.broader.get(todo.pop(), ()):
                if b not in out:
                    out.add(b)
                    todo.append(b)
        return out

    # -- universes --------------------------------------------------------------------------
    def universe(self, scheme: str) -> list[str]:
        """What the groups and categories tables list: the scheme's concepts and every concept
        of the scheme named in the base, less the broader ones (with narrower concepts) that no
        initiative names."""
        prefix = iri.vocab(f"{scheme}/")
        things = self.scheme[scheme] | {c for c in self.naming if c.startswith(prefix)}
        return sorted(c for c in things if self.count(c) > 0 or c not in self.has_narrower)

    def named_in(self, scheme: str) -> list[str]:
        return [c for c in self.universe(scheme) if self.count(c) > 0]

    def by_count(self, things: Iterable[str], lang: str) -> list[str]:
        return sorted(
            things, key=lambda c: (-self.count(c), self.pref_label(c, lang).casefold(), c)
        )

    def together(self, *concepts: str) -> int:
        return len(set.intersection(*(self.naming.get(c, set()) for c in concepts)))

    # -- territories ------------------------------------------------------------------------
    @cached_property
    def led_by(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for i, t in self.led.items():
            out[t].add(i)
        return out

    @cached_property
    def start_year(self) -> dict[str, int]:
        years: dict[str, int] = {}
        for i in self.led:
            starts = [str(v) for v in self.g.objects(URIRef(i), SCHEMA.startDate)]
            assert len(starts) <= 1, (i, starts)
            if starts:
                years[i] = int(starts[0][:4])
        return years


@pytest.fixture(scope="module")
def example() -> Example:
    return Example(packaged_union())


@pytest.fixture(scope="module")
def reports(initialised_store: Path) -> Iterator[dict[str, Report]]:
    """The report on the packaged data, built once per language."""
    store = OxigraphStore(initialised_store, read_only=True)
    try:
        yield {lang: build_report(store_source(store), Filters(), lang) for lang in LANGS}
    finally:
        store.close()


def table(reports: dict[str, Report], lang: str, name: str) -> tuple[tuple[Any, ...], ...]:
    return reports[lang].tables[name].rows


def G(code: str) -> str:
    return iri.vocab(f"groups/{code}")


def R(code: str) -> str:
    return iri.vocab(f"rights/{code}")


# -------------------------------------------------------------------------------------------------
# The base
# -------------------------------------------------------------------------------------------------


def test_the_example_data_is_what_the_checks_assume(example: Example) -> None:
    # Not a figure of the report, the ground the recomputation stands on: something to count,
    # every initiative named something, every leader is a typed territory.
    assert example.n > 300 and len(example.leaders) > 70
    assert example.leaders <= example.in_scope
    assert all(example.named.values())


@pytest.mark.parametrize("lang", LANGS)
def test_every_table_states_its_base(
    reports: dict[str, Report], example: Example, lang: str
) -> None:
    report = reports[lang]
    assert report.lang == lang and tuple(report.tables) == TABLES
    base = Base(initiatives=example.n, territories=len(example.leaders))
    assert report.base == base
    for name, t in report.tables.items():
        expected = base
        if name == "headline_gaps":  # the territories in scope
            expected = Base(initiatives=example.n, territories=len(example.in_scope))
        elif name == "members_by_wave":  # the members counted
            expected = Base(initiatives=example.n, territories=len(members(example)))
        assert t.base == expected, name
        assert all(len(row) == len(t.columns) for row in t.rows), name


@pytest.mark.parametrize("lang", LANGS)
def test_overview(reports: dict[str, Report], example: Example, lang: str) -> None:
    countries = {example.country[t] for t in example.leaders}
    regions = {example.country_region(c) for c in countries}
    same_rows(
        table(reports, lang, "overview"),
        [(example.n, len(example.leaders), len(countries), len(regions),
          len(example.named_in("groups")), len(example.named_in("rights")),
          len(example.in_scope))],
    )


# -------------------------------------------------------------------------------------------------
# Groups, categories, co-occurrence
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "scheme", "name"), [
    (lang, scheme, name) for lang in LANGS
    for scheme, name in (("groups", "groups"), ("rights", "categories"))
])
def test_groups_and_categories(
    reports: dict[str, Report], example: Example, lang: str, scheme: str, name: str
) -> None:
    # concept, label, broader (the smallest IRI), its label, initiatives, territories, share
    expected = []
    for c in example.by_count(example.universe(scheme), lang):
        family = example.family(c)
        expected.append((c, example.pref_label(c, lang), family, example.label_of(family, lang),
                         example.count(c), example.territories(c), example.share(c)))
    same_rows(table(reports, lang, name), expected)


def cooccurrence(example: Example, scheme: str, lang: str) -> list[tuple[Any, ...]]:
    """Pairs a < b named together: together, a only, b only, expected n_a n_b / N, lift."""
    rows = []
    for a, b in combinations(sorted(example.named_in(scheme)), 2):
        t = example.together(a, b)
        if t == 0:
            continue
        n_a, n_b = example.count(a), example.count(b)
        expected = n_a * n_b / example.n
        rows.append((a, example.pref_label(a, lang), b, example.pref_label(b, lang), t, n_a - t,
                     n_b - t, expected, t / expected))
    rows.sort(key=lambda r: (-r[4], -r[8], r[1].casefold(), r[3].casefold(), r[0], r[2]))
    return rows


@pytest.mark.parametrize(("lang", "scheme", "name"), [
    (lang, scheme, name) for lang in LANGS
    for scheme, name in (("groups", "group_cooccurrence"), ("rights", "category_cooccurrence"))
])
def test_cooccurrence(
    reports: dict[str, Report], example: Example, lang: str, scheme: str, name: str
) -> None:
    same_rows(table(reports, lang, name), cooccurrence(example, scheme, lang))


@pytest.mark.parametrize("lang", LANGS)
def test_group_category(reports: dict[str, Report], example: Example, lang: str) -> None:
    # Every cell of groups x categories named in the base, zeros included.
    expected = []
    for g in example.by_count(example.named_in("groups"), lang):
        for c in example.by_count(example.named_in("rights"), lang):
            observed, n_g, n_c = example.together(g, c), example.count(g), example.count(c)
            e = n_g * n_c / example.n
            expected.append((g, example.pref_label(g, lang), c, example.pref_label(c, lang),
                             observed, n_g, n_c, e, observed / e))
    same_rows(table(reports, lang, "group_category"), expected)


# -------------------------------------------------------------------------------------------------
# Intersections
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_intersections(reports: dict[str, Report], example: Example, lang: str) -> None:
    # Every combination of two and of three groups named in the base (everyone left out, and no
    # group with one of its broader ones), counted directly: no pruning.
    excluded = {G(code) for code in NOT_INTERSECTIONAL}
    eligible = sorted(set(example.named_in("groups")) - excluded)

    def nested(combo: tuple[str, ...]) -> bool:
        return any(x in example.ancestors(y) or y in example.ancestors(x)
                   for x, y in combinations(combo, 2))

    def labels(combo: tuple[str, ...]) -> list[str]:
        return [example.pref_label(g, lang).casefold() for g in combo]

    found: list[tuple[Any, ...]] = []
    for size in (2, 3):
        rows = []
        for combo in combinations(eligible, size):
            if nested(combo):
                continue
            together = example.together(*combo)
            totals = [example.count(g) for g in combo]
            least = min(totals)
            rows.append((size, combo, together, totals, 1 - together / least, least - together))
        assert len(rows) > INTERSECTIONS_PER_SIZE  # the limit bites on this data
        rows.sort(key=lambda r: (-r[5], -r[4], labels(r[1]), r[1]))
        found += rows[:INTERSECTIONS_PER_SIZE]
    found.sort(key=lambda r: (-r[5], -r[4], r[0], labels(r[1]), r[1]))
    expected = []
    for size, combo, together, totals, under, shortfall in found:
        cells: list[Any] = [size]
        for k in range(3):
            cells += [combo[k], example.pref_label(combo[k], lang)] if k < size else [None, None]
        cells.append(together)
        cells += [totals[k] if k < size else None for k in range(3)]
        expected.append((*cells, under, shortfall))
    same_rows(table(reports, lang, "intersections"), expected)


# -------------------------------------------------------------------------------------------------
# Networks
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "scheme", "name"), [
    (lang, scheme, name) for lang in LANGS
    for scheme, name in (("groups", "group_network"), ("rights", "category_network"))
])
def test_networks(
    reports: dict[str, Report], example: Example, lang: str, scheme: str, name: str
) -> None:
    # One node per concept named in the base, one edge per pair named together, weight = the
    # initiatives naming both, distance = 1 / weight; nodes and edges added in sorted order.
    nodes = sorted(example.named_in(scheme))
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    degree = dict.fromkeys(nodes, 0)
    for a, b in combinations(nodes, 2):
        weight = example.together(a, b)
        if weight:
            graph.add_edge(a, b, weight=weight, distance=1.0 / weight)
            degree[a] += weight
            degree[b] += weight
    assert graph.number_of_edges() > 0
    betweenness = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    found = nx.community.louvain_communities(
        graph, weight="weight", resolution=1.0, seed=LOUVAIN_SEED
    )
    ordered = sorted((sorted(c) for c in found), key=lambda m: (-len(m), m[0]))
    community = {node: k for k, members_ in enumerate(ordered, 1) for node in members_}
    expected = [
        (c, example.pref_label(c, lang), example.count(c), degree[c], betweenness[c],
         community[c])
        for c in nodes
    ]
    expected.sort(key=lambda r: (-r[3], -r[2], r[1].casefold(), r[0]))
    same_rows(table(reports, lang, name), expected)


# -------------------------------------------------------------------------------------------------
# Similar territories
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_similar_territories(reports: dict[str, Report], example: Example, lang: str) -> None:
    # The territories with the most initiatives (ties: the larger population, then IRI), each
    # profiled by its initiatives per rights category; cosine of the profiles; pairs sharing a
    # category, most similar first (at 12 decimals), then more categories shared, then IRIs.
    def population(t: str) -> float:
        values = [int(str(v)) for v in example.g.objects(URIRef(t), RG.population)]
        return max(values, default=-math.inf)

    ranked = sorted(example.led_by,
                    key=lambda t: (-len(example.led_by[t]), -population(t), t))
    compared = ranked[:SIMILARITY_TERRITORIES]
    profiles: dict[str, dict[str, int]] = {}
    for t in compared:
        profile: dict[str, int] = defaultdict(int)
        for i in example.led_by[t]:
            for c in example.named[i]:
                if c.startswith(iri.vocab("rights/")):
                    profile[c] += 1
        if profile:
            profiles[t] = profile
    pairs = []
    for a, b in combinations(sorted(profiles), 2):
        shared = profiles[a].keys() & profiles[b].keys()
        if not shared:
            continue
        dot = sum(profiles[a][c] * profiles[b][c] for c in shared)
        norms = sum(v * v for v in profiles[a].values()) * sum(v * v for v in profiles[b].values())
        similarity = min(1.0, dot / math.sqrt(norms))
        pairs.append((-round(similarity, 12), -len(shared), a, b, similarity))
    pairs.sort()
    expected = [
        (a, example.territory_label(a, lang), b, example.territory_label(b, lang), similarity,
         -shared, len(example.led_by[a]), len(example.led_by[b]))
        for _, shared, a, b, similarity in pairs[:SIMILAR_PAIRS]
    ]
    assert len(expected) == SIMILAR_PAIRS
    same_rows(table(reports, lang, "similar_territories"), expected)


# -------------------------------------------------------------------------------------------------
# Gaps
# -------------------------------------------------------------------------------------------------


def gap_cells(example: Example, lang: str, territories: set[str]) -> list[tuple[Any, ...]]:
    """For an area (its territories): every right, then every group, of the tables' universes,
    with (kind, concept, label, initiatives, territories, the area's initiatives, share, the
    base's count, its share, gap = share - base share)."""
    initiatives = {i for i, t in example.led.items() if t in territories}
    area_n = len(initiatives)
    out = []
    for kind, scheme in (("category", "rights"), ("group", "groups")):
        for c in example.universe(scheme):
            mine = example.naming.get(c, set()) & initiatives
            n = len(mine)
            share = n / area_n
            out.append((kind, c, example.pref_label(c, lang), n,
                        len({example.led[i] for i in mine}), area_n, share, example.count(c),
                        example.share(c), share - example.share(c)))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_gaps_by_region(reports: dict[str, Report], example: Example, lang: str) -> None:
    # A region is its countries' (the country's UCLG region in the countries scheme), among
    # the countries whose territories lead an initiative.
    areas: dict[str, set[str]] = defaultdict(set)
    for t in example.leaders:
        areas[example.country_region(example.country[t])].add(t)
    expected = []
    for region, territories in areas.items():
        label = example.pref_label(region, lang)
        for kind, c, c_label, *figures in gap_cells(example, lang, territories):
            expected.append((region, label, kind, c, c_label, *figures))
    expected.sort(key=lambda r: (r[1].casefold(), r[11], r[2], r[4].casefold(), r[3]))
    same_rows(table(reports, lang, "gaps_by_region"), expected)


@pytest.mark.parametrize("lang", LANGS)
def test_gaps_by_country(reports: dict[str, Report], example: Example, lang: str) -> None:
    areas: dict[str, set[str]] = defaultdict(set)
    for t in example.leaders:
        areas[example.country[t]].add(t)
    expected = []
    for code, territories in areas.items():
        label = example.pref_label(example.country_iri(code), lang)
        region = example.country_region(code)
        for kind, c, c_label, *figures in gap_cells(example, lang, territories):
            expected.append((code, label, region, example.pref_label(region, lang), kind, c,
                             c_label, *figures))
    expected.sort(key=lambda r: (r[1].casefold(), r[0], r[13], r[4], r[6].casefold(), r[5]))
    same_rows(table(reports, lang, "gaps_by_country"), expected)


@pytest.mark.parametrize("lang", LANGS)
def test_headline_gaps(reports: dict[str, Report], example: Example, lang: str) -> None:
    # Territories in scope none of whose initiatives names a headline theme or a narrower right.
    themes = {R(code) for code in HEADLINE_THEMES}
    themes |= {c for c in example.broader if example.ancestors(c) & themes}
    expected = []
    for t in example.in_scope:
        led = example.led_by.get(t, set())
        if any(example.named[i] & themes for i in led):
            continue
        code = example.country[t]
        expected.append((t, example.territory_label(t, lang), code,
                         example.pref_label(example.country_iri(code), lang), len(led)))
    expected.sort(key=lambda r: (-r[4], r[1].casefold(), r[0]))
    assert expected
    same_rows(table(reports, lang, "headline_gaps"), expected)


# -------------------------------------------------------------------------------------------------
# Trends and members
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_trend_by_year(reports: dict[str, Report], example: Example, lang: str) -> None:
    # Initiatives of the base by start year and category named; the year's total of initiatives.
    years = example.start_year
    year_total: dict[int, int] = defaultdict(int)
    cells: dict[tuple[int, str], int] = defaultdict(int)
    for i, year in years.items():
        year_total[year] += 1
        for c in example.named[i]:
            if c.startswith(iri.vocab("rights/")):
                cells[(year, c)] += 1
    expected = []
    for (year, c), n in cells.items():
        family = example.family(c)
        expected.append((year, c, example.pref_label(c, lang), family,
                         example.label_of(family, lang), n, year_total[year]))
    expected.sort(key=lambda r: (r[0], -r[5], r[2].casefold(), r[1]))
    same_rows(table(reports, lang, "trend_by_year"), expected)
    undated = example.n - len(years)
    assert undated > 0
    note = reports[lang].tables["trend_by_year"].note
    assert f" {undated} " in f" {note} "
    if lang == "en":
        assert f"{undated} initiatives of the base have no start date" in note


def members(example: Example) -> dict[str, set[int | None]]:
    """Each member counted (a territory in scope with a membership not withdrawn), with the
    numbers of its memberships' waves (None: no wave recorded)."""
    g = example.g
    out: dict[str, set[int | None]] = defaultdict(set)
    for membership, territory in g.subject_objects(RG.member):
        if str(territory) not in example.in_scope:
            continue
        if URIRef(WITHDRAWN) in set(g.objects(membership, RG.membershipStatus)):
            continue
        waves: list[int | None] = [
            int(str(n)) for w in g.objects(membership, RG.inWave)
            for n in g.objects(w, RG.waveNumber)
        ]
        for wave in waves or [None]:
            out[str(territory)].add(wave)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_members_by_wave(reports: dict[str, Report], example: Example, lang: str) -> None:
    per_wave: dict[int | None, int] = defaultdict(int)
    for waves in members(example).values():
        for wave in waves:
            per_wave[wave] += 1
    milestones: dict[int, str | None] = {}
    for milestone in example.g.subjects(RDF.type, RG.Milestone):
        for target in example.g.objects(milestone, RG.targetCount):
            date = example.g.value(milestone, RG.targetDate)
            milestones[int(str(target))] = None if date is None else str(date)
    assert sorted(milestones) == [10, 100, 1000]
    expected = []
    running = 0
    for wave in sorted(per_wave, key=lambda w: (w is None, w or 0)):
        running += per_wave[wave]
        reached = max((m for m in milestones if m <= running), default=None)
        upcoming = min((m for m in milestones if m > running), default=None)
        expected.append((wave, WAVE[lang].format(wave), per_wave[wave], running, reached,
                         upcoming, milestones[upcoming] if upcoming else None,
                         running / upcoming if upcoming else None))
    assert None not in per_wave  # every example membership names its wave
    same_rows(table(reports, lang, "members_by_wave"), expected)


# -------------------------------------------------------------------------------------------------
# Labels and the summary
# -------------------------------------------------------------------------------------------------


def number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text if lang == "en" else text.replace(",", "\u202f")


def percent(share: float, lang: str) -> str:
    text = f"{share * 100:.1f}"
    return text + "%" if lang == "en" else text.replace(".", ",") + "\u202f%"


@pytest.mark.parametrize("lang", LANGS)
def test_labels_are_the_vocabularies_in_the_language(
    reports: dict[str, Report], example: Example, lang: str
) -> None:
    # Every (concept, label) pair of every table: the concept's prefLabel in ``lang``.
    checked = 0
    for t in reports[lang].tables.values():
        for record in t.records():
            for column, value in record.items():
                label = record.get(f"{column}_label")
                if column.endswith("_label") or label is None or not isinstance(value, str):
                    continue
                if column == "country":
                    value = example.country_iri(value)
                if value.startswith(iri.vocab("")):
                    assert label == example.pref_label(value, lang), (t.name, column, value)
                    checked += 1
    assert checked > 1000


@pytest.mark.parametrize("lang", LANGS)
def test_the_summary_names_the_right_top_group_and_category(
    reports: dict[str, Report], example: Example, lang: str
) -> None:
    summary = reports[lang].summary
    countries = {example.country[t] for t in example.leaders}
    for figure in (example.n, len(example.leaders), len(countries)):
        assert number(figure, lang) in summary[0]
    everyone = {G(code) for code in NOT_INTERSECTIONAL}
    groups = [g for g in example.named_in("groups") if g not in everyone]
    most = max(example.count(g) for g in groups)
    top = [g for g in groups if example.count(g) == most]
    assert len(top) == 1  # a single top group on this data: the sentence names it
    sentence = summary[1]
    assert QUOTE[lang].format(example.pref_label(top[0], lang)) in sentence
    assert f"{number(most, lang)} {INITIATIVES[lang]}" in sentence
    assert percent(most / example.n, lang) in sentence
    categories = example.named_in("rights")
    most = max(example.count(c) for c in categories)
    top = [c for c in categories if example.count(c) == most]
    assert len(top) == 1
    sentence = summary[2]
    assert QUOTE[lang].format(example.pref_label(top[0], lang)) in sentence
    assert percent(most / example.n, lang) in sentence
    # The headline and members sentences carry the figures of their tables.
    headline = len(table(reports, lang, "headline_gaps"))
    assert any(number(headline, lang) in s and number(len(example.in_scope), lang) in s
               for s in summary[3:])
    counted = len(members(example))
    assert any(number(counted, lang) in s and percent(counted / 100, lang) in s
               for s in summary[3:])
