"""One assessment: intake → state of health → grade → remaining life → value, for one battery
or a fleet, with the inputs that reproduce it.

`assess_fleet` groups batteries by the number of points in their fade history and computes
their remaining lives as arrays (`life.remaining_life`); `assess` is a fleet of one, so a
battery gets the same numbers alone or among 10,000. `recompute` runs an assessment again from
its stored inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from battrace import errors
from battrace.reuse import life as life_law
from battrace.reuse.diagnostics import Intake, intake_document, read_intake
from battrace.reuse.grading import RECYCLE, Grading, GradingRules, grade, rules_from_table
from battrace.reuse.health import Health, assess_health, chemistry_family
from battrace.reuse.life import Life
from battrace.reuse.valuation import (
    DEFAULT_CONTENT_KG_PER_KWH,
    METHOD_VERSION,
    PriceTable,
    Valuation,
    canonical_digest,
    deliverable_energy_kwh,
    haircut,
    input_hash,
    recycle_value,
    value,
)

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Case:
    """What one assessment is computed from."""

    intake: Intake
    rules: GradingRules
    prices: PriceTable
    assessed_on: date
    composition_kg: Mapping[str, float] | None = None
    document: Mapping[str, Any] | None = None
    """The intake's normalised document (`intake_document`), when the caller has it already."""

    def inputs(self, tables: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
        """The inputs as JSON values; `tables` memoises the rule and price tables that many
        cases share (by object identity)."""
        memo = {} if tables is None else tables
        rules = memo.get(id(self.rules)) or memo.setdefault(id(self.rules), self.rules.as_table())
        prices = memo.get(id(self.prices)) or memo.setdefault(
            id(self.prices), self.prices.as_table()
        )
        return {
            "intake": self.document if self.document is not None else intake_document(self.intake),
            "rules": rules,
            "prices": prices,
            "composition_kg": dict(self.composition_kg) if self.composition_kg else None,
            "assessed_on": self.assessed_on.isoformat(),
        }


@dataclass(frozen=True)
class Assessment:
    health: Health
    grading: Grading
    life: Life | None
    valuation: Valuation
    n_now: float | None
    history: tuple[tuple[float, float], ...]
    composition_default: bool
    method_version: str
    inputs: dict[str, Any]
    input_hash: str


def usage_efc(intake: Intake) -> float | None:
    """Equivalent full cycles so far: the BMS count, else the energy throughput over the rated
    energy, else the last capacity check of the history."""
    if intake.bms.full_cycles is not None:
        return intake.bms.full_cycles
    if intake.bms.energy_throughput_kwh is not None:
        return intake.bms.energy_throughput_kwh * 1000.0 / intake.rated.rated_energy_wh
    return intake.history[-1].efc if intake.history else None


def fade_points(intake: Intake, soh_now: float, n_now: float) -> tuple[tuple[float, float], ...]:
    """The history before now, then the current measurement."""
    earlier = tuple((p.efc, p.soh) for p in intake.history if p.efc < n_now)
    return (*earlier, (n_now, soh_now))


def cap_efc(case: Case) -> float:
    years = case.prices.years_cap
    expiry = case.intake.rated.calendar_expiry
    if expiry is not None:
        years = min(years, max((expiry - case.assessed_on).days / DAYS_PER_YEAR, 0.0))
    return case.prices.efc_per_year * years


def _lives(
    cases: Sequence[Case], points: Sequence[tuple[tuple[float, float], ...] | None]
) -> list[Life | None]:
    lives: list[Life | None] = [None] * len(cases)
    groups: dict[int, list[int]] = {}
    for k, history in enumerate(points):
        if history is not None:
            groups.setdefault(len(history), []).append(k)
    for members in groups.values():
        arr = np.array([points[k] for k in members], dtype=np.float64)
        z = [
            life_law.CHEMISTRY_Z.get(
                chemistry_family(cases[k].intake.rated.chemistry), life_law.DEFAULT_Z
            )
            for k in members
        ]
        found = life_law.remaining_life(
            arr[:, :, 0],
            arr[:, :, 1],
            soh_eol=np.array([cases[k].rules.soh_eol for k in members]),
            cap_efc=np.array([cap_efc(cases[k]) for k in members]),
            z_default=np.array([d for d, _ in z]),
            z_conservative=np.array([c for _, c in z]),
        )
        for row, k in enumerate(members):
            history = points[k]
            assert history is not None  # noqa: S101 (grouped above)
            lives[k] = found.row(
                row, fitted=len(history) >= 3, n_now=history[-1][0], soh_now=history[-1][1]
            )
    return lives


def assess_fleet(cases: Sequence[Case]) -> list[Assessment]:
    """Assess every case; remaining lives are computed as arrays per history length."""
    healths = [assess_health(c.intake) for c in cases]
    gradings = [
        grade(c.intake, h, c.rules, c.assessed_on) for c, h in zip(cases, healths, strict=True)
    ]
    usages = [usage_efc(c.intake) for c in cases]
    points = [
        fade_points(c.intake, h.soh, n) if n is not None else None
        for c, h, n in zip(cases, healths, usages, strict=True)
    ]
    lives = _lives(cases, points)
    tables: dict[int, dict[str, Any]] = {}
    digests: dict[int, str] = {}
    results = []
    for case, health, grading, n_now, history, found in zip(
        cases, healths, gradings, usages, points, lives, strict=True
    ):
        rated_kwh = case.intake.rated.rated_energy_wh / 1000.0
        composition = case.composition_kg
        if not composition:
            per_kwh = DEFAULT_CONTENT_KG_PER_KWH.get(
                chemistry_family(case.intake.rated.chemistry), {}
            )
            composition = {m: kg * rated_kwh for m, kg in per_kwh.items()}
        recycle = recycle_value(
            case.prices, contents_kg=composition, mass_kg=case.intake.rated.mass_kg
        )
        energy = h = 0.0
        if found is not None:
            energy = deliverable_energy_kwh(
                case.prices,
                rated_energy_kwh=rated_kwh,
                n_rem=found.n_rem_p50,
                soh_now=found.soh_now,
                soh_eol=case.rules.soh_eol,
            )
            h = haircut(
                case.prices,
                relative_uncertainty=found.relative_uncertainty,
                missing=len(grading.missing_data),
            )
        valuation = value(
            case.prices,
            rated_energy_kwh=rated_kwh,
            energy_kwh=energy,
            h=h,
            repurposable=found is not None and grading.grade != RECYCLE,
            recycle=recycle,
            purchase_price=case.intake.rated.purchase_price,
        )
        inputs = case.inputs(tables)
        shared = {
            "rules": digests.get(id(case.rules))
            or digests.setdefault(id(case.rules), canonical_digest(inputs["rules"])),
            "prices": digests.get(id(case.prices))
            or digests.setdefault(id(case.prices), canonical_digest(inputs["prices"])),
        }
        results.append(
            Assessment(
                health=health,
                grading=grading,
                life=found,
                valuation=valuation,
                n_now=n_now,
                history=history or (),
                composition_default=not case.composition_kg,
                method_version=METHOD_VERSION,
                inputs=inputs,
                input_hash=input_hash(inputs, digests=shared),
            )
        )
    return results


def assess(case: Case) -> Assessment:
    return assess_fleet([case])[0]


def case_from_inputs(inputs: Mapping[str, Any]) -> Case:
    """The case a stored assessment was computed from."""
    return Case(
        intake=read_intake(inputs["intake"]),
        document=inputs["intake"],
        rules=rules_from_table(inputs["rules"]),
        prices=PriceTable.from_table(inputs["prices"]),
        assessed_on=date.fromisoformat(inputs["assessed_on"]),
        composition_kg=inputs.get("composition_kg"),
    )


def recompute(inputs: Mapping[str, Any], method_version: str) -> Assessment:
    """An assessment again from its stored inputs; refuses another method's inputs."""
    if method_version != METHOD_VERSION:
        raise errors.InvalidRequest(f"method {method_version} is not {METHOD_VERSION}.")
    return assess(case_from_inputs(inputs))


def performance_data(assessment: Assessment, intake: Intake) -> dict[str, float]:
    """The passport's dynamic performance readings (its metric names and units) that this
    assessment fills; percentages as percent, self-discharge per month (30 days)."""
    h = assessment.health
    rated = intake.rated
    bms = intake.bms
    found: dict[str, float | None] = {
        "remainingCapacity": h.soh_c * rated.rated_capacity_ah,
        "capacityFade": (1.0 - h.soh_c) * 100.0,
        "remainingEnergy": h.soh_e * rated.rated_energy_wh / 1000.0
        if h.soh_e is not None
        else None,
        "stateOfCertifiedEnergy": h.soce * 100.0 if h.soce is not None else None,
        "internalResistance": h.resistance_mohm / 1000.0 if h.resistance_mohm is not None else None,
        "internalResistanceIncrease": (h.resistance_growth - 1.0) * 100.0
        if h.resistance_growth is not None
        else None,
        "remainingPowerCapability": h.remaining_power_w,
        "powerFade": h.power_fade * 100.0 if h.power_fade is not None else None,
        "remainingRoundTripEfficiency": h.round_trip_efficiency * 100.0
        if h.round_trip_efficiency is not None
        else None,
        "currentSelfDischargeRate": h.self_discharge_pct_day * 30.0
        if h.self_discharge_pct_day is not None
        else None,
        "fullCycles": bms.full_cycles,
        "energyThroughput": bms.energy_throughput_kwh,
        "capacityThroughput": bms.capacity_throughput_ah,
    }
    return {k: round(v, 5) for k, v in found.items() if v is not None}
