"""Packaged files (ontology, vocabularies, shapes, queries, seed data) found through the package.

``importlib.resources`` finds them in an editable install and in a built wheel alike, so nothing
here depends on the current directory or on the repository layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable


def _root(package: str) -> Traversable:
    return resources.files(f"rightsgraph.{package}")


def read_text(package: str, relative: str) -> str:
    """The text of one packaged file, e.g. ``read_text('ontology', 'rightsgraph.ttl')``."""
    node = _root(package)
    for part in relative.split("/"):
        node = node / part
    return node.read_text(encoding="utf-8")


def iter_files(
    package: str, folder: str = "", suffix: str = ""
) -> Iterator[tuple[str, Traversable]]:
    """``(relative name, file)`` for the packaged files under ``folder`` ending in ``suffix``,
    sorted by name so that loads are reproducible."""
    node = _root(package)
    prefix = ""
    if folder:
        for part in folder.split("/"):
            node = node / part
        prefix = folder + "/"
    if not node.is_dir():
        return
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.is_file() and child.name.endswith(suffix):
            yield prefix + child.name, child
