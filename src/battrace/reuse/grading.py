"""Grading a used battery for second life: safety gates first, then a grade from health.

Every gate that fails sends the battery to recycling with a reason code. Then the first grade
whose SOH floor and resistance-growth ceiling the battery meets is given, each with its
intended uses. UL 1974 lets the repurposer define its grades, so the thresholds are a table per
operator and chemistry; `DEFAULT_RULES` below are the documented defaults (industry practice,
not a normative standard):

| grade | SOH ≥ | R/R_BOL ≤ | intended use |
|---|---|---|---|
| A | 0.80 | 1.3 | EV re-use, demanding stationary storage |
| B | 0.70 | 1.6 | stationary storage |
| C | 0.60 | 2.0 | low-power storage, backup |

Gates (reason codes): SAFETY_SWELLING, SAFETY_LEAK, SAFETY_DAMAGE, SAFETY_ISOLATION (below
`min_isolation_ohm_per_v`, default 100 Ω/V as UN R100 asks of DC circuits), BMS_FAULT,
EVENT_THERMAL_EVENT / EVENT_DEEP_DISCHARGE / EVENT_CRASH (a recorded negative event of a gating
kind; deep discharge risks copper dissolution), CALENDAR_EXPIRED (past the manufacturer's
calendar expiry, UL 1974 2nd ed.), NO_LIFETIME_DATA (re-use below pack level asked without
lifetime traceability data, IEC 63338 clause 4), SELF_DISCHARGE (above
`max_self_discharge_pct_day`, default 0.5 %/day), MODULE_SPREAD (capacity spread above
`max_module_spread`, default 10 %).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from battrace import errors
from battrace.reuse.diagnostics import Intake
from battrace.reuse.health import Health

RECYCLE = "RECYCLE"


@dataclass(frozen=True)
class GradeRule:
    grade: str
    min_soh: float
    max_resistance_growth: float
    uses: tuple[str, ...]


@dataclass(frozen=True)
class GradingRules:
    grades: tuple[GradeRule, ...]
    min_isolation_ohm_per_v: float = 100.0
    max_self_discharge_pct_day: float = 0.5
    max_module_spread: float = 0.10
    gating_events: tuple[str, ...] = ("thermal_event", "deep_discharge", "crash")
    soh_eol: float = 0.60
    """Second-life end of life: remaining life runs until SOH falls to this."""

    def as_table(self) -> dict[str, Any]:
        return {
            "grades": [
                {
                    "grade": g.grade,
                    "min_soh": g.min_soh,
                    "max_resistance_growth": g.max_resistance_growth,
                    "uses": list(g.uses),
                }
                for g in self.grades
            ],
            "min_isolation_ohm_per_v": self.min_isolation_ohm_per_v,
            "max_self_discharge_pct_day": self.max_self_discharge_pct_day,
            "max_module_spread": self.max_module_spread,
            "gating_events": list(self.gating_events),
            "soh_eol": self.soh_eol,
        }


DEFAULT_RULES = GradingRules(
    grades=(
        GradeRule("A", 0.80, 1.3, ("EV re-use", "demanding stationary storage")),
        GradeRule("B", 0.70, 1.6, ("stationary storage",)),
        GradeRule("C", 0.60, 2.0, ("low-power storage", "backup power")),
    )
)
# Chemistry defaults that differ from DEFAULT_RULES: a healthy LFP cell self-discharges less
# than NMC, so a rate that is normal for NMC already marks an LFP cell as suspect.
CHEMISTRY_DEFAULTS: dict[str, GradingRules] = {
    "LFP": replace(DEFAULT_RULES, max_self_discharge_pct_day=0.3),
}


def default_rules(family: str) -> GradingRules:
    return CHEMISTRY_DEFAULTS.get(family, DEFAULT_RULES)


def rules_from_table(table: Mapping[str, Any], base: GradingRules = DEFAULT_RULES) -> GradingRules:
    """An operator's rule table over `base`; `InvalidRequest` names each bad entry."""
    problems: list[str] = []

    def number(source: Mapping[str, Any], key: str, default: float, path: str) -> float:
        value = source.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"{path}{key}: must be a number ≥ 0.")
            return default
        return float(value)

    grades = []
    raw_grades = table.get("grades")
    if raw_grades is None:
        grades = list(base.grades)
    elif not isinstance(raw_grades, list) or not raw_grades:
        problems.append("grades: must be a non-empty list.")
    else:
        for n, item in enumerate(raw_grades):
            path = f"grades[{n}]."
            if not isinstance(item, Mapping) or not str(item.get("grade") or "").strip():
                problems.append(f"grades[{n}]: an object with a grade name.")
                continue
            uses = item.get("uses") or []
            if not isinstance(uses, list) or not all(isinstance(u, str) for u in uses):
                problems.append(f"{path}uses: must be a list of text.")
                uses = []
            grades.append(
                GradeRule(
                    grade=str(item["grade"]).strip(),
                    min_soh=number(item, "min_soh", 1.0, path),
                    max_resistance_growth=number(item, "max_resistance_growth", 1.0, path),
                    uses=tuple(uses),
                )
            )
        floors = [g.min_soh for g in grades]
        if floors != sorted(floors, reverse=True):
            problems.append("grades: must be ordered best first (min_soh not increasing).")
        if any(g.grade == RECYCLE for g in grades):
            problems.append(f"grades: {RECYCLE} is the outcome below the last grade, not a grade.")
    events = table.get("gating_events", list(base.gating_events))
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        problems.append("gating_events: must be a list of event kinds.")
        events = list(base.gating_events)
    rules = GradingRules(
        grades=tuple(grades),
        min_isolation_ohm_per_v=number(
            table, "min_isolation_ohm_per_v", base.min_isolation_ohm_per_v, ""
        ),
        max_self_discharge_pct_day=number(
            table, "max_self_discharge_pct_day", base.max_self_discharge_pct_day, ""
        ),
        max_module_spread=number(table, "max_module_spread", base.max_module_spread, ""),
        gating_events=tuple(events),
        soh_eol=number(table, "soh_eol", base.soh_eol, ""),
    )
    if problems:
        raise errors.ValidationFailed("; ".join(problems), detail="grading rules")
    return rules


@dataclass(frozen=True)
class Gate:
    code: str
    reason: str


@dataclass(frozen=True)
class Grading:
    grade: str
    uses: tuple[str, ...]
    gates: tuple[Gate, ...]
    tests_present: tuple[str, ...]
    tests_missing: tuple[str, ...]
    missing_data: tuple[str, ...] = field(default=())

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.gates)


def safety_gates(intake: Intake, health: Health, rules: GradingRules, today: date) -> list[Gate]:
    """Every gate the battery fails, in the order the module docstring lists them."""
    gates: list[Gate] = []
    insp = intake.inspection
    for code, found in (
        ("SAFETY_SWELLING", insp.swelling),
        ("SAFETY_LEAK", insp.leak),
        ("SAFETY_DAMAGE", insp.damage),
    ):
        if found:
            gates.append(Gate(code, f"inspection found {code.split('_')[1].lower()}"))
    iso = insp.isolation_resistance_ohm_per_v
    if iso is not None and iso < rules.min_isolation_ohm_per_v:
        gates.append(
            Gate("SAFETY_ISOLATION", f"isolation {iso:g} Ω/V < {rules.min_isolation_ohm_per_v:g}")
        )
    if insp.bms_operational is False:
        gates.append(Gate("BMS_FAULT", "the BMS did not pass its operation check"))
    for kind in sorted({e.kind for e in intake.bms.negative_events} & set(rules.gating_events)):
        gates.append(Gate(f"EVENT_{kind.upper()}", f"BMS history records {kind.replace('_', ' ')}"))
    expiry = intake.rated.calendar_expiry
    if expiry is not None and today > expiry:
        gates.append(Gate("CALENDAR_EXPIRED", f"past the manufacturer's calendar expiry {expiry}"))
    if intake.requested_level != "pack" and not intake.bms.lifetime_data_complete:
        gates.append(
            Gate(
                "NO_LIFETIME_DATA",
                f"re-use at {intake.requested_level} level needs lifetime data (IEC 63338)",
            )
        )
    sd = health.self_discharge_pct_day
    if sd is not None and sd > rules.max_self_discharge_pct_day:
        gates.append(
            Gate("SELF_DISCHARGE", f"{sd:.3g} %/day > {rules.max_self_discharge_pct_day:g}")
        )
    spread = health.module_spread
    if spread is not None and spread > rules.max_module_spread:
        gates.append(Gate("MODULE_SPREAD", f"spread {spread:.3g} > {rules.max_module_spread:g}"))
    return gates


def grade_for(soh: float, growth: float | None, rules: GradingRules) -> GradeRule | None:
    """The first grade met; an unknown resistance growth is judged on SOH alone."""
    for rule in rules.grades:
        if soh >= rule.min_soh and (growth is None or growth <= rule.max_resistance_growth):
            return rule
    return None


UL1974_TESTS = (
    "physical_inspection",
    "isolation_resistance",
    "bms_check",
    "historical_data",
    "ocv",
    "capacity",
    "dcir",
    "self_discharge",
)


def tests_present(intake: Intake) -> tuple[str, ...]:
    """Which of the UL 1974-style sorting tests the intake holds."""
    present = {
        "physical_inspection": intake.inspection.inspected,
        "isolation_resistance": intake.inspection.isolation_resistance_ohm_per_v is not None,
        "bms_check": intake.inspection.bms_operational is not None,
        "historical_data": intake.bms.full_cycles is not None or bool(intake.history),
        "ocv": intake.ocv_v is not None or any(m.ocv_v is not None for m in intake.modules),
        "capacity": bool(intake.capacity_checks),
        "dcir": bool(intake.pulses),
        "self_discharge": intake.self_discharge is not None,
    }
    return tuple(t for t in UL1974_TESTS if present[t])


def grade(intake: Intake, health: Health, rules: GradingRules, today: date) -> Grading:
    """Gates first (any failure: RECYCLE with its reason codes), then the grade."""
    present = tests_present(intake)
    missing = tuple(t for t in UL1974_TESTS if t not in present)
    missing_data = list(missing)
    if health.resistance_growth is None:
        missing_data.append("resistance_growth")
    missing_data.extend(health.flag_codes)
    gates = safety_gates(intake, health, rules, today)
    if gates:
        return Grading(RECYCLE, (), tuple(gates), present, missing, tuple(missing_data))
    found = grade_for(health.soh, health.resistance_growth, rules)
    if found is None:
        return Grading(RECYCLE, (), (), present, missing, tuple(missing_data))
    return Grading(found.grade, found.uses, (), present, missing, tuple(missing_data))
