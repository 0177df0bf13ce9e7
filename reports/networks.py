"""Co-occurrence networks and territory similarity, with networkx, from aggregated counts.

The SPARQL queries count; this module only reads those counts as networks:

- a **co-occurrence network** (:func:`cooccurrence_graph`) has one node per group (or rights
  category) named in the base and one edge per pair named together by at least one initiative,
  weighted by the number of such initiatives (``weight``). Its ``distance`` is ``1 / weight``:
  shortest paths, hence betweenness, treat groups often served together as close.
- :func:`node_measures` gives each node its weighted degree (the sum of its edge weights), its
  betweenness centrality (networkx, normalised, over ``distance``) and its Louvain community
  (``networkx.community.louvain_communities`` on ``weight``, resolution 1, seed
  :data:`LOUVAIN_SEED`, so that a report is reproducible), communities numbered 1, 2, ... from the
  largest (ties: the community whose first member sorts first).
- :func:`similar_pairs` projects the bipartite territory × rights-category network onto the
  territories by the **cosine similarity** of their profiles (each territory's initiatives per
  category): 1 when two territories spread their initiatives over the rights in the same
  proportions, 0 when they share no right. Cosine rather than a raw weighted projection
  (shared initiatives) so that two large territories are not similar merely for being large.

Nodes are added in sorted order and every tie is broken by name, so the results depend only on
the counts, never on the order the endpoint returned them in.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from operator import mul

import networkx as nx

#: The seed of the Louvain communities (any fixed number: it makes reports reproducible).
LOUVAIN_SEED = 2030
#: Similarities are compared at this many decimals, so that pairs equal in exact arithmetic
#: but not in floating point are ordered by their other keys.
_DIGITS = 12


@dataclass(frozen=True)
class NodeMeasures:
    """What the network says about one node."""

    weighted_degree: int
    betweenness: float
    community: int


@dataclass(frozen=True)
class SimilarPair:
    """Two territories (``a`` sorts before ``b``) and how alike their rights profiles are."""

    a: str
    b: str
    similarity: float
    shared: int  # categories both name


def cooccurrence_graph(
    nodes: Iterable[str], pairs: Mapping[tuple[str, str], int]
) -> nx.Graph:
    """The weighted co-occurrence network: ``nodes`` (every one, linked or not) and an edge for
    each pair with a positive count (a pair given in both orders is counted once; self-pairs are
    ignored)."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(nodes)))
    for (a, b), weight in sorted(pairs.items()):
        if a == b or weight <= 0 or graph.has_edge(a, b):
            continue
        graph.add_edge(a, b, weight=weight, distance=1.0 / weight)
    return graph


def communities(graph: nx.Graph, *, seed: int = LOUVAIN_SEED) -> dict[str, int]:
    """Louvain community of each node, numbered from 1 (the largest community first)."""
    if graph.number_of_nodes() == 0:
        return {}
    found = nx.community.louvain_communities(graph, weight="weight", resolution=1.0, seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda members: (-len(members), members[0]))
    return {node: number for number, members in enumerate(ordered, 1) for node in members}


def node_measures(graph: nx.Graph, *, seed: int = LOUVAIN_SEED) -> dict[str, NodeMeasures]:
    """Weighted degree, betweenness (over ``distance`` = 1 / weight, normalised by networkx:
    divided by (n − 1)(n − 2) / 2 for n nodes) and community of every node."""
    betweenness = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    community = communities(graph, seed=seed)
    return {
        node: NodeMeasures(
            weighted_degree=int(graph.degree(node, weight="weight")),
            betweenness=float(betweenness.get(node, 0.0)),
            community=community[node],
        )
        for node in graph.nodes
    }


def similar_pairs(
    profiles: Mapping[str, Mapping[str, int]], *, top: int
) -> list[SimilarPair]:
    """The ``top`` most similar pairs of territories by the cosine of their profiles (category
    -> initiatives), most similar first (ties: more categories in common, then names). Pairs with
    nothing in common are left out.

    >>> pairs = similar_pairs({"x": {"h": 1}, "y": {"h": 2}, "z": {"w": 1}}, top=5)
    >>> [(p.a, p.b, round(p.similarity, 3)) for p in pairs]
    [('x', 'y', 1.0)]
    """
    categories = sorted({c for profile in profiles.values() for c in profile})
    index = {c: i for i, c in enumerate(categories)}
    vectors: dict[str, tuple[float, ...]] = {}
    masks: dict[str, int] = {}
    for name, profile in profiles.items():
        norm = math.sqrt(sum(v * v for v in profile.values()))
        if norm == 0:
            continue
        dense = [0.0] * len(categories)
        mask = 0
        for category, count in profile.items():
            if count:
                dense[index[category]] = count / norm
                mask |= 1 << index[category]
        vectors[name] = tuple(dense)
        masks[name] = mask
    found: list[tuple[float, int, str, str]] = []
    for a, b in combinations(sorted(vectors), 2):
        shared = (masks[a] & masks[b]).bit_count()
        if not shared:
            continue
        similarity = min(1.0, sum(map(mul, vectors[a], vectors[b])))
        found.append((-round(similarity, _DIGITS), -shared, a, b))
    return [
        SimilarPair(a=a, b=b, similarity=-similarity, shared=-shared)
        for similarity, shared, a, b in heapq.nsmallest(top, found)
    ]
