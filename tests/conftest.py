"""Shared fixtures: an initialised store (built once per session and copied per test that writes),
the ``rightsgraph`` command run as a real subprocess, and real servers started by
:func:`running_server` (one general-purpose server per session, :func:`server`).

The service-level suites run on both backends through :func:`service` (and the fixtures built the
same way on :func:`service_backend`): ``embedded`` is ``rightsgraph serve`` on a pyoxigraph store,
``virtuoso`` is ``rightsgraph serve --endpoint`` on a private Virtuoso of its own (started once
per session, loaded with the same packaged data by the same ``init_store``). Each service that
writes has its own store on both backends, so no test sees another's writes. Without Virtuoso
the ``virtuoso`` params skip with the reason; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.register_assert_rewrite("virtuoso")  # imported here before pytest loads it as a plugin
from virtuoso import Virtuoso, require_virtuoso, running_virtuoso  # noqa: E402

from rightsgraph.store.base import Store  # noqa: E402
from rightsgraph.store.remote import RemoteStore  # noqa: E402

pytest_plugins = ["virtuoso"]  # tests/virtuoso.py: the Virtuoso server and `backend_store`
FIXTURES = Path(__file__).parent / "fixtures"
RIGHTSGRAPH = [sys.executable, "-m", "rightsgraph.service.cli"]


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a subprocess: ours, UTF-8 I/O, never a store from the user's shell
    (``--store`` names it), then ``extra`` (the settings a test wants)."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("RIGHTSGRAPH_STORE", None)
    env.update(extra or {})
    return env


def run_cli(
    *args: str | Path,
    store: Path | None = None,
    check: bool = False,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess (as a user would), from a neutral working directory."""
    cmd = [*RIGHTSGRAPH]
    if store is not None:
        cmd += ["--store", str(store)]
    cmd += [str(a) for a in args]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(env),
        cwd=Path(__file__).parent,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def initialised_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the ontology, vocabularies, seed and example data, built once."""
    path = tmp_path_factory.mktemp("store") / "store"
    run_cli("init", store=path, check=True)
    return path


@pytest.fixture
def store_copy(initialised_store: Path, tmp_path: Path) -> Path:
    """A private copy of the initialised store for a test that writes."""
    target = tmp_path / "store"
    shutil.copytree(initialised_store, target)
    return target


def copy_store(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Path:
    """A copy of the initialised store in a new folder ``name*`` for a server that writes: the
    server's log goes beside it, and no other server or test sees its changes."""
    store = tmp_path_factory.mktemp(name) / "store"
    shutil.copytree(initialised_store, store)
    return store


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(log: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a server log, to say why a server did not start."""
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _wait_for_health(proc: subprocess.Popen[bytes], url: str, log: Path, startup: float) -> None:
    """Return once ``url``/health answers 200. Raises AssertionError, with the log's tail, if
    the process exits first or ``startup`` seconds pass."""
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"the server did not answer /health within {startup:g} s:\n{_tail(log)}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server: politely (SIGTERM lets it withdraw its note in the store), then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def running_server(
    store: Path,
    *,
    env: Mapping[str, str] | None = None,
    log_name: str = "server.log",
    startup: float = 30,
    endpoint: Virtuoso | None = None,
) -> Iterator[str]:
    """``rightsgraph serve`` over ``store`` on a free 127.0.0.1 port, with ``env`` (e.g.
    ``RIGHTSGRAPH_*`` settings) added to the environment; yields the base URL and stops the
    server (terminate, then kill) on exit.

    With ``endpoint`` the service runs ``--endpoint`` on that Virtuoso (its update endpoint and
    ``dba`` credentials in the environment, as an operator sets them) and ``store`` only holds
    the service's own files (territory tokens, report log).

    Its output goes to ``log_name`` beside the store (a pipe nobody reads would fill up and block
    the server). Raises AssertionError with the log's tail if the server exits or does not answer
    /health within ``startup`` seconds."""
    log_path = store.parent / log_name
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*RIGHTSGRAPH, "--store", str(store), "serve", "--host", "127.0.0.1"]
    settings = dict(env or {})
    if endpoint is not None:
        command += ["--endpoint", endpoint.sparql]
        settings.update(
            RIGHTSGRAPH_UPDATE_ENDPOINT=endpoint.update,
            RIGHTSGRAPH_ENDPOINT_USER=endpoint.user,
            RIGHTSGRAPH_ENDPOINT_PASSWORD=endpoint.password,
        )
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(settings),
            cwd=Path(__file__).parent,
        )
        try:
            _wait_for_health(proc, url, log_path, startup)
            yield url
        finally:
            _stop(proc)


@pytest.fixture(scope="session")
def server(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """``rightsgraph serve`` on a free loopback port over a copy of the initialised store."""
    store = copy_store(initialised_store, tmp_path_factory, "served")
    with running_server(store) as url:
        yield url, store


# -- the service on both backends ------------------------------------------------------------------
@dataclass(frozen=True)
class Served:
    """A running ``rightsgraph serve``: its base URL, its folder (the embedded store, or the
    service's own files beside a remote store), the backend's name and, on Virtuoso, the server."""

    url: str
    folder: Path
    backend: str
    virtuoso: Virtuoso | None = None


#: The service-level backends, with readable test ids (``test_x[embedded]``, ``test_x[virtuoso]``).
SERVICE_BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("virtuoso", id="virtuoso", marks=pytest.mark.virtuoso),
]
#: Buffers of a service's private Virtuoso (8 KiB pages: about 160 MiB at most); the test data
#: are small, and a session may run four of them.
SERVICE_BUFFERS = 20_000


@pytest.fixture(scope="session", params=SERVICE_BACKENDS)
def service_backend(request: pytest.FixtureRequest) -> str:
    """``"embedded"`` or ``"virtuoso"``: the backend the service-level fixtures run on. Session
    scoped, so pytest runs the tests of one backend together and starts each service once."""
    return str(request.param)


@contextmanager
def remote_service(
    folder: Path,
    fill: Callable[[RemoteStore], object],
    *,
    env: Mapping[str, str] | None = None,
    startup: float = 60,
) -> Iterator[Served]:
    """A private Virtuoso in ``folder``, prepared and filled by ``fill`` (e.g. ``init_store``)
    through a :class:`RemoteStore` with the bulk loader, then ``rightsgraph serve --endpoint``
    on it with ``env``. Skips (fails under ``CI=true``) when Virtuoso is not installed."""
    require_virtuoso()
    with running_virtuoso(folder / "virtuoso", buffers=SERVICE_BUFFERS) as database:
        store = database.store()
        try:
            store.prepare()
            fill(store)
        finally:
            store.close()
        own = folder / "service"
        own.mkdir()
        with running_server(own, env=env, endpoint=database, startup=startup) as url:
            yield Served(url, own, "virtuoso", database)


@pytest.fixture(scope="session")
def virtuoso_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``rightsgraph serve --endpoint`` on a Virtuoso holding what ``rightsgraph init`` loads."""
    from rightsgraph.loaders.packaged import init_store

    with remote_service(tmp_path_factory.mktemp("virtuoso-served"), init_store) as served:
        yield served


@pytest.fixture(scope="session")
def service(service_backend: str, request: pytest.FixtureRequest) -> Served:
    """The read-only service on the initialised data, on each backend: the session's
    :func:`server` (embedded), then :func:`virtuoso_service`. Tests must not write through it."""
    if service_backend == "virtuoso":
        served: Served = request.getfixturevalue("virtuoso_service")
        return served
    url, store = request.getfixturevalue("server")
    return Served(url, store, "embedded")


#: The admin token of the services that take writes (the W3C suites, updates, Graph Store writes).
ADMIN_TOKEN = "w3c-suite-admin-token"
#: Row limit of the admin services: small enough that a test can see a capped answer.
ADMIN_MAX_ROWS = 5000
ADMIN_ENV = {"RIGHTSGRAPH_ADMIN_TOKEN": ADMIN_TOKEN, "RIGHTSGRAPH_MAX_ROWS": str(ADMIN_MAX_ROWS)}


def protocol_data(store: Store) -> None:
    """Load the W3C protocol suite's data as the graphs its manifest names (nothing when the
    suites are absent: the tests that need them skip or fail on their own)."""
    import pyoxigraph as ox
    from test_w3c_protocol import PROTOCOL, graph_data, load_manifest

    if (PROTOCOL / "manifest.ttl").exists():
        for file, graph in graph_data(load_manifest(PROTOCOL / "manifest.ttl")):
            store.load(file, format=ox.RdfFormat.N_TRIPLES, graph=graph)


@pytest.fixture(scope="session")
def embedded_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``rightsgraph serve`` with the admin token over a new embedded store holding the protocol
    suite's data."""
    from rightsgraph.store import OxigraphStore

    path = tmp_path_factory.mktemp("admin-server") / "store"
    store = OxigraphStore(path)
    try:
        protocol_data(store)
    finally:
        store.close()
    with running_server(path, env=ADMIN_ENV, startup=60) as url:
        yield Served(url, path, "embedded")


@pytest.fixture(scope="session")
def virtuoso_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The same on a private Virtuoso of its own (the suites ``DROP ALL``)."""
    with remote_service(
        tmp_path_factory.mktemp("virtuoso-admin"), protocol_data, env=ADMIN_ENV
    ) as served:
        yield served


@pytest.fixture(scope="session")
def admin_service(service_backend: str, request: pytest.FixtureRequest) -> Served:
    """The session's admin service on each backend: the protocol suite's data, the admin token
    :data:`ADMIN_TOKEN`, at most :data:`ADMIN_MAX_ROWS` rows an answer. Tests that write use
    graphs of their own and remove them; the W3C Graph Store suite empties it."""
    served: Served = request.getfixturevalue(f"{service_backend}_admin")
    return served


WIKIDATA_FIXTURE = FIXTURES / "wikidata" / "wikidata.ttl"


@pytest.fixture(scope="session")
def wikidata_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding only the Wikidata-shaped fixture, loaded with ``rightsgraph load``."""
    store = tmp_path_factory.mktemp("wikidata") / "store"
    run_cli("load", WIKIDATA_FIXTURE, store=store, check=True)
    return store


@pytest.fixture(scope="session")
def wikidata_endpoint(wikidata_store: Path) -> Iterator[str]:
    """The Wikidata fixture served by ``rightsgraph serve`` on 127.0.0.1: its ``/sparql`` URL.

    Tests use it in place of the Wikidata Query Service (never the live service)."""
    with running_server(wikidata_store, log_name="wikidata-server.log") as url:
        yield url + "/sparql"


#: A loopback address pyoxigraph refuses to call (port 9 is reserved): ``SERVICE`` sent there fails
#: at once, without a packet, and the federated questions (``SERVICE SILENT``) answer without
#: Wikidata's facts.
NO_WIKIDATA = "http://127.0.0.1:9/sparql"


@pytest.fixture(scope="session", autouse=True)
def _no_live_wikidata() -> Iterator[None]:
    """No test reaches the live Wikidata Query Service: for the whole session,
    ``RIGHTSGRAPH_WIKIDATA_ENDPOINT`` (read by the service, the command line and the named
    questions, and inherited by every subprocess) points at :data:`NO_WIKIDATA`, whatever the
    developer's shell says. Tests that want Wikidata's answers pass ``wikidata_endpoint``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RIGHTSGRAPH_WIKIDATA_ENDPOINT", NO_WIKIDATA)
        yield


def same_rows(actual: Sequence[Sequence[Any]], expected: Sequence[Sequence[Any]]) -> None:
    """Rows equal cell by cell and in order, floats to 1e-9, other cells of the same type."""
    assert len(actual) == len(expected), (len(actual), len(expected))
    for index, (a_row, e_row) in enumerate(zip(actual, expected, strict=True)):
        assert len(a_row) == len(e_row), (index, a_row, e_row)
        for a, e in zip(a_row, e_row, strict=True):
            if isinstance(e, float):
                assert isinstance(a, float) and a == pytest.approx(e, rel=1e-9, abs=1e-12), (
                    index, a_row, e_row)
            else:
                assert a == e and type(a) is type(e), (index, a_row, e_row)
