"""Operational endpoints: health."""

from __future__ import annotations

from fastapi import APIRouter

from rightsgraph import __version__
from rightsgraph.service.deps import EngineDep

router = APIRouter(tags=["meta"])


@router.get("/health", operation_id="health")
def health(engine: EngineDep) -> dict[str, object]:
    return {"status": "ok", "version": __version__, "revision": engine.revision()}
