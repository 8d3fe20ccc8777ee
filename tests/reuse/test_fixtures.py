"""Golden tests on the committed synthetic fade histories (benchmarks/fade_fixtures.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from battrace.reuse import life

FIXTURES = Path(__file__).parent / "fixtures"


def _history(name: str) -> tuple[np.ndarray, np.ndarray]:
    with (FIXTURES / f"fade_{name}.csv").open() as source:
        rows = list(csv.DictReader(source))
    return (
        np.array([[float(r["efc"]) for r in rows]]),
        np.array([[float(r["soh"]) for r in rows]]),
    )


def _life(name: str) -> life.LifeArrays:
    n, soh = _history(name)
    return life.remaining_life(
        n,
        soh,
        soh_eol=np.array([0.6]),
        cap_efc=np.array([1e9]),
        z_default=np.array([0.75]),
        z_conservative=np.array([1.0]),
    )


@pytest.mark.parametrize(
    ("name", "a", "z"), [("lfp_power", 0.00236, 0.53), ("nmc_power", 0.0009, 0.75)]
)
def test_a_noisy_power_law_is_fitted_without_a_knee(name: str, a: float, z: float) -> None:
    found = _life(name)
    assert not found.knee[0]
    assert found.z[0] == pytest.approx(z, abs=0.03)
    n, _ = _history(name)
    last = float(n[0, -1])
    assert found.a[0] * last ** found.z[0] == pytest.approx(a * last**z, rel=0.03)
    assert 0 < found.n_rem_p10[0] < found.n_rem_p50[0]


@pytest.mark.parametrize("name", ["nmc_knee", "lfp_knee"])
def test_an_injected_knee_triggers_the_guard(name: str) -> None:
    found = _life(name)
    n, soh = _history(name)
    assert found.knee[0]
    assert found.recent_slope[0] > 1.5 * found.model_slope[0]
    assert found.n_rem_p50[0] == pytest.approx((soh[0, -1] - 0.6) / found.recent_slope[0])
    # the guard is conservative: the law alone would promise more
    unguarded = (0.4 / found.a[0]) ** (1.0 / found.z[0]) - n[0, -1]
    assert found.n_rem_p50[0] < unguarded


def test_the_knee_shortens_life_against_the_same_law_without_it() -> None:
    assert _life("nmc_knee").n_rem_p50[0] < _life("nmc_power").n_rem_p50[0] / 3
