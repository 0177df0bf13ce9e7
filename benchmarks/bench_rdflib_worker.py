"""The two rdflib peers of ``benchmarks/bench.py``, each in its own process.

    python benchmarks/bench_rdflib_worker.py query FILE.nq [FILE.nq ...]
    python benchmarks/bench_rdflib_worker.py endpoint PORT FILE.nq [FILE.nq ...]

Both parse the files into one ``rdflib.Dataset`` with the union default graph (what
``rdflib-endpoint serve`` does) and print ``{"loaded": triples, "seconds": s}`` as one JSON line.

``query``: plain rdflib in memory. Then it reads one JSON line per query (``{"query": text,
"limit": seconds}``) and answers ``{"ms": milliseconds, "rows": n}``, timed here around the
evaluation and the reading of every row; ``{"timeout": true}`` when the query ran over its limit
(rdflib evaluates in Python, so a ``SIGALRM`` stops it); ``{"error": message}`` when it failed.

``endpoint``: rdflib-endpoint's own application (``SparqlEndpoint``, what its command line
serves) in uvicorn on 127.0.0.1:PORT, in a child forked from this process, so that the files are
parsed once: the parent prints ``{"serving": pid}`` once the server answers and, for each
``restart`` line on its standard input, kills the child (a query over the time limit cannot be
stopped otherwise: rdflib-endpoint evaluates in its event loop) and forks a fresh one. Each
child first runs one full scan, untimed, so that the pages it shares with the parent are its own
before any timed query.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from types import FrameType

from pyparsing import ParseException
from rdflib import Dataset
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import SPARQLError

#: What a query may raise in rdflib: reported to the parent, the worker carries on.
FAILURES = (
    ParseException, SPARQLError, ValueError, TypeError, KeyError, AttributeError,
    NotImplementedError, RecursionError,
)
SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class QueryTimeout(Exception):
    """Raised by the ``SIGALRM`` handler in the middle of a query."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise QueryTimeout


def load(paths: list[str]) -> Dataset:
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    for path in paths:
        dataset.parse(path, format="nquads" if path.endswith(".nq") else None)
    # rdflib's SPARQL parser builds its grammar on first use: pay that before any timed query
    list(dataset.query(prepareQuery("ASK { ?s ?p ?o }")))
    print(json.dumps({"loaded": len(dataset), "seconds": time.perf_counter() - started}),
          flush=True)
    return dataset


def serve_queries(dataset: Dataset) -> int:
    """Answer queries from standard input until it closes."""
    signal.signal(signal.SIGALRM, _alarm)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        answer: dict[str, object]
        try:
            signal.setitimer(signal.ITIMER_REAL, float(request.get("limit", 0)))
            began = time.perf_counter()
            result = dataset.query(request["query"])
            rows = 1 if result.type == "ASK" else sum(1 for _ in result)
            answer = {"ms": (time.perf_counter() - began) * 1000, "rows": rows}
        except QueryTimeout:
            answer = {"timeout": True}
        except FAILURES as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        print(json.dumps(answer), flush=True)
    return 0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": "ASK {}"}),
                                    timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _fork_server(dataset: Dataset, port: int) -> int:
    """A child serving ``dataset`` with rdflib-endpoint on ``port``; returns its pid once it
    answers. Raises ``RuntimeError`` when it exits first."""
    gc.freeze()  # the parent's objects stay out of the child's collections (fewer page copies)
    pid = os.fork()
    if pid == 0:  # the child: the same app and server as `rdflib-endpoint serve`
        try:
            import uvicorn
            from rdflib_endpoint import SparqlEndpoint

            list(dataset.query(SCAN))
            uvicorn.run(SparqlEndpoint(graph=dataset, enable_update=False), host="127.0.0.1",
                        port=port, log_level="warning")
        finally:
            os._exit(0)
    url = f"http://127.0.0.1:{port}/"
    while not _answers(url):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            raise RuntimeError("the rdflib-endpoint server exited")
        time.sleep(0.2)
    return pid


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def serve_endpoint(dataset: Dataset, port: int) -> int:
    """Keep one server child running; ``restart`` on standard input replaces it."""
    child = _fork_server(dataset, port)
    try:
        print(json.dumps({"serving": child}), flush=True)
        for line in sys.stdin:
            if line.strip() == "restart":
                _kill(child)
                child = _fork_server(dataset, port)
                print(json.dumps({"serving": child}), flush=True)
    finally:
        _kill(child)
    return 0


def main(argv: list[str]) -> int:
    """``query FILES`` or ``endpoint PORT FILES``; returns the exit status."""
    if len(argv) >= 2 and argv[0] == "query":
        return serve_queries(load(argv[1:]))
    if len(argv) >= 3 and argv[0] == "endpoint":
        return serve_endpoint(load(argv[2:]), int(argv[1]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    raise SystemExit(main(sys.argv[1:]))
