"""Validation of a passport document: structure and cross-field rules, each problem by path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import ValidationFailed
from battrace.passport.catalogue import Category
from battrace.passport.document import PassportDocument, reading
from battrace.passport.examples import example_document
from battrace.passport.validation import Problem, problems, problems_of, validate

EV = example_document(Category.EV)
LMT = example_document(Category.LMT)
NOW = datetime(2026, 12, 3, tzinfo=UTC)
AT = datetime(2026, 11, 1, tzinfo=UTC)


def paths_of(document: PassportDocument | dict[str, Any]) -> set[str]:
    return {problem.path for problem in problems(document, now=NOW)}


@pytest.mark.parametrize("category", list(Category))
def test_the_examples_have_no_problem(category: Category) -> None:
    document = example_document(category)
    assert problems(document, now=NOW) == []
    assert validate(document, now=NOW) is document


def test_validate_raises_with_every_problem_by_path() -> None:
    bad = EV.with_values(
        {"performance.nominalVoltage": 500.0, "performance.stateOfCharge": reading(120, AT)}
    )
    with pytest.raises(ValidationFailed) as caught:
        validate(bad)
    assert problems_of(caught.value) == [
        Problem("performance.nominalVoltage", "500 V is above the maximum voltage (420 V)"),
        Problem("performance.stateOfCharge.value", "120 % is not within 0–100 %"),
    ]
    assert "performance.nominalVoltage" in caught.value.message


def test_json_input_is_checked_structurally_first() -> None:
    data = EV.to_json()
    data["general"]["manufacturingDate"] = "02/2026"
    data["performance"]["nominalVoltage"] = 900.0  # not reported: structure fails first
    assert problems(data) == [
        Problem("general.manufacturingDate", "must be a year and month, YYYY-MM")
    ]
    good = EV.to_json()
    assert validate(good, now=NOW) == EV


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"performance.minimumVoltage": 380.0}, {"performance.nominalVoltage"}),
        ({"performance.maximumVoltage": 300.0}, {"performance.nominalVoltage"}),
        (
            {"performance.minimumVoltage": 450.0, "performance.nominalVoltage": None},
            {"performance.minimumVoltage"},
        ),
        (
            {"performance.idleTemperatureRange": {"lower": 60.0, "upper": -30.0}},
            {"performance.idleTemperatureRange.lower"},
        ),
        ({"performance.capacityFade": reading(-1, AT)}, {"performance.capacityFade.value"}),
        (
            {
                "materials.composition": [
                    {"component": "cathode", "name": "NMC", "share": 70.0},
                    {"component": "anode", "name": "graphite", "share": 40.0},
                ]
            },
            {"materials.composition"},
        ),
        (
            {"materials.criticalRawMaterials": [{"name": "Cobalt", "share": 0.05}]},
            {"materials.criticalRawMaterials[0].share"},
        ),
        (
            {
                "materials.criticalRawMaterials": [
                    {"name": "Cobalt", "share": 2.0},
                    {"name": "Cobalt", "share": 3.0},
                ]
            },
            {"materials.criticalRawMaterials[0].name", "materials.criticalRawMaterials[1].name"},
        ),
        ({"carbonFootprint.carbonFootprint": 70.0}, {"carbonFootprint.stages"}),
        (
            {
                "carbonFootprint.stages": [
                    {"stage": "mainProduction", "value": 31.2},
                    {"stage": "mainProduction", "value": 31.2},
                ]
            },
            {"carbonFootprint.stages[0].stage", "carbonFootprint.stages[1].stage"},
        ),
        (
            {
                "circularity.recycledContent": [
                    {
                        "material": "cobalt",
                        "share": 20.0,
                        "preConsumerShare": 10.0,
                        "postConsumerShare": 6.0,
                    }
                ]
            },
            {"circularity.recycledContent[0].share"},
        ),
        (
            {
                "circularity.recycledContent": [
                    {"material": "nickel", "preConsumerShare": 60.0, "postConsumerShare": 60.0}
                ]
            },
            {"circularity.recycledContent[0].postConsumerShare"},
        ),
        (
            {"performance.remainingCapacity": reading(211, AT)},
            {"performance.remainingCapacity.value"},
        ),
        ({"performance.remainingEnergy": reading(80, AT)}, {"performance.remainingEnergy.value"}),
        (
            {"performance.stateOfCharge": reading(50, datetime(2025, 12, 31, tzinfo=UTC))},
            {"performance.stateOfCharge.measuredAt"},
        ),
        (
            {
                "performance.negativeEvents": [
                    {"kind": "accident", "occurredAt": "2027-01-01T00:00:00Z"}
                ]
            },
            {"performance.negativeEvents[0].occurredAt"},
        ),
        ({"general.puttingIntoService": "2026-01-31"}, {"general.puttingIntoService"}),
        (
            {"general.manufacturingDate": "2027-01", "general.puttingIntoService": None},
            {"general.manufacturingDate"}
            | {
                f"performance.{key}.measuredAt"
                for key in (
                    "remainingCapacity",
                    "capacityFade",
                    "remainingPowerCapability",
                    "powerFade",
                    "internalResistance",
                    "internalResistanceIncrease",
                    "remainingRoundTripEfficiency",
                    "roundTripEfficiencyFade",
                    "remainingLifetimeCycles",
                    "remainingLifetimeYears",
                    "stateOfCertifiedEnergy",
                    "remainingEnergy",
                    "fullCycles",
                    "energyThroughput",
                    "capacityThroughput",
                    "stateOfCharge",
                    "temperatureExposure",
                )
            }
            | {"performance.negativeEvents[0].occurredAt"},
        ),
        ({"performance.selfDischargeRate": reading(2, AT)}, {"performance.selfDischargeRate"}),
    ],
)
def test_semantic_rules_name_the_field(values: dict[str, object], expected: set[str]) -> None:
    assert paths_of(EV.with_values(values)) == expected


def test_ev_only_fields_are_refused_for_other_categories() -> None:
    document = LMT.with_values(
        {
            "performance.stateOfCertifiedEnergy": reading(95, AT),
            "performance.capacityThresholdForExhaustion": 70.0,
        }
    )
    found = problems(document, now=NOW)
    assert {problem.path for problem in found} == {
        "performance.stateOfCertifiedEnergy",
        "performance.capacityThresholdForExhaustion",
    }
    soce = next(p for p in found if p.path == "performance.stateOfCertifiedEnergy")
    assert "data point 61: for ev only" in soce.message


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("general.manufacturingDate", "2026-2", "YYYY-MM"),
        ("general.manufacturingDate", "2026-02-01", "YYYY-MM"),
        ("general.puttingIntoService", "2026-02-30", "is not a 'date'"),
        ("general.gtin", "4012345000016", "GTIN of 14 digits"),
        ("circularity.renewableContent", 101, "maximum of 100"),
        (
            "general.manufacturer",
            {
                "name": "X",
                "address": {"street": "s", "postalCode": "1", "city": "c", "country": "Japan"},
            },
            "two-letter country code",
        ),
    ],
)
def test_structural_problems_read_well(path: str, value: object, fragment: str) -> None:
    data = EV.to_json()
    section, key = path.split(".")
    data[section][key] = value
    found = problems(data)
    assert len(found) == 1
    assert found[0].path.startswith(path)
    assert fragment in found[0].message


def test_a_reading_on_february_30th_is_refused() -> None:
    data = EV.to_json()
    data["performance"]["stateOfCharge"]["measuredAt"] = "2026-02-30T10:00:00Z"
    assert [p.path for p in problems(data)] == ["performance.stateOfCharge.measuredAt"]


@given(st.lists(st.floats(min_value=1, max_value=1000, allow_nan=False), min_size=3, max_size=3))
def test_voltages_pass_exactly_when_ordered(voltages: list[float]) -> None:
    low, nominal, high = voltages
    document = EV.with_values(
        {
            "performance.minimumVoltage": low,
            "performance.nominalVoltage": nominal,
            "performance.maximumVoltage": high,
        }
    )
    flagged = any(p.path.endswith("Voltage") for p in problems(document, now=NOW))
    assert flagged == (not low <= nominal <= high)


@given(
    st.floats(min_value=1, max_value=1000, allow_nan=False),
    st.floats(min_value=0, max_value=2, allow_nan=False),
)
def test_remaining_capacity_within_tolerance_passes(rated: float, ratio: float) -> None:
    document = EV.with_values(
        {
            "performance.ratedCapacity": rated,
            "performance.remainingCapacity": reading(rated * ratio, AT),
        }
    )
    flagged = "performance.remainingCapacity.value" in paths_of(document)
    assert flagged == (rated * ratio > rated * 1.05)


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=4, unique=True))
def test_stage_sums_equal_to_the_total_pass(hundredths: list[int]) -> None:
    names = ["rawMaterialExtraction", "mainProduction", "distribution", "recycling"]
    stages = [{"stage": names[i], "value": v / 100} for i, v in enumerate(hundredths)]
    total = sum(hundredths) / 100
    good = EV.with_values(
        {"carbonFootprint.stages": stages, "carbonFootprint.carbonFootprint": total}
    )
    assert "carbonFootprint.stages" not in paths_of(good)
    bad = good.with_values({"carbonFootprint.carbonFootprint": total + 1})
    assert "carbonFootprint.stages" in paths_of(bad)
