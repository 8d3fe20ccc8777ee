"""The immutable supply graph one operator's roll-up works on, and its loader.

Nodes are the viewer's own parts reachable from the requested roots through the viewer's own
structures. A bought-in part whose request was answered carries a `Boundary`: what the
supplier disclosed to this viewer (its total per stage and DQR, or nothing where withheld)
and the disclosure decision, never the supplier's structure or parts. The rules for which
value a part has are those of `traceability.rollup` (the rows `GET cfp` returns), whose
loader reads the store breadth-first in a few set-based queries per tier and stops at each
supplier part's stored total; this module only reshapes its result into the viewer's view,
and reads the names of the viewer's own parts.
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
from battrace.traceability.models import Part
from battrace.traceability.rollup import (
    StageTotal,
    SupplyGraph,
    SupplyNode,
    Term,
    trace_id_among,
)

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


def _value(term: Term | None) -> OwnValue:
    if term is None:
        return OwnValue(None, Dqr.empty())
    return OwnValue(term.emission, term.dqr)


def _own_values(node: SupplyNode) -> Mapping[Stage, StageValues] | None:
    if not node.values:
        return None
    return MappingProxyType(
        {
            stage: StageValues(
                _value(node.values.get(PRODUCTION[stage])),
                _value(node.values.get(COMPONENT[stage])),
            )
            for stage in Stage
        }
    )


@dataclass(frozen=True)
class _Names:
    parts_name: str
    support_parts_name: str | None
    amount_required_unit: str | None


def _names(
    session: Session, viewer: uuid.UUID, trace_ids: list[uuid.UUID]
) -> dict[uuid.UUID, _Names]:
    """The viewer's names for its parts; the roll-up's loader reads only what totals need."""
    return {
        trace_id: _Names(name, support, None if unit is None else str(unit.value))
        for trace_id, name, support, unit in session.execute(
            select(
                Part.trace_id, Part.parts_name, Part.support_parts_name, Part.amount_required_unit
            ).where(Part.operator_id == viewer, trace_id_among(session, Part.trace_id, trace_ids))
        )
    }


def _viewer_node(supply: SupplyGraph, node: SupplyNode, names: _Names) -> PartNode:
    trade = node.trade
    boundary = None
    request = RequestState.NONE
    if trade is not None:
        request = RequestState.OPEN
    answered = node.answered_trade
    if answered is not None and answered.upstream_trace_id is not None:
        request = RequestState.ANSWERED
        boundary = Boundary(
            supplier_operator_id=answered.upstream_operator_id,
            supplier_trace_id=answered.upstream_trace_id,
            released=supply.released(answered),
            totals=MappingProxyType(supply.disclosed(answered)),
            declared_unit=supply.unit(answered.upstream_trace_id),
        )
    return PartNode(
        trace_id=node.trace_id,
        operator_id=node.operator_id,
        parts_name=names.parts_name,
        support_parts_name=names.support_parts_name,
        amount_required_unit=names.amount_required_unit,
        terminated=node.terminated_flag,
        is_parent=node.is_parent,
        declared_unit=node.unit,
        own=_own_values(node),
        children=tuple(Edge(child, amount) for child, amount in node.children),
        request=request,
        requested_from=None if trade is None else trade.upstream_operator_id,
        boundary=boundary,
    )


def load_graph(
    session: Session,
    *,
    viewer: uuid.UUID,
    roots: Iterable[uuid.UUID],
    stored: bool | None = None,
) -> FootprintGraph:
    """The viewer's graph below `roots`, each of which must be a part the viewer owns.

    Suppliers' totals come from their stored totals where those hold (`stored=False` walks
    the whole upstream instead: same digits, for checks and benchmarks).
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
    supply = SupplyGraph(session, stored=stored).load(wanted, detail_for=viewer)
    sources: dict[uuid.UUID, SupplyNode] = {}
    frontier = list(wanted)
    while frontier:
        trace_id = frontier.pop()
        if trace_id in sources:
            continue
        source = supply.node(trace_id)
        if source is None or source.operator_id != viewer:
            continue
        sources[trace_id] = source
        frontier.extend(child for child, _ in source.children)
    names = _names(session, viewer, list(sources))
    nodes = [_viewer_node(supply, source, names[trace_id]) for trace_id, source in sources.items()]
    return FootprintGraph.build(viewer=viewer, roots=wanted, nodes=nodes)


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
