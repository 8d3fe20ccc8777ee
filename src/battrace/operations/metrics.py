"""Prometheus metrics at `/metrics`: requests, latencies and server errors per route, the
database connection pool, and the background refill of stored part totals.

Each app has its own registry (tests build many apps in one process). With several worker
processes behind one port (`battrace serve --workers N`), the workers share their figures
through Prometheus' multiprocess mode: `serve` gives them an empty directory in
`PROMETHEUS_MULTIPROC_DIR`, every worker writes its counters there, and whichever worker
answers a scrape reports the sum over all of them (the pool gauges carry a `pid` label, one
series per worker).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from fastapi import APIRouter
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from battrace import __version__
from battrace.store.engine import Database

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
POOL_READINGS = {
    "size": "connections the pool keeps open",
    "checkedout": "connections in use by a request or task",
    "checkedin": "idle connections in the pool",
    "overflow": "connections opened beyond the pool size",
}
POOL_REFRESH_SECONDS = 1.0  # a worker's pool gauges are written at most once a second

# Seconds: from a cached GET (under a millisecond) to a large import or report.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class PoolCollector(Collector):
    """The connection pool's state at scrape time (SQLAlchemy's QueuePool counters)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        for name, documentation, value in pool_readings(self.database):
            yield GaugeMetricFamily(f"battrace_db_pool_{name}", documentation, value=value)


def pool_readings(database: Database) -> Iterator[tuple[str, str, float]]:
    """(name, documentation, value) of each counter the engine's pool offers."""
    pool = database.engine.pool
    for name, documentation in POOL_READINGS.items():
        reading = getattr(pool, name, None)
        if callable(reading):
            yield name, documentation, float(reading())


class Metrics:
    """The app's metrics and the calls that feed them."""

    def __init__(self, database: Database) -> None:
        self.database = database
        # Set by `battrace serve --workers N` before the workers start (prometheus_client
        # picks its value store when first imported, so it cannot be switched later).
        self.shared_dir = os.environ.get(MULTIPROCESS_ENV) or None
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "battrace_http_requests",
            "HTTP requests answered, by method, route and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "battrace_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.server_errors = Counter(
            "battrace_http_server_errors",
            "Requests answered with a 5xx status, by method and route",
            ["method", "route"],
            registry=registry,
        )
        self.refilled = Counter(
            "battrace_totals_refilled_parts",
            "Part totals the background refill stored again",
            registry=registry,
        )
        self.refill_failures = Counter(
            "battrace_totals_refill_failures",
            "Background refill rounds that failed (retried on the next round)",
            registry=registry,
        )
        self.refill_last_success = Gauge(
            "battrace_totals_refill_last_success_timestamp_seconds",
            "When a background refill round last finished without error (Unix time)",
            registry=registry,
            multiprocess_mode="max",
        )
        info = Gauge(
            "battrace_info",
            "The running battrace",
            ["version"],
            registry=registry,
            multiprocess_mode="max",
        )
        info.labels(version=__version__).set(1)
        self.pool_gauges: dict[str, Gauge] = {}
        self.pool_written = 0.0
        if self.shared_dir is None:
            registry.register(PoolCollector(database))
        else:
            for name, documentation in POOL_READINGS.items():
                self.pool_gauges[name] = Gauge(
                    f"battrace_db_pool_{name}",
                    documentation,
                    registry=registry,
                    multiprocess_mode="all",  # one series per worker, labelled pid
                )
            self.write_pool()

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method=method, route=route, status=str(status)).inc()
        self.latency.labels(method=method, route=route).observe(seconds)
        if status >= 500:
            self.server_errors.labels(method=method, route=route).inc()
        if self.pool_gauges and time.monotonic() - self.pool_written >= POOL_REFRESH_SECONDS:
            self.write_pool()

    def write_pool(self) -> None:
        """Write this worker's pool counters to the shared directory (multiprocess mode)."""
        self.pool_written = time.monotonic()
        for name, _documentation, value in pool_readings(self.database):
            self.pool_gauges[name].set(value)

    def refill_done(self, stored: int) -> None:
        self.refilled.inc(stored)
        self.refill_last_success.set(time.time())

    def refill_failed(self) -> None:
        self.refill_failures.inc()

    def exposition(self) -> bytes:
        if self.shared_dir is None:
            return generate_latest(self.registry)
        self.write_pool()
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined, path=self.shared_dir)  # type: ignore[no-untyped-call]
        return generate_latest(combined)


def metrics_router(metrics: Metrics) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    async def exposition() -> Response:
        body = await run_in_threadpool(metrics.exposition)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return router
