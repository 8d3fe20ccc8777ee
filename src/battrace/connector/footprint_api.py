"""battrace's own endpoints for the CFP engine: roll-up and report, hotspots, emission factors.

Same authentication (`apiKey` + Bearer) and the same `{code, message, detail}` error shape as
the contract API (source `dataspace`). A roll-up for an operator reads only its own data and
what its suppliers disclosed to it (`footprint.graph.load_graph`).

- `GET /api/v1/footprint?traceId=…[&format=json|csv|html]`: the roll-up, or the report.
- `GET /api/v1/footprint/hotspots?traceId=…`: contributions ranked by part and by supplier.
- `PUT /api/v1/footprint/declaration`: the EU battery CFP declaration (provisional method).
- `POST /api/v1/footprint/whatIf`: the footprint with one part valued otherwise (nothing stored).
- `GET /api/v1/emissionFactors`, `PUT /api/v1/emissionFactors`: the caller's factor table;
  `PUT` / `DELETE /api/v1/emissionFactors/assignment`: a factor applied to a part.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from battrace.connector.callers import Caller
from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State
from battrace.footprint import declaration, factors, hotspots, report, view
from battrace.footprint.result import Footprint
from battrace.ids import TraceId
from battrace.inputs import wire
from battrace.inputs.fields import required_uuid_param, unexpected
from battrace.state import AppState
from battrace.traceability.models import AmountUnit
from battrace.traceability.stages import Stage

router = APIRouter(tags=["footprint (battrace)"], route_class=ContractRoute)

FORMATS = {"json", "csv", "html"}


def _product(state: AppState, caller: Caller, trace_id: TraceId) -> view.ProductFootprint:
    with state.reading() as session:
        return view.product_footprint(
            session,
            viewer=caller.operator_id,
            trace_id=trace_id,
            disclose_by_default=state.settings.disclose_by_default,
        )


@router.get("/api/v1/footprint")
def get_footprint(request: Request, caller: ApiCaller, state: State) -> Response:
    """The CFP of one of the caller's parts across its whole supply chain, or its report."""
    trace_id = TraceId(required_uuid_param(request.query_params, "traceId"))
    output = request.query_params.get("format") or "json"
    if output not in FORMATS:
        raise unexpected("format")
    product = _product(state, caller, trace_id)
    supply, footprint, names = product.graph, product.footprint, product.supplier_names
    if output == "csv":
        return Response(
            report.footprint_csv(footprint, supplier_names=names),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="cfp-{trace_id}.csv"'},
        )
    if output == "html":
        return Response(
            report.render_html(footprint, supply, supplier_names=names),
            media_type="text/html; charset=utf-8",
        )
    return json_response(report.footprint_to_dict(footprint, supplier_names=names))


@router.get("/api/v1/footprint/hotspots")
def get_hotspots(request: Request, caller: ApiCaller, state: State) -> Response:
    """The parts and the suppliers that drive a product's CFP, largest first (Pareto)."""
    trace_id = TraceId(required_uuid_param(request.query_params, "traceId"))
    product = _product(state, caller, trace_id)
    footprint, names = product.footprint, product.supplier_names

    def ranked(items: tuple[hotspots.Hotspot, ...], by_supplier: bool) -> list[Any]:
        return [
            {
                "key": str(item.key) if item.key else None,
                "label": names.get(item.key, item.label)
                if by_supplier and item.key
                else item.label,
                "emission": _number(item.emission),
                "share": _number(item.share),
                "cumulativeShare": _number(item.cumulative_share),
            }
            for item in items
        ]

    return json_response(
        {
            "traceId": str(trace_id),
            "unit": footprint.unit,
            "complete": footprint.total is not None,
            "byPart": ranked(hotspots.rank_parts(footprint), by_supplier=False),
            "bySupplier": ranked(hotspots.rank_suppliers(footprint), by_supplier=True),
        }
    )


DECLARATION = wire.struct(
    "footprint.DeclarationInput",
    traceId=wire.STRING,
    usableEnergyKwh=wire.FLOAT,
    vehicleCategory=wire.STRING,
    warrantyYears=wire.FLOAT,
    distributionKgCO2e=wire.FLOAT,
    endOfLifeKgCO2e=wire.FLOAT,
    cyclesPerYear=wire.FLOAT,
    cyclesJustification=wire.STRING,
    studyLink=wire.STRING,
)


@router.put("/api/v1/footprint/declaration")
def put_declaration(request: Request, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """The EU battery carbon-footprint declaration of a battery (provisional method), computed
    from its roll-up and the battery data sent; nothing is stored. `format=html` gives the
    report page with the declaration."""
    body = wire.bind_object(raw, DECLARATION)
    errors = wire.Errors()
    wire.collect(errors, "traceId", body.get("traceId"), wire.uuid_required)
    wire.collect(errors, "usableEnergyKwh", body.get("usableEnergyKwh"), wire.not_nil)
    wire.collect(
        errors,
        "vehicleCategory",
        body.get("vehicleCategory"),
        wire.required,
        wire.one_of(*(category.value for category in declaration.VehicleCategory)),
    )
    wire.collect(errors, "warrantyYears", body.get("warrantyYears"), wire.not_nil)
    if errors:
        raise wire.fail(errors)
    trace_id = TraceId(uuid.UUID(body["traceId"]))
    battery = declaration.BatteryData(
        usable_energy_kwh=body["usableEnergyKwh"],
        vehicle_category=declaration.VehicleCategory(body["vehicleCategory"]),
        warranty_years=body["warrantyYears"],
        distribution_kg_co2e=body.get("distributionKgCO2e"),
        end_of_life_kg_co2e=body.get("endOfLifeKgCO2e"),
        cycles_per_year=body.get("cyclesPerYear"),
        cycles_justification=body.get("cyclesJustification"),
        study_link=body.get("studyLink"),
    )
    product = _product(state, caller, trace_id)
    supply, footprint, names = product.graph, product.footprint, product.supplier_names
    declared = declaration.declare(footprint, battery)
    if request.query_params.get("format") == "html":
        return Response(
            report.render_html(footprint, supply, declaration=declared, supplier_names=names),
            media_type="text/html; charset=utf-8",
        )
    return json_response(report.declaration_to_dict(declared, supplier_names=names))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 5))


def _factor_json(factor: factors.Factor) -> dict[str, Any]:
    return {
        "factorId": str(factor.factor_id),
        "name": factor.name,
        "unit": factor.unit,
        "kgCO2ePerUnit": _number(factor.kg_co2e_per_unit),
        "source": factor.source,
        "year": factor.year,
    }


FACTOR = wire.struct(
    "footprint.FactorInput",
    name=wire.STRING,
    unit=wire.STRING,
    kgCO2ePerUnit=wire.FLOAT,
    source=wire.STRING,
    year=wire.FLOAT,
)


@router.get("/api/v1/emissionFactors")
def get_factors(caller: ApiCaller, state: State) -> Response:
    """The caller's emission factors (secondary data for parts without an answer)."""
    with state.reading() as session:
        rows = factors.list_factors(session, caller=caller.operator_id)
    return json_response([_factor_json(row) for row in rows])


@router.put("/api/v1/emissionFactors")
def put_factor(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Add an emission factor: {name, unit, kgCO2ePerUnit, source, year}."""
    body = wire.bind_object(raw, FACTOR)
    errors = wire.Errors()
    wire.collect(errors, "name", body.get("name"), wire.required, wire.rune_length(1, 256))
    wire.collect(
        errors,
        "unit",
        body.get("unit"),
        wire.required,
        wire.one_of(*(unit.value for unit in AmountUnit)),
    )
    wire.collect(
        errors, "kgCO2ePerUnit", body.get("kgCO2ePerUnit"), wire.not_nil, *wire.AMOUNT_RULES
    )
    wire.collect(errors, "source", body.get("source"), wire.required, wire.rune_length(1, 256))
    wire.collect(errors, "year", body.get("year"), wire.not_nil, _year)
    if errors:
        raise wire.fail(errors)
    with state.writing() as session:
        factor = factors.add_factor(
            session,
            caller=caller.operator_id,
            name=body["name"],
            unit=AmountUnit(body["unit"]),
            kg_co2e_per_unit=body["kgCO2ePerUnit"],
            source=body["source"],
            year=int(body["year"]),
        )
    return json_response(_factor_json(factor), 201)


def _year(value: object) -> str | None:
    try:
        year = Decimal(str(value))
    except InvalidOperation:
        return "must be a year"
    if year != year.to_integral_value() or not 1900 <= year <= 2200:
        return "must be a year between 1900 and 2200"
    return None


WHAT_IF = wire.struct(
    "footprint.WhatIfInput",
    traceId=wire.STRING,
    replaceTraceId=wire.STRING,
    preKgCO2e=wire.FLOAT,
    mainKgCO2e=wire.FLOAT,
)


@router.post("/api/v1/footprint/whatIf")
def post_what_if(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """A product's footprint if one part in its graph had other values (kgCO2e per unit of
    that part, per stage): `{traceId, replaceTraceId, preKgCO2e, mainKgCO2e}`. Nothing is
    stored."""
    body = wire.bind_object(raw, WHAT_IF)
    errors = wire.Errors()
    wire.collect(errors, "traceId", body.get("traceId"), wire.uuid_required)
    wire.collect(errors, "replaceTraceId", body.get("replaceTraceId"), wire.uuid_required)
    for name in ("preKgCO2e", "mainKgCO2e"):
        wire.collect(errors, name, body.get(name), wire.not_nil, *wire.AMOUNT_RULES)
    if errors:
        raise wire.fail(errors)
    trace_id = TraceId(uuid.UUID(body["traceId"]))
    replace = TraceId(uuid.UUID(body["replaceTraceId"]))
    with state.reading() as session:
        product = view.product_footprint(
            session,
            viewer=caller.operator_id,
            trace_id=trace_id,
            disclose_by_default=state.settings.disclose_by_default,
        )
        result = view.what_if(
            product,
            replace=replace,
            pre=Decimal(str(body["preKgCO2e"])),
            main=Decimal(str(body["mainKgCO2e"])),
        )
        answer = {
            "traceId": str(trace_id),
            "replaceTraceId": str(replace),
            "partsName": product.graph.node(replace).parts_name,
            "unit": result.before.unit,
            "before": _stage_totals(result.before),
            "after": _stage_totals(result.after),
            "delta": {
                **{stage.value: _number(value) for stage, value in result.delta.items()},
                "total": _number(result.total_delta),
            },
        }

    return json_response(answer)


def _stage_totals(footprint: Footprint) -> dict[str, float | None]:
    return {
        **{stage.value: _number(footprint.stages[stage].total) for stage in Stage},
        "total": _number(footprint.total),
    }


ASSIGNMENT = wire.struct("footprint.AssignmentInput", traceId=wire.STRING, factorId=wire.STRING)


@router.put("/api/v1/emissionFactors/assignment")
def put_assignment(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Apply one of your emission factors to one of your parts while it has no known value:
    `{traceId, factorId}`; the factor's unit must fit the part's amount unit."""
    body = wire.bind_object(raw, ASSIGNMENT)
    errors = wire.Errors()
    wire.collect(errors, "traceId", body.get("traceId"), wire.uuid_required)
    wire.collect(errors, "factorId", body.get("factorId"), wire.uuid_required)
    if errors:
        raise wire.fail(errors)
    trace_id, factor_id = TraceId(uuid.UUID(body["traceId"])), uuid.UUID(body["factorId"])
    with state.writing() as session:
        factors.assign_factor(
            session, caller=caller.operator_id, trace_id=trace_id, factor_id=factor_id
        )
    return json_response({"traceId": str(trace_id), "factorId": str(factor_id)})


@router.delete("/api/v1/emissionFactors/assignment")
def delete_assignment(request: Request, caller: ApiCaller, state: State) -> Response:
    """Stop applying a factor to one of your parts: `?traceId=…`."""
    trace_id = TraceId(required_uuid_param(request.query_params, "traceId"))
    with state.writing() as session:
        factors.unassign_factor(session, caller=caller.operator_id, trace_id=trace_id)
    return json_response({"traceId": str(trace_id), "factorId": None})


__all__ = ["router"]
