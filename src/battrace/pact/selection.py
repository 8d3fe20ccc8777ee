"""ListFootprints filters as SQL: the v3 criteria and the v2 `$filter` clauses of
`pact.filters` become one condition on `pact_footprints`, so the database selects, orders
and pages (`limit`, the next link's offset) whatever the number of footprints; and the index
rows each footprint keeps for them (`index_footprint`).

The conditions give exactly what matching the served documents would: v3 compares folded
(lower-case) values, v2 compares values as served, text in code-point order (`COLLATE "C"`
on PostgreSQL, SQLite's binary collation), and v2's `created` / `updated` as the served
timestamps, which are whole seconds.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from battrace.pact.filters import (
    COMPANY_IDS,
    GEOGRAPHY_COUNTRY,
    PRODUCT_IDS,
    AnyOf,
    Criteria,
    V2Clause,
    index_of,
    parse_moment,
)
from battrace.pact.mapping import Figures
from battrace.pact.models import FootprintStatus, PactFootprint, PactFootprintTerm

Condition = ColumnElement[bool]
_SECOND = timedelta(seconds=1)


def index_footprint(session: Session, footprint: PactFootprint, figures: Figures) -> None:
    """Set the footprint's filter columns and add its term rows (a new footprint)."""
    index = index_of(figures)
    footprint.reference_period_start = index.reference_period_start
    footprint.reference_period_end = index.reference_period_end
    footprint.valid_from = index.valid_from
    footprint.valid_to = index.valid_to
    session.add_all(
        PactFootprintTerm(
            operator_id=footprint.operator_id,
            footprint_id=footprint.id,
            field=field,
            value=value,
            folded=value.lower(),
        )
        for field, value in index.terms
    )


def _has_term(field: str, condition: Condition) -> Condition:
    return exists().where(
        PactFootprintTerm.operator_id == PactFootprint.operator_id,
        PactFootprintTerm.footprint_id == PactFootprint.id,
        PactFootprintTerm.field == field,
        condition,
    )


# ------------------------------------------------------------------ v3


def _folded_term(field: str) -> Callable[[list[str]], Condition]:
    return lambda values: _has_term(
        field, PactFootprintTerm.folded.in_(sorted({v.lower() for v in values}))
    )


def _status(values: list[str]) -> Condition:
    wanted = {v.lower() for v in values}
    statuses = [status for status in FootprintStatus if status.value.lower() in wanted]
    return PactFootprint.status.in_(statuses) if statuses else false()


def _each_moment(match: Callable[[datetime], Condition]) -> Callable[[list[str]], Condition]:
    return lambda values: or_(*(match(parse_moment(v)) for v in values))


_V3: dict[str, Callable[[list[str]], Condition]] = {
    "productId": _folded_term(PRODUCT_IDS),
    "companyId": _folded_term(COMPANY_IDS),
    # battrace states a country only (no region, no subdivision)
    "geography": _folded_term(GEOGRAPHY_COUNTRY),
    # battrace's v3 footprints carry no productClassifications
    "classification": lambda _values: false(),
    "validOn": _each_moment(
        lambda m: and_(PactFootprint.valid_from <= m, PactFootprint.valid_to >= m)
    ),
    "validAfter": _each_moment(lambda m: PactFootprint.valid_from > m),
    "validBefore": _each_moment(lambda m: PactFootprint.valid_to < m),
    "status": _status,
}


def v3_condition(criteria: Criteria) -> Condition:
    """Every given parameter holds (AND), each by any of its values (OR)."""
    return and_(true(), *(_V3[name](list(values)) for name, values in criteria.values.items()))


# ------------------------------------------------------------------ v2

# SQLAlchemy's columns overload the comparison operators to build conditions.
_COMPARE: dict[str, Callable[[Any, Any], Condition]] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
_PERIODS: dict[str, InstrumentedAttribute[datetime | None]] = {
    "pcf/referencePeriodStart": PactFootprint.reference_period_start,
    "pcf/referencePeriodEnd": PactFootprint.reference_period_end,
}


def _whole_seconds(
    column: InstrumentedAttribute[datetime], operator: str, wanted: datetime
) -> Condition:
    """`column` as served (cut to whole seconds) compared with `wanted`, without cutting the
    column in SQL (so an index on it still serves)."""
    floor = wanted.replace(microsecond=0)
    ceiling = floor if wanted == floor else floor + _SECOND
    if operator == "lt":
        return column < ceiling
    if operator == "le":
        return column < floor + _SECOND
    if operator == "gt":
        return column >= floor + _SECOND
    if operator == "ge":
        return column >= ceiling
    if wanted != floor:  # eq: no served timestamp has a fraction
        return false()
    return and_(column >= floor, column < floor + _SECOND)


def _v2_clause(clause: V2Clause, dialect: str) -> Condition:
    if isinstance(clause, AnyOf):
        return _has_term(clause.collection, PactFootprintTerm.value == clause.value)
    compare = _COMPARE[clause.operator]
    if clause.moment is not None:
        if clause.name == "created":
            return _whole_seconds(PactFootprint.created_at, clause.operator, clause.moment)
        if clause.name == "updated":  # served only once the footprint changed
            return and_(
                PactFootprint.updated_at != PactFootprint.created_at,
                _whole_seconds(PactFootprint.updated_at, clause.operator, clause.moment),
            )
        return compare(_PERIODS[clause.name], clause.moment)
    value = PactFootprintTerm.value
    in_code_points = value.collate("C") if dialect == "postgresql" else value
    return _has_term(clause.name, compare(in_code_points, clause.value))


def v2_condition(clauses: list[V2Clause], dialect: str) -> Condition:
    """Every clause holds."""
    return and_(true(), *(_v2_clause(clause, dialect) for clause in clauses))
