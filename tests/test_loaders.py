"""The submission readers and the mapping: files in, RDF graphs, locations and problems out.

Good submissions (CSV in English, French and Spanish, CSV with BOM, XLSX, JSON-LD, Turtle) are
compared with an expected graph by isomorphism; every class of bad input must give its own error,
located by row, line or column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pyoxigraph
import pytest
from openpyxl import Workbook, load_workbook
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS

from rightsgraph import iri, packaged
from rightsgraph.errors import InputError, Problem, TooLargeError, UnsupportedFormatError
from rightsgraph.loaders.formats import MAX_FIELD_CHARS, MAX_ROWS, OLE2_MAGIC
from rightsgraph.loaders.reader import ParsedSubmission, read_submission
from rightsgraph.loaders.tabular import COLUMNS
from rightsgraph.loaders.terms import TermIndex, normalise, term_index

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "submissions"
DOCS = HERE.parent / "docs"
TODAY = dt.date(2025, 6, 1)

RG = "https://w3id.org/rightsgraph/ontology#"
RGV = "https://w3id.org/rightsgraph/vocab/"
RGID = "https://w3id.org/rightsgraph/id/"
SCHEMA = "https://schema.org/"
# Plain IRIs: rdflib's closed XSD namespace warns when pytest probes module attributes.
NON_NEGATIVE = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
G_YEAR = URIRef("http://www.w3.org/2001/XMLSchema#gYear")
MAPLE = URIRef(RGID + "territory/ca-maple-testville")


def rg(term: str) -> URIRef:
    return URIRef(RG + term)


def rgv(path: str) -> URIRef:
    return URIRef(RGV + path)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def expected_graph() -> Graph:
    return Graph().parse(FIXTURES / "good-en.ttl", format="turtle")


def read(data: bytes, filename: str | None = "submission.csv", *, lang: str = "en",
         max_bytes: int = 5_000_000, media_type: str | None = None) -> ParsedSubmission:
    return read_submission(data, filename=filename, media_type=media_type, lang=lang,
                           max_bytes=max_bytes, today=TODAY)


BASE_ROW: dict[str, str] = {
    "territory_name": "Maple Testville",
    "country": "CA",
    "region": "ON",
    "population": "48250",
    "joined_campaign": "2023-05-17",
    "contact_email": "office@maple-testville.example",
    "initiative_title": "Housing First Pilot",
    "initiative_description": "Test fixture, not real data.",
    "rights_categories": "housing",
    "rights_holder_groups": "homeless persons",
    "instruments": "UDHR",
    "start_date": "2019-01-15",
    "end_date": "2022-12-31",
    "language": "en",
}


def table(*rows: dict[str, str], columns: tuple[str, ...] = COLUMNS) -> bytes:
    """A CSV file with the template's header and rows made from BASE_ROW plus overrides."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for overrides in rows:
        cells = {**BASE_ROW, **overrides}
        writer.writerow([cells.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def violations(parsed: ParsedSubmission) -> list[Problem]:
    return [p for p in parsed.problems if p.severity == "Violation"]


def only_problem(parsed: ParsedSubmission) -> Problem:
    found = violations(parsed)
    assert len(found) == 1, [p.message for p in parsed.problems]
    return found[0]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def good_en_rows(*, real_dates: bool) -> list[list[object]]:
    """good-en.csv as worksheet rows; dates as real Excel dates when asked."""
    text = fixture("good-en.csv").decode("utf-8")
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text))]
    if real_dates:
        for row in rows[1:]:
            for column in ("joined_campaign", "start_date", "end_date"):
                index = COLUMNS.index(column)
                if row[index]:
                    row[index] = dt.datetime.fromisoformat(str(row[index]))
    return rows


# --------------------------------------------------------------------------------------------
# Good submissions
# --------------------------------------------------------------------------------------------


def test_csv_maps_to_the_expected_graph() -> None:
    parsed = read(fixture("good-en.csv"), filename="good-en.csv")
    assert parsed.problems == []
    assert isomorphic(parsed.graph, expected_graph())
    assert parsed.territory == MAPLE
    assert parsed.territory_key == "ca-maple-testville"
    assert (parsed.format, parsed.media_type) == ("csv", "text/csv")
    assert parsed.size == len(fixture("good-en.csv"))
    assert len(parsed.sha256) == 64


def test_expected_turtle_parses_with_rdflib_and_pyoxigraph() -> None:
    data = fixture("good-en.ttl")
    triples = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(expected_graph()) > 50


def test_csv_locations_point_at_rows_and_columns() -> None:
    parsed = read(fixture("good-en.csv"))
    youth = URIRef(RGID + "initiative/ca-maple-testville/participatory-budget-for-youth")
    where = parsed.locations[(youth, rg("addressesRight"))]
    assert (where.row, where.field) == (3, "rights_categories")
    assert parsed.locations[(youth, None)].row == 3
    assert parsed.locations[(MAPLE, rg("population"))].field == "population"
    assert parsed.locations[(MAPLE, None)].row == 2
    membership = URIRef(RGID + "membership/ca-maple-testville")
    assert parsed.locations[(membership, rg("joinedOn"))].field == "joined_campaign"


def test_csv_locations_of_empty_cells_point_at_their_column() -> None:
    parsed = read(table({"joined_campaign": "", "rights_holder_groups": "", "region": ""}))
    pilot = URIRef(RGID + "initiative/ca-maple-testville/housing-first-pilot")
    membership = URIRef(RGID + "membership/ca-maple-testville")
    assert parsed.locations[(pilot, rg("targetsGroup"))].field == "rights_holder_groups"
    assert parsed.locations[(membership, rg("joinedOn"))].field == "joined_campaign"
    assert parsed.locations[(MAPLE, rg("subdivisionCode"))].field == "region"


def test_messages_exist_in_three_languages_with_the_same_placeholders() -> None:
    import re

    from rightsgraph.loaders.formats import _MESSAGES

    for key, texts in _MESSAGES.items():
        assert set(texts) == {"en", "fr", "es"}, key
        placeholders = {lang: set(re.findall(r"{(\w+)}", t)) for lang, t in texts.items()}
        assert placeholders["fr"] == placeholders["es"] == placeholders["en"], key


def test_csv_with_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + fixture("good-en.csv").replace(b"\n", b"\r\n")
    parsed = read(data)
    assert parsed.problems == []
    assert isomorphic(parsed.graph, expected_graph())


@pytest.mark.parametrize("real_dates", [True, False])
def test_xlsx_maps_like_the_csv(real_dates: bool) -> None:
    data = xlsx_bytes(good_en_rows(real_dates=real_dates))
    parsed = read(data, filename="good-en.xlsx")
    assert parsed.problems == []
    assert parsed.format == "xlsx"
    assert isomorphic(parsed.graph, expected_graph())
    youth = URIRef(RGID + "initiative/ca-maple-testville/participatory-budget-for-youth")
    assert parsed.locations[(youth, rg("targetsGroup"))].row == 3


def test_xlsx_rows_keep_their_sheet_numbers() -> None:
    rows = good_en_rows(real_dates=True)
    rows.insert(2, [None] * len(COLUMNS))  # an empty row 3
    rows[3][COLUMNS.index("rights_categories")] = "nonsense"
    problem = only_problem(read(xlsx_bytes(rows), filename="x.xlsx"))
    assert (problem.row, problem.field) == (4, "rights_categories")


def test_xlsx_numbers_are_read_as_numbers() -> None:
    rows = good_en_rows(real_dates=True)
    rows[1][COLUMNS.index("population")] = 48250
    parsed = read(xlsx_bytes(rows[:2]), filename="x.xlsx")
    assert parsed.problems == []
    assert parsed.graph.value(MAPLE, rg("population")) == Literal(
        48250, datatype=NON_NEGATIVE)
    assert parsed.graph.value(MAPLE, rg("populationYear")) == Literal("2025", datatype=G_YEAR)


def test_jsonld_with_the_published_context() -> None:
    parsed = read(fixture("good-en.jsonld"), filename="good-en.jsonld")
    assert parsed.problems == []
    assert (parsed.format, parsed.media_type) == ("jsonld", "application/ld+json")
    assert isomorphic(parsed.graph, expected_graph())
    youth = URIRef(RGID + "initiative/ca-maple-testville/participatory-budget-for-youth")
    text = fixture("good-en.jsonld").decode().splitlines()
    line = parsed.locations[(youth, None)].line
    assert line is not None and "participatory-budget-for-youth" in text[line - 1]
    line = parsed.locations[(youth, rg("targetsGroup"))].line
    assert line is not None and "targetsGroup" in text[line - 1]


def test_turtle_submission() -> None:
    parsed = read(fixture("good-en.ttl"), filename="good-en.ttl")
    assert parsed.problems == []
    assert (parsed.format, parsed.media_type) == ("turtle", "text/turtle")
    assert isomorphic(parsed.graph, expected_graph())
    text = fixture("good-en.ttl").decode().splitlines()
    membership = URIRef(RGID + "membership/ca-maple-testville")
    line = parsed.locations[(membership, None)].line  # written rgid:membership\/ca-maple-...
    assert line is not None and text[line - 1].startswith("rgid:membership")
    line = parsed.locations[(MAPLE, rg("population"))].line
    assert line is not None and "rg:population " in text[line - 1]


def test_format_is_sniffed_without_a_name() -> None:
    for name, fmt in (("good-en.csv", "csv"), ("good-en.jsonld", "jsonld"),
                      ("good-en.ttl", "turtle")):
        assert read(fixture(name), filename=None).format == fmt
    assert read(xlsx_bytes(good_en_rows(real_dates=True)), filename=None).format == "xlsx"
    assert read(fixture("good-en.ttl"), filename=None, media_type="text/turtle").format == "turtle"


def test_french_submission() -> None:
    parsed = read(fixture("good-fr.csv"), lang="fr")
    assert parsed.problems == []
    g = parsed.graph
    town = URIRef(RGID + "territory/fr-villetest-sur-loire")
    maison = URIRef(RGID + "initiative/fr-villetest-sur-loire/maison-des-droits")
    assert g.value(town, RDFS.label) == Literal("Villetest-sur-Loire", lang="fr")
    assert g.value(town, rg("subdivisionCode")) == Literal("FR-PDL")
    assert g.value(town, rg("uclgRegion")) == rgv("uclg-regions/europe")
    assert g.value(town, rg("population")) == Literal(31200, datatype=NON_NEGATIVE)
    assert set(g.objects(maison, rg("addressesRight"))) == {
        rgv("rights/housing"), rgv("rights/participatory-democracy")}
    assert set(g.objects(maison, rg("targetsGroup"))) == {
        rgv("groups/migrants"), rgv("groups/women-girls")}
    assert set(g.objects(maison, rg("implementsInstrument"))) == {
        rgv("instruments/udhr"), rgv("instruments/iccpr")}
    conseil = URIRef(RGID + "initiative/fr-villetest-sur-loire/conseil-des-jeunes")
    assert g.value(conseil, DCTERMS.language) == Literal("fr")
    assert g.value(conseil, rg("status")) == rgv("initiative-status/completed")
    assert g.value(maison, rg("status")) == rgv("initiative-status/ongoing")


def test_spanish_submission() -> None:
    parsed = read(fixture("good-es.csv"), lang="es")
    assert parsed.problems == []
    g = parsed.graph
    villa = URIRef(RGID + "territory/es-villa-ejemplo")
    oficina = URIRef(RGID + "initiative/es-villa-ejemplo/oficina-de-no-discriminacion")
    acogida = URIRef(RGID + "initiative/es-villa-ejemplo/plan-de-acogida")
    assert g.value(villa, rg("countryCode")) == Literal("ES")
    assert g.value(villa, rg("subdivisionCode")) == Literal("ES-CT")
    assert g.value(villa, rg("population")) == Literal(15300, datatype=NON_NEGATIVE)
    assert set(g.objects(oficina, rg("addressesRight"))) == {
        rgv("rights/housing"), rgv("rights/water-food")}
    assert set(g.objects(oficina, rg("targetsGroup"))) == {
        rgv("groups/persons-with-disabilities"), rgv("groups/roma")}
    assert set(g.objects(oficina, rg("implementsInstrument"))) == {
        rgv("instruments/crc"), rgv("instruments/hrc-res-45-7")}
    assert g.value(acogida, RDFS.label) == Literal("Plan de acogida", lang="es-ES")
    assert g.value(acogida, rg("status")) == rgv("initiative-status/planned")


def test_configured_base_iri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTSGRAPH_BASE_IRI", "https://example.org/rg/")
    parsed = read(fixture("good-en.csv"))
    assert parsed.problems == []
    assert str(parsed.territory) == "https://example.org/rg/id/territory/ca-maple-testville"
    pilot = URIRef("https://example.org/rg/id/initiative/ca-maple-testville/housing-first-pilot")
    assert URIRef("https://example.org/rg/vocab/rights/housing") in set(
        parsed.graph.objects(pilot, URIRef("https://example.org/rg/ontology#addressesRight")))
    turtle = fixture("good-en.ttl").replace(b"https://w3id.org/rightsgraph/",
                                            b"https://example.org/rg/")
    assert read(turtle, filename="x.ttl").problems == []


# --------------------------------------------------------------------------------------------
# Cells and mapping details
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [("2019-01-01", "2020-01-01", "completed"), ("2025-06-01", "", "ongoing"),
     ("", "2025-06-01", "ongoing"), ("2025-06-02", "2026-01-01", "planned"), ("", "", "ongoing")],
)
def test_status_from_dates(start: str, end: str, status: str) -> None:
    parsed = read(table({"start_date": start, "end_date": end}))
    pilot = URIRef(RGID + "initiative/ca-maple-testville/housing-first-pilot")
    assert parsed.graph.value(pilot, rg("status")) == rgv(f"initiative-status/{status}")


def test_territory_columns_may_be_empty_after_the_first_row() -> None:
    parsed = read(table({}, {"territory_name": "", "country": "", "region": "", "population": "",
                             "initiative_title": "Second initiative"}))
    assert violations(parsed) == []
    assert len(set(parsed.graph.subjects(RDF.type, rg("Initiative")))) == 2


def test_row_without_initiative_describes_only_the_territory() -> None:
    empty = {c: "" for c in COLUMNS if c.startswith("initiative") or c in (
        "rights_categories", "rights_holder_groups", "instruments", "start_date", "end_date")}
    parsed = read(table(empty))
    assert violations(parsed) == []
    assert set(parsed.graph.subjects(RDF.type, rg("Initiative"))) == set()
    assert (MAPLE, RDF.type, rg("Territory")) in parsed.graph


def test_initiative_fields_without_title() -> None:
    problem = only_problem(read(table({"initiative_title": ""})))
    assert (problem.row, problem.field) == (2, "initiative_title")


def test_duplicate_titles() -> None:
    problem = only_problem(read(table({}, {"initiative_title": "HOUSING first pilot!"})))
    assert (problem.row, problem.field) == (3, "initiative_title")
    assert "row 2" in problem.message


def test_rows_about_another_territory() -> None:
    parsed = read(table({}, {"territory_name": "Other Town", "initiative_title": "B"},
                        {"country": "US", "initiative_title": "C"}))
    found = violations(parsed)
    assert [(p.row, p.field) for p in found] == [(3, "territory_name"), (4, "country")]
    assert "one file per territory" in found[0].message
    assert len(set(parsed.graph.subjects(RDF.type, rg("Initiative")))) == 1


def test_territory_columns_that_disagree() -> None:
    parsed = read(table({}, {"population": "50000", "initiative_title": "B"},
                        {"population": "48 250", "initiative_title": "C"}))
    problem = only_problem(parsed)
    assert (problem.row, problem.field, problem.value) == (3, "population", "50000")


def test_population_forms() -> None:
    for text, number, year in (("1 620 343", 1620343, "2025"), ("125,000 (2019)", 125000, "2019"),
                               ("1.234.567", 1234567, "2025")):
        parsed = read(table({"population": text}))
        assert violations(parsed) == []
        assert parsed.graph.value(MAPLE, rg("population")).toPython() == number
        assert str(parsed.graph.value(MAPLE, rg("populationYear"))) == year
    for text in ("-3", "12.5", "about 5000", "5000 (1700)"):
        problem = only_problem(read(table({"population": text})))
        assert problem.field == "population", text
        assert "formula" not in problem.message


def test_dates_are_strict() -> None:
    problem = only_problem(read(table({"start_date": "15/03/2024"})))
    assert (problem.row, problem.field, problem.value) == (2, "start_date", "15/03/2024")
    assert "YYYY-MM-DD" in problem.message
    assert "AAAA-MM-JJ" in only_problem(read(table({"end_date": "2024-02-30"}), lang="fr")).message
    # Mappable values that break a rule are mapped: the shapes report them, once.
    parsed = read(table({"start_date": "2022-01-01", "end_date": "2021-01-01",
                         "joined_campaign": "2099-01-01"}))
    assert parsed.problems == []
    pilot = URIRef(RGID + "initiative/ca-maple-testville/housing-first-pilot")
    assert str(parsed.graph.value(pilot, URIRef(SCHEMA + "endDate"))) == "2021-01-01"
    membership = URIRef(RGID + "membership/ca-maple-testville")
    assert str(parsed.graph.value(membership, rg("joinedOn"))) == "2099-01-01"


def test_email_and_language() -> None:
    parsed = read(table({"contact_email": "mailto:not an address"}))
    assert parsed.problems == []  # the shapes judge the address
    contact = URIRef(RGID + "territory/ca-maple-testville/contact")
    assert str(parsed.graph.value(contact, URIRef(SCHEMA + "email"))) == "not an address"
    problem = only_problem(read(table({"language": "Français"})))
    assert problem.field == "language"
    assert "'fr'" in problem.message
    parsed = read(table({"language": ""}), lang="es")
    assert violations(parsed) == []
    assert [p.field for p in parsed.problems] == ["language"]  # a warning: assumed "es"
    pilot = URIRef(RGID + "initiative/ca-maple-testville/housing-first-pilot")
    assert parsed.graph.value(pilot, RDFS.label) == Literal("Housing First Pilot", lang="es")


def test_example_rows_of_the_template_are_refused() -> None:
    parsed = read(table({"territory_name": "EXAMPLE Sampletown"}))
    assert only_problem(parsed).field == "territory_name"


# --------------------------------------------------------------------------------------------
# Terms, countries and regions
# --------------------------------------------------------------------------------------------


def test_every_accepted_term_form() -> None:
    forms = ("Right to housing and domicile; HOUSING; gca-x; Droit au logement et au domicile; "
             "derecho a la vivienda y al domicilio; "
             "https://w3id.org/rightsgraph/vocab/rights/housing")
    parsed = read(table({"rights_categories": forms}))
    assert parsed.problems == []
    pilot = URIRef(RGID + "initiative/ca-maple-testville/housing-first-pilot")
    assert set(parsed.graph.objects(pilot, rg("addressesRight"))) == {rgv("rights/housing")}
    parsed = read(table({"instruments": "udhr; A/HRC/RES/45/7; iccpr; CEDAW; crpd; Convención "
                                        "sobre los Derechos del Niño"}))
    assert parsed.problems == []
    assert set(parsed.graph.objects(pilot, rg("implementsInstrument"))) == {
        rgv(f"instruments/{c}") for c in ("udhr", "hrc-res-45-7", "iccpr", "cedaw", "crpd", "crc")}


def test_unknown_term_names_the_nearest_terms() -> None:
    problem = only_problem(read(table({"rights_categories": "housing; Right to housng"})))
    assert (problem.row, problem.field, problem.value) == (2, "rights_categories",
                                                          "Right to housng")
    assert "Did you mean 'Right to housing and domicile' (housing)," in problem.message
    assert problem.path == RG + "addressesRight"
    problem = only_problem(read(table({"rights_categories": "droit au logment"}), lang="fr"))
    assert "Vouliez-vous dire 'Droit au logement et au domicile' (housing)" in problem.message
    assert problem.message.startswith("Valeur inconnue")
    problem = only_problem(read(table({"rights_holder_groups": "persona migrante"}), lang="es"))
    assert "¿Quería decir" in problem.message and "(migrants)" in problem.message
    problem = only_problem(read(table({"instruments": "UDHRR"})))
    assert "(udhr)" in problem.message


def test_term_index_ambiguous_and_deprecated_terms() -> None:
    vocab = Graph().parse(format="turtle", data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix t: <https://example.org/t/> .
        t:a skos:inScheme t: ; skos:notation "a" ; skos:prefLabel "Alpha"@en ;
            skos:altLabel "shared"@en .
        t:b skos:inScheme t: ; skos:notation "b" ; skos:prefLabel "Beta"@en , "Bêta"@fr ;
            skos:altLabel "shared"@en , "alpha"@fr .
        t:old skos:inScheme t: ; skos:notation "old" ; skos:prefLabel "Old"@en ;
            owl:deprecated true ; dcterms:isReplacedBy t:b .
        t:gone skos:inScheme t: ; skos:notation "gone" ; owl:deprecated true .
    """)
    index = TermIndex(vocab, URIRef("https://example.org/t/"))
    t = "https://example.org/t/"
    assert index.resolve("Shared").candidates == (URIRef(t + "a"), URIRef(t + "b"))
    assert index.resolve("alpha").concept == URIRef(t + "a")  # a prefLabel beats an altLabel
    assert index.resolve("BETA").concept == URIRef(t + "b")
    old = index.resolve("old")
    assert (old.concept, old.deprecated) == (URIRef(t + "b"), URIRef(t + "old"))
    gone = index.resolve("gone")
    assert (gone.concept, gone.deprecated) == (None, URIRef(t + "gone"))
    assert index.describe(URIRef(t + "b"), "fr") == "'Bêta' (b)"
    assert index.suggest("Betta") == [URIRef(t + "b")]


@pytest.mark.parametrize("module", ["reader", "terms", "places", "formats", "mapping"])
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"rightsgraph.loaders.{module}"))
    assert result.failed == 0


def test_term_index_normalisation() -> None:
    index = term_index("rights")
    assert normalise("  Droit À l’EAU potable ") == "droit a leau potable"
    assert index.resolve("droit a l'eau potable et a l'alimentation").concept == \
        rgv("rights/water-food")
    assert index.resolve("DROIT A L EAU POTABLE ET A L ALIMENTATION").concept == \
        rgv("rights/water-food")
    assert index.resolve("nothing like it").concept is None


def test_region_names_in_french_and_spanish() -> None:
    for country, region, code in (("ES", "Andalousie", "ES-AN"), ("España", "Andalucía", "ES-AN"),
                                  ("Espagne", "Castille et Léon", "ES-CL"),
                                  ("MEX", "Basse Californie", "MX-BCN"),
                                  ("France", "occitania", "FR-OCC"), ("FR", "fr-idf", "FR-IDF"),
                                  ("Spain", "madrid", "ES-MD")):
        parsed = read(table({"country": country, "region": region}))
        assert violations(parsed) == [], (country, region)
        assert parsed.graph.value(parsed.territory, rg("subdivisionCode")) == Literal(code)


def test_region_of_another_country() -> None:
    problem = only_problem(read(table({"country": "ES", "region": "Île-de-France"})))
    assert (problem.row, problem.field) == (2, "region")
    assert "FR-IDF" in problem.message and "France" in problem.message
    problem = only_problem(read(table({"country": "ES", "region": "FR-IDF"}), lang="es"))
    assert "Francia" in problem.message


def test_unknown_region_and_country() -> None:
    problem = only_problem(read(table({"country": "ES", "region": "Andaluzia"})))
    assert "ES-AN" in problem.message
    parsed = read(table({"country": "Canadaa"}))
    problem = only_problem(parsed)
    assert problem.field == "country" and "(CA)" in problem.message
    assert parsed.territory_key == "zz-maple-testville"


# --------------------------------------------------------------------------------------------
# Unreadable CSV
# --------------------------------------------------------------------------------------------


def test_not_utf8() -> None:
    data = table({}, {"territory_name": "", "initiative_title": "Café"}).decode().encode("latin-1")
    with pytest.raises(InputError) as err:
        read(data)
    assert err.value.line == 3
    assert "0xE9" in err.value.message and "CSV UTF-8" in err.value.message
    with pytest.raises(InputError) as err:
        read(data, lang="fr")
    assert "CSV UTF-8" in err.value.message and "ligne 3" in err.value.message
    with pytest.raises(InputError, match="UTF-16"):
        read("territory_name,country\n".encode("utf-16"))


@pytest.mark.parametrize(("separator", "word"), [(";", "semicolons"), ("\t", "tabs")])
def test_wrong_delimiter(separator: str, word: str) -> None:
    data = table({}).decode().replace(",", separator).encode()
    with pytest.raises(InputError) as err:
        read(data)
    assert word in err.value.message and err.value.line == 1
    with pytest.raises(InputError, match="semicolons"):
        read(b"sep=;\n" + table({}).replace(b",", b";"))


def test_header_errors() -> None:
    with pytest.raises(InputError) as err:
        read(table({}, columns=tuple(c for c in COLUMNS if c != "language")))
    assert "Missing column(s): language" in err.value.message
    with pytest.raises(InputError) as err:
        read(table({}, columns=(*COLUMNS[:-1], "langauge")))
    assert err.value.column == "langauge" and "did you mean 'language'" in err.value.message
    with pytest.raises(InputError) as err:
        read(table({}, columns=(*COLUMNS, "country")))
    assert err.value.column == "country" and "twice" in err.value.message
    header_case = table({}).replace(b"territory_name", b" Territory_Name ")
    assert read(header_case).problems == []


def test_empty_file_and_no_rows() -> None:
    for data in (b"", b"\xef\xbb\xbf  \n\n"):
        with pytest.raises(InputError, match="empty"):
            read(data)
    with pytest.raises(InputError, match="no data rows"):
        read(table())


def test_ragged_row() -> None:
    data = table({}, {}).decode().splitlines()
    data[2] = data[2].rsplit(",", 2)[0]
    with pytest.raises(InputError) as err:
        read("\n".join(data).encode())
    assert err.value.row == 3 and "12 cells" in err.value.message
    with pytest.raises(InputError) as err:
        read(table({}) + b'Maple,"unclosed\n')
    assert "quote" in err.value.message


def test_sizes() -> None:
    with pytest.raises(TooLargeError):
        read(table({}), max_bytes=100)
    with pytest.raises(TooLargeError) as err:
        read(table({"initiative_description": "x" * (MAX_FIELD_CHARS + 1)}))
    assert (err.value.row, err.value.column) == (2, "initiative_description")
    with pytest.raises(TooLargeError):  # past the csv module's own field limit
        read(table({"initiative_description": "x" * 200_000}))
    rows = [{"initiative_title": f"Initiative {n}"} for n in range(MAX_ROWS + 1)]
    with pytest.raises(TooLargeError) as err:
        read(table(*rows))
    assert err.value.row == MAX_ROWS + 2


# --------------------------------------------------------------------------------------------
# Hostile content
# --------------------------------------------------------------------------------------------


def test_hostile_territory_name_is_the_error() -> None:
    with pytest.raises(InputError) as err:
        read(table({"territory_name": "@SUM(1+1)"}))
    assert (err.value.row, err.value.column) == (2, "territory_name")
    assert "formula" in err.value.message


@pytest.mark.parametrize(
    ("column", "value"),
    [("initiative_title", "=HYPERLINK(\"http://evil.example\",\"click\")"),
     ("initiative_description", "+cmd|' /C calc'!A0"), ("region", "@SUM(1+1)"),
     ("rights_categories", "-housing"), ("contact_email", "=x@example.org"),
     ("initiative_description", "Nice <script>alert(1)</script>"),
     ("initiative_title", "<img src=x onerror=alert(1)>"),
     ("initiative_description", "see javascript:alert(1)"),
     ("initiative_title", "Title\u202eeman"), ("region", "\uff1dcmd")],
)
def test_hostile_cells_are_refused(column: str, value: str) -> None:
    parsed = read(table({column: value}))
    problem = next(p for p in violations(parsed) if p.field == column)
    assert problem.row == 2
    assert Literal(value.strip()) not in set(parsed.graph.objects())
    assert all(value.strip() not in str(o) for o in parsed.graph.objects())


def test_harmless_text_is_kept() -> None:
    parsed = read(table({"initiative_description": "Rents < 30% of income; a-b; x=y; 2 > 1"}))
    assert parsed.problems == []


def test_hostile_literals_in_rdf() -> None:
    data = fixture("good-en.ttl").replace(b'"Anti-Racism Observatory"@en',
                                          b'"<script>alert(1)</script>"@en')
    parsed = read(data, filename="x.ttl")
    problem = only_problem(parsed)
    text = data.decode().splitlines()
    assert problem.line is not None and "<script>" in text[problem.line - 1]
    data = fixture("good-en.ttl").replace(b'"Anti-Racism Observatory"@en',
                                          ('"' + "x" * (MAX_FIELD_CHARS + 1) + '"@en').encode())
    with pytest.raises(TooLargeError):
        read(data, filename="x.ttl")


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def test_xlsx_formula_is_seen_and_refused() -> None:
    rows = good_en_rows(real_dates=True)[:2]
    rows[1][COLUMNS.index("initiative_title")] = '=HYPERLINK("http://evil.example","x")'
    parsed = read(xlsx_bytes(rows), filename="x.xlsx")
    problem = only_problem(parsed)
    assert (problem.row, problem.field) == (2, "initiative_title")
    assert "formula" in problem.message


def test_xlsx_with_macros_is_refused() -> None:
    plain = xlsx_bytes(good_en_rows(real_dates=True))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 16)
    with pytest.raises(InputError, match="macros"):
        read(out.getvalue(), filename="x.xlsx")
    with pytest.raises(UnsupportedFormatError, match=r"\.xlsm"):
        read(plain, filename="x.xlsm")


def test_xlsx_that_is_not_a_workbook() -> None:
    with pytest.raises(InputError, match="ZIP"):
        read(b"territory_name,country\n", filename="x.xlsx")
    with pytest.raises(InputError, match="password"):
        read(OLE2_MAGIC + b"\x00" * 512, filename="x.xlsx")
    with pytest.raises(InputError, match="cannot be read"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        read(out.getvalue(), filename="x.xlsx")


def test_xlsx_value_outside_the_header() -> None:
    rows = good_en_rows(real_dates=True)[:2]
    rows[1].append("stray")
    with pytest.raises(InputError) as err:
        read(xlsx_bytes(rows), filename="x.xlsx")
    assert (err.value.row, err.value.column) == (2, "O")


def test_unsupported_formats() -> None:
    for name in ("x.xls", "x.ods", "x.tsv", "x.pdf"):
        with pytest.raises(UnsupportedFormatError):
            read(b"%PDF-1.4 whatever", filename=name)


# --------------------------------------------------------------------------------------------
# JSON-LD and Turtle errors
# --------------------------------------------------------------------------------------------


def test_jsonld_remote_context_is_refused() -> None:
    data = fixture("good-en.jsonld").replace(b"https://w3id.org/rightsgraph/context.jsonld",
                                             b"https://evil.example/context.jsonld")
    with pytest.raises(InputError, match=r"evil\.example"):
        read(data, filename="x.jsonld")
    nested = b'{"@context": [{"@import": "https://evil.example/c"}], "@id": "x"}'
    with pytest.raises(InputError, match=r"evil\.example"):
        read(nested, filename="x.jsonld")


def test_jsonld_syntax_and_shape_errors() -> None:
    with pytest.raises(InputError) as err:
        read(b'{\n  "@id": "x",\n  "a": [1, 2\n}', filename="x.jsonld")
    assert err.value.line == 4 and err.value.column == "1"
    with pytest.raises(InputError, match="JSON object"):
        read(b'"just a string"', filename="x.jsonld")
    graph = (b'{"@context": "https://w3id.org/rightsgraph/context.jsonld", "@id": "rgid:g", '
             b'"@graph": [{"id": "rgid:territory/ca-x", "type": "Territory"}]}')
    with pytest.raises(InputError, match="Named graphs"):
        read(graph, filename="x.jsonld")


def test_turtle_syntax_error_has_line_and_column() -> None:
    data = b'@prefix rg: <https://w3id.org/rightsgraph/ontology#> .\n\n<a> rg:p "x" ;\n  rg:q .\n'
    with pytest.raises(InputError) as err:
        read(data, filename="x.ttl")
    assert err.value.line == 4 and err.value.column is not None
    assert "line 4" in err.value.message


def test_turtle_must_describe_one_well_named_territory() -> None:
    prefix = b"@prefix rg: <https://w3id.org/rightsgraph/ontology#> .\n"
    with pytest.raises(InputError, match="none"):
        read(prefix + b"<https://w3id.org/rightsgraph/id/x> rg:p 1 .\n", filename="x.ttl")
    two = (prefix + b"<https://w3id.org/rightsgraph/id/territory/ca-a> a rg:Territory .\n"
           b"<https://w3id.org/rightsgraph/id/territory/ca-b> a rg:Territory .\n")
    with pytest.raises(InputError, match="describes 2"):
        read(two, filename="x.ttl")
    for bad in (b"<https://w3id.org/rightsgraph/id/territory/Canada_Maple>",
                b"<https://w3id.org/rightsgraph/id/territory/example/ca-x>",
                b"<https://other.example/id/territory/ca-x>"):
        with pytest.raises(InputError, match="pattern") as err:
            read(prefix + b"\n" + bad + b" a rg:Territory .\n", filename="x.ttl")
        assert err.value.line == 3


def test_turtle_may_only_describe_its_own_territory() -> None:
    extra = (b"\n<https://w3id.org/rightsgraph/id/territory/es-barcelona> rg:population 1 .\n"
             b"<https://w3id.org/rightsgraph/vocab/rights/housing> rdfs:label \"x\"@en .\n")
    parsed = read(fixture("good-en.ttl") + extra, filename="x.ttl")
    found = violations(parsed)
    assert {p.focus for p in found} == {RGID + "territory/es-barcelona", RGV + "rights/housing"}
    assert all(p.line is not None and p.line > 80 for p in found)


def test_turtle_unknown_concept_and_country_code() -> None:
    data = fixture("good-en.ttl").replace(b"vocab/rights/anti-racism", b"vocab/rights/antiracism")
    problem = only_problem(read(data, filename="x.ttl"))
    assert problem.path == RG + "addressesRight" and "(anti-racism)" in problem.message
    data = fixture("good-en.ttl").replace(b'rg:countryCode "CA"', b'rg:countryCode "US"')
    problem = only_problem(read(data, filename="x.ttl"))
    assert problem.path == RG + "countryCode" and problem.line == 19


# --------------------------------------------------------------------------------------------
# Templates and the documented example
# --------------------------------------------------------------------------------------------


def _load_make_templates() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_templates", DOCS / "make_templates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_csv_template_is_up_to_date() -> None:
    module = _load_make_templates()
    expected = module.csv_text()  # type: ignore[attr-defined]
    assert (DOCS / "submission-template.csv").read_bytes().decode("utf-8") == expected


def test_templates_read_the_same_and_are_marked_as_example() -> None:
    from_csv = read((DOCS / "submission-template.csv").read_bytes())
    from_xlsx = read((DOCS / "submission-template.xlsx").read_bytes(), filename="t.xlsx")
    for parsed in (from_csv, from_xlsx):
        assert [(p.row, p.field) for p in parsed.problems] == [
            (2, "territory_name"), (3, "territory_name")]
    assert isomorphic(from_csv.graph, from_xlsx.graph)
    workbook = load_workbook(DOCS / "submission-template.xlsx", read_only=True)
    assert workbook.sheetnames == ["Submission", "Help"]
    help_rows = [r for r in workbook["Help"].iter_rows(values_only=True) if r and r[0]]
    documented = {r[0] for r in help_rows}
    assert set(COLUMNS) <= documented
    assert ("column", "required", "English", "Français", "Español") in help_rows
    workbook.close()


def test_documented_jsonld_example_matches_the_template() -> None:
    parsed = read((DOCS / "submission-example.jsonld").read_bytes(), filename="e.jsonld")
    assert [p.path for p in parsed.problems] == [RG + "isExample"]
    template = read((DOCS / "submission-template.csv").read_bytes())
    example = Graph()
    for triple in parsed.graph:
        if triple[1] != rg("isExample"):
            example.add(triple)
    assert isomorphic(example, template.graph)


def test_every_ontology_term_the_loaders_write_is_declared() -> None:
    import re

    ontology = packaged.ontology_graph(iri.base_iri())
    declared = {str(s) for s in ontology.subjects()}
    sources = "".join((HERE.parent / "loaders" / f"{m}.py").read_text(encoding="utf-8")
                      for m in ("mapping", "rdf_input", "places", "terms"))
    used = set(re.findall(r'\brg\("(\w+)"\)', sources))
    used |= set(re.findall(r'iri\.ontology\("(\w+)"\)', sources))
    assert {"Territory", "addressesRight", "uclgRegion"} <= used
    assert {RG + t for t in used} <= declared
    context = (HERE.parent / "data" / "context.jsonld").read_text(encoding="utf-8")
    for term in re.findall(r'"rg:(\w+)"', context):
        assert RG + term in declared, term


def test_packaged_context_is_used_offline() -> None:
    from rightsgraph.loaders.rdf_input import packaged_context

    context = packaged_context()
    assert context["rgid"] == iri.entity("")
    terms = {k for k in context if not k.startswith("@")}
    assert {"label", "addressesRight", "targetsGroup", "implementsInstrument", "ledBy"} <= terms


def test_vocabularies_are_indexed() -> None:
    vocab = packaged.vocab_graph(iri.base_iri())
    assert len(vocab) > 0
    for scheme in ("rights", "groups", "instruments"):
        assert len(term_index(scheme).concepts) > 10
