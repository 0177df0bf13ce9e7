"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: queries for everyone, updates with the admin
token, and the SPARQL 1.1 Service Description when no operation is given.

- Query: ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) or ``POST``
  direct (``application/sparql-query``), with ``default-graph-uri``/``named-graph-uri``.
- Update: ``POST`` form or direct (``application/sparql-update``), with
  ``using-graph-uri``/``using-named-graph-uri``; needs ``Authorization: Bearer <admin token>``.
- Answers are negotiated by ``Accept`` (q-values, wildcards) and streamed; 406 only when the
  client accepts none of the formats of the query's form.
- Every malformed request gets a 4xx problem+json naming what is wrong, in en/fr/es by
  ``Accept-Language``: bad syntax, wrong or missing media type (415), a body that is not UTF-8,
  repeated or conflicting operations, an update by ``GET``, a dataset given twice.

- Answers that depend only on the store carry a strong ``ETag`` (store revision + request) and
  are kept in the result cache (``service/result_cache.py``): the same request on an unchanged
  store is answered from memory; a matching ``If-None-Match`` gets 304 (GET, HEAD) or 412 (POST),
  without running anything. Queries with ``SERVICE`` or ``NOW``/``RAND``/``UUID``/``STRUUID``/
  ``BNODE`` are answered with ``Cache-Control: no-store``.

Relative IRIs in a query or update resolve against the endpoint's URL (the protocol's
"service-defined base IRI").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from rightsgraph.errors import InputError, UnsupportedFormatError
from rightsgraph.namespaces import prefixes
from rightsgraph.service import result_cache, results
from rightsgraph.service.deps import is_admin
from rightsgraph.service.description import (
    as_triples,
    cached_statistics,
    service_description,
)
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.i18n import pick_language
from rightsgraph.service.negotiation import negotiate
from rightsgraph.service.problems import problem
from rightsgraph.service.settings import Settings
from rightsgraph.store.base import (
    GraphResult,
    SelectResult,
    apply_using,
    has_relative_iri,
    query_form,
)

router = APIRouter(tags=["sparql"])

RESULTS_OFFERS = list(results.RESULTS_MEDIA)
RDF_OFFERS = list(results.RDF_MEDIA)
#: Formats named in the service description (aliases left out).
DESCRIBED_FORMATS = list(results.FORMAT_IRIS)
CAPPED_HEADER = "RightsGraph-Result-Capped"

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
UTF8_LABELS = {"utf-8", "utf8", "us-ascii", "ascii"}

# -- messages (en, fr, es) -------------------------------------------------------------------
MESSAGES: dict[str, tuple[str, str, str]] = {
    "not_utf8": (
        "the {where} is not UTF-8",
        "le {where} n'est pas en UTF-8",
        "el {where} no está en UTF-8",
    ),
    "charset": (
        "only UTF-8 is accepted, not charset={charset}",
        "seul l'UTF-8 est accepté, pas charset={charset}",
        "solo se acepta UTF-8, no charset={charset}",
    ),
    "both": (
        "give either a query or an update, not both",
        "donnez une requête ou une mise à jour, pas les deux",
        "dé una consulta o una actualización, no ambas",
    ),
    "several": (
        "give exactly one '{name}' parameter, not {count}",
        "donnez exactement un paramètre « {name} », pas {count}",
        "dé exactamente un parámetro «{name}», no {count}",
    ),
    "twice": (
        "the {kind} is in the body; do not repeat it in the URL",
        "le corps contient déjà la {kind} ; ne la répétez pas dans l'URL",
        "el cuerpo ya contiene la {kind}; no la repita en la URL",
    ),
    "update_by_get": (
        "updates must be sent with POST (form or application/sparql-update)",
        "les mises à jour s'envoient par POST (formulaire ou application/sparql-update)",
        "las actualizaciones se envían por POST (formulario o application/sparql-update)",
    ),
    "nothing": (
        "the request has neither a 'query' nor an 'update'",
        "la requête HTTP n'a ni « query » ni « update »",
        "la petición no tiene ni «query» ni «update»",
    ),
    "media_type": (
        "send {expected}; got {got}",
        "envoyez {expected} ; reçu : {got}",
        "envíe {expected}; recibido: {got}",
    ),
    "not_iri": (
        "{name} must be an absolute IRI, not {value!r}",
        "{name} doit être un IRI absolu, pas {value!r}",
        "{name} debe ser un IRI absoluto, no {value!r}",
    ),
    "wrong_param": (
        "{name} applies to {kind}s only",
        "{name} ne s'applique qu'aux {kind}s",
        "{name} solo se aplica a las {kind}s",
    ),
    "timeout": (
        "timeout must be a number of seconds, not {value!r}",
        "timeout doit être un nombre de secondes, pas {value!r}",
        "timeout debe ser un número de segundos, no {value!r}",
    ),
    "admin": (
        "updates need the admin token (Authorization: Bearer ...); this endpoint is read-only",
        "les mises à jour demandent le jeton d'administration (Authorization: Bearer ...) ; "
        "ce point d'accès est en lecture seule",
        "las actualizaciones requieren el token de administración (Authorization: Bearer ...); "
        "este punto de acceso es de solo lectura",
    ),
    "not_acceptable": (
        "{form} answers are available as {offers}",
        "les réponses {form} existent en {offers}",
        "las respuestas {form} están disponibles en {offers}",
    ),
    "unchanged": (
        "the answer has not changed since the ETag given in If-None-Match",
        "la réponse n'a pas changé depuis l'ETag donné dans If-None-Match",
        "la respuesta no ha cambiado desde el ETag dado en If-None-Match",
    ),
    "too_large": (
        "the request body is over {limit} bytes",
        "le corps de la requête dépasse {limit} octets",
        "el cuerpo de la petición supera {limit} bytes",
    ),
}
_LANG_INDEX = {"en": 0, "fr": 1, "es": 2}


def localized(
    request: Request, table: dict[str, tuple[str, str, str]], key: str, **values: object
) -> str:
    """``table[key]`` (en, fr, es) in the language of the request's ``Accept-Language``."""
    lang = pick_language(request.headers.get("accept-language"))
    return table[key][_LANG_INDEX[lang]].format(**values)


def message(request: Request, key: str, **values: object) -> str:
    """A protocol message in the language of the request's ``Accept-Language``."""
    return localized(request, MESSAGES, key, **values)


class ProtocolError(InputError):
    """The request breaks the SPARQL 1.1 Protocol (400)."""

    status = 400
    type = "sparql-protocol"


def fail(request: Request, key: str, **values: object) -> ProtocolError:
    return ProtocolError(message(request, key, **values))


# -- reading a request -----------------------------------------------------------------------
@dataclass
class Operation:
    """One protocol request, read: a query, an update, or neither (service description)."""

    kind: str  # "query", "update" or "describe"
    text: str = ""
    default_graph: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graph: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)
    timeout: float | None = None
    dataset_given: bool = False


def decode_pairs(request: Request, raw: bytes, where: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, percent-decoded as UTF-8 strictly.

    Raises ``ProtocolError`` for bytes that are not UTF-8, raw or percent-encoded."""
    try:
        return parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        raise fail(request, "not_utf8", where=where) from None


def url_pairs(request: Request) -> list[tuple[str, str]]:
    return decode_pairs(request, request.scope.get("query_string", b""), "URL query string")


def _iris(request: Request, pairs: list[tuple[str, str]], name: str) -> list[str]:
    out = []
    for key, value in pairs:
        if key != name:
            continue
        try:
            ox.NamedNode(value)
        except ValueError:
            raise fail(request, "not_iri", name=name, value=value) from None
        if ":" not in value:
            raise fail(request, "not_iri", name=name, value=value)
        out.append(value)
    return out


def read_operation(request: Request, pairs: list[tuple[str, str]]) -> Operation:
    """The operation named by the protocol parameters ``pairs``.

    Raises ``ProtocolError`` for two operations, a repeated one, a malformed graph IRI or
    timeout, or a dataset parameter of the other kind of operation."""
    queries = [v for k, v in pairs if k == "query"]
    updates = [v for k, v in pairs if k == "update"]
    if queries and updates:
        raise fail(request, "both")
    for name, values in (("query", queries), ("update", updates)):
        if len(values) > 1:
            raise fail(request, "several", name=name, count=len(values))
    op = Operation("query" if queries else "update" if updates else "describe")
    op.text = (queries or updates or [""])[0]
    op.default_graph = _iris(request, pairs, "default-graph-uri")
    op.named_graphs = _iris(request, pairs, "named-graph-uri")
    op.using_graph = _iris(request, pairs, "using-graph-uri")
    op.using_named_graphs = _iris(request, pairs, "using-named-graph-uri")
    op.dataset_given = any(k in ("default-graph-uri", "named-graph-uri") for k, _ in pairs)
    if op.kind == "query" and (op.using_graph or op.using_named_graphs):
        name = "using-graph-uri" if op.using_graph else "using-named-graph-uri"
        raise fail(request, "wrong_param", name=name, kind="update")
    if op.kind == "update" and op.dataset_given:
        name = "default-graph-uri" if op.default_graph else "named-graph-uri"
        raise fail(request, "wrong_param", name=name, kind="query")
    timeouts = [v for k, v in pairs if k == "timeout"]
    if timeouts:
        try:
            op.timeout = float(timeouts[-1])
        except ValueError:
            raise fail(request, "timeout", value=timeouts[-1]) from None
    return op


def content_type(request: Request) -> tuple[str, str | None]:
    """The media type (lower case) and ``charset`` of the request body."""
    header = request.headers.get("content-type", "")
    media, *params = (p.strip() for p in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def check_charset(request: Request, charset: str | None) -> None:
    if charset is not None and charset not in UTF8_LABELS:
        raise fail(request, "charset", charset=charset)


def body_text(request: Request, body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise fail(request, "not_utf8", where="request body") from None


def endpoint_url(request: Request) -> str:
    """The endpoint's own URL: the base of relative IRIs and the ``sd:endpoint``."""
    return str(request.url.replace(query="", fragment=""))


def service_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def with_base(text: str, base: str) -> str:
    """``text`` with ``BASE <base>`` in front when it has relative IRIs (only then, so that
    error positions in ordinary queries stay exact)."""
    return f"BASE <{base}>\n{text}" if has_relative_iri(text) else text


# -- queries ---------------------------------------------------------------------------------
_FORM_OFFERS = {
    "SELECT": RESULTS_OFFERS,
    "ASK": RESULTS_OFFERS,
    "CONSTRUCT": RDF_OFFERS,
    "DESCRIBE": RDF_OFFERS,
}


def not_acceptable(request: Request, form: str, offers: list[str]) -> Response:
    listed = ", ".join(dict.fromkeys(o for o in offers if o in results.FORMAT_IRIS))
    return problem(
        406,
        "Not Acceptable",
        message(request, "not_acceptable", form=form, offers=listed),
        "not-acceptable",
        headers={"Vary": "Accept"},
    )


def _dataset_part(graphs: list[str] | None) -> list[str] | None:
    """A dataset parameter as a cache-key part: order and repeats do not change the dataset."""
    return None if graphs is None else sorted(set(graphs))


def _revalidated(request: Request, cache: result_cache.ResultCache, key: str) -> Response | None:
    """The answer to a matching ``If-None-Match`` (RFC 9110 §13.1.2): 304 without a body for GET
    and HEAD, 412 for a POST query; None when the client's copy is not the current one."""
    if not result_cache.not_modified(request.headers.get("if-none-match"), key):
        return None
    cache.count("sparql", "not_modified")
    headers = {
        "ETag": result_cache.etag_for(key, request),
        "Cache-Control": result_cache.cache_control(request),
        "Vary": "Accept",
    }
    if request.method in ("GET", "HEAD"):
        return Response(status_code=304, headers=headers)
    return problem(
        412,
        "Precondition Failed",
        message(request, "unchanged"),
        "precondition-failed",
        headers=headers,
    )


async def run_query(request: Request, op: Operation) -> Response:
    """Negotiate, run and stream one query (in a thread of its own, see ``results.stream``).

    An answer that depends only on the store (see :func:`result_cache.deterministic`) carries a
    strong ``ETag`` derived from the store revision and the request, is served from the result
    cache when the same request was answered at the same revision, and is kept there after it
    was sent (within the cache's byte bounds)."""
    engine: QueryEngine = request.app.state.engine
    settings: Settings = request.app.state.settings
    accept = request.headers.get("accept")
    form = query_form(op.text)
    if form is not None and negotiate(accept, _FORM_OFFERS[form]) is None:
        return not_acceptable(request, form, _FORM_OFFERS[form])
    results_media = negotiate(accept, RESULTS_OFFERS)
    rdf_media = negotiate(accept, RDF_OFFERS)
    text = with_base(op.text, endpoint_url(request))
    default_graph = op.default_graph if op.dataset_given else None
    named_graphs = op.named_graphs if op.dataset_given else None
    timeout = engine.deadline(op.timeout, admin=is_admin(request))
    namespaces = prefixes(settings.base_iri)
    vary = {"Vary": "Accept"}

    cache = result_cache.cache_for(request.app)
    key: str | None = None
    revision = 0
    if result_cache.deterministic(text):
        # Read once per request: by the ETag middleware (GET), else here (a remote store is
        # asked with a query, so off the event loop).
        known = result_cache.known_revision(request)
        revision = known if known is not None else await run_in_threadpool(engine.revision)
        media: object = (
            [results_media, rdf_media]
            if form is None
            else results_media
            if form in ("SELECT", "ASK")
            else rdf_media
        )
        # The deadline is left out: it changes whether an answer comes, never its bytes.
        key = result_cache.cache_key(
            revision,
            "sparql",
            text,
            _dataset_part(default_graph),
            _dataset_part(named_graphs),
            form,
            media,
        )
        early = _revalidated(request, cache, key)
        if early is not None:
            return early
        control = result_cache.cache_control(request)
        entry = cache.get(key, revision)
        if entry is not None:
            cache.count("sparql", "hit")
            coded = None
            if result_cache.wants_gzip(entry, request):  # compressed once, off the event loop
                coded = entry.gzipped or await run_in_threadpool(cache.gzipped, key, entry)
            return result_cache.served(entry, key, request, control, coded)
        cache.count("sparql", "miss")
        tags = {"ETag": result_cache.etag_for(key, request), "Cache-Control": control}
    else:
        cache.count("sparql", "uncacheable")
        tags = {"Cache-Control": result_cache.NO_STORE}

    def produce(out: results.Sink) -> Response | None:
        sink = out if key is None else result_cache.RecordingSink(out, cache.max_entry_bytes)
        result = engine.query(
            text, default_graph=default_graph, named_graphs=named_graphs, timeout=timeout
        )
        answer_headers: dict[str, str] = dict(vary)
        if isinstance(result, bool):
            if results_media is None:
                return not_acceptable(request, "ASK", RESULTS_OFFERS)
            kind = results.RESULTS_MEDIA[results_media]
            sink.start(results_media, headers={**answer_headers, **tags})
            sink.write(results.boolean_results(result, kind).encode("utf-8"))
        elif isinstance(result, SelectResult):
            if results_media is None:
                return not_acceptable(request, "SELECT", RESULTS_OFFERS)
            kind = results.RESULTS_MEDIA[results_media]
            if result.capped:
                answer_headers[CAPPED_HEADER] = "true"
            sink.start(results_media, headers={**answer_headers, **tags})
            sink.write_text(results.iter_results(result, kind))
        elif isinstance(result, GraphResult):
            if rdf_media is None:
                return not_acceptable(request, "CONSTRUCT", RDF_OFFERS)
            if result.capped:
                answer_headers[CAPPED_HEADER] = "true"
            sink.start(rdf_media, headers={**answer_headers, **tags})
            results.write_rdf(
                sink, result.triples, results.RDF_MEDIA[rdf_media], prefixes=namespaces
            )
        else:
            raise InputError(f"unsupported query result {type(result).__name__}")
        if key is not None and isinstance(sink, result_cache.RecordingSink):
            _keep(cache, key, revision, sink, answer_headers, engine)
        return None

    return await results.stream(produce)


def _keep(
    cache: result_cache.ResultCache,
    key: str,
    revision: int,
    sink: result_cache.RecordingSink,
    headers: dict[str, str],
    engine: QueryEngine,
) -> None:
    """Keep a whole answer that was just written (the capped header, if any, is kept with it,
    so a cached capped answer says so exactly as the first one did)."""
    body = sink.body()
    if body is None or sink.media_type is None:
        cache.count("sparql", "too_large")
        return
    entry = result_cache.Entry(revision, sink.media_type, tuple(headers.items()), body)
    cache.store("sparql", key, entry, engine.revision)


# -- updates ---------------------------------------------------------------------------------
async def run_update(request: Request, op: Operation) -> Response:
    """Run one update with the admin token (401 without); 204 when done."""
    if not is_admin(request):
        return problem(
            401,
            "Unauthorized",
            message(request, "admin"),
            "unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="RightsGraph"'},
        )
    engine: QueryEngine = request.app.state.engine
    text = apply_using(op.text, op.using_graph, op.using_named_graphs)
    await run_in_threadpool(engine.update, with_base(text, endpoint_url(request)))
    return Response(status_code=204)


# -- service description ---------------------------------------------------------------------
async def describe(request: Request) -> Response:
    """The Service Description (Turtle by default, any RDF syntax by ``Accept``)."""
    engine: QueryEngine = request.app.state.engine
    settings: Settings = request.app.state.settings
    media = negotiate(request.headers.get("accept"), RDF_OFFERS)
    if media is None:
        return not_acceptable(request, "service description", RDF_OFFERS)
    endpoint = endpoint_url(request)
    service = service_url(request)
    namespaces = {
        **prefixes(settings.base_iri),
        "sd": "http://www.w3.org/ns/sparql-service-description#",
        "void": "http://rdfs.org/ns/void#",
        "formats": "http://www.w3.org/ns/formats/",
    }

    def produce(sink: results.Sink) -> None:
        stats = cached_statistics(engine, engine.revision())
        graph = service_description(
            stats,
            endpoint=endpoint,
            service_url=service,
            base_iri=settings.base_iri,
            graph_store=f"{service}/graph-store",
            result_formats=DESCRIBED_FORMATS,
        )
        sink.start(media, headers={"Vary": "Accept"})
        results.write_rdf(sink, as_triples(graph), results.RDF_MEDIA[media], prefixes=namespaces)

    return await results.stream(produce)


# -- routes ----------------------------------------------------------------------------------
@router.get(
    "/sparql",
    operation_id="sparql_get",
    summary="SPARQL query by GET, or the service description without a query",
)
@router.head("/sparql", operation_id="sparql_head", include_in_schema=False)
async def sparql_get(request: Request) -> Response:
    op = read_operation(request, url_pairs(request))
    if op.kind == "update":
        raise fail(request, "update_by_get")
    if op.kind == "describe":
        return await describe(request)
    return await run_query(request, op)


@router.post(
    "/sparql",
    operation_id="sparql_post",
    summary="SPARQL query or update by POST (form or direct)",
)
async def sparql_post(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        return problem(
            413,
            "Content Too Large",
            message(request, "too_large", limit=settings.max_body_bytes),
            "too-large",
        )
    media, charset = content_type(request)
    in_url = url_pairs(request)
    if media == FORM:
        check_charset(request, charset)
        op = read_operation(request, in_url + decode_pairs(request, body, "request body"))
    elif media in (QUERY_TYPE, UPDATE_TYPE):
        check_charset(request, charset)
        kind = "query" if media == QUERY_TYPE else "update"
        if any(k in ("query", "update") for k, _ in in_url):
            raise fail(request, "twice", kind=kind)
        op = read_operation(request, [*in_url, (kind, body_text(request, body))])
    else:
        raise UnsupportedFormatError(
            message(
                request,
                "media_type",
                expected=f"{FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
                got=media or "no Content-Type",
            )
        )
    if op.kind == "describe":
        raise fail(request, "nothing")
    if op.kind == "update":
        return await run_update(request, op)
    return await run_query(request, op)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    return problem(
        405,
        "Method Not Allowed",
        f"{request.method} is not a SPARQL protocol operation: use GET or POST",
        "method-not-allowed",
        headers={"Allow": "GET, HEAD, POST"},
    )
