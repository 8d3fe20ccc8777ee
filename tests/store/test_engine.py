"""Pooled PostgreSQL connections: pinged only after lying idle, and replaced when the server
dropped them meanwhile."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from battrace.store import engine as engine_module
from battrace.store.engine import Database


@pytest.fixture
def postgres_url(backend: str, migrated: str) -> str:
    if backend != "postgresql":
        pytest.skip("the idle ping is PostgreSQL's (SQLite has no server to drop a connection)")
    return migrated


def _backend_pid(database: Database) -> int:
    pid: int = database.read_scalar(select(text("pg_backend_pid()")))
    return pid


def test_a_connection_dropped_while_idle_is_replaced(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    database = Database(postgres_url, pool_size=1, max_overflow=0)
    admin = Database(postgres_url, pool_size=1, max_overflow=0)
    try:
        first = _backend_pid(database)
        admin.read_scalar(select(text(f"pg_terminate_backend({first})")))
        assert _backend_pid(database) != first  # no error: the ping found it gone
    finally:
        database.dispose()
        admin.dispose()


def test_a_connection_just_used_is_not_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(postgres_url, pool_size=1, max_overflow=0)
    pings: list[Any] = []
    real_ping = database.engine.dialect.do_ping

    def counting_ping(connection: Any) -> bool:
        pings.append(connection)
        return real_ping(connection)

    monkeypatch.setattr(database.engine.dialect, "do_ping", counting_ping)
    try:
        pid = _backend_pid(database)
        for _ in range(5):
            assert _backend_pid(database) == pid
        assert pings == []
    finally:
        database.dispose()
