"""The directory of companies one may trade with: the companies that chose to be listed
(name and corporate number, nothing else), and the companies the caller already trades with
in either direction (they know each other's names from their requests). The caller itself is
never listed to itself. What a company lists about itself is its own decision
(`identity.operators.set_listing`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from battrace.identity.models import Operator
from battrace.ids import OperatorId
from battrace.traceability.models import Trade


@dataclass(frozen=True)
class Partner:
    operator_id: uuid.UUID
    name: str
    open_operator_id: str
    trading: bool  # a request was sent or received between the two


DIRECTORY_LIMIT = 500


def directory(
    session: Session, *, caller: OperatorId, name_contains: str = "", limit: int = DIRECTORY_LIMIT
) -> list[Partner]:
    """The companies `caller` may pick as a supplier, by name then corporate number (at most
    `limit`; `name_contains` narrows by name, or matches a corporate number exactly)."""
    trading_with = union(
        select(Trade.upstream_operator_id.label("id")).where(
            Trade.downstream_operator_id == caller
        ),
        select(Trade.downstream_operator_id.label("id")).where(
            Trade.upstream_operator_id == caller
        ),
    ).subquery()
    known = set(session.scalars(select(trading_with.c.id)))
    query = select(Operator).where(
        Operator.id != caller,
        or_(Operator.listed_in_directory.is_(True), Operator.id.in_(select(trading_with.c.id))),
    )
    if name_contains:
        needle = name_contains.lower()
        query = query.where(
            or_(
                Operator.name.ilike(f"%{_escaped(needle)}%", escape="\\"),
                Operator.open_operator_id == name_contains,
            )
        )
    rows = session.scalars(query.order_by(Operator.name, Operator.open_operator_id).limit(limit))
    return [Partner(row.id, row.name, row.open_operator_id, row.id in known) for row in rows]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
