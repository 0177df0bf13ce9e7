"""A response cache for query answers, keyed by the store revision: the same question asked of an
unchanged store is answered from memory, and revalidated by a strong ``ETag``.

Shared by the SPARQL endpoint (``/sparql``, GET and POST, every result format, the dataset
parameters) and the named-question API (``/api/queries/{name}``).

Why it is exact:

- the key is a digest of the store revision and of everything that changes the answer's bytes:
  the query text (after ``BASE`` was added) or the question's name and bound terms, the dataset,
  the negotiated media type, the page, the language of the headers;
- every write (SPARQL update, Graph Store write, submission, load) bumps the store revision, so a
  write makes every earlier key unreachable; entries of another revision are dropped at the first
  lookup that sees the new one;
- an answer is stored only if the revision read after it was computed is the one read before
  (no write committed in between, so the answer belongs to that revision);
- answers that depend on more than the store are never cached nor tagged: queries with
  ``SERVICE`` (federated answers change elsewhere) or with ``NOW``, ``RAND``, ``UUID``,
  ``STRUUID`` or ``BNODE`` calls. Errors and timeouts raise before anything is stored.

The caller's access scope is not part of the key: the admin token only raises a query's deadline
(``QueryEngine.deadline``), it never changes what a query or a question answers.

Where the revision comes from: :meth:`QueryEngine.revision`. With the embedded store the service
runs (:class:`~rightsgraph.store.isolated.IsolatedStore`) it is already kept in the main process
and forgotten on every write, which is exact because the worker holds the only handle on the
store. With a remote store it is asked of the endpoint each time (one small SELECT), because other
clients may write to that endpoint behind the service's back.

The byte bound (default 64 MiB, entries above 4 MiB not kept) can be set with the optional
settings ``result_cache_bytes`` and ``result_cache_entry_bytes``, read when the cache is made.
An entry also keeps its gzip coding once a client that takes gzip asked for it (counted in the
bound): the app's GZip middleware would otherwise compress the same bytes again at every hit.

Answers that may not be cached go out with ``Cache-Control: no-store`` and no tag of ours.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge
from starlette.requests import Request
from starlette.responses import Response

from rightsgraph.errors import RightsGraphError
from rightsgraph.service import results
from rightsgraph.store.base import VOLATILE_FUNCTIONS, _keyword, _top_level

#: Total bytes the cache may hold (bodies, headers and bookkeeping).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: Largest single answer kept; larger ones are still tagged but not stored.
DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024
#: Bookkeeping counted per entry on top of its body and headers.
_OVERHEAD = 256
#: The app's ``GZipMiddleware(minimum_size=1024)``: smaller answers go out as they are.
GZIP_MINIMUM = 1024
#: Compression of the kept gzip coding (made once per entry, so the middleware's level 9, paid
#: at every answer, is not needed).
GZIP_LEVEL = 6

def deterministic(sparql: str) -> bool:
    """Whether the answer of ``sparql`` depends only on the store (then it may be cached).

    False when the text calls ``SERVICE`` or one of ``NOW()``, ``RAND()``, ``UUID()``,
    ``STRUUID()``, ``BNODE(...)`` (a ``BNODE`` keyword not followed by ``(`` is not a call).
    Conservative: a malformed text that merely looks like one of these is not cached either."""
    tokens = list(_top_level(sparql))  # strings, IRIs and comments are skipped
    for i, (kind, value, _, _, _) in enumerate(tokens):
        word = _keyword(kind, value)
        if word == "SERVICE":
            return False
        if word in VOLATILE_FUNCTIONS and i + 1 < len(tokens) and tokens[i + 1][1] == "(":
            return False
    return True


def known_revision(request: Request) -> int | None:
    """The store revision the ``RevisionETag`` middleware already read for this request (GET
    and HEAD), so that a route does not ask the store again (a query, on a remote store)."""
    revision = getattr(request.state, "revision", None)
    return revision if isinstance(revision, int) else None


def cache_key(revision: int, *parts: object) -> str:
    """The key of an answer: a digest of the revision and the request's normalised ``parts``
    (JSON-serialisable values). Raises ``TypeError`` for a part JSON cannot write."""
    material = json.dumps([revision, *parts], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]


def accepts_gzip(request: Request) -> bool:
    """Whether the app's GZip middleware may compress this answer (its own test)."""
    return "gzip" in request.headers.get("accept-encoding", "")


def etag(key: str, *, coded: bool = False) -> str:
    """The strong ``ETag`` of the answer with ``key``. A representation that may be sent
    gzip-coded gets its own tag (``-gzip``), as a strong tag must change with the content
    coding."""
    return f'"rg-{key}{"-gzip" if coded else ""}"'


def etag_for(key: str, request: Request) -> str:
    return etag(key, coded=accepts_gzip(request))


def not_modified(if_none_match: str | None, key: str) -> bool:
    """Whether ``If-None-Match`` names the answer with ``key`` (weak comparison, as RFC 9110
    §13.1.2 asks; either content coding; ``*`` matches any current answer)."""
    if not if_none_match:
        return False
    ours = {etag(key), etag(key, coded=True)}
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") in ours:
            return True
    return False


def cache_control(request: Request) -> str:
    """What HTTP caches may do with a tagged answer: keep it but revalidate every time (the next
    write changes it); ``private`` when the request carried credentials, like the rest of the
    service (see ``RevisionETag``)."""
    return "private, no-cache" if "authorization" in request.headers else "public, no-cache"


#: Headers of an answer that must not be stored (HTTP caches must not keep it either).
NO_STORE = "no-store"


@dataclass
class Entry:
    """One stored answer: exactly the bytes and headers that were sent (less the per-request
    ``ETag`` and ``Cache-Control``, which are added when it is served), and, once a client that
    takes gzip has asked for it, the gzip-coded bytes (made once, not at every hit)."""

    revision: int
    media_type: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes | None = None

    @property
    def size(self) -> int:
        return (
            len(self.body)
            + len(self.gzipped or b"")
            + len(self.media_type)
            + sum(len(k) + len(v) for k, v in self.headers)
            + _OVERHEAD
        )

    def header_dict(self) -> dict[str, str]:
        return dict(self.headers)


class ResultCache:
    """A thread-safe LRU of answers bounded by bytes, with its own Prometheus metrics.

    ``rightsgraph_result_cache_total{route,outcome}`` counts what happened to each request:
    ``hit``, ``miss``, ``stored``, ``not_modified`` (304/412 without running anything),
    ``uncacheable`` (SERVICE or a volatile function), ``too_large`` (answered, not kept) and
    ``stale`` (a write committed while the answer was computed: answered, not kept).
    ``rightsgraph_result_cache_bytes`` and ``rightsgraph_result_cache_entries`` say what it holds.
    """

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
        registry: CollectorRegistry | None = None,
    ) -> None:
        if max_bytes < 0 or max_entry_bytes < 0:
            raise ValueError("cache bounds must not be negative")
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._revision: int | None = None
        self._lock = threading.Lock()
        registry = registry if registry is not None else CollectorRegistry()
        self._outcomes = Counter(
            "rightsgraph_result_cache_total",
            "Cacheable query answers by route and outcome "
            "(hit, miss, stored, not_modified, uncacheable, too_large, stale).",
            ["route", "outcome"],
            registry=registry,
        )
        self._bytes_gauge = Gauge(
            "rightsgraph_result_cache_bytes",
            "Bytes held by the result cache.",
            registry=registry,
        )
        self._entries_gauge = Gauge(
            "rightsgraph_result_cache_entries",
            "Answers held by the result cache.",
            registry=registry,
        )

    # -- bookkeeping ---------------------------------------------------------------------------
    @property
    def held_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def count(self, route: str, outcome: str) -> None:
        self._outcomes.labels(route, outcome).inc()

    def _update_gauges(self) -> None:
        self._bytes_gauge.set(self._bytes)
        self._entries_gauge.set(len(self._entries))

    def _see_revision(self, revision: int) -> None:
        """Drop every entry of another revision once a newer (or, after a reset, different)
        revision is seen: they can never be asked for again. Called with the lock held."""
        if self._revision == revision:
            return
        self._revision = revision
        for key in [k for k, e in self._entries.items() if e.revision != revision]:
            self._bytes -= self._entries.pop(key).size
        self._update_gauges()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._update_gauges()

    # -- lookups and stores --------------------------------------------------------------------
    def get(self, key: str, revision: int) -> Entry | None:
        """The entry under ``key`` (which includes ``revision``), marked as recently used."""
        with self._lock:
            self._see_revision(revision)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> bool:
        """Keep ``entry`` unless it is too large or of a revision that is no longer current;
        evicts the least recently used entries to stay within ``max_bytes``."""
        size = entry.size
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            if self._revision is not None and entry.revision != self._revision:
                return False
            self._revision = entry.revision
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            while self._entries and self._bytes + size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size
            self._entries[key] = entry
            self._bytes += size
            self._update_gauges()
            return True

    def store(
        self,
        route: str,
        key: str,
        entry: Entry,
        revision_now: Callable[[], int],
    ) -> bool:
        """Keep a freshly computed answer if it still belongs to its revision (``revision_now()``
        is read after the answer was made) and fits; counts the outcome. A revision that cannot
        be read (``StoreError``) means the answer is not kept."""
        if entry.size > self.max_entry_bytes:
            self.count(route, "too_large")
            return False
        try:
            now = revision_now()
        except RightsGraphError:  # the answer was sent; only keeping it is given up
            now = None
        if now != entry.revision:
            self.count(route, "stale")
            return False
        kept = self.put(key, entry)
        self.count(route, "stored" if kept else "stale")
        return kept

    def gzipped(self, key: str, entry: Entry) -> bytes:
        """The gzip coding of ``entry``'s body, made once and kept with it (while the bounds
        allow). Deterministic (no time stamp), so its strong ``ETag`` stays true."""
        if entry.gzipped is not None:
            return entry.gzipped
        data = gzip.compress(entry.body, compresslevel=GZIP_LEVEL, mtime=0)
        with self._lock:
            if (
                self._entries.get(key) is entry
                and entry.gzipped is None
                and entry.size + len(data) <= self.max_entry_bytes
            ):
                entry.gzipped = data
                self._bytes += len(data)
                while self._bytes > self.max_bytes and len(self._entries) > 1:
                    oldest = next(iter(self._entries))
                    if oldest == key:
                        self._entries.move_to_end(key)
                        continue
                    self._bytes -= self._entries.pop(oldest).size
                self._update_gauges()
        return data


# -- one cache per app -----------------------------------------------------------------------
_MAKING = threading.Lock()


def cache_for(app: Any) -> ResultCache:
    """The app's cache (``app.state.result_cache``), made at first use with the bounds of the
    settings ``result_cache_bytes``/``result_cache_entry_bytes`` and metrics in the
    app's registry (so ``/metrics`` shows them). A test or an embedding may install its own
    ``ResultCache`` there before the first request."""
    state = app.state
    cache: ResultCache | None = getattr(state, "result_cache", None)
    if cache is not None:
        return cache
    with _MAKING:
        cache = getattr(state, "result_cache", None)
        if cache is None:
            settings = getattr(state, "settings", None)
            metrics = getattr(state, "metrics", None)
            cache = ResultCache(
                max_bytes=int(getattr(settings, "result_cache_bytes", DEFAULT_MAX_BYTES)),
                max_entry_bytes=int(
                    getattr(settings, "result_cache_entry_bytes", DEFAULT_MAX_ENTRY_BYTES)
                ),
                registry=getattr(metrics, "registry", None),
            )
            state.result_cache = cache
        return cache


# -- recording an answer while it is sent ----------------------------------------------------
class RecordingSink(results.Sink):
    """A :class:`~rightsgraph.service.results.Sink` that passes everything to the real one and
    keeps a copy of the bytes, up to ``limit`` (beyond it the copy is dropped: the answer is
    too large to keep, and it keeps streaming)."""

    def __init__(self, inner: results.Sink, limit: int) -> None:  # no channel of its own
        self._inner = inner
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self.overflowed = False
        self.media_type: str | None = None
        self.status = 200
        self.headers: dict[str, str] = {}

    @property
    def started(self) -> bool:
        return self._inner.started

    def start(
        self, media_type: str, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.media_type, self.status, self.headers = media_type, status, dict(headers or {})
        self._inner.start(media_type, status=status, headers=headers)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if not self.overflowed:
            self._size += len(data)
            if self._size > self._limit:
                self.overflowed = True
                self._parts.clear()
            else:
                self._parts.append(bytes(data))
        return self._inner.write(data)

    def flush(self) -> None:
        self._inner.flush()

    def close(self) -> None:
        self._inner.close()

    def body(self) -> bytes | None:
        """The bytes written so far, or None when they were too many to keep."""
        return None if self.overflowed else b"".join(self._parts)


def recording(
    chunks: Iterable[str], limit: int, on_complete: Callable[[bytes | None], None]
) -> Iterator[bytes]:
    """``chunks`` encoded as UTF-8, passed on as they come; once the last one has gone,
    ``on_complete`` gets their concatenation (None past ``limit`` bytes). A client that goes
    away before the end stops the iteration, and nothing is kept."""
    parts: list[bytes] = []
    size = 0
    overflowed = False
    for chunk in chunks:
        data = chunk.encode("utf-8")
        if not overflowed:
            size += len(data)
            if size > limit:
                overflowed = True
                parts.clear()
            else:
                parts.append(data)
        yield data
    on_complete(None if overflowed else b"".join(parts))


def wants_gzip(entry: Entry, request: Request) -> bool:
    """Whether the GZip middleware would compress this answer for this request: then the kept
    gzip coding is sent instead (the middleware passes on an answer that has a coding)."""
    return accepts_gzip(request) and len(entry.body) >= GZIP_MINIMUM


def served(
    entry: Entry, key: str, request: Request, cache_control_value: str, body: bytes | None = None
) -> Response:
    """The answer from ``entry``: its bytes (or ``body``, its gzip coding), its stored headers,
    its ``ETag`` for this request's content coding, and ``Cache-Control``."""
    headers = {
        **entry.header_dict(),
        "ETag": etag_for(key, request),
        "Cache-Control": cache_control_value,
    }
    if body is None:
        return Response(entry.body, media_type=entry.media_type, headers=headers)
    vary = headers.get("Vary")
    headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=entry.media_type, headers=headers)
