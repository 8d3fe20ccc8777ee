"""Impact figures recomputed by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from battrace.errors import InvalidRequest
from battrace.recycling.impact import cost_recovered_percent, material_avoided, second_life_avoided
from battrace.recycling.rules import Element

D = Decimal


def test_second_life_by_hand() -> None:
    # 40 kWh x 1,500 cycles = 60,000 kWh; new storage: 5,000 cycles -> 12 kWh of new capacity;
    # 12 x 80 kgCO2e/kWh = 960; minus 100 for repurposing = 860 kgCO2e
    figure = second_life_avoided(
        capacity_kwh=D(40),
        cycles=D(1500),
        new_kg_co2e_per_kwh=D(80),
        new_lifetime_cycles=D(5000),
        repurposing_kg_co2e=D(100),
    )
    assert figure.kg_co2e == D("860.000")
    assert any("60000 kWh" in line for line in figure.assumptions)


def test_recycled_material_by_hand() -> None:
    factors = {Element.COBALT: (D(30), D(8)), Element.NICKEL: (D(13), D(4))}
    # Co 10 kg x 22 + Ni 100 kg x 9 = 220 + 900 = 1,120 kgCO2e
    figure = material_avoided({Element.COBALT: D(10), Element.NICKEL: D(100)}, factors, "test")
    assert figure.kg_co2e == D("1120.000")
    assert figure.assumptions[-1] == "factors: test"


def test_cost_recovered() -> None:
    assert cost_recovered_percent(D(3000), D(12000)) == D("25.00")
    with pytest.raises(InvalidRequest):
        cost_recovered_percent(D(1), D(0))
