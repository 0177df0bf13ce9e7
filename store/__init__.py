"""Stores: one protocol (``base.Store``), the embedded pyoxigraph backend and a remote one
(a SPARQL 1.1 endpoint: Virtuoso, ``store/remote.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from rightsgraph.store.base import Store
from rightsgraph.store.oxigraph import OxigraphStore

DEFAULT_STORE = "var/store"


def store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--store`` if given, else ``RIGHTSGRAPH_STORE``, else ``var/store``."""
    return Path(explicit or os.environ.get("RIGHTSGRAPH_STORE") or DEFAULT_STORE)


def open_store(
    path: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    endpoint: str | None = None,
) -> Store:
    """Open the store: a remote SPARQL endpoint when ``endpoint`` is given, or when no ``path``
    is and ``RIGHTSGRAPH_ENDPOINT`` is set; otherwise the embedded store (created if missing).

    The remote store takes ``RIGHTSGRAPH_UPDATE_ENDPOINT`` (default: the endpoint + ``-auth``,
    Virtuoso's authenticated endpoint) and ``RIGHTSGRAPH_ENDPOINT_USER``/``_PASSWORD`` from the
    environment; nothing is sent to it until the first call.

    Raises ``StoreLockedError`` when another process holds the embedded store, ``StoreError``
    otherwise.
    """
    url = endpoint or (None if path else os.environ.get("RIGHTSGRAPH_ENDPOINT"))
    if url:
        from rightsgraph.store.remote import RemoteStore

        return RemoteStore(
            url,
            update_endpoint=os.environ.get("RIGHTSGRAPH_UPDATE_ENDPOINT") or None,
            user=os.environ.get("RIGHTSGRAPH_ENDPOINT_USER") or None,
            password=os.environ.get("RIGHTSGRAPH_ENDPOINT_PASSWORD") or None,
            read_only=read_only,
        )
    return OxigraphStore(store_path(path), read_only=read_only)


__all__ = ["DEFAULT_STORE", "OxigraphStore", "Store", "open_store", "store_path"]
