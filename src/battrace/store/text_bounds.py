"""The text every ORM write stores fits its column: no string longer than a `String(n)`
column's length, none with U+0000 (PostgreSQL stores no NUL) or a lone surrogate (UTF-8 cannot
encode one). Checked before every flush, for every table, so a field a surface forgot to
bound is refused as `ValidationFailed` (400) on both databases instead of failing on
PostgreSQL (500) and being stored on SQLite.

Surfaces still bound their fields first, with their own wording; this is the floor. The
listener is on `Session` itself, as `traceability.totals_hook`'s are (a listener on one
sessionmaker's subclass kept the class-level hooks from reaching its sessions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from battrace.errors import invalid_field

_TEXT_COLUMNS: dict[type, list[tuple[str, int | None]]] = {}


def _text_columns(cls: type) -> list[tuple[str, int | None]]:
    found = _TEXT_COLUMNS.get(cls)
    if found is None:
        found = []
        mapper: Any = inspect(cls)
        for attr in mapper.column_attrs:
            column = attr.columns[0]
            if isinstance(column.type, String):
                found.append((attr.key, column.type.length))
        _TEXT_COLUMNS[cls] = found
    return found


def _problem(text: str, length: int | None) -> str | None:
    if length is not None and len(text) > length:
        return f"must be at most {length} characters"
    if "\x00" in text:
        return "must not contain the NUL character (U+0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain a lone surrogate"
    return None


@event.listens_for(Session, "before_flush")
def check_text(session: Session, _context: Any, _instances: Any) -> None:  # noqa: ANN401
    """`before_flush`: raise ValidationFailed for the first text value that does not fit."""
    for row in (*session.new, *session.dirty):
        for key, length in _text_columns(type(row)):
            value = row.__dict__.get(key)
            if isinstance(value, str):
                problem = _problem(value, length)
                if problem is not None:
                    raise invalid_field(key, problem)


def check_values(cls: type, values: Mapping[str, Any]) -> None:
    """The same floor for a row written without the ORM (a bulk insert or update): raise
    ValidationFailed for the first text value of `values` (by attribute) that does not fit."""
    for key, length in _text_columns(cls):
        value = values.get(key)
        if isinstance(value, str):
            problem = _problem(value, length)
            if problem is not None:
                raise invalid_field(key, problem)
