"""The worked example of the second-life digest (method UBV-1), reproduced.

Common inputs: a 60 kWh pack, capacity checks at EFC 0/300/…/1500, second life 300 EFC/yr with
a 10-year cap, DoD 0.8, η 0.92; new storage €150/kWh, 6000 EFC, DoD 0.9 (c_new ≈ €0.0335 per
delivered kWh); h = 0.30; repurposing €15/kWh; logistics €300.
"""

from __future__ import annotations

import numpy as np
import pytest

from battrace.reuse import life
from battrace.reuse.valuation import (
    PriceTable,
    RecycleValue,
    deliverable_energy_kwh,
    value,
)

EFC = np.array([[0.0, 300.0, 600.0, 900.0, 1200.0, 1500.0]])
PRICES = PriceTable()
CAP = np.array([PRICES.efc_per_year * PRICES.years_cap])


def _life(soh: np.ndarray) -> life.LifeArrays:
    return life.remaining_life(
        EFC,
        soh,
        soh_eol=np.array([0.6]),
        cap_efc=CAP,
        z_default=np.array([0.75]),
        z_conservative=np.array([1.0]),
    )


def _recycle(amount: float) -> RecycleValue:
    return RecycleValue(amount + 300.0, 0.0, 300.0, amount, {})


def test_parity_price_of_new_storage() -> None:
    assert PRICES.parity_price_per_kwh == pytest.approx(0.0335, abs=5e-5)


def test_lfp_like_pack_is_repurposed_at_the_calendar_cap() -> None:
    soh = 1.0 - 0.00236 * EFC**0.53
    assert soh[0, -1] == pytest.approx(0.885, abs=2e-3)
    found = _life(soh)
    assert found.a[0] == pytest.approx(0.00236, rel=2e-3)
    assert found.z[0] == pytest.approx(0.53, abs=1e-3)
    assert not found.knee[0]
    assert found.capped[0]
    assert found.n_rem_p50[0] == 3000.0
    energy = deliverable_energy_kwh(
        PRICES, rated_energy_kwh=60.0, n_rem=3000.0, soh_now=float(soh[0, -1]), soh_eol=0.6
    )
    assert energy == pytest.approx(98_000, rel=0.01)
    result = value(
        PRICES,
        rated_energy_kwh=60.0,
        energy_kwh=energy,
        h=0.30,
        repurposable=True,
        recycle=_recycle(-60.0),
        purchase_price=None,
    )
    assert result.repurpose_value == pytest.approx(1110, abs=10)
    assert result.value_per_rated_kwh == pytest.approx(18.5, abs=0.2)
    assert result.route == "repurpose"


def test_nmc_like_pack_with_a_knee_is_recycled() -> None:
    a = 0.22 / 1500**0.75
    soh = 1.0 - a * EFC**0.75
    soh[0, -2:] = [0.835, 0.78]  # the knee: the last 300 EFC lose 0.055
    found = _life(soh)
    assert found.knee[0]
    assert found.recent_slope[0] > 1.5 * found.model_slope[0]
    assert found.n_rem_p50[0] == pytest.approx(982, abs=1)
    energy = deliverable_energy_kwh(
        PRICES, rated_energy_kwh=60.0, n_rem=float(found.n_rem_p50[0]), soh_now=0.78, soh_eol=0.6
    )
    assert energy == pytest.approx(30_000, rel=0.01)
    result = value(
        PRICES,
        rated_energy_kwh=60.0,
        energy_kwh=energy,
        h=0.30,
        repurposable=True,
        recycle=_recycle(400.0),
        purchase_price=None,
    )
    assert result.repurpose_value == pytest.approx(-500, abs=10)
    assert result.route == "recycle"
    assert result.residual_value == 400.0
