"""Collection and chain of custody through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.passport import battery_models, issuing
from battrace.passport.issuing import NewBattery
from battrace.passport.models import BatteryCategory, BatteryStatus, Passport
from battrace.recycling import custody, lots
from battrace.recycling.custody import Collection, FractionWrite, StepWrite
from battrace.recycling.models import CustodyEvent, CustodyLot, EventKind, Fraction, LotStatus
from battrace.store import Database
from tests.recycling.loop import CARRIER, COLLECTOR, MATERIAL, PACK, RECYCLER, seed_loop

D = Decimal
C, T, R = COLLECTOR.operator_id, CARRIER.operator_id, RECYCLER.operator_id
PACKS = Collection(
    code="LOT-1",
    product_type="battery",
    member_state="fr",
    mass_kg=D(1000),
    item_ids=("BAT-1", "BAT-2", "BAT-3", "BAT-4"),
    chemistry="NMC",
    energy_kwh=D(240),
    place="Lyon depot",
)


@pytest.fixture
def loop(database: Database) -> Database:
    seed_loop(database)
    return database


def _collected(database: Database) -> str:
    with database.transaction() as session:
        return str(custody.collect(session, caller=C, collection=PACKS).id)


def test_a_lot_travels_from_collection_to_fractions(loop: Database) -> None:
    lot_id = _collected(loop)

    lot = uuid.UUID(lot_id)
    with loop.transaction() as session:
        custody.hand_over(session, caller=C, lot_id=lot, receiver=T)
    with loop.transaction() as session:
        # the carrier weighs 998 kg: 2 kg lost in loading, declared
        custody.accept_hand_over(
            session, caller=T, lot_id=lot, mass_received_kg=D(998), loss_kg=D(2)
        )
        custody.record_step(
            session,
            caller=T,
            lot_id=lot,
            step=StepWrite(EventKind.TRANSPORTED, D(997), D(1), place="A7"),
        )
        custody.hand_over(session, caller=T, lot_id=lot, receiver=R)
    with loop.transaction() as session:
        custody.accept_hand_over(session, caller=R, lot_id=lot, mass_received_kg=D(997))
        fractions = custody.dismantle(
            session,
            caller=R,
            lot_id=lot,
            outputs=[
                FractionWrite(Fraction.BLACK_MASS, D(400)),
                FractionWrite(Fraction.ALUMINIUM, D(250)),
                FractionWrite(Fraction.COPPER, D(90)),
                FractionWrite(Fraction.STEEL, D(150)),
                FractionWrite(Fraction.PLASTICS, D(100)),
            ],
            loss_kg=D(7),
        )
        black_mass = fractions[0].id
    with loop.transaction() as session:
        check = lots.check_lot(session, caller=R, lot_id=lot)
        events = lots.lot_events(session, caller=C, lot_id=lot)
        assert [e.kind for e in events] == [
            EventKind.COLLECTED,
            EventKind.HANDED_OVER,
            EventKind.TRANSPORTED,
            EventKind.HANDED_OVER,
            EventKind.DISMANTLED,
        ]
        assert all(e.accepted_at is not None for e in events if e.kind == EventKind.HANDED_OVER)
        assert check.balanced and not check.lost_track
        # 1000 in; losses 2 + 1 + 7 = 10; 990 out into the five fractions
        assert (check.mass_in_kg, check.losses_kg, check.mass_out_kg) == (D(1000), D(10), D(990))
        stored = session.get_one(CustodyLot, lot)
        assert stored.status == LotStatus.DISMANTLED and stored.custodian_operator_id == R
        # the black mass lot carries the products it came from
        assert lots.lot_items(session, caller=R, lot_id=black_mass) == [
            "BAT-1",
            "BAT-2",
            "BAT-3",
            "BAT-4",
        ]
        custody.record_step(
            session, caller=R, lot_id=black_mass, step=StepWrite(EventKind.RECYCLED, D(400))
        )
        assert session.get_one(CustodyLot, black_mass).status == LotStatus.RECYCLED


def test_an_unbalanced_step_is_refused_and_nothing_stored(loop: Database) -> None:

    lot = uuid.UUID(_collected(loop))
    with pytest.raises(InvalidRequest, match="off by 20 kg"), loop.transaction() as session:
        custody.record_step(session, caller=C, lot_id=lot, step=StepWrite(EventKind.STORED, D(980)))
    with loop.transaction() as session:
        assert session.get_one(CustodyLot, lot).last_sequence == 1
        count = session.scalars(select(CustodyEvent).where(CustodyEvent.lot_id == lot)).all()
        assert len(count) == 1


def test_only_the_authorised_custodian_records(loop: Database) -> None:

    lot = uuid.UUID(_collected(loop))
    with loop.transaction() as session:
        # the carrier holds no permit to collect
        with pytest.raises(AccessDenied, match="needs a valid permit as collector"):
            custody.collect(session, caller=T, collection=PACKS)
        # another operator does not even see the lot
        with pytest.raises(NotFound):
            custody.record_step(
                session, caller=T, lot_id=lot, step=StepWrite(EventKind.TRANSPORTED, D(1000))
            )
        with pytest.raises(NotFound):
            lots.lot_events(session, caller=MATERIAL.operator_id, lot_id=lot)
        # the collector has no transport permit
        with pytest.raises(AccessDenied, match="transporter"):
            custody.record_step(
                session, caller=C, lot_id=lot, step=StepWrite(EventKind.TRANSPORTED, D(1000))
            )


def test_a_hand_over_waits_for_the_receiver(loop: Database) -> None:

    lot = uuid.UUID(_collected(loop))
    with loop.transaction() as session:
        custody.hand_over(session, caller=C, lot_id=lot, receiver=T)
        # nobody records on it meanwhile
        with pytest.raises(InvalidRequest, match="awaits its receiver"):
            custody.record_step(
                session, caller=C, lot_id=lot, step=StepWrite(EventKind.STORED, D(1000))
            )
        # only the receiver accepts (to another the lot does not exist), weighing what it got
        with pytest.raises(NotFound):
            custody.accept_hand_over(session, caller=R, lot_id=lot, mass_received_kg=D(1000))
        with pytest.raises(InvalidRequest, match="no hand-over waiting for you"):
            custody.accept_hand_over(session, caller=C, lot_id=lot, mass_received_kg=D(1000))
        with pytest.raises(InvalidRequest, match="mass balance"):
            custody.accept_hand_over(session, caller=T, lot_id=lot, mass_received_kg=D(900))
        custody.decline_hand_over(session, caller=T, lot_id=lot)
        assert session.get_one(CustodyLot, lot).custodian_operator_id == C
        # a receiver without any permit cannot take custody
        custody.hand_over(session, caller=C, lot_id=lot, receiver=MATERIAL.operator_id)
        with pytest.raises(AccessDenied, match="needs a valid permit"):
            custody.accept_hand_over(
                session, caller=MATERIAL.operator_id, lot_id=lot, mass_received_kg=D(1000)
            )


def test_a_lot_losing_batteries_is_flagged(loop: Database) -> None:

    lot = uuid.UUID(_collected(loop))
    with loop.transaction() as session:
        # one battery less, and no loss declared: flagged, the masses still balance
        custody.record_step(
            session,
            caller=C,
            lot_id=lot,
            step=StepWrite(EventKind.STORED, D(750), D(250), units_out=3),
        )
        assert session.get_one(CustodyLot, lot).lost_track
        check = lots.check_lot(session, caller=C, lot_id=lot)
        assert check.balanced and check.lost_track


def test_a_long_history_is_checked_in_one_read(loop: Database) -> None:

    lot = uuid.UUID(_collected(loop))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "lot_id": lot,
            "sequence": n,
            "operator_id": C,
            "kind": EventKind.STORED,
            "occurred_at": at,
            "place": None,
            "mass_in_kg": D(1000) - (n - 2) * D("0.001"),
            "mass_out_kg": D(1000) - (n - 1) * D("0.001"),
            "loss_kg": D("0.001"),
            "units_in": 4,
            "units_out": 4,
            "units_lost_declared": 0,
            "receiver_operator_id": None,
            "accepted_at": None,
            "note": None,
            "recorded_at": at,
        }
        for n in range(2, 5002)
    ]
    rows[2500]["mass_out_kg"] -= D(10)  # one step off by 10 kg
    with loop.transaction() as session:
        session.execute(insert(CustodyEvent), rows)
    with loop.transaction() as session:
        check = lots.check_lot(session, caller=C, lot_id=lot)
    assert check.steps == 5001
    # the bad step, and the next one taking in more than it was handed
    assert [(f.sequence, f.kind) for f in check.findings] == [
        (2502, "imbalance"),
        (2503, "discontinuity"),
    ]


def test_passports_become_waste_and_end_when_recycled(loop: Database) -> None:
    """The producer takes back two of its packs naming the recycler responsible; the recycler
    dismantles them and recycles the black mass: both passports end. A third pack listed by
    serial only, without a passport, is left alone."""
    pack = PACK.operator_id
    with loop.transaction() as session:
        model = battery_models.create_model(
            session, caller=pack, name="Pack 60", category=BatteryCategory.EV
        )
        issued = issuing.create_batch(
            session,
            caller=pack,
            model_id=model.id,
            batteries=[NewBattery(identifier="ID-A"), NewBattery(identifier="ID-B")],
            publish=True,
        )
        ids = [str(p) for p in issued.passport_ids]
        lot = custody.collect(
            session,
            caller=pack,
            collection=replace(
                PACKS, item_ids=(*ids, "SERIAL-ONLY"), taken_back=True, responsible=R
            ),
        )
        passports = [session.get_one(Passport, p) for p in issued.passport_ids]
        assert [(p.status, p.responsible_operator_id) for p in passports] == [
            (BatteryStatus.WASTE, R),
            (BatteryStatus.WASTE, R),
        ]
        custody.hand_over(session, caller=pack, lot_id=lot.id, receiver=R)
        custody.accept_hand_over(session, caller=R, lot_id=lot.id, mass_received_kg=D(1000))
        black_mass, _steel = custody.dismantle(
            session,
            caller=R,
            lot_id=lot.id,
            outputs=[
                FractionWrite(Fraction.BLACK_MASS, D(400)),
                FractionWrite(Fraction.STEEL, D(600)),
            ],
        )
        assert all(p.ended_at is None for p in passports)
        custody.record_step(
            session, caller=R, lot_id=black_mass.id, step=StepWrite(EventKind.RECYCLED, D(400))
        )
        session.flush()
        assert all(p.ended_at is not None for p in passports)
