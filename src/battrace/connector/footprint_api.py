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
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from battrace.connector import wire
from battrace.connector.errors import RequestContext, Source, json_response
from battrace.connector.params import unexpected, uuid_param
from battrace.connector.runtime import answer, authenticate, state_of
from battrace.footprint import declaration, factors, graph, hotspots, report, view
from battrace.footprint.result import Footprint
from battrace.ids import OperatorId
from battrace.traceability.models import AmountUnit
from battrace.traceability.stages import Stage

router = APIRouter(tags=["footprint (battrace)"])

FORMATS = {"json", "csv", "html"}


def _roll_up(
    session: Session, caller: OperatorId, trace_id: uuid.UUID
) -> tuple[graph.FootprintGraph, Footprint, Mapping[uuid.UUID, str]]:
    product = view.product_footprint(session, viewer=caller, trace_id=trace_id)
    return product.graph, product.footprint, product.supplier_names


def _trace_id(request: Request) -> uuid.UUID:
    trace_id = uuid_param(request.query_params, "traceId", required=True)
    assert trace_id is not None  # noqa: S101 (required)
    return trace_id


@router.get("/api/v1/footprint")
async def get_footprint(request: Request) -> Response:
    """The CFP of one of the caller's parts across its whole supply chain, or its report."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        trace_id = _trace_id(request)
        output = request.query_params.get("format") or "json"
        if output not in FORMATS:
            raise unexpected("format")
        supply, footprint, names = state.read(lambda s: _roll_up(s, caller.operator_id, trace_id))
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

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


@router.get("/api/v1/footprint/hotspots")
async def get_hotspots(request: Request) -> Response:
    """The parts and the suppliers that drive a product's CFP, largest first (Pareto)."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        trace_id = _trace_id(request)
        _, footprint, names = state.read(lambda s: _roll_up(s, caller.operator_id, trace_id))

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

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


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
async def put_declaration(request: Request) -> Response:
    """The EU battery carbon-footprint declaration of a battery (provisional method), computed
    from its roll-up and the battery data sent; nothing is stored. `format=html` gives the
    report page with the declaration."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        body = wire.bind(wire.parse_json(raw), DECLARATION)
        body = body if isinstance(body, dict) else {}
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
        trace_id = uuid.UUID(body["traceId"])
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
        supply, footprint, names = state.read(lambda s: _roll_up(s, caller.operator_id, trace_id))
        declared = declaration.declare(footprint, battery)
        if request.query_params.get("format") == "html":
            return Response(
                report.render_html(footprint, supply, declaration=declared, supplier_names=names),
                media_type="text/html; charset=utf-8",
            )
        return json_response(report.declaration_to_dict(declared, supplier_names=names))

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


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
async def get_factors(request: Request) -> Response:
    """The caller's emission factors (secondary data for parts without an answer)."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        rows = state.read(lambda s: factors.list_factors(s, caller=caller.operator_id))
        return json_response([_factor_json(row) for row in rows])

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


@router.put("/api/v1/emissionFactors")
async def put_factor(request: Request) -> Response:
    """Add an emission factor: {name, unit, kgCO2ePerUnit, source, year}."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        body = wire.bind(wire.parse_json(raw), FACTOR)
        body = body if isinstance(body, dict) else {}
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
        factor = state.write(
            lambda s: factors.add_factor(
                s,
                caller=caller.operator_id,
                name=body["name"],
                unit=AmountUnit(body["unit"]),
                kg_co2e_per_unit=body["kgCO2ePerUnit"],
                source=body["source"],
                year=int(body["year"]),
            )
        )
        return json_response(_factor_json(factor), 201)

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


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
async def post_what_if(request: Request) -> Response:
    """A product's footprint if one part in its graph had other values (kgCO2e per unit of
    that part, per stage): `{traceId, replaceTraceId, preKgCO2e, mainKgCO2e}`. Nothing is
    stored."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        body = wire.bind(wire.parse_json(raw), WHAT_IF)
        body = body if isinstance(body, dict) else {}
        errors = wire.Errors()
        wire.collect(errors, "traceId", body.get("traceId"), wire.uuid_required)
        wire.collect(errors, "replaceTraceId", body.get("replaceTraceId"), wire.uuid_required)
        for name in ("preKgCO2e", "mainKgCO2e"):
            wire.collect(errors, name, body.get(name), wire.not_nil, *wire.AMOUNT_RULES)
        if errors:
            raise wire.fail(errors)
        trace_id, replace = uuid.UUID(body["traceId"]), uuid.UUID(body["replaceTraceId"])

        def compute(session: Session) -> dict[str, Any]:
            product = view.product_footprint(session, viewer=caller.operator_id, trace_id=trace_id)
            result = view.what_if(
                product,
                replace=replace,
                pre=Decimal(str(body["preKgCO2e"])),
                main=Decimal(str(body["mainKgCO2e"])),
            )
            return {
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

        return json_response(state.read(compute))

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


def _stage_totals(footprint: Footprint) -> dict[str, float | None]:
    return {
        **{stage.value: _number(footprint.stages[stage].total) for stage in Stage},
        "total": _number(footprint.total),
    }


@router.put("/api/v1/emissionFactors/assignment")
async def put_assignment(request: Request) -> Response:
    """Apply one of your emission factors to one of your parts while it has no known value:
    `{traceId, factorId}`; the factor's unit must fit the part's amount unit."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        body = wire.bind(
            wire.parse_json(raw),
            wire.struct("footprint.AssignmentInput", traceId=wire.STRING, factorId=wire.STRING),
        )
        body = body if isinstance(body, dict) else {}
        errors = wire.Errors()
        wire.collect(errors, "traceId", body.get("traceId"), wire.uuid_required)
        wire.collect(errors, "factorId", body.get("factorId"), wire.uuid_required)
        if errors:
            raise wire.fail(errors)
        trace_id, factor_id = uuid.UUID(body["traceId"]), uuid.UUID(body["factorId"])
        state.write(
            lambda s: factors.assign_factor(
                s, caller=caller.operator_id, trace_id=trace_id, factor_id=factor_id
            )
        )
        return json_response({"traceId": str(trace_id), "factorId": str(factor_id)})

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


@router.delete("/api/v1/emissionFactors/assignment")
async def delete_assignment(request: Request) -> Response:
    """Stop applying a factor to one of your parts: `?traceId=…`."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        trace_id = _trace_id(request)
        state.write(
            lambda s: factors.unassign_factor(s, caller=caller.operator_id, trace_id=trace_id)
        )
        return json_response({"traceId": str(trace_id), "factorId": None})

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


__all__ = ["router"]
