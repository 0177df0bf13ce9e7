"""Who holds a store: ``rightsgraph serve`` leaves a note in the store folder while it runs, so
that other commands can say which server to use instead of failing on the storage lock."""

from __future__ import annotations

import json
import os
from pathlib import Path

NOTE = "serve.json"


def announce(store: Path, url: str) -> Path:
    note = store / NOTE
    note.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    return note


def withdraw(store: Path) -> None:
    note = store / NOTE
    try:
        data = json.loads(note.read_text(encoding="utf-8"))
        if data.get("pid") == os.getpid():
            note.unlink()
    except (OSError, ValueError):
        pass


def running_server(store: Path) -> str | None:
    """The URL of the live server holding ``store``, if its note names a running process."""
    try:
        data = json.loads((store / NOTE).read_text(encoding="utf-8"))
        pid = int(data["pid"])
        os.kill(pid, 0)
        return str(data["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
