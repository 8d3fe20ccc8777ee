"""Second life: listings and reservations (search, reserve, release, hand over into one
system), the operator's grading and price tables, and its systems' health reports."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import Response

from battrace import errors
from battrace.reuse import market, monitoring, rules
from battrace.reuse.grading import default_rules
from battrace.reuse.valuation import PriceTable
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, number


def _number(ctx: Ctx, name: str) -> float | None:
    """A number of the form, within the forms' bounds (`forms.number`), or None if blank."""
    refused = FormErrors()
    value = number(ctx.value(name), name, refused)
    if refused:
        raise errors.InvalidRequest(ctx.t("reuse.bad_number", name=name))
    return None if value is None else float(value)


@page("/reuse/market")
def market_page(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    grade = ctx.value("grade")
    chemistry = ctx.value("chemistry")
    min_capacity = _number(ctx, "minCapacityKwh")

    def load(session: Any) -> dict[str, Any]:  # noqa: ANN401
        return {
            "listings": market.search_listings(
                session,
                caller=caller,
                grades=[grade] if grade else [],
                chemistry=chemistry or None,
                min_capacity_kwh=min_capacity,
            ),
            "reservations": market.list_reservations(session, caller=caller),
        }

    found = ctx.state.read(load)
    return ctx.render(
        "reuse_market.html",
        **found,
        caller=caller,
        grade=grade,
        chemistry=chemistry,
        min_capacity=ctx.value("minCapacityKwh"),
    )


@page("/reuse/listings/{listing_id:uuid}/reserve", methods=("POST",))
def reserve(ctx: Ctx) -> Response:
    listing_id: uuid.UUID = ctx.request.path_params["listing_id"]
    caller = ctx.operator_id
    ctx.state.write(
        lambda s: market.reserve(
            s, caller=caller, listing_id=listing_id, message=ctx.value("message")
        )
    )
    return ctx.redirect("/reuse/market", flash="reuse.reserved")


@page("/reuse/reservations/{reservation_id:uuid}/release", methods=("POST",))
def release(ctx: Ctx) -> Response:
    reservation_id: uuid.UUID = ctx.request.path_params["reservation_id"]
    caller = ctx.operator_id
    ctx.state.write(lambda s: market.release(s, caller=caller, reservation_id=reservation_id))
    return ctx.redirect("/reuse/market", flash="reuse.released")


def chosen_reservations(ctx: Ctx) -> list[uuid.UUID]:
    """The reservations ticked on a form (one or more), for a hand-over or a proposal."""
    try:
        chosen = [uuid.UUID(v) for v in ctx.values("reservationId")]
    except ValueError:
        raise errors.InvalidRequest(ctx.t("reuse.pick_reservations")) from None
    if not chosen:
        raise errors.InvalidRequest(ctx.t("reuse.pick_reservations"))
    return chosen


@page("/reuse/handovers", methods=("POST",))
def hand_over(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    chosen = chosen_reservations(ctx)
    system = ctx.state.write(
        lambda s: (
            market.hand_over(
                s,
                caller=caller,
                reservation_ids=chosen,
                status=ctx.value("status") or "repurposed",
                label=ctx.value("label"),
                battery_identifier=ctx.value("batteryIdentifier") or None,
            ).passport_id
        )
    )
    return ctx.redirect("/reuse/market", flash=f"={ctx.t('reuse.handed_over', passport=system)}")


@page("/reuse/systems/{system_id:uuid}")
def system_page(ctx: Ctx) -> Response:
    system_id: uuid.UUID = ctx.request.path_params["system_id"]
    caller = ctx.operator_id
    system, updates = ctx.state.read(
        lambda s: (
            monitoring.own_system(s, caller=caller, system_id=system_id),
            monitoring.health_updates(s, caller=caller, system_id=system_id),
        )
    )
    return ctx.render("reuse_system.html", system=system, updates=updates)


@page("/reuse/systems/{system_id:uuid}/health", methods=("POST",))
def record_health(ctx: Ctx) -> Response:
    system_id: uuid.UUID = ctx.request.path_params["system_id"]
    caller = ctx.operator_id
    efc = _number(ctx, "efcSince")
    soh = _number(ctx, "soh")
    if efc is None or soh is None:
        raise errors.InvalidRequest(ctx.t("reuse.health_needed"))
    update = ctx.state.write(
        lambda s: (
            monitoring.record_health(
                s, caller=caller, system_id=system_id, efc_since=efc, soh=soh
            ).below_band
        )
    )
    flash = "reuse.below_band" if update else "reuse.in_band"
    return ctx.redirect(f"/reuse/systems/{system_id}", flash=flash)


@page("/reuse/rules")
def rules_page(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    tables = ctx.state.read(lambda s: rules.list_tables(s, caller=caller))
    grading = next(
        (t.values for t in tables if t.kind == rules.GRADING and t.chemistry == rules.ALL), None
    )
    prices = next((t.values for t in tables if t.kind == rules.PRICES), None)
    return ctx.render(
        "reuse_rules.html",
        tables=tables,
        grading=json.dumps(grading or default_rules("*").as_table(), indent=2, ensure_ascii=False),
        prices=json.dumps(prices or PriceTable().as_table(), indent=2),
    )


@page("/reuse/rules", methods=("POST",))
def save_rules(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    kind = ctx.value("kind")
    try:
        values = json.loads(ctx.value("values") or "{}")
    except ValueError:
        raise errors.InvalidRequest(ctx.t("reuse.bad_json")) from None
    if not isinstance(values, dict):
        raise errors.InvalidRequest(ctx.t("reuse.bad_json"))
    ctx.state.write(
        lambda s: rules.set_table(
            s,
            caller=caller,
            kind=kind,
            values=values,
            chemistry=ctx.value("chemistry") or rules.ALL,
        )
    )
    return ctx.redirect("/reuse/rules", flash="reuse.saved")
