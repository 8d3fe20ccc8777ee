"""The unit rule of a roll-up: a value used through an edge is in kgCO2e per the unit the edge's
amount is counted in.

A child part's `amountRequired` is in its `amountRequiredUnit` (`kilogram`) per unit of the
parent, so the child's CFP must be declared per that same unit (`kgCO2e/kilogram`); then
amount x CFP is kgCO2e per unit of the parent. A mismatch is an error naming the part, never a
silently wrong number. A part with no `amountRequiredUnit` has nothing to check against.
"""

from __future__ import annotations

import uuid

from battrace.errors import InvalidRequest

DECLARED_PREFIX = "kgCO2e/"


class UnitMismatch(InvalidRequest):
    """A part's CFP is declared per another unit than its amount is counted in."""

    def __init__(
        self, *, trace_id: uuid.UUID, parts_name: str, amount_unit: str, declared_unit: str
    ) -> None:
        super().__init__(
            f"traceId: {trace_id} ({parts_name}): amountRequiredUnit is {amount_unit} but its "
            f"CFP is declared in {declared_unit}; expected {declared_for(amount_unit)}."
        )
        self.trace_id = trace_id
        self.parts_name = parts_name
        self.amount_unit = amount_unit
        self.declared_unit = declared_unit


def declared_for(amount_unit: str) -> str:
    """The CFP unit that fits an amount unit: `kilogram` -> `kgCO2e/kilogram`."""
    return f"{DECLARED_PREFIX}{amount_unit}"


def check_unit(
    *,
    trace_id: uuid.UUID,
    parts_name: str,
    amount_unit: str | None,
    declared_unit: str | None,
) -> None:
    """Raise `UnitMismatch` unless the declared CFP unit fits the amount unit (or one is unset)."""
    if amount_unit is None or declared_unit is None:
        return
    if declared_unit != declared_for(amount_unit):
        raise UnitMismatch(
            trace_id=trace_id,
            parts_name=parts_name,
            amount_unit=amount_unit,
            declared_unit=declared_unit,
        )
