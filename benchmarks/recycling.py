"""Recycling benchmarks: recycled content rolled up through the CFP benchmark's supply chain
against the CFP roll-up of the same chain in the same run, and the mass-balance check of a
custody lot's history.

    .venv/bin/python benchmarks/recycling.py                       # 10k parts, both databases
    .venv/bin/python benchmarks/recycling.py --sizes 10000 100000 1000000 --events 100000
    .venv/bin/python benchmarks/recycling.py --backends sqlite --sizes 2000 --events 10000
    .venv/bin/python benchmarks/recycling.py --sizes --events 100000   # custody only

The chain is `benchmarks/rollup.py`'s (`make_chain`, `chain_rows`, `insert_rows`, imported,
not copied): 20 tiers, 200 companies, a quarter of each company's parts products, the rest
in-house leaves and bought-in parts answered by a product of the next tier. Every in-house leaf
also declares a cobalt content per unit with a post-consumer recycled part (`PartContent`).

Columns, per size and backend:

* CFP (stored): `footprint.graph.load_graph` + `roll_up` of the OEM's root, suppliers read
  at their stored totals (the production path);
* content (stored): `recycling.rollup.roll_up_content` of the OEM's root, suppliers read at
  their stored content totals (`recycling_content_totals`, settled with the CFP totals when
  the chain is inserted): the production path, and the issue's target is at most 2x CFP
  (stored);
* CFP (walk) and content (walk): the same two with `stored=False`, walking every tier, for
  reference. Both content results give the root's cobalt share, checked against an in-memory
  reference computed from the chain's lists.

The stored paths are timed three times each and the fastest run is kept (the first warms the
database's cache). Each figure is wall time and, in brackets, the CPU time of this process
(the database server's own CPU is not in it: on PostgreSQL it runs in another process).

Custody: one lot with `--events` steps (bulk-inserted, not timed), then
`custody.check_lot` timed (one set-based read and the pure check); the target is 2 s for
100,000 events.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from _common import DEFAULT_POSTGRES_ADMIN_URL
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rollup import Chain, chain_ids, chain_rows, insert_rows, make_chain, provisioned
from sqlalchemy import insert

from battrace.footprint.graph import load_graph
from battrace.footprint.rollup import roll_up
from battrace.migrations import upgrade
from battrace.recycling import lots
from battrace.recycling.models import (
    CustodyEvent,
    CustodyLot,
    EventKind,
    Fraction,
    LotStatus,
    PartContent,
)
from battrace.recycling.rollup import roll_up_content
from battrace.recycling.rules import Element
from battrace.store import Database

console = Console(width=None if sys.stdout.isatty() else 160)
CO = Element.COBALT
CHUNK = 5_000


def content_rows(
    chain: Chain, ids: list[uuid.UUID], operators: list[uuid.UUID], seed: int = 5
) -> tuple[list[dict[str, object]], dict[int, tuple[Decimal, Decimal]]]:
    """A cobalt content per unit on every in-house leaf: 0.01-0.10 kg, 0-50 % post-consumer."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows, declared = [], {}
    for at, kind in enumerate(chain.kind):
        if kind != "terminated":
            continue
        mass = Decimal(rng.randint(1, 10)) / 100
        post = (mass * Decimal(rng.randint(0, 50)) / 100).quantize(Decimal("0.00001"))
        declared[at] = (mass, post)
        rows.append(
            {"operator_id": operators[chain.owner[at]], "trace_id": ids[at], "element": CO.value,
             "mass_kg": mass, "pre_consumer_kg": Decimal(0), "post_consumer_kg": post,
             "basis": "declared", "certificate": None, "updated_at": now}
        )  # fmt: skip
    return rows, declared


def reference_share(chain: Chain, declared: dict[int, tuple[Decimal, Decimal]]) -> Decimal:
    """The root's cobalt share from the chain's lists, iteratively, in Decimal."""
    children: dict[int, list[tuple[int, Decimal]]] = {}
    for up, down, amount in zip(chain.parent, chain.child, chain.amount, strict=True):
        children.setdefault(up, []).append((down, amount))
    done: dict[int, tuple[Decimal, Decimal]] = {}
    stack = [(chain.root, False)]
    while stack:
        at, ready = stack.pop()
        if at in done:
            continue
        kind = chain.kind[at]
        inputs = (
            [(chain.link[at], Decimal(1))] if kind == "bought" and at in chain.link
            else children.get(at, []) if kind == "product" else []
        )  # fmt: skip
        if not ready:
            stack.append((at, True))
            stack.extend((child, False) for child, _ in inputs if child not in done)
            continue
        mass, post = declared.get(at, (Decimal(0), Decimal(0)))
        for child, amount in inputs:
            child_mass, child_post = done[child]
            mass, post = mass + amount * child_mass, post + amount * child_post
        done[at] = (mass, post)
    mass, post = done[chain.root]
    return (100 * post / mass).quantize(Decimal("0.01"))


def timed(database: Database, work: object, repeat: int = 1) -> tuple[tuple[float, float], object]:
    """(wall, CPU of this process) seconds of `work` in one read transaction, and its value;
    the fastest of `repeat` runs (the first warms the database's cache for the others)."""
    best: tuple[float, float] | None = None
    for _ in range(repeat):
        with database.transaction(write=False) as session:
            started, cpu = time.perf_counter(), time.process_time()
            value = work(session)  # type: ignore[operator]
            seconds = (time.perf_counter() - started, time.process_time() - cpu)
        best = seconds if best is None or seconds[0] < best[0] else best
    assert best is not None  # noqa: S101
    return best, value


def run_chain(url: str, size: int, progress: Progress) -> dict[str, object]:
    chain = make_chain(size)
    ids, operators, plants = chain_ids(chain)
    root, oem = ids[chain.root], operators[0]
    rows = chain_rows(chain, ids, operators, plants)
    content, declared = content_rows(chain, ids, operators)
    rows[PartContent] = content
    database = Database(url)
    try:
        upgrade(database.engine)
        insert_rows(database, rows, progress, f"  insert {size:,} parts")

        def cfp(stored: bool | None) -> object:
            return lambda s: roll_up(
                load_graph(s, viewer=oem, roots=[root], stored=stored, disclose_by_default=True),
                root,
            )

        def content(stored: bool | None) -> object:
            return lambda s: roll_up_content(
                s, viewer=oem, roots=[root], stored=stored, disclose_by_default=True
            )

        stored_s, _ = timed(database, cfp(None), repeat=3)
        content_s, rolled = timed(database, content(None), repeat=3)
        walk_s, footprint = timed(database, cfp(False))
        content_walk_s, walked = timed(database, content(False))
        expected = reference_share(chain, declared)
        for found in (rolled, walked):
            share = found.shares(root)[CO]  # type: ignore[attr-defined]
            if share != expected:
                raise RuntimeError(f"cobalt share {share} differs from the reference {expected}")
        return {
            "cfp_stored": stored_s, "cfp_walk": walk_s, "content": content_s,
            "content_walk": content_walk_s, "share": share,
            "total": footprint.total,  # type: ignore[attr-defined]
        }  # fmt: skip
    finally:
        database.dispose()


def run_custody(url: str, events: int) -> tuple[float, bool, int]:
    database = Database(url)
    try:
        upgrade(database.engine)
        operator = uuid.uuid4()
        now = datetime.now(UTC)
        with database.transaction() as session:
            from battrace.identity.models import Operator  # noqa: PLC0415

            session.add(
                Operator(id=operator, name="collector", address="-", open_operator_id="9" * 13)
            )
            session.flush()
            lot = CustodyLot(
                id=uuid.uuid4(), code="BENCH", product_type="battery", fraction=Fraction.PRODUCTS,
                chemistry=None, member_state="DE", created_by_operator_id=operator,
                custodian_operator_id=operator, receiver_operator_id=None, parent_lot_id=None,
                status=LotStatus.STORED, mass_kg=Decimal(1_000_000), units=1000, energy_kwh=None,
                last_sequence=events, lost_track=False,
            )  # fmt: skip
            session.add(lot)
            session.flush()
            mass, step = Decimal(1_000_000), Decimal("0.001")
            batch = []
            for n in range(1, events + 1):
                batch.append(
                    {"lot_id": lot.id, "sequence": n, "operator_id": operator,
                     "kind": EventKind.STORED, "occurred_at": now, "place": None,
                     "mass_in_kg": mass, "mass_out_kg": mass - step, "loss_kg": step,
                     "units_in": 1000, "units_out": 1000, "units_lost_declared": 0,
                     "receiver_operator_id": None, "accepted_at": None, "note": None,
                     "recorded_at": now}
                )  # fmt: skip
                mass -= step
                if len(batch) == CHUNK:
                    session.execute(insert(CustodyEvent), batch)
                    batch = []
            if batch:
                session.execute(insert(CustodyEvent), batch)
        (seconds, _), check = timed(
            database, lambda s: lots.check_lot(s, caller=operator, lot_id=lot.id)
        )
        return seconds, check.balanced, check.steps  # type: ignore[attr-defined]
    finally:
        database.dispose()


def _figure(seconds: object) -> str:
    wall, cpu = seconds  # type: ignore[misc]
    return f"{wall:.3f} ({cpu:.3f})"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000], help="none: custody only")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_ADMIN_URL)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    table = Table(title="Recycled content vs CFP roll-up: wall s (CPU s of this process)")
    for column in ("parts", "backend", "CFP (stored)", "content (stored)", "content / CFP",
                   "CFP (walk)", "content (walk)", "Co share of root"):  # fmt: skip
        table.add_column(column, justify="right")
    custody_table = Table(title="Custody: mass balance of one lot's history")
    for column in ("backend", "events", "check (s)", "balanced", "target 2 s"):
        custody_table.add_column(column, justify="right")
    with Progress(console=console, transient=True) as progress:
        for backend in options.backends:
            for size in options.sizes:
                with provisioned(backend, options.postgres_url) as url:
                    found = run_chain(url, size, progress)
                stored, content = found["cfp_stored"], found["content"]
                ratio = content[0] / stored[0]  # type: ignore[index]
                table.add_row(
                    f"{size:,}", backend, _figure(stored), _figure(content),
                    f"{ratio:.2f}x ({'met' if ratio <= 2 else 'MISSED'})",
                    _figure(found["cfp_walk"]), _figure(found["content_walk"]),
                    f"{found['share']} %",
                )  # fmt: skip
            with provisioned(backend, options.postgres_url) as url:
                seconds, balanced, steps = run_custody(url, options.events)
            custody_table.add_row(
                backend, f"{steps:,}", f"{seconds:.3f}", str(balanced),
                "met" if seconds <= 2 else "MISSED",
            )  # fmt: skip
    console.print(table)
    console.print(custody_table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
