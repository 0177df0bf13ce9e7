"""The SERVICE scanner and the start-up safety rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from rightsgraph.service.guard import (
    ServiceNotAllowedError,
    check_services,
    route_services,
    service_targets,
    wikidata_routes,
)
from rightsgraph.service.settings import Settings

WIKIDATA = "https://query.wikidata.org/sparql"


def test_targets_ignore_strings_and_comments_and_resolve_names() -> None:
    q = """
    BASE <https://query.wikidata.org/>
    PREFIX wdq: <https://query.wikidata.org/>
    SELECT * WHERE {
      ?s ?p "SERVICE <http://127.0.0.1/> is only text" .   # SERVICE <http://10.0.0.1/>
      ?s ?p '''SERVICE <http://192.168.0.1/>''' .
      FILTER(?x < ?y)
      SERVICE wdq:sparql { ?a ?b ?c }
      SERVICE SILENT <sparql> { ?d ?e ?f }
    }"""
    assert service_targets(q) == [WIKIDATA, WIKIDATA]
    check_services(q, [WIKIDATA])


@pytest.mark.parametrize(
    "clause",
    [
        "SERVICE <http://localhost:8000/sparql> {}",
        "SERVICE <http://[::1]/sparql> {}",
        "SERVICE <http://169.254.169.254/latest> {}",
        "SERVICE <file:///etc/passwd> {}",
        "SERVICE ?endpoint {}",
        "SERVICE nope:x {}",
        "SERVICE <relative> {}",
        "service <https://example.org/sparql> {}",
        # Spellings a text scan could miss: no space after SERVICE, SILENT glued to the IRI.
        "SERVICE<http://127.0.0.1:9/a> { ?s ?p ?o }",
        "SERVICE SILENT<http://127.0.0.1:9/a> { ?s ?p ?o }",
    ],
)
def test_refused_targets(clause: str) -> None:
    with pytest.raises(ServiceNotAllowedError):
        check_services(f"SELECT * WHERE {{ {clause} }}", [WIKIDATA, "http://localhost:8000/sparql"])


def test_prefix_resolved_against_the_base_in_force_where_it_is_declared() -> None:
    q = (
        "BASE <http://127.0.0.1:9/b> PREFIX x: <> BASE <https://query.wikidata.org/sparql> "
        "SELECT * WHERE { SERVICE x: { ?s ?p ?o } }"
    )
    assert service_targets(q) == ["http://127.0.0.1:9/b"]
    with pytest.raises(ServiceNotAllowedError):
        check_services(q, [WIKIDATA])


def test_updates_are_checked_too() -> None:
    with pytest.raises(ServiceNotAllowedError):
        check_services(
            "INSERT { ?s ?p ?o } WHERE { SERVICE <http://10.0.0.1/s> { ?s ?p ?o } }",
            [WIKIDATA],
            update=True,
        )


def test_non_loopback_without_admin_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ADMIN_TOKEN"):
        Settings(host="0.0.0.0").check_safe()
    Settings(host="0.0.0.0", admin_token="s3cret").check_safe()
    Settings(host="127.0.0.1").check_safe()
    proc = run_cli("serve", "--host", "0.0.0.0", "--port", "1", store=tmp_path / "s")
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "ADMIN_TOKEN" in lines[0]


# -- routing SERVICE <https://query.wikidata.org/sparql> to the operator's endpoint ---------------
MIRROR = "http://127.0.0.1:8890/sparql"
ROUTES = {WIKIDATA: MIRROR}


def test_route_rewrites_the_endpoint_position_only() -> None:
    q = f"""PREFIX wdq: <https://query.wikidata.org/>
    SELECT * WHERE {{
      ?s ?p "SERVICE <{WIKIDATA}>" .   # SERVICE <{WIKIDATA}>
      ?s <http://example.org/SERVICE> <{WIKIDATA}> .
      SERVICE SILENT wdq:sparql {{ ?a ?b <{WIKIDATA}> }}
      SERVICE<{WIKIDATA}>{{ ?c ?d ?e }}
      SERVICE <https://example.org/sparql> {{ ?f ?g ?h }}
    }}"""
    routed = route_services(q, ROUTES)
    assert service_targets(routed) == [MIRROR, MIRROR, "https://example.org/sparql"]
    # The string, the comment and the two objects still name the public endpoint.
    assert routed.count(f"<{WIKIDATA}>") == 4
    assert f"SERVICE SILENT <{MIRROR}>" in routed and f"SERVICE<{MIRROR}>" in routed


def test_route_resolves_relative_iris_and_updates() -> None:
    q = "BASE <https://query.wikidata.org/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }"
    assert service_targets(route_services(q, ROUTES)) == [MIRROR]
    u = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}"
    assert service_targets(route_services(u, ROUTES, update=True), update=True) == [MIRROR]


def test_route_leaves_other_requests_untouched() -> None:
    q = f"SELECT * WHERE {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}"
    assert route_services(q, {}) is q
    plain = "SELECT * WHERE { ?s ?p ?o }"
    assert route_services(plain, ROUTES) is plain
    other = "SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }"
    assert route_services(other, ROUTES) is other


def test_route_refuses_what_it_cannot_prove() -> None:
    with pytest.raises(ServiceNotAllowedError):
        route_services(f"SELECT * WHERE {{ SERVICE <{WIKIDATA}> {{ ?s ?p ", ROUTES)
    with pytest.raises(ServiceNotAllowedError):
        route_services(f"SELECT * WHERE {{ SERVICE ?e {{ }} SERVICE <{WIKIDATA}> {{ }} }}", ROUTES)


def test_the_operators_endpoint_is_trusted_and_no_other() -> None:
    q = f"SELECT * WHERE {{ SERVICE <{MIRROR}> {{ ?s ?p ?o }} }}"
    with pytest.raises(ServiceNotAllowedError):
        check_services(q, [WIKIDATA])
    check_services(q, [WIKIDATA], trusted=[MIRROR])
    with pytest.raises(ServiceNotAllowedError):
        check_services(
            "SELECT * WHERE { SERVICE <http://127.0.0.1:8891/sparql> { ?s ?p ?o } }",
            [WIKIDATA],
            trusted=[MIRROR],
        )


def test_wikidata_routes() -> None:
    assert wikidata_routes(None) == {} and wikidata_routes("") == {}
    assert wikidata_routes(WIKIDATA + "/") == {}
    assert wikidata_routes(f" {MIRROR} ") == {WIKIDATA: MIRROR}
    for bad in ("ftp://x/sparql", "not a url", "http://exa mple.org/", "http:///sparql"):
        with pytest.raises(ValueError):
            wikidata_routes(bad)


def test_the_wikidata_endpoint_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RIGHTSGRAPH_WIKIDATA_ENDPOINT", raising=False)
    assert Settings().wikidata_endpoint == WIKIDATA and Settings().service_routes() == {}
    monkeypatch.setenv("RIGHTSGRAPH_WIKIDATA_ENDPOINT", MIRROR)
    assert Settings().service_routes() == {WIKIDATA: MIRROR}
    with pytest.raises(ValueError, match="wikidata_endpoint"):
        Settings(wikidata_endpoint="file:///etc/passwd")
