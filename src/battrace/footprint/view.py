"""A product's footprint as one operator sees it: its supply graph, the emission factors it
assigned, the roll-up, and the names of the suppliers that appear in it.

Every surface that shows a footprint (the API, the web pages, the CLI) starts here, so they
all read the same viewer-scoped graph.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from battrace.footprint import factors, graph, hotspots, rollup
from battrace.footprint.factors import Factor
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.result import Footprint
from battrace.identity import operators
from battrace.ids import OperatorId, TraceId
from battrace.traceability.stages import Stage


@dataclass(frozen=True)
class ProductFootprint:
    graph: FootprintGraph
    footprint: Footprint
    factors: Mapping[uuid.UUID, Factor]
    supplier_names: Mapping[uuid.UUID, str]


def supplier_names(session: Session, footprint: Footprint) -> dict[uuid.UUID, str]:
    ids: set[uuid.UUID] = set()
    for stage in footprint.stages.values():
        ids.update(c.supplier_operator_id for c in stage.contributions if c.supplier_operator_id)
        ids.update(u.supplier_operator_id for u in stage.unknown if u.supplier_operator_id)
    return {row.id: row.name for row in operators.list_operators(session, list(ids))}


def product_footprint(
    session: Session, *, viewer: OperatorId, trace_id: TraceId, disclose_by_default: bool
) -> ProductFootprint:
    """Roll up one of the viewer's parts (a supplier's decision not taken counts as
    `disclose_by_default`). Raises NotFound for a part not the viewer's."""
    supply = graph.load_graph(
        session, viewer=viewer, roots=[trace_id], disclose_by_default=disclose_by_default
    )
    assigned = factors.assigned_factors(session, caller=viewer, trace_ids=supply.nodes.keys())
    footprint = rollup.roll_up(supply, trace_id, factors=assigned)
    return ProductFootprint(supply, footprint, assigned, supplier_names(session, footprint))


def what_if(
    product: ProductFootprint, *, replace: TraceId, pre: Decimal, main: Decimal
) -> hotspots.WhatIf:
    """The product's footprint with part `replace` valued `pre` / `main` kgCO2e per unit of
    that part (nothing stored); NotFound for a part outside the product's graph."""
    return hotspots.what_if(
        product.graph,
        product.footprint.root,
        replace=replace,
        with_values={Stage.PRE: pre, Stage.MAIN: main},
        factors=product.factors,
    )
