"""The PACT host actions for v2.3 (`/2/...`) and v3.0 (`/3/...`): ListFootprints (filters,
`limit`, an absolute `Link: <...>; rel="next"`), GetFootprint and the events endpoint, and
each operator's JWKS. Every action requires HTTPS and a bearer token from `/auth/token`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
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
from battrace.store import version as data_version

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
        client = clients.live_client(session, operator_id=operator_id, client_row_id=client_row_id)
        if client is None:
            raise unauthenticated(version, "The client credential was revoked.")
        result = work(session, client)
        if write:
            data_version.bump(session)  # pages cached for the client's owner are stale
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


@dataclass(frozen=True)
class _Listing:
    """A ListFootprints answer as sent: the JSON body and the next page's link, if any."""

    body: bytes
    next_link: str | None


def _listing(request: Request, version: int) -> _Listing:
    """The page the query asks for, from the worker's cache when the owner's data has not
    changed since it was made: then the request costs one statement, which reads the owner's
    data version and whether the client is still live (a revocation stops it at once, however
    it was written)."""
    auth.require_https(request)
    client_row_id, operator_id = auth.bearer_client_ids(request, version)
    limit, offset = _limit_offset(request)
    state = interop_state(request)
    base = base_url(request)
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]

    def work(session: Session, client: PactClient) -> _Listing:
        page = hosting.list_footprints(
            session,
            client=client,
            version=version,
            limit=limit,
            offset=offset,
            condition=_condition(request, version, session.get_bind().dialect.name),
            jwks_url=jwks_url(request, client.operator_id),
            cache=state.signatures,
        )
        link = None
        if page.more:
            following = [*query, ("limit", str(limit)), ("offset", str(offset + limit))]
            link = f"{base}{request.url.path}?{urlencode(following)}"
        return _Listing(_json_bytes({"data": page.footprints}), link)

    def compute() -> _Listing:
        return _run(request, version, work)

    if state.read_scalar is None or not state.pages.enabled:
        return compute()
    seen = state.read_scalar(
        clients.LIVE_VERSION, {"operator_id": operator_id, "client_row_id": client_row_id}
    )
    if seen is None:  # revoked: compute() says so
        return compute()
    key = (client_row_id, operator_id, version, base, limit, offset, tuple(sorted(query)))
    return state.pages.page(int(seen), key, compute)


def _json_bytes(content: object) -> bytes:
    """As Starlette's JSONResponse renders (compact, UTF-8)."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


async def _list(request: Request, version: int) -> Response:
    try:
        listing = await run_in_threadpool(_listing, request, version)
    except PactError as error:
        return response(error)
    headers = {} if listing.next_link is None else {"Link": f'<{listing.next_link}>; rel="next"'}
    return Response(listing.body, media_type="application/json", headers=headers)


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
    """Plain Starlette routes (like the contract's datatransport): each action reads its own
    input, so FastAPI's per-request dependency and response handling would only add cost."""

    async def list_footprints(request: Request) -> Response:
        return await _list(request, version)

    async def get_footprint(request: Request) -> Response:
        return await _get(request, version, str(request.path_params["pf_id"]))

    async def post_event(request: Request) -> Response:
        return await _events(request, version)

    router.add_route(f"/{version}/footprints", list_footprints, methods=["GET"])
    router.add_route(f"/{version}/footprints/{{pf_id}}", get_footprint, methods=["GET"])
    router.add_route(f"/{version}/events", post_event, methods=["POST"])


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
