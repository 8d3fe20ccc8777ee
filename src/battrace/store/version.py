"""Data versions: per operator, a number that every committed write affecting that operator's
answers raises.

They let a worker keep results derived from many rows (a product's CFP rolled up through its
supply chain, a footprint page) in memory and know, with one indexed read, whether anything
they depend on changed since. A write raises the version of every operator whose data it
wrote (the operator columns of the rows it inserted, changed or deleted: both ends of a
trade, the audit event's actor) and of every operator whose stored part totals its
settlement changed (`traceability.totals`: a supplier's answer reaches its customers that
way). Writes of unrelated companies touch different rows, so they never wait for each other
here; the rows are taken last in the transaction, after the settlement, so they are held
only for the commit.

One global number remains (`data_version`), raised only by a bulk statement whose operators
cannot be told (none in the services' normal paths): every cached answer depends on it too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Integer, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from battrace.store.base import ModelBase
from battrace.store.engine import Database

_TOUCHED = "battrace.version_touched"  # operator ids the transaction affects
_EVERYONE = "battrace.version_everyone"  # a write whose operators cannot be told


class DataVersion(ModelBase):
    """The global number (one row): raised only by writes no operator can be named for."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)


class OperatorVersion(ModelBase):
    """One operator's number; a row appears with the first write affecting the operator."""

    __tablename__ = "operator_versions"

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)


def _is_operator_column(name: str) -> bool:
    return name == "operator_id" or name.endswith("_operator_id")


def touch(session: Session, operators: Iterable[uuid.UUID | None]) -> None:
    """Note operators whose versions the session's transaction raises when it commits."""
    touched: set[uuid.UUID] = session.info.setdefault(_TOUCHED, set())
    touched.update(o for o in operators if isinstance(o, uuid.UUID))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: UOWTransaction) -> None:
    for item in (*session.new, *session.dirty, *session.deleted):
        table = getattr(item, "__table__", None)
        if table is None or table.name in _OWN_TABLES:
            continue
        touch(
            session,
            (getattr(item, c.key, None) for c in table.columns if _is_operator_column(c.name)),
        )


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name in _OWN_TABLES:
        return
    columns = [c for c in table.columns if _is_operator_column(c.name)]
    if not columns:
        return  # not company data (e.g. the stored totals: the settlement names theirs)
    found = _operators_of(state, {c.name for c in columns})
    if found is None:
        state.session.info[_EVERYONE] = True
    else:
        touch(state.session, found)


def _operators_of(state: ORMExecuteState, names: set[str]) -> set[uuid.UUID] | None:
    """The operator ids a bulk statement names: in its rows (insert) or in `col = x` /
    `col IN (...)` of its WHERE clause; None when it names none."""
    found: set[uuid.UUID] = set()
    if state.is_insert:
        rows: Any = state.parameters
        for row in rows if isinstance(rows, list) else [rows or {}]:
            found.update(v for k, v in row.items() if k in names and isinstance(v, uuid.UUID))
        return found or None
    where = getattr(state.statement, "whereclause", None)
    if where is None:
        return None
    for node in visitors.iterate(where):
        if not isinstance(node, BinaryExpression):
            continue
        left, right = node.left, node.right
        if getattr(left, "name", None) in names and isinstance(right, BindParameter):
            value = right.effective_value
            values = value if isinstance(value, list | tuple | set | frozenset) else [value]
            found.update(v for v in values if isinstance(v, uuid.UUID))
    return found or None


def bump(session: Session) -> None:
    """Raise the versions the transaction touched, in the caller's write transaction. Call it
    last, after everything else the transaction writes (the settlement included)."""
    session.flush()
    if session.info.pop(_EVERYONE, False):
        result = session.execute(
            update(DataVersion).where(DataVersion.id == 1).values(number=DataVersion.number + 1)
        )
        if not getattr(result, "rowcount", 1):  # the row was removed: start again
            session.add(DataVersion(id=1, number=1))
            session.flush()
    touched: set[uuid.UUID] = session.info.pop(_TOUCHED, set())
    if not touched:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(OperatorVersion)
    # One statement, in one order of rows, so two writers never lock them crosswise.
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[OperatorVersion.operator_id],
            set_={"number": OperatorVersion.number + 1},
        ),
        [{"operator_id": operator, "number": 1} for operator in sorted(touched)],
        execution_options={"synchronize_session": False},
    )


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_EVERYONE, None)


_OWN_TABLES = frozenset({DataVersion.__tablename__, OperatorVersion.__tablename__})


GLOBAL_SHIFT = 2**40  # the operator's number stays below (a trillion writes)


def number_of(operator: uuid.UUID | BindParameter[uuid.UUID]) -> Any:  # noqa: ANN401 (SQL)
    """One number: the global number shifted left, plus the operator's number (an expression,
    for a statement that reads more than the version in the same round trip)."""
    global_number = select(DataVersion.number).where(DataVersion.id == 1).scalar_subquery()
    own = (
        select(OperatorVersion.number)
        .where(OperatorVersion.operator_id == operator)
        .scalar_subquery()
    )
    return func.coalesce(global_number, 0) * GLOBAL_SHIFT + func.coalesce(own, 0)


def _version_of(operator: uuid.UUID) -> Any:  # noqa: ANN401 (a SELECT)
    return select(number_of(operator))


def current(session: Session, operator: uuid.UUID) -> int:
    return int(session.scalar(_version_of(operator)) or 0)


def read(database: Database, operator: uuid.UUID) -> int:
    """The operator's committed version, in one statement outside any session.

    Read it before the data it guards: rows read afterwards are at least this new, so a
    result kept under this version is never older than the version says.
    """
    return int(database.read_scalar(_version_of(operator)) or 0)
