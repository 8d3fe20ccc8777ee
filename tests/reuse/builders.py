"""Intake documents for the second-life tests: a healthy 60 kWh NMC pack unless told otherwise."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from battrace.reuse.assessment import Case
from battrace.reuse.diagnostics import read_intake
from battrace.reuse.grading import DEFAULT_RULES, GradingRules
from battrace.reuse.valuation import PriceTable

TODAY = date(2026, 12, 1)

BASE: dict[str, Any] = {
    "level": "pack",
    "requested_level": "pack",
    "tested_on": "2026-11-30",
    "rated": {
        "chemistry": "NMC622",
        "rated_capacity_ah": 150.0,
        "rated_energy_wh": 60000.0,
        "certified_energy_wh": 58000.0,
        "nominal_voltage_v": 400.0,
        "mass_kg": 400.0,
        "rated_power_w": 150000.0,
        "initial_resistance_mohm": 100.0,
        "manufactured": "2018-05-01",
        "calendar_expiry": "2036-05-01",
        "purchase_price": 9000.0,
    },
    "inspection": {
        "swelling": False,
        "leak": False,
        "damage": False,
        "isolation_resistance_ohm_per_v": 500.0,
        "bms_operational": True,
    },
    "ocv_v": 385.0,
    "capacity_checks": [
        {
            "capacity_ah": 127.5,
            "energy_wh": 51000.0,
            "charge_energy_wh": 54000.0,
            "temperature_c": 25.0,
            "c_rate": 0.33,
        }
    ],
    "pulses": [
        {
            "soc_pct": 50.0,
            "temperature_c": 25.0,
            "duration_s": 10.0,
            "voltage_before_v": 380.0,
            "voltage_after_v": 368.0,
            "current_before_a": 0.0,
            "current_after_a": 100.0,
        }
    ],
    "self_discharge": {"hours": 48.0, "soc_loss_pct": 0.2},
    "modules": [
        {"module": "M1", "ocv_v": 3.85, "capacity_ah": 128.0},
        {"module": "M2", "ocv_v": 3.86, "capacity_ah": 127.0},
    ],
    "bms": {
        "full_cycles": 900.0,
        "energy_throughput_kwh": 50000.0,
        "lifetime_data_complete": True,
        "negative_events": [],
        "repairs": [],
    },
    "history": [
        {"efc": 0.0, "soh": 1.0},
        {"efc": 300.0, "soh": 0.93},
        {"efc": 600.0, "soh": 0.885},
    ],
}


def intake_doc(**changes: Any) -> dict[str, Any]:
    """BASE with keys replaced; `rated__mass_kg=…` replaces one nested field, None drops it."""
    doc = copy.deepcopy(BASE)
    for key, value in changes.items():
        *parents, leaf = key.split("__")
        target = doc
        for parent in parents:
            target = target[parent]
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return doc


def case(
    doc: dict[str, Any] | None = None,
    *,
    rules: GradingRules = DEFAULT_RULES,
    prices: PriceTable | None = None,
    composition: dict[str, float] | None = None,
) -> Case:
    return Case(
        intake=read_intake(doc if doc is not None else intake_doc()),
        rules=rules,
        prices=prices or PriceTable(),
        assessed_on=TODAY,
        composition_kg=composition,
    )
