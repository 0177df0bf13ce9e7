"""The submission shapes, tested like code (in the manner of BrickSchema/Brick).

Every family of shapes has a conforming fixture (``<family>-valid.ttl``: no result at all) and a
non-conforming one (``<family>-invalid.ttl``) in ``tests/fixtures/shapes/``. A non-conforming
fixture says what it expects next to the data::

    ex:es-sin-nombre expect:result [ expect:shape rgsh:TerritoryNameShape ;
                                     expect:severity sh:Violation ; expect:path rdfs:label ] .

The tests read the SHACL report graph (``sh:focusNode``, ``sh:sourceShape``,
``sh:resultSeverity``, ``sh:resultPath``), never the message text, to decide which shape fired.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from rightsgraph.errors import InputError
from rightsgraph.resources import iter_files, read_text
from rightsgraph.shapes import build_codes
from rightsgraph.shapes.validate import (
    LANGUAGES,
    SHAPES_VERSION,
    ValidationReport,
    shapes_graph,
    validate,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
EXPECT = Namespace("https://w3id.org/rightsgraph/test/expect#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # not rdflib's closed one: pytest probes it
RG = Namespace("https://w3id.org/rightsgraph/ontology#")
RGSH = Namespace("https://w3id.org/rightsgraph/shapes#")
RGV = "https://w3id.org/rightsgraph/vocab/"
SCHEMA = Namespace("https://schema.org/")
EX = Namespace("https://w3id.org/rightsgraph/id/territory/example/")
EXI = Namespace("https://w3id.org/rightsgraph/id/initiative/example/")
EXM = Namespace("https://w3id.org/rightsgraph/id/membership/example/")

FAMILIES = (
    "territory",
    "codes",
    "region",
    "identifiers",
    "web",
    "text",
    "initiative",
    "dates",
    "concepts",
    "deprecated",
    "membership",
    "contact",
)

#: Fixtures validated with a context graph (what the store would already know).
CONTEXTS = {"deprecated": "deprecated-context.ttl"}


@dataclass(frozen=True)
class Expected:
    focus: Node
    shape: Node | None
    severity: Node | None
    path: Node | None


def _parse(name: str) -> Graph:
    return Graph().parse(FIXTURES / name, format="turtle")


def _context(family: str) -> Graph | None:
    name = CONTEXTS.get(family)
    return _parse(name) if name else None


def _split(graph: Graph) -> tuple[Graph, list[Expected]]:
    """The data without the ``expect:`` annotations, and the expected results."""
    expected = []
    annotation_nodes = set()
    for focus, node in graph.subject_objects(EXPECT.result):
        annotation_nodes.add(node)
        expected.append(
            Expected(
                focus,
                graph.value(node, EXPECT.shape),
                graph.value(node, EXPECT.severity),
                graph.value(node, EXPECT.path),
            )
        )
    data = Graph()
    for s, p, o in graph:
        if p != EXPECT.result and s not in annotation_nodes:
            data.add((s, p, o))
    return data, expected


Result = tuple[Node | None, Node | None, Node | None, Node | None]


def _results(report: Graph) -> list[Result]:
    """``(focus, source shape, severity, path)`` of every result in a report graph."""
    out = []
    for result in report.objects(None, SH.result):
        out.append(
            (
                report.value(result, SH.focusNode),
                report.value(result, SH.sourceShape),
                report.value(result, SH.resultSeverity),
                report.value(result, SH.resultPath),
            )
        )
    return out


def _shapes_of(report: ValidationReport, focus: Node) -> set[tuple[Node | None, Node | None]]:
    return {(s, sev) for f, s, sev, _ in _results(report.graph) if f == focus}


def _short(node: Node | None) -> str:
    return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1] if node is not None else "-"


def _describe(results: list[Result]) -> str:
    return "\n".join(
        sorted(f"{_short(f)} {_short(s)} {_short(sev)} {_short(p)}" for f, s, sev, p in results)
    )


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_conforming_fixture_has_no_result(family: str) -> None:
    data, expected = _split(_parse(f"{family}-valid.ttl"))
    assert not expected, "a conforming fixture expects nothing"
    report = validate(data, context=_context(family))
    results = _results(report.graph)
    assert not results, f"unexpected results in {family}-valid.ttl:\n{_describe(results)}"
    assert report.conforms
    assert report.problems == []
    assert (None, SH.conforms, Literal(True)) in report.graph


@pytest.mark.parametrize("family", FAMILIES)
def test_nonconforming_fixture_fires_exactly_the_expected_shapes(family: str) -> None:
    data, expected = _split(_parse(f"{family}-invalid.ttl"))
    assert expected, "a non-conforming fixture lists what it expects"
    report = validate(data, context=_context(family))
    results = _results(report.graph)
    wanted = {(e.focus, e.shape, e.severity) for e in expected}
    fired = {(f, s, sev) for f, s, sev, _ in results}
    assert fired == wanted, (
        f"missing:\n{_describe([(*m, None) for m in wanted - fired])}\n"
        f"unexpected:\n{_describe([(*u, None) for u in fired - wanted])}"
    )
    for e in expected:
        if e.path is not None:
            paths = {p for f, s, _, p in results if f == e.focus and s == e.shape}
            assert e.path in paths, f"{_short(e.focus)} {_short(e.shape)}: paths {paths}"
    assert report.conforms == all(e.severity != SH.Violation for e in expected)


def _targeted_shapes() -> set[Node]:
    graph = shapes_graph()
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return {s for p in targets for s in graph.subjects(p, None)}


def test_every_targeted_shape_has_a_nonconforming_fixture() -> None:
    covered: set[Node] = set()
    for family in FAMILIES:
        assert (FIXTURES / f"{family}-valid.ttl").is_file()
        _data, expected = _split(_parse(f"{family}-invalid.ttl"))
        covered.update(e.shape for e in expected if e.shape is not None)
    missing = sorted(str(s) for s in _targeted_shapes() - covered)
    assert not missing, f"shapes without a non-conforming fixture: {missing}"


def test_fixtures_parse_with_pyoxigraph() -> None:
    for path in sorted(FIXTURES.glob("*.ttl")):
        assert list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))


# --- The shapes themselves ------------------------------------------------------------------------


def _all_shapes(graph: Graph) -> set[Node]:
    shapes: set[Node] = set(graph.subjects(RDF.type, SH.NodeShape))
    shapes |= set(graph.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(graph.subjects(SH.path, None))
    shapes |= set(graph.objects(None, SH.property)) | set(graph.objects(None, SH.node))
    shapes |= set(graph.objects(None, SH["not"]))
    for predicate in (SH["or"], SH["and"], SH.xone):
        for head in graph.objects(None, predicate):
            shapes |= set(graph.items(head))
    return shapes


def test_every_shape_is_named_described_and_has_messages_in_three_languages() -> None:
    graph = shapes_graph()
    shapes = _all_shapes(graph)
    assert len(shapes) > 80
    problems = []
    for shape in sorted(shapes, key=str):
        if isinstance(shape, BNode):
            problems.append(f"anonymous shape {shape}: give it an IRI and texts")
            continue
        for predicate in (SH.name, SH.description, SH.message):
            langs = sorted(
                o.language or "" for o in graph.objects(shape, predicate) if isinstance(o, Literal)
            )
            if langs != sorted(LANGUAGES):
                problems.append(f"{_short(shape)} {_short(predicate)}: {langs}")
        severities = list(graph.objects(shape, SH.severity))
        if len(severities) != 1 or severities[0] not in (SH.Violation, SH.Warning, SH.Info):
            problems.append(f"{_short(shape)} severity: {severities}")
    assert not problems, "\n".join(problems)


def test_every_shape_is_typed() -> None:
    graph = shapes_graph()
    for shape in _all_shapes(graph):
        types = set(graph.objects(shape, RDF.type))
        assert types & {SH.NodeShape, SH.PropertyShape}, _short(shape)
        assert (SH.PropertyShape in types) == ((shape, SH.path, None) in graph), _short(shape)


def test_messages_have_no_leftover_placeholder_outside_sparql_shapes() -> None:
    """Only SHACL-SPARQL messages are templates; core messages are read as they are."""
    graph = shapes_graph()
    for shape in _all_shapes(graph):
        if (shape, SH.sparql, None) in graph:
            continue
        for message in graph.objects(shape, SH.message):
            assert "{" not in str(message), _short(shape)


def test_shape_files_parse_with_rdflib_and_pyoxigraph() -> None:
    names = [name for name, _ in iter_files("shapes", "", ".ttl")]
    assert {"territory.ttl", "initiative.ttl", "membership.ttl", "contact.ttl", "codes.ttl"} <= set(
        names
    )
    for name in names:
        text = read_text("shapes", name)
        assert text.startswith("@prefix"), name
        assert len(Graph().parse(data=text, format="turtle")) > 0
        assert list(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE))


def test_shapes_version() -> None:
    assert re.fullmatch(r"0\.1\.0\+[0-9a-f]{12}", SHAPES_VERSION)
    report = validate(_parse("territory-valid.ttl"))
    assert report.shapes_version == SHAPES_VERSION


def test_shapes_graph_is_parsed_once() -> None:
    assert shapes_graph() is shapes_graph()


def test_codes_file_is_up_to_date() -> None:
    committed = read_text("shapes", "codes.ttl")
    header = re.search(r"from pycountry (\S+):", committed)
    assert header
    from importlib.metadata import version

    if header.group(1) != version("pycountry"):
        pytest.skip(f"codes.ttl was built with pycountry {header.group(1)}")
    assert build_codes.render() == committed


def test_code_lists_come_from_pycountry() -> None:
    assert "ES" in build_codes.country_codes() and "XX" not in build_codes.country_codes()
    assert "ES-CT" in build_codes.subdivision_codes()
    pattern = re.compile(build_codes.subdivision_pattern(build_codes.subdivision_codes()))
    assert pattern.match("ES-CT") and pattern.match("FR-IDF") and not pattern.match("ES-ZZ")
    tags = re.compile(build_codes.language_tag_pattern(build_codes.language_codes()), re.I)
    for good in ("en", "fr", "es", "pt-BR", "zh-Hant", "ca", "ast", "es-419", "sr-Latn-RS"):
        assert tags.match(good), good
    for bad in ("xx", "english", "en_US", "e", "en--us", "12"):
        assert not tags.match(bad), bad


# --- Messages and languages -----------------------------------------------------------------------


def _message(shape: Node, lang: str) -> str:
    for message in shapes_graph().objects(shape, SH.message):
        if isinstance(message, Literal) and message.language == lang:
            return str(message)
    raise AssertionError(f"no {lang} message on {shape}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_messages_come_in_the_requested_language(lang: str) -> None:
    data, _ = _split(_parse("dates-invalid.ttl"))
    report = validate(data, lang=lang)
    assert report.problems
    for problem in report.problems:
        assert problem.shape
        assert problem.message == _message(URIRef(problem.shape), lang)


@pytest.mark.parametrize(
    ("asked", "got"), [("fr-CA", "fr"), ("ES", "es"), ("de", "en"), ("", "en")]
)
def test_language_falls_back_to_english(asked: str, got: str) -> None:
    data, _ = _split(_parse("dates-invalid.ttl"))
    report = validate(data, lang=asked)
    problem = report.problems[0]
    assert problem.shape
    assert problem.message == _message(URIRef(problem.shape), got)


def test_report_graph_messages_carry_their_language() -> None:
    """pySHACL drops the language of SHACL-SPARQL messages; validate() restores it."""
    data, _ = _split(_parse("dates-invalid.ttl"))
    report = validate(data)
    messages = list(report.graph.objects(None, SH.resultMessage))
    assert messages
    assert {m.language for m in messages if isinstance(m, Literal)} == set(LANGUAGES)


def test_problems_locate_the_result() -> None:
    data, _ = _split(_parse("territory-invalid.ttl"))
    report = validate(data)
    problem = next(p for p in report.problems if p.shape == str(RGSH.TerritoryPopulationShape))
    assert problem.severity == "Violation"
    assert problem.path == str(RG.population)
    assert problem.value is not None
    assert problem.constraint and problem.constraint.startswith(str(SH))
    assert problem.focus in {str(EX["es-poblacion-negativa"]), str(EX["es-poblacion-decimal"])}
    severities = [p.severity for p in report.problems]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index)


# --- Specific rules -------------------------------------------------------------------------------


def _valid(name: str = "initiative-valid.ttl") -> Graph:
    data, _ = _split(_parse(name))
    return data


def _replace(graph: Graph, subject: Node, predicate: Node, *values: Node) -> Graph:
    graph.remove((subject, predicate, None))
    for value in values:
        graph.add((subject, predicate, value))
    return graph


INITIATIVE = EXI["es-villa-ejemplo/oficina-de-derechos"]
TERRITORY = EX["es-villa-ejemplo"]


def test_a_year_is_a_valid_start_date_but_other_forms_are_not() -> None:
    data = _replace(_valid(), INITIATIVE, SCHEMA.startDate, Literal("2019", datatype=XSD.gYear))
    assert not _shapes_of(validate(data), INITIATIVE)
    for bad in (
        Literal("2019-02-30", datatype=XSD.date),
        Literal("19", datatype=XSD.gYear),
        Literal("2019-05", datatype=XSD.gYearMonth),
        Literal("1 May 2019"),
    ):
        data = _replace(_valid(), INITIATIVE, SCHEMA.startDate, bad)
        assert (RGSH.InitiativeStartFormatShape, SH.Violation) in _shapes_of(
            validate(data), INITIATIVE
        ), bad


def test_a_start_in_2099_is_probably_a_typo() -> None:
    start = Literal("2099-01-01", datatype=XSD.date)
    data = _replace(_valid(), INITIATIVE, SCHEMA.startDate, start)
    data.remove((INITIATIVE, SCHEMA.endDate, None))
    fired = _shapes_of(validate(data), INITIATIVE)
    assert fired == {(RGSH.InitiativeStartFutureShape, SH.Violation)}


def test_a_start_after_the_end_is_reported() -> None:
    data = _replace(_valid(), INITIATIVE, SCHEMA.startDate, Literal("2023", datatype=XSD.gYear))
    _replace(data, INITIATIVE, SCHEMA.endDate, Literal("2022-12-31", datatype=XSD.date))
    fired = _shapes_of(validate(data), INITIATIVE)
    assert fired == {(RGSH.InitiativeDateOrderShape, SH.Violation)}


def test_a_join_date_in_the_future_is_reported() -> None:
    data = _valid("membership-valid.ttl")
    membership = EXM["es-villa-ejemplo"]
    _replace(data, membership, RG.joinedOn, Literal("2099-06-01", datatype=XSD.date))
    fired = _shapes_of(validate(data), membership)
    assert fired == {(RGSH.MembershipJoinedFutureShape, SH.Violation)}


def test_an_unknown_country_code_is_reported() -> None:
    data = _valid("territory-valid.ttl")
    _replace(data, TERRITORY, RG.countryCode, Literal("XX"))
    data.remove((TERRITORY, RG.subdivisionCode, None))
    fired = _shapes_of(validate(data), TERRITORY)
    assert fired == {(RGSH.TerritoryCountryCodeShape, SH.Violation)}


def test_a_typed_string_country_code_is_the_same_as_a_plain_one() -> None:
    data = _valid("territory-valid.ttl")
    _replace(data, TERRITORY, RG.countryCode, Literal("ES", datatype=XSD.string))
    assert not validate(data).problems


def test_a_subdivision_of_another_country_is_reported() -> None:
    data = _valid("territory-valid.ttl")
    _replace(data, TERRITORY, RG.subdivisionCode, Literal("FR-IDF"))
    fired = _shapes_of(validate(data), TERRITORY)
    assert fired == {(RGSH.TerritorySubdivisionCountryShape, SH.Violation)}


def test_a_region_that_does_not_match_the_country_is_reported() -> None:
    data = _valid("territory-valid.ttl")
    _replace(data, TERRITORY, RG.uclgRegion, URIRef(RGV + "uclg-regions/africa"))
    report = validate(data)
    assert _shapes_of(report, TERRITORY) == {(RGSH.TerritoryRegionCountryShape, SH.Violation)}
    assert not report.conforms
    # Metropolis may be added to the country's region, not replace it.
    _replace(data, TERRITORY, RG.uclgRegion, URIRef(RGV + "uclg-regions/metropolis"))
    assert _shapes_of(validate(data), TERRITORY) == {
        (RGSH.TerritoryRegionCountryShape, SH.Violation)
    }
    data.add((TERRITORY, RG.uclgRegion, URIRef(RGV + "uclg-regions/europe")))
    assert not _shapes_of(validate(data), TERRITORY)


def test_a_deprecated_concept_warns_and_names_its_replacement() -> None:
    data = _valid()
    old = URIRef(RGV + "rights/old-housing")
    new = URIRef(RGV + "rights/housing")
    _replace(data, INITIATIVE, RG.addressesRight, old)
    context = _parse("deprecated-context.ttl")
    assert (old, OWL.deprecated, Literal(True)) in context
    assert (old, DCTERMS.isReplacedBy, new) in context
    report = validate(data, context=context, lang="fr")
    assert _shapes_of(report, INITIATIVE) == {(RGSH.DeprecatedConceptShape, SH.Warning)}
    assert report.conforms  # a warning does not block the submission
    (result,) = report.graph.subjects(SH.sourceShape, RGSH.DeprecatedConceptShape)
    assert report.graph.value(result, SH.value) == old
    assert report.graph.value(result, SH.resultPath) == RG.addressesRight
    # The message names the replacement by its label in the requested language.
    label = next(
        str(o)
        for source in (context, _vocab())
        for o in source.objects(new, SKOS.prefLabel)
        if isinstance(o, Literal) and o.language == "fr"
    )
    (problem,) = report.problems
    assert label in problem.message
    assert "{" not in problem.message


def _vocab() -> Graph:
    from rightsgraph import packaged

    return packaged.vocab_graph()


@pytest.mark.parametrize(
    "text",
    [
        "<b>Office</b>",
        "Office</p>",
        "Click <a href='x'>here</a>",
        "javascript:alert(1)",
        "Photo onerror=alert(1)",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        '=HYPERLINK("http://example.org")',
        "+33 cities",
        "-2 offices",
        "@office",
    ],
)
def test_markup_and_formulas_are_rejected(text: str) -> None:
    data = _replace(_valid(), INITIATIVE, RDFS.label, Literal(text, lang="en"))
    fired = _shapes_of(validate(data), INITIATIVE)
    assert fired == {(RGSH.InitiativeTitleMarkupShape, SH.Violation)}, text


@pytest.mark.parametrize(
    "text", ["Office for Non-Discrimination", "Rights < duties? No.", "Saint-Denis", "e-mail: ok"]
)
def test_plain_text_is_accepted(text: str) -> None:
    data = _replace(_valid(), INITIATIVE, RDFS.label, Literal(text, lang="en"))
    assert not _shapes_of(validate(data), INITIATIVE), text


# --- What is validated ----------------------------------------------------------------------------


def test_context_is_used_but_never_reported() -> None:
    """The context tells what exists (here the leading territory); its own defects are not the
    submission's problems."""
    known = _valid("territory-valid.ttl")
    known.remove((TERRITORY, RDFS.label, None))  # a defect of the store, not of this submission
    data = _valid()
    for subject in (TERRITORY, URIRef(f"{TERRITORY}/contact")):
        data.remove((subject, None, None))
    alone = validate(data)
    assert _shapes_of(alone, INITIATIVE) == {(RGSH.InitiativeLeadTerritoryShape, SH.Violation)}
    report = validate(data, context=known)
    assert not report.problems


def test_a_resubmission_replaces_what_the_context_says() -> None:
    context = _valid("territory-valid.ttl")
    _replace(context, TERRITORY, RG.countryCode, Literal("PT"))
    report = validate(_valid("territory-valid.ttl"), context=context)
    assert not report.problems


def test_warnings_alone_conform() -> None:
    data = _valid("territory-valid.ttl")
    data.remove((TERRITORY, RG.population, None))
    report = validate(data)
    assert {p.severity for p in report.problems} == {"Warning"}
    assert report.conforms
    assert (None, SH.conforms, Literal(False)) in report.graph  # SHACL's own definition


def test_empty_or_untyped_data_is_unusable() -> None:
    with pytest.raises(InputError):
        validate(Graph())
    untyped = Graph()
    untyped.add((TERRITORY, RDFS.label, Literal("Villa Ejemplo", lang="es")))
    with pytest.raises(InputError):
        validate(untyped)


def test_a_dataset_is_read_whole() -> None:
    from rdflib import Dataset

    dataset = Dataset()
    named = dataset.graph(URIRef("https://w3id.org/rightsgraph/graph/territory/es-villa-ejemplo"))
    for triple in _valid("territory-valid.ttl"):
        named.add(triple)
    report = validate(dataset)
    assert report.conforms and not report.problems


def test_one_submission_validates_quickly() -> None:
    """One territory and ten initiatives; about 70 ms on the reference machine. The bound is loose
    so that a slow CI machine passes, but a lost cache (about 10x slower) does not."""
    data = _valid("territory-valid.ttl")
    initiative = _valid()
    for s, p, o in initiative.triples((INITIATIVE, None, None)):
        for n in range(10):
            data.add((URIRef(f"{s}-{n}"), p, o))
    validate(data)
    start = time.perf_counter()
    for _ in range(3):
        report = validate(data)
    elapsed = (time.perf_counter() - start) / 3
    assert not report.problems
    assert elapsed < 0.6, f"{elapsed * 1000:.0f} ms"
