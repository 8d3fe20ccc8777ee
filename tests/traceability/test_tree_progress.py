"""The trade tree's progress (`tree_progress.refresh_downstream_of`, run by every structure save and
link) walks the chain in a few queries per tier, never one per part, and counts right."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, event, select

from battrace.store import Database
from battrace.traceability import tree_progress
from battrace.traceability.models import CfpResponseStatus, Trade, TradeTreeStatus
from tests.traceability.chain import Chain


def _chain(chain: Chain, depth: int, width: int) -> uuid.UUID:
    """`depth` companies, each product made of `width` parts, the first bought from the
    next company (answered and linked); the bottom company's product is terminated."""
    owners = [chain.operator() for _ in range(depth)]
    products = [
        chain.part(owner, parent=owner != owners[-1], terminated=owner == owners[-1])
        for owner in owners
    ]
    for owner, product, supplier, supplied in zip(
        owners, products, owners[1:], products[1:], strict=False
    ):
        for n in range(width):
            child = chain.part(owner, terminated=n > 0)
            chain.edge(owner, product, child, "1")
            if n == 0:
                chain.answer(owner, child, supplier, supplied)
    return products[-1]


@contextmanager
def _statements(connection: Connection) -> Iterator[list[str]]:
    """The statements sent on this session's connection only (the background ANALYZE after
    a bulk write runs on another connection of the same engine)."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _refresh(database: Database, bottom: uuid.UUID) -> tuple[int, list[Trade]]:
    with database.transaction() as session:
        with _statements(session.connection()) as sent:
            tree_progress.refresh_downstream_of(session, [bottom])
            session.flush()
        queries = sum(1 for s in sent if s.lstrip().upper().startswith("SELECT"))
        found = list(session.scalars(select(Trade).order_by(Trade.trades_count)))
        session.expunge_all()
    return queries, found


def test_the_walk_reads_a_tier_in_a_few_queries_whatever_its_width(database: Database) -> None:
    depth = 5
    chain = Chain()
    narrow_bottom, wide_bottom = _chain(chain, depth, width=2), _chain(chain, depth, width=30)
    chain.store(database)
    narrow, _ = _refresh(database, narrow_bottom)
    wide, found = _refresh(database, wide_bottom)
    assert wide == narrow
    assert wide <= 6 * depth
    # Each chain's trades, from its bottom: 1 trade up to depth - 1, all answered and
    # ending in a terminated part.
    counted = sorted((t.trades_count, t.completed_count) for t in found)
    assert counted == sorted([(n, n) for n in range(1, depth)] * 2)
    assert all(t.trade_tree_status == TradeTreeStatus.TERMINATED for t in found)
    assert all(t.cfp_response_status == CfpResponseStatus.COMPLETED for t in found)
