"""Catena-X battery pass 6.1.0: exports validate against the upstream schema; imports round trip
where the format can carry the data; refused imports name every problem by its path."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from battrace.errors import ValidationFailed
from battrace.passport.catalogue import BatteryStatus, Category, find
from battrace.passport.examples import example_document
from battrace.passport.exchange import catenax
from battrace.passport.exchange.catenax import NIL_UUID, CatenaXMetadata, export_passport
from battrace.passport.exchange.catenax_import import import_passport
from battrace.passport.problems import problems_of
from tests.passport.exchange_support import carried, changed, differences
from tests.passport.reference import catena_x_errors, require_reference

EV = example_document(Category.EV)
METADATA = CatenaXMetadata(
    version="4",
    issued=date(2026, 3, 1),
    expires=date(2038, 3, 1),
    backup_reference="https://backup.example/passports/5b0c8f44",
    status="approved",
    last_modified=date(2026, 11, 20),
)

# The module's statement of what the format cannot carry, plus the critical raw materials
# (derived from flags on import): compared apart.
NOT_CARRIED = (*catenax.NOT_CARRIED, "materials.criticalRawMaterials")
KEYS_NOT_CARRIED = catenax.KEYS_NOT_CARRIED


def bpnl_only(party: dict[str, Any]) -> dict[str, Any]:
    """Catena-X names a company by its BPNL alone."""
    return {"name": party["bpnl"], "bpnl": party["bpnl"]}


REPLACED = {
    "general.manufacturer": bpnl_only,
    "general.responsibleOperator": bpnl_only,
    "general.manufacturingPlace": lambda place: {"bpna": place["bpna"]},
    "circularity.sparePartSources": lambda sources: [bpnl_only(s) for s in sources],
}


@pytest.fixture(autouse=True)
def _reference() -> None:
    require_reference()


def test_an_ev_passport_exports_valid_catena_x() -> None:
    exported = export_passport(EV, METADATA)
    assert exported.problems == ()
    assert exported.document is not None
    assert catena_x_errors(exported.document) == []
    metadata = exported.document["metadata"]
    assert metadata["passportIdentifier"] == "5b0c8f44-2d6e-4a8b-9d3e-7f1a2b3c4d5e"
    assert metadata["predecessor"] == NIL_UUID
    assert exported.document["identification"]["category"] == "EV"
    assert exported.document["sustainability"]["status"] == "original"
    assert exported.document["operation"]["manufacturer"]["manufacturingDate"] == "2026-02-01"


def test_a_repurposed_passport_names_its_predecessor() -> None:
    document = EV.with_values(
        {
            "general.status": BatteryStatus.REPURPOSED,
            "general.predecessorPassports": ["urn:uuid:11111111-2222-4333-8444-555555555555"],
        }
    )
    exported = export_passport(document, METADATA)
    assert exported.document is not None
    assert catena_x_errors(exported.document) == []
    assert exported.document["metadata"]["predecessor"] == "11111111-2222-4333-8444-555555555555"
    assert exported.document["sustainability"]["status"] == "repurposed"
    back = import_passport(exported.document).document
    assert back.get("general.predecessorPassports") == document.get("general.predecessorPassports")


@pytest.mark.parametrize("category", [Category.LMT, Category.STATIONARY, Category.INDUSTRIAL])
def test_other_categories_are_reported_not_invented(category: Category) -> None:
    exported = export_passport(example_document(category), METADATA)
    assert exported.document is None
    assert {p.path for p in exported.problems} == {
        "performance.capacityThresholdForExhaustion",
        "performance.stateOfCertifiedEnergy",
    }
    messages = {p.path: p.message for p in exported.problems}
    assert "(data point 33)" in messages["performance.capacityThresholdForExhaustion"]
    assert "(data point 61)" in messages["performance.stateOfCertifiedEnergy"]
    assert all(f"for {category.value} batteries" in text for text in messages.values())
    with pytest.raises(ValidationFailed):
        export_passport(example_document(category), METADATA, strict=True)


def test_missing_business_partner_numbers_are_reported() -> None:
    manufacturer = dict(EV.get("general.manufacturer"))
    del manufacturer["bpnl"]
    document = EV.with_values(
        {"general.manufacturer": manufacturer, "general.predecessorPassports": ["a", "b"]}
    )
    exported = export_passport(
        document, CatenaXMetadata("1", date(2026, 1, 1), date(2030, 1, 1), "b", "done")
    )
    assert {p.path for p in exported.problems} == {
        "general.manufacturer.bpnl",
        "general.predecessorPassports",
        "general.predecessorPassports[0]",
        "metadata.status",
    }


OPTIONAL_PATHS = sorted(
    EV.present() - {"general.passportIdentifier", "general.batteryIdentifier", "general.category"}
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(OPTIONAL_PATHS), max_size=6))
def test_an_export_is_valid_or_names_what_is_missing(dropped: set[str]) -> None:
    exported = export_passport(EV.without(dropped), METADATA)
    if exported.document is not None:
        assert catena_x_errors(exported.document) == []
        assert exported.problems == ()
    else:
        assert exported.problems
        for problem in exported.problems:
            attribute = ".".join(problem.path.split(".")[:2]).split("[")[0]
            assert find(attribute) is not None, problem


def test_round_trip_keeps_what_the_format_carries() -> None:
    exported = export_passport(EV, METADATA)
    imported = import_passport(json.loads(json.dumps(exported.document)))
    assert imported.metadata == METADATA
    expected = carried(EV, drop=NOT_CARRIED, drop_keys=KEYS_NOT_CARRIED, replace=REPLACED)
    got = imported.document.without(["materials.criticalRawMaterials"])
    assert differences(got, expected) == {}
    critical = {row["name"] for row in imported.document.get("materials.criticalRawMaterials")}
    assert {"Cobalt", "Lithium", "Graphite"} <= critical
    assert [p.path for p in imported.left_out] == ["performance.dynamic.selfDischargingRate"]


def exported_with(changes: dict[tuple[str | int, ...], object]) -> dict[str, Any]:
    return dict(changed(export_passport(EV, METADATA).document, changes))


@pytest.mark.parametrize(
    ("changes", "paths"),
    [
        ({("identification", "category"): "SLI"}, {"identification.category"}),
        ({("identification", "idDmc"): KeyError}, {"identification.idDmc"}),
        (
            {
                ("performance", "rated", "voltage", "min"): "low",
                ("metadata", "issueDate"): "2026-02-30",
            },
            {"performance.rated.voltage.min", "metadata.issueDate"},
        ),
        (
            {("performance", "rated", "voltage", "nominal"): 100.0},
            {"performance.rated.voltage.nominal"},
        ),
        (
            {("characteristics", "physicalDimension", "weight", "unit"): "unit:litre"},
            {"characteristics.physicalDimension.weight.unit"},
        ),
        ({("metadata", "passportIdentifier"): "P-1"}, {"metadata.passportIdentifier"}),
        (
            {("performance", "dynamic", "stateOfCharge", "value"): 140},
            {"performance.dynamic.stateOfCharge"},
        ),
        (
            {("operation", "manufacturer", "manufacturingDate"): "2027-05-01"},
            {"operation.intoServiceDate"}
            | {
                "performance.dynamic." + k
                for k in (
                    "stateOfCharge",
                    "fullCycles",
                    "power.fade",
                    "power.remaining",
                    "capacity.fade",
                    "capacity.throughput",
                    "capacity.capacity",
                    "roundTripEfficiency.fade",
                    "roundTripEfficiency.remaining",
                    "energy.remaining",
                    "energy.soce",
                    "energy.throughput",
                    "resistance.increase",
                    "resistance.remaining",
                    "negativeEvents",
                )
            },
        ),
    ],
)
def test_refused_imports_name_every_problem_at_its_source(
    changes: dict[tuple[str | int, ...], object], paths: set[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_passport(exported_with(changes))
    assert {p.path for p in problems_of(caught.value)} == paths


@pytest.mark.parametrize("data", [None, [], "passport", {}])
def test_not_a_passport_at_all_is_refused(data: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_passport(data)
    assert problems_of(caught.value)


def test_the_list_of_what_is_not_carried_names_real_attributes() -> None:
    assert all(find(path) is not None for path in (*NOT_CARRIED, *KEYS_NOT_CARRIED))
