"""A varied synthetic fleet of intake cases (histories of several lengths, three chemistries)."""

from __future__ import annotations

import numpy as np

from battrace.reuse.assessment import Case
from battrace.reuse.diagnostics import intake_document, read_intake
from battrace.reuse.grading import DEFAULT_RULES
from battrace.reuse.valuation import PriceTable
from tests.reuse.builders import TODAY, intake_doc

CHEMISTRIES = ("LFP", "NMC811", "NCA")


def fleet(size: int, seed: int = 11) -> list[Case]:
    rng = np.random.default_rng(seed)
    prices = PriceTable()
    cases = []
    for k in range(size):
        points = int(rng.integers(0, 9))
        a, z = rng.uniform(5e-4, 4e-3), rng.uniform(0.45, 1.1)
        efc = np.linspace(0.0, rng.uniform(300.0, 2500.0), points + 1)
        soh = np.clip(1.0 - a * efc**z + rng.normal(0.0, 0.004, efc.shape), 0.3, 1.05)
        now = float(soh[-1])
        doc = intake_doc(
            rated__chemistry=CHEMISTRIES[k % 3],
            capacity_checks=[
                {
                    "capacity_ah": 150.0 * now,
                    "energy_wh": 60000.0 * now,
                    "temperature_c": float(rng.uniform(15.0, 35.0)),
                    "c_rate": 0.33,
                }
            ],
            history=[
                {"efc": float(e), "soh": float(s)} for e, s in zip(efc[:-1], soh[:-1], strict=True)
            ],
            bms__full_cycles=float(efc[-1]),
        )
        doc["pulses"][0]["voltage_after_v"] = 380.0 - float(rng.uniform(10.0, 22.0))
        intake = read_intake(doc)
        cases.append(Case(intake, DEFAULT_RULES, prices, TODAY, document=intake_document(intake)))
    return cases
