"""The one pattern of every API route: who calls, how a failure is answered, and the
transaction a route runs in.

A route is a plain (synchronous) FastAPI function on a router of one *error family*; FastAPI
runs it in a worker thread, so the blocking database work stays off the event loop:

    router = APIRouter(prefix="/api/v1/passport", route_class=ContractRoute)

    @router.get("/batteries/{battery_id}")
    def get_battery(battery_id: str, caller: ApiCaller, state: State) -> Response:
        wanted = fields.uuid_field(battery_id, "batteryId")
        with state.reading() as session:
            found = batteries.get_battery(session, caller=caller.operator_id, battery_id=wanted)
        return json_response(battery_json(found))

- `ApiCaller` authenticates (API key, then bearer token) and gives the typed `Caller`;
  `ApiGrant` checks the API key only (login, token refresh).
- `State` is the process's `AppState`; `state.reading()` / `state.writing()` open the one
  transaction (`writing` commits when the block ends). A write that loses a race raises
  `RaceLost` and the whole route runs again (it is pure apart from its transaction).
- `Raw` is the request body as bytes; read it with `battrace.inputs.fields` *after* the caller
  is known (an unauthenticated call is refused before its body is judged).
- The route class maps every error in one place: `ContractRoute` (and `AuthRoute`,
  `DataTargetAuthRoute`) to the contract's ``{code, message, detail}``,
  `TraceabilityRoute` to the traceability system's ``{"errors": [...]}``. FastAPI's own
  404/405 and request-validation errors go on to the app's handlers (`battrace.app`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from fastapi import Depends
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector.callers import Caller, authenticate, check_api_key
from battrace.connector.errors import (
    OUTER_SERVICE,
    UNEXPECTED,
    ContractError,
    RequestContext,
    Source,
    TraceabilityCode,
    contract_error_response,
    domain_error_response,
    traceability_domain_error,
    traceability_error_response,
)
from battrace.identity.api_keys import ApiKeyGrant
from battrace.inputs import fields
from battrace.state import ATTEMPTS, AppState, RaceLost, state_of

log = logging.getLogger("battrace.connector")

Render = Callable[[Exception, RequestContext], Response]
TRACEABILITY_UNEXPECTED = "システムエラーが発生しました。管理者にお問い合わせください。"


def render_contract(source: Source) -> Render:
    """Any failure as the contract's error body, `source` naming the API family."""

    def render(exc: Exception, context: RequestContext) -> Response:
        if isinstance(exc, ContractError):
            return contract_error_response(exc.status, exc.source, exc.message, context, exc.detail)
        if isinstance(exc, errors.BattraceError):
            return domain_error_response(exc, source, context)
        if isinstance(exc, OperationalError):
            log.exception("database unavailable")
            return contract_error_response(503, source, OUTER_SERVICE, context)
        log.exception("unexpected error")
        return contract_error_response(500, source, UNEXPECTED, context)

    return render


def render_traceability(exc: Exception, context: RequestContext) -> Response:
    """Any failure as the traceability system's ``{"errors": [...]}`` body."""
    if isinstance(exc, ContractError):
        code = {401: TraceabilityCode.UNAUTHENTICATED, 403: TraceabilityCode.FORBIDDEN}.get(
            exc.status, TraceabilityCode.INVALID
        )
        return traceability_error_response(exc.status, code, exc.message)
    if isinstance(exc, errors.BattraceError):
        return traceability_domain_error(exc)
    log.exception("unexpected error")
    return traceability_error_response(500, TraceabilityCode.UNEXPECTED, TRACEABILITY_UNEXPECTED)


async def guarded(
    run: Callable[[], Awaitable[Response]],
    render: Render,
    context: RequestContext,
    *,
    track: bool = False,
    track_id: str | None = None,
) -> Response:
    """Run a route: a lost write race runs it again, any failure becomes `render`'s body.

    `track`: put `track_id` (the request id of the request log, else a new one) in X-Track."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = await run()
        except RaceLost as lost:
            if attempt < ATTEMPTS:
                lost.log()
                continue
            response = render(lost.cause, context)
        except (StarletteHTTPException, RequestValidationError):
            raise  # FastAPI's own: the app's handlers answer them (battrace.app)
        except Exception as exc:
            response = render(exc, context)
        break
    if track and response.status_code < 400:
        # The reference sets X-Track on every data success (empty in its dummy); battrace
        # puts a request id there, which its logs carry too.
        response.headers["X-Track"] = track_id or str(uuid.uuid4())
    return response


@dataclass(frozen=True)
class Family:
    """An API family: how its errors are answered and where its API key comes from."""

    render: Render
    key_headers: tuple[str, ...] = ("apikey",)  # the first one present is read
    with_data_target: bool = False  # error details name the `dataTarget` query parameter

    def key_header(self, request: Request) -> str:
        *preferred, last = self.key_headers
        return next((h for h in preferred if request.headers.get(h)), last)


class ContractRoute(APIRoute):
    """A route of battrace's own JSON APIs: contract error shape, source `dataspace`."""

    family: ClassVar[Family] = Family(render_contract(Source.DATASPACE))

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        family = self.family

        async def route(request: Request) -> Response:
            context = RequestContext(
                method=request.method,
                data_target=request.query_params.get("dataTarget", "")
                if family.with_data_target
                else "",
            )
            request.state.battrace_route = (family, context)

            async def run() -> Response:
                fields.check_query(request.query_params)
                return await handle(request)

            return await guarded(run, family.render, context)

        return route


class AuthRoute(ContractRoute):
    """The user authentication system's routes: contract error shape, source `auth`."""

    family = Family(render_contract(Source.AUTH))


class DataTargetAuthRoute(ContractRoute):
    """`/api/v1/authInfo`: as `AuthRoute`, the error detail naming the `dataTarget`."""

    family = Family(render_contract(Source.AUTH), with_data_target=True)


class TraceabilityRoute(ContractRoute):
    """The traceability-system routes: ``{"errors": [...]}``; the key in `x-api-key` (the
    reference BFF's header) or `apiKey`."""

    family = Family(render_traceability, key_headers=("x-api-key", "apikey"))


def _route_of(request: Request) -> tuple[Family, RequestContext]:
    found: tuple[Family, RequestContext] = request.state.battrace_route
    return found


def api_caller(request: Request) -> Caller:
    """The dependency of every authenticated route: API key, then bearer token."""
    family, context = _route_of(request)
    return authenticate(request, state_of(request), context, header=family.key_header(request))


def api_grant(request: Request) -> ApiKeyGrant:
    """The dependency of routes that need the API key only (login, token refresh)."""
    family, _ = _route_of(request)
    return check_api_key(request, state_of(request), header=family.key_header(request))


async def app_state(request: Request) -> AppState:
    return state_of(request)


BODY_TOO_LARGE = "request body: larger than {limit} bytes."


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to pass `limit` bytes: from its
    `Content-Length` before anything is read, or while a chunked body streams in."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ContractError(413, Source.DATASPACE, BODY_TOO_LARGE.format(limit=limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ContractError(413, Source.DATASPACE, BODY_TOO_LARGE.format(limit=limit))
        chunks.append(chunk)
    body = b"".join(chunks)
    # Kept where Starlette keeps a body it has read (`stream()` gives it again): a route run
    # again after a lost write race reads the same body.
    request._body = body
    return body


async def raw_body(request: Request) -> bytes:
    """A JSON body: at most `max_body_bytes`."""
    return await read_body(request, state_of(request).settings.max_body_bytes)


async def upload_body(request: Request) -> bytes:
    """A file (a workbook, a document, a list): at most `upload_max_bytes`."""
    return await read_body(request, state_of(request).settings.upload_max_bytes)


async def batch_body(request: Request) -> bytes:
    """A batch of JSON records (the bulk structure save): at most `upload_max_bytes`."""
    return await read_body(request, state_of(request).settings.upload_max_bytes)


def request_context(request: Request) -> RequestContext:
    """What the error detail reports about this request (`dataTarget`, operator id)."""
    return _route_of(request)[1]


ApiCaller = Annotated[Caller, Depends(api_caller)]
ApiGrant = Annotated[ApiKeyGrant, Depends(api_grant)]
State = Annotated[AppState, Depends(app_state)]
Raw = Annotated[bytes, Depends(raw_body)]
Upload = Annotated[bytes, Depends(upload_body)]
Batch = Annotated[bytes, Depends(batch_body)]
