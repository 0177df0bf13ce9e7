"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (read-only queries)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from rightsgraph.errors import InputError
from rightsgraph.namespaces import PREFIXES
from rightsgraph.service import results
from rightsgraph.service.deps import EngineDep
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.negotiation import negotiate
from rightsgraph.service.problems import problem
from rightsgraph.store.base import GraphResult, SelectResult

router = APIRouter(tags=["sparql"])

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


def run(engine: QueryEngine, query: str, accept: str) -> Response:
    result = engine.query(query)
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

@router.get("/sparql", operation_id="sparql_query_get")
def sparql_get(request: Request, engine: EngineDep) -> Response:
    queries = request.query_params.getlist("query")
    if len(queries) != 1:
        return problem(400, "Bad Request", "give exactly one 'query' parameter")
    return run(engine, queries[0], request.headers.get("accept", "*/*"))

@router.post("/sparql", operation_id="sparql_query_post")
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

    engine = request.app.state.engine
    return await run_in_threadpool(run, engine, query, request.headers.get("accept", "*/*"))

