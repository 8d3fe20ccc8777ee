"""The part and CFP-set rules as pure functions (`traceability.rules`), and the services that
hold every caller to them (`parts.save_structure`, `cfp.register_cfp`), not only the API."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import Problem, ValidationFailed
from battrace.ids import OperatorId
from battrace.store import Database
from battrace.traceability import cfp, parts, rules
from battrace.traceability.models import AmountUnit, CfpType, CfpValue, Part
from battrace.traceability.stages import DQR_TYPE, STAGE_OF, Dqr

TRACE = str(uuid.uuid4())
UNIT = "kgCO2e/kilogram"
UNRATED = Dqr.empty()
amounts = st.decimals(min_value=0, max_value=rules.MAX_AMOUNT, places=5)


def row(cfp_type: CfpType, emission: Decimal | None, dqr: Dqr = UNRATED) -> rules.CfpRowInput:
    return rules.CfpRowInput(
        None, TRACE, UNIT, cfp_type.value, DQR_TYPE[STAGE_OF[cfp_type]], emission, dqr
    )


def part_problems(**changes: object) -> list[Problem]:
    values: dict[str, object] = {
        "parts_name": "cell",
        "support_parts_name": None,
        "terminated_flag": False,
        "amount_required": Decimal(2),
        "amount_required_unit": "kilogram",
        "texts": {},
        "child": True,
    } | changes
    return rules.part_problems(**values)  # type: ignore[arg-type]


def test_amounts_range_and_places() -> None:
    assert rules.amount_problem(Decimal("99999.99999")) is None
    assert rules.amount_problem(None) is None
    assert rules.amount_problem(Decimal(-1)) == "must be no less than 0"
    assert rules.amount_problem(Decimal("100000")) == "must be no greater than 99999.99999"
    assert rules.amount_problem(Decimal("0.000001")) == (
        "must be a value up to the 5th decimal place"
    )
    # digits as sent: trailing zeros are not decimals
    assert rules.amount_problem(Decimal("1.1000000")) is None


def test_part_rules_name_the_fields() -> None:
    assert part_problems() == []
    assert part_problems(parts_name="x" * 51, amount_required=None) == [
        Problem("partsName", "the length must be between 1 and 50"),
        Problem("amountRequired", "is required"),
    ]
    assert part_problems(parts_name="", terminated_flag=None) == [
        Problem("partsName", "cannot be blank"),
        Problem("terminatedFlag", "cannot be blank"),
    ]
    assert part_problems(child=False) == [Problem("amountRequired", "must be blank")]
    assert part_problems(amount_required_unit="gram", texts={"partsAddInfo2": "y" * 51}) == [
        Problem("amountRequiredUnit", "cannot be allowed 'gram'"),
        Problem("partsAddInfo2", "the length must be no more than 50"),
    ]


def test_row_rules_pairing_and_ratings() -> None:
    bad = rules.CfpRowInput(
        None,
        TRACE,
        "kgCO2e/gram",
        "preProduction",
        "mainProcessing",
        None,
        Dqr(Decimal(-1), None, None),
    )
    assert rules.cfp_row_problems(bad) == [
        Problem("ghgDeclaredUnit", "cannot be allowed 'kgCO2e/gram'"),
        Problem("", "ensure the combination of cfpType and dqrType is correct"),
        Problem("dqrValue.TeR", "must be no less than 0"),
    ]


@given(st.lists(amounts, min_size=4, max_size=4), amounts, amounts)
def test_any_complete_consistent_set_passes(
    emissions: list[Decimal], pre_rating: Decimal, main_rating: Decimal
) -> None:
    ratings = {"pre": Dqr(pre_rating, None, None), "main": Dqr(main_rating, None, None)}
    # ratings need an emission in their stage: CfpType lists preProduction, mainProduction first
    emissions[0] = emissions[1] = Decimal(1)
    rows = [
        row(kind, emission, ratings[STAGE_OF[kind].value])
        for kind, emission in zip(CfpType, emissions, strict=True)
    ]
    assert [p for r in rows for p in rules.cfp_row_problems(r)] == []
    assert rules.cfp_set_problems(rows) == []
    assert rules.cfp_set_problems(rows[::-1]) == []  # the order of the rows does not matter


@pytest.mark.parametrize("missing", list(CfpType))
def test_a_missing_row_is_named(missing: CfpType) -> None:
    rows = [row(kind, Decimal(1)) for kind in CfpType if kind != missing]
    assert rules.cfp_set_problems(rows) == [
        Problem("", "cfp models must be 4 elements"),
        Problem("", f"cfpType {missing.value} is insufficient"),
    ]


def test_set_rules_in_the_reference_order() -> None:
    rated = Dqr(Decimal(1), Decimal(1), Decimal(1))
    rows = [
        row(CfpType.PRE_PRODUCTION, Decimal(0), rated),
        row(CfpType.MAIN_PRODUCTION, Decimal(1), rated),
        row(CfpType.PRE_COMPONENT, Decimal(0), Dqr(Decimal(2), None, None)),
        rules.CfpRowInput(
            None, str(uuid.uuid4()), UNIT, "mainComponent", "mainProcessing", None, Dqr.empty()
        ),
    ]
    assert [p.message for p in rules.cfp_set_problems(rows)] == [
        "ensure all objects have the same traceId",
        "set ghgEmission to a value greater than 0 for cfpType of preProduction or preComponent",
        "different dqrValues are set for the same dqrType",
    ]


def test_services_hold_every_caller_to_the_rules(seeded: Database) -> None:
    """A caller that is not the API (a PACT answer, a recycled lot, a seed) gets the same
    refusal, and nothing is stored."""
    operator = OperatorId(uuid.uuid4())
    trace_id = uuid.uuid4()
    three_rows = cfp.CfpSetWrite(
        trace_id,
        None,
        UNIT,
        [cfp.CfpRowWrite(kind, Decimal("1.123456"), Dqr.empty()) for kind in list(CfpType)[:3]],
    )
    long_name = parts.PartWrite(
        None, operator, uuid.uuid4(), "x" * 51, None, False, AmountUnit.KILOGRAM
    )
    with seeded.transaction() as session:
        with pytest.raises(ValidationFailed) as refused_set:
            cfp.register_cfp(session, caller=operator, cfp_set=three_rows)
        with pytest.raises(ValidationFailed) as refused_part:
            parts.save_structure(session, caller=operator, parent=long_name, children=[])
        assert session.query(CfpValue).count() == 0
        assert session.query(Part).filter_by(operator_id=operator).count() == 0
    assert refused_set.value.problems[0] == Problem(
        "cfpModel[0].ghgEmission", "must be a value up to the 5th decimal place"
    )
    assert Problem("", "cfpType mainComponent is insufficient") in refused_set.value.problems
    assert refused_part.value.problems == (
        Problem("partsName", "the length must be between 1 and 50"),
    )
    assert refused_part.value.message == "partsName: the length must be between 1 and 50."
