"""Latency of a repeated query over HTTP: first run after a write, repeats answered from the result
cache, and revalidations answered 304.

    python benchmarks/cache_repeat.py [--territories N] [--runs 200] [--first-runs 200]

Builds a temporary store with `rightsgraph init` (ontology, vocabularies, seeds, example data) and,
with ``--territories N``, a synthetic graph from ``benchmarks/generate.py`` loaded with
`rightsgraph load --bulk`. Times the store revision lookup (what every cacheable request asks
first): kept in the service's process, and the round trip to the store worker. Then starts
`rightsgraph serve` (with an admin token) on a free 127.0.0.1 port and, over one keep-alive
connection, for a SPARQL query (``GET /sparql``) and for a named question:

- first runs: a small Graph Store write (a new revision), then the request, ``--first-runs`` times:
  the whole work, as on the first request after a write;
- repeats: the same request ``--runs`` times on the unchanged store (from the result cache);
- revalidations: the same with ``If-None-Match: <its ETag>`` ``--runs`` times (304, no body).

Prints the median and 95th percentile of each (milliseconds, client side, httpx included) and the
service's cache counters from ``/metrics`` (hits, misses, 304s, queries actually run), which show
where the answers came from. The machine is shared: figures are noisy, medians are the ones to
read. Stops the server and removes the store at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
from prometheus_client.parser import text_string_to_metric_families

CLI = [sys.executable, "-m", "rightsgraph.service.cli"]
HERE = Path(__file__).resolve().parent
ADMIN = "cache-repeat-benchmark-token"
#: Counts per rights category: one of the cross-cutting queries of the issue's benchmarks.
QUERY = """PREFIX rg: <https://w3id.org/rightsgraph/ontology#>
SELECT ?category (COUNT(DISTINCT ?initiative) AS ?initiatives)
WHERE { ?initiative rg:addressesRight ?category }
GROUP BY ?category
ORDER BY DESC(?initiatives) ?category"""
QUESTION = ("initiatives_per_category", {"lang": "fr"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True)


def build_store(folder: Path, territories: int) -> Path:
    """The example store, plus ``territories`` synthetic ones when asked."""
    store = folder / "store"
    run(*CLI, "--store", store, "init")
    if territories:
        data = folder / f"synthetic-{territories}.nq"
        run(sys.executable, HERE / "generate.py", "--territories", str(territories), "--out", data)
        run(*CLI, "--store", store, "load", "--bulk", data)
        data.unlink()
    return store


def summary(times: list[float], *, micro: bool = False) -> str:
    """Median and 95th percentile of ``times`` (milliseconds), shown in ms or µs."""
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    scale, unit = (1000.0, "µs") if micro else (1.0, "ms")
    median = statistics.median(times) * scale
    return f"median {median:8.2f} {unit}   p95 {p95 * scale:8.2f} {unit}   (n={len(times)})"


def timed(call: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def revision_costs(store: Path, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds of ``revision()`` kept in the process, and of a round trip to the worker."""
    from rightsgraph.store.isolated import IsolatedStore

    isolated = IsolatedStore(store)
    try:
        isolated.revision()
        kept = timed(isolated.revision, runs)
        # The forwarded call (what revision() does after a write): explicitly through
        # __getattr__, which sends any store method to the worker.
        ask_worker = IsolatedStore.__getattr__(isolated, "revision")
        worker = timed(ask_worker, runs)
    finally:
        isolated.close()
    return kept, worker


def cache_counters(client: httpx.Client) -> dict[str, float]:
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "rightsgraph_result_cache_total":
                key = f"{sample.labels['route']}:{sample.labels['outcome']}"
                out[key] = out.get(key, 0.0) + sample.value
            elif sample.name == "rightsgraph_queries_total":
                out["queries run"] = out.get("queries run", 0.0) + sample.value
    return out


def measure(
    client: httpx.Client,
    label: str,
    path: str,
    params: dict[str, str],
    first_runs: int,
    runs: int,
) -> None:
    """First runs after a write, repeats, and 304 revalidations of one request."""
    counter = iter(range(10**9))

    def write() -> None:
        answer = client.put(
            "/graph-store",
            params={"graph": "urn:benchmark:cache-repeat"},
            content=f"<urn:benchmark:s> <urn:benchmark:p> {next(counter)} .",
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {ADMIN}"},
        )
        answer.raise_for_status()

    def ask(headers: dict[str, str] | None = None, status: int = 200) -> httpx.Response:
        answer = client.get(path, params=params, headers=headers or {})
        if answer.status_code != status:
            raise SystemExit(f"{label}: {answer.status_code} instead of {status}: {answer.text}")
        return answer

    first: list[float] = []
    for _ in range(first_runs):
        write()
        first.extend(timed(ask, 1))
    tag = ask().headers["etag"]
    repeats = timed(ask, runs)
    revalidations = timed(lambda: ask({"If-None-Match": tag}, 304), runs)
    print(f"\n{label}")
    print(f"  first run after a write  {summary(first)}")
    print(f"  repeat (result cache)    {summary(repeats)}")
    print(f"  If-None-Match -> 304     {summary(revalidations)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=0, help="synthetic territories to add")
    parser.add_argument("--runs", type=int, default=200, help="repeats and revalidations")
    parser.add_argument(
        "--first-runs", type=int, default=None, help="first runs after a write (default: --runs)"
    )
    args = parser.parse_args()
    first_runs = args.runs if args.first_runs is None else args.first_runs
    print(
        f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, "
        f"pyoxigraph {getattr(ox, '__version__', '?')}"
    )
    # The store worker may still be closing its files when the server has exited.
    with tempfile.TemporaryDirectory(
        prefix="rightsgraph-cache-bench-", ignore_cleanup_errors=True
    ) as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        store = build_store(folder, args.territories)
        print(
            f"store: example data + {args.territories} synthetic territories, built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        kept, worker = revision_costs(store, args.runs)
        print("\nrevision lookup (in-process, no HTTP)")
        print(f"  kept in the service      {summary(kept, micro=True)}")
        print(f"  asked of the worker      {summary(worker, micro=True)}")

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "RIGHTSGRAPH_ADMIN_TOKEN": ADMIN, "PYTHONUTF8": "1"}
        env.pop("RIGHTSGRAPH_STORE", None)
        with (folder / "server.log").open("w") as log:
            server = subprocess.Popen(
                [*CLI, "--store", str(store), "serve", "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
            try:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if httpx.get(url + "/health", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the server did not start; see its log")
                    time.sleep(0.1)
                with httpx.Client(base_url=url, timeout=600) as client:
                    before = cache_counters(client)
                    measure(
                        client,
                        "GET /sparql (counts per category)",
                        "/sparql",
                        {"query": QUERY},
                        first_runs,
                        args.runs,
                    )
                    name, params = QUESTION
                    measure(
                        client,
                        f"GET /api/queries/{name}",
                        f"/api/queries/{name}",
                        params,
                        first_runs,
                        args.runs,
                    )
                    after = cache_counters(client)
                print("\nservice counters during the run (from /metrics)")
                for key in sorted(after):
                    print(f"  {key:24} {after[key] - before.get(key, 0.0):8.0f}")
            finally:
                server.terminate()
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    shutil.rmtree(tmp, ignore_errors=True)  # whatever the worker left behind
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
