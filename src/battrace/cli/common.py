"""What every `battrace` command shares: the console, settings from the environment, the
configured database, and refusals shown as one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from battrace.settings import Settings

if TYPE_CHECKING:
    from battrace.store import Database

console = Console()


@contextmanager
def reported() -> Iterator[None]:
    """Show a refused request as one line and exit 1, not as a traceback."""
    from battrace.errors import BattraceError  # noqa: PLC0415

    try:
        yield
    except BattraceError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(1) from exc


def settings_from_env() -> Settings:
    from battrace.identity import passwords  # noqa: PLC0415 (keep `battrace --help` fast)

    settings = Settings()
    passwords.configure(
        time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib
    )
    return settings


@contextmanager
def open_database() -> Iterator[Database]:
    """The configured database, disposed however the command ends."""
    from battrace.store import Database  # noqa: PLC0415

    database = Database(settings_from_env().database_url)
    try:
        yield database
    finally:
        database.dispose()
