"""Issuing passports: models, batches in one transaction, identifiers, publication."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from battrace.errors import InvalidRequest, NotFound
from battrace.passport import history, issuing, lookup
from battrace.passport.access import PUBLIC_READER, Reader
from battrace.passport.catalogue import Reader as Role
from battrace.passport.models import BatteryStatus, Passport, Publication
from battrace.store import Database
from tests.passport.world import GTIN, issue, make_model, make_world


def test_a_batch_issues_one_original_passport_per_serial(database: Database) -> None:
    world = make_world(database)
    seen: list[tuple[int, int]] = []
    with database.transaction() as session:
        model_id = make_model(session, world)
        issued = issuing.create_batch(
            session,
            caller=world.pack_maker,
            model_id=model_id,
            batteries=[issuing.NewBattery(serial=f"S{n:05d}") for n in range(2500)],
            progress=lambda done, total: seen.append((done, total)),
        )
    assert seen == [(2000, 2500), (2500, 2500)]
    with database.transaction() as session:
        rows = session.scalars(select(Passport).where(Passport.batch_id == issued.batch.id)).all()
        assert len(rows) == 2500
        assert {row.status for row in rows} == {BatteryStatus.ORIGINAL}
        assert {row.publication for row in rows} == {Publication.DRAFT}
        first = next(row for row in rows if row.serial == "S00000")
        assert first.battery_identifier == f"(01){GTIN}(21)S00000"
        assert first.version == 1 and len(first.head_hash) == 64


def test_a_refused_battery_stores_nothing_of_the_batch(database: Database) -> None:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        issue(session, world, model_id, ["A1"])
    with database.transaction() as session, pytest.raises(InvalidRequest) as refused:
        issue(session, world, model_id, ["B1", "B2", "A1"])
    assert "(21)A1" in refused.value.message
    with database.transaction() as session, pytest.raises(InvalidRequest) as bad:
        issue(session, world, model_id, ["C1", "C 2"])
    assert bad.value.message.startswith("batteries[1].serial")
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Passport)) == 1


def test_a_wrong_gtin_check_digit_is_refused(database: Database) -> None:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        with pytest.raises(InvalidRequest, match="check digit"):
            issuing.create_batch(
                session,
                caller=world.pack_maker,
                model_id=model_id,
                batteries=[issuing.NewBattery(serial="X1", gtin="04012345000008")],
            )


def test_a_draft_exists_only_for_its_responsible_operator(database: Database) -> None:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        (draft,) = issue(session, world, model_id, ["D1"], publish=False)
    with database.transaction() as session:
        for reader in (PUBLIC_READER, Reader(world.car_maker), world.authority):
            with pytest.raises(NotFound):
                lookup.view_passport(session, reader=reader, passport_id=draft)
        own = lookup.view_passport(session, reader=Reader(world.pack_maker), passport_id=draft)
        assert own.publication == Publication.DRAFT
        assert issuing.publish(session, caller=world.pack_maker, passport_ids=[draft]) == 1
    with database.transaction() as session:
        shown = lookup.view_passport(session, reader=PUBLIC_READER, passport_id=draft)
        assert shown.publication == Publication.ACTIVE


def test_only_the_responsible_operator_changes_a_passport(database: Database) -> None:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        (passport_id,) = issue(session, world, model_id, ["W1"])
    for other in (world.car_maker, world.agency, world.stranger):
        with database.transaction() as session, pytest.raises(NotFound):
            issuing.update_passport(
                session,
                caller=other,
                passport_id=passport_id,
                data={"general": {"manufacturingDate": "2026-01"}},
            )
        with database.transaction() as session, pytest.raises(NotFound):
            issuing.publish(session, caller=other, passport_ids=[passport_id])
    with database.transaction() as session:
        changed = issuing.update_passport(
            session,
            caller=world.pack_maker,
            passport_id=passport_id,
            data={"general": {"manufacturingDate": "2026-03"}},
            reason="date stamped",
        )
        assert changed.data == {"general": {"manufacturingDate": "2026-03"}}
        assert changed.version == 2


def test_every_passport_of_a_batch_has_its_own_verifiable_first_version(
    database: Database,
) -> None:
    """A batch computes the digests its passports share once; each passport's chain still
    verifies and each digest is its own change's."""
    world = make_world(database)
    item = {"general": {"manufacturingDate": "2026-02"}}
    with database.transaction() as session:
        model_id = make_model(session, world)
        issued = issuing.create_batch(
            session,
            caller=world.pack_maker,
            model_id=model_id,
            batteries=[
                issuing.NewBattery(serial=f"V{n}", data=item if n % 2 else None) for n in range(4)
            ],
        )
    heads = set()
    odd = set(issued.passport_ids[1::2])
    with database.transaction() as session:
        for passport_id in issued.passport_ids:
            versions = [
                each.to_dict()
                for each in history.versions_of(session, passport_id, Role.RESPONSIBLE_OPERATOR)
            ]
            assert history.verify_chain(versions) == []
            (first,) = versions
            changes = first["changes"]
            assert isinstance(changes, list) and len(changes) == (6 if passport_id in odd else 5)
            for change in changes:
                plain = {key: value for key, value in change.items() if key != "digest"}
                assert history.change_digest(plain) == change["digest"]
            heads.add(first["hash"])
    assert len(heads) == 4
