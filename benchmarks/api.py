"""Contract API benchmark: requests per second and latency of three `/api/v1/datatransport`
calls against a real `battrace serve` process, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/api.py                 # full run (a few minutes)
    .venv/bin/python benchmarks/api.py --quick         # smoke run with small counts
    .venv/bin/python benchmarks/api.py --backends postgresql --workers 2 --json out.json

The data set (10,000 parts, 1,000 trades by default) is loaded once per backend, straight
into the tables, shaped exactly as the services would have left it (see `build_dataset`).
Then, for each worker count, a server is started and each call is measured at each client
count: closed loop, HTTP/1.1 keep-alive, one connection per client, after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from _common import (
    DEFAULT_POSTGRES_ADMIN_URL,
    LOADERS,
    Client,
    Measurement,
    Outcome,
    Server,
    Step,
    battrace_server,
    closed_loop,
    expect,
    machine_busy,
    postgres_database,
    sqlite_database,
)
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import delete, func, insert, select

from battrace.audit.models import AuditEvent
from battrace.cli.seeds import APPLICATION_KEY, TUTORIAL_COMPANIES, seed_ouranos_tutorial
from battrace.identity import plants
from battrace.migrations import upgrade
from battrace.store import Database
from battrace.traceability import rollup, tree_progress
from battrace.traceability.models import (
    AmountUnit,
    CfpResponseStatus,
    CfpType,
    CfpValue,
    Notification,
    NotificationType,
    Part,
    PartEdge,
    Trade,
    TradeTreeStatus,
)

DT = "/api/v1/datatransport"
OEM, SUPPLIER = TUTORIAL_COMPANIES  # A社 (customer) and B社 (supplier)
TARGET_RPS = 1000.0
TARGET_P99_MS = 50.0
TARGET_CLIENTS = 16
WARMUP_CLIENTS = 16
FIRST_PASS_TIMEOUT = 600.0  # seconds; a first pass ends when its clients have asked for all
TRACE_IDS_PER_CFP_GET = 20
B_CHILDREN = 4  # terminated parts in each supplier product
A_CHILDREN = 7  # children of each OEM product: 2 bought from B, 5 made in-house
A_BOUGHT = 2
UNLINKED_EVERY = 10  # every 10th request is still open: the supplier has not linked a part

# Wide enough for the figures table when the output is not a terminal (make, CI, a file).
console = Console(width=None if sys.stdout.isatty() else 160)


# ------------------------------------------------------------------------------ data set


@dataclass(frozen=True)
class Sizes:
    """How many parts and trades to load; the shape of the supply chain follows from them.

    B has one product per trade (a structure of 1 + 4 terminated parts, all with CFP); A has
    one product per two trades (1 + 7 parts: 2 bought from B, 5 in-house terminated parts
    with CFP); the remaining A parts are stand-alone parts without CFP, which the PUT cfp
    scenario fills in (create) and changes (update).
    """

    parts: int
    trades: int

    @property
    def a_products(self) -> int:
        return self.trades // A_BOUGHT

    @property
    def spare_parts(self) -> int:
        return self.parts - self.trades * (1 + B_CHILDREN) - self.a_products * (1 + A_CHILDREN)

    def check(self) -> None:
        if self.trades < 2 or self.trades % A_BOUGHT or self.spare_parts < 10:
            minimum = self.trades * (1 + B_CHILDREN) + self.a_products * (1 + A_CHILDREN) + 10
            msg = f"need an even --trades and at least {minimum} parts for {self.trades} trades"
            raise SystemExit(msg)


@dataclass
class Dataset:
    """The rows to insert, and the ids the scenarios use."""

    rows: dict[type[Any], list[dict[str, Any]]] = field(default_factory=dict)
    a_products: list[uuid.UUID] = field(default_factory=list)
    spare_parts: list[uuid.UUID] = field(default_factory=list)
    b_products: list[uuid.UUID] = field(default_factory=list)
    linked_product: uuid.UUID | None = None  # an A product whose two requests are answered

    def add(self, model: type[Any], row: dict[str, Any]) -> None:
        self.rows.setdefault(model, []).append(row)


class Clock:
    """Timestamps one second apart, in the order the calls would have happened."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _digest(change: dict[str, Any]) -> str:
    canonical = json.dumps(change, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Builder:
    """Makes the rows the services would write for each call of the story."""

    def __init__(self, seed: int, plant_of: dict[uuid.UUID, uuid.UUID]) -> None:
        self.rng = random.Random(seed)
        self.clock = Clock(datetime.now(UTC) - timedelta(days=30))
        self.plant_of = plant_of
        self.data = Dataset()

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def audit(
        self,
        actor: uuid.UUID,
        action: str,
        target_type: str,
        target: object,
        change: dict[str, Any],
    ) -> None:
        self.data.add(
            AuditEvent,
            {
                "id": self.new_id(),
                "occurred_at": self.clock.now,
                "actor_operator_id": actor,
                "actor_account_id": None,
                "action": action,
                "target_type": target_type,
                "target_id": str(target),
                "digest": _digest(change),
            },
        )

    def part(
        self, operator: uuid.UUID, name: str, support: str, *, terminated: bool, is_parent: bool
    ) -> uuid.UUID:
        trace_id = self.new_id()
        now = self.clock.now
        self.data.add(
            Part,
            {
                "operator_id": operator,
                "trace_id": trace_id,
                "plant_id": self.plant_of[operator],
                "parts_name": name,
                "support_parts_name": support,
                "terminated_flag": terminated,
                "amount_required_unit": AmountUnit.KILOGRAM,
                "parts_label_name": name[-20:],
                "parts_add_info1": "Ver1.0",
                "parts_add_info2": None,
                "parts_add_info3": None,
                "is_parent": is_parent,
                "created_at": now,
                "updated_at": now,
            },
        )
        return trace_id

    def structure(
        self, operator: uuid.UUID, name: str, children: list[tuple[str, bool]]
    ) -> tuple[uuid.UUID, list[uuid.UUID]]:
        """PUT partsStructure: a parent and its children, created in one call."""
        self.clock.tick()
        parent = self.part(operator, name, "model-" + name[-5:], terminated=False, is_parent=True)
        child_ids = []
        amounts: dict[str, str] = {}
        for index, (child_name, terminated) in enumerate(children):
            child = self.part(
                operator, child_name, f"spec-{index}", terminated=terminated, is_parent=False
            )
            amount = Decimal(self.rng.randint(1, 2000)) / 100
            self.data.add(
                PartEdge,
                {
                    "operator_id": operator,
                    "parent_trace_id": parent,
                    "child_trace_id": child,
                    "amount_required": amount,
                },
            )
            child_ids.append(child)
            amounts[str(child)] = str(amount)
        self.audit(
            operator, "structure:save", "part", parent, {"parent": str(parent), "children": amounts}
        )
        return parent, child_ids

    def cfp(self, operator: uuid.UUID, trace_id: uuid.UUID) -> None:
        """PUT cfp (create) on a part with no open request linked to it."""
        self.clock.tick()
        cfp_id = self.new_id()
        pre_dqr = (Decimal(self.rng.randint(1, 3)), Decimal(self.rng.randint(1, 3)), Decimal(2))
        main_dqr = (Decimal(self.rng.randint(1, 3)), Decimal(self.rng.randint(1, 3)), Decimal(3))
        values = {
            CfpType.PRE_PRODUCTION: (Decimal(self.rng.randint(10, 500)) / 100, pre_dqr),
            CfpType.MAIN_PRODUCTION: (Decimal(self.rng.randint(100, 2000)) / 100, main_dqr),
            CfpType.PRE_COMPONENT: (Decimal(0), pre_dqr),
            CfpType.MAIN_COMPONENT: (Decimal(0), main_dqr),
        }
        for cfp_type, (emission, dqr) in values.items():
            stage = "pre" if cfp_type in (CfpType.PRE_PRODUCTION, CfpType.PRE_COMPONENT) else "main"
            self.data.add(
                CfpValue,
                {
                    "operator_id": operator,
                    "trace_id": trace_id,
                    "cfp_type": cfp_type,
                    "cfp_id": cfp_id,
                    "ghg_emission": emission,
                    "ghg_declared_unit": "kgCO2e/kilogram",
                    "dqr_type": f"{stage}Processing",
                    "ter": dqr[0],
                    "ger": dqr[1],
                    "tir": dqr[2],
                    "updated_at": self.clock.now,
                },
            )
        self.audit(
            operator,
            "cfp:create",
            "part",
            trace_id,
            {
                "cfpId": str(cfp_id),
                "unit": "kgCO2e/kilogram",
                "rows": {t.value: [str(v), str(d)] for t, (v, d) in values.items()},
            },
        )

    def notify(self, trade: dict[str, Any], kind: NotificationType, sender: uuid.UUID) -> None:
        recipient = (
            trade["upstream_operator_id"]
            if sender == trade["downstream_operator_id"]
            else trade["downstream_operator_id"]
        )
        self.data.add(
            Notification,
            {
                "id": self.new_id(),
                "operator_id": recipient,
                "notification_type": kind,
                "notified_from_operator_id": sender,
                "trade_id": trade["id"],
                "status_id": trade["status_id"],
                "downstream_operator_id": trade["downstream_operator_id"],
                "upstream_operator_id": trade["upstream_operator_id"],
                "downstream_trace_id": trade["downstream_trace_id"],
                "upstream_trace_id": trade["upstream_trace_id"],
                "notified_at": self.clock.now,
            },
        )

    def request(self, bought: uuid.UUID) -> dict[str, Any]:
        """PUT tradeRequest: A asks B for the CFP of a bought-in part."""
        now = self.clock.tick()
        trade: dict[str, Any] = {
            "id": self.new_id(),
            "status_id": self.new_id(),
            "downstream_operator_id": OEM.operator_id,
            "upstream_operator_id": SUPPLIER.operator_id,
            "downstream_trace_id": bought,
            "upstream_trace_id": None,
            "request_type": "CFP",
            "message": "来月中にご回答をお願いします。",
            "reply_message": None,
            "response_due_date": date(2027, 3, 31),
            "cfp_response_status": CfpResponseStatus.NOT_COMPLETED,
            "trade_tree_status": TradeTreeStatus.UNTERMINATED,
            "completed_count": 0,
            "completed_count_modified_at": now,
            "trades_count": 1,
            "trades_count_modified_at": now,
            "created_at": now,
            "updated_at": now,
        }
        self.notify(trade, NotificationType.REQUEST_NEW, OEM.operator_id)
        self.audit(
            OEM.operator_id,
            "trade:request",
            "trade",
            trade["id"],
            {
                "upstream": str(SUPPLIER.operator_id),
                "downstreamTraceId": str(bought),
            },
        )
        self.data.add(Trade, trade)
        return trade

    def link(self, trade: dict[str, Any], product: uuid.UUID) -> None:
        """PUT tradeResponse: B links its product, which has CFP already, so it answers.

        The product's children are all terminated: the tree is TERMINATED with one request,
        answered (what `tree_progress.refresh_downstream_of` computes).
        """
        now = self.clock.tick()
        trade.update(
            {
                "upstream_trace_id": product,
                "cfp_response_status": CfpResponseStatus.COMPLETED,
                "trade_tree_status": TradeTreeStatus.TERMINATED,
                "completed_count": 1,
                "completed_count_modified_at": now,
                "updated_at": now,
            }
        )
        self.notify(trade, NotificationType.CFP_RESPONSED, SUPPLIER.operator_id)
        self.audit(
            SUPPLIER.operator_id,
            "trade:link",
            "trade",
            trade["id"],
            {"upstreamTraceId": str(product), "previous": "None"},
        )


def build_dataset(sizes: Sizes, plant_of: dict[uuid.UUID, uuid.UUID], seed: int = 1) -> Dataset:
    """The story, in service order: B registers its products (structure, then CFP of every
    part); A registers its products (structure; CFP on the product and its in-house parts);
    A requests the CFP of each bought-in part from B; B links one of its products to nine in
    ten requests; A registers some stand-alone parts (PUT parts) and leaves them without CFP.
    """
    build = Builder(seed, plant_of)
    data = build.data
    a, b = OEM.operator_id, SUPPLIER.operator_id
    for index in range(sizes.trades):
        name = f"部品B-{index:05d}"
        product, children = build.structure(
            b, name, [(f"{name}-材料{c}", True) for c in range(B_CHILDREN)]
        )
        for trace_id in (product, *children):
            build.cfp(b, trace_id)
        data.b_products.append(product)
    bought: list[uuid.UUID] = []
    for index in range(sizes.a_products):
        name = f"製品A-{index:05d}"
        children_spec = [(f"{name}-購入{c}", False) for c in range(A_BOUGHT)]
        children_spec += [(f"{name}-内製{c}", True) for c in range(A_CHILDREN - A_BOUGHT)]
        product, children = build.structure(a, name, children_spec)
        for trace_id in (product, *children[A_BOUGHT:]):
            build.cfp(a, trace_id)
        bought.extend(children[:A_BOUGHT])
        data.a_products.append(product)
    requests = [build.request(part) for part in bought]
    for index, trade in enumerate(requests):
        if index % UNLINKED_EVERY != UNLINKED_EVERY - 1:
            build.link(trade, data.b_products[index])
    data.linked_product = data.a_products[0]  # requests 0 and 1 are both answered
    for index in range(sizes.spare_parts):
        build.clock.tick()
        name = f"予備部品A-{index:05d}"
        spare = build.part(a, name, "spare", terminated=True, is_parent=True)  # PUT parts
        build.audit(a, "structure:save", "part", spare, {"parent": str(spare), "children": {}})
        data.spare_parts.append(spare)
    return data


INSERT_ORDER: tuple[type[Any], ...] = (Part, PartEdge, CfpValue, Trade, Notification, AuditEvent)
CHUNK = 2000


def load(database: Database, sizes: Sizes) -> Dataset:
    """Migrate, seed the tutorial companies and their plants, then bulk-insert the data set."""
    upgrade(database.engine)
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
        plant_of = {
            company.operator_id: plants.save_plant(
                session,
                caller=company.operator_id,
                plant=plants.PlantWrite(
                    plant_id=None,
                    operator_id=company.operator_id,
                    name=f"{company.name}工場",
                    address="xx県xx市",
                    open_plant_id=company.open_operator_id + "012345",
                    global_plant_id=None,
                ),
            ).id
            for company in TUTORIAL_COMPANIES
        }
    data = build_dataset(sizes, plant_of)
    total = sum(len(data.rows.get(model, [])) for model in INSERT_ORDER)
    columns = (
        TextColumn("  loading {task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=console, transient=True) as progress,
        database.transaction() as session,
    ):
        task = progress.add_task("rows", total=total)
        for model in INSERT_ORDER:
            rows = data.rows.get(model, [])
            progress.update(task, description=model.__tablename__)
            for start in range(0, len(rows), CHUNK):
                batch = rows[start : start + CHUNK]
                session.execute(insert(model), batch)
                progress.advance(task, len(batch))
    if database.dialect == "postgresql":
        # What autovacuum does shortly after a bulk load; without it the first minute of
        # queries would run on plans made for empty tables.
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return data


def verify(database: Database, sizes: Sizes, data: Dataset) -> None:
    """Check the bulk-loaded rows against the services: counts, the trade counters
    `refresh_downstream_of` would compute, and CFP totals of an answered product."""
    with database.transaction(write=False) as session:
        parts = session.scalar(select(func.count()).select_from(Part))
        trade_count = session.scalar(select(func.count()).select_from(Trade))
        if parts != sizes.parts or trade_count != sizes.trades:
            msg = f"loaded {parts} parts and {trade_count} trades, expected {sizes}"
            raise RuntimeError(msg)
        with session.no_autoflush:  # a flush would hide the changes from is_modified
            tree_progress.refresh_downstream_of(session, data.b_products[:50])
        changed = [
            t
            for t in session.identity_map.values()
            if isinstance(t, Trade) and session.is_modified(t)
        ]
        if changed:
            msg = f"{len(changed)} trades differ from what the services compute"
            raise RuntimeError(msg)
        session.rollback()
        assert data.linked_product is not None  # noqa: S101
        rows = rollup.cfp_rows(
            session,
            caller=OEM.operator_id,
            trace_ids=[data.linked_product],
            disclose_by_default=True,
        )
        totals = [row for row in rows if row.cfp_type.endswith("Total")]
        if len(rows) != 8 or any(row.ghg_emission is None for row in totals):
            msg = f"CFP of an answered product is not complete: {rows}"
            raise RuntimeError(msg)


def reset_spare_parts(database: Database, data: Dataset) -> None:
    """Take the CFP off the stand-alone parts again, so each PUT run starts from the same state."""
    with database.transaction() as session:
        for start in range(0, len(data.spare_parts), 500):
            session.execute(
                delete(CfpValue).where(
                    CfpValue.operator_id == OEM.operator_id,
                    CfpValue.trace_id.in_(data.spare_parts[start : start + 500]),
                )
            )


# ----------------------------------------------------------------------------- scenarios


ClientFactory = Callable[[int], Step]  # simulated client number -> its request loop
CALLS = ("get_parts", "get_cfp", "put_cfp")


@dataclass(frozen=True)
class Scenario:
    """One measured call. `make_clients()` gives fresh request loops for each run.

    `first_pass`, when set, is run once per server before the call's cells and reported as a
    cell of its own: it asks for every item the call reads, so that the cells after it
    measure the steady state of a server that has seen the data set (GET cfp keeps each
    product's rows per worker), while the first pass shows what uncached requests cost.
    Only `on_target` scenarios are held to the issue's target.
    """

    key: str
    label: str
    method: str
    max_requests: int
    make_clients: Callable[[], ClientFactory]
    first_pass: Scenario | None = None
    on_target: bool = True


def make_scenario(call: str, data: Dataset) -> Scenario:
    if call == "get_parts":
        return Scenario(call, "GET parts limit=100", "GET", 1_000_000, lambda: _parts_reader)
    if call == "get_cfp":
        label = f"GET cfp {TRACE_IDS_PER_CFP_GET} traceIds"
        first = Scenario(
            "get_cfp_first",
            f"{label}, 1st pass",
            "GET",
            1_000_000,
            lambda: _cfp_first_pass(data),
            on_target=False,
        )
        return Scenario(
            call,
            label,
            "GET",
            1_000_000,
            lambda: _cfp_reader(data, random.Random(7)),
            first_pass=first,
        )
    # Each spare part takes a create and an update; the run ends when they are used up.
    limit = 2 * len(data.spare_parts)
    return Scenario(call, "PUT cfp create+update", "PUT", limit, lambda: _cfp_writer(data))


PARTS_PATH = f"{DT}?dataTarget=parts&limit=100"
CFP_PATH = f"{DT}?dataTarget=cfp"


async def _get_parts(client: Client) -> Outcome:
    return expect(await client.request("GET", PARTS_PATH), 200)


def _parts_reader(_index: int) -> Step:
    """GET the first page of A's parts, again and again (the web client's parts list)."""
    return _get_parts


def _cfp_reader(data: Dataset, rng: random.Random) -> ClientFactory:
    """GET cfp of 20 random A products per request (a product list page in the web client)."""
    paths = [
        f"{DT}?dataTarget=cfp&traceIds="
        + ",".join(str(t) for t in rng.sample(data.a_products, TRACE_IDS_PER_CFP_GET))
        for _ in range(1000)
    ]
    position = 0

    async def read(client: Client) -> Outcome:
        nonlocal position
        path = paths[position % len(paths)]
        position += 1
        return expect(await client.request("GET", path), 200)

    return lambda _index: read


def _cfp_first_pass(data: Dataset) -> ClientFactory:
    """Each client asks for the CFP of every A product once, 20 per request, in an order of
    its own; so every worker process, whichever connections it holds, sees every product."""

    def client_loop(index: int) -> Step:
        products = list(data.a_products)
        random.Random(index).shuffle(products)
        paths = iter(
            f"{DT}?dataTarget=cfp&traceIds="
            + ",".join(str(t) for t in products[start : start + TRACE_IDS_PER_CFP_GET])
            for start in range(0, len(products), TRACE_IDS_PER_CFP_GET)
        )

        async def read(client: Client) -> Outcome | None:
            path = next(paths, None)
            if path is None:
                return None
            return expect(await client.request("GET", path), 200)

        return read

    return client_loop


def cfp_body(trace_id: uuid.UUID, cfp_id: str | None, scale: int) -> list[dict[str, Any]]:
    """A 4-row CFP set as the contract's PUT cfp takes it (cfpId null = create)."""

    def row(cfp_type: str, value: float, dqr_type: str, dqr: tuple[int, ...]) -> dict[str, Any]:
        return {
            "cfpId": cfp_id,
            "traceId": str(trace_id),
            "ghgEmission": value,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": cfp_type,
            "dqrType": dqr_type,
            "dqrValue": {"TeR": dqr[0], "GeR": dqr[1], "TiR": dqr[2]},
        }

    return [
        row("preProduction", 1.5 * scale, "preProcessing", (1, 2, 3)),
        row("mainProduction", 10.25 * scale, "mainProcessing", (2, 3, 4)),
        row("preComponent", 0, "preProcessing", (1, 2, 3)),
        row("mainComponent", 0.5, "mainProcessing", (2, 3, 4)),
    ]


def _cfp_writer(data: Dataset) -> ClientFactory:
    """PUT cfp alternating create and update: each client creates the CFP of the next spare
    part (cfpId null), then updates it with the cfpId it got back. Stops when parts run out."""
    spares: Iterator[uuid.UUID] = iter(data.spare_parts)

    def client_loop(_index: int) -> Step:
        pending: tuple[uuid.UUID, str] | None = None

        async def write(client: Client) -> Outcome | None:
            nonlocal pending
            if pending is None:
                trace_id = next(spares, None)
                if trace_id is None:
                    return None
                reply = await client.request("PUT", CFP_PATH, cfp_body(trace_id, None, 1))
                outcome = expect(reply, 201)
                if outcome.ok:
                    try:
                        pending = (trace_id, reply.json()[0]["cfpId"])
                    except (ValueError, LookupError, TypeError):
                        return Outcome(ok=False, error=f"no cfpId in {reply.body[:200]!r}")
                return outcome
            trace_id, cfp_id = pending
            pending = None
            reply = await client.request("PUT", CFP_PATH, cfp_body(trace_id, cfp_id, 2))
            return expect(reply, 201)

        return write

    return client_loop


# ---------------------------------------------------------------------------------- run


@dataclass(frozen=True)
class Options:
    backends: list[str]
    workers: list[int]
    clients: list[int]
    duration: float
    warmup: float
    sizes: Sizes
    loader: str
    postgres_url: str
    json_path: Path | None
    calls: list[str]


@dataclass
class Cell:
    backend: str
    workers: int
    scenario: Scenario
    measurement: Measurement

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "workers": self.workers,
            "call": self.scenario.label,
            **self.measurement.summary(),
        }


@dataclass
class BackendInfo:
    name: str
    version: str
    load_seconds: float
    busy_before: dict[int, float | None] = field(default_factory=dict)  # workers -> % busy
    notes: list[str] = field(default_factory=list)


async def login(base_url: str) -> dict[str, str]:
    """A's access token, through `/auth/login` with the tutorial's application key."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post(
            "/auth/login",
            headers={"apiKey": APPLICATION_KEY},
            json={"operatorAccountId": OEM.email, "accountPassword": OEM.password},
        )
        if response.status_code != 201:
            msg = f"login failed: {response.status_code} {response.text}"
            raise RuntimeError(msg)
        return {
            "apiKey": APPLICATION_KEY,
            "Authorization": f"Bearer {response.json()['accessToken']}",
        }


async def sanity_check(base_url: str, headers: dict[str, str], data: Dataset) -> None:
    """Before measuring, check that the calls answer what they should on this data set."""
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        parts = await client.get(PARTS_PATH)
        if parts.status_code != 200 or len(parts.json()) != 100 or "link" not in parts.headers:
            msg = f"GET parts: {parts.status_code} {parts.text[:300]}"
            raise RuntimeError(msg)
        assert data.linked_product is not None  # noqa: S101
        ids = [data.linked_product, *data.a_products[1:TRACE_IDS_PER_CFP_GET]]
        cfp = await client.get(f"{DT}?dataTarget=cfp&traceIds={','.join(map(str, ids))}")
        if cfp.status_code != 200 or len(cfp.json()) != 8 * TRACE_IDS_PER_CFP_GET:
            msg = f"GET cfp: {cfp.status_code} {cfp.text[:300]}"
            raise RuntimeError(msg)


async def measure_server(
    server: Server,
    database: Database,
    backend: str,
    options: Options,
    data: Dataset,
    scenarios: Sequence[Scenario],
) -> list[Cell]:
    """Every scenario at every client count against one server: warm up, then measure."""
    headers = await login(server.base_url)
    await sanity_check(server.base_url, headers, data)
    cells = []
    for scenario in scenarios:
        if scenario.first_pass is not None:
            first = await closed_loop(
                server,
                headers,
                scenario.first_pass.make_clients(),
                concurrency=WARMUP_CLIENTS,
                duration=FIRST_PASS_TIMEOUT,
                max_requests=scenario.first_pass.max_requests,
                loader=options.loader,
            )
            cells.append(Cell(backend, server.workers, scenario.first_pass, first))
            console.print(_progress_line(cells[-1]))
        for clients in options.clients:
            # The warm-up fills the server's caches, threads and connection pool; more than
            # 16 clients would only add minutes of queueing on the slow calls.
            runs = (
                (min(clients, WARMUP_CLIENTS), options.warmup, False),
                (clients, options.duration, True),
            )
            for concurrency, seconds, measured in runs:
                if scenario.method == "PUT":
                    reset_spare_parts(database, data)
                measurement = await closed_loop(
                    server,
                    headers,
                    scenario.make_clients(),
                    concurrency=concurrency,
                    duration=seconds,
                    max_requests=scenario.max_requests,
                    loader=options.loader,
                    measure_cpu=measured,
                )
            cell = Cell(backend, server.workers, scenario, measurement)
            cells.append(cell)
            console.print(_progress_line(cell))
    return cells


def _progress_line(cell: Cell) -> str:
    m = cell.measurement
    errors = f", [red]{m.errors} errors[/]" if m.errors else ""
    return (
        f"  {cell.backend:<10} w={cell.workers} {cell.scenario.label:<29} c={m.concurrency:<3}"
        f"{m.throughput:8.1f} req/s  p50 {m.percentile(50):7.2f} ms  "
        f"p99 {m.percentile(99):7.2f} ms  ({m.requests} requests{errors})"
    )


def backend_version(database: Database) -> str:
    if database.dialect == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with database.engine.connect() as connection:
        version = str(connection.exec_driver_sql("SHOW server_version").scalar())
    return f"PostgreSQL {version.split(maxsplit=1)[0]}"


def sqlite_journal_mode(url: str) -> str:
    path = url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def run_backend(backend: str, options: Options) -> tuple[BackendInfo, list[Cell]]:
    """Load the data set into a new database of this backend, then measure each worker count."""
    provision = (
        sqlite_database() if backend == "sqlite" else postgres_database(options.postgres_url)
    )
    with provision as url:
        database = Database(url, **({} if backend == "sqlite" else {"pool_size": 2}))
        try:
            console.print(
                f"[bold]{backend}[/]: loading {options.sizes.parts:,} parts, "
                f"{options.sizes.trades:,} trades"
            )
            started = time.perf_counter()
            data = load(database, options.sizes)
            verify(database, options.sizes, data)
            info = BackendInfo(backend, backend_version(database), time.perf_counter() - started)
            console.print(f"  loaded and verified in {info.load_seconds:.1f} s ({info.version})")
            if backend == "sqlite":
                info.notes.append(f"journal_mode={sqlite_journal_mode(url)}, synchronous=NORMAL")
            scenarios = [make_scenario(call, data) for call in options.calls]
            cells: list[Cell] = []
            for workers in options.workers:
                with battrace_server(url, workers=workers) as server:
                    busy = machine_busy()
                    info.busy_before[workers] = busy
                    if busy is not None:
                        console.print(
                            f"  {workers} worker(s); machine {busy:.0f}% busy before start"
                        )
                    cells += asyncio.run(
                        measure_server(server, database, backend, options, data, scenarios)
                    )
        finally:
            database.dispose()
    return info, cells


# ------------------------------------------------------------------------------- report


def _ms(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def figures_table(cells: Sequence[Cell]) -> Table:
    table = Table(box=box.MARKDOWN)
    for name in ("backend", "workers", "call", "clients"):
        table.add_column(name, no_wrap=True)
    for name in ("req/s", "p50 ms", "p99 ms", "max ms", "requests", "errors", "srv CPU ms/req"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("CPU% srv/gen/other", justify="right", no_wrap=True)
    for cell in cells:
        m = cell.measurement
        cpu = "-" if m.cpu is None else f"{m.cpu.server:.0f}/{m.cpu.loader:.0f}/{m.cpu.other:.0f}"
        table.add_row(
            cell.backend,
            str(cell.workers),
            cell.scenario.label,
            str(m.concurrency),
            _ms(m.throughput),
            _ms(m.percentile(50), 2),
            _ms(m.percentile(99), 2),
            _ms(max(m.latencies_ms, default=float("nan"))),
            f"{m.requests:,}",
            f"[red]{m.errors}[/]" if m.errors else "0",
            _ms(m.server_cpu_ms_per_request, 2),
            cpu,
        )
    return table


def target_rows(cells: Sequence[Cell]) -> list[dict[str, Any]]:
    """The issue's target, per PostgreSQL GET cell at 16 clients."""
    rows = []
    for cell in cells:
        m = cell.measurement
        if (
            cell.backend != "postgresql"
            or cell.scenario.method != "GET"
            or not cell.scenario.on_target
            or m.concurrency != TARGET_CLIENTS
        ):
            continue
        rps_ok = m.throughput >= TARGET_RPS
        p99_ok = m.percentile(99) <= TARGET_P99_MS
        rows.append(
            {
                "workers": cell.workers,
                "call": cell.scenario.label,
                "requests_per_s": round(m.throughput, 1),
                "rps_met": rps_ok,
                "p99_ms": round(m.percentile(99), 2),
                "p99_met": p99_ok,
                "errors": m.errors,
                "met": rps_ok and p99_ok and m.errors == 0,
            }
        )
    return rows


def targets_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(box=box.MARKDOWN)
    for name in ("workers", "call", "req/s (>= 1,000)", "p99 ms (<= 50)", "errors", "target"):
        table.add_column(name, no_wrap=True)

    def mark(ok: bool) -> str:
        return "[green]met[/]" if ok else "[red]missed[/]"

    for row in rows:
        table.add_row(
            str(row["workers"]),
            row["call"],
            f"{row['requests_per_s']:,.1f} {mark(row['rps_met'])}",
            f"{row['p99_ms']:.2f} {mark(row['p99_met'])}",
            str(row["errors"]),
            "[green]MET[/]" if row["met"] else "[red bold]NOT MET[/]",
        )
    return table


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument("--workers", default="1,2", help="server worker processes (default 1,2)")
    parser.add_argument("--clients", default="1,16,64", help="concurrent clients (default 1,16,64)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1,000 parts, 100 trades, 1 s per cell"
    )
    parser.add_argument("--duration", type=float, help="seconds measured per cell (default 5)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per cell (default 1)")
    parser.add_argument("--parts", type=int, help="parts to load (default 10,000)")
    parser.add_argument("--trades", type=int, help="trades to load (default 1,000)")
    parser.add_argument(
        "--loader",
        choices=sorted(LOADERS),
        default="raw",
        help="HTTP client of the load generator (default raw: asyncio streams, cheapest)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BATTRACE_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL),
        help="an existing database to create the benchmark database from",
    )
    parser.add_argument(
        "--calls", default=",".join(CALLS), help=f"calls to measure (default {','.join(CALLS)})"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - {"sqlite", "postgresql"}:
        parser.error("--backends takes sqlite and/or postgresql")
    calls = [c.strip() for c in args.calls.split(",") if c.strip()]
    if not calls or set(calls) - set(CALLS):
        parser.error(f"--calls takes {', '.join(CALLS)}")
    sizes = Sizes(
        args.parts or (1000 if args.quick else 10_000), args.trades or (100 if args.quick else 1000)
    )
    sizes.check()
    return Options(
        backends=backends,
        workers=[int(w) for w in args.workers.split(",")],
        clients=[int(c) for c in args.clients.split(",")],
        duration=args.duration or (1.0 if args.quick else 5.0),
        warmup=args.warmup or (0.3 if args.quick else 1.0),
        sizes=sizes,
        loader=args.loader,
        postgres_url=args.postgres_url,
        json_path=args.json,
        calls=calls,
    )


def revision() -> str:
    """The git commit of the code measured, marked dirty when the working tree has changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown revision"
    return described.stdout.strip()


def report(options: Options, infos: Sequence[BackendInfo], cells: Sequence[Cell]) -> int:
    """Print the figures and the target verdicts; write the JSON. 1 if any request failed."""
    console.print()
    console.print(figures_table(cells))
    console.print()
    for info in infos:
        busy = ", ".join(
            f"{w} worker(s) {b:.0f}%" for w, b in info.busy_before.items() if b is not None
        )
        notes = "".join(f"; {note}" for note in info.notes)
        console.print(
            f"{info.name}: {info.version}{notes}; data set loaded in {info.load_seconds:.1f} s; "
            f"machine busy before the runs: {busy or 'unknown'}"
        )
    console.print(
        f"{os.cpu_count()} CPUs; load generator: {options.loader}; battrace {revision()}. "
        "srv CPU ms/req: CPU time of the server processes per answered request. CPU%: share "
        "of one core during the cell used by the server processes, this load generator, and "
        "everything else (the database server, and any other work on the machine)."
    )
    targets = target_rows(cells)
    if not targets:
        console.print(f"(target not evaluated: no PostgreSQL GET run at {TARGET_CLIENTS} clients)")
    else:
        console.print()
        console.print(
            f"Target on PostgreSQL at {TARGET_CLIENTS} clients: >= {TARGET_RPS:,.0f} GET "
            f"requests/s and p99 <= {TARGET_P99_MS:.0f} ms"
        )
        console.print(targets_table(targets))
        if any(not cell.scenario.on_target for cell in cells):
            console.print(
                "1st pass: every product asked for once per client, before the GET cfp cells; "
                "it shows uncached requests and is not held to the target."
            )
    errors = sum(cell.measurement.errors for cell in cells)
    if errors:
        samples = [s for cell in cells for s in cell.measurement.error_samples][:3]
        console.print(f"[red]{errors} requests failed[/], e.g. {samples}")
    if options.json_path is not None:
        document = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "battrace": revision(),
            "data_set": {"parts": options.sizes.parts, "trades": options.sizes.trades},
            "settings": {
                "duration_s": options.duration,
                "warmup_s": options.warmup,
                "clients": options.clients,
                "workers": options.workers,
                "loader": options.loader,
            },
            "backends": [vars(info) for info in infos],
            "cells": [cell.as_json() for cell in cells],
            "targets": targets,
        }
        options.json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False))
        console.print(f"figures written to {options.json_path}")
    return 1 if errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    started = time.perf_counter()
    console.print(
        f"battrace API benchmark: {options.duration:g} s per cell after {options.warmup:g} s "
        f"of warm-up; clients {options.clients}; workers {options.workers}"
    )
    infos: list[BackendInfo] = []
    cells: list[Cell] = []
    for backend in options.backends:
        info, backend_cells = run_backend(backend, options)
        infos.append(info)
        cells += backend_cells
    status = report(options, infos, cells)
    console.print(f"whole run: {time.perf_counter() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
