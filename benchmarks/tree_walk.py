"""Trade-tree progress benchmark: what a structure save or a link costs on a deep chain.

    .venv/bin/python benchmarks/tree_walk.py                          # depth 50, 20 parts a tier
    .venv/bin/python benchmarks/tree_walk.py --depth 100 --width 50 --backends postgresql

A chain of `depth` companies: each makes one product of `width` parts, one of them bought
from the next company (an answered, linked request), the others terminated. A structure
save or a link ends in `tree_progress.refresh_downstream_of` on the changed parts: every trade
downstream gets its tree status and counters from a walk of the chain upstream of it. This
measures that call from the bottom of the chain (every trade is refreshed), in queries
(statements sent to the database) and seconds (median of `--repeat` runs, each rolled back).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from _common import postgres_database, sqlite_database
from battrace.store.migrate import upgrade
from sqlalchemy import event

from battrace.identity.models import Operator, Plant
from battrace.store import Database
from battrace.store.base import utcnow
from battrace.traceability import tree_progress
from battrace.traceability.models import (
    AmountUnit,
    CfpResponseStatus,
    Part,
    PartEdge,
    Trade,
    TradeTreeStatus,
)


def build_chain(database: Database, depth: int, width: int) -> uuid.UUID:
    """The chain's rows, straight into the tables; the bottom company's product."""
    operators = [uuid.uuid4() for _ in range(depth)]
    plants = [uuid.uuid4() for _ in range(depth)]
    rows: list[list[Any]] = [[], [], [], [], []]
    products = [uuid.uuid4() for _ in range(depth)]
    for at, (operator, plant) in enumerate(zip(operators, plants, strict=True)):
        rows[0].append(
            Operator(id=operator, name=f"op{at}", address="x", open_operator_id=f"{at:013d}")
        )
        rows[1].append(
            Plant(operator_id=operator, id=plant, name="p", address="x", open_plant_id=f"{at:019d}")
        )
        last = at == depth - 1

        def part(trace_id: uuid.UUID, *, terminated: bool, parent: bool) -> None:
            rows[2].append(
                Part(
                    operator_id=operator,  # noqa: B023 (used at once)
                    trace_id=trace_id,
                    plant_id=plant,  # noqa: B023
                    parts_name=str(trace_id),
                    terminated_flag=terminated,
                    amount_required_unit=AmountUnit.KILOGRAM,
                    is_parent=parent,
                )
            )

        part(products[at], terminated=last, parent=not last)
        if last:
            continue
        for n in range(width):
            child = uuid.uuid4()
            part(child, terminated=n > 0, parent=False)
            rows[3].append(
                PartEdge(
                    operator_id=operator,
                    parent_trace_id=products[at],
                    child_trace_id=child,
                    amount_required=Decimal(1),
                )
            )
            if n == 0:
                now = utcnow()
                rows[4].append(
                    Trade(
                        id=uuid.uuid4(),
                        status_id=uuid.uuid4(),
                        downstream_operator_id=operator,
                        upstream_operator_id=operators[at + 1],
                        downstream_trace_id=child,
                        upstream_trace_id=products[at + 1],
                        cfp_response_status=CfpResponseStatus.COMPLETED,
                        trade_tree_status=TradeTreeStatus.UNTERMINATED,
                        completed_count_modified_at=now,
                        trades_count_modified_at=now,
                    )
                )
    with database.transaction() as session:
        for batch in rows:
            session.add_all(batch)
            session.flush()
    return products[-1]


@contextmanager
def counting(database: Database) -> Iterator[list[int]]:
    count = [0]

    def before(*_: object) -> None:
        count[0] += 1

    event.listen(database.engine, "before_cursor_execute", before)
    try:
        yield count
    finally:
        event.remove(database.engine, "before_cursor_execute", before)


def measure(url: str, depth: int, width: int, repeat: int) -> tuple[int, float, int, int]:
    database = Database(url)
    try:
        upgrade(database.engine)
        bottom = build_chain(database, depth, width)
        seconds, queries, counts = [], 0, (0, 0)
        for _ in range(repeat):
            with database.session(write=True) as session, counting(database) as count:
                started = time.perf_counter()
                tree_progress.refresh_downstream_of(session, [bottom])
                session.flush()
                seconds.append(time.perf_counter() - started)
                queries = count[0]
                top = session.query(Trade).order_by(Trade.trades_count.desc()).first()
                assert top is not None  # noqa: S101
                counts = (top.trades_count or 0, top.completed_count or 0)
                session.rollback()
        return queries, statistics.median(seconds), *counts
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depth", type=int, default=50, help="companies in the chain")
    parser.add_argument("--width", type=int, default=20, help="parts in each product")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    parts = args.depth * (args.width + 1)
    print(f"chain: {args.depth} tiers x {args.width} parts = {parts:,} parts")
    for backend in args.backends:
        databases = sqlite_database if backend == "sqlite" else postgres_database
        with databases() as url:
            queries, seconds, count, completed = measure(url, args.depth, args.width, args.repeat)
        print(
            f"{backend:<11} refresh_downstream_of from the bottom: {queries:>6,} queries, "
            f"{seconds * 1000:>9.1f} ms (top trade: tradesCount {count}, completed {completed})"
        )


if __name__ == "__main__":
    main()
