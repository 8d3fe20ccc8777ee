"""CFP requests: the lists of requests sent and received, and one request's page with what
each side may do (change, cancel; link one of my parts, send back with a reason, reply,
answer with the linked part's CFP). Sending and changing a request: `trade_requests`."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from battrace import errors
from battrace.ids import OperatorId, TraceId, TradeId
from battrace.inputs import validators
from battrace.store.base import utcnow
from battrace.traceability import certificates, parts, rollup, signed_answers, trades
from battrace.traceability.models import CfpResponseStatus, Part, Trade
from battrace.web.app import Ctx, page
from battrace.web.pages.cfp import file_response
from battrace.web.views import is_overdue, operator_names, trade_state

PAGE_SIZE = 20
LINKABLE_SHOWN = 200


def _cursor(ctx: Ctx) -> uuid.UUID | None:
    try:
        return uuid.UUID(ctx.value("after")) if ctx.value("after") else None
    except ValueError:
        return None


# ------------------------------------------------------------------------ listings


def _unrequested(session: Session, caller: OperatorId) -> list[Part]:
    """Bought-in parts of the caller with no open request (first 50)."""
    found: list[Part] = []
    after = None
    while len(found) < 50:
        rows, after = parts.list_parts(
            session, caller=caller, part_filter=parts.PartFilter(), limit=500, after=after
        )
        bought = [p for p in rows if not p.is_parent and not p.terminated_flag]
        for start in range(0, len(bought), 50):
            chunk = bought[start : start + 50]
            sent, _ = trades.list_requests_sent(
                session, caller=caller, trace_ids=[p.trace_id for p in chunk], limit=100, after=None
            )
            open_parts = {
                t.downstream_trace_id for t in sent if t.cfp_response_status in trades.OPEN_STATES
            }
            found += [p for p in chunk if p.trace_id not in open_parts]
        if after is None:
            break
    return found[:50]


@page("/requests/sent")
def sent_list(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    after = _cursor(ctx)

    def read(session: Session) -> dict[str, Any]:
        rows, next_cursor = trades.list_requests_sent(
            session, caller=caller, trace_ids=None, limit=PAGE_SIZE, after=after
        )
        own = {
            t.downstream_trace_id: parts.get_own_part(
                session, caller=caller, trace_id=t.downstream_trace_id
            )
            for t in rows
        }
        return {
            "trades": rows,
            "next_cursor": next_cursor,
            "own_parts": own,
            "names": operator_names(session, [t.upstream_operator_id for t in rows]),
            "unrequested": _unrequested(session, caller) if after is None else [],
        }

    data = ctx.state.read(read)
    return ctx.render(
        "sent.html",
        paged=after is not None,
        trade_state=trade_state,
        today=utcnow().date(),
        is_overdue=is_overdue,
        **data,
    )


@page("/requests/received")
def received_list(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    after = _cursor(ctx)

    def read(session: Session) -> dict[str, Any]:
        rows, next_cursor = trades.list_requests_received(
            session, caller=caller, limit=PAGE_SIZE, after=after
        )
        return {
            "rows": rows,
            "next_cursor": next_cursor,
            "names": operator_names(session, [t.downstream_operator_id for t, _ in rows]),
        }

    data = ctx.state.read(read)
    return ctx.render(
        "received.html",
        paged=after is not None,
        trade_state=trade_state,
        today=utcnow().date(),
        is_overdue=is_overdue,
        **data,
    )


# ------------------------------------------------------------------------ one request


def _trade_id(ctx: Ctx) -> TradeId:
    return TradeId(ctx.request.path_params["trade_id"])


def _trade_page(
    session: Session, caller: OperatorId, trade_id: TradeId, query: str, disclose: bool
) -> dict[str, Any]:
    trade, customer_part = trades.get_trade_with_part(session, caller=caller, trade_id=trade_id)
    as_customer = trade.downstream_operator_id == caller
    data: dict[str, Any] = {
        "trade": trade,
        "customer_part": customer_part,
        "as_customer": as_customer,
        "names": operator_names(
            session, [trade.downstream_operator_id, trade.upstream_operator_id]
        ),
        "answer_rows": [],
        "signed": None,
        "files": [],
        "linked": None,
        "linkable": [],
    }
    if as_customer:
        data["answer_rows"] = (
            [
                row
                for row in rollup.cfp_rows(
                    session,
                    caller=caller,
                    trace_ids=[trade.downstream_trace_id],
                    disclose_by_default=disclose,
                )
                if row.cfp_type.endswith("Response")
            ]
            if trade.cfp_response_status == CfpResponseStatus.COMPLETED
            else []
        )
        try:
            _, _, data["files"] = certificates.released_certificate(
                session, caller=caller, trade_id=trade_id, disclose_by_default=disclose
            )
        except errors.NotFound:
            data["files"] = []
        return data
    if trade.upstream_trace_id is not None:
        data["linked"] = parts.get_own_part(
            session, caller=caller, trace_id=trade.upstream_trace_id
        )
    data["linkable"], _ = parts.list_parts(
        session,
        caller=caller,
        part_filter=parts.PartFilter(name_contains=query or None),
        limit=LINKABLE_SHOWN,
        after=None,
    )
    return data


@page("/requests/{trade_id:uuid}")
def trade_detail(ctx: Ctx) -> Response:
    caller, trade_id, query = ctx.operator_id, _trade_id(ctx), ctx.value("q")
    disclose = ctx.state.settings.disclose_by_default
    data = ctx.state.read(lambda s: _trade_page(s, caller, trade_id, query, disclose))
    if data["answer_rows"]:  # writes once: the supplier's signing key on first use
        data["signed"] = ctx.state.write(
            lambda s: signed_answers.signed_answer(
                s, caller=caller, trade_id=trade_id, disclose_by_default=disclose
            )
        )
    return ctx.render("trade.html", state=trade_state(data["trade"]), query=query, **data)


@page("/requests/{trade_id:uuid}/signed-answer.json")
def trade_signed_answer(ctx: Ctx) -> Response:
    """The answer with the supplier's detached signature, to pass on or check elsewhere."""
    caller, trade_id = ctx.operator_id, _trade_id(ctx)
    disclose = ctx.state.settings.disclose_by_default
    signed = ctx.state.write(
        lambda s: signed_answers.signed_answer(
            s, caller=caller, trade_id=trade_id, disclose_by_default=disclose
        )
    )
    if signed is None:
        raise errors.NotFound("answer")
    return ctx.finish(
        JSONResponse(
            {
                "value": signed.value,
                "signature": signed.signature,
                "signer": signed.signer,
                "jwks": f"/pact/operators/{signed.signer_id}/jwks.json",
            }
        )
    )


def _status_change(ctx: Ctx, new_status: CfpResponseStatus, reply: str | None) -> Response:
    caller, trade_id = ctx.operator_id, _trade_id(ctx)
    trade = ctx.state.read(lambda s: trades.get_trade(s, caller=caller, trade_id=trade_id))
    body = {
        "statusId": str(trade.status_id),
        "tradeId": str(trade.id),
        "requestStatus": {"cfpResponseStatus": new_status.value},
        "replyMessage": reply,
    }
    status_id, _, status, message = validators.read_status_change(body)
    ctx.state.write(
        lambda s: trades.change_status(
            s,
            caller=caller,
            status_id=status_id,
            trade_id=trade_id,
            new_status=status,
            reply_message=message,
        )
    )
    flash = "request.cancelled" if new_status == CfpResponseStatus.CANCEL else "request.sent_back"
    target = (
        f"/requests/{trade_id}" if new_status == CfpResponseStatus.CANCEL else "/requests/received"
    )
    return ctx.redirect(target, flash=flash)


@page("/requests/{trade_id:uuid}/cancel", methods=("POST",))
def trade_cancel(ctx: Ctx) -> Response:
    return _status_change(ctx, CfpResponseStatus.CANCEL, None)


@page("/requests/{trade_id:uuid}/send-back", methods=("POST",))
def trade_send_back(ctx: Ctx) -> Response:
    return _status_change(ctx, CfpResponseStatus.REJECT, ctx.value("reason") or None)


@page("/requests/{trade_id:uuid}/reply", methods=("POST",))
def trade_reply(ctx: Ctx) -> Response:
    caller, trade_id = ctx.operator_id, _trade_id(ctx)
    reply = ctx.value("reply") or None

    def save(session: Session) -> Trade:
        trade = trades.get_trade(session, caller=caller, trade_id=trade_id)
        return trades.set_reply_message(
            session, caller=caller, status_id=trade.status_id, reply_message=reply
        )

    ctx.state.write(save)
    return ctx.redirect(f"/requests/{trade_id}", flash="request.replied")


@page("/requests/{trade_id:uuid}/link", methods=("POST",))
def trade_link(ctx: Ctx) -> Response:
    caller, trade_id = ctx.operator_id, _trade_id(ctx)
    try:
        trace_id = TraceId(uuid.UUID(ctx.value("traceId")))
    except ValueError:
        return ctx.redirect(f"/requests/{trade_id}", flash="request.pick_part")
    try:
        ctx.state.write(
            lambda s: trades.link_part(s, caller=caller, trade_id=trade_id, trace_id=trace_id)
        )
    except errors.ValidationFailed as exc:  # e.g. a CFP in a unit the customer cannot use
        return ctx.redirect(f"/requests/{trade_id}", flash=f"!{exc.message}")
    return ctx.redirect(f"/requests/{trade_id}", flash="request.linked")


@page("/requests/{trade_id:uuid}/certificates/{file_id:uuid}")
def trade_certificate(ctx: Ctx) -> Response:
    caller, trade_id = ctx.operator_id, _trade_id(ctx)
    file_id: uuid.UUID = ctx.request.path_params["file_id"]

    disclose = ctx.state.settings.disclose_by_default

    def read(session: Session) -> tuple[str, str, bytes]:
        trade, _, files = certificates.released_certificate(
            session, caller=caller, trade_id=trade_id, disclose_by_default=disclose
        )
        if file_id not in {f.id for f in files}:
            raise errors.NotFound("file")
        row, content = certificates.read_file(
            session, owner=trade.upstream_operator_id, file_id=file_id, store=ctx.state.file_store
        )
        return row.file_name, row.extension, content

    name, extension, content = ctx.state.read(read)
    return file_response(name, extension, content)
