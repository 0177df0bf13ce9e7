"""The submissions API over a real socket: ``rightsgraph serve`` with an admin token, on a copy of
the initialised store, driven with httpx. Territory tokens are made with ``service/tokens.py`` in
the server's store folder, as ``rightsgraph token create`` does; the server picks them up at the
next request.

Every test submits files of its own territory (see ``tests/fixtures/api/README.md``), so the
tests do not depend on their order.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook

from conftest import FIXTURES, copy_store, remote_service, run_cli, running_server
from rightsgraph.service import tokens
from rightsgraph.service.cli_tokens import add_token_commands, cmd_token

API = FIXTURES / "api"
GOOD = FIXTURES / "submissions"
ADMIN = "admin-token-for-the-submissions-tests"
LIMIT = 200_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM = "application/problem+json"


@dataclass
class Server:
    url: str
    store: Path

    def post(
        self,
        *,
        token: str | None = ADMIN,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: object,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return httpx.post(
            self.url + "/api/submissions",
            params=params,
            headers=sent,
            timeout=60,
            **kwargs,  # type: ignore[arg-type]
        )

    def upload(self, path: Path, **kwargs: object) -> httpx.Response:
        return self.post(files={"file": (path.name, path.read_bytes())}, **kwargs)  # type: ignore[arg-type]

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def revision(self) -> int:
        return int(self.get("/health").json()["revision"])

    def history(self, key: str) -> httpx.Response:
        return self.get(f"/api/territories/{key}/revisions")


API_ENV = {"RIGHTSGRAPH_ADMIN_TOKEN": ADMIN, "RIGHTSGRAPH_MAX_BODY_BYTES": str(LIMIT)}


@pytest.fixture(scope="session")
def embedded_api(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``rightsgraph serve`` with an admin token and a small body limit, on its own store copy."""
    store = copy_store(initialised_store, tmp_path_factory, "submissions-api")
    with running_server(store, env=API_ENV) as url:
        yield Server(url, store)


@pytest.fixture(scope="session")
def virtuoso_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same with ``--endpoint`` on a private Virtuoso holding the initialised data; the
    territory tokens live in the service's own folder."""
    from rightsgraph.loaders.packaged import init_store

    folder = tmp_path_factory.mktemp("virtuoso-submissions-api")
    with remote_service(folder, init_store, env=API_ENV) as served:
        yield Server(served.url, served.folder)


@pytest.fixture(scope="session")
def api(service_backend: str, request: pytest.FixtureRequest) -> Server:
    """The submissions service on each backend (its own store: the submissions stay there)."""
    server: Server = request.getfixturevalue(f"{service_backend}_api")
    return server


def xlsx_of(path: Path) -> bytes:
    """A workbook with the rows of a CSV fixture, as a spreadsheet would save it."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def current_revision(server: Server, key: str) -> int:
    answer = server.history(key)
    return int(answer.json()["current"]) if answer.status_code == 200 else 0


def assert_problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    body = answer.json()
    assert body["status"] == status
    assert str(body["type"]).startswith("https://w3id.org/rightsgraph/problems/")
    assert body["title"] and body["detail"]
    return dict(body)


# -- good submissions in every format, by upload and as the raw body -------------------------------
GOOD_FILES = {
    "csv": ("good-en.csv", "text/csv"),
    "xlsx": ("good-en.xlsx", XLSX),
    "jsonld": ("good-en.jsonld", "application/ld+json"),
    "turtle": ("good-en.ttl", "text/turtle"),
}


def good_bytes(fmt: str) -> bytes:
    return (
        xlsx_of(GOOD / "good-en.csv") if fmt == "xlsx" else (GOOD / GOOD_FILES[fmt][0]).read_bytes()
    )


@pytest.mark.parametrize("transport", ["multipart", "raw"])
@pytest.mark.parametrize("fmt", list(GOOD_FILES))
def test_good_submission_is_stored(api: Server, fmt: str, transport: str) -> None:
    name, media_type = GOOD_FILES[fmt]
    data = good_bytes(fmt)
    before = current_revision(api, "ca-maple-testville")
    if transport == "multipart":
        answer = api.post(files={"file": (name, data, media_type)})
    elif fmt == "csv":  # the file name from Content-Disposition
        answer = api.post(
            content=data,
            headers={
                "Content-Type": f"{media_type}; charset=utf-8",
                "Content-Disposition": f'attachment; filename="{name}"',
            },
        )
    else:  # the file name from the query
        answer = api.post(
            content=data, headers={"Content-Type": media_type}, params={"filename": name}
        )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "committed" and body["committed"] and body["conforms"]
    assert body["format"] == fmt
    assert body["filename"] == name
    assert body["revision"] == before + 1
    assert body["graph"].endswith("/graph/territory/ca-maple-testville")
    assert answer.headers["location"] == f"/api/submissions/{body['id']}"
    assert body["submission"].endswith(f"/id/submission/{body['id']}")

    stored = api.get(answer.headers["location"])
    assert stored.status_code == 200
    record = stored.json()
    assert record["state"] == "committed"
    assert record["report"]["sha256"] == body["sha256"]
    provenance = record["provenance"]
    assert provenance["file"]["sha256"] == body["sha256"]
    assert provenance["file"]["bytes"] == len(data)
    assert provenance["file"]["name"] == name
    assert provenance["submitted_by"] == "admin"
    assert provenance["revision"] == body["revision"]
    assert provenance["conforms"] is True
    assert provenance["started"] and provenance["ended"]
    assert current_revision(api, "ca-maple-testville") == before + 1


def test_admin_token_and_html_page_of_a_stored_submission(api: Server) -> None:
    answer = api.upload(GOOD / "good-es.csv", headers={"Accept": "text/html"})
    assert answer.status_code == 201
    assert answer.headers["content-type"].startswith("text/html")
    location = answer.headers["location"]
    page = api.get(location, headers={"Accept": "text/html", "Accept-Language": "es"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'lang="es"' in page.text and "guardado en" in html.unescape(page.text)
    forced = api.get(location, params={"format": "json"}, headers={"Accept": "text/html"})
    assert forced.json()["state"] == "committed"


# -- what is refused -------------------------------------------------------------------------------
def test_dry_run_validates_and_writes_nothing(api: Server) -> None:
    before = api.revision()
    answer = api.upload(API / "dry-run.csv", params={"dry_run": "true"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["state"] == "validated" and body["dry_run"] is True
    assert body["conforms"] is True and body["committed"] is False and body["revision"] is None
    assert "location" not in answer.headers
    assert api.revision() == before
    assert api.history("ca-dry-run-testville").status_code == 404
    # the report of an unstored submission is kept, but shown only to its territory or the admin
    assert api.get(f"/api/submissions/{body['id']}").status_code == 404
    kept = api.get(f"/api/submissions/{body['id']}", headers={"Authorization": f"Bearer {ADMIN}"})
    assert kept.status_code == 200
    assert kept.json()["state"] == "validated" and kept.json()["provenance"] is None


def test_dry_run_as_a_form_field(api: Server) -> None:
    before = api.revision()
    path = API / "dry-run.csv"
    answer = api.post(files={"file": (path.name, path.read_bytes())}, data={"dry_run": "on"})
    assert answer.status_code == 200 and answer.json()["dry_run"] is True
    assert api.revision() == before


def test_bad_file_is_422_with_the_whole_report(api: Server) -> None:
    before = api.revision()
    answer = api.upload(API / "bad.csv")
    body = assert_problem(answer, 422)
    assert body["type"] == "https://w3id.org/rightsgraph/problems/validation-failed"
    assert body["state"] == "rejected" and body["conforms"] is False and body["committed"] is False
    assert body["violations"] == 5
    results = body["results"]
    assert isinstance(results, list)
    fields = {r["field"] for r in results if r["severity"] == "Violation"}
    assert {"rights_categories", "start_date", "contact_email"} <= fields
    assert all(r["row"] == 2 for r in results)
    assert any(r.get("value") == "not-an-email" for r in results)
    assert api.revision() == before
    assert api.history("ca-rejected-testville").status_code == 404


def test_unreadable_file_is_400(api: Server) -> None:
    before = api.revision()
    body = assert_problem(api.upload(API / "unreadable.ttl"), 400)
    assert "line 8" in str(body["detail"])
    raw = api.post(content=b"\xff\xfe\x00garbage", headers={"Content-Type": "text/turtle"})
    assert_problem(raw, 400)
    assert_problem(api.post(content=b"", headers={"Content-Type": "text/csv"}), 400)
    assert_problem(
        api.post(content=b"no file", headers={"Content-Type": "multipart/form-data"}), 400
    )
    assert api.revision() == before


def test_too_large_is_413(api: Server) -> None:
    before = api.revision()
    big = b"territory_name,country\n" + b"x" * LIMIT
    assert_problem(api.post(content=big, headers={"Content-Type": "text/csv"}), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        for start in range(0, len(big), 16_384):
            yield big[start : start + 16_384]

    assert_problem(api.post(content=chunks(), headers={"Content-Type": "text/csv"}), 413)
    assert_problem(api.post(files={"file": ("big.csv", big, "text/csv")}), 413)
    assert api.revision() == before


def test_wrong_media_type_is_415(api: Server) -> None:
    data = (API / "dry-run.csv").read_bytes()
    body = assert_problem(api.post(content=data, headers={"Content-Type": "application/xml"}), 415)
    assert "text/csv" in str(body["detail"])
    assert_problem(api.post(content=data), 415)  # no media type at all
    assert_problem(api.post(files={"file": ("old.xls", data, "application/vnd.ms-excel")}), 415)
    french = api.post(content=data, headers={"Content-Type": "image/png", "Accept-Language": "fr"})
    assert "n'est pas accepté" in str(assert_problem(french, 415)["detail"])


# -- tokens ----------------------------------------------------------------------------------------
def test_no_token_is_401(api: Server) -> None:
    answer = api.upload(API / "dry-run.csv", token=None)
    assert_problem(answer, 401)
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert_problem(api.upload(API / "dry-run.csv", token="rgt_not-a-real-token"), 401)
    assert_problem(api.upload(API / "dry-run.csv", token="wrong-admin-token"), 401)


def test_territory_token_writes_its_own_territory(api: Server) -> None:
    record, token = tokens.create_token(api.store, "ca-token-testville", note="tests")
    answer = api.upload(API / "own-territory.csv", token=token)
    assert answer.status_code == 201, answer.text
    stored = api.get(answer.headers["location"]).json()
    assert stored["provenance"]["submitted_by"] == f"token:{record.id}"
    history = api.history("ca-token-testville").json()
    assert [r["number"] for r in history["revisions"]] == [1]
    assert history["revisions"][0]["submitted_by"] == f"token:{record.id}"
    # its dry-run report is visible to it, not to another territory's token
    dry = api.upload(API / "own-territory.csv", token=token, params={"dry_run": "1"}).json()
    path = f"/api/submissions/{dry['id']}"
    assert api.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    _, other = tokens.create_token(api.store, "ca-someone-else")
    assert api.get(path, headers={"Authorization": f"Bearer {other}"}).status_code == 404


def test_token_of_another_territory_is_403_and_writes_nothing(api: Server) -> None:
    _, token = tokens.create_token(api.store, "ca-token-owner-testville")
    before = api.revision()
    for params in ({}, {"dry_run": "true"}):
        answer = api.upload(API / "other-territory.csv", token=token, params=params)
        body = assert_problem(answer, 403)
        assert "ca-forbidden-testville" in str(body["detail"])
        assert "ca-token-owner-testville" in str(body["detail"])
    assert api.revision() == before
    assert api.history("ca-forbidden-testville").status_code == 404
    assert api.history("ca-token-owner-testville").status_code == 404


def test_revoked_token_is_401(api: Server) -> None:
    record, token = tokens.create_token(api.store, "ca-revoked-testville")
    tokens.revoke_token(api.store, record.id)
    assert_problem(api.upload(API / "dry-run.csv", token=token, params={"dry_run": "1"}), 401)


def test_token_file_holds_no_clear_text_token(tmp_path: Path) -> None:
    made = [tokens.create_token(tmp_path, key) for key in ("es-barcelona", "fr-paris")]
    text = (tmp_path / tokens.TOKENS_FILE).read_text(encoding="utf-8")
    for record, token in made:
        assert token.startswith(tokens.TOKEN_PREFIX) and len(token) >= 40
        assert token not in text
        assert token[len(tokens.TOKEN_PREFIX) :] not in text
        assert tokens.hash_token(token) in text and record.id in text
        assert tokens.authenticate(tmp_path, token) == record
    mode = stat.S_IMODE((tmp_path / tokens.TOKENS_FILE).stat().st_mode)
    assert mode == 0o600
    assert not list(tmp_path.glob(".tokens-*"))  # no temporary file left behind
    assert tokens.authenticate(tmp_path, "rgt_guess") is None
    tokens.revoke_token(tmp_path, made[0][0].id)
    assert tokens.authenticate(tmp_path, made[0][1]) is None
    assert tokens.authenticate(tmp_path, made[1][1]) == made[1][0]


def test_token_functions_refuse_bad_input(tmp_path: Path) -> None:
    from rightsgraph.errors import InputError, NotFoundError

    with pytest.raises(InputError):
        tokens.create_token(tmp_path, "Barcelona")
    with pytest.raises(NotFoundError):
        tokens.revoke_token(tmp_path, "t000000000000")
    (tmp_path / tokens.TOKENS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(tokens.TokenFileError):
        tokens.authenticate(tmp_path, "rgt_anything")


def _cli(store: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="rightsgraph")
    parser.add_argument("--store")
    add_token_commands(parser.add_subparsers(dest="command", required=True))
    return cmd_token(parser.parse_args(["--store", str(store), *argv]))


def test_token_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(tmp_path, "token", "create", "--territory", "es-barcelona", "--format", "json") == 0
    made = json.loads(capsys.readouterr().out)
    assert made["territory"] == "es-barcelona" and made["token"].startswith("rgt_")
    assert "sha256" not in made
    assert _cli(tmp_path, "token", "list") == 0
    listing = capsys.readouterr().out
    assert made["id"] in listing and "active" in listing and made["token"] not in listing
    assert _cli(tmp_path, "token", "revoke", made["id"]) == 0
    capsys.readouterr()
    assert _cli(tmp_path, "token", "list", "--format", "json") == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["revoked"] and "sha256" not in entry


def test_token_commands_of_the_rightsgraph_command(tmp_path: Path) -> None:
    """The same commands through ``rightsgraph`` (``service/cli.py`` wires them in)."""
    store = tmp_path / "store"
    made = run_cli("token", "create", "--territory", "es-barcelona", store=store, check=True)
    token = re.search(r"rgt_\S+", made.stdout)
    assert token is not None
    listing = run_cli("token", "list", store=store, check=True).stdout
    assert "es-barcelona" in listing and token.group(0) not in listing
    token_id = listing.split()[0]
    assert run_cli("token", "revoke", token_id, store=store, check=True).returncode == 0
    assert "revoked" in run_cli("token", "list", store=store, check=True).stdout
    bad = run_cli("token", "create", "--territory", "Not A Key", store=store)
    assert bad.returncode == 2 and "territory key" in bad.stderr
    assert run_cli("token", "revoke", "t000000000000", store=store).returncode == 2


# -- history ---------------------------------------------------------------------------------------
def test_resubmission_makes_revision_2_and_the_history_lists_1(api: Server) -> None:
    first = api.upload(API / "resubmit-v1.csv")
    assert first.status_code == 201 and first.json()["revision"] == 1
    second = api.upload(API / "resubmit-v2.csv")
    assert second.status_code == 201 and second.json()["revision"] == 2

    history = api.history("ca-revision-testville")
    assert history.status_code == 200
    body = history.json()
    assert body["current"] == 2
    old, new = body["revisions"]
    assert old["number"] == 1 and old["current"] is False
    assert old["graph"].endswith("/graph/revision/ca-revision-testville/1")
    assert old["submission_id"] == first.json()["id"]
    assert old["filename"] == "resubmit-v1.csv" and old["sha256"] == first.json()["sha256"]
    assert old["time"] and old["format"] == "text/csv"
    assert new["number"] == 2 and new["current"] is True
    assert new["graph"].endswith("/graph/territory/ca-revision-testville")
    assert new["submission_id"] == second.json()["id"]

    superseded = api.get(f"/api/submissions/{first.json()['id']}").json()
    assert superseded["current"] is False
    assert superseded["provenance"]["revision"] == 1
    assert superseded["provenance"]["graph"] == old["graph"]


def test_unknown_submission_and_territory_are_404(api: Server) -> None:
    assert_problem(api.get("/api/submissions/00000000-0000-4000-8000-000000000000"), 404)
    assert_problem(api.get("/api/submissions/not-a-uuid"), 404)
    assert_problem(api.history("ca-nowhere-testville"), 404)
    assert_problem(api.history("Not_A_Key"), 404)


# -- the report in the submitter's language --------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "heading", "verdict"),
    [
        ("fr", "Rapport de contribution", "non conforme"),
        ("es", "Informe del envío", "no conforme"),
    ],
)
def test_html_report_in_the_submitters_language(
    api: Server, lang: str, heading: str, verdict: str
) -> None:
    english = api.upload(API / "bad.csv", params={"lang": "en"}).json()
    localized = api.upload(API / "bad.csv", params={"lang": lang}).json()
    page = api.upload(
        API / "bad.csv",
        headers={
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            "Accept-Language": f"{lang}-XX,{lang};q=0.9,en;q=0.5",
        },
    )
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    text = html.unescape(page.text)
    assert f'<html lang="{lang}">' in page.text
    assert heading in text and verdict in text
    messages = [r["message"] for r in localized["results"]]
    assert messages != [r["message"] for r in english["results"]]
    for message in messages:
        assert message in text
    for result in localized["results"]:
        assert result["field"] in text
        if "value" in result:
            assert result["value"] in text
    for external in ("<script", "<link", " src=", "url("):  # self-contained: nothing to fetch
        assert external not in page.text


def test_html_error_page(api: Server) -> None:
    answer = api.post(
        content=b"x",
        headers={"Content-Type": "image/png", "Accept": "text/html"},
        params={"lang": "es"},
    )
    assert answer.status_code == 415
    assert answer.headers["content-type"].startswith("text/html")
    assert "No se ha podido procesar el envío" in html.unescape(answer.text)


def test_report_log_keeps_stored_reports_and_bounds_the_others(tmp_path: Path) -> None:
    from rightsgraph.service.routers.submissions import RECENT_REPORTS, ReportLog

    log = ReportLog(tmp_path)
    log.save({"id": "kept", "state": "committed", "report": {}})
    for i in range(RECENT_REPORTS + 5):
        log.save({"id": f"r{i}", "state": "rejected", "report": {}})
    assert log.load("kept") is not None
    assert len(list((tmp_path / "reports" / "recent").glob("*.json"))) == RECENT_REPORTS
    assert log.load(f"r{RECENT_REPORTS + 4}") is not None
    assert log.load("nothing") is None
