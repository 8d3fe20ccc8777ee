"""The commit hook that keeps stored part totals settled (see `traceability.totals`).

A session that wrote to a table a total is made of settles the pending totals before it
commits. Registered on every `Session` when the `battrace.traceability` package is first
imported (its `__init__`); it imports the settlement only when it has work, so the models
stay free of the roll-up.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

# The tables whose rows are inputs of some part's total (migration 0006 puts the triggers
# that fill `part_totals_pending` on them); companions' tables join (`watch`).
TOTAL_INPUTS = frozenset({"parts", "cfp_values", "part_edges", "trades", "disclosures"})
_watched: set[str] = set(TOTAL_INPUTS)
_TOUCHED = "battrace.totals_touched"


def watch(tables: Collection[str]) -> None:
    """Settle also after writes to `tables` (a companion's inputs, `totals.register`)."""
    _watched.update(tables)


def _touches_inputs(tables: Collection[str]) -> bool:
    return not _watched.isdisjoint(tables)


def _unflushed_inputs(session: Session) -> bool:
    changed = (*session.new, *session.dirty, *session.deleted)
    return _touches_inputs({getattr(item, "__tablename__", "") for item in changed})


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if not session.info.get(_TOUCHED) and _unflushed_inputs(session):
        session.info[_TOUCHED] = True  # (still listed in new / dirty / deleted here)


@event.listens_for(Session, "do_orm_execute")
def _do_orm_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and _touches_inputs({getattr(table, "name", "")}):
            state.session.info[_TOUCHED] = True


def settle_if_touched(
    session: Session, *, disclose_by_default: bool = True, budget: int | None = None
) -> None:
    """Settle when the transaction wrote to an input of the totals. A writer calls it before
    it commits, with the server's settings (`battrace.state`); the commit hook calls it for
    any other session, with the defaults (disclosing; `totals.DEFAULT_BUDGET`)."""
    # Runs before the commit's own flush: objects not flushed yet count too.
    if session.info.get(_TOUCHED) or _unflushed_inputs(session):
        from battrace.traceability import totals  # noqa: PLC0415 (see the module)

        totals.settle(
            session,
            disclose_by_default=disclose_by_default,
            budget=totals.DEFAULT_BUDGET if budget is None else budget,
        )
        # Settled: the commit's own call has nothing left to do unless more is written
        # after this one (the settlement's own writes are not inputs of a total).
        session.info.pop(_TOUCHED, None)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    settle_if_touched(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
