"""Running the service with uvicorn, announcing it in the store folder while it runs."""

from __future__ import annotations

import logging
from pathlib import Path

from rightsgraph.errors import RightsGraphError


def serve(
    store_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    endpoint: str | None = None,
) -> int:
    """Serve until interrupted. Settings come from ``RIGHTSGRAPH_*``; the store and address
    from the arguments. Refuses a non-loopback address without an admin token.

    With ``endpoint`` the data live in a remote SPARQL store (``store/remote.py``; its update
    endpoint and credentials from ``RIGHTSGRAPH_UPDATE_ENDPOINT`` and
    ``RIGHTSGRAPH_ENDPOINT_USER``/``_PASSWORD``); ``store_path`` then holds only the service's
    own files (territory tokens, the Wikidata cache). The engine's deadlines apply to the
    embedded store's worker; a remote query is bounded by the remote store's HTTP timeout."""
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
    url = f"http://{host}:{port}"
    if endpoint:
        from rightsgraph.store import open_store

        store_path.mkdir(parents=True, exist_ok=True)
        remote = open_store(endpoint=endpoint)
        try:
            uvicorn.run(create_app(settings, store=remote), host=host, port=port, log_level="info")
        finally:
            remote.close()
        return 0
    store = IsolatedStore(store_path, memory_reads=settings.memory_reads)
    announce(store_path, url)
    try:
        uvicorn.run(create_app(settings, store=store), host=host, port=port, log_level="info")
    finally:
        withdraw(store_path)
        store.close()
    return 0
