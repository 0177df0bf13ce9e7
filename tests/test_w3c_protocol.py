"""The W3C SPARQL 1.1 Protocol test suite, run against a real server over a real socket, strictly.

The manifest (``../shared/w3c/sparql11-protocol/manifest.ttl``) is interpreted generically: each
``mf:ProtocolTest`` loads its ``ut:graphData`` (through the Graph Store Protocol), then sends its
``ht:requests`` in order (method, path, headers, body in the declared character encoding) and
checks each ``ht:resp``: ``mf:expectedStatus`` exactly, ``mf:expectedFormat`` as the test's own
name spells it (boolean: SPARQL XML or JSON; tabular: SPARQL XML, JSON, CSV or TSV; RDF: RDF/XML,
Turtle or N-Triples, parsed) and ``mf:expectedBoolean``. Every request carries the admin token so
that the update tests can run.

It runs on both backends through ``admin_service`` (``conftest.py``): ``rightsgraph serve`` with
an admin token over the suite's data, on the embedded store and on a private Virtuoso.
"""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from conftest import ADMIN_MAX_ROWS, ADMIN_TOKEN, Served

W3C = Path(__file__).resolve().parents[2] / "shared" / "w3c"
PROTOCOL = W3C / "sparql11-protocol"
MAX_ROWS = ADMIN_MAX_ROWS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def require(path: Path) -> None:
    """Skip when the W3C suites are absent, except in CI (``CI=true``), where that fails."""
    if path.exists():
        return
    reason = f"the W3C test suites are not at {path} (expected ../shared/w3c next to the repo)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


# -- the suite's data ---------------------------------------------------------------------------
def graph_data(manifest: Graph) -> list[tuple[Path, str]]:
    """Every (file, graph name) that the manifest's ``ut:graphData`` loads (the admin services of
    ``conftest.py`` hold them)."""
    out = []
    for node in manifest.objects(None, UT.graphData):
        file = manifest.value(node, UT.graph)
        label = manifest.value(node, RDFS.label)
        if file is not None and label is not None:
            out.append((Path(str(file).removeprefix("file://")), str(label)))
    return sorted(set(out))


def admin(url: str, sparql: str) -> None:
    """Run an update on the admin server (test set-up)."""
    r = httpx.post(
        url + "/sparql",
        content=sparql.encode("utf-8"),
        headers={
            "content-type": "application/sparql-update",
            "authorization": f"Bearer {ADMIN_TOKEN}",
        },
        timeout=30,
    )
    assert r.status_code in (200, 204), r.text


# -- reading manifests -----------------------------------------------------------------------
def load_manifest(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    for included in g.objects(None, MF.include):
        for item in Collection(g, included):
            g.parse(Path(str(item).removeprefix("file://")), format="turtle")
    return g


def entries(manifest: Graph) -> list[URIRef]:
    """The tests in the order the manifests list them (``mf:entries`` of each manifest)."""
    out: list[URIRef] = []
    for lst in manifest.objects(None, MF.entries):
        out += [URIRef(str(t)) for t in Collection(manifest, lst)]
    return out


STATUS_BY_NAME = {s.phrase.replace(" ", "").replace("-", ""): int(s) for s in HTTPStatus}


def status_matches(expected: URIRef, status: int) -> bool:
    """``hts:StatusCode2xx`` (a class of codes) or a named code such as ``hts:NoContent``."""
    name = str(expected).removeprefix(str(HTS))
    if name.startswith("StatusCode") and name.endswith("xx"):
        return status // 100 == int(name[len("StatusCode")])
    if name not in STATUS_BY_NAME:
        raise AssertionError(f"unknown status term {expected}")
    return STATUS_BY_NAME[name] == status


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: list[URIRef]
    expected_format: str | None = None
    expected_boolean: bool | None = None
    expected_headers: dict[str, str] = field(default_factory=dict)
    expected_body: str | None = None
    expected_location: str | None = None


def headers_of(g: Graph, node: Node | None) -> dict[str, str]:
    out: dict[str, str] = {}
    lst = g.value(node, HT.headers)
    if lst is None:
        return out
    for h in Collection(g, lst):
        out[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
    return out


def requests_of(g: Graph, test: URIRef) -> list[HttpRequest]:
    action = g.value(test, MF.action)
    out = []
    for req in Collection(g, g.value(action, HT.requests)):  # type: ignore[arg-type]
        body = g.value(req, HT.body)
        data = None
        if body is not None:
            encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
            data = str(g.value(body, CNT.chars)).encode(encoding)
        resp = g.value(req, HT.resp)
        boolean = g.value(resp, MF.expectedBoolean)
        fmt = g.value(resp, MF.expectedFormat)
        location = g.value(resp, MF.expectedLocation)
        expected_body = g.value(resp, HT.body)
        out.append(
            HttpRequest(
                method=str(g.value(req, HT.methodName)),
                path=str(g.value(req, HT.absolutePath)),
                headers=headers_of(g, req),
                body=data,
                expected_status=[URIRef(str(s)) for s in g.objects(resp, MF.expectedStatus)],
                expected_format=None if fmt is None else str(fmt),
                expected_boolean=None if boolean is None else str(boolean) == "true",
                expected_headers=headers_of(g, resp),
                expected_body=None
                if expected_body is None
                else str(g.value(expected_body, CNT.chars)),
                expected_location=None if location is None else str(location),
            )
        )
    return out


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


# -- checking answers ------------------------------------------------------------------------
BOOLEAN_MEDIA = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_MEDIA = BOOLEAN_MEDIA | {"text/csv", "text/tab-separated-values"}
RDF_MEDIA = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
}


def read_boolean(response: httpx.Response) -> bool:
    """The answer of an ASK in SPARQL JSON or XML; raises ``AssertionError`` otherwise."""
    media = media_type(response)
    if media == "application/sparql-results+json":
        value = json.loads(response.content)["boolean"]
        assert isinstance(value, bool), f"boolean is {value!r}"
        return value
    if media == "application/sparql-results+xml":
        root = ET.fromstring(response.content)
        element = root.find(f"{SPARQL_RESULTS}boolean")
        assert element is not None and element.text in ("true", "false"), "no <boolean>"
        return element.text == "true"
    raise AssertionError(f"a boolean answer must be SPARQL XML or JSON, not {media!r}")


def check_tabular(response: httpx.Response) -> None:
    media = media_type(response)
    assert media in TABULAR_MEDIA, f"a tabular answer must be SPARQL XML/JSON/CSV/TSV: {media!r}"
    text = response.content.decode("utf-8")
    if media == "application/sparql-results+json":
        data = json.loads(text)
        assert isinstance(data["head"]["vars"], list)
        assert isinstance(data["results"]["bindings"], list)
    elif media == "application/sparql-results+xml":
        root = ET.fromstring(text)
        assert root.find(f"{SPARQL_RESULTS}results") is not None
    else:
        rows = list(csv.reader(io.StringIO(text), delimiter="\t" if "tab" in media else ","))
        assert rows and rows[0], "no header row"


def check_rdf(response: httpx.Response) -> Graph:
    media = media_type(response)
    assert media in RDF_MEDIA, f"an RDF answer must be RDF/XML, Turtle or N-Triples: {media!r}"
    return Graph().parse(data=response.content, format=RDF_MEDIA[media])


def check_response(request: HttpRequest, response: httpx.Response) -> None:
    """Raises ``AssertionError`` naming the first thing that is not as the manifest says."""
    assert any(status_matches(s, response.status_code) for s in request.expected_status), (
        f"status {response.status_code}, expected one of "
        f"{[str(s).removeprefix(str(HTS)) for s in request.expected_status]}: {response.text[:300]}"
    )
    if request.expected_format == "boolean":
        read_boolean(response)
    elif request.expected_format == "tabular":
        check_tabular(response)
    elif request.expected_format == "RDF":
        check_rdf(response)
    elif request.expected_format is not None:
        raise AssertionError(f"unknown expected format {request.expected_format!r}")
    if request.expected_boolean is not None:
        got = read_boolean(response)
        assert got == request.expected_boolean, f"ASK answered {got}"


# -- the runner ------------------------------------------------------------------------------
def send(
    client: httpx.Client,
    url: str,
    prefix: str,
    endpoint: str,
    request: HttpRequest,
    substitutions: dict[str, str],
) -> httpx.Response:
    """Send one manifest request, its path prefix (``/sparql/``, ``/gsp``) replaced by the
    service's ``endpoint`` and template variables (``$LOCATION$``) substituted."""
    path, body = request.path, request.body
    for name, value in substitutions.items():
        path = path.replace(name, value)
        if body is not None:
            body = body.replace(name.encode(), value.encode())
    assert path.startswith(prefix), f"{path} does not start with {prefix}"
    headers = {**request.headers, "authorization": f"Bearer {ADMIN_TOKEN}"}
    target = url + endpoint + path[len(prefix) :]
    return client.send(client.build_request(request.method, target, headers=headers, content=body))


def run_protocol_test(client: httpx.Client, url: str, manifest: Graph, test: URIRef) -> None:
    for file, graph in graph_data_of(manifest, test):
        r = client.put(
            url + "/graph-store",
            params={"graph": graph},
            content=file.read_bytes(),
            headers={
                "content-type": "application/n-triples",
                "authorization": f"Bearer {ADMIN_TOKEN}",
            },
        )
        assert r.status_code in (201, 204), f"loading {graph}: {r.status_code} {r.text}"
    for request in requests_of(manifest, test):
        response = send(client, url, "/sparql/", "/sparql", request, {})
        check_response(request, response)


def graph_data_of(manifest: Graph, test: URIRef) -> list[tuple[Path, str]]:
    out = []
    for node in manifest.objects(test, UT.graphData):
        file, label = manifest.value(node, UT.graph), manifest.value(node, RDFS.label)
        out.append((Path(str(file).removeprefix("file://")), str(label)))
    return out


def test_w3c_sparql_protocol_suite_strict(admin_service: Served) -> None:
    """34 of 34, strictly: exact statuses and result formats, as the manifest says."""
    require(PROTOCOL / "manifest.ttl")
    manifest = load_manifest(PROTOCOL / "manifest.ttl")
    tests = entries(manifest)
    assert len(tests) == 34
    assert all((t, RDF.type, MF.ProtocolTest) in manifest for t in tests)
    failures: dict[str, str] = {}
    with httpx.Client(timeout=30) as client:
        for test in tests:
            try:
                run_protocol_test(client, admin_service.url, manifest, test)
            except AssertionError as exc:
                failures[test.fragment] = str(exc)
    passed = len(tests) - len(failures)
    print(f"\nW3C SPARQL 1.1 Protocol (strict): {passed}/{len(tests)} passed")
    for name, reason in failures.items():
        print(f"  FAIL {name}: {reason}")
    assert not failures, f"{passed}/{len(tests)} passed; failed: {failures}"
    # The server is still up and answers after the whole suite.
    assert httpx.get(admin_service.url + "/health", timeout=5).status_code == 200
