"""battrace's passport document: building, JSON form, schema, views by role, model/item halves."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from battrace.errors import ValidationFailed
from battrace.passport.catalogue import (
    AccessGroup,
    AccessPolicy,
    BatteryStatus,
    Category,
    Level,
    Reader,
    attributes,
)
from battrace.passport.document import PassportDocument, reading, split_path
from battrace.passport.examples import example_document
from battrace.passport.problems import problems_of
from battrace.passport.schema import document_schema

EXAMPLE = example_document()
EXAMPLE_PATHS = sorted(EXAMPLE.present())


def test_a_new_document_is_valid_and_minimal() -> None:
    document = PassportDocument.new(
        passport_identifier="urn:uuid:0f0e0d0c-0b0a-4000-8000-000000000000",
        battery_identifier="(01)04012345000016(21)X1",
        category="lmt",
    )
    assert document.problems() == []
    assert document.category is Category.LMT
    assert document.status is BatteryStatus.ORIGINAL
    assert document.to_json()["schemaVersion"] == "1.0"


@pytest.mark.parametrize("category", list(Category))
def test_examples_validate_against_the_schema(category: Category) -> None:
    document = example_document(category)
    validator = Draft202012Validator(document_schema())
    validator.validate(document.to_json())
    assert document.problems() == []


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(document_schema())


def test_json_round_trip_is_exact() -> None:
    text = json.dumps(EXAMPLE.to_json())
    assert PassportDocument.from_json(json.loads(text)) == EXAMPLE


def test_with_values_converts_domain_values() -> None:
    moment = datetime(2026, 5, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    document = EXAMPLE.with_values(
        {
            "performance.ratedCapacity": Decimal("180.50"),
            "performance.expectedLifetimeCycles": Decimal(3000),
            "general.puttingIntoService": date(2026, 5, 1),
            "general.status": BatteryStatus.REPURPOSED,
            "performance.stateOfCharge": reading(Decimal("55.5"), moment, source="BMS"),
        }
    )
    assert document.get("performance.ratedCapacity") == 180.5
    assert document.get("performance.expectedLifetimeCycles") == 3000
    assert isinstance(document.get("performance.expectedLifetimeCycles"), int)
    assert document.get("general.puttingIntoService") == "2026-05-01"
    assert document.get("general.status") == "repurposed"
    assert document.get("performance.stateOfCharge.measuredAt") == "2026-05-01T00:00:00Z"
    assert document.problems() == []
    assert EXAMPLE.get("performance.ratedCapacity") == 200.0  # the original is unchanged


def test_none_removes_and_unknown_paths_are_refused() -> None:
    document = EXAMPLE.with_values({"general.weight": None})
    assert not document.has("general.weight")
    with pytest.raises(KeyError, match=r"general\.colour"):
        EXAMPLE.with_values({"general.colour": "red"})


def test_paths_reach_inside_values() -> None:
    assert EXAMPLE.get("general.manufacturer.address.city") == "Yokohama"
    assert EXAMPLE.get("materials.composition[1].component") == "anode"
    assert EXAMPLE.get("materials.composition[9].component") is None
    assert EXAMPLE.get("general.weight.value") is None
    assert split_path("a.b[2].c") == ("a", "b", 2, "c")


def test_structural_problems_name_their_paths() -> None:
    data = EXAMPLE.to_json()
    data["general"]["manufacturingDate"] = "2026-13"
    data["general"]["colour"] = "red"
    data["materials"]["composition"][1]["share"] = 140
    del data["general"]["category"]
    data["recycling"] = {}
    with pytest.raises(ValidationFailed) as caught:
        PassportDocument.from_json(data)
    paths = {problem.path for problem in problems_of(caught.value)}
    assert paths == {
        "general.manufacturingDate",
        "general.colour",
        "materials.composition[1].share",
        "general.category",
        "recycling",
    }
    assert "general.colour" in caught.value.message


def test_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        PassportDocument.from_json(["general"])


@pytest.mark.parametrize("reader", list(Reader))
def test_each_reader_sees_exactly_its_groups(reader: Reader) -> None:
    policy = AccessPolicy.default()
    view = EXAMPLE.visible_to(reader)
    groups = policy.groups_for(reader)
    assert view.present() == {path for path in EXAMPLE_PATHS if policy.group_of(path) in groups}
    assert view.problems() == []


def test_the_public_view_never_shows_points_2_to_4() -> None:
    view = EXAMPLE.visible_to(Reader.PUBLIC)
    shown = {item.access for item, _ in view.values()}
    assert shown == {AccessGroup.PUBLIC}
    text = json.dumps(view.to_json())
    for secret in ("NMC 811 active material", "test-reports.pdf", "dismantling.pdf", "BMS"):
        assert secret not in text


def test_an_override_moves_an_attribute_between_groups() -> None:
    policy = AccessPolicy.from_config({"attributes": {"performance.stateOfCharge": "public"}})
    assert EXAMPLE.visible_to(Reader.PUBLIC, policy).has("performance.stateOfCharge")
    assert not EXAMPLE.visible_to(Reader.PUBLIC).has("performance.stateOfCharge")


def test_model_and_item_halves_compose_back() -> None:
    model, item = EXAMPLE.split_by_level()
    assert "manufacturer" in model["general"]
    assert "serialNumber" in item["general"]
    assert "remainingCapacity" in item["performance"]
    for name, section in model.items():
        assert not set(section) & set(item.get(name, {}))
    assert PassportDocument.compose(model, item) == EXAMPLE


def test_the_item_wins_when_both_halves_hold_a_value() -> None:
    model = {"general": {"category": "ev", "weight": 450}}
    item = {
        "general": {"category": "stationary", "passportIdentifier": "p", "batteryIdentifier": "b"}
    }
    document = PassportDocument.compose(model, item)
    assert document.category is Category.STATIONARY
    assert document.get("general.weight") == 450


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(EXAMPLE_PATHS)), st.sampled_from(list(Reader)))
def test_any_part_of_a_document_round_trips_and_views_nest(
    dropped: set[str], reader: Reader
) -> None:
    document = EXAMPLE.without(
        dropped - {"general.passportIdentifier", "general.batteryIdentifier", "general.category"}
    )
    assert PassportDocument.from_json(json.loads(json.dumps(document.to_json()))) == document
    view = document.visible_to(reader)
    assert view.present() <= document.present()
    assert view.visible_to(reader) == view  # a view of a view is the same view
    assert document.visible_to(Reader.PUBLIC).present() <= view.present()
    assert document.visible_to(Reader.RESPONSIBLE_OPERATOR) == document


def test_every_item_level_attribute_is_item_level_in_the_halves() -> None:
    _, item = EXAMPLE.split_by_level()
    levels = {a.path: a.level for a in attributes()}
    for section, content in item.items():
        for key in content:
            assert levels[f"{section}.{key}"] is Level.ITEM
