"""FastAPI dependencies shared by the routers: settings, store, query engine, authorisation."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from rightsgraph.errors import RightsGraphError
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.settings import Settings
from rightsgraph.store.base import Store


class Unauthorized(RightsGraphError):
    """No or a wrong bearer token for an operation that needs one."""

    status = 401
    type = "unauthorized"


class Forbidden(RightsGraphError):
    """The token is valid but does not allow this operation."""

    status = 403
    type = "forbidden"


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The store opened by the lifespan: one per process, shared by every request."""
    store: Store = request.app.state.store
    return store


def get_engine(request: Request) -> QueryEngine:
    engine: QueryEngine = request.app.state.engine
    return engine


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_admin(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    token = bearer_token(request)
    if token is None or settings.admin_token is None:
        return False
    return hmac.compare_digest(token.encode(), settings.admin_token.get_secret_value().encode())


def require_admin(request: Request) -> None:
    """Raises ``Unauthorized`` (401) without the admin bearer token."""
    if not is_admin(request):
        raise Unauthorized("this operation needs the admin token (Authorization: Bearer ...)")


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]
AdminDep = Annotated[None, Depends(require_admin)]
