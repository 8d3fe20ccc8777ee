"""Grading: each safety gate with its reason code, each grade boundary, rule tables."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from battrace import errors
from battrace.reuse.diagnostics import read_intake
from battrace.reuse.grading import (
    DEFAULT_RULES,
    RECYCLE,
    UL1974_TESTS,
    grade,
    grade_for,
    rules_from_table,
)
from battrace.reuse.health import assess_health
from tests.reuse.builders import TODAY, intake_doc


def _grade(doc: dict[str, Any]) -> Any:
    intake = read_intake(doc)
    return grade(intake, assess_health(intake), DEFAULT_RULES, TODAY)


def test_a_healthy_pack_is_grade_a_with_its_uses() -> None:
    found = _grade(intake_doc())
    assert found.grade == "A"
    assert "EV re-use" in found.uses
    assert found.gates == ()
    assert found.tests_present == UL1974_TESTS
    assert found.tests_missing == ()


def _event(kind: str) -> dict[str, Any]:
    doc = intake_doc()
    doc["bms"]["negative_events"] = [{"kind": kind, "on": "2024-01-01"}]
    return doc


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        (intake_doc(inspection__swelling=True), "SAFETY_SWELLING"),
        (intake_doc(inspection__leak=True), "SAFETY_LEAK"),
        (intake_doc(inspection__damage=True), "SAFETY_DAMAGE"),
        (intake_doc(inspection__isolation_resistance_ohm_per_v=99.0), "SAFETY_ISOLATION"),
        (intake_doc(inspection__bms_operational=False), "BMS_FAULT"),
        (_event("thermal_event"), "EVENT_THERMAL_EVENT"),
        (_event("deep_discharge"), "EVENT_DEEP_DISCHARGE"),
        (_event("crash"), "EVENT_CRASH"),
        (intake_doc(rated__calendar_expiry="2026-11-30"), "CALENDAR_EXPIRED"),
        (
            intake_doc(requested_level="module", bms__lifetime_data_complete=False),
            "NO_LIFETIME_DATA",
        ),
        (intake_doc(self_discharge={"hours": 24.0, "soc_loss_pct": 0.6}), "SELF_DISCHARGE"),
        (
            intake_doc(
                modules=[
                    {"module": "1", "capacity_ah": 100.0},
                    {"module": "2", "capacity_ah": 125.0},
                ]
            ),
            "MODULE_SPREAD",
        ),
    ],
)
def test_each_gate_sends_the_battery_to_recycling_with_its_code(
    doc: dict[str, Any], code: str
) -> None:
    found = _grade(doc)
    assert found.grade == RECYCLE
    assert found.reason_codes == (code,)
    assert found.uses == ()


def test_gates_just_inside_their_limits_pass() -> None:
    doc = intake_doc(
        inspection__isolation_resistance_ohm_per_v=100.0,
        rated__calendar_expiry="2026-12-01",
        self_discharge={"hours": 24.0, "soc_loss_pct": 0.5},
        requested_level="module",
    )
    doc["bms"]["negative_events"] = [{"kind": "over_voltage"}]
    assert _grade(doc).gates == ()


def test_several_gates_are_all_reported() -> None:
    found = _grade(intake_doc(inspection__swelling=True, inspection__leak=True))
    assert found.reason_codes == ("SAFETY_SWELLING", "SAFETY_LEAK")


@pytest.mark.parametrize(
    ("soh", "growth", "expected"),
    [
        (0.80, 1.3, "A"),
        (0.7999, 1.3, "B"),
        (0.80, 1.3001, "B"),
        (0.70, 1.6, "B"),
        (0.6999, 1.6, "C"),
        (0.70, 1.6001, "C"),
        (0.60, 2.0, "C"),
        (0.5999, 1.0, None),
        (0.95, 2.0001, None),
        (0.85, None, "A"),
    ],
)
def test_grade_boundaries(soh: float, growth: float | None, expected: str | None) -> None:
    found = grade_for(soh, growth, DEFAULT_RULES)
    assert (found.grade if found else None) == expected


def test_below_the_last_grade_is_recycle_without_a_gate() -> None:
    doc = intake_doc(
        capacity_checks=[
            {"capacity_ah": 80.0, "energy_wh": 33000.0, "temperature_c": 25.0, "c_rate": 0.3}
        ]
    )
    found = _grade(doc)
    assert found.grade == RECYCLE
    assert found.gates == ()


def test_missing_tests_are_listed() -> None:
    found = _grade(intake_doc(pulses=None, self_discharge=None, inspection=None))
    assert set(found.tests_missing) == {
        "physical_inspection",
        "isolation_resistance",
        "bms_check",
        "dcir",
        "self_discharge",
    }
    assert "resistance_growth" in found.missing_data


def test_an_operator_table_overrides_the_defaults() -> None:
    rules = rules_from_table(
        {
            "grades": [
                {"grade": "premium", "min_soh": 0.9, "max_resistance_growth": 1.2, "uses": ["EV"]},
                {"grade": "storage", "min_soh": 0.65, "max_resistance_growth": 2.0},
            ],
            "max_self_discharge_pct_day": 1.0,
        }
    )
    assert [g.grade for g in rules.grades] == ["premium", "storage"]
    assert rules.max_self_discharge_pct_day == 1.0
    assert rules.min_isolation_ohm_per_v == DEFAULT_RULES.min_isolation_ohm_per_v
    assert grade_for(0.85, 1.1, rules).grade == "storage"  # type: ignore[union-attr]
    assert rules_from_table(rules.as_table()) == rules


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"grades": []}, "grades: must be a non-empty list."),
        (
            {"grades": [{"grade": "X", "min_soh": 0.5}, {"grade": "Y", "min_soh": 0.7}]},
            "best first",
        ),
        ({"grades": [{"grade": "RECYCLE", "min_soh": 0.5}]}, "not a grade"),
        ({"max_module_spread": -1}, "max_module_spread: must be a number ≥ 0."),
        ({"gating_events": "all"}, "gating_events"),
    ],
)
def test_a_bad_rule_table_is_refused(table: dict[str, Any], problem: str) -> None:
    with pytest.raises(errors.ValidationFailed) as refused:
        rules_from_table(table)
    assert problem in refused.value.message


def test_a_chemistry_can_have_other_limits() -> None:
    rules = replace(DEFAULT_RULES, max_self_discharge_pct_day=0.05)
    intake = read_intake(intake_doc())
    assert grade(intake, assess_health(intake), rules, TODAY).reason_codes == ("SELF_DISCHARGE",)
