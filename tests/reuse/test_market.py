"""Listings, reservations, the hand-over through the passport lifecycle, and the evaluation in
use, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from battrace import errors
from battrace.passport import lookup
from battrace.passport.access import Reader
from battrace.passport.models import BatteryStatus
from battrace.reuse import assessments, intakes, market, monitoring
from battrace.reuse.models import ListingStatus, ReservationStatus
from battrace.store import Database
from tests.reuse.builders import intake_doc
from tests.reuse.world import Market, make_market


@pytest.fixture
def world(seeded: Database) -> Market:
    return make_market(seeded)


def _listed(
    database: Database, world: Market, pack: int, visible_to: tuple[uuid.UUID, ...] = ()
) -> uuid.UUID:
    with database.transaction() as session:
        intake = intakes.record_intake(
            session,
            caller=world.reuser,
            passport_id=world.packs[pack],
            label=f"pack {pack}",
            document=intake_doc(),
        )
        session.flush()  # the intake's row before its assessment reads it
        done = assessments.assess_intake(session, caller=world.reuser, intake_id=intake.id)
        session.flush()  # the assessment's row before the listing reads it
        listing = market.create_listing(
            session,
            caller=world.reuser,
            assessment_id=done.id,
            location="Nagoya",
            visible_to=visible_to,
        )
        return listing.id


def test_a_listing_carries_grade_capacity_life_and_value(seeded: Database, world: Market) -> None:
    listing_id = _listed(seeded, world, 0)
    with seeded.transaction(write=False) as session:
        found = market.search_listings(session, caller=world.integrator, grades=["A"])
        assert [f.id for f in found] == [listing_id]
        listing = found[0]
        assert listing.capacity_kwh == 60
        assert listing.chemistry == "NMC622"
        assert 0 < listing.life_p10_years <= listing.life_p50_years
        assert listing.location == "Nagoya"
        assert market.search_listings(session, caller=world.integrator, grades=["C"]) == []
        assert market.search_listings(session, caller=world.integrator, min_capacity_kwh=61) == []


def test_who_sees_a_listing_is_the_listers_decision(seeded: Database, world: Market) -> None:
    listing_id = _listed(seeded, world, 0, visible_to=(world.integrator,))
    with seeded.transaction(write=False) as session:
        assert [f.id for f in market.search_listings(session, caller=world.integrator)] == [
            listing_id
        ]
        assert market.search_listings(session, caller=world.stranger) == []
        with pytest.raises(errors.NotFound):
            market.visible_listing(session, caller=world.stranger, listing_id=listing_id)
    with seeded.transaction() as session, pytest.raises(errors.NotFound):
        market.reserve(session, caller=world.stranger, listing_id=listing_id)


def test_a_recycle_grade_cannot_be_listed(seeded: Database, world: Market) -> None:
    with seeded.transaction() as session:
        intake = intakes.record_intake(
            session, caller=world.reuser, passport_id=world.packs[0], label="swollen",
            document=intake_doc(inspection__swelling=True),
        )  # fmt: skip
        session.flush()  # the intake's row before its assessment reads it
        done = assessments.assess_intake(session, caller=world.reuser, intake_id=intake.id)
        session.flush()  # the assessment's row before the listing reads it
        with pytest.raises(errors.InvalidRequest):
            market.create_listing(session, caller=world.reuser, assessment_id=done.id, location="x")


def test_two_packs_become_one_storage_system_under_a_new_passport(
    seeded: Database, world: Market
) -> None:
    listings = [_listed(seeded, world, k) for k in (0, 1)]
    with seeded.transaction() as session:
        held = [market.reserve(session, caller=world.integrator, listing_id=i).id for i in listings]
        with pytest.raises(errors.Conflict):
            market.reserve(session, caller=world.stranger, listing_id=listings[0])
    with seeded.transaction() as session, pytest.raises(errors.NotFound):  # only the lister
        market.hand_over(
            session, caller=world.integrator, reservation_ids=held, status="repurposed", label="x"
        )
    with seeded.transaction() as session:
        system = market.hand_over(
            session,
            caller=world.reuser,
            reservation_ids=held,
            status="repurposed",
            label="Storage 1",
            battery_identifier="ESS-0001",
        )
        system_id, successor = system.id, system.passport_id
        assert system.operator_id == world.integrator
        assert len(system.predecessors) == 2
    with seeded.transaction(write=False) as session:
        view = lookup.view_passport(
            session, reader=Reader(operator_id=world.integrator), passport_id=successor
        )
        assert view.responsible_operator_id == world.integrator
        assert view.status == BatteryStatus.REPURPOSED
        assert set(view.predecessors) == {world.packs[0], world.packs[1]}
        assert view.category == "stationary"
        found = market.search_listings(session, caller=world.integrator, include_closed=True)
        assert {f.status for f in found} == {ListingStatus.HANDED_OVER}
        reservations = market.list_reservations(session, caller=world.integrator)
        assert {r.status for r in reservations} == {ReservationStatus.COMMISSIONED}
        assert {r.system_id for r in reservations} == {system_id}
        kinds = {n.kind for n in monitoring.list_notifications(session, caller=world.integrator)}
        assert kinds == {"handover"}
        assert {n.kind for n in monitoring.list_notifications(session, caller=world.reuser)} == {
            "reservation"
        }


def test_a_released_reservation_opens_the_listing_again(seeded: Database, world: Market) -> None:
    listing_id = _listed(seeded, world, 0)
    with seeded.transaction() as session:
        held = market.reserve(session, caller=world.integrator, listing_id=listing_id)
        session.flush()  # the reservation's row before it is released
        market.release(session, caller=world.reuser, reservation_id=held.id)
        assert (
            market.visible_listing(session, caller=world.integrator, listing_id=listing_id).status
            == ListingStatus.OPEN
        )
        with pytest.raises(errors.InvalidRequest):
            market.release(session, caller=world.integrator, reservation_id=held.id)


def test_drifting_below_the_band_notifies_the_operator(seeded: Database, world: Market) -> None:
    listing_id = _listed(seeded, world, 0)
    with seeded.transaction() as session:
        held = market.reserve(session, caller=world.integrator, listing_id=listing_id)
        session.flush()  # the reservation's row before the hand-over reads it
        system = market.hand_over(
            session,
            caller=world.reuser,
            reservation_ids=[held.id],
            status="repurposed",
            label="ESS",
        )
        session.flush()  # the system's row before health is reported on it
        band = system.predicted
        on_track = monitoring.record_health(
            session, caller=world.integrator, system_id=system.id, efc_since=300.0,
            soh=monitoring.expected_soh(band, 300.0, p10=False),
        )  # fmt: skip
        assert not on_track.below_band
        drifting = monitoring.record_health(
            session, caller=world.integrator, system_id=system.id, efc_since=600.0,
            soh=monitoring.expected_soh(band, 600.0, p10=True) - 0.01,
        )  # fmt: skip
        assert drifting.below_band
        notices = monitoring.list_notifications(session, caller=world.integrator)
        assert [n.kind for n in notices].count("drift") == 1
        with pytest.raises(errors.NotFound):
            monitoring.record_health(
                session, caller=world.reuser, system_id=system.id, efc_since=1.0, soh=0.9
            )
