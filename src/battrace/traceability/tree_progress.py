"""The progress of a trade's tree (`tradeTreeStatus`, `tradesCount`, `completedCount`): how
many requests there are upstream of a trade and how many are answered, and whether every
branch ends in a terminated part. Kept by `refresh_downstream_of` whenever a structure is
saved or a request is made, linked, cancelled or sent back, over one set-based walk of the
chain (`supply_walk`), never a query per part.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.ids import TraceId
from battrace.store.base import utcnow
from battrace.traceability.models import CfpResponseStatus, PartEdge, Trade, TradeTreeStatus
from battrace.traceability.supply_walk import (
    COMPLETED,
    OPEN,
    Follow,
    Key,
    SupplyWalk,
    trace_id_among,
)
from battrace.traceability.walk import fold_upstream


@dataclass(frozen=True)
class TreeProgress:
    terminated: bool
    trades: int
    completed: int


class _TreeProgress:
    """The progress of the tree upstream of parts, over one set-based walk of the chain
    (`SupplyWalk`, following every linked request), memoised and cycle-safe."""

    _NONE = TreeProgress(terminated=False, trades=0, completed=0)

    def __init__(self, session: Session, roots: Iterable[uuid.UUID]) -> None:
        self.walk = SupplyWalk(session, stored=False, cfp=False, follow=Follow.LINKED)
        self.walk.load(roots)
        self.memo: dict[Key, TreeProgress] = {}

    def _upstream(self, key: Key) -> Sequence[Key]:
        part = self.walk.parts[key]
        if part[1]:
            return ()
        children = self.walk.children.get(key)
        if children is not None:
            return children[0]
        trade = self.walk.trades.get(key)
        return () if trade is None or trade[2] is None else (trade[2],)

    def _compute(self, key: Key) -> TreeProgress:
        part = self.walk.parts[key]
        if part[1]:
            return TreeProgress(terminated=True, trades=0, completed=0)
        children = self.walk.children.get(key)
        if children is not None:
            parts = [self.memo.get(child, self._NONE) for child in children[0]]
            return TreeProgress(
                terminated=all(p.terminated for p in parts),
                trades=sum(p.trades for p in parts),
                completed=sum(p.completed for p in parts),
            )
        trade = self.walk.trades.get(key)
        if trade is None:
            return self._NONE
        upstream = None if trade[2] is None else self.memo.get(trade[2], self._NONE)
        return self._of(trade[2] is not None, trade[3] == COMPLETED, upstream)

    @staticmethod
    def _of(linked: bool, answered: bool, upstream: TreeProgress | None) -> TreeProgress:
        above = upstream or _TreeProgress._NONE
        return TreeProgress(
            terminated=linked and above.terminated,
            trades=1 + above.trades,
            completed=(1 if answered else 0) + above.completed,
        )

    def of_part(self, key: Key) -> TreeProgress:
        if key not in self.walk.parts:
            return self._NONE
        return fold_upstream(
            key,
            self.memo,
            self._upstream,
            self._compute,
            known=self.walk.parts,
            on_cycle=lambda _part: self._NONE,
        )

    def of_trade(self, trade: Trade) -> TreeProgress:
        linked = trade.upstream_trace_id is not None
        upstream = (
            self.of_part(self.walk.ids.key(trade.upstream_trace_id))
            if trade.upstream_trace_id is not None
            else None
        )
        return self._of(linked, trade.cfp_response_status == CfpResponseStatus.COMPLETED, upstream)


def refresh_downstream_of(session: Session, trace_ids: Iterable[TraceId]) -> None:
    """Recompute tree status and counters of every trade whose tree contains these parts.

    The trades are found walking down (a query or two per tier), then the chain upstream of
    them is read in one set-based walk, and each trade's progress is folded from it.
    """
    seen: set[TraceId] = set()
    frontier = set(trace_ids)
    found: list[Trade] = []
    while frontier:
        seen |= frontier
        # Parts above these in their owners' structures are affected too.
        parents = set(
            session.scalars(
                select(PartEdge.parent_trace_id).where(
                    trace_id_among(session, PartEdge.child_trace_id, frontier)
                )
            )
        )
        trades = session.scalars(
            select(Trade).where(
                trace_id_among(session, Trade.upstream_trace_id, frontier),
                Trade.cfp_response_status.in_(OPEN),
            )
        ).all()
        found.extend(trades)
        frontier = (parents | {trade.downstream_trace_id for trade in trades}) - seen
    if not found:
        return
    session.flush()
    progress_of = _TreeProgress(
        session, {t.upstream_trace_id for t in found if t.upstream_trace_id is not None}
    )
    now = utcnow()
    for trade in found:
        progress = progress_of.of_trade(trade)
        status = TradeTreeStatus.TERMINATED if progress.terminated else TradeTreeStatus.UNTERMINATED
        trade.trade_tree_status = status
        if trade.trades_count != progress.trades:
            trade.trades_count = progress.trades
            trade.trades_count_modified_at = now
        if trade.completed_count != progress.completed:
            trade.completed_count = progress.completed
            trade.completed_count_modified_at = now
