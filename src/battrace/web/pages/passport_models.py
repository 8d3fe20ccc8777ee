"""Battery model pages: the operator's models, one model's data (edited as JSON, filled from
the platform with its sources), its completeness, and the printable QR label sheet of a batch
(issuing the batch is `passport_batch`)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.footprint.declaration import BatteryData, VehicleCategory
from battrace.inputs import fields
from battrace.passport import battery_models, checks, issuing, lookup, qr
from battrace.passport.models import BatteryCategory
from battrace.web.app import Ctx, page

LABELS_PER_PAGE = 120  # one printed sheet at a time: each QR code takes a few ms to draw


def _model_id(ctx: Ctx) -> uuid.UUID:
    model_id: uuid.UUID = ctx.request.path_params["model_id"]
    return model_id


@page("/passports/models")
def model_list(ctx: Ctx) -> Response:
    found = ctx.state.read(lambda s: battery_models.list_models(s, caller=ctx.operator_id))
    return ctx.render(
        "passport_models.html",
        models=found,
        categories=[category.value for category in BatteryCategory],
    )


@page("/passports/models", methods=("POST",))
def model_create(ctx: Ctx) -> Response:
    trace_text = ctx.value("traceId")
    trace_id = fields.optional_uuid(trace_text, "traceId")
    try:
        category = BatteryCategory(ctx.value("category"))
    except ValueError:
        raise errors.InvalidRequest(ctx.t("passport.category")) from None
    made = ctx.state.write(
        lambda s: (
            battery_models.create_model(
                s,
                caller=ctx.operator_id,
                account=ctx.session.account_id,
                name=ctx.value("name"),
                category=category,
                trace_id=trace_id,
                gtin=ctx.value("gtin") or None,
            ).id
        )
    )
    return ctx.redirect(f"/passports/models/{made}", flash="passport.model_created")


def _show(
    ctx: Ctx, *, data_text: str | None = None, status: int = 200, error: str = ""
) -> Response:
    caller, model_id = ctx.operator_id, _model_id(ctx)

    def read(session: Session) -> tuple[Any, Any]:
        model = battery_models.get_own_model(session, caller=caller, model_id=model_id)
        return model, checks.model_completeness(session, caller=caller, model_id=model_id)

    model, completeness = ctx.state.read(read)
    return ctx.render(
        "passport_model.html",
        status=status,
        model=model,
        completeness=completeness,
        data_text=data_text
        if data_text is not None
        else json.dumps(model.data, indent=2, ensure_ascii=False),
        data_error=error,
        vehicle_categories=[category.value for category in VehicleCategory],
    )


@page("/passports/models/{model_id:uuid}")
def model_page(ctx: Ctx) -> Response:
    return _show(ctx)


@page("/passports/models/{model_id:uuid}/data", methods=("POST",))
def model_data(ctx: Ctx) -> Response:
    text = ctx.value("data")
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return _show(ctx, data_text=text, status=400, error=ctx.t("passport.bad_json"))
    model_id = _model_id(ctx)
    try:
        ctx.state.write(
            lambda s: battery_models.update_model(
                s,
                caller=ctx.operator_id,
                account=ctx.session.account_id,
                model_id=model_id,
                data=_replacing(s, ctx, model_id, data),
                reason=ctx.value("reason") or None,
            )
        )
    except errors.InvalidRequest as exc:
        return _show(ctx, data_text=text, status=400, error=exc.message)
    return ctx.redirect(f"/passports/models/{model_id}", flash="passport.data_saved")


def _replacing(session: Session, ctx: Ctx, model_id: uuid.UUID, data: object) -> dict[str, Any]:
    """The edit as a change: attributes left out of the text are removed."""
    if not isinstance(data, dict):
        raise errors.InvalidRequest(ctx.t("passport.bad_json"))
    model = battery_models.get_own_model(session, caller=ctx.operator_id, model_id=model_id)
    change: dict[str, dict[str, Any]] = {
        section: dict.fromkeys(values) for section, values in model.data.items()
    }
    for section, values in data.items():
        if isinstance(values, dict):
            change.setdefault(section, {}).update(values)
        else:
            change[section] = values
    return change


def _decimal(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise errors.InvalidRequest(f"{field}: a number.") from None
    if not value.is_finite():
        raise errors.InvalidRequest(f"{field}: a number.")
    return value


@page("/passports/models/{model_id:uuid}/fill", methods=("POST",))
def model_fill(ctx: Ctx) -> Response:
    model_id = _model_id(ctx)
    battery = None
    if ctx.value("usableEnergyKwh"):
        try:
            vehicle = VehicleCategory(ctx.value("vehicleCategory"))
        except ValueError:
            raise errors.InvalidRequest(ctx.t("passport.vehicle_category")) from None
        battery = BatteryData(
            usable_energy_kwh=_decimal(
                ctx.value("usableEnergyKwh"), ctx.t("passport.usable_energy")
            ),
            vehicle_category=vehicle,
            warranty_years=_decimal(
                ctx.value("warrantyYears") or "8", ctx.t("passport.warranty_years")
            ),
            distribution_kg_co2e=None,
            end_of_life_kg_co2e=None,
        )
    ctx.state.write(
        lambda s: battery_models.fill_from_platform(
            s,
            caller=ctx.operator_id,
            account=ctx.session.account_id,
            model_id=model_id,
            battery=battery,
            disclose_by_default=ctx.state.settings.disclose_by_default,
        )
    )
    return ctx.redirect(f"/passports/models/{model_id}", flash="passport.filled")


@page("/passports/batches/{batch_id:uuid}/labels")
def batch_labels(ctx: Ctx) -> Response:
    batch_id: uuid.UUID = ctx.request.path_params["batch_id"]
    caller = ctx.operator_id
    base = ctx.state.settings.public_url or str(ctx.request.base_url)

    page_number = int(ctx.value("page") or "1") if ctx.value("page").isdigit() else 1

    def read(session: Session) -> list[Any]:
        search = lookup.PassportSearch(
            batch_id=batch_id, limit=LABELS_PER_PAGE, offset=(page_number - 1) * LABELS_PER_PAGE
        )
        issuing.batch_passport_ids(session, caller=caller, batch_id=batch_id)  # yours, or 404
        return list(lookup.search_passports(session, caller=caller, search=search))

    passports = sorted(ctx.state.read(read), key=lambda each: each.battery_identifier)
    labels = []
    for each in passports:
        address = qr.address(base, passport_id=each.id, gtin=each.gtin, serial=each.serial)
        labels.append(
            {"passport": each, "address": address, "svg": qr.svg_inline(address, scale=2)}
        )
    return ctx.render(
        "passport_labels.html",
        labels=labels,
        batch_id=batch_id,
        page=page_number,
        more=len(labels) == LABELS_PER_PAGE,
    )
