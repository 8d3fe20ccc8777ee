"""Import of Battery Pass 1.2 aspects (a passport a supplier or another data space produced)
into battrace's passport document.

The General Product Information aspect is required (it carries the identity); the others are
read when present. Every field read is type-checked and every problem is named by its path in
the aspects (`PerformanceAndDurability.batteryTechicalProperties.nominalVoltage`); the
document made is then validated like any other, its problems reported at their source, and
nothing is returned on refusal. Values the format forces on every category but the
Commission's guidance keeps to some (the EV-only state of certified energy and capacity
threshold; the evolution of self-discharge, derived for EVs on export) are left out for the
others and listed in `Imported.left_out`; so are values that arrive without the time a
battrace reading needs (power fade and round-trip efficiency fade are plain numbers there).
"""

from __future__ import annotations

from collections.abc import Mapping

from battrace.passport.exchange.batterypass_read import (
    AspectReader,
    Imported,
    carbon_footprint,
    due_diligence,
    general,
    labeling,
    materials,
)
from battrace.passport.exchange.batterypass_read_more import circularity, performance
from battrace.passport.exchange.common import checked_import
from battrace.passport.problems import Problem

__all__ = ["Imported", "import_aspects"]

_READERS = {
    "Labeling": labeling,
    "CarbonFootprintForBatteries": carbon_footprint,
    "SupplyChainDueDiligence": due_diligence,
    "MaterialComposition": materials,
    "Circularity": circularity,
    "PerformanceAndDurability": performance,
}


def import_aspects(aspects: Mapping[str, object]) -> Imported:
    """battrace's document from Battery Pass aspects (by aspect name); `ValidationFailed`
    with every problem by its path in the aspects when they cannot make a valid passport."""
    reader = AspectReader()
    if not isinstance(aspects, Mapping):
        reader.problems.append(Problem("$", "must be an object of aspects by name"))
        aspects = {}
    identity = reader.obj(aspects, "$", "GeneralProductInformation")
    general(reader, identity or {})
    category = str(reader.values.get("general.category", ""))
    for name, read in _READERS.items():
        aspect = reader.obj(aspects, "$", name, required=False)
        if aspect is not None:
            read(reader, aspect, category)
    document = checked_import(reader.values, reader, "Battery Pass 1.2 import")
    return Imported(document, tuple(reader.left_out))
