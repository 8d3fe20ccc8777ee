"""Cycler exports: a CSV of time series, streamed, every row checked, summarised per cycle.

Columns follow the open cycler-data tools' conventions (BEEP's structured data, in snake case);
the header names them, in any order, and unknown columns are ignored:

| column | unit | required | check |
|---|---|---|---|
| `cycle_index` | – | yes | an integer ≥ 0, never decreasing |
| `test_time` | s | yes | a number, never decreasing |
| `current` | A | yes | a number, \\|I\\| ≤ 10,000 (discharge negative) |
| `voltage` | V | yes | 0 ≤ V ≤ 1,500 |
| `charge_capacity` | Ah | no | ≥ 0 |
| `discharge_capacity` | Ah | yes | ≥ 0 |
| `charge_energy` | Wh | no | ≥ 0 |
| `discharge_energy` | Wh | no | ≥ 0 |
| `temperature` | °C | no | −60 ≤ T ≤ 100 |

An empty optional cell is allowed. A refused file raises `ValidationFailed` naming each problem
by row (1 = the first data row) and column, the first 100 of them, and nothing is kept. The
summary of an accepted file is one row per cycle (its largest charge/discharge capacity and
energy, mean temperature and mean discharge current), from which the intake takes its fade
history and latest capacity check.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from battrace import errors

REQUIRED = ("cycle_index", "test_time", "current", "voltage", "discharge_capacity")
OPTIONAL = ("charge_capacity", "charge_energy", "discharge_energy", "temperature")
MAX_PROBLEMS = 100
MAX_HISTORY_POINTS = 200
PROGRESS_EVERY = 50_000


@dataclass(frozen=True)
class Cycle:
    cycle_index: int
    discharge_capacity_ah: float
    charge_capacity_ah: float | None
    discharge_energy_wh: float | None
    charge_energy_wh: float | None
    mean_temperature_c: float | None
    mean_discharge_current_a: float | None
    rows: int


@dataclass(frozen=True)
class CyclerFile:
    cycles: tuple[Cycle, ...]
    rows: int
    sha256: str


class _Hashing(io.RawIOBase):
    """A binary stream that hashes what is read through it."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.source.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


class _Cycle:
    """Running figures of the cycle being read."""

    __slots__ = ("ce", "cq", "de", "dq", "i_n", "i_sum", "rows", "t_n", "t_sum")

    def __init__(self) -> None:
        self.dq = 0.0
        self.cq: float | None = None
        self.de: float | None = None
        self.ce: float | None = None
        self.t_sum = 0.0
        self.t_n = 0
        self.i_sum = 0.0
        self.i_n = 0
        self.rows = 0

    def close(self, index: int) -> Cycle:
        return Cycle(
            cycle_index=index,
            discharge_capacity_ah=self.dq,
            charge_capacity_ah=self.cq,
            discharge_energy_wh=self.de,
            charge_energy_wh=self.ce,
            mean_temperature_c=self.t_sum / self.t_n if self.t_n else None,
            mean_discharge_current_a=self.i_sum / self.i_n if self.i_n else None,
            rows=self.rows,
        )


def read_cycler_csv(  # noqa: PLR0915 (the per-row loop is kept inline: it runs a million times)
    source: IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = PROGRESS_EVERY,
) -> CyclerFile:
    """Stream, check and summarise a cycler CSV (UTF-8). `progress(rows)` is called every
    `every` rows and at the end."""
    hashing = _Hashing(source)
    text = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 20), encoding="utf-8", newline="")
    reader = csv.reader(text)
    problems: list[str] = []
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise errors.ValidationFailed("file: empty; a header row is required.") from None
    except UnicodeDecodeError:
        raise errors.ValidationFailed("file: not UTF-8 text.") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise errors.ValidationFailed(f"header: missing column(s) {', '.join(missing)}.")
    at = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    ci, ti, ii, vi, dqi = (at[c] for c in REQUIRED)
    cqi, cei, dei, tei = (at.get(c) for c in OPTIONAL)
    width = len(header)
    cycles: list[Cycle] = []
    running = _Cycle()
    current_cycle = -1
    last_time = float("-inf")
    row_number = 0

    def fail(column: str, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(f"row {row_number}, {column}: {message}")
        else:
            problems.append("")  # counted, not listed

    try:
        for row in reader:
            row_number += 1
            if progress is not None and row_number % every == 0:
                progress(row_number)
            if len(row) != width:
                fail("row", f"{len(row)} cells, the header has {width}.")
                continue
            try:
                cycle = int(row[ci])
                t = float(row[ti])
                i = float(row[ii])
                v = float(row[vi])
                dq = float(row[dqi])
                cq = float(row[cqi]) if cqi is not None and row[cqi] else None
                ce = float(row[cei]) if cei is not None and row[cei] else None
                de = float(row[dei]) if dei is not None and row[dei] else None
                temp = float(row[tei]) if tei is not None and row[tei] else None
            except ValueError:
                _name_bad_cells(row, at, fail)
                continue
            if not (
                current_cycle <= cycle
                and t >= last_time
                and 0.0 <= v <= 1500.0
                and -10000.0 <= i <= 10000.0
                and dq >= 0.0
                and (cq is None or cq >= 0.0)
                and (ce is None or ce >= 0.0)
                and (de is None or de >= 0.0)
                and (temp is None or -60.0 <= temp <= 100.0)
            ):
                if cycle < current_cycle or cycle < 0:
                    fail("cycle_index", f"{cycle} after {current_cycle}: must not decrease.")
                    continue
                _name_out_of_range(t, last_time, v, i, dq, (cq, ce, de), temp, fail)
            last_time = t
            if cycle != current_cycle:
                if current_cycle >= 0:
                    cycles.append(running.close(current_cycle))
                running = _Cycle()
                current_cycle = cycle
            running.rows += 1
            if dq > running.dq:  # noqa: PLR1730 (an if is cheaper than max() per row)
                running.dq = dq
            if cq is not None and (running.cq is None or cq > running.cq):
                running.cq = cq
            if de is not None and (running.de is None or de > running.de):
                running.de = de
            if ce is not None and (running.ce is None or ce > running.ce):
                running.ce = ce
            if temp is not None:
                running.t_sum += temp
                running.t_n += 1
            if i < 0.0:
                running.i_sum -= i
                running.i_n += 1
    except UnicodeDecodeError:
        fail("file", "not UTF-8 text from here on.")
    except csv.Error as exc:
        fail("file", f"unreadable CSV ({exc}).")
    if current_cycle >= 0:
        cycles.append(running.close(current_cycle))
    if progress is not None:
        progress(row_number)
    if problems:
        listed = [p for p in problems if p]
        more = len(problems) - len(listed)
        tail = f"; and {more} more" if more else ""
        raise errors.ValidationFailed("; ".join(listed) + tail, detail="cycler file")
    if not cycles:
        raise errors.ValidationFailed("file: no data rows.")
    return CyclerFile(cycles=tuple(cycles), rows=row_number, sha256=hashing.digest.hexdigest())


def _name_out_of_range(
    t: float,
    last_time: float,
    v: float,
    i: float,
    dq: float,
    others: tuple[float | None, ...],
    temp: float | None,
    fail: Callable[[str, str], None],
) -> None:
    if t < last_time:
        fail("test_time", f"{t:g} s is before the previous row's {last_time:g} s.")
    if not 0.0 <= v <= 1500.0:
        fail("voltage", f"{v:g} V is outside 0–1500 V.")
    if not -10000.0 <= i <= 10000.0:
        fail("current", f"{i:g} A is outside ±10000 A.")
    if dq < 0.0:
        fail("discharge_capacity", "must be ≥ 0.")
    if any(x is not None and x < 0.0 for x in others):
        fail("charge_capacity/energy", "capacities and energies must be ≥ 0.")
    if temp is not None and not -60.0 <= temp <= 100.0:
        fail("temperature", f"{temp:g} °C is outside −60–100 °C.")


def _name_bad_cells(row: list[str], at: dict[str, int], fail: Callable[[str, str], None]) -> None:
    for name, index in at.items():
        cell = row[index]
        if name not in REQUIRED and cell == "":
            continue
        try:
            int(cell) if name == "cycle_index" else float(cell)
        except ValueError:
            kind = "an integer" if name == "cycle_index" else "a number"
            fail(name, f"{cell[:40]!r} is not {kind}.")


def fade_history(cycles: tuple[Cycle, ...], rated_capacity_ah: float) -> list[dict[str, float]]:
    """The intake's history from the cycles: EFC = discharged charge so far over the rated
    capacity; SOH = the cycle's discharge capacity over the rated. Thinned evenly to at most
    200 points, the last cycle always kept."""
    points = []
    throughput = 0.0
    for cycle in cycles:
        throughput += cycle.discharge_capacity_ah
        points.append(
            {
                "efc": round(throughput / rated_capacity_ah, 5),
                "soh": round(cycle.discharge_capacity_ah / rated_capacity_ah, 5),
            }
        )
    if len(points) > MAX_HISTORY_POINTS:
        step = len(points) / (MAX_HISTORY_POINTS - 1)
        kept = sorted({int(k * step) for k in range(MAX_HISTORY_POINTS - 1)} | {len(points) - 1})
        points = [points[k] for k in kept]
    return points


def latest_check(cycles: tuple[Cycle, ...], rated_capacity_ah: float) -> dict[str, float]:
    """The last cycle as a capacity check (its temperature and C-rate as measured; 25 °C and
    C/3 are assumed when the file has no temperature or discharge current)."""
    last = cycles[-1]
    check: dict[str, float] = {
        "capacity_ah": round(last.discharge_capacity_ah, 5),
        "temperature_c": round(last.mean_temperature_c, 3)
        if last.mean_temperature_c is not None
        else 25.0,
        "c_rate": round(last.mean_discharge_current_a / rated_capacity_ah, 5)
        if last.mean_discharge_current_a
        else 1 / 3,
    }
    if last.discharge_energy_wh is not None:
        check["energy_wh"] = round(last.discharge_energy_wh, 5)
    if last.charge_energy_wh:
        check["charge_energy_wh"] = round(last.charge_energy_wh, 5)
    return check
