"""The float engine (columns, vectorised kernel) against the exact Decimal engine on random
DAGs (hypothesis), with factors and what-if values, and the kernel's ordering rules."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from battrace.footprint import fastpath
from battrace.footprint.columns import columns_of
from battrace.footprint.factors import Factor
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.plan import Replacement
from battrace.footprint.result import Footprint
from battrace.footprint.rollup import roll_up
from battrace.traceability.stages import Dqr, Stage
from tests.footprint.builders import tid
from tests.footprint.test_properties import dags

CLOSE = Decimal("0.0001")


def _longest_paths(g: FootprintGraph) -> dict[int, int]:
    depth = {0: 0}
    for at in range(len(g.nodes)):  # indexes are a topological order (parents first)
        node = g.nodes[tid(at)]
        if at not in depth or not (node.is_parent and not node.terminated):
            continue
        for edge in node.children:
            below = edge.child.int - tid(0).int
            depth[below] = max(depth.get(below, 0), depth[at] + 1)
    return depth


def _same(exact: Footprint, fast: Footprint) -> None:
    assert not fast.exact and exact.exact
    for stage in Stage:
        e, f = exact.stages[stage], fast.stages[stage]
        assert (e.total is None) == (f.total is None)
        if e.total is not None and f.total is not None:
            assert abs(e.total - f.total) <= CLOSE
        for name in ("known", "primary", "secondary", "assumed"):
            assert abs(getattr(e, name) - getattr(f, name)) <= CLOSE
        assert (e.own is None, e.components is None) == (f.own is None, f.components is None)
        assert [(c.trace_id, c.origin, c.provenance, c.supplier_operator_id)
                for c in e.contributions] == [
            (c.trace_id, c.origin, c.provenance, c.supplier_operator_id)
            for c in f.contributions
        ]  # fmt: skip
        assert [(u.trace_id, u.reason, u.supplier_operator_id, u.quantity_share is None)
                for u in e.unknown] == [
            (u.trace_id, u.reason, u.supplier_operator_id, u.quantity_share is None)
            for u in f.unknown
        ]  # fmt: skip
        assert sum((c.emission for c in f.contributions), Decimal(0)) == f.known
        assert f.primary + f.secondary + f.assumed == f.known


@settings(max_examples=80, deadline=None)
@given(dags(), st.data())
def test_float_engine_agrees_with_the_decimal_engine_with_factors_and_what_if(
    g: FootprintGraph, data: st.DataObject
) -> None:
    ids = sorted(g.nodes, key=lambda trace_id: trace_id.int)
    picked = data.draw(st.sets(st.sampled_from(ids)))
    value = data.draw(st.decimals(min_value=0, max_value=100, places=3))
    factors = {t: Factor(tid(900), "f", "kilogram", value, "db", 2024) for t in picked}
    replacements = {}
    if data.draw(st.booleans()):
        target = data.draw(st.sampled_from(ids))
        replacements[target] = Replacement(
            {Stage.PRE: value, Stage.MAIN: Decimal(2)},
            {Stage.PRE: Dqr(Decimal(1), None, Decimal(2))},
        )
    options = {"factors": factors, "replacements": replacements}
    _same(
        roll_up(g, tid(0), engine="decimal", **options),  # type: ignore[arg-type]
        roll_up(g, tid(0), engine="float", **options),  # type: ignore[arg-type]
    )


@settings(max_examples=80, deadline=None)
@given(dags())
def test_parts_come_in_canonical_order_and_edges_by_level(g: FootprintGraph) -> None:
    columns = columns_of(g)
    expand = columns.kind == 0
    graph = fastpath.reach(columns.indptr, columns.child, columns.amount, expand, 0)
    depth = _longest_paths(g)
    assert graph.order.tolist() == sorted(depth, key=lambda at: (depth[at], at))
    assert graph.reached.tolist() == [at in depth for at in range(len(g.nodes))]
    assert graph.level.tolist() == [depth.get(at, -1) for at in range(len(g.nodes))]
    for k in range(graph.levels):
        lo, hi = int(graph.level_edges[k]), int(graph.level_edges[k + 1])
        assert (graph.level[graph.parent[lo:hi]] == k).all()
        assert (graph.level[graph.child[lo:hi]] > k).all()


def test_quantities_sum_every_path_and_skip_what_is_not_reached() -> None:
    # 0 -> 1 (x2), 0 -> 2 (x3), 1 -> 3 (x4), 2 -> 3 (x1), 3 -> 4 (x0.5); 5 -> 4 not reached
    indptr = np.asarray([0, 2, 3, 4, 5, 5, 6], dtype=np.intp)
    child = np.asarray([1, 2, 3, 3, 4, 4], dtype=np.intp)
    amount = np.asarray([2.0, 3.0, 4.0, 1.0, 0.5, 7.0])
    graph = fastpath.reach(indptr, child, amount, np.ones(6, dtype=np.bool_), 0)
    assert fastpath.quantities(graph).tolist() == [1.0, 2.0, 3.0, 11.0, 5.5, 0.0]
    assert graph.order.tolist() == [0, 1, 2, 3, 4]
    assert graph.rank.tolist() == [0, 1, 2, 3, 4, -1]


def test_a_dirty_stage_takes_the_nested_dqr() -> None:
    """An unrated positive term below: the linear shortcut would be wrong, the nested rule
    leaves the unrated term out at its own level."""
    indptr = np.asarray([0, 1, 1], dtype=np.intp)
    graph = fastpath.reach(indptr, np.asarray([1]), np.asarray([2.0]), np.ones(2, bool), 0)
    emission = np.asarray([[[1.0, 3.0]]])  # one stage, one slot: 1 at the root, 3 below
    dqr = np.asarray([[[[2.0, math.nan]] * 3]])  # the part below is not rated
    present = np.ones((1, 1, 2), dtype=np.bool_)
    quantity = fastpath.quantities(graph)
    total, rating = fastpath.root_totals(graph, quantity, emission, present, dqr)
    assert total.tolist() == [7.0]
    assert rating.tolist() == [[2.0, 2.0, 2.0]]  # only the root's own term is rated
    nested_total, nested = fastpath.totals(graph, emission, present, dqr)
    assert nested_total[:, 0].tolist() == [7.0]
    assert nested[0, :, 0].tolist() == [2.0, 2.0, 2.0]


def test_levels_refuse_a_cycle() -> None:
    # 0 -> 1 -> 2 -> 1
    indptr = np.asarray([0, 1, 2, 3], dtype=np.intp)
    child = np.asarray([1, 2, 1], dtype=np.intp)
    expand = np.ones(3, dtype=np.bool_)
    reached = fastpath.reachable(indptr, child, expand, 0)
    with pytest.raises(fastpath.Cyclic) as raised:
        fastpath.levels(indptr, child, expand, 0, reached)
    assert raised.value.rows.tolist() == [1, 2]
