"""Answering a DD request: the supplier's draft, its submission as versions, and reading them.

The supplier keeps one draft per request (answers to the template's questions, the facilities
it names, who signs), replaced on each save and checked against the template and the requested
materials; submitting freezes it as the next immutable version, which supersedes the previous
one, and notifies the customer. The customer sees only submitted versions; the supplier also
sees its draft. Which requests can be answered, and by whom, is `requesting`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.diligence.answers import StoredAnswer
from battrace.diligence.facilities import FacilityWrite, checked_facilities
from battrace.diligence.models import DdEvidence, DdFacility, DdRequestStatus, DdResponse
from battrace.diligence.questions import AnswerType, Question
from battrace.diligence.requesting import ANSWERABLE, as_supplier, notify_parties, visible_request
from battrace.diligence.templates import Template, template_by_id
from battrace.ids import OperatorId, new_id
from battrace.store.base import utcnow
from battrace.traceability.models import NotificationType

UNKNOWN = "unknown"
YES_NO = ("yes", "no", UNKNOWN)


@dataclass(frozen=True)
class AnswerWrite:
    code: str
    material: str | None
    value: Any
    comment: str | None = None
    evidence: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class Signer:
    name: str | None
    title: str | None
    email: str | None


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
    caller: OperatorId,
    template: Template,
    materials: list[str],
    raw: Sequence[AnswerWrite],
) -> list[StoredAnswer]:
    stored: list[StoredAnswer] = []
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
            StoredAnswer(
                code=answer.code,
                material=answer.material,
                value=_check_value(question, answer.value, where),
                comment=answer.comment,
                evidence=[str(e) for e in answer.evidence],
            )
        )
    return stored


def save_draft(
    session: Session,
    *,
    caller: OperatorId,
    request_id: uuid.UUID,
    answers: Sequence[AnswerWrite],
    facilities: Sequence[FacilityWrite],
    signer: Signer,
    release_upstream: bool = False,
    source_workbook: str | None = None,
) -> DdResponse:
    """Replace the supplier's draft answer (made on first save)."""
    request = as_supplier(session, caller, request_id)
    if request.status not in ANSWERABLE:
        raise errors.BusinessRuleViolation(
            f"requestId: a {request.status.value} request cannot be answered."
        )
    template = template_by_id(session, request.template_id)
    stored = _answers(session, caller, template, request.materials, answers)
    facility_rows = checked_facilities(session, caller, request.materials, facilities)
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


def current_draft(session: Session, request_id: uuid.UUID) -> DdResponse | None:
    return session.scalar(
        select(DdResponse).where(DdResponse.request_id == request_id, DdResponse.version.is_(None))
    )


def submit(session: Session, *, caller: OperatorId, request_id: uuid.UUID) -> DdResponse:
    """Freeze the draft as the next version; the customer is notified."""
    request = as_supplier(session, caller, request_id)
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
    notify_parties(session, request, NotificationType.DD_RESPONSED, caller)
    record_event(
        session,
        action=AuditAction.DD_RESPONSE_SUBMIT,
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


def versions(session: Session, *, caller: OperatorId, request_id: uuid.UUID) -> list[DdResponse]:
    """Every submitted version, newest first (the supplier also sees its draft first)."""
    request = visible_request(session, caller=caller, request_id=request_id)
    query = select(DdResponse).where(DdResponse.request_id == request.id)
    if caller != request.upstream_operator_id:
        query = query.where(DdResponse.version.is_not(None))
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda r: -(r.version or 1_000_000))
