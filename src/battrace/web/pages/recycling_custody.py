"""Collection and custody pages: the caller's lots with the collection form, and one lot's
custody (its events, hand-overs, the mass balance of its history) with the forms for its next
step. Form values become the API's bodies (`inputs.recycling_bodies`), checked by the same
services."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from battrace import errors
from battrace.inputs import recycling_bodies as body_of
from battrace.recycling import custody, lots
from battrace.recycling.models import EventKind, Fraction
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors

COLLECT_FIELDS = (
    "code",
    "productType",
    "memberState",
    "massKg",
    "units",
    "itemIds",
    "chemistry",
    "energyKwh",
    "place",
    "responsibleOperatorId",
)
STEP_KINDS = (
    EventKind.TRANSPORTED,
    EventKind.STORED,
    EventKind.SENT_FOR_REPURPOSING,
    EventKind.SENT_FOR_RECYCLING,
    EventKind.RECYCLED,
)
FRACTIONS = [f for f in Fraction if f != Fraction.PRODUCTS]


def _lots(ctx: Ctx, values: dict[str, str], form_errors: FormErrors, status: int = 200) -> Response:
    caller = ctx.operator_id
    rows = ctx.state.read(lambda s: lots.list_lots(s, caller=caller))
    return ctx.render(
        "recycling_lots.html",
        status=status,
        lots=rows,
        values=values,
        errors=form_errors,
        caller=caller,
    )


@page("/recycling/lots")
def lot_list(ctx: Ctx) -> Response:
    return _lots(ctx, dict.fromkeys(COLLECT_FIELDS, ""), FormErrors())


@page("/recycling/lots", methods=("POST",))
def lot_collect(ctx: Ctx) -> Response:
    values = {name: ctx.value(name) for name in COLLECT_FIELDS}
    body: dict[str, Any] = {k: v for k, v in values.items() if k != "itemIds"}
    body["itemIds"] = [item.strip() for item in values["itemIds"].split(",") if item.strip()]
    body["takenBack"] = ctx.value("takenBack") == "1"
    caller = ctx.operator_id
    try:
        collection = body_of.collection(body)
        lot = ctx.state.write(lambda s: custody.collect(s, caller=caller, collection=collection))
    except errors.InvalidRequest as exc:
        return _lots(ctx, values, FormErrors().place(exc), status=400)
    except errors.AccessDenied as exc:
        return _lots(ctx, values, FormErrors(general=[exc.message]), status=403)
    return ctx.redirect(f"/recycling/lots/{lot.id}", flash="rec.collected")


def _lot(ctx: Ctx, lot_id: uuid.UUID, form_errors: FormErrors, status: int = 200) -> Response:
    caller = ctx.operator_id

    def read(session: Any) -> dict[str, Any]:  # noqa: ANN401
        return {
            "lot": lots.visible_lot(session, caller=caller, lot_id=lot_id),
            "events": lots.lot_events(session, caller=caller, lot_id=lot_id),
            "items": lots.lot_items(session, caller=caller, lot_id=lot_id),
            "check": lots.check_lot(session, caller=caller, lot_id=lot_id),
        }

    found = ctx.state.read(read)
    return ctx.render(
        "recycling_lot.html",
        status=status,
        errors=form_errors,
        caller=caller,
        kinds=[(k.value, ctx.t(f"rec.kind.{k.value}")) for k in STEP_KINDS],
        fractions=[(f.value, ctx.t(f"rec.fraction.{f.value}")) for f in FRACTIONS],
        **found,
    )


@page("/recycling/lots/{lot_id:uuid}")
def lot_detail(ctx: Ctx) -> Response:
    return _lot(ctx, ctx.request.path_params["lot_id"], FormErrors())


def _act(ctx: Ctx, action: str) -> Response:
    lot_id: uuid.UUID = ctx.request.path_params["lot_id"]
    caller = ctx.operator_id
    try:
        if action == "step":
            step = body_of.step(
                {
                    "kind": ctx.value("kind"),
                    "massOutKg": ctx.value("massOutKg"),
                    "lossKg": ctx.value("lossKg"),
                    "unitsOut": ctx.value("unitsOut"),
                    "place": ctx.value("place") or None,
                }
            )
            ctx.state.write(
                lambda s: custody.record_step(s, caller=caller, lot_id=lot_id, step=step)
            )
        elif action == "handover":
            receiver = body_of.uuid_field(ctx.value("receiverOperatorId"), "receiverOperatorId")
            ctx.state.write(
                lambda s: custody.hand_over(s, caller=caller, lot_id=lot_id, receiver=receiver)
            )
        elif action == "accept":
            mass = body_of.decimal_field(ctx.value("massReceivedKg"), "massReceivedKg")
            loss = body_of.decimal_field(ctx.value("acceptLossKg"), "lossKg", default=body_of.ZERO)
            ctx.state.write(
                lambda s: custody.accept_hand_over(
                    s, caller=caller, lot_id=lot_id, mass_received_kg=mass, loss_kg=loss
                )
            )
        elif action == "decline":
            ctx.state.write(lambda s: custody.decline_hand_over(s, caller=caller, lot_id=lot_id))
        else:
            outputs = body_of.fractions(
                {
                    "outputs": [
                        {
                            "fraction": ctx.value(f"fraction{n}"),
                            "massKg": ctx.value(f"fractionKg{n}"),
                        }
                        for n in range(1, 6)
                        if ctx.value(f"fraction{n}") and ctx.value(f"fractionKg{n}")
                    ]
                }
            )
            loss = body_of.decimal_field(
                ctx.value("dismantleLossKg"), "lossKg", default=body_of.ZERO
            )
            ctx.state.write(
                lambda s: custody.dismantle(
                    s, caller=caller, lot_id=lot_id, outputs=outputs, loss_kg=loss
                )
            )
    except (errors.InvalidRequest, errors.AccessDenied) as exc:
        return _lot(ctx, lot_id, FormErrors(general=[exc.message]), status=400)
    return ctx.redirect(f"/recycling/lots/{lot_id}", flash="rec.recorded")


@page("/recycling/lots/{lot_id:uuid}/step", methods=("POST",))
def lot_step(ctx: Ctx) -> Response:
    return _act(ctx, "step")


@page("/recycling/lots/{lot_id:uuid}/handover", methods=("POST",))
def lot_hand_over(ctx: Ctx) -> Response:
    return _act(ctx, "handover")


@page("/recycling/lots/{lot_id:uuid}/accept", methods=("POST",))
def lot_accept(ctx: Ctx) -> Response:
    return _act(ctx, "accept")


@page("/recycling/lots/{lot_id:uuid}/decline", methods=("POST",))
def lot_decline(ctx: Ctx) -> Response:
    return _act(ctx, "decline")


@page("/recycling/lots/{lot_id:uuid}/dismantle", methods=("POST",))
def lot_dismantle(ctx: Ctx) -> Response:
    return _act(ctx, "dismantle")
