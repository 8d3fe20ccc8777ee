"""Liveness and readiness: ready only when the database answers at the expected revision."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from battrace.app import create_app
from battrace.migrations import upgrade
from battrace.settings import Settings
from battrace.store import Database

SECRET = "s" * 48  # so building the app reads nothing from the database


def test_live_and_ready_on_a_migrated_database(client: TestClient) -> None:
    live = client.get("/healthz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert ready.headers["Cache-Control"] == "no-store"


def test_not_ready_before_the_schema_is_at_head(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(database.engine, "0005")
        app = create_app(Settings(database_url=database.url, jwt_secret=SECRET), database=database)
        client = TestClient(app)  # no lifespan: no background refill on the old schema
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("schema at 0005, expected ")
    finally:
        database.dispose()


def test_not_ready_when_the_database_does_not_answer() -> None:
    database = Database("postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2")
    try:
        app = create_app(Settings(database_url=database.url, jwt_secret=SECRET), database=database)
        client = TestClient(app)
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
    finally:
        database.dispose()
