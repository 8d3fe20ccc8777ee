"""Recycling efficiency and material recovery, recomputed by hand from small reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import InvalidRequest
from battrace.recycling.rules import (
    Category,
    Element,
    InputBatch,
    OutputFraction,
    check_report,
    compute_rates,
)

D = Decimal

CO, NI, LI, CU = Element.COBALT, Element.NICKEL, Element.LITHIUM, Element.COPPER


def _lithium_report() -> tuple[list[InputBatch], list[OutputFraction]]:
    # 1,000 kg of NMC packs received; 200 kg casing and cables separated -> m_in = 800 kg.
    # The 800 kg hold Co 40, Ni 120, Li 16, Cu 60 kg.
    inputs = [
        InputBatch(
            Category.LITHIUM, "NMC", D(1000), D(200), {CO: D(40), NI: D(120), LI: D(16), CU: D(60)}
        )
    ]
    outputs = [
        # black mass handed on: intermediate, never counted
        OutputFraction("black mass", D(300), final=False, counts=False, usable=False),
        OutputFraction("cobalt sulphate", D(150), elements={CO: D(38)}, purity_percent=D("99.5")),
        OutputFraction("nickel sulphate", D(500), elements={NI: D(110)}, purity_percent=D(99)),
        OutputFraction("lithium carbonate", D(50), elements={LI: D(9)}, purity_percent=D("99.5")),
        OutputFraction("copper", D(58), elements={CU: D(57)}),
        # slag to disposal: final but does not count
        OutputFraction("slag", D(30), counts=False, usable=False),
    ]
    return inputs, outputs


def test_efficiency_and_recovery_by_hand() -> None:
    rates = compute_rates(*_lithium_report())
    assert rates.input_kg == D(800)
    # counted outputs: 150 + 500 + 50 + 58 = 758 kg; 758 / 800 = 94.75 %
    assert rates.output_kg == D(758)
    assert rates.efficiency_percent == D("94.75")
    # Co 38/40 = 95 %, Ni 110/120 = 91.666.. %, Li 9/16 = 56.25 %, Cu 57/60 = 95 %
    assert rates.recovery_percent == {
        CO: D("95.00"),
        CU: D("95.00"),
        LI: D("56.25"),
        NI: D("91.67"),
    }


def test_gaps_to_annex_xii() -> None:
    rates = compute_rates(*_lithium_report())
    # Part B lithium-based: 65 % by end 2025, 70 % by end 2030: both met
    assert [(c.deadline, c.target_percent, c.met) for c in rates.efficiency_checks] == [
        (date(2025, 12, 31), D(65), True),
        (date(2030, 12, 31), D(70), True),
    ]
    # Part C nickel: 90 % end 2027 met; 95 % end 2031 missed by 95 - 91.67 = 3.33 points
    nickel = rates.recovery_checks[NI]
    assert [(c.target_percent, c.gap_percent) for c in nickel] == [
        (D(90), D(0)),
        (D(95), D("3.33")),
    ]
    # lithium: 50 % met, 80 % missed by 23.75
    assert [c.gap_percent for c in rates.recovery_checks[LI]] == [D(0), D("23.75")]
    assert all(c.met for c in rates.recovery_checks[CO])


def test_lead_acid_targets() -> None:
    inputs = [InputBatch(Category.LEAD_ACID, "Pb", D(100), D(0), {Element.LEAD: D(60)})]
    outputs = [OutputFraction("lead", D(70), elements={Element.LEAD: D(56)})]
    rates = compute_rates(inputs, outputs)
    # 70 % < 75 % (end 2025) and < 80 % (end 2030); Pb 56/60 = 93.33 %
    assert [c.gap_percent for c in rates.efficiency_checks] == [D(5), D(10)]
    assert rates.recovery_percent[Element.LEAD] == D("93.33")


@pytest.mark.parametrize(
    ("inputs", "outputs", "message"),
    [
        (
            [InputBatch(Category.LITHIUM, "NMC", D(100), D(0), {CO: D(5)})],
            [OutputFraction("cobalt", D(10), elements={CO: D(6)})],
            "6 kg of Co recovered is more than the 5 kg put in",
        ),
        (
            [InputBatch(Category.LITHIUM, "NMC", D(100))],
            [OutputFraction("metals", D(101))],
            "101 kg of final output is more than the 100 kg input fraction",
        ),
        (
            [InputBatch(Category.LITHIUM, "NMC", D(100))],
            [OutputFraction("black mass", D(40), final=False)],
            "black mass is an intermediate fraction",
        ),
        (
            [InputBatch(Category.LITHIUM, "NMC", D(100), D(120))],
            [],
            "120 kg separated is more than the 100 kg received",
        ),
        (
            [InputBatch(Category.LITHIUM, "NMC", D(100), D(0), {CO: D(5)})],
            [OutputFraction("cobalt", D(3), elements={CO: D(4)})],
            "4 kg of elements is more than the fraction's 3 kg",
        ),
        (
            [InputBatch(Category.LITHIUM, "NMC", D(100))],
            [OutputFraction("x", D(1), purity_percent=D(101))],
            "purityPercent: must be between 0 and 100",
        ),
        (
            [InputBatch(Category.LITHIUM, "NMC", D(-1))],
            [],
            "massKg: must be a mass of 0 kg or more",
        ),
        (
            [InputBatch(Category.LITHIUM, "NMC", D(1)), InputBatch(Category.LEAD_ACID, "Pb", D(1))],
            [],
            "one report covers one Annex XII Part B category",
        ),
    ],
)
def test_impossible_reports_are_refused(
    inputs: list[InputBatch], outputs: list[OutputFraction], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        check_report(inputs, outputs)


masses = st.decimals(min_value=0, max_value=10_000, places=2)


@given(m_in=masses, share=st.decimals(min_value=0, max_value=1, places=3), el=masses)
def test_rates_never_exceed_100_percent(m_in: D, share: D, el: D) -> None:
    """Whatever an accepted report holds, its rates are between 0 and 100 %."""
    m_in = m_in + 1
    element_in = min(el, m_in)
    inputs = [InputBatch(Category.OTHER, "x", m_in, D(0), {CO: element_in})]
    outputs = [OutputFraction("co", m_in * share, elements={CO: min(element_in, m_in * share)})]
    rates = compute_rates(inputs, outputs)
    assert D(0) <= rates.efficiency_percent <= D(100)
    assert all(D(0) <= rate <= D(100) for rate in rates.recovery_percent.values())
