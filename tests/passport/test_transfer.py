"""Export of stored passports (battrace, Battery Pass 1.2, Catena-X 6.1.0; validated against
the upstream schemas by the exchange tests' checker) and import as a new original passport."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from battrace.errors import InvalidRequest, ValidationFailed
from battrace.identity.models import Operator
from battrace.passport import lookup, transfer
from battrace.passport.access import PUBLIC_READER, Reader
from battrace.passport.catalogue import Category
from battrace.passport.examples import example_document
from battrace.passport.models import Passport
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
    with database.transaction() as session, pytest.raises(InvalidRequest, match="original"):
        transfer.import_document(session, caller=world.pack_maker, document=repurposed)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Passport)) == 0
