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
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import NotFound
from battrace.ids import TraceId
from battrace.store import collector
from battrace.traceability.combine import RatedEmission
from battrace.traceability.disclosure import Released
from battrace.traceability.models import Part
from battrace.traceability.stages import Dqr, Stage
from battrace.traceability.supply import RawBoundary, RawPart, SupplyGraph
from battrace.traceability.supply_walk import trace_id_among

_CHUNK = 900
_STAGES = tuple(Stage)


class RequestState(enum.StrEnum):
    """Where the viewer's CFP request on a part stands."""

    NONE = "NONE"  # never requested (or only cancelled / sent-back requests)
    OPEN = "OPEN"  # requested, not answered yet
    ANSWERED = "ANSWERED"  # the supplier linked a part and answered


@dataclass(frozen=True)
class StageValues:
    production: RatedEmission
    component: RatedEmission


@dataclass(frozen=True)
class Boundary:
    """What crossed the company boundary on an answered request, as the viewer may see it."""

    supplier_operator_id: uuid.UUID
    supplier_trace_id: TraceId
    released: Released
    totals: Mapping[Stage, RatedEmission]  # emission None where withheld or unknown upstream
    declared_unit: str | None


@dataclass(frozen=True)
class Edge:
    child: uuid.UUID
    amount_required: Decimal


@dataclass(frozen=True)
class PartNode:
    trace_id: TraceId
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
    # What other modules derive from the graph once (`columns.columns_of`); not its value.
    derived: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls, *, viewer: uuid.UUID, roots: Iterable[uuid.UUID], nodes: Iterable[PartNode]
    ) -> FootprintGraph:
        return cls(viewer, tuple(roots), MappingProxyType({node.trace_id: node for node in nodes}))

    def node(self, trace_id: uuid.UUID) -> PartNode:
        node = self.nodes.get(trace_id)
        if node is None:
            raise NotFound(f"traceId: {trace_id} was not found.")
        return node


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


class _Nodes:
    """Builds the viewer's `PartNode`s from the loader's plain values. Ratings and stage
    totals repeat across thousands of parts, so equal ones share one (immutable) object."""

    def __init__(self) -> None:
        self._dqrs: dict[tuple[Decimal | None, ...], Dqr] = {}
        self._empty = RatedEmission(None, Dqr.empty())

    def dqr(self, ter: Decimal | None, ger: Decimal | None, tir: Decimal | None) -> Dqr:
        found = self._dqrs.get((ter, ger, tir))
        if found is None:
            found = self._dqrs[(ter, ger, tir)] = Dqr(ter, ger, tir)
        return found

    def value(self, value: tuple[Decimal | None, ...] | None) -> RatedEmission:
        if value is None:
            return self._empty
        return RatedEmission(value[0], self.dqr(value[1], value[2], value[3]))

    def own(self, values: list[Any] | None) -> Mapping[Stage, StageValues] | None:
        if values is None:
            return None
        return MappingProxyType(
            {
                stage: StageValues(self.value(values[1 + 2 * at]), self.value(values[2 + 2 * at]))
                for at, stage in enumerate(_STAGES)
            }
        )

    def boundary(self, raw: RawBoundary | None) -> Boundary | None:
        if raw is None:
            return None
        totals = MappingProxyType(
            {
                stage: RatedEmission(total[0], self.dqr(total[1], total[2], total[3]))
                for stage, total in zip(_STAGES, raw.totals, strict=True)
            }
        )
        return Boundary(
            supplier_operator_id=raw.supplier,
            supplier_trace_id=raw.supplier_trace_id,
            released=raw.released,
            totals=totals,
            declared_unit=raw.declared_unit,
        )

    def node(self, viewer: uuid.UUID, raw: RawPart, names: _Names) -> PartNode:
        request = RequestState.NONE
        if raw.boundary is not None:
            request = RequestState.ANSWERED
        elif raw.requested_from is not None:
            request = RequestState.OPEN
        return PartNode(
            trace_id=raw.trace_id,
            operator_id=viewer,
            parts_name=names.parts_name,
            support_parts_name=names.support_parts_name,
            amount_required_unit=names.amount_required_unit,
            terminated=raw.terminated,
            is_parent=raw.is_parent,
            declared_unit=None if raw.values is None else raw.values[0],
            own=self.own(raw.values),
            children=tuple(map(Edge, raw.children, raw.amounts)),
            request=request,
            requested_from=raw.requested_from,
            boundary=self.boundary(raw.boundary),
        )


@collector.pausing
def load_graph(
    session: Session,
    *,
    viewer: uuid.UUID,
    roots: Iterable[TraceId],
    disclose_by_default: bool,
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
    supply = SupplyGraph(session, stored=stored, disclose_by_default=disclose_by_default)
    supply.load(wanted, detail_for=viewer)
    parts = supply.owned_from(wanted, viewer)
    names = _names(session, viewer, [part.trace_id for part in parts])
    build = _Nodes()
    nodes = [build.node(viewer, part, names[part.trace_id]) for part in parts]
    return FootprintGraph.build(viewer=viewer, roots=wanted, nodes=nodes)


__all__ = [
    "Boundary",
    "Edge",
    "FootprintGraph",
    "PartNode",
    "RatedEmission",
    "RequestState",
    "StageValues",
    "load_graph",
]
