"""The fleet path gives every battery the numbers it gets alone."""

from __future__ import annotations

from battrace.reuse.assessment import assess, assess_fleet
from tests.reuse.fleet import fleet


def test_a_fleet_gets_the_same_numbers_as_one_at_a_time() -> None:
    cases = fleet(240)
    together = assess_fleet(cases)
    alone = [assess(c) for c in cases]
    assert together == alone
    assert {a.grading.grade for a in together} >= {"A", "B", "C", "RECYCLE"}
    assert {a.valuation.route for a in together} >= {"repurpose", "recycle"}
    assert any(a.life is not None and a.life.knee for a in together)
