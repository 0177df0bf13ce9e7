"""The HTTP service: an app factory whose lifespan opens the store once.

Routers live in ``service/routers/``, one per area; errors anywhere become RFC 9457
``application/problem+json`` answers, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rightsgraph import __version__
from rightsgraph.errors import RightsGraphError
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.metrics import Metrics
from rightsgraph.service.middleware import (
    BodyLimit,
    ConcurrencyLimit,
    RequestMetrics,
    RevisionETag,
)
from rightsgraph.service.problems import problem
from rightsgraph.service.routers import (
    graph_store,
    linked_data,
    meta,
    pages,
    questions,
    reconcile,
    reports,
    sparql,
    submissions,
)
from rightsgraph.service.settings import Settings, get_settings
from rightsgraph.store.base import Store
from rightsgraph.store.isolated import IsolatedStore

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the service. ``store`` is opened from ``settings.store`` at start-up unless given
    (then the caller closes it). Raises ``ValueError`` for unsafe settings."""
    settings = settings or get_settings()
    settings.check_safe()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store or IsolatedStore(settings.store, memory_reads=settings.memory_reads)
        app.state.store = opened
        app.state.engine = QueryEngine(opened, settings, metrics)
        try:
            yield
        finally:
            if store is None:
                opened.close()

    app = FastAPI(
        title="RightsGraph",
        version=__version__,
        description="The knowledge graph of human-rights cities and territories.",
        lifespan=lifespan,
        docs_url=None,  # served from vendored files by pages.offline_docs: no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    metrics = Metrics()
    app.state.metrics = metrics

    @app.exception_handler(RightsGraphError)
    def _error(request: Request, exc: RightsGraphError) -> JSONResponse:
        return problem(exc.status, type(exc).__name__, str(exc), exc.type)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "HTTP error", str(exc.detail), "http-error")

    @app.exception_handler(RequestValidationError)
    def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, "Invalid request", str(exc.errors()), "invalid-request")

    for module in (meta, sparql, graph_store, questions, submissions, linked_data, pages):
        app.include_router(module.router)
    app.include_router(reconcile.router)
    app.include_router(reports.router)
    pages.mount_static(app)
    pages.offline_docs(app)

    # Added innermost first: metrics see everything, the ETag check runs last, next to the routes.
    app.add_middleware(RevisionETag, revision=lambda: app.state.engine.revision())
    app.add_middleware(ConcurrencyLimit, limit=settings.max_concurrent_per_client, metrics=metrics)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, metrics=metrics)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "Content-Type", "Authorization"],
        expose_headers=["ETag", "RightsGraph-Result-Capped", "Link"],
    )
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app
