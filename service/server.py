"""Running the service with uvicorn, announcing it in the store folder while it runs."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from rightsgraph.errors import RightsGraphError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(store_path: Path, *, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until interrupted. The read-only endpoint may listen on loopback only for now:
    the service issue adds the admin token that any other address will require."""
    import uvicorn

    from rightsgraph.service.app import create_app
    from rightsgraph.service.running import announce, withdraw
    from rightsgraph.store import open_store

    if not _is_loopback(host):
        raise RightsGraphError(
            f"refusing to listen on {host}: only loopback addresses are allowed until an admin "
            "token can be configured"
        )
    store = open_store(store_path)
    url = f"http://{host}:{port}"
    announce(store_path, url)
    try:
        uvicorn.run(create_app(store_path, store=store), host=host, port=port, log_level="info")
    finally:
        withdraw(store_path)
        store.close()
    return 0
