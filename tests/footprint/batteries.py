"""A battery's data and per-battery parts for the declaration and report tests (no store)."""

from __future__ import annotations

import dataclasses

from battrace.footprint.declaration import BatteryData, VehicleCategory
from battrace.footprint.graph import PartNode
from tests.footprint.builders import dec


def per_battery(node: PartNode) -> PartNode:
    """`node` counted and declared per battery (`unit`, `kgCO2e/unit`)."""
    return dataclasses.replace(node, amount_required_unit="unit", declared_unit="kgCO2e/unit")


def battery(**changes: object) -> BatteryData:
    """A 60 kWh M1 battery, 8-year warranty, distribution 57.6 and end of life 28.8 kgCO2e."""
    base = BatteryData(
        usable_energy_kwh=dec(60),
        vehicle_category=VehicleCategory.M1,
        warranty_years=dec(8),
        distribution_kg_co2e=dec("57.6"),
        end_of_life_kg_co2e=dec("28.8"),
        study_link="https://example.com/study?a=1&b=2",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
