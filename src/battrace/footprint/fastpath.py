"""The float64 kernel of the roll-up: quantities and totals over a rooted DAG held in arrays
(NumPy), the same quantities as the Decimal kernel of `footprint.plan`.

Everything stays in the graph's own row order (no part's data is copied to another order).
`reach` finds the parts a root reaches and their levels (the longest path from the root, a
vectorised Kahn traversal: one NumPy step per level, never one per part) and sorts their
edges by the parent's level, so each level's edges are one contiguous slice. Quantities flow
down level by level (`np.add.at` over a slice). A total is linear in the parts' own terms,
and so is its DQR when the data are clean (`root_totals`); otherwise totals and their
emission-weighted DQR flow up level by level (`totals`, `np.add.reduceat` over each parent's
run of edges). An unknown value is NaN, which propagates as `None` does in the Decimal
kernel. The canonical order in which results are listed (by level, ties by row) is
`Reach.order`.

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
from functools import cached_property

import numpy as np
import numpy.typing as npt

U = 2.0**-53
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
Bools = npt.NDArray[np.bool_]


def error_bound(*, parts: int, depth: int, magnitude: Decimal) -> Decimal:
    """The documented bound on |float - exact| for a graph of that size (see module doc)."""
    return Decimal((2 * depth + parts + 4) * U) * magnitude + Decimal("0.000005")


class Cyclic(Exception):
    """The edges contain a cycle; `rows` are parts in or below it (never placed)."""

    def __init__(self, rows: Ints) -> None:
        super().__init__("a parts structure contains itself")
        self.rows = rows


def gather(indptr: Ints, nodes: Ints) -> Ints:
    """The positions indptr[n] .. indptr[n + 1] - 1 of every node n of `nodes`, concatenated."""
    first = indptr[nodes]
    count = indptr[nodes + 1] - first
    total = int(count.sum())
    return np.repeat(first - np.cumsum(count) + count, count) + np.arange(total, dtype=np.intp)


def reachable(indptr: Ints, child: Ints, expand: Bools, root: int) -> Bools:
    """Which rows `root` reaches through the edges of expanded rows."""
    seen = np.zeros(expand.size, dtype=np.bool_)
    seen[root] = True
    frontier = np.asarray([root], dtype=np.intp)
    while frontier.size:
        below = child[gather(indptr, frontier[expand[frontier]])]
        below = below[~seen[below]]
        seen[below] = True
        frontier = _distinct(below, expand.size)
    return seen


def _distinct(values: Ints, size: int) -> Ints:
    """The distinct values of `values` (all < size), ascending; a mask beats hashing here."""
    if values.size < size // 64:
        return np.unique(values)
    mask = np.zeros(size, dtype=np.bool_)
    mask[values] = True
    return np.flatnonzero(mask)


def levels(indptr: Ints, child: Ints, expand: Bools, root: int, reached: Bools) -> Ints:
    """The longest path from `root` to each row, -1 where not reached (Kahn's algorithm over
    the edges of reached expanded rows, one NumPy step per level).

    Raises Cyclic if some reached row is never placed: the edges then have a cycle.
    """
    size = expand.size
    level = np.full(size, -1, dtype=np.intp)
    heads = np.flatnonzero(reached & expand)
    waiting = np.bincount(child[gather(indptr, heads)], minlength=size)  # unplaced parents
    frontier = np.asarray([root], dtype=np.intp)
    placed = depth = 0
    while frontier.size:
        level[frontier] = depth
        placed += frontier.size
        below = child[gather(indptr, frontier[expand[frontier]])]
        np.subtract.at(waiting, below, 1)
        frontier = _distinct(below[waiting[below] == 0], size)
        depth += 1
    if placed != int(reached.sum()):
        raise Cyclic(np.flatnonzero(reached & (level < 0)))
    return level


def _small(values: Ints) -> npt.NDArray[np.int16] | Ints:
    """Levels as int16 where they fit, which NumPy's stable sort orders by radix, in O(n)."""
    return values.astype(np.int16) if values.size and values.max() < 2**15 else values


@dataclass(frozen=True)
class Reach:
    """The parts a root reaches, their levels and edges, in the graph's row order."""

    root: int
    reached: Bools  # per row
    level: Ints  # per row: the longest path from the root; -1 if not reached
    parent: Ints  # edges of reached expanded rows, sorted by the parent's level
    child: Ints
    amount: Floats
    level_edges: Ints  # edges of parents at level k: level_edges[k] .. level_edges[k + 1] - 1

    @property
    def levels(self) -> int:
        return int(self.level_edges.size) - 1

    @cached_property
    def order(self) -> Ints:
        """The reached rows in canonical order: by level, ties by row (the root first)."""
        return np.argsort(_small(self.level), kind="stable")[int((self.level < 0).sum()) :]

    @cached_property
    def rank(self) -> Ints:
        """Each row's place in `order`, -1 if not reached."""
        rank = np.full(self.level.size, -1, dtype=np.intp)
        rank[self.order] = np.arange(self.order.size, dtype=np.intp)
        return rank


def reach(indptr: Ints, child: Ints, amount: Floats, expand: Bools, root: int) -> Reach:
    """What `root` reaches, with levels and edges by level (see module doc).

    The graph is in CSR form: the children of row r are child[indptr[r]:indptr[r + 1]], with
    their amounts; only the edges of `expand`ed rows count.
    """
    reached = reachable(indptr, child, expand, root)
    level = levels(indptr, child, expand, root, reached)
    heads = np.flatnonzero(reached & expand)
    edges = gather(indptr, heads)
    up = np.repeat(heads, indptr[heads + 1] - indptr[heads])
    edge_level = _small(level[up])
    by_level = np.argsort(edge_level, kind="stable")
    steps = np.arange(int(level.max()) + 2)
    return Reach(
        root=root,
        reached=reached,
        level=level,
        parent=up[by_level],
        child=child[edges][by_level],
        amount=amount[edges][by_level],
        level_edges=np.searchsorted(edge_level[by_level], steps).astype(np.intp),
    )


def quantities(graph: Reach) -> Floats:
    """Quantity of each row per unit of the root, summed over all paths (0 if not reached)."""
    quantity = np.zeros(graph.level.size)
    quantity[graph.root] = 1.0
    for k in range(graph.levels):
        lo, hi = int(graph.level_edges[k]), int(graph.level_edges[k + 1])
        up, down = graph.parent[lo:hi], graph.child[lo:hi]
        np.add.at(quantity, down, quantity[up] * graph.amount[lo:hi])
    return quantity


def root_totals(
    graph: Reach, quantity: Floats, emission: Floats, present: Bools, dqr: Floats
) -> tuple[Floats, Floats]:
    """The root's total per stage (shape (stages,)) and DQR (shape (stages, 3)), NaN where
    unknown; arguments as for `totals`, plus the rows' `quantity`.

    A total is linear: the quantity-weighted sum of every part's own terms, unknown if any
    term is. So is the DQR numerator when every term is known and not negative and every
    positive term fully rated ("clean"): then each part's weight is its total, each child's
    weighted rating is amount x its numerator, and the root's rating is the quantity-weighted
    sum of every part's rated emissions over its total. A stage that is not clean takes the
    level-by-level computation of `totals`.
    """
    stages, slots = emission.shape[:2]
    total = np.zeros(stages)
    rating = np.full((stages, 3), math.nan)
    nested = []
    for s in range(stages):
        clean = True
        numerator = np.zeros(3)
        for slot in range(slots):
            used = np.flatnonzero(present[s, slot])
            own = emission[s, slot, used]
            weighted = quantity[used] * own
            total[s] += weighted.sum()
            if not clean or not (own >= 0).all():  # NaN >= 0 is False: unknown is not clean
                clean = False
                continue
            positive = own > 0
            ratings = dqr[s, slot][:, used[positive]]
            clean = not np.isnan(ratings).any()
            if clean:
                numerator += ratings @ weighted[positive]
        if not clean:
            nested.append(s)
        elif total[s] > 0:
            rating[s] = numerator / total[s]
    if nested:
        _, ratings = totals(graph, emission[nested], present[nested], dqr[nested])
        rating[nested] = ratings[:, :, graph.root]
    return total, rating


def totals(graph: Reach, emission: Floats, present: Bools, dqr: Floats) -> tuple[Floats, Floats]:
    """Every row's total per stage (shape (stages, rows)) and DQR (shape (stages, 3, rows)),
    NaN where unknown (rows not reached: 0 and NaN).

    A part's own terms are the slots of `emission` (shape (stages, slots, rows), NaN =
    unknown) that are `present`, rated by `dqr` (shape (stages, slots, 3, rows)); its
    children add amount x their total. Ratings are weighted by positive known emissions,
    leaving out unknown ratings (the rule of `traceability.combine.combine`).
    """
    stages, _, size = emission.shape
    own = np.where(present & graph.reached, emission, 0.0)
    total = own.sum(axis=1)
    positive = np.where(own > 0, own, 0.0)[:, :, None, :]  # NaN > 0 is False
    rated = ~np.isnan(dqr)
    numerator = np.where(rated, positive * dqr, 0.0).sum(axis=1)  # (stages, 3, rows)
    weights = np.where(rated, positive, 0.0).sum(axis=1)
    rating = np.full((stages, 3, size), math.nan)
    # each level's edges grouped by parent, and the rows of each level
    by_parent = np.lexsort((graph.parent, graph.level[graph.parent]))
    parent, child = graph.parent[by_parent], graph.child[by_parent]
    amount = graph.amount[by_parent]
    runs = np.flatnonzero(np.concatenate(([True], parent[1:] != parent[:-1])))
    level_runs = np.searchsorted(runs, graph.level_edges)
    order = graph.order
    level_parts = np.searchsorted(graph.level[order], np.arange(graph.levels + 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        for k in reversed(range(graph.levels)):
            lo, hi = int(graph.level_edges[k]), int(graph.level_edges[k + 1])
            if hi > lo:
                starts = runs[int(level_runs[k]) : int(level_runs[k + 1])]
                heads = parent[starts]
                starts = starts - lo
                down = child[lo:hi]
                carried = amount[lo:hi] * total[:, down]
                total[:, heads] += np.add.reduceat(carried, starts, axis=1)
                below = rating[:, :, down]
                known = ~np.isnan(below)
                weight = np.where(carried > 0, carried, 0.0)[:, None, :]
                numerator[:, :, heads] += np.add.reduceat(
                    np.where(known, weight * below, 0.0), starts, axis=2
                )
                weights[:, :, heads] += np.add.reduceat(
                    np.where(known, weight, 0.0), starts, axis=2
                )
            here = order[int(level_parts[k]) : int(level_parts[k + 1])]
            counted = weights[:, :, here]
            rating[:, :, here] = np.where(counted > 0, numerator[:, :, here] / counted, math.nan)
    return total, rating
