"""`make bench`: RightsGraph against its peers on synthetic graphs, against issue 6's targets.

    python benchmarks/bench.py [--sizes 1000 10000 100000] [--repeats 20] [--peer-repeats 3]
                               [--skip-peers] [--skip-virtuoso] [--out FILE.json]

For each size (territories with 10 initiatives each, from ``benchmarks/generate.py``, cached in
``var/bench/``) it measures, through the public interfaces only (the ``rightsgraph`` command line
and HTTP), so that whatever the service does at run time is what is measured:

1. load throughput: ``rightsgraph init --no-example`` then ``rightsgraph load --bulk`` (timed)
   into a fresh embedded store; into Virtuoso (started by ``tests/virtuoso.py``) through the
   engine's bulk loader (``RemoteStore.load(bulk=True)``: ``ld_dir``/``rdf_loader_run``);
2. latency over HTTP, median and p95, of the five cross-cutting queries (``benchmarks/queries/``,
   Q1-Q5 of ``../shared/REFERENCE.md``) and of the named questions (their defaults; a synthetic
   territory where one is needed; the Wikidata ones left out), side by side against our service
   on the embedded store, our service on Virtuoso, Virtuoso's own ``/sparql``, rdflib-endpoint
   serving the same files and plain rdflib in memory (in a worker process). Every system gets the
   same query text (the named questions with their parameters bound, and ``LIMIT`` of their first
   page where they are paginated); the rows are compared. Our service is timed on the first run
   after a write (a Graph Store ``PUT`` before every run); its repeated-query and ``304``
   latencies are measured apart;
3. submission validation (``POST /api/submissions?dry_run=true``, one territory, 10 initiatives);
4. the intersectionality report's build (``GET /api/reports/intersectionality?format=json``,
   first call after a write);
5. peak memory of our service (with its store worker) on the embedded store, and of Virtuoso;
6. issue 6's targets, MET or NOT MET.

The results go to ``var/bench/results-<timestamp>.json`` (or ``--out``) and to the section of
``benchmarks/RESULTS.md`` between its markers. Everything runs on 127.0.0.1 on free ports, with
its files under ``var/bench/``; every process started is stopped by its pid at the end, even on
an error or Ctrl-C. The data are fictional example data.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.metadata
import io
import json
import platform
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_report
from bench_systems import (
    REGISTRY,
    MemorySampler,
    RdflibPeer,
    Service,
    Timed,
    install_signal_handlers,
    our_service,
    run_cli,
    sparql_request,
    timed_request,
)

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "var" / "bench"
QUERIES = Path(__file__).resolve().parent / "queries"
GENERATE = Path(__file__).resolve().parent / "generate.py"
TEMPLATE = ROOT / "docs" / "submission-template.csv"
RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
CROSS_TITLES = {
    "Q1": "initiatives per rights category",
    "Q2": "territories: two categories and a group",
    "Q3": "category co-occurrence",
    "Q4": "regional gaps (FILTER NOT EXISTS)",
    "Q5": "text filter (CONTAINS)",
}
#: Repeated-query and 304 runs (issue 6: "a repeated query on an unchanged store").
REPEATED_RUNS = 50
VALIDATION_RUNS = 20


def log(message: str) -> None:
    print(message, flush=True)


# -- the queries ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """One query as every system gets it."""

    key: str
    kind: str  # "cross" or "named"
    text: str  # the SPARQL the peers get (parameters bound)
    #: Our service: GET this path with these parameters.
    path: str
    params: Mapping[str, str] = field(default_factory=dict)


def cross_queries() -> list[Spec]:
    """Q1-Q5 from ``benchmarks/queries/``: our service gets them on ``/sparql``, as the peers."""
    specs = []
    for path in sorted(QUERIES.glob("q[1-5]_*.rq")):
        text = path.read_text(encoding="utf-8")
        key = path.name[:2].upper()
        specs.append(Spec(key, "cross", text, "/sparql", {"query": text}))
    return specs


#: A ``SERVICE`` clause outside comments (a federated question).
_SERVICE = re.compile(r"^[^#\n]*\bSERVICE\s+(SILENT\s+)?[<?$]", re.IGNORECASE | re.MULTILINE)
_LIMIT_AT_END = re.compile(r"\bLIMIT\s+\d+\s*(OFFSET\s+\d+\s*)?$", re.IGNORECASE)


def named_questions(territory: str) -> tuple[list[Spec], dict[str, str]]:
    """Every named question with typical parameters (its defaults, ``lang=en``, ``territory``
    where a territory is asked for), and the ones left out with why."""
    from rightsgraph.queries.catalog import catalog
    from rightsgraph.store.remote import bind_values

    specs: list[Spec] = []
    left_out: dict[str, str] = {}
    for name, query in sorted(catalog().items()):
        if query.service_values or _SERVICE.search(query.text):
            left_out[name] = "asks Wikidata (SERVICE): nothing leaves 127.0.0.1"
            continue
        values: dict[str, str] = {}
        for p in query.parameters:
            if p.name == "lang":
                values["lang"] = "en"
            elif p.name == "territory" and p.required:
                values["territory"] = territory
        bound = bind_values(query.text, query.bindings(values))
        if query.pagination and not _LIMIT_AT_END.search(bound.strip()):
            bound = f"{bound.rstrip()}\nLIMIT {query.pagination}\n"
        specs.append(Spec(name, "named", bound, f"/api/queries/{name}", values))
    return specs, left_out


# -- statistics ----------------------------------------------------------------------------------
def summarize(runs: Sequence[Timed], *, limit_s: float | None = None) -> dict[str, Any]:
    """Median, p95 and rows of timed runs (timeouts and errors counted apart)."""
    times = [r.ms for r in runs if r.ms is not None and r.error is None]
    rows = sorted({r.rows for r in runs if r.rows is not None})
    errors = sorted({r.error for r in runs if r.error and not r.timeout})
    out: dict[str, Any] = {
        "runs": len(times),
        "median": bench_report.median(times),
        "p95": bench_report.percentile(times, 95),
        "runs_ms": [round(t, 3) for t in times],
        "rows": rows[0] if len(rows) == 1 else rows or None,
        "timeouts": sum(1 for r in runs if r.timeout),
        "limit_s": limit_s,
    }
    if errors:
        out["errors"] = errors[:3]
    statuses = sorted({r.status for r in runs if r.status is not None})
    if statuses:
        out["statuses"] = statuses
    return out


# -- measuring -----------------------------------------------------------------------------------
def ours_runs(service: Service, spec: Spec, repeats: int, budget_s: float) -> list[Timed]:
    """One warm-up run, then up to ``repeats`` runs, each right after a write (see
    :func:`limited_runs` for the budget)."""
    headers = {"Accept": "application/sparql-results+json"}
    warm = timed_request(service.client, "GET", spec.path, params=spec.params, headers=headers)
    if warm.timeout:
        return [warm]

    def once() -> Timed:
        service.write()
        return timed_request(service.client, "GET", spec.path, params=spec.params,
                             headers=headers)

    return limited_runs(once, repeats, budget_s, at_least=3)


def http_peer_runs(client: httpx.Client, endpoint: str, spec: Spec, repeats: int,
                   budget_s: float) -> list[Timed]:
    """One warm-up run, then up to ``repeats`` runs (see :func:`limited_runs`)."""
    warm = sparql_request(client, endpoint, spec.text)
    if warm.timeout:
        return [warm]
    return limited_runs(lambda: sparql_request(client, endpoint, spec.text), repeats, budget_s,
                        at_least=3)


def limited_runs(
    run: Callable[[], Timed], repeats: int, budget_s: float, *, at_least: int = 1
) -> list[Timed]:
    """Up to ``repeats`` runs, stopping after a run over the time limit, or once the runs so
    far took ``budget_s`` seconds and there were ``at_least`` of them: a slow query gets fewer
    runs (the results say how many) rather than holding the whole benchmark for an hour."""
    runs: list[Timed] = []
    spent = 0.0
    for _ in range(repeats):
        result = run()
        runs.append(result)
        if result.timeout:
            break
        spent += (result.ms or 0) / 1000
        if spent >= budget_s and len(runs) >= at_least:
            break
    return runs


def submission_file(territory: str = "Benchmark Sampletown", initiatives: int = 10) -> bytes:
    """``docs/submission-template.csv`` made into one fictional territory with ``initiatives``
    initiatives (the template's rows, numbered). Raises ``OSError`` when it cannot be read."""
    rows = list(csv.reader(io.StringIO(TEMPLATE.read_text(encoding="utf-8"))))
    head, body = rows[0], rows[1:]
    name, title = head.index("territory_name"), head.index("initiative_title")
    out_rows = []
    for i in range(initiatives):
        row = list(body[i % len(body)])
        row[name] = territory
        row[title] = f"{row[title]} {i + 1}"
        if i >= len(body):  # the territory's columns only once, as the template has them
            for column in ("region", "population", "joined_campaign", "contact_email"):
                row[head.index(column)] = ""
        out_rows.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([head, *out_rows])
    return out.getvalue().encode("utf-8")


def validation_runs(service: Service, runs: int) -> dict[str, Any]:
    """``runs`` dry-run submissions (after two warm-ups); each must be answered 200
    ``validated``."""
    body = submission_file()
    headers = {"Content-Type": "text/csv", "Authorization": f"Bearer {service.admin_token}"}
    timed: list[Timed] = []
    note = ""
    for i in range(runs + 2):
        started = time.perf_counter()
        answer = service.client.post("/api/submissions", params={"dry_run": "true"},
                                     content=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        state = answer.json().get("state") if answer.headers.get(
            "content-type", "").startswith(("application/json", "application/problem")) else None
        if answer.status_code != 200 or state != "validated":
            note = f"HTTP {answer.status_code}, state {state}: {answer.text[:200]}"
            timed.append(Timed(None, status=answer.status_code, error=note))
            break
        if i >= 2:
            timed.append(Timed(elapsed, status=200))
    out = summarize(timed)
    if note:
        out["note"] = note
    return out


def report_runs(service: Service, runs: int) -> dict[str, Any]:
    """The intersectionality report as JSON, first call after a write, ``runs`` times."""
    timed = []
    for _ in range(runs):
        service.write()
        timed.append(timed_request(service.client, "GET", "/api/reports/intersectionality",
                                   params={"format": "json"}, count=False))
    out = summarize(timed)
    if out.get("errors"):
        out["note"] = out["errors"][0][:200]
    return out


#: The web pages, as a visitor opens them: each runs its own SPARQL through the engine (no named
#: question), so these are the figures behind the "pages under 100 ms" target.
PAGES: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("/", {}),
    ("/browse/territories", {}),
    ("/browse/initiatives", {}),
    ("/browse/rights", {}),
    ("/browse/groups", {}),
    ("/browse/instruments", {}),
    ("/search", {"q": "housing"}),
)


def page_runs(service: Service, repeats: int, budget_s: float) -> dict[str, Any]:
    """Each page of :data:`PAGES` in English: a warm-up, then up to ``repeats`` views, each
    right after a write (first view after a write, as for the queries)."""
    out: dict[str, Any] = {}
    headers = {"Accept": "text/html", "Accept-Language": "en"}
    for path, params in PAGES:
        def once(path: str = path, params: Mapping[str, str] = params) -> Timed:
            service.write()
            return timed_request(service.client, "GET", path, params=params, headers=headers,
                                 count=False)

        warm = timed_request(service.client, "GET", path, params=params, headers=headers,
                             count=False)
        runs = [warm] if warm.timeout else limited_runs(once, repeats, budget_s, at_least=3)
        key = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        out[key] = summarize(runs)
    return out


def repeated_runs(service: Service, specs: Sequence[Spec]) -> dict[str, Any]:
    """Per query: 50 runs on an unchanged store, then 50 revalidations with the last ETag."""
    out: dict[str, Any] = {}
    headers = {"Accept": "application/sparql-results+json"}
    service.write()
    for spec in specs:
        runs = [timed_request(service.client, "GET", spec.path, params=spec.params,
                              headers=headers) for _ in range(REPEATED_RUNS + 1)][1:]
        item: dict[str, Any] = {"repeat": summarize(runs)}
        etag = next((r.etag for r in reversed(runs) if r.etag), None)
        if etag is None:
            item["note"] = "no ETag on the answer: no revalidation"
        else:
            revalidated = [
                timed_request(service.client, "GET", spec.path, params=spec.params,
                              headers={**headers, "If-None-Match": etag}, count=False)
                for _ in range(REPEATED_RUNS)
            ]
            item["not_modified"] = summarize(revalidated)
            answered = sum(1 for r in revalidated if r.status == 304)
            if answered != len(revalidated):
                item["note"] = f"{answered} of {len(revalidated)} answered 304"
        out[spec.key] = item
    return out


# -- data ------------------------------------------------------------------------------------------
def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def synthetic(territories: int) -> Path:
    """``var/bench/synthetic-N.nq`` (generated once, then reused)."""
    path = BENCH / f"synthetic-{territories}.nq"
    if not path.exists():
        part = path.with_suffix(".nq.part")
        subprocess.run([sys.executable, str(GENERATE), "--territories", str(territories),
                        "--out", str(part)], check=True, stdout=subprocess.DEVNULL)
        part.replace(path)
    return path


def context_file(folder: Path) -> Path:
    """The packaged data our stores start from (``rightsgraph init --no-example``), dumped as
    N-Quads for the peers, which load it beside the synthetic file."""
    store = folder / "context-store"
    out = folder / "context.nq"
    run_cli("init", "--no-example", store=store)
    run_cli("dump", "-o", out, store=store)
    shutil.rmtree(store, ignore_errors=True)
    return out


def first_territory(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            subject = line.split(" ", 1)[0].strip("<>")
            if "/id/territory/" in subject:
                return subject
    raise ValueError(f"{path}: no territory")


# -- machine and versions ------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": psutil.cpu_count(logical=True),
        "ram_bytes": psutil.virtual_memory().total,
        "os": f"{platform.system()} {platform.release()}",
    }


def versions() -> dict[str, str]:
    out = {"Python": platform.python_version()}
    for name, dist in (("rightsgraph", "rightsgraph"), ("pyoxigraph", "pyoxigraph"),
                       ("rdflib", "rdflib"), ("pyshacl", "pyshacl"),
                       ("rdflib-endpoint", "rdflib-endpoint"), ("FastAPI", "fastapi"),
                       ("uvicorn", "uvicorn"), ("httpx", "httpx")):
        try:
            out[name] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    try:
        proc = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True,
                              timeout=30, check=False)
        text = proc.stdout + proc.stderr
        found = re.search(r"Version (\S+)", text)
        out["Virtuoso"] = found.group(1) if found else "unknown"
    except OSError:
        out["Virtuoso"] = "not installed"
    return out


# -- one size --------------------------------------------------------------------------------------
@dataclass
class Options:
    repeats: int
    peer_repeats: int
    peer_limit: float
    peer_budget: float
    budget: float
    rdflib_max: int
    report_repeats: int
    skip_peers: bool
    questions: list[str] | None
    skip_virtuoso: bool
    keep: bool


def virtuoso_tools() -> tuple[Any, Any]:
    """``running_virtuoso`` and ``virtuoso_missing`` from the test plugin ``tests/virtuoso.py``
    (imported, not copied: one way to start Virtuoso for the tests and the benchmarks)."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from virtuoso import running_virtuoso, virtuoso_missing

    return running_virtuoso, virtuoso_missing


def run_size(territories: int, context: Path, run_dir: Path, opts: Options) -> dict[str, Any]:
    """Every measurement at one size; returns its results."""
    began = time.perf_counter()
    folder = run_dir / str(territories)
    folder.mkdir(parents=True, exist_ok=True)
    data = synthetic(territories)
    triples = count_lines(data)
    result: dict[str, Any] = {
        "territories": territories, "synthetic_triples": triples,
        "context_triples": count_lines(context), "skipped": {}, "load": {}, "queries": {},
        "repeated": {}, "pages": {}, "validation": {}, "report": {}, "memory": {},
    }
    log(f"\n== {territories:,} territories: {triples:,} synthetic triples ({data}) ==")
    territory = first_territory(data)
    specs = cross_queries()
    named, left_out = named_questions(territory)
    if opts.questions is not None:
        left_out.update({s.key: "not in --questions" for s in named
                         if s.key not in opts.questions})
        named = [s for s in named if s.key in opts.questions]
    specs += named
    result["left_out"] = left_out
    for spec in specs:
        result["queries"][spec.key] = {"kind": spec.kind, "systems": {}, "text": spec.text}

    # 1. load: embedded
    store = folder / "store"
    init_s = run_cli("init", "--no-example", store=store)
    # the command's own cost (start, imports, opening the store, an empty bulk load), taken
    # off the load's time so that only the load is timed
    empty = folder / "empty.nq"
    empty.write_bytes(b"")
    overhead_s = run_cli("load", "--bulk", empty, store=store)
    command_s = run_cli("load", "--bulk", data, store=store)
    load_s = max(command_s - overhead_s, 1e-3)
    result["load"]["embedded"] = {
        "seconds": load_s, "triples_per_s": triples / load_s, "command_seconds": command_s,
        "command_overhead_seconds": overhead_s, "init_seconds": init_s,
    }
    log(f"load, embedded: {load_s:.1f} s, {triples / load_s:,.0f} triples/s (the command took "
        f"{command_s:.1f} s, of which {overhead_s:.1f} s start-up, measured with an empty file; "
        f"init --no-example {init_s:.1f} s, not counted)")

    admin = secrets.token_urlsafe(24)
    with contextlib.ExitStack() as stack:
        ours = stack.enter_context(our_service(
            "ours-embedded", store, admin_token=admin, log=folder / "serve-embedded.log",
            query_timeout=opts.peer_limit))
        ours_memory = MemorySampler(ours.proc.pid)
        services: dict[str, Service] = {"ours-embedded": ours}
        virtuoso_client: httpx.Client | None = None
        virtuoso_endpoint = ""
        virtuoso_memory: MemorySampler | None = None
        ours_virtuoso_memory: MemorySampler | None = None

        # 1. load: Virtuoso
        if opts.skip_virtuoso:
            result["skipped"]["virtuoso"] = result["skipped"]["ours-virtuoso"] = "--skip-virtuoso"
        else:
            running_virtuoso, virtuoso_missing = virtuoso_tools()
            missing = virtuoso_missing()
            if missing:
                result["skipped"]["virtuoso"] = result["skipped"]["ours-virtuoso"] = missing
                log(f"Virtuoso skipped: {missing}")
            else:
                buffers = min(1_000_000, max(100_000, territories * 5))
                server = stack.enter_context(running_virtuoso(
                    folder / "virtuoso", max_rows=10_000_000, buffers=buffers))
                virtuoso_memory = MemorySampler(server.pid)
                result["load"]["virtuoso"] = load_virtuoso(server, data, triples)
                virtuoso_endpoint = server.sparql
                virtuoso_client = stack.enter_context(
                    httpx.Client(timeout=opts.peer_limit))
                services["ours-virtuoso"] = stack.enter_context(our_service(
                    "ours-virtuoso", folder / "service-virtuoso", admin_token=admin,
                    log=folder / "serve-virtuoso.log", query_timeout=opts.peer_limit,
                    endpoint=server.sparql, endpoint_env={
                        "RIGHTSGRAPH_UPDATE_ENDPOINT": server.update,
                        "RIGHTSGRAPH_ENDPOINT_USER": server.user,
                        "RIGHTSGRAPH_ENDPOINT_PASSWORD": server.password,
                    }))
                ours_virtuoso_memory = MemorySampler(services["ours-virtuoso"].proc.pid)

        # 2. latency, side by side, query by query
        log(f"latency: {len(specs)} queries, {opts.repeats} runs on "
            f"{', '.join([*services, *(['virtuoso'] if virtuoso_client else [])])}")
        for spec in specs:
            systems = result["queries"][spec.key]["systems"]
            for name, service in services.items():
                systems[name] = summarize(ours_runs(service, spec, opts.repeats, opts.budget),
                                          limit_s=opts.peer_limit)
            if virtuoso_client is not None:
                systems["virtuoso"] = summarize(
                    http_peer_runs(virtuoso_client, virtuoso_endpoint, spec, opts.repeats,
                                   opts.budget), limit_s=opts.peer_limit)
            log(f"  {spec.key:36} " + "  ".join(
                f"{bench_report.SHORT[s]} {bench_report.cell(v)}" for s, v in systems.items()))

        # repeated queries, 304s, validation, report
        repeated_specs = [s for s in specs if s.kind == "cross"] + [
            s for s in specs if s.key == "initiatives_per_category"]
        for name, service in services.items():
            log(f"pages, first view after a write: {name}")
            result["pages"][name] = page_runs(service, opts.repeats, opts.budget)
            log("  " + "  ".join(f"{k} {bench_report.cell(v)}"
                                 for k, v in result["pages"][name].items()))
            log(f"repeated queries and 304s: {name}")
            result["repeated"][name] = repeated_runs(service, repeated_specs)
            log(f"submission validation: {name}")
            result["validation"][name] = validation_runs(service, VALIDATION_RUNS)
            log(f"  {bench_report.cell(result['validation'][name])} (ms)")
            log(f"intersectionality report: {name}")
            result["report"][name] = report_runs(service, opts.report_repeats)
            log(f"  {bench_report.cell(result['report'][name])} (ms)")

        # Virtuoso's memory, then stop it before the rdflib peers take theirs
        if virtuoso_memory is not None:
            result["memory"]["virtuoso"] = virtuoso_memory.stop()
        if ours_virtuoso_memory is not None:
            result["memory"]["ours-virtuoso"] = ours_virtuoso_memory.stop()
        stack.close()  # our service on Virtuoso, Virtuoso: stopped (ours on embedded too)
        result["memory"]["ours-embedded"] = ours_memory.stop()

    # 2. the rdflib peers (after ours, so that they never share the CPU with them)
    peer_files = [context, data]
    if opts.skip_peers:
        result["skipped"]["rdflib-endpoint"] = result["skipped"]["rdflib"] = "--skip-peers"
    elif territories > opts.rdflib_max:
        why = (f"{territories:,} territories is over --rdflib-max-territories "
               f"{opts.rdflib_max:,}: loading them into rdflib would take too long")
        result["skipped"]["rdflib-endpoint"] = result["skipped"]["rdflib"] = why
        log(f"rdflib peers skipped: {why}")
    else:
        run_peer("endpoint", peer_files, specs, result, folder, opts)
        run_peer("query", peer_files, specs, result, folder, opts)

    finish(result, specs)
    result["seconds"] = time.perf_counter() - began
    if not opts.keep:
        for path in (store, folder / "virtuoso" / "db", folder / "service-virtuoso"):
            shutil.rmtree(path, ignore_errors=True)
    return result


def load_virtuoso(server: Any, data: Path, triples: int) -> dict[str, Any]:
    """The packaged data (not timed), then the synthetic file through Virtuoso's bulk loader."""
    from rightsgraph.loaders.packaged import init_store

    store = server.store(max_rows=None)
    try:
        store.prepare()
        began = time.perf_counter()
        init_store(store, example=False)
        init_s = time.perf_counter() - began
        began = time.perf_counter()
        store.load(data, format=ox.RdfFormat.N_QUADS, bulk=True)
        seconds = time.perf_counter() - began
    finally:
        store.close()
    log(f"load, Virtuoso bulk loader: {seconds:.1f} s, {triples / seconds:,.0f} triples/s "
        f"(packaged data {init_s:.1f} s, not counted)")
    return {"seconds": seconds, "triples_per_s": triples / seconds, "init_seconds": init_s,
            "path": "RemoteStore.load(bulk=True): ld_dir + rdf_loader_run + checkpoint"}


def run_peer(mode: str, files: Sequence[Path], specs: Sequence[Spec], result: dict[str, Any],
             folder: Path, opts: Options) -> None:
    """One rdflib peer over the files, every query at most ``--peer-repeats`` times (see
    :func:`limited_runs`): ``endpoint`` is rdflib-endpoint over HTTP (its server replaced after a
    query over the limit), ``query`` plain rdflib in its worker process."""
    system = "rdflib-endpoint" if mode == "endpoint" else "rdflib"
    log(f"{system}: loading")
    peer = RdflibPeer(mode, files, log=folder / f"{system}.log", startup=3600)
    total = sum(count_lines(f) for f in files)
    try:
        peer.start()
        assert peer.load_seconds is not None
        result["load"][system] = {"seconds": peer.load_seconds,
                                  "triples_per_s": total / peer.load_seconds}
        log(f"{system}: {peer.triples:,} triples parsed in {peer.load_seconds:.1f} s")
        with httpx.Client(timeout=opts.peer_limit) as client:
            for spec in specs:
                def once(spec: Spec = spec) -> Timed:
                    if mode == "query":
                        return peer.query(spec.text, limit=opts.peer_limit)
                    timed = sparql_request(client, peer.url, spec.text)
                    if timed.timeout:
                        peer.restart()
                        timed.error = f"over {opts.peer_limit:g} s"
                    return timed

                stats = summarize(limited_runs(once, opts.peer_repeats, opts.peer_budget),
                                  limit_s=opts.peer_limit)
                result["queries"][spec.key]["systems"][system] = stats
                log(f"  {spec.key:36} {system} {bench_report.cell(stats)}")
    finally:
        peer.close()
        result["memory"][system] = peer.peak_rss


def finish(result: dict[str, Any], specs: Sequence[Spec]) -> None:
    """Row agreement (against our embedded service) and the geometric means of Q1-Q5."""
    for spec in specs:
        q = result["queries"][spec.key]
        reference = (q["systems"].get("ours-embedded") or {}).get("rows")
        q["rows"] = reference
        differ = {s: v.get("rows") for s, v in q["systems"].items()
                  if v.get("rows") is not None and v.get("rows") != reference}
        failed = {s: v["errors"][0] for s, v in q["systems"].items()
                  if v.get("errors") and v.get("median") is None}
        notes = [f"{bench_report.SHORT[s]} {r}" for s, r in differ.items()]
        notes += [f"{bench_report.SHORT[s]} failed: "
                  + re.sub(r"\s+", " ", e).replace("|", "/")[:80] for s, e in failed.items()]
        if notes:
            q["rows_note"] = f"{reference} ⚠ " + "; ".join(notes)
    geo: dict[str, Any] = {"systems": {}}
    for system in bench_report.SYSTEMS:
        medians = [(result["queries"][k]["systems"].get(system) or {}).get("median")
                   for k in CROSS_TITLES]
        if all(m is not None for m in medians):
            geo["systems"][system] = bench_report.geomean(m for m in medians if m is not None)
    ours, virtuoso = geo["systems"].get("ours-embedded"), geo["systems"].get("virtuoso")
    geo["ours_vs_virtuoso"] = ours / virtuoso if ours and virtuoso else None
    result["geomean"] = geo


# -- the command ---------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000],
                        help="territories per graph (default 1000 10000 100000)")
    parser.add_argument("--repeats", type=int, default=20,
                        help="timed runs per query on our service and Virtuoso (20)")
    parser.add_argument("--peer-repeats", type=int, default=3,
                        help="timed runs per query on the rdflib peers (3)")
    parser.add_argument("--peer-limit", type=float, default=120,
                        help="seconds one query may take on a peer (120)")
    parser.add_argument("--peer-budget", type=float, default=60,
                        help="no further run of a query on an rdflib peer once its runs took "
                        "this many seconds (60)")
    parser.add_argument("--budget", type=float, default=60,
                        help="on our service and Virtuoso: no further run of a query once its "
                        "runs took this many seconds and there were 3 (60)")
    parser.add_argument("--rdflib-max-territories", type=int, default=10_000,
                        help="skip the rdflib peers above this many territories (10000)")
    parser.add_argument("--report-repeats", type=int, default=3,
                        help="report builds per service and size (3)")
    parser.add_argument("--questions", nargs="*", metavar="NAME",
                        help="only these named questions (none when given without names; "
                        "default: all but the Wikidata ones)")
    parser.add_argument("--skip-peers", action="store_true", help="no rdflib peers")
    parser.add_argument("--skip-virtuoso", action="store_true",
                        help="no Virtuoso (neither its endpoint nor our service on it)")
    parser.add_argument("--keep", action="store_true", help="keep the stores under var/bench/")
    parser.add_argument("--out", type=Path, help="results JSON (default var/bench/results-*.json)")
    parser.add_argument("--no-results-md", action="store_true",
                        help="leave benchmarks/RESULTS.md as it is")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.repeats < 1 or args.peer_repeats < 1:
        parser.error("--sizes, --repeats and --peer-repeats must be positive")

    install_signal_handlers()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or BENCH / f"results-{stamp}.json"
    run_dir = BENCH / f"run-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    opts = Options(
        repeats=args.repeats, peer_repeats=args.peer_repeats, peer_limit=args.peer_limit,
        peer_budget=args.peer_budget, budget=args.budget, rdflib_max=args.rdflib_max_territories,
        report_repeats=args.report_repeats, skip_peers=args.skip_peers, questions=args.questions,
        skip_virtuoso=args.skip_virtuoso, keep=args.keep,
    )
    began = time.perf_counter()
    results: dict[str, Any] = {
        "started": stamp,
        "command": "benchmarks/bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "versions": versions(),
        "options": {k: v for k, v in vars(args).items() if k != "out"},
        "sizes": [],
        "json": str(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out),
    }
    m = results["machine"]
    log(f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_bytes'] / 1024**3:.1f} GiB RAM")
    log("versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()))
    try:
        context = context_file(run_dir)
        for size in args.sizes:
            results["sizes"].append(run_size(size, context, run_dir, opts))
            results["seconds"] = time.perf_counter() - began
            save(results, out)  # after every size: a later failure keeps what was measured
            log("\n".join(bench_report.size_tables(results["sizes"][-1])))
    finally:
        REGISTRY.stop_all()
    results["seconds"] = time.perf_counter() - began
    results["targets"] = bench_report.targets(results)
    save(results, out)
    lines = bench_report.markdown(results)
    log("\n" + "\n".join(bench_report.header(results)))
    log("\n".join(bench_report.targets_table(results["targets"])))
    if not args.no_results_md:
        bench_report.write_results_md(RESULTS_MD, lines)
        log(f"\nfigures written to {out} and {RESULTS_MD}")
    return 0


def save(results: Mapping[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    results = dict(results)
    results.setdefault("seconds", 0.0)
    out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
