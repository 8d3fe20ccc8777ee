"""Footprint roll-up benchmark: load a synthetic battery supply chain from SQLite and
PostgreSQL, roll it up in memory, and solve the same system with Brightway's bw2calc.

    .venv/bin/python benchmarks/rollup.py                          # 10k, 100k, 1M parts
    .venv/bin/python benchmarks/rollup.py --quick                  # 10k only
    .venv/bin/python benchmarks/rollup.py --sizes 100000 --backends postgresql

The chain (`make_chain`): 20 tiers, 200 companies (the OEM alone on tier 0, 199 suppliers
spread over tiers 1-19), parts split evenly over the tiers. In each company a quarter of
the parts are products (parents with a CFP set), the rest leaves: in-house terminated parts
with a CFP set and, above the last tier, bought-in parts whose request is answered by a
product of the next tier (several customers share each supplier product, and each product
shares leaves with others: the graph is a DAG, not a tree). The OEM's root product holds all
its other products.

Columns, per size:

* load SQLite / PostgreSQL: `footprint.graph.load_graph` of the OEM's root from a database
  holding the chain: the OEM's own parts, and at each bought-in part the total its supplier
  disclosed, read from the supplier part's stored total (`traceability.totals`) instead of
  walking the supplier's upstream. Rows are bulk-inserted first (not timed); the graph's
  roll-up, which checks the totals, runs after the timed part (its memory is counted).
* roll-up: `roll_up` on the whole chain as one in-memory graph of N parts in columns
  (`footprint.columns.GraphColumns`, the form the float engine works on; a bought-in part is
  a parent of its supplier's product, amount 1, own values 0, which gives the same totals as
  the disclosed answer): every figure of the `Footprint` per stage (totals, own, components,
  known, primary / secondary / assumed, DQR, the count of contributions and unknown parts).
  `+ list` also builds every `Contribution` object (what a full report pays for).
  `from objects` is the same roll-up from the object graph (`PartNode`s), conversion to
  columns included (what `roll_up(graph)` costs on a graph it has not converted yet).
* bw2calc: the same graph as a Brightway technosphere (one activity per part, its children
  as inputs) and two biosphere flows (pre / main stage emissions): `LCA(...).lci(); lcia()`
  from in-memory bw_processing datapackages.

A second table shows what keeping the stored totals costs writers, per backend: `insert`
(the bulk insert of every row, the database triggers included), `store totals` (settling
that insert: every part's total computed and stored, once), `change tier 1` / `tier 19`
(a transaction that changes one CFP value of a leaf on that tier and commits: its
settlement recomputes the affected totals inline, or past the budget of 5,000 drops them),
`refill` (storing the dropped totals again, as the server does in the background), and
`walk` (the load above ignoring stored totals, as the loader worked before them; only up
to --walk-max parts).

Memory is the peak growth of the resident set size during the step (each step runs in a
forked child with its peak reset via /proc/self/clear_refs), in MB.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import multiprocessing
import os
import random
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import numpy as np
from _common import DEFAULT_POSTGRES_ADMIN_URL, postgres_database, sqlite_database
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import insert, update

from battrace.footprint.columns import GraphColumns
from battrace.footprint.graph import Edge, FootprintGraph, PartNode, StageValues
from battrace.footprint.graph import load_graph as load_footprint_graph
from battrace.footprint.plan import Kind
from battrace.footprint.rollup import roll_up
from battrace.identity.models import Operator, Plant
from battrace.migrations import upgrade
from battrace.store import Database
from battrace.traceability import totals
from battrace.traceability.combine import RatedEmission
from battrace.traceability.models import (
    AmountUnit,
    CfpResponseStatus,
    CfpType,
    CfpValue,
    Part,
    PartEdge,
    Trade,
    TradeTreeStatus,
)
from battrace.traceability.stages import Dqr, Stage

TIERS = 20
COMPANIES = 200
PRODUCT_SHARE = 0.25
BOUGHT_SHARE = 0.45  # of a company's parts, above the last tier
UNIT = "kgCO2e/kilogram"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_DB_MAX = 100_000
DEFAULT_WALK_MAX = 100_000
CHUNK = 5_000

console = Console(width=None if sys.stdout.isatty() else 170)


# ------------------------------------------------------------------------------- chain


@dataclass
class Chain:
    """The synthetic chain as flat lists; part i is owned by company `owner[i]`."""

    owner: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # product | terminated | bought
    parent: list[int] = field(default_factory=list)  # structure edges (same company)
    child: list[int] = field(default_factory=list)
    amount: list[Decimal] = field(default_factory=list)
    link: dict[int, int] = field(default_factory=dict)  # bought part -> supplier product
    values: dict[int, tuple[Decimal, Decimal, Dqr, Dqr]] = field(default_factory=dict)
    root: int = 0

    @property
    def size(self) -> int:
        return len(self.owner)


def tier_of(company: int) -> int:
    return 0 if company == 0 else 1 + (company - 1) % (TIERS - 1)


def make_chain(size: int, seed: int = 7) -> Chain:
    """`size` parts over 20 tiers and 200 companies, every part reachable from the root."""
    rng = random.Random(seed)
    chain = Chain()
    per_tier = [size // TIERS] * TIERS
    per_tier[0] += size - sum(per_tier)
    companies = [[c for c in range(COMPANIES) if tier_of(c) == t] for t in range(TIERS)]
    products: list[list[int]] = [[] for _ in range(TIERS)]
    bought: list[list[int]] = [[] for _ in range(TIERS)]
    dqrs = [
        Dqr(Decimal(a), Decimal(b), Decimal(c)) for a in (1, 2, 3) for b in (1, 2) for c in (2, 3)
    ]
    for tier in range(TIERS):
        owners = companies[tier]
        for position, company in enumerate(owners):
            count = per_tier[tier] // len(owners) + (position < per_tier[tier] % len(owners))
            n_products = max(1, int(count * PRODUCT_SHARE))
            n_bought = int(count * BOUGHT_SHARE) if tier < TIERS - 1 else 0
            first = chain.size
            for index in range(count):
                kind = (
                    "product"
                    if index < n_products
                    else "bought"
                    if index < n_products + n_bought
                    else "terminated"
                )
                chain.owner.append(company)
                chain.kind.append(kind)
                if kind != "bought":
                    chain.values[first + index] = (
                        Decimal(rng.randint(10, 500)) / 100,
                        Decimal(rng.randint(100, 2000)) / 100,
                        rng.choice(dqrs),
                        rng.choice(dqrs),
                    )
            own_products = list(range(first, first + n_products))
            leaves = list(range(first + n_products, first + count))
            bought[tier].extend(range(first + n_products, first + n_products + n_bought))
            products[tier].extend(own_products)
            children: dict[int, set[int]] = {p: set() for p in own_products}
            for at, leaf in enumerate(leaves):  # every leaf in one product, some in two
                children[own_products[at % n_products]].add(leaf)
                if rng.random() < 0.3:
                    children[rng.choice(own_products)].add(leaf)
            if company == 0:
                chain.root = own_products[0]
                children[chain.root].update(own_products[1:])
            for product in own_products:
                for leaf in sorted(children[product]):
                    chain.parent.append(product)
                    chain.child.append(leaf)
                    chain.amount.append(Decimal(rng.randint(5, 100)) / 100)
    for tier in range(TIERS - 1):  # each supplier product answers one or more requests
        below = products[tier + 1][:]
        rng.shuffle(below)
        for at, part in enumerate(bought[tier]):
            chain.link[part] = below[at % len(below)]
    return chain


# --------------------------------------------------------------------- in-memory graph


def _own(values: tuple[Decimal, Decimal, Dqr, Dqr] | None) -> MappingProxyType[Stage, StageValues]:
    zero = Decimal(0)
    if values is None:  # a bought-in part seen through: its own values are 0
        nothing = Dqr.empty()
        return MappingProxyType(
            {
                stage: StageValues(RatedEmission(zero, nothing), RatedEmission(zero, nothing))
                for stage in Stage
            }
        )
    pre, main, pre_dqr, main_dqr = values
    return MappingProxyType(
        {
            Stage.PRE: StageValues(RatedEmission(pre, pre_dqr), RatedEmission(zero, pre_dqr)),
            Stage.MAIN: StageValues(RatedEmission(main, main_dqr), RatedEmission(zero, main_dqr)),
        }
    )


def chain_graph(chain: Chain, ids: list[uuid.UUID], operators: list[uuid.UUID]) -> FootprintGraph:
    """The whole chain as one graph of N parts (bought-in parts see through to the supplier)."""
    edges: dict[int, list[Edge]] = {}
    for up, down, amount in zip(chain.parent, chain.child, chain.amount, strict=True):
        edges.setdefault(up, []).append(Edge(ids[down], amount))
    for part, product in chain.link.items():
        edges[part] = [Edge(ids[product], Decimal(1))]
    nodes = []
    for at in range(chain.size):
        kind = chain.kind[at]
        nodes.append(
            PartNode(
                trace_id=ids[at],
                operator_id=operators[chain.owner[at]],
                parts_name=f"part-{at}",
                support_parts_name=None,
                amount_required_unit="kilogram",
                terminated=kind == "terminated",
                is_parent=kind != "terminated",
                declared_unit=UNIT,
                own=_own(chain.values.get(at)),
                children=tuple(edges.get(at, ())),
            )
        )
    return FootprintGraph.build(viewer=operators[0], roots=[ids[chain.root]], nodes=nodes)


def chain_columns(chain: Chain, ids: list[uuid.UUID], operators: list[uuid.UUID]) -> GraphColumns:
    """The same graph as `chain_graph`, built straight into columns (no object per part)."""
    size = chain.size
    kind = np.where(
        np.asarray([k == "terminated" for k in chain.kind]), Kind.OWN, Kind.PARENT
    ).astype(np.int8)
    parent = np.asarray(chain.parent + list(chain.link), dtype=np.intp)
    child = np.asarray(chain.child + list(chain.link.values()), dtype=np.intp)
    amount = np.asarray([float(a) for a in chain.amount] + [1.0] * len(chain.link))
    order = np.argsort(parent, kind="stable")
    value = np.zeros((2, 2, size))
    dqr = np.full((2, 2, 3, size), np.nan)
    valued = np.asarray(list(chain.values), dtype=np.intp)
    rows = list(chain.values.values())
    for s, (at_value, at_dqr) in enumerate(((0, 2), (1, 3))):
        value[s, 0, valued] = [float(row[at_value]) for row in rows]
        ratings = np.asarray(
            [[float(r[at_dqr].ter or 0), float(r[at_dqr].ger or 0), float(r[at_dqr].tir or 0)]
             for r in rows]
        ).T  # fmt: skip
        dqr[s, 0][:, valued] = ratings
        dqr[s, 1][:, valued] = ratings
    units = [None, "kilogram", UNIT]
    return GraphColumns(
        viewer=operators[0],
        trace_ids=ids,
        names=[f"part-{at}" for at in range(size)],
        operators=[None, *operators],
        units=units,
        kind=kind,
        owner=np.asarray(chain.owner, dtype=np.intp) + 1,
        supplier=np.zeros(size, dtype=np.intp),
        amount_unit=np.full(size, units.index("kilogram"), dtype=np.intp),
        declared_unit=np.full(size, units.index(UNIT), dtype=np.intp),
        answer_unit=np.zeros(size, dtype=np.intp),
        has_own=np.ones(size, dtype=np.bool_),
        released=np.zeros(size, dtype=np.bool_),
        value=value,
        dqr=dqr,
        indptr=np.searchsorted(parent[order], np.arange(size + 1)).astype(np.intp),
        child=child[order],
        amount=amount[order],
    )


# ----------------------------------------------------------------------------- bw2calc


def bw2calc_solve(chain: Chain) -> tuple[float, dict[Stage, float]]:
    """The chain as a Brightway system; returns (seconds, the root's total per stage)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc  # type: ignore[import-untyped]  # noqa: PLC0415 (benchmark-only)
        import bw_processing as bwp  # type: ignore[import-untyped]  # noqa: PLC0415

    size = chain.size
    base = 1_000  # activity ids; biosphere flows are 1 and 2
    production = np.arange(size, dtype=np.int64) + base
    parents = np.asarray(chain.parent + list(chain.link), dtype=np.int64) + base
    children = np.asarray(chain.child + list(chain.link.values()), dtype=np.int64) + base
    amounts = np.asarray([float(a) for a in chain.amount] + [1.0] * len(chain.link))
    technosphere_indices = np.empty(size + parents.size, dtype=bwp.INDICES_DTYPE)
    technosphere_indices["row"] = np.concatenate([production, children])
    technosphere_indices["col"] = np.concatenate([production, parents])
    technosphere_data = np.concatenate([np.ones(size), amounts])
    flip = np.concatenate([np.zeros(size, dtype=bool), np.ones(parents.size, dtype=bool)])
    owners = np.asarray(sorted(chain.values), dtype=np.int64)
    picked = [chain.values[i] for i in owners.tolist()]
    biosphere_indices = np.empty(2 * owners.size, dtype=bwp.INDICES_DTYPE)
    biosphere_indices["row"] = np.concatenate([np.full(owners.size, 1), np.full(owners.size, 2)])
    biosphere_indices["col"] = np.concatenate([owners + base, owners + base])
    biosphere_data = np.asarray([float(v[0]) for v in picked] + [float(v[1]) for v in picked])
    package = bwp.create_datapackage()
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        indices_array=technosphere_indices,
        data_array=technosphere_data,
        flip_array=flip,
        name="technosphere",
    )
    package.add_persistent_vector(
        matrix="biosphere_matrix",
        indices_array=biosphere_indices,
        data_array=biosphere_data,
        name="biosphere",
    )
    characterization = np.empty(2, dtype=bwp.INDICES_DTYPE)
    characterization["row"] = [1, 2]
    characterization["col"] = [0, 0]
    package.add_persistent_vector(
        matrix="characterization_matrix",
        indices_array=characterization,
        data_array=np.ones(2),
        name="gwp",
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({int(chain.root) + base: 1.0}, data_objs=[package])
        lca.lci()
        lca.lcia()
    seconds = time.perf_counter() - started
    per_flow = np.asarray(lca.inventory.sum(axis=1)).ravel()
    flows = lca.dicts.biosphere
    return seconds, {Stage.PRE: float(per_flow[flows[1]]), Stage.MAIN: float(per_flow[flows[2]])}


# ---------------------------------------------------------------------------- database


def chain_ids(
    chain: Chain, seed: int = 11
) -> tuple[list[uuid.UUID], list[uuid.UUID], list[uuid.UUID]]:
    rng = random.Random(seed)

    def new() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    return (
        [new() for _ in range(chain.size)],
        [new() for _ in range(COMPANIES)],
        [new() for _ in range(COMPANIES)],
    )


def chain_rows(
    chain: Chain, ids: list[uuid.UUID], operators: list[uuid.UUID], plants: list[uuid.UUID]
) -> dict[type[Any], list[dict[str, Any]]]:
    """The rows the services would have written (structures, CFP sets, answered requests).

    Left out because the roll-up never reads them: accounts, notifications, audit events;
    trade counters are 1/1 (what a request answered by a part with no requests upstream of
    its own would show), not the counts of the whole tree.
    """
    now = datetime.now(UTC)
    rows: dict[type[Any], list[dict[str, Any]]] = {}
    rows[Operator] = [
        {"id": operators[c], "name": f"company-{c:03d}", "address": "xx県xx市",
         "open_operator_id": f"{c:013d}", "global_operator_id": None,
         "created_at": now, "updated_at": now}
        for c in range(COMPANIES)
    ]  # fmt: skip
    rows[Plant] = [
        {"operator_id": operators[c], "id": plants[c], "name": f"plant-{c:03d}",
         "address": "xx県xx市", "open_plant_id": f"{c:013d}012345", "global_plant_id": None,
         "created_at": now, "updated_at": now}
        for c in range(COMPANIES)
    ]  # fmt: skip
    rows[Part] = [
        {"operator_id": operators[chain.owner[at]], "trace_id": ids[at],
         "plant_id": plants[chain.owner[at]], "parts_name": f"part-{at}",
         "support_parts_name": None, "terminated_flag": chain.kind[at] == "terminated",
         "amount_required_unit": AmountUnit.KILOGRAM, "parts_label_name": None,
         "parts_add_info1": None, "parts_add_info2": None, "parts_add_info3": None,
         "is_parent": chain.kind[at] == "product", "created_at": now, "updated_at": now}
        for at in range(chain.size)
    ]  # fmt: skip
    rows[PartEdge] = [
        {"operator_id": operators[chain.owner[up]], "parent_trace_id": ids[up],
         "child_trace_id": ids[down], "amount_required": amount}
        for up, down, amount in zip(chain.parent, chain.child, chain.amount, strict=True)
    ]  # fmt: skip
    cfp = []
    for at, (pre, main, pre_dqr, main_dqr) in chain.values.items():
        cfp_id = uuid.UUID(int=ids[at].int ^ 1)
        for cfp_type, value, dqr, dqr_type in (
            (CfpType.PRE_PRODUCTION, pre, pre_dqr, "preProcessing"),
            (CfpType.PRE_COMPONENT, Decimal(0), pre_dqr, "preProcessing"),
            (CfpType.MAIN_PRODUCTION, main, main_dqr, "mainProcessing"),
            (CfpType.MAIN_COMPONENT, Decimal(0), main_dqr, "mainProcessing"),
        ):
            cfp.append(
                {"operator_id": operators[chain.owner[at]], "trace_id": ids[at],
                 "cfp_type": cfp_type, "cfp_id": cfp_id, "ghg_emission": value,
                 "ghg_declared_unit": UNIT, "dqr_type": dqr_type, "ter": dqr.ter,
                 "ger": dqr.ger, "tir": dqr.tir, "updated_at": now}
            )  # fmt: skip
    rows[CfpValue] = cfp
    rows[Trade] = [
        {"id": uuid.UUID(int=ids[part].int ^ 2), "status_id": uuid.UUID(int=ids[part].int ^ 3),
         "downstream_operator_id": operators[chain.owner[part]],
         "upstream_operator_id": operators[chain.owner[product]],
         "downstream_trace_id": ids[part], "upstream_trace_id": ids[product],
         "request_type": "CFP", "message": None, "reply_message": None,
         "response_due_date": None, "cfp_response_status": CfpResponseStatus.COMPLETED,
         "trade_tree_status": TradeTreeStatus.TERMINATED, "completed_count": 1,
         "completed_count_modified_at": now, "trades_count": 1,
         "trades_count_modified_at": now, "created_at": now, "updated_at": now}
        for part, product in chain.link.items()
    ]  # fmt: skip
    return rows


@dataclass(frozen=True)
class Written:
    insert_seconds: float
    store_seconds: float
    stored: int


def insert_rows(
    database: Database, rows: dict[type[Any], list[dict[str, Any]]], progress: Progress, label: str
) -> Written:
    """Bulk-insert the rows in one transaction, then settle it (store every part's total)."""
    total = sum(len(batch) for batch in rows.values())
    task = progress.add_task(label, total=total)
    with database.transaction() as session:
        started = time.perf_counter()
        for model, batch in rows.items():
            for start in range(0, len(batch), CHUNK):
                session.execute(insert(model), batch[start : start + CHUNK])
                progress.advance(task, len(batch[start : start + CHUNK]))
        inserted = time.perf_counter()
        progress.update(task, description=f"{label}: storing totals")
        stored = totals.settle(
            session, budget=total, disclose_by_default=True
        ).stored  # a bulk load: every total inline
        settled = time.perf_counter()
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    progress.remove_task(task)
    return Written(inserted - started, settled - inserted, stored)


@dataclass(frozen=True)
class Changed:
    tier: int
    seconds: float  # the transaction: the change, its settlement, the commit
    settlement: totals.Settlement
    refill_seconds: float  # storing the dropped totals again (0 if none was dropped)
    refilled: int


def change_one(database: Database, chain: Chain, ids: list[uuid.UUID], tier: int) -> Changed:
    """Change one CFP value of a leaf on `tier` and commit (default settlement budget), then
    refill what the settlement dropped, if anything."""
    leaf = next(
        at
        for at in range(chain.size - 1, -1, -1)
        if chain.kind[at] == "terminated" and tier_of(chain.owner[at]) == tier
    )
    started = time.perf_counter()
    with database.transaction() as session:
        session.execute(
            update(CfpValue)
            .where(CfpValue.trace_id == ids[leaf], CfpValue.cfp_type == CfpType.MAIN_PRODUCTION)
            .values(ghg_emission=CfpValue.ghg_emission + Decimal("0.5"))
        )
        settlement = totals.settle(session, disclose_by_default=True)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    refilled = 0
    while True:
        with database.transaction() as session:
            stored = totals.refill(session, disclose_by_default=True)
        if not stored:
            break
        refilled += stored
    return Changed(tier, seconds, settlement, time.perf_counter() - started, refilled)


@contextlib.contextmanager
def provisioned(backend: str, postgres_url: str) -> Iterator[str]:
    with sqlite_database() if backend == "sqlite" else postgres_database(postgres_url) as url:
        yield url


# ------------------------------------------------------------------------- measurement


@dataclass(frozen=True)
class Timed:
    """A step's result with the seconds of the part of it that is measured."""

    seconds: float
    value: Any


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float | None
    value: Any


def _rss_kb(field_name: str) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        for line in open("/proc/self/status").read().splitlines():  # noqa: SIM115, PTH123
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return None


def _child(step: Callable[[], Any], connection: Any) -> None:
    # The heap inherited from the benchmark (the chain: millions of objects) is frozen, so
    # the collector does not walk it during the step; a server process does not hold it.
    gc.freeze()
    try:
        with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:  # noqa: PTH123
            handle.write("5")  # reset the peak RSS to the current RSS
        before = _rss_kb("VmRSS")
        started = time.perf_counter()
        value = step()
        seconds = time.perf_counter() - started
        if isinstance(value, Timed):  # the step timed its own part
            seconds, value = value.seconds, value.value
        peak = _rss_kb("VmHWM")
        growth = None if before is None or peak is None else (peak - before) / 1024
        connection.send(("ok", seconds, growth, value))
    except BaseException as exc:
        connection.send(("error", 0.0, None, f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def measure(step: Callable[[], Any]) -> Measured:
    """Run `step` in a forked child: its wall time, peak RSS growth (MB) and small result."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(step, send))
    process.start()
    send.close()
    status, seconds, peak, value = receive.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(value)
    return Measured(seconds, peak, value)


def stage_totals(footprint: Any) -> dict[Stage, float]:
    return {stage: float(footprint.stages[stage].total) for stage in Stage}


# ------------------------------------------------------------------------------ runner


@dataclass
class Row:
    size: int
    edges: int = 0
    loads: dict[str, Measured | str] = field(default_factory=dict)
    walks: dict[str, Measured | str] = field(default_factory=dict)
    writes: dict[str, Written] = field(default_factory=dict)
    changes: dict[str, list[Changed]] = field(default_factory=dict)
    rollup: Measured | None = None
    listed: Measured | None = None
    objects: Measured | None = None
    bw: tuple[float, dict[Stage, float]] | None = None
    bw_error: str | None = None
    reference: dict[Stage, float] = field(default_factory=dict)


def run_database(
    row: Row, backend: str, url: str, chain: Chain, options: argparse.Namespace,
    progress: Progress,
) -> None:  # fmt: skip
    """Insert the chain into one database, then time loads and one change."""
    ids, operators, plants = chain_ids(chain)
    root_id = ids[chain.root]
    database = Database(url)
    try:
        upgrade(database.engine)
        row.writes[backend] = insert_rows(
            database, chain_rows(chain, ids, operators, plants), progress, f"  insert {backend}"
        )

        def load(walk: bool = False) -> Timed:
            with database.transaction(write=False) as session:
                started = time.perf_counter()
                graph = load_footprint_graph(
                    session,
                    viewer=operators[0],
                    roots=[root_id],
                    stored=False if walk else None,
                    disclose_by_default=True,
                )
                seconds = time.perf_counter() - started
            return Timed(seconds, stage_totals(roll_up(graph, root_id)))

        database.engine.dispose()  # the forked steps open their own connections
        row.loads[backend] = measure(load)
        if chain.size <= options.walk_max:
            row.walks[backend] = measure(functools.partial(load, walk=True))
        else:
            row.walks[backend] = f"skipped (> --walk-max {options.walk_max:,})"
        row.changes[backend] = [change_one(database, chain, ids, tier) for tier in (1, TIERS - 1)]
    finally:
        database.dispose()


def run_size(size: int, options: argparse.Namespace, progress: Progress) -> Row:
    row = Row(size)
    task = progress.add_task(f"{size:>9,} parts", total=6)
    chain = make_chain(size)
    ids, operators, _ = chain_ids(chain)
    progress.advance(task)
    root_id = ids[chain.root]
    for backend in options.backends:
        if size > options.db_max:
            row.loads[backend] = f"skipped (> --db-max {options.db_max:,})"
            continue
        with provisioned(backend, options.postgres_url) as url:
            run_database(row, backend, url, chain, options, progress)
    progress.advance(task, 2)
    columns = chain_columns(chain, ids, operators)
    columns.index  # noqa: B018 (the trace id index is part of the graph, built with it)
    row.edges = int(columns.child.size)

    def rolled(columns: GraphColumns = columns) -> dict[Stage, float]:
        return stage_totals(roll_up(columns, root_id))

    def listed(columns: GraphColumns = columns) -> dict[Stage, float]:
        footprint = roll_up(columns, root_id)
        for stage in footprint.stages.values():
            list(stage.contributions)
        return stage_totals(footprint)

    row.rollup = measure(rolled)
    row.listed = measure(listed)
    del columns
    progress.advance(task)
    graph = chain_graph(chain, ids, operators)

    def objects(graph: FootprintGraph = graph) -> dict[Stage, float]:
        return stage_totals(roll_up(graph, root_id, engine="float"))

    row.objects = measure(objects)
    del graph
    progress.advance(task)
    if not options.no_bw2calc:
        try:
            row.bw = bw2calc_solve(chain)
        except Exception as exc:
            row.bw_error = f"{type(exc).__name__}: {exc}"
    else:
        row.bw_error = "skipped (--no-bw2calc)"
    progress.advance(task)
    return row


def _cell(measured: Measured | str | None) -> str:
    if measured is None:
        return "-"
    if isinstance(measured, str):
        return measured
    memory = "?" if measured.peak_mb is None else f"{measured.peak_mb:,.0f}"
    return f"{measured.seconds:,.3f} s / {memory} MB"


def report(rows: Sequence[Row], backends: Sequence[str]) -> None:
    table = Table(title="Footprint roll-up (time / peak RSS growth)")
    for column in ("parts", "edges", *(f"load {b}" for b in backends), "roll-up",
                   "+ list", "from objects", "bw2calc s", "bw2calc / roll-up",
                   "agree (max |diff|)"):  # fmt: skip
        table.add_column(column, justify="right")
    for row in rows:
        totals: list[dict[Stage, float]] = []
        for measured in (*row.loads.values(), *row.walks.values(), row.rollup, row.listed,
                         row.objects):  # fmt: skip
            if isinstance(measured, Measured):
                totals.append(measured.value)
        if row.bw is not None:
            totals.append(row.bw[1])
        diff = max(
            (abs(t[stage] - totals[0][stage]) for t in totals for stage in Stage), default=0.0
        )
        scale = max(abs(v) for v in totals[0].values()) if totals else 1.0
        agree = "yes" if diff <= max(1e-5, 1e-9 * scale) else "NO"
        bw_s = row.bw[0] if row.bw else None
        ratio = f"{bw_s / row.rollup.seconds:,.0f}x" if bw_s and row.rollup else "-"
        table.add_row(
            f"{row.size:,}",
            f"{row.edges:,}",
            *(_cell(row.loads.get(b)) for b in backends),
            _cell(row.rollup),
            _cell(row.listed),
            _cell(row.objects),
            f"{bw_s:.3f}" if bw_s is not None else (row.bw_error or "-"),
            ratio,
            f"{agree} ({diff:.2e})",
        )
    console.print(table)
    writes = Table(title="Keeping the stored totals (time; how many totals)")
    for column in ("parts", "backend", "insert", "store totals", "change tier 1",
                   "change tier 19", "refill", "walk (no stored)"):  # fmt: skip
        writes.add_column(column, justify="right")

    def change(changed: Changed) -> str:
        settled = changed.settlement
        what = f"{settled.stored:,} stored" if settled.stored else f"{settled.dropped:,} dropped"
        return f"{changed.seconds:,.3f} s ({what})"

    for row in rows:
        for backend, written in row.writes.items():
            shallow, deep = row.changes[backend]
            writes.add_row(
                f"{row.size:,}",
                backend,
                f"{written.insert_seconds:,.1f} s",
                f"{written.store_seconds:,.1f} s ({written.stored:,})",
                change(shallow),
                change(deep),
                f"{deep.refill_seconds + shallow.refill_seconds:,.1f} s "
                f"({deep.refilled + shallow.refilled:,})",
                _cell(row.walks.get(backend)),
            )
    if writes.rows:
        console.print(writes)
    for row in rows:
        if row.rollup is not None:
            values = ", ".join(f"{s.value} {v:,.5f}" for s, v in row.rollup.value.items())
            console.print(f"  {row.size:,} parts: root total per unit (roll-up) {values}")
        if row.bw is not None:
            values = ", ".join(f"{s.value} {v:,.5f}" for s, v in row.bw[1].items())
            console.print(f"  {row.size:,} parts: root total per unit (bw2calc) {values}")
    met = [
        row.rollup.seconds <= 1.0 and (row.bw is None or row.rollup.seconds <= row.bw[0])
        for row in rows
        if row.size >= 1_000_000 and row.rollup is not None
    ]
    loads = [
        measured.seconds <= 10.0
        for row in rows
        if row.size >= 1_000_000 and isinstance(measured := row.loads.get("postgresql"), Measured)
    ]
    console.print(
        "Targets: roll-up of 1,000,000 parts <= 1 s and <= bw2calc; load from PostgreSQL "
        "<= 10 s."
        + (f" Roll-up target {'met' if all(met) else 'NOT met'}." if met else "")
        + (f" Load target {'met' if all(loads) else 'NOT met'}." if loads else "")
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--quick", action="store_true", help="10,000 parts only")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--db-max",
        type=int,
        default=DEFAULT_DB_MAX,
        help="largest size loaded from the databases (default 100,000)",
    )
    parser.add_argument(
        "--no-bw2calc", action="store_true", help="skip bw2calc (515 s at 1,000,000 parts)"
    )
    parser.add_argument(
        "--walk-max",
        type=int,
        default=DEFAULT_WALK_MAX,
        help="largest size also loaded walking every supplier (default 100,000)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BATTRACE_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL),
    )
    options = parser.parse_args(argv)
    options.sizes = [10_000] if options.quick else [int(s) for s in options.sizes.split(",")]
    options.backends = [b for b in options.backends.split(",") if b]
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    rows = []
    with Progress(*columns, console=console, transient=True) as progress:
        for size in options.sizes:
            rows.append(run_size(size, options, progress))
            console.print(f"done: {size:,} parts")
    report(rows, options.backends)
    return 0


if __name__ == "__main__":
    sys.exit(main())
