"""The HTTP service: an app factory whose lifespan opens the store once.

This first version serves the read-only SPARQL 1.1 query endpoint at ``/sparql`` and ``/health``;
the service issue adds the full protocol, named questions, submissions and pages on this base.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from rightsgraph import __version__
from rightsgraph.errors import InputError, RightsGraphError
from rightsgraph.namespaces import PREFIXES
from rightsgraph.service import results
from rightsgraph.store import open_store
from rightsgraph.store.base import GraphResult, SelectResult, Store

PROBLEM = "application/problem+json"
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
MAX_QUERY_BYTES = 1_000_000


def problem(status: int, title: str, detail: str, type_: str = "error") -> JSONResponse:
    """An RFC 9457 problem details answer."""
    return JSONResponse(
        {
            "type": f"https://w3id.org/rightsgraph/problems/{type_}",
            "title": title,
            "status": status,
            "detail": detail,
        },
        status_code=status,
        media_type=PROBLEM,
    )


def negotiate(accept: str, offers: list[str]) -> str | None:
    """The offer with the highest q-value in ``accept`` (first offer wins ties and ``*/*``)."""
    best: tuple[float, float, str] | None = None
    for item in (accept or "*/*").split(","):
        parts = [p.strip() for p in item.split(";")]
        media, q = parts[0].lower(), 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        for rank, offer in enumerate(offers):
            kind = offer.split("/")[0]
            if media in (offer, "*/*", f"{kind}/*"):
                specificity = 2 if media == offer else 0
                key = (q, specificity - rank / 100, offer)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


def get_store(request: Request) -> Store:
    """The store opened by the lifespan: one per process, shared by every request."""
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def create_app(store_path: Path, *, store: Store | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store or open_store(store_path)
        try:
            yield
        finally:
            if store is None:
                app.state.store.close()

    app = FastAPI(
        title="RightsGraph",
        version=__version__,
        description="The knowledge graph of human-rights cities and territories.",
        lifespan=lifespan,
    )

    @app.exception_handler(RightsGraphError)
    def _error(request: Request, exc: RightsGraphError) -> JSONResponse:
        return problem(exc.status, type(exc).__name__, str(exc), exc.type)

    @app.get("/health", operation_id="health")
    def health(store: StoreDep) -> dict[str, object]:
        return {"status": "ok", "version": __version__, "revision": store.revision()}

    def run(store: Store, query: str, accept: str) -> Response:
        result = store.query(query)
        if isinstance(result, bool):
            media = negotiate(accept, ["application/sparql-results+json", "application/json"])
            if media is None:
                return problem(406, "Not Acceptable", "ASK answers are served as SPARQL JSON")
            return Response(results.boolean_json(result), media_type=media)
        if isinstance(result, SelectResult):
            media = negotiate(accept, list(SELECT_TYPES))
            if media is None:
                return problem(406, "Not Acceptable", f"SELECT answers: {', '.join(SELECT_TYPES)}")
            kind = SELECT_TYPES[media]
            chunks: Iterator[str] = (
                results.iter_json(result)
                if kind == "json"
                else results.iter_delimited(result, tsv=kind == "tsv")
            )
            return StreamingResponse(
                (c.encode("utf-8") for c in chunks), media_type=f"{media}; charset=utf-8"
            )
        if isinstance(result, GraphResult):
            media = negotiate(accept, list(GRAPH_TYPES))
            if media is None:
                return problem(406, "Not Acceptable", f"graph answers: {', '.join(GRAPH_TYPES)}")
            body = ox.serialize(result.triples, format=GRAPH_TYPES[media], prefixes=PREFIXES)
            return Response(body, media_type=media)
        raise InputError("unsupported query form")

    @app.get("/sparql", operation_id="sparql_query_get")
    def sparql_get(request: Request, store: StoreDep) -> Response:
        queries = request.query_params.getlist("query")
        if len(queries) != 1:
            return problem(400, "Bad Request", "give exactly one 'query' parameter")
        return run(store, queries[0], request.headers.get("accept", "*/*"))

    @app.post("/sparql", operation_id="sparql_query_post")
    async def sparql_post(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            return problem(
                413, "Content Too Large", f"a query may be at most {MAX_QUERY_BYTES} bytes"
            )
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return problem(400, "Bad Request", "the request body is not UTF-8")
        if ctype == "application/sparql-query":
            query = text
        elif ctype == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs

            form = parse_qs(text, keep_blank_values=True)
            if "update" in form:
                return problem(403, "Forbidden", "this endpoint is read-only")
            if len(form.get("query", [])) != 1:
                return problem(400, "Bad Request", "give exactly one 'query' field")
            query = form["query"][0]
        elif ctype == "application/sparql-update":
            return problem(403, "Forbidden", "this endpoint is read-only")
        else:
            return problem(
                415,
                "Unsupported Media Type",
                "send application/sparql-query or application/x-www-form-urlencoded",
            )
        from starlette.concurrency import run_in_threadpool

        store = request.app.state.store
        return await run_in_threadpool(run, store, query, request.headers.get("accept", "*/*"))

    return app
