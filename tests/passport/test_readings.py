"""Dynamic data: batches for many batteries (JSON and CSV), the series kept, the latest read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from battrace.errors import InvalidRequest, NotFound
from battrace.passport import grants, readings
from battrace.passport.models import PassportReading
from battrace.store import Database
from tests.passport.world import World, issue, make_model, make_world

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _fleet(database: Database, size: int) -> tuple[World, list[uuid.UUID]]:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        world.models["ev"] = model_id
        ids = issue(session, world, model_id, [f"F{n}" for n in range(size)])
    return world, ids


def test_a_batch_for_many_batteries_keeps_the_series_and_shows_the_latest(
    database: Database,
) -> None:
    world, fleet = _fleet(database, 20)
    batch = [
        readings.Reading(passport_id, metric, T0 + timedelta(days=day), Decimal(100 - day))
        for passport_id in fleet
        for metric in ("stateOfCharge", "capacityFade")
        for day in range(5)
    ]
    with database.transaction() as session:
        result = readings.record_readings(session, caller=world.pack_maker, readings=batch)
    assert (result.received, result.stored, result.passports) == (200, 200, 20)
    with database.transaction() as session:
        again = readings.record_readings(session, caller=world.pack_maker, readings=batch[:10])
        assert again.stored == 0
        newest = readings.latest(session, fleet[3])
        assert set(newest) == {"stateOfCharge", "capacityFade"}
        assert newest["stateOfCharge"].value == Decimal(96)
        assert newest["stateOfCharge"].measured_at == T0 + timedelta(days=4)
        assert [value for _at, value in readings.series(session, fleet[3], "capacityFade")] == [
            Decimal(100 - day) for day in range(5)
        ]


def test_csv_and_json_give_the_same_readings(database: Database) -> None:
    _world, (passport_id,) = _fleet(database, 1)
    text = (
        "passportId,metric,measuredAt,value,note\n"
        f"{passport_id},fullCycles,2026-03-01T08:00:00Z,120,\n"
        f"{passport_id},accident,2026-03-02T08:00:00+09:00,1,minor collision\n"
    )
    from_csv = readings.parse_csv(text)
    from_json = readings.parse_json(
        [
            {
                "passportId": str(passport_id),
                "metric": "fullCycles",
                "measuredAt": "2026-03-01T08:00:00Z",
                "value": 120,
            },
            {
                "passportId": str(passport_id),
                "metric": "accident",
                "measuredAt": "2026-03-02T08:00:00+09:00",
                "value": "1",
                "note": "minor collision",
            },
        ]
    )
    assert from_csv == from_json
    with pytest.raises(InvalidRequest, match="line 2"):
        readings.parse_csv(f"passportId,metric,measuredAt,value\n{passport_id},soh,2026-03-01,x\n")
    with pytest.raises(InvalidRequest, match="header lacks"):
        readings.parse_csv("passportId,metric\n")


def test_bad_readings_store_nothing(database: Database) -> None:
    world, (passport_id,) = _fleet(database, 1)
    good = readings.Reading(passport_id, "stateOfCharge", T0, Decimal("95.5"))
    bad = [
        readings.Reading(passport_id, "happiness", T0, Decimal(1)),
        readings.Reading(passport_id, "stateOfCharge", T0.replace(tzinfo=None), Decimal(1)),
        readings.Reading(passport_id, "stateOfCharge", T0 + timedelta(days=3650), Decimal(1)),
        readings.Reading(passport_id, "stateOfCharge", T0, Decimal("NaN")),
        readings.Reading(passport_id, "stateOfCharge", T0, Decimal("1.123456")),
    ]
    for reading in bad:
        with (
            database.transaction() as session,
            pytest.raises(InvalidRequest, match=r"readings\[1\]"),
        ):
            readings.record_readings(session, caller=world.pack_maker, readings=[good, reading])
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PassportReading)) == 0


def test_only_the_responsible_operator_or_a_reporting_grantee_sends_data(
    database: Database,
) -> None:
    world, (passport_id,) = _fleet(database, 1)
    reading = readings.Reading(passport_id, "stateOfCharge", T0, Decimal(80))
    with database.transaction() as session, pytest.raises(NotFound):
        readings.record_readings(session, caller=world.car_maker, readings=[reading])
    with database.transaction() as session:
        grants.grant_access(
            session,
            caller=world.pack_maker,
            request=grants.GrantRequest(world.car_maker, "owner", passport_id=passport_id),
        )
    with database.transaction() as session, pytest.raises(NotFound):
        readings.record_readings(session, caller=world.car_maker, readings=[reading])
    with database.transaction() as session:
        grants.grant_access(
            session,
            caller=world.pack_maker,
            request=grants.GrantRequest(
                world.car_maker, "owner", model_id=world.models["ev"], may_report=True
            ),
        )
    with database.transaction() as session:
        stored = readings.record_readings(session, caller=world.car_maker, readings=[reading])
        assert stored.stored == 1


def test_a_batch_mixing_new_stored_and_repeated_readings_counts_what_it_stored(
    database: Database,
) -> None:
    world, fleet = _fleet(database, 3)
    first = [readings.Reading(fleet[0], "stateOfCharge", T0, Decimal("80.5"), note="n")]
    with database.transaction() as session:
        readings.record_readings(session, caller=world.pack_maker, readings=first)
    batch = [
        *first,  # stored before
        readings.Reading(fleet[1], "stateOfCharge", T0, Decimal("70.12345"), source="BMS"),
        readings.Reading(fleet[1], "stateOfCharge", T0, Decimal(71)),  # repeats the one before
        readings.Reading(fleet[2], "fullCycles", T0 + timedelta(hours=1), Decimal(12)),
    ]
    with database.transaction() as session:
        result = readings.record_readings(session, caller=world.pack_maker, readings=batch)
    assert (result.received, result.stored, result.passports) == (4, 2, 3)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PassportReading)) == 3
        kept = readings.latest(session, fleet[1])["stateOfCharge"]
        assert (kept.value, kept.source, kept.measured_at) == (Decimal("70.12345"), "BMS", T0)
        assert readings.latest(session, fleet[0])["stateOfCharge"].note == "n"
        assert readings.latest(session, fleet[2])["fullCycles"].value == Decimal(12)
