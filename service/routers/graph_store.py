"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/graph-store``: read for all, write with the
admin token.

Graph identification:

- indirect: ``/graph-store?graph=IRI`` (any graph IRI) or ``/graph-store?default``;
- direct: ``/graph-store/{path}`` names the graph ``rgg:{path}`` (``{base}graph/{path}``), so
  ``/graph-store/seed`` is ``rgg:seed`` and ``/graph-store/territory/es-barcelona`` is
  ``rgg:territory/es-barcelona``: every graph of the project has a URL of its own here.

``default`` is the store's own default graph, not the union default graph of queries.
Operations: ``GET`` (Turtle by default, any RDF syntax by ``Accept``) and ``HEAD``; ``PUT``
(replace), ``POST`` (merge; ``multipart/form-data`` merges every part; a ``POST`` to
``/graph-store`` itself creates ``rgg:gsp/{uuid}`` and answers 201 with its IRI in ``Location``),
``DELETE``. A missing graph is 404; a write answers 201 when it created the graph, else 204. Each
write is one transaction that also bumps the store revision. The bookkeeping graph
``rgg:system`` and the revision history cannot be written here (403).
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from rightsgraph.errors import InputError, TooLargeError, UnsupportedFormatError
from rightsgraph.namespaces import prefixes
from rightsgraph.service import results
from rightsgraph.service.deps import Forbidden, is_admin
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.negotiation import negotiate
from rightsgraph.service.problems import problem
from rightsgraph.service.routers.sparql import (
    RDF_OFFERS,
    ProtocolError,
    content_type,
    localized,
    not_acceptable,
    url_pairs,
)
from rightsgraph.service.settings import Settings
from rightsgraph.store.base import DEFAULT_GRAPH, RDF_FORMATS, GraphResult, Store

router = APIRouter(tags=["graph-store"])

#: RDF syntaxes accepted in PUT and POST bodies (one graph: no quad formats).
INPUT_MEDIA: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/n3": ox.RdfFormat.N3,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_TRIPLE_FORMATS = {
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.N3,
    ox.RdfFormat.RDF_XML,
    ox.RdfFormat.JSON_LD,
}
MULTIPART = "multipart/form-data"

MESSAGES: dict[str, tuple[str, str, str]] = {
    "which_graph": (
        "name the graph with ?graph=IRI or ?default (not both)",
        "désignez le graphe par ?graph=IRI ou ?default (pas les deux)",
        "indique el grafo con ?graph=IRI o ?default (no ambos)",
    ),
    "not_iri": (
        "the graph must be an absolute IRI, not {value!r}",
        "le graphe doit être un IRI absolu, pas {value!r}",
        "el grafo debe ser un IRI absoluto, no {value!r}",
    ),
    "missing": (
        "there is no graph {graph}",
        "le graphe {graph} n'existe pas",
        "no existe el grafo {graph}",
    ),
    "admin": (
        "writing a graph needs the admin token (Authorization: Bearer ...)",
        "écrire un graphe demande le jeton d'administration (Authorization: Bearer ...)",
        "escribir un grafo requiere el token de administración (Authorization: Bearer ...)",
    ),
    "protected": (
        "{graph} is kept by the store itself and cannot be written here",
        "{graph} est tenu par l'entrepôt lui-même et ne peut pas être écrit ici",
        "{graph} lo mantiene el propio almacén y no se puede escribir aquí",
    ),
    "media_type": (
        "send one of {expected}; got {got}",
        "envoyez l'un de {expected} ; reçu : {got}",
        "envíe uno de {expected}; recibido: {got}",
    ),
    "too_large": (
        "the request body is over {limit} bytes",
        "le corps de la requête dépasse {limit} octets",
        "el cuerpo de la petición supera {limit} bytes",
    ),
    "unreadable": (
        "the {what} is not valid {format}: {error}",
        "le {what} n'est pas du {format} valide : {error}",
        "el {what} no es {format} válido: {error}",
    ),
}


def _say(request: Request, key: str, **values: object) -> str:
    return localized(request, MESSAGES, key, **values)


def _base(settings: Settings) -> str:
    base = settings.base_iri
    return base if base.endswith("/") else base + "/"


def graph_of_path(settings: Settings, raw_path: str) -> str:
    """The graph a direct URL ``/graph-store/{path}`` names: ``{base}graph/{path}``."""
    return f"{_base(settings)}graph/{raw_path}"


def indirect_graph(request: Request) -> str | None:
    """The graph named by ``?graph=IRI`` or ``?default`` (``DEFAULT_GRAPH``); ``None`` when the
    request names none. Raises ``ProtocolError`` for both, a repeated ``graph`` or a non-IRI."""
    pairs = url_pairs(request)
    graphs = [v for k, v in pairs if k == "graph"]
    default = any(k == "default" for k, _ in pairs)
    if len(graphs) > 1 or (graphs and default):
        raise ProtocolError(_say(request, "which_graph"))
    if default:
        return DEFAULT_GRAPH
    if not graphs:
        return None
    return _checked_iri(request, graphs[0])


def _checked_iri(request: Request, value: str) -> str:
    try:
        ox.NamedNode(value)
    except ValueError:
        raise ProtocolError(_say(request, "not_iri", value=value)) from None
    if ":" not in value:
        raise ProtocolError(_say(request, "not_iri", value=value))
    return value


def _shown(graph: str) -> str:
    return "the default graph" if graph == DEFAULT_GRAPH else f"<{graph}>"


def _unauthorized(request: Request) -> Response:
    return problem(
        401,
        "Unauthorized",
        _say(request, "admin"),
        "unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="RightsGraph"'},
    )


def _check_writable(request: Request, settings: Settings, graph: str) -> None:
    """Raises ``Forbidden`` for the store's bookkeeping graph and the revision history."""
    root = f"{_base(settings)}graph/"
    if graph == f"{root}system" or graph.startswith(f"{root}revision/"):
        raise Forbidden(_say(request, "protected", graph=_shown(graph)))


# -- reading ---------------------------------------------------------------------------------
def _exists(engine: QueryEngine, graph: str) -> bool:
    if graph == DEFAULT_GRAPH:
        return True
    return engine.query(f"ASK {{ GRAPH <{graph}> {{ }} }}") is True


async def read(request: Request, graph: str) -> Response:
    """``GET``/``HEAD`` of one graph: 404 when missing, else its triples in the negotiated
    syntax, streamed (``HEAD``: the same status and headers, no body)."""
    engine: QueryEngine = request.app.state.engine
    settings: Settings = request.app.state.settings
    media = negotiate(request.headers.get("accept"), RDF_OFFERS)
    if media is None:
        return not_acceptable(request, "graph", RDF_OFFERS)
    namespaces = prefixes(settings.base_iri)
    missing = _say(request, "missing", graph=_shown(graph))
    headers = {"Vary": "Accept"}

    if request.method == "HEAD":
        found = await run_in_threadpool(_exists, engine, graph)
        if not found:
            return problem(404, "Not Found", missing, "not-found")
        return Response(status_code=200, media_type=media, headers=headers)

    def produce(sink: results.Sink) -> Response | None:
        if not _exists(engine, graph):
            return problem(404, "Not Found", missing, "not-found")
        result = engine.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=[graph], named_graphs=[]
        )
        sink.start(media, headers=headers)
        if isinstance(result, GraphResult):
            results.write_rdf(sink, result.triples, results.RDF_MEDIA[media], prefixes=namespaces)
        return None

    return await results.stream(produce)


# -- writing ---------------------------------------------------------------------------------
def parse_triples(data: bytes, rdf_format: ox.RdfFormat, base_iri: str | None) -> list[ox.Triple]:
    """The triples of an RDF document (relative IRIs resolved against ``base_iri``).

    Raises ``InputError`` (400) when it does not parse."""
    try:
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(data, rdf_format, base_iri=base_iri, rename_blank_nodes=True)
        ]
    except (SyntaxError, ValueError) as exc:
        raise InputError(str(exc)) from None


def _media_format(request: Request, media: str, filename: str | None = None) -> ox.RdfFormat:
    if media in INPUT_MEDIA:
        return INPUT_MEDIA[media]
    if filename and "." in filename:
        guessed = RDF_FORMATS.get(filename.rsplit(".", 1)[-1].lower())
        if guessed in _TRIPLE_FORMATS and media in ("", "application/octet-stream"):
            return guessed
    raise UnsupportedFormatError(
        _say(
            request,
            "media_type",
            expected=", ".join([*INPUT_MEDIA, MULTIPART]),
            got=media or "no Content-Type",
        )
    )


async def read_body(request: Request, base_iri: str | None) -> list[ox.Triple]:
    """The triples of a ``PUT``/``POST`` body: one RDF document, or every part of a
    ``multipart/form-data`` body merged. Raises ``UnsupportedFormatError`` (415),
    ``InputError`` (400) or ``TooLargeError`` (413)."""
    settings: Settings = request.app.state.settings
    media, _ = content_type(request)
    limit = settings.max_body_bytes
    if media == MULTIPART:
        documents: list[tuple[bytes, ox.RdfFormat, str]] = []
        async with request.form(max_part_size=limit) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    part_media = (value.content_type or "").split(";")[0].strip().lower()
                    fmt = _media_format(request, part_media, value.filename)
                    documents.append((await value.read(), fmt, value.filename or name))
        triples: list[ox.Triple] = []
        for data, fmt, name in documents:
            triples += await run_in_threadpool(_parse, request, data, fmt, base_iri, name)
        return triples
    fmt = _media_format(request, media)
    body = await request.body()
    if len(body) > limit:
        raise TooLargeError(_say(request, "too_large", limit=limit))
    return await run_in_threadpool(_parse, request, body, fmt, base_iri, "request body")


def _parse(
    request: Request, data: bytes, fmt: ox.RdfFormat, base_iri: str | None, what: str
) -> list[ox.Triple]:
    try:
        return parse_triples(data, fmt, base_iri)
    except InputError as exc:
        raise InputError(
            _say(request, "unreadable", what=what, format=fmt.name, error=str(exc))
        ) from None


async def write(request: Request, graph: str | None, *, replace: bool) -> Response:
    """``PUT`` (``replace``) or ``POST`` of one graph; ``graph=None`` creates a new graph."""
    if not is_admin(request):
        return _unauthorized(request)
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    location: str | None = None
    if graph is None:
        graph = f"{_base(settings)}graph/gsp/{uuid.uuid4()}"
        location = graph
    _check_writable(request, settings, graph)
    base = str(request.url.replace(query="", fragment="")) if graph == DEFAULT_GRAPH else graph
    triples = await read_body(request, base)
    created = await run_in_threadpool(store.write_graph, graph, triples, replace=replace)
    if location is not None:
        return Response(status_code=201, headers={"Location": location})
    return Response(status_code=201 if created else 204)


async def delete(request: Request, graph: str) -> Response:
    if not is_admin(request):
        return _unauthorized(request)
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    _check_writable(request, settings, graph)
    if not await run_in_threadpool(store.delete_graph, graph):
        return problem(404, "Not Found", _say(request, "missing", graph=_shown(graph)), "not-found")
    return Response(status_code=204)


async def dispatch(request: Request, graph: str | None) -> Response:
    if request.method in ("GET", "HEAD"):
        if graph is None:
            raise ProtocolError(_say(request, "which_graph"))
        return await read(request, graph)
    if request.method == "PUT":
        if graph is None:
            raise ProtocolError(_say(request, "which_graph"))
        return await write(request, graph, replace=True)
    if request.method == "POST":
        return await write(request, graph, replace=False)
    if graph is None:
        raise ProtocolError(_say(request, "which_graph"))
    return await delete(request, graph)


METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


async def graph_store_indirect(request: Request) -> Response:
    return await dispatch(request, indirect_graph(request))


async def graph_store_direct(request: Request, path: str) -> Response:
    settings: Settings = request.app.state.settings
    raw = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    raw = raw.split("?", 1)[0]
    prefix = "/graph-store/"
    local = raw[raw.index(prefix) + len(prefix) :] if prefix in raw else path
    if not local:
        return await dispatch(request, indirect_graph(request))
    return await dispatch(request, _checked_iri(request, graph_of_path(settings, local)))


# One route per method, so that every operation has its own stable OpenAPI operation id.
for _method in METHODS:
    router.add_api_route(
        "/graph-store",
        graph_store_indirect,
        methods=[_method],
        operation_id=f"graph_store_indirect_{_method.lower()}",
        summary="Graph Store Protocol, indirect identification (?graph=IRI or ?default)",
    )
    router.add_api_route(
        "/graph-store/{path:path}",
        graph_store_direct,
        methods=[_method],
        operation_id=f"graph_store_direct_{_method.lower()}",
        summary="Graph Store Protocol, direct identification (/graph-store/{path} is rgg:{path})",
    )
