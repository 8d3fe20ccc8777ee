"""The vectorised float kernel against the exact Decimal kernel on random DAGs (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings

from battrace.footprint import fastpath
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.plan import StructureCycle, decimal_kernel, plan
from battrace.traceability.cfp import Stage
from tests.footprint.builders import tid
from tests.footprint.test_properties import dags


def _longest_paths(work_edges: dict[int, list[int]], size: int, root: int) -> list[int]:
    depth = [-1] * size
    depth[root] = 0
    for at in range(size):  # indexes are a topological order (parents first)
        for below in work_edges.get(at, []):
            depth[below] = max(depth[below], depth[at] + 1)
    return depth


@settings(max_examples=80, deadline=None)
@given(dags())
def test_vectorised_kernel_equals_the_decimal_kernel(g: FootprintGraph) -> None:
    work = plan(g, tid(0))
    exact = decimal_kernel(work)
    fast = fastpath.float_kernel(work)
    for trace_id, quantity in exact.quantities.items():
        assert abs(fast.quantities[trace_id] - quantity) <= Decimal("1e-9") * max(
            Decimal(1), quantity
        )
    for stage in Stage:
        e, f = exact.root[stage], fast.root[stage]
        assert (e.emission is None) == (f.emission is None)
        if e.emission is not None and f.emission is not None:
            assert abs(e.emission - f.emission) <= Decimal("0.00001") + abs(e.emission) * Decimal(
                "1e-12"
            )
        for x, y in ((e.dqr.ter, f.dqr.ter), (e.dqr.ger, f.dqr.ger), (e.dqr.tir, f.dqr.tir)):
            assert (x is None) == (y is None)
            if x is not None and y is not None:
                assert abs(x - y) <= Decimal("0.00001")


@settings(max_examples=80, deadline=None)
@given(dags())
def test_levels_are_the_longest_paths_from_the_root(g: FootprintGraph) -> None:
    work = plan(g, tid(0))
    flat = fastpath.arrays(work)
    edges: dict[int, list[int]] = {}
    for up, down in zip(flat.parent.tolist(), flat.child.tolist(), strict=True):
        edges.setdefault(up, []).append(down)
    assert flat.level.tolist() == _longest_paths(edges, flat.size, flat.root)
    # edges come sorted by their parent's level, `bounds` delimiting each level
    for k in range(flat.levels):
        lo, hi = int(flat.bounds[k]), int(flat.bounds[k + 1])
        assert (flat.level[flat.parent[lo:hi]] == k).all()


def test_levels_refuse_a_cycle() -> None:
    parent = np.asarray([0, 1, 2], dtype=np.intp)
    child = np.asarray([1, 2, 1], dtype=np.intp)
    with pytest.raises(StructureCycle):
        fastpath.levels(3, parent, child, 0)
