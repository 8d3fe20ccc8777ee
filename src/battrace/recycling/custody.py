"""Collection and chain of custody: lots of used products (batteries or anything else) as
they are taken back, collected, transported, stored, handed over, sent for repurposing or
recycling, dismantled into modules, cells and fractions, and recycled.

Rules:
* every event is recorded by the lot's custodian, holding a permit for the activity
  (`permits`);
* a hand-over names the receiver; custody moves only when the receiver accepts it, weighing
  what it received (`accept_hand_over`);
* every step balances its masses (`balance.check_step`), refused with nothing stored if not;
* a step whose unit count drops without a declared loss flags the lot (`lost_track`).

The collected items' passports become waste (responsibility moves to the collector), a
recycled lot's passports end, both through `passport_link`. Who sees a lot, and its history's
mass balance, are `lots`'.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.identity.models import Operator
from battrace.ids import new_id
from battrace.recycling import lots, passport_link, permits
from battrace.recycling.balance import (
    check_step,
)
from battrace.recycling.models import (
    CustodyEvent,
    CustodyLot,
    EventKind,
    Fraction,
    LotItem,
    LotStatus,
)
from battrace.store.base import utcnow

ZERO = Decimal(0)
STATUS_AFTER = {
    EventKind.TRANSPORTED: LotStatus.IN_TRANSIT,
    EventKind.STORED: LotStatus.STORED,
    EventKind.SENT_FOR_REPURPOSING: LotStatus.FOR_REPURPOSING,
    EventKind.SENT_FOR_RECYCLING: LotStatus.FOR_RECYCLING,
    EventKind.RECYCLED: LotStatus.RECYCLED,
}
CLOSED = (LotStatus.DISMANTLED, LotStatus.RECYCLED)

# The audit action of each custody event (a test checks every EventKind has one).
EVENT_ACTIONS = {
    EventKind.TAKEN_BACK: AuditAction.CUSTODY_TAKEN_BACK,
    EventKind.COLLECTED: AuditAction.CUSTODY_COLLECTED,
    EventKind.TRANSPORTED: AuditAction.CUSTODY_TRANSPORTED,
    EventKind.STORED: AuditAction.CUSTODY_STORED,
    EventKind.HANDED_OVER: AuditAction.CUSTODY_HANDED_OVER,
    EventKind.SENT_FOR_REPURPOSING: AuditAction.CUSTODY_SENT_FOR_REPURPOSING,
    EventKind.SENT_FOR_RECYCLING: AuditAction.CUSTODY_SENT_FOR_RECYCLING,
    EventKind.DISMANTLED: AuditAction.CUSTODY_DISMANTLED,
    EventKind.RECYCLED: AuditAction.CUSTODY_RECYCLED,
}


def _held_lot(session: Session, caller: uuid.UUID, lot_id: uuid.UUID) -> CustodyLot:
    lot = lots.visible_lot(session, caller=caller, lot_id=lot_id)
    if lot.custodian_operator_id != caller:
        raise AccessDenied(f"lotId: {lot_id} is not in your custody.")
    if lot.status in CLOSED:
        raise InvalidRequest(f"lotId: {lot_id} was {lot.status.value}; it takes no more events.")
    if lot.receiver_operator_id is not None:
        raise InvalidRequest(f"lotId: {lot_id} awaits its receiver's acceptance of a hand-over.")
    return lot


@dataclass(frozen=True)
class Collection:
    code: str
    product_type: str
    member_state: str
    mass_kg: Decimal
    item_ids: tuple[str, ...] = ()
    units: int | None = None
    chemistry: str | None = None
    energy_kwh: Decimal | None = None
    place: str | None = None
    occurred_at: datetime | None = None
    taken_back: bool = False
    responsible: uuid.UUID | None = None  # the waste operator taking responsibility


def collect(session: Session, *, caller: uuid.UUID, collection: Collection) -> CustodyLot:
    """Open a lot with what the caller took back or collected (its first event)."""
    kind = EventKind.TAKEN_BACK if collection.taken_back else EventKind.COLLECTED
    at = collection.occurred_at or utcnow()
    permits.authorise(session, caller, kind, at.date())
    if len(collection.member_state) != 2 or not collection.member_state.isalpha():
        raise InvalidRequest("memberState: the two-letter country of collection is required.")
    if not collection.code.strip() or not collection.product_type.strip():
        raise InvalidRequest("code and productType: must not be empty.")
    check_step(collection.mass_kg, collection.mass_kg)
    if collection.mass_kg <= ZERO:
        raise InvalidRequest("massKg: a collected lot weighs more than 0 kg.")
    items = tuple(dict.fromkeys(collection.item_ids))
    units = collection.units if collection.units is not None else (len(items) or None)
    if units is not None and (units < 0 or units < len(items)):
        raise InvalidRequest(f"units: {units} is fewer than the {len(items)} items listed.")
    lot = CustodyLot(
        id=new_id(),
        code=collection.code.strip(),
        product_type=collection.product_type.strip(),
        fraction=Fraction.PRODUCTS,
        chemistry=collection.chemistry,
        member_state=collection.member_state.upper(),
        created_by_operator_id=caller,
        custodian_operator_id=caller,
        receiver_operator_id=None,
        parent_lot_id=None,
        status=LotStatus.COLLECTED,
        mass_kg=collection.mass_kg,
        units=units,
        energy_kwh=collection.energy_kwh,
        last_sequence=0,
        lost_track=False,
    )
    session.add(lot)
    session.flush()  # items and events reference the lot
    session.add_all(LotItem(lot_id=lot.id, item_id=item) for item in items)
    _append(session, lot, caller, kind, at, collection.place, lot.mass_kg, lot.mass_kg, ZERO)
    responsible = collection.responsible or caller
    if session.get(Operator, responsible) is None:
        raise NotFound(f"responsibleOperatorId: {responsible} was not found.")
    passport_link.mark_waste(session, caller=caller, item_ids=items, responsible=responsible)
    return lot


def _append(
    session: Session,
    lot: CustodyLot,
    caller: uuid.UUID,
    kind: EventKind,
    at: datetime,
    place: str | None,
    mass_in: Decimal,
    mass_out: Decimal,
    loss: Decimal,
    *,
    units_in: int | None = None,
    units_out: int | None = None,
    declared: int = 0,
    receiver: uuid.UUID | None = None,
    note: str | None = None,
) -> CustodyEvent:
    lot.last_sequence += 1
    event = CustodyEvent(
        lot_id=lot.id,
        sequence=lot.last_sequence,
        operator_id=caller,
        kind=kind,
        occurred_at=at,
        place=place,
        mass_in_kg=mass_in,
        mass_out_kg=mass_out,
        loss_kg=loss,
        units_in=lot.units if units_in is None else units_in,
        units_out=lot.units if units_out is None else units_out,
        units_lost_declared=declared,
        receiver_operator_id=receiver,
        accepted_at=None,
        note=note,
    )
    session.add(event)
    record_event(
        session,
        action=EVENT_ACTIONS[kind],
        actor=caller,
        target_type="lot",
        target_id=lot.id,
        change={"sequence": event.sequence, "massOutKg": str(mass_out), "lossKg": str(loss)},
    )
    return event


@dataclass(frozen=True)
class StepWrite:
    kind: EventKind
    mass_out_kg: Decimal
    loss_kg: Decimal = ZERO
    units_out: int | None = None
    units_lost_declared: int = 0
    place: str | None = None
    occurred_at: datetime | None = None
    note: str | None = None


def record_step(
    session: Session, *, caller: uuid.UUID, lot_id: uuid.UUID, step: StepWrite
) -> CustodyEvent:
    """Transport, storage, sending for repurposing or recycling, or recycling of a held lot."""
    if step.kind not in STATUS_AFTER:
        raise InvalidRequest(f"kind: {step.kind.value} is not recorded as a step.")
    lot = _held_lot(session, caller, lot_id)
    at = step.occurred_at or utcnow()
    permits.authorise(session, caller, step.kind, at.date())
    check_step(lot.mass_kg, step.mass_out_kg, step.loss_kg)
    units_in = lot.units
    units_out = units_in if step.units_out is None else step.units_out
    if units_in is not None and units_out is not None and units_out > units_in:
        raise InvalidRequest(f"unitsOut: {units_out} is more than the {units_in} units held.")
    if (
        units_in is not None
        and units_out is not None
        and units_out + step.units_lost_declared < units_in
    ):
        lot.lost_track = True
    event = _append(
        session,
        lot,
        caller,
        step.kind,
        at,
        step.place,
        lot.mass_kg,
        step.mass_out_kg,
        step.loss_kg,
        units_in=units_in,
        units_out=units_out,
        declared=step.units_lost_declared,
        note=step.note,
    )
    lot.mass_kg, lot.units, lot.status = step.mass_out_kg, units_out, STATUS_AFTER[step.kind]
    if step.kind == EventKind.RECYCLED:
        passport_link.end_passports(session, caller=caller, item_ids=lots.items_of(session, lot))
    return event


def hand_over(
    session: Session,
    *,
    caller: uuid.UUID,
    lot_id: uuid.UUID,
    receiver: uuid.UUID,
    place: str | None = None,
    occurred_at: datetime | None = None,
) -> CustodyEvent:
    """Offer a held lot to another operator; custody moves when it accepts."""
    lot = _held_lot(session, caller, lot_id)
    at = occurred_at or utcnow()
    permits.authorise(session, caller, EventKind.HANDED_OVER, at.date())
    if receiver == caller or session.get(Operator, receiver) is None:
        raise NotFound(f"receiverOperatorId: {receiver} was not found.")
    event = _append(
        session,
        lot,
        caller,
        EventKind.HANDED_OVER,
        at,
        place,
        lot.mass_kg,
        lot.mass_kg,
        ZERO,
        receiver=receiver,
    )
    lot.receiver_operator_id, lot.status = receiver, LotStatus.AWAITING_HANDOVER
    return event


def _pending_hand_over(session: Session, caller: uuid.UUID, lot_id: uuid.UUID) -> CustodyLot:
    lot = lots.visible_lot(session, caller=caller, lot_id=lot_id)
    if lot.receiver_operator_id != caller:
        raise InvalidRequest(f"lotId: {lot_id} has no hand-over waiting for you.")
    return lot


def accept_hand_over(
    session: Session,
    *,
    caller: uuid.UUID,
    lot_id: uuid.UUID,
    mass_received_kg: Decimal,
    loss_kg: Decimal = ZERO,
    units_received: int | None = None,
) -> CustodyEvent:
    """The receiver accepts, weighing what it got; the masses must balance with what was sent."""
    lot = _pending_hand_over(session, caller, lot_id)
    permits.authorise(session, caller, EventKind.HANDED_OVER, utcnow().date())
    event = session.get_one(CustodyEvent, (lot.id, lot.last_sequence))
    check_step(event.mass_in_kg, mass_received_kg, loss_kg)
    units = lot.units if units_received is None else units_received
    if lot.units is not None and units is not None and units < lot.units:
        lot.lost_track = True
    event.mass_out_kg, event.loss_kg, event.units_out = mass_received_kg, loss_kg, units
    event.accepted_at = utcnow()
    lot.custodian_operator_id, lot.receiver_operator_id = caller, None
    lot.mass_kg, lot.units, lot.status = mass_received_kg, units, LotStatus.RECEIVED
    record_event(
        session,
        action=AuditAction.CUSTODY_ACCEPTED,
        actor=caller,
        target_type="lot",
        target_id=lot.id,
        change={"sequence": event.sequence, "massReceivedKg": str(mass_received_kg)},
    )
    return event


def decline_hand_over(session: Session, *, caller: uuid.UUID, lot_id: uuid.UUID) -> CustodyLot:
    """The receiver refuses the lot: it stays with the sender."""
    lot = _pending_hand_over(session, caller, lot_id)
    event = session.get_one(CustodyEvent, (lot.id, lot.last_sequence))
    event.note = "declined by the receiver"
    lot.receiver_operator_id, lot.status = None, LotStatus.STORED
    record_event(
        session,
        action=AuditAction.CUSTODY_DECLINED,
        actor=caller,
        target_type="lot",
        target_id=lot.id,
    )
    return lot


@dataclass(frozen=True)
class FractionWrite:
    fraction: Fraction
    mass_kg: Decimal
    units: int | None = None
    code: str | None = None


def dismantle(
    session: Session,
    *,
    caller: uuid.UUID,
    lot_id: uuid.UUID,
    outputs: Sequence[FractionWrite],
    loss_kg: Decimal = ZERO,
    occurred_at: datetime | None = None,
    place: str | None = None,
) -> list[CustodyLot]:
    """Dismantle a held lot into modules, cells or fractions, each a new lot in the caller's
    custody; the outputs and the loss must balance the lot's mass."""
    lot = _held_lot(session, caller, lot_id)
    at = occurred_at or utcnow()
    permits.authorise(session, caller, EventKind.DISMANTLED, at.date())
    if not outputs:
        raise InvalidRequest("outputs: a dismantling yields at least one fraction.")
    if any(o.fraction == Fraction.PRODUCTS or o.mass_kg <= ZERO for o in outputs):
        raise InvalidRequest("outputs: each output is a module, cell or fraction of over 0 kg.")
    total = sum((o.mass_kg for o in outputs), ZERO)
    check_step(lot.mass_kg, total, loss_kg)
    _append(
        session,
        lot,
        caller,
        EventKind.DISMANTLED,
        at,
        place,
        lot.mass_kg,
        total,
        loss_kg,
        units_out=0,
        note=", ".join(f"{o.fraction.value} {o.mass_kg} kg" for o in outputs),
    )
    lot.status = LotStatus.DISMANTLED
    children = []
    for n, output in enumerate(outputs, start=1):
        child = CustodyLot(
            id=new_id(),
            code=output.code or f"{lot.code}/{n}",
            product_type=lot.product_type,
            fraction=output.fraction,
            chemistry=lot.chemistry,
            member_state=lot.member_state,
            created_by_operator_id=caller,
            custodian_operator_id=caller,
            receiver_operator_id=None,
            parent_lot_id=lot.id,
            status=LotStatus.STORED,
            mass_kg=output.mass_kg,
            units=output.units,
            energy_kwh=None,
            last_sequence=0,
            lost_track=False,
        )
        session.add(child)
        session.flush()  # its first event references it
        _append(
            session,
            child,
            caller,
            EventKind.DISMANTLED,
            at,
            place,
            output.mass_kg,
            output.mass_kg,
            ZERO,
        )
        children.append(child)
    return children
