"""The intersectionality report's figures, checked by hand.

A hand-made fixture (``fixtures/reports/small.trig``: six fictional territories, twelve fictional
initiatives, clearly marked example data; its header has the whole table) is loaded with the
packaged ontology, vocabularies and campaign seed (milestones, waves) into a real pyoxigraph
store. Every figure of every table is computed by hand below, the arithmetic written next to it,
and compared. Filters must change the base as expected, bad filters must be refused, and the same
report built through a real ``rightsgraph serve`` (its ``/sparql``) must equal the embedded one,
table for table. The packaged example data gets a sanity check.

Reading key for the comments: T1..T6 are the territories and i1..i12 the initiatives of the
fixture's table; N = 12 initiatives in the base.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery
from virtuoso import Virtuoso, clear_virtuoso

from conftest import running_server, same_rows
from rightsgraph import iri
from rightsgraph.errors import InputError, QuerySyntaxError, StoreError
from rightsgraph.loaders.packaged import packaged_quads
from rightsgraph.reports import filters as report_filters
from rightsgraph.reports import networks
from rightsgraph.reports.analysis import HEADLINE_THEMES, SIMILARITY_TERRITORIES, build_report
from rightsgraph.reports.model import TABLES, Filters, Report, Table
from rightsgraph.reports.render_html import filter_lines
from rightsgraph.reports.source import (
    EndpointSource,
    endpoint_source,
    json_value,
    python_value,
    store_source,
)
from rightsgraph.resources import iter_files, read_text
from rightsgraph.store.base import GraphReplacement, Store
from rightsgraph.store.oxigraph import OxigraphStore

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "reports" / "small.trig"
N = 12


def G(code: str) -> str:
    return iri.vocab(f"groups/{code}")


def R(code: str) -> str:
    return iri.vocab(f"rights/{code}")


def T(key: str) -> str:
    return iri.territory(f"example/{key}")


def REGION(code: str) -> str:
    return iri.vocab(f"uclg-regions/{code}")


T1, T2, T3 = T("es-villa-ejemplo"), T("fr-exempleville"), T("es-puerto-ficticio")
T4, T5, T6 = T("sn-ndemo-fictif"), T("mx-ciudad-modelo"), T("mx-pueblo-prueba")

# Labels (the vocabularies' English prefLabels), for the rows below.
L = {
    "all-inhabitants": "All inhabitants",
    "children": "Children",
    "migrants": "Migrants",
    "older-persons": "Older persons",
    "persons-with-disabilities": "Persons with disabilities",
    "women": "Women",
    "women-girls": "Women and girls",
    "cultural-rights": "Cultural rights",
    "education": "Right to education",
    "health": "Right to health",
    "housing": "Right to housing and domicile",
    "participatory-democracy": "Right to participatory democracy",
    "non-discrimination": "Equality and non-discrimination",
}
FAMILY = {
    "cultural-rights": ("cultural-educational", "Cultural and educational rights"),
    "education": ("cultural-educational", "Cultural and educational rights"),
    "health": ("economic-social", "Economic and social rights"),
    "housing": ("economic-social", "Economic and social rights"),
    "participatory-democracy": ("civil-political", "Civil and political rights"),
    "non-discrimination": ("equality", "Equality rights"),
}


# -------------------------------------------------------------------------------------------------
# The store and the report
# -------------------------------------------------------------------------------------------------


def load_small(store: Store) -> None:
    """The packaged ontology and vocabularies, the campaign seed (waves and milestones: its six
    pioneer memberships name territories that are not in this store, so they are in no scope)
    and the fixture, into ``store``."""
    for graph, quads in packaged_quads(example=False).items():
        if graph in (iri.graph("ontology"), iri.graph("vocab")):
            store.replace_graph(GraphReplacement(graph=graph, quads=quads))
    seed = ox.NamedNode(iri.graph("seed"))
    campaign = ox.parse(
        iri.rebase(read_text("data", "seed/campaign.ttl")), format=ox.RdfFormat.TURTLE
    )
    store.replace_graph(
        GraphReplacement(
            graph=seed.value,
            quads=[ox.Quad(q.subject, q.predicate, q.object, seed) for q in campaign],
        )
    )
    store.load(FIXTURE, format=ox.RdfFormat.TRIG)


def load_small_store(path: Path) -> None:
    store = OxigraphStore(path)
    try:
        load_small(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-small") / "store"
    load_small_store(path)
    return path


@pytest.fixture(scope="module")
def small_store(small_path: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(small_path, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def report(small_store: OxigraphStore) -> Report:
    return build_report(store_source(small_store), Filters(), "en")


def rows(report: Report, name: str) -> tuple[tuple[Any, ...], ...]:
    return report.tables[name].rows


def scheme_concepts(store: OxigraphStore, scheme: str) -> set[str]:
    source = store_source(store)
    found = source.select(
        "SELECT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
        f"<{iri.vocab(scheme)}> }}"
    )
    return {str(r["c"]) for r in found}


def families(store: OxigraphStore) -> set[str]:
    """The rights concepts that have narrower ones (the six families)."""
    found = store_source(store).select(
        "SELECT DISTINCT ?f WHERE { ?c <http://www.w3.org/2004/02/skos/core#broader> ?f ; "
        f"<http://www.w3.org/2004/02/skos/core#inScheme> <{iri.vocab('rights')}> }}"
    )
    return {str(r["f"]) for r in found}


# -------------------------------------------------------------------------------------------------
# Every table, by hand
# -------------------------------------------------------------------------------------------------


def test_every_table_is_there_with_its_base_and_sparql(report: Report) -> None:
    assert tuple(report.tables) == TABLES
    assert report.base.initiatives == N and report.base.territories == 5
    for name, table in report.tables.items():
        assert table.name == name
        assert len(table.labels) == len(table.columns)
        assert "SELECT" in table.sparql and table.note
        assert all(len(row) == len(table.columns) for row in table.rows)
        if name not in ("headline_gaps", "members_by_wave"):
            assert table.base == report.base
    # Territories in scope: all six; members counted: T1, T2, T3, T4, T6 (T5 withdrew).
    assert (report.tables["headline_gaps"].base.initiatives,
            report.tables["headline_gaps"].base.territories) == (12, 6)
    assert report.tables["members_by_wave"].base.territories == 5
    assert report.lang == "en" and report.title.startswith("Intersectionality report")
    assert report.data_version > 0 and report.generated_at.endswith("Z")


def test_overview(report: Report) -> None:
    # 12 initiatives; 5 territories lead one (T6 none); countries ES, FR, SN, MX; regions of
    # those countries: europe, africa, latin-america; groups named: all-inhabitants, children,
    # migrants, older-persons, persons-with-disabilities, women, women-girls (7); rights named:
    # cultural-rights, education, health, housing, non-discrimination, participatory-democracy
    # (6); territories in scope: T1..T6.
    same_rows(rows(report, "overview"), [(12, 5, 4, 3, 7, 6, 6)])


def test_groups(report: Report, small_store: OxigraphStore) -> None:
    named = [
        # group, broader, initiatives (which), territories (which), share = initiatives / 12
        ("women-girls", None, 5, 4, 5 / 12),  # i1 i3 i4 i7 i10; T1 T2 T3 T4
        ("migrants", None, 4, 3, 4 / 12),  # i1 i2 i7 i11; T1 T3 T5
        ("children", None, 3, 3, 3 / 12),  # i3 i7 i9; T1 T3 T4 ("Children" < "Older persons")
        ("older-persons", None, 3, 3, 3 / 12),  # i5 i10 i12; T2 T4 T5
        ("persons-with-disabilities", None, 2, 2, 2 / 12),  # i5 i8; T2 T3
        ("all-inhabitants", None, 1, 1, 1 / 12),  # i6; T2
        ("women", "women-girls", 1, 1, 1 / 12),  # i11 (not counted in women-girls); T5
    ]
    expected = [
        (G(c), L[c], G(b) if b else None, L[b] if b else None, n, t, share)
        for c, b, n, t, share in named
    ]
    table = rows(report, "groups")
    same_rows(table[: len(named)], expected)
    # Every other group of the scheme follows with 0 (women-girls, a broader group, is there
    # because initiatives name it directly).
    others = scheme_concepts(small_store, "groups") - {G(c) for c, *_ in named}
    assert {row[0] for row in table[len(named):]} == others
    assert all(row[4:] == (0, 0, 0.0) for row in table[len(named):])


def test_categories(report: Report, small_store: OxigraphStore) -> None:
    named = [
        # category, initiatives (which), territories (which); ties in label order
        ("cultural-rights", 3, 2),  # i8 i11 i12; T3 T5
        ("education", 3, 3),  # i3 i7 i9; T1 T3 T4
        ("health", 3, 2),  # i4 i5 i9; T2 T4
        ("housing", 3, 2),  # i1 i2 i7; T1 T3
        ("participatory-democracy", 3, 3),  # i6 i10 i12; T2 T4 T5
        ("non-discrimination", 2, 2),  # i1 i4; T1 T2
    ]
    expected = [
        (R(c), L[c], R(FAMILY[c][0]), FAMILY[c][1], n, t, n / 12) for c, n, t in named
    ]
    table = rows(report, "categories")
    same_rows(table[: len(named)], expected)
    # Then every other right of the scheme with 0, the six families left out (nobody names one).
    others = scheme_concepts(small_store, "rights") - families(small_store) - {
        R(c) for c, *_ in named
    }
    assert {row[0] for row in table[len(named):]} == others
    assert all(row[4:] == (0, 0, 0.0) for row in table[len(named):])


def test_group_cooccurrence(report: Report) -> None:
    # Pairs named together (a before b in IRI order), n_a/n_b from test_groups:
    # (children, women-girls): i3 i7 -> 2; a only 3-2=1, b only 5-2=3; expected 3*5/12=1.25
    # (migrants, women-girls): i1 i7 -> 2; 4-2=2, 5-2=3; expected 4*5/12
    # (migrants, women): i11 -> 1; 4-1=3, 1-1=0; expected 4*1/12
    # (older-persons, persons-with-disabilities): i5 -> 1; 3-1=2, 2-1=1; expected 3*2/12=0.5
    # (children, migrants): i7 -> 1; 3-1=2, 4-1=3; expected 3*4/12=1
    # (older-persons, women-girls): i10 -> 1; 3-1=2, 5-1=4; expected 3*5/12=1.25
    # lift = together / expected; order: together desc, then lift desc.
    def row(a: str, b: str, t: int, a_only: int, b_only: int, e: float) -> tuple[Any, ...]:
        return (G(a), L[a], G(b), L[b], t, a_only, b_only, e, t / e)

    same_rows(
        rows(report, "group_cooccurrence"),
        [
            row("children", "women-girls", 2, 1, 3, 3 * 5 / 12),  # lift 1.6
            row("migrants", "women-girls", 2, 2, 3, 4 * 5 / 12),  # lift 1.2
            row("migrants", "women", 1, 3, 0, 4 * 1 / 12),  # lift 3
            row("older-persons", "persons-with-disabilities", 1, 2, 1, 3 * 2 / 12),  # lift 2
            row("children", "migrants", 1, 2, 3, 3 * 4 / 12),  # lift 1
            row("older-persons", "women-girls", 1, 2, 4, 3 * 5 / 12),  # lift 0.8
        ],
    )


def test_category_cooccurrence(report: Report) -> None:
    # (health, non-discrimination): i4; (housing, non-discrimination): i1; each 3*2/12 = 0.5,
    # lift 2; (cultural-rights, participatory-democracy): i12; (education, health): i9;
    # (education, housing): i7; each 3*3/12 = 0.75, lift 4/3. Ties: label order of a, then b.
    def row(a: str, b: str, a_only: int, b_only: int, e: float) -> tuple[Any, ...]:
        return (R(a), L[a], R(b), L[b], 1, a_only, b_only, e, 1 / e)

    same_rows(
        rows(report, "category_cooccurrence"),
        [
            row("health", "non-discrimination", 2, 1, 3 * 2 / 12),
            row("housing", "non-discrimination", 2, 1, 3 * 2 / 12),
            row("cultural-rights", "participatory-democracy", 2, 2, 3 * 3 / 12),
            row("education", "health", 2, 2, 3 * 3 / 12),
            row("education", "housing", 2, 2, 3 * 3 / 12),
        ],
    )


def test_group_category(report: Report) -> None:
    # Groups by initiatives (then label), rights by initiatives (then label); every cell, zeros
    # included. Observed counts, read off the fixture's table:
    groups = [("women-girls", 5), ("migrants", 4), ("children", 3), ("older-persons", 3),
              ("persons-with-disabilities", 2), ("all-inhabitants", 1), ("women", 1)]
    rights = [("cultural-rights", 3), ("education", 3), ("health", 3), ("housing", 3),
              ("participatory-democracy", 3), ("non-discrimination", 2)]
    observed = {
        #                    Cu E  He H  P  N
        "women-girls": (0, 2, 1, 2, 1, 2),  # E: i3 i7; He: i4; H: i1 i7; P: i10; N: i1 i4
        "migrants": (1, 1, 0, 3, 0, 1),  # Cu: i11; E: i7; H: i1 i2 i7; N: i1
        "children": (0, 3, 1, 1, 0, 0),  # E: i3 i7 i9; He: i9; H: i7
        "older-persons": (1, 0, 1, 0, 2, 0),  # Cu: i12; He: i5; P: i10 i12
        "persons-with-disabilities": (1, 0, 1, 0, 0, 0),  # Cu: i8; He: i5
        "all-inhabitants": (0, 0, 0, 0, 1, 0),  # P: i6
        "women": (1, 0, 0, 0, 0, 0),  # Cu: i11
    }
    expected = []
    for group, n_g in groups:
        for (right, n_c), n in zip(rights, observed[group], strict=True):
            e = n_g * n_c / 12  # expected
            expected.append((G(group), L[group], R(right), L[right], n, n_g, n_c, e, n / e))
    same_rows(rows(report, "group_category"), expected)


def test_intersections(report: Report) -> None:
    # Groups: children 3, migrants 4, older-persons 3, persons-with-disabilities 2, women 1,
    # women-girls 5 (all-inhabitants left out; women with women-girls left out: nested).
    # under-served = 1 - together / min; shortfall = min - together. Order: shortfall desc,
    # under-served desc, size, labels.
    c, m, o, d = "children", "migrants", "older-persons", "persons-with-disabilities"
    w, wg = "women", "women-girls"
    n = {c: 3, m: 4, o: 3, d: 2, w: 1, wg: 5}

    def row(together: int, *combo: str) -> tuple[Any, ...]:
        least = min(n[g] for g in combo)
        cells: list[Any] = [len(combo)]
        for k in range(3):
            cells += [G(combo[k]), L[combo[k]]] if k < len(combo) else [None, None]
        cells.append(together)
        cells += [n[combo[k]] if k < len(combo) else None for k in range(3)]
        return (*cells, 1 - together / least, least - together)

    same_rows(
        rows(report, "intersections"),
        [
            # shortfall 3 (min 3, never together)
            row(0, c, o), row(0, m, o),
            row(0, c, m, o), row(0, c, o, wg), row(0, m, o, wg),
            # shortfall 2, under-served 1
            row(0, c, d), row(0, m, d), row(0, d, wg),
            row(0, c, m, d), row(0, c, o, d), row(0, c, d, wg), row(0, m, o, d),
            row(0, m, d, wg), row(0, o, d, wg),
            # shortfall 2, under-served 2/3: children+migrants (i7), older+women-girls (i10),
            # children+migrants+women-girls (i7)
            row(1, c, m), row(1, o, wg), row(1, c, m, wg),
            # shortfall 2, under-served 1/2: migrants+women-girls (i1 i7)
            row(2, m, wg),
            # shortfall 1, under-served 1
            row(0, c, w), row(0, o, w), row(0, d, w),
            row(0, c, m, w), row(0, c, o, w), row(0, c, d, w), row(0, m, o, w), row(0, m, d, w),
            row(0, o, d, w),
            # shortfall 1, under-served 1/2 (i5), then 1/3 (i3 i7)
            row(1, o, d), row(2, c, wg),
            # migrants+women: i11, the one initiative for women also serves migrants
            row(1, m, w),
        ],
    )


def test_group_network(report: Report) -> None:
    # Edges (weight = together, distance = 1/weight): children-migrants 1, children-women-girls
    # 2, migrants-women-girls 2, older-disabilities 1, older-women-girls 1, migrants-women 1;
    # all-inhabitants alone.
    # Weighted degree: women-girls 2+2+1=5, migrants 1+2+1=4, children 1+2=3, older 1+1=2,
    # disabilities 1, women 1, all-inhabitants 0.
    # Betweenness (shortest paths by distance, ties split): women-girls lies on children-older,
    # children-disabilities, migrants-older, migrants-disabilities, older-women,
    # disabilities-women (6) and on one of the two equal paths of children-migrants (1 vs
    # 0.5+0.5) and of children-women (1+1 vs 0.5+0.5+1): 6 + 1/2 + 1/2 = 7; older-persons on the
    # 4 paths to disabilities from children, migrants, women-girls and women; migrants on the 4
    # paths to women from children (both equal ones), women-girls, older persons and
    # disabilities. Normalised by (n-1)(n-2)/2 = 6*5/2 = 15 (n = 7 nodes).
    # Louvain (modularity, m = 8): {children, migrants, women, women-girls} {older,
    # disabilities} {all-inhabitants} gives 6/8 - (13/16)^2 + 1/8 - (3/16)^2 = 0.1797, more
    # than any other split (one community: 0; {c,m,wg}{w}{o,d}: 0.168); numbered by size.
    same_rows(
        rows(report, "group_network"),
        [
            (G("women-girls"), L["women-girls"], 5, 5, 7 / 15, 1),
            (G("migrants"), L["migrants"], 4, 4, 4 / 15, 1),
            (G("children"), L["children"], 3, 3, 0.0, 1),
            (G("older-persons"), L["older-persons"], 3, 2, 4 / 15, 2),
            (G("persons-with-disabilities"), L["persons-with-disabilities"], 2, 1, 0.0, 2),
            (G("women"), L["women"], 1, 1, 0.0, 1),
            (G("all-inhabitants"), L["all-inhabitants"], 1, 0, 0.0, 3),
        ],
    )


def test_category_network(report: Report) -> None:
    # Edges, all weight 1: education-health, education-housing, health-non-discrimination,
    # housing-non-discrimination (a 4-cycle), cultural-rights-participatory-democracy.
    # In the cycle each node lies on one of the two shortest paths between its two neighbours:
    # 1/2, normalised by (n-1)(n-2)/2 = 5*4/2 = 10 -> 0.05. Louvain (m = 5): the cycle and the
    # pair, 4/5 - (8/10)^2 + 1/5 - (2/10)^2 = 0.32 (splitting the cycle: 0.24).
    same_rows(
        rows(report, "category_network"),
        [
            (R("education"), L["education"], 3, 2, 0.5 / 10, 1),
            (R("health"), L["health"], 3, 2, 0.5 / 10, 1),
            (R("housing"), L["housing"], 3, 2, 0.5 / 10, 1),
            (R("non-discrimination"), L["non-discrimination"], 2, 2, 0.5 / 10, 1),
            (R("cultural-rights"), L["cultural-rights"], 3, 1, 0.0, 2),
            (R("participatory-democracy"), L["participatory-democracy"], 3, 1, 0.0, 2),
        ],
    )


def test_similar_territories(report: Report) -> None:
    # Profiles (initiatives per right): T1 housing 2, non-discr. 1, education 1 (|T1| = √6);
    # T2 health 2, non-discr. 1, participation 1 (√6); T3 housing 1, education 1, culture 1
    # (√3); T4 education 1, health 1, participation 1 (√3); T5 culture 2, participation 1 (√5).
    # T6 has no initiative. Cosines (dot / norms), ties: more rights in common, then IRIs:
    same_rows(
        rows(report, "similar_territories"),
        [
            (T3, "Puerto Ficticio", T1, "Villa Ejemplo", 3 / math.sqrt(3 * 6), 2, 2, 3),
            (T2, "Exempleville", T4, "Ndemo Fictif", 3 / math.sqrt(6 * 3), 2, 3, 2),
            (T3, "Puerto Ficticio", T5, "Ciudad Modelo", 2 / math.sqrt(3 * 5), 1, 2, 2),
            (T3, "Puerto Ficticio", T4, "Ndemo Fictif", 1 / math.sqrt(3 * 3), 1, 2, 2),
            (T5, "Ciudad Modelo", T4, "Ndemo Fictif", 1 / math.sqrt(5 * 3), 1, 2, 2),
            (T1, "Villa Ejemplo", T4, "Ndemo Fictif", 1 / math.sqrt(6 * 3), 1, 3, 2),
            (T2, "Exempleville", T5, "Ciudad Modelo", 1 / math.sqrt(6 * 5), 1, 3, 2),
            (T1, "Villa Ejemplo", T2, "Exempleville", 1 / math.sqrt(6 * 6), 1, 3, 3),
        ],
    )


#: Initiatives per right and group in the whole base (test_groups, test_categories).
CAMPAIGN = {
    "cultural-rights": 3, "education": 3, "health": 3, "housing": 3,
    "participatory-democracy": 3, "non-discrimination": 2,
    "women-girls": 5, "migrants": 4, "children": 3, "older-persons": 3,
    "persons-with-disabilities": 2, "all-inhabitants": 1, "women": 1,
}
#: Non-zero cells per area: concept -> (initiatives, territories), read off the fixture.
AFRICA = {  # T4: i9 (children; education, health), i10 (women-girls, older; participation)
    "education": (1, 1), "health": (1, 1), "participatory-democracy": (1, 1),
    "children": (1, 1), "women-girls": (1, 1), "older-persons": (1, 1),
}
LATIN_AMERICA = {  # T5: i11 (migrants, women; culture), i12 (older; participation, culture)
    "cultural-rights": (2, 1), "participatory-democracy": (1, 1),
    "migrants": (1, 1), "women": (1, 1), "older-persons": (1, 1),
}
SPAIN = {  # T1: i1 i2 i3, T3: i7 i8
    "housing": (3, 2), "non-discrimination": (1, 1), "education": (2, 2),
    "cultural-rights": (1, 1), "migrants": (3, 2), "women-girls": (3, 2), "children": (2, 2),
    "persons-with-disabilities": (1, 1),
}
FRANCE = {  # T2: i4 i5 i6
    "health": (2, 1), "non-discrimination": (1, 1), "participatory-democracy": (1, 1),
    "women-girls": (1, 1), "older-persons": (1, 1), "persons-with-disabilities": (1, 1),
    "all-inhabitants": (1, 1),
}
EUROPE = {  # Spain + France: counts add up (one country per territory)
    concept: (SPAIN.get(concept, (0, 0))[0] + FRANCE.get(concept, (0, 0))[0],
              SPAIN.get(concept, (0, 0))[1] + FRANCE.get(concept, (0, 0))[1])
    for concept in {*SPAIN, *FRANCE}
}


def concept_iri(code: str) -> str:
    return G(code) if code in ("women-girls", "migrants", "children", "older-persons",
                               "persons-with-disabilities", "all-inhabitants", "women") else R(code)


def check_gaps(table: Table, area_column: str, areas: dict[str, tuple[int, dict[str, Any]]],
               universe: set[str]) -> None:
    """Every (area, concept) cell: initiatives, territories, the area's initiatives, share,
    the base's count and share, gap = share - base share."""
    records = table.records()
    assert len(records) == len(areas) * len(universe)
    for record in records:
        area_n, cells = areas[record[area_column]]
        code = record["concept"].rsplit("/", 1)[-1]
        n, t = cells.get(code, (0, 0))
        campaign = CAMPAIGN.get(code, 0)
        assert record["kind"] == ("group" if "/groups/" in record["concept"] else "category")
        assert (record["initiatives"], record["territories"]) == (n, t), record
        assert record[f"{area_column}_initiatives"] == area_n
        assert record["share"] == pytest.approx(n / area_n)
        assert record["campaign_initiatives"] == campaign
        assert record["campaign_share"] == pytest.approx(campaign / 12)
        assert record["gap"] == pytest.approx(n / area_n - campaign / 12)
    assert {r["concept"] for r in records} == universe


def universe(store: OxigraphStore) -> set[str]:
    rights = scheme_concepts(store, "rights") - families(store)
    return rights | scheme_concepts(store, "groups")


def test_gaps_by_region(report: Report, small_store: OxigraphStore) -> None:
    table = report.tables["gaps_by_region"]
    # Regions of the countries: europe = ES + FR (i1..i8: 8), africa = SN (2), latin-america =
    # MX (2; T6 has none). T1's Metropolis section is not a country's region.
    areas = {
        REGION("europe"): (8, EUROPE),
        REGION("africa"): (2, AFRICA),
        REGION("latin-america"): (2, LATIN_AMERICA),
    }
    check_gaps(table, "region", areas, universe(small_store))
    records = table.records()
    # Order: regions by label, then the largest shortfall first (gap ascending).
    assert [r["region_label"] for r in records[:: len(records) // 3]] == [
        "Africa", "Europe", "Latin America"]
    for region in areas:
        gaps = [r["gap"] for r in records if r["region"] == region]
        assert gaps == sorted(gaps)
    # Europe's most negative: culture, participation, older persons (1/8 - 3/12 = -0.125).
    europe = [r for r in records if r["region"] == REGION("europe")]
    assert {r["concept_label"] for r in europe if r["gap"] == pytest.approx(1 / 8 - 3 / 12)} == {
        "Cultural rights", "Right to participatory democracy", "Older persons"}


def test_gaps_by_country(report: Report, small_store: OxigraphStore) -> None:
    table = report.tables["gaps_by_country"]
    areas = {
        "ES": (5, SPAIN),  # i1 i2 i3 i7 i8
        "FR": (3, FRANCE),  # i4 i5 i6
        "SN": (2, AFRICA),
        "MX": (2, LATIN_AMERICA),
    }
    check_gaps(table, "country", areas, universe(small_store))
    records = table.records()
    labels = {r["country"]: (r["country_label"], r["region"]) for r in records}
    assert labels == {
        "ES": ("Spain", REGION("europe")), "FR": ("France", REGION("europe")),
        "SN": ("Senegal", REGION("africa")), "MX": ("Mexico", REGION("latin-america")),
    }
    assert [r["country"] for r in records[:: len(records) // 4]] == ["FR", "MX", "SN", "ES"]


def test_headline_gaps(report: Report) -> None:
    # Headline themes: inclusion, non-discrimination, water-food, education, housing,
    # digital-rights. T1 (housing), T2 (non-discrimination, i4), T3 (housing, education),
    # T4 (education, i9) have one; T5 (culture, participation: 2 initiatives) and T6 (none)
    # have not.
    assert HEADLINE_THEMES == ("inclusion", "non-discrimination", "water-food", "education",
                               "housing", "digital-rights")
    same_rows(
        rows(report, "headline_gaps"),
        [(T5, "Ciudad Modelo", "MX", "Mexico", 2), (T6, "Pueblo Prueba", "MX", "Mexico", 0)],
    )
    for code in HEADLINE_THEMES:  # the query lists the same themes
        assert f"<{R(code)}>" in report.tables["headline_gaps"].sparql
        assert f"rights:{code}" in report_filters.template("headline")  # and cites them


def test_trend_by_year(report: Report) -> None:
    # Years: 2019 i1 i4 (2); 2020 i2 i3 i9 (3); 2021 i5 i7 i11 (3); 2022 i8 i10 i12 (3);
    # i6 has no start date. Rights per year:
    def row(year: int, right: str, n: int, total: int) -> tuple[Any, ...]:
        family, family_label = FAMILY[right]
        return (year, R(right), L[right], R(family), family_label, n, total)

    same_rows(
        rows(report, "trend_by_year"),
        [
            row(2019, "non-discrimination", 2, 2),  # i1 i4
            row(2019, "health", 1, 2),  # i4
            row(2019, "housing", 1, 2),  # i1
            row(2020, "education", 2, 3),  # i3 i9
            row(2020, "health", 1, 3),  # i9
            row(2020, "housing", 1, 3),  # i2
            row(2021, "cultural-rights", 1, 3),  # i11
            row(2021, "education", 1, 3),  # i7
            row(2021, "health", 1, 3),  # i5
            row(2021, "housing", 1, 3),  # i7
            row(2022, "cultural-rights", 2, 3),  # i8 i12
            row(2022, "participatory-democracy", 2, 3),  # i10 i12
        ],
    )
    assert "1 initiatives of the base have no start date" in report.tables["trend_by_year"].note


def test_members_by_wave(report: Report) -> None:
    # Wave 1: T1 T2; wave 2: T3 T4; wave 3: T6 (T5 withdrew). Milestones 10, 100, 1000: none
    # reached; the next is 10 (no target date), reached 2/10, 4/10, 5/10.
    same_rows(
        rows(report, "members_by_wave"),
        [
            (1, "Wave 1", 2, 2, None, 10, None, 2 / 10),
            (2, "Wave 2", 2, 4, None, 10, None, 4 / 10),
            (3, "Wave 3", 1, 5, None, 10, None, 5 / 10),
        ],
    )


def test_summary_in_plain_words(report: Report) -> None:
    assert report.summary == (
        "This report covers 12 initiatives led by 5 territories in 4 countries.",
        "“Women and girls” is the group most often served: 5 initiatives, 41.7% of the "
        "total.",
        "“Cultural rights”, “Right to education”, “Right to health” and 2 "
        "others are the rights most often addressed, each by 25.0% of the initiatives.",
        "“Children” and “Older persons” are never served together, although each is "
        "served on its own: by 3 initiatives for the first, 3 initiatives for the second.",
        "In Europe, “Cultural rights” is named by 12.5% of the initiatives, against 25.0% "
        "across the base: the largest gap between a region and the whole.",
        "Territories in scope with no initiative on the campaign's headline themes: 2 of 6.",
        "The campaign counts 5 members in these territories; the next milestone, 10 members, is "
        "50.0% reached.",
        "Groups that no initiative names: 17, among them “Girls”, “Homeless persons” "
        "and “Human rights defenders”.",
    )


@pytest.mark.parametrize(
    ("lang", "label", "column", "sentence"),
    [
        ("fr", "Femmes et filles", "Groupe", "« Femmes et filles » est le groupe le plus souvent "
         "servi : 5 initiatives, 41,7\u202f% du total."),
        ("es", "Mujeres y niñas", "Grupo", "«Mujeres y niñas» es el grupo atendido con más "
         "frecuencia: 5 iniciativas, 41,7\u202f% del total."),
    ],
)
def test_other_languages(
    small_store: OxigraphStore, report: Report, lang: str, label: str, column: str,
    sentence: str,
) -> None:
    other = build_report(store_source(small_store), Filters(), lang)
    assert other.lang == lang and other.summary[1] == sentence
    groups = other.tables["groups"]
    assert groups.rows[0][1] == label and groups.labels[1] == column
    assert groups.note != report.tables["groups"].note
    # The same figures, whatever the language (ties are ordered by label, hence sorted here).
    for name in TABLES:
        theirs = sorted(tuple(v for v in row if isinstance(v, int | float))
                        for row in other.tables[name].rows)
        ours = sorted(tuple(v for v in row if isinstance(v, int | float))
                      for row in report.tables[name].rows)
        assert theirs == ours, name


# -------------------------------------------------------------------------------------------------
# Filters
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "initiatives", "territories", "in_scope"),
    [
        # africa: T4's i9 i10
        (Filters(regions=("africa",)), 2, 1, 1),
        # the Metropolis section (T1 only)
        (Filters(regions=("metropolis",)), 3, 1, 1),
        # a family: equality includes non-discrimination: i1 i4 (T1 T2)
        (Filters(categories=("equality",)), 2, 2, 6),
        # women-girls includes women: i1 i3 i4 i7 i10 + i11
        (Filters(groups=("women-girls",)), 6, 5, 6),
        (Filters(instruments=("crpd",)), 1, 1, 6),  # i5
        # 2020-2021: i2 i3 i9, i5 i7 i11 (i6 has no date)
        (Filters(year_from=2020, year_to=2021), 6, 5, 6),
        (Filters(year_from=2022), 3, 3, 6),  # i8 i10 i12
        (Filters(waves=(1,)), 6, 2, 2),  # T1 T2
        (Filters(countries=("es",)), 5, 2, 2),  # T1 T3 (lower case accepted)
        (Filters(territories=("example/es-villa-ejemplo",)), 3, 1, 1),
        (Filters(territories=(T6,)), 0, 0, 1),  # by IRI; no initiative
        (Filters(regions=("europe",), groups=("migrants",)), 3, 2, 3),  # i1 i2 i7
        (Filters(include_examples=False), 0, 0, 0),  # everything here is example data
    ],
)
def test_filters_change_the_base(
    small_store: OxigraphStore, filters: Filters, initiatives: int, territories: int,
    in_scope: int,
) -> None:
    filtered = build_report(store_source(small_store), filters, "en")
    assert (filtered.base.initiatives, filtered.base.territories) == (initiatives, territories)
    assert filtered.tables["overview"].rows[0][0] == initiatives
    assert filtered.tables["overview"].rows[0][-1] == in_scope
    assert filtered.tables["headline_gaps"].base.territories == in_scope
    for name in TABLES:
        if name not in ("headline_gaps", "members_by_wave"):
            assert filtered.tables[name].base == filtered.base
    # Shares are shares of the filtered base.
    for record in filtered.tables["groups"].records():
        assert record["share"] == (
            pytest.approx(record["initiatives"] / initiatives) if initiatives else None)
    if initiatives == 0:
        assert filtered.summary[0].startswith("No initiative matches these filters")
    else:
        assert filtered.summary[0].startswith(f"This report covers {initiatives} initiative")


def test_a_filter_is_in_the_sparql_of_every_table(small_store: OxigraphStore) -> None:
    filtered = build_report(
        store_source(small_store), Filters(regions=("africa",), year_from=2020), "en"
    )
    for name in TABLES:
        sparql = filtered.tables[name].sparql
        if name != "members_by_wave":  # members: territory filters only, and africa is there
            assert "xsd:integer(SUBSTR(STR(" in sparql and REGION("africa") in sparql, name


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (Filters(regions=("Europe",)), "region: 'Europe' is not a code"),
        (Filters(regions=("europe } ; DROP ALL ; #",)), "region:"),
        (Filters(categories=("housing>",)), "category:"),
        (Filters(groups=("migrants\"",)), "group:"),
        (Filters(instruments=("a b",)), "instrument:"),
        (Filters(countries=("ESP",)), "country: 'ESP'"),
        (Filters(territories=("../es-x",)), "territory:"),
        (Filters(territories=("https://example.org/territory/x",)), "territory:"),
        (Filters(year_from=99), "year from: 99 is not a year"),
        (Filters(year_from=2022, year_to=2020), "starts in 2022, after its end in 2020"),
        (Filters(waves=(0,)), "wave: 0"),
        (Filters(categories=tuple(f"c{i}" for i in range(201))), "at most 200"),
        # Well formed but naming nothing in the store:
        (Filters(regions=("atlantis",)), "unknown UCLG region 'atlantis'"),
        (Filters(categories=("flying",)), "unknown rights category 'flying'"),
        (Filters(groups=("housing",)), "unknown rights-holder group 'housing'"),
        (Filters(instruments=("xyz",)), "unknown instrument 'xyz'"),
        (Filters(countries=("ZZ",)), "unknown country 'ZZ'"),
        (Filters(territories=("es-nowhere",)), "unknown territory 'es-nowhere'"),
        (Filters(waves=(9,)), "no campaign wave 9"),
    ],
)
def test_bad_filters_are_refused(
    small_store: OxigraphStore, filters: Filters, message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_report(store_source(small_store), filters, "en")


def test_an_unknown_language_is_refused(small_store: OxigraphStore) -> None:
    with pytest.raises(InputError, match="language"):
        build_report(store_source(small_store), Filters(), "de")


def test_values_are_written_as_terms_never_pasted() -> None:
    # Even a value that skipped the checks stays inside its literal or IRI.
    assert report_filters.term('a" } DROP ALL ; "') == '"a\\" } DROP ALL ; \\""'
    assert report_filters.term(7) == "7"
    with pytest.raises(ValueError):
        report_filters.term("https://x/a> } DROP ALL ; <y")


def test_filters_are_shown_by_name_with_their_code(small_store: OxigraphStore) -> None:
    """A reader sees "Europe (europe)", in the report's language; a code with no label in the
    store would be shown as is."""
    filters = Filters(regions=("europe",), groups=("migrants",), countries=("ES",))
    french = build_report(store_source(small_store), filters, "fr")
    assert french.filter_labels["europe"] == "Europe"
    lines = dict(filter_lines(french.filters, "fr", french.filter_labels))
    assert lines["Régions de CGLU"] == "Europe (europe)"
    migrants = french.filter_labels["migrants"]
    assert migrants != "migrants"
    assert lines["Groupes de titulaires de droits"] == f"{migrants} (migrants)"
    assert lines["Pays"] == "Espagne (ES)"


def test_every_query_is_standard_sparql() -> None:
    """Every template, with every filter set, parses with pyoxigraph and with rdflib's strict
    SPARQL 1.1 parser (a second engine: no engine-specific syntax)."""
    every = report_filters.scope(
        Filters(
            regions=("europe",), countries=("ES",), territories=("example/es-villa-ejemplo",),
            categories=("equality",), groups=("women-girls",), instruments=("crpd",),
            year_from=2015, year_to=2024, waves=(1, 2), include_examples=False,
        )
    )
    names = [name.removeprefix("sparql/").removesuffix(".rq")
             for name, _ in iter_files("reports", "sparql", ".rq")]
    assert len(names) >= 10
    store = ox.Store()
    for scope in (report_filters.scope(Filters()), every):
        for name in names:
            text = scope.render(
                report_filters.template(name),
                ranks=[G("children"), G("youth")],
                values={"themes": [R("housing")]},
            )
            store.query(text)  # raises SyntaxError if it does not parse
            prepareQuery(text)
    known = every.known_codes_query()
    assert known is not None
    prepareQuery(known)
    assert f"LIMIT {SIMILARITY_TERRITORIES}" in report_filters.template("profiles")


# -------------------------------------------------------------------------------------------------
# Embedded and remote: the same report
# -------------------------------------------------------------------------------------------------


def test_the_same_report_through_the_sparql_endpoint(
    small_path: Path, small_store: OxigraphStore, tmp_path: Path
) -> None:
    copy = tmp_path / "store"
    shutil.copytree(small_path, copy)
    with running_server(copy) as url:
        remote = endpoint_source(url + "/sparql", timeout=60)
        for filters in (Filters(), Filters(regions=("europe",), year_from=2020)):
            here = build_report(store_source(small_store), filters, "es")
            there = build_report(remote, filters, "es")
            assert there.tables == here.tables
            assert there.summary == here.summary and there.base == here.base
            assert there.data_version == here.data_version
        with pytest.raises(QuerySyntaxError):
            remote.select("SELECT WHERE {")
        with pytest.raises(InputError, match="unknown rights category"):
            build_report(remote, Filters(categories=("flying",)), "en")


#: Filters under which Virtuoso must give the embedded store's report (each exercises one
#: way of writing the base).
VIRTUOSO_FILTERS = [
    Filters(),
    Filters(categories=("equality",)),
    Filters(groups=("women-girls",), countries=("ES",)),
    Filters(waves=(1, 2), year_from=2020, instruments=("crpd",)),
    Filters(territories=("example/es-villa-ejemplo",), regions=("europe",)),
    Filters(regions=("metropolis",), year_to=2021),
    Filters(include_examples=False),
]


@pytest.mark.virtuoso
def test_the_same_report_on_virtuoso(virtuoso: Virtuoso, small_store: OxigraphStore) -> None:
    """The queries are standard enough for Virtuoso 7: its answers make the same tables."""
    clear_virtuoso(virtuoso)
    remote = virtuoso.store()
    try:
        load_small(remote)
        for filters in VIRTUOSO_FILTERS:
            here = build_report(store_source(small_store), filters, "fr")
            there = build_report(endpoint_source(virtuoso.sparql, timeout=60), filters, "fr")
            for name in TABLES:
                assert there.tables[name] == here.tables[name], (filters, name)
            assert there.summary == here.summary and there.base == here.base
    finally:
        remote.close()
        clear_virtuoso(virtuoso)


def test_endpoint_errors_are_clear() -> None:
    with pytest.raises(StoreError, match="not an HTTP"):
        EndpointSource("ftp://example.org/sparql")
    # Nothing listens on port 9 (discard) of the loopback interface.
    with pytest.raises(StoreError, match="cannot reach"):
        endpoint_source("http://127.0.0.1:9/sparql", timeout=5).select("SELECT * WHERE {}")


def test_values_are_converted_alike_on_both_sides() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    cases: list[tuple[ox.NamedNode | ox.Literal, object]] = [
        (ox.Literal("3", datatype=ox.NamedNode(xsd + "integer")), 3),
        (ox.Literal("3", datatype=ox.NamedNode(xsd + "int")), 3),
        (ox.Literal("7", datatype=ox.NamedNode(xsd + "positiveInteger")), 7),
        (ox.Literal("2.50", datatype=ox.NamedNode(xsd + "decimal")), 2.5),
        (ox.Literal("1.0E0", datatype=ox.NamedNode(xsd + "double")), 1.0),
        (ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean")), True),
        (ox.Literal("2022-10-10", datatype=ox.NamedNode(xsd + "date")), "2022-10-10"),
        (ox.Literal("Europa", language="es"), "Europa"),
        (ox.Literal("ES"), "ES"),
        (ox.NamedNode("https://example.org/x"), "https://example.org/x"),
    ]
    for term, value in cases:
        assert python_value(term) == value and type(python_value(term)) is type(value)
        binding: dict[str, str]
        if isinstance(term, ox.NamedNode):
            binding = {"type": "uri", "value": term.value}
        else:
            binding = {"type": "literal", "value": term.value}
            if term.language:
                binding["xml:lang"] = term.language
            elif term.datatype.value != xsd + "string":
                binding["datatype"] = term.datatype.value
        assert json_value(binding) == value and type(json_value(binding)) is type(value)
    assert python_value(None) is None and json_value(None) is None


# -------------------------------------------------------------------------------------------------
# Networks
# -------------------------------------------------------------------------------------------------


def test_networks_are_reproducible() -> None:
    pairs = {("a", "b"): 3, ("b", "c"): 1, ("c", "d"): 3, ("a", "c"): 1, ("d", "e"): 2}
    first = networks.node_measures(networks.cooccurrence_graph("abcdef", pairs))
    backwards = dict(reversed(pairs.items()))
    again = networks.node_measures(networks.cooccurrence_graph("fedcba", backwards))
    assert first == again
    assert first["f"] == networks.NodeMeasures(weighted_degree=0, betweenness=0.0, community=3)
    assert networks.similar_pairs({"x": {}, "y": {"h": 1}}, top=3) == []


# -------------------------------------------------------------------------------------------------
# The packaged example data
# -------------------------------------------------------------------------------------------------


def test_the_example_data_gives_a_full_consistent_report(initialised_store: Path) -> None:
    store = OxigraphStore(initialised_store, read_only=True)
    try:
        report = build_report(store_source(store), Filters(), "en")
    finally:
        store.close()
    n = report.base.initiatives
    assert n > 300 and report.base.territories > 70
    for name in TABLES:
        assert report.tables[name].rows, f"{name} is empty"
    overview = report.tables["overview"].records()[0]
    assert (overview["initiatives"], overview["territories"]) == (n, report.base.territories)
    groups = {r["group"]: r["initiatives"] for r in report.tables["groups"].records()}
    for record in report.tables["group_cooccurrence"].records():
        a, b = groups[record["group_a"]], groups[record["group_b"]]
        assert 0 < record["together"] <= min(a, b)
        assert record["together"] + record["a_only"] == a
        assert record["expected"] == pytest.approx(a * b / n)
    for record in report.tables["intersections"].records():
        assert 0.0 <= record["under_served"] <= 1.0 and record["shortfall"] >= 0
    # Each country's initiatives add up to the base; regions too.
    by_country: dict[str, int] = {}
    for record in report.tables["gaps_by_country"].records():
        by_country[record["country"]] = record["country_initiatives"]
    assert sum(by_country.values()) == n
    by_region: dict[str, int] = {}
    for record in report.tables["gaps_by_region"].records():
        by_region[record["region"]] = record["region_initiatives"]
    assert sum(by_region.values()) == n
    assert all(0 < r["similarity"] <= 1 for r in report.tables["similar_territories"].records())
    cumulative = [r["cumulative"] for r in report.tables["members_by_wave"].records()]
    assert cumulative == sorted(cumulative)
    years = {r["year"]: r["year_total"] for r in report.tables["trend_by_year"].records()}
    assert sum(years.values()) <= n
    assert 5 <= len(report.summary) <= 8
