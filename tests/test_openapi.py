"""OpenAPI at /docs: every operation has its own stable, explicit id."""

from __future__ import annotations

import warnings
from pathlib import Path

from rightsgraph.service.app import create_app
from rightsgraph.service.settings import Settings


def test_operation_ids_are_explicit_and_unique(tmp_path: Path) -> None:
    app = create_app(Settings(store=tmp_path / "store"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI warns on duplicate operation ids
        spec = app.openapi()
    routes = {
        getattr(r, "name", ""): getattr(r, "operation_id", None)
        for r in app.routes
        if getattr(r, "include_in_schema", False)
    }
    assert all(routes.values()), [name for name, op in routes.items() if not op]
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids)) and len(ids) >= 20
    assert {"sparql_get", "sparql_post", "health"} <= set(ids)
