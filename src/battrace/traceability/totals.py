"""Stored part totals: kept equal to what `traceability.rollup` computes, in every commit.

`part_totals` holds each part's CFP total per stage as its owner sees it. It lets a roll-up
stop at its suppliers' boundary: a customer's loader reads the total a supplier's part has
instead of walking the supplier's structures and their suppliers' down to the last tier.

How the stored totals stay right:

* Triggers on the five tables a total is made of (parts, CFP values, structures, trades,
  disclosure decisions; migration 0006) write the part whose total a changed row feeds into
  `part_totals_pending`, whoever wrote it: the ORM, a bulk statement, a cascade.
* Before a session commits a write to one of those tables, `settle` takes the pending parts,
  adds everything downstream of them (parents through structures, customers' parts through
  trades, transitively), recomputes those totals with the loader (the rest read as stored),
  replaces their rows and clears the pending ones, all inside the same transaction: what
  commits is the change and the totals that follow from it, or neither.
* Settlements take one lock (PostgreSQL advisory lock; SQLite has a single writer anyway),
  so two writers whose changes meet downstream never each recompute a shared part from the
  other's old value.
* A reader that sees a pending part (a write committed without settling, e.g. a migration)
  trusts no stored total at all and walks the graph as before; a part with no stored row, or
  one stored under another default disclosure policy, is computed from its inputs. A stored
  total is a shortcut to the same digits, never a second source of truth.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from battrace.traceability import disclosure
from battrace.traceability.models import (
    Part,
    PartEdge,
    PartTotal,
    PendingTotal,
    Trade,
)
from battrace.traceability.rollup import Key, SupplyGraph, TraceKeys

# pg_advisory_xact_lock key: the settlement of stored totals (any fixed number is fine).
_LOCK = 0x6261_7474_6F74
_BATCH = 5_000


def settle(session: Session) -> int:
    """Recompute the stored totals a transaction's changes affect; returns how many.

    Runs in the caller's transaction (the commit hook calls it before committing).
    """
    session.flush()
    keys = TraceKeys(session)
    if not _pending_keys(session, keys):
        return 0
    if keys.postgresql:
        session.execute(select(func.pg_advisory_xact_lock(_LOCK)))
    pending = _pending_keys(session, keys)  # again: others may have committed meanwhile
    affected = downstream(session, pending)
    graph = SupplyGraph(session, fresh=affected, stored=True).load_keys(affected)
    rows = graph.stored_rows(affected)
    _replace(session, keys, affected, rows)
    session.execute(
        delete(PendingTotal).where(keys.among(PendingTotal.trace_id, pending)),
        execution_options={"synchronize_session": False},
    )
    return len(rows)


def store_missing(session: Session, progress: Callable[[str], None] | None = None) -> int:
    """Store the totals of every part that has none under the session's default disclosure
    policy (after the upgrade that adds the table, or a server restarted with the other
    policy); returns how many. Settles pending changes first, so what it reads as stored holds.
    """
    settle(session)
    keys = TraceKeys(session)
    current = select(PartTotal.trace_id).where(
        PartTotal.disclose_by_default == disclosure.default_policy(session)
    )
    missing = {
        key
        for (key,) in session.connection().execute(
            select(keys.column(Part.trace_id)).where(~Part.trace_id.in_(current))
        )
    }
    if not missing:
        return 0
    if progress is not None:
        progress(f"computing the totals of {len(missing):,} parts")
    graph = SupplyGraph(session, stored=True).load_keys(missing)
    computed = graph.computed()
    rows = graph.stored_rows(computed)
    _replace(session, keys, computed, rows, progress)
    return len(rows)


def downstream(session: Session, keys: Collection[Key]) -> set[Key]:
    """`keys` and every part whose total is made from one of them, transitively: parents
    through structures, customers' parts through trades (any status: harmless extra work)."""
    ids = TraceKeys(session)
    connection = session.connection()
    closure = set(keys)
    frontier = set(keys)
    while frontier:
        found = {
            key
            for (key,) in connection.execute(
                select(ids.column(PartEdge.parent_trace_id)).where(
                    ids.among(PartEdge.child_trace_id, frontier)
                )
            )
        }
        found.update(
            key
            for (key,) in connection.execute(
                select(ids.column(Trade.downstream_trace_id)).where(
                    ids.among(Trade.upstream_trace_id, frontier)
                )
            )
        )
        frontier = found - closure
        closure |= frontier
    return closure


def _pending_keys(session: Session, ids: TraceKeys) -> set[Key]:
    return {
        key for (key,) in session.connection().execute(select(ids.column(PendingTotal.trace_id)))
    }


def _replace(
    session: Session,
    ids: TraceKeys,
    keys: Collection[Key],
    rows: list[dict[str, Any]],
    progress: Callable[[str], None] | None = None,
) -> None:
    connection = session.connection()
    listed = list(keys)
    for start in range(0, len(listed), _BATCH * 10):
        connection.execute(
            delete(PartTotal).where(
                ids.among(PartTotal.trace_id, listed[start : start + _BATCH * 10])
            )
        )
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(PartTotal), rows[start : start + _BATCH])
        if progress is not None and len(rows) > _BATCH:
            progress(f"stored {min(start + _BATCH, len(rows)):,} of {len(rows):,} totals")
