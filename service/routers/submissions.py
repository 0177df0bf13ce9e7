"""The submissions API: /api/submissions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["submissions"])
