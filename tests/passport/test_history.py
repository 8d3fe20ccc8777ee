"""History: every change a version (who, when, what, why), a hash chain anyone can verify,
each reader seeing the changes its role allows."""

from __future__ import annotations

import copy
import uuid

from battrace.passport import history, issuing, lifecycle, lookup
from battrace.passport.access import PUBLIC_READER, Reader, Role
from battrace.store import Database
from tests.passport.world import World, issue, make_model, make_world


def _changed(database: Database) -> tuple[World, uuid.UUID]:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        (passport_id,) = issue(session, world, model_id, ["H1"], publish=False)
    with database.transaction() as session:
        issuing.publish(session, caller=world.pack_maker, passport_ids=[passport_id])
        issuing.update_passport(
            session,
            caller=world.pack_maker,
            passport_id=passport_id,
            data={
                "general": {"manufacturingDate": "2026-02"},
                "materials": {"composition": [{"component": "anode", "name": "Graphite"}]},
            },
            reason="weighed again",
        )
        lifecycle.mark_waste(
            session,
            caller=world.pack_maker,
            passport_id=passport_id,
            new_operator_id=world.recycler,
            reason="end of life",
        )
    return world, passport_id


def _history(database: Database, role: Role, passport_id: uuid.UUID) -> list[dict[str, object]]:
    with database.transaction() as session:
        return [each.to_dict() for each in history.versions_of(session, passport_id, role)]


def test_every_change_is_a_version_with_who_what_and_why(database: Database) -> None:
    world, passport_id = _changed(database)
    versions = _history(database, Role.RESPONSIBLE_OPERATOR, passport_id)
    assert [v["action"] for v in versions] == ["issue", "publish", "update", "waste"]
    update = versions[2]
    assert update["reason"] == "weighed again"
    assert update["actorOperatorId"] == str(world.pack_maker)
    assert {c["path"] for c in update["changes"]} == {  # type: ignore[attr-defined]
        "general.manufacturingDate",
        "materials.composition",
    }
    with database.transaction() as session:
        assert (
            lookup.view_passport(
                session, reader=Reader(world.recycler), passport_id=passport_id
            ).head_hash
            == versions[-1]["hash"]
        )


def test_each_role_verifies_the_chain_and_sees_only_its_changes(database: Database) -> None:
    _world, passport_id = _changed(database)
    for role in Role:
        copy_held = _history(database, role, passport_id)
        assert history.verify_chain(copy_held) == []
    public = _history(database, Role.PUBLIC, passport_id)
    shown = {c["path"] for v in public for c in v["changes"]}  # type: ignore[attr-defined]
    assert "general.manufacturingDate" in shown
    assert "materials.composition" not in shown
    assert "general.status" not in shown
    assert len(public[2]["changeDigests"]) == 2  # type: ignore[arg-type]


def test_an_altered_copy_fails_verification(database: Database) -> None:
    _world, passport_id = _changed(database)
    held = _history(database, Role.RESPONSIBLE_OPERATOR, passport_id)
    edited = copy.deepcopy(held)
    edited[2]["changes"][0]["after"] = 1  # type: ignore[index]
    assert any("altered" in problem for problem in history.verify_chain(edited))
    reasoned = copy.deepcopy(held)
    reasoned[1]["reason"] = "rewritten"
    assert any("hash" in problem for problem in history.verify_chain(reasoned))
    dropped = held[:1] + held[2:]
    assert history.verify_chain(dropped)


def test_the_public_reads_history_only_of_a_published_passport(database: Database) -> None:
    _world, passport_id = _changed(database)
    with database.transaction() as session:
        passport, role = lookup.visible_passport(session, PUBLIC_READER, passport_id)
        assert role == Role.PUBLIC and passport.id == passport_id
