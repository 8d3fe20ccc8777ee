"""Migrations both ways, on SQLite and PostgreSQL: every revision's downgrade undoes it, and
head → base → head gives the schema the models describe."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import SAWarning
from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.migrations import alembic_config, current_revision, downgrade, upgrade
from battrace.migrations.schema import metadata
from battrace.store import Database
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture
def empty(backend: str, migrated: str, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema (`migrated` only so PostgreSQL's skip rules apply)."""
    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield database
        database.dispose()
        return
    name = f"battrace_migrations_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    database = Database(create_postgres_database(name), pool_size=1, max_overflow=0)
    try:
        yield database
    finally:
        database.dispose()
        drop_postgres_database(name)


def revisions() -> list[tuple[str, str]]:
    """(revision, the one before it or "base"), oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    walked = [(r.revision, str(r.down_revision or "base")) for r in script.walk_revisions()]
    return list(reversed(walked))


def tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


_SQLITE_OBJECTS = text(
    "SELECT type, tbl_name, name FROM sqlite_master WHERE type IN ('index', 'trigger')"
)
_POSTGRES_OBJECTS = text(
    "SELECT 'index', tablename, indexname FROM pg_indexes WHERE schemaname = 'public' "
    "UNION ALL SELECT 'trigger', event_object_table, trigger_name "
    "FROM information_schema.triggers WHERE trigger_schema = 'public'"
)


def shape(database: Database) -> tuple[dict[str, list[str]], set[tuple[str, str, str]]]:
    """Each table's columns, and every index and trigger."""
    inspector = inspect(database.engine)
    columns = {
        table: sorted(column["name"] for column in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }
    query = _SQLITE_OBJECTS if database.dialect == "sqlite" else _POSTGRES_OBJECTS
    with database.engine.connect() as connection:
        objects = {
            (str(kind), str(table), str(name)) for kind, table, name in connection.execute(query)
        }
    return columns, objects


def schema_differences(database: Database) -> list[object]:
    with database.engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes (uq_parts_identity) are not reflected; the shape check sees them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping .* expression-based", UserWarning)
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, metadata))


def test_each_revision_downgrades_and_upgrades_again(empty: Database) -> None:
    steps = revisions()
    assert len(steps) >= 6
    for revision, previous in steps:
        upgrade(empty.engine, revision)
        schema = shape(empty)
        downgrade(empty.engine, previous)
        assert current_revision(empty.engine) == (None if previous == "base" else previous)
        assert shape(empty) != schema, f"downgrade of {revision} changed nothing"
        upgrade(empty.engine, revision)
        assert shape(empty) == schema
    assert current_revision(empty.engine) == steps[-1][0]


def test_head_to_base_to_head(empty: Database) -> None:
    upgrade(empty.engine)
    head = shape(empty)
    assert schema_differences(empty) == []
    downgrade(empty.engine, "base")
    assert tables(empty) <= {"alembic_version"}
    upgrade(empty.engine)
    assert shape(empty) == head
    assert schema_differences(empty) == []


def test_the_command_line_downgrades_and_upgrades(empty: Database) -> None:
    runner = CliRunner()
    env = {"BATTRACE_DATABASE_URL": empty.url}
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    done = runner.invoke(cli, ["db", "downgrade", "0005"], env=env)
    assert done.exit_code == 0, done.output
    assert "revision 0005" in done.output
    assert "part_totals" not in tables(empty)
