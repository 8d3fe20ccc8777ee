"""Second-life services on SQLite and PostgreSQL: intake, access, assessment, rule tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from battrace import errors
from battrace.passport import readings
from battrace.reuse import assessments, intakes, rules
from battrace.reuse.cycler import read_cycler_csv
from battrace.reuse.models import ReuseAssessment, ReuseIntake
from battrace.store import Database
from tests.reuse.builders import intake_doc
from tests.reuse.world import Market, make_market

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def market(seeded: Database) -> Market:
    return make_market(seeded)


def _intake(database: Database, market: Market, **changes: object) -> ReuseIntake:
    with database.transaction() as session:
        row = intakes.record_intake(
            session,
            caller=market.reuser,
            passport_id=market.packs[0],
            label="pack 0",
            document=intake_doc(**changes),
        )
        session.flush()  # write it before detaching it for the test to read
        session.expunge(row)
    return row


def _count(database: Database, model: type) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_intake_is_stored_normalised_and_only_its_owner_sees_it(
    seeded: Database, market: Market
) -> None:
    row = _intake(seeded, market)
    assert row.document["rated"]["chemistry"] == "NMC622"
    with seeded.transaction(write=False) as session:
        assert intakes.visible_intake(session, caller=market.reuser, intake_id=row.id).id == row.id
        with pytest.raises(errors.NotFound):
            intakes.visible_intake(session, caller=market.integrator, intake_id=row.id)
        assert intakes.list_intakes(session, caller=market.integrator) == []


def test_a_grant_lets_one_operator_read_an_intake_and_its_assessments(
    seeded: Database, market: Market
) -> None:
    row = _intake(seeded, market)
    with seeded.transaction() as session:
        intakes.grant_intake(
            session, caller=market.reuser, intake_id=row.id, grantee=market.integrator
        )
        done = assessments.assess_intake(session, caller=market.reuser, intake_id=row.id)
        assessment_id = done.id
    with seeded.transaction(write=False) as session:
        assert [i.id for i in intakes.list_intakes(session, caller=market.integrator)] == [row.id]
        assessments.visible_assessment(
            session, caller=market.integrator, assessment_id=assessment_id
        )
        with pytest.raises(errors.NotFound):
            intakes.visible_intake(session, caller=market.stranger, intake_id=row.id)
        with pytest.raises(errors.NotFound):
            assessments.visible_assessment(
                session, caller=market.stranger, assessment_id=assessment_id
            )
    with seeded.transaction() as session, pytest.raises(errors.NotFound):
        intakes.grant_intake(
            session, caller=market.integrator, intake_id=row.id, grantee=market.stranger
        )


def test_a_refused_intake_stores_nothing(seeded: Database, market: Market) -> None:
    with pytest.raises(errors.ValidationFailed) as refused:
        _intake(seeded, market, rated__mass_kg=-1)
    assert "rated.mass_kg" in refused.value.message
    assert _count(seeded, ReuseIntake) == 0


def test_an_intake_of_a_passport_the_caller_cannot_see_is_refused(
    seeded: Database, market: Market
) -> None:
    with seeded.transaction() as session, pytest.raises(errors.NotFound):
        intakes.record_intake(
            session,
            caller=market.reuser,
            passport_id=market.stranger,  # no passport has this id
            label="x",
            document=intake_doc(),
        )


def test_a_cycler_file_gives_the_history_and_the_latest_check(
    seeded: Database, market: Market
) -> None:
    with (FIXTURES / "cycler_small.csv").open("rb") as source:
        cycler = read_cycler_csv(source)
    doc = intake_doc(rated__rated_capacity_ah=2.5, rated__rated_energy_wh=9.25, history=None)
    with seeded.transaction() as session:
        row = intakes.record_intake(
            session, caller=market.reuser, passport_id=market.packs[0], label="cell",
            document=doc, cycler=cycler, source_name="cycler_small.csv",
        )  # fmt: skip
        stored = dict(row.document)
        assert row.source_rows == 800
        assert len(row.source_sha256 or "") == 64
    assert len(stored["history"]) == 39
    assert stored["capacity_checks"][0]["c_rate"] == pytest.approx(0.5)
    assert stored["history"][0]["soh"] == pytest.approx(1 - 0.0015, abs=1e-3)


def test_an_assessment_is_stored_reproducibly_and_updates_the_passport(
    seeded: Database, market: Market
) -> None:
    row = _intake(seeded, market)
    with seeded.transaction() as session:
        done = assessments.assess_intake(session, caller=market.reuser, intake_id=row.id)
        assessment_id = done.id
        assert done.grade == "A"
        assert done.passport_updated
        assert done.results["valuation"]["composition_default"] is False
        assert done.results["valuation"]["recycle"]["contents_kg"]["copper"] == 20.0
    with seeded.transaction(write=False) as session:
        assert assessments.verify(session, caller=market.reuser, assessment_id=assessment_id)
        latest = readings.latest(session, market.packs[0])
        assert float(latest["capacityFade"].value) == pytest.approx(15.0)
        assert float(latest["internalResistanceIncrease"].value) == pytest.approx(20.0)
        assert "remainingLifetimeCycles" in latest
        assert float(latest["remainingRoundTripEfficiency"].value) == pytest.approx(51000 / 540)
        assert float(latest["currentSelfDischargeRate"].value) == pytest.approx(3.0)  # 0.1 %/day
        assert float(latest["fullCycles"].value) == 900


def test_a_tampered_result_no_longer_verifies(seeded: Database, market: Market) -> None:
    row = _intake(seeded, market)
    with seeded.transaction() as session:
        assessment_id = assessments.assess_intake(
            session, caller=market.reuser, intake_id=row.id
        ).id
    with seeded.transaction() as session:
        stored = session.get(ReuseAssessment, (market.reuser, assessment_id))
        assert stored is not None
        results = dict(stored.results)
        results["grading"] = {**results["grading"], "grade": "B"}
        stored.results = results
    with seeded.transaction(write=False) as session:
        assert not assessments.verify(session, caller=market.reuser, assessment_id=assessment_id)


def test_a_grantee_without_report_rights_assesses_without_touching_the_passport(
    seeded: Database, market: Market
) -> None:
    row = _intake(seeded, market)
    with seeded.transaction() as session:
        intakes.grant_intake(
            session, caller=market.reuser, intake_id=row.id, grantee=market.integrator
        )
        done = assessments.assess_intake(session, caller=market.integrator, intake_id=row.id)
        assert not done.passport_updated
        assert done.operator_id == market.integrator


def test_an_operator_table_changes_the_grade(seeded: Database, market: Market) -> None:
    row = _intake(seeded, market)
    with seeded.transaction() as session:
        rules.set_table(
            session,
            caller=market.reuser,
            kind=rules.GRADING,
            chemistry="NMC",
            values={
                "grades": [
                    {"grade": "X", "min_soh": 0.9, "max_resistance_growth": 1.5},
                    {"grade": "Y", "min_soh": 0.8, "max_resistance_growth": 1.5},
                ]
            },
        )
        rules.set_table(session, caller=market.reuser, kind=rules.PRICES, values={"logistics": 50})
        done = assessments.assess_intake(session, caller=market.reuser, intake_id=row.id)
        assert done.grade == "Y"
        assert done.inputs["prices"]["logistics"] == 50.0
        # another operator's tables are its own
        assert (
            rules.grading_rules(session, operator=market.integrator, chemistry="NMC622")
            .grades[0]
            .grade
            == "A"
        )
        versions = rules.list_tables(session, caller=market.reuser)
        assert {(t.kind, t.chemistry, t.version) for t in versions} == {
            ("grading", "NMC", 1),
            ("prices", "*", 1),
        }


def test_a_bad_table_is_refused(seeded: Database, market: Market) -> None:
    with seeded.transaction() as session, pytest.raises(errors.InvalidRequest):
        rules.set_table(session, caller=market.reuser, kind="colours", values={})
