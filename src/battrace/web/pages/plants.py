"""Plants (sites) of the logged-in operator: list, add, edit (contract #3 and #4 rules)."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from battrace import errors
from battrace.identity import operators, plants
from battrace.identity.models import Plant
from battrace.inputs.identity_bodies import read_plant
from battrace.web.app import Ctx, page, safe_next
from battrace.web.forms import FormErrors

FIELDS = ("plantName", "plantAddress", "openPlantId", "globalPlantId")


def _values(plant: Plant | None) -> dict[str, str]:
    if plant is None:
        return dict.fromkeys(FIELDS, "")
    return {
        "plantName": plant.name,
        "plantAddress": plant.address,
        "openPlantId": plant.open_plant_id,
        "globalPlantId": plant.global_plant_id or "",
    }


def _show(
    ctx: Ctx,
    *,
    editing: uuid.UUID | None,
    values: dict[str, str],
    form_errors: FormErrors,
    status: int = 200,
) -> Response:
    caller = ctx.operator_id
    rows, operator = ctx.state.read(
        lambda s: (plants.list_plants(s, caller=caller), operators.get_operator(s, caller))
    )
    return ctx.render(
        "plants.html",
        status=status,
        plants=rows,
        editing=editing,
        values=values,
        errors=form_errors,
        open_operator_id=operator.open_operator_id,
        next_path=_next_path(ctx),
    )


def _next_path(ctx: Ctx) -> str:
    """The form that sent the user here for a plant ("register a plant first"), to go back
    to once one is saved; "" when none (or not a local path)."""
    target = ctx.value("next")
    return target if target and safe_next(target) == target else ""


@page("/plants")
def plant_list(ctx: Ctx) -> Response:
    return _show(ctx, editing=None, values=_values(None), form_errors=FormErrors())


@page("/plants/{plant_id:uuid}")
def plant_edit(ctx: Ctx) -> Response:
    plant_id: uuid.UUID = ctx.request.path_params["plant_id"]
    caller = ctx.operator_id
    plant = ctx.state.read(lambda s: plants.get_plant(s, caller=caller, plant_id=plant_id))
    if plant is None:
        raise errors.NotFound("plant")
    return _show(ctx, editing=plant_id, values=_values(plant), form_errors=FormErrors())


@page("/plants", methods=("POST",))
def plant_save(ctx: Ctx) -> Response:
    values = {name: ctx.value(name) for name in FIELDS}
    plant_id = ctx.value("plantId") or None
    body = {
        "plantId": plant_id,
        "operatorId": str(ctx.operator_id),
        "plantName": values["plantName"],
        "plantAddress": values["plantAddress"],
        "openPlantId": values["openPlantId"],
        "plantAttribute": {"globalPlantId": values["globalPlantId"] or None},
    }
    editing = uuid.UUID(plant_id) if plant_id else None
    try:
        write = read_plant(body)
        ctx.state.write(lambda s: plants.save_plant(s, caller=ctx.operator_id, plant=write))
    except errors.InvalidRequest as exc:
        form_errors = FormErrors().place(exc)
        return _show(ctx, editing=editing, values=values, form_errors=form_errors, status=400)
    return ctx.redirect(_next_path(ctx) or "/plants", flash="plants.saved")
