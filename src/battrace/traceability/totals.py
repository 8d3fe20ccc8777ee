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
* A change far upstream can affect a large share of a big database (one leaf of the last
  tier of the 1,000,000-part benchmark chain feeds half of it). Past a budget of affected
  parts (`settle(…, budget=…)`: the server's `totals_settle_budget`, 5,000 by default) a
  settlement does not recompute them in the
  writer's transaction: it drops their rows and lists them in `part_totals_stale`, and
  `refill` stores them again in batches, off the request (the server runs it in the
  background). Until then a reader walks them, so what it sees is right, only slower.
* A settlement locks each part it recomputes (PostgreSQL advisory locks; SQLite has a single
  writer anyway), so two writers whose changes meet downstream never each recompute a
  shared part from the other's old value, while writers of unrelated parts (other
  companies') do not wait for each other. Settlements hold one lock in shared mode that a
  refill takes exclusively, so a refill never stores a total a concurrent settlement is
  about to drop.
* Other per-part totals made of the same graph (recycled content, `recycling.content_totals`)
  ride on this settlement as companions (`Companion`, `register`): their rows reference
  `part_totals` with ON DELETE CASCADE, so whatever drops or replaces a part's CFP total drops
  theirs too, even in a process where the companion is not registered, and a registered
  companion stores them again right after the CFP totals, in the same transaction, under the
  same budget, locks and refill. A companion's reader walks a part without a row, as the CFP
  reader does.
* A reader that sees a pending part (a write committed without settling, e.g. a migration)
  trusts no stored total at all and walks the graph as before; a part with no stored row, or
  one stored under another default disclosure policy, is computed from its inputs. A stored
  total is a shortcut to the same digits, never a second source of truth.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from battrace.store import collector, version
from battrace.traceability import totals_hook
from battrace.traceability.models import (
    Part,
    PartEdge,
    PartTotal,
    PendingTotal,
    StaleTotal,
    Trade,
)
from battrace.traceability.supply import SupplyGraph
from battrace.traceability.supply_walk import Key, TraceKeys

# pg_advisory_xact_lock key: the settlement of stored totals (any fixed number is fine).
_LOCK = 0x6261_7474_6F74
_PART_LOCKS = 0x6274_7074  # the key space of the per-part locks (two-int advisory keys)
# Past this many parts a settlement takes the settlement lock exclusively instead of one lock
# per part: advisory locks live in a shared table sized by max_locks_per_transaction (64 x
# max_connections by default), which a bulk import's settlement would exhaust.
MOST_PART_LOCKS = 1_000
_BATCH = 5_000
DEFAULT_BUDGET = 5_000
REFILL_BATCH = 20_000


@dataclass(frozen=True)
class Companion:
    """Per-part totals kept beside the CFP totals (see the module).

    `store(session, keys, disclose_by_default)` recomputes the given parts (all of them,
    their stored rows are gone), reading the others' stored rows; `fill(session, keys,
    disclose_by_default)` stores the given parts and every part below them it has to walk
    for want of a row; `missing(session, disclose_by_default)` stores every part that has a
    CFP total and no row of the companion. Each works under the server's disclosure policy
    (as the CFP totals do), returns the rows it stored and stores rows only for parts that
    have a CFP total (their rows reference it).
    """

    name: str
    inputs: frozenset[str]  # tables whose writes change these totals (with triggers, like 0006)
    store: Callable[[Session, Collection[Key], bool], int]
    fill: Callable[[Session, Collection[Key], bool], int]
    missing: Callable[[Session, bool], int]


_COMPANIONS: dict[str, Companion] = {}


def register(companion: Companion) -> None:
    """Keep `companion`'s totals settled with the CFP totals from now on in this process."""
    _COMPANIONS[companion.name] = companion
    totals_hook.watch(companion.inputs)


def companions() -> tuple[Companion, ...]:
    return tuple(_COMPANIONS.values())


@dataclass(frozen=True)
class Settlement:
    stored: int = 0  # totals recomputed and stored in the transaction
    dropped: int = 0  # totals dropped and left to `refill` (over the budget)


@collector.pausing
def settle(
    session: Session, *, disclose_by_default: bool, budget: int = DEFAULT_BUDGET
) -> Settlement:
    """Recompute (or, past `budget` affected parts, drop) the stored totals the transaction's
    changes affect, under the server's disclosure policy. Runs in the caller's transaction
    (`AppState.writing` calls it with the server's settings before committing; the commit
    hook, with the defaults, for any other session)."""
    session.flush()
    keys = TraceKeys(session)
    pending = _pending_taking_shared_lock(session, keys)
    if not pending:
        return Settlement()
    affected: set[Key] = set()
    exclusive = False
    while True:  # lock every part this settlement recomputes; the set may grow meanwhile
        if affected:  # again: others may have committed since
            pending = _keys_of(session, keys, PendingTotal)
        found = downstream(session, pending)
        if found <= affected:
            break
        if not exclusive and len(found) > MOST_PART_LOCKS:
            # One lock for all (two bulk settlements upgrading at once: a deadlock the
            # database breaks, and the loser's unit of work runs again).
            _lock(session, keys)
            exclusive = True
        if not exclusive:
            _lock_parts(session, keys, found - affected)
        affected |= found
    affected = found
    if len(affected) > budget:
        _touch_operators(session, keys, affected)
        _drop(session, keys, affected)
        result = Settlement(dropped=len(affected))
    else:
        graph = SupplyGraph(
            session, fresh=affected, stored=True, disclose_by_default=disclose_by_default
        ).load_keys(affected)
        # The operators whose cached answers go stale (`store.version`): the load read them.
        version.touch(session, graph.owners(affected))
        rows = graph.stored_rows(affected)
        _replace(session, keys, affected, rows)  # (and, by cascade, the companions' rows)
        for companion in companions():
            companion.store(session, affected, disclose_by_default)
        result = Settlement(stored=len(rows))
    _forget(session, keys, PendingTotal, pending)
    return result


def _pending_taking_shared_lock(session: Session, keys: TraceKeys) -> set[Key]:
    """The pending parts; when there are any, the settlement lock is taken in shared mode by
    the same statement (PostgreSQL), saving a write a round trip."""
    statement = select(keys.column(PendingTotal.trace_id))
    if keys.postgresql:
        statement = statement.add_columns(func.pg_advisory_xact_lock_shared(_LOCK))
    return {row[0] for row in session.connection().execute(statement)}


def has_stale(session: Session) -> bool:
    """True when some dropped total waits for `refill` (one indexed read)."""
    return session.execute(select(StaleTotal.trace_id).limit(1)).first() is not None


@collector.pausing
def refill(session: Session, *, disclose_by_default: bool, limit: int = REFILL_BATCH) -> int:
    """Store again up to about `limit` of the totals settlements dropped (the parts walked
    to compute them too); returns how many were stored, 0 when none is left."""
    # a change committed without settling would make stored totals wrong
    settle(session, disclose_by_default=disclose_by_default)
    keys = TraceKeys(session)
    if not _keys_of(session, keys, StaleTotal, limit=1):
        return 0
    _lock(session, keys)
    stale = _keys_of(session, keys, StaleTotal, limit=limit)
    # and the missing ones below
    computed, stored = _store_walked(session, keys, stale, disclose_by_default)
    for companion in companions():
        companion.fill(session, stale, disclose_by_default)
    _forget(session, keys, StaleTotal, stale | computed)
    return stored


@collector.pausing
def store_missing(
    session: Session, *, disclose_by_default: bool, progress: Callable[[str], None] | None = None
) -> int:
    """Store the total of every part that has none under the server's default disclosure
    policy (after the upgrade that adds the table, or a server restarted with the other
    policy), the dropped ones included; returns how many. Settles pending changes first, so
    what it reads as stored holds.
    """
    # this is the bulk work a settlement would leave to refill
    settle(session, disclose_by_default=disclose_by_default, budget=2**62)
    keys = TraceKeys(session)
    _lock(session, keys)
    current = select(PartTotal.trace_id).where(PartTotal.disclose_by_default == disclose_by_default)
    missing = {
        key
        for (key,) in session.connection().execute(
            select(keys.column(Part.trace_id)).where(~Part.trace_id.in_(current))
        )
    }
    session.execute(delete(StaleTotal), execution_options={"synchronize_session": False})
    stored = 0
    if missing:
        if progress is not None:
            progress(f"computing the totals of {len(missing):,} parts")
        stored = _store_walked(session, keys, missing, disclose_by_default, progress)[1]
    for companion in companions():
        added = companion.missing(session, disclose_by_default)
        if added and progress is not None:
            progress(f"stored {added:,} {companion.name} totals")
    return stored


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


def _store_walked(
    session: Session,
    ids: TraceKeys,
    roots: Collection[Key],
    disclose_by_default: bool,
    progress: Callable[[str], None] | None = None,
) -> tuple[set[Key], int]:
    """Compute `roots` and every part below them that has no usable stored total, and store
    them all; returns those parts and how many rows were stored."""
    graph = SupplyGraph(session, stored=True, disclose_by_default=disclose_by_default)
    graph.load_keys(roots)
    computed = graph.computed()
    rows = graph.stored_rows(computed)
    _replace(session, ids, computed, rows, progress)
    return computed, len(rows)


def _lock(session: Session, keys: TraceKeys, *, shared: bool = False) -> None:
    """The settlement lock: shared by settlements (each also locks the parts it recomputes,
    `_lock_parts`), exclusive for a refill or a bulk store, which must meet no settlement."""
    if keys.postgresql:
        lock = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
        session.execute(select(lock(_LOCK)))


def _lock_parts(session: Session, keys: TraceKeys, parts: Collection[Key]) -> None:
    """Lock each part a settlement recomputes, in one order (two settlements whose changes
    meet downstream wait for each other there; others run side by side). SQLite has one
    writer at a time anyway."""
    if not keys.postgresql or not parts:
        return
    listed = ",".join(sorted(parts))
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:space, h) FROM ("
            " SELECT DISTINCT hashtext(k) AS h FROM unnest(string_to_array(:parts, ',')) AS k"
            " ORDER BY 1) AS ordered"
        ),
        {"space": _PART_LOCKS, "parts": listed},
    )


def _touch_operators(session: Session, keys: TraceKeys, parts: Collection[Key]) -> None:
    """The operators whose stored totals this settlement changes: their cached answers are
    stale once it commits (`store.version`), whoever wrote."""
    listed = list(parts)
    operators: set[uuid.UUID] = set()
    for start in range(0, len(listed), _BATCH * 10):
        operators.update(
            operator
            for (operator,) in session.connection().execute(
                select(Part.operator_id).where(
                    keys.among(Part.trace_id, listed[start : start + _BATCH * 10])
                )
            )
        )
    version.touch(session, operators)


def _keys_of(
    session: Session,
    ids: TraceKeys,
    table: type[PendingTotal] | type[StaleTotal],
    limit: int | None = None,
) -> set[Key]:
    statement = select(ids.column(table.trace_id))
    if limit is not None:
        statement = statement.limit(limit)
    return {key for (key,) in session.connection().execute(statement)}


def _forget(
    session: Session,
    ids: TraceKeys,
    table: type[PendingTotal] | type[StaleTotal],
    keys: Collection[Key],
) -> None:
    listed = list(keys)
    for start in range(0, len(listed), _BATCH * 10):
        session.connection().execute(
            delete(table).where(ids.among(table.trace_id, listed[start : start + _BATCH * 10]))
        )


def _drop(session: Session, ids: TraceKeys, keys: Collection[Key]) -> None:
    """Delete the rows of `keys` and list those that are parts for `refill` (on the server:
    no row of them comes to Python)."""
    _replace(session, ids, keys, [])
    dialect = postgresql if ids.postgresql else sqlite
    connection = session.connection()
    listed = list(keys)
    for start in range(0, len(listed), _BATCH * 10):
        among = ids.among(Part.trace_id, listed[start : start + _BATCH * 10])
        connection.execute(
            dialect.insert(StaleTotal)
            .from_select(["trace_id"], select(Part.trace_id).where(among))
            .on_conflict_do_nothing()
        )


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
