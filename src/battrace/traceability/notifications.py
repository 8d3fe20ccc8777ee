"""Notifications: the counterpart of a trade learns of each event on it (digest section 7)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.ids import OperatorId, new_id
from battrace.store.base import utcnow
from battrace.traceability.models import Notification, NotificationType, Trade


def notify(
    session: Session,
    *,
    trade: Trade,
    kind: NotificationType,
    sender: uuid.UUID,
    request_type: str = "CFP",
    status_id: uuid.UUID | None = None,
) -> Notification:
    """Tell the other side of `trade` that `sender` did `kind`. A DD request rides on a
    trade too: its notifications carry `request_type` "DD" and the DD request's id."""
    recipient = (
        trade.upstream_operator_id
        if sender == trade.downstream_operator_id
        else trade.downstream_operator_id
    )
    row = Notification(
        id=new_id(),
        operator_id=recipient,
        notification_type=kind,
        notified_from_operator_id=sender,
        trade_id=trade.id,
        status_id=status_id or trade.status_id,
        request_type=request_type,
        downstream_operator_id=trade.downstream_operator_id,
        upstream_operator_id=trade.upstream_operator_id,
        downstream_trace_id=trade.downstream_trace_id,
        upstream_trace_id=trade.upstream_trace_id,
        notified_at=utcnow(),
    )
    session.add(row)
    return row


def list_notifications(
    session: Session,
    *,
    caller: OperatorId,
    notified_from: datetime | None,
    notified_to: datetime | None,
    after: uuid.UUID | None,
    limit: int = 100,
    request_type: str | None = "CFP",
) -> tuple[list[Notification], uuid.UUID | None]:
    """The caller's notifications of one request type (None: CFP and DD together), newest
    first, and the id that starts the next page."""
    query = select(Notification).where(Notification.operator_id == caller)
    if request_type is not None:
        query = query.where(Notification.request_type == request_type)
    if notified_from is not None:
        query = query.where(Notification.notified_at >= notified_from)
    if notified_to is not None:
        query = query.where(Notification.notified_at <= notified_to)
    if after is not None:
        start = session.get(Notification, after)
        if start is None or start.operator_id != caller:
            return [], None
        if request_type is not None and start.request_type != request_type:
            return [], None
        query = query.where(
            (Notification.notified_at < start.notified_at)
            | ((Notification.notified_at == start.notified_at) & (Notification.id <= start.id))
        )
    rows = list(
        session.scalars(
            query.order_by(Notification.notified_at.desc(), Notification.id.desc()).limit(limit + 1)
        )
    )
    next_id = rows[limit].id if len(rows) > limit else None
    return rows[:limit], next_id
