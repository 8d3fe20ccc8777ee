"""PostgreSQL's planner statistics follow bulk writes: a table that received many rows since
its last ANALYZE is analysed again, whatever wrote them (the ORM, a bulk insert)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from battrace.identity.models import Plant
from battrace.store import Database
from battrace.traceability.models import AmountUnit, Part
from tests.support import A

ROWS = 1_500


def estimate(database: Database, table: str) -> float:
    with database.engine.connect() as connection:
        value = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
        ).scalar()
    return float(value or 0)


def test_a_bulk_insert_is_followed_by_analyze(seeded: Database) -> None:
    if seeded.dialect != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    with seeded.engine.connect() as connection:  # the statistics of an empty table
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE parts")
    assert estimate(seeded, "parts") < ROWS
    database = Database(seeded.url)  # a new process's view: it has analysed nothing yet
    try:
        bulk_insert(database)
        keeper = database.statistics
        assert keeper is not None
        deadline = time.monotonic() + 30
        while keeper.analysed < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert keeper.analysed >= 1
        assert estimate(seeded, "parts") >= ROWS  # ANALYZE ran: the planner sees the rows
    finally:
        database.dispose()


def bulk_insert(database: Database) -> None:
    now = datetime.now(UTC)
    plant = uuid.uuid4()
    with database.transaction() as session:
        session.add(
            Plant(operator_id=A.operator_id, id=plant, name="p", address="x",
                  open_plant_id="1234567890123000001", global_plant_id=None)
        )  # fmt: skip
        session.flush()
        session.execute(
            insert(Part),
            [
                {"operator_id": A.operator_id, "trace_id": uuid.uuid4(), "plant_id": plant,
                 "parts_name": f"part {i}", "support_parts_name": None, "terminated_flag": True,
                 "amount_required_unit": AmountUnit.KILOGRAM, "parts_label_name": None,
                 "parts_add_info1": None, "parts_add_info2": None, "parts_add_info3": None,
                 "is_parent": False, "created_at": now, "updated_at": now}
                for i in range(ROWS)
            ],
        )  # fmt: skip


def test_rolled_back_rows_do_not_count(seeded: Database) -> None:
    if seeded.dialect != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    assert seeded.statistics is not None
    before = dict(seeded.statistics._changed)
    with pytest.raises(RuntimeError), seeded.transaction() as session:
        session.execute(text("UPDATE parts SET parts_name = parts_name"))
        session.add(
            Plant(operator_id=A.operator_id, id=uuid.uuid4(), name="p", address="x",
                  open_plant_id="1234567890123000002", global_plant_id=None)
        )  # fmt: skip
        session.flush()
        raise RuntimeError("give up")
    assert seeded.statistics._changed == before
