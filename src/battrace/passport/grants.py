"""Legitimate-interest grants: the responsible operator lets another operator (an owner,
repairer, reuser, recycler, ...) read points 2 and 4 of one passport or of every passport of a
model, from a date, optionally until a date, until revoked. A grant speaks for its grantor
only while the grantor is the responsible operator: when responsibility moves, the new
operator's grants count.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.errors import InvalidRequest, NotFound
from battrace.identity.models import Operator
from battrace.ids import new_id
from battrace.passport.access import (
    DEFAULT_INTERESTS,
    Reader,
    Role,
    grant_is_valid,
    role_by_facts,
)
from battrace.passport.models import BatteryModel, Passport, PassportGrant
from battrace.store.base import utcnow


@dataclass(frozen=True)
class GrantRequest:
    grantee_operator_id: uuid.UUID
    interest: str
    passport_id: uuid.UUID | None = None
    model_id: uuid.UUID | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    may_report: bool = False


def grant_access(
    session: Session,
    *,
    caller: uuid.UUID,
    request: GrantRequest,
    interests: frozenset[str] = DEFAULT_INTERESTS,
) -> PassportGrant:
    """Grant legitimate-interest access to one of the caller's passports or models."""
    if (request.passport_id is None) == (request.model_id is None):
        raise InvalidRequest("passportId, modelId: give exactly one.")
    if request.interest not in interests:
        known = ", ".join(sorted(interests))
        raise InvalidRequest(f"interest: {request.interest!r} is not one of {known}.")
    if request.grantee_operator_id == caller:
        raise InvalidRequest("granteeOperatorId: you cannot grant access to yourself.")
    if session.get(Operator, request.grantee_operator_id) is None:
        raise NotFound(f"granteeOperatorId: no operator {request.grantee_operator_id}.")
    if request.passport_id is not None:
        passport = session.get(Passport, request.passport_id)
        if passport is None or passport.responsible_operator_id != caller:
            raise NotFound(f"passportId: no passport {request.passport_id} of yours.")
    if request.model_id is not None:
        model = session.get(BatteryModel, request.model_id)
        if model is None or model.operator_id != caller:
            raise NotFound(f"modelId: no model {request.model_id} of yours.")
    now = utcnow()
    valid_from = request.valid_from or now
    if request.valid_until is not None and request.valid_until <= valid_from:
        raise InvalidRequest("validUntil: must be after validFrom.")
    grant = PassportGrant(
        id=new_id(),
        grantor_operator_id=caller,
        grantee_operator_id=request.grantee_operator_id,
        passport_id=request.passport_id,
        model_id=request.model_id,
        interest=request.interest,
        may_report=request.may_report,
        valid_from=valid_from,
        valid_until=request.valid_until,
        revoked_at=None,
        created_at=now,
    )
    session.add(grant)
    record_event(
        session,
        action="passport-grant:create",
        actor=caller,
        target_type="passport-grant",
        target_id=grant.id,
        change={"grantee": str(grant.grantee_operator_id), "interest": grant.interest},
    )
    return grant


def revoke_grant(session: Session, *, caller: uuid.UUID, grant_id: uuid.UUID) -> PassportGrant:
    grant = session.get(PassportGrant, grant_id)
    if grant is None or grant.grantor_operator_id != caller:
        raise NotFound(f"grantId: no grant {grant_id} of yours.")
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        record_event(
            session,
            action="passport-grant:revoke",
            actor=caller,
            target_type="passport-grant",
            target_id=grant.id,
        )
    return grant


def list_grants(
    session: Session, *, caller: uuid.UUID, received: bool = False
) -> Sequence[PassportGrant]:
    """The grants the caller gave (or, with `received`, was given), newest first."""
    column = PassportGrant.grantee_operator_id if received else PassportGrant.grantor_operator_id
    return session.scalars(
        select(PassportGrant).where(column == caller).order_by(PassportGrant.created_at.desc())
    ).all()


def valid_grants(
    session: Session,
    *,
    operator_id: uuid.UUID,
    passport: Passport,
    now: datetime | None = None,
    interests: frozenset[str] = DEFAULT_INTERESTS,
) -> list[PassportGrant]:
    """The grants that give `operator_id` legitimate interest in `passport` now."""
    now = now or utcnow()
    scope = [PassportGrant.passport_id == passport.id]
    if passport.model_id is not None:
        scope.append(PassportGrant.model_id == passport.model_id)
    rows = session.scalars(
        select(PassportGrant).where(
            PassportGrant.grantee_operator_id == operator_id,
            PassportGrant.grantor_operator_id == passport.responsible_operator_id,
            PassportGrant.revoked_at.is_(None),
            or_(*scope),
        )
    ).all()
    return [
        grant
        for grant in rows
        if grant_is_valid(
            valid_from=grant.valid_from,
            valid_until=grant.valid_until,
            revoked_at=grant.revoked_at,
            interest=grant.interest,
            now=now,
            interests=interests,
        )
    ]


def role_of(
    session: Session,
    reader: Reader,
    passport: Passport,
    *,
    interests: frozenset[str] = DEFAULT_INTERESTS,
) -> Role:
    """The reader's role for this passport."""
    if reader.operator_id is None or reader.operator_id == passport.responsible_operator_id:
        return role_by_facts(
            reader, responsible_operator_id=passport.responsible_operator_id, has_grant=False
        )
    granted = bool(
        valid_grants(
            session, operator_id=reader.operator_id, passport=passport, interests=interests
        )
    )
    return role_by_facts(
        reader, responsible_operator_id=passport.responsible_operator_id, has_grant=granted
    )


__all__ = [
    "GrantRequest",
    "grant_access",
    "list_grants",
    "revoke_grant",
    "role_of",
    "valid_grants",
]
