"""The OWL ontology, its quality checks and the closed ``rg:`` namespace.

The checks are tested both ways: every check returns no rows on the packaged data, and every
check returns the expected rows on a small bad fixture (``tests/fixtures/ontology/<check>.ttl``),
so that no check is a test that cannot fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN, get_annotations

from rightsgraph import iri
from rightsgraph.errors import QuerySyntaxError
from rightsgraph.namespaces import (
    GN,
    ORG,
    PREFIXES,
    PROV,
    RG,
    RGG,
    RGID,
    RGV,
    SCHEMA,
    WGS,
    prefixes,
)
from rightsgraph.ontology import quality
from rightsgraph.resources import iter_files, read_text

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"
ONTOLOGY_IRI = URIRef("https://w3id.org/rightsgraph/ontology")
RG_NS = "https://w3id.org/rightsgraph/ontology#"
# A string, not rdflib's open XSD namespace, which warns when pytest probes module attributes.
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
LANGUAGES = ("en", "fr", "es")
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
REQUIRED_CHECKS = {
    "undeclared-term",
    "missing-label",
    "missing-definition",
    "concept-without-scheme",
    "duplicate-preflabel",
    "concept-missing-label",
}


@pytest.fixture(scope="module")
def ontology_text() -> str:
    return read_text("ontology", "rightsgraph.ttl")


@pytest.fixture(scope="module")
def ontology(ontology_text: str) -> Graph:
    return Graph().parse(data=ontology_text, format="turtle")


@pytest.fixture(scope="module")
def declared(ontology: Graph) -> set[URIRef]:
    """Every rg: term the ontology declares."""
    return {
        term
        for kind in TERM_KINDS
        for term in ontology.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and str(term).startswith(RG_NS)
    }


# --- The ontology file ----------------------------------------------------------------------------


def test_parses_with_pyoxigraph(ontology_text: str, ontology: Graph) -> None:
    store = pyoxigraph.Store()
    store.load(input=ontology_text, format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(ontology) > 500


def test_no_blank_nodes(ontology: Graph) -> None:
    """Dumps and revisions are compared quad by quad; blank nodes would get new labels each time."""
    assert [t for t in ontology if any(isinstance(term, BNode) for term in t)] == []


def test_header(ontology: Graph) -> None:
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in ontology
    assert (o, OWL.versionIRI, URIRef("https://w3id.org/rightsgraph/ontology/0.1.0")) in ontology
    assert (o, OWL.versionInfo, Literal("0.1.0")) in ontology
    assert (o, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in ontology
    assert (o, DCTERMS.created, Literal("2026-11-22", datatype=URIRef(XSD_NS + "date"))) in ontology
    assert (o, DCTERMS.creator, Literal("RightsGraph developers")) in ontology
    assert (o, VANN.preferredNamespacePrefix, Literal("rg")) in ontology
    assert (o, VANN.preferredNamespaceUri, Literal(RG_NS)) in ontology
    for prop in (DCTERMS.title, DCTERMS.description):
        languages = {
            value.language for value in ontology.objects(o, prop) if isinstance(value, Literal)
        }
        assert languages == set(LANGUAGES), prop


def test_every_term_has_labels_and_definitions(ontology: Graph, declared: set[URIRef]) -> None:
    missing = []
    for term in sorted(declared):
        for prop in (RDFS.label, SKOS.definition):
            have = {v.language for v in ontology.objects(term, prop) if isinstance(v, Literal)}
            missing += [f"{term} {prop} @{lang}" for lang in LANGUAGES if lang not in have]
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology:
            missing.append(f"{term} rdfs:isDefinedBy")
    assert not missing


def test_one_label_per_language_and_no_shared_labels(
    ontology: Graph, declared: set[URIRef]
) -> None:
    """A class and a property never share a label, so a term picker can tell them apart."""
    seen: dict[tuple[str, str], URIRef] = {}
    for term in sorted(declared):
        labels = [v for v in ontology.objects(term, RDFS.label) if isinstance(v, Literal)]
        assert len(labels) == len({v.language for v in labels}), term
        for label in labels:
            key = (str(label).casefold(), str(label.language))
            assert key not in seen, f"{term} and {seen[key]} share the label {label!r}"
            seen[key] = term


def test_contract_terms_are_declared(declared: set[URIRef]) -> None:
    """Every rg: term named in docs/model.md's tables (kept here as a list) is in the ontology."""
    contract = [
        "Territory",
        "Initiative",
        "RightsCategory",
        "RightsHolderGroup",
        "InitiativeType",
        "InitiativeStatus",
        "MembershipStatus",
        "TerritoryLevel",
        "UclgRegion",
        "Country",
        "Instrument",
        "Treaty",
        "Declaration",
        "Resolution",
        "Report",
        "Charter",
        "Agenda",
        "Campaign",
        "Milestone",
        "CampaignWave",
        "Membership",
        "Event",
        "Submission",
        "SubmittedFile",
        "SubmissionGraph",
        "ExampleData",
        "RegistryLink",
        "LinkingRun",
        "LinkStatus",
        "linkSubject",
        "linkTarget",
        "linkCode",
        "linkSubdivision",
        "targetName",
        "matchMethod",
        "matchScore",
        "reviewStatus",
        "reviewedBy",
        "reviewedAt",
        "softwareVersion",
        "level",
        "countryCode",
        "subdivisionCode",
        "uclgRegion",
        "m49Code",
        "m49Region",
        "m49SubRegion",
        "population",
        "populationYear",
        "wikidataId",
        "geonamesId",
        "campaignProfile",
        "contactPoint",
        "isExample",
        "initiativeType",
        "ledBy",
        "partner",
        "status",
        "addressesRight",
        "targetsGroup",
        "implementsInstrument",
        "contributesToSdg",
        "charterAgendaArticle",
        "uhriLabel",
        "entryIntoForce",
        "adoptedBy",
        "adoptedAt",
        "hrcSession",
        "monitoringBody",
        "launchedBy",
        "milestone",
        "wave",
        "targetCount",
        "targetDate",
        "targetEvent",
        "waveNumber",
        "announcedOn",
        "member",
        "campaign",
        "joinedOn",
        "membershipStatus",
        "inWave",
        "role",
        "organizer",
        "relatedCampaign",
        "revisionNumber",
        "aboutTerritory",
        "submittedBy",
        "shapesVersion",
        "conforms",
        "sha256",
    ]
    assert {URIRef(RG_NS + name) for name in contract} == declared


def test_alignments(ontology: Graph) -> None:
    expected = [
        (RG.Territory, RDFS.subClassOf, ORG.FormalOrganization),
        (RG.Territory, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
        (RG.Initiative, RDFS.subClassOf, PROV.Activity),
        (RG.Campaign, RDFS.subClassOf, PROV.Activity),
        (RG.Submission, RDFS.subClassOf, PROV.Activity),
        (RG.Membership, RDFS.subClassOf, PROV.Entity),
        (RG.SubmittedFile, RDFS.subClassOf, PROV.Entity),
        (RG.SubmissionGraph, RDFS.subClassOf, PROV.Entity),
        (RG.Event, RDFS.subClassOf, SCHEMA.Event),
        (RG.Instrument, RDFS.subClassOf, SKOS.Concept),
        (RG.Instrument, RDFS.subClassOf, DCTERMS.BibliographicResource),
        (RG.Treaty, RDFS.subClassOf, RG.Instrument),
        (RG.ledBy, RDFS.subPropertyOf, PROV.wasAssociatedWith),
        (RG.partner, RDFS.subPropertyOf, PROV.wasAssociatedWith),
        (RG.campaignProfile, RDFS.subPropertyOf, RDFS.seeAlso),
        (RG.uhriLabel, RDFS.subPropertyOf, SKOS.altLabel),
    ]
    assert [t for t in expected if t not in ontology] == []
    concept_classes = {c for c in ontology.subjects(RDFS.subClassOf, SKOS.Concept)}
    assert {RG.RightsCategory, RG.Country, RG.UclgRegion, RG.TerritoryLevel} <= concept_classes
    assert (None, OWL.sameAs, None) not in ontology


def test_axioms_only_use_declared_terms(ontology: Graph) -> None:
    """OWL 2 DL tools need every class and property an axiom names to be declared."""
    kinds = (*TERM_KINDS, RDFS.Datatype)
    declared_anywhere = {s for kind in kinds for s in ontology.subjects(RDF.type, kind)}
    builtin = {RDFS.seeAlso}
    undeclared = set()
    for prop in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        for target in ontology.objects(None, prop):
            if not isinstance(target, URIRef) or str(target).startswith(XSD_NS):
                continue
            if target not in declared_anywhere and target not in builtin:
                undeclared.add((prop, target))
    assert not undeclared


def test_object_and_datatype_ranges_match(ontology: Graph) -> None:
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in ontology.objects(prop, RDFS.range):
            assert str(rng).startswith(XSD_NS), (prop, rng)
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        for rng in ontology.objects(prop, RDFS.range):
            assert not str(rng).startswith(XSD_NS), (prop, rng)


# --- The closed namespace -------------------------------------------------------------------------


def test_rg_namespace_matches_the_ontology(declared: set[URIRef]) -> None:
    listed = {RG[name] for name in get_annotations(RG)}
    assert listed - declared == set(), "RG lists terms the ontology does not declare"
    assert declared - listed == set(), "the ontology declares terms RG does not list"


def test_rg_namespace_is_closed() -> None:
    assert RG.Territory == URIRef(RG_NS + "Territory")
    with pytest.raises(AttributeError):
        _ = RG.Territoryy
    with pytest.raises(AttributeError):
        _ = RG["ledby"]


def test_standard_namespaces() -> None:
    assert str(SCHEMA) == "https://schema.org/"
    assert str(WGS) == "http://www.w3.org/2003/01/geo/wgs84_pos#"
    assert GN["3128760/"] == URIRef("https://sws.geonames.org/3128760/")
    assert PREFIXES["rg"] == RG_NS
    assert PREFIXES["rgid"] == "https://w3id.org/rightsgraph/id/"
    assert PREFIXES["sdg"] == "http://metadata.un.org/sdg/"
    query = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + "ASK { ?s ?p ?o }"
    assert pyoxigraph.Store().query(query) is not None


def test_instance_namespaces_follow_the_configured_base(monkeypatch: pytest.MonkeyPatch) -> None:
    assert RGID()["territory/es-barcelona"] == URIRef(
        "https://w3id.org/rightsgraph/id/territory/es-barcelona"
    )
    monkeypatch.setenv("RIGHTSGRAPH_BASE_IRI", "https://rights.example.org/kg")
    assert RGID()["org/uclg"] == URIRef("https://rights.example.org/kg/id/org/uclg")
    assert RGV()["rights"] == URIRef("https://rights.example.org/kg/vocab/rights")
    assert RGG()["seed"] == URIRef("https://rights.example.org/kg/graph/seed")
    assert prefixes()["rg"] == "https://rights.example.org/kg/ontology#"
    assert RG.Territory == URIRef(RG_NS + "Territory")  # the closed namespace keeps the default


# --- Quality checks -------------------------------------------------------------------------------


def test_checks_are_packaged_with_headers() -> None:
    checks = quality.packaged_checks()
    names = {check.name for check in checks}
    assert names >= REQUIRED_CHECKS
    for check in checks:
        assert check.severity in quality.SEVERITIES
        assert len(check.description) > 20
        assert re.search(r"^\s*SELECT\b.*\?entity\b", check.query, re.MULTILINE | re.IGNORECASE)
    files = [name for name, _ in iter_files("ontology", "checks", ".rq")]
    assert all(name.endswith("-violation.rq") for name in files)


def test_bad_header_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="severity"):
        quality.parse_check("x", "# description: something\n# severity: fatal\nSELECT ?entity {}")
    with pytest.raises(QuerySyntaxError, match="description"):
        quality.parse_check("x", "# severity: error\nSELECT ?entity {}")


def test_bad_query_is_refused() -> None:
    check = quality.parse_check("x", "# description: broken\n# severity: error\nSELECT ?entity {")
    with pytest.raises(QuerySyntaxError):
        quality.run_check(pyoxigraph.Store(), check)


def test_header_continuation_lines_are_joined() -> None:
    check = quality.parse_check(
        "x", "# description: first part,\n#   second part.\n# severity: warning\nSELECT ?entity {}"
    )
    assert check.description == "first part, second part."
    assert check.severity == "warning"


def _packaged_store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    quality.load_packaged(store, example=True)
    return store


def test_packaged_data_passes_every_check() -> None:
    """Ontology, vocabularies, seed and example data, as ``init`` loads them: no violations."""
    store = _packaged_store()
    assert len(store) > 500
    results = quality.run_checks(store)
    assert set(results) == {check.name for check in quality.packaged_checks()}
    failing = {name: rows[:5] for name, rows in results.items() if rows}
    assert failing == {}


def test_example_trig_is_loaded_when_present() -> None:
    example = [name for name, _ in iter_files("data", "", ".trig") if name == "example.trig"]
    if not example:
        pytest.skip("data/example.trig is not packaged yet")
    store = _packaged_store()
    assert pyoxigraph.NamedNode(iri.graph("example")) in set(store.named_graphs())


def _fixture_expectations(path: Path) -> tuple[set[str], set[str]]:
    expect: set[str] = set()
    expect_not: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^#\s*expect(-not)?:\s*(\S+)\s*$", line):
            (expect_not if match.group(1) else expect).add(match.group(2))
    return expect, expect_not


def _check_names() -> Iterator[str]:
    for relative, _ in iter_files("ontology", "checks", "-violation.rq"):
        yield relative.rsplit("/", 1)[-1].removesuffix("-violation.rq")


@pytest.mark.parametrize("name", sorted(_check_names()))
def test_each_check_catches_its_bad_fixture(name: str) -> None:
    fixture = FIXTURES / f"{name}.ttl"
    assert fixture.is_file(), f"check {name!r} has no bad fixture {fixture.name}"
    expect, expect_not = _fixture_expectations(fixture)
    assert expect, f"{fixture.name} states no '# expect:' entity"

    store = pyoxigraph.Store()
    store.load(
        input=read_text("ontology", "rightsgraph.ttl"),
        format=pyoxigraph.RdfFormat.TURTLE,
        to_graph=pyoxigraph.NamedNode(iri.graph("ontology")),
    )
    store.load(
        path=fixture,
        format=pyoxigraph.RdfFormat.TURTLE,
        to_graph=pyoxigraph.NamedNode("http://example.org/fixture-graph"),
    )
    (check,) = [c for c in quality.packaged_checks() if c.name == name]
    flagged = {row["entity"] for row in quality.run_check(store, check)}
    assert expect <= flagged, f"{name} missed {expect - flagged}"
    assert not (expect_not & flagged), f"{name} wrongly flagged {expect_not & flagged}"

    # Without the union, the named graphs are invisible and the check finds nothing.
    assert quality.run_check(store, check, union=False) == []


def test_checks_follow_a_configured_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under another base the packaged data and the checks are rewritten alike."""
    base = "https://rights.example.org/kg/"
    monkeypatch.setenv("RIGHTSGRAPH_BASE_IRI", base)
    checks = quality.packaged_checks()
    assert all(iri.DEFAULT_BASE not in check.query for check in checks)
    store = pyoxigraph.Store()
    quality.load_packaged(store)
    store.load(
        input=f"<http://example.org/x> a <{base}ontology#Territoryy> .",
        format=pyoxigraph.RdfFormat.TURTLE,
    )
    results = quality.run_checks(store, checks=checks)
    assert [row["entity"] for row in results.pop("undeclared-term")] == [
        f"{base}ontology#Territoryy"
    ]
    assert {name: rows for name, rows in results.items() if rows} == {}


def _packaged_texts(package: str, suffix: str) -> Iterator[tuple[str, str]]:
    """``(relative name, text)`` of every packaged file of ``package`` ending in ``suffix``, in all
    sub-folders."""
    folders = [""]
    while folders:
        folder = folders.pop()
        root = resources.files(f"rightsgraph.{package}")
        node = root.joinpath(*folder.split("/")) if folder else root
        for child in node.iterdir():
            name = f"{folder}/{child.name}" if folder else child.name
            if child.is_dir() and child.name != "__pycache__":
                folders.append(name)
            elif child.is_file() and child.name.endswith(suffix):
                yield name, child.read_text(encoding="utf-8")


@pytest.mark.parametrize(("package", "suffix"), [("shapes", ".ttl"), ("queries", ".rq")])
def test_shapes_and_queries_use_only_declared_terms(
    package: str, suffix: str, declared: set[URIRef]
) -> None:
    """A misspelt rg: term in a shape or a query would never match anything, silently."""
    known = {str(term)[len(RG_NS) :] for term in declared}
    pattern = re.compile(r"(?:\brg:|<https://w3id\.org/rightsgraph/ontology#)([A-Za-z]\w*)")
    unknown = {
        f"{name}: rg:{term}"
        for name, text in _packaged_texts(package, suffix)
        for term in pattern.findall(text)
        if term not in known
    }
    assert unknown == set()
