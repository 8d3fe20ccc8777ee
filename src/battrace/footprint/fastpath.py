"""The float64 kernel of the roll-up for large graphs (NumPy), same quantities as the Decimal one.

The plan is flattened once into integer-indexed arrays (`PlanArrays`): edges as parent /
child / amount vectors sorted by the parent's level, and each stage's terms as owner /
emission / DQR vectors. Levels are the longest path from the root, found by a vectorised
Kahn traversal (one NumPy step per level, never one per part). Quantities then flow down
level by level and totals with their DQR flow up level by level, each level one vectorised
accumulation (`np.add.at`) over a contiguous slice of the edges. An unknown value is NaN,
which propagates like `None` does. `footprint.rollup.roll_up` decides which kernel runs and
rounds this one's results to 5 decimals.

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
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from battrace.footprint.plan import Computed, Plan, StructureCycle, round5
from battrace.traceability.cfp import Dqr, Stage
from battrace.traceability.rollup import StageTotal

U = 2.0**-53
NAN = math.nan
STAGES = tuple(Stage)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


def error_bound(*, parts: int, depth: int, magnitude: Decimal) -> Decimal:
    """The documented bound on |float - exact| for a graph of that size (see module doc)."""
    return Decimal((2 * depth + parts + 4) * U) * magnitude + Decimal("0.000005")


def _decimal(value: float) -> Decimal | None:
    return None if math.isnan(value) else round5(Decimal(value))


@dataclass(frozen=True)
class Terms:
    """One stage's own terms: which part (index) each belongs to, its emission and DQR."""

    owner: Ints
    emission: Floats  # NaN = unknown
    dqr: Floats  # shape (terms, 3): ter, ger, tir; NaN = unknown


@dataclass(frozen=True)
class PlanArrays:
    """A plan as integer-indexed arrays; part i is `Plan.order[i]` (parents first)."""

    size: int
    root: int
    parent: Ints  # edges, sorted by the parent's level
    child: Ints
    amount: Floats
    level: Ints  # per part: the longest path from the root
    bounds: Ints  # edges of parents at level k are parent[bounds[k]:bounds[k + 1]]
    terms: dict[Stage, Terms]

    @property
    def levels(self) -> int:
        return len(self.bounds) - 1


def levels(size: int, parent: Ints, child: Ints, root: int) -> Ints:
    """The longest path from `root` to each part (Kahn's algorithm, one NumPy step per level).

    Every part must be reachable from `root`; raises StructureCycle if the edges have a cycle.
    """
    level = np.full(size, -1, dtype=np.intp)
    if size == 0:
        return level
    order = np.argsort(parent, kind="stable")
    by_parent = child[order]
    start = np.searchsorted(parent[order], np.arange(size + 1))
    waiting = np.bincount(child, minlength=size)  # edges from parents not yet placed
    frontier = np.asarray([root], dtype=np.intp)
    depth = 0
    placed = 0
    while frontier.size:
        level[frontier] = depth
        placed += frontier.size
        first, last = start[frontier], start[frontier + 1]
        count = last - first
        total = int(count.sum())
        if total == 0:
            break
        # the positions first[i] .. last[i] - 1 of every part of the frontier, concatenated
        offsets = np.repeat(first - np.cumsum(count) + count, count) + np.arange(total)
        below, released = np.unique(by_parent[offsets], return_counts=True)
        waiting[below] -= released
        frontier = below[waiting[below] == 0]
        depth += 1
    if placed != size or (waiting > 0).any():
        raise StructureCycle("a parts structure contains itself")
    return level


def arrays(work: Plan) -> PlanArrays:
    """Flatten a plan into arrays, in one pass over its parts."""
    index = {trace_id: at for at, trace_id in enumerate(work.order)}
    size = len(index)
    parents: list[int] = []
    children: list[int] = []
    amounts: list[float] = []
    owners: dict[Stage, list[int]] = {stage: [] for stage in STAGES}
    emissions: dict[Stage, list[float]] = {stage: [] for stage in STAGES}
    ratings: dict[Stage, list[float]] = {stage: [] for stage in STAGES}
    edges_of = work.edges
    local = work.local
    for at, trace_id in enumerate(work.order):
        edges = edges_of.get(trace_id)
        if edges:
            for below, required in edges:
                parents.append(at)
                children.append(index[below])
                amounts.append(float(required))
        terms_of = local[trace_id]
        for stage in STAGES:
            owner, emission, rating = owners[stage], emissions[stage], ratings[stage]
            for term in terms_of[stage]:
                owner.append(at)
                value = term.emission
                emission.append(NAN if value is None else float(value))
                dqr = term.dqr
                ter, ger, tir = dqr.ter, dqr.ger, dqr.tir
                rating.append(NAN if ter is None else float(ter))
                rating.append(NAN if ger is None else float(ger))
                rating.append(NAN if tir is None else float(tir))
    parent = np.asarray(parents, dtype=np.intp)
    child = np.asarray(children, dtype=np.intp)
    amount = np.asarray(amounts, dtype=np.float64)
    root = index[work.root]
    level = levels(size, parent, child, root)
    edge_level = level[parent]
    order = np.argsort(edge_level, kind="stable")
    depth = int(level.max()) + 1 if size else 0
    bounds = np.searchsorted(edge_level[order], np.arange(depth + 1)).astype(np.intp)
    terms = {
        stage: Terms(
            np.asarray(owners[stage], dtype=np.intp),
            np.asarray(emissions[stage], dtype=np.float64),
            np.asarray(ratings[stage], dtype=np.float64).reshape(-1, 3),
        )
        for stage in STAGES
    }
    return PlanArrays(size, root, parent[order], child[order], amount[order], level, bounds, terms)


def quantities(plan: PlanArrays) -> Floats:
    """Quantity of each part per unit of the root, summed over all paths."""
    quantity = np.zeros(plan.size)
    if plan.size:
        quantity[plan.root] = 1.0
    for k in range(plan.levels):
        lo, hi = int(plan.bounds[k]), int(plan.bounds[k + 1])
        up, down = plan.parent[lo:hi], plan.child[lo:hi]
        np.add.at(quantity, down, quantity[up] * plan.amount[lo:hi])
    return quantity


def totals(plan: PlanArrays, stage: Stage) -> tuple[Floats, Floats]:
    """Every part's total for a stage and its DQR (shape (parts, 3)), NaN where unknown."""
    terms = plan.terms[stage]
    total = np.zeros(plan.size)
    np.add.at(total, terms.owner, terms.emission)
    numerator = np.zeros((plan.size, 3))
    weight = np.zeros((plan.size, 3))
    _weigh(numerator, weight, terms.owner, terms.emission, terms.dqr)
    dqr = np.full((plan.size, 3), NAN)
    # parts grouped by level, deepest first; a part's children are all deeper
    by_level = np.argsort(plan.level, kind="stable")
    part_bounds = np.searchsorted(plan.level[by_level], np.arange(plan.levels + 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        for k in reversed(range(plan.levels)):
            lo, hi = int(plan.bounds[k]), int(plan.bounds[k + 1])
            if hi > lo:
                up, down = plan.parent[lo:hi], plan.child[lo:hi]
                carried = plan.amount[lo:hi] * total[down]
                np.add.at(total, up, carried)
                _weigh(numerator, weight, up, carried, dqr[down])
            here = by_level[part_bounds[k] : part_bounds[k + 1]]
            counted = weight[here]
            dqr[here] = np.where(counted > 0, numerator[here] / counted, NAN)
    return total, dqr


def _weigh(numerator: Floats, weight: Floats, owner: Ints, emission: Floats, dqr: Floats) -> None:
    """Add emission-weighted ratings, leaving out unknown or non-positive emissions and
    unknown ratings (the rule of `traceability.rollup.combine`)."""
    counted = (emission > 0)[:, None] & ~np.isnan(dqr)
    rows, columns = np.nonzero(counted)
    if rows.size:
        at = owner[rows]
        np.add.at(numerator, (at, columns), emission[rows] * dqr[rows, columns])
        np.add.at(weight, (at, columns), emission[rows])


def float_kernel(work: Plan) -> Computed:
    """Quantities per part and the root's totals per stage, in float64 (exact to the bound)."""
    flat = arrays(work)
    quantity = quantities(flat)
    root: dict[Stage, StageTotal] = {}
    for stage in STAGES:
        total, dqr = totals(flat, stage)
        ter, ger, tir = (_decimal(value) for value in dqr[flat.root].tolist())
        root[stage] = StageTotal(_decimal(float(total[flat.root])), Dqr(ter, ger, tir))
    values = quantity.tolist()
    return Computed(
        {
            trace_id: Decimal(repr(value))
            for trace_id, value in zip(work.order, values, strict=True)
        },
        root,
    )
