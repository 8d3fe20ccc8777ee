"""The one place where recycling moves a battery passport (`battrace.passport`'s services):

* a collected battery becomes waste and responsibility moves to the waste operator named at
  collection (Regulation (EU) 2023/1542 Art. 77, Annex XIII 4(c) status `waste`); only the
  passport's responsible operator can make that move, so a collection by it (a producer
  taking back its batteries under Art. 61) moves it, and items it is not responsible for are
  left to their responsible operator;
* a recycled battery's passport ends (Art. 77(8)), by the operator then responsible;
* a model's recycled-content shares fill the `circularity` section of its passport model.

Item ids in a custody lot are passport ids where the product has a passport; any other id (a
serial number of a product without a passport) is left alone. Each call returns what it moved.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import InvalidRequest, NotFound
from battrace.passport import battery_models, lifecycle
from battrace.passport.models import BatteryModel
from battrace.recycling.rules import Element

ELEMENT_NAMES = {
    Element.COBALT: "cobalt",
    Element.LITHIUM: "lithium",
    Element.NICKEL: "nickel",
    Element.LEAD: "lead",
}


def _passport_ids(item_ids: Collection[str]) -> list[uuid.UUID]:
    ids = []
    for item in item_ids:
        try:
            ids.append(uuid.UUID(item))
        except ValueError:
            continue
    return ids


def mark_waste(
    session: Session, *, caller: uuid.UUID, item_ids: Collection[str], responsible: uuid.UUID
) -> list[str]:
    """The caller's items become waste, responsibility moving to `responsible`."""
    moved = []
    for passport_id in _passport_ids(item_ids):
        try:
            lifecycle.mark_waste(
                session,
                caller=caller,
                passport_id=passport_id,
                new_operator_id=responsible,
                reason="collected (battrace.recycling)",
            )
        except (NotFound, InvalidRequest):
            continue  # not the caller's passport, or waste already
        moved.append(str(passport_id))
    return moved


def end_passports(session: Session, *, caller: uuid.UUID, item_ids: Collection[str]) -> list[str]:
    """The items were recycled: the passports the caller is responsible for end."""
    ended = []
    for passport_id in _passport_ids(item_ids):
        try:
            lifecycle.end_by_recycling(
                session, caller=caller, passport_id=passport_id, reason="recycled"
            )
        except (NotFound, InvalidRequest):
            continue
        ended.append(str(passport_id))
    return ended


def fill_recycled_content(
    session: Session,
    *,
    caller: uuid.UUID,
    model_trace_id: uuid.UUID,
    shares: Mapping[Element, Decimal | None],
    source: str,
) -> list[uuid.UUID]:
    """Write a product's recycled-content shares (percent per element) into the caller's
    passport models of that product; returns the models written (none if it has no model)."""
    known = {
        ELEMENT_NAMES[element]: share
        for element, share in shares.items()
        if element in ELEMENT_NAMES and share is not None
    }
    if not known:
        return []
    models = session.scalars(
        select(BatteryModel.id).where(
            BatteryModel.operator_id == caller, BatteryModel.trace_id == model_trace_id
        )
    ).all()
    for model_id in models:
        battery_models.set_recycled_content(
            session, caller=caller, model_id=model_id, shares=known, source=source
        )
    return list(models)
