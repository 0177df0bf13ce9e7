"""Shared fixtures: an initialised store (built once per session and copied per test that writes),
the ``rightsgraph`` command run as a real subprocess, and one real server per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
RIGHTSGRAPH = [sys.executable, "-m", "rightsgraph.service.cli"]


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
    full_env = {**os.environ, "PYTHONUTF8": "1", **(env or {})}
    full_env.pop("RIGHTSGRAPH_STORE", None)
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """``rightsgraph serve`` on a free loopback port over a copy of the initialised store."""
    store = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(initialised_store, store)
    port = free_port()
    log = (store.parent / "server.log").open("w")  # a file: a pipe nobody reads would fill up
    proc = subprocess.Popen(
        [*RIGHTSGRAPH, "--store", str(store), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {(store.parent / 'server.log').read_text()}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError("the server did not start within 30 s")
    yield url, store
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
