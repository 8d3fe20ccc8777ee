"""Lifecycle (Art. 77(7)-(8)): successors for re-use / repurposing / remanufacturing, waste,
the end by recycling; every illegal step refused and changing nothing."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from battrace.errors import InvalidRequest, NotFound
from battrace.passport import grants, lifecycle, lookup
from battrace.passport.access import PUBLIC_READER, Reader, Role
from battrace.passport.issuing import NewBattery
from battrace.passport.models import (
    BatteryCategory,
    BatteryStatus,
    Passport,
    PassportLink,
    Publication,
)
from battrace.store import Database
from tests.passport.world import World, issue, make_model, make_world


def _setup(database: Database, serials: list[str]) -> tuple[World, list[uuid.UUID]]:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        world.models["ev"] = model_id
        ids = issue(session, world, model_id, serials)
    return world, ids


def test_repurposing_several_packs_makes_one_new_passport(database: Database) -> None:
    world, (first, second) = _setup(database, ["P1", "P2"])
    with database.transaction() as session:
        storage_model = make_model(
            session,
            world,
            category=BatteryCategory.STATIONARY,
            name="Home storage",
            operator=world.car_maker,
        )
        for passport_id in (first, second):
            grants.grant_access(
                session,
                caller=world.pack_maker,
                request=grants.GrantRequest(
                    grantee_operator_id=world.car_maker,
                    interest="repurposer",
                    passport_id=passport_id,
                ),
            )
    with database.transaction() as session:
        successor = lifecycle.create_successor(
            session,
            caller=world.car_maker,
            predecessor_ids=[first, second],
            status=BatteryStatus.REPURPOSED,
            model_id=storage_model,
            battery=NewBattery(serial="ESS-1"),
            reason="two packs into one storage unit",
        )
        successor_id = successor.id
    with database.transaction() as session:
        view = lookup.view_passport(
            session, reader=Reader(world.car_maker), passport_id=successor_id
        )
        assert view.role == Role.RESPONSIBLE_OPERATOR
        assert view.status == BatteryStatus.REPURPOSED
        assert view.category == "stationary"
        assert set(view.predecessors) == {first, second}
        old = lookup.view_passport(session, reader=PUBLIC_READER, passport_id=first)
        assert old.publication == Publication.ARCHIVED
        assert old.successors == (successor_id,)
        assert session.get(Passport, first).responsible_operator_id == world.pack_maker  # type: ignore[union-attr]
        # the archived one cannot be repurposed again, nor changed
        with pytest.raises(InvalidRequest, match="successor"):
            lifecycle.create_successor(
                session,
                caller=world.pack_maker,
                predecessor_ids=[first],
                status=BatteryStatus.REUSED,
            )


def test_a_successor_is_never_original_and_needs_the_right_to_make_it(database: Database) -> None:
    world, (passport_id,) = _setup(database, ["P1"])
    with database.transaction() as session:
        for status in (BatteryStatus.ORIGINAL, BatteryStatus.WASTE):
            with pytest.raises(InvalidRequest, match="status"):
                lifecycle.create_successor(
                    session, caller=world.pack_maker, predecessor_ids=[passport_id], status=status
                )
        with pytest.raises(NotFound):
            lifecycle.create_successor(
                session,
                caller=world.stranger,
                predecessor_ids=[passport_id],
                status=BatteryStatus.REUSED,
            )
        with pytest.raises(InvalidRequest, match="keeps its category"):
            lifecycle.create_successor(
                session,
                caller=world.pack_maker,
                predecessor_ids=[passport_id],
                status=BatteryStatus.REUSED,
                category=BatteryCategory.STATIONARY,
            )
    with database.transaction() as session:
        assert session.scalars(select(PassportLink)).all() == []
        reused = lifecycle.create_successor(
            session,
            caller=world.pack_maker,
            predecessor_ids=[passport_id],
            status=BatteryStatus.REUSED,
            new_operator_id=world.car_maker,
        )
        assert reused.battery_identifier == session.get(Passport, passport_id).battery_identifier  # type: ignore[union-attr]
        assert reused.responsible_operator_id == world.car_maker
        assert reused.issuer_operator_id == world.pack_maker


def test_waste_moves_responsibility_and_recycling_ends_the_passport(database: Database) -> None:
    world, (passport_id,) = _setup(database, ["P1"])
    with database.transaction() as session, pytest.raises(InvalidRequest, match="waste first"):
        lifecycle.end_by_recycling(session, caller=world.pack_maker, passport_id=passport_id)
    with database.transaction() as session:
        waste = lifecycle.mark_waste(
            session,
            caller=world.pack_maker,
            passport_id=passport_id,
            new_operator_id=world.recycler,
            reason="collected at end of life",
        )
        assert waste.status == BatteryStatus.WASTE
        assert waste.responsible_operator_id == world.recycler
    with database.transaction() as session:
        with pytest.raises(NotFound):  # no longer responsible
            lifecycle.end_by_recycling(session, caller=world.pack_maker, passport_id=passport_id)
        with pytest.raises(InvalidRequest, match="waste already"):
            lifecycle.mark_waste(
                session,
                caller=world.recycler,
                passport_id=passport_id,
                new_operator_id=world.recycler,
            )
        ended = lifecycle.end_by_recycling(
            session, caller=world.recycler, passport_id=passport_id, reason="shredded"
        )
        assert ended.ended_at is not None
        assert ended.publication == Publication.ARCHIVED
    with database.transaction() as session:
        tombstone = lookup.view_passport(session, reader=PUBLIC_READER, passport_id=passport_id)
        assert tombstone.ended and tombstone.sections == {} and tombstone.latest == {}
        archive = lookup.view_passport(
            session, reader=Reader(world.recycler), passport_id=passport_id
        )
        assert archive.ended and archive.sections
        for step in (
            lambda: lifecycle.mark_waste(
                session,
                caller=world.recycler,
                passport_id=passport_id,
                new_operator_id=world.recycler,
            ),
            lambda: lifecycle.end_by_recycling(
                session, caller=world.recycler, passport_id=passport_id
            ),
            lambda: lifecycle.create_successor(
                session,
                caller=world.recycler,
                predecessor_ids=[passport_id],
                status=BatteryStatus.REPURPOSED,
            ),
        ):
            with pytest.raises(InvalidRequest):
                step()


_STATUSES = st.sampled_from(list(BatteryStatus))
_CATEGORIES = st.sampled_from(list(BatteryCategory))


@given(_STATUSES, _CATEGORIES, st.booleans(), st.booleans(), _STATUSES, _CATEGORIES)
def test_successor_rules(
    old_status: BatteryStatus,
    old_category: BatteryCategory,
    ended: bool,
    superseded: bool,
    new_status: BatteryStatus,
    new_category: BatteryCategory,
) -> None:
    refusal = lifecycle.successor_refusal(
        predecessor_status=old_status,
        predecessor_category=old_category,
        ended=ended,
        superseded=superseded,
        new_status=new_status,
        new_category=new_category,
    )
    allowed = (
        new_status in lifecycle.SUCCESSOR_STATUSES
        and not ended
        and not superseded
        and (new_status != BatteryStatus.REUSED or new_category == old_category)
    )
    assert (refusal is None) == allowed
    assert new_status != BatteryStatus.ORIGINAL or refusal is not None


@given(_STATUSES, st.booleans())
def test_recycling_only_ends_live_waste(status: BatteryStatus, ended: bool) -> None:
    refusal = lifecycle.recycling_refusal(status=status, ended=ended)
    assert (refusal is None) == (status == BatteryStatus.WASTE and not ended)
