"""The audit trail: who wrote what, when. Every write records an event inside its own
transaction, so an event exists exactly when its write does.

Events are typed tags of the form ``subject:action`` (``trade:request``, ``cfp:update``) and
carry a SHA-256 digest of the change, so a later dispute can be settled against a copy.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from battrace.audit.actions import AuditAction
from battrace.audit.models import AuditEvent
from battrace.ids import new_id
from battrace.store.base import utcnow


def _digest(change: Mapping[str, Any]) -> str:
    canonical = json.dumps(change, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_event(
    session: Session,
    *,
    action: AuditAction,
    actor: uuid.UUID | None,
    target_type: str,
    target_id: object,
    change: Mapping[str, Any] | None = None,
    account: uuid.UUID | None = None,
) -> AuditEvent:
    """Append one event to the audit log (in the caller's transaction)."""
    event = AuditEvent(
        id=new_id(),
        occurred_at=utcnow(),
        actor_operator_id=actor,
        actor_account_id=account,
        action=action.value,
        target_type=target_type,
        target_id=str(target_id),
        digest=_digest(change) if change is not None else None,
    )
    session.add(event)
    return event


def record_events(
    session: Session,
    *,
    action: AuditAction,
    actor: uuid.UUID | None,
    target_type: str,
    changes: Iterable[tuple[object, Mapping[str, Any]]],
) -> int:
    """Append one event per (target id, change) of one action, in one batch of inserts (a
    bulk write's events); returns how many."""
    occurred_at = utcnow()
    rows = [
        {
            "id": new_id(),
            "occurred_at": occurred_at,
            "actor_operator_id": actor,
            "actor_account_id": None,
            "action": action.value,
            "target_type": target_type,
            "target_id": str(target_id),
            "digest": _digest(change),
        }
        for target_id, change in changes
    ]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(cast(Table, AuditEvent.__table__)), rows[start : start + _BATCH])
    return len(rows)


_BATCH = 2_000

__all__ = ["AuditEvent", "record_event", "record_events"]
