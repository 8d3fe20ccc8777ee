"""Mass balance of custody steps and of a lot's history, by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import InvalidRequest
from battrace.recycling.balance import Step, Tolerance, check_history, check_step

D = Decimal


def test_a_step_within_tolerance_passes() -> None:
    # 1,000 kg in, 990 out, 8 lost: 2 kg unaccounted; tolerance max(0.5, 0.5 % x 1000 = 5) kg
    check_step(D(1000), D(990), D(8))


def test_a_step_off_by_more_than_the_tolerance_is_refused() -> None:
    # 1,000 in, 990 out, no loss: 10 kg unaccounted > 5 kg allowed
    with pytest.raises(InvalidRequest, match="off by 10 kg; the tolerance is 5 kg"):
        check_step(D(1000), D(990))
    # mass that appears from nowhere is refused too: 100 in, 101 out (0.5 kg allowed)
    with pytest.raises(InvalidRequest, match="off by -1 kg"):
        check_step(D(100), D(101))


def test_a_stated_tolerance_is_used() -> None:
    check_step(D(1000), D(990), tolerance=Tolerance(D("0.01"), D(0)))  # 10 kg allowed
    with pytest.raises(InvalidRequest):
        check_step(D(1000), D(990), tolerance=Tolerance(D(0), D(1)))


def _step(
    n: int,
    m_in: str,
    m_out: str,
    lost: str = "0",
    units: tuple[int, int] | None = None,
    split: bool = False,
    declared: int = 0,
) -> Step:
    u_in, u_out = units if units else (None, None)
    return Step(n, D(m_in), D(m_out), D(lost), u_in, u_out, split, declared)


def test_history_checks_continuity_and_units() -> None:
    history = [
        _step(1, "500", "500", units=(10, 10)),  # collected
        _step(2, "500", "498", "2", units=(10, 10)),  # transported, 2 kg of coolant lost
        _step(3, "480", "480", units=(10, 9)),  # took in 480 but 498 was handed on; 1 unit gone
        _step(4, "480", "470", "10", units=(9, 0), split=True),  # dismantled into fractions
    ]
    check = check_history(history)
    assert check.steps == 4
    assert check.mass_in_kg == D(500) and check.mass_out_kg == D(470)
    assert check.losses_kg == D(12)
    kinds = [(f.sequence, f.kind) for f in check.findings]
    assert kinds == [(3, "discontinuity"), (3, "lost-units")]
    assert not check.balanced
    assert check.lost_track


def test_a_declared_loss_of_units_is_not_lost_track() -> None:
    check = check_history([_step(1, "100", "90", "10", units=(10, 9), declared=1)])
    assert check.balanced and not check.lost_track


@given(st.lists(st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=30))
def test_a_history_of_exact_steps_balances(losses: list[D]) -> None:
    """Each step handing on exactly what it took in less its losses always balances."""
    mass = sum(losses, D(0)) + 1
    steps = []
    for n, lost in enumerate(losses):
        steps.append(Step(n, mass, mass - lost, lost, None, None, False, 0))
        mass -= lost
    check = check_history(steps)
    assert check.balanced
    assert check.mass_out_kg == D(1)
