"""The graph in columns (battrace.footprint.columns) and lazily built result rows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from battrace.errors import NotFound
from battrace.footprint.columns import COMPONENT, PRODUCTION, GraphColumns, columns_of
from battrace.footprint.plan import Kind
from battrace.footprint.result import Rows
from battrace.footprint.rollup import roll_up
from tests.footprint.builders import (
    SUPPLIER,
    bought,
    dec,
    edge,
    graph,
    own,
    parent,
    terminated,
    tid,
)


def test_columns_hold_each_kind_of_part_as_the_rules_classify_it() -> None:
    g = graph(
        parent(tid(0), "P", own(1, 2), edge(tid(1), 2), edge(tid(2), 3), edge(tid(3), 1)),
        bought(tid(1), "answered", pre="1.5", main=10, declared_unit="kgCO2e/kilogram"),
        bought(tid(2), "open", answered=False),
        terminated(tid(3), "T", None),
    )
    columns = GraphColumns.of(g)
    assert columns.kind.tolist() == [Kind.PARENT, Kind.BOUNDARY, Kind.NONE, Kind.OWN]
    assert columns.operators[int(columns.supplier[1])] == SUPPLIER
    assert columns.value[0, PRODUCTION, 0] == 1.0  # stage pre, own production of P
    assert columns.value[1, PRODUCTION, 0] == 2.0
    assert columns.value[0, COMPONENT, 1] == 1.5  # the answer sits in the component slot
    assert math.isnan(columns.value[0, PRODUCTION, 1])
    assert np.isnan(columns.value[:, :, 2]).all()  # nothing for an open request
    assert columns.has_own.tolist() == [True, False, False, False]
    children = columns.child[columns.indptr[0] : columns.indptr[1]].tolist()
    assert children == [1, 2, 3]
    assert columns.amount[:3].tolist() == [2.0, 3.0, 1.0]
    assert columns.index[tid(3)] == 3


def test_a_child_outside_the_graph_is_not_found() -> None:
    g = graph(parent(tid(0), "P", own(1, 1), edge(tid(7), 1)))
    with pytest.raises(NotFound, match=str(tid(7))):
        GraphColumns.of(g)


def test_columns_refuse_a_value_on_a_part_that_has_none() -> None:
    columns = GraphColumns.of(graph(bought(tid(0), "open", answered=False)))
    value = columns.value.copy()
    value[0, COMPONENT, 0] = 1.0
    with pytest.raises(ValueError, match="NONE"):
        GraphColumns(**{**columns.__dict__, "value": value})


def test_the_object_graph_converts_once() -> None:
    g = graph(parent(tid(0), "P", own(1, 1), edge(tid(1), 1)), terminated(tid(1), "T", own(2, 2)))
    assert columns_of(g) is columns_of(g)
    assert roll_up(columns_of(g), tid(0)).total == dec(6)


def test_rows_are_built_once_and_only_when_read() -> None:
    calls = []

    def build() -> tuple[int, ...]:
        calls.append(1)
        return (1, 2, 3)

    rows = Rows(3, build)
    assert len(rows) == 3 and rows
    assert calls == []
    assert list(rows) == [1, 2, 3]
    assert rows[1] == 2 and rows[1:] == (2, 3)
    assert rows == (1, 2, 3) and rows == [1, 2, 3]
    assert calls == [1]
    assert Rows(0, tuple) == ()
    assert not Rows(0, tuple)


def test_rows_refuse_a_builder_that_disagrees_with_the_count() -> None:
    with pytest.raises(AssertionError):
        list(Rows(2, lambda: (1,)))
