"""Hand-computed roll-ups on hand-built graphs (battrace.footprint.rollup and plan)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from battrace.errors import NotFound
from battrace.footprint import (
    Origin,
    Provenance,
    StructureCycle,
    UnitMismatch,
    UnknownReason,
    roll_up,
)
from battrace.footprint.factors import Factor
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.result import Footprint
from battrace.footprint.rollup import Engine
from battrace.traceability.stages import Dqr, Stage
from tests.footprint.builders import (
    SUPPLIER,
    VIEWER,
    bought,
    dec,
    edge,
    graph,
    own,
    parent,
    terminated,
    tid,
)

PRE, MAIN = Stage.PRE, Stage.MAIN


class Roll:
    """`roll_up` with one engine: every hand example runs on both."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, graph: FootprintGraph, root: uuid.UUID, **options: Any) -> Footprint:
        return roll_up(graph, root, engine=self.engine, **options)


@pytest.fixture(params=["decimal", "float"])
def roll(request: pytest.FixtureRequest) -> Roll:
    return Roll(request.param)


def tutorial() -> FootprintGraph:
    """部品A (own 3.0 / 20.0) needs 5 kg of 部品A1, answered by B with 1.5 / 10."""
    return graph(
        parent(tid(0), "部品A", own(3.0, 20.0), edge(tid(1), 5)),
        bought(tid(1), "部品A1", pre=1.5, main=10),
    )


def test_tutorial_numbers(roll: Roll) -> None:
    result = roll(tutorial(), tid(0))
    pre, main = result.stages[PRE], result.stages[MAIN]
    assert (pre.total, main.total) == (dec("10.5"), dec("70.0"))
    assert (pre.own, pre.components) == (3, dec("7.5"))
    assert (main.own, main.components) == (20, 50)
    assert result.total == dec("80.5")
    assert result.exact == (roll.engine == "decimal")
    assert result.unit == "kgCO2e/kilogram"
    # (1 x 3 + 1 x 7.5) / 10.5 for TeR, as the contract's preProductionTotal row says.
    assert pre.dqr == Dqr(Decimal(1), Decimal(2), Decimal(3))
    assert main.dqr == Dqr(Decimal(2), Decimal(3), Decimal(4))
    supplier = next(c for c in pre.contributions if c.trace_id == tid(1))
    assert supplier.quantity == 5
    assert supplier.value == dec("1.5")
    assert supplier.emission == dec("7.5")
    assert supplier.supplier_operator_id == SUPPLIER
    assert supplier.provenance == Provenance.PRIMARY
    assert [c.origin for c in pre.contributions if c.trace_id == tid(0)] == [
        Origin.OWN,
        Origin.COMPONENTS,
    ]
    assert pre.unknown == ()
    assert result.primary_share == 1


def shared_dag() -> FootprintGraph:
    """P needs 2 of S1 and 3 of S2; S1 needs 4 of C, S2 needs 1 of C (C is shared)."""
    return graph(
        parent(tid(0), "P", own(1, 2), edge(tid(1), 2), edge(tid(2), 3)),
        parent(tid(1), "S1", own("0.1", "0.2"), edge(tid(3), 4)),
        parent(tid(2), "S2", own(0, 0, pre_component="0.05"), edge(tid(3), 1)),
        terminated(tid(3), "C", own("0.5", 1)),
    )


def test_three_tier_dag_counts_a_shared_component_once_per_path(roll: Roll) -> None:
    result = roll(shared_dag(), tid(0))
    pre, main = result.stages[PRE], result.stages[MAIN]
    # C: 2 x 4 + 3 x 1 = 11 kg per P. pre: 1 + 2 x 0.1 + 3 x 0.05 + 11 x 0.5 = 6.85
    assert pre.total == dec("6.85")
    assert main.total == dec("13.4")  # 2 + 2 x 0.2 + 0 + 11 x 1
    # A part with own values contributes its production and its component row.
    production, component = [c for c in pre.contributions if c.trace_id == tid(3)]
    assert production.quantity == component.quantity == 11
    assert (production.emission, component.emission) == (dec("5.5"), 0)
    assert pre.own == 1
    assert pre.components == dec("5.85")
    assert sum(c.emission for c in pre.contributions) == pre.total


def test_unknown_parts_are_listed_with_reason_and_share_never_zero(roll: Roll) -> None:
    g = graph(
        parent(
            tid(0),
            "P",
            own(1, 1),
            edge(tid(1), 2),
            edge(tid(2), 3),
            edge(tid(3), 5),
            edge(tid(4), 10),
        ),
        bought(tid(1), "answered", pre=1, main=1),
        bought(tid(2), "withheld", pre=7, main=7, released=False),
        bought(tid(3), "open", answered=False),
        bought(tid(4), "never asked", answered=False, requested=False),
    )
    result = roll(g, tid(0))
    pre = result.stages[PRE]
    assert pre.total is None
    assert pre.components is None
    assert pre.own == 1
    assert pre.known == 3  # 1 own + 2 x 1
    reasons = {u.parts_name: (u.reason, u.quantity, u.quantity_share) for u in pre.unknown}
    assert reasons == {
        "withheld": (UnknownReason.WITHHELD, 3, dec(3) / 20),
        "open": (UnknownReason.NOT_ANSWERED, 5, dec(5) / 20),
        "never asked": (UnknownReason.NOT_REQUESTED, 10, dec(10) / 20),
    }
    assert result.total is None
    assert set(result.unknown_parts) == {tid(2), tid(3), tid(4)}
    assert all(c.trace_id not in result.unknown_parts for c in pre.contributions)


def test_a_parent_without_own_values_is_unknown_but_its_components_count(roll: Roll) -> None:
    g = graph(parent(tid(0), "P", None, edge(tid(1), 2)), bought(tid(1), "c", pre=1, main=2))
    pre = roll(g, tid(0)).stages[PRE]
    assert pre.total is None
    assert pre.own is None
    assert pre.known == 2
    [missing] = pre.unknown
    assert (missing.reason, missing.quantity_share) == (UnknownReason.NO_VALUES, None)


def test_secondary_factor_fills_a_part_without_answer(roll: Roll) -> None:
    g = graph(
        parent(tid(0), "P", own(1, 1), edge(tid(1), 2), edge(tid(2), 4)),
        bought(tid(1), "answered", pre=1, main=1),
        bought(tid(2), "open", answered=False),
    )
    factor = Factor(tid(99), "steel", "kilogram", dec("2.5"), "a database", 2024)
    result = roll(g, tid(0), factors={tid(2): factor, tid(1): factor})
    pre, main = result.stages[PRE], result.stages[MAIN]
    assert pre.total == 1 + 2 + 10  # the factor is cradle-to-gate: all in pre-processing
    assert main.total == 1 + 2
    assert pre.secondary == 10
    assert pre.primary == 3
    assert pre.primary_share == dec(3) / 13
    assert result.primary_share == dec(6) / 16
    by_part = {c.trace_id: c.provenance for c in pre.contributions}
    assert by_part[tid(1)] == Provenance.PRIMARY  # answered parts keep their answer
    assert by_part[tid(2)] == Provenance.SECONDARY


def test_unit_mismatch_names_the_part_and_both_units(roll: Roll) -> None:
    g = graph(
        parent(tid(0), "P", own(1, 1), edge(tid(1), 2)),
        bought(tid(1), "電解液", pre=1, main=1, unit="kilogram", declared_unit="kgCO2e/liter"),
    )
    with pytest.raises(UnitMismatch) as raised:
        roll(g, tid(0))
    message = raised.value.message
    assert str(tid(1)) in message
    assert "電解液" in message
    assert "kilogram" in message
    assert "kgCO2e/liter" in message


def test_factor_in_another_unit_is_a_mismatch(roll: Roll) -> None:
    g = graph(
        parent(tid(0), "P", own(1, 1), edge(tid(1), 2)),
        bought(tid(1), "c", answered=False),
    )
    factor = Factor(tid(99), "water", "liter", dec(1), "db", 2024)
    with pytest.raises(UnitMismatch, match="liter"):
        roll(g, tid(0), factors={tid(1): factor})


def test_a_cycle_is_refused_naming_the_parts(roll: Roll) -> None:
    g = graph(
        parent(tid(0), "P", own(1, 1), edge(tid(1), 1)),
        parent(tid(1), "Q", own(1, 1), edge(tid(2), 1)),
        parent(tid(2), "R", own(1, 1), edge(tid(1), 1)),
    )
    with pytest.raises(StructureCycle, match="Q"):
        roll(g, tid(0))


def test_root_outside_the_graph_is_not_found(roll: Roll) -> None:
    with pytest.raises(NotFound):
        roll(tutorial(), tid(42))


def test_a_bought_in_root_is_all_components(roll: Roll) -> None:
    pre = roll(tutorial(), tid(1)).stages[PRE]
    assert (pre.total, pre.own, pre.components) == (dec("1.5"), 0, dec("1.5"))


def test_float_path_gives_the_same_numbers_rounded() -> None:
    exact = roll_up(shared_dag(), tid(0), engine="decimal")
    fast = roll_up(shared_dag(), tid(0), engine="float")
    assert not fast.exact
    for stage in Stage:
        assert fast.stages[stage].total == exact.stages[stage].total
        assert fast.stages[stage].dqr == exact.stages[stage].dqr
        assert [c.emission for c in fast.stages[stage].contributions] == [
            c.emission for c in exact.stages[stage].contributions
        ]


def test_viewer_is_the_graphs() -> None:
    assert roll_up(tutorial(), tid(0)).viewer == VIEWER
