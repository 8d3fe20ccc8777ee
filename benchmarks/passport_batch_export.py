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

from battrace.migrations import upgrade
from battrace.passport import batch_export, transfer
from battrace.passport.access import Reader
from battrace.passport.models import Passport
from battrace.store import Database
from passport import issue_batch


def rss_mb() -> float:
    """This process's resident memory now (Linux `/proc/self/statm`), MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def run(url: str, size: int, kind: transfer.Format) -> None:
    database = Database(url)
    try:
        upgrade(database.engine)
        caller, passport_ids, _seconds = issue_batch(database, size)  # as passport.py issues it
        with database.transaction(write=False) as session:
            batch = session.get(Passport, passport_ids[0]).batch_id  # type: ignore[union-attr]
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
