"""DD requests and responses over trades: send, cancel, send back, answer, submit.

A DD request rides on an existing trade: the trade's customer (downstream) asks its supplier
(upstream) to answer a template for some Annex X materials by a due date. The supplier keeps
one draft, then submits it; each submission is an immutable version that supersedes the
previous one. Both sides are notified of each event, like the CFP flow (requestType "DD").
A request the caller is not a party to is "not found".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, delete, or_, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.diligence.assurance_lists import FacilityAssurance, strongest_entry
from battrace.diligence.models import (
    AssuranceScheme,
    AssuranceStatus,
    DdAssurance,
    DdEvidence,
    DdFacility,
    DdRequest,
    DdRequestStatus,
    DdResponse,
    DdTemplate,
)
from battrace.diligence.questions import AnswerType, Material, Question
from battrace.diligence.templates import Template, get_template, template_by_id
from battrace.ids import new_id
from battrace.store.base import utcnow
from battrace.traceability.models import CfpResponseStatus, NotificationType, Trade
from battrace.traceability.notifications import notify

OPEN = (DdRequestStatus.SENT, DdRequestStatus.IN_PROGRESS)
ANSWERABLE = (*OPEN, DdRequestStatus.ANSWERED)
UNKNOWN = "unknown"
YES_NO = ("yes", "no", UNKNOWN)
CID_LENGTH = 9


@dataclass(frozen=True)
class AnswerWrite:
    code: str
    material: str | None
    value: Any
    comment: str | None = None
    evidence: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class FacilityWrite:
    material: str
    facility_id: str | None
    name: str
    country: str | None = None
    scheme: str | None = None
    status: str | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class Signer:
    name: str | None
    title: str | None
    email: str | None


def _notify(
    session: Session, request: DdRequest, kind: NotificationType, sender: uuid.UUID
) -> None:
    trade = session.get(Trade, request.trade_id)
    assert trade is not None  # noqa: S101 (foreign key)
    notify(session, trade=trade, kind=kind, sender=sender, request_type="DD", status_id=request.id)


def _audit(session: Session, action: str, caller: uuid.UUID, request: DdRequest) -> None:
    record_event(
        session,
        action=f"dd_request:{action}",
        actor=caller,
        target_type="dd_request",
        target_id=request.id,
        change={"status": request.status.value, "trade": str(request.trade_id)},
    )


def _materials(raw: Sequence[str]) -> list[str]:
    if not raw:
        raise errors.ValidationFailed("materials: choose at least one material.")
    allowed = {m.value for m in Material}
    bad = [m for m in raw if m not in allowed]
    if bad:
        raise errors.ValidationFailed(
            f"materials: {', '.join(bad)} is not one of {', '.join(sorted(allowed))}."
        )
    return sorted(set(raw))


def send_request(
    session: Session,
    *,
    caller: uuid.UUID,
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
        raise errors.ValidationFailed("dueDate: must not be in the past.")
    if message is not None and len(message) > 1000:
        raise errors.ValidationFailed("message: at most 1000 characters.")
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
    _notify(session, request, NotificationType.REQUEST_NEW, caller)
    _audit(session, "send", caller, request)
    return request


def visible_request(session: Session, *, caller: uuid.UUID, request_id: uuid.UUID) -> DdRequest:
    request = session.get(DdRequest, request_id)
    if request is None or caller not in (
        request.downstream_operator_id,
        request.upstream_operator_id,
    ):
        raise errors.NotFound(f"requestId: no DD request {request_id}.")
    return request


def _as_supplier(session: Session, caller: uuid.UUID, request_id: uuid.UUID) -> DdRequest:
    request = visible_request(session, caller=caller, request_id=request_id)
    if request.upstream_operator_id != caller:
        raise errors.BusinessRuleViolation("requestId: only the supplier can do this.")
    return request


def cancel_request(session: Session, *, caller: uuid.UUID, request_id: uuid.UUID) -> DdRequest:
    """The customer withdraws its request; answers already submitted stay on record."""
    request = visible_request(session, caller=caller, request_id=request_id)
    if request.downstream_operator_id != caller:
        raise errors.BusinessRuleViolation("requestId: only the requesting customer can cancel.")
    if request.status in (DdRequestStatus.CANCELLED, DdRequestStatus.SENT_BACK):
        raise errors.BusinessRuleViolation(f"requestId: the request is {request.status.value}.")
    request.status = DdRequestStatus.CANCELLED
    _drop_draft(session, request.id)
    _notify(session, request, NotificationType.REQUEST_CANCELED, caller)
    _audit(session, "cancel", caller, request)
    return request


def send_back(
    session: Session, *, caller: uuid.UUID, request_id: uuid.UUID, reply_message: str | None
) -> DdRequest:
    """The supplier declines an open request, with a reason for the customer."""
    request = _as_supplier(session, caller, request_id)
    if request.status not in OPEN:
        raise errors.BusinessRuleViolation(
            f"requestId: a {request.status.value} request cannot be sent back."
        )
    if reply_message is not None and len(reply_message) > 1000:
        raise errors.ValidationFailed("replyMessage: at most 1000 characters.")
    request.status = DdRequestStatus.SENT_BACK
    request.reply_message = reply_message
    _drop_draft(session, request.id)
    _notify(session, request, NotificationType.REQUEST_REJECTED, caller)
    _audit(session, "send_back", caller, request)
    return request


def _check_value(question: Question, value: Any, where: str) -> Any:  # noqa: ANN401
    kind = question.answer_type
    if value is None or value == UNKNOWN:
        return UNKNOWN if kind in (AnswerType.YES_NO, AnswerType.CHOICE) else None
    if kind is AnswerType.YES_NO:
        if value not in YES_NO:
            raise errors.ValidationFailed(f"{where}.value: must be yes, no or unknown.")
        return value
    if kind is AnswerType.CHOICE:
        if value not in {c.value for c in question.choices}:
            allowed = ", ".join(c.value for c in question.choices)
            raise errors.ValidationFailed(f"{where}.value: must be one of {allowed}, unknown.")
        return value
    if kind in (AnswerType.PERCENT, AnswerType.NUMBER):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise errors.ValidationFailed(f"{where}.value: must be a number.")
        if kind is AnswerType.PERCENT and not 0 <= value <= 100:
            raise errors.ValidationFailed(f"{where}.value: must be from 0 to 100.")
        return value
    if kind is AnswerType.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise errors.ValidationFailed(f"{where}.value: must be a date YYYY-MM-DD.") from None
    if kind is AnswerType.TEXT:
        if not isinstance(value, str) or len(value) > 2000:
            raise errors.ValidationFailed(f"{where}.value: must be text of at most 2000 chars.")
        return value
    return None  # facility lists and documents are answered by facilities and evidence


def _answers(
    session: Session,
    caller: uuid.UUID,
    template: Template,
    materials: list[str],
    raw: Sequence[AnswerWrite],
) -> list[dict[str, Any]]:
    stored: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None]] = set()
    evidence_ids = {e for answer in raw for e in answer.evidence}
    owned = (
        set(
            session.scalars(
                select(DdEvidence.id).where(
                    DdEvidence.operator_id == caller, DdEvidence.id.in_(evidence_ids)
                )
            )
        )
        if evidence_ids
        else set()
    )
    for i, answer in enumerate(raw):
        where = f"answers[{i}]"
        question = template.question(answer.code)
        if question is None:
            raise errors.ValidationFailed(f"{where}.code: {answer.code} is not in the template.")
        if question.per_material and answer.material not in materials:
            raise errors.ValidationFailed(
                f"{where}.material: must be one of the requested {', '.join(materials)}."
            )
        if not question.per_material and answer.material is not None:
            raise errors.ValidationFailed(f"{where}.material: {answer.code} is company-wide.")
        if (answer.code, answer.material) in seen:
            raise errors.ValidationFailed(f"{where}: {answer.code} is answered twice.")
        seen.add((answer.code, answer.material))
        missing = [e for e in answer.evidence if e not in owned]
        if missing:
            raise errors.ValidationFailed(f"{where}.evidence: no document {missing[0]} of yours.")
        if answer.comment is not None and len(answer.comment) > 2000:
            raise errors.ValidationFailed(f"{where}.comment: at most 2000 characters.")
        stored.append(
            {
                "code": answer.code,
                "material": answer.material,
                "value": _check_value(question, answer.value, where),
                "comment": answer.comment,
                "evidence": [str(e) for e in answer.evidence],
            }
        )
    return stored


def _facilities(
    session: Session, caller: uuid.UUID, materials: list[str], raw: Sequence[FacilityWrite]
) -> list[DdFacility]:
    known = {
        row.facility_id: row
        for row in session.scalars(select(DdAssurance).where(DdAssurance.operator_id == caller))
    }
    rows = []
    for i, item in enumerate(raw):
        where = f"facilities[{i}]"
        if item.material not in materials:
            raise errors.ValidationFailed(
                f"{where}.material: must be one of the requested {', '.join(materials)}."
            )
        cid = (item.facility_id or "").strip().upper() or None
        if cid is not None and not (
            len(cid) == CID_LENGTH and cid.startswith("CID") and cid[3:].isdigit()
        ):
            raise errors.ValidationFailed(f"{where}.facilityId: must be CID and 6 digits.")
        if not item.name.strip() or len(item.name) > 200:
            raise errors.ValidationFailed(f"{where}.name: must be 1 to 200 characters.")
        try:
            scheme = AssuranceScheme(item.scheme) if item.scheme else None
            status = AssuranceStatus(item.status) if item.status else None
        except ValueError:
            raise errors.ValidationFailed(
                f"{where}: scheme must be RMAP, COPPER_MARK or OTHER; status conformant, "
                "active, not_enrolled or unknown."
            ) from None
        valid_to = item.valid_to
        if status is None and cid in known:
            scheme, status, valid_to = known[cid].scheme, known[cid].status, known[cid].valid_to
        rows.append(
            DdFacility(
                id=new_id(),
                material=item.material,
                facility_id=cid,
                name=item.name.strip(),
                country=item.country,
                scheme=scheme,
                status=status or AssuranceStatus.UNKNOWN,
                valid_to=valid_to,
            )
        )
    return rows


def save_draft(
    session: Session,
    *,
    caller: uuid.UUID,
    request_id: uuid.UUID,
    answers: Sequence[AnswerWrite],
    facilities: Sequence[FacilityWrite],
    signer: Signer,
    release_upstream: bool = False,
    source_workbook: str | None = None,
) -> DdResponse:
    """Replace the supplier's draft answer (made on first save)."""
    request = _as_supplier(session, caller, request_id)
    if request.status not in ANSWERABLE:
        raise errors.BusinessRuleViolation(
            f"requestId: a {request.status.value} request cannot be answered."
        )
    template = template_by_id(session, request.template_id)
    stored = _answers(session, caller, template, request.materials, answers)
    facility_rows = _facilities(session, caller, request.materials, facilities)
    if signer.email is not None and ("@" not in signer.email or len(signer.email) > 254):
        raise errors.ValidationFailed("signer.email: must be an e-mail address.")
    draft = current_draft(session, request.id)
    if draft is None:
        draft = DdResponse(id=new_id(), request_id=request.id, operator_id=caller, answers=[])
        session.add(draft)
    else:
        session.execute(delete(DdFacility).where(DdFacility.response_id == draft.id))
    draft.answers = stored
    draft.signer_name, draft.signer_title, draft.signer_email = (
        signer.name,
        signer.title,
        signer.email,
    )
    draft.release_upstream = release_upstream
    draft.source_workbook = source_workbook
    session.flush()
    for row in facility_rows:
        row.response_id = draft.id
        session.add(row)
    if request.status is DdRequestStatus.SENT:
        request.status = DdRequestStatus.IN_PROGRESS
    session.flush()
    return draft


def _drop_draft(session: Session, request_id: uuid.UUID) -> None:
    """An ended request keeps its submitted versions; an unsent draft goes (with its
    facilities, by the foreign key's cascade)."""
    session.execute(
        delete(DdResponse).where(DdResponse.request_id == request_id, DdResponse.version.is_(None))
    )


def current_draft(session: Session, request_id: uuid.UUID) -> DdResponse | None:
    return session.scalar(
        select(DdResponse).where(DdResponse.request_id == request_id, DdResponse.version.is_(None))
    )


def submit(session: Session, *, caller: uuid.UUID, request_id: uuid.UUID) -> DdResponse:
    """Freeze the draft as the next version; the customer is notified."""
    request = _as_supplier(session, caller, request_id)
    if request.status not in ANSWERABLE:
        raise errors.BusinessRuleViolation(
            f"requestId: a {request.status.value} request cannot be answered."
        )
    draft = current_draft(session, request.id)
    if draft is None:
        raise errors.BusinessRuleViolation("requestId: save an answer before submitting it.")
    if not draft.signer_name or not draft.signer_email:
        raise errors.ValidationFailed(
            "signer: the name and e-mail of the person who signs the declaration are required."
        )
    previous = latest_submitted(session, request.id)
    draft.version = (previous.version or 0) + 1 if previous is not None else 1
    draft.supersedes_id = previous.id if previous is not None else None
    draft.submitted_at = utcnow()
    request.status = DdRequestStatus.ANSWERED
    session.flush()
    _notify(session, request, NotificationType.DD_RESPONSED, caller)
    record_event(
        session,
        action="dd_response:submit",
        actor=caller,
        target_type="dd_response",
        target_id=draft.id,
        change={"request": str(request.id), "version": draft.version, "answers": draft.answers},
    )
    return draft


def latest_submitted(session: Session, request_id: uuid.UUID) -> DdResponse | None:
    return session.scalar(
        select(DdResponse)
        .where(DdResponse.request_id == request_id, DdResponse.version.is_not(None))
        .order_by(DdResponse.version.desc())
        .limit(1)
    )


def versions(session: Session, *, caller: uuid.UUID, request_id: uuid.UUID) -> list[DdResponse]:
    """Every submitted version, newest first (the supplier also sees its draft first)."""
    request = visible_request(session, caller=caller, request_id=request_id)
    query = select(DdResponse).where(DdResponse.request_id == request.id)
    if caller != request.upstream_operator_id:
        query = query.where(DdResponse.version.is_not(None))
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda r: -(r.version or 1_000_000))


def facilities_of(
    session: Session, response_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DdFacility]]:
    found: dict[uuid.UUID, list[DdFacility]] = {r: [] for r in response_ids}
    if response_ids:
        for row in session.scalars(
            select(DdFacility)
            .where(DdFacility.response_id.in_(response_ids))
            .order_by(DdFacility.material, DdFacility.name)
        ):
            found[row.response_id].append(row)
    return found


def _listing(caller: uuid.UUID, direction: str | None) -> Select[DdRequest]:
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
    session: Session, *, caller: uuid.UUID, direction: str | None = None
) -> list[DdRequest]:
    """The caller's DD requests, sent (as customer), received (as supplier) or both, newest
    first."""
    listing = _listing(caller, direction)
    return list(session.scalars(listing.order_by(DdRequest.created_at.desc(), DdRequest.id)))


def page_requests(
    session: Session,
    *,
    caller: uuid.UUID,
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


def import_assurances(
    session: Session, *, caller: uuid.UUID, entries: Sequence[FacilityAssurance]
) -> int:
    """Replace the caller's facility assurance list with the rows of a parsed file. A list may
    name a facility under several schemes; the entry that decides its standing today is kept
    (`assurance_lists.strongest_entry`). Returns the number of facilities kept."""
    session.execute(delete(DdAssurance).where(DdAssurance.operator_id == caller))
    today = utcnow().date()
    kept = [
        strongest_entry(cid, entries, today)
        for cid in dict.fromkeys(e.facility_id for e in entries)
    ]
    for entry in filter(None, kept):
        session.add(
            DdAssurance(
                operator_id=caller,
                facility_id=entry.facility_id,
                scheme=entry.scheme,
                status=entry.status,
                valid_to=entry.valid_to,
            )
        )
    session.flush()
    record_event(
        session,
        action="dd_assurance:import",
        actor=caller,
        target_type="dd_assurance",
        target_id=caller,
        change={"rows": len(entries), "facilities": len(kept)},
    )
    return len(kept)


def forget_operators(
    session: Session, *, operator_ids: Sequence[uuid.UUID], trade_ids: Sequence[uuid.UUID]
) -> None:
    """For a data reset: the DD requests on these trades or of these operators, with their
    responses and facilities, and the operators' evidence, assurances and templates."""
    request_ids = select(DdRequest.id).where(
        or_(
            DdRequest.trade_id.in_(trade_ids),
            DdRequest.downstream_operator_id.in_(operator_ids),
            DdRequest.upstream_operator_id.in_(operator_ids),
        )
    )
    response_ids = select(DdResponse.id).where(DdResponse.request_id.in_(request_ids))
    session.execute(delete(DdFacility).where(DdFacility.response_id.in_(response_ids)))
    session.execute(delete(DdResponse).where(DdResponse.request_id.in_(request_ids)))
    session.execute(delete(DdRequest).where(DdRequest.id.in_(request_ids)))
    session.execute(delete(DdEvidence).where(DdEvidence.operator_id.in_(operator_ids)))
    session.execute(delete(DdAssurance).where(DdAssurance.operator_id.in_(operator_ids)))
    session.execute(delete(DdTemplate).where(DdTemplate.owner_operator_id.in_(operator_ids)))
