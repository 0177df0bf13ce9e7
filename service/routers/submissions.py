"""The submissions API: /api/submissions and /api/territories/{key}/revisions.

A territory (with its territory token) or the admin (with the admin token) sends one file, as a
``multipart/form-data`` upload (field ``file``) or as the raw request body in one of the core
formats. The file goes through :func:`rightsgraph.loaders.submission.process` (parse -> map ->
validate -> one atomic commit) in a worker thread, and the answer is the validation report: JSON
by default, a readable page in the submitter's language for ``Accept: text/html``.

Answers of ``POST /api/submissions``:

- 201 (``Location: /api/submissions/{id}``): the file conforms and was stored;
- 200: ``?dry_run=true`` and the file conforms (nothing written);
- 422: the file does not conform; the body is problem+json with the whole report in it;
- 400 / 413 / 415: the file cannot be read / the body is over ``max_body_bytes`` / a media type we
  do not read (problem+json);
- 401: no token, or an unknown or revoked one; 403: a territory token sent another territory's
  file (checked on a parse of the file before anything is validated or written).

The JSON report is ``SubmissionResult.as_dict()`` plus ``id``, ``state`` (``committed``,
``validated`` for a conforming dry run, ``rejected``), ``dry_run`` and ``links``. The member is
called ``state`` rather than ``status`` because a 422 answer is also an RFC 9457 problem, whose
``status`` is the HTTP status.

Where reports are kept: the id of a stored submission is the UUID of its ``rgid:submission/{uuid}``
activity, and its provenance is read back from ``rgg:provenance``; its report is written to
``DIR/reports/committed/{id}.json`` and kept. Rejected files and dry runs get a fresh UUID and
their report goes to ``DIR/reports/recent/``, which keeps only the newest
:data:`RECENT_REPORTS` of them. A stored submission is public (its data and provenance are);
the report of one that was not stored is shown only to the admin or to a token of its territory,
since it may quote data that was never published.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from rightsgraph import iri
from rightsgraph.errors import (
    InputError,
    NotFoundError,
    RightsGraphError,
    TooLargeError,
    UnsupportedFormatError,
)
from rightsgraph.languages import localize
from rightsgraph.loaders.formats import MEDIA_TYPES
from rightsgraph.loaders.reader import read_submission
from rightsgraph.loaders.submission import SubmissionResult, process
from rightsgraph.resources import read_text
from rightsgraph.service.deps import (
    EngineDep,
    Forbidden,
    SettingsDep,
    StoreDep,
    Unauthorized,
    bearer_token,
    is_admin,
)
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.i18n import request_language, t
from rightsgraph.service.negotiation import negotiate
from rightsgraph.service.problems import PROBLEM, PROBLEM_BASE, problem
from rightsgraph.service.settings import Settings
from rightsgraph.service.tokens import authenticate, is_territory_key
from rightsgraph.store.base import SelectResult, Store

log = logging.getLogger(__name__)

router = APIRouter(tags=["submissions"])

#: Reports of rejected files and dry runs kept on disk (the newest ones).
RECENT_REPORTS = 200
#: Media types accepted as a raw request body (the core formats and their common aliases).
RAW_MEDIA_TYPES = frozenset(
    {
        *MEDIA_TYPES.values(),
        "application/csv",
        "application/json",
        "application/x-turtle",
    }
)
_MULTIPART = "multipart/form-data"
#: One commit at a time: two submissions of one territory must not both become revision n + 1.
_WRITE_LOCK = threading.Lock()
_TRUE = {"1", "true", "yes", "on"}

_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"

# -- the sentences this module says itself (validation messages come from the shapes) ---------
_TEXT: dict[str, dict[str, str]] = {
    "report": {
        "en": "Submission report",
        "fr": "Rapport de contribution",
        "es": "Informe del envío",
    },
    "report_of": {
        "en": "Submission report: {name}",
        "fr": "Rapport de contribution : {name}",
        "es": "Informe del envío: {name}",
    },
    "file": {"en": "File", "fr": "Fichier", "es": "Archivo"},
    "format": {"en": "Format", "fr": "Format", "es": "Formato"},
    "territory": {"en": "Territory", "fr": "Territoire", "es": "Territorio"},
    "graph": {"en": "Graph", "fr": "Graphe", "es": "Grafo"},
    "submission": {"en": "Submission", "fr": "Contribution", "es": "Envío"},
    "statements": {"en": "RDF triples", "fr": "Triplets RDF", "es": "Tripletas RDF"},
    "shapes_version": {
        "en": "Shapes version",
        "fr": "Version des formes",
        "es": "Versión de las formas",
    },
    "received": {"en": "Received", "fr": "Reçu", "es": "Recibido"},
    "severity": {"en": "Severity", "fr": "Gravité", "es": "Gravedad"},
    "where": {"en": "Where", "fr": "Emplacement", "es": "Ubicación"},
    "field": {"en": "Field", "fr": "Champ", "es": "Campo"},
    "value": {"en": "Value", "fr": "Valeur", "es": "Valor"},
    "message": {"en": "Message", "fr": "Message", "es": "Mensaje"},
    "problems": {"en": "Problems", "fr": "Problèmes", "es": "Problemas"},
    "no_problems": {
        "en": "No problems were found.",
        "fr": "Aucun problème n'a été trouvé.",
        "es": "No se ha encontrado ningún problema.",
    },
    "error": {
        "en": "The submission could not be processed",
        "fr": "La contribution n'a pas pu être traitée",
        "es": "No se ha podido procesar el envío",
    },
    "fix_and_resend": {
        "en": "Correct the file and send it again; nothing was written.",
        "fr": "Corrigez le fichier et envoyez-le de nouveau ; rien n'a été enregistré.",
        "es": "Corrija el archivo y vuelva a enviarlo; no se ha guardado nada.",
    },
    "json_link": {
        "en": "This report as JSON",
        "fr": "Ce rapport en JSON",
        "es": "Este informe en JSON",
    },
    "history_link": {
        "en": "Revision history of the territory",
        "fr": "Historique des révisions du territoire",
        "es": "Historial de revisiones del territorio",
    },
    "too_large": {
        "en": "The request body is larger than the limit of {limit} bytes; nothing was written.",
        "fr": "Le corps de la requête dépasse la limite de {limit} octets ; rien n'a été "
        "enregistré.",
        "es": "El cuerpo de la solicitud supera el límite de {limit} bytes; no se ha guardado "
        "nada.",
    },
    "media_type": {
        "en": "The media type {media_type} is not accepted. Send the file as multipart/form-data "
        "(field “file”) or as the request body with the type text/csv, {xlsx}, "
        "application/ld+json or text/turtle.",
        "fr": "Le type de média {media_type} n'est pas accepté. Envoyez le fichier en "
        "multipart/form-data (champ « file ») ou comme corps de la requête avec le type "
        "text/csv, {xlsx}, application/ld+json ou text/turtle.",
        "es": "No se acepta el tipo de medio {media_type}. Envíe el archivo como "
        "multipart/form-data (campo «file») o como cuerpo de la solicitud con el tipo "
        "text/csv, {xlsx}, application/ld+json o text/turtle.",
    },
    "no_file": {
        "en": "The form has no file: send it in the field “file”.",
        "fr": "Le formulaire ne contient aucun fichier : envoyez-le dans le champ « file ».",
        "es": "El formulario no contiene ningún archivo: envíelo en el campo «file».",
    },
    "bad_multipart": {
        "en": "The multipart/form-data body cannot be read: {error}",
        "fr": "Le corps multipart/form-data ne peut pas être lu : {error}",
        "es": "No se puede leer el cuerpo multipart/form-data: {error}",
    },
    "no_token": {
        "en": "Submissions need a territory token or the admin token (Authorization: Bearer …).",
        "fr": "Les contributions demandent un jeton de territoire ou le jeton d'administration "
        "(Authorization: Bearer …).",
        "es": "Los envíos requieren un token de territorio o el token de administración "
        "(Authorization: Bearer …).",
    },
    "bad_token": {
        "en": "The token is unknown or has been revoked.",
        "fr": "Le jeton est inconnu ou a été révoqué.",
        "es": "El token es desconocido o ha sido revocado.",
    },
    "other_territory": {
        "en": "This token is for the territory {token}, but the file is about {file}; nothing "
        "was written.",
        "fr": "Ce jeton est celui du territoire {token}, mais le fichier concerne {file} ; rien "
        "n'a été enregistré.",
        "es": "Este token es del territorio {token}, pero el archivo trata de {file}; no se ha "
        "guardado nada.",
    },
    "not_found": {
        "en": "There is no submission {id}.",
        "fr": "Il n'existe aucune contribution {id}.",
        "es": "No existe ningún envío {id}.",
    },
    "validation_failed": {
        "en": "The submission does not conform",
        "fr": "La contribution n'est pas conforme",
        "es": "El envío no es conforme",
    },
}

_TITLES: dict[str, dict[str, str]] = {
    "unreadable-input": {
        "en": "The file cannot be read",
        "fr": "Le fichier ne peut pas être lu",
        "es": "No se puede leer el archivo",
    },
    "too-large": {"en": "Too large", "fr": "Trop volumineux", "es": "Demasiado grande"},
    "unsupported-format": {
        "en": "Unsupported format",
        "fr": "Format non pris en charge",
        "es": "Formato no admitido",
    },
    "unauthorized": {
        "en": "Authentication needed",
        "fr": "Authentification nécessaire",
        "es": "Se necesita autenticación",
    },
    "forbidden": {"en": "Not allowed", "fr": "Non autorisé", "es": "No permitido"},
    "not-found": {"en": "Not found", "fr": "Introuvable", "es": "No encontrado"},
}


def _tr(key: str, lang: str, **values: object) -> str:
    return localize(_TEXT, key, lang, **values)


def _title(exc: RightsGraphError, lang: str) -> str:
    return localize(_TITLES, exc.type, lang) if exc.type in _TITLES else type(exc).__name__


# -- who is calling ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Caller:
    """The admin, or the holder of one territory's token."""

    admin: bool
    token_id: str | None = None
    territory: str | None = None

    @property
    def agent(self) -> str:
        """Recorded as ``rg:submittedBy``: the token id (public), never the token."""
        return "admin" if self.admin else f"token:{self.token_id}"


def _identify(request: Request, settings: Settings, lang: str) -> Caller | None:
    """The caller, or ``None`` without a token. Raises ``Unauthorized`` for a token that is
    neither the admin token nor an active territory token, ``TokenFileError`` (503) when the token
    file is corrupt."""
    if is_admin(request):
        return Caller(admin=True)
    token = bearer_token(request)
    if token is None:
        return None
    record = authenticate(settings.store, token)
    if record is None:
        raise Unauthorized(_tr("bad_token", lang))
    return Caller(admin=False, token_id=record.id, territory=record.territory)


# -- reading the request -------------------------------------------------------------------------
@dataclass
class Upload:
    data: bytes
    filename: str | None
    media_type: str | None
    dry_run: bool = False


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return negotiate(accept, ["application/json", "text/html"]) == "text/html"


def _clean_filename(name: str | None) -> str | None:
    """The last path segment, without control characters, at most 255 characters."""
    if not name:
        return None
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or None


def _disposition_filename(header: str | None) -> str | None:
    """``filename`` (or RFC 6266 ``filename*``) of a ``Content-Disposition`` header."""
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    return message.get_filename()


async def _limited(request: Request, limit: int, lang: str) -> AsyncGenerator[bytes, None]:
    """The request body, chunk by chunk; raises ``TooLargeError`` as soon as it passes ``limit``
    (or at once when ``Content-Length`` says it will), so an oversized body is never held."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLargeError(_tr("too_large", lang, limit=limit))
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise TooLargeError(_tr("too_large", lang, limit=limit))
        yield chunk


async def _receive(request: Request, limit: int, lang: str, filename: str | None) -> Upload:
    """Read the file from a multipart form (field ``file``) or the raw body.

    Raises ``TooLargeError`` (413), ``UnsupportedFormatError`` (415) for a raw body of another
    media type, ``InputError`` (400) for a form without a file or a broken multipart body.
    """
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == _MULTIPART:
        parser = MultiPartParser(
            request.headers,
            _limited(request, limit, lang),
            max_files=1,
            max_fields=20,
            max_part_size=limit,
        )
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            raise InputError(_tr("bad_multipart", lang, error=exc.message)) from None
        try:
            part = form.get("file")
            dry_run = str(form.get("dry_run", "")).strip().lower() in _TRUE
            if isinstance(part, UploadFile):
                return Upload(
                    data=await part.read(),
                    filename=_clean_filename(part.filename or filename),
                    media_type=part.content_type,
                    dry_run=dry_run,
                )
            if isinstance(part, str) and part:
                return Upload(
                    data=part.encode("utf-8"),
                    filename=_clean_filename(filename),
                    media_type=None,
                    dry_run=dry_run,
                )
            raise InputError(_tr("no_file", lang))
        finally:
            await form.close()
    if media_type not in RAW_MEDIA_TYPES:
        raise UnsupportedFormatError(
            _tr(
                "media_type",
                lang,
                media_type=media_type or "(none)",
                xlsx=MEDIA_TYPES["xlsx"],
            )
        )
    chunks = [chunk async for chunk in _limited(request, limit, lang)]
    return Upload(
        data=b"".join(chunks),
        filename=_clean_filename(
            filename or _disposition_filename(request.headers.get("content-disposition"))
        ),
        media_type=media_type,
    )


# -- the work (blocking: runs in a worker thread) -----------------------------------------------
def _process(
    store: Store, upload: Upload, caller: Caller, *, lang: str, dry_run: bool
) -> SubmissionResult:
    """Check the territory of a territory token on a parse of the file, then run the pipeline.

    Raises ``Forbidden`` when the file is about another territory (nothing is validated or
    written), ``InputError`` and its subclasses when the file cannot be read.
    """
    if caller.territory is not None:
        parsed = read_submission(
            upload.data, filename=upload.filename, media_type=upload.media_type, lang=lang
        )
        if parsed.territory_key != caller.territory:
            raise Forbidden(
                _tr("other_territory", lang, token=caller.territory, file=parsed.territory_key)
            )
    with nullcontext() if dry_run else _WRITE_LOCK:
        return process(
            upload.data,
            filename=upload.filename,
            media_type=upload.media_type,
            lang=lang,
            store=store,
            dry_run=dry_run,
            submitted_by=caller.agent,
        )


def _key_of(result: SubmissionResult) -> str:
    return result.graph.removeprefix(iri.graph("territory/"))


# -- the report log ------------------------------------------------------------------------------
class ReportLog:
    """Reports on disk, one JSON file per submission (see the module docstring)."""

    def __init__(self, store_dir: Path) -> None:
        self.root = store_dir / "reports"

    def _folder(self, committed: bool) -> Path:
        return self.root / ("committed" if committed else "recent")

    def save(self, record: dict[str, Any]) -> None:
        """Write atomically; prune old reports of unstored files. An ``OSError`` is logged, not
        raised: the submission itself has already succeeded or failed by then."""
        committed = record["state"] == "committed"
        folder = self._folder(committed)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".json", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, ensure_ascii=False)
            # Unstored reports are named by arrival so that pruning keeps the newest ones
            # (file times are too coarse to order reports written in the same few ms).
            name = (
                f"{record['id']}.json"
                if committed
                else f"{time.time_ns():020d}-{record['id']}.json"
            )
            os.replace(tmp, folder / name)
            if not committed:
                self._prune(folder)
        except OSError as exc:
            log.error("could not keep the report of submission %s: %s", record["id"], exc)

    @staticmethod
    def _prune(folder: Path) -> None:
        files = sorted((p for p in folder.glob("*.json")), key=lambda p: p.name, reverse=True)
        for old in files[RECENT_REPORTS:]:
            old.unlink(missing_ok=True)

    def load(self, submission_id: str) -> dict[str, Any] | None:
        """The report of ``submission_id`` (a UUID: never a path), or ``None``."""
        recent = sorted(self._folder(False).glob(f"*-{submission_id}.json"), reverse=True)
        for path in [self._folder(True) / f"{submission_id}.json", *recent[:1]]:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue
            except (OSError, ValueError) as exc:
                log.error("unreadable report %s: %s", path, exc)
                continue
            if isinstance(data, dict):
                return data
        return None


def _links(submission_id: str, key: str | None) -> dict[str, str]:
    links = {"self": f"/api/submissions/{submission_id}"}
    if key:
        links["revisions"] = f"/api/territories/{key}/revisions"
    return links


# -- rendering -----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    def load(name: str) -> str:
        return read_text("service", f"templates/{name}")

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(
    lang: str,
    status: int,
    *,
    record: dict[str, Any] | None = None,
    error: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The readable report page (or error page) in ``lang``."""
    report = record["report"] if record else None
    verdict = tail = counts = ""
    if report is not None:
        verdict = t("conforms", lang) if report["conforms"] else t("does_not_conform", lang)
        counts = t("counts", lang, violations=report["violations"], warnings=report["warnings"])
        if report["committed"]:
            tail = t("stored", lang, graph=report["graph"], revision=report["revision"])
        elif record and record.get("dry_run"):
            tail = t("dry_run", lang)
        else:
            tail = t("nothing_written", lang)
    page = (
        _templates()
        .get_template("submission_report.html")
        .render(
            lang=lang,
            tr=lambda key, **values: _tr(key, lang, **values),
            t=lambda key, **values: t(key, lang, **values),
            record=record,
            report=report,
            verdict=verdict,
            counts=counts,
            tail=tail,
            error=error,
            status=status,
        )
    )
    return HTMLResponse(page, status_code=status, headers=headers)


def _error_answer(exc: RightsGraphError, lang: str, html: bool) -> Response:
    detail = str(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="rightsgraph"'} if exc.status == 401 else None
    if html:
        return _render(lang, exc.status, error=(_title(exc, lang), detail), headers=headers)
    return problem(exc.status, _title(exc, lang), detail, exc.type, headers=headers)


# -- POST /api/submissions -----------------------------------------------------------------------
_BODY_TYPES = {
    _MULTIPART: {
        "schema": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "dry_run": {"type": "boolean"},
            },
            "required": ["file"],
        }
    },
    **{mt: {"schema": {"type": "string", "format": "binary"}} for mt in sorted(RAW_MEDIA_TYPES)},
}


@router.post(
    "/api/submissions",
    operation_id="submit",
    status_code=201,
    summary="Validate a territory's file and store it if it conforms",
    openapi_extra={"requestBody": {"required": True, "content": _BODY_TYPES}},
    responses={
        200: {"description": "dry run: the file conforms; nothing was written"},
        201: {"description": "the file conforms and was stored"},
        400: {"description": "the file cannot be read", "content": {PROBLEM: {}}},
        401: {"description": "no token, or an unknown or revoked one", "content": {PROBLEM: {}}},
        403: {"description": "the token is for another territory", "content": {PROBLEM: {}}},
        413: {"description": "the body is over the size limit", "content": {PROBLEM: {}}},
        415: {"description": "a media type that is not read", "content": {PROBLEM: {}}},
        422: {"description": "the file does not conform (with the report)"},
    },
)
async def submit(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    dry_run: bool = Query(False, description="validate only; nothing is written"),
    lang: str | None = Query(None, description="language of the report: en, fr or es"),
    filename: str | None = Query(None, description="the file name, for a raw body"),
) -> Response:
    language = request_language(request, lang)
    html = _wants_html(request)
    try:
        caller = await run_in_threadpool(_identify, request, settings, language)
        if caller is None:
            raise Unauthorized(_tr("no_token", language))
        upload = await _receive(request, settings.max_body_bytes, language, filename)
        dry = dry_run or upload.dry_run
        result = await run_in_threadpool(
            _process, store, upload, caller, lang=language, dry_run=dry
        )
    except RightsGraphError as exc:
        return _error_answer(exc, language, html)

    if result.committed and result.submission:
        submission_id = result.submission.rsplit("/", 1)[-1]
        state = "committed"
    else:
        submission_id = str(uuid.uuid4())
        state = "validated" if result.conforms else "rejected"
    key = _key_of(result)
    report = result.as_dict()
    record: dict[str, Any] = {
        "id": submission_id,
        "state": state,
        "dry_run": dry,
        "received": datetime.now(UTC).isoformat(timespec="seconds"),
        "territory_key": key,
        "submitted_by": caller.agent,
        "lang": language,
        "report": report,
    }
    await run_in_threadpool(ReportLog(settings.store).save, record)
    log.info(
        "submission %s: %s, territory %s, %s, by %s",
        submission_id,
        state,
        key,
        "dry run" if dry else "commit",
        caller.agent,
    )

    status = 201 if state == "committed" else 200 if state == "validated" else 422
    headers = {"Location": f"/api/submissions/{submission_id}"} if status == 201 else None
    if html:
        return _render(language, status, record=record, headers=headers)
    body: dict[str, Any] = {
        "id": submission_id,
        "state": state,
        "dry_run": dry,
        **report,
        "links": _links(submission_id, key),
    }
    if status == 422:
        counts = t("counts", language, violations=report["violations"], warnings=report["warnings"])
        problem_members = {
            "type": PROBLEM_BASE + "validation-failed",
            "title": _tr("validation_failed", language),
            "status": 422,
            "detail": f"{counts}; {t('nothing_written', language)}",
        }
        return JSONResponse({**problem_members, **body}, status_code=422, media_type=PROBLEM)
    return JSONResponse(body, status_code=status, headers=headers)


# -- GET /api/submissions/{id} -------------------------------------------------------------------
def _provenance_query() -> str:
    """Bind ``?sub`` (pyoxigraph substitutes only projected variables, hence ``?sub`` in the
    projection)."""
    rg = iri.ontology()
    return f"""
SELECT ?sub ?started ?ended ?by ?shapes ?conforms ?lang ?file ?title ?sha ?format ?extent
       ?graph ?n ?territory
WHERE {{ GRAPH <{iri.graph("provenance")}> {{
  ?sub a <{rg}Submission> .
  OPTIONAL {{ ?sub <{_PROV}startedAtTime> ?started }}
  OPTIONAL {{ ?sub <{_PROV}endedAtTime> ?ended }}
  OPTIONAL {{ ?sub <{rg}submittedBy> ?by }}
  OPTIONAL {{ ?sub <{rg}shapesVersion> ?shapes }}
  OPTIONAL {{ ?sub <{rg}conforms> ?conforms }}
  OPTIONAL {{ ?sub <{_DCT}language> ?lang }}
  OPTIONAL {{ ?sub <{_PROV}used> ?file .
    OPTIONAL {{ ?file <{_DCT}title> ?title }}
    OPTIONAL {{ ?file <{rg}sha256> ?sha }}
    OPTIONAL {{ ?file <{_DCT}format> ?format }}
    OPTIONAL {{ ?file <{_DCT}extent> ?extent }} }}
  OPTIONAL {{ ?graph <{_PROV}wasGeneratedBy> ?sub .
    OPTIONAL {{ ?graph <{rg}revisionNumber> ?n }}
    OPTIONAL {{ ?graph <{rg}aboutTerritory> ?territory }} }}
}} }} LIMIT 1"""


def _value(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None


def _int(term: object) -> int | None:
    text = _value(term)
    return int(text) if text is not None and text.isdigit() else None


def _provenance(engine: QueryEngine, submission_id: str) -> dict[str, Any] | None:
    """What ``rgg:provenance`` says about a stored submission, or ``None`` if it has none."""
    activity = iri.entity(f"submission/{submission_id}")
    result = engine.query(
        _provenance_query(), substitutions={"sub": ox.NamedNode(activity)}, max_rows=1
    )
    if not isinstance(result, SelectResult):
        return None
    row = next(result.rows, None)
    if row is None:
        return None
    v = dict(zip(result.variables, row, strict=True))
    graph = _value(v.get("graph"))
    key = graph.removeprefix(iri.graph("territory/")) if graph else None
    current = bool(graph and key and graph == iri.territory_graph(key))
    return {
        "submission": activity,
        "started": _value(v.get("started")),
        "ended": _value(v.get("ended")),
        "submitted_by": _value(v.get("by")),
        "shapes_version": _value(v.get("shapes")),
        "conforms": _value(v.get("conforms")) == "true",
        "language": _value(v.get("lang")),
        "file": {
            "iri": _value(v.get("file")),
            "name": _value(v.get("title")),
            "sha256": _value(v.get("sha")),
            "format": _value(v.get("format")),
            "bytes": _int(v.get("extent")),
        },
        "graph": graph,
        "revision": _int(v.get("n")),
        "territory": _value(v.get("territory")),
        "current": current,
    }


def _canonical_id(value: str) -> str | None:
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return str(parsed) if str(parsed) == value.lower() else None


@router.get(
    "/api/submissions/{submission_id}",
    operation_id="get_submission",
    summary="A submission's state, report and provenance",
    responses={404: {"description": "no such submission", "content": {PROBLEM: {}}}},
)
def get_submission(
    submission_id: str,
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    lang: str | None = Query(None, description="language of the HTML page: en, fr or es"),
    format: str | None = Query(
        None, pattern="^(json|html)$", description="json or html, overriding Accept"
    ),
) -> Response:
    language = request_language(request, lang)
    html = format == "html" if format else _wants_html(request)
    canonical = _canonical_id(submission_id)
    not_found = NotFoundError(_tr("not_found", language, id=submission_id))
    if canonical is None:
        return _error_answer(not_found, language, html)
    record = ReportLog(settings.store).load(canonical)
    provenance = _provenance(engine, canonical)
    if record is None and provenance is None:
        return _error_answer(not_found, language, html)
    public = provenance is not None or (record is not None and record["state"] == "committed")
    if not public and record is not None:
        try:
            caller = _identify(request, settings, language)
        except Unauthorized:
            caller = None
        allowed = caller is not None and (
            caller.admin or caller.territory == record.get("territory_key")
        )
        if not allowed:
            return _error_answer(not_found, language, html)
    key = record.get("territory_key") if record else None
    if key is None and provenance and provenance["territory"]:
        key = str(provenance["territory"]).rsplit("/", 1)[-1]
    body: dict[str, Any] = {
        "id": canonical,
        "state": "committed" if provenance is not None else (record or {}).get("state"),
        "dry_run": bool(record and record.get("dry_run")),
        "current": bool(provenance and provenance["current"]),
        "territory": key,
        "received": record.get("received") if record else None,
        "report": record.get("report") if record else None,
        "provenance": provenance,
        "links": _links(canonical, key),
    }
    if html and record is not None:
        return _render(language, 200, record={**record, "id": canonical})
    return JSONResponse(body)


# -- GET /api/territories/{key}/revisions --------------------------------------------------------
def _history_query() -> str:
    """Bind ``?live`` (the territory graph) and ``?prefix`` (of its revision graphs)."""
    rg = iri.ontology()
    return f"""
SELECT ?live ?prefix ?graph ?n ?sub ?ended ?by ?title ?sha ?format ?extent
WHERE {{ GRAPH <{iri.graph("provenance")}> {{
  ?graph <{rg}revisionNumber> ?n .
  FILTER(?graph = ?live || STRSTARTS(STR(?graph), ?prefix))
  OPTIONAL {{ ?graph <{_PROV}wasGeneratedBy> ?sub .
    OPTIONAL {{ ?sub <{_PROV}endedAtTime> ?ended }}
    OPTIONAL {{ ?sub <{rg}submittedBy> ?by }}
    OPTIONAL {{ ?sub <{_PROV}used> ?file .
      OPTIONAL {{ ?file <{_DCT}title> ?title }}
      OPTIONAL {{ ?file <{rg}sha256> ?sha }}
      OPTIONAL {{ ?file <{_DCT}format> ?format }}
      OPTIONAL {{ ?file <{_DCT}extent> ?extent }} }} }}
}} }} ORDER BY ?n"""


@router.get(
    "/api/territories/{key}/revisions",
    operation_id="territory_revisions",
    summary="The revision history of a territory's submissions",
    responses={404: {"description": "the territory has no submission", "content": {PROBLEM: {}}}},
)
def territory_revisions(
    key: str, settings: SettingsDep, store: StoreDep, engine: EngineDep
) -> Response:
    if not is_territory_key(key):
        raise NotFoundError(f"{key!r} is not a territory key (e.g. es-barcelona)")
    live = iri.territory_graph(key)
    earlier = store.revisions(key)
    result = engine.query(
        _history_query(),
        substitutions={
            "live": ox.NamedNode(live),
            "prefix": ox.Literal(iri.graph(f"revision/{key}/")),
        },
    )
    details: dict[str, dict[str, object]] = {}
    if isinstance(result, SelectResult):
        for row in result.rows:
            v = dict(zip(result.variables, row, strict=True))
            graph = _value(v.get("graph"))
            if graph and graph not in details:
                details[graph] = v
    if live not in details and not earlier:
        raise NotFoundError(f"the territory {key} has no submission")
    reports = ReportLog(settings.store)
    entries = [(r.number, r.graph, r.submission, r.generated_at) for r in earlier]
    if live in details:
        v = details[live]
        entries.append((_int(v.get("n")) or 0, live, _value(v.get("sub")), _value(v.get("ended"))))
    revisions = []
    for number, graph, submission, ended in entries:
        v = details.get(graph, {})
        submission_id = submission.rsplit("/", 1)[-1] if submission else None
        record = reports.load(submission_id) if submission_id else None
        name = (record or {}).get("report", {}).get("filename") or _value(v.get("title"))
        revisions.append(
            {
                "number": number,
                "graph": graph,
                "current": graph == live,
                "submission": submission,
                "submission_id": submission_id,
                "time": ended,
                "submitted_by": _value(v.get("by")),
                "filename": name,
                "sha256": _value(v.get("sha")),
                "format": _value(v.get("format")),
                "bytes": _int(v.get("extent")),
                "links": _links(submission_id, None) if submission_id else {},
            }
        )
    return JSONResponse(
        {
            "territory": key,
            "territory_iri": iri.territory(key),
            "graph": live,
            "current": _int(details[live].get("n")) if live in details else None,
            "revisions": revisions,
        }
    )


__all__ = ["RECENT_REPORTS", "ReportLog", "router"]
