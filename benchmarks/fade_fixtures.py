"""Synthetic ageing data for the second-life tests and benchmarks (no real data set ships).

An analytic fade law, soh(N) = 1 − a·N^z, with Gaussian measurement noise and, for the knee
variants, an injected knee: past N_knee the SOH loses an extra b·(N − N_knee)² (accelerated
fade, as lithium plating sets in). Fixed seeds, so the output is the same on every machine.

    .venv/bin/python benchmarks/fade_fixtures.py            # rewrites tests/reuse/fixtures/

writes
- `fade_<name>.csv` (columns `efc,soh`): capacity-check histories, one per case;
- `cycler_small.csv`: a small cycler export in the intake's CSV columns (see
  `battrace.reuse.cycler`), 40 cycles of a 2.5 Ah cell.

`write_cycler_csv` is also what `benchmarks/reuse.py` uses to make its million-row file.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "reuse" / "fixtures"
CYCLER_COLUMNS = (
    "cycle_index",
    "test_time",
    "current",
    "voltage",
    "charge_capacity",
    "discharge_capacity",
    "charge_energy",
    "discharge_energy",
    "temperature",
)


@dataclass(frozen=True)
class FadeCase:
    name: str
    a: float
    z: float
    noise: float
    checks: int
    last_efc: float
    knee_efc: float | None = None
    knee_b: float = 0.0
    seed: int = 0


CASES = (
    FadeCase("lfp_power", a=0.00236, z=0.53, noise=0.002, checks=11, last_efc=3000.0, seed=1),
    FadeCase("nmc_power", a=0.0009, z=0.75, noise=0.003, checks=9, last_efc=1600.0, seed=2),
    FadeCase(
        "nmc_knee",
        a=0.0009,
        z=0.75,
        noise=0.002,
        checks=9,
        last_efc=1600.0,
        knee_efc=1000.0,
        knee_b=2.5e-7,
        seed=3,
    ),
    FadeCase(
        "lfp_knee",
        a=0.00236,
        z=0.53,
        noise=0.002,
        checks=11,
        last_efc=3000.0,
        knee_efc=2200.0,
        knee_b=2.0e-7,
        seed=4,
    ),
)


def fade_history(case: FadeCase) -> tuple[np.ndarray, np.ndarray]:
    """The EFC and SOH of the case's capacity checks (the first one is the fresh cell)."""
    rng = np.random.default_rng(case.seed)
    efc = np.linspace(0.0, case.last_efc, case.checks)
    soh = 1.0 - case.a * efc**case.z
    if case.knee_efc is not None:
        soh -= case.knee_b * np.clip(efc - case.knee_efc, 0.0, None) ** 2
    soh[1:] += rng.normal(0.0, case.noise, case.checks - 1)
    return efc, np.round(soh, 5)


def write_cycler_csv(
    out: TextIO,
    *,
    cycles: int,
    rows_per_cycle: int,
    capacity_ah: float = 2.5,
    seed: int = 5,
    knee_cycle: int | None = None,
) -> int:
    """A cycler export: each cycle a CC charge then a CC discharge at C/2 and 25 °C, the capacity
    fading by the law (and a knee if asked). Returns the number of data rows written."""
    rng = np.random.default_rng(seed)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CYCLER_COLUMNS)
    half = rows_per_cycle // 2
    current = capacity_ah / 2.0
    frac = np.linspace(0.0, 1.0, half)
    t = 0.0
    written = 0
    for cycle in range(1, cycles + 1):
        soh = 1.0 - 0.0015 * cycle**0.7
        if knee_cycle is not None and cycle > knee_cycle:
            soh -= 4e-5 * (cycle - knee_cycle) ** 2
        q = capacity_ah * soh
        duration = q / current * 3600.0
        v_charge = 3.2 + 1.0 * frac + rng.normal(0.0, 0.002, half)
        v_discharge = 4.2 - 1.2 * frac + rng.normal(0.0, 0.002, half)
        temperature = 25.0 + rng.normal(0.0, 0.3, rows_per_cycle)
        rows = []
        for k in range(half):
            qc = q * 1.002 * frac[k]
            rows.append(
                (cycle, round(t + duration * frac[k], 3), round(current, 4),
                 round(float(v_charge[k]), 4), round(qc, 5), 0.0,
                 round(qc * 3.7, 4), 0.0, round(float(temperature[k]), 2))
            )  # fmt: skip
        t += duration
        for k in range(half):
            qd = q * frac[k]
            rows.append(
                (cycle, round(t + duration * frac[k], 3), round(-current, 4),
                 round(float(v_discharge[k]), 4), round(q * 1.002, 5), round(qd, 5),
                 round(q * 1.002 * 3.7, 4), round(qd * 3.6, 4),
                 round(float(temperature[half + k]), 2))
            )  # fmt: skip
        t += duration
        writer.writerows(rows)
        written += len(rows)
    return written


def main(target: Path = FIXTURES) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        efc, soh = fade_history(case)
        with (target / f"fade_{case.name}.csv").open("w", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(("efc", "soh"))
            writer.writerows(zip(efc.tolist(), soh.tolist(), strict=True))
    with (target / "cycler_small.csv").open("w", newline="") as out:
        write_cycler_csv(out, cycles=40, rows_per_cycle=20)
    print(f"wrote {len(CASES)} fade histories and cycler_small.csv to {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES)
