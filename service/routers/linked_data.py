"""Linked data: dereferencing IRIs under the base, /ontology, /.well-known/void, /dump."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["linked-data"])
