"""A battery's life after it is placed on the market (Art. 77(7)-(8)).

- Preparation for re-use, preparation for repurposing, repurposing and remanufacturing make a
  **new** passport (status `re-used`, `repurposed` or `remanufactured`, never `original`),
  linked to one or more predecessors (several EV packs may become one storage system), with
  a new responsible operator and possibly a new category; the predecessors are archived.
- Becoming waste keeps the passport and hands responsibility to the producer, its producer
  responsibility organisation or a waste operator.
- Recycling ends the passport: the record stays, archived; the resolver answers it is gone.

`successor_refusal` and `waste_refusal` are the pure rules; the services apply them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.identity.models import Operator
from battrace.ids import new_id
from battrace.passport import history
from battrace.passport.access import LIFECYCLE_INTERESTS
from battrace.passport.grants import valid_grants
from battrace.passport.identifiers import BatteryIdentifier
from battrace.passport.issuing import (
    NewBattery,
    check_item,
    field_change,
    identify,
    own_passport,
    taken_identifiers,
)
from battrace.passport.models import (
    BatteryCategory,
    BatteryModel,
    BatteryStatus,
    Passport,
    PassportLink,
    Publication,
)
from battrace.passport.values import check_sections
from battrace.store.base import utcnow

SUCCESSOR_STATUSES = frozenset(
    {BatteryStatus.REUSED, BatteryStatus.REPURPOSED, BatteryStatus.REMANUFACTURED}
)


# The audit action of each successor status (Art. 77(7): a new passport for each).
SUCCESSOR_ACTIONS = {
    BatteryStatus.REPURPOSED: AuditAction.PASSPORT_REPURPOSED,
    BatteryStatus.REUSED: AuditAction.PASSPORT_REUSED,
    BatteryStatus.REMANUFACTURED: AuditAction.PASSPORT_REMANUFACTURED,
}


def successor_refusal(
    *,
    predecessor_status: BatteryStatus,
    predecessor_category: BatteryCategory,
    ended: bool,
    superseded: bool,
    new_status: BatteryStatus,
    new_category: BatteryCategory,
) -> str | None:
    """Why a successor of this kind may not be made from this predecessor; None if it may."""
    if new_status not in SUCCESSOR_STATUSES:
        return (
            f"status: a successor passport is re-used, repurposed or remanufactured, "
            f"not {new_status.value}."
        )
    if ended:
        return "the battery was recycled; its passport has ended."
    if superseded:
        return "a successor passport already replaced this one."
    if new_status == BatteryStatus.REUSED and new_category != predecessor_category:
        return "category: a re-used battery keeps its category; repurpose it to change it."
    return None


def waste_refusal(*, status: BatteryStatus, ended: bool, superseded: bool) -> str | None:
    if ended:
        return "the battery was recycled; its passport has ended."
    if superseded:
        return "a successor passport replaced this one; the successor becomes waste."
    if status == BatteryStatus.WASTE:
        return "the battery is waste already."
    return None


def recycling_refusal(*, status: BatteryStatus, ended: bool) -> str | None:
    if ended:
        return "the battery was recycled already."
    if status != BatteryStatus.WASTE:
        return "only a waste battery is recycled: mark it waste first."
    return None


def predecessor_for_next_life(
    session: Session, caller: uuid.UUID, passport_id: uuid.UUID
) -> Passport:
    """A predecessor the caller may prepare for its next life: it is responsible for it or
    holds a valid re-use / repurposing / remanufacturing grant on it."""
    passport = session.get(Passport, passport_id, with_for_update=True)
    if passport is None:
        raise NotFound(f"predecessorIds: no passport {passport_id}.")
    if passport.responsible_operator_id == caller:
        return passport
    grants = valid_grants(session, operator_id=caller, passport=passport)
    if any(grant.interest in LIFECYCLE_INTERESTS for grant in grants):
        return passport
    raise NotFound(f"predecessorIds: no passport {passport_id} you may prepare for a new life.")


def _operator(session: Session, operator_id: uuid.UUID, field: str) -> uuid.UUID:
    if session.get(Operator, operator_id) is None:
        raise NotFound(f"{field}: no operator {operator_id}.")
    return operator_id


def create_successor(
    session: Session,
    *,
    caller: uuid.UUID,
    predecessor_ids: Sequence[uuid.UUID],
    status: BatteryStatus,
    new_operator_id: uuid.UUID | None = None,
    category: BatteryCategory | None = None,
    model_id: uuid.UUID | None = None,
    battery: NewBattery | None = None,
    data: Mapping[str, Any] | None = None,
    reason: str | None = None,
    publish: bool = True,
    account: uuid.UUID | None = None,
    consents: Mapping[uuid.UUID, uuid.UUID] | None = None,
) -> Passport:
    """A new passport for a re-used, repurposed or remanufactured battery made from the
    predecessors, with `new_operator_id` (default: the caller) responsible for it.

    `battery` identifies the new battery; with one predecessor and none given, the battery
    keeps its identifier. `model_id` is a model of the new responsible operator.

    Each predecessor is prepared for its next life by the caller, or by the operator
    `consents` names for it (packs of several operators becoming one system, each consenting
    for its own): that operator must be responsible for it or hold a lifecycle grant, and its
    responsibility for it ends with the predecessor archived, in this one transaction."""
    if not predecessor_ids:
        raise InvalidRequest("predecessorIds: give at least one passport.")
    if len(set(predecessor_ids)) != len(predecessor_ids):
        raise InvalidRequest("predecessorIds: a passport is given twice.")
    responsible = _operator(session, new_operator_id or caller, "newOperatorId")
    preparer = {each: (consents or {}).get(each, caller) for each in predecessor_ids}
    predecessors = [
        predecessor_for_next_life(session, preparer[each], each) for each in predecessor_ids
    ]
    superseded = set(
        session.scalars(
            select(PassportLink.predecessor_id).where(
                PassportLink.predecessor_id.in_([p.id for p in predecessors])
            )
        )
    )
    model = None
    if model_id is not None:
        model = session.get(BatteryModel, model_id)
        if model is None or model.operator_id != responsible:
            raise NotFound(f"modelId: no model {model_id} of the new responsible operator.")
    new_category = category or (model.category if model else predecessors[0].category)
    for each in predecessors:
        refusal = successor_refusal(
            predecessor_status=each.status,
            predecessor_category=each.category,
            ended=each.ended_at is not None,
            superseded=each.id in superseded or each.publication == Publication.ARCHIVED,
            new_status=status,
            new_category=new_category,
        )
        if refusal:
            raise InvalidRequest(f"passport {each.id}: {refusal}")
    identifier = _successor_identifier(session, predecessors, battery, model)
    item_data = check_sections(data if data is not None else (battery.data if battery else None))
    check_item(model, item_data, category=new_category)
    now = utcnow()
    successor = Passport(
        id=new_id(),
        responsible_operator_id=responsible,
        issuer_operator_id=caller,
        model_id=model.id if model else None,
        batch_id=None,
        battery_identifier=identifier.text,
        gtin=identifier.gtin,
        serial=identifier.serial,
        category=new_category,
        status=status,
        publication=Publication.ACTIVE if publish else Publication.DRAFT,
        data=item_data,
        version=0,
        head_hash="",
        created_at=now,
        updated_at=now,
        ended_at=None,
    )
    session.add(successor)
    session.flush()
    session.execute(
        insert(PassportLink),
        [{"successor_id": successor.id, "predecessor_id": each.id} for each in predecessors],
    )
    history.record(
        session,
        successor,
        actor=caller,
        account=account,
        action=status.value,
        reason=reason,
        changes=[
            field_change("general.batteryIdentifier", None, identifier.text),
            field_change("general.category", None, new_category.value),
            field_change("general.status", None, status.value),
            field_change("passport.publication", None, successor.publication.value),
            field_change("general.responsibleOperator", None, str(responsible)),
            field_change(
                "general.predecessorPassports", None, [str(each.id) for each in predecessors]
            ),
            *history.diff_document({}, item_data),
        ],
        at=now,
    )
    for each in predecessors:
        previous = each.publication.value
        each.publication = Publication.ARCHIVED
        each.updated_at = now
        history.record(
            session,
            each,
            actor=preparer[each.id],
            account=account if preparer[each.id] == caller else None,
            action="superseded",
            reason=reason,
            changes=[
                field_change("passport.publication", previous, Publication.ARCHIVED.value),
                field_change("passport.successor", None, str(successor.id)),
            ],
            at=now,
        )
    record_event(
        session,
        action=SUCCESSOR_ACTIONS[status],
        actor=caller,
        target_type="passport",
        target_id=successor.id,
        change={
            "predecessors": [str(p.id) for p in predecessors],
            "responsible": str(responsible),
            "preparedBy": {str(each): str(operator) for each, operator in preparer.items()},
        },
    )
    return successor


def _successor_identifier(
    session: Session,
    predecessors: Sequence[Passport],
    battery: NewBattery | None,
    model: BatteryModel | None,
) -> BatteryIdentifier:
    if battery is None:
        if len(predecessors) > 1:
            raise InvalidRequest("battery: a battery made of several needs its own identifier.")
        only = predecessors[0]
        return BatteryIdentifier(only.battery_identifier, only.gtin, only.serial)
    identifier = identify(battery, default_gtin=model.gtin if model else None, field="battery")
    kept = {each.battery_identifier for each in predecessors}
    if identifier.text not in kept and taken_identifiers(session, [identifier.text]):
        raise InvalidRequest(f"battery: a passport already exists for {identifier.text}.")
    return identifier


def mark_waste(
    session: Session,
    *,
    caller: uuid.UUID,
    passport_id: uuid.UUID,
    new_operator_id: uuid.UUID,
    reason: str | None = None,
    account: uuid.UUID | None = None,
) -> Passport:
    """The battery became waste: same passport, status `waste`, and responsibility to
    `new_operator_id` (the producer, its producer responsibility organisation or a waste
    operator; it may be the caller)."""
    passport = own_passport(session, caller=caller, passport_id=passport_id)
    refusal = waste_refusal(
        status=passport.status,
        ended=passport.ended_at is not None,
        superseded=passport.publication == Publication.ARCHIVED,
    )
    if refusal:
        raise InvalidRequest(f"passport {passport.id}: {refusal}")
    _operator(session, new_operator_id, "newOperatorId")
    now = utcnow()
    changes = [field_change("general.status", passport.status.value, BatteryStatus.WASTE.value)]
    if new_operator_id != passport.responsible_operator_id:
        changes.append(
            field_change(
                "general.responsibleOperator",
                str(passport.responsible_operator_id),
                str(new_operator_id),
            )
        )
    passport.status = BatteryStatus.WASTE
    passport.responsible_operator_id = new_operator_id
    passport.updated_at = now
    history.record(
        session,
        passport,
        actor=caller,
        account=account,
        action="waste",
        reason=reason,
        changes=changes,
        at=now,
    )
    record_event(
        session,
        action=AuditAction.PASSPORT_WASTE,
        actor=caller,
        target_type="passport",
        target_id=passport.id,
        change={"responsible": str(new_operator_id)},
    )
    return passport


def end_by_recycling(
    session: Session,
    *,
    caller: uuid.UUID,
    passport_id: uuid.UUID,
    reason: str | None = None,
    account: uuid.UUID | None = None,
) -> Passport:
    """The waste battery was recycled: the passport ceases (kept archived as a tombstone)."""
    passport = own_passport(session, caller=caller, passport_id=passport_id)
    refusal = recycling_refusal(status=passport.status, ended=passport.ended_at is not None)
    if refusal:
        raise InvalidRequest(f"passport {passport.id}: {refusal}")
    now = utcnow()
    previous = passport.publication.value
    passport.ended_at = now
    passport.publication = Publication.ARCHIVED
    passport.updated_at = now
    history.record(
        session,
        passport,
        actor=caller,
        account=account,
        action="recycled",
        reason=reason,
        changes=[
            field_change("passport.publication", previous, Publication.ARCHIVED.value),
            field_change("passport.endedAt", None, now.isoformat()),
        ],
        at=now,
    )
    record_event(
        session,
        action=AuditAction.PASSPORT_RECYCLED,
        actor=caller,
        target_type="passport",
        target_id=passport.id,
    )
    return passport


__all__ = [
    "SUCCESSOR_STATUSES",
    "create_successor",
    "end_by_recycling",
    "mark_waste",
    "recycling_refusal",
    "successor_refusal",
    "waste_refusal",
]
