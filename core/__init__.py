"""RightsGraph: the knowledge graph of human-rights cities and territories.

The import package is one name, ``rightsgraph``; its sub-packages live in the top-level folders of
the repository (``ontology/``, ``shapes/``, ``loaders/``, ``queries/``, ``store/``, ``reports/``,
``service/``, ``data/``) and are mapped onto it in ``pyproject.toml``. This folder, ``core/``, holds
the few modules every other part needs: errors, namespaces, IRIs, packaged resources.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rightsgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
