"""What a platform operator runs battrace with: structured request logs, Prometheus metrics,
liveness and readiness endpoints. `install` is the one hook the app assembly calls."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI

from battrace.operations.access import AccessMiddleware
from battrace.operations.health import health_router
from battrace.operations.metrics import Metrics, metrics_router
from battrace.store.engine import Database

__all__ = ["Metrics", "install"]


def install(
    app: FastAPI,
    database: Database,
    *,
    expected_revision: str | None,
    route_targets: Iterable[str] = (),
) -> Metrics:
    """Add `/healthz`, `/readyz`, `/metrics` and the outermost request middleware to `app`.

    Call it last, after every other middleware, so the duration covers the whole answer.
    `expected_revision`: the schema revision `/readyz` requires of the database.
    `route_targets`: the known values of a `dataTarget` query parameter, which the route
    label of logs and metrics carries (any other value is not put in a label).
    """
    metrics = Metrics(database)
    app.include_router(health_router(database, expected_revision))
    app.include_router(metrics_router(metrics))
    app.add_middleware(AccessMiddleware, metrics=metrics, route_targets=frozenset(route_targets))
    return metrics
