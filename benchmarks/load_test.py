"""The service under load: concurrent clients mixing questions, SPARQL, pages and submissions.

    python benchmarks/load_test.py [--clients 32] [--seconds 60] [--territories N]

Builds a store (``rightsgraph init``; with ``--territories N`` it also bulk-loads N synthetic
territories from ``benchmarks/generate.py``; with ``--store DIR`` it copies DIR instead of running
``init``), makes a territory token for the load-test territory, starts ``rightsgraph serve`` on a
free 127.0.0.1 port with an admin token, and runs ``--clients`` concurrent clients for
``--seconds`` seconds. Each client sends one request at a time, picked at random with fixed
weights among five kinds:

- ``question``: the named questions the web pages offer (``/api/queries/{name}``);
- ``sparql``: the five cross-cutting queries of the benchmarks (counts per category; territories
  serving two categories and a group; category co-occurrence; regional gaps with
  ``FILTER NOT EXISTS``; a text filter), sent to ``/sparql``;
- ``page``: the HTML pages (home, browse pages, search, reports form);
- ``dry_run`` and ``submit``: ``docs/submission-template.csv`` adapted per request (a fictional
  load-test territory, a numbered initiative title), posted to ``/api/submissions`` with the
  territory token (now and then with the admin token), validated only or stored.

By default every client talks from its own loopback address (127.0.0.2, 127.0.0.3, ...), as
separate users would, so the service's per-client concurrency limit applies to each client
separately; ``--one-address`` sends everything from 127.0.0.1, and the limit then answers 429 to
all but a few clients at a time. A client told 429 waits for ``Retry-After`` (at most a second)
and carries on.

Prints, per kind: requests, errors by status, the 429 count, p50/p95/p99 latency and throughput
(``--by-name``: also per question, query, page and token). Latencies are those of answered
requests, 429s excluded; they include the time a request waits in the client's event loop, which
runs every client in one thread. ``--warm-up`` sends every request once, one at a time, before
the clients start, so that first-use costs stay out of the figures.
Exits 1 when any answer other than the concurrency limit's 429 was an error (a status of 400 or
more, or no answer at all), 0 otherwise. The server is stopped (SIGTERM, then SIGKILL) at the end,
whatever happened. The data are fictional example data; nothing leaves 127.0.0.1 (the service's
Wikidata endpoint points at a closed loopback port).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import httpx

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "docs" / "submission-template.csv"
CLI = [sys.executable, "-m", "rightsgraph.service.cli"]
#: pyoxigraph refuses to call port 9 on loopback: federated questions answer without Wikidata.
NO_WIKIDATA = "http://127.0.0.1:9/sparql"
#: The fictional territory whose token the clients hold (replaces the template's example name).
TERRITORY_NAME = "Loadtest Sampletown"
TERRITORY_KEY = "es-loadtest-sampletown"
#: The territory the admin token submits for.
ADMIN_TERRITORY_NAME = "Loadtest Admintown"

V = "https://w3id.org/rightsgraph/vocab/"
PREFIXES = """PREFIX rg: <https://w3id.org/rightsgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

#: The named questions the web pages offer, with the parameters they are asked with.
QUESTIONS: dict[str, dict[str, str]] = {
    "territories_by_category_and_group": {},
    "campaign_milestones": {"lang": "fr"},
    "initiatives_by_sdg": {"sdg": "http://metadata.un.org/sdg/11"},
    "territories_without_category": {},
    "territory_overview": {"lang": "es"},
}

#: The five cross-cutting queries (Q1-Q5 of ../shared/REFERENCE.md).
SPARQL: dict[str, str] = {
    "counts_per_category": PREFIXES + """
SELECT ?category (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {
  ?initiative rg:addressesRight ?category .
} GROUP BY ?category ORDER BY DESC(?initiatives)""",
    "two_categories_and_a_group": PREFIXES + f"""
SELECT DISTINCT ?territory WHERE {{
  ?initiative rg:addressesRight <{V}rights/housing> , <{V}rights/right-to-the-city> ;
              rg:targetsGroup <{V}groups/persons-in-poverty> ;
              rg:ledBy ?territory .
}}""",
    "category_cooccurrence": PREFIXES + """
SELECT ?a ?b (COUNT(DISTINCT ?initiative) AS ?n) WHERE {
  ?initiative rg:addressesRight ?a , ?b .
  FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b ORDER BY DESC(?n) LIMIT 100""",
    "regional_gaps": PREFIXES + f"""
SELECT ?territory WHERE {{
  ?territory a rg:Territory ; rg:uclgRegion <{V}uclg-regions/europe> .
  FILTER NOT EXISTS {{
    ?initiative rg:ledBy ?territory ; rg:addressesRight <{V}rights/housing> .
  }}
}} LIMIT 1000""",
    "text_filter": PREFIXES + """
SELECT ?initiative ?label WHERE {
  ?initiative a rg:Initiative ; rdfs:label ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), "housing"))
} LIMIT 1000""",
}

#: The pages of service/routers/pages.py, as a visitor would open them.
PAGES: list[tuple[str, dict[str, str]]] = [
    ("/", {}),
    ("/", {"lang": "fr"}),
    ("/browse/territories", {}),
    ("/browse/initiatives", {"lang": "es"}),
    ("/browse/rights", {}),
    ("/browse/groups", {}),
    ("/browse/instruments", {}),
    ("/search", {"q": "housing"}),
    ("/query", {}),
    ("/reports", {}),
]

#: How often each kind is picked (relative weights).
WEIGHTS: dict[str, int] = {"question": 30, "sparql": 25, "page": 30, "dry_run": 10, "submit": 5}


# -- the submission files -------------------------------------------------------------------------
def submission_csv(number: int, *, territory: str = TERRITORY_NAME) -> bytes:
    """The submission template with the example territory renamed to ``territory`` and the first
    initiative's title numbered, so that every request sends a different, valid file.

    Raises ``OSError`` when the template cannot be read."""
    rows = list(csv.reader(io.StringIO(TEMPLATE.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    name, title = header.index("territory_name"), header.index("initiative_title")
    for row in body:
        row[name] = territory
    body[0][title] = f"{body[0][title]} {number}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    return out.getvalue().encode("utf-8")


# -- the server ---------------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str | Path, store: Path) -> None:
    """Run the ``rightsgraph`` command; raises ``subprocess.CalledProcessError`` when it fails."""
    subprocess.run(
        [*CLI, "--store", str(store), *map(str, args)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), text=True,
    )


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONUTF8": "1", "RIGHTSGRAPH_WIKIDATA_ENDPOINT": NO_WIKIDATA}
    # the server serves the store built here, never one named in the caller's shell
    for name in ("RIGHTSGRAPH_STORE", "RIGHTSGRAPH_ENDPOINT"):
        env.pop(name, None)
    env.update(extra or {})
    return env


def build_store(
    folder: Path, *, source: Path | None, territories: int, out: TextIO
) -> Path:
    """A store in ``folder``: a copy of ``source``, or a fresh ``rightsgraph init``; then
    ``territories`` synthetic territories bulk-loaded. Raises ``CalledProcessError``/``OSError``."""
    store = folder / "store"
    started = time.perf_counter()
    if source is not None:
        shutil.copytree(source, store)
    else:
        _run("init", store=store)
    if territories:
        data = folder / f"synthetic-{territories}.nq"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"),
             "--territories", str(territories), "--out", str(data)],
            check=True, stdout=subprocess.DEVNULL, env=_env(),
        )
        _run("load", "--bulk", data, store=store)
    out.write(f"store ready in {time.perf_counter() - started:.1f} s"
              f" ({territories or 'no'} synthetic territories)\n")
    return store


@contextmanager
def running_server(store: Path, admin_token: str, log: Path) -> Iterator[str]:
    """``rightsgraph serve`` over ``store`` on a free loopback port; yields its URL and stops it
    on exit (SIGTERM, then SIGKILL). Raises ``RuntimeError`` with the log's tail when it does not
    answer ``/health`` within 60 s."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as handle:
        proc = subprocess.Popen(
            [*CLI, "--store", str(store), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=handle, stderr=subprocess.STDOUT,
            env=_env({"RIGHTSGRAPH_ADMIN_TOKEN": admin_token}),
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    text = log.read_text(encoding="utf-8", errors="replace")
                    tail = "\n".join(text.splitlines()[-30:])
                    raise RuntimeError(f"the server did not start:\n{tail}")
                try:
                    if httpx.get(url + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- the clients --------------------------------------------------------------------------------
@dataclass
class Tally:
    """What one kind of request got: latencies of answered requests (seconds) and statuses."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    #: A few failed requests, to say what went wrong.
    examples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def too_many(self) -> int:
        return self.statuses["429"]

    def errors(self) -> dict[str, int]:
        """Failures other than the concurrency limit's 429: statuses >= 400 and transport errors."""
        return {
            k: v for k, v in sorted(self.statuses.items())
            if k != "429" and not (k.isdigit() and int(k) < 400)
        }


@dataclass
class Plan:
    """Everything a client needs: where, with which tokens, and what to ask."""

    url: str
    admin_token: str
    territory_token: str
    seconds: float
    rng_seed: int
    counter: Iterator[int]


#: kind, label (which question, query or page), method, path, httpx keyword arguments
Request = tuple[str, str, str, str, dict[str, object]]


def pick(rng: random.Random, plan: Plan) -> Request:
    """One request, drawn with :data:`WEIGHTS`."""
    kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    if kind == "question":
        name, params = rng.choice(list(QUESTIONS.items()))
        return kind, name, "GET", f"/api/queries/{name}", {"params": params}
    if kind == "sparql":
        name = rng.choice(list(SPARQL))
        query = SPARQL[name]
        if rng.random() < 0.5:
            return kind, name, "GET", "/sparql", {
                "params": {"query": query},
                "headers": {"Accept": "application/sparql-results+json"},
            }
        return kind, name, "POST", "/sparql", {
            "content": query.encode("utf-8"),
            "headers": {"Content-Type": "application/sparql-query",
                        "Accept": "application/sparql-results+json"},
        }
    if kind == "page":
        path, params = rng.choice(PAGES)
        return kind, path, "GET", path, {"params": params, "headers": {"Accept": "text/html"}}
    number = next(plan.counter)
    admin = rng.random() < 0.2
    body = submission_csv(number, territory=ADMIN_TERRITORY_NAME if admin else TERRITORY_NAME)
    token = plan.admin_token if admin else plan.territory_token
    return kind, "admin" if admin else "territory", "POST", "/api/submissions", {
        "params": {"dry_run": "true"} if kind == "dry_run" else {},
        "content": body,
        "headers": {"Content-Type": "text/csv", "Authorization": f"Bearer {token}"},
    }


async def client(
    index: int,
    plan: Plan,
    tallies: dict[str, Tally],
    labels: dict[str, Tally],
    local_address: str | None,
) -> None:
    """One user: a request at a time until the time is up."""
    rng = random.Random(plan.rng_seed * 1000 + index)
    transport = httpx.AsyncHTTPTransport(local_address=local_address)
    limits = httpx.Limits(max_connections=1)
    stop = time.monotonic() + plan.seconds
    async with httpx.AsyncClient(
        base_url=plan.url, transport=transport, limits=limits, timeout=120
    ) as http:
        while time.monotonic() < stop:
            kind, label, method, path, kwargs = pick(rng, plan)
            tally = tallies[kind]
            by_label = labels.setdefault(f"{kind} {label}", Tally())
            started = time.perf_counter()
            try:
                answer = await http.request(method, path, **kwargs)  # type: ignore[arg-type]
            except httpx.HTTPError as exc:
                tally.statuses[type(exc).__name__] += 1
                if len(tally.examples) < 3:
                    tally.examples.append(
                        f"{method} {path}: {type(exc).__name__} after"
                        f" {time.perf_counter() - started:.2f} s: {exc}"
                    )
                continue
            tally.statuses[str(answer.status_code)] += 1
            by_label.statuses[str(answer.status_code)] += 1
            if answer.status_code == 429:
                wait = answer.headers.get("retry-after", "1")
                await asyncio.sleep(min(1.0, float(wait) if wait.isdigit() else 1.0))
                continue
            tally.latencies.append(time.perf_counter() - started)
            by_label.latencies.append(tally.latencies[-1])
            if answer.status_code >= 400 and len(tally.examples) < 3:
                tally.examples.append(f"{method} {path} -> {answer.status_code}: "
                                      f"{answer.text[:300]}")


def warm_up(plan: Plan, out: TextIO) -> None:
    """Every question, query and page once and a dry run, one at a time: first-use costs (the
    shapes compiled, the questions parsed) then stay out of the figures. Statuses are printed,
    not judged (the run itself judges)."""
    requests: list[tuple[str, str, dict[str, object]]] = []
    for name, params in QUESTIONS.items():
        requests.append(("GET", f"/api/queries/{name}", {"params": params}))
    for query in SPARQL.values():
        requests.append(("POST", "/sparql", {
            "content": query.encode("utf-8"),
            "headers": {"Content-Type": "application/sparql-query"},
        }))
    for path, params in PAGES:
        requests.append(("GET", path, {"params": params}))
    requests.append(("POST", "/api/submissions", {
        "params": {"dry_run": "true"},
        "content": submission_csv(0),
        "headers": {"Content-Type": "text/csv",
                    "Authorization": f"Bearer {plan.territory_token}"},
    }))
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    with httpx.Client(base_url=plan.url, timeout=300) as http:
        for method, path, kwargs in requests:
            statuses[http.request(method, path, **kwargs).status_code] += 1  # type: ignore[arg-type]
    out.write(f"warm-up: {len(requests)} requests in {time.perf_counter() - started:.1f} s,"
              f" statuses {dict(sorted(statuses.items()))}\n")


async def run_clients(
    plan: Plan, clients: int, *, one_address: bool
) -> tuple[dict[str, Tally], dict[str, Tally], float]:
    """All clients at once; returns the tallies by kind and by label (which question, query,
    page) and the seconds it took."""
    tallies = {kind: Tally() for kind in WEIGHTS}
    labels: dict[str, Tally] = {}
    started = time.perf_counter()
    await asyncio.gather(*(
        client(i, plan, tallies, labels, None if one_address else f"127.0.0.{2 + i % 250}")
        for i in range(clients)
    ))
    return tallies, labels, time.perf_counter() - started


# -- the figures ----------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def table(tallies: dict[str, Tally], seconds: float, *, total: bool = True) -> str:
    """The figures, one line per kind (and a total line)."""
    width = max(10, *(len(k) for k in tallies))
    lines = [
        f"{'kind':{width}} {'requests':>9} {'429':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'req/s':>7}  errors"
    ]
    everything = Tally()
    for kind, tally in [*tallies.items(), *([("all", everything)] if total else [])]:
        if kind != "all":
            everything.latencies += tally.latencies
            everything.statuses.update(tally.statuses)
        errors = ", ".join(f"{k}: {v}" for k, v in tally.errors().items()) or "none"
        lines.append(
            f"{kind:{width}} {tally.requests:9} {tally.too_many:6}"
            f" {percentile(tally.latencies, 50) * 1000:8.1f}"
            f" {percentile(tally.latencies, 95) * 1000:8.1f}"
            f" {percentile(tally.latencies, 99) * 1000:8.1f}"
            f" {tally.requests / seconds if seconds else 0:7.1f}  {errors}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the load test; returns 1 when there were errors other than 429s, else 0.

    Raises ``subprocess.CalledProcessError`` when the store cannot be built and ``RuntimeError``
    when the server does not start."""
    out = out or sys.stdout
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--seconds", type=float, default=60, help="how long to run (60)")
    parser.add_argument("--territories", type=int, default=0,
                        help="synthetic territories to load besides the example data (0)")
    parser.add_argument("--store", type=Path,
                        help="copy this store instead of running `rightsgraph init`")
    parser.add_argument("--one-address", action="store_true",
                        help="every client from 127.0.0.1 (the per-client limit then answers 429)")
    parser.add_argument("--server-log", type=Path,
                        help="write the server's log here (default: a temporary file)")
    parser.add_argument("--by-name", action="store_true",
                        help="also print the figures of each question, query, page and token")
    parser.add_argument("--warm-up", action="store_true",
                        help="send every request once, one at a time, before the clients start")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the clients (0)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.territories < 0:
        parser.error("--clients must be >= 1, --seconds > 0 and --territories >= 0")

    from rightsgraph.service.tokens import create_token

    # ignore_cleanup_errors: the store worker of a stopped server may still be closing its files
    with tempfile.TemporaryDirectory(prefix="rightsgraph-load-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        store = build_store(folder, source=args.store, territories=args.territories, out=out)
        _, territory_token = create_token(store, TERRITORY_KEY, note="load test")
        admin_token = secrets.token_urlsafe(32)
        log_path = args.server_log or folder / "server.log"
        with running_server(store, admin_token, log_path) as url:
            counter = iter(range(1, 1 << 62))
            plan = Plan(url, admin_token, territory_token, args.seconds, args.seed, counter)
            if args.warm_up:
                warm_up(plan, out)
            out.write(f"{args.clients} clients for {args.seconds:g} s against {url}"
                      f" ({'one address' if args.one_address else 'one address each'})\n")
            tallies, labels, seconds = asyncio.run(
                run_clients(plan, args.clients, one_address=args.one_address)
            )
        out.write(table(tallies, seconds) + "\n")
        if args.by_name:
            out.write("\nby question, query, page and token:\n")
            out.write(table(dict(sorted(labels.items())), seconds, total=False) + "\n")
        failed = {kind: t for kind, t in tallies.items() if t.errors()}
        for kind, tally in failed.items():
            for example in tally.examples:
                out.write(f"  {kind}: {example}\n")
        if failed:
            log = log_path.read_text(encoding="utf-8", errors="replace")
            errors = [line for line in log.splitlines() if "Error" in line or "error" in line]
            out.write("server log, lines that mention errors (last 20):\n")
            out.write("".join(f"  {line}\n" for line in errors[-20:]))
            out.write("FAILED: errors other than 429\n")
        return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
