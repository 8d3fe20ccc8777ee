"""Invariants of the roll-up on random DAGs (hypothesis)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, localcontext
from types import MappingProxyType

from hypothesis import given, settings
from hypothesis import strategies as st

from battrace.footprint import PartNode, UnknownReason, roll_up
from battrace.footprint.fastpath import error_bound
from battrace.footprint.graph import Edge, FootprintGraph
from battrace.footprint.result import Footprint
from battrace.traceability.combine import RatedEmission
from battrace.traceability.disclosure import Released
from battrace.traceability.stages import Stage
from tests.footprint.builders import bought, graph, own, parent, terminated, tid

amounts = st.decimals(min_value=0, max_value=50, places=3, allow_nan=False)
values = st.decimals(min_value=0, max_value=1000, places=5, allow_nan=False)


@st.composite
def dags(draw: st.DrawFn) -> FootprintGraph:
    """Parts 0..n-1; edges only from a lower to a higher index (acyclic); 0 is the root."""
    size = draw(st.integers(min_value=2, max_value=12))
    children: dict[int, list[Edge]] = {i: [] for i in range(size)}
    for child in range(1, size):
        parents = draw(st.sets(st.integers(min_value=0, max_value=child - 1), min_size=1))
        for at in parents:
            children[at].append(Edge(tid(child), draw(amounts)))
    nodes: list[PartNode] = []
    for at in range(size):
        if children[at] or at == 0:
            nodes.append(parent(tid(at), f"p{at}", own(draw(values), draw(values)), *children[at]))
            continue
        kind = draw(st.sampled_from(["terminated", "answered", "withheld", "open"]))
        if kind == "terminated":
            nodes.append(terminated(tid(at), f"p{at}", own(draw(values), draw(values))))
        else:
            nodes.append(
                bought(
                    tid(at),
                    f"p{at}",
                    pre=draw(values),
                    main=draw(values),
                    released=kind != "withheld",
                    answered=kind != "open",
                )
            )
    return graph(*nodes)


def _check_sums(footprint: Footprint) -> None:
    for stage in footprint.stages.values():
        total = sum((c.emission for c in stage.contributions), Decimal(0))
        assert stage.known == total
        if stage.total is not None:
            assert stage.total == total
            assert stage.unknown == ()
        else:
            assert stage.unknown
        assert stage.primary + stage.secondary + stage.assumed == stage.known


@settings(max_examples=80, deadline=None)
@given(dags())
def test_total_is_the_sum_of_contributions(g: FootprintGraph) -> None:
    with localcontext(prec=300):  # exact sums of the exact contributions
        _check_sums(roll_up(g, tid(0)))


@settings(max_examples=60, deadline=None)
@given(dags(), st.integers(min_value=0, max_value=7))
def test_scaling_the_roots_amounts_scales_its_components(g: FootprintGraph, k: int) -> None:
    """x k on every amount of the root's structure: every value below the root x k."""
    root = g.nodes[tid(0)]
    scaled_root = dataclasses.replace(
        root,
        children=tuple(Edge(e.child, e.amount_required * k) for e in root.children),
    )
    scaled = FootprintGraph(g.viewer, g.roots, MappingProxyType({**g.nodes, tid(0): scaled_root}))
    before, after = roll_up(g, tid(0)), roll_up(scaled, tid(0))
    with localcontext(prec=300):
        _check_scaled(before, after, k)


def _check_scaled(before: Footprint, after: Footprint, k: int) -> None:
    for stage in Stage:

        def below_root(f: Footprint, stage: Stage = stage) -> Decimal:
            return sum(
                (c.emission for c in f.stages[stage].contributions if c.trace_id != tid(0)),
                Decimal(0),
            )

        assert below_root(after) == k * below_root(before)
        assert {u.trace_id for u in after.stages[stage].unknown} == {
            u.trace_id for u in before.stages[stage].unknown
        }


@settings(max_examples=60, deadline=None)
@given(dags(), st.data())
def test_withholding_moves_a_value_to_unknown_never_to_zero(
    g: FootprintGraph, data: st.DataObject
) -> None:
    answered = [n for n in g.nodes.values() if n.boundary and n.boundary.released.total_cfp]
    if not answered:
        return
    node = data.draw(st.sampled_from(answered))
    assert node.boundary is not None
    withheld = dataclasses.replace(
        node,
        boundary=dataclasses.replace(
            node.boundary,
            released=Released(False, False, False),
            totals=MappingProxyType(
                {
                    stage: RatedEmission(None, total.dqr)
                    for stage, total in node.boundary.totals.items()
                }
            ),
        ),
    )
    after = roll_up(
        FootprintGraph(g.viewer, g.roots, MappingProxyType({**g.nodes, node.trace_id: withheld})),
        tid(0),
    )
    before = roll_up(g, tid(0))
    assert node.trace_id in {c.trace_id for c in before.stages[Stage.PRE].contributions}
    for stage in after.stages.values():
        assert stage.total is None
        assert node.trace_id not in {c.trace_id for c in stage.contributions}
        [entry] = [u for u in stage.unknown if u.trace_id == node.trace_id]
        assert entry.reason == UnknownReason.WITHHELD
    with localcontext(prec=300):
        _check_sums(after)


def _depth(g: FootprintGraph) -> int:
    depth = {tid(0): 0}
    for index in range(len(g.nodes)):  # edges go from lower to higher indexes
        node = g.nodes[tid(index)]
        for e in node.children:
            depth[e.child] = max(depth.get(e.child, 0), depth.get(node.trace_id, 0) + 1)
    return max(depth.values())


@settings(max_examples=60, deadline=None)
@given(dags())
def test_float_path_is_within_the_documented_bound(g: FootprintGraph) -> None:
    exact = roll_up(g, tid(0), engine="decimal")
    fast = roll_up(g, tid(0), engine="float")
    for stage in Stage:
        e, f = exact.stages[stage], fast.stages[stage]
        magnitude = sum((abs(c.emission) for c in e.contributions), Decimal(0))
        bound = error_bound(parts=len(g.nodes), depth=_depth(g), magnitude=magnitude)
        assert (e.total is None) == (f.total is None)
        if e.total is not None and f.total is not None:
            assert abs(e.total - f.total) <= bound
        assert abs(e.known - f.known) <= bound * len(e.contributions)
        assert [u.trace_id for u in e.unknown] == [u.trace_id for u in f.unknown]
        for exact_c, fast_c in zip(e.contributions, f.contributions, strict=True):
            assert abs(exact_c.emission - fast_c.emission) <= bound
        for exact_dqr, fast_dqr in zip(
            (e.dqr.ter, e.dqr.ger, e.dqr.tir), (f.dqr.ter, f.dqr.ger, f.dqr.tir), strict=True
        ):
            assert (exact_dqr is None) == (fast_dqr is None)
            if exact_dqr is not None and fast_dqr is not None:
                assert abs(exact_dqr - fast_dqr) <= Decimal("0.00001")
