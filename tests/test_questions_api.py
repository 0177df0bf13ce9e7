"""Named questions over HTTP (``/api/queries``), against the session's real server.

The server runs ``rightsgraph serve`` over a copy of the initialised store (tests/conftest.py);
every request goes over a real loopback socket with httpx.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from rightsgraph.queries.catalog import catalog, query_iri

PROBLEM = "application/problem+json"
TERRITORY = "https://w3id.org/rightsgraph/id/territory/"
HOSTILE = [
    "x> } ; DROP ALL ; SELECT * WHERE { <y",
    'en") } UNION { ?s ?p ?o } #',
    "'; DELETE WHERE { ?s ?p ?o } ; INSERT DATA { <x:a> <x:b> <x:c> } #",
    "https://w3id.org/rightsgraph/vocab/rights/housing> . ?s ?p ?o . <x:y",
    "\u0000\r\n\t%00",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def client(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    url, _ = server
    with httpx.Client(base_url=url, timeout=60) as c:
        yield c


def bindings(response: httpx.Response) -> tuple[list[str], list[dict[str, str]]]:
    data = response.json()
    return data["head"]["vars"], [
        {k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]
    ]


def assert_problem(response: httpx.Response, status: int, parameter: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"]
    if parameter is not None:
        assert body["parameter"] == parameter[:80], body


# -- the catalogue ---------------------------------------------------------------------------------
def test_listing_as_json(client: httpx.Client) -> None:
    r = client.get("/api/queries")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    listing = r.json()
    assert len(listing) >= 20 and [q["name"] for q in listing] == sorted(catalog())
    by_name = {q["name"]: q for q in listing}
    category = by_name["initiatives_by_category"]
    assert {
        "name",
        "summary",
        "description",
        "tags",
        "parameters",
        "variables",
        "pagination",
        "url",
        "sparql",
    } <= set(category)
    params = {p["name"]: p for p in category["parameters"]}
    assert params["category"] == {
        "name": "category",
        "variable": "?_category_iri",
        "type": "iri",
        "required": True,
        "default": "https://w3id.org/rightsgraph/vocab/rights/housing",
        "enumerate": None,
    }
    region = {p["name"]: p for p in by_name["territories"]["parameters"]}["region"]
    assert region["required"] is False and len(region["enumerate"]) == 8
    assert client.get(category["url"]).status_code == 200


def test_listing_in_the_language_asked(client: httpx.Client) -> None:
    fr = {q["name"]: q for q in client.get("/api/queries", params={"lang": "fr"}).json()}
    es = {
        q["name"]: q
        for q in client.get("/api/queries", headers={"Accept-Language": "es-ES,es;q=0.9"}).json()
    }
    en = {q["name"]: q for q in client.get("/api/queries").json()}
    assert fr["pioneers"]["summary"] == "Les villes pionnières de la campagne"
    assert es["pioneers"]["summary"] == "Las ciudades pioneras de la campaña"
    assert en["pioneers"]["summary"] == "The pioneer cities of the campaign"
    assert_problem(client.get("/api/queries", params={"lang": "<script>"}), 422, "lang")


@pytest.mark.parametrize(
    ("path", "accept", "fmt"),
    [
        ("/api/queries", "text/turtle", "turtle"),
        ("/api/queries", "application/ld+json", "json-ld"),
        ("/api/queries.ttl", "*/*", "turtle"),
        ("/api/queries.jsonld", "*/*", "json-ld"),
    ],
)
def test_listing_as_rdf(client: httpx.Client, path: str, accept: str, fmt: str) -> None:
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format=fmt)
    names = sorted(catalog())
    assert set(graph.subjects(RDF.type, SH.SPARQLExecutable)) == {
        URIRef(query_iri(n)) for n in names
    }
    node = URIRef(query_iri("territories"))
    labels = [label for label in graph.objects(node, RDFS.label) if isinstance(label, Literal)]
    assert {label.language for label in labels} == {"en", "fr", "es"}
    select = str(graph.value(node, SH.select))
    assert "SELECT" in select and "?__region_iri" in select
    target = graph.value(node, URIRef("https://schema.org/target"))
    assert str(target).endswith("/sparql")


def test_listing_refuses_what_it_cannot_serve(client: httpx.Client) -> None:
    assert_problem(client.get("/api/queries", headers={"Accept": "image/png"}), 406)


# -- answers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_question_answers_with_its_defaults(client: httpx.Client, name: str) -> None:
    r = client.get(f"/api/queries/{name}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    variables, rows = bindings(r)
    assert variables == list(catalog()[name].variables)
    if name != "changes_since":
        assert rows, name


def test_labels_in_the_language_asked(client: httpx.Client) -> None:
    vienna = TERRITORY + "at-vienna"

    def label(**kwargs: object) -> set[str]:
        r = client.get("/api/queries/territories", **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 200
        return {row["label"] for row in bindings(r)[1] if row["territory"] == vienna}

    assert label(params={"lang": "fr"}) == {"Vienne"}
    assert label(params={"lang": "es-MX"}) == {"Viena"}
    assert label(headers={"Accept-Language": "fr-CA, en;q=0.5"}) == {"Vienne"}
    assert label(headers={"Accept-Language": "es"}, params={"lang": "de"}) == {"Wien"}
    assert label() == {"Vienna"}
    r = client.get("/api/queries/territories", params={"lang": "fr"})
    assert r.headers["content-language"] == "fr"
    raw = next(b for b in r.json()["results"]["bindings"] if b["territory"]["value"] == vienna)
    assert raw["label"]["xml:lang"] == "fr"


def test_csv_and_tsv_by_accept_or_format(client: httpx.Client) -> None:
    r = client.get("/api/queries/pioneers", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.text)))
    assert table[0] == list(catalog()["pioneers"].variables) and len(table) == 7
    r = client.get(
        "/api/queries/pioneers",
        params={"format": "csv"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/api/queries/pioneers", headers={"Accept": "text/tab-separated-values"})
    assert r.text.splitlines()[0].startswith("?territory\t?label")
    r = client.get("/api/queries/pioneers", headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("application/json") and bindings(r)[1]
    assert_problem(client.get("/api/queries/pioneers", headers={"Accept": "image/png"}), 406)
    assert_problem(client.get("/api/queries/pioneers", params={"format": "xlsx"}), 422, "format")


def test_pagination_with_link_headers(client: httpx.Client) -> None:
    first = client.get("/api/queries/initiatives")
    assert first.headers["rightsgraph-page"] == "1"
    links = first.headers["link"]
    assert 'rel="next"' in links and 'rel="prev"' not in links
    _, page1 = bindings(first)
    assert len(page1) == 50
    next_url = next(
        part.split(">")[0].lstrip(" <") for part in links.split(",") if 'rel="next"' in part
    )
    second = client.get(next_url)
    assert second.status_code == 200 and 'rel="prev"' in second.headers["link"]
    _, page2 = bindings(second)
    assert not {r["initiative"] for r in page1} & {r["initiative"] for r in page2}
    everything = client.get("/api/queries/initiatives", params={"page": 1000})
    assert bindings(everything)[1] == [] and 'rel="next"' not in everything.headers["link"]
    assert "link" not in client.get("/api/queries/counts_by_class").headers
    assert_problem(client.get("/api/queries/counts_by_class", params={"page": 2}), 422, "page")
    assert_problem(client.get("/api/queries/initiatives", params={"page": "two"}), 422, "page")
    assert_problem(client.get("/api/queries/initiatives", params={"page": 0}), 422, "page")


def test_parameters_are_validated(client: httpx.Client) -> None:
    ok = client.get(
        "/api/queries/initiatives_by_category",
        params={"category": "https://w3id.org/rightsgraph/vocab/rights/health", "lang": "es"},
    )
    assert ok.status_code == 200 and bindings(ok)[1]
    assert_problem(
        client.get("/api/queries/initiatives_by_category", params={"category": "health"}),
        422,
        "category",
    )
    assert_problem(client.get("/api/queries/territories", params={"nope": "1"}), 422, "nope")
    assert_problem(
        client.get("/api/queries/territories", params=[("lang", "en"), ("lang", "fr")]),
        422,
        "lang",
    )
    assert_problem(
        client.get(
            "/api/queries/territories",
            params={"region": "https://w3id.org/rightsgraph/vocab/uclg-regions/atlantis"},
        ),
        422,
        "region",
    )
    assert_problem(
        client.get("/api/queries/changes_since", params={"since": "yesterday"}), 422, "since"
    )
    europe = client.get(
        "/api/queries/territories",
        params={"region": "https://w3id.org/rightsgraph/vocab/uclg-regions/europe"},
    )
    regions = {row.get("region") for row in bindings(europe)[1]}
    assert regions == {"https://w3id.org/rightsgraph/vocab/uclg-regions/europe"}


def test_unknown_question_is_404(client: httpx.Client) -> None:
    assert_problem(client.get("/api/queries/no_such_question"), 404)


def test_etag_and_if_none_match(client: httpx.Client) -> None:
    r = client.get("/api/queries/pioneers", params={"lang": "fr"})
    etag = r.headers["etag"]
    again = client.get(
        "/api/queries/pioneers", params={"lang": "fr"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.headers["etag"] == etag
    other = client.get(
        "/api/queries/pioneers", params={"lang": "es"}, headers={"If-None-Match": etag}
    )
    assert other.status_code == 200 and other.headers["etag"] != etag


# -- hostile input ------------------------------------------------------------------------------
def test_injection_attempts_on_every_parameter_of_every_question(client: httpx.Client) -> None:
    """Each hostile string on each parameter (and on page, format, lang) of each question: a 422
    naming the parameter or an answer in which the string was only a literal; the graph is
    unchanged afterwards and the server still answers."""
    before = client.get("/api/queries/counts_by_class").json()
    outcomes: dict[int, int] = {}
    for name, query in sorted(catalog().items()):
        names = [p.name for p in query.parameters] + ["page", "format", "lang"]
        for parameter in dict.fromkeys(names):
            for value in HOSTILE:
                r = client.get(f"/api/queries/{name}", params={parameter: value})
                outcomes[r.status_code] = outcomes.get(r.status_code, 0) + 1
                if r.status_code == 422:
                    assert r.json()["parameter"] == parameter, (name, parameter, r.text)
                    continue
                assert r.status_code == 200, (name, parameter, value, r.status_code, r.text)
                declared = query.parameter(parameter)
                assert declared is not None and declared.type in ("string", "literal")
                assert r.json()["head"]["vars"] == list(query.variables)
    assert set(outcomes) <= {200, 422} and outcomes[422] > outcomes.get(200, 0)
    assert client.get("/health").status_code == 200
    assert client.get("/api/queries/counts_by_class").json() == before
    weird_name = client.get("/api/queries/" + "x%00%22%27%3E" * 40)
    assert weird_name.status_code == 404
    assert json.loads(weird_name.text)["status"] == 404
