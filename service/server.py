"""Running the service with uvicorn, announcing it in the store folder while it runs."""

from __future__ import annotations

import logging
from pathlib import Path

from rightsgraph.errors import RightsGraphError


def serve(store_path: Path, *, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until interrupted. Settings come from ``RIGHTSGRAPH_*``; the store and address
    from the arguments. Refuses a non-loopback address without an admin token."""
    import uvicorn

    from rightsgraph.service.app import create_app
    from rightsgraph.service.running import announce, withdraw
    from rightsgraph.service.settings import Settings
    from rightsgraph.store.isolated import IsolatedStore

    settings = Settings().model_copy(update={"store": store_path, "host": host, "port": port})
    try:
        settings.check_safe()
    except ValueError as exc:
        raise RightsGraphError(str(exc)) from None
    querylog = logging.getLogger("rightsgraph.querylog")
    if not querylog.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("querylog %(message)s"))
        querylog.addHandler(handler)
        querylog.setLevel(logging.INFO)
        querylog.propagate = False
    store = IsolatedStore(store_path)
    url = f"http://{host}:{port}"
    announce(store_path, url)
    try:
        uvicorn.run(create_app(settings, store=store), host=host, port=port, log_level="info")
    finally:
        withdraw(store_path)
        store.close()
    return 0
