"""Disclosure control: per customer, a supplier releases or withholds its CFP total, its DQR
and its certificates for a part (contract cfpAcl / cfpCertificationAcl).

A decision not yet taken falls back to the server's `disclose_by_default` policy, which every
reader is handed (`disclose_by_default=`, from `Settings`). Nothing about a supplier's part is
ever shown to an operator that has no trade linked to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import NotFound
from battrace.identity.models import Operator
from battrace.ids import OperatorId, TraceId
from battrace.traceability.models import Disclosure, Part


@dataclass(frozen=True)
class Released:
    total_cfp: bool
    total_dqr: bool
    certificate: bool


def resolve(row: Disclosure | None, default: bool) -> Released:
    """A supplier's decisions, with the default standing in for the ones not taken."""

    def pick(value: bool | None) -> bool:
        return default if value is None else value

    if row is None:
        return Released(default, default, default)
    return Released(pick(row.total_cfp), pick(row.total_dqr), pick(row.certificate))


def released_to(
    session: Session,
    *,
    supplier: uuid.UUID,
    trace_id: TraceId,
    customer: uuid.UUID,
    disclose_by_default: bool,
) -> Released:
    row = session.get(Disclosure, (supplier, trace_id, customer))
    return resolve(row, disclose_by_default)


def set_disclosure(
    session: Session,
    *,
    caller: OperatorId,
    trace_id: TraceId,
    customer: uuid.UUID,
    total_cfp: bool | None = None,
    total_dqr: bool | None = None,
    certificate: bool | None = None,
) -> Disclosure:
    """Record the caller's decision for one of its parts; None leaves an item as it was."""
    if session.get(Part, (caller, trace_id)) is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    if session.get(Operator, customer) is None:
        raise NotFound(f"releasedToOperatorId: {customer} was not found.")
    row = session.get(Disclosure, (caller, trace_id, customer))
    if row is None:
        row = Disclosure(operator_id=caller, trace_id=trace_id, released_to_operator_id=customer)
        session.add(row)
    if total_cfp is not None:
        row.total_cfp = total_cfp
    if total_dqr is not None:
        row.total_dqr = total_dqr
    if certificate is not None:
        row.certificate = certificate
    record_event(
        session,
        action=AuditAction.DISCLOSURE_SET,
        actor=caller,
        target_type="part",
        target_id=trace_id,
        change={
            "customer": str(customer),
            "totalCfp": row.total_cfp,
            "totalDqr": row.total_dqr,
            "certificate": row.certificate,
        },
    )
    return row


def list_disclosures(
    session: Session, *, caller: OperatorId, trace_id: TraceId
) -> list[Disclosure]:
    return list(
        session.scalars(
            select(Disclosure)
            .where(Disclosure.operator_id == caller, Disclosure.trace_id == trace_id)
            .order_by(Disclosure.released_to_operator_id)
        )
    )
