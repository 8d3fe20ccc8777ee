"""Trades: a customer's CFP request on one bought-in part, and its life (digest section 7).

States (`cfp_response_status`): NOT_COMPLETED (requested, maybe linked) -> COMPLETED (the
linked supplier part has CFP) ; either side can end it: REJECT (supplier sends it back,
with a reason; the link is dropped) or CANCEL (customer withdraws it; kept as a state, never
deleted). A new request on the same part after REJECT or CANCEL is a new trade.

`trade_tree_status` and the two counters describe the supplier's side of the chain: the
tree is TERMINATED when every branch upstream of the linked part ends in a terminated part;
`trades_count` counts the CFP requests in that tree (this one included) and
`completed_count` those answered. They are recomputed for every trade downstream of a
change, so a customer sees progress made two tiers up.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest, NotFound, invalid_field
from battrace.identity.models import Operator
from battrace.ids import OperatorId, TraceId, TradeId, new_id
from battrace.store.base import utcnow
from battrace.traceability import notifications
from battrace.traceability.models import (
    CfpResponseStatus,
    CfpValue,
    NotificationType,
    Part,
    Trade,
    TradeTreeStatus,
)
from battrace.traceability.tree_progress import refresh_downstream_of

OPEN_STATES = (CfpResponseStatus.NOT_COMPLETED, CfpResponseStatus.COMPLETED)
NO_PRIVILEGES = "You do not have the necessary privileges"
_STATUS_ACTION = {
    CfpResponseStatus.CANCEL: AuditAction.TRADE_CANCEL,
    CfpResponseStatus.REJECT: AuditAction.TRADE_REJECT,
}


class StatusTarget:
    REQUEST = "REQUEST"
    RESPONSE = "RESPONSE"


@dataclass(frozen=True)
class TradeRequestWrite:
    trade_id: uuid.UUID | None
    status_id: uuid.UUID | None
    downstream_operator_id: uuid.UUID
    upstream_operator_id: uuid.UUID
    downstream_trace_id: TraceId
    message: str | None
    response_due_date: date | None


def request_trade(session: Session, *, caller: OperatorId, request: TradeRequestWrite) -> Trade:
    """Send (ids unset) or amend (ids set) a CFP request to a supplier (#7).

    Raises AccessDenied (not the caller's side), NotFound (part, supplier or trade unknown),
    InvalidRequest (an open request exists already, or the trade can no longer change).
    """
    if request.downstream_operator_id != caller:
        raise AccessDenied(NO_PRIVILEGES)
    if session.get(Part, (caller, request.downstream_trace_id)) is None:
        raise NotFound(f"downstreamTraceId: {request.downstream_trace_id} was not found.")
    if session.get(Operator, request.upstream_operator_id) is None:
        raise NotFound(f"upstreamOperatorId: {request.upstream_operator_id} was not found.")
    if request.upstream_operator_id == caller:
        raise InvalidRequest("upstreamOperatorId: a company cannot request CFP from itself.")
    if request.trade_id is not None:
        return _amend_request(session, caller=caller, request=request)
    open_trade = session.scalar(
        select(Trade.id).where(
            Trade.downstream_operator_id == caller,
            Trade.downstream_trace_id == request.downstream_trace_id,
            Trade.cfp_response_status.in_(OPEN_STATES),
        )
    )
    if open_trade is not None:
        raise InvalidRequest(
            f"downstreamTraceId: {request.downstream_trace_id} already has an open request "
            f"(tradeId {open_trade}); cancel it before sending another."
        )
    now = utcnow()
    trade = Trade(
        id=new_id(),
        status_id=new_id(),
        downstream_operator_id=caller,
        upstream_operator_id=request.upstream_operator_id,
        downstream_trace_id=request.downstream_trace_id,
        upstream_trace_id=None,
        request_type="CFP",
        message=request.message,
        reply_message=None,
        response_due_date=request.response_due_date,
        cfp_response_status=CfpResponseStatus.NOT_COMPLETED,
        trade_tree_status=TradeTreeStatus.UNTERMINATED,
        completed_count=0,
        completed_count_modified_at=now,
        trades_count=1,
        trades_count_modified_at=now,
        created_at=now,
    )
    session.add(trade)
    session.flush()  # the trade row must exist before tree counters read it
    notifications.notify(session, trade=trade, kind=NotificationType.REQUEST_NEW, sender=caller)
    record_event(
        session,
        action=AuditAction.TRADE_REQUEST,
        actor=caller,
        target_type="trade",
        target_id=trade.id,
        change={
            "upstream": str(trade.upstream_operator_id),
            "downstreamTraceId": str(trade.downstream_trace_id),
        },
    )
    refresh_downstream_of(session, [trade.downstream_trace_id])
    return trade


def _amend_request(session: Session, *, caller: OperatorId, request: TradeRequestWrite) -> Trade:
    trade = session.get(Trade, request.trade_id)
    if (
        trade is None
        or trade.downstream_operator_id != caller
        or trade.status_id != request.status_id
    ):
        raise NotFound(f"tradeId: {request.trade_id} was not found.")
    if trade.downstream_trace_id != request.downstream_trace_id:
        raise InvalidRequest("downstreamTraceId: field is immutable.")
    if trade.cfp_response_status != CfpResponseStatus.NOT_COMPLETED:
        raise InvalidRequest(
            f"tradeId: the request is {trade.cfp_response_status.value} and can no longer change."
        )
    if trade.upstream_operator_id != request.upstream_operator_id:
        if trade.upstream_trace_id is not None:
            raise InvalidRequest("upstreamOperatorId: the supplier has linked a part already.")
        # The request moves to another supplier: what the first one wrote stays with it.
        trade.upstream_operator_id = request.upstream_operator_id
        trade.reply_message = None
        notifications.notify(session, trade=trade, kind=NotificationType.REQUEST_NEW, sender=caller)
    trade.message = request.message
    trade.response_due_date = request.response_due_date
    record_event(
        session,
        action=AuditAction.TRADE_AMEND,
        actor=caller,
        target_type="trade",
        target_id=trade.id,
        change={"message": trade.message, "responseDueDate": str(trade.response_due_date)},
    )
    return trade


def _visible_trade(
    session: Session, *, caller: OperatorId, trade_id: TradeId, as_upstream: bool
) -> Trade:
    trade = session.get(Trade, trade_id)
    side = (
        None
        if trade is None
        else (trade.upstream_operator_id if as_upstream else trade.downstream_operator_id)
    )
    if trade is None or side != caller:
        raise NotFound(f"tradeId: {trade_id} was not found.")
    return trade


def get_trade(session: Session, *, caller: OperatorId, trade_id: TradeId) -> Trade:
    """A request the caller sent or received; a supplier no longer sees a cancelled one, as in
    the listings. Raises NotFound."""
    trade = session.get(Trade, trade_id)
    if trade is not None and (
        trade.downstream_operator_id == caller
        or (
            trade.upstream_operator_id == caller
            and trade.cfp_response_status != CfpResponseStatus.CANCEL
        )
    ):
        return trade
    raise NotFound(f"tradeId: {trade_id} was not found.")


def get_trade_with_part(
    session: Session, *, caller: OperatorId, trade_id: TradeId
) -> tuple[Trade, Part]:
    """A request the caller sent or received, with the customer's part it is about (what
    `tradeResponse` shows a supplier). Raises NotFound."""
    trade = get_trade(session, caller=caller, trade_id=trade_id)
    return trade, _parts_by_trace(session, [trade.downstream_trace_id])[trade.downstream_trace_id]


def link_part(
    session: Session, *, caller: OperatorId, trade_id: TradeId, trace_id: TraceId
) -> Trade:
    """The supplier answers a request with one of its own parts (#13).

    Raises NotFound (trade not addressed to the caller, part not the caller's),
    InvalidRequest (the request was sent back or cancelled), ValidationFailed on `traceId`
    (the part's CFP is declared per another unit than the customer counts its part in: the
    customer's roll-up could not use it, so the link is refused before anything is sent).
    """
    trade = _visible_trade(session, caller=caller, trade_id=trade_id, as_upstream=True)
    part = session.get(Part, (caller, trace_id))
    if part is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    if trade.cfp_response_status not in OPEN_STATES:
        raise InvalidRequest(
            f"tradeId: the request is {trade.cfp_response_status.value} and cannot be answered."
        )
    declared = session.scalars(
        select(CfpValue.ghg_declared_unit).where(
            CfpValue.operator_id == caller, CfpValue.trace_id == trace_id
        )
    ).all()
    counted = _parts_by_trace(session, [trade.downstream_trace_id])[
        trade.downstream_trace_id
    ].amount_required_unit
    check_link_unit(set(declared), None if counted is None else counted.value)
    previous = trade.upstream_trace_id
    trade.upstream_trace_id = trace_id
    has_cfp = declared[0] if declared else None
    was_completed = trade.cfp_response_status == CfpResponseStatus.COMPLETED
    trade.cfp_response_status = (
        CfpResponseStatus.COMPLETED if has_cfp is not None else CfpResponseStatus.NOT_COMPLETED
    )
    if trade.cfp_response_status == CfpResponseStatus.COMPLETED and not was_completed:
        notifications.notify(
            session, trade=trade, kind=NotificationType.CFP_RESPONSED, sender=caller
        )
    record_event(
        session,
        action=AuditAction.TRADE_LINK,
        actor=caller,
        target_type="trade",
        target_id=trade.id,
        change={"upstreamTraceId": str(trace_id), "previous": str(previous)},
    )
    session.flush()  # counters below read the new link
    refresh_downstream_of(session, [trace_id])
    return trade


def check_link_unit(declared_units: set[str], counted_in: str | None) -> None:
    """A part whose CFP is declared per `declared_units` may answer a customer's part
    counted in `counted_in` only when each is `kgCO2e/<counted_in>` (nothing to check while
    either is unknown). Raises ValidationFailed on `traceId`."""
    if counted_in is None:
        return
    mismatched = sorted(declared_units - {f"kgCO2e/{counted_in}"})
    if mismatched:
        raise invalid_field(
            "traceId",
            f"its CFP is declared in {mismatched[0]} but the customer counts the part in"
            f" {counted_in}",
        )


def answer_trades_of(
    session: Session, *, caller: OperatorId, trace_id: TraceId, updated: bool
) -> None:
    """CFP was registered (or updated) for a supplier part: answer every open trade linked to it."""
    trades = session.scalars(
        select(Trade).where(
            Trade.upstream_operator_id == caller,
            Trade.upstream_trace_id == trace_id,
            Trade.cfp_response_status.in_(OPEN_STATES),
        )
    ).all()
    if not trades:
        return  # no request rests on this part: no status or counter can change
    for trade in trades:
        if trade.cfp_response_status == CfpResponseStatus.NOT_COMPLETED:
            trade.cfp_response_status = CfpResponseStatus.COMPLETED
            notifications.notify(
                session, trade=trade, kind=NotificationType.CFP_RESPONSED, sender=caller
            )
        elif updated:
            notifications.notify(
                session, trade=trade, kind=NotificationType.CFP_UPDATED, sender=caller
            )
    session.flush()  # counters below read the new states
    refresh_downstream_of(session, [trace_id])


def change_status(
    session: Session,
    *,
    caller: OperatorId,
    status_id: uuid.UUID,
    trade_id: TradeId,
    new_status: CfpResponseStatus,
    reply_message: str | None,
) -> Trade:
    """Cancel (customer) or send back (supplier) a request (#16).

    Raises NotFound (no such request on the caller's side), InvalidRequest (already ended).
    """
    trade = session.scalar(select(Trade).where(Trade.status_id == status_id))
    as_upstream = new_status == CfpResponseStatus.REJECT
    side = (
        None
        if trade is None
        else (trade.upstream_operator_id if as_upstream else trade.downstream_operator_id)
    )
    if trade is None or side != caller or trade.id != trade_id:
        raise NotFound(f"statusId: {status_id} was not found.")
    if trade.cfp_response_status in (CfpResponseStatus.CANCEL, CfpResponseStatus.REJECT):
        raise InvalidRequest(f"statusId: the request is {trade.cfp_response_status.value} already.")
    linked = trade.upstream_trace_id
    trade.cfp_response_status = new_status
    if new_status == CfpResponseStatus.REJECT:
        trade.reply_message = reply_message
        trade.trade_tree_status = TradeTreeStatus.UNTERMINATED
        trade.upstream_trace_id = None
        kind = NotificationType.REQUEST_REJECTED
    else:
        kind = NotificationType.REQUEST_CANCELED
    notifications.notify(session, trade=trade, kind=kind, sender=caller)
    record_event(
        session,
        action=_STATUS_ACTION[new_status],
        actor=caller,
        target_type="trade",
        target_id=trade.id,
        change={"replyMessage": reply_message, "linked": str(linked)},
    )
    session.flush()  # counters below read the new state
    refresh_downstream_of(session, [trade.downstream_trace_id])
    return trade


def set_reply_message(
    session: Session, *, caller: OperatorId, status_id: uuid.UUID, reply_message: str | None
) -> Trade:
    """The supplier leaves (or clears) a reply message on a request it received."""
    trade = session.scalar(select(Trade).where(Trade.status_id == status_id))
    if trade is None or trade.upstream_operator_id != caller:
        raise NotFound(f"requestId: {status_id} was not found.")
    if reply_message is not None and len(reply_message) > 1000:
        raise InvalidRequest("replyMessage: the length must be no more than 1000.")
    trade.reply_message = reply_message or None
    notifications.notify(
        session, trade=trade, kind=NotificationType.REPLY_MESSAGE_REGISTERED, sender=caller
    )
    record_event(
        session,
        action=AuditAction.TRADE_REPLY,
        actor=caller,
        target_type="trade",
        target_id=trade.id,
        change={"replyMessage": trade.reply_message},
    )
    return trade


# ------------------------------------------------------------------------------- listings


def _paged(
    session: Session, base_filter: list[object], limit: int, after: uuid.UUID | None
) -> tuple[list[Trade], uuid.UUID | None]:
    """Trades newest first; `after` (a statusId, or a downstream traceId) starts the page."""
    query = select(Trade).where(*base_filter)  # type: ignore[arg-type]
    if after is not None:
        start = session.scalar(
            select(Trade)
            .where(*base_filter)  # type: ignore[arg-type]
            .where(or_(Trade.status_id == after, Trade.downstream_trace_id == after))
            .order_by(Trade.created_at.desc(), Trade.status_id.desc())
            .limit(1)
        )
        if start is None:
            return [], None
        query = query.where(
            or_(
                Trade.created_at < start.created_at,
                (Trade.created_at == start.created_at) & (Trade.status_id <= start.status_id),
            )
        )
    rows = list(
        session.scalars(
            query.order_by(Trade.created_at.desc(), Trade.status_id.desc()).limit(limit + 1)
        )
    )
    next_cursor = rows[limit].status_id if len(rows) > limit else None
    return rows[:limit], next_cursor


def list_requests_sent(
    session: Session,
    *,
    caller: OperatorId,
    trace_ids: list[TraceId] | None,
    limit: int,
    after: uuid.UUID | None,
) -> tuple[list[Trade], uuid.UUID | None]:
    """Requests the caller sent as customer (#10), newest first."""
    conditions: list[object] = [Trade.downstream_operator_id == caller]
    if trace_ids is not None:
        conditions.append(Trade.downstream_trace_id.in_(trace_ids))
        return _paged(session, conditions, 100, None)
    return _paged(session, conditions, limit, after)


def list_requests_received(
    session: Session, *, caller: OperatorId, limit: int, after: uuid.UUID | None
) -> tuple[list[tuple[Trade, Part]], uuid.UUID | None]:
    """Requests the caller received as supplier (#12), with the customer's part; cancelled
    requests are gone for the supplier."""
    conditions: list[object] = [
        Trade.upstream_operator_id == caller,
        Trade.cfp_response_status != CfpResponseStatus.CANCEL,
    ]
    trades, next_cursor = _paged(session, conditions, limit, after)
    parts = _parts_by_trace(session, [trade.downstream_trace_id for trade in trades])
    return [(trade, parts[trade.downstream_trace_id]) for trade in trades], next_cursor


def list_statuses(
    session: Session,
    *,
    caller: OperatorId,
    target: str | None,
    trace_id: TraceId | None,
    status_id: uuid.UUID | None,
    limit: int,
    after: uuid.UUID | None,
) -> tuple[list[Trade], uuid.UUID | None]:
    """Request statuses (#11): as customer (REQUEST), as supplier (RESPONSE), or both."""
    conditions: list[object]
    if target == StatusTarget.REQUEST:
        conditions = [Trade.downstream_operator_id == caller]
        if trace_id is not None:
            conditions.append(Trade.downstream_trace_id == trace_id)
    elif target == StatusTarget.RESPONSE:
        conditions = [
            Trade.upstream_operator_id == caller,
            Trade.cfp_response_status != CfpResponseStatus.CANCEL,
        ]
    else:
        conditions = [
            or_(Trade.downstream_operator_id == caller, Trade.upstream_operator_id == caller)
        ]
    if status_id is not None and target != StatusTarget.REQUEST:
        conditions.append(Trade.status_id == status_id)
    return _paged(session, conditions, limit, after)


def _parts_by_trace(session: Session, trace_ids: Iterable[TraceId]) -> dict[uuid.UUID, Part]:
    ids = set(trace_ids)
    if not ids:
        return {}
    return {
        part.trace_id: part for part in session.scalars(select(Part).where(Part.trace_id.in_(ids)))
    }
