"""`/api/v1/datatransport`: the data distribution API, dispatched on `dataTarget` (digest 4).

GET answers 200, PUT 201 (`{}` for status), DELETE 204. Errors carry the `[dataspace]`
source, or `[traceability]` for the traceability system's business rules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from battrace.connector.callers import Caller, authenticate
from battrace.connector.errors import (
    RequestContext,
    Source,
    json_array_bytes,
    json_bytes,
    json_response,
    json_text_response,
)
from battrace.connector.routing import guarded, read_body, render_contract
from battrace.connector.shapes import (
    cfp_row_json,
    cfp_value_json,
    part_json,
    status_json,
    trade_json,
)
from battrace.ids import OperatorId, PlantId, TraceId, TradeId
from battrace.inputs import fields, validators, wire
from battrace.inputs.fields import (
    bool_param,
    limit_param,
    required_uuid_param,
    unexpected,
    uuid_list_param,
    uuid_param,
)
from battrace.state import AppState, state_of
from battrace.traceability import cfp, parts, rollup, trades
from battrace.traceability.certificates import certificate_files, certificate_of_part
from battrace.traceability.disclosure import released_to
from battrace.traceability.supply import SupplyGraph

router = APIRouter()


class Call:
    """One request to a data target: who asks, with which parameters and body."""

    def __init__(
        self, request: Request, state: AppState, caller: Caller, raw: bytes, context: RequestContext
    ) -> None:
        self.request = request
        self.state = state
        self.caller = caller
        self.raw = raw
        self.context = context

    @property
    def params(self) -> QueryParams:
        return self.request.query_params

    @property
    def operator(self) -> OperatorId:
        return self.caller.operator_id

    def body(self, go_type: wire.GoType) -> object:
        return wire.bind(wire.parse_json(self.raw), go_type)

    def link(self, next_cursor: uuid.UUID | None, **params: str | None) -> dict[str, str]:
        if next_cursor is None:
            return {}
        return {
            "Link": link_header(
                self.request,
                self.state.settings.public_url,
                self.context.data_target,
                next_cursor,
                params,
            )
        }


def link_header(
    request: Request,
    public_url: str | None,
    data_target: str,
    after: uuid.UUID,
    params: dict[str, str | None],
) -> str:
    """`<…/api/v1/datatransport?dataTarget=…&after=…&…>; rel="next"`, other keys sorted."""
    base = (public_url or str(request.base_url)).rstrip("/")
    rest = {key: value for key, value in params.items() if value is not None}
    rest["after"] = str(after)
    query = urlencode(sorted(rest.items()))
    return f'<{base}/api/v1/datatransport?dataTarget={data_target}&{query}>; rel="next"'


Handler = Callable[[Call], Response]


# ------------------------------------------------------------------------------ GET


def get_parts(call: Call) -> Response:
    params = call.params
    limit = limit_param(params)
    after = uuid_param(params, "after")
    trace = uuid_param(params, "traceId")
    plant = uuid_param(params, "plantId")
    trace_id = None if trace is None else TraceId(trace)
    plant_id = None if plant is None else PlantId(plant)
    parent_flag = bool_param(params, "parentFlag")
    parts_name = params.get("partsName") or None
    part_filter = parts.PartFilter(trace_id, parts_name, plant_id, parent_only=bool(parent_flag))

    def page() -> tuple[bytes, uuid.UUID | None]:
        with call.state.reading() as session:
            rows, next_cursor = parts.list_parts(
                session, caller=call.operator, part_filter=part_filter, limit=limit, after=after
            )
        return json_bytes([part_json(row) for row in rows]), next_cursor

    state = call.state
    if state.pages.enabled:
        key = ("parts", call.operator, part_filter, limit, after)
        body, next_cursor = state.pages.page(state.data_version(call.operator), key, page)
    else:
        body, next_cursor = page()
    headers = call.link(
        next_cursor,
        limit=str(limit),
        parentFlag=params.get("parentFlag") or None,
        partsName=parts_name,
        plantId=params.get("plantId") or None,
        traceId=params.get("traceId") or None,
    )
    return json_text_response(body, headers=headers)


def get_parts_structure(call: Call) -> Response:
    trace_id = TraceId(required_uuid_param(call.params, "traceId"))
    with call.state.reading() as session:
        structure = parts.get_structure(session, caller=call.operator, trace_id=trace_id)
    return json_response(
        {
            "parentPartsModel": part_json(structure.parent),
            "childrenPartsModel": [
                part_json(c.part, c.amount_required) for c in structure.children
            ],
        }
    )


def get_trade_requests(call: Call) -> Response:
    params = call.params
    limit = limit_param(params)
    after = uuid_param(params, "after")
    listed = uuid_list_param(params, "traceIds", maximum=50)
    trace_ids = None if listed is None else [TraceId(t) for t in listed]
    with call.state.reading() as session:
        rows, next_cursor = trades.list_requests_sent(
            session, caller=call.operator, trace_ids=trace_ids, limit=limit, after=after
        )
    return json_response(
        [trade_json(row) for row in rows], headers=call.link(next_cursor, limit=str(limit))
    )


def get_trade_responses(call: Call) -> Response:
    params = call.params
    limit = limit_param(params)
    after = uuid_param(params, "after")
    with call.state.reading() as session:
        rows, next_cursor = trades.list_requests_received(
            session, caller=call.operator, limit=limit, after=after
        )
    body = [
        {
            "statusModel": status_json(trade),
            "tradeModel": trade_json(trade),
            "partsModel": part_json(part),
        }
        for trade, part in rows
    ]
    return json_response(body, headers=call.link(next_cursor, limit=str(limit)))


def get_status(call: Call) -> Response:
    params = call.params
    limit = limit_param(params)
    after = uuid_param(params, "after")
    target = params.get("statusTarget") or None
    if target not in (None, trades.StatusTarget.REQUEST, trades.StatusTarget.RESPONSE):
        raise unexpected("statusTarget")
    trace = uuid_param(params, "traceId")
    trace_id = None if trace is None else TraceId(trace)
    status_id = uuid_param(params, "statusId")
    with call.state.reading() as session:
        rows, next_cursor = trades.list_statuses(
            session,
            caller=call.operator,
            target=target,
            trace_id=trace_id,
            status_id=status_id,
            limit=limit,
            after=after,
        )
    return json_response(
        [status_json(row) for row in rows],
        headers=call.link(next_cursor, limit=str(limit), statusTarget=target),
    )


def get_cfp(call: Call) -> Response:
    listed = uuid_list_param(call.params, "traceIds", maximum=50, required=True) or []
    trace_ids = list(dict.fromkeys(TraceId(t) for t in listed))

    state = call.state
    seen_version = state.data_version(call.operator) if state.cfp_rows.enabled else None

    disclose = state.settings.disclose_by_default
    # A fully cached answer opens no database connection beyond the version read.
    with state.reading() as session:

        def compute(wanted: list[TraceId]) -> dict[TraceId, list[bytes]]:
            """Each product's rows as JSON, the form kept between requests."""
            grouped: dict[TraceId, list[bytes]] = {}
            for row in rollup.cfp_rows(
                session, caller=call.operator, trace_ids=wanted, disclose_by_default=disclose
            ):
                grouped.setdefault(row.trace_id, []).append(json_bytes(cfp_row_json(row)))
            return grouped

        rows: list[bytes] = state.cfp_rows.rows(
            session,
            caller=call.operator,
            trace_ids=trace_ids,
            compute=compute,
            seen_version=seen_version,
        )
    return json_text_response(json_array_bytes(rows))


def get_cfp_certification(call: Call) -> Response:
    trace_id = TraceId(required_uuid_param(call.params, "traceId"))
    with call.state.reading() as session:
        body = _certification(
            session, call.operator, trace_id, call.state.settings.disclose_by_default
        )
    return json_response(body)


def _certification(
    session: Session, caller: OperatorId, trace_id: TraceId, disclose_by_default: bool
) -> list[dict[str, object]]:
    """#18: the caller's own certificate, or the supplier's for a linked bought-in part."""
    part = parts.get_own_part(session, caller=caller, trace_id=trace_id)
    if part is None:
        return []
    owner, owner_trace, released = part.operator_id, part.trace_id, True
    graph = SupplyGraph(session, disclose_by_default=disclose_by_default)
    graph.load([part.trace_id])
    node = graph.node(part.trace_id)
    assert node is not None  # noqa: S101 (the caller's own part is the graph's root)
    trade = node.answered_trade if not (part.is_parent or part.terminated_flag) else None
    if trade is not None and trade.upstream_trace_id is not None:
        owner, owner_trace = trade.upstream_operator_id, trade.upstream_trace_id
        released = released_to(
            session,
            supplier=owner,
            trace_id=owner_trace,
            customer=part.operator_id,
            disclose_by_default=disclose_by_default,
        ).certificate
    certificate = certificate_of_part(session, owner=owner, trace_id=owner_trace)
    if certificate is None:
        return []
    if not released:
        return [
            {
                "cfpCertificationId": str(certificate.id),
                "traceId": str(trace_id),
                "cfpCertificationDescription": None,
                "cfpCertificationFileInfo": None,
            }
        ]
    files = certificate_files(session, owner=owner, certificate_id=certificate.id)
    return [
        {
            "cfpCertificationId": str(certificate.id),
            "traceId": str(trace_id),
            "cfpCertificationDescription": certificate.description,
            "cfpCertificationFileInfo": [
                {"operatorId": str(owner), "fileId": str(f.id), "fileName": f.file_name}
                for f in files
            ],
        }
    ]


# ------------------------------------------------------------------------------ PUT


def put_parts(call: Call) -> Response:
    part = validators.read_parent_part(call.body(validators.PARTS))
    with call.state.writing() as session:
        structure = parts.save_structure(session, caller=call.operator, parent=part, children=[])
    return json_response(part_json(structure.parent), 201)


def put_parts_structure(call: Call) -> Response:
    parent, children = validators.read_structure(call.body(validators.PARTS_STRUCTURE))
    with call.state.writing() as session:
        structure = parts.save_structure(
            session, caller=call.operator, parent=parent, children=children
        )
    return json_response(
        {
            "parentPartsModel": part_json(structure.parent),
            "childrenPartsModel": [
                part_json(c.part, c.amount_required) for c in structure.children
            ],
        },
        201,
    )


def put_trade_request(call: Call) -> Response:
    try:
        body = call.body(validators.TRADE_REQUEST)
    except wire.BindError as exc:
        # The contract names the field without its section ("message: Unmarshal type …").
        raise wire.BindError(re.sub(r"^(tradeModel|statusModel)\.", "", exc.message)) from exc
    request = validators.read_trade_request(body)
    with call.state.writing() as session:
        trade = trades.request_trade(session, caller=call.operator, request=request)
    return json_response(
        {"tradeModel": trade_json(trade), "statusModel": status_json(trade, with_state=False)}, 201
    )


def put_trade_response(call: Call) -> Response:
    trade_id = uuid_param(call.params, "tradeId", required=True)
    trace_id = TraceId(required_uuid_param(call.params, "traceId"))
    assert trade_id is not None  # noqa: S101
    with call.state.writing() as session:
        trade = trades.link_part(
            session, caller=call.operator, trade_id=TradeId(trade_id), trace_id=trace_id
        )
    return json_response(trade_json(trade), 201)


def put_cfp(call: Call) -> Response:
    cfp_set = validators.read_cfp_set(call.body(validators.CFP_LIST))
    with call.state.writing() as session:
        rows = cfp.register_cfp(session, caller=call.operator, cfp_set=cfp_set)
    return json_response([cfp_value_json(row) for row in rows], 201)


def put_status(call: Call) -> Response:
    status_id, trade_id, new_status, reply = validators.read_status_change(
        call.body(validators.STATUS)
    )
    with call.state.writing() as session:
        trades.change_status(
            session,
            caller=call.operator,
            status_id=status_id,
            trade_id=trade_id,
            new_status=new_status,
            reply_message=reply,
        )
    return json_response({}, 201)


# --------------------------------------------------------------------------- DELETE


def delete_parts(call: Call) -> Response:
    trace_id = TraceId(required_uuid_param(call.params, "traceId"))
    with call.state.writing() as session:
        parts.delete_part(
            session, caller=call.operator, trace_id=trace_id, store=call.state.file_store
        )
    return Response(status_code=204)


HANDLERS: dict[str, dict[str, Handler]] = {
    "GET": {
        "parts": get_parts,
        "partsStructure": get_parts_structure,
        "tradeRequest": get_trade_requests,
        "tradeResponse": get_trade_responses,
        "cfp": get_cfp,
        "cfpCertification": get_cfp_certification,
        "status": get_status,
    },
    "PUT": {
        "parts": put_parts,
        "partsStructure": put_parts_structure,
        "tradeRequest": put_trade_request,
        "tradeResponse": put_trade_response,
        "cfp": put_cfp,
        "status": put_status,
    },
    "DELETE": {"parts": delete_parts},
}


def _dispatch(request: Request, context: RequestContext, raw: bytes) -> Response:
    state = state_of(request)
    caller = authenticate(request, state, context)
    handler = HANDLERS[request.method].get(context.data_target)
    if handler is None:
        raise unexpected("dataTarget")
    return handler(Call(request, state, caller, raw, context))


RENDER = render_contract(Source.DATASPACE)


PATH = "/api/v1/datatransport"
METHODS = ("GET", "PUT", "DELETE")


async def datatransport(request: Request) -> Response:
    if request.method not in HANDLERS:
        raise StarletteHTTPException(405)  # answered like any unknown endpoint (app.py)
    context = RequestContext(
        method=request.method, data_target=request.query_params.get("dataTarget", "")
    )

    async def run() -> Response:
        fields.check_query(request.query_params)
        raw = await read_body(request, state_of(request).settings.max_body_bytes)
        return await run_in_threadpool(_dispatch, request, context, raw)

    request_id = getattr(request.state, "request_id", None)  # operations.access sets it
    return await guarded(run, RENDER, context, track=True, track_id=request_id)


# A plain Starlette route serves the calls: it reads nothing from the request that FastAPI's
# per-request dependency solving would prepare, and skipping it saves about a fifth of a
# cached GET's time. So this one route resolves its caller itself (`callers.authenticate`,
# what `routing.ApiCaller` runs) and answers through the same `routing.guarded`. The FastAPI
# route after it never matches first; it describes the endpoint in the OpenAPI document.
router.add_route(PATH, datatransport, include_in_schema=False)
for _method in METHODS:  # one OpenAPI operation (and operation id) per method
    router.add_api_route(
        PATH, datatransport, methods=[_method], operation_id=f"datatransport_{_method.lower()}"
    )
