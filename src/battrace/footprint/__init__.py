"""CFP calculation and reporting: a product's footprint rolled up from its own processes and
its suppliers' disclosed answers, with missing data made explicit, secondary data from an
operator's emission factors, data quality, hotspots and what-if.

The roll-up works on an immutable in-memory graph (`graph.load_graph` reads it from the
store in a few set-based queries per tier); everything after loading is a pure function.
"""

from battrace.footprint.declaration import (
    BatteryData,
    Declaration,
    LifecycleStage,
    StageDeclaration,
    VehicleCategory,
    check_cf_values,
    declare,
)
from battrace.footprint.graph import (
    Boundary,
    Edge,
    FootprintGraph,
    PartNode,
    RequestState,
    StageValues,
    load_graph,
)
from battrace.footprint.hotspots import Hotspot, WhatIf, rank_parts, rank_suppliers, what_if
from battrace.footprint.plan import Provenance, Replacement, StructureCycle, UnknownReason
from battrace.footprint.report import (
    declaration_to_dict,
    footprint_csv,
    footprint_to_dict,
    render_html,
)
from battrace.footprint.result import (
    Contribution,
    Footprint,
    Origin,
    StageFootprint,
    UnknownPart,
)
from battrace.footprint.rollup import roll_up
from battrace.footprint.units import UnitMismatch

__all__ = [
    "BatteryData",
    "Boundary",
    "Contribution",
    "Declaration",
    "Edge",
    "Footprint",
    "FootprintGraph",
    "Hotspot",
    "LifecycleStage",
    "Origin",
    "PartNode",
    "Provenance",
    "Replacement",
    "RequestState",
    "StageDeclaration",
    "StageFootprint",
    "StageValues",
    "StructureCycle",
    "UnitMismatch",
    "UnknownPart",
    "UnknownReason",
    "VehicleCategory",
    "WhatIf",
    "check_cf_values",
    "declaration_to_dict",
    "declare",
    "footprint_csv",
    "footprint_to_dict",
    "load_graph",
    "rank_parts",
    "rank_suppliers",
    "render_html",
    "roll_up",
    "what_if",
]
