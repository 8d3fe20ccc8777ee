"""One storage system from packs of several listers: the integrator proposes, every lister
accepts, and the last acceptance makes one successor passport linked to every original, all
or nothing; a refusal changes no passport, listing or reservation. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from battrace import errors
from battrace.cli.demo.reuse import MODEL as MODEL_DATA
from battrace.identity import operators
from battrace.passport import battery_models, issuing, lifecycle, lookup
from battrace.passport.access import Reader
from battrace.passport.models import BatteryCategory, BatteryStatus, Passport, Publication
from battrace.reuse import assessments, intakes, market, proposals
from battrace.reuse.models import (
    ListingStatus,
    ProposalState,
    ReservationStatus,
    ReuseListing,
    ReuseReservation,
    ReuseSystem,
)
from battrace.store import Database
from tests.reuse.builders import intake_doc
from tests.reuse.world import make_market


@dataclass
class Two:
    """Two listers (A with packs[0], D with its own pack), an integrator B, a stranger C."""

    first: uuid.UUID
    second: uuid.UUID
    integrator: uuid.UUID
    stranger: uuid.UUID
    packs: dict[uuid.UUID, uuid.UUID]  # lister -> its pack's passport
    listings: dict[uuid.UUID, uuid.UUID]
    held: dict[uuid.UUID, uuid.UUID]  # lister -> the integrator's reservation


def _list(database: Database, lister: uuid.UUID, passport: uuid.UUID) -> uuid.UUID:
    with database.transaction() as session:
        intake = intakes.record_intake(
            session, caller=lister, passport_id=passport, label="pack", document=intake_doc()
        )
        session.flush()
        done = assessments.assess_intake(session, caller=lister, intake_id=intake.id)
        session.flush()
        return market.create_listing(
            session, caller=lister, assessment_id=done.id, location="Osaka"
        ).id


@pytest.fixture
def two(seeded: Database) -> Two:
    world = make_market(seeded, packs=1)
    with seeded.transaction() as session:
        second = operators.create_operator(
            session, name="Second reuser", address="Kobe 1", open_operator_id="8888888888888"
        ).id
        session.flush()
        model = battery_models.create_model(
            session, caller=second, name="Pack 50", category=BatteryCategory.EV, data=MODEL_DATA
        )
        own = issuing.create_batch(
            session, caller=second, model_id=model.id,
            batteries=[issuing.NewBattery(identifier="D-PACK-0001")], publish=True,
        ).passport_ids[0]  # fmt: skip
    packs = {world.reuser: world.packs[0], second: own}
    listings = {lister: _list(seeded, lister, passport) for lister, passport in packs.items()}
    with seeded.transaction() as session:
        held = {
            lister: market.reserve(session, caller=world.integrator, listing_id=listing).id
            for lister, listing in listings.items()
        }
    return Two(world.reuser, second, world.integrator, world.stranger, packs, listings, held)


def _propose(database: Database, two: Two) -> uuid.UUID:
    with database.transaction() as session:
        return proposals.propose_system(
            session,
            caller=two.integrator,
            reservation_ids=list(two.held.values()),
            status="repurposed",
            label="Storage of two",
            battery_identifier="ESS-TWO-1",
        ).id


def _snapshot(database: Database, two: Two) -> dict[str, object]:
    """What a refusal must leave as it was: passports, listings, reservations, systems."""
    with database.transaction(write=False) as session:
        passports = {
            p: (row.responsible_operator_id, row.publication, row.status)
            for p in two.packs.values()
            if (row := session.get(Passport, p)) is not None
        }
        listings = {
            i: row.status
            for lister, i in two.listings.items()
            if (row := session.get(ReuseListing, (lister, i))) is not None
        }
        reservations = {
            r: (row.status, row.proposal_id)
            for r in two.held.values()
            if (row := session.get(ReuseReservation, (two.integrator, r))) is not None
        }
        systems = session.query(ReuseSystem).count()
    return {"p": passports, "l": listings, "r": reservations, "s": systems}


def test_every_lister_accepts_and_one_system_is_made(seeded: Database, two: Two) -> None:
    proposal_id = _propose(seeded, two)
    with seeded.transaction() as session:
        # a reservation in a proposal is no longer released or handed over alone
        with pytest.raises(errors.InvalidRequest, match="part of the proposal"):
            market.release(session, caller=two.first, reservation_id=two.held[two.first])
        with pytest.raises(errors.InvalidRequest, match="part of the proposal"):
            market.hand_over(
                session, caller=two.first, reservation_ids=[two.held[two.first]],
                status="repurposed", label="alone",
            )  # fmt: skip
    with seeded.transaction() as session:
        accepted = proposals.accept_proposal(session, caller=two.first, proposal_id=proposal_id)
        assert accepted.state == ProposalState.OPEN  # the second lister has not accepted yet
        with pytest.raises(errors.Conflict, match="accepted it already"):
            proposals.accept_proposal(session, caller=two.first, proposal_id=proposal_id)
    with seeded.transaction(write=False) as session:  # nothing moved yet
        for passport in two.packs.values():
            assert session.get(Passport, passport).publication == Publication.ACTIVE  # type: ignore[union-attr]
    with seeded.transaction() as session:
        done = proposals.accept_proposal(session, caller=two.second, proposal_id=proposal_id)
        assert done.state == ProposalState.COMMISSIONED and done.system_id is not None
        system = session.get(ReuseSystem, (two.integrator, done.system_id))
        assert system is not None and len(system.predecessors) == 2
        successor = system.passport_id
    with seeded.transaction(write=False) as session:
        view = lookup.view_passport(
            session, reader=Reader(operator_id=two.integrator), passport_id=successor
        )
        assert view.responsible_operator_id == two.integrator
        assert view.status == BatteryStatus.REPURPOSED
        assert view.category == BatteryCategory.STATIONARY
        assert set(view.predecessors) == set(two.packs.values())
        for lister, passport in two.packs.items():  # each lister's responsibility ended
            original = session.get(Passport, passport)
            assert original is not None and original.publication == Publication.ARCHIVED
            listing = session.get(ReuseListing, (lister, two.listings[lister]))
            assert listing is not None and listing.status == ListingStatus.HANDED_OVER
        for reservation in two.held.values():
            row = session.get(ReuseReservation, (two.integrator, reservation))
            assert row is not None and row.status == ReservationStatus.COMMISSIONED
        # each lister sees the commissioned proposal; a stranger does not
        proposals.visible_proposal(session, caller=two.second, proposal_id=proposal_id)
        with pytest.raises(errors.NotFound):
            proposals.visible_proposal(session, caller=two.stranger, proposal_id=proposal_id)


def test_a_refusal_by_one_lister_changes_nothing(seeded: Database, two: Two) -> None:
    proposal_id = _propose(seeded, two)
    before = _snapshot(seeded, two)
    with seeded.transaction() as session:
        proposals.accept_proposal(session, caller=two.first, proposal_id=proposal_id)
    with seeded.transaction() as session:
        refused = proposals.refuse_proposal(
            session, caller=two.second, proposal_id=proposal_id, reason="sold elsewhere"
        )
        assert refused.state == ProposalState.REFUSED and refused.refused_by == two.second
    after = _snapshot(seeded, two)
    # the reservations are held again, free of the proposal, as before it
    assert after["r"] == dict.fromkeys(two.held.values(), (ReservationStatus.HELD, None))
    assert {k: v for k, v in after.items() if k != "r"} == {
        k: v for k, v in before.items() if k != "r"
    }
    with pytest.raises(errors.Conflict, match="refused, not open"), seeded.transaction() as s:
        proposals.accept_proposal(s, caller=two.integrator, proposal_id=proposal_id)


def test_all_or_nothing_when_a_pack_is_gone_before_the_last_acceptance(
    seeded: Database, two: Two
) -> None:
    proposal_id = _propose(seeded, two)
    with seeded.transaction() as session:
        proposals.accept_proposal(session, caller=two.first, proposal_id=proposal_id)
    with seeded.transaction() as session:  # the second lister repurposes its pack elsewhere
        lifecycle.create_successor(
            session, caller=two.second, predecessor_ids=[two.packs[two.second]],
            status=BatteryStatus.REPURPOSED, category=BatteryCategory.STATIONARY,
        )  # fmt: skip
    before = _snapshot(seeded, two)
    # (the transaction sees the refusal and rolls back, as a route's does)
    with pytest.raises(errors.InvalidRequest), seeded.transaction() as session:
        proposals.accept_proposal(session, caller=two.second, proposal_id=proposal_id)
    assert _snapshot(seeded, two) == before  # the acceptance itself is undone too
    with seeded.transaction(write=False) as session:
        first = session.get(Passport, two.packs[two.first])
        assert first is not None and first.publication == Publication.ACTIVE


def test_who_may_propose_accept_and_see(seeded: Database, two: Two) -> None:
    with seeded.transaction() as session, pytest.raises(errors.NotFound):
        proposals.propose_system(  # a lister cannot propose the integrator's reservations
            session, caller=two.first, reservation_ids=list(two.held.values()),
            status="repurposed", label="x",
        )  # fmt: skip
    with seeded.transaction() as session, pytest.raises(errors.InvalidRequest, match="status"):
        proposals.propose_system(
            session, caller=two.integrator, reservation_ids=list(two.held.values()),
            status="waste", label="x",
        )  # fmt: skip
    proposal_id = _propose(seeded, two)
    with seeded.transaction() as session:
        with pytest.raises(errors.Conflict, match="already"):
            proposals.propose_system(
                session, caller=two.integrator, reservation_ids=[two.held[two.first]],
                status="repurposed", label="again",
            )  # fmt: skip
        for outsider in (two.stranger, two.integrator):
            with pytest.raises(errors.NotFound):
                proposals.accept_proposal(session, caller=outsider, proposal_id=proposal_id)
        with pytest.raises(errors.NotFound):
            proposals.visible_proposal(session, caller=two.stranger, proposal_id=proposal_id)
    with seeded.transaction() as session:
        withdrawn = proposals.withdraw_proposal(
            session, caller=two.integrator, proposal_id=proposal_id
        )
        assert withdrawn.state == ProposalState.WITHDRAWN
    with seeded.transaction() as session:  # held again: it may be released now
        market.release(session, caller=two.integrator, reservation_id=two.held[two.first])
