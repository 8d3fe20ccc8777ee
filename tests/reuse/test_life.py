"""Remaining useful life: the fade-law fit, the single-point default, the guard and the cap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from battrace.reuse import life

EFC = np.array([[0.0, 200.0, 400.0, 600.0, 800.0, 1000.0, 1200.0]])


def _run(n: np.ndarray, soh: np.ndarray, cap: float = 1e9, eol: float = 0.6) -> life.LifeArrays:
    rows = len(n)
    return life.remaining_life(
        n,
        soh,
        soh_eol=np.full(rows, eol),
        cap_efc=np.full(rows, cap),
        z_default=np.full(rows, 0.75),
        z_conservative=np.full(rows, 1.0),
    )


@given(a=st.floats(1e-4, 5e-3), z=st.floats(0.45, 1.15))
@settings(max_examples=40, deadline=None)
def test_the_fit_recovers_a_noiseless_law(a: float, z: float) -> None:
    soh = 1.0 - a * EFC**z
    fa, fz = life.fit_fade(EFC, (1.0 - soh)[:, None, :])
    assert fz[0, 0] == pytest.approx(z, abs=2e-3)
    assert fa[0, 0] * 1200.0 ** fz[0, 0] == pytest.approx(a * 1200.0**z, rel=1e-3)


def test_remaining_life_solves_the_law_for_the_second_life_end() -> None:
    a, z = 0.002, 0.6
    found = _run(EFC, 1.0 - a * EFC**z)
    n_eol = (0.4 / a) ** (1 / z)
    assert found.n_rem_p50[0] == pytest.approx(n_eol - 1200.0, rel=5e-3)
    assert not found.knee[0]
    assert not found.capped[0]


def test_one_point_uses_the_chemistry_default_and_a_conservative_p10() -> None:
    found = _run(np.array([[1000.0]]), np.array([[0.85]]))
    a = 0.15 / 1000.0**0.75
    assert found.z[0] == 0.75
    assert found.a[0] == pytest.approx(a)
    assert found.n_rem_p50[0] == pytest.approx((0.4 / a) ** (1 / 0.75) - 1000.0)
    assert found.n_rem_p10[0] == pytest.approx(0.4 / 0.15 * 1000.0 - 1000.0)  # z = 1: linear
    assert found.n_rem_p10[0] < found.n_rem_p50[0]


def test_the_knee_guard_extrapolates_the_recent_slope() -> None:
    soh = 1.0 - 0.002 * EFC**0.6
    soh[0, -1] = soh[0, -2] - 0.04  # the last 200 EFC lose 4 points: a knee
    found = _run(EFC, soh)
    assert found.knee[0]
    assert found.recent_slope[0] == pytest.approx(0.04 / 200.0)
    assert found.n_rem_p50[0] == pytest.approx((soh[0, -1] - 0.6) / (0.04 / 200.0))


def test_the_calendar_cap_bounds_both_ends_of_the_band() -> None:
    found = _run(EFC, 1.0 - 0.001 * EFC**0.5, cap=1500.0)
    assert found.capped[0]
    assert found.n_rem_p50[0] == 1500.0
    assert found.n_rem_p10[0] <= 1500.0


def test_the_band_is_reproducible_and_ordered() -> None:
    rng = np.random.default_rng(3)
    soh = 1.0 - 0.002 * EFC**0.7 + rng.normal(0.0, 0.005, EFC.shape)
    first, second = _run(EFC, soh), _run(EFC, soh)
    assert first.n_rem_p10[0] == second.n_rem_p10[0]
    assert 0 < first.n_rem_p10[0] < first.n_rem_p50[0]


def test_a_battery_already_below_the_end_has_no_life_left() -> None:
    found = _run(EFC, 1.0 - 0.02 * EFC**0.6)
    assert found.n_rem_p50[0] == 0.0
    assert found.n_rem_p10[0] == 0.0


def test_expected_soh_runs_linearly_to_the_end_of_life() -> None:
    found = _run(np.array([[1000.0]]), np.array([[0.85]])).row(
        0, fitted=False, n_now=1000.0, soh_now=0.85
    )
    assert life.soh_at(found, 0.0, soh_eol=0.6) == 0.85
    assert life.soh_at(found, found.n_rem_p50 / 2, soh_eol=0.6) == pytest.approx(0.725)
    assert life.soh_at(found, found.n_rem_p50 / 2, soh_eol=0.6, p10=True) < 0.725
    assert life.soh_at(found, 1e9, soh_eol=0.6) == 0.6
