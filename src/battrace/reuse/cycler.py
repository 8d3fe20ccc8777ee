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
import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

import numpy as np

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

    def add(
        self,
        *,
        rows: int,
        dq: float,
        cq: float | None,
        ce: float | None,
        de: float | None,
        t_sum: float,
        t_n: int,
        i_sum: float,
        i_n: int,
    ) -> None:
        """Fold in the figures of consecutive rows of this cycle."""
        self.rows += rows
        self.dq = max(self.dq, dq)
        self.cq = cq if self.cq is None else self.cq if cq is None else max(self.cq, cq)
        self.ce = ce if self.ce is None else self.ce if ce is None else max(self.ce, ce)
        self.de = de if self.de is None else self.de if de is None else max(self.de, de)
        self.t_sum += t_sum
        self.t_n += t_n
        self.i_sum += i_sum
        self.i_n += i_n

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


class _Checker:
    """Checks and summarises rows in order, chunk by chunk, keeping what spans chunks: the
    cycle being read, the last time, the problems so far."""

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        self.at = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
        self.cycles: list[Cycle] = []
        self.running = _Cycle()
        self.current_cycle = -1
        self.last_time = float("-inf")
        self.row_number = 0
        self.problems: list[str] = []

    def fail(self, column: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"row {self.row_number}, {column}: {message}")
        else:
            self.problems.append("")  # counted, not listed

    def _start(self, cycle: int) -> None:
        if self.current_cycle >= 0:
            self.cycles.append(self.running.close(self.current_cycle))
        self.running = _Cycle()
        self.current_cycle = cycle

    def rows(self, lines: list[str]) -> None:
        """Row by row, naming every problem by row and column."""
        ci, ti, ii, vi, dqi = (self.at[c] for c in REQUIRED)
        cqi, cei, dei, tei = (self.at.get(c) for c in OPTIONAL)
        fail = self.fail
        for row in csv.reader(lines):
            self.row_number += 1
            if len(row) != self.width:
                fail("row", f"{len(row)} cells, the header has {self.width}.")
                continue
            try:
                cycle_value = float(row[ci])
                t = float(row[ti])
                i = float(row[ii])
                v = float(row[vi])
                dq = float(row[dqi])
                cq = float(row[cqi]) if cqi is not None and row[cqi] else None
                ce = float(row[cei]) if cei is not None and row[cei] else None
                de = float(row[dei]) if dei is not None and row[dei] else None
                temp = float(row[tei]) if tei is not None and row[tei] else None
                if not cycle_value.is_integer():
                    raise ValueError(row[ci])
            except ValueError:
                _name_bad_cells(row, self.at, fail)
                continue
            cycle = int(cycle_value)
            if not (
                self.current_cycle <= cycle
                and t >= self.last_time
                and 0.0 <= v <= 1500.0
                and -10000.0 <= i <= 10000.0
                and dq >= 0.0
                and (cq is None or cq >= 0.0)
                and (ce is None or ce >= 0.0)
                and (de is None or de >= 0.0)
                and (temp is None or -60.0 <= temp <= 100.0)
            ):
                if cycle < self.current_cycle or cycle < 0:
                    fail("cycle_index", f"{cycle} after {self.current_cycle}: must not decrease.")
                    continue
                _name_out_of_range(t, self.last_time, v, i, dq, (cq, ce, de), temp, fail)
            self.last_time = t
            if cycle != self.current_cycle:
                self._start(cycle)
            running = self.running
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

    def fast(self, lines: list[str]) -> bool:
        """The whole chunk as arrays, when every cell is a number and every check passes
        (the common case); False, with nothing changed, for the row-by-row path to name the
        problems."""
        if self.problems or any(len(line) < 3 or '"' in line for line in lines):
            return False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                table = np.loadtxt(lines, delimiter=",", dtype=np.float64, ndmin=2, comments=None)
        except (ValueError, UserWarning):
            return False
        if table.shape[1] != self.width:
            return False
        col = {name: table[:, k] for name, k in self.at.items()}
        c, t, i, v, dq = (col[name] for name in REQUIRED)
        optional = [col.get(name) for name in OPTIONAL]
        cq, ce, de, temp = optional
        with np.errstate(invalid="ignore"):
            good = (
                bool(np.all(c == np.floor(c)))
                and c[0] >= max(self.current_cycle, 0)
                and bool(np.all(np.diff(c) >= 0))
                and t[0] >= self.last_time
                and bool(np.all(np.diff(t) >= 0))
                and bool(np.all((v >= 0.0) & (v <= 1500.0)))
                and bool(np.all((i >= -10000.0) & (i <= 10000.0)))
                and bool(np.all(dq >= 0.0))
                and all(x is None or bool(np.all(x >= 0.0)) for x in (cq, ce, de))
                and (temp is None or bool(np.all((temp >= -60.0) & (temp <= 100.0))))
            )
        if not good:
            return False
        starts = np.concatenate(([0], np.flatnonzero(np.diff(c)) + 1))
        counts = np.diff(np.append(starts, len(c)))
        discharging = i < 0.0
        by_cycle = {
            "dq": np.maximum.reduceat(dq, starts),
            "i_sum": np.add.reduceat(np.where(discharging, -i, 0.0), starts),
            "i_n": np.add.reduceat(discharging.astype(np.int64), starts),
        }
        for name, values in (("cq", cq), ("ce", ce), ("de", de)):
            if values is not None:
                by_cycle[name] = np.maximum.reduceat(values, starts)
        if temp is not None:
            by_cycle["t_sum"] = np.add.reduceat(temp, starts)
        for k, start in enumerate(starts):
            cycle = int(c[start])
            if cycle != self.current_cycle:
                self._start(cycle)
            self.running.add(
                rows=int(counts[k]),
                dq=float(by_cycle["dq"][k]),
                cq=float(by_cycle["cq"][k]) if "cq" in by_cycle else None,
                ce=float(by_cycle["ce"][k]) if "ce" in by_cycle else None,
                de=float(by_cycle["de"][k]) if "de" in by_cycle else None,
                t_sum=float(by_cycle["t_sum"][k]) if "t_sum" in by_cycle else 0.0,
                t_n=int(counts[k]) if "t_sum" in by_cycle else 0,
                i_sum=float(by_cycle["i_sum"][k]),
                i_n=int(by_cycle["i_n"][k]),
            )
        self.last_time = float(t[-1])
        self.row_number += len(lines)
        return True


def read_cycler_csv(
    source: IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = PROGRESS_EVERY,
) -> CyclerFile:
    """Stream, check and summarise a cycler CSV (UTF-8). `progress(rows)` is called after
    every chunk of `every` rows (the last one: all of them). A chunk whose cells are all
    numbers and pass every check is handled as arrays; any other is read row by row, naming
    its problems. A cell may not hold a line break."""
    hashing = _Hashing(source)
    text = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 20), encoding="utf-8", newline="")
    try:
        first = next(csv.reader([text.readline()]), None)
    except UnicodeDecodeError:
        raise errors.ValidationFailed("file: not UTF-8 text.") from None
    if not first:
        raise errors.ValidationFailed("file: empty; a header row is required.")
    header = [name.strip().lower() for name in first]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise errors.ValidationFailed(f"header: missing column(s) {', '.join(missing)}.")
    checker = _Checker(header)
    try:
        while lines := list(itertools.islice(text, every)):
            if not checker.fast(lines):
                checker.rows(lines)
            if progress is not None:
                progress(checker.row_number)
    except UnicodeDecodeError:
        checker.fail("file", "not UTF-8 text from here on.")
    except csv.Error as exc:
        checker.fail("file", f"unreadable CSV ({exc}).")
    if checker.current_cycle >= 0:
        checker.cycles.append(checker.running.close(checker.current_cycle))
    problems = checker.problems
    if problems:
        listed = [p for p in problems if p]
        more = len(problems) - len(listed)
        tail = f"; and {more} more" if more else ""
        raise errors.ValidationFailed("; ".join(listed) + tail, detail="cycler file")
    if not checker.cycles:
        raise errors.ValidationFailed("file: no data rows.")
    return CyclerFile(
        cycles=tuple(checker.cycles), rows=checker.row_number, sha256=hashing.digest.hexdigest()
    )


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
    if not t >= last_time:
        fail("test_time", f"{t:g} s is before the previous row's {last_time:g} s.")
    if not 0.0 <= v <= 1500.0:
        fail("voltage", f"{v:g} V is outside 0–1500 V.")
    if not -10000.0 <= i <= 10000.0:
        fail("current", f"{i:g} A is outside ±10000 A.")
    if not dq >= 0.0:
        fail("discharge_capacity", "must be ≥ 0.")
    if any(x is not None and not x >= 0.0 for x in others):
        fail("charge_capacity/energy", "capacities and energies must be ≥ 0.")
    if temp is not None and not -60.0 <= temp <= 100.0:
        fail("temperature", f"{temp:g} °C is outside −60–100 °C.")


def _name_bad_cells(row: list[str], at: dict[str, int], fail: Callable[[str, str], None]) -> None:
    for name, index in at.items():
        cell = row[index]
        if name not in REQUIRED and cell == "":
            continue
        try:
            number = float(cell)
            if name == "cycle_index" and not number.is_integer():
                raise ValueError(cell)
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
