"""The recovered-material market page (offers the caller may see, its asks, the forms to
create a lot, offer it, ask, take an offer and confirm a take) and the loop dashboard (charts,
CSV, the self-contained HTML report)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from battrace import errors
from battrace.inputs import recycling_bodies as body_of
from battrace.recycling import dashboard, market, materials
from battrace.recycling.rules import Element
from battrace.traceability import parts
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors


def _market(ctx: Ctx, form_errors: FormErrors, status: int = 200) -> Response:
    caller = ctx.operator_id

    def read(session: Any) -> dict[str, Any]:  # noqa: ANN401
        own, _ = parts.list_parts(
            session, caller=caller, part_filter=parts.PartFilter(), limit=500, after=None
        )
        return {
            "offers": market.visible_offers(session, caller=caller),
            "asks": market.visible_asks(session, caller=caller),
            "lots": materials.list_material_lots(session, caller=caller),
            "parts": [(str(p.trace_id), p.parts_name) for p in own],
        }

    found = ctx.state.read(read)
    return ctx.render(
        "recycling_market.html",
        status=status,
        errors=form_errors,
        caller=caller,
        elements=[(e.value, e.value) for e in Element],
        lots_options=[
            (str(lot.id), f"{lot.element} {lot.grade} {lot.mass_kg.normalize():f} kg")
            for lot in found["lots"]
        ],
        my_open_asks=[
            (str(a.id), f"{a.element} {a.quantity_kg} kg")
            for a in found["asks"]
            if a.operator_id == caller and a.status == market.OPEN
        ],
        **found,
    )


@page("/recycling/market")
def market_page(ctx: Ctx) -> Response:
    return _market(ctx, FormErrors())


def _do(ctx: Ctx, action: str) -> Response:
    caller = ctx.operator_id
    try:
        if action == "lot":
            lot = body_of.material_lot(
                {
                    name: ctx.value(name)
                    for name in (
                        "traceId",
                        "element",
                        "grade",
                        "massKg",
                        "elementFraction",
                        "preConsumerPercent",
                        "postConsumerPercent",
                        "cfpKgCO2ePerKg",
                        "certificate",
                    )
                }
            )
            ctx.state.write(lambda s: materials.create_material_lot(s, caller=caller, lot=lot))
        elif action == "offer":
            lot_id = body_of.uuid_field(ctx.value("lotId"), "lotId")
            quantity = body_of.decimal_field(ctx.value("quantityKg"), "quantityKg")
            viewers = [
                body_of.uuid_field(v.strip(), "viewers")
                for v in ctx.value("viewers").split(",")
                if v.strip()
            ]
            public = ctx.value("public") == "1"
            ctx.state.write(
                lambda s: market.offer_lot(
                    s,
                    caller=caller,
                    lot_id=lot_id,
                    quantity_kg=quantity,
                    public=public,
                    viewers=viewers,
                )
            )
        elif action == "ask":
            trace_id = body_of.uuid_field(ctx.value("askTraceId"), "traceId")
            element = body_of.enum_field(Element, ctx.value("askElement"), "element")
            quantity = body_of.decimal_field(ctx.value("askQuantityKg"), "quantityKg")
            grade = ctx.value("askGrade") or None
            ctx.state.write(
                lambda s: market.ask(
                    s,
                    caller=caller,
                    trace_id=trace_id,
                    element=element,
                    grade=grade,
                    quantity_kg=quantity,
                )
            )
        elif action == "take":
            offer_id = body_of.uuid_field(ctx.value("offerId"), "offerId")
            ask_id = body_of.uuid_field(ctx.value("askId"), "askId")
            ctx.state.write(
                lambda s: market.take_offer(s, caller=caller, offer_id=offer_id, ask_id=ask_id)
            )
        else:
            asker = body_of.uuid_field(ctx.value("askOperatorId"), "askOperatorId")
            ask_id = body_of.uuid_field(ctx.value("askId"), "askId")
            ctx.state.write(
                lambda s: market.confirm_match(
                    s, caller=caller, ask_operator_id=asker, ask_id=ask_id
                )
            )
    except (errors.InvalidRequest, errors.AccessDenied) as exc:
        return _market(ctx, FormErrors(general=[exc.message]), status=400)
    return ctx.redirect("/recycling/market", flash=f"rec.market.{action}_done")


@page("/recycling/market/lots", methods=("POST",))
def market_lot(ctx: Ctx) -> Response:
    return _do(ctx, "lot")


@page("/recycling/market/offers", methods=("POST",))
def market_offer(ctx: Ctx) -> Response:
    return _do(ctx, "offer")


@page("/recycling/market/asks", methods=("POST",))
def market_ask(ctx: Ctx) -> Response:
    return _do(ctx, "ask")


@page("/recycling/market/take", methods=("POST",))
def market_take(ctx: Ctx) -> Response:
    return _do(ctx, "take")


@page("/recycling/market/confirm", methods=("POST",))
def market_confirm(ctx: Ctx) -> Response:
    return _do(ctx, "confirm")


def _board(ctx: Ctx) -> dashboard.Dashboard:
    caller = ctx.operator_id
    scope = "own" if ctx.value("scope") == "own" else "platform"
    return ctx.state.read(lambda s: dashboard.build(s, caller=caller, scope=scope))


@page("/recycling/dashboard")
def dashboard_page(ctx: Ctx) -> Response:
    board = _board(ctx)
    return ctx.render(
        "recycling_dashboard.html",
        board=board,
        charts=dashboard.charts(board),
        min_contributors=dashboard.MIN_CONTRIBUTORS,
    )


@page("/recycling/dashboard/loop.csv")
def dashboard_csv(ctx: Ctx) -> Response:
    return ctx.finish(
        Response(
            dashboard.to_csv(_board(ctx)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="loop.csv"'},
        )
    )


@page("/recycling/dashboard/report.html")
def dashboard_report(ctx: Ctx) -> Response:
    # the report is one file with its own <style>: it may use that, and nothing else
    return ctx.finish(
        Response(
            dashboard.render_html(_board(ctx)),
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "Content-Disposition": 'inline; filename="loop.html"',
            },
        )
    )
