"""Engine and session factory for one database.

SQLite is the embedded default: foreign keys on, WAL journal, a busy timeout, and explicit
BEGIN so that SAVEPOINTs work (the pysqlite workaround from SQLAlchemy's SQLite dialect
notes). A write transaction on SQLite starts with BEGIN IMMEDIATE, so concurrent writers
queue on the database lock instead of failing when a reader tries to upgrade.

PostgreSQL connections are checked with a ping only when they come out of the pool after
lying idle for a while (`PING_AFTER_IDLE_SECONDS`): a busy server reuses its connections
within milliseconds, and a ping on every checkout would double the round trips of a
one-query request. A connection the server dropped while idle is still replaced before use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Executable, create_engine, event, exc
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session, sessionmaker

from battrace.store import text_bounds  # noqa: F401 (its before_flush check on every Session)
from battrace.store.statistics import StatisticsKeeper

WRITE_OPTION = "battrace_write"
PING_AFTER_IDLE_SECONDS = 2.0
_IDLE_SINCE = "battrace_idle_since"


def make_engine(url: str, **kwargs: Any) -> Engine:  # noqa: ANN401 (passed to create_engine)
    """Create an engine for `url` with battrace's connection settings."""
    if url.startswith("sqlite"):
        # As many pooled connections as request threads, so none is opened per request.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine, PING_AFTER_IDLE_SECONDS)
    return engine


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """SQLAlchemy's pre-ping, for connections that lay in the pool `idle_seconds` or more."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:  # noqa: ANN401
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:  # noqa: ANN401
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # a new connection, or one just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool replaces this connection (and the others as old) and tries again.
            raise exc.InvalidatePoolError from error


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # noqa: ANN401
        # Hand transaction control to SQLAlchemy (the "begin" hook below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """One database: its engine and the session factory bound to it."""

    def __init__(
        self,
        url: str,
        *,
        analyse_after_writes: bool = True,
        **engine_kwargs: Any,  # noqa: ANN401
    ) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        # PostgreSQL: tables analysed again after bulk writes (`store.statistics`).
        self.statistics: StatisticsKeeper | None = None
        if self.dialect == "postgresql" and analyse_after_writes:
            self.statistics = StatisticsKeeper(self.engine)
            self.statistics.install()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # What every session of this database carries in `Session.info` (e.g. the process's
        # sealing keys, `identity.sealing.install`).
        self.session_info: dict[str, Any] = {}
        # One-statement reads need no transaction: on PostgreSQL (READ COMMITTED, where each
        # statement sees its own snapshot anyway) this saves the BEGIN and ROLLBACK round
        # trips. SQLite keeps its BEGIN, which costs no round trip.
        self._single_reads = (
            self.engine
            if self.dialect == "sqlite"
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, write: bool = False) -> Session:
        """A new session; `write=True` makes its transaction take the write lock up front."""
        session = self.sessions(info=dict(self.session_info))
        if write:
            session.connection(execution_options={WRITE_OPTION: True})
        return session

    def read_scalar(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Any:  # noqa: ANN401 (the statement's type)
        """The first column of the first row of one SELECT, outside any ORM session
        (`parameters`: values of its bind parameters, for a statement built once)."""
        with self._single_reads.connect() as connection:
            return connection.execute(statement, parameters).scalar()

    def read_row(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> Row[Any] | None:
        """The first row of one SELECT, outside any ORM session (one round trip)."""
        with self._single_reads.connect() as connection:
            return connection.execute(statement, parameters).first()

    def single_read_session(self) -> Session:
        """A session for a read of one statement (or several that need not agree): on
        PostgreSQL outside any transaction, so it costs no BEGIN and ROLLBACK round trips."""
        return Session(self._single_reads, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work commits once at the end, or rolls back on any error."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        if self.statistics is not None:
            self.statistics.wait()
        self.engine.dispose()


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the session's transaction has committed (e.g. delete a stored file).

    Work that cannot be rolled back waits for the commit, so a rejected request never loses it.
    """
    pending: list[Callable[[], None]] = session.info.setdefault("after_commit", [])
    if not pending:

        @event.listens_for(session, "after_commit", once=True)
        def _run(_session: Session) -> None:
            actions = session.info.pop("after_commit", [])
            for pending_action in actions:
                pending_action()

        @event.listens_for(session, "after_rollback", once=True)
        def _drop(_session: Session) -> None:
            session.info.pop("after_commit", None)

    pending.append(action)
