"""The W3C Entity Reconciliation Service API 0.2 at /api/reconcile, over a real socket.

Every protocol answer (manifest, reconciliation results, suggest, property proposals, data
extension) is validated against the protocol's own JSON schemas
(``../shared/w3c/reconciliation-0.2``, ``$ref`` resolved between the files through a
``referencing`` registry); the requests the tests send as valid are validated too. Without the
schemas the schema checks skip (and fail under ``CI=true``).

The session ``server`` answers the multilingual, typed and property-filtered queries; a second
server with an admin token, over its own copy of the store, receives fictional homonyms and
hostile labels through the Graph Store Protocol while it runs (so the index is rebuilt because
the store's revision changed). The scripted client ``scripts/reconcile_csv.py`` reconciles
``tests/fixtures/reconcile/names.csv`` against the session server in a subprocess.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from conftest import copy_store, free_port, running_server
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.reconcile import MAX_BATCH, Reconciler, fold
from rightsgraph.service.settings import Settings
from rightsgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT.parent / "shared" / "w3c" / "reconciliation-0.2"
FIXTURES = Path(__file__).parent / "fixtures" / "reconcile"
CLIENT = ROOT / "scripts" / "reconcile_csv.py"

BASE = "https://w3id.org/rightsgraph/"
RG = BASE + "ontology#"
TERRITORY = BASE + "id/territory/"
BARCELONA = TERRITORY + "es-barcelona"
VIENNA = TERRITORY + "at-vienna"
MEXICO_CITY = TERRITORY + "mx-mexico-city"
GRIGNY = TERRITORY + "fr-grigny"
HOUSING = BASE + "vocab/rights/housing"
HOMELESS = BASE + "vocab/groups/homeless-persons"
GRAZ_REPORT = BASE + "id/initiative/at-graz/annual-human-rights-report"
ES_FUENMIRADA = TERRITORY + "example/es-fuenmirada"
AR_FUENMIRADA = TERRITORY + "example/ar-fuenmirada"
HOSTILE = TERRITORY + "example/es-etiqueta-hostil"
ADMIN_TOKEN = "reconcile-test-admin-token"
#: The endpoint's path on a server.
E = "/api/reconcile"
PROBLEM = "application/problem+json"


# -- the protocol's schemas ------------------------------------------------------------------------
def require(path: Path) -> None:
    """Skip when the schemas are absent, except in CI (``CI=true``), where that fails."""
    if path.exists():
        return
    reason = f"the reconciliation schemas are not at {path} (expected ../shared/w3c)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def schemas() -> dict[str, Draft7Validator]:
    """A validator per schema file (by file stem); ``$ref`` between the files (``type.json``,
    the Swagger 2.0 schema of ``openapi.json``) resolve through one registry by ``$id``."""
    require(SCHEMAS)
    contents = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(SCHEMAS.glob("*.json"))}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"].rstrip("#"), DRAFT7.create_resource(schema))
        for schema in contents.values()
        if "$id" in schema
    )
    return {name: Draft7Validator(schema, registry=registry) for name, schema in contents.items()}


def valid(schemas: dict[str, Draft7Validator], name: str, body: Any) -> Any:
    """``body``, after checking it against the protocol's schema ``name``."""
    errors = sorted(schemas[name].iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
    )
    return body


# -- clients ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=30) as client:
        yield client


def reconcile(
    api: httpx.Client,
    schemas: dict[str, Draft7Validator],
    batch: dict[str, Any],
    *,
    lang: str = "en",
    method: str = "POST",
) -> dict[str, Any]:
    """Send a (valid) query batch as OpenRefine does and return the checked result batch."""
    valid(schemas, "reconciliation-query-batch", batch)
    payload = json.dumps(batch, ensure_ascii=False)
    if method == "POST":
        response = api.post(E, data={"queries": payload}, headers={"Accept-Language": lang})
    else:
        response = api.get(E, params={"queries": payload, "lang": lang})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = valid(schemas, "reconciliation-result-batch", response.json())
    assert set(body) == set(batch)
    return body


def one(
    api: httpx.Client, schemas: dict[str, Draft7Validator], query: dict[str, Any], **kw: Any
) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = reconcile(api, schemas, {"q0": query}, **kw)["q0"]["result"]
    return result


def ids(result: list[dict[str, Any]]) -> list[str]:
    return [c["id"] for c in result]


def is_problem(response: httpx.Response, status: int, type_: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if type_ is not None:
        assert body["type"].endswith("/" + type_), body
    return body


def query_count(url: str) -> float:
    """SPARQL queries the server has run so far (its Prometheus counter, every outcome)."""
    text = httpx.get(url + "/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("rightsgraph_queries_total{")
    )


# -- the manifest ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "params", "name"),
    [
        ({}, {}, "RightsGraph: human-rights cities and territories"),
        ({"Accept-Language": "fr-FR,fr;q=0.9"}, {}, "RightsGraph : villes et territoires"),
        ({}, {"lang": "es"}, "RightsGraph: ciudades y territorios"),
        ({"Accept-Language": "de"}, {"_": "1700000000"}, "RightsGraph: human-rights"),
    ],
)
def test_manifest_in_the_request_language(
    api: httpx.Client,
    schemas: dict[str, Draft7Validator],
    headers: dict[str, str],
    params: dict[str, str],
    name: str,
) -> None:
    response = api.get(E, headers=headers, params=params)
    assert response.status_code == 200
    manifest = valid(schemas, "manifest", response.json())
    assert manifest["versions"] == ["0.2"]
    assert manifest["name"].startswith(name)
    assert manifest["identifierSpace"] == BASE
    assert manifest["schemaSpace"] == RG
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        RG + "Territory",
        RG + "Initiative",
        RG + "RightsCategory",
        RG + "RightsHolderGroup",
    }
    assert manifest["batchSize"] == MAX_BATCH
    endpoint = str(api.base_url).rstrip("/") + E
    assert manifest["view"]["url"] == endpoint + "/view?id={{id}}"
    assert manifest["preview"]["url"].startswith(endpoint + "/preview?id={{id}}")
    assert manifest["preview"]["width"] > 0 and manifest["preview"]["height"] > 0
    for kind in ("entity", "property", "type"):
        service = manifest["suggest"][kind]
        assert service["service_url"] + service["service_path"] == f"{endpoint}/suggest/{kind}"
    propose = manifest["extend"]["propose_properties"]
    assert propose["service_url"] + propose["service_path"] == endpoint + "/extend/propose"
    assert manifest["extend"]["property_settings"][0]["name"] == "limit"


def test_every_endpoint_allows_cross_origin_calls(api: httpx.Client) -> None:
    """CORS is mandatory in 0.2; OpenRefine calls from its own origin."""
    origin = {"Origin": "http://127.0.0.1:3333"}
    assert api.get(E, headers=origin).headers["access-control-allow-origin"] == "*"
    posted = api.post(E, data={"queries": '{"q":{"query":"Graz"}}'}, headers=origin)
    assert posted.headers["access-control-allow-origin"] == "*"
    preflight = api.options(
        E,
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    suggest = api.get(E + "/suggest/entity", params={"prefix": "gr"}, headers=origin)
    assert suggest.headers["access-control-allow-origin"] == "*"


def test_the_endpoint_also_answers_with_a_trailing_slash(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    """A URL pasted with a trailing slash works without a redirect (a POST is not re-sent by
    every client after a redirect)."""
    valid(schemas, "manifest", api.get(E + "/").json())
    posted = api.post(E + "/", data={"queries": '{"q": {"query": "Graz"}}'})
    assert posted.status_code == 200
    valid(schemas, "reconciliation-result-batch", posted.json())


def test_jsonp_is_refused_with_a_reason(api: httpx.Client) -> None:
    body = is_problem(api.get(E, params={"callback": "cb"}), 400, "jsonp-not-supported")
    assert "CORS" in body["detail"]


# -- reconciliation: names in any language ---------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected", "name_en"),
    [
        ("Barcelone", BARCELONA, "Barcelona"),  # French label
        ("Viena", VIENNA, "Vienna"),  # Spanish label
        ("WIEN", VIENNA, "Vienna"),  # German label, upper case
        ("Ciudad de México", MEXICO_CITY, "Mexico City"),
        ("ciudad de mexico", MEXICO_CITY, "Mexico City"),  # no accent, lower case
        ("Séoul", TERRITORY + "kr-seoul", "Seoul"),
        ("광주광역시", TERRITORY + "kr-gwangju", "Gwangju"),  # Korean label
        ("Droit au logement et au domicile", HOUSING, "Right to housing and domicile"),
        ("Personas sin hogar", HOMELESS, "Homeless persons"),  # Spanish label of a group
        ("GCA-X", HOUSING, "Right to housing and domicile"),  # a category's second code
        ("Q1741", VIENNA, "Vienna"),  # a Wikidata QID
        (BARCELONA, BARCELONA, "Barcelona"),  # the entity's own IRI
    ],
)
def test_names_in_any_language_find_their_entity(
    api: httpx.Client, schemas: dict[str, Draft7Validator], query: str, expected: str, name_en: str
) -> None:
    result = one(api, schemas, {"query": query})
    assert result[0]["id"] == expected
    assert result[0]["score"] == 100
    assert result[0]["match"] is True
    assert result[0]["name"] == name_en  # the name in the request language (English)
    assert all(c["match"] is False for c in result[1:])


def test_names_and_types_come_in_the_request_language(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    for lang, name, type_name, country in (
        ("fr", "Vienne", "Territoire", "Autriche"),
        ("es", "Viena", "Territorio", "Austria"),
    ):
        for method in ("POST", "GET"):
            best = one(api, schemas, {"query": "Vienna"}, lang=lang, method=method)[0]
            assert best["name"] == name
            assert best["type"] == [{"id": RG + "Territory", "name": type_name}]
            assert country in best["description"]


def test_a_batch_is_answered_query_by_query(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    batch = {
        "q0": {"query": "Barcelone"},
        "q1": {"query": "Personas sin hogar", "type": RG + "RightsHolderGroup"},
        "q2": {"query": "Atlantis", "type": RG + "Territory"},
        "a very long id, with spaces and ünicode": {"query": "Graz", "limit": 1},
    }
    body = reconcile(api, schemas, batch)
    assert body["q0"]["result"][0]["id"] == BARCELONA
    assert body["q1"]["result"][0]["id"] == HOMELESS
    assert body["q2"]["result"] == []
    assert ids(body["a very long id, with spaces and ünicode"]["result"]) == [TERRITORY + "at-graz"]


def test_an_initiative_by_its_french_title(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    result = one(
        api,
        schemas,
        {"query": "Rapport annuel de Graz sur les droits de l'homme", "type": "Initiative"},
        lang="fr",
    )
    assert result[0]["id"] == GRAZ_REPORT and result[0]["match"] is True
    assert result[0]["description"].startswith("Graz · Autriche")


def test_a_near_miss_is_a_candidate_but_a_weak_one_no_match(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    typo = one(api, schemas, {"query": "Barcelonna", "type": "Territory"})
    assert typo[0]["id"] == BARCELONA and 90 <= typo[0]["score"] < 100
    weak = one(api, schemas, {"query": "Barcelona Spain", "type": "Territory"})
    assert weak[0]["id"] == BARCELONA and weak[0]["score"] < 90 and weak[0]["match"] is False
    features = {f["id"]: f["value"] for f in weak[0]["features"]}
    assert features["name_similarity"] == weak[0]["score"]


def test_near_namesakes_among_the_example_territories(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    """The example data has no two territories with the same name (checked here), but it has
    near namesakes: Salil (AE) and Salid (PS). The exact one matches, the other stays a
    candidate; both say they are example data."""
    result = one(api, schemas, {"query": "Salil", "type": "Territory"})
    assert ids(result)[:2] == [TERRITORY + "example/ae-salil", TERRITORY + "example/ps-salid"]
    assert [c["match"] for c in result[:2]] == [True, False]
    assert all("example data" in c["description"] for c in result[:2])
    names: list[str] = []
    cursor = 0
    while True:
        page = api.get(
            E + "/suggest/entity", params={"prefix": "", "type": "Territory", "cursor": cursor}
        ).json()["result"]
        if not page:
            break
        names += [fold(item["name"]) for item in page]
        cursor += len(page)
    assert len(names) == len(set(names)) >= 80


# -- reconciliation: types and properties ----------------------------------------------------------
def test_types_filter_the_candidates(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    anything = one(api, schemas, {"query": "Barcelona city"})
    kinds = {c["type"][0]["id"] for c in anything}
    assert {RG + "Territory", RG + "Initiative"} <= kinds
    for spelling in (RG + "Initiative", "rg:Initiative", "initiative", [RG + "Initiative"]):
        only = one(api, schemas, {"query": "Barcelona city", "type": spelling})
        assert only and all(c["type"][0]["id"] == RG + "Initiative" for c in only)
        assert BARCELONA not in ids(only)
    both = one(
        api,
        schemas,
        {
            "query": "Barcelona city",
            "type": [RG + "Territory", RG + "Initiative"],
            "type_strict": "any",
        },
    )
    assert {c["type"][0]["id"] for c in both} == {RG + "Territory", RG + "Initiative"}


@pytest.mark.parametrize(
    "country",
    ["ES", "es", "ESP", "Spain", "Espagne", "España", {"id": BASE + "vocab/countries/ES"}],
)
def test_country_as_code_name_or_entity(
    api: httpx.Client, schemas: dict[str, Draft7Validator], country: Any
) -> None:
    result = one(
        api,
        schemas,
        {
            "query": "Barcelona",
            "type": "Territory",
            "properties": [{"pid": "country", "v": country}],
        },
    )
    assert ids(result) == [BARCELONA] and result[0]["match"] is True
    assert {"id": "property_country", "value": True} in result[0]["features"]


def test_properties_filter_and_decide(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    def territory(*properties: tuple[str, Any], query: str | None = "Barcelona") -> list[Any]:
        q: dict[str, Any] = {"type": RG + "Territory"}
        if query is not None:
            q["query"] = query
        if properties:
            q["properties"] = [{"pid": p, "v": v} for p, v in properties]
        return one(api, schemas, q)

    assert territory(("country", "FR")) == []  # a known, different value drops the candidate
    assert ids(territory(("country", ["FR", "ES"]))) == [BARCELONA]  # any of several values
    assert ids(territory(("subdivision", "es-b"))) == [BARCELONA]
    assert territory(("subdivision", "ES-CT")) == []
    assert ids(territory(("uclg_region", "Europa"))) == [BARCELONA]
    assert ids(territory(("uclg_region", BASE + "vocab/uclg-regions/europe"))) == [BARCELONA]
    assert territory(("uclg_region", "africa")) == []
    assert ids(territory(("m49_region", "europe"))) == [BARCELONA]
    assert ids(territory(("geonames", 3128760))) == [BARCELONA]
    assert ids(territory(("wikidata", "http://www.wikidata.org/entity/Q1492"))) == [BARCELONA]
    # Properties alone: the entities whose known values match all of them.
    by_qid = territory(("wikidata", "Q1741"), query=None)
    assert ids(by_qid) == [VIENNA] and by_qid[0]["score"] == 100 and by_qid[0]["match"] is True
    in_austria = territory(("country", "AT"), query=None)
    assert {VIENNA, TERRITORY + "at-graz"} <= set(ids(in_austria))
    assert not any(c["match"] for c in in_austria)
    # An unknown value keeps the candidate, 10 points lower, and it is never a match.
    grigny = territory(("wikidata", "Q42"), query="Grigny")
    assert ids(grigny)[:1] == [GRIGNY] and grigny[0]["score"] == 90 and grigny[0]["match"] is False
    assert {"id": "property_wikidata", "value": False} in grigny[0]["features"]


def test_initiatives_by_category_group_and_leader(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    def initiatives(*properties: tuple[str, Any]) -> list[Any]:
        return one(
            api,
            schemas,
            {
                "type": RG + "Initiative",
                "limit": 100,
                "properties": [{"pid": p, "v": v} for p, v in properties],
            },
        )

    housing = initiatives(("category", "housing"), ("country", "ES"))
    assert housing
    for spelling in ("Droit au logement", HOUSING, "GCA-X", {"id": HOUSING, "name": "Housing"}):
        assert ids(initiatives(("category", spelling), ("country", "ES"))) == ids(housing)
    family = initiatives(("category", "economic-social"), ("country", "ES"))  # housing's broader
    assert set(ids(housing)) <= set(ids(family))
    graz = initiatives(("led_by", "Graz"), ("group", "Todos los habitantes"))
    assert GRAZ_REPORT in ids(graz)
    assert ids(initiatives(("led_by", TERRITORY + "at-graz"))) == ids(
        initiatives(("led_by", "Graz"))
    )


# -- suggest ---------------------------------------------------------------------------------------
def test_suggest_entities_by_prefix(api: httpx.Client, schemas: dict[str, Draft7Validator]) -> None:
    def suggest(**params: Any) -> list[dict[str, Any]]:
        response = api.get(E + "/suggest/entity", params=params)
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = valid(schemas, "suggest-entities-response", response.json())[
            "result"
        ]
        return result

    assert suggest(prefix="barc")[0]["id"] == BARCELONA
    assert suggest(prefix="vien", lang="fr")[0]["name"] == "Vienne"
    assert MEXICO_CITY in ids(suggest(prefix="mexico", type="Territory"))  # a word of the name
    assert suggest(prefix=VIENNA)[0]["id"] == VIENNA  # the id itself
    housing = suggest(prefix="logement", type=RG + "RightsCategory")
    assert housing[0]["id"] == HOUSING
    assert housing[0]["notable"] == [{"id": RG + "RightsCategory", "name": "Rights Category"}]
    first, second = suggest(prefix="", limit=5), suggest(prefix="", limit=5, cursor=5)
    assert len(first) == len(second) == 5 and not set(ids(first)) & set(ids(second))
    assert suggest(prefix="zzzzqqq") == []


def test_suggest_properties_and_types(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    props = api.get(E + "/suggest/property", params={"prefix": "pa", "lang": "fr"})
    found = valid(schemas, "suggest-properties-response", props.json())["result"]
    assert {"country"} <= {p["id"] for p in found}  # "pays"
    for_initiatives = api.get(E + "/suggest/property", params={"prefix": "", "type": "Initiative"})
    listed = {
        p["id"]
        for p in valid(schemas, "suggest-properties-response", for_initiatives.json())["result"]
    }
    assert {"category", "group", "led_by", "country"} <= listed and "wikidata" not in listed
    types = api.get(E + "/suggest/type", params={"prefix": "terr"})
    assert [t["id"] for t in valid(schemas, "suggest-types-response", types.json())["result"]] == [
        RG + "Territory"
    ]
    groupe = api.get(E + "/suggest/type", params={"prefix": "groupe", "lang": "fr"})
    assert valid(schemas, "suggest-types-response", groupe.json())["result"][0]["name"] == (
        "Groupe de titulaires de droits"
    )


# -- preview and view ------------------------------------------------------------------------------
def test_preview_is_a_small_card_in_the_language_asked(api: httpx.Client) -> None:
    response = api.get(E + "/preview", params={"id": BARCELONA, "lang": "fr"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    card = response.text
    assert "<h1>Barcelone</h1>" in card and "Territoire" in card and "Espagne (ES)" in card
    assert 'href="https://www.wikidata.org/wiki/Q1492"' in card
    assert 'href="https://www.geonames.org/3128760"' in card
    assert "<script" not in card
    initiative = api.get(E + "/preview", params={"id": GRAZ_REPORT, "lang": "es"}).text
    assert "Informe anual de derechos humanos de Graz" in initiative and "Graz" in initiative
    is_problem(api.get(E + "/preview", params={"id": BASE + "id/territory/xx-nowhere"}), 404)
    is_problem(api.get(E + "/preview"), 400)


def test_view_redirects_to_the_linked_data_page(api: httpx.Client) -> None:
    response = api.get(E + "/view", params={"id": BARCELONA})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/id/territory/es-barcelona")
    page = httpx.get(response.headers["location"], headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "Barcelona" in page.text
    is_problem(api.get(E + "/view", params={"id": "https://example.org/x"}), 404)


# -- data extension --------------------------------------------------------------------------------
def test_propose_properties_per_type(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    for type_id, expected in (
        (RG + "Territory", {"wikidata", "geonames", "subdivision", "country", "m49_region"}),
        (RG + "Initiative", {"category", "group", "led_by", "country"}),
        (RG + "RightsCategory", {"notation", "broader"}),
    ):
        response = api.get(E + "/extend/propose", params={"type": type_id})
        body = valid(schemas, "data-extension-property-proposal", response.json())
        assert body["type"] == type_id and expected <= {p["id"] for p in body["properties"]}
    limited = api.get(E + "/extend/propose", params={"type": "Territory", "limit": 2}).json()
    assert len(limited["properties"]) == 2 and limited["limit"] == 2


def test_extend_gives_identifiers_regions_and_references(
    api: httpx.Client, schemas: dict[str, Draft7Validator], server: tuple[str, Path]
) -> None:
    properties: list[dict[str, Any]] = [
        {"id": "wikidata"},
        {"id": "geonames"},
        {"id": "subdivision"},
        {"id": "country"},
        {"id": "uclg_region"},
        {"id": "m49_region"},
        {"id": "category", "settings": {"limit": 1}},
        {"id": "group"},
        {"id": "led_by"},
        {"id": "homepage"},
    ]
    query = {
        "ids": [BARCELONA, GRAZ_REPORT, BASE + "id/territory/xx-nowhere"],
        "properties": properties,
    }
    valid(schemas, "data-extension-query", query)
    api.get(E, params={"queries": '{"warm":{"query":"Graz"}}'})  # the index is built
    before = query_count(server[0])
    response = api.post(E, data={"extend": json.dumps(query)}, headers={"Accept-Language": "es"})
    assert query_count(server[0]) - before == 1  # one SPARQL query for the whole batch
    body = valid(schemas, "data-extension-response", response.json())
    assert [m["id"] for m in body["meta"]] == [p["id"] for p in properties]
    meta = {m["id"]: m for m in body["meta"]}
    assert meta["country"]["type"] == {"id": RG + "Country", "name": "País"}
    barcelona = body["rows"][BARCELONA]
    assert barcelona["wikidata"] == [{"str": "Q1492"}]
    assert barcelona["geonames"] == [{"str": "3128760"}]
    assert barcelona["subdivision"] == [{"str": "ES-B"}]
    assert barcelona["country"] == [{"id": BASE + "vocab/countries/ES", "name": "España"}]
    assert barcelona["uclg_region"] == [
        {"id": BASE + "vocab/uclg-regions/europe", "name": "Europa"}
    ]
    assert barcelona["m49_region"] == [{"str": "Europe"}]
    assert barcelona["category"] == [] and barcelona["led_by"] == []
    report = body["rows"][GRAZ_REPORT]
    assert report["led_by"] == [{"id": TERRITORY + "at-graz", "name": "Graz"}]
    assert report["country"] == [{"id": BASE + "vocab/countries/AT", "name": "Austria"}]
    assert len(report["category"]) == 1 and report["category"][0]["id"].startswith(
        BASE + "vocab/rights/"
    )
    assert {"id": BASE + "vocab/groups/all-inhabitants", "name": "Todos los habitantes"} in report[
        "group"
    ]
    assert all(v == [] for v in body["rows"][BASE + "id/territory/xx-nowhere"].values())
    by_get = api.get(E, params={"extend": json.dumps(query), "lang": "es"})
    assert by_get.json() == body


# -- errors ----------------------------------------------------------------------------------------
BAD_QUERIES = [
    ("not json", "invalid-reconciliation-request"),
    ('[{"query": "Graz"}]', "invalid-reconciliation-request"),
    ('{"q": "Graz"}', "invalid-reconciliation-request"),
    ('{"q": {}}', "invalid-reconciliation-request"),
    ('{"q": {"query": ""}}', "invalid-reconciliation-request"),
    ('{"q": {"query": 12}}', "invalid-reconciliation-request"),
    ('{"q": {"query": "Graz", "colour": "blue"}}', "invalid-reconciliation-request"),
    ('{"q": {"query": "Graz", "limit": 0}}', "invalid-reconciliation-request"),
    ('{"q": {"query": "Graz", "limit": "3"}}', "invalid-reconciliation-request"),
    ('{"q": {"query": "Graz", "limit": NaN}}', "invalid-reconciliation-request"),
    ('{"q": {"query": "Graz", "type_strict": "maybe"}}', "invalid-reconciliation-request"),
    ('{"q": {"query": "Graz", "type": "rg:Person"}}', "unknown-type"),
    ('{"q": {"query": "Graz", "type": ["Territory", 3]}}', "invalid-reconciliation-request"),
    ('{"q": {"query": "Graz", "properties": [{"pid": "mayor", "v": "x"}]}}', "unknown-property"),
    ('{"q": {"query": "Graz", "properties": [{"pid": "homepage", "v": "x"}]}}', "unknown-property"),
    (
        '{"q": {"query": "Graz", "type": "Territory", "properties": [{"pid": "category", '
        '"v": "housing"}]}}',
        "unknown-property",
    ),
    (
        '{"q": {"query": "Graz", "properties": [{"pid": "country"}]}}',
        "invalid-reconciliation-request",
    ),
    (
        '{"q": {"query": "Graz", "properties": [{"pid": "country", "v": [["AT"]]}]}}',
        "invalid-reconciliation-request",
    ),
    ('{"q": {"query": "Graz", "properties": {"country": "AT"}}}', "invalid-reconciliation-request"),
    ("[" * 100_000 + "]" * 100_000, "invalid-reconciliation-request"),
]


@pytest.mark.parametrize(("queries", "type_"), BAD_QUERIES)
def test_bad_queries_are_400_problems(api: httpx.Client, queries: str, type_: str) -> None:
    body = is_problem(api.post(E, data={"queries": queries}), 400, type_)
    if type_ != "invalid-reconciliation-request":
        assert body["where"].startswith("q")


def test_limits_are_413_problems(api: httpx.Client) -> None:
    batch = {f"q{i}": {"query": "Graz"} for i in range(MAX_BATCH + 1)}
    is_problem(api.post(E, data={"queries": json.dumps(batch)}), 413, "too-large")
    long_text = json.dumps({"q": {"query": "x" * 501}})
    is_problem(api.post(E, data={"queries": long_text}), 413, "too-large")
    huge = json.dumps({"q": {"query": "Graz", "pad": "x" * 1_100_000}})
    is_problem(api.post(E, data={"queries": huge}), 413, "too-large")
    many_ids = json.dumps({"ids": [BARCELONA] * 501, "properties": [{"id": "wikidata"}]})
    is_problem(api.post(E, data={"extend": many_ids}), 413, "too-large")


def test_request_shape_errors(api: httpx.Client) -> None:
    is_problem(api.post(E, json={"queries": {}}), 415)
    is_problem(api.post(E, data={"lang": "fr"}), 400)
    is_problem(api.post(E, data={"queries": "{}", "extend": "{}"}), 400)
    is_problem(api.get(E, params=[("queries", "{}"), ("queries", "{}")]), 400)
    bad_extend = {"ids": [BARCELONA], "properties": [{"id": "mayor"}]}
    is_problem(api.post(E, data={"extend": json.dumps(bad_extend)}), 400, "unknown-property")
    bad_setting = {"ids": [BARCELONA], "properties": [{"id": "group", "settings": {"limit": -1}}]}
    is_problem(api.post(E, data={"extend": json.dumps(bad_setting)}), 400)
    is_problem(api.post(E, data={"extend": '{"ids": "x", "properties": []}'}), 400)
    for path, params in (
        ("/suggest/entity", {"prefix": "a", "cursor": "-1"}),
        ("/suggest/entity", {"prefix": "a", "cursor": "many"}),
        ("/suggest/property", {"prefix": "a", "limit": "0"}),
        ("/suggest/entity", {"prefix": "a", "type": "Mayor"}),
        ("/extend/propose", {"type": "Mayor"}),
        ("/extend/propose", {"type": "Territory", "limit": "none"}),
    ):
        is_problem(api.get(E + path, params=params), 400)


def test_hostile_requests_never_get_a_server_error(api: httpx.Client) -> None:
    hostile = [
        '{"q": {"query": "\\u0000\\ud800"}}',
        '{"q": {"query": "Graz", "limit": 1e309}}',
        '{"q": {"query": "Graz", "properties": [{"pid": "geonames", "v": 1e308}]}}',
        '{"q": {"query": "Graz", "properties": [{"pid": "country", "v": {"name": "AT"}}]}}',
        '{"q": {"query": "Graz", "properties": [{"pid": "led_by", "v": {"id": "<bad iri>"}}]}}',
        '{"q": {"query": "\' } ; DROP ALL ; SELECT * { ?s ?p ?o"}}',
        '{"q": {"query": "' + "ab" * 240 + '"}}',
        '{"__proto__": {"query": "Graz"}}',
    ]
    for queries in hostile:
        for response in (
            api.post(E, data={"queries": queries}),
            api.get(E, params={"queries": queries}),
        ):
            assert response.status_code < 500, response.text
    form = api.post(
        E, content=b"queries=%ff%fe", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code < 500
    multipart = api.post(
        E,
        content=b"--x\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert multipart.status_code < 500
    extend = api.post(
        E,
        data={
            "extend": json.dumps({"ids": ["<x> } ; DROP ALL"], "properties": [{"id": "wikidata"}]})
        },
    )
    assert extend.status_code == 200 and extend.json()["rows"]["<x> } ; DROP ALL"]["wikidata"] == []


def test_multipart_forms_are_read_too(
    api: httpx.Client, schemas: dict[str, Draft7Validator]
) -> None:
    response = api.post(E, files={"queries": (None, '{"q": {"query": "Graz"}}')})
    assert response.status_code == 200, response.text
    body = valid(schemas, "reconciliation-result-batch", response.json())
    assert body["q"]["result"][0]["id"] == TERRITORY + "at-graz"


# -- efficiency ------------------------------------------------------------------------------------
def test_queries_are_answered_from_the_index(api: httpx.Client, server: tuple[str, Path]) -> None:
    """Once the index of the current revision is built, a full batch runs no SPARQL query."""
    api.get(E, params={"queries": '{"warm": {"query": "Graz"}}'})
    before = query_count(server[0])
    batch = {f"q{i}": {"query": name} for i, name in enumerate(["Barcelone", "Viena"] * 25)}
    response = api.post(E, data={"queries": json.dumps(batch)})
    assert response.status_code == 200 and len(response.json()) == MAX_BATCH
    for prefix in ("gr", "vi"):
        api.get(E + "/suggest/entity", params={"prefix": prefix})
    api.get(E + "/preview", params={"id": BARCELONA})
    assert query_count(server[0]) == before


def test_the_index_is_built_once_and_again_after_a_write(store_copy: Path) -> None:
    """In process, over a real store: concurrent first requests build the index once; a write
    (a new revision) makes the next request rebuild it, and the new entity is found."""
    store = OxigraphStore(store_copy)
    try:
        engine = QueryEngine(store, Settings(store=store_copy))
        reconciler = Reconciler(engine, BASE)
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def ask() -> None:
            barrier.wait()
            try:
                reconciler.reconcile_batch({"q": {"query": "Graz"}}, "en")
            except BaseException as exc:  # collected and re-raised by the test below
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors and reconciler.builds == 1
        assert reconciler.reconcile_batch({"q": {"query": "Fuenmirada"}}, "en")["q"]["result"] == []
        store.load(FIXTURES / "homonyms.ttl", format=ox.RdfFormat.TURTLE, graph=BASE + "graph/t")
        found = reconciler.reconcile_batch({"q": {"query": "Fuenmirada"}}, "en")["q"]["result"]
        assert reconciler.builds == 2 and len(found) == 2
    finally:
        store.close()


# -- homonyms and hostile labels, written while a server runs --------------------------------------
@pytest.fixture(scope="module")
def admin_server(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A server with an admin token over its own store copy, given the fixture's fictional
    territories through the Graph Store Protocol once it runs."""
    store = copy_store(initialised_store, tmp_path_factory, "reconcile")
    with running_server(store, env={"RIGHTSGRAPH_ADMIN_TOKEN": ADMIN_TOKEN}) as url:
        yield url


def test_homonyms_are_never_matched_without_a_distinguishing_property(
    admin_server: str, schemas: dict[str, Draft7Validator]
) -> None:
    with httpx.Client(base_url=admin_server, timeout=30) as api:
        assert one(api, schemas, {"query": "Fuenmirada"}) == []  # the index of the first revision
        put = httpx.put(
            admin_server + "/graph-store/example/reconcile-test",
            content=(FIXTURES / "homonyms.ttl").read_bytes(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=30,
        )
        assert put.status_code in (201, 204), put.text
        both = one(api, schemas, {"query": "Fuenmirada", "type": "Territory"})
        assert set(ids(both)) == {ES_FUENMIRADA, AR_FUENMIRADA}
        assert [c["score"] for c in both] == [100, 100]
        assert not any(c["match"] for c in both)
        descriptions = {c["id"]: c["description"] for c in both}
        assert "Spain" in descriptions[ES_FUENMIRADA] and "Argentina" in descriptions[AR_FUENMIRADA]
        for prop, value, expected in (
            ("country", "ES", ES_FUENMIRADA),
            ("country", "Argentine", AR_FUENMIRADA),
            ("subdivision", "AR-X", AR_FUENMIRADA),
            ("uclg_region", "latin-america", AR_FUENMIRADA),
        ):
            chosen = one(
                api,
                schemas,
                {"query": "Fuenmirada", "properties": [{"pid": prop, "v": value}]},
            )
            assert ids(chosen) == [expected] and chosen[0]["match"] is True


def test_preview_escapes_hostile_labels(admin_server: str) -> None:
    with httpx.Client(base_url=admin_server, timeout=30) as api:
        # The fixture is loaded by the test above, or here when this test runs alone.
        httpx.put(
            admin_server + "/graph-store/example/reconcile-test",
            content=(FIXTURES / "homonyms.ttl").read_bytes(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=30,
        )
        for lang, shown in (
            (
                "en",
                "&lt;script&gt;alert(&#x27;en&#x27;)&lt;/script&gt; Hostile &amp; &quot;Co&quot;",
            ),
            ("fr", "&lt;img src=x onerror=alert(&#x27;fr&#x27;)&gt; Hostile"),
            ("es", "&lt;/td&gt;&lt;b&gt;Hostil&lt;/b&gt;"),
        ):
            card = api.get(E + "/preview", params={"id": HOSTILE, "lang": lang})
            assert card.status_code == 200
            assert shown in card.text
            lowered = card.text.lower()
            assert "<script" not in lowered and "<img" not in lowered and "<b>" not in lowered
            assert "javascript:" not in lowered  # the homepage is not an http(s) link
            assert "&lt;i&gt;ES-X&lt;/i&gt;" in card.text
        result = api.get(
            E, params={"queries": json.dumps({"q": {"query": "Hostil", "type": "Territory"}})}
        ).json()["q"]["result"]
        assert result and result[0]["id"] == HOSTILE  # names stay data in JSON, never markup


# -- the scripted client ---------------------------------------------------------------------------
def run_client(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CLIENT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent,
        env={**os.environ, "PYTHONUTF8": "1"},
    )


def test_the_csv_client_reconciles_like_openrefine(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "reconciled.csv"
    proc = run_client(
        FIXTURES / "names.csv",
        "--service",
        server[0] + "/api/reconcile",
        "-o",
        out,
        "--batch-size",
        "4",
    )
    assert proc.returncode == 0, proc.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with (FIXTURES / "names.csv").open(encoding="utf-8", newline="") as handle:
        expected = list(csv.DictReader(handle))
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert row["name"] == want["name"] and row["country"] == want["country"]
        assert (row["id"], row["match"]) == (want["expected_id"], want["expected_match"]), row
        if row["match"] == "true":
            assert float(row["score"]) >= 90 and row["candidate"]
    assert "11 matched" in proc.stderr


def test_the_csv_client_fails_clearly(server: tuple[str, Path], tmp_path: Path) -> None:
    bad_type = tmp_path / "bad.csv"
    bad_type.write_text("name,type\nGraz,mayor\n", encoding="utf-8")
    proc = run_client(bad_type, "--service", server[0] + "/api/reconcile")
    assert proc.returncode == 2 and "unknown type 'mayor'" in proc.stderr
    no_name = tmp_path / "no-name.csv"
    no_name.write_text("city\nGraz\n", encoding="utf-8")
    assert run_client(no_name, "--service", server[0] + "/api/reconcile").returncode == 2
    nobody = run_client(
        FIXTURES / "names.csv", "--service", f"http://127.0.0.1:{free_port()}/api/reconcile"
    )
    assert nobody.returncode == 1 and "cannot reach" in nobody.stderr
