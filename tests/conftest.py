"""Test fixtures: every storage test runs on SQLite and on PostgreSQL.

The schema comes from `alembic upgrade head`, once per backend. Each test gets a clean
database: a copy of the migrated SQLite file, or the PostgreSQL tables truncated. PostgreSQL
is required when CI=true; elsewhere it is skipped if it cannot be reached. Every test that
used a database ends by checking that the stored part totals still equal a fresh walk, so
every write path the suite exercises is also a test of their settlement.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from battrace.app import create_app
from battrace.cli.seeds import seed_ouranos_tutorial
from battrace.identity import passwords
from battrace.migrations import upgrade
from battrace.migrations.schema import metadata
from battrace.settings import Settings
from battrace.store import Database
from tests.totals_check import assert_totals_settled

POSTGRES_URL = os.environ.get(
    "BATTRACE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = os.environ.get("BATTRACE_TEST_BACKENDS", "sqlite,postgresql").split(",")
# Real argon2id, at a cost that keeps hundreds of logins quick; production uses Settings'.
TEST_HASH_COST = {"password_time_cost": 1, "password_memory_kib": 1024}
passwords.configure(
    time_cost=TEST_HASH_COST["password_time_cost"], memory_kib=TEST_HASH_COST["password_memory_kib"]
)


# `make test` runs the SQLite and PostgreSQL legs side by side; the tests that use no database
# fixture (pure domain code, browser tests against their own SQLite server) run in one leg only.
ONLY_BACKEND_TESTS = os.environ.get("BATTRACE_TEST_ONLY_BACKEND_TESTS") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ONLY_BACKEND_TESTS:
        return
    kept = [item for item in items if "backend" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if "backend" not in getattr(item, "fixturenames", ())]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
    # A database of its own per test session, so parallel runs never meet.
    name = f"battrace_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        url = create_postgres_database(name)
    except OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    database = Database(url, pool_size=2, max_overflow=0)
    upgrade(database.engine)
    database.dispose()
    yield url
    drop_postgres_database(name)


def _admin() -> Database:
    return Database(POSTGRES_URL, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT")


def create_postgres_database(name: str, template: str | None = None) -> str:
    """Create a database (a copy of `template` if given) and return its URL."""
    admin = _admin()
    try:
        with admin.engine.connect() as connection:
            copy = f' TEMPLATE "{template}"' if template else ""
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    finally:
        admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(name: str) -> None:
    admin = _admin()
    try:
        with admin.engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


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
    assert_totals_settled(database)
    database.dispose()


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database.url,
        certificate_dir=tmp_path / "certificates",
        public_url="http://testserver",  # the TestClient's host; links trust no Host header
        **TEST_HASH_COST,
    )


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
