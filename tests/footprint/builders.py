"""Hand-built footprint graphs for the pure roll-up tests (no store)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from battrace.footprint.graph import (
    Boundary,
    Edge,
    FootprintGraph,
    PartNode,
    RequestState,
    StageValues,
)
from battrace.traceability.combine import RatedEmission
from battrace.traceability.disclosure import Released
from battrace.traceability.stages import Dqr, Stage

VIEWER = uuid.UUID(int=1)
SUPPLIER = uuid.UUID(int=2)
OTHER_SUPPLIER = uuid.UUID(int=3)
PRE_DQR = Dqr(Decimal(1), Decimal(2), Decimal(3))
MAIN_DQR = Dqr(Decimal(2), Decimal(3), Decimal(4))
KG = "kilogram"


def dec(value: object) -> Decimal:
    return Decimal(str(value))


def own(
    pre: object, main: object, *, pre_component: object = 0, main_component: object = 0
) -> Mapping[Stage, StageValues]:
    def value(number: object, dqr: Dqr) -> RatedEmission:
        return RatedEmission(None if number is None else dec(number), dqr)

    return MappingProxyType(
        {
            Stage.PRE: StageValues(value(pre, PRE_DQR), value(pre_component, PRE_DQR)),
            Stage.MAIN: StageValues(value(main, MAIN_DQR), value(main_component, MAIN_DQR)),
        }
    )


def parent(
    trace_id: uuid.UUID, name: str, values: Mapping[Stage, StageValues] | None, *children: Edge
) -> PartNode:
    return PartNode(
        trace_id=trace_id,
        operator_id=VIEWER,
        parts_name=name,
        support_parts_name=None,
        amount_required_unit=KG,
        terminated=False,
        is_parent=True,
        declared_unit="kgCO2e/kilogram" if values is not None else None,
        own=values,
        children=tuple(children),
    )


def terminated(
    trace_id: uuid.UUID, name: str, values: Mapping[Stage, StageValues] | None, unit: str = KG
) -> PartNode:
    return PartNode(
        trace_id=trace_id,
        operator_id=VIEWER,
        parts_name=name,
        support_parts_name=None,
        amount_required_unit=unit,
        terminated=True,
        is_parent=False,
        declared_unit=f"kgCO2e/{unit}" if values is not None else None,
        own=values,
    )


def bought(
    trace_id: uuid.UUID,
    name: str,
    *,
    pre: object = None,
    main: object = None,
    supplier: uuid.UUID = SUPPLIER,
    released: bool = True,
    answered: bool = True,
    requested: bool = True,
    unit: str = KG,
    declared_unit: str | None = None,
) -> PartNode:
    """A bought-in part: answered (disclosed or withheld), requested only, or never asked."""
    boundary = None
    if answered:
        totals = {
            Stage.PRE: RatedEmission(dec(pre) if released and pre is not None else None, PRE_DQR),
            Stage.MAIN: RatedEmission(
                dec(main) if released and main is not None else None, MAIN_DQR
            ),
        }
        boundary = Boundary(
            supplier_operator_id=supplier,
            supplier_trace_id=uuid.uuid5(trace_id, "supplier"),
            released=Released(released, released, released),
            totals=MappingProxyType(totals),
            declared_unit=declared_unit or f"kgCO2e/{unit}",
        )
    state = RequestState.ANSWERED if answered else RequestState.OPEN
    return PartNode(
        trace_id=trace_id,
        operator_id=VIEWER,
        parts_name=name,
        support_parts_name=None,
        amount_required_unit=unit,
        terminated=False,
        is_parent=False,
        declared_unit=None,
        own=None,
        request=state if (answered or requested) else RequestState.NONE,
        requested_from=supplier if (answered or requested) else None,
        boundary=boundary,
    )


def edge(child: uuid.UUID, amount: object) -> Edge:
    return Edge(child, dec(amount))


def graph(*nodes: PartNode) -> FootprintGraph:
    return FootprintGraph.build(viewer=VIEWER, roots=[nodes[0].trace_id], nodes=nodes)


def tid(number: int) -> uuid.UUID:
    return uuid.UUID(int=1000 + number)
