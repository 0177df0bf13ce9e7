"""The W3C Entity Reconciliation Service API 0.2 over HTTP: ``/api/reconcile``.

- ``GET /api/reconcile``: the service manifest (in the language of ``lang=`` or
  ``Accept-Language``); with ``queries=`` (a JSON query batch) the results; with ``extend=``
  (a JSON data extension query) the property values.
- ``POST /api/reconcile``: the same with a form (``application/x-www-form-urlencoded``, or
  ``multipart/form-data``) field ``queries`` or ``extend`` (and optionally ``lang``).
- ``GET /api/reconcile/preview?id=``: a small HTML card about one entity, for an iframe.
- ``GET /api/reconcile/view?id=``: 303 to the entity's linked-data page on this service (the
  manifest's view template: ids are full IRIs, so the template cannot be the IRI itself).
- ``GET /api/reconcile/suggest/{entity,property,type}?prefix=&cursor=``: auto-completion.
- ``GET /api/reconcile/extend/propose?type=&limit=``: the properties data extension offers.

The logic is in :mod:`rightsgraph.service.reconcile`; this module reads requests, enforces the
size limits and writes answers. Errors are RFC 9457 problems: 400 for bad JSON, an unknown type
or property, 413 for a batch over ``batchSize`` or a body over 1 MB, 415 for another body type.

CORS, which the protocol makes mandatory since 0.2, comes from the application's CORS middleware
(every origin by default). **JSONP is not offered**: 0.2 makes it optional, OpenRefine (3.3 and
later) calls services with CORS first and uses JSONP only when that fails, and a JSONP answer is
script that the caller must trust. A request with ``callback=`` therefore gets a 400 problem that
says so, rather than JSON that an old client would wait on in vain.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from rightsgraph.service import reconcile as rc
from rightsgraph.service.deps import EngineDep, SettingsDep
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.i18n import pick_language
from rightsgraph.service.problems import problem
from rightsgraph.service.settings import Settings

router = APIRouter(prefix="/api/reconcile", tags=["reconciliation"])

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_VARY = "Accept-Language"
#: The preview is shown in a client's iframe: no script, no plugin, styles inline only.
_PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_SHOWN = 80

_lock = threading.Lock()


def _reconciler(request: Request, engine: QueryEngine, settings: Settings) -> rc.Reconciler:
    """The app's one :class:`Reconciler` (its index is shared by every request), made on first
    use for the engine the lifespan opened."""
    state = request.app.state
    current: rc.Reconciler | None = getattr(state, "reconciler", None)
    if current is not None and current.engine is engine:
        return current
    with _lock:
        current = getattr(state, "reconciler", None)
        if current is None or current.engine is not engine:
            current = rc.Reconciler(engine, settings.base_iri)
            state.reconciler = current
        return current


def _language(request: Request, explicit: str | None = None) -> str:
    """en, fr or es: ``lang`` (form field or query parameter), else ``Accept-Language``."""
    for given in (explicit, request.query_params.get("lang")):
        tag = rc.language_or_none(given)
        if tag is not None:
            return pick_language(tag)
    return pick_language(request.headers.get("accept-language"))


def _service_url(request: Request) -> str:
    return str(request.url_for("reconcile_get")).rstrip("/")


def _site_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _json(body: Any, lang: str) -> JSONResponse:
    return JSONResponse(body, headers={"Content-Language": lang, "Vary": _VARY})


def _bad(
    detail: str, *, type_: str = "invalid-reconciliation-request", **extra: object
) -> Response:
    return problem(400, "Invalid reconciliation request", detail, type_, **extra)


def _error(exc: rc.ReconcileRequestError) -> Response:
    extra: dict[str, object] = {}
    if exc.where:
        extra["where"] = exc.where[:_SHOWN]
    title = "Request too large" if exc.status == 413 else "Invalid reconciliation request"
    return problem(exc.status, title, str(exc), exc.type, **extra)


def _parse_json(raw: str, field: str) -> object:
    """The JSON of a ``queries`` or ``extend`` field. Raises ``ReconcileRequestError``."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise rc.ReconcileRequestError(f"{field} is not valid JSON: {exc}", where=field) from None


def _run(reconciler: rc.Reconciler, field: str, raw: str, lang: str) -> dict[str, Any]:
    """Answer a ``queries`` or ``extend`` field (in a worker thread: it reads the store)."""
    if len(raw.encode("utf-8")) > rc.MAX_BODY_BYTES:
        raise rc.ReconcileTooLargeError(
            f"{field} is over the limit of {rc.MAX_BODY_BYTES:,} bytes", where=field
        )
    parsed = _parse_json(raw, field)
    if field == "queries":
        return reconciler.reconcile_batch(parsed, lang)
    return reconciler.extend(parsed, lang)


def _one(values: dict[str, list[str]], name: str) -> str | None:
    """The single value of a field. Raises ``ReconcileRequestError`` when it is repeated."""
    given = values.get(name)
    if not given:
        return None
    if len(given) > 1:
        raise rc.ReconcileRequestError(f"{name} is given more than once", where=name)
    return given[0]


async def _answer(
    request: Request, reconciler: rc.Reconciler, fields: dict[str, list[str]], lang: str
) -> Response:
    """The answer to a request carrying ``queries`` or ``extend`` (exactly one of them)."""
    try:
        queries, extend = _one(fields, "queries"), _one(fields, "extend")
        if queries is not None and extend is not None:
            raise rc.ReconcileRequestError("send queries or extend, not both")
        if queries is not None:
            field, raw = "queries", queries
        elif extend is not None:
            field, raw = "extend", extend
        else:
            raise rc.ReconcileRequestError("a request needs a queries or an extend field")
        body = await run_in_threadpool(_run, reconciler, field, raw, lang)
    except rc.ReconcileRequestError as exc:
        return _error(exc)
    return _json(body, lang)


def _jsonp_refused() -> Response:
    return _bad(
        "JSONP is not offered: this service answers JSON with CORS, which the Reconciliation "
        "API 0.2 requires (OpenRefine 3.3 and later use it); drop the callback parameter",
        type_="jsonp-not-supported",
    )


# -- the endpoint ----------------------------------------------------------------------------------
@router.get("", operation_id="reconcile_get", name="reconcile_get")
@router.get("/", include_in_schema=False, name="reconcile_get_slash")
async def reconcile_get(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    queries: Annotated[str | None, Query(description="a reconciliation query batch (JSON)")] = None,
    extend: Annotated[str | None, Query(description="a data extension query (JSON)")] = None,
    lang: Annotated[str | None, Query(description="language of names (en, fr, es)")] = None,
) -> Response:
    """The service manifest; with ``queries`` the reconciliation results; with ``extend`` the
    data extension."""
    del queries, extend  # read from the raw parameters, where repeats are visible
    if "callback" in request.query_params:
        return _jsonp_refused()
    reconciler = _reconciler(request, engine, settings)
    language = _language(request, lang)
    fields = {
        name: request.query_params.getlist(name)
        for name in ("queries", "extend")
        if name in request.query_params
    }
    if not fields:
        body = reconciler.manifest(
            service_url=_service_url(request), site_url=_site_url(request), lang=language
        )
        return _json(body, language)
    return await _answer(request, reconciler, fields, language)


@router.post("", operation_id="reconcile_post", name="reconcile_post")
@router.post("/", include_in_schema=False, name="reconcile_post_slash")
async def reconcile_post(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """Reconciliation queries (form field ``queries``) or data extension (form field
    ``extend``), as the protocol sends them: a URL-encoded or multipart form."""
    if "callback" in request.query_params:
        return _jsonp_refused()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > rc.MAX_BODY_BYTES:
        return _error(_too_large(int(declared)))
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("", _FORM, _MULTIPART):
        return problem(
            415,
            "Unsupported Media Type",
            f"send the queries as {_FORM} (or {_MULTIPART}); got {media[:_SHOWN]!r}",
            "unsupported-media-type",
        )
    # The application's body limit bounds what is read here even without a Content-Length.
    body = await request.body()
    if len(body) > rc.MAX_BODY_BYTES:
        return _error(_too_large(len(body)))
    try:
        fields = await _form_fields(request, body, media)
    except rc.ReconcileRequestError as exc:
        return _error(exc)
    reconciler = _reconciler(request, engine, settings)
    explicit = fields["lang"][0] if fields.get("lang") else None
    return await _answer(request, reconciler, fields, _language(request, explicit))


def _too_large(size: int) -> rc.ReconcileTooLargeError:
    return rc.ReconcileTooLargeError(
        f"the request body is {size:,} bytes; the limit is {rc.MAX_BODY_BYTES:,}", where="body"
    )


async def _form_fields(request: Request, body: bytes, media: str) -> dict[str, list[str]]:
    """The form's text fields. Raises ``ReconcileRequestError`` for a body that is not one."""
    if media == _MULTIPART:
        try:
            form = await request.form(max_files=0, max_fields=16, max_part_size=rc.MAX_BODY_BYTES)
        except (MultiPartException, StarletteHTTPException) as exc:
            raise rc.ReconcileRequestError("the multipart form cannot be read", where="body") from (
                exc
            )
        out: dict[str, list[str]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                out.setdefault(key, []).append(value)
        return out
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        raise rc.ReconcileRequestError("the form is not UTF-8", where="body") from None
    try:
        return parse_qs(decoded, keep_blank_values=True, max_num_fields=16)
    except ValueError as exc:
        raise rc.ReconcileRequestError(f"the form cannot be read: {exc}", where="body") from None


# -- preview and view ------------------------------------------------------------------------------
@router.get("/preview", operation_id="reconcile_preview", name="reconcile_preview")
def reconcile_preview(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    id: Annotated[str | None, Query(description="the entity's IRI")] = None,
    lang: Annotated[str | None, Query(description="language (en, fr, es)")] = None,
) -> Response:
    """A small HTML card about one entity (the manifest's preview service)."""
    if not id:
        return _bad("the preview needs an id (the entity's IRI)", where="id")
    reconciler = _reconciler(request, engine, settings)
    language = _language(request, lang)
    path = rc.page_path(id.strip(), reconciler.base)
    page = f"{_site_url(request)}{path}" if path else None
    card = reconciler.preview(id.strip(), lang=language, page_url=page)
    if card is None:
        return problem(
            404,
            "Not found",
            f"no territory, initiative, rights category or group has the id {id[:_SHOWN]!r}",
            "not-found",
        )
    return HTMLResponse(
        card,
        headers={
            "Content-Language": language,
            "Vary": _VARY,
            "Content-Security-Policy": _PREVIEW_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


@router.get("/view", operation_id="reconcile_view", name="reconcile_view")
def reconcile_view(
    request: Request,
    settings: SettingsDep,
    id: Annotated[str | None, Query(description="the entity's IRI")] = None,
) -> Response:
    """303 to the page of an IRI under the base on this service (the manifest's view)."""
    if not id:
        return _bad("the view needs an id (the entity's IRI)", where="id")
    base = settings.base_iri if settings.base_iri.endswith("/") else settings.base_iri + "/"
    path = rc.page_path(id.strip(), base)
    if path is None:
        return problem(404, "Not found", f"{id[:_SHOWN]!r} is not an IRI under {base}", "not-found")
    return RedirectResponse(f"{_site_url(request)}{path}", status_code=303)


# -- suggest ---------------------------------------------------------------------------------------
def _page(cursor: str | None, limit: str | None) -> tuple[int, int]:
    """``cursor`` (from 0) and ``limit`` of a suggest request. Raises ``ReconcileRequestError``."""
    try:
        start = int(cursor) if cursor not in (None, "") else 0
    except ValueError:
        raise rc.ReconcileRequestError("cursor must be a whole number", where="cursor") from None
    try:
        size = int(limit) if limit not in (None, "") else rc.SUGGEST_LIMIT
    except ValueError:
        raise rc.ReconcileRequestError("limit must be a whole number", where="limit") from None
    if not 0 <= start <= rc.MAX_CURSOR:
        raise rc.ReconcileRequestError(
            f"cursor must be between 0 and {rc.MAX_CURSOR}", where="cursor"
        )
    if not 1 <= size <= rc.MAX_SUGGEST_LIMIT:
        raise rc.ReconcileRequestError(
            f"limit must be between 1 and {rc.MAX_SUGGEST_LIMIT}", where="limit"
        )
    return start, size


def _suggest(
    request: Request,
    engine: QueryEngine,
    settings: Settings,
    call: Callable[[rc.Reconciler, str, int, int, str], dict[str, Any]],
    prefix: str | None,
    cursor: str | None,
    limit: str | None,
) -> Response:
    language = _language(request)
    try:
        start, size = _page(cursor, limit)
        if prefix is not None and len(prefix) > rc.MAX_QUERY_CHARS:
            raise rc.ReconcileTooLargeError("the prefix is too long", where="prefix")
        body = call(_reconciler(request, engine, settings), prefix or "", start, size, language)
    except rc.ReconcileRequestError as exc:
        return _error(exc)
    return _json(body, language)


_Prefix = Annotated[str | None, Query(description="what the user has typed so far")]
_Cursor = Annotated[str | None, Query(description="how many suggestions to skip")]
_Limit = Annotated[str | None, Query(description="how many suggestions to return (1-50)")]
_Type = Annotated[str | None, Query(description="only entities or properties of this type")]


@router.get(
    "/suggest/entity", operation_id="reconcile_suggest_entity", name="reconcile_suggest_entity"
)
def suggest_entity(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    prefix: _Prefix = None,
    cursor: _Cursor = None,
    limit: _Limit = None,
    type: _Type = None,
) -> Response:
    """Entities whose name (or a word of it) starts with ``prefix``."""
    return _suggest(
        request,
        engine,
        settings,
        lambda r, p, c, n, lang: r.suggest_entities(p, cursor=c, limit=n, types=type, lang=lang),
        prefix,
        cursor,
        limit,
    )


@router.get(
    "/suggest/property",
    operation_id="reconcile_suggest_property",
    name="reconcile_suggest_property",
)
def suggest_property(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    prefix: _Prefix = None,
    cursor: _Cursor = None,
    limit: _Limit = None,
    type: _Type = None,
) -> Response:
    """Properties whose id or name starts with ``prefix``."""
    return _suggest(
        request,
        engine,
        settings,
        lambda r, p, c, n, lang: r.suggest_properties(p, cursor=c, limit=n, types=type, lang=lang),
        prefix,
        cursor,
        limit,
    )


@router.get("/suggest/type", operation_id="reconcile_suggest_type", name="reconcile_suggest_type")
def suggest_type(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    prefix: _Prefix = None,
    cursor: _Cursor = None,
    limit: _Limit = None,
) -> Response:
    """Types whose name starts with ``prefix``."""
    return _suggest(
        request,
        engine,
        settings,
        lambda r, p, c, n, lang: r.suggest_types(p, cursor=c, limit=n, lang=lang),
        prefix,
        cursor,
        limit,
    )


# -- data extension --------------------------------------------------------------------------------
@router.get(
    "/extend/propose", operation_id="reconcile_propose_properties", name="reconcile_propose"
)
def propose_properties(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    type: _Type = None,
    limit: Annotated[str | None, Query(description="most properties to propose")] = None,
) -> Response:
    """The properties data extension offers for a type."""
    language = _language(request)
    try:
        most: int | None = None
        if limit not in (None, ""):
            try:
                most = int(limit)
            except ValueError:
                raise rc.ReconcileRequestError(
                    "limit must be a whole number", where="limit"
                ) from None
            if most < 1:
                raise rc.ReconcileRequestError("limit must be at least 1", where="limit")
        body = _reconciler(request, engine, settings).propose_properties(
            type, limit=most, lang=language
        )
    except rc.ReconcileRequestError as exc:
        return _error(exc)
    return _json(body, language)
