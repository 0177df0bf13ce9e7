"""Operational endpoints: health and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from rightsgraph import __version__
from rightsgraph.service.deps import EngineDep

router = APIRouter(tags=["meta"])


@router.get("/health", operation_id="health")
def health(engine: EngineDep) -> dict[str, object]:
    """``reads`` says where reads are answered from: ``memory`` (the embedded store's in-memory
    copy), ``building`` (from disk while the copy is built after a start or a worker restart),
    ``disk`` (no copy: ``RIGHTSGRAPH_MEMORY_READS=false``) or ``remote``; a deployment script or
    a benchmark waits for ``memory`` before it measures."""
    ready = getattr(engine.store, "memory_ready", None)
    if ready is None:
        reads = "remote"
    elif ready():
        reads = "memory"
    else:
        reads = "building" if getattr(engine.store, "memory_reads", False) else "disk"
    return {
        "status": "ok", "version": __version__, "revision": engine.revision(), "reads": reads,
    }


@router.get("/metrics", operation_id="metrics", response_class=Response)
def metrics(request: Request, engine: EngineDep) -> Response:
    """Prometheus text exposition of the service's counters and histograms."""
    registry = request.app.state.metrics
    registry.revision.set(engine.revision())
    registry.restarts.set(getattr(engine.store, "restarts", 0))
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
