"""Many rows into one table inside the session's transaction, as cheaply as the database
allows: PostgreSQL's COPY (the driver streams the rows; no statement with tens of thousands
of placeholders to render and parse), elsewhere the driver's executemany.

The rows bypass the ORM: the caller names the operators whose data version the write raises
(`store.version.touch`), and the planner statistics are told of the rows (`statistics`).
Values are what the columns store: enums as their values, JSON columns as JSON text.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Enum, Table
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FromClause

from battrace.store.statistics import note_written


def _json_text(value: object) -> object:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _enum_value(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def insert_rows(session: Session, table: FromClause, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (all with the same keys, named by column) into `table`."""
    if not rows:
        return
    assert isinstance(table, Table)  # noqa: S101 (a mapped class's table)
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    # One conversion per column that needs one, chosen once (a batch has 10^5 values).
    convert = [
        (index, _json_text if isinstance(table.c[name].type, JSON) else _enum_value)
        for index, name in enumerate(names)
        if isinstance(table.c[name].type, JSON | Enum)
    ]
    quoted = ", ".join(f'"{name}"' for name in names)
    driver = connection.connection.driver_connection
    assert driver is not None  # noqa: S101 (a live connection)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
    ):
        for row in rows:
            values = [row[name] for name in names]
            for index, conversion in convert:
                values[index] = conversion(values[index])
            copy.write_row(values)
    note_written(connection, table.name, len(rows))


__all__ = ["insert_rows"]
