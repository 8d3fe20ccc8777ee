"""The public resolver's reads: what a passport's public view depends on (its stamp), in one
statement, and the public view itself in one more.

The public view of a passport is made from the passport row, its model row, the responsible
operator (its name), its links and, where the access policy shows dynamic data, its
readings. Every write to any of them raises the passport's or the model's own version
number, or the data version (`store.version`) of an operator that owns the row (a successor
archives its predecessors, raising their versions; readings raise the responsible
operator's). The stamp holds all those numbers, so an answer kept under a stamp is served
only while none of them moved, and a write through any worker is seen by the next request
to every worker. Whoever keeps answers reads the stamp before the data, so a kept answer is
never older than its stamp (as `store.version.read` does for the contract's caches).

A GS1 Digital Link resolves the battery to its newest passport in the same statement, so a
successor issued for the same battery is found at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, bindparam, cast, func, select

from battrace.errors import InvalidRequest, NotFound
from battrace.identity.models import Operator
from battrace.passport.access import AccessPolicy
from battrace.passport.catalogue import Reader as Role
from battrace.passport.identifiers import normalise_gtin
from battrace.passport.lookup import PassportView, build_view
from battrace.passport.models import BatteryModel, Passport, PassportLink, Publication
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


_NUMBERS = (
    Passport.version,
    Passport.responsible_operator_id,
    func.coalesce(BatteryModel.version, -1),
    _operator_number(Passport.responsible_operator_id),
    _operator_number(BatteryModel.operator_id),
    func.coalesce(select(DataVersion.number).where(DataVersion.id == 1).scalar_subquery(), 0),
)
# Built once: a statement made afresh per request costs more to key and compile than to run.
_STAMP: Select[Any] = select(Passport.id, *_NUMBERS).outerjoin(
    BatteryModel, BatteryModel.id == Passport.model_id
)
_STAMP_BY_ID = _STAMP.where(Passport.id == bindparam("passport_id"))
_STAMP_BY_GS1 = (
    _STAMP.where(Passport.gtin == bindparam("gtin"), Passport.serial == bindparam("serial"))
    .order_by(Passport.created_at.desc(), Passport.version.desc())
    .limit(1)
)


def _linked(column: Any, other: Any) -> Any:  # noqa: ANN401 (SQL expressions)
    """The ids linked to the passport on one side, as one comma-separated text."""
    return (
        select(func.aggregate_strings(cast(column, String), ","))
        .where(other == Passport.id)
        .scalar_subquery()
    )


_PUBLIC_VIEW = (
    select(
        Passport,
        BatteryModel,
        Operator,
        _linked(PassportLink.predecessor_id, PassportLink.successor_id),
        _linked(PassportLink.successor_id, PassportLink.predecessor_id),
        *_NUMBERS,
    )
    .outerjoin(BatteryModel, BatteryModel.id == Passport.model_id)
    .outerjoin(Operator, Operator.id == Passport.responsible_operator_id)
    .where(Passport.id == bindparam("passport_id"))
)


def _stamp(row: Any) -> PublicStamp | None:  # noqa: ANN401 (a row)
    return None if row is None else PublicStamp(passport_id=row[0], numbers=tuple(row[1:]))


def stamp_by_id(database: Database, passport_id: uuid.UUID) -> PublicStamp | None:
    """The stamp of one passport; None if there is no such passport."""
    return _stamp(database.read_row(_STAMP_BY_ID, {"passport_id": passport_id}))


def stamp_by_gs1(database: Database, *, gtin: str, serial: str) -> PublicStamp | None:
    """The stamp of the newest passport of a GS1-identified battery (as
    `lookup.find_by_gs1` chooses it); None for an unknown battery or a malformed GTIN."""
    try:
        full = normalise_gtin(gtin)
    except InvalidRequest:
        return None
    return _stamp(database.read_row(_STAMP_BY_GS1, {"gtin": full, "serial": serial}))


def _ids(text: str | None) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(each) for each in text.split(",")) if text else ()


def public_view(
    database: Database, passport_id: uuid.UUID, policy: AccessPolicy
) -> tuple[PassportView, PublicStamp]:
    """The passport as the public sees it, with the stamp it was made under, read in one
    statement (and the readings, where the policy shows them); NotFound for a draft."""
    session = database.single_read_session()
    try:
        row = session.execute(_PUBLIC_VIEW, {"passport_id": passport_id}).first()
        if row is None or row[0].publication == Publication.DRAFT:
            raise NotFound(f"passportId: no passport {passport_id}.")
        passport, model, operator, predecessors, successors = row[:5]
        view = build_view(
            session,
            passport,
            Role.PUBLIC,
            policy,
            model=model,
            operator=operator,
            predecessors=_ids(predecessors),
            successors=_ids(successors),
        )
    finally:
        session.close()
    return view, PublicStamp(passport_id=passport.id, numbers=tuple(row[5:]))


__all__ = ["PublicStamp", "public_view", "stamp_by_gs1", "stamp_by_id"]
