"""Named questions (``queries/*.rq``): headers checked, every question run on the initialised store.

The store is the session's initialised one (ontology, vocabularies, seed and example data); each
question runs with its defaults through :func:`rightsgraph.queries.catalog.run` and must answer
its declared columns, with rows wherever the example data guarantees some.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from conftest import FIXTURES, run_cli
from rightsgraph.errors import NotFoundError
from rightsgraph.queries.catalog import (
    LANGUAGES,
    NamedQuery,
    PagedResult,
    ParameterError,
    QueryHeaderError,
    catalog,
    catalog_graph,
    get,
    parse_query,
    query_iri,
    run,
)
from rightsgraph.store import open_store
from rightsgraph.store.base import SelectResult, Store

RG = "https://w3id.org/rightsgraph/ontology#"
RIGHTS = "https://w3id.org/rightsgraph/vocab/rights/"
GROUPS = "https://w3id.org/rightsgraph/vocab/groups/"
REGIONS = "https://w3id.org/rightsgraph/vocab/uclg-regions/"
TERRITORY = "https://w3id.org/rightsgraph/id/territory/"

#: Questions whose answer on the initialised store may be empty (no submission has been made).
MAY_BE_EMPTY = {"changes_since"}
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


@pytest.fixture(scope="module")
def store(initialised_store: Path) -> Iterator[Store]:
    opened = open_store(initialised_store, read_only=True)
    yield opened
    opened.close()


def rows(store: Store, name: str, **values: str) -> tuple[list[str], list[dict[str, str]]]:
    result = run(store, get(name), values)
    assert isinstance(result, SelectResult)
    out = [
        {v: t.value for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    return result.variables, out


def ask(store: Store, sparql: str) -> bool:
    result = store.query(sparql)
    assert isinstance(result, bool)
    return result


# -- the catalogue --------------------------------------------------------------------------------
def test_at_least_twenty_questions_each_fully_described() -> None:
    queries = catalog()
    assert len(queries) >= 20, sorted(queries)
    for name, q in queries.items():
        assert q.summary and q.description and q.tags, name
        for lang in ("fr", "es"):
            assert q.translations[lang]["summary"] != q.summary, (name, lang)
            assert q.translations[lang]["description"], (name, lang)
        assert q.variables, name


def test_every_language_parameter_defaults_to_english() -> None:
    for name, q in catalog().items():
        lang = q.parameter("lang")
        if lang is not None:
            assert lang.type == "string" and lang.default == "en", name


@pytest.mark.parametrize("name", sorted(catalog()))
def test_question_runs_with_its_defaults(store: Store, name: str) -> None:
    query = get(name)
    result = run(store, query, {})
    assert isinstance(result, SelectResult)
    assert result.variables == list(query.variables)
    hidden = {p.variable for p in query.parameters}
    assert not hidden & set(result.variables)
    answer = list(result.rows)
    if name not in MAY_BE_EMPTY:
        assert answer, f"{name} answered no rows on the example data"
    for row in answer:
        assert len(row) == len(query.variables)


@pytest.mark.parametrize("name", sorted(catalog()))
def test_no_parameter_inside_a_sub_select(name: str) -> None:
    """pyoxigraph does not substitute inside a sub-SELECT: a parameter used there would silently
    match everything. rdflib's algebra shows where each variable is used."""
    query = get(name)
    params = {Variable(p.variable) for p in query.parameters}
    algebra = prepareQuery(query.text).algebra

    def walk(node: object, inside: bool) -> Iterator[tuple[Variable, bool]]:
        if isinstance(node, Variable):
            yield node, inside
        elif isinstance(node, CompValue):
            nested = inside or node.name == "ToMultiSet"
            for value in node.values():
                yield from walk(value, nested)
        elif isinstance(node, list | tuple | set):
            for value in node:
                yield from walk(value, inside)

    misplaced = {str(v) for v, inside in walk(algebra, False) if inside and v in params}
    assert not misplaced, f"{name}: parameters used in a sub-SELECT: {misplaced}"


def test_unknown_question_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="no named query"):
        get("no_such_question")


# -- answers that the example and seed data guarantee ------------------------------------------
def test_labels_follow_the_language_asked(store: Store) -> None:
    _, fr = rows(store, "territories", lang="fr")
    _, es = rows(store, "territories", lang="es")
    _, de = rows(store, "territories", lang="de")
    vienna = TERRITORY + "at-vienna"
    assert {r["label"] for r in fr if r["territory"] == vienna} == {"Vienne"}
    assert {r["label"] for r in es if r["territory"] == vienna} == {"Viena"}
    assert {r["label"] for r in de if r["territory"] == vienna} == {"Wien"}
    # No Korean label for Vienna: English is the fallback.
    _, ko = rows(store, "territories", lang="ko")
    assert {r["label"] for r in ko if r["territory"] == vienna} == {"Vienna"}
    assert {r["regionLabel"] for r in fr if r["territory"] == vienna} == {"Europe"}


def test_housing_initiatives_exist(store: Store) -> None:
    _, answer = rows(store, "initiatives_by_category")
    assert len(answer) >= 10
    for r in answer[:5]:
        assert ask(
            store,
            f"ASK {{ <{r['initiative']}> <{RG}addressesRight> <{RIGHTS}housing> }}",
        )


def test_territories_by_category_and_group(store: Store) -> None:
    _, answer = rows(store, "territories_by_category_and_group")
    assert answer and all(int(r["initiatives"]) >= 1 for r in answer)
    for r in answer:
        assert ask(
            store,
            f"ASK {{ ?i <{RG}ledBy> <{r['territory']}> ; <{RG}addressesRight> <{RIGHTS}housing> ;"
            f" <{RG}targetsGroup> <{GROUPS}persons-in-poverty> }}",
        )


def test_two_groups_at_once_includes_narrower_groups(store: Store) -> None:
    _, answer = rows(store, "initiatives_serving_two_groups")
    assert answer
    for r in answer:
        assert ask(store, f"ASK {{ <{r['initiative']}> <{RG}targetsGroup> <{GROUPS}migrants> }}")
        assert ask(
            store,
            f"ASK {{ <{r['initiative']}> <{RG}targetsGroup> ?g . VALUES ?g {{ "
            f"<{GROUPS}women-girls> <{GROUPS}women> <{GROUPS}girls> }} }}",
        )


def test_territories_without_a_category_really_have_none(store: Store) -> None:
    _, answer = rows(store, "territories_without_category")
    assert answer
    for r in answer:
        assert not ask(
            store,
            f"ASK {{ ?i <{RG}ledBy> <{r['territory']}> ; <{RG}addressesRight> <{RIGHTS}housing> }}",
        )
        assert ask(store, f"ASK {{ <{r['territory']}> <{RG}uclgRegion> <{REGIONS}europe> }}")
    # And the complement: a European territory with a housing initiative is left out.
    _, housing = rows(store, "initiatives_by_category")
    europeans = {r["territory"] for r in answer}
    for r in housing:
        assert r["territory"] not in europeans


def test_cooccurrences(store: Store) -> None:
    _, pairs = rows(store, "rights_cooccurrence")
    assert pairs and all(r["category1"] < r["category2"] for r in pairs)
    counts = [int(r["initiatives"]) for r in pairs]
    assert counts == sorted(counts, reverse=True)
    _, grid = rows(store, "group_right_cooccurrence", lang="es")
    assert any(r["groupLabel"] == "Personas migrantes" for r in grid)


def test_campaign_milestones_and_progress(store: Store) -> None:
    _, milestones = rows(store, "campaign_milestones")
    assert [int(r["target"]) for r in milestones] == [10, 100, 1000]
    members = {int(r["members"]) for r in milestones}
    assert len(members) == 1 and members.pop() >= 6
    _, over_time = rows(store, "campaign_progress_over_time")
    cumulative = [int(r["cumulative"]) for r in over_time]
    assert cumulative == sorted(cumulative)
    assert cumulative[-1] == int(milestones[0]["members"])
    assert over_time[0]["newMembers"] == "6" and "year" not in over_time[0]  # the pioneers
    _, by_region = rows(store, "campaign_progress", lang="fr")
    assert any(r.get("regionLabel") == "Europe" for r in by_region)


def test_pioneers_are_the_six_founding_cities(store: Store) -> None:
    _, answer = rows(store, "pioneers")
    keys = {r["territory"].removeprefix(TERRITORY) for r in answer}
    assert keys == {
        "es-barcelona",
        "fr-grigny",
        "kr-gwangju",
        "mx-mexico-city",
        "nl-utrecht",
        "at-vienna",
    }


def test_instruments_and_sdgs(store: Store) -> None:
    _, instruments = rows(store, "instruments_most_implemented")
    assert instruments and int(instruments[0]["initiatives"]) >= int(instruments[-1]["initiatives"])
    assert all(r["implementedBy"] for r in instruments)
    _, goal = rows(store, "initiatives_by_sdg")
    assert any(r.get("explicitSdgs") for r in goal)
    assert any(r.get("viaCategories") for r in goal)
    _, target = rows(store, "initiatives_by_sdg", sdg="http://metadata.un.org/sdg/4.7")
    assert target and len(target) < len(goal) + 1000
    for r in target:
        explicit = r.get("explicitSdgs", "").split()
        assert all(code == "4.7" or code.startswith("4.7.") for code in explicit)


def test_territories_without_identifiers(store: Store) -> None:
    _, real = rows(store, "territories_without_identifiers", examples="false")
    keys = {r["territory"].removeprefix(TERRITORY) for r in real}
    assert keys == {"fr-grigny", "kr-gwangju"}  # the seed names no Wikidata item for them
    assert all(r["missingWikidata"] == "true" for r in real)
    _, everything = rows(store, "territories_without_identifiers")
    assert len(everything) > len(real)
    _, europe = rows(
        store, "territories_without_identifiers", region=REGIONS + "europe", examples="false"
    )
    assert {r["territory"].removeprefix(TERRITORY) for r in europe} == {"fr-grigny"}


def test_territory_profile_and_overview(store: Store) -> None:
    _, overview = rows(store, "territory_overview", lang="fr")
    assert len(overview) == 1
    vienna = overview[0]
    assert vienna["label"] == "Vienne" and vienna["country"] == "AT"
    assert vienna["role"] == "pioneer" and vienna["isExample"] == "false"
    assert "Wien@de" in vienna["names"]
    _, profile = rows(store, "territory_profile")
    assert len(profile) == int(vienna["initiatives"])


def test_lists_and_statistics(store: Store) -> None:
    _, types = rows(store, "initiatives_by_type_and_status")
    _, everything = rows(store, "initiatives")
    assert sum(int(r["initiatives"]) for r in types) == len(everything)
    _, per_year = rows(store, "initiatives_per_year")
    years = [int(r["year"]) for r in per_year]
    assert years == sorted(years)
    _, housing_years = rows(store, "initiatives_per_year", category=RIGHTS + "housing")
    assert sum(int(r["initiatives"]) for r in housing_years) < sum(
        int(r["initiatives"]) for r in per_year
    )
    _, countries = rows(store, "territories_by_country", lang="es")
    spain = next(r for r in countries if r["country"] == "ES")
    assert spain["countryName"] == "España"
    _, served = rows(store, "groups_served_by_region", region=REGIONS + "africa")
    assert {r["region"] for r in served} == {REGIONS + "africa"}
    assert any(r["initiatives"] == "0" for r in served)  # the least served show up too
    _, per_category = rows(store, "initiatives_per_category")
    housing = next(r for r in per_category if r["category"] == RIGHTS + "housing")
    family = next(r for r in per_category if r["category"] == RIGHTS + "economic-social")
    assert int(family["initiatives"]) >= int(housing["initiatives"]) > 0


def test_search_events_examples_and_neighbours(store: Store) -> None:
    _, found = rows(store, "search_initiatives", word="HOUSING")
    assert found and all("housing" in r["matched"].lower() for r in found)
    _, spanish = rows(store, "search_initiatives", word="vivienda", lang="es")
    assert {r["initiative"] for r in spanish} <= {r["initiative"] for r in found} | {
        r["initiative"] for r in spanish
    }
    assert spanish
    _, events = rows(store, "campaign_events")
    assert any("Daejeon" in r["label"] and r.get("milestone") for r in events)
    _, counts = rows(store, "example_vs_real")
    territory = next(r for r in counts if r["class"] == RG + "Territory")
    assert int(territory["example"]) >= 60 and int(territory["real"]) >= 6
    _, similar = rows(store, "similar_territories")
    assert similar and TERRITORY + "es-barcelona" not in {r["territory"] for r in similar}


def test_changes_since_reads_the_provenance(store_copy: Path) -> None:
    run_cli("submit", FIXTURES / "cli" / "good-en.csv", store=store_copy, check=True)
    run_cli("submit", FIXTURES / "cli" / "good-en.csv", store=store_copy, check=True)
    opened = open_store(store_copy, read_only=True)
    try:
        _, changes = rows(opened, "changes_since", since="2020-01-01")
        assert [r["revision"] for r in changes] == ["2", "1"]
        assert [r["current"] for r in changes] == ["true", "false"]
        assert changes[0]["fileName"] == "good-en.csv"
        _, future = rows(opened, "changes_since", since="2999-01-01")
        assert future == []
        _, other = rows(opened, "changes_since", territory=TERRITORY + "at-vienna")
        assert other == []
    finally:
        opened.close()


# -- parameters ---------------------------------------------------------------------------------
HOSTILE = [
    "x> } ; DROP ALL ; SELECT * WHERE { <y",
    'en") } UNION { ?s ?p ?o } #',
    "'; DELETE WHERE { ?s ?p ?o } ; #",
    "\u0000\n\r\t",
    "https://w3id.org/rightsgraph/vocab/rights/housing> . ?s ?p ?o . <x:y",
    "x" * 5000,
]


@pytest.mark.parametrize("name", sorted(catalog()))
def test_hostile_values_are_refused_or_harmless(store: Store, name: str) -> None:
    query = get(name)
    before = store.revision()
    for parameter in query.parameters:
        for value in HOSTILE:
            try:
                result = run(store, query, {parameter.name: value})
            except ParameterError as exc:
                assert exc.parameter == parameter.name
                assert exc.status == 422
                continue
            assert parameter.type in ("string", "literal"), (name, parameter.name, value)
            assert isinstance(result, SelectResult)
            list(result.rows)
    assert store.revision() == before


def test_values_are_typed_terms() -> None:
    query = parse_query(
        "typed",
        "#+ summary: typed\n"
        "SELECT ?x ?_n_integer ?__d_date ?__b_boolean ?__i_iri ?__s ?__t_fr ?__m_decimal "
        "WHERE { BIND(1 AS ?x) }",
    )
    b = query.bindings(
        {
            "n": "42",
            "d": "2024-03-01",
            "b": "TRUE",
            "i": "urn:x:y",
            "s": "a",
            "t": "bonjour",
            "m": "1.50",
        }
    )
    assert b["_n_integer"] == ox.Literal(
        "42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    assert b["__d_date"] == ox.Literal("2024-03-01", datatype=ox.NamedNode(XSD_DATE))
    assert b["__b_boolean"] == ox.Literal(
        "true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    )
    assert b["__i_iri"] == ox.NamedNode("urn:x:y")
    assert b["__s"] == ox.Literal("a")
    assert b["__t_fr"] == ox.Literal("bonjour", language="fr")
    for name, bad in [
        ("n", "4.2"),
        ("d", "2024-13-01"),
        ("b", "yes"),
        ("i", "not an iri"),
        ("m", "NaN"),
        ("m", "Infinity"),
    ]:
        with pytest.raises(ParameterError) as caught:
            query.bindings({"n": "1", name: bad})
        assert caught.value.parameter == name
    with pytest.raises(ParameterError, match="needs the parameter"):
        query.bindings({})
    with pytest.raises(ParameterError, match="unknown parameter") as caught:
        query.bindings({"n": "1", "nope": "x"})
    assert caught.value.parameter == "nope"


def test_pagination_slices_a_stable_order(store: Store) -> None:
    query = get("initiatives")
    assert query.pagination == 50
    whole = run(store, query, {})
    assert isinstance(whole, SelectResult)
    everything = [row[0] for row in whole.rows]
    first = run(store, query, {}, page=1)
    second = run(store, query, {}, page=2)
    assert isinstance(first, PagedResult) and isinstance(second, PagedResult)
    assert first.has_next and first.page_size == 50
    assert [r[0] for r in first.rows] + [r[0] for r in second.rows] == everything[:100]
    last_page = -(-len(everything) // 50)
    last = run(store, query, {}, page=last_page)
    assert isinstance(last, PagedResult) and not last.has_next
    assert len(list(last.rows)) == len(everything) - 50 * (last_page - 1)
    with pytest.raises(ParameterError) as caught:
        run(store, get("counts_by_class"), {}, page=2)
    assert caught.value.parameter == "page"


# -- header validation --------------------------------------------------------------------------
GOOD_BODY = "SELECT ?x ?_lang WHERE { BIND(1 AS ?x) }"


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        ("#+ summary: s\n#+ colour: red\n", GOOD_BODY, "unknown header keys"),
        ("#+ description: no summary\n", GOOD_BODY, "needs a summary"),
        ("#+ summary: '   '\n", GOOD_BODY, "needs a summary"),
        ("#+ summary: [a, b]\n", GOOD_BODY, "needs a summary"),
        ("#+ summary: s\n#+ - a\n", GOOD_BODY, "not YAML|must be a mapping"),
        ("#+ summary: s\n#+ defaults:\n#+   - nope: 1\n", GOOD_BODY, "unknown parameter"),
        (
            "#+ summary: s\n#+ defaults:\n#+   - n: x\n",
            "SELECT ?x ?_n_integer WHERE { BIND(1 AS ?x) }",
            "expects integer",
        ),
        (
            "#+ summary: s\n#+ defaults:\n#+   - c: not an iri\n",
            "SELECT ?x ?_c_iri WHERE { BIND(1 AS ?x) }",
            "expects iri",
        ),
        (
            "#+ summary: s\n#+ defaults:\n#+   - c: urn:x:z\n#+ enumerate:\n#+   - c: [urn:x:y]\n",
            "SELECT ?x ?_c_iri WHERE { BIND(1 AS ?x) }",
            "must be one of",
        ),
        (
            "#+ summary: s\n#+ enumerate:\n#+   - c: [urn:x:y, 'not an iri']\n",
            "SELECT ?x ?_c_iri WHERE { BIND(1 AS ?x) }",
            "enumerate",
        ),
        (
            "#+ summary: s\n#+ enumerate:\n#+   - c\n",
            "SELECT ?x ?_c_iri WHERE { BIND(1 AS ?x) }",
            "needs its values",
        ),
        (
            "#+ summary: s\n#+ enumerate:\n#+   - c: []\n",
            "SELECT ?x ?_c_iri WHERE { BIND(1 AS ?x) }",
            "non-empty list",
        ),
        ("#+ summary: s\n#+ enumerate:\n#+   - zz: [a]\n", GOOD_BODY, "unknown parameter"),
        ("#+ summary: s\n#+ pagination: 0\n", GOOD_BODY, "pagination"),
        ("#+ summary: s\n#+ pagination: ten\n", GOOD_BODY, "pagination"),
        ("#+ summary: s\n#+ pagination: true\n", GOOD_BODY, "pagination"),
        ("#+ summary: s\n#+ pagination: 1000000\n", GOOD_BODY, "pagination"),
        ("#+ summary: s\n#+ method: POST\n", GOOD_BODY, "method"),
        ("#+ summary: s\n#+ tags: food\n", GOOD_BODY, "tags"),
        ("#+ summary: s\n#+ translations:\n#+   fr: {title: x}\n", GOOD_BODY, "translations"),
        ("#+ summary: s\n#+ translations:\n#+   french: {summary: x}\n", GOOD_BODY, "language"),
        ("#+ summary: s\n", "SELECT ?x ?_n_number WHERE { BIND(1 AS ?x) }", "unknown type"),
        ("#+ summary: s\n", "SELECT ?x ?_page WHERE { BIND(1 AS ?x) }", "reserved"),
        ("#+ summary: s\n", "SELECT ?x ?_c_iri WHERE { ?x ?p ?__c_iri }", "written both"),
        ("#+ summary: s\n", "SELECT ?x WHERE { ?x ?p ?_c_iri }", "SELECT clause"),
        (
            "#+ summary: s\n",
            "SELECT ?x ?__c_iri WHERE { ?x ?p ?o FILTER(!BOUND(?__c_iri)) }",
            "BOUND",
        ),
        ("#+ summary: s\n", "SELECT ?x WHERE { ?x ?p }", "does not parse"),
        ("#+ summary: s\n", "ASK { ?x ?p ?o }", "must be a SELECT"),
        ("#+ summary: s\n#+ lists: [x]\n", "SELECT ?x WHERE { ?x ?p ?o }", "lists must map"),
        ('#+ summary: s\n#+ lists: {x: ""}\n', "SELECT ?x WHERE { ?x ?p ?o }", "lists must map"),
        ('#+ summary: s\n#+ lists: {y: " "}\n', "SELECT ?x WHERE { ?x ?p ?o }", "does not give"),
    ],
)
def test_bad_headers_are_refused(header: str, body: str, message: str) -> None:
    with pytest.raises(QueryHeaderError, match=message):
        parse_query("bad", header + body)


def test_grlc_header_forms_are_read() -> None:
    query = parse_query(
        "good",
        "#+ summary: A question\n"
        "#+ description: >\n#+   Over two\n#+   lines.\n"
        "#+ tags: [a, b]\n"
        "#+ defaults:\n#+   - c: https://w3id.org/rightsgraph/vocab/rights/housing\n"
        "#+ enumerate:\n#+   - c:\n#+       - https://w3id.org/rightsgraph/vocab/rights/housing\n"
        "#+       - https://w3id.org/rightsgraph/vocab/rights/health\n"
        "#+ pagination: 10\n"
        "#+ translations:\n#+   fr: {summary: Une question}\n"
        "SELECT ?x ?_c_iri ?__n_integer WHERE { ?x ?p ?_c_iri }",
    )
    assert query.description == "Over two lines."
    assert query.tags == ("a", "b") and query.pagination == 10 and query.variables == ("x",)
    assert query.summary_in("fr") == "Une question" and query.summary_in("es") == "A question"
    c, n = query.parameters
    assert (c.required, c.type, n.required, n.type) == (True, "iri", False, "integer")
    assert c.enumerate == (RIGHTS + "housing", RIGHTS + "health")
    with pytest.raises(ParameterError, match="must be one of"):
        query.bindings({"c": RIGHTS + "water-food"})


def test_lists_come_sorted_once_and_plain() -> None:
    """A ``lists`` column is the same whatever order and tags the engine concatenates in."""
    store = ox.Store()
    g = ox.NamedNode("urn:g")
    for s, label in [
        ("urn:a", ox.Literal("b", language="en")),
        ("urn:a", ox.Literal("a")),
        ("urn:b", ox.Literal("c", language="en")),
    ]:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode("urn:label"), label, g))
    store.add(ox.Quad(ox.NamedNode("urn:c"), ox.NamedNode("urn:other"), ox.Literal("x"), g))
    query = parse_query(
        "listed",
        '#+ summary: s\n#+ lists: {labels: " | "}\n'
        'SELECT ?s (GROUP_CONCAT(DISTINCT COALESCE(STR(?l), ""); separator=" | ") AS ?labels)'
        " WHERE { ?s ?p ?o OPTIONAL { ?s <urn:label> ?l } } GROUP BY ?s ORDER BY ?s",
    )

    class Union:
        def query(self, sparql: str, *, substitutions: object = None) -> SelectResult:
            found = store.query(sparql, use_default_graph_as_union=True)
            assert isinstance(found, ox.QuerySolutions)
            return SelectResult(
                variables=[v.value for v in found.variables],
                rows=iter([tuple(row) for row in found]),
            )

    result = run(Union(), query, {})
    assert isinstance(result, SelectResult)
    assert [tuple(t.value if t else None for t in r) for r in result.rows] == [
        ("urn:a", "a | b"),
        ("urn:b", "c"),
        ("urn:c", ""),
    ]


def test_sub_trees_are_at_most_three_levels_deep(store: Store) -> None:
    """territories_by_category_and_group unrolls the group's sub-tree into skos:broader chains
    of up to three links (Virtuoso cannot join two skos:broader* paths): no packaged scheme may
    be deeper."""
    broader = "<http://www.w3.org/2004/02/skos/core#broader>"
    assert not ask(store, f"ASK {{ ?a {broader}/{broader}/{broader}/{broader} ?b }}")


# -- the catalogue as RDF ----------------------------------------------------------------------
def test_catalogue_as_rdf() -> None:
    graph = catalog_graph(service_url="http://127.0.0.1:8000/")
    queries: dict[str, NamedQuery] = catalog()
    executables = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    assert executables == {URIRef(query_iri(name)) for name in queries}
    for name, q in queries.items():
        node = URIRef(query_iri(name))
        assert graph.value(node, SH.select) == Literal(q.text)
        labels = {lbl.language for lbl in graph.objects(node, RDFS.label)}
        comments = {c.language for c in graph.objects(node, RDFS.comment)}
        assert labels == comments == set(LANGUAGES)
        assert {str(t) for t in graph.objects(node, DCTERMS.subject)} == set(q.tags)
        assert len(list(graph.objects(node, SH.parameter))) == len(q.parameters)
    again = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert len(again) == len(graph)
    store = ox.Store()
    store.load(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == len(graph)
