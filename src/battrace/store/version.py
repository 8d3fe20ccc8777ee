"""The data version: one number that every committed API write raises.

It lets a worker keep results derived from many rows (a product's CFP rolled up through its
supply chain) in memory and know, with one indexed read, whether anything changed since.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from battrace.store.base import ModelBase
from battrace.store.engine import Database


class DataVersion(ModelBase):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)


def bump(session: Session) -> None:
    """Raise the version inside the caller's write transaction (committed with it)."""
    result = session.execute(
        update(DataVersion).where(DataVersion.id == 1).values(number=DataVersion.number + 1)
    )
    if not getattr(result, "rowcount", 1):  # the row was removed (a wiped table): start again
        session.add(DataVersion(id=1, number=1))


_CURRENT = select(DataVersion.number).where(DataVersion.id == 1)


def current(session: Session) -> int:
    return session.scalar(_CURRENT) or 0


def read(database: Database) -> int:
    """The committed version, in one statement outside any session (see `Database.read_scalar`).

    Read it before the data it guards: rows read afterwards are at least this new, so a
    result kept under this number is never older than the number says.
    """
    number: int | None = database.read_scalar(_CURRENT)
    return number or 0
