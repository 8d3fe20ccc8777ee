"""Impact figures from the platform's data: CO2e avoided by a second life (new storage's CFP
from the CFP engine), by recovered material (the caller's emission factors, or the labelled
defaults), and the first owner's cost recovered through the residual value.

The arithmetic and its assumptions are `impact`'s; this module only finds the inputs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import InvalidRequest
from battrace.footprint.models import EmissionFactor
from battrace.footprint.view import product_footprint
from battrace.ids import OperatorId, TraceId
from battrace.notes import Note
from battrace.recycling import impact
from battrace.recycling.rules import ZERO, Element
from battrace.traceability.models import AmountUnit


@dataclass(frozen=True)
class SecondLifeInput:
    capacity_kwh: Decimal
    cycles: Decimal
    new_lifetime_cycles: Decimal
    repurposing_kg_co2e: Decimal = ZERO
    new_kg_co2e_per_kwh: Decimal | None = None  # given directly, or:
    new_storage_trace_id: TraceId | None = None  # the caller's storage product, rolled up
    new_storage_capacity_kwh: Decimal | None = None  # its capacity


def second_life(
    session: Session, *, caller: uuid.UUID, given: SecondLifeInput, disclose_by_default: bool
) -> impact.Figure:
    """CO2e avoided by one second life; new storage's CFP per kWh from the CFP engine when a
    storage product is named."""
    if given.new_storage_trace_id is not None:
        if not given.new_storage_capacity_kwh or given.new_storage_capacity_kwh <= ZERO:
            raise InvalidRequest("newStorageCapacityKwh: the storage product's capacity is needed.")
        footprint = product_footprint(
            session,
            viewer=OperatorId(caller),
            trace_id=given.new_storage_trace_id,
            disclose_by_default=disclose_by_default,
        ).footprint
        if footprint.total is None:
            raise InvalidRequest(
                "newStorageTraceId: its CFP is not known yet (a value is missing in its chain)."
            )
        per_kwh = footprint.total / given.new_storage_capacity_kwh
        source = Note(
            f"CFP engine roll-up of {footprint.parts_name}: {footprint.total} kgCO2e / "
            f"{given.new_storage_capacity_kwh} kWh",
            "cfp_rollup",
            part=footprint.parts_name,
            kg=footprint.total,
            kwh=given.new_storage_capacity_kwh,
        )
    elif given.new_kg_co2e_per_kwh is not None:
        per_kwh, source = given.new_kg_co2e_per_kwh, Note("given", "given")
    else:
        raise InvalidRequest("newKgCO2ePerKwh or newStorageTraceId: one is needed.")
    return impact.second_life_avoided(
        capacity_kwh=given.capacity_kwh,
        cycles=given.cycles,
        new_kg_co2e_per_kwh=per_kwh,
        new_lifetime_cycles=given.new_lifetime_cycles,
        repurposing_kg_co2e=given.repurposing_kg_co2e,
        new_source=source,
    )


def material_factors(
    session: Session, *, caller: uuid.UUID
) -> tuple[dict[Element, tuple[Decimal, Decimal]], Note]:
    """The caller's factors named "virgin <El>" and "recycled <El>" (kgCO2e per kilogram),
    each element falling back to the labelled default."""
    rows = session.scalars(
        select(EmissionFactor).where(
            EmissionFactor.operator_id == caller, EmissionFactor.unit == AmountUnit.KILOGRAM
        )
    ).all()
    named = {row.name.strip().lower(): row.kg_co2e_per_unit for row in rows}
    factors = dict(impact.DEFAULT_MATERIAL_FACTORS)
    own = []
    for element in Element:
        virgin = named.get(f"virgin {element.value.lower()}")
        recycled = named.get(f"recycled {element.value.lower()}")
        if virgin is not None and recycled is not None:
            factors[element] = (virgin, recycled)
            own.append(element.value)
    source = impact.DEFAULT_FACTOR_SOURCE
    if own:
        source = Note(
            f"your emission factors for {', '.join(own)}; {source} for the others",
            "own_factors",
            elements=", ".join(own),
            others=source,
        )
    return factors, source


def recycled_material(
    session: Session, *, caller: uuid.UUID, recovered_kg: Mapping[Element, Decimal]
) -> impact.Figure:
    factors, source = material_factors(session, caller=caller)
    return impact.material_avoided(recovered_kg, factors, source)
