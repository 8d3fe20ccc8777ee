"""Residual value (UBV-1): monotone in health and risk, never below recycling, reproducible."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from battrace import errors
from battrace.reuse.assessment import assess, recompute
from battrace.reuse.valuation import PriceTable, haircut, recycle_value
from tests.reuse.builders import case, intake_doc

PRICES = PriceTable()


def _doc(soh: float, growth: float, missing_pulse: bool = False) -> dict[str, Any]:
    check = {
        "capacity_ah": 150.0 * soh,
        "energy_wh": 60000.0 * soh,
        "temperature_c": 25.0,
        "c_rate": 0.33,
    }
    pulse = dict(intake_doc()["pulses"][0], voltage_after_v=380.0 - growth * 10.0)
    return intake_doc(
        capacity_checks=[check],
        pulses=None if missing_pulse else [pulse],
        history=None,
        bms__full_cycles=900.0,
    )


def _value(soh: float, growth: float, **doc: Any) -> float:
    return assess(case(_doc(soh, growth, **doc))).valuation.residual_value


soh_values = st.floats(0.3, 1.0)
growths = st.floats(1.0, 2.5)


@given(soh=soh_values, drop=st.floats(0.0, 0.3), growth=growths)
@settings(max_examples=60, deadline=None)
def test_value_never_rises_when_soh_falls(soh: float, drop: float, growth: float) -> None:
    assert _value(soh - drop, growth) <= _value(soh, growth) + 1e-9


@given(soh=soh_values, growth=growths, rise=st.floats(0.0, 1.0))
@settings(max_examples=60, deadline=None)
def test_value_never_rises_when_resistance_grows(soh: float, growth: float, rise: float) -> None:
    assert _value(soh, growth + rise) <= _value(soh, growth) + 1e-9


@given(
    unc=st.floats(0.0, 1.0),
    more=st.floats(0.0, 1.0),
    missing=st.integers(0, 12),
    extra=st.integers(0, 5),
)
def test_haircut_grows_with_uncertainty_and_missing_data(
    unc: float, more: float, missing: int, extra: int
) -> None:
    h = haircut(PRICES, relative_uncertainty=unc, missing=missing)
    assert haircut(PRICES, relative_uncertainty=unc + more, missing=missing) >= h
    assert haircut(PRICES, relative_uncertainty=unc, missing=missing + extra) >= h
    assert 0.2 <= h <= 0.6


@given(soh=soh_values, growth=growths, missing_pulse=st.booleans())
@settings(max_examples=60, deadline=None)
def test_value_is_never_below_the_recycling_value_or_zero(
    soh: float, growth: float, missing_pulse: bool
) -> None:
    result = assess(case(_doc(soh, growth, missing_pulse))).valuation
    assert result.residual_value >= max(result.recycle.value, 0.0)
    assert result.residual_value in {result.recycle.value, 0.0, result.repurpose_value}


def test_missing_data_lowers_the_repurpose_value() -> None:
    complete = assess(case(_doc(0.85, 1.1))).valuation
    missing = assess(case(_doc(0.85, 1.1, missing_pulse=True))).valuation
    assert missing.haircut > complete.haircut
    assert missing.repurpose_value < complete.repurpose_value  # type: ignore[operator]


def test_a_gated_battery_is_only_worth_its_metals() -> None:
    result = assess(case(intake_doc(inspection__swelling=True))).valuation
    assert result.repurpose_value is None
    assert result.route in {"recycle", "none"}


def test_recycling_value_from_composition_and_prices() -> None:
    prices = PriceTable.from_table(
        {
            "metals": {"cobalt": {"price_per_kg": 30, "payable": 0.8, "recovery": 0.9}},
            "recycle_per_kg": 1,
        }
    )
    found = recycle_value(prices, contents_kg={"cobalt": 10.0, "unobtainium": 5.0}, mass_kg=100.0)
    assert found.metal_value == pytest.approx(216.0)
    assert found.value == pytest.approx(216.0 - 100.0 - 300.0)


def test_the_share_of_the_purchase_price_and_the_method_are_stated() -> None:
    result = assess(case())
    v = result.valuation
    assert v.share_of_purchase_price == pytest.approx(v.residual_value / 9000.0)
    assert result.method_version == "UBV-1"
    assert len(result.input_hash) == 64
    waterfall = v.waterfall()
    assert waterfall[0] == ("deliverable energy value", v.gross_value)
    assert sum(step for _, step in waterfall[:-1]) == pytest.approx(v.repurpose_value)


def test_an_assessment_is_recomputed_from_its_inputs() -> None:
    first = assess(case(composition={"nickel": 30.0, "cobalt": 9.0}))
    again = recompute(first.inputs, first.method_version)
    assert again == first
    assert again.input_hash == first.input_hash


def test_other_inputs_give_another_hash() -> None:
    assert assess(case()).input_hash != assess(case(prices=PriceTable(logistics=301.0))).input_hash


def test_another_method_is_refused() -> None:
    with pytest.raises(errors.InvalidRequest):
        recompute(assess(case()).inputs, "UBV-0")


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"dod": 1.5}, "dod: must be ≤ 1."),
        ({"logistics": "cheap"}, "logistics: must be a number ≥ 0."),
        ({"haircut_uncertainty": 0.9}, "value could rise"),
        ({"new_cycles": 0}, "new_cycles: must be > 0."),
        ({"metals": {"nickel": {"price_per_kg": 1}}}, "metals.nickel"),
    ],
)
def test_a_bad_price_table_is_refused(table: dict[str, Any], problem: str) -> None:
    with pytest.raises(errors.ValidationFailed) as refused:
        PriceTable.from_table(table)
    assert problem in refused.value.message


def test_a_price_table_round_trips() -> None:
    assert PriceTable.from_table(PRICES.as_table()) == PRICES
