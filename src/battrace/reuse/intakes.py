"""Diagnostics intakes: record one (from its JSON document, optionally with a cycler export),
read them, and let another operator read one. No operator sees another's intake unless the
owner granted it; an intake the caller may not see is `NotFound`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.ids import new_id
from battrace.reuse import passport_link
from battrace.reuse.cycler import CyclerFile, fade_history, latest_check
from battrace.reuse.diagnostics import intake_document, read_intake
from battrace.reuse.models import ReuseIntake, ReuseIntakeGrant
from battrace.store.base import utcnow


def with_cycler_file(document: Mapping[str, Any], cycler: CyclerFile) -> dict[str, Any]:
    """The document with the cycler file's fade history, and its last cycle as the newest
    capacity check; rated data must be in the document (the history is relative to it)."""
    rated = document.get("rated")
    capacity = rated.get("rated_capacity_ah") if isinstance(rated, Mapping) else None
    if isinstance(capacity, bool) or not isinstance(capacity, int | float) or capacity <= 0:
        raise errors.ValidationFailed("rated.rated_capacity_ah: needed to read a cycler file.")
    merged = dict(document)
    history = fade_history(cycler.cycles, float(capacity))
    merged["history"] = history[:-1]
    merged["capacity_checks"] = [latest_check(cycler.cycles, float(capacity))]
    bms = dict(merged.get("bms") or {})
    bms.setdefault("full_cycles", history[-1]["efc"])
    merged["bms"] = bms
    return merged


def record_intake(
    session: Session,
    *,
    caller: uuid.UUID,
    passport_id: uuid.UUID,
    label: str,
    document: Mapping[str, Any],
    cycler: CyclerFile | None = None,
    source_name: str | None = None,
) -> ReuseIntake:
    """Check and store an intake of a battery whose passport the caller can see. The stored
    document is the normalised one (`intake_document`). Raises ValidationFailed, NotFound."""
    passport_link.passport_exists(session, caller=caller, passport_id=passport_id)
    raw = with_cycler_file(document, cycler) if cycler is not None else document
    normalised = intake_document(read_intake(raw))
    row = ReuseIntake(
        operator_id=caller,
        id=new_id(),
        passport_id=passport_id,
        label=(label or "").strip()[:200] or str(passport_id),
        document=normalised,
        source_name=source_name,
        source_sha256=cycler.sha256 if cycler else None,
        source_rows=cycler.rows if cycler else None,
        recorded_at=utcnow(),
    )
    session.add(row)
    record_event(
        session,
        action=AuditAction.REUSE_INTAKE_RECORD,
        actor=caller,
        target_type="reuse_intake",
        target_id=row.id,
        change={"passport_id": str(passport_id), "document": normalised},
    )
    return row


def _visible(caller: uuid.UUID) -> Any:  # noqa: ANN401 (a SQL expression)
    granted = select(ReuseIntakeGrant.intake_id).where(
        ReuseIntakeGrant.grantee_operator_id == caller
    )
    return or_(ReuseIntake.operator_id == caller, ReuseIntake.id.in_(granted))


def visible_intake(session: Session, *, caller: uuid.UUID, intake_id: uuid.UUID) -> ReuseIntake:
    found = session.scalars(
        select(ReuseIntake).where(ReuseIntake.id == intake_id, _visible(caller))
    ).first()
    if found is None:
        raise errors.NotFound(f"intakeId: no intake {intake_id}.")
    return found


def list_intakes(
    session: Session, *, caller: uuid.UUID, passport_id: uuid.UUID | None = None
) -> list[ReuseIntake]:
    """The caller's intakes and those granted to it, newest first."""
    query = select(ReuseIntake).where(_visible(caller))
    if passport_id is not None:
        query = query.where(ReuseIntake.passport_id == passport_id)
    return list(session.scalars(query.order_by(ReuseIntake.recorded_at.desc()).limit(500)))


def grant_intake(
    session: Session, *, caller: uuid.UUID, intake_id: uuid.UUID, grantee: uuid.UUID
) -> ReuseIntakeGrant:
    """Let `grantee` read one of the caller's intakes and its assessments."""
    intake = session.get(ReuseIntake, (caller, intake_id))
    if intake is None:
        raise errors.NotFound(f"intakeId: no intake {intake_id} of yours.")
    if grantee == caller:
        raise errors.InvalidRequest("operatorId: you see your own intakes already.")
    existing = session.get(ReuseIntakeGrant, (caller, intake_id, grantee))
    if existing is not None:
        return existing
    grant = ReuseIntakeGrant(
        operator_id=caller, intake_id=intake_id, grantee_operator_id=grantee, granted_at=utcnow()
    )
    session.add(grant)
    record_event(
        session,
        action=AuditAction.REUSE_INTAKE_GRANT,
        actor=caller,
        target_type="reuse_intake",
        target_id=intake_id,
        change={"grantee": str(grantee)},
    )
    return grant
