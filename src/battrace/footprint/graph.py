"""The immutable supply graph one operator's roll-up works on, and its loader.

Nodes are the viewer's own parts reachable from the requested roots through the viewer's own
structures. A bought-in part whose request was answered carries a `Boundary`: what the
supplier disclosed to this viewer (its total per stage and DQR, or nothing where withheld)
and the disclosure decision, never the supplier's structure or parts. The rules for which
value a part has are those of `traceability.rollup` (the rows `GET cfp` returns), whose
loader reads the store breadth-first in a few set-based queries per tier; this module only
reshapes its result into the viewer's view.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import NotFound
from battrace.traceability.cfp import COMPONENT, PRODUCTION, Dqr, Stage
from battrace.traceability.disclosure import Released
from battrace.traceability.models import CfpValue, Part
from battrace.traceability.rollup import Node, StageTotal, SupplyGraph

if TYPE_CHECKING:
    from battrace.footprint.columns import GraphColumns

_CHUNK = 900


class RequestState(enum.StrEnum):
    """Where the viewer's CFP request on a part stands."""

    NONE = "NONE"  # never requested (or only cancelled / sent-back requests)
    OPEN = "OPEN"  # requested, not answered yet
    ANSWERED = "ANSWERED"  # the supplier linked a part and answered


@dataclass(frozen=True)
class OwnValue:
    """One row of a CFP set: emissions per declared unit (None = not given) and its DQR."""

    emission: Decimal | None
    dqr: Dqr


@dataclass(frozen=True)
class StageValues:
    production: OwnValue
    component: OwnValue


@dataclass(frozen=True)
class Boundary:
    """What crossed the company boundary on an answered request, as the viewer may see it."""

    supplier_operator_id: uuid.UUID
    supplier_trace_id: uuid.UUID
    released: Released
    totals: Mapping[Stage, StageTotal]  # emission None where withheld or unknown upstream
    declared_unit: str | None


@dataclass(frozen=True)
class Edge:
    child: uuid.UUID
    amount_required: Decimal


@dataclass(frozen=True)
class PartNode:
    trace_id: uuid.UUID
    operator_id: uuid.UUID
    parts_name: str
    support_parts_name: str | None
    amount_required_unit: str | None
    terminated: bool
    is_parent: bool
    declared_unit: str | None
    own: Mapping[Stage, StageValues] | None  # the owner's CFP set; None = none registered
    children: tuple[Edge, ...] = ()
    request: RequestState = RequestState.NONE
    requested_from: uuid.UUID | None = None  # the supplier asked, if any
    boundary: Boundary | None = None

    @property
    def crossed_boundary(self) -> bool:
        """True when the part's value is a supplier's disclosed answer."""
        return self.boundary is not None


@dataclass(frozen=True)
class FootprintGraph:
    """The viewer's parts reachable from `roots`; `nodes` is read-only."""

    viewer: uuid.UUID
    roots: tuple[uuid.UUID, ...]
    nodes: Mapping[uuid.UUID, PartNode]

    @classmethod
    def build(
        cls, *, viewer: uuid.UUID, roots: Iterable[uuid.UUID], nodes: Iterable[PartNode]
    ) -> FootprintGraph:
        return cls(viewer, tuple(roots), MappingProxyType({node.trace_id: node for node in nodes}))

    @cached_property
    def columns(self) -> GraphColumns:
        """The graph as arrays, for the float engine (built once per graph)."""
        from battrace.footprint.columns import GraphColumns  # noqa: PLC0415 (built on this module)

        return GraphColumns.of(self)

    def node(self, trace_id: uuid.UUID) -> PartNode:
        node = self.nodes.get(trace_id)
        if node is None:
            raise NotFound(f"traceId: {trace_id} was not found.")
        return node


def _value(row: CfpValue | None) -> OwnValue:
    if row is None:
        return OwnValue(None, Dqr.empty())
    return OwnValue(row.ghg_emission, Dqr(row.ter, row.ger, row.tir))


def _own_values(node: Node) -> Mapping[Stage, StageValues] | None:
    if not node.rows:
        return None
    return MappingProxyType(
        {
            stage: StageValues(
                _value(node.rows.get(PRODUCTION[stage])), _value(node.rows.get(COMPONENT[stage]))
            )
            for stage in Stage
        }
    )


def _viewer_node(supply: SupplyGraph, node: Node) -> PartNode:
    part = node.part
    trade = node.trade
    boundary = None
    request = RequestState.NONE
    if trade is not None:
        request = RequestState.OPEN
    answered = node.answered_trade
    if answered is not None and answered.upstream_trace_id is not None:
        request = RequestState.ANSWERED
        upstream = supply.nodes.get(answered.upstream_trace_id)
        boundary = Boundary(
            supplier_operator_id=answered.upstream_operator_id,
            supplier_trace_id=answered.upstream_trace_id,
            released=supply.released(answered),
            totals=MappingProxyType(supply.disclosed(answered)),
            declared_unit=upstream.unit if upstream else None,
        )
    unit = part.amount_required_unit
    return PartNode(
        trace_id=part.trace_id,
        operator_id=part.operator_id,
        parts_name=part.parts_name,
        support_parts_name=part.support_parts_name,
        amount_required_unit=None if unit is None else str(unit.value),
        terminated=part.terminated_flag,
        is_parent=part.is_parent,
        declared_unit=node.unit,
        own=_own_values(node),
        children=tuple(Edge(child, amount) for child, amount in node.children),
        request=request,
        requested_from=None if trade is None else trade.upstream_operator_id,
        boundary=boundary,
    )


def load_graph(
    session: Session, *, viewer: uuid.UUID, roots: Iterable[uuid.UUID]
) -> FootprintGraph:
    """The viewer's graph below `roots`, each of which must be a part the viewer owns.

    Raises NotFound for a root the viewer does not own (like an unknown trace id).
    """
    wanted = list(dict.fromkeys(roots))
    owned: set[uuid.UUID] = set()
    for start in range(0, len(wanted), _CHUNK):
        owned.update(
            session.scalars(
                select(Part.trace_id).where(
                    Part.operator_id == viewer, Part.trace_id.in_(wanted[start : start + _CHUNK])
                )
            )
        )
    for trace_id in wanted:
        if trace_id not in owned:
            raise NotFound(f"traceId: {trace_id} was not found.")
    supply = SupplyGraph(session).load(wanted)
    nodes: dict[uuid.UUID, PartNode] = {}
    frontier = list(wanted)
    while frontier:
        trace_id = frontier.pop()
        source = supply.nodes.get(trace_id)
        if trace_id in nodes or source is None or source.part.operator_id != viewer:
            continue
        node = _viewer_node(supply, source)
        nodes[trace_id] = node
        frontier.extend(edge.child for edge in node.children)
    return FootprintGraph.build(viewer=viewer, roots=wanted, nodes=nodes.values())


__all__ = [
    "Boundary",
    "Edge",
    "FootprintGraph",
    "OwnValue",
    "PartNode",
    "RequestState",
    "StageValues",
    "load_graph",
]
