"""A production batch streamed as NDJSON (`passport.batch_export`, issue 14): a batch of
`--size` passports issued in a new database, then every passport exported as `--format` and
written as one JSON line (to nowhere), as the API's stream does. Prints wall and CPU seconds,
passports per second, resident memory before and while streaming, and the load average.

    .venv/bin/python benchmarks/passport_batch_export.py --size 1000 --backend sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import postgres_database, sqlite_database

from battrace.identity import operators
from battrace.migrations import upgrade
from battrace.passport import batch_export, battery_models, issuing, transfer
from battrace.passport.access import Reader
from battrace.passport.models import BatteryCategory
from battrace.store import Database


def rss_mb() -> float:
    """This process's resident memory now (Linux `/proc/self/statm`), MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def run(url: str, size: int, kind: transfer.Format) -> None:
    database = Database(url)
    try:
        upgrade(database.engine)
        with database.transaction() as session:
            operator = operators.create_operator(
                session, name="Bench pack maker", address="x", open_operator_id="7000000000001"
            )
            model = battery_models.create_model(
                session,
                caller=operator.id,
                name="Bench pack",
                category=BatteryCategory.EV,
                gtin="04012345000009",
                data={"general": {"weight": 400}, "performance": {"ratedCapacity": 180}},
            )
            caller, model_id = operator.id, model.id
        batteries = [issuing.NewBattery(serial=f"B{n:07d}") for n in range(size)]
        with database.transaction() as session:
            batch = issuing.create_batch(
                session, caller=caller, model_id=model_id, batteries=batteries, publish=True
            ).batch.id
        before = peak = rss_mb()
        wall, cpu, lines, written = time.perf_counter(), time.process_time(), 0, 0
        with database.transaction(write=False) as session:
            for each in batch_export.export_batch(
                session,
                caller=caller,
                reader=Reader(operator_id=caller),
                batch_id=batch,
                format=kind,
            ):
                content = each.exported.content if each.exported else None
                written += len(
                    json.dumps({"passportId": str(each.passport_id), "content": content})
                )
                lines += 1
                if lines % 500 == 0:
                    peak = max(peak, rss_mb())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{kind.value}: {lines} passports streamed in {wall:.2f} s wall, {cpu:.2f} s CPU "
            f"({lines / wall:,.0f} passports/s, {written / 1e6:.1f} MB of lines); "
            f"RSS {before:.0f} MB before, {peak:.0f} MB at most while streaming; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
    finally:
        database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--format", default="battrace", choices=[f.value for f in transfer.Format])
    options = parser.parse_args()
    opened = sqlite_database() if options.backend == "sqlite" else postgres_database()
    with opened as url:
        run(url, options.size, transfer.Format(options.format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
