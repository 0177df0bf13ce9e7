"""ASGI middleware for the limits every route shares: body size, per-client concurrency,
revision-based ETags, and request metrics.

They are plain ASGI so that they also guard streaming bodies and responses without buffering.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import defaultdict
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rightsgraph.service.metrics import Metrics

_UNLIMITED = ("/health", "/metrics", "/static/")


def _problem(
    status: int, title: str, detail: str, type_: str
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps(
        {
            "type": f"https://w3id.org/rightsgraph/problems/{type_}",
            "title": title,
            "status": status,
            "detail": detail,
        }
    ).encode()
    return body, [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]


async def _send_problem(
    send: Send,
    status: int,
    title: str,
    detail: str,
    type_: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body, headers = _problem(status, title, detail, type_)
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a request body over ``limit`` bytes, by its Content-Length or while it streams."""

    def __init__(self, app: ASGIApp, *, limit: int, metrics: Metrics) -> None:
        self.app, self.limit, self.metrics = app, limit, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            self.metrics.rejected.labels("body-size").inc()
            await _send_problem(
                send,
                413,
                "Content Too Large",
                f"the request body is {int(declared):,} bytes; the limit is {self.limit:,}",
                "too-large",
            )
            return
        seen = 0
        started = False

        async def guarded_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except _BodyTooLarge:
            self.metrics.rejected.labels("body-size").inc()
            if not started:
                await _send_problem(
                    send,
                    413,
                    "Content Too Large",
                    f"the request body is over the limit of {self.limit:,} bytes",
                    "too-large",
                )


class _BodyTooLarge(Exception):
    pass


class ConcurrencyLimit:
    """429 with ``Retry-After`` when one client already has ``limit`` requests running."""

    def __init__(self, app: ASGIApp, *, limit: int, metrics: Metrics) -> None:
        self.app, self.limit, self.metrics = app, limit, metrics
        self._running: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_UNLIMITED):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        with self._lock:
            if self._running[client] >= self.limit:
                busy = True
            else:
                busy = False
                self._running[client] += 1
        if busy:
            self.metrics.rejected.labels("concurrency").inc()
            await _send_problem(
                send,
                429,
                "Too Many Requests",
                f"at most {self.limit} requests per client may run at once; retry shortly",
                "too-many-requests",
                [(b"retry-after", b"1")],
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self._running[client] -= 1
                if not self._running[client]:
                    del self._running[client]


class RevisionETag:
    """Answers GET/HEAD with an ETag derived from the store revision and what was asked, and
    answers 304 to a matching ``If-None-Match`` without running anything.

    Every answer of a read route is a function of (revision, URL, Accept, Accept-Language,
    credentials), so the tag is exact: it changes with the first write after it was issued.
    """

    def __init__(self, app: ASGIApp, *, revision: Any) -> None:
        self.app, self.revision = app, revision

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"].startswith(("/health", "/metrics"))
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # Off the event loop: on a cache miss this asks the store worker.
        revision = await anyio.to_thread.run_sync(self.revision)
        # The routes' result cache needs it too: read once per request.
        scope.setdefault("state", {})["revision"] = revision
        key = b"\n".join(
            [
                str(revision).encode(),
                scope["path"].encode(),
                scope.get("query_string", b""),
                headers.get(b"accept", b""),
                headers.get(b"accept-language", b""),
                hashlib.sha256(headers.get(b"authorization", b"")).digest(),
            ]
        )
        etag = f'W/"{hashlib.sha256(key).hexdigest()[:32]}"'.encode()
        private = b"authorization" in headers
        cache = b"private, no-cache" if private else b"public, no-cache"
        wanted = headers.get(b"if-none-match", b"")
        # With credentials the route must run (a token may have been revoked since): no 304.
        matches = wanted.strip() == b"*" or etag in [t.strip() for t in wanted.split(b",")]
        if not private and wanted and matches:
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(b"etag", etag), (b"cache-control", cache)],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagging_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                given = {k.lower(): v for k, v in message.get("headers", [])}
                # An answer that must not be stored (NOW(), SERVICE, ...) gets no tag either: a
                # tag would let the next request revalidate it to a 304 without running it.
                if b"no-store" in given.get(b"cache-control", b""):
                    await send(message)
                    return
                existing = set(given)
                extra = []
                if b"etag" not in existing:
                    extra.append((b"etag", etag))
                if b"cache-control" not in existing:
                    extra.append((b"cache-control", cache))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, tagging_send)


class RequestMetrics:
    """Counts requests by route template and status, and times them."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], name, str(status)).inc()
            self.metrics.latency.labels(name).observe(time.perf_counter() - started)
