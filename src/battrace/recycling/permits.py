"""Permits: the activities a waste operator declares it is permitted for (with the permit's
reference and validity), and the check that an event is recorded by an operator holding the
permit its kind needs (`REQUIRED_ROLE`)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest
from battrace.recycling.models import EventKind, Permit, Role

REQUIRED_ROLE: dict[EventKind, tuple[Role, ...]] = {
    EventKind.TAKEN_BACK: (Role.COLLECTOR,),
    EventKind.COLLECTED: (Role.COLLECTOR,),
    EventKind.TRANSPORTED: (Role.TRANSPORTER,),
    EventKind.STORED: (Role.STORAGE, Role.COLLECTOR, Role.TREATMENT, Role.RECYCLER),
    EventKind.HANDED_OVER: tuple(Role),
    EventKind.SENT_FOR_REPURPOSING: tuple(Role),
    EventKind.SENT_FOR_RECYCLING: tuple(Role),
    EventKind.DISMANTLED: (Role.TREATMENT, Role.RECYCLER),
    EventKind.RECYCLED: (Role.RECYCLER,),
}


def declare_permit(
    session: Session, *, caller: uuid.UUID, role: Role, permit_ref: str, valid_until: date | None
) -> Permit:
    """Declare (or renew) the caller's permit for an activity."""
    if not permit_ref.strip():
        raise InvalidRequest("permitRef: the permit's reference is required.")
    permit = session.get(Permit, (caller, role))
    if permit is None:
        permit = Permit(operator_id=caller, role=role)
        session.add(permit)
    permit.permit_ref = permit_ref.strip()
    permit.valid_until = valid_until
    record_event(
        session,
        action=AuditAction.RECYCLING_PERMIT,
        actor=caller,
        target_type="permit",
        target_id=role.value,
        change={"permitRef": permit.permit_ref, "validUntil": str(valid_until)},
    )
    return permit


def authorise(session: Session, caller: uuid.UUID, kind: EventKind, on: date) -> None:
    roles = REQUIRED_ROLE[kind]
    permits = session.scalars(
        select(Permit).where(Permit.operator_id == caller, Permit.role.in_(roles))
    ).all()
    if not any(p.valid_until is None or p.valid_until >= on for p in permits):
        raise AccessDenied(
            f"{kind.value}: needs a valid permit as {' or '.join(r.value for r in roles)}."
        )
