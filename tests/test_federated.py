"""Federated questions: ``rightsgraph serve`` over an initialised store, its Wikidata endpoint
(``RIGHTSGRAPH_WIKIDATA_ENDPOINT``) pointed at the loopback Wikidata fixture, and real HTTP
requests. ``SERVICE <https://query.wikidata.org/sparql>`` in a named question or a /sparql query
is routed there; a user naming a private endpoint directly is still refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import FIXTURES, copy_store, run_cli, running_server

EXAMPLE = FIXTURES / "wikidata" / "geonames-check-example.ttl"
WIKIDATA = "https://query.wikidata.org/sparql"
RGID = "https://w3id.org/rightsgraph/id/"


@pytest.fixture(scope="session")
def federated(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory, wikidata_endpoint: str
) -> Iterator[str]:
    """The service over a copy of the initialised store plus two example territories whose
    identifiers disagree with Wikidata, routing Wikidata to the fixture server."""
    store = copy_store(initialised_store, tmp_path_factory, "federated")
    run_cli("load", EXAMPLE, store=store, check=True)
    with running_server(
        store, env={"RIGHTSGRAPH_WIKIDATA_ENDPOINT": wikidata_endpoint}, log_name="federated.log"
    ) as url:
        yield url


def rows(answer: httpx.Response) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    data = answer.json()
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def by_territory(found: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["territory"].removeprefix(RGID + "territory/"): r for r in found}


def test_facts_of_the_campaign_cities_come_from_wikidata(federated: str) -> None:
    answer = httpx.get(
        f"{federated}/api/queries/territories_wikidata_facts",
        params={"format": "json", "lang": "en"},
        timeout=60,
    )
    found = by_territory(rows(answer))
    vienna = found["at-vienna"]
    assert vienna["item"] == "http://www.wikidata.org/entity/Q1741"
    assert vienna["wikidataLabel"] == "Vienna"
    assert float(vienna["population"]) == 1973403
    assert vienna["coordinates"] == "Point(16.37208 48.20849)"
    assert vienna["website"] == "https://www.wien.gv.at/"
    barcelona = found["es-barcelona"]
    assert barcelona["coordinates"] == "Point(2.15899 41.38879)"
    assert "population" not in barcelona and "website" not in barcelona  # OPTIONAL each
    assert float(found["kr-seoul"]["population"]) == 9668465
    assert found["nl-utrecht"]["website"] == "https://www.utrecht.nl/"
    # Territories without a QID are not asked about; every one with a QID is listed once.
    assert "fr-grigny" not in found and "kr-gwangju" not in found
    assert {"es-barcelona", "mx-mexico-city", "gb-york", "ca-montreal"} <= set(found)


def test_labels_follow_the_language_asked(federated: str) -> None:
    answer = httpx.get(
        f"{federated}/api/queries/territories_wikidata_facts",
        params={"format": "json", "lang": "es"},
        timeout=60,
    )
    found = by_territory(rows(answer))
    assert found["at-vienna"]["wikidataLabel"] == "Viena"
    assert found["at-vienna"]["label"] == "Viena"
    assert found["mx-mexico-city"]["wikidataLabel"] == "Ciudad de México"
    assert found["ca-montreal"]["wikidataLabel"] == "Montreal"


def test_geonames_ids_that_disagree_with_wikidata(federated: str) -> None:
    answer = httpx.get(
        f"{federated}/api/queries/territories_wikidata_geonames_check",
        params={"format": "json"},
        timeout=60,
    )
    found = by_territory(rows(answer))
    # The seed's pairs agree with Wikidata; only the two example territories are reported.
    assert set(found) == {"example/at-vienna-check", "example/es-cordoba-check"}
    wrong = found["example/at-vienna-check"]
    assert wrong["status"] == "different"
    assert wrong["geonamesId"] == "1" and wrong["wikidataGeonamesIds"] == "2761369"
    missing = found["example/es-cordoba-check"]
    assert missing["status"] == "missing" and missing["wikidataGeonamesIds"] == ""


def test_a_sparql_query_naming_wikidata_is_routed_to_the_configured_endpoint(
    federated: str,
) -> None:
    query = f"""PREFIX wd: <http://www.wikidata.org/entity/>
    PREFIX wdt: <http://www.wikidata.org/prop/direct/>
    SELECT ?gn WHERE {{ SERVICE <{WIKIDATA}> {{ wd:Q13298 wdt:P1566 ?gn }} }}"""
    answer = httpx.post(
        f"{federated}/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert rows(answer) == [{"gn": "2778067"}]


def test_the_operators_endpoint_may_be_named_directly(
    federated: str, wikidata_endpoint: str
) -> None:
    """The operator configured it: naming it gives nothing that the Wikidata IRI does not."""
    query = f"""SELECT ?gn WHERE {{ SERVICE <{wikidata_endpoint}> {{
        <http://www.wikidata.org/entity/Q42462> <http://www.wikidata.org/prop/direct/P1566> ?gn
    }} }}"""
    answer = httpx.get(f"{federated}/sparql", params={"query": query}, timeout=30)
    assert rows(answer) == [{"gn": "2633352"}]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:1/sparql",
        "http://localhost:8000/sparql",
        "http://[::1]/sparql",
        "http://10.0.0.1/sparql",
    ],
)
def test_a_private_endpoint_named_by_the_user_is_refused(federated: str, endpoint: str) -> None:
    """Refused before anything is sent (403 problem+json)."""
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    answer = httpx.get(f"{federated}/sparql", params={"query": query}, timeout=30)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("service-not-allowed")


def test_without_wikidata_the_questions_still_answer(server: tuple[str, Path]) -> None:
    """The session's general server routes Wikidata to a port nobody serves (conftest): the facts
    are empty, and the check says it could not check."""
    url, _ = server
    facts = by_territory(
        rows(httpx.get(f"{url}/api/queries/territories_wikidata_facts?format=json", timeout=60))
    )
    assert facts["at-vienna"]["item"] == "http://www.wikidata.org/entity/Q1741"
    assert "population" not in facts["at-vienna"] and "coordinates" not in facts["at-vienna"]
    check = rows(
        httpx.get(f"{url}/api/queries/territories_wikidata_geonames_check?format=json", timeout=60)
    )
    assert check and {r["status"] for r in check} == {"unchecked"}


def test_the_command_line_routes_like_the_service(store_copy: Path, wikidata_endpoint: str) -> None:
    proc = run_cli(
        "query",
        "--name",
        "territories_wikidata_facts",
        "--param",
        "lang=fr",
        "--format",
        "json",
        store=store_copy,
        env={"RIGHTSGRAPH_WIKIDATA_ENDPOINT": wikidata_endpoint},
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    found = {
        b["territory"]["value"].removeprefix(RGID + "territory/"): b
        for b in data["results"]["bindings"]
    }
    assert found["at-vienna"]["wikidataLabel"]["value"] == "Vienne"
    assert float(found["mx-mexico-city"]["population"]["value"]) == 9209944
    bad = run_cli(
        "query",
        "--name",
        "territories_wikidata_facts",
        store=store_copy,
        env={"RIGHTSGRAPH_WIKIDATA_ENDPOINT": "not a url"},
    )
    assert bad.returncode == 2 and "RIGHTSGRAPH_WIKIDATA_ENDPOINT" in bad.stderr


def test_service_blocks_ask_wikidata_about_our_items_only(initialised_store: Path) -> None:
    """pyoxigraph sends a SERVICE block as written: without the catalogue's VALUES, a block such
    as ``{ ?item wdt:P1082 ?population }`` would ask the public Wikidata for every population."""
    import re

    from rightsgraph.queries import catalog
    from rightsgraph.store import open_store

    store = open_store(initialised_store, read_only=True)
    try:
        for name in ("territories_wikidata_facts", "territories_wikidata_geonames_check"):
            question = catalog.get(name)
            text = catalog.bind_services(store, question)
            blocks = re.findall(
                r"SERVICE\s+SILENT\s+<https://query\.wikidata\.org/sparql>\s*\{\s*VALUES \?item "
                r"\{([^}]*)\}",
                text,
            )
            assert len(blocks) == question.text.count("SERVICE SILENT"), name
            for block in blocks:
                items = set(re.findall(r"<http://www\.wikidata\.org/entity/(Q\d+)>", block))
                # the seed's QIDs (DOMAIN.md [V]) and nothing else
                assert {"Q1492", "Q1741", "Q1489", "Q803"} <= items
                assert "Q5818" not in items
    finally:
        store.close()


@pytest.mark.parametrize(
    "header",
    [
        "#+ service_values: item",
        "#+ service_values:\n#+   variable: 'bad name'\n#+   query: SELECT ?item WHERE {}",
        "#+ service_values:\n#+   variable: item\n#+   query: SELECT ?item WHERE {",
        "#+ service_values:\n#+   variable: item\n#+   query: ASK {}",
    ],
)
def test_a_bad_service_values_header_is_refused(header: str) -> None:
    from rightsgraph.queries import catalog

    text = (
        "#+ summary: test\n" + header + "\nSELECT ?item ?p WHERE { SERVICE SILENT "
        "<https://query.wikidata.org/sparql> { ?item ?p ?o } }\n"
    )
    with pytest.raises(catalog.QueryHeaderError):
        catalog.parse_query("test", text)
