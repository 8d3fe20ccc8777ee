"""Battery Pass 1.2: every export validates against the upstream aspect schemas; imports round
trip where the format can carry the data; refused imports name every problem by its path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from battrace.errors import ValidationFailed
from battrace.passport.catalogue import Category, find
from battrace.passport.document import PassportDocument
from battrace.passport.examples import example_document
from battrace.passport.exchange import batterypass
from battrace.passport.exchange.batterypass import ASPECTS, export_aspects
from battrace.passport.exchange.batterypass_import import import_aspects
from battrace.passport.problems import problems_of
from tests.passport.exchange_support import carried, changed, differences
from tests.passport.reference import battery_pass_errors, require_reference

EV = example_document(Category.EV)

# The module's statement of what the format cannot carry, plus the critical raw materials
# (derived from flags on import): compared apart.
NOT_CARRIED = (*batterypass.NOT_CARRIED, "materials.criticalRawMaterials")
KEYS_NOT_CARRIED = batterypass.KEYS_NOT_CARRIED


@pytest.fixture(autouse=True)
def _reference() -> None:
    require_reference()


def round_trip(document: PassportDocument) -> Any:
    exported = export_aspects(document)
    return import_aspects(json.loads(json.dumps(exported.aspects)))


@pytest.mark.parametrize("category", list(Category))
def test_every_produced_aspect_validates_upstream(category: Category) -> None:
    exported = export_aspects(example_document(category))
    assert exported.aspects
    for name, aspect in exported.aspects.items():
        assert battery_pass_errors(name, aspect) == [], name


def test_a_complete_ev_passport_gives_all_seven_aspects() -> None:
    exported = export_aspects(EV)
    assert exported.complete
    assert tuple(exported.aspects) == ASPECTS
    assert exported.problems == ()
    general = exported.aspects["GeneralProductInformation"]
    assert general["batteryPassportIdentifier"] == "urn:uuid:5b0c8f442d6e4a8b9d3e7f1a2b3c4d5e"
    assert general["manufacturingDate"] == "2026-02-01T00:00:00Z"
    assert general["batteryStatus"] == "Original"
    assert general["warrentyPeriod"] == "--12"
    condition = exported.aspects["PerformanceAndDurability"]["batteryCondition"]
    # derived for EVs: current self-discharge 2.1 minus initial 2.0
    assert condition["evolutionOfSelfDischarge"]["evolutionOfSelfDischargeValue"] == pytest.approx(
        0.1
    )


@pytest.mark.parametrize(
    "category", [Category.LMT, Category.STATIONARY, Category.INDUSTRIAL_NO_BMS]
)
def test_performance_is_not_produced_without_the_ev_only_values(category: Category) -> None:
    exported = export_aspects(example_document(category))
    assert "PerformanceAndDurability" not in exported.aspects
    assert len(exported.aspects) == 6
    assert {p.path for p in exported.problems} == {
        "performance.stateOfCertifiedEnergy",
        "performance.capacityThresholdForExhaustion",
    }
    assert all(
        f"not to fill it for {category.value} batteries" in p.message for p in exported.problems
    )


def test_missing_values_are_reported_by_path_and_strict_refuses() -> None:
    document = EV.without(["general.puttingIntoService", "carbonFootprint.study"]).with_values(
        {"general.warrantyPeriod": 96}
    )
    exported = export_aspects(document)
    assert "GeneralProductInformation" not in exported.aspects
    assert "CarbonFootprintForBatteries" not in exported.aspects
    assert {p.path for p in exported.problems} == {
        "general.puttingIntoService",
        "general.warrantyPeriod",
        "carbonFootprint.study",
    }
    with pytest.raises(ValidationFailed) as caught:
        export_aspects(document, strict=True)
    assert len(problems_of(caught.value)) == 3


OPTIONAL_PATHS = sorted(
    EV.present() - {"general.passportIdentifier", "general.batteryIdentifier", "general.category"}
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(OPTIONAL_PATHS), max_size=12))
def test_whatever_is_missing_no_invalid_aspect_is_emitted(dropped: set[str]) -> None:
    exported = export_aspects(EV.without(dropped))
    for name, aspect in exported.aspects.items():
        assert battery_pass_errors(name, aspect) == [], name
    for problem in exported.problems:
        attribute = ".".join(problem.path.split(".")[:2]).split("[")[0]
        assert find(attribute) is not None, problem
    assert (
        len(exported.aspects) + len({p.message.split(" requires")[0] for p in exported.problems})
        >= 1
    )


def test_round_trip_keeps_what_the_format_carries() -> None:
    imported = round_trip(EV)
    expected = carried(EV, drop=NOT_CARRIED, drop_keys=KEYS_NOT_CARRIED)
    got = imported.document.without(["materials.criticalRawMaterials"])
    assert differences(got, expected) == {}
    critical = {row["name"] for row in imported.document.get("materials.criticalRawMaterials")}
    assert critical == {row["name"] for row in EV.get("materials.composition") if row["critical"]}
    assert {p.path.rsplit(".", 1)[-1] for p in imported.left_out} == {
        "powerFade",
        "roundTripEfficiencyFade",
        "evolutionOfSelfDischarge",
    }


def test_round_trip_of_an_lmt_passport_without_its_performance_aspect() -> None:
    lmt = example_document(Category.LMT)
    imported = round_trip(lmt)
    assert imported.document.category is Category.LMT
    assert not imported.document.has("performance.ratedCapacity")
    assert imported.document.get("circularity.recycledContent") == lmt.get(
        "circularity.recycledContent"
    )


def test_an_lmt_aspect_with_ev_only_values_is_imported_without_them() -> None:
    aspects = export_aspects(EV).aspects
    aspects["GeneralProductInformation"]["batteryCategory"] = "lmt"
    condition = aspects["PerformanceAndDurability"]["batteryCondition"]
    condition["evolutionOfSelfDischarge"]["evolutionOfSelfDischargeValue"] = 0.3
    imported = import_aspects(aspects)
    assert imported.document.category is Category.LMT
    assert not imported.document.has("performance.stateOfCertifiedEnergy")
    assert not imported.document.has("performance.capacityThresholdForExhaustion")
    assert imported.document.get("performance.selfDischargeEvolution.value") == 0.3
    left = {p.path for p in imported.left_out}
    assert "PerformanceAndDurability.batteryCondition.stateOfCertifiedEnergy" in left
    assert (
        "PerformanceAndDurability.batteryTechicalProperties.capacityThresholdForExhaustion" in left
    )


def aspects_with(changes: dict[tuple[str | int, ...], object]) -> dict[str, Any]:
    return dict(changed(export_aspects(EV).aspects, changes))


@pytest.mark.parametrize(
    ("changes", "paths"),
    [
        (
            {("GeneralProductInformation", "batteryMass"): "heavy"},
            {"GeneralProductInformation.batteryMass"},
        ),
        (
            {
                ("GeneralProductInformation", "productIdentifier"): KeyError,
                ("GeneralProductInformation", "batteryCategory"): "sli",
            },
            {
                "GeneralProductInformation.productIdentifier",
                "GeneralProductInformation.batteryCategory",
            },
        ),
        (
            {("GeneralProductInformation", "manufacturingDate"): "2026-13-01T00:00:00Z"},
            {"GeneralProductInformation.manufacturingDate"},
        ),
        (
            {("PerformanceAndDurability", "batteryTechicalProperties", "nominalVoltage"): 900.0},
            {"PerformanceAndDurability.batteryTechicalProperties.nominalVoltage"},
        ),
        (
            {("Circularity", "recycledContent", 0, "postConsumerShare"): 120},
            {"Circularity.recycledContent"},
        ),
        (
            {("MaterialComposition", "batteryMaterials", 1, "isCriticalRawMaterial"): "yes"},
            {"MaterialComposition.batteryMaterials[1].isCriticalRawMaterial"},
        ),
        (
            {("Labeling", "labels", 0, "labelingSubject"): "Recycling"},
            {"Labeling.labels[0].labelingSubject"},
        ),
    ],
)
def test_refused_imports_name_every_problem_at_its_source(
    changes: dict[tuple[str, ...], object], paths: set[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_aspects(aspects_with(changes))
    assert {p.path for p in problems_of(caught.value)} == paths


def test_a_semantic_problem_names_both_fields() -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_aspects(
            aspects_with(
                {("PerformanceAndDurability", "batteryTechicalProperties", "nominalVoltage"): 900.0}
            )
        )
    (problem,) = problems_of(caught.value)
    assert "above the maximum voltage" in problem.message
    assert "battrace field performance.nominalVoltage" in problem.message


@pytest.mark.parametrize("data", [None, [], "aspects", {"Labeling": {}}])
def test_not_aspects_at_all_is_refused(data: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_aspects(data)  # type: ignore[arg-type]
    assert problems_of(caught.value)


def test_the_list_of_what_is_not_carried_names_real_attributes() -> None:
    assert all(find(path) is not None for path in (*NOT_CARRIED, *KEYS_NOT_CARRIED))
