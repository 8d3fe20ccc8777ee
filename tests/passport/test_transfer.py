"""Export of stored passports (battrace, Battery Pass 1.2, Catena-X 6.1.0; validated against
the upstream schemas by the exchange tests' checker) and import as a new passport: original,
the successor of passports named here, or waste."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from battrace.errors import InvalidRequest, ValidationFailed
from battrace.identity.models import Operator
from battrace.passport import history, lookup, transfer
from battrace.passport.access import PUBLIC_READER, Reader
from battrace.passport.catalogue import Category
from battrace.passport.document import PassportDocument
from battrace.passport.examples import example_document
from battrace.passport.models import BatteryModel, Passport
from battrace.store import Database
from tests.passport.reference import battery_pass_errors, catena_x_errors
from tests.passport.world import make_world


def test_an_imported_example_exports_again_in_every_format(database: Database) -> None:
    world = make_world(database)
    example = example_document(Category.EV)
    with database.transaction() as session:
        operator = session.get(Operator, world.pack_maker)
        assert operator is not None
        operator.global_operator_id = "BPNL000000000KCW"  # Catena-X names companies by BPNL
    with database.transaction() as session:
        made = transfer.import_document(
            session, caller=world.pack_maker, document=example, publish=True
        )
        passport_id = made.passport.id
        assert made.readings > 0
    with database.transaction() as session:
        own = lookup.view_passport(
            session, reader=Reader(world.pack_maker), passport_id=passport_id
        )
        assert own.sections["materials"]["composition"] == example.get("materials.composition")
        assert own.latest["remainingCapacity"].value == 194
        for format in transfer.Format:
            exported = transfer.export(
                session, reader=Reader(world.pack_maker), passport_id=passport_id, format=format
            )
            assert exported.content, (format, exported.problems)
            if format == transfer.Format.BATTERY_PASS:
                for aspect, instance in exported.content.items():
                    assert battery_pass_errors(aspect, instance) == [], aspect
            if format == transfer.Format.CATENA_X:
                assert catena_x_errors(exported.content) == []
        public = transfer.export(
            session, reader=PUBLIC_READER, passport_id=passport_id, format=transfer.Format.BATTRACE
        )
        assert public.content is not None
        assert "composition" not in public.content["materials"]


def test_a_refused_import_stores_nothing(database: Database) -> None:
    world = make_world(database)
    with pytest.raises(ValidationFailed):
        transfer.read_document({"general": {"category": "bicycle"}}, transfer.Format.BATTRACE)
    repurposed = example_document(Category.EV).with_values({"general.status": "repurposed"})
    with database.transaction() as session, pytest.raises(ValidationFailed) as refused:
        transfer.import_document(session, caller=world.pack_maker, document=repurposed)
    assert [p.path for p in refused.value.problems] == ["general.predecessorPassports"]
    assert "names the passports it was made from" in refused.value.message
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Passport)) == 0
        assert session.scalar(select(func.count()).select_from(BatteryModel)) == 0


def _imported(database: Database, caller: uuid.UUID, document: PassportDocument) -> uuid.UUID:
    with database.transaction() as session:
        made = transfer.import_document(session, caller=caller, document=document, publish=True)
        return made.passport.id


def _refused_path(database: Database, caller: uuid.UUID, document: PassportDocument) -> str:
    with database.transaction() as session:
        before = session.scalar(select(func.count()).select_from(Passport))
    with database.transaction() as session, pytest.raises(ValidationFailed) as refused:
        transfer.import_document(session, caller=caller, document=document)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Passport)) == before
    (problem,) = refused.value.problems
    return problem.path


def test_a_successor_is_imported_from_the_passports_it_names(database: Database) -> None:
    world = make_world(database)
    original = _imported(database, world.pack_maker, example_document(Category.EV, serial="O-1"))
    remade = example_document(Category.EV, serial="RM-1").with_values(
        {
            "general.status": "remanufactured",
            "general.predecessorPassports": [f"urn:uuid:{original}"],
        }
    )
    stranger_path = _refused_path(database, world.stranger, remade)
    assert stranger_path == "general.predecessorPassports[0]"  # not the stranger's to remake
    unknown = remade.with_values({"general.predecessorPassports": [f"urn:uuid:{uuid.uuid4()}"]})
    assert _refused_path(database, world.pack_maker, unknown) == "general.predecessorPassports[0]"
    malformed = remade.with_values({"general.predecessorPassports": ["pack 7"]})
    assert _refused_path(database, world.pack_maker, malformed) == (
        "general.predecessorPassports[0]"
    )
    successor = _imported(database, world.pack_maker, remade)
    with database.transaction() as session:
        view = lookup.view_passport(session, reader=Reader(world.pack_maker), passport_id=successor)
        assert view.status is not None and view.status.value == "remanufactured"
        assert view.predecessors == (original,)
        assert view.serial == "RM-1"
        before = lookup.view_passport(
            session, reader=Reader(world.pack_maker), passport_id=original
        )
        assert before.publication.value == "archived" and before.successors == (successor,)
    # The original has its successor now: a second one is refused, by the lifecycle rule.
    again = remade.with_values({"general.batteryIdentifier": "(01)04012345000016(21)RM-2"})
    with database.transaction() as session, pytest.raises(InvalidRequest, match="replaced"):
        transfer.import_document(session, caller=world.pack_maker, document=again)


def test_a_waste_passport_is_imported_as_waste_and_other_statuses_need_their_links(
    database: Database,
) -> None:
    world = make_world(database)
    waste = example_document(Category.EV, serial="W-1").with_values({"general.status": "waste"})
    passport_id = _imported(database, world.recycler, waste)
    with database.transaction() as session:
        view = lookup.view_passport(session, reader=Reader(world.recycler), passport_id=passport_id)
        assert view.status is not None and view.status.value == "waste"
        assert view.responsible_operator_id == world.recycler
        actions = [each.action for each in history.versions_of(session, passport_id, view.role)]
        assert actions[-1] == "waste"
    linked = [f"urn:uuid:{passport_id}"]
    waste_with_links = example_document(Category.EV, serial="W-2").with_values(
        {"general.status": "waste", "general.predecessorPassports": linked}
    )
    assert _refused_path(database, world.recycler, waste_with_links) == "general.status"
    original_with_links = example_document(Category.EV, serial="W-3").with_values(
        {"general.predecessorPassports": linked}
    )
    assert _refused_path(database, world.recycler, original_with_links) == (
        "general.predecessorPassports"
    )
