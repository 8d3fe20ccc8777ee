"""Completeness against the Commission's table, per category, and the dashboard's totals."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from battrace.passport.catalogue import Category, Level
from battrace.passport.completeness import State, completeness, dashboard
from battrace.passport.document import PassportDocument
from battrace.passport.examples import example_document
from battrace.passport.guidance import Applicability

EV = example_document(Category.EV)
BARE = PassportDocument.new(
    passport_identifier="urn:uuid:00000000-0000-4000-8000-000000000001",
    battery_identifier="(01)04012345000016(21)B1",
    category=Category.EV,
)


@pytest.mark.parametrize("category", list(Category))
def test_a_complete_example_misses_no_mandatory_point(category: Category) -> None:
    result = completeness(example_document(category))
    assert result.complete
    assert result.missing == ()
    assert len(result.entries) == 71
    assert {e.number for e in result.pending} == {17, 18, 19, 44}


def test_a_bare_passport_misses_the_mandatory_points_of_its_category() -> None:
    result = completeness(BARE)
    missing = {entry.number for entry in result.missing}
    assert {1, 6}.isdisjoint(missing)  # identifier and category are there
    assert {2, 3, 9, 11, 26, 45, 50, 61}.issubset(missing)
    assert 62 not in missing  # remaining capacity per Art. 14 is not for EVs
    assert result.summary()["missing"] == len(missing)
    assert not result.complete


def test_the_same_document_measured_as_another_category() -> None:
    lmt = completeness(BARE, category=Category.LMT)
    missing = {entry.number for entry in lmt.missing}
    assert 61 not in missing  # SOCE: EV only
    assert {62, 63, 64, 65, 66}.issubset(missing)
    industrial = completeness(BARE, category=Category.STATIONARY)
    states = {e.number: e for e in industrial.entries}
    assert states[31].state is State.CONDITIONAL
    assert states[31].note is not None and "cycles" in states[31].note


def test_conditional_points_carry_their_reason() -> None:
    result = completeness(EV)
    (entry,) = result.conditional
    assert entry.number == 41
    assert entry.note == "cadmium or lead symbol if applicable"
    with_symbol = EV.with_values(
        {
            "labels.labels": [
                *EV.get("labels.labels"),
                {"subject": "lead", "symbol": "https://x.example/pb.svg"},
            ]
        }
    )
    assert completeness(with_symbol).conditional == ()


def test_narrow_points_need_their_own_part() -> None:
    no_lead = EV.with_values(
        {
            "circularity.recycledContent": [
                r for r in EV.get("circularity.recycledContent") if r["material"] != "lead"
            ]
        }
    )
    assert [e.number for e in completeness(no_lead).missing] == [23]
    no_address = EV.with_values({"general.manufacturer": {"name": "Kanto Cell Works K.K."}})
    assert [e.number for e in completeness(no_address).missing] == [4]
    assert {e.number: e.state for e in completeness(no_address).entries}[5] is State.OPTIONAL


def test_pending_points_stay_pending_even_when_carried() -> None:
    entry = {e.number: e for e in completeness(EV).entries}[17]
    assert entry.filled
    assert entry.state is State.PENDING
    assert entry.status is Applicability.PENDING
    assert "implementing act" in (entry.note or "")


def test_model_level_lists_only_what_a_model_holds() -> None:
    model, _ = EV.split_by_level()
    document = PassportDocument.compose(model, {})
    result = completeness(document, category=Category.EV, level=Level.MODEL)
    numbers = {entry.number for entry in result.entries}
    assert 9 not in numbers  # manufacturing date: the item's
    assert 61 not in numbers  # SOCE: the item's
    assert {11, 12, 45}.issubset(numbers)
    assert result.complete


def test_summary_and_json_form() -> None:
    result = completeness(BARE)
    summary = result.summary()
    assert sum(summary[state.value] for state in State) == 71
    assert summary["mandatory"] == sum(
        1 for e in result.entries if e.status is Applicability.MANDATORY
    )
    data = json.loads(json.dumps(result.to_json()))
    assert data["guidance"] == {"version": "1.0", "issued": "2026-07-28"}
    assert data["dataPoints"][8]["number"] == 9
    assert data["dataPoints"][8]["state"] == "missing"
    assert data["dataPoints"][8]["paths"] == ["general.manufacturingDate"]


def test_dashboard_totals() -> None:
    results = [completeness(EV), completeness(BARE), completeness(example_document(Category.LMT))]
    board = dashboard(results)
    assert board["passports"] == 3
    assert board["complete"] == 2
    assert board["incomplete"] == 1
    assert board["byCategory"] == {"ev": 2, "lmt": 1}
    assert sum(board["states"].values()) == 3 * 71
    assert board["mostMissing"][0]["passports"] == 1
    assert {row["number"] for row in board["mostMissing"]} == {e.number for e in results[1].missing}
    assert dashboard([])["passports"] == 0


PATHS = sorted(
    EV.present() - {"general.passportIdentifier", "general.batteryIdentifier", "general.category"}
)


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(PATHS)))
def test_removing_values_never_fills_a_point(dropped: set[str]) -> None:
    full = {e.number: e for e in completeness(EV).entries}
    part = completeness(EV.without(dropped))
    for entry in part.entries:
        assert full[entry.number].filled or not entry.filled
        if entry.status is Applicability.MANDATORY and not entry.filled:
            assert entry.state is State.MISSING
