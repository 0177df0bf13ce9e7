"""The processes ``benchmarks/bench.py`` starts, and how it stops them.

Every process (our service, rdflib-endpoint, the in-memory rdflib worker; Virtuoso through
``tests/virtuoso.py``) runs on 127.0.0.1 on a free port, keeps its files under ``var/bench/``, and
is stopped by its process id: by the ``with`` block that started it, and, should that not run
(an error while starting, Ctrl-C, SIGTERM), by the :func:`atexit` hook of :data:`REGISTRY`.
Nothing here is a test: it measures the service through its public interfaces (the command line
and HTTP), so it picks up whatever the service does at run time.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = [sys.executable, "-m", "rightsgraph.service.cli"]
#: pyoxigraph refuses to call port 9 on loopback: federated questions answer without Wikidata.
NO_WIKIDATA = "http://127.0.0.1:9/sparql"
RESULTS_JSON = "application/sparql-results+json"


# -- stopping what we started ------------------------------------------------------------------
class Registry:
    """The processes started and not yet stopped, by pid, so that an exit of any kind stops them."""

    def __init__(self) -> None:
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs[proc.pid] = proc

    def stop(self, proc: subprocess.Popen[bytes], *, grace: float = 15) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; by this process's pid only."""
        with self._lock:
            self._procs.pop(proc.pid, None)
        if proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)

    def stop_all(self) -> None:
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            self.stop(proc, grace=5)


REGISTRY = Registry()
atexit.register(REGISTRY.stop_all)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so that every ``finally`` stops what it started."""
    raise KeyboardInterrupt(f"signal {signum}")


def install_signal_handlers() -> None:
    signal.signal(signal.SIGTERM, _terminated)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our environment for a child: UTF-8, no store or endpoint from the caller's shell, no
    Wikidata (federated questions answer without it), then ``extra``."""
    out = {**os.environ, "PYTHONUTF8": "1", "RIGHTSGRAPH_WIKIDATA_ENDPOINT": NO_WIKIDATA}
    for name in (
        "RIGHTSGRAPH_STORE",
        "RIGHTSGRAPH_ENDPOINT",
        "RIGHTSGRAPH_UPDATE_ENDPOINT",
        "RIGHTSGRAPH_ENDPOINT_USER",
        "RIGHTSGRAPH_ENDPOINT_PASSWORD",
        "RIGHTSGRAPH_ADMIN_TOKEN",
    ):
        out.pop(name, None)
    out.update(extra or {})
    return out


def run_cli(*args: str | Path, store: Path, timeout: float = 7200) -> float:
    """Run ``rightsgraph --store STORE ARGS``; returns its wall-clock seconds.

    Raises ``RuntimeError`` with its output when it fails."""
    command = [*CLI, "--store", str(store), *map(str, args)]
    started = time.perf_counter()
    proc = subprocess.run(
        command, capture_output=True, text=True, env=env(), timeout=timeout, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def started(
    command: Sequence[str],
    *,
    log: Path,
    ready: str,
    startup: float,
    extra_env: Mapping[str, str] | None = None,
    ready_params: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` (output to ``log``), wait until ``ready`` answers 200 and stop it on
    exit. Raises ``RuntimeError`` with the log's tail when it exits or does not answer within
    ``startup`` seconds."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env(extra_env), cwd=log.parent,
        )
    REGISTRY.add(proc)
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {proc.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{ready} did not answer within {startup:g} s:\n{_tail(log)}")
            try:
                answer = httpx.get(ready, params=ready_params, timeout=5)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield proc
    finally:
        REGISTRY.stop(proc)


# -- memory ------------------------------------------------------------------------------------
class MemorySampler:
    """Peak resident set of a process and (``children``) its children, recursively, sampled every
    ``interval`` seconds in a thread until :meth:`stop`."""

    def __init__(
        self, pid: int, *, interval: float = 0.1, children: bool = True, shared: bool = False
    ) -> None:
        self.pid = pid
        self.children = children
        #: Forked children share pages with their parent: count each page once (PSS) then.
        self.shared = shared
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> int:
        """Bytes now; 0 when the process is gone."""
        try:
            root = psutil.Process(self.pid)
            total = self._size(root)
            for child in root.children(recursive=True) if self.children else []:
                with contextlib.suppress(psutil.Error):
                    total += self._size(child)
            return int(total)
        except psutil.Error:
            return 0

    def _size(self, process: psutil.Process) -> int:
        if self.shared:
            return int(process.memory_full_info().pss)
        return int(process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self.samples += 1
            self._stop.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling; returns the peak in bytes."""
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak


# -- timed requests --------------------------------------------------------------------------
@dataclass
class Timed:
    """One timed run: milliseconds, rows of the answer, or what went wrong."""

    ms: float | None
    rows: int | None = None
    status: int | None = None
    etag: str | None = None
    timeout: bool = False
    error: str | None = None


def rows_of(body: bytes) -> int:
    """Rows of a SPARQL JSON answer (1 for an ASK). Raises ``ValueError`` when it is not one."""
    data = json.loads(body)
    if "boolean" in data:
        return 1
    return len(data["results"]["bindings"])


def _detail(body: bytes) -> str:
    """What an error answer says: a problem's ``detail``, else the start of its text."""
    text = body.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:300]
    if isinstance(data, dict):
        return " ".join(str(data.get("detail") or data.get("message") or data).split())[:300]
    return " ".join(text.split())[:300]


def timed_request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    count: bool = True,
) -> Timed:
    """One request, timed from sending to the last byte of the answer."""
    started = time.perf_counter()
    try:
        answer = client.request(method, url, params=params, data=data, headers=headers)
        body = answer.content
    except httpx.TimeoutException:
        return Timed(None, timeout=True, error="timeout")
    except httpx.HTTPError as exc:
        return Timed(None, error=f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - started) * 1000
    etag = answer.headers.get("etag")
    if answer.status_code == 304:
        return Timed(ms, status=304, etag=etag)
    if answer.status_code >= 400:
        # our service answers 503 to a query stopped at its deadline: a run over the limit
        stopped = answer.status_code in (503, 504) and b"time" in body.lower()
        return Timed(None if stopped else ms, status=answer.status_code, timeout=stopped,
                     error=f"HTTP {answer.status_code}: {_detail(body)}")
    rows: int | None = None
    if count:
        try:
            rows = rows_of(body)
        except (ValueError, KeyError, TypeError):
            return Timed(ms, status=answer.status_code,
                         error=f"not SPARQL JSON: {_detail(body)[:200]}")
    return Timed(ms, rows=rows, status=answer.status_code, etag=etag)


def sparql_request(
    client: httpx.Client, endpoint: str, query: str, *, extra: Mapping[str, str] | None = None
) -> Timed:
    """A SPARQL query by GET (POST form when the URL would be long), SPARQL JSON asked."""
    headers = {"Accept": RESULTS_JSON, **(extra or {})}
    if len(query) < 4000:
        return timed_request(client, "GET", endpoint, params={"query": query}, headers=headers)
    return timed_request(client, "POST", endpoint, data={"query": query}, headers=headers)


# -- our service ---------------------------------------------------------------------------------
@dataclass
class Service:
    """A running ``rightsgraph serve``: its URL, process and admin token."""

    name: str
    url: str
    proc: subprocess.Popen[bytes]
    admin_token: str
    client: httpx.Client = field(repr=False)
    ticks: int = 0

    def write(self) -> None:
        """A small write through the API (a Graph Store PUT of a one-triple graph): the store
        revision moves, so any answer cached before is stale. Raises ``RuntimeError`` when the
        service refuses it."""
        self.ticks += 1
        body = (f"<urn:rightsgraph:bench:tick> <urn:rightsgraph:bench:count> "
                f'"{self.ticks}" .\n').encode()
        answer = self.client.put(
            "/graph-store/bench/tick", content=body,
            headers={"Content-Type": "text/turtle",
                     "Authorization": f"Bearer {self.admin_token}"},
        )
        if answer.status_code not in (200, 201, 204):
            raise RuntimeError(f"{self.name}: the write was refused: {answer.status_code} "
                               f"{answer.text[:300]}")


@contextlib.contextmanager
def our_service(
    name: str,
    store: Path,
    *,
    admin_token: str,
    log: Path,
    query_timeout: float,
    endpoint: str | None = None,
    endpoint_env: Mapping[str, str] | None = None,
    client_timeout: float = 600,
) -> Iterator[Service]:
    """``rightsgraph --store STORE serve`` on a free loopback port (``--endpoint`` when given,
    with the update endpoint and credentials in ``endpoint_env``)."""
    port = free_port()
    command = [*CLI, "--store", str(store), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if endpoint:
        command += ["--endpoint", endpoint]
    extra = {
        "RIGHTSGRAPH_ADMIN_TOKEN": admin_token,
        "RIGHTSGRAPH_QUERY_TIMEOUT": str(query_timeout),
        **(endpoint_env or {}),
    }
    url = f"http://127.0.0.1:{port}"
    with (
        started(command, log=log, ready=url + "/health", startup=300, extra_env=extra) as proc,
        httpx.Client(base_url=url, timeout=client_timeout) as client,
    ):
        if not endpoint:
            # The embedded store's worker builds its in-memory copy in the background after a
            # start (reads go to disk meanwhile): measure only once reads come from memory.
            began = time.perf_counter()
            while client.get("/health").json().get("reads") == "building":
                if time.perf_counter() - began > 1800:
                    raise RuntimeError(f"{name}: the in-memory copy was not built in 30 min")
                time.sleep(0.5)
        yield Service(name, url, proc, admin_token, client)


# -- the rdflib peers, in a worker process ---------------------------------------------------------
class RdflibPeer:
    """``benchmarks/bench_rdflib_worker.py``: the files parsed once into a ``Dataset``, then
    either queried in that process (``mode="query"``: plain rdflib in memory, each query stopped
    by ``SIGALRM`` at its limit) or served by rdflib-endpoint's application in uvicorn
    (``mode="endpoint"``: from a child forked from the loaded process, replaced by
    :meth:`restart` after a query over the limit, without parsing the files again)."""

    def __init__(self, mode: str, files: Sequence[Path], *, log: Path, startup: float) -> None:
        self.mode = mode
        self.files = list(files)
        self.log = log
        self.startup = startup
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen[bytes] | None = None
        self.load_seconds: float | None = None
        self.triples: int | None = None
        self.sampler: MemorySampler | None = None
        self.peak_rss = 0
        self._buffer = b""

    def start(self) -> None:
        """Start the worker and wait until it has parsed the files (and serves them).

        Raises ``RuntimeError`` with the log's tail when it does not."""
        command = [sys.executable, str(Path(__file__).with_name("bench_rdflib_worker.py")),
                   self.mode, *([str(self.port)] if self.mode == "endpoint" else []),
                   *map(str, self.files)]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, env=env())
        REGISTRY.add(self.proc)
        # a forked server shares its pages with the parent that parsed the files: count the
        # parent and its server by their proportional set sizes (each page once)
        self.sampler = MemorySampler(self.proc.pid, interval=0.5 if self.mode == "endpoint"
                                     else 0.1, shared=self.mode == "endpoint")
        self._buffer = b""
        ready = self._read(self.startup)
        if ready is None or "loaded" not in ready:
            self.close()
            raise RuntimeError(f"the rdflib {self.mode} worker did not load the files: "
                               f"{ready}\n{_tail(self.log)}")
        self.load_seconds = float(ready["seconds"])
        self.triples = int(ready["loaded"])
        if self.mode == "endpoint":
            self._serving()

    def _serving(self) -> None:
        answer = self._read(self.startup)
        if answer is None or "serving" not in answer:
            self.close()
            raise RuntimeError(f"rdflib-endpoint did not start: {answer}\n{_tail(self.log)}")

    def restart(self) -> None:
        """A fresh server (endpoint mode), after a query it could not stop."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(b"restart\n")
        self.proc.stdin.flush()
        self._serving()

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """The next JSON line from the worker, or None after ``timeout`` seconds (or its exit)."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        value: dict[str, Any] = json.loads(line)
        return value

    def query(self, text: str, *, limit: float) -> Timed:
        """Run ``text`` in the worker (query mode), timed there. Over ``limit`` seconds the
        worker stops the query and the run is reported as a timeout; should the worker not
        answer at all, it is killed and started again."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"query": text, "limit": limit}).encode() + b"\n")
        self.proc.stdin.flush()
        answer = self._read(limit + 60)
        if answer is None:
            self.close()
            return Timed(None, timeout=True, error=f"over {limit:g} s (the worker was killed)")
        if answer.get("timeout"):
            return Timed(None, timeout=True, error=f"over {limit:g} s")
        if "error" in answer:
            return Timed(None, error=str(answer["error"])[:300])
        return Timed(float(answer["ms"]), rows=int(answer["rows"]))

    def close(self) -> None:
        if self.sampler is not None:
            self.peak_rss = max(self.peak_rss, self.sampler.stop())
            self.sampler = None
        if self.proc is not None:
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()
            REGISTRY.stop(self.proc, grace=10)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None
