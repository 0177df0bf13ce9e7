"""pytest plugin: one real OpenLink Virtuoso 7 per test session, and the ``backend_store`` fixture
that runs a test on both backends (the embedded pyoxigraph store and Virtuoso).

The ``virtuoso`` fixture writes a ``virtuoso.ini`` into a temporary folder (the database, its log
and the bulk loader's folder all live there), starts ``virtuoso-t -f`` with it, bound to
127.0.0.1 on two free ports (SQL and HTTP), waits until ``/sparql`` answers, changes the ``dba``
password to a random one, and stops the server by its process id at the end of the session
(SIGTERM, which checkpoints and exits, then SIGKILL if it lingers). Startup takes a few seconds,
so there is one server per session; tests share it and empty it between them
(:func:`clear_virtuoso`).

``backend_store`` is parametrised ``["oxigraph", "virtuoso"]`` and gives each test a fresh, empty
store: a new folder for pyoxigraph, the session's Virtuoso emptied (``RemoteStore.clear``) for the
other. ``backend`` gives the same with helpers (a second empty store, reopening a store).

Where ``virtuoso-t`` is not installed (Debian: ``apt-get install virtuoso-opensource``) the tests
that need it are skipped with that reason, except under ``CI=true``, where they fail: CI must run
both backends.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from rightsgraph.store import OxigraphStore
from rightsgraph.store.base import Store
from rightsgraph.store.remote import RemoteStore

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
#: Rows one SELECT may return before Virtuoso stops (ResultSetMaxRows); the remote store is told
#: the same number so that it can flag a capped answer.
MAX_ROWS = 20_000
STARTUP_SECONDS = 90

INI = """\
; Written by tests/virtuoso.py for one test session: loopback only, data in this folder.
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
; the bulk loader (ld_dir) may only read files under these folders
DirsAllowed = ., {load}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
; sized for a 2-core machine with 24 GiB: 8 KiB pages, about 1 GiB of buffers at most
MaxQueryMem = 1G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
; the row cap of one answer: Virtuoso stops there silently (the remote store detects it)
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 120
DeferInferenceRulesInit = 0
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its URLs, its SQL (isql) port and the ``dba`` credentials."""

    folder: Path
    pid: int
    http_port: int
    sql_port: int
    user: str
    password: str
    load_dir: Path
    max_rows: int = MAX_ROWS

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The anonymous query endpoint (user ``SPARQL``: sees the live graphs only)."""
        return self.base + "/sparql"

    @property
    def update(self) -> str:
        """The authenticated endpoint (HTTP digest) that runs updates."""
        return self.base + "/sparql-auth"

    @property
    def graph_store(self) -> str:
        """The authenticated Graph Store Protocol endpoint."""
        return self.base + "/sparql-graph-crud-auth"

    @property
    def isql_address(self) -> str:
        return f"127.0.0.1:{self.sql_port}"

    def store(self, **options: object) -> RemoteStore:
        """A :class:`RemoteStore` on this server (``options`` go to its constructor)."""
        kwargs: dict[str, object] = {
            "update_endpoint": self.update,
            "graph_store_endpoint": self.graph_store,
            "user": self.user,
            "password": self.password,
            "max_rows": self.max_rows,
            "isql": self.isql_address,
            "load_dir": self.load_dir,
        }
        kwargs.update(options)
        return RemoteStore(self.sparql, **kwargs)  # type: ignore[arg-type,unused-ignore]

    def isql(self, sql: str, *, timeout: float = 120) -> str:
        """Run SQL statements (``;``-separated) through ``isql-vt``; returns its output.

        Raises AssertionError when isql reports an error."""
        return run_isql(self.isql_address, self.user, self.password, sql, timeout=timeout)


def run_isql(address: str, user: str, password: str, sql: str, *, timeout: float = 120) -> str:
    """``isql-vt`` with ``sql`` on its standard input. The password has to be an argument (isql
    takes it no other way): acceptable for a private, loopback-only test instance.

    Raises AssertionError when isql exits with an error or reports one."""
    proc = subprocess.run(
        [ISQL, address, user, password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"],
        input=sql if sql.rstrip().endswith(";") else sql + ";",
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 or "*** Error" in output:
        raise AssertionError(f"isql failed ({proc.returncode}):\n{output}")
    return output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Virtuoso checkpoints and exits), then SIGKILL after 20 s; by process id only."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or None when it can."""
    for tool in (VIRTUOSO, ISQL):
        if shutil.which(tool) is None:
            return (
                f"{tool} is not installed (Debian package virtuoso-opensource): "
                "the tests on the Virtuoso backend cannot run"
            )
    return None


def require_virtuoso() -> None:
    """Skip the calling test when Virtuoso is missing; fail instead under ``CI=true``."""
    reason = virtuoso_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true: both backends must be tested)")
    pytest.skip(reason)


@contextlib.contextmanager
def running_virtuoso(
    folder: Path, *, max_rows: int = MAX_ROWS, buffers: int = 100_000
) -> Iterator[Virtuoso]:
    """Start a private Virtuoso in ``folder`` and stop it (by its pid) on exit.

    ``buffers`` is NumberOfBuffers (8 KiB pages; 100,000 is about 800 MiB at most, enough for a
    few million triples). Raises AssertionError, with the log's tail, when it does not answer
    within ``STARTUP_SECONDS``."""
    db = folder / "db"
    load = folder / "load"
    db.mkdir(parents=True, exist_ok=True)
    load.mkdir(exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    while sql_port == http_port:
        sql_port = _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        INI.format(
            db=db,
            load=load,
            sql_port=sql_port,
            http_port=http_port,
            max_rows=max_rows,
            buffers=buffers,
            dirty=buffers * 3 // 4,
        ),
        encoding="utf-8",
    )
    log_path = folder / "virtuoso.out"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [VIRTUOSO, "-f", "-c", str(ini)],
            cwd=db,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_until_answering(proc, f"http://127.0.0.1:{http_port}/sparql", db / "virtuoso.log")
        password = secrets.token_hex(16)
        run_isql(f"127.0.0.1:{sql_port}", "dba", "dba", f"USER_SET_PASSWORD('dba', '{password}');")
        yield Virtuoso(
            folder=folder,
            pid=proc.pid,
            http_port=http_port,
            sql_port=sql_port,
            user="dba",
            password=password,
            load_dir=load,
            max_rows=max_rows,
        )
    finally:
        _stop(proc)


def _wait_until_answering(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"virtuoso-t exited with {proc.returncode}:\n{_tail(log)}")
        try:
            answer = httpx.get(url, params={"query": "ASK {}"}, timeout=2)
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    _stop(proc)
    raise AssertionError(f"Virtuoso did not answer {url} within {STARTUP_SECONDS} s:\n{_tail(log)}")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """One Virtuoso for the whole session, prepared for the remote store (graph-level security
    that hides the history graphs from the query endpoint)."""
    require_virtuoso()
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        store = server.store()
        store.prepare()
        store.close()
        yield server


def clear_virtuoso(server: Virtuoso) -> None:
    """Remove every graph the tests wrote (Virtuoso's own system graphs stay), so that the next
    test starts from an empty store without restarting the server."""
    store = server.store()
    try:
        store.clear()
    finally:
        store.close()
    _STATE.pop("packaged", None)


#: What the session's Virtuoso holds now (``"packaged"``: the revision at which the packaged data
#: was loaded; it is loaded again when a test has emptied the server or written to it since).
_STATE: dict[str, object] = {}

BACKENDS = ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)]


@dataclass
class Backend:
    """One backend for a test: ``store`` is empty when the test starts."""

    name: str
    folder: Path
    server: Virtuoso | None = None
    opened: list[Store] = field(default_factory=list)

    def fresh(self) -> Store:
        """Another empty store (pyoxigraph: a new folder; Virtuoso: the server emptied, so the
        previous store of the test sees the same, now empty, data)."""
        if self.server is None:
            store: Store = OxigraphStore(self.folder / f"store{len(self.opened)}")
        else:
            clear_virtuoso(self.server)
            store = self.server.store()
        self.opened.append(store)
        return store

    def reopen(self, store: Store) -> Store:
        """Close ``store`` and open the same data again (a restart of the process)."""
        store.close()
        again: Store
        if isinstance(store, OxigraphStore):
            again = OxigraphStore(store.path)
        else:
            assert self.server is not None
            again = self.server.store()
        self.opened.append(again)
        return again

    def close(self) -> None:
        for store in self.opened:
            with contextlib.suppress(AttributeError):  # an OxigraphStore closed already
                store.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The backend a test runs on (see ``backend_store``)."""
    server = request.getfixturevalue("virtuoso") if request.param == "virtuoso" else None
    chosen = Backend(name=str(request.param), folder=tmp_path, server=server)
    chosen.fresh()
    yield chosen
    chosen.close()


@pytest.fixture
def backend_store(backend: Backend) -> Store:
    """A fresh, empty store on each backend: ``OxigraphStore`` in a temporary folder, then
    ``RemoteStore`` on the session's Virtuoso (emptied first)."""
    return backend.opened[0]


@pytest.fixture
def packaged_virtuoso(virtuoso: Virtuoso) -> Iterator[RemoteStore]:
    """A RemoteStore holding the packaged data (``init``), loaded once and kept until a test
    empties the server."""
    from rightsgraph.loaders.packaged import init_store

    store = virtuoso.store()
    if _STATE.get("packaged") != store.revision():  # another test wrote since
        store.clear()
        init_store(store)
        _STATE["packaged"] = store.revision()
    yield store
    store.close()
