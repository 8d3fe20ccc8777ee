"""Sending a CFP request for a bought-in part, and changing the message or due date of one
sent and not answered yet.

Both are contract #7 (`PUT tradeRequest`: its ids null to send, the trade's to change): the
form becomes the body the API would receive, read by the same validator
(`validators.read_trade_request`) and written by the same service (`trades.request_trade`),
so the rules and their messages are the API's, shown beside the fields.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.identity import operators
from battrace.ids import OperatorId, TradeId
from battrace.inputs import validators
from battrace.traceability import partners, trades
from battrace.traceability.models import Part, Trade
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors
from battrace.web.views import operator_names, own_part

REQUEST_FIELDS = ("supplier", "supplier_pick", "message", "due")
# The contract's names of what the request form shows beside its fields.
FORM_PATHS = ("upstreamOperatorId", "message", "responseDueDate")


def _request_form(
    ctx: Ctx,
    part: Part,
    values: dict[str, str],
    form_errors: FormErrors,
    status: int = 200,
    *,
    amending: Trade | None = None,
    supplier_name: str = "",
) -> Response:
    caller = ctx.operator_id
    choices = (
        []
        if amending is not None
        else ctx.state.read(lambda s: partners.directory(s, caller=caller))
    )
    return ctx.render(
        "request_form.html",
        status=status,
        part=part,
        values=values,
        errors=form_errors,
        amending=amending,
        supplier_name=supplier_name,
        partners=[(p.open_operator_id, f"{p.name}（{p.open_operator_id}）") for p in choices],
    )


def _trade_request_body(
    caller: OperatorId,
    trace_id: uuid.UUID,
    supplier_id: uuid.UUID,
    values: dict[str, str],
    trade: Trade | None,
) -> dict[str, Any]:
    """The #7 body for a form: ids null to send a request, the trade's to change it."""
    trade_id = None if trade is None else str(trade.id)
    return {
        "tradeModel": {
            "downstreamOperatorId": str(caller),
            "downstreamTraceId": str(trace_id),
            "upstreamOperatorId": str(supplier_id),
            "tradeId": trade_id,
        },
        "statusModel": {
            "message": values["message"] or None,
            "requestType": "CFP",
            "responseDueDate": values["due"] or None,
            "statusId": None if trade is None else str(trade.status_id),
            "tradeId": trade_id,
        },
    }


def _write_request(ctx: Ctx, body: dict[str, Any], form_errors: FormErrors) -> Trade | None:
    """Read the body as the API would and send or change the request; None after an error
    (added to `form_errors`, beside its field where the form has one)."""
    caller = ctx.operator_id
    try:
        request = validators.read_trade_request(body)
        return ctx.state.write(lambda s: trades.request_trade(s, caller=caller, request=request))
    except errors.InvalidRequest as exc:
        form_errors.place(exc)
    for path in [p for p in form_errors.fields if p not in FORM_PATHS]:
        form_errors.general.append(f"{path}: {form_errors.fields.pop(path)}")
    return None


def _own_part(ctx: Ctx) -> Part:
    return own_part(ctx, ctx.request.path_params["trace_id"])


@page("/parts/{trace_id:uuid}/request")
def request_form(ctx: Ctx) -> Response:
    values = dict.fromkeys(REQUEST_FIELDS, "")
    return _request_form(ctx, _own_part(ctx), values, FormErrors())


@page("/parts/{trace_id:uuid}/request", methods=("POST",))
def request_send(ctx: Ctx) -> Response:
    part = _own_part(ctx)
    values = {name: ctx.value(name) for name in REQUEST_FIELDS}
    caller = ctx.operator_id
    form_errors = FormErrors()
    number = values["supplier"] or values["supplier_pick"]  # a typed number wins
    if not number:
        form_errors.add("upstreamOperatorId", ctx.t("request.supplier_missing"))
        return _request_form(ctx, part, values, form_errors, status=400)
    try:
        supplier = ctx.state.read(lambda s: operators.find_by_open_id(s, number))
    except errors.NotFound:
        form_errors.add("upstreamOperatorId", ctx.t("request.unknown_supplier"))
        return _request_form(ctx, part, values, form_errors, status=400)
    body = _trade_request_body(caller, part.trace_id, supplier.id, values, None)
    trade = _write_request(ctx, body, form_errors)
    if trade is None:
        return _request_form(ctx, part, values, form_errors, status=400)
    return ctx.redirect(f"/requests/{trade.id}", flash="request.sent")


def _sent_trade(ctx: Ctx) -> tuple[Trade, Part, str]:
    """A request the caller sent, its part and the supplier's name; NotFound otherwise."""
    caller = ctx.operator_id
    trade_id = TradeId(ctx.request.path_params["trade_id"])

    def read(session: Session) -> tuple[Trade, Part, str]:
        trade, part = trades.get_trade_with_part(session, caller=caller, trade_id=trade_id)
        if trade.downstream_operator_id != caller:
            raise errors.NotFound(f"tradeId: {trade_id} was not found.")
        names = operator_names(session, [trade.upstream_operator_id])
        return trade, part, names.get(trade.upstream_operator_id, "")

    return ctx.state.read(read)


@page("/requests/{trade_id:uuid}/edit")
def request_edit_form(ctx: Ctx) -> Response:
    trade, part, supplier_name = _sent_trade(ctx)
    values = {
        "supplier": "",
        "supplier_pick": "",
        "message": trade.message or "",
        "due": "" if trade.response_due_date is None else trade.response_due_date.isoformat(),
    }
    return _request_form(
        ctx, part, values, FormErrors(), amending=trade, supplier_name=supplier_name
    )


@page("/requests/{trade_id:uuid}/edit", methods=("POST",))
def request_amend(ctx: Ctx) -> Response:
    """Change the message or due date of a request not answered yet (#7 with its ids)."""
    trade, part, supplier_name = _sent_trade(ctx)
    values = {
        "supplier": "",
        "supplier_pick": "",
        "message": ctx.value("message"),
        "due": ctx.value("due"),
    }
    form_errors = FormErrors()
    body = _trade_request_body(
        ctx.operator_id, trade.downstream_trace_id, trade.upstream_operator_id, values, trade
    )
    if _write_request(ctx, body, form_errors) is None:
        return _request_form(
            ctx,
            part,
            values,
            form_errors,
            status=400,
            amending=trade,
            supplier_name=supplier_name,
        )
    return ctx.redirect(f"/requests/{trade.id}", flash="request.amended")
