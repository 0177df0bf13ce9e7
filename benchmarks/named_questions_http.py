"""Median latency of named questions over HTTP on the example data.

    python benchmarks/named_questions_http.py [--runs 30]

Builds a temporary store (`rightsgraph init`: ontology, vocabularies, seed and example data),
starts `rightsgraph serve` on a free 127.0.0.1 port, asks each question a few times to warm up,
then prints the median and 90th percentile of `--runs` requests. Stops the server at the end.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

QUESTIONS: dict[str, dict[str, str]] = {
    "territories_by_category_and_group": {},
    "campaign_milestones": {"lang": "fr"},
    "initiatives_by_sdg": {"sdg": "http://metadata.un.org/sdg/11"},
    "territories_without_category": {},
    "territory_overview": {"lang": "es"},
}
CLI = [sys.executable, "-m", "rightsgraph.service.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([*CLI, "--store", str(store), "init"], check=True, capture_output=True)
        port = free_port()
        log = (Path(tmp) / "server.log").open("w")
        server = subprocess.Popen(
            [*CLI, "--store", str(store), "serve", "--port", str(port)], stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(url + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            with httpx.Client(base_url=url, timeout=60) as client:
                print(f"{len(client.get('/api/queries').json())} named questions at {url}")
                for name, params in QUESTIONS.items():
                    for _ in range(3):
                        client.get(f"/api/queries/{name}", params=params).raise_for_status()
                    times = []
                    for _ in range(args.runs):
                        started = time.perf_counter()
                        answer = client.get(f"/api/queries/{name}", params=params)
                        answer.raise_for_status()
                        rows = len(answer.json()["results"]["bindings"])
                        times.append((time.perf_counter() - started) * 1000)
                    p90 = statistics.quantiles(times, n=10)[-1]
                    print(
                        f"{name:36} rows {rows:4}  median {statistics.median(times):7.1f} ms"
                        f"  p90 {p90:7.1f} ms"
                    )
        finally:
            server.terminate()
            server.wait(10)
            log.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
