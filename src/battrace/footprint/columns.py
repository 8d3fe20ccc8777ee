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

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import numpy as np
import numpy.typing as npt

from battrace.errors import NotFound
from battrace.footprint.graph import FootprintGraph, PartNode, StageValues
from battrace.footprint.plan import Kind, kind_of
from battrace.footprint.units import declared_for
from battrace.traceability.combine import RatedEmission
from battrace.traceability.stages import Dqr, Stage

STAGES = tuple(Stage)  # column order of the stage axis
PRODUCTION, COMPONENT = 0, 1  # slots of the value axis
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
Bools = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.int8]


def _float(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def dqr_floats(dqr: Dqr | None) -> tuple[float, float, float]:
    """A DQR as floats (NaN = not given); None gives no ratings at all."""
    if dqr is None:
        return (math.nan, math.nan, math.nan)
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

    @classmethod
    def of(cls, graph: FootprintGraph) -> GraphColumns:
        """The columns of an object graph, in the order of `graph.nodes`."""
        builder = _Builder(graph)
        for at, node in enumerate(graph.nodes.values()):
            builder.add(at, node)
        return builder.build(cls)


_NO_RATINGS = dqr_floats(None)
_NO_VALUES = (math.nan,) * (len(STAGES) * 2)


def columns_of(graph: FootprintGraph) -> GraphColumns:
    """The graph as arrays, for the float engine (built once per graph)."""
    found = graph.derived.get("columns")
    if not isinstance(found, GraphColumns):
        found = graph.derived["columns"] = GraphColumns.of(graph)
    return found


class _Builder:
    """Collects the rows of `GraphColumns.of` in plain lists (a NumPy store per scalar costs
    more than the list), then turns them into arrays."""

    def __init__(self, graph: FootprintGraph) -> None:
        self.graph = graph
        self.index = {trace_id: at for at, trace_id in enumerate(graph.nodes)}
        self.operators: dict[uuid.UUID | None, int] = {None: 0}
        self.units: dict[str | None, int] = {None: 0}
        self.codes: list[tuple[int, int, int, int, int, int, bool, bool]] = []
        self.values: list[tuple[float, ...]] = []  # per part: stage-major, slot-minor
        self.ratings: list[tuple[float, ...]] = []  # per part: stage, slot, then ter/ger/tir
        self.rated: dict[int, tuple[float, float, float]] = {}  # by id: the graph keeps them
        self.indptr = [0]
        self.children: list[int] = []
        self.amounts: list[float] = []

    def operator(self, value: uuid.UUID | None) -> int:
        return self.operators.setdefault(value, len(self.operators))

    def unit(self, value: str | None) -> int:
        return self.units.setdefault(value, len(self.units))

    def ratings_of(self, dqr: Dqr) -> tuple[float, float, float]:
        ratings = self.rated.get(id(dqr))
        if ratings is None:
            ratings = self.rated[id(dqr)] = dqr_floats(dqr)
        return ratings

    def add(self, at: int, node: PartNode) -> None:
        code = kind_of(node)
        supplier = answer_unit = 0
        released = False
        values, ratings = _NO_VALUES, _NO_RATINGS * (len(STAGES) * 2)
        if code is Kind.BOUNDARY:
            boundary = node.boundary
            assert boundary is not None  # noqa: S101 (BOUNDARY means answered)
            supplier = self.operator(boundary.supplier_operator_id)
            answer_unit = self.unit(boundary.declared_unit)
            released = boundary.released.total_cfp
            values, ratings = self.answer(boundary.totals)
        elif code is Kind.NONE:
            supplier = self.operator(node.requested_from)
        elif node.own is not None:
            values, ratings = self.own(node.own)
        self.codes.append(
            (code, self.operator(node.operator_id), supplier,
             self.unit(node.amount_required_unit), self.unit(node.declared_unit), answer_unit,
             node.own is not None and code in (Kind.PARENT, Kind.OWN), released)
        )  # fmt: skip
        self.values.append(values)
        self.ratings.append(ratings)
        if code is Kind.PARENT:
            index = self.index
            for edge in node.children:
                below = index.get(edge.child)
                if below is None:
                    raise NotFound(f"traceId: {edge.child} was not found.")
                self.children.append(below)
                self.amounts.append(float(edge.amount_required))
        self.indptr.append(len(self.children))

    def own(self, own: Mapping[Stage, StageValues]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        values: list[float] = []
        ratings: list[float] = []
        for stage in STAGES:
            for row in (own[stage].production, own[stage].component):
                values.append(_float(row.emission))
                ratings.extend(self.ratings_of(row.dqr))
        return tuple(values), tuple(ratings)

    def answer(
        self, totals: Mapping[Stage, RatedEmission]
    ) -> tuple[tuple[float, ...], tuple[float, ...]]:
        values: list[float] = []
        ratings: list[float] = []
        for stage in STAGES:
            total = totals.get(stage)
            values += (math.nan, math.nan if total is None else _float(total.emission))
            ratings += _NO_RATINGS
            ratings += _NO_RATINGS if total is None else self.ratings_of(total.dqr)
        return tuple(values), tuple(ratings)

    def build(self, cls: type[GraphColumns]) -> GraphColumns:
        size = len(self.codes)
        codes = np.asarray(self.codes, dtype=np.intp).reshape(size, 8).T
        value = np.asarray(self.values, dtype=np.float64).reshape(size, len(STAGES), 2)
        dqr = np.asarray(self.ratings, dtype=np.float64).reshape(size, len(STAGES), 2, 3)
        return cls(
            viewer=self.graph.viewer,
            trace_ids=list(self.index),
            names=[node.parts_name for node in self.graph.nodes.values()],
            operators=list(self.operators),
            units=list(self.units),
            kind=codes[0].astype(np.int8),
            owner=codes[1].copy(),
            supplier=codes[2].copy(),
            amount_unit=codes[3].copy(),
            declared_unit=codes[4].copy(),
            answer_unit=codes[5].copy(),
            has_own=codes[6].astype(np.bool_),
            released=codes[7].astype(np.bool_),
            value=np.ascontiguousarray(value.transpose(1, 2, 0)),
            dqr=np.ascontiguousarray(dqr.transpose(1, 2, 3, 0)),
            indptr=np.asarray(self.indptr, dtype=np.intp),
            child=np.asarray(self.children, dtype=np.intp),
            amount=np.asarray(self.amounts, dtype=np.float64),
        )
