"""Recycled content: shares, the mass-balance allocation and the Art. 8 minimums, by hand."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import InvalidRequest
from battrace.recycling.content import (
    BalanceInput,
    ElementContent,
    allocate,
    check_minimums,
    check_shares,
    combine,
    content_of_shares,
    share_percent,
)
from battrace.recycling.rules import Element

D = Decimal

CO, LI, NI, PB = Element.COBALT, Element.LITHIUM, Element.NICKEL, Element.LEAD


def test_combine_carries_amounts_like_the_cfp() -> None:
    # a pack: 2 x cell (each Co 0.5 kg, 0.1 recycled post) + own 0.2 kg Co, 0 recycled
    cell = {CO: ElementContent(D("0.5"), D(0), D("0.1"))}
    own = {CO: ElementContent(D("0.2"))}
    total = combine([(D(2), cell), (D(1), own)])
    # Co: 2 x 0.5 + 0.2 = 1.2 kg; recycled 2 x 0.1 = 0.2 kg -> 16.67 %
    assert total[CO] == ElementContent(D("1.2"), D(0), D("0.2"))
    assert share_percent(total[CO]) == D("16.67")


def test_unknown_stays_unknown() -> None:
    total = combine([(D(1), {NI: None}), (D(1), {NI: ElementContent(D(1))})])
    assert total[NI] is None
    assert share_percent(total[NI]) is None


def test_shares_over_100_percent_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="60 % pre-consumer \\+ 50 % post-consumer"):
        check_shares(D(60), D(50))
    with pytest.raises(InvalidRequest, match="postConsumerPercent: must be between 0 and 100"):
        content_of_shares(D(1), D(0), D(101))


def test_mass_balance_allocates_proportionally() -> None:
    # period: 100 kg Co recovered (80 post, 20 pre) + 300 kg virgin = 400 kg booked
    inputs = [BalanceInput(D(100), D(20), D(80)), BalanceInput(D(300))]
    allocation = allocate(inputs, [D(200), D(150)])
    # every output gets 100/400 = 25 %: 5 % pre, 20 % post
    assert allocation.share_percent == D("25.00")
    assert allocation.outputs[0] == ElementContent(D(200), D(10), D(40))
    assert allocation.outputs[1] == ElementContent(D(150), D("7.5"), D(30))
    # 87.5 kg allocated <= 100 kg booked: nothing claimed twice
    assert sum(o.recycled_kg for o in allocation.outputs) == D("87.5")


def test_negative_balance_and_over_100_inputs_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="outputs hold 401 kg but only 400 kg"):
        allocate([BalanceInput(D(400), D(0), D(100))], [D(401)])
    with pytest.raises(InvalidRequest, match="a share over 100 %"):
        allocate([BalanceInput(D(10), D(6), D(5))], [D(1)])


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=1000, places=2),
            st.decimals(min_value=0, max_value=1, places=2),
        ),
        min_size=1,
        max_size=10,
    ),
    st.lists(st.decimals(min_value=0, max_value=1, places=2), min_size=1, max_size=5),
)
def test_allocation_never_claims_more_than_booked(booked: list[tuple[D, D]], cuts: list[D]) -> None:
    inputs = [BalanceInput(mass, D(0), mass * share) for mass, share in booked]
    total = sum((b.mass_kg for b in inputs), D(0))
    weights = sum(cuts, D(0)) or D(1)
    outputs = [(total * cut / weights).quantize(D("0.00001"), ROUND_DOWN) for cut in cuts]
    allocation = allocate(inputs, outputs)
    recycled = sum((b.post_consumer_kg for b in inputs), D(0))
    assert sum(o.recycled_kg for o in allocation.outputs) <= recycled + D("1e-20")


def test_art8_minimums_by_date() -> None:
    shares = {CO: D(20), LI: D(5), NI: D(15), PB: None}
    before = check_minimums(shares, placed_on_market=date(2030, 1, 1))
    assert all(c.minimum is None and c.met for c in before)
    assert before[0].next_minimum is not None and before[0].next_minimum.percent == D(16)
    in_2032 = {c.element: c for c in check_minimums(shares, placed_on_market=date(2032, 1, 1))}
    assert in_2032[CO].gap_percent == D(0) and in_2032[CO].met  # 20 >= 16
    assert in_2032[LI].gap_percent == D(1)  # 6 - 5
    assert in_2032[PB].met is None  # unknown share
    in_2037 = {c.element: c for c in check_minimums(shares, placed_on_market=date(2037, 1, 1))}
    assert in_2037[CO].gap_percent == D(6)  # 26 - 20
    assert in_2037[NI].gap_percent == D(0)  # 15 - 15


def test_lmt_batteries_only_from_2036() -> None:
    lmt = {
        c.element: c
        for c in check_minimums({CO: D(0)}, placed_on_market=date(2032, 1, 1), lmt=True)
    }
    assert lmt[CO].minimum is None
    assert lmt[CO].next_minimum is not None and lmt[CO].next_minimum.deadline == date(2036, 8, 18)
