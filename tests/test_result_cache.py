"""The result cache (``service/result_cache.py``) over a real socket, on both backends.

One service per backend for this module: the app of ``rightsgraph serve`` (``create_app``) run
by uvicorn in a thread on a free 127.0.0.1 port, with the admin token and a small result cache
installed before the first request (64 KiB, entries up to 16 KiB) so that the byte bound can be
seen at work. Embedded: a copy of the initialised store, opened in its worker process as
``rightsgraph serve`` does. Virtuoso: a private Virtuoso holding the same packaged data.

That an answer came from the cache is proved by the service's metrics, not by timing: a hit
increments ``rightsgraph_result_cache_total{outcome="hit"}`` and runs no query
(``rightsgraph_queries_total`` does not move).
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from virtuoso import require_virtuoso, running_virtuoso

from conftest import FIXTURES, SERVICE_BUFFERS, copy_store, free_port
from rightsgraph.service.app import create_app
from rightsgraph.service.result_cache import ResultCache, deterministic
from rightsgraph.service.settings import Settings
from rightsgraph.store.base import Store

ADMIN = "admin-token-for-the-result-cache-tests"
MAX_BYTES = 64 * 1024
MAX_ENTRY = 16 * 1024
TERRITORY = "https://w3id.org/rightsgraph/ontology#Territory"
PROBE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SPARQL_RESULTS = "application/sparql-results+json"


# -- the service ---------------------------------------------------------------------------------
@dataclass
class Cached:
    url: str
    backend: str

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=60, **kwargs)  # type: ignore[arg-type]

    def query(self, text: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.get("/sparql", params={"query": text}, headers=headers or {})

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.post(self.url + path, timeout=60, **kwargs)  # type: ignore[arg-type]

    def update(self, text: str) -> None:
        answer = self.post(
            "/sparql",
            content=text,
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {ADMIN}",
            },
        )
        assert answer.status_code == 204, answer.text

    def metrics(self) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
        """Every sample of ``/metrics``: name -> {sorted labels: value}."""
        out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
        for family in text_string_to_metric_families(self.get("/metrics").text):
            for sample in family.samples:
                out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
        return out

    def counts(self) -> Counts:
        samples = self.metrics()
        outcomes = {
            (dict(labels)["route"], dict(labels)["outcome"]): value
            for labels, value in samples.get("rightsgraph_result_cache_total", {}).items()
        }
        ran = sum(samples.get("rightsgraph_queries_total", {}).values())
        held = next(iter(samples.get("rightsgraph_result_cache_bytes", {0: 0.0}).values()))
        return Counts(outcomes, ran, held)


@dataclass
class Counts:
    """What the metrics said at one moment: cache outcomes, queries run, bytes held."""

    outcomes: dict[tuple[str, str], float]
    queries: float
    held: float

    def since(self, before: Counts, route: str, outcome: str) -> float:
        key = (route, outcome)
        return self.outcomes.get(key, 0.0) - before.outcomes.get(key, 0.0)


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; stopped on exit."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="result-cache-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the service did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def _app(settings: Settings, store: Store | None = None) -> FastAPI:
    app = create_app(settings, store=store)
    app.state.result_cache = ResultCache(
        max_bytes=MAX_BYTES, max_entry_bytes=MAX_ENTRY, registry=app.state.metrics.registry
    )
    return app


@pytest.fixture(scope="module")
def cached(
    service_backend: str,
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cached]:
    if service_backend == "embedded":
        store = copy_store(initialised_store, tmp_path_factory, "result-cache")
        settings = Settings(store=store, admin_token=ADMIN)
        with serving(_app(settings)) as url:
            yield Cached(url, "embedded")
        return
    from rightsgraph.loaders.packaged import init_store

    require_virtuoso()
    folder = tmp_path_factory.mktemp("result-cache-virtuoso")
    with running_virtuoso(folder / "virtuoso", buffers=SERVICE_BUFFERS) as database:
        remote = database.store()
        try:
            remote.prepare()
            init_store(remote)
            settings = Settings(store=folder / "service", admin_token=ADMIN)
            with serving(_app(settings, store=remote)) as url:
                yield Cached(url, "virtuoso")
        finally:
            remote.close()


# -- repeated queries ----------------------------------------------------------------------------
def test_a_repeated_query_is_answered_from_the_cache(cached: Cached) -> None:
    text = f"SELECT (COUNT(?t) AS ?repeated) WHERE {{ ?t a <{TERRITORY}> }}"
    before = cached.counts()
    first = cached.query(text)
    assert first.status_code == 200, first.text
    after_first = cached.counts()
    assert after_first.since(before, "sparql", "miss") == 1
    assert after_first.since(before, "sparql", "stored") == 1
    assert after_first.queries == before.queries + 1
    tag = first.headers["etag"]
    assert tag.startswith('"rg-') and first.headers["cache-control"] == "public, no-cache"

    again = cached.query(text)
    by_form = cached.post("/sparql", data={"query": text}, headers={"Accept": SPARQL_RESULTS})
    direct = cached.post(
        "/sparql",
        content=text,
        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_RESULTS},
    )
    # the admin token does not change what a query answers: the same entry serves it
    admin = cached.query(text, headers={"Authorization": f"Bearer {ADMIN}"})
    after = cached.counts()
    assert after.since(after_first, "sparql", "hit") == 4
    assert after.queries == after_first.queries  # nothing ran
    for answer in (again, by_form, direct, admin):
        assert answer.status_code == 200
        assert answer.content == first.content
        assert answer.headers["content-type"] == first.headers["content-type"]
        assert answer.headers["vary"].startswith("Accept")
    assert again.headers["etag"] == tag
    assert admin.headers["cache-control"] == "private, no-cache"


def test_a_cached_answer_is_compressed_once_and_served_in_either_coding(cached: Cached) -> None:
    text = f"SELECT ?t ?p ?o WHERE {{ ?t a <{TERRITORY}> ; ?p ?o }} ORDER BY ?t ?p ?o LIMIT 40"
    plain = {"Accept-Encoding": "identity"}
    first = cached.query(text, headers=plain)
    assert len(first.content) > 1024 and "content-encoding" not in first.headers
    before = cached.counts()
    zipped = [cached.query(text, headers={"Accept-Encoding": "gzip"}) for _ in range(2)]
    identity = cached.query(text, headers=plain)
    assert cached.counts().since(before, "sparql", "hit") == 3
    for answer in zipped:
        assert answer.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in answer.headers["vary"]
        assert answer.content == first.content  # httpx undid the gzip
        assert answer.headers["etag"] != first.headers["etag"]  # another coding, another tag
    assert zipped[0].headers["etag"] == zipped[1].headers["etag"]
    assert "content-encoding" not in identity.headers and identity.content == first.content
    assert identity.headers["etag"] == first.headers["etag"]


def test_each_format_has_its_own_entry(cached: Cached) -> None:
    text = f"SELECT ?t WHERE {{ ?t a <{TERRITORY}> }} ORDER BY ?t LIMIT 5"
    formats = [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]
    before = cached.counts()
    firsts = {media: cached.query(text, headers={"Accept": media}) for media in formats}
    middle = cached.counts()
    assert middle.since(before, "sparql", "miss") == len(formats)
    seconds = {media: cached.query(text, headers={"Accept": media}) for media in formats}
    after = cached.counts()
    assert after.since(middle, "sparql", "hit") == len(formats)
    assert after.queries == middle.queries
    for media in formats:
        assert seconds[media].content == firsts[media].content
        assert seconds[media].headers["content-type"].startswith(media)
    assert len({answer.content for answer in firsts.values()}) == len(formats)
    assert len({answer.headers["etag"] for answer in firsts.values()}) == len(formats)

    construct = f"CONSTRUCT {{ ?t a <{TERRITORY}> }} WHERE {{ ?t a <{TERRITORY}> }} LIMIT 3"
    turtle = cached.query(construct, headers={"Accept": "text/turtle"})
    ntriples = cached.query(construct, headers={"Accept": "application/n-triples"})
    assert turtle.content != ntriples.content
    assert cached.query(construct, headers={"Accept": "text/turtle"}).content == turtle.content


def test_if_none_match_gives_304_without_running_the_query(cached: Cached) -> None:
    text = f"ASK {{ ?t a <{TERRITORY}> }}"
    first = cached.query(text)
    tag = first.headers["etag"]
    before = cached.counts()
    for offered in (tag, f"W/{tag}", f'"other", {tag}'):
        answer = cached.query(text, headers={"If-None-Match": offered})
        assert answer.status_code == 304, offered
        assert answer.content == b""
        assert answer.headers["etag"] == tag
    head = httpx.head(cached.url + "/sparql", params={"query": text}, timeout=30)
    assert head.status_code == 200 and head.headers["etag"] == tag and head.content == b""
    # a POST query is not a GET: a matching tag is a failed precondition (RFC 9110 §13.1.2)
    posted = cached.post(
        "/sparql",
        content=text,
        headers={"Content-Type": "application/sparql-query", "If-None-Match": tag},
    )
    assert posted.status_code == 412 and posted.headers["etag"] == tag
    after = cached.counts()
    assert after.since(before, "sparql", "not_modified") == 4
    assert after.queries == before.queries
    other = cached.query(text, headers={"If-None-Match": '"rg-something-else"'})
    assert other.status_code == 200 and other.content == first.content


# -- writes --------------------------------------------------------------------------------------
def _probe(cached: Cached) -> tuple[int, str, Counts]:
    """Ask the probe query: its count, its ETag, and the metrics just before it."""
    before = cached.counts()
    answer = cached.query(PROBE)
    assert answer.status_code == 200, answer.text
    value = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    return value, answer.headers["etag"], before


def _assert_missed_after_write(cached: Cached, old_count: int, old_tag: str) -> tuple[int, str]:
    count, tag, before = _probe(cached)
    after = cached.counts()
    assert after.since(before, "sparql", "miss") == 1, "the write did not invalidate the entry"
    assert after.since(before, "sparql", "hit") == 0
    assert count != old_count and tag != old_tag
    stale = cached.query(PROBE, headers={"If-None-Match": old_tag})
    assert stale.status_code == 200  # the old tag no longer matches
    return count, tag


def test_every_kind_of_write_invalidates(cached: Cached) -> None:
    count, tag, _ = _probe(cached)
    count_again, tag_again, before = _probe(cached)
    assert (count_again, tag_again) == (count, tag)
    assert cached.counts().since(before, "sparql", "hit") == 1

    cached.update(
        "INSERT DATA { GRAPH <urn:rg-cache:update> { <urn:rg-cache:s> <urn:rg-cache:p> 1 } }"
    )
    count, tag = _assert_missed_after_write(cached, count, tag)

    put = cached.post(
        "/graph-store",
        params={"graph": "urn:rg-cache:gsp"},
        content="<urn:rg-cache:s> <urn:rg-cache:p> 2 , 3 .",
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {ADMIN}"},
    )
    assert put.status_code in (201, 204), put.text
    count, tag = _assert_missed_after_write(cached, count, tag)

    replaced = httpx.put(
        cached.url + "/graph-store",
        params={"graph": "urn:rg-cache:gsp"},
        content="<urn:rg-cache:s> <urn:rg-cache:p> 4 .",
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {ADMIN}"},
        timeout=60,
    )
    assert replaced.status_code in (201, 204), replaced.text
    count, tag = _assert_missed_after_write(cached, count, tag)

    good = FIXTURES / "submissions" / "good-en.csv"
    submitted = cached.post(
        "/api/submissions",
        files={"file": (good.name, good.read_bytes(), "text/csv")},
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    assert submitted.status_code == 201, submitted.text
    _assert_missed_after_write(cached, count, tag)


# -- what is never cached -------------------------------------------------------------------------
VOLATILE = [
    "SELECT (NOW() AS ?now) WHERE {}",
    "SELECT (RAND() AS ?r) WHERE {}",
    "SELECT (STRUUID() AS ?u) WHERE {}",
    "SELECT (UUID() AS ?u) WHERE {}",
    "SELECT (BNODE() AS ?b) WHERE {}",
    "SELECT ?s WHERE { SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?p ?o } } LIMIT 1",
]


@pytest.mark.parametrize(
    "text", VOLATILE, ids=["now", "rand", "struuid", "uuid", "bnode", "service"]
)
def test_service_and_volatile_functions_are_never_cached(cached: Cached, text: str) -> None:
    before = cached.counts()
    answers = [cached.query(text) for _ in range(2)]
    after = cached.counts()
    assert after.since(before, "sparql", "uncacheable") == 2
    assert after.since(before, "sparql", "hit") == 0
    assert after.since(before, "sparql", "stored") == 0
    assert after.queries == before.queries + 2  # both ran
    for answer in answers:
        if cached.backend == "embedded":
            assert answer.status_code == 200, answer.text
        if answer.status_code == 200:
            assert answer.headers["cache-control"] == "no-store"
            assert not answer.headers.get("etag", "").startswith('"rg-')


def test_federated_questions_are_never_cached(cached: Cached) -> None:
    before = cached.counts()
    for _ in range(2):
        cached.get("/api/queries/territories_wikidata_facts")
    after = cached.counts()
    assert after.since(before, "questions", "uncacheable") == 2
    assert after.since(before, "questions", "hit") == 0


# -- bounds ---------------------------------------------------------------------------------------
def _numbers(start: int, count: int) -> str:
    values = " ".join(str(n) for n in range(start, start + count))
    return f"SELECT ?i WHERE {{ VALUES ?i {{ {values} }} }}"


def test_the_byte_bound_holds(cached: Cached) -> None:
    texts = [_numbers(1000 * k, 60) for k in range(1, 25)]  # about 5 KB each, 120 KB in all
    for text in texts:
        answer = cached.query(text)
        assert answer.status_code == 200 and 2000 < len(answer.content) < MAX_ENTRY
        assert cached.counts().held <= MAX_BYTES
    before = cached.counts()
    cached.query(texts[-1])
    cached.query(texts[0])  # the least recently used: evicted
    after = cached.counts()
    assert after.since(before, "sparql", "hit") == 1
    assert after.since(before, "sparql", "miss") == 1

    big = _numbers(1, 400)  # over 16 KiB: answered, tagged, not kept
    first = cached.query(big)
    assert len(first.content) > MAX_ENTRY and first.headers["etag"].startswith('"rg-')
    middle = cached.counts()
    assert middle.since(after, "sparql", "too_large") == 1
    again = cached.query(big)
    assert again.content == first.content
    assert cached.counts().since(middle, "sparql", "miss") == 1
    revalidated = cached.query(big, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304  # the tag holds even though the bytes were not kept
    assert cached.counts().held <= MAX_BYTES


# -- dataset parameters ---------------------------------------------------------------------------
def test_no_cross_talk_between_dataset_parameters(cached: Cached) -> None:
    cached.update(
        "INSERT DATA { GRAPH <urn:rg-cache:a> { <urn:rg-cache:x> <urn:rg-cache:in> 'a' } "
        "GRAPH <urn:rg-cache:b> { <urn:rg-cache:x> <urn:rg-cache:in> 'b' } }"
    )
    text = "SELECT ?o WHERE { ?s <urn:rg-cache:in> ?o } ORDER BY ?o"
    named = "SELECT ?g ?o WHERE { GRAPH ?g { ?s <urn:rg-cache:in> ?o } } ORDER BY ?g"
    cases: list[tuple[str, list[tuple[str, str]], list[str]]] = [
        (text, [], ["a", "b"]),
        (text, [("default-graph-uri", "urn:rg-cache:a")], ["a"]),
        (text, [("default-graph-uri", "urn:rg-cache:b")], ["b"]),
        (
            text,
            [("default-graph-uri", "urn:rg-cache:a"), ("default-graph-uri", "urn:rg-cache:b")],
            ["a", "b"],
        ),
        (named, [("named-graph-uri", "urn:rg-cache:a")], ["a"]),
        (named, [("named-graph-uri", "urn:rg-cache:b")], ["b"]),
    ]

    def ask(query: str, dataset: list[tuple[str, str]], post: bool) -> list[str]:
        pairs = [("query", query), *dataset]
        if post:
            answer = cached.post(
                "/sparql",
                content=urlencode(pairs).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            answer = cached.get("/sparql", params=pairs)
        assert answer.status_code == 200, answer.text
        return [b["o"]["value"] for b in answer.json()["results"]["bindings"]]

    for round_ in range(2):
        before = cached.counts()
        for query, dataset, expected in cases:
            assert ask(query, dataset, post=round_ == 1) == expected, (query, dataset)
        after = cached.counts()
        if round_ == 1:  # every second answer came from the cache, each from its own entry
            assert after.since(before, "sparql", "hit") == len(cases)
            assert after.queries == before.queries


# -- named questions ------------------------------------------------------------------------------
def test_named_questions_share_the_cache(cached: Cached) -> None:
    before = cached.counts()
    first = cached.get("/api/queries/pioneers", params={"lang": "fr"})
    again = cached.get("/api/queries/pioneers", params={"lang": "fr"})
    spanish = cached.get("/api/queries/pioneers", params={"lang": "es"})
    as_csv = cached.get("/api/queries/pioneers", params={"lang": "fr", "format": "csv"})
    after = cached.counts()
    assert after.since(before, "questions", "miss") == 3
    assert after.since(before, "questions", "hit") == 1
    assert again.content == first.content
    assert again.headers["content-language"] == "fr"
    tags = {a.headers["etag"] for a in (first, spanish, as_csv)}
    assert len(tags) == 3 and all(t.startswith('"rg-') for t in tags)
    not_modified = cached.get(
        "/api/queries/pioneers",
        params={"lang": "fr"},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert cached.counts().queries == after.queries

    pages = [cached.get("/api/queries/initiatives", params={"page": str(n)}) for n in (1, 2, 1, 2)]
    assert pages[0].headers["etag"] != pages[1].headers["etag"]
    assert pages[2].content == pages[0].content and pages[3].content == pages[1].content
    assert pages[2].headers["link"] == pages[0].headers["link"]


# -- the parts, without a server -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", True),
        ("SELECT ?now WHERE { ?s <urn:now> ?now }", True),
        ("SELECT * WHERE { ?s ?p 'SERVICE NOW() RAND()' } # SERVICE <x> { }", True),
        ("PREFIX ex: <urn:> SELECT (ex:rand(?x) AS ?y) WHERE { ?x ?p ?o }", True),
        ("CONSTRUCT { _:b <urn:p> ?o } WHERE { ?s <urn:p> ?o }", True),
        ("SELECT (now ( ) AS ?t) WHERE {}", False),
        ("SELECT * WHERE { service <https://query.wikidata.org/sparql> { ?s ?p ?o } }", False),
        ("SELECT (BNODE('x') AS ?b) WHERE {}", False),
        ("SELECT (STRUUID() AS ?u) WHERE {}", False),
    ],
)
def test_what_is_deterministic(text: str, expected: bool) -> None:
    assert deterministic(text) is expected


def test_the_cache_is_a_byte_bounded_lru_per_revision() -> None:
    from rightsgraph.service.result_cache import Entry

    cache = ResultCache(max_bytes=10_000, max_entry_bytes=3_000)

    def entry(revision: int, size: int) -> Entry:
        return Entry(revision, "text/csv", (("Vary", "Accept"),), b"x" * size)

    assert not cache.put("big", entry(1, 5_000))  # over the entry bound
    for n in range(6):
        assert cache.put(f"k{n}", entry(1, 2_000))
        assert cache.held_bytes <= 10_000
    assert cache.get("k0", 1) is None and cache.get("k5", 1) is not None  # LRU order
    assert cache.get("k5", 2) is None and len(cache) == 0  # a new revision drops the old entries
    assert not cache.put("late", entry(1, 100))  # an answer of an older revision is not kept

    kept = Entry(2, "text/csv", (), b"row\r\n" * 400)
    assert cache.put("zipped", kept)
    held = cache.held_bytes
    coded = cache.gzipped("zipped", kept)
    assert gzip.decompress(coded) == kept.body and cache.gzipped("zipped", kept) is coded
    assert cache.held_bytes == held + len(coded)  # the coding counts against the bound
    cache.clear()

    errors: list[BaseException] = []

    def hammer(worker: int) -> None:
        try:
            for n in range(300):
                cache.put(f"w{worker}-{n}", entry(2, 500 + n))
                cache.get(f"w{worker}-{n // 2}", 2)
                assert cache.held_bytes <= 10_000
        except AssertionError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cache.held_bytes <= 10_000
