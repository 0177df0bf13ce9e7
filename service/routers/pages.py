"""The web UI: home, query editor, browse pages (en, fr, es)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["pages"])
