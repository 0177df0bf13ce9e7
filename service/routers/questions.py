"""Named questions over HTTP: /api/queries."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["questions"])
