"""The stored-totals invariant every test ends with: nothing pending or dropped, and each
part's row in `part_totals` equal to the total a full walk of the store computes now."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select

from battrace.store import Database
from battrace.traceability.models import Part, PartTotal, PendingTotal, StaleTotal
from battrace.traceability.supply import SupplyGraph
from battrace.traceability.supply_walk import TraceKeys

_COLUMNS = [column.key for column in inspect(PartTotal).columns]


def stored_and_fresh(database: Database) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Every stored row, and the rows a walk that ignores them computes, by trace id (under
    the disclosure policy the stored row was computed for; disclosing where none is)."""
    with database.transaction(write=False) as session:
        keys = TraceKeys(session)
        every = {key for (key,) in session.connection().execute(select(keys.column(Part.trace_id)))}
        stored = {
            row.trace_id: {column: getattr(row, column) for column in _COLUMNS}
            for row in session.scalars(select(PartTotal))
        }
        policies = {row["disclose_by_default"] for row in stored.values()} | {True}
        fresh = {
            policy: {
                row["trace_id"]: row
                for row in SupplyGraph(session, stored=False, disclose_by_default=policy)
                .load_keys(every)
                .stored_rows(every)
            }
            for policy in policies
        }
        computed = {
            trace_id: fresh[
                stored[trace_id]["disclose_by_default"] if trace_id in stored else True
            ][trace_id]
            for trace_id in fresh[True]
        }
    return stored, computed


def pending(database: Database) -> list[Any]:
    with database.transaction(write=False) as session:
        return list(session.scalars(select(PendingTotal.trace_id)))


def stale(database: Database) -> list[Any]:
    with database.transaction(write=False) as session:
        return list(session.scalars(select(StaleTotal.trace_id)))


def assert_totals_settled(database: Database) -> None:
    assert pending(database) == [], "a committed change left stored totals unsettled"
    assert stale(database) == [], "dropped stored totals were not stored again"
    stored, computed = stored_and_fresh(database)
    wrong = {
        trace_id: (stored.get(trace_id), row)
        for trace_id, row in computed.items()
        if stored.get(trace_id) != row
    }
    assert not wrong, f"stored totals differ from a fresh walk: {list(wrong.items())[:3]}"
    assert stored.keys() == computed.keys(), "stored totals of parts that do not exist"
