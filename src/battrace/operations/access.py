"""The request log and request metrics: an ASGI middleware around the whole application.

For every HTTP request it writes one JSON line to the `battrace.access` logger (request id,
operator, method, route, status, duration) and feeds the request counters and latency
histogram. The route is the matched route's template (`/parts/{trace_id}`), never the raw
path or query, so neither logs nor metric labels carry what a caller typed; the one query
parameter kept is a known `dataTarget`, which names the endpoint in the contract's API.

The operator is what the authenticating code left in the request's state
(`request.state.operator_id`, Starlette's per-request dict in `scope["state"]`): absent for
anonymous and refused requests. The request id is the caller's `X-Request-ID` when it looks
like one (a proxy's), else a new one; it is echoed in the response's `X-Request-ID` and kept
in `request.state.request_id` for anything else that wants to quote it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from battrace.operations.logs import FIELDS
from battrace.operations.metrics import Metrics

log = logging.getLogger("battrace.access")

REQUEST_ID_HEADER = b"x-request-id"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNMATCHED = "unmatched"


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            sent = bytes(value).decode("latin-1")
            if _REQUEST_ID.fullmatch(sent):
                return sent
            break
    return uuid.uuid4().hex


def endpoint_paths(app: Any) -> dict[object, str]:  # noqa: ANN401 (any ASGI app with routes)
    """Each route's endpoint and path template, for routes whose match leaves no `route` in
    the scope (Starlette's plain `Route` under this FastAPI)."""
    paths: dict[object, str] = {}

    def visit(routes: Any, prefix: str) -> None:  # noqa: ANN401
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI's include_router
            if included is not None:
                context = getattr(route, "include_context", None)
                visit(included.routes, prefix + str(getattr(context, "prefix", "") or ""))
                continue
            endpoint, path = getattr(route, "endpoint", None), getattr(route, "path", None)
            if endpoint is not None and isinstance(path, str):
                paths.setdefault(endpoint, prefix + path)

    visit(getattr(app, "routes", ()), "")
    return paths


def route_of(scope: Scope, targets: frozenset[str], paths: dict[object, str]) -> str:
    path = getattr(scope.get("route"), "path", None)
    if not isinstance(path, str):
        path = paths.get(scope.get("endpoint"))
    if path is None:
        return UNMATCHED
    if targets:
        for pair in scope.get("query_string", b"").split(b"&"):
            name, _, value = pair.partition(b"=")
            if name == b"dataTarget":
                target = value.decode("latin-1")
                if target in targets:
                    return f"{path}?dataTarget={target}"
                break
    return path


class AccessMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, route_targets: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.targets = route_targets
        self._paths: dict[object, str] | None = None  # built at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500  # unless the application answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = str(scope.get("method", ""))
            if self._paths is None:
                self._paths = endpoint_paths(scope.get("app"))
            route = route_of(scope, self.targets, self._paths)
            operator = state.get("operator_id")
            self.metrics.observe_request(method, route, status, seconds)
            log.info(
                "request",
                extra={
                    FIELDS: {
                        "request_id": request_id,
                        "operator": str(operator) if operator is not None else None,
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                    }
                },
            )
