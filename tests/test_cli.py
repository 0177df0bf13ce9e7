"""The ``rightsgraph`` command line, run as a real subprocess against real stores."""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset

from conftest import FIXTURES, RIGHTSGRAPH, run_cli

CLI = FIXTURES / "cli"


def dump(store: Path) -> set[tuple[str, ...]]:
    """Every quad of a store but the revision counter, for before/after comparisons."""
    out = run_cli("dump", "--format", "nquads", store=store, check=True).stdout
    ds = Dataset()
    ds.parse(data=out, format="nquads")
    return {tuple(str(t) for t in q) for q in ds.quads() if not str(q[3]).endswith("/graph/system")}


def test_version() -> None:
    proc = run_cli("--version", check=True)
    assert proc.stdout.startswith("rightsgraph ")


def test_init_loads_every_packaged_graph(initialised_store: Path) -> None:
    out = run_cli("stats", store=initialised_store, check=True).stdout
    assert "graphs" in out
    listing = run_cli(
        "query",
        "--name",
        "counts_by_class",
        "--format",
        "json",
        store=initialised_store,
        check=True,
    ).stdout
    counts = {
        b["class"]["value"].rsplit("#", 1)[-1]: int(b["count"]["value"])
        for b in json.loads(listing)["results"]["bindings"]
    }
    assert counts["Territory"] >= 66  # seed territories and at least 60 example ones
    assert counts["Initiative"] >= 300
    assert counts["RightsCategory"] >= 30


def test_init_if_empty_does_nothing_on_a_full_store(store_copy: Path) -> None:
    before = dump(store_copy)
    proc = run_cli("init", "--if-empty", store=store_copy, check=True)
    assert "nothing to do" in proc.stdout
    assert dump(store_copy) == before


def test_quality_checks_pass_on_the_initialised_store(initialised_store: Path) -> None:
    proc = run_cli("check", store=initialised_store)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_named_query_formats(initialised_store: Path, fmt: str) -> None:
    proc = run_cli(
        "query",
        "--name",
        "territories",
        "--param",
        "lang=fr",
        "--format",
        fmt,
        store=initialised_store,
        check=True,
    )
    if fmt == "json":
        data = json.loads(proc.stdout)
        assert data["head"]["vars"][:3] == ["territory", "label", "country"]
        labels = {b["label"]["value"] for b in data["results"]["bindings"]}
        assert "Vienne" in labels  # the French label of Vienna
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(proc.stdout)))
        assert rows[0][:3] == ["territory", "label", "country"] and len(rows) > 60
    elif fmt == "tsv":
        assert proc.stdout.splitlines()[0].startswith("?territory\t?label")
    else:
        assert "rows)" in proc.stdout.splitlines()[-1]


def test_query_file_and_bad_query(initialised_store: Path, tmp_path: Path) -> None:
    rq = tmp_path / "ask.rq"
    rq.write_text(
        "ASK { ?t a <https://w3id.org/rightsgraph/ontology#Territory> }", encoding="utf-8"
    )
    assert run_cli("query", rq, store=initialised_store, check=True).stdout.strip() == "true"
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    proc = run_cli("query", bad, store=initialised_store)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "does not parse" in proc.stderr


def test_named_query_parameters_are_typed_not_pasted(initialised_store: Path) -> None:
    hostile = "x> } ; DROP ALL ; SELECT * WHERE { <y"
    proc = run_cli(
        "query",
        "--name",
        "initiatives_by_category",
        "--param",
        f"category={hostile}",
        store=initialised_store,
    )
    assert proc.returncode == 2 and "expects iri" in proc.stderr
    proc = run_cli(
        "query",
        "--name",
        "territories",
        "--param",
        'lang=en") } DROP ALL #',
        "--format",
        "csv",
        store=initialised_store,
        check=True,
    )
    assert proc.stdout.splitlines()[0].startswith("territory,label")
    proc = run_cli("query", "--name", "territories", "--param", "nope=1", store=initialised_store)
    assert proc.returncode == 2 and "unknown parameter" in proc.stderr


def test_validate_good_file_before_init(tmp_path: Path) -> None:
    # No store at all: the packaged ontology and vocabularies are the context.
    proc = run_cli("validate", CLI / "good-en.csv", "--format", "json", store=tmp_path / "none")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, report
    assert report["conforms"] is True and report["committed"] is False


def test_validate_bad_file_lists_every_problem_in_the_language_asked(tmp_path: Path) -> None:
    reports = {}
    for lang in ("en", "fr", "es"):
        proc = run_cli(
            "validate",
            CLI / "bad-en.csv",
            "--lang",
            lang,
            "--format",
            "json",
            store=tmp_path / "none",
        )
        assert proc.returncode == 1
        reports[lang] = json.loads(proc.stdout)
    results = reports["en"]["results"]
    assert reports["en"]["conforms"] is False
    assert all(r.get("row") == 2 for r in results if r["severity"] == "Violation")
    assert any("housng" in (r.get("value") or "") for r in results)  # the unknown term
    assert any("2099" in (r.get("value") or "") for r in results)  # start far in the future
    assert any(r.get("path", "").endswith("email") for r in results)
    messages = {lang: [r["message"] for r in rep["results"]] for lang, rep in reports.items()}
    assert messages["en"] != messages["fr"] != messages["es"]


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        (CLI / "good-en.csv")
        .read_text(encoding="utf-8")
        .replace("Example Town", "Ciudad Ejemplo Peñas")
        .encode("latin-1")
    )
    for path in (latin1, tmp_path / "missing.csv"):
        proc = run_cli("validate", path, store=tmp_path / "none")
        assert proc.returncode == 2, proc.stdout
        assert len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr


def test_submit_then_resubmit_keeps_a_revision(store_copy: Path) -> None:
    proc = run_cli("submit", CLI / "good-en.csv", "--format", "json", store=store_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = json.loads(proc.stdout)
    assert first["committed"] and first["revision"] == 1
    second = json.loads(
        run_cli(
            "submit", CLI / "good-en.csv", "--format", "json", store=store_copy, check=True
        ).stdout
    )
    assert second["revision"] == 2 and second["graph"] == first["graph"]
    rq = (
        "SELECT ?rev ?file WHERE { GRAPH <https://w3id.org/rightsgraph/graph/provenance> { "
        f"<{first['graph']}> <http://www.w3.org/ns/prov#wasRevisionOf> ?rev ; "
        "<http://www.w3.org/ns/prov#wasGeneratedBy>/<http://www.w3.org/ns/prov#used> ?file } }"
    )
    q = store_copy.parent / "prov.rq"
    q.write_text(rq, encoding="utf-8")
    out = run_cli("query", q, "--format", "csv", store=store_copy, check=True).stdout
    assert "/graph/revision/" in out and f"sha256-{first['sha256']}" in out


def test_rejected_submission_leaves_the_store_exactly_as_it_was(store_copy: Path) -> None:
    before = dump(store_copy)
    proc = run_cli("submit", CLI / "bad-en.csv", store=store_copy)
    assert proc.returncode == 1
    assert dump(store_copy) == before


def test_interrupted_submission_is_all_or_nothing(store_copy: Path, tmp_path: Path) -> None:
    """Kill ``submit`` at several moments: the territory graph is either absent or complete."""
    good = CLI / "good-en.csv"
    graph = "https://w3id.org/rightsgraph/graph/territory/es-example-town"
    q = tmp_path / "count.rq"
    q.write_text(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", encoding="utf-8"
    )

    def count(store: Path) -> int:
        out = run_cli("query", q, "--format", "csv", store=store, check=True).stdout
        return int(out.splitlines()[1])

    # What a complete submission writes, from an untouched copy of the same store.
    reference = tmp_path / "reference"
    shutil.copytree(store_copy, reference)
    run_cli("submit", good, store=reference, check=True)
    complete = count(reference)
    assert complete > 0
    for delay in (0.3, 0.8, 1.2, 1.6, 2.0, 2.5):
        proc = subprocess.Popen(
            [*RIGHTSGRAPH, "--store", str(store_copy), "submit", str(good)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        n = count(store_copy)
        assert n in (0, complete), f"half-written graph: {n} of {complete} triples"
        if n:
            break
    assert run_cli("check", store=store_copy).returncode == 0


def test_load_and_dump_round_trip(store_copy: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.trig"
    run_cli("dump", "--format", "trig", "-o", backup, store=store_copy, check=True)
    fresh = tmp_path / "fresh"
    proc = run_cli("load", backup, store=fresh, check=True)
    assert "loaded" in proc.stdout
    assert dump(fresh) == dump(store_copy)


def test_load_refuses_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n", encoding="utf-8"
    )
    proc = run_cli("load", bad, store=tmp_path / "s")
    assert proc.returncode == 2 and "line 3" in proc.stderr
    proc = run_cli("load", tmp_path / "data.xlsx", store=tmp_path / "s")
    assert proc.returncode == 2 and "unknown RDF format" in proc.stderr


def test_server_answers_sparql_and_other_writers_are_told(server: tuple[str, Path]) -> None:
    url, store = server
    r = httpx.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/sparql-results+json"
    )
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 1000
    bad = httpx.get(url + "/sparql", params={"query": "SELEC"})
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
    proc = run_cli("submit", CLI / "good-en.csv", store=store)
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and url in lines[0] and "Traceback" not in proc.stderr


SUBMISSIONS = FIXTURES / "submissions"


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("good-en.csv", "en"),
        ("good-fr.csv", "fr"),
        ("good-es.csv", "es"),
        ("good-en.jsonld", "en"),
        ("good-en.ttl", "en"),
        ("template.xlsx", "fr"),
    ],
)
def test_good_submissions_in_every_format_and_language_are_stored(
    store_copy: Path, tmp_path: Path, name: str, lang: str
) -> None:
    if name == "template.xlsx":
        # The XLSX form of the English CSV fixture, as a spreadsheet program would save it.
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        with (SUBMISSIONS / "good-en.csv").open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                sheet.append(row)
        path = tmp_path / "good-en.xlsx"
        book.save(path)
    else:
        path = SUBMISSIONS / name
    proc = run_cli("submit", path, "--lang", lang, "--format", "json", store=store_copy)
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, report["results"]
    assert report["committed"] and report["revision"] == 1
    assert all(r["severity"] != "Violation" for r in report["results"])
    q = tmp_path / "n.rq"
    q.write_text(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{report['graph']}> {{ ?s ?p ?o }} }}",
        encoding="utf-8",
    )
    out = run_cli("query", q, "--format", "csv", store=store_copy, check=True).stdout
    # Everything but the contact's personal data (e-mail, name), which is kept apart.
    assert report["triples"] - 2 <= int(out.splitlines()[1]) < report["triples"]


def test_contact_e_mails_stay_out_of_queries_but_in_the_backup(
    store_copy: Path, tmp_path: Path
) -> None:
    """Personal data: a submitted contact e-mail is kept beside the history, never queryable."""
    run_cli("submit", CLI / "good-en.csv", store=store_copy, check=True)
    q = tmp_path / "emails.rq"
    q.write_text(
        "SELECT ?e WHERE { GRAPH ?g { ?c <https://schema.org/email> ?e } "
        'FILTER(CONTAINS(STR(?e), "rights@example.org")) }',
        encoding="utf-8",
    )
    assert run_cli(
        "query", q, "--format", "csv", store=store_copy, check=True
    ).stdout.splitlines() == ["e"]
    q2 = tmp_path / "contact.rq"
    q2.write_text(
        "ASK { <https://w3id.org/rightsgraph/id/territory/es-example-town> "
        "<https://w3id.org/rightsgraph/ontology#contactPoint> ?c }",
        encoding="utf-8",
    )
    assert run_cli("query", q2, store=store_copy, check=True).stdout.strip() == "true"
    backup = tmp_path / "backup.nq"
    run_cli("dump", "-o", backup, store=store_copy, check=True)
    text = backup.read_text(encoding="utf-8")
    assert '"rights@example.org"' in text and "/graph/private/es-example-town>" in text
    restored = tmp_path / "restored"
    run_cli("load", backup, store=restored, check=True)
    assert run_cli(
        "query", q, "--format", "csv", store=restored, check=True
    ).stdout.splitlines() == ["e"]
