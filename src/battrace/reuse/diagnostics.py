"""The diagnostics model: what an intake of a used battery (pack, module or cell group) records.

An intake holds the battery's rated data, the visual and safety inspection, open-circuit
voltages, capacity and energy checks at a stated temperature and C-rate, DC internal resistance
pulses, a self-discharge rest, optional impedance spectra, per-module measurements, the BMS
history and the capacity-check (fade) history. `read_intake` builds one from a JSON document
and reports every problem by its path; `intake_document` writes it back, so the stored document
is the input every result is recomputed from.

Units are in the field names: `_v`, `_a`, `_ah`, `_wh`, `_kwh`, `_c` (deg C), `_s`, `_h`,
`_mohm`, `_ohm_per_v`, `_kg`, `_pct`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from battrace import errors
from battrace.reuse.signals import dcir_mohm

LEVELS = ("pack", "module", "cell_group")
NEGATIVE_EVENTS = (
    "deep_discharge",
    "over_voltage",
    "over_temperature",
    "thermal_event",
    "isolation_fault",
    "crash",
)


@dataclass(frozen=True)
class RatedData:
    """The battery type's data (from the passport or the manufacturer's sheet)."""

    chemistry: str
    rated_capacity_ah: float
    rated_energy_wh: float
    nominal_voltage_v: float
    mass_kg: float
    certified_energy_wh: float | None = None
    rated_power_w: float | None = None
    initial_resistance_mohm: float | None = None
    manufactured: date | None = None
    calendar_expiry: date | None = None
    purchase_price: float | None = None


@dataclass(frozen=True)
class Inspection:
    inspected: bool = False
    swelling: bool = False
    leak: bool = False
    damage: bool = False
    corrosion: bool = False
    isolation_resistance_ohm_per_v: float | None = None
    bms_operational: bool | None = None
    notes: str = ""


@dataclass(frozen=True)
class CapacityCheck:
    """A reference charge then discharge: the delivered capacity and energy, and the charge
    energy put in before it (for the round-trip efficiency)."""

    capacity_ah: float
    temperature_c: float
    c_rate: float
    energy_wh: float | None = None
    charge_energy_wh: float | None = None


@dataclass(frozen=True)
class DcirPulse:
    """A current step at a fixed SOC: voltage and current just before it and `duration_s` in."""

    soc_pct: float
    temperature_c: float
    duration_s: float
    voltage_before_v: float
    voltage_after_v: float
    current_before_a: float
    current_after_a: float

    @property
    def resistance_mohm(self) -> float:
        return dcir_mohm(
            self.voltage_before_v, self.voltage_after_v, self.current_before_a, self.current_after_a
        )


@dataclass(frozen=True)
class SelfDischargeRest:
    hours: float
    soc_loss_pct: float
    ocv_start_v: float | None = None
    ocv_end_v: float | None = None


@dataclass(frozen=True)
class ImpedanceSpectrum:
    frequencies_hz: tuple[float, ...]
    real_ohm: tuple[float, ...]
    imag_ohm: tuple[float, ...]


@dataclass(frozen=True)
class ModuleMeasure:
    module: str
    ocv_v: float | None = None
    capacity_ah: float | None = None
    resistance_mohm: float | None = None


@dataclass(frozen=True)
class NegativeEvent:
    kind: str
    on: date | None = None
    note: str = ""


@dataclass(frozen=True)
class BmsHistory:
    full_cycles: float | None = None
    energy_throughput_kwh: float | None = None
    capacity_throughput_ah: float | None = None
    hours_extreme_high_temp: float | None = None
    hours_extreme_low_temp: float | None = None
    negative_events: tuple[NegativeEvent, ...] = ()
    repairs: tuple[str, ...] = ()
    lifetime_data_complete: bool = False


@dataclass(frozen=True)
class FadePoint:
    """One capacity check of the history: state of health at a number of equivalent full
    cycles (EFC)."""

    efc: float
    soh: float


@dataclass(frozen=True)
class Intake:
    rated: RatedData
    inspection: Inspection
    capacity_checks: tuple[CapacityCheck, ...]
    level: str = "pack"
    requested_level: str = "pack"
    ocv_v: float | None = None
    pulses: tuple[DcirPulse, ...] = ()
    self_discharge: SelfDischargeRest | None = None
    spectra: tuple[ImpedanceSpectrum, ...] = ()
    modules: tuple[ModuleMeasure, ...] = ()
    bms: BmsHistory = field(default_factory=BmsHistory)
    history: tuple[FadePoint, ...] = ()
    tested_on: date | None = None


# ------------------------------------------------------------------------------ reading


class _Reader:
    """Reads a JSON document field by field, collecting every problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def obj(self, value: object, path: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, "must be an object.")
            return {}
        return value

    def items(self, value: object, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list.")
            return []
        return value

    def number(
        self,
        doc: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        low: float | None = None,
        high: float | None = None,
    ) -> float | None:
        value = doc.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.fail(where, "is required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, "must be a number.")
            return None
        number = float(value)
        if not math.isfinite(number):
            self.fail(where, "must be finite.")
            return None
        if low is not None and number < low:
            self.fail(where, f"must be ≥ {low:g}.")
            return None
        if high is not None and number > high:
            self.fail(where, f"must be ≤ {high:g}.")
            return None
        return number

    def need(self, doc: Mapping[str, Any], key: str, path: str, **limits: float) -> float:
        found = self.number(doc, key, path, required=True, **limits)
        return 0.0 if found is None else found

    def flag(self, doc: Mapping[str, Any], key: str, path: str) -> bool:
        value = doc.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", "must be true or false.")
            return False
        return value

    def text(self, doc: Mapping[str, Any], key: str, path: str, default: str = "") -> str:
        value = doc.get(key, default)
        if not isinstance(value, str):
            self.fail(f"{path}.{key}" if path else key, "must be text.")
            return default
        return value

    def day(self, doc: Mapping[str, Any], key: str, path: str) -> date | None:
        value = doc.get(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{path}.{key}" if path else key, "must be a date YYYY-MM-DD.")
            return None

    def choice(self, doc: Mapping[str, Any], key: str, options: Sequence[str], default: str) -> str:
        value = self.text(doc, key, "", default)
        if value not in options:
            self.fail(key, f"must be one of {', '.join(options)}.")
            return default
        return value


def _rated(r: _Reader, doc: Mapping[str, Any]) -> RatedData:
    rated_doc = r.obj(doc.get("rated"), "rated")
    rated = RatedData(
        chemistry=r.text(rated_doc, "chemistry", "rated", "").strip().upper(),
        rated_capacity_ah=r.need(rated_doc, "rated_capacity_ah", "rated", low=1e-6),
        rated_energy_wh=r.need(rated_doc, "rated_energy_wh", "rated", low=1e-6),
        nominal_voltage_v=r.need(rated_doc, "nominal_voltage_v", "rated", low=1e-6),
        mass_kg=r.need(rated_doc, "mass_kg", "rated", low=1e-6),
        certified_energy_wh=r.number(rated_doc, "certified_energy_wh", "rated", low=1e-6),
        rated_power_w=r.number(rated_doc, "rated_power_w", "rated", low=1e-6),
        initial_resistance_mohm=r.number(rated_doc, "initial_resistance_mohm", "rated", low=1e-9),
        manufactured=r.day(rated_doc, "manufactured", "rated"),
        calendar_expiry=r.day(rated_doc, "calendar_expiry", "rated"),
        purchase_price=r.number(rated_doc, "purchase_price", "rated", low=0),
    )
    if not rated.chemistry:
        r.fail("rated.chemistry", "is required.")
    return rated


def _inspection(r: _Reader, doc: Mapping[str, Any]) -> Inspection:
    insp = r.obj(doc.get("inspection"), "inspection")
    bms_ok = insp.get("bms_operational")
    if bms_ok is not None and not isinstance(bms_ok, bool):
        r.fail("inspection.bms_operational", "must be true or false.")
        bms_ok = None
    return Inspection(
        inspected=(
            r.flag(insp, "inspected", "inspection") if "inspected" in insp else "inspection" in doc
        ),
        swelling=r.flag(insp, "swelling", "inspection"),
        leak=r.flag(insp, "leak", "inspection"),
        damage=r.flag(insp, "damage", "inspection"),
        corrosion=r.flag(insp, "corrosion", "inspection"),
        isolation_resistance_ohm_per_v=r.number(
            insp, "isolation_resistance_ohm_per_v", "inspection", low=0
        ),
        bms_operational=bms_ok,
        notes=r.text(insp, "notes", "inspection"),
    )


def _checks(r: _Reader, doc: Mapping[str, Any]) -> tuple[list[CapacityCheck], list[DcirPulse]]:
    checks = []
    for n, item in enumerate(r.items(doc.get("capacity_checks"), "capacity_checks")):
        path = f"capacity_checks[{n}]"
        c = r.obj(item, path)
        checks.append(
            CapacityCheck(
                capacity_ah=r.need(c, "capacity_ah", path, low=0),
                temperature_c=r.need(c, "temperature_c", path, low=-60, high=100),
                c_rate=r.need(c, "c_rate", path, low=1e-6),
                energy_wh=r.number(c, "energy_wh", path, low=0),
                charge_energy_wh=r.number(c, "charge_energy_wh", path, low=1e-9),
            )
        )
    if not checks:
        r.fail("capacity_checks", "at least one capacity check is required.")
    pulses = []
    for n, item in enumerate(r.items(doc.get("pulses"), "pulses")):
        path = f"pulses[{n}]"
        p = r.obj(item, path)
        pulse = DcirPulse(
            soc_pct=r.need(p, "soc_pct", path, low=0, high=100),
            temperature_c=r.need(p, "temperature_c", path, low=-60, high=100),
            duration_s=r.need(p, "duration_s", path, low=1e-6),
            voltage_before_v=r.need(p, "voltage_before_v", path),
            voltage_after_v=r.need(p, "voltage_after_v", path),
            current_before_a=r.need(p, "current_before_a", path),
            current_after_a=r.need(p, "current_after_a", path),
        )
        if pulse.current_after_a == pulse.current_before_a:
            r.fail(path, "the current does not change, so no resistance can be computed.")
        else:
            pulses.append(pulse)
    return checks, pulses


def _bms(r: _Reader, doc: Mapping[str, Any]) -> BmsHistory:
    b = r.obj(doc.get("bms"), "bms")
    events = []
    for n, item in enumerate(r.items(b.get("negative_events"), "bms.negative_events")):
        path = f"bms.negative_events[{n}]"
        ev = r.obj(item, path)
        kind = r.text(ev, "kind", path)
        if kind not in NEGATIVE_EVENTS:
            r.fail(f"{path}.kind", f"must be one of {', '.join(NEGATIVE_EVENTS)}.")
        events.append(
            NegativeEvent(kind=kind, on=r.day(ev, "on", path), note=r.text(ev, "note", path))
        )
    repairs = r.items(b.get("repairs"), "bms.repairs")
    if not all(isinstance(x, str) for x in repairs):
        r.fail("bms.repairs", "must be a list of text.")
        repairs = []
    return BmsHistory(
        full_cycles=r.number(b, "full_cycles", "bms", low=0),
        energy_throughput_kwh=r.number(b, "energy_throughput_kwh", "bms", low=0),
        capacity_throughput_ah=r.number(b, "capacity_throughput_ah", "bms", low=0),
        hours_extreme_high_temp=r.number(b, "hours_extreme_high_temp", "bms", low=0),
        hours_extreme_low_temp=r.number(b, "hours_extreme_low_temp", "bms", low=0),
        negative_events=tuple(events),
        repairs=tuple(repairs),
        lifetime_data_complete=r.flag(b, "lifetime_data_complete", "bms"),
    )


def read_intake(document: object) -> Intake:
    """An intake from its JSON document; `InvalidRequest` lists every problem by path."""
    r = _Reader()
    doc = r.obj(document, "document")
    rated = _rated(r, doc)
    inspection = _inspection(r, doc)
    checks, pulses = _checks(r, doc)
    rest_doc = doc.get("self_discharge")
    rest = None
    if rest_doc is not None:
        s = r.obj(rest_doc, "self_discharge")
        rest = SelfDischargeRest(
            hours=r.need(s, "hours", "self_discharge", low=1e-6),
            soc_loss_pct=r.need(s, "soc_loss_pct", "self_discharge", low=0, high=100),
            ocv_start_v=r.number(s, "ocv_start_v", "self_discharge"),
            ocv_end_v=r.number(s, "ocv_end_v", "self_discharge"),
        )
    spectra = []
    for n, item in enumerate(r.items(doc.get("spectra"), "spectra")):
        path = f"spectra[{n}]"
        e = r.obj(item, path)
        columns = [
            r.items(e.get(k), f"{path}.{k}") for k in ("frequencies_hz", "real_ohm", "imag_ohm")
        ]
        if len({len(c) for c in columns}) != 1 or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for c in columns for v in c
        ):
            r.fail(path, "frequencies_hz, real_ohm and imag_ohm: numbers, of equal length.")
            continue
        spectra.append(ImpedanceSpectrum(*(tuple(float(v) for v in c) for c in columns)))
    modules = []
    for n, item in enumerate(r.items(doc.get("modules"), "modules")):
        path = f"modules[{n}]"
        m = r.obj(item, path)
        modules.append(
            ModuleMeasure(
                module=r.text(m, "module", path, str(n + 1)),
                ocv_v=r.number(m, "ocv_v", path),
                capacity_ah=r.number(m, "capacity_ah", path, low=0),
                resistance_mohm=r.number(m, "resistance_mohm", path, low=0),
            )
        )
    bms = _bms(r, doc)
    history = []
    for n, item in enumerate(r.items(doc.get("history"), "history")):
        path = f"history[{n}]"
        h = r.obj(item, path)
        history.append(
            FadePoint(
                efc=r.need(h, "efc", path, low=0), soh=r.need(h, "soh", path, low=0, high=1.5)
            )
        )
    if any(q.efc <= p.efc for p, q in itertools.pairwise(history)):
        r.fail("history", "points must be in increasing efc order.")
    intake = Intake(
        rated=rated,
        inspection=inspection,
        capacity_checks=tuple(checks),
        level=r.choice(doc, "level", LEVELS, "pack"),
        requested_level=r.choice(doc, "requested_level", LEVELS, "pack"),
        ocv_v=r.number(doc, "ocv_v", ""),
        pulses=tuple(pulses),
        self_discharge=rest,
        spectra=tuple(spectra),
        modules=tuple(modules),
        bms=bms,
        history=tuple(history),
        tested_on=r.day(doc, "tested_on", ""),
    )
    if r.problems:
        raise errors.ValidationFailed("; ".join(r.problems), detail="intake")
    return intake


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    names = getattr(value, "__dataclass_fields__", None)
    if names is not None:
        found = ((k, getattr(value, k)) for k in names)
        return {k: _plain(v) for k, v in found if v is not None}
    return value


def intake_document(intake: Intake) -> dict[str, Any]:
    """The intake as the JSON document `read_intake` reads (dates as ISO text, no nulls)."""
    document = _plain(intake)
    assert isinstance(document, dict)  # noqa: S101 (a dataclass gives a dict)
    return document
