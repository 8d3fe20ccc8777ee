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


def test_0016_seals_secrets_and_indexes_footprints_and_undoes_both(
    empty: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written in clear before 0016 are sealed with the configured key (and opened
    again by its downgrade); existing footprints get the columns and terms filters use."""
    import base64  # noqa: PLC0415
    import json  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
        Ed25519PrivateKey,
    )

    from battrace.cli.seeds import TUTORIAL_COMPANIES, seed_ouranos_tutorial  # noqa: PLC0415
    from battrace.identity import sealing, signing  # noqa: PLC0415
    from battrace.pact import hosting, remote, selection  # noqa: PLC0415
    from battrace.pact.filters import Criteria  # noqa: PLC0415
    from battrace.pact.models import PactClient  # noqa: PLC0415

    a = TUTORIAL_COMPANIES[0].operator_id
    upgrade(empty.engine, "0015")
    with empty.transaction() as session:
        seed_ouranos_tutorial(session)
    private = Ed25519PrivateKey.generate()

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    seed = b64(private.private_bytes_raw())
    public = b64(private.public_key().public_bytes_raw())
    host_id, pf_id, client_row, trace_id = (uuid.uuid4() for _ in range(4))
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    figures = {
        "trace_id": str(trace_id),
        "product_name": "cell",
        "product_description": "cell",
        "company_name": "A",
        "company_ids": [f"urn:uuid:{a}"],
        "unit": "kilogram",
        "pre_emission": "1",
        "main_emission": "2",
        "own_emission": "2",
        "ter": None,
        "ger": None,
        "tir": None,
        "reference_period_start": "2025-01-01T00:00:00Z",
        "reference_period_end": "2026-01-01T00:00:00Z",
        "geography_country": "JP",
        "product_mass_kg": None,
        "cpc": "4642",
    }
    sqlite = empty.dialect == "sqlite"

    def ident(value: uuid.UUID) -> str:
        return value.hex if sqlite else str(value)

    with empty.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO signing_keys (operator_id, kid, private_key, public_key, created_at)"
                " VALUES (:o, 'kid-1', :seed, :public, :now)"
            ),
            {"o": ident(a), "seed": seed, "public": public, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO pact_remote_hosts (operator_id, id, name, base_url, spec_version,"
                " client_id, client_secret, attempts, created_at) VALUES"
                " (:o, :h, 'supplier', 'https://s.example', 3, 'c', 'plain-secret', 0, :now)"
            ),
            {"o": ident(a), "h": ident(host_id), "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO pact_clients (operator_id, id, client_id, secret_hash,"
                " counterparty_name, created_at) VALUES (:o, :c, 'pact-x', 'h', 'EU', :now)"
            ),
            {"o": ident(a), "c": ident(client_row), "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO pact_footprints (operator_id, trace_id, id, version, status, digest,"
                " figures, v2_servable, created_at, updated_at) VALUES"
                " (:o, :t, :f, 0, 'Active', 'd', :figures, true, :now, :now)"
            ),
            {
                "o": ident(a),
                "t": ident(trace_id),
                "f": ident(pf_id),
                "figures": json.dumps(figures),
                "now": now,
            },
        )
        connection.execute(
            text(
                "INSERT INTO pact_publications (operator_id, trace_id, client_row_id, created_at)"
                " VALUES (:o, :t, :c, :now)"
            ),
            {"o": ident(a), "t": ident(trace_id), "c": ident(client_row), "now": now},
        )

    monkeypatch.setenv("BATTRACE_SECRET_KEYS", "k1:" + "m" * 40)
    upgrade(empty.engine)
    with empty.engine.connect() as connection:
        sealed_seed = connection.execute(text("SELECT private_key FROM signing_keys")).scalar()
        sealed_secret = connection.execute(
            text("SELECT client_secret FROM pact_remote_hosts")
        ).scalar()
    assert str(sealed_seed).startswith("sealed:v1:k1:") and seed not in str(sealed_seed)
    assert str(sealed_secret).startswith("sealed:v1:k1:")

    sealing.install(empty, sealing.sealer_from(["k1:" + "m" * 40]))
    with empty.transaction() as session:
        jws = signing.sign_value(session, caller=a, value={"x": 1})
        key_set = signing.jwks(session, operator_id=a)
        host = remote.get_host(session, caller=a, host_id=host_id)
        assert remote.access(session, host).client_secret == "plain-secret"
        client = session.get(PactClient, (a, client_row))
        assert client is not None

        def found(**criteria: list[str]) -> int:
            page = hosting.list_footprints(
                session,
                client=client,
                version=3,
                limit=10,
                offset=0,
                condition=selection.v3_condition(Criteria(criteria)),
            )
            return len(page.footprints)

        assert found(geography=["jp"]) == 1
        assert found(productId=[f"URN:UUID:{trace_id}"]) == 1
        assert found(validOn=["2027-06-01T00:00:00Z"], companyId=[f"urn:uuid:{a}"]) == 1
        assert found(validOn=["2029-06-01T00:00:00Z"]) == 0
    assert signing.verify_value({"x": 1}, jws, key_set).verified

    downgrade(empty.engine, "0015")
    with empty.engine.connect() as connection:
        assert connection.execute(text("SELECT private_key FROM signing_keys")).scalar() == seed
        assert (
            connection.execute(text("SELECT client_secret FROM pact_remote_hosts")).scalar()
            == "plain-secret"
        )
    assert "pact_footprint_terms" not in tables(empty)
