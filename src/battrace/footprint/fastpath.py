"""The float64 kernel of the roll-up for large graphs (NumPy), same quantities as the Decimal one.

Parts are grouped by depth (the longest path from the root); quantities flow down level by
level and totals with their DQR flow up level by level, each level one vectorised
accumulation (`np.add.at`). An unknown value is NaN, which propagates like `None` does.
`footprint.rollup.roll_up` decides which kernel runs and rounds this one's results to
5 decimals.

Error bound (documented, and checked by the property tests against the Decimal kernel): with
u = 2**-53, N reachable parts, D the depth and S the sum of the absolute values of all
contributions (in kgCO2e per unit of the root), every total and contribution satisfies
    |float - exact| <= (2 D + N + 4) u S + 0.5e-5,
the first term from converting the 5-decimal inputs, the D multiplications along a path and
the at most N additions into any sum (each a relative error of at most u), the second from
rounding to 5 decimals at the edge. For N, D <= 10**4 and S <= 10**9 kgCO2e that is < 3e-3.
"""

from __future__ import annotations

import math
import uuid
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from battrace.footprint.plan import Computed, Plan, round5
from battrace.traceability.cfp import Dqr, Stage
from battrace.traceability.rollup import StageTotal

U = 2.0**-53
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


def error_bound(*, parts: int, depth: int, magnitude: Decimal) -> Decimal:
    """The documented bound on |float - exact| for a graph of that size (see module doc)."""
    return Decimal((2 * depth + parts + 4) * U) * magnitude + Decimal("0.000005")


def _number(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def _decimal(value: float) -> Decimal | None:
    return None if math.isnan(value) else round5(Decimal(value))


def _depths(work: Plan, index: dict[uuid.UUID, int]) -> Ints:
    depth = np.zeros(len(work.order), dtype=np.intp)
    for trace_id in work.order:  # parents first: a parent's depth is final when it is read
        level = depth[index[trace_id]] + 1
        for below, _ in work.edges.get(trace_id, ()):
            at = index[below]
            depth[at] = max(depth[at], level)
    return depth


def float_kernel(work: Plan) -> Computed:
    """Quantities per part and the root's totals per stage, in float64 (exact to the bound)."""
    index = {trace_id: at for at, trace_id in enumerate(work.order)}
    size = len(work.order)
    parents: list[int] = []
    children: list[int] = []
    amounts: list[float] = []
    for trace_id, edges in work.edges.items():
        for below, required in edges:
            parents.append(index[trace_id])
            children.append(index[below])
            amounts.append(float(required))
    parent = np.asarray(parents, dtype=np.intp)
    child = np.asarray(children, dtype=np.intp)
    amount = np.asarray(amounts, dtype=np.float64)
    depth = _depths(work, index)
    edge_depth = depth[parent] if parent.size else np.zeros(0, dtype=np.intp)
    levels = int(depth.max()) + 1 if size else 0

    quantity = np.zeros(size)
    quantity[index[work.root]] = 1.0
    for level in range(levels):
        at = edge_depth == level
        np.add.at(quantity, child[at], quantity[parent[at]] * amount[at])

    root: dict[Stage, StageTotal] = {}
    for stage in Stage:
        root[stage] = _stage_total(work, stage, index, (parent, child, amount, edge_depth), depth)
    quantities = {trace_id: Decimal(repr(float(quantity[at]))) for trace_id, at in index.items()}
    return Computed(quantities, root)


def _stage_total(
    work: Plan,
    stage: Stage,
    index: dict[uuid.UUID, int],
    edges: tuple[Ints, Ints, Floats, Ints],
    depth: Ints,
) -> StageTotal:
    parent, child, amount, edge_depth = edges
    size = len(work.order)
    owner: list[int] = []
    emission_list: list[float] = []
    dqr_list: list[tuple[float, float, float]] = []
    for trace_id, terms in work.local.items():
        for term in terms[stage]:
            owner.append(index[trace_id])
            emission_list.append(_number(term.emission))
            dqr_list.append((_number(term.dqr.ter), _number(term.dqr.ger), _number(term.dqr.tir)))
    term_owner = np.asarray(owner, dtype=np.intp)
    term_emission = np.asarray(emission_list, dtype=np.float64)
    term_dqr = np.asarray(dqr_list, dtype=np.float64).reshape(-1, 3)

    total = np.zeros(size)
    np.add.at(total, term_owner, term_emission)
    numerator = np.zeros((size, 3))
    weight = np.zeros((size, 3))
    _weigh(numerator, weight, term_owner, term_emission, term_dqr)
    dqr = np.full((size, 3), math.nan)
    levels = int(depth.max()) + 1 if size else 0
    for level in reversed(range(levels)):
        at = edge_depth == level
        up, down = parent[at], child[at]
        carried = amount[at] * total[down]
        np.add.at(total, up, carried)
        _weigh(numerator, weight, up, carried, dqr[down])
        here = depth == level
        with np.errstate(invalid="ignore", divide="ignore"):
            dqr[here] = np.where(weight[here] > 0, numerator[here] / weight[here], math.nan)
    at = index[work.root]
    ter, ger, tir = (_decimal(float(value)) for value in dqr[at])
    return StageTotal(_decimal(float(total[at])), Dqr(ter, ger, tir))


def _weigh(numerator: Floats, weight: Floats, owner: Ints, emission: Floats, dqr: Floats) -> None:
    """Add emission-weighted ratings, leaving out unknown or non-positive emissions and
    unknown ratings (the rule of `traceability.rollup.combine`)."""
    for column in range(3):
        rating = dqr[:, column]
        counted = (emission > 0) & ~np.isnan(rating)
        np.add.at(numerator[:, column], owner[counted], emission[counted] * rating[counted])
        np.add.at(weight[:, column], owner[counted], emission[counted])
