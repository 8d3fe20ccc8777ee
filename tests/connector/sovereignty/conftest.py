"""Fixtures of the sovereignty tests: the world is built once per backend, then every test
gets its own copy of the database and of the certificate files, so each test starts from
exactly the same state, fast."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url, select, text

from battrace.app import create_app
from battrace.cli.seeds import seed_ouranos_tutorial
from battrace.migrations import upgrade
from battrace.migrations.schema import metadata
from battrace.settings import Settings
from battrace.store import Database
from tests.conftest import TEST_HASH_COST, create_postgres_database, drop_postgres_database
from tests.connector.sovereignty.world import World, WorldTemplate, build_world


@pytest.fixture(scope="session")
def world_template(
    backend: str, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorldTemplate]:
    root = tmp_path_factory.mktemp("sovereignty")
    name = f"battrace_world_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        shutil.copyfile(migrated, root / "world.db")
        url = f"sqlite:///{root / 'world.db'}"
    else:
        url = create_postgres_database(name)
    database = Database(url)
    if backend != "sqlite":
        upgrade(database.engine)
    files = root / "certificates"
    settings = Settings(
        database_url=url, certificate_dir=files, public_url="http://testserver", **TEST_HASH_COST
    )
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
    with TestClient(create_app(settings, database=database), client=("127.0.0.1", 50000)) as client:
        template = build_world(client, database, settings)
    with database.engine.connect() as connection:
        rows = {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in metadata.sorted_tables
        }
    database.dispose()
    yield WorldTemplate(url, files, template, rows)
    if backend != "sqlite":
        drop_postgres_database(name)


@pytest.fixture
def database(backend: str, world_template: WorldTemplate, tmp_path: Path) -> Iterator[Database]:
    """This module's database holds the world, exactly as built, at the start of every test:
    a copy of the file (SQLite), or the tables truncated and refilled (PostgreSQL)."""
    shutil.copytree(world_template.files, tmp_path / "certificates")
    if backend == "sqlite":
        shutil.copyfile(make_url(world_template.url).database or "", tmp_path / "battrace.db")
        database = Database(f"sqlite:///{tmp_path / 'battrace.db'}")
    else:
        database = Database(world_template.url, pool_size=5, max_overflow=10)
        with database.engine.begin() as connection:
            # DELETE is quicker than TRUNCATE on tables this small; the replica role lets it
            # pass the audit log's append-only trigger (the tests run as a superuser).
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
            for table in metadata.sorted_tables:
                if world_template.rows[table.name]:
                    connection.execute(table.insert(), world_template.rows[table.name])
    yield database
    database.dispose()


@pytest.fixture
def world(world_template: WorldTemplate, seeded: Database, settings: Settings) -> World:
    assert settings.certificate_dir is not None
    return replace(world_template.world, db=seeded, file_root=settings.certificate_dir)
