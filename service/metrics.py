"""Prometheus metrics of one service instance (its own registry, so several apps can coexist)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rightsgraph_http_requests_total",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "rightsgraph_http_request_seconds",
            "HTTP request duration by route.",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        self.queries = Counter(
            "rightsgraph_queries_total",
            "SPARQL queries by outcome (ok, error, timeout, refused).",
            ["outcome"],
            registry=self.registry,
        )
        self.query_latency = Histogram(
            "rightsgraph_query_seconds",
            "Query evaluation time in the store.",
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        self.rejected = Counter(
            "rightsgraph_requests_rejected_total",
            "Requests refused by a limit (body size, concurrency).",
            ["reason"],
            registry=self.registry,
        )
        self.revision = Gauge(
            "rightsgraph_store_revision", "The store's revision counter.", registry=self.registry
        )
        self.restarts = Gauge(
            "rightsgraph_store_worker_restarts",
            "Times the store worker was restarted to stop a query past its deadline.",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
