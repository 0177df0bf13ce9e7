"""The SERVICE scanner and the start-up safety rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from rightsgraph.service.guard import ServiceNotAllowedError, check_services, service_targets
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
