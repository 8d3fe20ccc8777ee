"""The PACT host actions for v2.3 (`/2/...`) and v3.0 (`/3/...`): ListFootprints (filters,
`limit`, an absolute `Link: <...>; rel="next"`), GetFootprint and the events endpoint, and
each operator's JWKS. Every action requires HTTPS and a bearer token from `/auth/token`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from battrace import errors
from battrace.identity import signing
from battrace.interop import auth
from battrace.interop.delivery import deliver_due
from battrace.interop.errors import (
    PactError,
    bad_request,
    from_domain,
    not_found,
    response,
    unauthenticated,
)
from battrace.interop.state import base_url, interop_state, jwks_url
from battrace.pact import clients, events, hosting, selection
from battrace.pact.filters import Criteria, parse_v2_filter
from battrace.pact.hosting import Condition
from battrace.pact.models import PactClient

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
CLOUDEVENTS = "application/cloudevents+json"


def _run(
    request: Request, version: int, work: Callable[[Session, PactClient], T], *, write: bool = False
) -> T:
    """Check HTTPS and the token, then run `work` with the client, committing writes once."""
    auth.require_https(request)
    client_row_id, operator_id = auth.bearer_client_ids(request, version)
    state = interop_state(request)
    session = state.session(write=write)
    try:
        client = clients.live_client(session, client_row_id=client_row_id)
        if client is None or client.operator_id != operator_id:
            raise unauthenticated(version, "The client credential was revoked.")
        result = work(session, client)
        if write:
            session.commit()
        return result
    except errors.BattraceError as exc:
        session.rollback()
        raise from_domain(version, exc) from None
    finally:
        session.close()


def _limit_offset(request: Request) -> tuple[int, int]:
    def positive(name: str, default: int, minimum: int) -> int:
        text = request.query_params.get(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise bad_request(f"{name} must be an integer.") from None
        if value < minimum:
            raise bad_request(f"{name} must be at least {minimum}.")
        return value

    return min(positive("limit", DEFAULT_LIMIT, 1), MAX_LIMIT), positive("offset", 0, 0)


def _condition(request: Request, version: int, dialect: str) -> Condition | None:
    """The query's filters as SQL (None: no filter); refuses a malformed or unsupported one."""
    if version == 2:
        expression = request.query_params.get("$filter")
        if not expression:
            return None
        return selection.v2_condition(parse_v2_filter(expression), dialect)
    criteria = Criteria.from_query(list(request.query_params.multi_items()))
    return selection.v3_condition(criteria) if criteria else None


async def _list(request: Request, version: int) -> Response:
    def work(session: Session, client: PactClient) -> Response:
        limit, offset = _limit_offset(request)
        page = hosting.list_footprints(
            session,
            client=client,
            version=version,
            limit=limit,
            offset=offset,
            condition=_condition(request, version, session.get_bind().dialect.name),
            jwks_url=jwks_url(request, client.operator_id),
            cache=interop_state(request).signatures,
        )
        headers = {}
        if page.more:
            query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
            query.append(("offset", str(offset + limit)))
            if not any(k == "limit" for k, _ in query):
                query.append(("limit", str(limit)))
            link = f"{base_url(request)}{request.url.path}?{urlencode(query)}"
            headers["Link"] = f'<{link}>; rel="next"'
        return JSONResponse({"data": page.footprints}, headers=headers)

    try:
        return await run_in_threadpool(_run, request, version, work)
    except PactError as error:
        return response(error)


async def _get(request: Request, version: int, pf_id: str) -> Response:
    def work(session: Session, client: PactClient) -> Response:
        try:
            wanted = uuid.UUID(pf_id)
        except ValueError:
            raise not_found(version, f"No footprint {pf_id}.") from None
        footprint = hosting.get_footprint(
            session,
            client=client,
            version=version,
            pf_id=wanted,
            jwks_url=jwks_url(request, client.operator_id),
            cache=interop_state(request).signatures,
        )
        return JSONResponse({"data": footprint})

    try:
        return await run_in_threadpool(_run, request, version, work)
    except PactError as error:
        return response(error)


async def _events(request: Request, version: int) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        auth.require_https(request)
        if content_type not in (CLOUDEVENTS, "application/json"):
            raise bad_request(f"Send events as {CLOUDEVENTS}.")
        try:
            body: Any = await request.json()
        except ValueError:
            raise bad_request("The body is not JSON.") from None
        state = interop_state(request)

        def work(session: Session, client: PactClient) -> str:
            return events.receive(
                session,
                client=client,
                version=version,
                event=body,
                own_base_url=base_url(request),
                jwks_url=jwks_url(request, client.operator_id),
                transport=state.transport,
            )

        kind = await run_in_threadpool(_run, request, version, work, write=True)
    except PactError as error:
        return response(error)
    task = BackgroundTask(deliver_due, state) if kind == "created" else None
    return Response(status_code=200, background=task)


def _register(version: int) -> None:
    async def list_footprints(request: Request) -> Response:
        return await _list(request, version)

    async def get_footprint(request: Request, pf_id: str) -> Response:
        return await _get(request, version, pf_id)

    async def post_event(request: Request) -> Response:
        return await _events(request, version)

    router.add_api_route(f"/{version}/footprints", list_footprints, methods=["GET"])
    router.add_api_route(f"/{version}/footprints/{{pf_id}}", get_footprint, methods=["GET"])
    router.add_api_route(f"/{version}/events", post_event, methods=["POST"])


_register(2)
_register(3)


@router.get("/pact/operators/{operator_id}/jwks.json")
async def operator_jwks(request: Request, operator_id: str) -> Response:
    """The operator's public signing keys (current and retired); public by design."""
    try:
        wanted = uuid.UUID(operator_id)
    except ValueError:
        return JSONResponse({"keys": []})
    state = interop_state(request)

    def read() -> dict[str, Any]:
        session = state.session(write=False)
        try:
            return signing.jwks(session, operator_id=wanted)
        finally:
            session.close()

    return JSONResponse(await run_in_threadpool(read), headers={"Cache-Control": "max-age=300"})
