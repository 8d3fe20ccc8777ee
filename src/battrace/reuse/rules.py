"""Per-operator tables: grading rules (per chemistry family, "*" for every chemistry) and the
price table of the valuation. Each change is a new version; the newest is in force. Without a
table of its own an operator uses the documented defaults (`grading.default_rules`,
`valuation.PriceTable()`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.reuse.grading import GradingRules, default_rules, rules_from_table
from battrace.reuse.health import chemistry_family
from battrace.reuse.models import ReuseTable
from battrace.reuse.valuation import PriceTable
from battrace.store.base import utcnow

GRADING = "grading"
PRICES = "prices"
ALL = "*"


def _newest(session: Session, operator: uuid.UUID, kind: str, chemistry: str) -> ReuseTable | None:
    return session.scalars(
        select(ReuseTable)
        .where(
            ReuseTable.operator_id == operator,
            ReuseTable.kind == kind,
            ReuseTable.chemistry == chemistry,
        )
        .order_by(ReuseTable.version.desc())
        .limit(1)
    ).first()


def set_table(
    session: Session,
    *,
    caller: uuid.UUID,
    kind: str,
    values: Mapping[str, Any],
    chemistry: str = ALL,
) -> ReuseTable:
    """Store the next version of one of the caller's tables after checking it."""
    family = ALL if chemistry in ("", ALL) else chemistry_family(chemistry)
    if kind == GRADING:
        stored = rules_from_table(values, default_rules(family)).as_table()
    elif kind == PRICES:
        if family != ALL:
            raise errors.InvalidRequest("chemistry: a price table is for every chemistry ('*').")
        stored = PriceTable.from_table(values).as_table()
    else:
        raise errors.InvalidRequest(f"kind: {GRADING} or {PRICES}, not {kind!r}.")
    version = session.scalar(
        select(func.coalesce(func.max(ReuseTable.version), 0)).where(
            ReuseTable.operator_id == caller,
            ReuseTable.kind == kind,
            ReuseTable.chemistry == family,
        )
    )
    row = ReuseTable(
        operator_id=caller,
        kind=kind,
        chemistry=family,
        version=int(version or 0) + 1,
        values=stored,
        created_at=utcnow(),
    )
    session.add(row)
    record_event(
        session,
        action=AuditAction.REUSE_GRADING_SET if kind == GRADING else AuditAction.REUSE_PRICES_SET,
        actor=caller,
        target_type="reuse_table",
        target_id=f"{kind}/{family}/{row.version}",
        change=stored,
    )
    return row


def grading_rules(session: Session, *, operator: uuid.UUID, chemistry: str) -> GradingRules:
    """The operator's rules in force for a chemistry: its table for the family, else its
    table for every chemistry, else the documented default."""
    family = chemistry_family(chemistry)
    for key in (family, ALL):
        row = _newest(session, operator, GRADING, key)
        if row is not None:
            return rules_from_table(row.values, default_rules(family))
    return default_rules(family)


def price_table(session: Session, *, operator: uuid.UUID) -> PriceTable:
    row = _newest(session, operator, PRICES, ALL)
    return PriceTable.from_table(row.values) if row is not None else PriceTable()


def list_tables(session: Session, *, caller: uuid.UUID) -> list[ReuseTable]:
    """The newest version of each of the caller's tables."""
    rows = session.scalars(
        select(ReuseTable)
        .where(ReuseTable.operator_id == caller)
        .order_by(ReuseTable.kind, ReuseTable.chemistry, ReuseTable.version.desc())
    )
    newest: dict[tuple[str, str], ReuseTable] = {}
    for row in rows:
        newest.setdefault((row.kind, row.chemistry), row)
    return list(newest.values())
