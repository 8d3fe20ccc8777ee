"""battrace's recycled-content endpoints under `/api/v1/recycling`: a part's element content,
a product's shares against Art. 8 (and into its passport), recovered-material lots, the
mass-balance account, the recovered-material market and the impact figures. Same
authentication and error shape as `recycling_api` (`ContractRoute`)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from battrace.connector import recycling_json as shape
from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State
from battrace.ids import TraceId
from battrace.inputs import recycling_bodies as body_of
from battrace.inputs.fields import (
    bool_param,
    date_field,
    json_object,
    list_field,
    text_field,
    unexpected,
    uuid_field,
    uuid_param,
)
from battrace.recycling import figures, impact, market, materials
from battrace.recycling.rules import Element

router = APIRouter(
    prefix="/api/v1/recycling", tags=["recycling (battrace)"], route_class=ContractRoute
)


@router.put("/content")
def put_content(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """A part's own content of one element per unit: `{traceId, element, massKg,
    preConsumerKg, postConsumerKg, certificate}`."""
    body = json_object(raw)
    trace_id = uuid_field(body.get("traceId"), "traceId")
    element, content = body_of.element_content(body)
    with state.writing() as session:
        materials.declare_content(
            session,
            caller=caller.operator_id,
            trace_id=trace_id,
            element=element,
            content=content,
            certificate=text_field(body.get("certificate"), "certificate"),
        )
    return json_response(
        {"traceId": str(trace_id), "element": element.value, **(shape.content(content) or {})}
    )


def _model_content(request: Request, caller: ApiCaller, state: State, *, fill: bool) -> Response:
    trace_id = uuid_param(request.query_params, "traceId", required=True)
    placed = date_field(request.query_params.get("placedOnMarket"), "placedOnMarket")
    if trace_id is None or placed is None:
        raise unexpected("traceId" if trace_id is None else "placedOnMarket")
    lmt = bool(bool_param(request.query_params, "lmt"))
    work = state.writing if fill else state.reading
    with work() as session:
        answer = shape.model_content(
            materials.model_content(
                session,
                caller=caller.operator_id,
                trace_id=trace_id,
                placed_on_market=placed,
                lmt=lmt,
                fill_passport=fill,
                disclose_by_default=state.settings.disclose_by_default,
            )
        )
    return json_response(answer)


@router.get("/content")
def get_content(request: Request, caller: ApiCaller, state: State) -> Response:
    """A product's recycled content of Co, Li, Ni, Pb against Art. 8:
    `?traceId=…&placedOnMarket=YYYY-MM-DD[&lmt=true]`."""
    return _model_content(request, caller, state, fill=False)


@router.post("/content/passport")
def post_content_passport(request: Request, caller: ApiCaller, state: State) -> Response:
    """The same, written into the product's passport models (`circularity`)."""
    return _model_content(request, caller, state, fill=True)


@router.post("/materialLots")
def post_material_lot(caller: ApiCaller, state: State, raw: Raw) -> Response:
    lot = body_of.material_lot(json_object(raw))
    with state.writing() as session:
        answer = shape.material_lot(
            materials.create_material_lot(session, caller=caller.operator_id, lot=lot)
        )
    return json_response(answer, 201)


@router.get("/materialLots")
def get_material_lots(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [
            shape.material_lot(row)
            for row in materials.list_material_lots(session, caller=caller.operator_id)
        ]
    return json_response(answer)


@router.post("/balance/bookings")
def post_booking(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Book element mass into a balance period: `{site, element, period, massKg,
    preConsumerKg, postConsumerKg, source}`, or what a trade bought: `{site, period, tradeId,
    quantity}`."""
    body = json_object(raw)
    site, period = str(body.get("site") or ""), str(body.get("period") or "")
    with state.writing() as session:
        if body.get("tradeId") is not None:
            rows = materials.book_purchase(
                session,
                caller=caller.operator_id,
                trade_id=uuid_field(body.get("tradeId"), "tradeId"),
                quantity=body_of.decimal_field(body.get("quantity"), "quantity"),
                site=site,
                period=period,
                disclose_by_default=state.settings.disclose_by_default,
            )
        else:
            rows = [
                materials.book_input(
                    session,
                    caller=caller.operator_id,
                    site=site,
                    element=body_of.enum_field(Element, body.get("element"), "element"),
                    period=period,
                    booked=body_of.balance_input(body),
                    source=str(body.get("source") or "booked"),
                )
            ]
        answer = [
            {"element": r.element, "massKg": shape.number(r.mass_kg), "source": r.source}
            for r in rows
        ]
    return json_response(answer, 201)


@router.get("/balance")
def get_balance(request: Request, caller: ApiCaller, state: State) -> Response:
    """A balance period's allocation: `?site=…&element=…&period=…`."""
    params = request.query_params
    element = body_of.enum_field(Element, params.get("element"), "element")
    with state.reading() as session:
        answer = shape.allocation(
            materials.balance(
                session,
                caller=caller.operator_id,
                site=params.get("site") or "",
                element=element,
                period=params.get("period") or "",
            )
        )
    return json_response(answer)


@router.post("/balance/application")
def post_application(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Declare a period's share on an output part: `{traceId, site, element, period,
    elementKgPerUnit, producedUnits}`."""
    body = json_object(raw)
    with state.writing() as session:
        row = materials.apply_balance(
            session,
            caller=caller.operator_id,
            trace_id=uuid_field(body.get("traceId"), "traceId"),
            site=str(body.get("site") or ""),
            element=body_of.enum_field(Element, body.get("element"), "element"),
            period=str(body.get("period") or ""),
            element_kg_per_unit=body_of.decimal_field(
                body.get("elementKgPerUnit"), "elementKgPerUnit"
            ),
            produced_units=body_of.decimal_field(body.get("producedUnits"), "producedUnits"),
        )
        answer = {
            "traceId": str(row.trace_id),
            "element": row.element,
            "massKg": shape.number(row.mass_kg),
            "preConsumerKg": shape.number(row.pre_consumer_kg),
            "postConsumerKg": shape.number(row.post_consumer_kg),
        }
    return json_response(answer, 201)


@router.post("/offers")
def post_offer(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Offer a recovered-material lot: `{lotId, quantityKg, public, viewers: [operatorId]}`."""
    body = json_object(raw)
    with state.writing() as session:
        row = market.offer_lot(
            session,
            caller=caller.operator_id,
            lot_id=uuid_field(body.get("lotId"), "lotId"),
            quantity_kg=body_of.decimal_field(body.get("quantityKg"), "quantityKg"),
            public=body.get("public") is True,
            viewers=[uuid_field(v, "viewers") for v in list_field(body.get("viewers"), "viewers")],
        )
        answer = {"offerId": str(row.id), "status": row.status}
    return json_response(answer, 201)


@router.get("/offers")
def get_offers(request: Request, caller: ApiCaller, state: State) -> Response:
    """Open offers the caller may see (`?element=Co` to filter)."""
    raw_element = request.query_params.get("element")
    element = None if not raw_element else body_of.enum_field(Element, raw_element, "element")
    with state.reading() as session:
        answer = [
            shape.offer(v)
            for v in market.visible_offers(session, caller=caller.operator_id, element=element)
        ]
    return json_response(answer)


@router.delete("/offers/{offer_id}")
def delete_offer(offer_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(offer_id, "offerId")
    with state.writing() as session:
        row = market.withdraw_offer(session, caller=caller.operator_id, offer_id=wanted)
        answer = {"offerId": str(row.id), "status": row.status}
    return json_response(answer)


@router.post("/asks")
def post_ask(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Ask for recovered material: `{traceId, element, grade, quantityKg}`."""
    body = json_object(raw)
    with state.writing() as session:
        answer = shape.ask(
            market.ask(
                session,
                caller=caller.operator_id,
                trace_id=uuid_field(body.get("traceId"), "traceId"),
                element=body_of.enum_field(Element, body.get("element"), "element"),
                grade=text_field(body.get("grade"), "grade"),
                quantity_kg=body_of.decimal_field(body.get("quantityKg"), "quantityKg"),
            )
        )
    return json_response(answer, 201)


@router.get("/asks")
def get_asks(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [shape.ask(a) for a in market.visible_asks(session, caller=caller.operator_id)]
    return json_response(answer)


@router.post("/asks/{ask_id}/take")
def post_take(ask_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Take an offer for one of your asks: `{offerId}`; a trade request goes to the offerer."""
    wanted, body = uuid_field(ask_id, "askId"), json_object(raw)
    offer_id = uuid_field(body.get("offerId"), "offerId")
    with state.writing() as session:
        answer = shape.ask(
            market.take_offer(session, caller=caller.operator_id, offer_id=offer_id, ask_id=wanted)
        )
    return json_response(answer)


@router.post("/asks/{ask_id}/confirmation")
def post_confirmation(ask_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """The offerer confirms a take: `{askOperatorId}`; its lot's part answers the trade."""
    wanted, body = uuid_field(ask_id, "askId"), json_object(raw)
    asker = uuid_field(body.get("askOperatorId"), "askOperatorId")
    with state.writing() as session:
        answer = shape.ask(
            market.confirm_match(
                session, caller=caller.operator_id, ask_operator_id=asker, ask_id=wanted
            )
        )
    return json_response(answer)


@router.post("/impact/secondLife")
def post_second_life(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """CO2e avoided by a second life: `{capacityKwh, cycles, newLifetimeCycles,
    repurposingKgCO2e, newKgCO2ePerKwh | newStorageTraceId + newStorageCapacityKwh}`."""
    body = json_object(raw)
    storage = body.get("newStorageTraceId")
    given = figures.SecondLifeInput(
        capacity_kwh=body_of.decimal_field(body.get("capacityKwh"), "capacityKwh"),
        cycles=body_of.decimal_field(body.get("cycles"), "cycles"),
        new_lifetime_cycles=body_of.decimal_field(
            body.get("newLifetimeCycles"), "newLifetimeCycles"
        ),
        repurposing_kg_co2e=body_of.decimal_field(
            body.get("repurposingKgCO2e"), "repurposingKgCO2e", default=Decimal(0)
        ),
        new_kg_co2e_per_kwh=body_of.optional_decimal(
            body.get("newKgCO2ePerKwh"), "newKgCO2ePerKwh"
        ),
        new_storage_trace_id=(
            None if storage is None else TraceId(uuid_field(storage, "newStorageTraceId"))
        ),
        new_storage_capacity_kwh=body_of.optional_decimal(
            body.get("newStorageCapacityKwh"), "newStorageCapacityKwh"
        ),
    )
    with state.reading() as session:
        figure = figures.second_life(
            session,
            caller=caller.operator_id,
            given=given,
            disclose_by_default=state.settings.disclose_by_default,
        )
        answer = shape.figure(figure)
    return json_response(answer)


@router.post("/impact/material")
def post_material(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """CO2e avoided by recovered material: `{recoveredKg: {Co: 10, …}}`."""
    masses = json_object(raw).get("recoveredKg")
    if not isinstance(masses, dict):
        raise body_of.ValidationFailed("recoveredKg: an object of kg per element is required.")
    parsed = {
        body_of.enum_field(Element, key, f"recoveredKg.{key}"): body_of.decimal_field(
            value, f"recoveredKg.{key}"
        )
        for key, value in masses.items()
    }
    with state.reading() as session:
        answer = shape.figure(
            figures.recycled_material(session, caller=caller.operator_id, recovered_kg=parsed)
        )
    return json_response(answer)


@router.post("/impact/costRecovered")
def post_cost_recovered(caller: ApiCaller, raw: Raw) -> Response:
    """The first owner's purchase price recovered through the residual value:
    `{residualValue, purchasePrice}` (the residual value from the reuse assessment, or given)."""
    del caller  # authenticated; nothing is read
    body = json_object(raw)
    percent = impact.cost_recovered_percent(
        body_of.decimal_field(body.get("residualValue"), "residualValue"),
        body_of.decimal_field(body.get("purchasePrice"), "purchasePrice"),
    )
    return json_response({"costRecoveredPercent": shape.number(percent)})
