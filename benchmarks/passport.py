"""Battery passport speed: issuing a production batch, ingesting dynamic data, reading the
latest values, and the public resolver under load.

Targets (issue 14, PostgreSQL, 2-core machine):
- a production batch of 10,000 passports in one call within 10 s;
- ≥ 10,000 readings/s ingested in batches; the latest values of a passport in one query
  however long its series;
- the public resolver (HTML and JSON, by passport id and by GS1 Digital Link): at 16 clients,
  ≥ 1,000 requests/s with p99 ≤ 50 ms with 2 workers.

    .venv/bin/python benchmarks/passport.py                       # full sizes, both backends
    .venv/bin/python benchmarks/passport.py --quick               # 1,000 passports, 2 s cells
    .venv/bin/python benchmarks/passport.py --backends postgresql --batch 10000 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))

from _common import (
    Client,
    Outcome,
    battrace_server,
    closed_loop,
    expect,
    postgres_database,
    sqlite_database,
)

from battrace.identity import operators, passwords
from battrace.migrations import upgrade
from battrace.passport import battery_models, issuing, readings
from battrace.passport.models import BatteryCategory
from battrace.store import Database

GTIN = "04012345000009"
console = Console()


@dataclass(frozen=True)
class Options:
    backends: tuple[str, ...]
    batch: int
    readings: int
    reading_batch: int
    series: int
    clients: int
    workers: int
    duration: float
    first_pass_clients: int
    postgres_url: str
    json_path: Path | None


@contextmanager
def database_for(backend: str, options: Options) -> Iterator[str]:
    if backend == "sqlite":
        with sqlite_database() as url:
            yield url
    else:
        with postgres_database(options.postgres_url) as url:
            yield url


def issue_batch(database: Database, size: int) -> tuple[uuid.UUID, list[uuid.UUID], float]:
    with database.transaction() as session:
        operator = operators.create_operator(
            session, name="Bench pack maker", address="x", open_operator_id="7000000000001"
        )
        model = battery_models.create_model(
            session,
            caller=operator.id,
            name="Bench pack",
            category=BatteryCategory.EV,
            gtin=GTIN,
            data={"general": {"weight": 400}, "performance": {"ratedCapacity": 180}},
        )
        caller, model_id = operator.id, model.id
    batteries = [issuing.NewBattery(serial=f"B{n:07d}") for n in range(size)]
    start = time.perf_counter()
    with database.transaction() as session:
        issued = issuing.create_batch(
            session, caller=caller, model_id=model_id, batteries=batteries, publish=True
        )
    return caller, list(issued.passport_ids), time.perf_counter() - start


def ingest(
    database: Database, caller: uuid.UUID, passports: list[uuid.UUID], options: Options
) -> float:
    """Readings for every passport (round robin), in batches; readings per second."""
    start_at = datetime(2026, 1, 1, tzinfo=UTC)
    metrics = ("stateOfCharge", "remainingCapacity", "fullCycles", "capacityFade")
    total = 0
    elapsed = 0.0
    step = 0
    while total < options.readings:
        size = min(options.reading_batch, options.readings - total)
        batch = []
        for index in range(size):
            number = total + index
            batch.append(
                readings.Reading(
                    passports[number % len(passports)],
                    metrics[(number // len(passports)) % len(metrics)],
                    start_at + timedelta(minutes=step + number // (len(passports) * len(metrics))),
                    Decimal(number % 100),
                )
            )
        began = time.perf_counter()
        with database.transaction() as session:
            readings.record_readings(session, caller=caller, readings=batch)
        elapsed += time.perf_counter() - began
        total += size
        step += 1
    return total / elapsed


def latest_figures(
    database: Database, caller: uuid.UUID, passport: uuid.UUID, series: int
) -> dict[str, Any]:
    """A long series for one passport, then the latest values: time and statements."""
    start_at = datetime(2025, 1, 1, tzinfo=UTC)
    long_series = [
        readings.Reading(
            passport, "stateOfCharge", start_at + timedelta(minutes=n), Decimal(n % 100)
        )
        for n in range(series)
    ]
    with database.transaction() as session:
        readings.record_readings(session, caller=caller, readings=long_series)
    statements = 0

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        nonlocal statements
        statements += statement.lstrip().upper().startswith("SELECT")

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        samples = []
        for _ in range(50):
            began = time.perf_counter()
            with database.transaction(write=False) as session:
                before = statements
                found = readings.latest(session, passport)
                used = statements - before
            samples.append((time.perf_counter() - began) * 1000)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    samples.sort()
    return {
        "series": series,
        "metrics": len(found),
        "statements": used,
        "median_ms": round(samples[len(samples) // 2], 3),
    }


def resolver_cells(url: str, passports: list[uuid.UUID], options: Options) -> list[dict[str, Any]]:
    rng = random.Random(1)
    serials = [f"B{n:07d}" for n in range(len(passports))]
    cells = []
    paths = {
        "JSON by id": lambda: f"/passport/{rng.choice(passports)}?format=json",
        "HTML by id": lambda: f"/passport/{rng.choice(passports)}",
        "JSON GS1": lambda: f"/01/{GTIN}/21/{rng.choice(serials)}?format=json",
        "HTML GS1": lambda: f"/01/{GTIN}/21/{rng.choice(serials)}",
    }
    with battrace_server(url, workers=options.workers) as server:
        if options.first_pass_clients:
            cells.append(first_pass(server, passports, options))
        for name, path in paths.items():

            def client(_index: int, path: Any = path) -> Any:
                async def step(connection: Client) -> Outcome:
                    return expect(await connection.request("GET", path()), 200)

                return step

            asyncio.run(  # warm up: templates, QR cache, connections
                closed_loop(server, {}, client, concurrency=4, duration=1.0, max_requests=200)
            )
            measured = asyncio.run(
                closed_loop(
                    server,
                    {},
                    client,
                    concurrency=options.clients,
                    duration=options.duration,
                    max_requests=10**9,
                )
            )
            figures = measured.summary()
            figures["call"] = name
            cells.append(figures)
            console.print(
                f"  {name}: {figures['requests_per_s']} req/s, p99 "
                f"{figures['latency_ms']['p99']} ms, srv CPU "
                f"{figures['server_cpu_ms_per_request']} ms/req, errors {figures['errors']}"
            )
    return cells


def first_pass(server: Any, passports: list[uuid.UUID], options: Options) -> dict[str, Any]:
    """Each of `first_pass_clients` clients asks for every passport, as JSON and as HTML, in
    an order of its own: every worker then answers every passport once uncached (whichever
    connections it holds), as a 1st pass of GET cfp does in `api.py`. Not held to the target:
    it shows what an answer made afresh costs."""

    def client(index: int) -> Any:
        order = [
            f"/passport/{each}{suffix}" for each in passports for suffix in ("?format=json", "")
        ]
        random.Random(index).shuffle(order)
        pending = iter(order)

        async def step(connection: Client) -> Outcome | None:
            path = next(pending, None)
            if path is None:
                return None
            return expect(await connection.request("GET", path), 200)

        return step

    measured = asyncio.run(
        closed_loop(
            server,
            {},
            client,
            concurrency=options.first_pass_clients,
            duration=3600.0,
            max_requests=10**9,
        )
    )
    figures = measured.summary()
    figures["call"] = "1st pass"
    console.print(
        f"  1st pass ({options.first_pass_clients} clients x {len(passports)} passports x JSON "
        f"and HTML): {figures['requests_per_s']} req/s, p99 {figures['latency_ms']['p99']} ms, "
        f"srv CPU {figures['server_cpu_ms_per_request']} ms/req, errors {figures['errors']}"
    )
    return figures


def run_backend(backend: str, options: Options) -> dict[str, Any]:
    console.rule(f"{backend}")
    with database_for(backend, options) as url:
        database = Database(url)
        try:
            upgrade(database.engine)
            caller, passports, batch_seconds = issue_batch(database, options.batch)
            console.print(
                f"  batch of {options.batch}: {batch_seconds:.2f} s "
                f"({options.batch / batch_seconds:,.0f} passports/s)"
            )
            per_second = ingest(database, caller, passports, options)
            console.print(f"  readings: {options.readings} at {per_second:,.0f}/s")
            latest = latest_figures(database, caller, passports[0], options.series)
            console.print(
                f"  latest of a {latest['series']}-reading series: {latest['statements']} "
                f"statement, {latest['median_ms']} ms"
            )
        finally:
            database.dispose()
        cells = resolver_cells(url, passports, options)
    return {
        "backend": backend,
        "batch": {"size": options.batch, "seconds": round(batch_seconds, 3)},
        "readings": {"count": options.readings, "per_second": round(per_second)},
        "latest": latest,
        "resolver": cells,
    }


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description="battery passport benchmark")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--batch", type=int, default=10_000, help="passports in the batch")
    parser.add_argument("--readings", type=int, default=100_000)
    parser.add_argument("--reading-batch", type=int, default=10_000)
    parser.add_argument("--series", type=int, default=10_000, help="one passport's series")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per cell")
    parser.add_argument(
        "--first-pass-clients",
        type=int,
        default=4,
        help="clients that each ask for every passport once before the cells (0: no 1st pass)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, short cells")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.quick:
        args.batch, args.readings, args.series, args.duration = 1_000, 20_000, 2_000, 2.0
    return Options(
        backends=tuple(args.backends.split(",")),
        batch=args.batch,
        readings=args.readings,
        reading_batch=args.reading_batch,
        series=args.series,
        clients=args.clients,
        workers=args.workers,
        duration=args.duration,
        first_pass_clients=args.first_pass_clients,
        postgres_url=args.postgres_url,
        json_path=args.json,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    passwords.configure(time_cost=1, memory_kib=1024)
    results = [run_backend(backend, options) for backend in options.backends]
    table = Table(title="battery passport")
    for column in (
        "backend",
        "batch",
        "passports/s",
        "readings/s",
        "latest",
        "resolver req/s (p99 ms, srv CPU ms/req)",
    ):
        table.add_column(column)
    for result in results:
        batch = result["batch"]
        resolver = ", ".join(
            f"{cell['call']} {cell['requests_per_s']} ({cell['latency_ms']['p99']}, "
            f"{cell['server_cpu_ms_per_request']})"
            for cell in result["resolver"]
        )
        table.add_row(
            result["backend"],
            f"{batch['size']} in {batch['seconds']} s",
            f"{batch['size'] / batch['seconds']:,.0f}",
            f"{result['readings']['per_second']:,}",
            f"{result['latest']['statements']} query, {result['latest']['median_ms']} ms",
            resolver,
        )
    console.print(table)
    if options.json_path:
        options.json_path.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
