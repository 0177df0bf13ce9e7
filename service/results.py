"""Serialising query results, and streaming them from the thread that owns them.

Result formats: SPARQL 1.1 Query Results JSON, XML, CSV and TSV (SELECT and ASK), every RDF syntax
pyoxigraph writes (CONSTRUCT, DESCRIBE, Graph Store reads), and a text table for terminals. Each
writer consumes rows as they come, so an answer is never held twice in memory.

Why a thread per streamed answer (:func:`stream`): pyoxigraph's result iterators are *unsendable*
(they abort the whole process when touched from a thread other than the one that made them),
while Starlette iterates a synchronous response body in whichever worker thread is free. So the
query runs and its results are serialised in one dedicated thread, which hands byte chunks to the
event loop through a small bounded channel: the client's reading speed paces the producer, a
client that goes away stops it, and errors that happen before the first chunk leaves still become
a proper error status.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from rightsgraph.store.base import SelectResult, Term

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

#: Query results media types (SELECT and ASK), first = default. Aliases map to the same writer.
RESULTS_MEDIA: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
}

#: RDF media types (CONSTRUCT, DESCRIBE, Graph Store, service description), first = default.
RDF_MEDIA: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "application/json": ox.RdfFormat.JSON_LD,
}

#: W3C format IRIs (https://www.w3.org/ns/formats/) of what the endpoint writes.
FORMAT_IRIS: dict[str, str] = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
    "application/trig": "http://www.w3.org/ns/formats/TriG",
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
}


# -- SPARQL JSON -----------------------------------------------------------------------------
def term_json(term: Term | ox.Triple) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 JSON results shape (RDF 1.2 triple terms included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
        if term.direction is not None:
            out["its:dir"] = str(term.direction).rsplit(".", 1)[-1].lower()
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def iter_json(result: SelectResult) -> Iterator[str]:
    """SPARQL 1.1 Query Results JSON, in chunks."""
    yield '{"head":{"vars":' + json.dumps(result.variables) + '},"results":{"bindings":['
    first = True
    for row in result.rows:
        binding = {
            v: term_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None
        }
        yield ("" if first else ",") + json.dumps(binding, ensure_ascii=False)
        first = False
    yield "]}}"


def boolean_json(value: bool) -> str:
    return json.dumps({"head": {}, "boolean": value})


# -- SPARQL XML ------------------------------------------------------------------------------
def term_xml(term: Term | ox.Triple) -> str:
    """One RDF term as a SPARQL 1.1 Query Results XML element."""
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{term_xml(term.subject)}</subject>"
            f"<predicate>{term_xml(term.predicate)}</predicate>"
            f"<object>{term_xml(term.object)}</object></triple>"
        )
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


_XML_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n'


def iter_xml(result: SelectResult) -> Iterator[str]:
    """SPARQL 1.1 Query Results XML, in chunks (one per row)."""
    variables = "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables)
    yield f"{_XML_HEAD}<head>{variables}</head>\n<results>\n"
    for row in result.rows:
        bindings = "".join(
            f"<binding name={quoteattr(v)}>{term_xml(t)}</binding>"
            for v, t in zip(result.variables, row, strict=True)
            if t is not None
        )
        yield f"<result>{bindings}</result>\n"
    yield "</results>\n</sparql>\n"


def boolean_xml(value: bool) -> str:
    return f"{_XML_HEAD}<head/>\n<boolean>{str(value).lower()}</boolean>\n</sparql>\n"


# -- CSV and TSV -----------------------------------------------------------------------------
def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _tsv_value(term: Term | None) -> str:
    # pyoxigraph writes terms in N-Triples syntax, which escapes tabs and line breaks.
    return "" if term is None else str(term)


def iter_delimited(result: SelectResult, *, tsv: bool = False) -> Iterator[str]:
    """SPARQL 1.1 CSV (plain values) or TSV (terms in Turtle/N-Triples syntax)."""
    if tsv:
        yield "\t".join("?" + v for v in result.variables) + "\n"
        for row in result.rows:
            yield "\t".join(_tsv_value(t) for t in row) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(t) for t in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def boolean_delimited(value: bool, *, tsv: bool = False) -> str:
    """An ASK answer as CSV or TSV: the SPARQL CSV/TSV formats define only SELECT answers, so
    this follows the common practice (Apache Jena) of one ``_askResult`` column."""
    return (
        ("?_askResult\n" if tsv else "_askResult\r\n")
        + str(value).lower()
        + ("\n" if tsv else "\r\n")
    )


def iter_results(result: SelectResult, kind: str) -> Iterator[str]:
    """A SELECT answer in ``kind`` (``json``, ``xml``, ``csv`` or ``tsv``)."""
    if kind == "json":
        return iter_json(result)
    if kind == "xml":
        return iter_xml(result)
    return iter_delimited(result, tsv=kind == "tsv")


def boolean_results(value: bool, kind: str) -> str:
    """An ASK answer in ``kind`` (``json``, ``xml``, ``csv`` or ``tsv``)."""
    if kind == "json":
        return boolean_json(value)
    if kind == "xml":
        return boolean_xml(value)
    return boolean_delimited(value, tsv=kind == "tsv")


# -- text table (CLI) ------------------------------------------------------------------------
def shorten(value: str, prefixes: dict[str, str]) -> str:
    """``rg:Territory`` for a full IRI when a known prefix matches, for people reading a table."""
    best = max((ns for ns in prefixes.values() if value.startswith(ns)), key=len, default=None)
    if best is None:
        return value
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{value[len(best) :]}"


def table(result: SelectResult, *, prefixes: dict[str, str], max_width: int = 60) -> Iterable[str]:
    """An aligned text table; needs the whole answer to size columns (for terminals only)."""
    rows = [
        [
            ""
            if t is None
            else shorten(t.value, prefixes)
            if isinstance(t, ox.NamedNode)
            else t.value
            for t in row
        ]
        for row in result.rows
    ]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    yield "  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip()
    yield "  ".join("-" * w for w in widths)
    for r in cells:
        yield "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
    yield f"({len(rows)} row{'s' if len(rows) != 1 else ''})"


# -- streaming from a producer thread --------------------------------------------------------
CHUNK_BYTES = 64 * 1024
#: A producer whose client has taken nothing for this long gives up (a client that vanished
#: without the server noticing must not pin a thread and a query forever).
IDLE_SECONDS = 300.0


class StreamCancelled(Exception):
    """The response went away (client disconnected, server stopping): the producer stops."""


class StreamAborted(RuntimeError):
    """The producer failed after the status line left: the connection is dropped so that the
    client sees an incomplete answer instead of a silently truncated one."""


@dataclass
class Head:
    """Status and headers of a streamed answer, declared by the producer before its bytes."""

    media_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class _Channel:
    """Items from one producer thread to the event loop; at most ``depth`` chunks in flight."""

    def __init__(self, loop: asyncio.AbstractEventLoop, depth: int = 4) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._slots = threading.Semaphore(depth)
        self._closed = threading.Event()

    def send(self, item: tuple[Any, ...]) -> None:
        """Producer side; blocks while the client is slow. Raises ``StreamCancelled``."""
        waited = 0.0
        while not self._slots.acquire(timeout=0.25):
            waited += 0.25
            if self._closed.is_set() or waited >= IDLE_SECONDS:
                raise StreamCancelled
        if self._closed.is_set():
            raise StreamCancelled
        self.send_last(item)

    def send_last(self, item: tuple[Any, ...]) -> None:
        """Producer side, never blocks: end markers and errors."""
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the event loop is closed: nobody is listening any more
            self._closed.set()

    async def receive(self) -> tuple[Any, ...]:
        item = await self._queue.get()
        self._slots.release()
        return item

    def close(self) -> None:
        self._closed.set()
        self._slots.release()


class Sink:
    """The producer's side of a streamed answer: a binary writer (``ox.serialize`` writes to it)
    that sends chunks of ``chunk_bytes``. Call :meth:`start` before writing."""

    def __init__(self, channel: _Channel, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._channel = channel
        self._chunk = chunk_bytes
        self._buffer = bytearray()
        self._head: Head | None = None
        self._sent = False

    @property
    def started(self) -> bool:
        return self._head is not None

    def start(
        self, media_type: str, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Declare the answer's status and headers (sent with the first chunk)."""
        self._head = Head(media_type, status, dict(headers or {}))

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._head is None:
            raise RuntimeError("Sink.start() must be called before writing")
        self._buffer += data
        if len(self._buffer) >= self._chunk:
            self._send()
        return len(data)

    def write_text(self, chunks: Iterable[str]) -> None:
        for chunk in chunks:
            self.write(chunk.encode("utf-8"))

    def flush(self) -> None:
        """Chunks leave by size, not on ``flush`` (serialisers flush often)."""

    def _send(self) -> None:
        data = bytes(self._buffer)
        self._buffer.clear()
        if not self._sent:
            self._sent = True
            self._channel.send(("head", self._head, data))
        else:
            self._channel.send(("data", data))

    def close(self) -> None:
        """Send what is buffered (and the head, if nothing was sent yet)."""
        if self._head is not None and (self._buffer or not self._sent):
            self._send()


class _ChannelResponse(StreamingResponse):
    """A streaming response fed by a :class:`_Channel`; closing it always stops the producer."""

    def __init__(self, channel: _Channel, head: Head, first: bytes) -> None:
        async def body() -> AsyncIterator[bytes]:
            if first:
                yield first
            while True:
                item = await channel.receive()
                if item[0] == "data":
                    yield item[1]
                elif item[0] == "error":
                    log.error("streamed answer failed after it started: %s", item[1])
                    raise StreamAborted(str(item[1]))
                else:
                    return

        super().__init__(
            body(), status_code=head.status, media_type=head.media_type, headers=head.headers
        )
        self._channel = channel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._channel.close()


Producer = Callable[[Sink], "Response | None"]


async def stream(produce: Producer, *, chunk_bytes: int = CHUNK_BYTES) -> Response:
    """Run ``produce(sink)`` in a thread of its own and answer with what it writes.

    ``produce`` either returns a finished ``Response`` (an error answer, a 404, ...) or calls
    ``sink.start(...)`` and writes the body. An exception raised before the first chunk leaves is
    re-raised here, so the app's handlers turn it into a problem+json answer with the right
    status; one raised later aborts the connection (:class:`StreamAborted`).
    """
    channel = _Channel(asyncio.get_running_loop())

    def work() -> None:
        sink = Sink(channel, chunk_bytes)
        # Whatever happens, the handler gets a last word, so it never waits for nothing.
        last: tuple[Any, ...] = ("error", StreamAborted("the answer stopped unexpectedly"))
        try:
            answer = produce(sink)
            if answer is not None and not sink.started:
                last = ("response", answer)
            else:
                sink.close()
                last = ("end",)
        except StreamCancelled:
            last = ("end",)
        except Exception as exc:  # handed over to the request handler, which re-raises it
            last = ("error", exc)
        finally:
            channel.send_last(last)

    threading.Thread(target=work, name="rightsgraph-stream", daemon=True).start()
    first = await channel.receive()
    if first[0] == "response":
        channel.close()
        answer: Response = first[1]
        return answer
    if first[0] == "error":
        channel.close()
        raise first[1]
    if first[0] == "end":  # produce() started nothing and returned nothing
        channel.close()
        return Response(status_code=204)
    return _ChannelResponse(channel, first[1], first[2])


def write_rdf(
    sink: Sink,
    triples: Iterable[ox.Triple],
    rdf_format: ox.RdfFormat,
    *,
    prefixes: dict[str, str] | None = None,
) -> None:
    """Serialise triples into a started sink, streaming (pyoxigraph writes as it goes)."""
    ox.serialize(triples, cast("IO[bytes]", sink), rdf_format, prefixes=prefixes)
