"""Impact figures of the loop, as plain arithmetic with every assumption returned with it.

* **Second life** (against new storage of the same delivered energy): a repurposed battery of
  `capacity_kwh` usable capacity delivering `cycles` full equivalent cycles delivers
  `E = capacity_kwh x cycles` kWh. New stationary storage delivering the same energy would be
  `E / new_lifetime_cycles` kWh of new capacity, made at `new_kg_co2e_per_kwh` (per kWh of
  capacity: a CFP engine roll-up of a storage product divided by its capacity, or a factor)::

      avoided = E / new_lifetime_cycles x new_kg_co2e_per_kwh - repurposing_kg_co2e

* **Recycled material** (against virgin material): per element,
  `avoided_X = recovered_kg_X x (virgin_X - recycled_X)` kgCO2e, with the factors per kg of
  element as given (the defaults below are illustrative orders of magnitude, shown as such in
  every result, to be replaced by the operator's own factors).
* **First owner's cost recovered**: `100 x residual value / purchase price`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from battrace.errors import InvalidRequest
from battrace.notes import Note
from battrace.recycling.rules import HUNDRED, ZERO, Element

_KG = Decimal("0.001")

# kgCO2e per kg of element, (virgin, recycled). Illustrative defaults, labelled as such.
DEFAULT_MATERIAL_FACTORS: Mapping[Element, tuple[Decimal, Decimal]] = {
    Element.COBALT: (Decimal("30"), Decimal("8")),
    Element.NICKEL: (Decimal("13"), Decimal("4")),
    Element.LITHIUM: (Decimal("45"), Decimal("15")),
    Element.COPPER: (Decimal("4"), Decimal("1.5")),
    Element.LEAD: (Decimal("2"), Decimal("0.6")),
}
DEFAULT_FACTOR_SOURCE = Note(
    "battrace illustrative defaults (replace with your own factors)", "default_factors"
)


@dataclass(frozen=True)
class Figure:
    kg_co2e: Decimal
    assumptions: tuple[Note, ...]


def _positive(name: str, value: Decimal) -> None:
    if not value.is_finite() or value <= ZERO:
        raise InvalidRequest(f"{name}: must be more than 0, not {value}.")


def second_life_avoided(
    *,
    capacity_kwh: Decimal,
    cycles: Decimal,
    new_kg_co2e_per_kwh: Decimal,
    new_lifetime_cycles: Decimal,
    repurposing_kg_co2e: Decimal = ZERO,
    new_source: str = Note("given", "given"),
) -> Figure:
    """CO2e avoided by a second life (see the module)."""
    _positive("capacityKwh", capacity_kwh)
    _positive("cycles", cycles)
    _positive("newLifetimeCycles", new_lifetime_cycles)
    if new_kg_co2e_per_kwh < ZERO or repurposing_kg_co2e < ZERO:
        raise InvalidRequest("emission figures: must be 0 or more.")
    delivered = capacity_kwh * cycles
    displaced_kwh = delivered / new_lifetime_cycles
    avoided = displaced_kwh * new_kg_co2e_per_kwh - repurposing_kg_co2e
    return Figure(
        avoided.quantize(_KG),
        (
            Note(
                f"delivered energy in second life: {capacity_kwh} kWh x {cycles} cycles "
                f"= {delivered} kWh",
                "delivered",
                kwh=capacity_kwh,
                cycles=cycles,
                delivered=delivered,
            ),
            Note(
                f"new storage delivers {new_lifetime_cycles} cycles per kWh of capacity, so "
                f"{displaced_kwh.quantize(_KG)} kWh of new capacity is displaced",
                "displaced",
                cycles=new_lifetime_cycles,
                displaced=displaced_kwh.quantize(_KG),
            ),
            Note(
                f"new storage: {new_kg_co2e_per_kwh} kgCO2e per kWh of capacity ({new_source})",
                "new_storage",
                kg=new_kg_co2e_per_kwh,
                source=new_source,
            ),
            Note(
                f"repurposing (testing, new housing, transport): {repurposing_kg_co2e} kgCO2e",
                "repurposing",
                kg=repurposing_kg_co2e,
            ),
        ),
    )


def material_avoided(
    recovered_kg: Mapping[Element, Decimal],
    factors: Mapping[Element, tuple[Decimal, Decimal]] = DEFAULT_MATERIAL_FACTORS,
    source: str = DEFAULT_FACTOR_SOURCE,
) -> Figure:
    """CO2e avoided by recovered material replacing virgin material (see the module)."""
    total = ZERO
    notes: list[Note] = []
    for element, mass in sorted(recovered_kg.items()):
        if mass < ZERO:
            raise InvalidRequest(f"{element}: a recovered mass must be 0 kg or more.")
        if element not in factors:
            notes.append(Note(f"{element}: no factor, not counted", "no_factor", element=element))
            continue
        virgin, recycled = factors[element]
        avoided = mass * (virgin - recycled)
        total += avoided
        notes.append(
            Note(
                f"{element}: {mass} kg x ({virgin} virgin - {recycled} recycled) kgCO2e/kg "
                f"= {avoided.quantize(_KG)} kgCO2e",
                "material",
                element=element,
                mass=mass,
                virgin=virgin,
                recycled=recycled,
                avoided=avoided.quantize(_KG),
            )
        )
    notes.append(Note(f"factors: {source}", "factors", source=source))
    return Figure(total.quantize(_KG), tuple(notes))


def cost_recovered_percent(residual_value: Decimal, purchase_price: Decimal) -> Decimal:
    """The first owner's purchase price recovered through the residual value, in percent."""
    _positive("purchasePrice", purchase_price)
    if residual_value < ZERO:
        raise InvalidRequest("residualValue: must be 0 or more.")
    return (HUNDRED * residual_value / purchase_price).quantize(Decimal("0.01"))
