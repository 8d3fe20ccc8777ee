"""State of health from an intake, and the DCIR extraction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from battrace import errors
from battrace.reuse.diagnostics import ImpedanceSpectrum, intake_document, read_intake
from battrace.reuse.health import arrhenius_to_reference, assess_health
from battrace.reuse.signals import dcir_from_samples, dcir_mohm, ohmic_resistance_mohm
from tests.reuse.builders import intake_doc


def test_the_metrics_of_a_reference_intake() -> None:
    health = assess_health(read_intake(intake_doc()))
    assert health.soh_c == pytest.approx(127.5 / 150)
    assert health.soh_e == pytest.approx(0.85)
    assert health.soh == health.soh_e
    assert health.basis == "energy"
    assert health.soce == pytest.approx(51000 / 58000)
    assert health.resistance_mohm == pytest.approx(120.0)
    assert health.resistance_growth == pytest.approx(1.2)
    assert health.power_fade == pytest.approx(1 - 1 / 1.2)
    assert health.remaining_power_w == pytest.approx(150000 / 1.2)
    assert health.round_trip_efficiency == pytest.approx(51000 / 54000)
    assert health.self_discharge_pct_day == pytest.approx(0.1)
    assert health.module_spread == pytest.approx(1.0 / 127.5)
    assert health.module_voltage_spread_mv == pytest.approx(10.0)
    assert health.flags == ()


def test_a_check_out_of_reference_conditions_is_flagged_with_its_rule() -> None:
    check = {"capacity_ah": 120.0, "temperature_c": 40.0, "c_rate": 1.0}
    health = assess_health(read_intake(intake_doc(capacity_checks=[check])))
    assert health.flag_codes == ("capacity_out_of_reference",)
    assert "40 °C" in health.flags[0].rule
    assert health.basis == "capacity"
    assert health.soh == pytest.approx(0.8)


def test_the_reference_check_wins_over_another() -> None:
    hot = {"capacity_ah": 140.0, "temperature_c": 45.0, "c_rate": 1.0}
    ref = {"capacity_ah": 120.0, "temperature_c": 24.0, "c_rate": 0.2}
    health = assess_health(read_intake(intake_doc(capacity_checks=[hot, ref])))
    assert health.soh_c == pytest.approx(0.8)
    assert health.flags == ()


def test_a_warm_pulse_is_normalised_to_25_c_by_arrhenius() -> None:
    pulse = dict(intake_doc()["pulses"][0], temperature_c=35.0)
    health = assess_health(read_intake(intake_doc(pulses=[pulse])))
    expected = 120.0 * math.exp(-0.25 / 8.617333262e-5 * (1 / 308.15 - 1 / 298.15))
    assert health.resistance_mohm == pytest.approx(expected)
    assert health.resistance_mohm > 120.0  # warmer cells read lower; at 25 °C it is higher
    assert any("Arrhenius" in rule for rule in health.rules)


def test_a_pulse_far_out_of_range_is_excluded_and_flagged() -> None:
    pulse = dict(intake_doc()["pulses"][0], temperature_c=55.0)
    health = assess_health(read_intake(intake_doc(pulses=[pulse])))
    assert health.resistance_mohm is None
    assert "pulse_out_of_range" in health.flag_codes


def test_arrhenius_is_identity_at_reference() -> None:
    assert arrhenius_to_reference(10.0, 25.0, 0.3) == 10.0


def test_resistance_from_a_synthetic_pulse_within_one_percent() -> None:
    # 2 ohm-free source: OCV 3.70 V, R0 = 1.2 mΩ, an RC branch (R1 = 0.8 mΩ, τ = 5 s), noise.
    rng = np.random.default_rng(7)
    t = np.arange(0.0, 30.0, 0.1)
    step_at = 5.0
    current = np.where(t >= step_at, -150.0, 0.0)
    since = np.clip(t - step_at, 0.0, None)
    r0, r1, tau = 1.2e-3, 0.8e-3, 5.0
    voltage = 3.70 + current * (r0 + r1 * (1 - np.exp(-since / tau)))
    voltage = voltage + rng.normal(0.0, 2e-5, t.shape)
    expected = (r0 + r1 * (1 - math.exp(-10.0 / tau))) * 1000.0
    found = dcir_from_samples(list(t), list(voltage), list(current), at_s=10.0)
    assert found == pytest.approx(expected, rel=0.01)


def test_dcir_refuses_a_pulse_without_a_current_step() -> None:
    with pytest.raises(errors.InvalidRequest):
        dcir_mohm(3.7, 3.6, 10.0, 10.0)


def test_ohmic_resistance_is_the_zero_crossing_of_the_spectrum() -> None:
    spectrum = ImpedanceSpectrum(
        frequencies_hz=(10000.0, 1000.0, 100.0, 10.0),
        real_ohm=(0.0010, 0.0012, 0.0016, 0.0022),
        imag_ohm=(0.0004, -0.0002, -0.0005, -0.0003),
    )
    # crosses between 10 kHz (+0.4 mΩ) and 1 kHz (−0.2 mΩ): 1/3 of the way from 1.0 to 1.2
    assert ohmic_resistance_mohm(spectrum) == pytest.approx(1.0 + 0.2 * (0.4 / 0.6))


def test_the_document_round_trips() -> None:
    intake = read_intake(intake_doc())
    assert read_intake(intake_document(intake)) == intake


def test_every_problem_is_named_by_its_path() -> None:
    doc = intake_doc(rated__rated_energy_wh="big", capacity_checks=[{"capacity_ah": -1}])
    doc["bms"]["negative_events"] = [{"kind": "meteor"}]
    with pytest.raises(errors.ValidationFailed) as refused:
        read_intake(doc)
    message = refused.value.message
    assert "rated.rated_energy_wh: must be a number." in message
    assert "capacity_checks[0].capacity_ah: must be ≥ 0." in message
    assert "capacity_checks[0].temperature_c: is required." in message
    assert "bms.negative_events[0].kind: must be one of" in message
