"""ISO 3166-2 subdivisions as territories, the GeoNames admin1 table, and UN M49."""

from __future__ import annotations

import csv
import io
import tomllib
from importlib import resources
from pathlib import Path

import pycountry
import pytest
from rdflib import Literal, URIRef

from rightsgraph import iri, packaged
from rightsgraph.errors import InputError
from rightsgraph.loaders.registries import build_admin1, iso
from rightsgraph.loaders.registries.model import Query
from rightsgraph.loaders.registries.names import split_designation
from rightsgraph.resources import read_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def table() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read_text("data", iso.ADMIN1_TABLE))))


def _row(table: list[dict[str, str]], country: str, code: str) -> dict[str, str]:
    return next(r for r in table if r["country"] == country and r["admin1_code"] == code)


# -- the GeoNames admin1 -> ISO 3166-2 table -----------------------------------------------------


def test_table_is_packaged_and_declared(table: list[dict[str, str]]) -> None:
    node = resources.files("rightsgraph.data") / "registries" / "geonames-admin1.csv"
    assert node.is_file()
    assert list(table[0]) == list(build_admin1.HEADER)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["rightsgraph.data"]
    assert "registries/*.csv" in globs


@pytest.mark.parametrize(
    ("country", "code", "name", "expected"),
    [
        ("ES", "56", "Catalonia", "ES-CT"),
        ("ES", "60", "Valencia", "ES-VC"),
        ("ES", "51", "Andalusia", "ES-AN"),
        ("FR", "11", "Île-de-France", "FR-IDF"),
        ("FR", "84", "Auvergne-Rhône-Alpes", "FR-ARA"),
        ("FR", "24", "Centre", "FR-CVL"),
        ("KR", "18", "Gwangju", "KR-29"),
        ("KR", "13", "Gyeonggi-do", "KR-41"),
        ("KR", "11", "Seoul", "KR-11"),
        ("AT", "09", "Vienna", "AT-9"),
        ("MX", "09", "Mexico City", "MX-CMX"),
        ("AR", "05", "Cordoba", "AR-X"),
        ("AR", "01", "Buenos Aires", "AR-B"),
        ("AR", "07", "Buenos Aires F.D.", "AR-C"),
        ("CR", "08", "San José", "CR-SJ"),
        ("VE", "07", "Carabobo", "VE-G"),
        ("US", "WA", "Washington", "US-WA"),
    ],
)
def test_well_known_rows(
    table: list[dict[str, str]], country: str, code: str, name: str, expected: str
) -> None:
    row = _row(table, country, code)
    assert (row["admin1_name"], row["iso3166_2"]) == (name, expected)


def test_every_mapping_is_a_top_level_subdivision_of_its_country(
    table: list[dict[str, str]],
) -> None:
    methods = {"name", "local-name", "designation", "fuzzy", "manual", "unmapped", "no-name",
               "no-code", "collision"}
    for row in table:
        assert row["method"] in methods, row
        if not row["iso3166_2"]:
            assert row["method"] in {"unmapped", "no-name", "no-code", "collision"}, row
            continue
        sub = pycountry.subdivisions.get(code=row["iso3166_2"])
        assert sub is not None and sub.country_code == row["country"], row
        assert sub.parent_code is None, row


def test_two_different_admin1_names_never_share_a_subdivision(
    table: list[dict[str, str]],
) -> None:
    seen: dict[tuple[str, str], set[str]] = {}
    for row in table:
        if row["iso3166_2"]:
            seen.setdefault((row["country"], row["iso3166_2"]), set()).add(row["admin1_name"])
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_ambiguous_admin1_names_stay_unmapped(table: list[dict[str, str]]) -> None:
    # "Zagreb" is the French ISO name of Zagreb County and the name of the City of Zagreb.
    assert _row(table, "HR", "21")["iso3166_2"] == ""
    # GeoNames code 13 of Ukraine, "Kiev", is the oblast; the city is code 12: both unmapped.
    assert _row(table, "UA", "13")["iso3166_2"] == ""


@pytest.mark.parametrize("country", ["FR", "ES", "KR", "AR", "CR", "VE", "MX", "AT", "US"])
def test_coverage_of_the_homonym_countries_is_complete(
    table: list[dict[str, str]], country: str
) -> None:
    rows = [r for r in table if r["country"] == country]
    assert rows and all(r["iso3166_2"] for r in rows)


def test_coverage_overall(table: list[dict[str, str]]) -> None:
    report = build_admin1.coverage([build_admin1.Row(**r) for r in table])
    assert report["share"] > 0.74


def test_matching_rules_without_reference_points() -> None:
    forms = build_admin1.iso_forms("ES", {})
    assert build_admin1.match_admin1("ES", "29", "Madrid", forms, []) == ("ES-MD", "name")
    # A spelling needs its position confirmed; without reference points it is refused.
    assert build_admin1.match_admin1("ES", "54", "Castille-La Mancha", forms, []) == (
        "", "unmapped")
    korean = build_admin1.iso_forms("KR", {})
    assert build_admin1.match_admin1("KR", "01", "Jeju-do", korean, []) == ("KR-49",
                                                                              "designation")


def test_collisions_unmap_the_weaker_rows() -> None:
    rows = [
        build_admin1.Row("PE", "15", "Lima region", "PE-LIM", "designation"),
        build_admin1.Row("PE", "LMA", "Lima Province", "PE-LIM", "designation"),
        build_admin1.Row("XX", "01", "A", "XX-A", "name"),
        build_admin1.Row("XX", "02", "A prime", "XX-A", "fuzzy"),
        build_admin1.Row("YY", "01", "Same", "YY-S", "name"),
        build_admin1.Row("YY", "02", "Same", "YY-S", "name"),
    ]
    out = build_admin1._resolve_collisions(rows)
    assert [r.iso3166_2 for r in out] == ["", "", "XX-A", "", "YY-S", "YY-S"]
    assert out[0].method == "collision"


def test_render_is_deterministic() -> None:
    rows = [build_admin1.Row("FR", "11", "Île-de-France", "FR-IDF", "name")]
    text = build_admin1.render(rows)
    assert text == build_admin1.render(rows)
    assert text.splitlines() == [",".join(build_admin1.HEADER), "FR,11,Île-de-France,FR-IDF,name"]


# -- subdivisions --------------------------------------------------------------------------------


def test_chain_and_compatibility() -> None:
    assert iso.chain("FR-91") == ("FR-91", "FR-IDF")
    assert iso.chain("ES-CT") == ("ES-CT",)
    assert iso.compatible("FR-91", "FR-IDF") and iso.compatible("FR-IDF", "FR-91")
    assert not iso.compatible("FR-69", "FR-IDF")
    assert not iso.compatible("FR-91", "FR-ARA")


def test_implied_subdivisions() -> None:
    assert iso.implied_subdivisions("KR", split_designation("Gwangju Metropolitan City")) == {
        "KR-29"}
    assert iso.implied_subdivisions("KR", split_designation("Seoul Special City")) == {"KR-11"}
    assert iso.implied_subdivisions("KR", split_designation("Gwangju-si")) == set()
    assert iso.implied_subdivisions("KR", split_designation("Gwangju")) == set()


@pytest.mark.parametrize(
    ("name", "country", "sub", "expected"),
    [
        ("Île-de-France", "FR", None, "FR-IDF"),
        ("ile de france", "FR", None, "FR-IDF"),
        ("Région Bretagne", "FR", None, "FR-BRE"),
        ("Brittany", "FR", None, "FR-BRE"),
        ("Essonne", "FR", None, "FR-91"),
        ("Catalonia", "ES", None, "ES-CT"),
        ("Cataluña", "ES", None, "ES-CT"),
        ("Catalunya", "ES", None, "ES-CT"),
        ("Comunidad de Madrid", "ES", None, "ES-MD"),
        ("Provincia de Madrid", "ES", None, "ES-M"),
        ("Andalousie", "ES", None, "ES-AN"),
        ("Gwangju Metropolitan City", "KR", None, "KR-29"),
        ("Gwangju-gwangyeoksi", "KR", None, "KR-29"),
        ("Seoul Special City", "KR", None, "KR-11"),
        ("Jeju-do", "KR", None, "KR-49"),
        ("Provincia de Córdoba", "AR", None, "AR-X"),
        ("Wien", "AT", None, "AT-9"),
        ("Vienna", "AT", None, "AT-9"),
        ("Ciudad de México", "MX", None, "MX-CMX"),
        ("Córdoba", "ES", "ES-AN", "ES-CO"),
    ],
)
def test_subdivision_names(name: str, country: str, sub: str | None, expected: str) -> None:
    result = iso.match(Query(name, country, sub))
    assert result.verdict == "match", result.reason
    best = result.best
    assert best is not None and best.iso3166_2 == expected
    assert best.source == "iso3166" and best.country == country
    assert best.geonames_id is None  # a populated place is not its region


def test_levels_are_reported() -> None:
    best = iso.match(Query("Essonne", "FR")).best
    assert best is not None and best.feature == "second-level subdivision"
    best = iso.match(Query("Île-de-France", "FR")).best
    assert best is not None and best.feature == "first-level subdivision"


def test_a_community_and_a_province_of_one_name_are_ambiguous() -> None:
    result = iso.match(Query("Madrid", "ES"))
    assert result.verdict == "ambiguous"
    assert {c.iso3166_2 for c in result.candidates} == {"ES-M", "ES-MD"}


def test_subdivision_filter_and_negatives() -> None:
    assert iso.match(Query("Córdoba", "AR", "AR-B")).verdict == "none"
    assert iso.match(Query("Atlantis", "ES")).verdict == "none"
    assert iso.match(Query("Catalonia", "FR")).verdict == "none"


@pytest.mark.parametrize("bad", ["", "x" * 10_000, "Cata\x00lonia", "Île-\nde-France"])
def test_hostile_names(bad: str) -> None:
    with pytest.raises(InputError):
        iso.match(Query(bad, "FR"))


def test_country_and_subdivision_checks() -> None:
    assert iso.check_country("es") == "ES"
    assert iso.check_country("Espagne") == "ES"
    assert iso.check_country("XK") == "XK"
    assert iso.check_subdivision("FR", None) is None
    assert iso.check_subdivision("FR", "91") == "FR-91"
    for country, sub in (("FR", "ES-CT"), ("FR", "FR-999"), ("FR", "Atlantide")):
        with pytest.raises(InputError):
            iso.check_subdivision(country, sub)
    for bad in ("", "ZZ", "Narnia", "F\x00R"):
        with pytest.raises(InputError):
            iso.check_country(bad)


# -- UN M49 --------------------------------------------------------------------------------------


def test_m49() -> None:
    assert iso.m49_for("AT") == ("040", "Europe", "Western Europe")
    code, region, subregion = iso.m49_for("KR") or ("", None, None)
    assert (code, region, subregion) == ("410", "Asia", "Eastern Asia")
    assert iso.m49_for("AQ") == ("010", None, None)
    assert iso.m49_for("TW") is None  # M49 has no code for it
    assert iso.m49_for("Mexique") == ("484", "Americas", "Latin America and the Caribbean")
    with pytest.raises(InputError):
        iso.m49_for("Narnia")


def test_m49_agrees_with_the_country_scheme() -> None:
    vocab = packaged.vocab_graph(iri.base_iri())
    prefix = iri.vocab("countries/")
    code_of = URIRef(iri.ontology("m49Code"))
    checked = 0
    for subject, code in vocab.subject_objects(code_of):
        alpha2 = str(subject)[len(prefix):]
        found = iso.m49_for(alpha2)
        assert found is not None and isinstance(code, Literal) and found.code == str(code), alpha2
        checked += 1
    assert checked > 240
