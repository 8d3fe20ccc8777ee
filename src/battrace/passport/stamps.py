"""What a passport's public view depends on, read in one statement: the resolver keeps its
rendered answers per worker under this stamp.

The public view of a passport is made from the passport row, its model row, the responsible
operator (its name) and, where the access policy shows dynamic data, the readings; every
write to any of them raises the passport's or the model's own version number, or the data
version (`store.version`) of the operator that owns the row (readings raise the responsible
operator's). The stamp holds all of those numbers, so an answer kept under a stamp is served
only while none of them moved, and a write through any worker is seen by the next request to
every worker. Reading the stamp before the data keeps a kept answer never older than its
stamp (as `store.version.read` does for the contract's caches).

The GS1 Digital Link look-up resolves the battery to its newest passport in the same
statement, so a successor issued for the same battery is found at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from battrace.errors import InvalidRequest
from battrace.passport.identifiers import normalise_gtin
from battrace.passport.models import BatteryModel, Passport
from battrace.store.engine import Database
from battrace.store.version import DataVersion, OperatorVersion


@dataclass(frozen=True)
class PublicStamp:
    """The passport a look-up found and the numbers its public view depends on."""

    passport_id: uuid.UUID
    numbers: tuple[Any, ...]


def _operator_number(column: Any) -> Any:  # noqa: ANN401 (SQL expressions)
    return func.coalesce(
        select(OperatorVersion.number)
        .where(OperatorVersion.operator_id == column)
        .scalar_subquery(),
        0,
    )


def _stamp_query() -> Select[Any]:
    everyone = select(DataVersion.number).where(DataVersion.id == 1).scalar_subquery()
    return select(
        Passport.id,
        Passport.version,
        Passport.responsible_operator_id,
        func.coalesce(BatteryModel.version, -1),
        _operator_number(Passport.responsible_operator_id),
        _operator_number(BatteryModel.operator_id),
        func.coalesce(everyone, 0),
    ).outerjoin(BatteryModel, BatteryModel.id == Passport.model_id)


def _stamp(database: Database, statement: Select[Any]) -> PublicStamp | None:
    row = database.read_row(statement)
    if row is None:
        return None
    return PublicStamp(passport_id=row[0], numbers=tuple(row[1:]))


def stamp_by_id(database: Database, passport_id: uuid.UUID) -> PublicStamp | None:
    """The stamp of one passport; None if there is no such passport."""
    return _stamp(database, _stamp_query().where(Passport.id == passport_id))


def stamp_by_gs1(database: Database, *, gtin: str, serial: str) -> PublicStamp | None:
    """The stamp of the newest passport of a GS1-identified battery (as
    `lookup.find_by_gs1` chooses it); None for an unknown battery or a malformed GTIN."""
    try:
        full = normalise_gtin(gtin)
    except InvalidRequest:
        return None
    return _stamp(
        database,
        _stamp_query()
        .where(Passport.gtin == full, Passport.serial == serial)
        .order_by(Passport.created_at.desc(), Passport.version.desc())
        .limit(1),
    )


__all__ = ["PublicStamp", "stamp_by_gs1", "stamp_by_id"]
