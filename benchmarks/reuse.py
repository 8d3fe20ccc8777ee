"""Second-life benchmarks: streaming intake of a cycler CSV, and a fleet assessment.

    .venv/bin/python benchmarks/reuse.py                        # 1,000,000 rows, 10,000 batteries
    .venv/bin/python benchmarks/reuse.py --rows 200000 --fleet 2000

1. **Intake**: writes a cycler export of `--rows` rows (benchmarks/fade_fixtures.py's
   generator, 200 rows per cycle) to a temporary file, then reads it with
   `battrace.reuse.cycler.read_cycler_csv` (every row checked, summarised per cycle), showing
   progress. Target: ≥ 100,000 rows/s, peak memory (the process's maximum RSS) < 300 MB.
2. **Fleet**: `--fleet` synthetic batteries (histories of 1-9 capacity checks, three
   chemistries) through state of health, grade, remaining life and value with
   `assess_fleet`, then 200 of them one at a time, which must give the same numbers.
   Target: 10,000 batteries within 10 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from fade_fixtures import write_cycler_csv
from rich.progress import BarColumn, Progress, TextColumn

from battrace.reuse.assessment import Case, assess, assess_fleet
from battrace.reuse.cycler import read_cycler_csv
from battrace.reuse.diagnostics import intake_document, read_intake
from battrace.reuse.grading import DEFAULT_RULES
from battrace.reuse.valuation import PriceTable

ROWS_PER_CYCLE = 200
CHEMISTRIES = ("LFP", "NMC811", "NCA")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def intake(rows: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="battrace-reuse-") as directory:
        path = Path(directory) / "cycler.csv"
        started = time.perf_counter()
        with path.open("w", newline="") as out:
            write_cycler_csv(
                out, cycles=max(rows // ROWS_PER_CYCLE, 1), rows_per_cycle=ROWS_PER_CYCLE
            )
        size = path.stat().st_size / 1e6
        print(f"wrote {rows:,} rows ({size:.0f} MB) in {time.perf_counter() - started:.1f} s")
        with (
            Progress(
                TextColumn("reading"), BarColumn(), TextColumn("{task.completed:,} rows")
            ) as progress,
            path.open("rb") as source,
        ):
            task = progress.add_task("read", total=rows)
            started, cpu = time.perf_counter(), time.process_time()
            found = read_cycler_csv(
                source, progress=lambda n: progress.update(task, completed=n), every=50_000
            )
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = found.rows / elapsed
    print(
        f"intake: {found.rows:,} rows, {len(found.cycles):,} cycles in {elapsed:.2f} s = "
        f"{rate:,.0f} rows/s (target ≥ 100,000; {found.rows / cpu:,.0f} rows per CPU second); "
        f"peak RSS {peak_rss_mb():.0f} MB (target < 300)"
    )
    return rate, peak_rss_mb()


def fleet_cases(size: int, seed: int = 11) -> list[Case]:
    rng = np.random.default_rng(seed)
    prices = PriceTable()
    cases = []
    for k in range(size):
        points = int(rng.integers(0, 9))
        a, z = rng.uniform(5e-4, 4e-3), rng.uniform(0.45, 1.1)
        efc = np.linspace(0.0, rng.uniform(300.0, 2500.0), points + 1)
        soh = np.clip(1.0 - a * efc**z + rng.normal(0.0, 0.004, efc.shape), 0.3, 1.05)
        now = float(soh[-1])
        doc = {
            "rated": {
                "chemistry": CHEMISTRIES[k % 3],
                "rated_capacity_ah": 150.0,
                "rated_energy_wh": 60000.0,
                "nominal_voltage_v": 400.0,
                "mass_kg": 400.0,
                "initial_resistance_mohm": 100.0,
                "purchase_price": 9000.0,
            },
            "inspection": {"isolation_resistance_ohm_per_v": 500.0, "bms_operational": True},
            "capacity_checks": [
                {
                    "capacity_ah": 150.0 * now,
                    "energy_wh": 60000.0 * now,
                    "temperature_c": float(rng.uniform(15.0, 35.0)),
                    "c_rate": 0.33,
                }
            ],
            "pulses": [
                {
                    "soc_pct": 50.0,
                    "temperature_c": 25.0,
                    "duration_s": 10.0,
                    "voltage_before_v": 380.0,
                    "voltage_after_v": 380.0 - float(rng.uniform(10.0, 22.0)),
                    "current_before_a": 0.0,
                    "current_after_a": 100.0,
                }
            ],
            "self_discharge": {"hours": 48.0, "soc_loss_pct": float(rng.uniform(0.05, 1.5))},
            "bms": {"full_cycles": float(efc[-1]), "lifetime_data_complete": True},
            "history": [
                {"efc": float(e), "soh": float(s)} for e, s in zip(efc[:-1], soh[:-1], strict=True)
            ],
        }
        battery = read_intake(doc)
        cases.append(
            Case(
                battery, DEFAULT_RULES, prices, date(2026, 12, 1), document=intake_document(battery)
            )
        )
    return cases


def fleet(size: int) -> float:
    cases = fleet_cases(size)
    started, cpu = time.perf_counter(), time.process_time()
    together = assess_fleet(cases)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    sample = range(0, size, max(size // 200, 1))
    same = all(assess(cases[k]) == together[k] for k in sample)
    grades = {g: sum(a.grading.grade == g for a in together) for g in ("A", "B", "C", "RECYCLE")}
    print(
        f"fleet: {size:,} batteries in {elapsed:.2f} s, {cpu:.2f} CPU s (target ≤ 10 s at "
        f"10,000); grades {grades}; "
        f"one at a time equal on {len(sample)} sampled: {same}"
    )
    if not same:
        sys.exit("fleet and one-at-a-time numbers differ")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="cycler CSV rows")
    parser.add_argument("--fleet", type=int, default=10_000, help="batteries in the fleet")
    args = parser.parse_args()
    intake(args.rows)
    fleet(args.fleet)


if __name__ == "__main__":
    main()
