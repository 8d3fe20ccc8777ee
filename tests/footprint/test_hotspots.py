"""Hotspot ranking and what-if (battrace.footprint.hotspots)."""

from __future__ import annotations

from battrace.footprint import rank_parts, rank_suppliers, roll_up, what_if
from battrace.traceability.stages import Stage
from tests.footprint.builders import (
    OTHER_SUPPLIER,
    SUPPLIER,
    VIEWER,
    bought,
    dec,
    edge,
    graph,
    own,
    parent,
    tid,
)


def chain():  # type: ignore[no-untyped-def]
    return graph(
        parent(tid(0), "P", own(1, 1), edge(tid(1), 2), edge(tid(2), 1), edge(tid(3), 3)),
        bought(tid(1), "cells", pre=10, main=5),
        bought(tid(2), "case", pre=2, main=1, supplier=OTHER_SUPPLIER),
        bought(tid(3), "cables", pre=1, main=1, supplier=OTHER_SUPPLIER),
    )


def test_parts_are_ranked_with_cumulative_pareto_shares() -> None:
    footprint = roll_up(chain(), tid(0))
    ranked = rank_parts(footprint)
    # cells 30, cables 6, case 3, P's own 2 = 41 (both stages)
    assert [(h.label, h.emission) for h in ranked] == [
        ("cells", 30),
        ("cables", 6),
        ("case", 3),
        ("P", 2),
    ]
    assert ranked[0].share == dec(30) / 41
    assert ranked[1].cumulative_share == dec(36) / 41
    assert ranked[-1].cumulative_share == 1
    assert rank_parts(footprint, stage=Stage.MAIN)[0].emission == 10


def test_suppliers_are_ranked() -> None:
    ranked = rank_suppliers(roll_up(chain(), tid(0)))
    assert [(h.key, h.emission) for h in ranked] == [
        (SUPPLIER, 30),
        (OTHER_SUPPLIER, 9),
        (VIEWER, 2),
    ]


def test_what_if_replaces_one_value_and_gives_the_delta() -> None:
    g = chain()
    result = what_if(g, tid(0), replace=tid(1), with_values={Stage.PRE: dec(4), Stage.MAIN: dec(5)})
    assert result.before.stages[Stage.PRE].total == 1 + 20 + 2 + 3
    assert result.after.stages[Stage.PRE].total == 1 + 8 + 2 + 3
    assert result.delta == {Stage.PRE: -12, Stage.MAIN: 0}
    assert result.total_delta == -12
    # the graph is unchanged: rolling it up again gives the original numbers
    assert roll_up(g, tid(0)).stages[Stage.PRE].total == 26


def test_what_if_can_fill_an_unknown() -> None:
    g = graph(
        parent(tid(0), "P", own(1, 1), edge(tid(1), 2)),
        bought(tid(1), "open", answered=False),
    )
    result = what_if(g, tid(0), replace=tid(1), with_values={Stage.PRE: dec(1), Stage.MAIN: dec(2)})
    assert result.before.total is None
    assert result.after.total == 1 + 1 + 2 + 4
    assert result.delta == {Stage.PRE: None, Stage.MAIN: None}
