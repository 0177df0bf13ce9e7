"""The embedded store run in a child process, so that a query past its deadline can be stopped.

pyoxigraph cannot cancel a running query: an aggregate or a sort does all its work inside one
call. The service therefore opens the store in a worker process and talks to it over a pipe; when
a query runs past its deadline the worker is killed (the operating system frees its CPU, memory and
the database lock at once) and a fresh one is started on the same folder. Reads that were running
in the killed worker are replayed on the new one; writes are never
interrupted: a kill waits until no write is in flight (writes are short, queries are not).

Every other method of :class:`~rightsgraph.store.oxigraph.OxigraphStore` is forwarded as is, so
the rest of the code sees an ordinary store.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from rightsgraph.errors import QueryTimeoutError, RightsGraphError, StoreError
from rightsgraph.store.base import GraphResult, QueryResult, SelectResult, Term

log = logging.getLogger(__name__)

_BATCH = 1000
_READS = frozenset(
    {
        "query",
        "revision",
        "named_graphs",
        "is_empty",
        "revisions",
        "has_graph",
        "graph_triples",
        "dump",
        "memory_ready",
    }
)


# -- the worker side -----------------------------------------------------------------------
def _pack_error(exc: BaseException) -> tuple[str, str, str, dict[str, Any]]:
    return (type(exc).__module__, type(exc).__qualname__, str(exc), dict(vars(exc)))


def _unpack_error(packed: tuple[str, str, str, dict[str, Any]]) -> BaseException:
    module, name, message, attributes = packed
    import importlib

    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        cls = None
    if isinstance(cls, type) and issubclass(cls, RightsGraphError):
        exc: RightsGraphError = Exception.__new__(cls)
        exc.args = (message,)
        exc.__dict__.update(attributes)
        return exc
    return StoreError(f"the store worker failed: {message}")


def _worker(  # pragma: no cover - runs in the child
    path: str, conn: Connection, memory_reads: bool = True
) -> None:
    """Serve store calls from the parent until told to stop or the pipe closes.

    With ``memory_reads`` the store answers reads from an in-memory copy of the live data, built
    in the background: the worker is ready at once (reads go to disk until the copy is built, and
    writes wait for it), so a large store never runs past the start timeout."""
    from rightsgraph.store.oxigraph import OxigraphStore

    send_lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with send_lock:
            conn.send(message)

    try:
        store = OxigraphStore(path, memory_reads=memory_reads, build_in_background=True)
    except RightsGraphError as exc:
        send(("failed", 0, _pack_error(exc)))
        return
    send(("ready", 0, os.getpid()))

    def handle(request_id: int, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        send(("started", request_id, None))  # the deadline counts from here, not from the queue
        try:
            if method == "query":
                max_rows = kwargs.pop("max_rows", None)
                result = store.query(*args, **kwargs)
                if isinstance(result, bool):
                    send(("value", request_id, result))
                elif isinstance(result, SelectResult):
                    send(("head", request_id, result.variables))
                    batch: list[tuple[Term | None, ...]] = []
                    capped = False
                    for sent, row in enumerate(result.rows):
                        if max_rows is not None and sent >= max_rows:
                            capped = True
                            break
                        batch.append(row)
                        if len(batch) >= _BATCH:
                            send(("rows", request_id, batch))
                            batch = []
                    if batch:
                        send(("rows", request_id, batch))
                    send(("end", request_id, capped))
                else:
                    send(("head", request_id, None))
                    triples: list[ox.Triple] = []
                    capped = False
                    for sent, triple in enumerate(result.triples):
                        if max_rows is not None and sent >= max_rows:
                            capped = True
                            break
                        triples.append(triple)
                        if len(triples) >= _BATCH:
                            send(("rows", request_id, triples))
                            triples = []
                    if triples:
                        send(("rows", request_id, triples))
                    send(("end", request_id, capped))
            elif method == "dump":
                target, fmt, history = args
                with open(target, "wb") as fh:
                    store.dump(fh, format=fmt, history=history)
                send(("value", request_id, None))
            else:
                send(("value", request_id, getattr(store, method)(*args, **kwargs)))
        except Exception as exc:  # every failure goes back to the caller, never kills the worker
            send(("error", request_id, _pack_error(exc)))

    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="store")
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "close":
                break
            _, request_id, method, args, kwargs = message
            pool.submit(handle, request_id, method, args, kwargs)
    finally:
        pool.shutdown(wait=True)
        store.close()
        with contextlib.suppress(OSError):
            send(("closed", 0, None))


# -- the parent side -----------------------------------------------------------------------
@dataclass
class _Call:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    timeout: float | None
    deadline: float | None = None
    inbox: queue.Queue[tuple[str, Any]] = field(default_factory=queue.Queue)
    done: bool = False


class _WorkerDied(Exception):
    """The worker was stopped under a call that may be replayed."""


class IsolatedStore:
    """The store protocol over an :class:`OxigraphStore` living in a child process.

    ``query`` takes two more keywords than the protocol: ``timeout`` (seconds; past it the work is
    stopped and ``QueryTimeoutError`` raised) and ``max_rows`` (a SELECT answer stops there and
    reports ``capped``). ``memory_reads`` (on by default) makes the worker answer reads from an
    in-memory copy of the live data (see ``store/oxigraph.py``). Raises ``StoreLockedError`` at
    start when another process holds the store.
    """

    native_substitutions = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        start_timeout: float = 60.0,
        memory_reads: bool = True,
    ) -> None:
        self.path = Path(path)
        self.memory_reads = memory_reads
        self._revision: int | None = None
        self._broken: str | None = None
        self._generation = 0
        self._ids = itertools.count(1)
        self._calls: dict[int, _Call] = {}
        self._lock = threading.RLock()
        self._start_timeout = start_timeout
        self._closing = False
        self.restarts = 0
        self._start()
        self._watchdog = threading.Thread(target=self._watch, name="store-watchdog", daemon=True)
        self._watchdog.start()

    # -- process management ----------------------------------------------------------------
    def _start(self) -> None:
        # A plain child process (not multiprocessing's spawn, which re-imports the parent's main
        # module) connected by a socket pair; multiprocessing's Connection frames the messages.
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [
                sys.executable, "-m", __name__, str(self.path), str(theirs.fileno()),
                "1" if self.memory_reads else "0",
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        parent = Connection(ours.detach())
        try:
            if not parent.poll(self._start_timeout):
                process.kill()
                raise StoreError(f"the store worker did not start in {self._start_timeout:.0f} s")
            kind, _, payload = parent.recv()
        except (EOFError, OSError):
            process.wait(5)
            raise StoreError(f"the store worker for {self.path} exited at start") from None
        if kind == "failed":
            process.wait(5)
            raise _unpack_error(payload)
        self._conn = parent
        self._process = process
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(
            target=self._read, args=(parent, process), name="store-reader", daemon=True
        )
        self._reader.start()

    def _read(self, conn: Connection, process: Any) -> None:
        while True:
            try:
                kind, request_id, payload = conn.recv()
            except (EOFError, OSError):
                break
            if kind == "closed":
                break
            with self._lock:
                call = self._calls.get(request_id)
                if call is not None and kind == "started":
                    if call.timeout:
                        call.deadline = time.monotonic() + call.timeout
                    continue
            if call is not None:
                call.inbox.put((kind, payload))
        # The worker is gone: calls still waiting on it are replayed or failed by whoever killed it.
        with self._lock:
            if self._process is process and not self._closing:
                log.error("the store worker exited unexpectedly; starting a new one")
                self._restart_locked(reason=None)

    def _restart_locked(self, *, reason: int | None) -> None:
        """Kill the worker, fail ``reason`` with a timeout, replay or fail the other calls."""
        old = self._process
        with contextlib.suppress(OSError):
            old.kill()
        old.wait(10)
        with contextlib.suppress(OSError):
            self._conn.close()
        self.restarts += 1
        try:
            self._start()
        except RightsGraphError as exc:
            # No worker: fail everything waiting, and every later call, with one clear error.
            self._broken = f"the store worker could not be restarted: {exc}"
            log.error(self._broken)
            for call in self._calls.values():
                if not call.done:
                    call.inbox.put(("died", None))
            return
        for request_id, call in list(self._calls.items()):
            if call.done:
                continue
            if request_id == reason:
                call.inbox.put(("timeout", None))
            elif call.method in _READS:
                call.inbox.put(("replay", None))
            else:
                call.inbox.put(("died", None))

    def _watch(self) -> None:
        """Stop the worker when a call runs past its deadline and no write is in flight."""
        while not self._closing:
            time.sleep(0.05)
            now = time.monotonic()
            with self._lock:
                late = [
                    (rid, c)
                    for rid, c in self._calls.items()
                    if c.deadline is not None and now > c.deadline and not c.done
                ]
                if not late:
                    continue
                writing = any(
                    c.method not in _READS and not c.done for c in self._calls.values()
                )
                if writing:
                    continue  # try again once the write is through
                rid, call = late[0]
                log.warning("query %s ran past its deadline; stopping the store worker", rid)
                call.deadline = None
                self._restart_locked(reason=rid)

    def _send(self, request_id: int, call: _Call) -> None:
        with self._send_lock:
            self._conn.send(("call", request_id, call.method, call.args, call.kwargs))

    def _submit(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                timeout: float | None) -> tuple[int, _Call]:
        request_id = next(self._ids)
        call = _Call(method, args, kwargs, timeout)
        with self._lock:
            if self._broken is not None:
                raise StoreError(self._broken)
            self._calls[request_id] = call
            try:
                self._send(request_id, call)
            except OSError:
                self._calls.pop(request_id, None)
                raise StoreError("the store worker is not reachable; retry shortly") from None
        return request_id, call

    def _next(self, request_id: int, call: _Call, timeout: float | None) -> tuple[str, Any]:
        kind, payload = call.inbox.get()
        if kind == "timeout":
            self._finish(request_id, call)
            raise QueryTimeoutError(
                f"the query ran past its deadline of {timeout:g} s and was stopped"
                if timeout
                else "the query was stopped"
            )
        if kind == "replay":
            raise _WorkerDied()
        if kind == "died":
            self._finish(request_id, call)
            raise StoreError("the store worker was restarted during this operation; retry it")
        if kind == "error":
            self._finish(request_id, call)
            raise _unpack_error(payload)
        return kind, payload

    def _finish(self, request_id: int, call: _Call) -> None:
        call.done = True
        with self._lock:
            self._calls.pop(request_id, None)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        writes = method not in _READS
        if writes:
            self._forget_revision()  # whatever happens, the next revision() asks the worker
        try:
            for _attempt in range(2):
                request_id, call = self._submit(method, args, kwargs, None)
                try:
                    _, payload = self._next(request_id, call, None)
                except _WorkerDied:
                    self._finish(request_id, call)
                    continue
                self._finish(request_id, call)
                return payload
            raise StoreError(f"the store worker stopped twice during {method}; giving up")
        finally:
            if writes:
                self._forget_revision()

    def _forget_revision(self) -> None:
        with self._lock:
            self._revision = None
            self._generation += 1

    def revision(self) -> int:
        """The revision counter, kept in this process between writes.

        Every write goes through this object (the worker holds the only handle on the store), so
        the cached value is exact; reading it costs nothing, which matters because every GET asks
        for it (ETags) and must not wait behind running queries.
        """
        with self._lock:
            cached, generation = self._revision, self._generation
        if cached is not None:
            return cached
        value = int(self._call("revision"))
        with self._lock:
            if self._generation == generation:  # no write began or ended meanwhile
                self._revision = value
        return value

    # -- the store protocol ----------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        kwargs: dict[str, Any] = {
            "substitutions": dict(substitutions) if substitutions else None,
            "default_graph": list(default_graph) if default_graph is not None else None,
            "named_graphs": list(named_graphs) if named_graphs is not None else None,
            "max_rows": max_rows,
        }
        for _attempt in range(2):  # replayed once if another query's timeout stopped the worker
            request_id, call = self._submit("query", (sparql,), kwargs, timeout)
            try:
                return self._collect(request_id, call, timeout)
            except _WorkerDied:
                self._finish(request_id, call)
        raise StoreError("the store worker stopped twice under this query; retry it later")

    def _collect(self, request_id: int, call: _Call, timeout: float | None) -> QueryResult:
        """Wait for the whole answer (the deadline covers all of the work), then hand it out.

        Answers are bounded by ``max_rows``; waiting for the end is what lets the HTTP layer say
        in a header that an answer was capped, before the first byte of the body.
        """
        kind, payload = self._next(request_id, call, timeout)
        if kind == "value":
            self._finish(request_id, call)
            return bool(payload)
        variables = payload
        items: list[Any] = []
        while True:
            kind, payload = self._next(request_id, call, timeout)
            if kind == "end":
                self._finish(request_id, call)
                break
            items.extend(payload)
        if variables is None:
            return GraphResult(triples=iter(items), capped=bool(payload))
        return SelectResult(variables=list(variables), rows=iter(items), capped=bool(payload))

    def dump(self, output: BinaryIO, *, format: str = "nquads", history: bool = True) -> None:
        fd, name = tempfile.mkstemp(prefix="rightsgraph-dump-", dir=self.path)
        os.close(fd)
        try:
            self._call("dump", name, format, history)
            with open(name, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    output.write(chunk)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)

    def load(self, *args: Any, **kwargs: Any) -> int:
        """Refused: ``OxigraphStore.load`` commits by swapping the database folders, which closes
        and reopens them under the queries the worker is running. A running service takes data
        through the Graph Store Protocol (one transaction per graph) or submissions; bulk loads
        are ``rightsgraph load`` with the service stopped. Raises ``StoreError``."""
        raise StoreError(
            "the store is served: send graphs through the Graph Store Protocol, or stop the "
            "service and run `rightsgraph load`"
        )

    def close(self) -> None:
        with self._lock:
            self._closing = True
        with contextlib.suppress(OSError), self._send_lock:
            self._conn.send(("close",))
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)

    def __getattr__(self, name: str) -> Any:
        """Every other store method (update, load, replace_graph, revision, ...) as is."""
        if name.startswith("_"):
            raise AttributeError(name)

        def forward(*args: Any, **kwargs: Any) -> Any:
            return self._call(name, *args, **kwargs)

        forward.__name__ = name
        return forward


if __name__ == "__main__":  # pragma: no cover - the worker's entry point
    _worker(sys.argv[1], Connection(int(sys.argv[2])), sys.argv[3:4] != ["0"])
