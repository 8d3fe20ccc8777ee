"""Alembic environment: runs battrace's migrations on the connection it is handed.

`battrace.migrations.upgrade` calls Alembic with `config.attributes["connection"]` set; the
`alembic` command line (for making new revisions) gets the URL from BATTRACE_DATABASE_URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from battrace.migrations.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from battrace.settings import Settings  # noqa: PLC0415 (only for the bare alembic CLI)
    from battrace.store.engine import make_engine  # noqa: PLC0415

    engine = make_engine(Settings().database_url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
