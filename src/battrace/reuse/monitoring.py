"""Second-life evaluation in use: a system's operator reports its health from time to time;
each report is compared with the band the grading predicted (SOH falling in a straight line
from the weakest pack's SOH to the end of life over its P50, or faster P10, remaining life).
A report below the P10 path raises a notification to the system's operator."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.ids import new_id
from battrace.reuse.market import notify
from battrace.reuse.models import ReuseHealthUpdate, ReuseNotification, ReuseSystem
from battrace.store.base import utcnow


def expected_soh(predicted: dict[str, float], efc_since: float, *, p10: bool) -> float:
    """The SOH the band expects `efc_since` cycles after the hand-over."""
    soh_now, soh_eol = float(predicted["soh_now"]), float(predicted["soh_eol"])
    n_rem = float(predicted["n_rem_p10" if p10 else "n_rem_p50"])
    if n_rem <= 0:
        return soh_eol
    return soh_now - (soh_now - soh_eol) * min(efc_since / n_rem, 1.0)


def own_system(session: Session, *, caller: uuid.UUID, system_id: uuid.UUID) -> ReuseSystem:
    system = session.get(ReuseSystem, (caller, system_id))
    if system is None:
        raise errors.NotFound(f"systemId: no system {system_id} of yours.")
    return system


def list_systems(session: Session, *, caller: uuid.UUID) -> list[ReuseSystem]:
    return list(
        session.scalars(
            select(ReuseSystem)
            .where(ReuseSystem.operator_id == caller)
            .order_by(ReuseSystem.commissioned_at.desc())
        )
    )


def record_health(
    session: Session, *, caller: uuid.UUID, system_id: uuid.UUID, efc_since: float, soh: float
) -> ReuseHealthUpdate:
    """Store one health report of the caller's system and judge it against the band."""
    system = own_system(session, caller=caller, system_id=system_id)
    if not 0.0 <= efc_since <= 1e6:
        raise errors.ValidationFailed("efcSince: a number of cycles from 0 to 1,000,000.")
    if not 0.0 <= soh <= 1.5:
        raise errors.ValidationFailed("soh: a fraction from 0 to 1.5.")
    p50 = expected_soh(system.predicted, efc_since, p10=False)
    p10 = expected_soh(system.predicted, efc_since, p10=True)
    update = ReuseHealthUpdate(
        operator_id=caller,
        id=new_id(),
        system_id=system.id,
        efc_since=Decimal(str(round(efc_since, 5))),
        soh=Decimal(str(round(soh, 5))),
        expected_p50=Decimal(str(round(p50, 5))),
        expected_p10=Decimal(str(round(p10, 5))),
        below_band=soh < p10,
        recorded_at=utcnow(),
    )
    session.add(update)
    if update.below_band:
        notify(
            session,
            operator=caller,
            kind="drift",
            subject=system.id,
            message=(
                f"{system.label}: SOH {soh:.3f} after {efc_since:g} EFC is below the predicted "
                f"band (P10 {p10:.3f}, P50 {p50:.3f})."
            ),
        )
    record_event(
        session,
        action=AuditAction.REUSE_HEALTH_RECORD,
        actor=caller,
        target_type="reuse_system",
        target_id=system.id,
        change={"efc_since": efc_since, "soh": soh, "below_band": update.below_band},
    )
    return update


def health_updates(
    session: Session, *, caller: uuid.UUID, system_id: uuid.UUID
) -> list[ReuseHealthUpdate]:
    own_system(session, caller=caller, system_id=system_id)
    return list(
        session.scalars(
            select(ReuseHealthUpdate)
            .where(
                ReuseHealthUpdate.operator_id == caller, ReuseHealthUpdate.system_id == system_id
            )
            .order_by(ReuseHealthUpdate.efc_since)
        )
    )


def list_notifications(session: Session, *, caller: uuid.UUID) -> list[ReuseNotification]:
    return list(
        session.scalars(
            select(ReuseNotification)
            .where(ReuseNotification.operator_id == caller)
            .order_by(ReuseNotification.created_at.desc())
            .limit(200)
        )
    )
