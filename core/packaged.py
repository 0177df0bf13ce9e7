"""The packaged ontology, vocabularies and seed data as parsed graphs, parsed once per process.

Validation and term look-up need them on every submission; parsing them again each time would cost
more than the validation itself.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Dataset, Graph, URIRef

from rightsgraph import iri
from rightsgraph.resources import iter_files, read_text


def _parse_into(graph: Graph, package: str, folder: str, suffix: str) -> Graph:
    for name, _file in iter_files(package, folder, suffix):
        graph.parse(data=iri.rebase(read_text(package, name)), format="turtle", publicID=None)
    return graph


@lru_cache(maxsize=4)
def ontology_graph(base: str | None = None) -> Graph:
    """The OWL ontology (``ontology/*.ttl``). Do not modify the returned graph."""
    return _parse_into(Graph(), "ontology", "", ".ttl")


@lru_cache(maxsize=4)
def vocab_graph(base: str | None = None) -> Graph:
    """Every SKOS concept scheme (``ontology/vocab/*.ttl``). Do not modify the returned graph."""
    return _parse_into(Graph(), "ontology", "vocab", ".ttl")


@lru_cache(maxsize=4)
def seed_graph(base: str | None = None) -> Graph:
    """The real, sourced seed facts (``data/seed/*.ttl``). Do not modify the returned graph."""
    return _parse_into(Graph(), "data", "seed", ".ttl")


def packaged_graphs() -> list[tuple[str, str, str]]:
    """``(graph IRI, package, relative file)`` for every packaged file that ``init`` loads.

    The example dataset (``data/example.trig``) is loaded separately because it names its own graph.
    """
    out: list[tuple[str, str, str]] = []
    for name, _ in iter_files("ontology", "", ".ttl"):
        out.append((iri.graph("ontology"), "ontology", name))
    for name, _ in iter_files("ontology", "vocab", ".ttl"):
        out.append((iri.graph("vocab"), "ontology", name))
    for name, _ in iter_files("data", "seed", ".ttl"):
        out.append((iri.graph("seed"), "data", name))
    return out


def context_dataset() -> Dataset:
    """Ontology, vocabularies and seed data in their named graphs, as ``init`` would load them."""
    ds = Dataset()
    for graph_iri, package, name in packaged_graphs():
        ds.graph(URIRef(graph_iri)).parse(
            data=iri.rebase(read_text(package, name)), format="turtle"
        )
    return ds
