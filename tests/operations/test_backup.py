"""`battrace backup` / `battrace restore`: a round trip gives back every row, on both
databases, after the data changed in between; the restored database keeps working."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.migrations.schema import metadata
from battrace.store import Database
from battrace.traceability.models import Part
from tests.cli.test_commands import env
from tests.support import DT, A, login_a, part, tutorial_chain

runner = CliRunner()


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the schema revision), in a stable order."""
    tables = [table.name for table in metadata.sorted_tables] + ["alembic_version"]
    with database.engine.connect() as connection:
        return {
            name: sorted(
                (tuple(row) for row in connection.execute(text(f"SELECT * FROM {name}"))),  # noqa: S608
                key=repr,
            )
            for name in tables
        }


def test_backup_then_restore_gives_back_every_row(
    client: TestClient, seeded: Database, tmp_path: Path
) -> None:
    chain = tutorial_chain(client, parent_cfp=True)
    before = snapshot(seeded)
    assert before["parts"] and before["trades"] and before["cfp_values"] and before["part_totals"]

    target = tmp_path / "battrace.backup"
    done = runner.invoke(cli, ["backup", str(target)], env=env(seeded))
    assert done.exit_code == 0, done.output
    assert target.stat().st_size > 0

    # Change the data after the backup: a new part (and its audit events), renamed parts.
    with seeded.transaction(write=False) as session:
        plant = session.scalar(select(Part.plant_id).where(Part.trace_id == UUID(chain.parent)))
    added = client.put(
        f"{DT}?dataTarget=parts", headers=chain.a, json=part(A.operator_id, str(plant), "新部品")
    )
    assert added.status_code == 201, added.text
    with seeded.engine.begin() as connection:
        connection.execute(text("UPDATE parts SET parts_name = parts_name || ' (renamed)'"))
    assert snapshot(seeded) != before

    seeded.dispose()  # the servers stop before a restore
    done = runner.invoke(cli, ["restore", str(target), "--yes"], env=env(seeded))
    assert done.exit_code == 0, done.output
    assert snapshot(seeded) == before

    # The restored database serves.
    headers = login_a(client)
    rows = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.parent}", headers=headers)
    assert rows.status_code == 200, rows.text
    assert chain.parent in rows.text


def test_restore_refuses_a_missing_backup(seeded: Database, tmp_path: Path) -> None:
    done = runner.invoke(cli, ["restore", str(tmp_path / "none"), "--yes"], env=env(seeded))
    assert done.exit_code == 1
    assert "no backup at" in done.output
