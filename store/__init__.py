"""Stores: one protocol (``base.Store``), an embedded pyoxigraph backend, a remote one later."""

from __future__ import annotations

import os
from pathlib import Path

from rightsgraph.store.base import Store
from rightsgraph.store.oxigraph import OxigraphStore

DEFAULT_STORE = "var/store"


def store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--store`` if given, else ``RIGHTSGRAPH_STORE``, else ``var/store``."""
    return Path(explicit or os.environ.get("RIGHTSGRAPH_STORE") or DEFAULT_STORE)


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
    """Open the embedded store (created if missing).

    Raises ``StoreLockedError`` when another process holds it, ``StoreError`` otherwise.
    """
    return OxigraphStore(store_path(path), read_only=read_only)


__all__ = ["DEFAULT_STORE", "OxigraphStore", "Store", "open_store", "store_path"]
