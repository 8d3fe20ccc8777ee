"""A footprint graph as columns: one NumPy array per attribute, part i in row i.

This is the in-memory form the float engine (`footprint.columnar`) rolls up: classifying a
million parts, walking their structures and summing their values are then array operations,
never a Python step per part. `GraphColumns.of(graph)` converts the object graph
(`footprint.graph.FootprintGraph`, kept by it so a what-if converts once); a loader or a
benchmark that has the data in bulk can build the columns directly.

What each row holds follows the classification of `footprint.plan` (see `Kind`): a parent
counts its own values and its structure's children, a part valued by its owner its own
values, a bought-in part with an answer what the supplier disclosed, any other part nothing.
Values are kgCO2e per declared unit with NaN for "not given"; an own CFP set puts its
*Production and *Component values in slots 0 and 1 of each stage, a disclosed answer its
total in slot 1 (it is not the root's own production).
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import numpy as np
import numpy.typing as npt

from battrace.errors import NotFound
from battrace.footprint.graph import FootprintGraph, PartNode
from battrace.footprint.units import declared_for
from battrace.traceability.cfp import Dqr, Stage

STAGES = tuple(Stage)  # column order of the stage axis
PRODUCTION, COMPONENT = 0, 1  # slots of the value axis
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
Bools = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.int8]


class Kind(enum.IntEnum):
    PARENT = 0  # is_parent, not terminated: own values plus amount x each child's total
    OWN = 1  # terminated (parent or not), or a part its owner valued: own values only
    BOUNDARY = 2  # bought in and answered: what the supplier disclosed to the viewer
    NONE = 3  # bought in, requested or not, no answer and no own values


def kind_of(node: PartNode) -> Kind:
    """The rule of `footprint.plan` (`_leaf_locals`) as a code."""
    if node.terminated or node.is_parent:
        return Kind.PARENT if node.is_parent and not node.terminated else Kind.OWN
    if node.boundary is not None:
        return Kind.BOUNDARY
    return Kind.OWN if node.own is not None else Kind.NONE


def _float(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def _ratings(dqr: Dqr) -> tuple[float, float, float]:
    return _float(dqr.ter), _float(dqr.ger), _float(dqr.tir)


@dataclass(frozen=True, eq=False)
class GraphColumns:
    """The viewer's parts as arrays. Code 0 of `operators` and `units` means none."""

    viewer: uuid.UUID
    trace_ids: Sequence[uuid.UUID]
    names: Sequence[str]
    operators: Sequence[uuid.UUID | None]
    units: Sequence[str | None]
    kind: Codes
    owner: Ints  # operator code of the part's owner
    supplier: Ints  # BOUNDARY: the supplier that answered; NONE: the one asked (0 = nobody)
    amount_unit: Ints  # unit code of amountRequiredUnit
    declared_unit: Ints  # unit code of the part's own CFP set
    answer_unit: Ints  # BOUNDARY: unit code of the supplier's answer
    has_own: Bools  # PARENT, OWN: an own CFP set is registered
    released: Bools  # BOUNDARY: the supplier released its total to the viewer
    value: Floats  # (stages, slots, parts): kgCO2e per declared unit, NaN = not given
    dqr: Floats  # (stages, slots, 3, parts): ter, ger, tir, NaN = not given
    indptr: Ints  # children of part i (PARENT only): child[indptr[i]:indptr[i + 1]]
    child: Ints
    amount: Floats  # amountRequired of each edge

    def __post_init__(self) -> None:
        size = len(self.trace_ids)
        stages = len(STAGES)
        if self.value.shape != (stages, 2, size) or self.dqr.shape != (stages, 2, 3, size):
            raise ValueError("value and dqr must have the shapes (stages, 2[, 3], parts)")
        if self.indptr.shape != (size + 1,) or self.child.shape != self.amount.shape:
            raise ValueError("indptr must have parts + 1 entries, child and amount one per edge")
        if not np.isnan(self.value[:, :, self.kind == Kind.NONE]).all():
            raise ValueError("a part of kind NONE has no value")

    @property
    def size(self) -> int:
        return len(self.trace_ids)

    @cached_property
    def index(self) -> Mapping[uuid.UUID, int]:
        return {trace_id: at for at, trace_id in enumerate(self.trace_ids)}

    @cached_property
    def fits(self) -> Bools:
        """fits[a, d]: a CFP declared in unit d may be used for an amount counted in unit a."""
        table = np.ones((len(self.units), len(self.units)), dtype=np.bool_)
        for a, amount_unit in enumerate(self.units):
            for d, declared in enumerate(self.units):
                if amount_unit is not None and declared is not None:
                    table[a, d] = declared == declared_for(amount_unit)
        return table

    def unit_code(self, unit: str | None) -> int:
        """The code of a unit, -1 if no part uses it."""
        try:
            return list(self.units).index(unit)
        except ValueError:
            return -1

    @classmethod
    def of(cls, graph: FootprintGraph) -> GraphColumns:
        """The columns of an object graph, in the order of `graph.nodes`."""
        builder = _Builder(graph)
        for at, node in enumerate(graph.nodes.values()):
            builder.add(at, node)
        return builder.build(cls)


class _Builder:
    """Fills the arrays of `GraphColumns.of` one node at a time."""

    def __init__(self, graph: FootprintGraph) -> None:
        size = len(graph.nodes)
        self.graph = graph
        self.index = {trace_id: at for at, trace_id in enumerate(graph.nodes)}
        self.operators: dict[uuid.UUID | None, int] = {None: 0}
        self.units: dict[str | None, int] = {None: 0}
        self.kind = np.empty(size, dtype=np.int8)
        self.owner = np.zeros(size, dtype=np.intp)
        self.supplier = np.zeros(size, dtype=np.intp)
        self.amount_unit = np.zeros(size, dtype=np.intp)
        self.declared_unit = np.zeros(size, dtype=np.intp)
        self.answer_unit = np.zeros(size, dtype=np.intp)
        self.has_own = np.zeros(size, dtype=np.bool_)
        self.released = np.zeros(size, dtype=np.bool_)
        self.value = np.full((len(STAGES), 2, size), math.nan)
        self.dqr = np.full((len(STAGES), 2, 3, size), math.nan)
        self.indptr = np.zeros(size + 1, dtype=np.intp)
        self.children: list[int] = []
        self.amounts: list[float] = []

    def operator(self, value: uuid.UUID | None) -> int:
        return self.operators.setdefault(value, len(self.operators))

    def unit(self, value: str | None) -> int:
        return self.units.setdefault(value, len(self.units))

    def add(self, at: int, node: PartNode) -> None:
        code = kind_of(node)
        self.kind[at] = code
        self.owner[at] = self.operator(node.operator_id)
        self.amount_unit[at] = self.unit(node.amount_required_unit)
        self.declared_unit[at] = self.unit(node.declared_unit)
        if code is Kind.BOUNDARY:
            self.add_answer(at, node)
        elif code is Kind.NONE:
            self.supplier[at] = self.operator(node.requested_from)
        elif node.own is not None:
            self.has_own[at] = True
            for s, stage in enumerate(STAGES):
                values = node.own[stage]
                production, component = values.production, values.component
                self.value[s, :, at] = (_float(production.emission), _float(component.emission))
                self.dqr[s, PRODUCTION, :, at] = _ratings(production.dqr)
                self.dqr[s, COMPONENT, :, at] = _ratings(component.dqr)
        if code is Kind.PARENT:
            for edge in node.children:
                if edge.child not in self.index:
                    raise NotFound(f"traceId: {edge.child} was not found.")
                self.children.append(self.index[edge.child])
                self.amounts.append(float(edge.amount_required))
        self.indptr[at + 1] = len(self.children)

    def add_answer(self, at: int, node: PartNode) -> None:
        boundary = node.boundary
        assert boundary is not None  # noqa: S101 (BOUNDARY means answered)
        self.supplier[at] = self.operator(boundary.supplier_operator_id)
        self.answer_unit[at] = self.unit(boundary.declared_unit)
        self.released[at] = boundary.released.total_cfp
        for s, stage in enumerate(STAGES):
            total = boundary.totals.get(stage)
            if total is not None:
                self.value[s, COMPONENT, at] = _float(total.emission)
                self.dqr[s, COMPONENT, :, at] = _ratings(total.dqr)

    def build(self, cls: type[GraphColumns]) -> GraphColumns:
        nodes = self.graph.nodes.values()
        return cls(
            viewer=self.graph.viewer,
            trace_ids=list(self.index),
            names=[node.parts_name for node in nodes],
            operators=list(self.operators),
            units=list(self.units),
            kind=self.kind,
            owner=self.owner,
            supplier=self.supplier,
            amount_unit=self.amount_unit,
            declared_unit=self.declared_unit,
            answer_unit=self.answer_unit,
            has_own=self.has_own,
            released=self.released,
            value=self.value,
            dqr=self.dqr,
            indptr=self.indptr,
            child=np.asarray(self.children, dtype=np.intp),
            amount=np.asarray(self.amounts, dtype=np.float64),
        )
