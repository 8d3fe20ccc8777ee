"""Backup and restore of a whole battrace database with the database's own tools.

SQLite: the online backup API (`sqlite3.Connection.backup`), page by page, consistent while
the server keeps serving; restore copies the backup's pages back the same way, so the file
keeps its identity (other connections see the restored data at their next transaction).

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, compressed) and
`pg_restore --clean --if-exists --single-transaction` (the database's objects are replaced,
all or nothing). The connection's password travels in the environment, never on a command
line another user could read.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.engine import URL

from battrace.errors import InvalidRequest, Unavailable

# libpq's environment variables for the URL query parameters a deployment may carry.
_LIBPQ_QUERY = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


def backup(database_url: str, target: Path) -> None:
    """Write a backup of the database at `database_url` to `target` (replaced if present)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), target)
    elif url.get_backend_name() == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}"], url)
    else:
        raise InvalidRequest(f"no backup for {url.get_backend_name()} databases")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup at `source`.

    Restore into a database at the backup's schema revision or into an empty one; stop the
    servers first (a PostgreSQL restore waits for their locks, a SQLite one for their writes).
    """
    if not source.is_file():
        raise InvalidRequest(f"no backup at {source}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        command += ["--single-transaction", "--exit-on-error", f"--dbname={url.database}"]
        _run([*command, str(source)], url)
    else:
        raise InvalidRequest(f"no restore for {url.get_backend_name()} databases")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise InvalidRequest("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise InvalidRequest(f"no SQLite database at {source}")
    origin = sqlite3.connect(source, timeout=30)
    try:
        copy = sqlite3.connect(target, timeout=30)
        try:
            origin.backup(copy, pages=1024)
        finally:
            copy.close()
    finally:
        origin.close()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Unavailable(f"{name} not found: install the PostgreSQL client tools")
    return found


def _libpq_environment(url: URL) -> dict[str, str]:
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            environment[variable] = str(value)
    for name, variable in _LIBPQ_QUERY.items():
        setting = url.query.get(name)
        if isinstance(setting, str):
            environment[variable] = setting
    return environment


def _run(command: list[str], url: URL) -> None:
    finished = subprocess.run(  # noqa: S603 (a fixed tool; arguments are not shell-parsed)
        command, env=_libpq_environment(url), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        tool = Path(command[0]).name
        raise Unavailable(f"{tool} failed: {finished.stderr.strip()[-2000:]}")
