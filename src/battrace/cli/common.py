"""What every `battrace` command shares: the console, settings from the environment, the
configured database, and refusals shown as one line."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
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


def identifier(text: str, option: str) -> uuid.UUID:
    """An id typed on the command line; a refusal naming the option if it is not a UUID."""
    from battrace import errors  # noqa: PLC0415

    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise errors.invalid_field(option, f"{text!r} is not an id (a UUID)") from None


def quantity(text: str, option: str) -> Decimal:
    """A number typed on the command line, finite and within +-10^12."""
    from battrace import errors  # noqa: PLC0415

    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise errors.invalid_field(option, f"{text!r} is not a number") from None
    if not value.is_finite() or abs(value) > Decimal(10**12):
        raise errors.invalid_field(option, "must be a number between -10^12 and 10^12")
    return value


def day(text: str, option: str) -> date:
    """A date typed on the command line (YYYY-MM-DD)."""
    from battrace import errors  # noqa: PLC0415

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise errors.invalid_field(option, f"{text!r} is not a date (YYYY-MM-DD)") from None


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
    from battrace.identity import sealing  # noqa: PLC0415
    from battrace.store import Database  # noqa: PLC0415

    settings = settings_from_env()
    database = Database(settings.database_url)
    sealing.install(database, sealing.sealer_from(settings.secret_keys))
    try:
        yield database
    finally:
        database.dispose()
