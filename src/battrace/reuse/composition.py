"""Metal content of a battery from the components its passport lists.

A cathode active material named by its chemistry (NMC 811, NMC 622, NMC 532, NMC 111, NCA, LFP,
LMO) contributes its metals by the stoichiometric mass fractions of the formula; a component
named copper or aluminium (current collectors, foils) counts as that metal. Other components
add nothing. Fractions from the standard atomic masses (Li 6.94, Ni 58.69, Mn 54.94, Co 58.93,
Al 26.98, Fe 55.85, P 30.97, O 16.00).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

_ATOMIC = {"lithium": 6.94, "nickel": 58.69, "manganese": 54.94, "cobalt": 58.93,
           "aluminium": 26.98, "iron": 55.85, "phosphorus": 30.97, "oxygen": 16.00}  # fmt: skip

# Formula units: moles of each element per mole of active material.
_FORMULAS: dict[str, dict[str, float]] = {
    "NMC811": {"lithium": 1, "nickel": 0.8, "manganese": 0.1, "cobalt": 0.1, "oxygen": 2},
    "NMC622": {"lithium": 1, "nickel": 0.6, "manganese": 0.2, "cobalt": 0.2, "oxygen": 2},
    "NMC532": {"lithium": 1, "nickel": 0.5, "manganese": 0.3, "cobalt": 0.2, "oxygen": 2},
    "NMC111": {"lithium": 1, "nickel": 1 / 3, "manganese": 1 / 3, "cobalt": 1 / 3, "oxygen": 2},
    "NCA": {"lithium": 1, "nickel": 0.8, "cobalt": 0.15, "aluminium": 0.05, "oxygen": 2},
    "LFP": {"lithium": 1, "iron": 1, "phosphorus": 1, "oxygen": 4},
    "LMO": {"lithium": 1, "manganese": 2, "oxygen": 4},
}
METALS = ("lithium", "nickel", "manganese", "cobalt", "aluminium", "iron", "copper")


def mass_fractions(formula: str) -> dict[str, float]:
    """Mass fraction of each metal in one of the active materials above."""
    units = _FORMULAS[formula]
    total = sum(_ATOMIC[element] * n for element, n in units.items())
    return {e: _ATOMIC[e] * n / total for e, n in units.items() if e in METALS}


def _formula_of(name: str) -> str | None:
    key = re.sub(r"[^A-Z0-9]", "", name.upper())
    for formula in _FORMULAS:
        if formula in key:
            return formula
    if "NMC" in key or "NCM" in key:
        return "NMC622"
    return None


def metals_from_components(components: Sequence[Any]) -> dict[str, float]:
    """kg of each metal in the listed components (`{component, name, mass}` entries)."""
    metals: dict[str, float] = {}
    for item in components:
        if not isinstance(item, Mapping):
            continue
        mass = item.get("mass")
        name = f"{item.get('name') or ''} {item.get('component') or ''}"
        if isinstance(mass, bool) or not isinstance(mass, int | float | Decimal):
            continue
        kg = float(mass)
        lowered = name.lower()
        if "copper" in lowered:
            metals["copper"] = metals.get("copper", 0.0) + kg
            continue
        if "alumin" in lowered:
            metals["aluminium"] = metals.get("aluminium", 0.0) + kg
            continue
        formula = _formula_of(name)
        if formula is None:
            continue
        for metal, share in mass_fractions(formula).items():
            metals[metal] = metals.get(metal, 0.0) + kg * share
    return metals
