"""The app factory: builds the ASGI application from settings, with no module-level state.

The top of the import graph: it builds the per-process state (`battrace.state`) and mounts
every surface's routers (the contract API in `battrace.connector`, the web application in
`battrace.web`). Surfaces never import each other; a new API package adds its router here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response

from battrace import __version__
from battrace.adapters.pact_https import HttpsTransport
from battrace.connector import (
    auth_api,
    certificates_api,
    diligence_api,
    diligence_files_api,
    footprint_api,
    parts_api,
    passport_api,
    passport_records_api,
    passport_resolver,
    recycling_api,
    recycling_content_api,
    reuse_api,
    reuse_proposals_api,
    traceability_api,
    transport,
)
from battrace.connector.callers import check_api_key
from battrace.connector.errors import (
    ENDPOINT_NOT_FOUND,
    INVALID_REQUEST,
    ContractError,
    RequestContext,
    Source,
    contract_error_response,
)
from battrace.connector.headers import SecurityHeaders
from battrace.identity.secrets import derive_key
from battrace.interop import install as install_interop
from battrace.interop import run_retries as run_pact_retries
from battrace.interop.state import InteropState
from battrace.migrations import head_revision
from battrace.operations import Metrics
from battrace.operations import install as install_operations
from battrace.settings import Settings
from battrace.state import AppState, PageCache, build_state
from battrace.store.engine import Database
from battrace.traceability import totals
from battrace.web import install as install_web
from battrace.web import not_found_page

log = logging.getLogger("battrace")

ALLOWED_HEADERS = ["apiKey", "Authorization", "Content-Type", "X-Requested-With", "x-api-key"]
EXPOSED_HEADERS = ["Link", "X-Track"]


async def _refill_totals(state: AppState, metrics: Metrics) -> None:
    """Store again, in the background, the part totals a large settlement dropped
    (`traceability.totals`): a batch at a time, each in its own short transaction; when none
    is left, look again every `totals_refill_seconds`."""
    while True:
        try:
            stored = await run_in_threadpool(_refill_batch, state)
        except Exception:  # the next round tries again; readers walk meanwhile
            log.exception("refilling stored part totals failed")
            metrics.refill_failed()
            stored = 0
        else:
            metrics.refill_done(stored)
        if not stored:
            await asyncio.sleep(state.settings.totals_refill_seconds)


def _refill_batch(state: AppState) -> int:
    with state.db.transaction(write=False) as session:
        if not totals.has_stale(session):
            return 0
    session = state.session(write=True)
    try:
        stored = totals.refill(session, disclose_by_default=state.settings.disclose_by_default)
        session.commit()
    finally:
        session.close()
    if stored:
        log.info("stored %d part totals again", stored)
    return stored


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """The battrace server: the Ouranos contract API and the traceability endpoints."""
    settings = settings or Settings()
    state = build_state(settings, database)
    # PACT access tokens get a key of their own, derived from the token key (no database
    # round trip at start-up; rotating the JWT secret rotates it too): a PACT token is never
    # an Ouranos token.
    pact_secret = derive_key(state.signer.secret, "battrace PACT access tokens")
    pact_transport = HttpsTransport()  # pulls and event deliveries of this process
    pact = InteropState(
        session=state.session,
        token_secret=pact_secret,
        token_ttl_seconds=settings.access_token_ttl_seconds,
        transport=pact_transport,
        public_url=settings.public_url,
        pages=PageCache(settings.pact_page_cache_entries),
        read_scalar=state.db.read_scalar,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        refiller = asyncio.create_task(_refill_totals(state, metrics))
        pact_retries = asyncio.create_task(run_pact_retries(pact))
        yield
        for task in (refiller, pact_retries):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pact_transport.close()
        if database is None:
            state.db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="battrace",
        version=__version__,
        description=(
            "Ouranos-compatible battery supply-chain data platform. The data distribution and "
            "user authentication endpoints follow the Ouranos contract "
            "(ouranos-openapi.yaml); errors use its {code, message, detail} shape."
        ),
    )
    app.state.battrace = state
    # The PACT host first: its paths (/2, /3, /auth/token, /.well-known, /pact) are its own,
    # and its ListFootprints is a hot path that should not be matched against every route.
    install_interop(app, pact)  # the PACT host at /2, /3 and /auth/token (HTTPS only)
    # Every API router, in this order; a new package's router is one more line here.
    routers = (
        auth_api.router,
        auth_api.auth_info,
        transport.router,
        # The public resolver early: behind the QR codes it is the busiest route, and a route
        # costs every request that reaches it the match attempts of the routes before it.
        passport_resolver.router,
        traceability_api.router,
        certificates_api.router,
        footprint_api.router,
        parts_api.router,
        diligence_api.router,
        diligence_files_api.router,
        passport_api.router,
        passport_records_api.router,  # after passport_api: its /{id} comes last
        recycling_api.router,
        recycling_content_api.router,
        reuse_api.router,
        reuse_proposals_api.router,
    )
    for router in routers:
        app.include_router(router)
    install_web(app)  # the operators' web application at /

    @app.exception_handler(StarletteHTTPException)
    async def _not_found(request: Request, exc: StarletteHTTPException) -> Response:
        context = RequestContext(
            method=request.method, data_target=request.query_params.get("dataTarget", "")
        )
        if exc.status_code == 404 and (page := not_found_page(request)) is not None:
            return page  # a browser's unknown path: the web's own not-found page
        if exc.status_code in (404, 405):
            # Like the reference, an unknown endpoint is answered only after the API key.
            try:
                await run_in_threadpool(check_api_key, request, state)
            except ContractError as denied:
                return contract_error_response(
                    denied.status, denied.source, denied.message, context
                )
            return contract_error_response(404, Source.DATASPACE, ENDPOINT_NOT_FOUND, context)
        return contract_error_response(exc.status_code, Source.DATASPACE, str(exc.detail), context)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        context = RequestContext(method=request.method)
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:])}: {err['msg']}" for err in exc.errors()
        )
        return contract_error_response(
            400, Source.DATASPACE, f"{INVALID_REQUEST}, {details}", context
        )

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "PUT", "POST", "DELETE", "OPTIONS"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
        )

    # Near last, so its middleware wraps the routes: request log, metrics, /healthz, /readyz.
    data_targets = {target for targets in transport.HANDLERS.values() for target in targets}
    metrics = install_operations(
        app, state.db, expected_revision=head_revision(), route_targets=data_targets
    )
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, errors included
    return app
