"""Planner statistics kept fresh after bulk writes (PostgreSQL).

PostgreSQL plans a statement from the table statistics of its last `ANALYZE`. A table that was
nearly empty when analysed keeps plans made for an empty table until autovacuum analyses it
again, and with autovacuum off (or right after a large import) that can be never: an edge
insert measured 14.3 ms with such a plan and 0.05 ms after `ANALYZE`.

Every committed transaction adds the rows its INSERT, UPDATE and DELETE statements touched to
a per-process tally per table; a table whose tally passes autovacuum's own threshold (50 rows
plus 10 % of the rows it had when last analysed) is analysed again, in a background thread so
that no request waits for it. Several processes may each analyse a table; that is harmless.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Connection

log = logging.getLogger("battrace.store")

_PENDING = "battrace_written_rows"  # in the open transaction
_COMMITTED = "battrace_committed_rows"  # committed, counted when the connection comes back
BASE_THRESHOLD = 50
SCALE_FACTOR = 0.1
_ESTIMATE = text("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = to_regclass(:name)")


class StatisticsKeeper:
    """Counts the rows each table receives and analyses a table once enough changed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._changed: dict[str, int] = {}
        self._size: dict[str, float] = {}  # rows at the last ANALYZE (estimate)
        self._running: set[str] = set()
        self._threads: list[threading.Thread] = []
        self.analysed = 0  # tables analysed by this process (for tests and metrics)

    def install(self) -> None:
        event.listen(self.engine, "after_cursor_execute", self._counted)
        event.listen(self.engine, "commit", self._committed)
        event.listen(self.engine, "rollback", self._rolled_back)
        # The commit event fires before COMMIT: an ANALYZE started there would not see the
        # rows. The tally waits until the connection is back in the pool, after its commit.
        event.listen(self.engine, "checkin", self._checked_in)

    def _counted(
        self,
        conn: Connection,
        cursor: Any,  # noqa: ANN401 (the DBAPI cursor)
        _statement: str,
        parameters: Any,  # noqa: ANN401
        context: Any,  # noqa: ANN401 (the execution context)
        executemany: bool,
    ) -> None:
        if context is None or not (context.isinsert or context.isupdate or context.isdelete):
            return
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        name = getattr(table, "name", None)
        if not isinstance(name, str):
            return
        rows = len(parameters) if executemany else max(cursor.rowcount, 0)
        if rows:
            pending: dict[str, int] = conn.info.setdefault(_PENDING, {})
            pending[name] = pending.get(name, 0) + rows

    def _rolled_back(self, conn: Connection) -> None:
        conn.info.pop(_PENDING, None)

    def _committed(self, conn: Connection) -> None:
        pending: dict[str, int] | None = conn.info.pop(_PENDING, None)
        if pending:
            committed: dict[str, int] = conn.info.setdefault(_COMMITTED, {})
            for name, rows in pending.items():
                committed[name] = committed.get(name, 0) + rows

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:  # noqa: ANN401
        committed: dict[str, int] | None = record.info.pop(_COMMITTED, None)
        record.info.pop(_PENDING, None)
        if not committed:
            return
        due: list[str] = []
        with self._lock:
            for name, rows in committed.items():
                self._changed[name] = self._changed.get(name, 0) + rows
                size = self._size.get(name)
                threshold = BASE_THRESHOLD + SCALE_FACTOR * (size or 0)
                if (size is None or self._changed[name] > threshold) and name not in self._running:
                    self._running.add(name)
                    due.append(name)
        if due:
            thread = threading.Thread(target=self._analyse, args=(due,), daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def wait(self, timeout: float = 30.0) -> None:
        """Let the analyses under way finish (before the engine is disposed)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def _analyse(self, names: list[str]) -> None:
        try:
            with self.engine.connect() as opened:
                connection = opened.execution_options(isolation_level="AUTOCOMMIT")
                for name in names:
                    size = self._size.get(name)
                    if size is None:  # first sight: analyse only if the estimate is stale
                        size = float(connection.execute(_ESTIMATE, {"name": name}).scalar() or 0)
                        with self._lock:
                            self._size[name] = size
                            if self._changed.get(name, 0) <= BASE_THRESHOLD + SCALE_FACTOR * size:
                                continue
                    connection.exec_driver_sql(f'ANALYZE "{name}"')
                    estimate = connection.execute(_ESTIMATE, {"name": name}).scalar()
                    with self._lock:
                        self._size[name] = float(estimate or 0)
                        self._changed[name] = 0
                        self.analysed += 1
                    log.info("analysed %s after bulk writes", name)
        except Exception:  # statistics are an optimisation: never fail a request for them
            log.exception("ANALYZE after bulk writes failed")
        finally:
            with self._lock:
                self._running.difference_update(names)


def note_written(connection: Connection, table: str, rows: int) -> None:
    """Count rows a statement the keeper cannot see wrote (COPY, a textual INSERT) toward
    `table`'s next ANALYZE, as if an INSERT had."""
    if rows:
        pending: dict[str, int] = connection.info.setdefault(_PENDING, {})
        pending[table] = pending.get(table, 0) + rows
