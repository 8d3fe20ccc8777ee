"""Test fixtures: every storage test runs on SQLite and on PostgreSQL.

The schema comes from `alembic upgrade head`, once per backend. Each test gets a clean
database: a copy of the migrated SQLite file, or the PostgreSQL tables truncated. PostgreSQL
is required when CI=true; elsewhere it is skipped if it cannot be reached.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from battrace.cli.seeds import seed_ouranos_tutorial
from battrace.connector.app import create_app
from battrace.settings import Settings
from battrace.store import Database
from battrace.store.migrate import upgrade
from battrace.store.models import metadata

POSTGRES_URL = os.environ.get(
    "BATTRACE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = os.environ.get("BATTRACE_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def migrated(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the session: a template file (SQLite) or the test schema."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        database = Database(f"sqlite:///{path}")
        upgrade(database.engine)
        database.dispose()
        yield str(path)
        return
    database = Database(POSTGRES_URL, pool_size=2, max_overflow=0)
    try:
        with database.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    except OperationalError as exc:
        database.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    upgrade(database.engine)
    database.dispose()
    yield POSTGRES_URL


TABLES = [table.name for table in reversed(metadata.sorted_tables)]


@pytest.fixture
def database(backend: str, migrated: str, tmp_path: Path) -> Iterator[Database]:
    if backend == "sqlite":
        path = tmp_path / "battrace.db"
        shutil.copyfile(migrated, path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(migrated, pool_size=5, max_overflow=10)
        with database.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
    yield database
    database.dispose()


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings(database_url=database.url, certificate_dir=tmp_path / "certificates")


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database=database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


@pytest.fixture
def seeded(database: Database) -> Database:
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
    return database
