"""Secondary data: an operator's table of emission factors and the factor it applies to a part
that has no known value (no answer yet, withheld, never requested).

Every function is scoped by the caller: another operator's factor or part is "not found". A
factor's unit must be the part's `amountRequiredUnit` (its value is kgCO2e per that unit).
Services never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.footprint.models import EmissionFactor, PartFactorAssignment
from battrace.footprint.units import check_unit, declared_for
from battrace.ids import OperatorId, TraceId, new_id
from battrace.traceability.models import AmountUnit, Part

_CHUNK = 900


@dataclass(frozen=True)
class Factor:
    """An emission factor as the roll-up uses it: kgCO2e per `unit`, with its source."""

    factor_id: uuid.UUID
    name: str
    unit: str
    kg_co2e_per_unit: Decimal
    source: str
    year: int


def _factor(row: EmissionFactor) -> Factor:
    return Factor(row.id, row.name, row.unit.value, row.kg_co2e_per_unit, row.source, row.year)


def add_factor(
    session: Session,
    *,
    caller: OperatorId,
    name: str,
    unit: AmountUnit,
    kg_co2e_per_unit: Decimal,
    source: str,
    year: int,
) -> Factor:
    """Add a factor to the caller's table. Raises InvalidRequest for a negative value."""
    if kg_co2e_per_unit < 0:
        raise InvalidRequest("kgCO2ePerUnit: must be 0 or more.")
    if not name.strip() or not source.strip():
        raise InvalidRequest("name and source: must not be empty.")
    row = EmissionFactor(
        operator_id=caller,
        id=new_id(),
        name=name,
        unit=unit,
        kg_co2e_per_unit=kg_co2e_per_unit,
        source=source,
        year=year,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        action=AuditAction.EMISSION_FACTOR_CREATE,
        actor=caller,
        target_type="emissionFactor",
        target_id=row.id,
        change={"name": name, "unit": unit.value, "value": str(kg_co2e_per_unit)},
    )
    return _factor(row)


def list_factors(session: Session, *, caller: OperatorId) -> list[Factor]:
    rows = session.scalars(
        select(EmissionFactor)
        .where(EmissionFactor.operator_id == caller)
        .order_by(EmissionFactor.name, EmissionFactor.id)
    )
    return [_factor(row) for row in rows]


def delete_factor(session: Session, *, caller: OperatorId, factor_id: uuid.UUID) -> None:
    """Delete one of the caller's factors and its assignments. Raises NotFound."""
    row = session.get(EmissionFactor, (caller, factor_id))
    if row is None:
        raise NotFound(f"factorId: {factor_id} was not found.")
    session.execute(
        delete(PartFactorAssignment).where(
            PartFactorAssignment.operator_id == caller,
            PartFactorAssignment.factor_id == factor_id,
        )
    )
    session.delete(row)
    record_event(
        session,
        action=AuditAction.EMISSION_FACTOR_DELETE,
        actor=caller,
        target_type="emissionFactor",
        target_id=factor_id,
    )


def assign_factor(
    session: Session, *, caller: OperatorId, trace_id: TraceId, factor_id: uuid.UUID
) -> None:
    """Apply one of the caller's factors to one of its parts (replacing any earlier one).

    Raises NotFound (part or factor not the caller's) and UnitMismatch (the factor is per
    another unit than the part's amountRequiredUnit).
    """
    part = session.get(Part, (caller, trace_id))
    if part is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    factor = session.get(EmissionFactor, (caller, factor_id))
    if factor is None:
        raise NotFound(f"factorId: {factor_id} was not found.")
    check_unit(
        trace_id=trace_id,
        parts_name=part.parts_name,
        amount_unit=None if part.amount_required_unit is None else part.amount_required_unit.value,
        declared_unit=declared_for(factor.unit.value),
    )
    row = session.get(PartFactorAssignment, (caller, trace_id))
    if row is None:
        row = PartFactorAssignment(operator_id=caller, trace_id=trace_id)
        session.add(row)
    row.factor_id = factor_id
    record_event(
        session,
        action=AuditAction.EMISSION_FACTOR_ASSIGN,
        actor=caller,
        target_type="part",
        target_id=trace_id,
        change={"factorId": str(factor_id)},
    )


def unassign_factor(session: Session, *, caller: OperatorId, trace_id: TraceId) -> None:
    """Stop applying a factor to one of the caller's parts. Raises NotFound."""
    row = session.get(PartFactorAssignment, (caller, trace_id))
    if row is None:
        raise NotFound(f"traceId: {trace_id} has no emission factor assigned.")
    session.delete(row)
    record_event(
        session,
        action=AuditAction.EMISSION_FACTOR_UNASSIGN,
        actor=caller,
        target_type="part",
        target_id=trace_id,
    )


def assigned_factors(
    session: Session, *, caller: OperatorId, trace_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Factor]:
    """The caller's factor per part, for the parts given (one query per 900 parts)."""
    wanted = list(dict.fromkeys(trace_ids))
    result: dict[uuid.UUID, Factor] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(PartFactorAssignment.trace_id, EmissionFactor)
            .join(
                EmissionFactor,
                (EmissionFactor.operator_id == PartFactorAssignment.operator_id)
                & (EmissionFactor.id == PartFactorAssignment.factor_id),
            )
            .where(
                PartFactorAssignment.operator_id == caller,
                PartFactorAssignment.trace_id.in_(wanted[start : start + _CHUNK]),
            )
        )
        for trace_id, factor in rows:
            result[trace_id] = _factor(factor)
    return result


def forget_operators(session: Session, *, operator_ids: Sequence[uuid.UUID]) -> None:
    """For a data reset: the operators' factor assignments and factors."""
    session.execute(
        delete(PartFactorAssignment).where(PartFactorAssignment.operator_id.in_(operator_ids))
    )
    session.execute(delete(EmissionFactor).where(EmissionFactor.operator_id.in_(operator_ids)))
