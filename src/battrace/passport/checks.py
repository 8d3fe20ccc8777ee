"""Completeness of the responsible operator's passports and models against the Commission's
table (`completeness`), one passport at a time or as a dashboard over many."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.identity.models import Operator
from battrace.passport import composing, readings
from battrace.passport.battery_models import get_own_model
from battrace.passport.catalogue import Level
from battrace.passport.completeness import Completeness, completeness, dashboard
from battrace.passport.document import PassportDocument
from battrace.passport.issuing import own_passport
from battrace.passport.models import BatteryModel, Passport, PassportLink

DASHBOARD_LIMIT = 2_000


def passport_document_of(session: Session, passport: Passport) -> PassportDocument:
    """The whole document of one passport (every attribute: the responsible operator's)."""
    model = session.get(BatteryModel, passport.model_id) if passport.model_id else None
    predecessors = list(
        session.scalars(
            select(PassportLink.predecessor_id).where(PassportLink.successor_id == passport.id)
        )
    )
    return composing.passport_document(
        passport,
        model=model,
        responsible=session.get(Operator, passport.responsible_operator_id),
        predecessors=predecessors,
        latest=readings.latest(session, passport.id),
        events=readings.events(session, passport.id),
    )


def passport_completeness(
    session: Session, *, caller: uuid.UUID, passport_id: uuid.UUID
) -> Completeness:
    passport = own_passport(session, caller=caller, passport_id=passport_id)
    return completeness(passport_document_of(session, passport))


def model_completeness(session: Session, *, caller: uuid.UUID, model_id: uuid.UUID) -> Completeness:
    model = get_own_model(session, caller=caller, model_id=model_id)
    return completeness(composing.model_document(model), level=Level.MODEL)


def operator_dashboard(
    session: Session, *, caller: uuid.UUID, limit: int = DASHBOARD_LIMIT
) -> dict[str, Any]:
    """Completeness totals over the caller's live passports (the newest `limit`)."""
    passports = session.scalars(
        select(Passport)
        .where(Passport.responsible_operator_id == caller, Passport.ended_at.is_(None))
        .order_by(Passport.created_at.desc())
        .limit(limit)
    ).all()
    model_ids = {each.model_id for each in passports if each.model_id}
    models = {
        model.id: model
        for model in session.scalars(select(BatteryModel).where(BatteryModel.id.in_(model_ids)))
    }
    links: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for row in session.execute(
        select(PassportLink).where(PassportLink.successor_id.in_([p.id for p in passports]))
    ).scalars():
        links[row.successor_id].append(row.predecessor_id)
    latest = readings.latest_many(session, [each.id for each in passports])
    operator = session.get(Operator, caller)
    results = [
        completeness(
            composing.passport_document(
                each,
                model=models.get(each.model_id) if each.model_id else None,
                responsible=operator,
                predecessors=links.get(each.id, []),
                latest=latest.get(each.id, {}),
            )
        )
        for each in passports
    ]
    totals = dashboard(results)
    totals["limit"] = limit
    return totals


__all__ = ["model_completeness", "operator_dashboard", "passport_completeness"]
