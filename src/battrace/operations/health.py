"""Liveness and readiness: `/healthz` says the process answers; `/readyz` says it can serve,
meaning the database answers and its schema is at the revision this code expects (a worker
started before `battrace db upgrade` finished is not ready). Neither needs credentials, and
neither says more than ok or what failed, so they can face a load balancer."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from battrace.store.engine import Database

log = logging.getLogger("battrace.health")
_REVISION = text("SELECT version_num FROM alembic_version")
NO_STORE = {"Cache-Control": "no-store"}


def database_check(database: Database, expected: str | None) -> str:
    """ "ok", or why the database cannot serve."""
    try:
        revision = database.read_scalar(_REVISION)
    except SQLAlchemyError as exc:
        log.warning("readiness: database unavailable (%s)", type(exc).__name__)
        return "unavailable"
    if revision != expected:
        return f"schema at {revision}, expected {expected}"
    return "ok"


def health_router(database: Database, expected: str | None) -> APIRouter:
    """`expected`: the schema revision the code needs (`battrace.migrations.head_revision`)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        check = await run_in_threadpool(database_check, database, expected)
        ready = check == "ok"
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": {"database": check}},
            status_code=200 if ready else 503,
            headers=NO_STORE,
        )

    return router
