"""battrace's recycling endpoints under `/api/v1/recycling`: custody of collected products,
recycler reports with their rates, and the loop dashboard (recycled content, the market and
the impact figures are in `recycling_content_api`). Same authentication (`apiKey` + Bearer)
and the same `{code, message, detail}` error shape as the other battrace endpoints
(`ContractRoute`).

Each route: the caller, the body read by `inputs.recycling_bodies`, one service call in one
transaction, the JSON shape from `recycling_json`.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from battrace.connector import recycling_json as shape
from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State
from battrace.inputs import recycling_bodies as body_of
from battrace.inputs.fields import (
    date_field,
    json_object,
    text_field,
    unexpected,
    uuid_field,
)
from battrace.recycling import custody, dashboard, lots, permits, reports
from battrace.recycling.models import Role

router = APIRouter(
    prefix="/api/v1/recycling", tags=["recycling (battrace)"], route_class=ContractRoute
)


@router.put("/permits")
def put_permit(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Declare a permit for an activity: `{role, permitRef, validUntil}`."""
    body = json_object(raw)
    role = body_of.enum_field(Role, body.get("role"), "role")
    with state.writing() as session:
        row = permits.declare_permit(
            session,
            caller=caller.operator_id,
            role=role,
            permit_ref=str(body.get("permitRef") or ""),
            valid_until=date_field(body.get("validUntil"), "validUntil"),
        )
        answer = shape.permit(row)
    return json_response(answer, 201)


@router.post("/lots")
def post_lot(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Collect (or take back) products into a new custody lot."""
    collection = body_of.collection(json_object(raw))
    with state.writing() as session:
        answer = shape.lot(
            custody.collect(session, caller=caller.operator_id, collection=collection)
        )
    return json_response(answer, 201)


@router.get("/lots")
def get_lots(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [shape.lot(row) for row in lots.list_lots(session, caller=caller.operator_id)]
    return json_response(answer)


@router.get("/lots/{lot_id}")
def get_lot(lot_id: str, caller: ApiCaller, state: State) -> Response:
    """A lot, its events, its items and the mass balance of its whole history."""
    wanted = uuid_field(lot_id, "lotId")
    with state.reading() as session:
        found = lots.visible_lot(session, caller=caller.operator_id, lot_id=wanted)
        answer = {
            **shape.lot(found),
            "items": lots.lot_items(session, caller=caller.operator_id, lot_id=wanted),
            "events": [
                shape.event(e)
                for e in lots.lot_events(session, caller=caller.operator_id, lot_id=wanted)
            ],
            "massBalance": shape.history(
                lots.check_lot(session, caller=caller.operator_id, lot_id=wanted)
            ),
        }
    return json_response(answer)


@router.post("/lots/{lot_id}/events")
def post_event(lot_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Record a step (transported, stored, sent for repurposing or recycling, recycled)."""
    wanted, step = uuid_field(lot_id, "lotId"), body_of.step(json_object(raw))
    with state.writing() as session:
        event = custody.record_step(session, caller=caller.operator_id, lot_id=wanted, step=step)
        answer = shape.event(event)
    return json_response(answer, 201)


@router.post("/lots/{lot_id}/handover")
def post_hand_over(lot_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Offer the lot to a receiver: `{receiverOperatorId, place, occurredAt}`."""
    wanted, body = uuid_field(lot_id, "lotId"), json_object(raw)
    receiver = uuid_field(body.get("receiverOperatorId"), "receiverOperatorId")
    with state.writing() as session:
        event = custody.hand_over(
            session,
            caller=caller.operator_id,
            lot_id=wanted,
            receiver=receiver,
            place=text_field(body.get("place"), "place"),
            occurred_at=body_of.timestamp(body.get("occurredAt"), "occurredAt"),
        )
        answer = shape.event(event)
    return json_response(answer, 201)


@router.post("/lots/{lot_id}/acceptance")
def post_acceptance(lot_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """The receiver accepts a hand-over: `{massReceivedKg, lossKg, unitsReceived}`."""
    wanted, body = uuid_field(lot_id, "lotId"), json_object(raw)
    received = body_of.decimal_field(body.get("massReceivedKg"), "massReceivedKg")
    loss = body_of.decimal_field(body.get("lossKg"), "lossKg", default=Decimal(0))
    units = body_of.int_field(body.get("unitsReceived"), "unitsReceived")
    with state.writing() as session:
        event = custody.accept_hand_over(
            session,
            caller=caller.operator_id,
            lot_id=wanted,
            mass_received_kg=received,
            loss_kg=loss,
            units_received=units,
        )
        answer = shape.event(event)
    return json_response(answer)


@router.post("/lots/{lot_id}/decline")
def post_decline(lot_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(lot_id, "lotId")
    with state.writing() as session:
        answer = shape.lot(
            custody.decline_hand_over(session, caller=caller.operator_id, lot_id=wanted)
        )
    return json_response(answer)


@router.post("/lots/{lot_id}/dismantling")
def post_dismantling(lot_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Dismantle into modules, cells or fractions: `{outputs: [{fraction, massKg}], lossKg}`."""
    wanted, body = uuid_field(lot_id, "lotId"), json_object(raw)
    outputs = body_of.fractions(body)
    loss = body_of.decimal_field(body.get("lossKg"), "lossKg", default=Decimal(0))
    with state.writing() as session:
        made = custody.dismantle(
            session,
            caller=caller.operator_id,
            lot_id=wanted,
            outputs=outputs,
            loss_kg=loss,
            place=text_field(body.get("place"), "place"),
            occurred_at=body_of.timestamp(body.get("occurredAt"), "occurredAt"),
        )
        answer = [shape.lot(row) for row in made]
    return json_response(answer, 201)


@router.post("/reports")
def post_report(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """A recycler's period report; answered with its 2025/606 rates and Annex XII gaps."""
    report = body_of.report(json_object(raw))
    with state.writing() as session:
        answer = shape.report(
            reports.submit_report(session, caller=caller.operator_id, report=report)
        )
    return json_response(answer, 201)


@router.get("/reports")
def get_reports(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [shape.report(v) for v in reports.list_reports(session, caller=caller.operator_id)]
    return json_response(answer)


@router.get("/reports/{report_id}")
def get_report(report_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(report_id, "reportId")
    with state.reading() as session:
        answer = shape.report(
            reports.get_report(session, caller=caller.operator_id, report_id=wanted)
        )
    return json_response(answer)


FORMATS = {"json", "csv", "html"}


@router.get("/dashboard")
def get_dashboard(request: Request, caller: ApiCaller, state: State) -> Response:
    """The loop dashboard: `?scope=platform|own&format=json|csv|html`."""
    output = request.query_params.get("format") or "json"
    if output not in FORMATS:
        raise unexpected("format")
    scope = request.query_params.get("scope") or "platform"
    if scope not in ("platform", "own"):
        raise unexpected("scope")
    with state.reading() as session:
        board = dashboard.build(session, caller=caller.operator_id, scope=scope)
    if output == "csv":
        return Response(
            dashboard.to_csv(board),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="loop.csv"'},
        )
    if output == "html":
        return Response(dashboard.render_html(board), media_type="text/html; charset=utf-8")
    return json_response(dashboard.to_json(board))
