"""battrace's battery passport endpoints (`/api/v1/passports…`).

Same authentication (`apiKey` + Bearer) and the same `{code, message, detail}` error shape as
the other battrace endpoints (source `dataspace`). Each route reads its input, makes one
service call of `battrace.passport` and shapes the answer; who may see or change what is the
domain's decision (a passport the caller may not see is "not found").

- models: `GET|POST /models`, `GET|PUT /models/{id}`, `POST /models/{id}/fill`,
  `PUT /models/{id}/recycledContent`, `GET /models/{id}/completeness`
- passports: `GET /` (own; `serial, modelId, status, publication, batchId, limit, offset`),
  `POST /` (one), `POST /batches`, `POST /publish`, `GET /{id}` (as the caller's role sees
  it), `PUT /{id}/data`, `GET /{id}/history`, `GET /{id}/completeness`, `GET /completeness`,
  `GET /{id}/qr?format=svg|png`, `GET /schema`
- dynamic data: `POST /readings` (JSON list or `text/csv`), `GET /{id}/readings?metric=`
- lifecycle: `POST /successors`, `POST /{id}/waste`, `POST /{id}/recycled`
- grants: `GET|POST /grants`, `POST /grants/{id}/revoke`
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector import passport_bodies as bodies
from battrace.connector.errors import json_response
from battrace.connector.passport_bodies import serve
from battrace.connector.runtime import Caller, state_of
from battrace.footprint.declaration import BatteryData, VehicleCategory
from battrace.passport import (
    battery_models,
    checks,
    issuing,
    lookup,
)
from battrace.passport.models import BatteryCategory, BatteryStatus, Publication
from battrace.passport.schema import document_schema

router = APIRouter(prefix="/api/v1/passports", tags=["battery passport (battrace)"])

# --------------------------------------------------------------------------------- models


@router.get("/models")
async def list_models(request: Request) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        found = state_of(request).read(
            lambda s: battery_models.list_models(s, caller=caller.operator_id)
        )
        return json_response([bodies.model_json(each) for each in found])

    return await serve(request, work)


@router.post("/models")
async def create_model(request: Request) -> Response:
    """`{name, category, traceId?, gtin?, data?}`"""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        values = bodies.body(raw)
        name = bodies.text(values.get("name"), "name", required=True) or ""
        category = bodies.member(BatteryCategory, values.get("category"), "category")
        assert category is not None  # noqa: S101 (required)
        trace_id = bodies.optional_uuid(values.get("traceId"), "traceId")
        gtin = bodies.text(values.get("gtin"), "gtin")
        made = state_of(request).write(
            lambda s: battery_models.create_model(
                s,
                caller=caller.operator_id,
                account=caller.account_id,
                name=name,
                category=category,
                trace_id=trace_id,
                gtin=gtin,
                data=values.get("data"),
            )
        )
        return json_response(bodies.model_json(made), 201)

    return await serve(request, work)


@router.get("/models/{model_id}")
async def get_model(request: Request, model_id: str) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = bodies.uuid_of(model_id, "modelId")
        found = state_of(request).read(
            lambda s: battery_models.get_own_model(s, caller=caller.operator_id, model_id=wanted)
        )
        return json_response(bodies.model_json(found))

    return await serve(request, work)


@router.put("/models/{model_id}")
async def update_model(request: Request, model_id: str) -> Response:
    """`{data: {section: {key: value|null}}, reason?}`"""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = bodies.uuid_of(model_id, "modelId")
        values = bodies.body(raw)
        data = bodies.data_of(values)
        reason = bodies.text(values.get("reason"), "reason")
        changed = state_of(request).write(
            lambda s: battery_models.update_model(
                s,
                caller=caller.operator_id,
                account=caller.account_id,
                model_id=wanted,
                data=data,
                reason=reason,
            )
        )
        return json_response(bodies.model_json(changed))

    return await serve(request, work)


@router.post("/models/{model_id}/fill")
async def fill_model(request: Request, model_id: str) -> Response:
    """Take manufacturer, plant, CFP declaration and DD report from the platform. The CFP
    needs `{usableEnergyKwh, vehicleCategory, warrantyYears, distributionKgCO2e?,
    endOfLifeKgCO2e?}`; without `usableEnergyKwh` the CFP is left as it is."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = bodies.uuid_of(model_id, "modelId")
        values = bodies.body(raw)
        battery = None
        if values.get("usableEnergyKwh") is not None:
            vehicle = bodies.member(
                VehicleCategory, values.get("vehicleCategory"), "vehicleCategory"
            )
            assert vehicle is not None  # noqa: S101 (required)
            battery = BatteryData(
                usable_energy_kwh=bodies.decimal_of(values["usableEnergyKwh"], "usableEnergyKwh"),
                vehicle_category=vehicle,
                warranty_years=bodies.decimal_of(values.get("warrantyYears"), "warrantyYears"),
                distribution_kg_co2e=_optional_decimal(values, "distributionKgCO2e"),
                end_of_life_kg_co2e=_optional_decimal(values, "endOfLifeKgCO2e"),
                study_link=bodies.text(values.get("studyLink"), "studyLink"),
            )
        filled = state_of(request).write(
            lambda s: battery_models.fill_from_platform(
                s,
                caller=caller.operator_id,
                account=caller.account_id,
                model_id=wanted,
                battery=battery,
            )
        )
        return json_response(bodies.model_json(filled))

    return await serve(request, work)


def _optional_decimal(values: Mapping[str, Any], name: str) -> Decimal | None:
    value = values.get(name)
    return None if value is None else bodies.decimal_of(value, name)


@router.put("/models/{model_id}/recycledContent")
async def put_recycled_content(request: Request, model_id: str) -> Response:
    """`{shares: {cobalt: 16, lithium: 6, ...}, source}`"""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = bodies.uuid_of(model_id, "modelId")
        values = bodies.body(raw)
        raw_shares = values.get("shares")
        if not isinstance(raw_shares, dict):
            raise errors.ValidationFailed("shares: an object of element: percent.")
        shares = {
            str(name): bodies.decimal_of(share, f"shares.{name}")
            for name, share in raw_shares.items()
        }
        source = bodies.text(values.get("source"), "source", required=True) or ""
        changed = state_of(request).write(
            lambda s: battery_models.set_recycled_content(
                s,
                caller=caller.operator_id,
                account=caller.account_id,
                model_id=wanted,
                shares=shares,
                source=source,
                reason=bodies.text(values.get("reason"), "reason"),
            )
        )
        return json_response(bodies.model_json(changed))

    return await serve(request, work)


@router.get("/models/{model_id}/completeness")
async def get_model_completeness(request: Request, model_id: str) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = bodies.uuid_of(model_id, "modelId")
        found = state_of(request).read(
            lambda s: checks.model_completeness(s, caller=caller.operator_id, model_id=wanted)
        )
        return json_response(found.to_json())

    return await serve(request, work)


# ------------------------------------------------------------------------------ passports


@router.get("/schema")
async def get_schema(request: Request) -> Response:
    """battrace's JSON Schema of a passport document."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        return json_response(document_schema())

    return await serve(request, work)


@router.get("")
async def search(request: Request) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        query = request.query_params
        wanted = lookup.PassportSearch(
            serial=query.get("serial") or None,
            model_id=bodies.optional_uuid(query.get("modelId"), "modelId"),
            status=bodies.member(BatteryStatus, query.get("status"), "status", required=False),
            publication=bodies.member(
                Publication, query.get("publication"), "publication", required=False
            ),
            batch_id=bodies.optional_uuid(query.get("batchId"), "batchId"),
            limit=_int(query.get("limit"), "limit", 100),
            offset=_int(query.get("offset"), "offset", 0),
        )
        found = state_of(request).read(
            lambda s: lookup.search_passports(s, caller=caller.operator_id, search=wanted)
        )
        return json_response([bodies.passport_summary(each) for each in found])

    return await serve(request, work)


def _int(value: str | None, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    assert value is not None  # noqa: S101 (checked)
    if not value.isdigit():
        raise errors.InvalidParameters(f"{name}: a whole number.")
    return int(value)


@router.post("")
async def create_passport(request: Request) -> Response:
    """`{modelId, serial | batteryIdentifier, gtin?, data?, publish?}`"""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        values = bodies.body(raw)
        model_id = bodies.uuid_of(values.get("modelId"), "modelId")
        battery = bodies.battery_of(values, "battery")
        made = state_of(request).write(
            lambda s: issuing.create_passport(
                s,
                caller=caller.operator_id,
                account=caller.account_id,
                model_id=model_id,
                battery=battery,
                publish=bodies.flag(values.get("publish"), "publish"),
            )
        )
        return json_response(bodies.passport_summary(made), 201)

    return await serve(request, work)


@router.post("/batches")
async def create_batch(request: Request) -> Response:
    """`{modelId, label?, publish?, batteries: [serial | {serial, gtin?, batteryIdentifier?,
    data?}]}`: one passport per battery, all or nothing."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        values = bodies.body(raw)
        model_id = bodies.uuid_of(values.get("modelId"), "modelId")
        listed = values.get("batteries")
        if not isinstance(listed, list):
            raise errors.ValidationFailed("batteries: a list of serials or batteries.")
        batteries = [bodies.battery_of(each, f"batteries[{n}]") for n, each in enumerate(listed)]
        issued = state_of(request).write(
            lambda s: issuing.create_batch(
                s,
                caller=caller.operator_id,
                account=caller.account_id,
                model_id=model_id,
                batteries=batteries,
                label=bodies.text(values.get("label"), "label") or "",
                publish=bodies.flag(values.get("publish"), "publish"),
            )
        )
        return json_response(bodies.batch_json(issued), 201)

    return await serve(request, work)


@router.post("/publish")
async def publish(request: Request) -> Response:
    """`{passportIds: [...]}` or `{batchId}`: drafts become public."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        values = bodies.body(raw)
        batch_id = bodies.optional_uuid(values.get("batchId"), "batchId")
        if batch_id is not None:
            published = state_of(request).write(
                lambda s: issuing.publish_batch(
                    s, caller=caller.operator_id, account=caller.account_id, batch_id=batch_id
                )
            )
            return json_response({"published": published})
        listed = bodies.uuid_list(values.get("passportIds"), "passportIds")
        published = state_of(request).write(
            lambda s: issuing.publish(
                s, caller=caller.operator_id, account=caller.account_id, passport_ids=listed
            )
        )
        return json_response({"published": published})

    return await serve(request, work)
