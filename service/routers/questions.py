"""Named questions over HTTP: ``/api/queries``.

- ``GET /api/queries``: the catalogue, as JSON (name, summary, description, tags, parameters with
  their type, whether required, default and allowed values, answer columns, pagination) in the
  language asked, or as RDF (``sh:SPARQLExecutable``) in Turtle or JSON-LD by ``Accept``; also at
  ``/api/queries.ttl`` and ``/api/queries.jsonld``.
- ``GET /api/queries/{name}?param=value``: the answer as SPARQL JSON, CSV or TSV by ``Accept`` (or
  ``format=json|csv|tsv``), labels in the language of ``lang=`` or ``Accept-Language``, one page at
  a time (``page=``, with ``Link`` headers) when the question declares ``pagination``. Answers
  carry a strong ``ETag`` (store revision + question, bound values, page, format, language) and
  are kept in the result cache (``service/result_cache.py``) shared with ``/sparql``; a matching
  ``If-None-Match`` gets 304 without running anything. Federated questions (``SERVICE``) are
  neither tagged nor cached.

Values are bound as typed RDF terms by :func:`rightsgraph.queries.catalog.run` through the query
engine, never pasted into the query text: a value that does not fit its parameter is a 422
problem naming the parameter. The catalogue's headers are checked when the service starts (this
router's lifespan): a malformed packaged query stops the start-up instead of failing later.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import lru_cache, partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from rightsgraph.namespaces import prefixes
from rightsgraph.queries import catalog as named
from rightsgraph.queries.catalog import NamedQuery, PagedResult, ParameterError
from rightsgraph.service import result_cache, results
from rightsgraph.service.deps import EngineDep
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.i18n import pick_language
from rightsgraph.service.negotiation import negotiate
from rightsgraph.service.problems import problem
from rightsgraph.store.base import SelectResult


@asynccontextmanager
async def _check_catalog(app: Any) -> AsyncIterator[None]:
    """Parse and check every packaged question once, at start-up. Raises ``QueryHeaderError``."""
    named.catalog()
    yield


router = APIRouter(tags=["questions"], lifespan=_check_catalog)

#: Answer formats: ``format=`` value -> media type (the first is the default).
FORMATS = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
_ANSWER_OFFERS = [
    "application/sparql-results+json",
    "application/json",
    "text/csv",
    "text/tab-separated-values",
]
_CATALOG_RDF = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
_CATALOG_OFFERS = ["application/json", "text/turtle", "application/ld+json"]
_MAX_PAGE = 1_000_000
_SHOWN = 80


def _invalid(parameter: str, detail: str, *, query: str | None = None) -> JSONResponse:
    """The 422 problem for a bad request parameter, naming it (cut, as it may be hostile)."""
    extra: dict[str, object] = {"parameter": parameter[:_SHOWN]}
    if query is not None:
        extra["query"] = query
    return problem(422, "Invalid parameter", detail, "invalid-parameter", **extra)


def _not_acceptable(offers: list[str]) -> JSONResponse:
    return problem(
        406, "Not Acceptable", f"this resource is served as {', '.join(offers)}", "not-acceptable"
    )


def _language(
    request: Request, lang: str | None, *, query: str | None = None
) -> str | JSONResponse:
    """The language of the labels: ``lang=`` (a BCP 47 tag, reduced to its primary subtag), else
    the first of en/fr/es that ``Accept-Language`` names, else English."""
    if lang is not None:
        tag = lang.strip()
        if not named.is_language_tag(tag):
            return _invalid(
                "lang",
                f"lang must be a language tag such as en, fr or es; got {tag[:_SHOWN]!r}",
                query=query,
            )
        return tag.split("-")[0].lower()
    return pick_language(request.headers.get("accept-language"))


# -- the catalogue -------------------------------------------------------------------------------
def _describe(query: NamedQuery, lang: str, request: Request) -> dict[str, object]:
    return {
        "name": query.name,
        "summary": query.summary_in(lang),
        "description": query.description_in(lang),
        "tags": list(query.tags),
        "parameters": [p.describe() for p in query.parameters],
        "variables": list(query.variables),
        "pagination": query.pagination,
        "url": str(request.url_for("run_query", name=query.name)),
        "sparql": query.text,
    }


@lru_cache(maxsize=16)
def _catalog_rdf(service_url: str, rdf_format: str) -> str:
    """The catalogue serialised once per service URL and format (the packaged queries are fixed
    for the life of the process)."""
    graph = named.catalog_graph(service_url=service_url)
    if rdf_format == "json-ld":
        context = {
            p: ns
            for p, ns in prefixes().items()
            if p in {"rg", "rgid", "sh", "rdfs", "dcterms", "schema", "xsd"}
        }
        return graph.serialize(format="json-ld", context=context, auto_compact=True)
    return graph.serialize(format="turtle")


def _rdf_answer(request: Request, media: str) -> Response:
    body = _catalog_rdf(str(request.base_url), _CATALOG_RDF[media])
    return Response(
        body,
        media_type=media + ("; charset=utf-8" if media == "text/turtle" else ""),
        headers={"Vary": "Accept"},
    )


@router.get("/api/queries", operation_id="list_queries", name="list_queries")
def list_queries(
    request: Request,
    lang: Annotated[str | None, Query(description="language of summaries (en, fr, es)")] = None,
) -> Response:
    """The named questions: JSON by default, Turtle or JSON-LD (``sh:SPARQLExecutable``) by
    ``Accept``."""
    media = negotiate(request.headers.get("accept", "*/*"), _CATALOG_OFFERS)
    if media is None:
        return _not_acceptable(_CATALOG_OFFERS)
    if media in _CATALOG_RDF:
        return _rdf_answer(request, media)
    language = _language(request, lang)
    if isinstance(language, JSONResponse):
        return language
    language = pick_language(language)
    body = [_describe(q, language, request) for _, q in sorted(named.catalog().items())]
    return JSONResponse(
        body, headers={"Content-Language": language, "Vary": "Accept, Accept-Language"}
    )


@router.get("/api/queries.ttl", operation_id="list_queries_turtle", name="list_queries_turtle")
def list_queries_turtle(request: Request) -> Response:
    """The catalogue as Turtle."""
    return _rdf_answer(request, "text/turtle")


@router.get("/api/queries.jsonld", operation_id="list_queries_jsonld", name="list_queries_jsonld")
def list_queries_jsonld(request: Request) -> Response:
    """The catalogue as JSON-LD."""
    return _rdf_answer(request, "application/ld+json")


# -- one question -------------------------------------------------------------------------------
#: Tagged answers may be kept by HTTP caches, revalidated every time (the next write changes them).
_CACHE_CONTROL = "public, max-age=0, must-revalidate"


def _links(request: Request, result: PagedResult) -> str:
    links = [f'<{request.url.include_query_params(page=1)}>; rel="first"']
    if result.page > 1:
        links.append(f'<{request.url.include_query_params(page=result.page - 1)}>; rel="prev"')
    if result.has_next:
        links.append(f'<{request.url.include_query_params(page=result.page + 1)}>; rel="next"')
    return ", ".join(links)


def _body(result: SelectResult, media: str) -> Iterator[str]:
    if media in ("text/csv", "text/tab-separated-values"):
        return results.iter_delimited(result, tsv=media == "text/tab-separated-values")
    return results.iter_json(result)


@router.get("/api/queries/{name}", operation_id="run_query", name="run_query")
def run_query(
    name: str,
    request: Request,
    engine: EngineDep,
    lang: Annotated[str | None, Query(description="language of labels (en, fr, es)")] = None,
    page: Annotated[
        str | None, Query(description="page number, from 1 (paginated questions)")
    ] = None,
    format_: Annotated[
        str | None, Query(alias="format", description="json, csv or tsv (overrides Accept)")
    ] = None,
) -> Response:
    """Answer one named question; its own parameters come as further query parameters."""
    query = named.get(name)
    values: dict[str, str] = {}
    for param in request.query_params:
        given = request.query_params.getlist(param)
        if len(given) > 1:
            return _invalid(
                param, f"the parameter {param[:_SHOWN]!r} is given more than once", query=name
            )
        if param not in ("lang", "page", "format"):
            values[param] = given[0]

    language = _language(request, lang, query=name)
    if isinstance(language, JSONResponse):
        return language
    lang_param = query.parameter("lang")
    if lang_param is not None:
        if lang is None and "accept-language" not in request.headers and lang_param.default:
            language = lang_param.default
        values["lang"] = language

    page_number: int | None = None
    if page is not None:
        try:
            page_number = int(page.strip())
        except ValueError:
            return _invalid(
                "page", f"page must be a whole number; got {page[:_SHOWN]!r}", query=name
            )
        if not 1 <= page_number <= _MAX_PAGE:
            return _invalid("page", f"page must be between 1 and {_MAX_PAGE}", query=name)
        if query.pagination is None and page_number != 1:  # before any ETag is looked at
            return _invalid("page", f"{name} is not paginated", query=name)
    elif query.pagination is not None:
        page_number = 1

    if format_ is not None:
        media = FORMATS.get(format_.strip().lower())
        if media is None:
            return _invalid(
                "format",
                f"format must be one of {', '.join(FORMATS)}; got {format_[:_SHOWN]!r}",
                query=name,
            )
    else:
        chosen = negotiate(request.headers.get("accept", "*/*"), _ANSWER_OFFERS)
        if chosen is None:
            return _not_acceptable(_ANSWER_OFFERS)
        media = chosen

    try:
        bound = query.bindings(values)
    except ParameterError as exc:
        return _invalid(exc.parameter, str(exc), query=name)
    cache = result_cache.cache_for(request.app)
    headers = {"Vary": "Accept, Accept-Language", "Content-Language": language}
    key: str | None = None
    revision = 0
    if result_cache.deterministic(query.text):
        known = result_cache.known_revision(request)
        revision = known if known is not None else engine.revision()
        key = result_cache.cache_key(
            revision,
            "question",
            name,
            sorted((variable, str(term)) for variable, term in bound.items()),
            page_number,
            media,
            language,
            # The Link header of a page is built from the request's own URL.
            str(request.url) if page_number is not None else None,
        )
        tagged = {"ETag": result_cache.etag_for(key, request), "Cache-Control": _CACHE_CONTROL}
        if result_cache.not_modified(request.headers.get("if-none-match"), key):
            cache.count("questions", "not_modified")
            return Response(status_code=304, headers={**headers, **tagged})
        entry = cache.get(key, revision)
        if entry is not None:
            cache.count("questions", "hit")
            coded = (
                cache.gzipped(key, entry) if result_cache.wants_gzip(entry, request) else None
            )
            return result_cache.served(entry, key, request, _CACHE_CONTROL, coded)
        cache.count("questions", "miss")
    else:  # federated: Wikidata's part of the answer changes outside our store
        cache.count("questions", "uncacheable")
        tagged = {"Cache-Control": result_cache.NO_STORE}

    try:
        result = named.run(engine, query, values, page=page_number)
    except ParameterError as exc:
        return _invalid(exc.parameter, str(exc), query=name)
    if not isinstance(result, SelectResult):  # packaged questions are SELECTs (checked at start-up)
        return problem(500, "Internal error", f"{name} did not answer rows", "internal")
    if isinstance(result, PagedResult):
        headers["Link"] = _links(request, result)
        headers["RightsGraph-Page"] = str(result.page)
        headers["RightsGraph-Page-Size"] = str(result.page_size)
    if result.capped:
        headers["RightsGraph-Result-Capped"] = "true"
    content_type = media if media.endswith("json") else media + "; charset=utf-8"
    body: Iterator[str] | Iterator[bytes] = _body(result, media)
    if key is not None:
        body = result_cache.recording(
            _body(result, media),
            cache.max_entry_bytes,
            partial(_keep, cache, key, revision, content_type, dict(headers), engine),
        )
    return StreamingResponse(body, media_type=content_type, headers={**headers, **tagged})


def _keep(
    cache: result_cache.ResultCache,
    key: str,
    revision: int,
    content_type: str,
    headers: dict[str, str],
    engine: QueryEngine,
    body: bytes | None,
) -> None:
    """Keep an answer once all of it was sent (None: it was too large to keep)."""
    if body is None:
        cache.count("questions", "too_large")
        return
    entry = result_cache.Entry(revision, content_type, tuple(headers.items()), body)
    cache.store("questions", key, entry, engine.revision)
