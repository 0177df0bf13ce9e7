"""The packaged data: the instruments vocabulary, the real seed facts, the example dataset and the
synthetic generator that produces it.

Seed facts are checked against the verified identifiers of the research notes (DOMAIN.md), copied
here as a table so that a typo in the data cannot pass unnoticed.
"""

from __future__ import annotations

import doctest
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pycountry
import pyoxigraph
import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS

from rightsgraph import packaged
from rightsgraph.data import synthetic
from rightsgraph.resources import iter_files, read_text

ROOT = Path(__file__).resolve().parents[1]

BASE = "https://w3id.org/rightsgraph/"
RG = Namespace(BASE + "ontology#")
# An open namespace: rdflib's closed XSD warns when pytest probes module attributes.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ID = BASE + "id/"
VOCAB = BASE + "vocab/"
INSTRUMENTS = Namespace(VOCAB + "instruments/")
REGIONS = VOCAB + "uclg-regions/"
EXAMPLE_GRAPH = URIRef(BASE + "graph/example")
WD = "http://www.wikidata.org/entity/"
GN = "https://sws.geonames.org/"

#: Identifiers verified in DOMAIN.md §3 (None: no QID was verified, so none may be stated).
VERIFIED_IDS: dict[str, tuple[str | None, str]] = {
    "es-barcelona": ("Q1492", "3128760"),
    "at-vienna": ("Q1741", "2761369"),
    "kr-gwangju": (None, "1841811"),
    "mx-mexico-city": ("Q1489", "3530597"),
    "nl-utrecht": ("Q803", "2745912"),
    "fr-grigny": (None, "3014646"),
    "at-graz": ("Q13298", "2778067"),
    "gb-york": ("Q42462", "2633352"),
    "kr-seoul": ("Q8684", "1835848"),
    "ca-montreal": ("Q340", "6077243"),
}
PIONEERS = ("es-barcelona", "fr-grigny", "kr-gwangju", "mx-mexico-city", "nl-utrecht", "at-vienna")

#: The instrument codes of docs/model.md.
INSTRUMENT_CODES = {
    "udhr", "icerd", "iccpr", "icescr", "cedaw", "cat", "crc", "icmw", "crpd", "cped",
    "hrc-res-24-2", "hrc-res-27-4", "hrc-res-33-8", "hrc-res-39-7", "hrc-res-45-7",
    "hrc-res-51-12", "hrc-res-57-12", "a-hrc-27-59", "a-hrc-30-49", "a-hrc-38-22",
    "a-hrc-51-10", "gca", "european-charter", "world-charter-right-to-city", "montreal-charter",
    "mexico-city-charter", "gwangju-declaration", "gwangju-charter", "gwangju-principles",
    "new-urban-agenda", "agenda-2030",
}
INSTRUMENT_SUBCLASSES = {RG[c] for c in ("Treaty", "Declaration", "Resolution", "Report",
                                         "Charter", "Agenda")}


# -------------------------------------------------------------------------------------------------
# Fixtures (parsed once: the files do not change during a run)
# -------------------------------------------------------------------------------------------------


@cache
def seed_files() -> dict[str, str]:
    return {name: read_text("data", name) for name, _ in iter_files("data", "seed", ".ttl")}


@cache
def seed() -> Graph:
    graph = Graph()
    for text in seed_files().values():
        graph.parse(data=text, format="turtle")
    return graph


@cache
def instruments() -> Graph:
    return Graph().parse(data=read_text("ontology", "vocab/instruments.ttl"), format="turtle")


@cache
def example() -> Dataset:
    dataset = Dataset()
    dataset.parse(data=read_text("data", "example.trig"), format="trig")
    return dataset


def example_graph() -> Graph:
    return example().graph(EXAMPLE_GRAPH)


def languages(graph: Graph, subject: object, prop: URIRef) -> list[str]:
    """The language tags of the literal values of ``prop`` on ``subject``."""
    return [
        str(value.language)
        for value in graph.objects(subject, prop)  # type: ignore[arg-type]
        if isinstance(value, Literal)
    ]


def local(node: object, namespace: str) -> str:
    text = str(node)
    assert text.startswith(namespace), text
    return text[len(namespace):]


# -------------------------------------------------------------------------------------------------
# Parsing
# -------------------------------------------------------------------------------------------------


def test_seed_files_are_the_expected_ones() -> None:
    assert sorted(seed_files()) == [
        "seed/campaign.ttl", "seed/events.ttl", "seed/initiatives.ttl",
        "seed/organisations.ttl", "seed/territories.ttl",
    ]


@pytest.mark.parametrize(
    ("package", "name", "fmt"),
    [
        *(("data", name, pyoxigraph.RdfFormat.TURTLE) for name in sorted(seed_files())),
        ("ontology", "vocab/instruments.ttl", pyoxigraph.RdfFormat.TURTLE),
        ("data", "example.trig", pyoxigraph.RdfFormat.TRIG),
    ],
)
def test_files_parse_with_rdflib_and_pyoxigraph_alike(
    package: str, name: str, fmt: pyoxigraph.RdfFormat
) -> None:
    text = read_text(package, name)
    store = pyoxigraph.Store()
    store.load(text, format=fmt)
    rdflib_count = (
        len(Dataset().parse(data=text, format="trig"))
        if fmt == pyoxigraph.RdfFormat.TRIG
        else len(Graph().parse(data=text, format="turtle"))
    )
    assert len(store) == rdflib_count > 0


def test_packaged_seed_graph_is_the_union_of_the_seed_files() -> None:
    assert len(packaged.seed_graph()) == len(seed())


# -------------------------------------------------------------------------------------------------
# Seed data
# -------------------------------------------------------------------------------------------------


def test_every_seed_resource_has_a_source() -> None:
    graph = seed()
    missing = sorted(
        str(s) for s in set(graph.subjects()) if (s, DCTERMS.source, None) not in graph
    )
    assert missing == []


def test_seed_resources_are_real_not_example() -> None:
    graph = seed()
    assert (None, RG.isExample, None) not in graph
    assert not any("/example/" in str(s) for s in graph.subjects())


def test_every_referenced_instance_is_described_in_the_seed() -> None:
    graph = seed() + instruments()
    subjects = set(graph.subjects())
    dangling = sorted(
        str(o) for o in set(graph.objects())
        if isinstance(o, URIRef) and str(o).startswith(ID) and o not in subjects
    )
    assert dangling == []


def test_every_referenced_concept_exists_in_the_vocabularies() -> None:
    vocab = packaged.vocab_graph()
    concepts = set(vocab.subjects(RDF.type, SKOS.Concept)) | set(
        vocab.subjects(RDF.type, SKOS.ConceptScheme)
    )
    used = {
        o for o in set(seed().objects()) | set(instruments().objects())
        if isinstance(o, URIRef) and str(o).startswith(VOCAB)
    }
    assert sorted(str(c) for c in used - concepts) == []


@pytest.mark.parametrize("key", sorted(VERIFIED_IDS))
def test_territory_identifiers_are_exactly_the_verified_ones(key: str) -> None:
    graph = seed()
    territory = URIRef(f"{ID}territory/{key}")
    qid, geonames = VERIFIED_IDS[key]
    assert (territory, RDF.type, RG.Territory) in graph
    assert [str(v) for v in graph.objects(territory, RG.wikidataId)] == ([qid] if qid else [])
    assert [str(v) for v in graph.objects(territory, RG.geonamesId)] == [geonames]
    expected = {URIRef(GN + geonames + "/")} | ({URIRef(WD + qid)} if qid else set())
    assert set(graph.objects(territory, SKOS.exactMatch)) == expected


def test_seed_territories_are_exactly_the_verified_table() -> None:
    keys = {local(t, ID + "territory/") for t in seed().subjects(RDF.type, RG.Territory)}
    assert keys == set(VERIFIED_IDS)


def test_seed_territories_are_consistent_with_their_country() -> None:
    graph = seed()
    regions = synthetic.country_regions()
    for territory in graph.subjects(RDF.type, RG.Territory):
        country = str(graph.value(territory, RG.countryCode))
        key = local(territory, ID + "territory/")
        assert key.startswith(country.lower() + "-")
        assert local(graph.value(territory, RG.uclgRegion), REGIONS) == regions[country]
        subdivision = graph.value(territory, RG.subdivisionCode)
        if subdivision is not None:
            assert pycountry.subdivisions.get(code=str(subdivision)) is not None, subdivision
            assert str(subdivision).startswith(country + "-")
        assert {"en", "fr", "es"} <= set(languages(graph, territory, RDF_LABEL)), key
        assert (territory, RG.population, None) not in graph  # no verified figures
        assert (territory, WGS_LAT, None) not in graph


RDF_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
WGS_LAT = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")


def test_campaign_profiles_are_the_two_pages_seen() -> None:
    profiles = {
        local(t, ID + "territory/"): str(p)
        for t, p in seed().subject_objects(RG.campaignProfile)
    }
    assert set(profiles) == {"at-vienna", "nl-utrecht"}
    assert profiles["at-vienna"].endswith("/cities-territories-human-rights-2030/vienna")


def test_the_six_pioneers_are_confirmed_first_wave_members_without_invented_dates() -> None:
    graph = seed()
    members = {}
    for membership in graph.subjects(RDF.type, RG.Membership):
        key = local(graph.value(membership, RG.member), ID + "territory/")
        members[key] = membership
        assert str(graph.value(membership, RG.role)) == "pioneer"
        assert graph.value(membership, RG.inWave) == URIRef(ID + "campaign/10-100-1000/wave/1")
        assert graph.value(membership, RG.membershipStatus) == URIRef(
            VOCAB + "membership-status/confirmed"
        )
        assert (membership, RG.joinedOn, None) not in graph
    assert sorted(members) == sorted(PIONEERS)


def test_campaign_milestones_and_waves() -> None:
    graph = seed()
    campaign = URIRef(ID + "campaign/10-100-1000")
    assert graph.value(campaign, RG.launchedBy) == URIRef(ID + "org/uclg-cisdp")
    targets = {
        int(str(graph.value(m, RG.targetCount))): graph.value(m, RG.targetDate)
        for m in graph.objects(campaign, RG.milestone)
    }
    assert targets == {
        10: None,
        100: Literal("2022-10-10", datatype=XSD.date),
        1000: Literal("2030", datatype=XSD.gYear),
    }
    announced = {
        int(str(graph.value(w, RG.waveNumber))): graph.value(w, RG.announcedOn)
        for w in graph.objects(campaign, RG.wave)
    }
    assert announced == {1: None, 2: None, 3: Literal("2024-10-09", datatype=XSD.date)}


def test_committee_keeps_all_its_names() -> None:
    graph = seed()
    committee = URIRef(ID + "org/uclg-cisdp")
    names = {str(n) for n in graph.objects(committee, SKOS.altLabel)}
    assert {"UCLG-CSIPDHR", "UCLG-CISDPDH"} <= names
    assert sorted(languages(graph, committee, SKOS.prefLabel)) == ["en", "es", "fr"]


# -------------------------------------------------------------------------------------------------
# Instruments vocabulary
# -------------------------------------------------------------------------------------------------


def test_instrument_codes_are_those_of_the_model() -> None:
    graph = instruments()
    codes = {local(c, str(INSTRUMENTS)) for c in graph.subjects(RDF.type, RG.Instrument)}
    assert codes == INSTRUMENT_CODES


@pytest.mark.parametrize("code", sorted(INSTRUMENT_CODES))
def test_instrument_concept_is_complete(code: str) -> None:
    graph = instruments()
    concept = INSTRUMENTS[code]
    scheme = URIRef(VOCAB + "instruments")
    types = set(graph.objects(concept, RDF.type))
    assert {SKOS.Concept, RG.Instrument} <= types
    assert len(types & INSTRUMENT_SUBCLASSES) == 1
    assert (concept, SKOS.inScheme, scheme) in graph
    assert (concept, SKOS.topConceptOf, scheme) in graph
    for prop in (SKOS.prefLabel, SKOS.definition):
        assert sorted(languages(graph, concept, prop)) == ["en", "es", "fr"], (code, prop)
    assert Literal(code) in set(graph.objects(concept, SKOS.notation))
    assert (concept, DCTERMS.source, None) in graph
    identifier = graph.value(concept, DCTERMS.identifier)
    if identifier is not None:
        assert Literal(str(identifier)) in set(graph.objects(concept, SKOS.notation))


def test_instrument_facts_follow_the_verified_sources() -> None:
    graph = instruments()
    identifiers = {str(i) for i in graph.objects(None, DCTERMS.identifier)}
    assert "A/HRC/42/22" not in identifiers  # the symbol is unverified
    assert {"A/HRC/RES/24/2", "A/RES/70/1", "A/RES/71/256", "A/HRC/30/49"} <= identifiers
    issued = {local(c, str(INSTRUMENTS)): graph.value(c, DCTERMS.issued)
              for c in graph.subjects(RDF.type, RG.Instrument)}
    assert issued["hrc-res-45-7"] == Literal("2020-10-06", datatype=XSD.date)
    assert issued["udhr"] == Literal("1948", datatype=XSD.gYear)
    assert issued["hrc-res-57-12"] == Literal("2024", datatype=XSD.gYear)
    assert issued["crpd"] == Literal("2006", datatype=XSD.gYear)
    assert issued["cped"] == Literal("2006", datatype=XSD.gYear)
    assert (INSTRUMENTS["cped"], RG.entryIntoForce, None) not in graph
    note = " ".join(str(n) for n in graph.objects(INSTRUMENTS["hrc-res-45-7"], SKOS.editorialNote))
    assert "2019" in note and "003_d74cc08c7e7b2b00" in note
    sessions = {local(c, str(INSTRUMENTS)): s for c, s in graph.subject_objects(RG.hrcSession)}
    assert sessions["hrc-res-24-2"] == Literal("24", datatype=XSD.positiveInteger)


def test_hrc_resolutions_reference_only_what_the_sources_state() -> None:
    """Only the links DOMAIN.md supports: 27/4 took note of A/HRC/27/59, 33/8 of A/HRC/30/49,
    39/7 recalls 24/2 and the 2030 Agenda, 51/12 recalls every earlier resolution and GA 70/1
    and 71/256; the texts of 45/7 and 57/12 were not seen, so they link to nothing."""
    graph = instruments()
    expected = {
        "hrc-res-24-2": set(),
        "hrc-res-27-4": {"a-hrc-27-59"},
        "hrc-res-33-8": {"a-hrc-30-49"},
        "hrc-res-39-7": {"hrc-res-24-2", "agenda-2030"},
        "hrc-res-45-7": set(),
        "hrc-res-51-12": {"hrc-res-24-2", "hrc-res-27-4", "hrc-res-33-8", "hrc-res-39-7",
                          "hrc-res-45-7", "agenda-2030", "new-urban-agenda"},
        "hrc-res-57-12": set(),
    }
    for code, targets in expected.items():
        recalled = set(graph.objects(INSTRUMENTS[code], DCTERMS.references))
        assert recalled == {INSTRUMENTS[t] for t in targets}, code


# -------------------------------------------------------------------------------------------------
# Example dataset
# -------------------------------------------------------------------------------------------------


def test_example_lives_in_one_graph_described_as_example_data() -> None:
    dataset = example()
    graphs = {q[3] for q in dataset.quads((None, None, None, None))}
    assert graphs == {EXAMPLE_GRAPH}
    graph = example_graph()
    assert (EXAMPLE_GRAPH, RDF.type, RG.ExampleData) in graph
    descriptions = {
        str(d.language): str(d)
        for d in graph.objects(EXAMPLE_GRAPH, DCTERMS.description)
        if isinstance(d, Literal)
    }
    assert set(descriptions) == {"en", "fr", "es"}
    assert "Fictional example data" in descriptions["en"]


def test_every_example_resource_is_marked_and_under_example_paths() -> None:
    graph = example_graph()
    for subject in set(graph.subjects()):
        assert (subject, RG.isExample, Literal(True)) in graph, subject
        if subject != EXAMPLE_GRAPH:
            assert str(subject).startswith(
                (ID + "territory/example/", ID + "initiative/example/")
            ), subject


def test_example_covers_all_geographic_regions_consistently() -> None:
    graph = example_graph()
    regions = synthetic.country_regions()
    territories = list(graph.subjects(RDF.type, RG.Territory))
    assert len(territories) >= 60
    seen: Counter[str] = Counter()
    for territory in territories:
        country = str(graph.value(territory, RG.countryCode))
        region = local(graph.value(territory, RG.uclgRegion), REGIONS)
        assert region == regions[country]
        seen[region] += 1
        subdivision = str(graph.value(territory, RG.subdivisionCode))
        assert subdivision.startswith(country + "-")
        assert pycountry.subdivisions.get(code=subdivision) is not None
        assert set(languages(graph, territory, RDF_LABEL)) >= {"en", "fr", "es"}
    assert set(seen) == set(synthetic.GEOGRAPHIC_REGIONS)


def test_example_initiatives_are_multilingual_and_skewed() -> None:
    graph = example_graph()
    initiatives = list(graph.subjects(RDF.type, RG.Initiative))
    assert len(initiatives) >= 300
    for initiative in initiatives:
        for prop in (RDF_LABEL, DCTERMS.description):
            assert set(languages(graph, initiative, prop)) >= {"en", "fr", "es"}
        assert len(list(graph.objects(initiative, RG.ledBy))) == 1
        assert 1 <= len(list(graph.objects(initiative, RG.addressesRight))) <= 4
        assert 1 <= len(list(graph.objects(initiative, RG.targetsGroup))) <= 3
    rights = Counter(local(r, VOCAB + "rights/") for r in graph.objects(None, RG.addressesRight))
    assert rights["housing"] > 5 * rights["digital-rights"]
    assert rights["non-discrimination"] > 5 * rights["extraterritorial-rights"]


def test_example_uses_only_existing_concepts() -> None:
    concepts = set(packaged.vocab_graph().subjects(RDF.type, SKOS.Concept))
    used = {
        o for o in set(example_graph().objects())
        if isinstance(o, URIRef) and str(o).startswith(VOCAB)
    }
    assert sorted(str(c) for c in used - concepts) == []


def test_example_file_is_what_the_generator_produces() -> None:
    regenerated = Dataset()
    regenerated.parse(data=synthetic.example_trig(), format="trig")
    assert isomorphic(regenerated.graph(EXAMPLE_GRAPH), example_graph())
    assert len(regenerated) == len(example())


# -------------------------------------------------------------------------------------------------
# The generator
# -------------------------------------------------------------------------------------------------


def test_generator_is_deterministic_for_a_seed() -> None:
    first = list(synthetic.generate(40, seed=3))
    assert first == list(synthetic.generate(40, seed=3))
    assert first != list(synthetic.generate(40, seed=4))


BENCHMARK_TERRITORIES = 200


@cache
def benchmark_sample() -> pyoxigraph.Store:
    """A lean benchmark graph (the default of ``example=False``), loaded once."""
    store = pyoxigraph.Store()
    text = "".join(synthetic.generate(BENCHMARK_TERRITORIES, seed=11))
    store.load(text, format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of the named graphs, as plain strings."""
    prefixes = (
        f"PREFIX rg: <{RG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX schema: <https://schema.org/>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
    )
    solutions = store.query(prefixes + query, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return [
        {v.value: s[v].value for v in solutions.variables if s[v] is not None}
        for s in solutions
    ]


def test_benchmark_territories_have_exactly_ten_initiatives() -> None:
    rows = select(benchmark_sample(), """
        SELECT ?t (COUNT(DISTINCT ?i) AS ?n)
        WHERE { ?t a rg:Territory . OPTIONAL { ?i a rg:Initiative ; rg:ledBy ?t } }
        GROUP BY ?t
    """)
    assert len(rows) == BENCHMARK_TERRITORIES
    assert {int(r["n"]) for r in rows} == {10}
    total = select(benchmark_sample(), "SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Initiative }")
    assert int(total[0]["n"]) == 10 * BENCHMARK_TERRITORIES


def test_benchmark_territories_are_about_100_triples() -> None:
    store = benchmark_sample()
    per_graph = [
        int(r["n"])
        for r in select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                               "GROUP BY ?g")
    ]
    assert len(per_graph) == BENCHMARK_TERRITORIES
    assert 95 <= len(store) / BENCHMARK_TERRITORIES <= 130
    within = sum(1 for n in per_graph if 95 <= n <= 130)
    assert within >= 0.9 * BENCHMARK_TERRITORIES


def test_benchmark_territories_have_a_campaign_membership() -> None:
    rows = select(benchmark_sample(), """
        SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {
          ?m a rg:Membership ; rg:member ?t ; rg:joinedOn ?d ;
             rg:membershipStatus ?s ; rg:inWave ?w }
    """)
    assert int(rows[0]["n"]) == BENCHMARK_TERRITORIES


def test_lean_initiatives_carry_only_their_core_statements() -> None:
    rows = select(benchmark_sample(), """
        SELECT ?i (COUNT(DISTINCT ?label) AS ?labels) (SAMPLE(LANG(?label)) AS ?lang)
               (COUNT(DISTINCT ?leader) AS ?leaders) (COUNT(DISTINCT ?type) AS ?types)
               (COUNT(DISTINCT ?start) AS ?starts) (COUNT(DISTINCT ?right) AS ?rights)
               (COUNT(DISTINCT ?group) AS ?groups) (COUNT(DISTINCT ?instrument) AS ?instruments)
               (COUNT(DISTINCT ?flag) AS ?flags)
        WHERE {
          ?i a rg:Initiative ; rdfs:label ?label ; rg:ledBy ?leader ; rg:initiativeType ?type ;
             schema:startDate ?start ; rg:addressesRight ?right ; rg:targetsGroup ?group ;
             rg:isExample ?flag .
          OPTIONAL { ?i rg:implementsInstrument ?instrument }
        }
        GROUP BY ?i
    """)
    assert len(rows) == 10 * BENCHMARK_TERRITORIES
    for row in rows:
        assert row["labels"] == row["leaders"] == row["types"] == row["starts"] == "1"
        assert row["flags"] == "1"
        assert row["lang"] in {"en", "fr", "es"}
        assert 1 <= int(row["rights"]) <= 4 and 1 <= int(row["groups"]) <= 3
        assert int(row["instruments"]) <= 1
    with_instrument = sum(1 for row in rows if row["instruments"] == "1")
    assert 0.2 * len(rows) <= with_instrument <= 0.4 * len(rows)
    extras = select(benchmark_sample(), """
        SELECT (COUNT(*) AS ?n) WHERE {
          ?i a rg:Initiative .
          { ?i dcterms:description ?x } UNION { ?i rg:status ?x }
          UNION { ?i rg:contributesToSdg ?x }
        }
    """)
    assert extras[0]["n"] == "0"


def test_lean_benchmark_keeps_the_skews_and_searchable_titles() -> None:
    store = benchmark_sample()
    rights = Counter(
        local(r["r"], VOCAB + "rights/")
        for r in select(store, "SELECT ?r WHERE { ?i rg:addressesRight ?r }")
    )
    assert rights["housing"] > 5 * rights["digital-rights"]
    assert rights["non-discrimination"] > 5 * rights["extraterritorial-rights"]
    regions = Counter(
        local(r["r"], REGIONS)
        for r in select(store, "SELECT ?r WHERE { ?t a rg:Territory ; rg:uclgRegion ?r }")
    )
    assert regions["europe"] > regions["eurasia"]
    # A Q5-style question: titles containing a word, in each campaign language.
    for word in ("housing", "logement", "vivienda"):
        found = select(store, f"""
            SELECT (COUNT(?i) AS ?n) WHERE {{
              ?i a rg:Initiative ; rdfs:label ?l . FILTER(CONTAINS(LCASE(STR(?l)), "{word}"))
            }}
        """)
        assert int(found[0]["n"]) > 0, word


def test_benchmark_count_and_detail_can_be_chosen() -> None:
    store = pyoxigraph.Store()
    text = "".join(synthetic.generate(20, seed=6, initiatives_per_territory=3, detail="full"))
    store.load(text, format=pyoxigraph.RdfFormat.N_QUADS)
    rows = select(store, """
        SELECT ?t (COUNT(DISTINCT ?i) AS ?n) (COUNT(DISTINCT ?d) AS ?descriptions)
        WHERE { ?i rg:ledBy ?t ; dcterms:description ?d }
        GROUP BY ?t
    """)
    assert len(rows) == 20
    assert {r["n"] for r in rows} == {"3"}
    assert all(int(r["descriptions"]) >= 9 for r in rows)  # en, fr, es for each initiative
    members = select(store, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a rg:Membership }")
    assert members[0]["n"] == "20"


def test_benchmark_layout_puts_each_territory_in_its_own_graph() -> None:
    text = "".join(synthetic.generate(20, seed=5))
    store = pyoxigraph.Store()
    store.load(text, format=pyoxigraph.RdfFormat.N_QUADS)
    graphs = {g.value for g in store.named_graphs()}
    assert len(graphs) == 20
    assert all(g.startswith(BASE + "graph/territory/example/") for g in graphs)
    territories = {
        q.subject.value
        for q in store.quads_for_pattern(
            None, pyoxigraph.NamedNode(str(RDF.type)), pyoxigraph.NamedNode(str(RG.Territory))
        )
        if isinstance(q.subject, pyoxigraph.NamedNode)
    }
    assert {t.replace("/id/", "/graph/") for t in territories} == graphs


def test_generator_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        synthetic.generate(-1)
    with pytest.raises(ValueError):
        synthetic.generate(1, initiatives_per_territory=0)
    with pytest.raises(ValueError):
        synthetic.generate(1, fmt="turtle")
    with pytest.raises(ValueError):
        synthetic.generate(1, detail="medium")


def test_generator_doctests() -> None:
    result = doctest.testmod(synthetic, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_module_entry_rewrites_an_example_file(tmp_path: Path) -> None:
    target = tmp_path / "example.trig"
    assert synthetic.main(["--example", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == read_text("data", "example.trig")


def test_benchmark_script_writes_nquads_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "bench.nq"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--territories", "30",
         "--seed", "2", "--out", str(out)],
        capture_output=True, text=True, check=True, timeout=60,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == [line.rstrip("\n") for line in synthetic.generate(30, seed=2)]
    assert f"{len(lines)} triples" in done.stdout
