"""The operator's emission factors: secondary data the roll-up applies to a part that has no
value (not answered, withheld, never requested), once assigned on the footprint page."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from battrace import errors
from battrace.footprint import factors
from battrace.inputs import wire
from battrace.traceability.models import AmountUnit
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, number

FIELDS = ("name", "unit", "value", "source", "year")


def _show(ctx: Ctx, values: dict[str, str], form_errors: FormErrors, status: int = 200) -> Response:
    caller = ctx.operator_id
    rows = ctx.state.read(lambda s: factors.list_factors(s, caller=caller))
    return ctx.render(
        "factors.html",
        status=status,
        factors=rows,
        values=values,
        errors=form_errors,
        units=[(unit.value, ctx.t(f"unit.{unit.value}")) for unit in AmountUnit],
    )


@page("/factors")
def factor_list(ctx: Ctx) -> Response:
    return _show(ctx, dict.fromkeys(FIELDS, ""), FormErrors())


@page("/factors", methods=("POST",))
def factor_add(ctx: Ctx) -> Response:
    values = {name: ctx.value(name) for name in FIELDS}
    form_errors = FormErrors()
    value = number(values["value"], "value", form_errors, required=True)
    year = number(values["year"], "year", form_errors, required=True)
    for name in ("name", "source"):
        if not values[name]:
            form_errors.add(name, "cannot be blank")
    message = wire.check(value, *wire.AMOUNT_RULES)
    if message is not None:
        form_errors.add("value", message)
    if year is not None and (year != year.to_integral_value() or not 1900 <= year <= 2200):
        form_errors.add("year", "must be a year between 1900 and 2200")
    if values["unit"] not in {unit.value for unit in AmountUnit}:
        form_errors.add("unit", "cannot be blank")
    if form_errors or value is None or year is None:
        return _show(ctx, values, form_errors, status=400)
    caller = ctx.operator_id
    try:
        ctx.state.write(
            lambda s: factors.add_factor(
                s,
                caller=caller,
                name=values["name"],
                unit=AmountUnit(values["unit"]),
                kg_co2e_per_unit=value,
                source=values["source"],
                year=int(year),
            )
        )
    except errors.InvalidRequest as exc:
        form_errors.general.append(exc.message)
        return _show(ctx, values, form_errors, status=400)
    return ctx.redirect("/factors", flash="factors.saved")


@page("/factors/{factor_id:uuid}/delete", methods=("POST",))
def factor_delete(ctx: Ctx) -> Response:
    factor_id: uuid.UUID = ctx.request.path_params["factor_id"]
    caller = ctx.operator_id
    ctx.state.write(lambda s: factors.delete_factor(s, caller=caller, factor_id=factor_id))
    return ctx.redirect("/factors", flash="factors.deleted")
