"""Reading custody lots: who may see a lot (an operator that held it, recorded an event on
it or was offered it; to anyone else it does not exist), the caller's lots, a lot's events
and items, and the mass balance of its whole history read in one set-based query."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from battrace.errors import NotFound
from battrace.recycling.balance import (
    DEFAULT_TOLERANCE,
    HistoryCheck,
    Tolerance,
    check_history,
)
from battrace.recycling.models import CustodyEvent, CustodyLot, EventKind, LotItem
from battrace.store.base import DECIMAL_PLACES

SCALE = 10**DECIMAL_PLACES  # SQLite keeps a Decimal5 as value x 10^5


def visible_lot(session: Session, *, caller: uuid.UUID, lot_id: uuid.UUID) -> CustodyLot:
    lot = session.get(CustodyLot, lot_id)
    if lot is None or not (
        caller in (lot.custodian_operator_id, lot.receiver_operator_id, lot.created_by_operator_id)
        or session.scalar(
            select(
                exists().where(
                    CustodyEvent.lot_id == lot_id,
                    or_(
                        CustodyEvent.operator_id == caller,
                        CustodyEvent.receiver_operator_id == caller,
                    ),
                )
            )
        )
    ):
        raise NotFound(f"lotId: {lot_id} was not found.")
    return lot


def items_of(session: Session, lot: CustodyLot) -> list[str]:
    """The identified products in a lot or in the lot it was dismantled from."""
    ids = []
    current: CustodyLot | None = lot
    while current is not None:
        ids.append(current.id)
        parent = current.parent_lot_id
        current = None if parent is None else session.get(CustodyLot, parent)
    return list(
        session.scalars(
            select(LotItem.item_id).where(LotItem.lot_id.in_(ids)).order_by(LotItem.item_id)
        )
    )


def list_lots(session: Session, *, caller: uuid.UUID) -> list[CustodyLot]:
    """The lots the caller holds, was offered, or recorded an event on; newest first."""
    touched = select(CustodyEvent.lot_id).where(
        or_(CustodyEvent.operator_id == caller, CustodyEvent.receiver_operator_id == caller)
    )
    return list(
        session.scalars(
            select(CustodyLot)
            .where(
                or_(
                    CustodyLot.custodian_operator_id == caller,
                    CustodyLot.receiver_operator_id == caller,
                    CustodyLot.id.in_(touched),
                )
            )
            .order_by(CustodyLot.created_at.desc(), CustodyLot.code)
        )
    )


def lot_events(session: Session, *, caller: uuid.UUID, lot_id: uuid.UUID) -> list[CustodyEvent]:
    visible_lot(session, caller=caller, lot_id=lot_id)
    return list(
        session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.lot_id == lot_id)
            .order_by(CustodyEvent.sequence)
        )
    )


def lot_items(session: Session, *, caller: uuid.UUID, lot_id: uuid.UUID) -> list[str]:
    return items_of(session, visible_lot(session, caller=caller, lot_id=lot_id))


def check_lot(
    session: Session,
    *,
    caller: uuid.UUID,
    lot_id: uuid.UUID,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> HistoryCheck:
    """The lot's whole history checked for mass balance, read in one set-based query."""
    visible_lot(session, caller=caller, lot_id=lot_id)
    session.flush()  # the read below goes past the ORM
    connection = session.connection()
    # A long history is read with the driver's own cursor: plain tuples, masses as the
    # database keeps them (SQLite: integers x 10^5, compared as such; PostgreSQL: Decimal).
    sqlite = connection.dialect.name == "sqlite"
    marker = "?" if sqlite else "%s"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    statement = (  # constants only; the lot id is a bound parameter
        "SELECT sequence, mass_in_kg, mass_out_kg, loss_kg, units_in, units_out, "  # noqa: S608
        f"kind = '{EventKind.DISMANTLED.value}', units_lost_declared "
        f"FROM {CustodyEvent.__tablename__} WHERE lot_id = {marker} ORDER BY sequence"
    )
    try:
        cursor.execute(statement, (lot_id.hex if sqlite else lot_id,))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return check_history(rows, tolerance, scale=SCALE if sqlite else 1)
