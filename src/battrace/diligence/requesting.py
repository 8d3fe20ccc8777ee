"""DD request lifecycle over trades: send, cancel, send back, and who may see a request.

A DD request rides on an existing trade: the trade's customer (downstream) asks its supplier
(upstream) to answer a template for some Annex X materials by a due date. This module owns the
request's states (`OPEN`, `ANSWERABLE`), the customer's and supplier's moves that end or start
it, the caller's listings of requests (whole or paged), and the notification and audit entry
each move makes for both sides, like the CFP flow (requestType "DD"). A request the caller is
not a party to is "not found". Answering it (drafts, submission, versions) is `answering`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, and_, delete, or_, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.diligence.models import DdRequest, DdRequestStatus, DdResponse
from battrace.diligence.questions import Material
from battrace.diligence.templates import get_template
from battrace.ids import OperatorId, new_id
from battrace.store.base import utcnow
from battrace.traceability.models import CfpResponseStatus, NotificationType, Trade
from battrace.traceability.notifications import notify

OPEN = (DdRequestStatus.SENT, DdRequestStatus.IN_PROGRESS)
ANSWERABLE = (*OPEN, DdRequestStatus.ANSWERED)


def notify_parties(
    session: Session, request: DdRequest, kind: NotificationType, sender: uuid.UUID
) -> None:
    """Notify the other side of the request's trade of `kind`, sent by `sender`."""
    trade = session.get(Trade, request.trade_id)
    assert trade is not None  # noqa: S101 (foreign key)
    notify(session, trade=trade, kind=kind, sender=sender, request_type="DD", status_id=request.id)


def _audit(session: Session, action: AuditAction, caller: OperatorId, request: DdRequest) -> None:
    record_event(
        session,
        action=action,
        actor=caller,
        target_type="dd_request",
        target_id=request.id,
        change={"status": request.status.value, "trade": str(request.trade_id)},
    )


def _materials(raw: Sequence[str]) -> list[str]:
    if not raw:
        raise errors.invalid_field("materials", "choose at least one material")
    allowed = {m.value for m in Material}
    bad = [m for m in raw if m not in allowed]
    if bad:
        raise errors.invalid_field(
            "materials", f"{', '.join(bad)} is not one of {', '.join(sorted(allowed))}"
        )
    return sorted(set(raw))


def send_request(
    session: Session,
    *,
    caller: OperatorId,
    trade_id: uuid.UUID,
    template_id: uuid.UUID,
    materials: Sequence[str],
    due_date: date | None,
    message: str | None,
    today: date | None = None,
) -> DdRequest:
    """Ask the supplier of one of the caller's trades to answer a DD questionnaire."""
    trade = session.get(Trade, trade_id)
    if trade is None or trade.downstream_operator_id != caller:
        raise errors.NotFound(f"tradeId: no trade {trade_id} of yours.")
    if trade.cfp_response_status in (CfpResponseStatus.CANCEL, CfpResponseStatus.REJECT):
        raise errors.BusinessRuleViolation("tradeId: the trade was cancelled or sent back.")
    template = get_template(session, template_id=template_id, caller=caller)
    chosen = _materials(materials)
    if due_date is not None and due_date < (today or utcnow().date()):
        raise errors.invalid_field("dueDate", "must not be in the past")
    if message is not None and len(message) > 1000:
        raise errors.invalid_field("message", "at most 1000 characters")
    open_request = session.scalar(
        select(DdRequest.id).where(DdRequest.trade_id == trade_id, DdRequest.status.in_(OPEN))
    )
    if open_request is not None:
        raise errors.BusinessRuleViolation(
            f"tradeId: DD request {open_request} on this trade is still open."
        )
    request = DdRequest(
        id=new_id(),
        trade_id=trade.id,
        downstream_operator_id=caller,
        upstream_operator_id=trade.upstream_operator_id,
        template_id=template.id,
        materials=chosen,
        status=DdRequestStatus.SENT,
        due_date=due_date,
        message=message,
    )
    session.add(request)
    session.flush()
    notify_parties(session, request, NotificationType.REQUEST_NEW, caller)
    _audit(session, AuditAction.DD_REQUEST_SEND, caller, request)
    return request


def visible_request(session: Session, *, caller: OperatorId, request_id: uuid.UUID) -> DdRequest:
    request = session.get(DdRequest, request_id)
    if request is None or caller not in (
        request.downstream_operator_id,
        request.upstream_operator_id,
    ):
        raise errors.NotFound(f"requestId: no DD request {request_id}.")
    return request


def as_supplier(session: Session, caller: OperatorId, request_id: uuid.UUID) -> DdRequest:
    """The request, if the caller may see it and is its supplier (the side that answers)."""
    request = visible_request(session, caller=caller, request_id=request_id)
    if request.upstream_operator_id != caller:
        raise errors.BusinessRuleViolation("requestId: only the supplier can do this.")
    return request


def cancel_request(session: Session, *, caller: OperatorId, request_id: uuid.UUID) -> DdRequest:
    """The customer withdraws its request; answers already submitted stay on record."""
    request = visible_request(session, caller=caller, request_id=request_id)
    if request.downstream_operator_id != caller:
        raise errors.BusinessRuleViolation("requestId: only the requesting customer can cancel.")
    if request.status in (DdRequestStatus.CANCELLED, DdRequestStatus.SENT_BACK):
        raise errors.BusinessRuleViolation(f"requestId: the request is {request.status.value}.")
    request.status = DdRequestStatus.CANCELLED
    _drop_draft(session, request.id)
    notify_parties(session, request, NotificationType.REQUEST_CANCELED, caller)
    _audit(session, AuditAction.DD_REQUEST_CANCEL, caller, request)
    return request


def send_back(
    session: Session, *, caller: OperatorId, request_id: uuid.UUID, reply_message: str | None
) -> DdRequest:
    """The supplier declines an open request, with a reason for the customer."""
    request = as_supplier(session, caller, request_id)
    if request.status not in OPEN:
        raise errors.BusinessRuleViolation(
            f"requestId: a {request.status.value} request cannot be sent back."
        )
    if reply_message is not None and len(reply_message) > 1000:
        raise errors.invalid_field("replyMessage", "at most 1000 characters")
    request.status = DdRequestStatus.SENT_BACK
    request.reply_message = reply_message
    _drop_draft(session, request.id)
    notify_parties(session, request, NotificationType.REQUEST_REJECTED, caller)
    _audit(session, AuditAction.DD_REQUEST_SEND_BACK, caller, request)
    return request


def _drop_draft(session: Session, request_id: uuid.UUID) -> None:
    """An ended request keeps its submitted versions; an unsent draft goes (with its
    facilities, by the foreign key's cascade)."""
    session.execute(
        delete(DdResponse).where(DdResponse.request_id == request_id, DdResponse.version.is_(None))
    )


def _listing(caller: OperatorId, direction: str | None) -> Select[DdRequest]:
    if direction == "sent":
        where = DdRequest.downstream_operator_id == caller
    elif direction == "received":
        where = DdRequest.upstream_operator_id == caller
    elif direction is None:
        where = or_(
            DdRequest.downstream_operator_id == caller, DdRequest.upstream_operator_id == caller
        )
    else:
        raise errors.InvalidParameters("direction: must be sent or received.")
    return select(DdRequest).where(where)


def list_requests(
    session: Session, *, caller: OperatorId, direction: str | None = None
) -> list[DdRequest]:
    """The caller's DD requests, sent (as customer), received (as supplier) or both, newest
    first."""
    listing = _listing(caller, direction)
    return list(session.scalars(listing.order_by(DdRequest.created_at.desc(), DdRequest.id)))


def page_requests(
    session: Session,
    *,
    caller: OperatorId,
    direction: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> tuple[list[DdRequest], uuid.UUID | None]:
    """One page of `list_requests` (same order) starting at request `after`, and the id that
    starts the next page. A cursor outside the caller's listing starts an empty page."""
    listing = _listing(caller, direction)
    if after is not None:
        start = session.scalar(listing.where(DdRequest.id == after))
        if start is None:
            return [], None
        listing = listing.where(
            or_(
                DdRequest.created_at < start.created_at,
                and_(DdRequest.created_at == start.created_at, DdRequest.id >= start.id),
            )
        )
    rows = list(
        session.scalars(
            listing.order_by(DdRequest.created_at.desc(), DdRequest.id).limit(limit + 1)
        )
    )
    return rows[:limit], rows[limit].id if len(rows) > limit else None
