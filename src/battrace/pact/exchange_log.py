"""The company's PACT exchange log: every pull, event and answer, with its outcome."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.ids import new_id
from battrace.pact.models import ExchangeEntry
from battrace.store.base import utcnow


def record(
    session: Session,
    *,
    operator_id: uuid.UUID,
    direction: str,
    action: str,
    counterparty: str,
    ok: bool,
    detail: str | None = None,
) -> ExchangeEntry:
    entry = ExchangeEntry(
        operator_id=operator_id,
        id=new_id(),
        at=utcnow(),
        direction=direction,
        action=action,
        counterparty=counterparty[:256],
        outcome="ok" if ok else "failed",
        detail=detail,
    )
    session.add(entry)
    return entry


def entries(session: Session, *, caller: uuid.UUID, limit: int = 200) -> list[ExchangeEntry]:
    return list(
        session.scalars(
            select(ExchangeEntry)
            .where(ExchangeEntry.operator_id == caller)
            .order_by(ExchangeEntry.at.desc(), ExchangeEntry.id)
            .limit(limit)
        )
    )
