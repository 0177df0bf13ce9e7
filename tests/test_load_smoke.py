"""The load test (``benchmarks/load_test.py``) as a correctness check, not a timed one.

Its ``main`` runs for 5 seconds with 8 clients against its own ``rightsgraph serve`` (over a copy
of the session's initialised store) and must see no error other than the concurrency limit's
429: questions, SPARQL queries, pages, dry runs and stored submissions all answered while the
others run. A second test sends the very first submissions of a fresh server at the same time.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import secrets
import shutil
import sys
from pathlib import Path
from types import ModuleType

import httpx

from rightsgraph.service.tokens import create_token

LOAD_TEST = Path(__file__).resolve().parents[1] / "benchmarks" / "load_test.py"


def _load_module() -> ModuleType:
    """``benchmarks/load_test.py`` imported from its path (``benchmarks`` is not a package)."""
    spec = importlib.util.spec_from_file_location("rightsgraph_load_test", LOAD_TEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building classes
    spec.loader.exec_module(module)
    return module


load_test = _load_module()


def test_five_seconds_of_eight_clients_without_errors(initialised_store: Path) -> None:
    out = io.StringIO()
    status = load_test.main(
        ["--seconds", "5", "--clients", "8", "--store", str(initialised_store), "--warm-up"],
        out=out,
    )
    report = out.getvalue()
    assert status == 0, report
    rows = {line.split()[0]: line.split() for line in report.splitlines() if line[:1].isalpha()}
    for kind in ("question", "sparql", "page", "dry_run", "submit", "all"):
        assert kind in rows, report
    assert int(rows["all"][1]) > 0, report  # requests were answered
    assert rows["all"][-1] == "none", report  # no error but 429s


def test_the_submission_csv_is_the_template_renamed() -> None:
    body = load_test.submission_csv(7).decode("utf-8").splitlines()
    template = load_test.TEMPLATE.read_text(encoding="utf-8").splitlines()
    assert body[0] == template[0]
    assert len(body) == len(template)
    assert all(line.startswith(load_test.TERRITORY_NAME + ",") for line in body[1:])
    assert "Office for non-discrimination 7," in body[1]


def test_first_submissions_of_a_fresh_server_at_once(
    initialised_store: Path, tmp_path: Path
) -> None:
    """rdflib's SPARQL parser (pyparsing) is not thread-safe (RDFLib/rdflib#1282): before
    ``rightsgraph.parsing.RDFLIB_SPARQL``, two submissions validated at once on a fresh server
    broke pySHACL's SPARQL constraints, and every later submission answered 500."""
    store = tmp_path / "store"
    shutil.copytree(initialised_store, store)
    _, token = create_token(store, load_test.TERRITORY_KEY, note="smoke test")

    async def submit(url: str, number: int) -> int:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            answer = await http.post(
                "/api/submissions",
                params={"dry_run": "true"},
                content=load_test.submission_csv(number),
                headers={"Content-Type": "text/csv", "Authorization": f"Bearer {token}"},
            )
            return answer.status_code

    async def four_at_once(url: str) -> list[int]:
        return list(await asyncio.gather(*(submit(url, n) for n in range(4))))

    admin = secrets.token_urlsafe(16)
    with load_test.running_server(store, admin, tmp_path / "server.log") as url:
        first = asyncio.run(four_at_once(url))
        later = asyncio.run(submit(url, 99))
    assert (first, later) == ([200] * 4, 200)
