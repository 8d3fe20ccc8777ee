"""`traceability.combine`: the exact roll-up rule on plain values, against the rule as
written."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from battrace.traceability.combine import RatedEmission, combine
from battrace.traceability.stages import Dqr


def reference_combine(terms: Sequence[RatedEmission]) -> RatedEmission:
    """The rule as first written: sum, then each indicator weighted on its own."""
    emission: Decimal | None = Decimal(0)
    for term in terms:
        emission = None if emission is None or term.emission is None else emission + term.emission

    def weighted(pick: str) -> Decimal | None:
        numerator = Decimal(0)
        weight = Decimal(0)
        for term in terms:
            value = getattr(term.dqr, pick)
            if value is None or term.emission is None or term.emission <= 0:
                continue
            numerator += value * term.emission
            weight += term.emission
        return numerator / weight if weight > 0 else None

    return RatedEmission(emission, Dqr(weighted("ter"), weighted("ger"), weighted("tir")))


emissions = st.one_of(
    st.none(),
    st.decimals(min_value=-5, max_value=10**6, places=5),
    st.integers(1, 10**6).map(lambda n: Decimal(n) / 7),  # 28 significant digits
)
ratings = st.one_of(st.none(), st.sampled_from([Decimal(1), Decimal("2.5"), Decimal(10) / 3]))
terms = st.lists(st.builds(RatedEmission, emissions, st.builds(Dqr, ratings, ratings, ratings)))


@given(terms)
def test_combine_gives_the_digits_of_the_rule_as_written(values: list[RatedEmission]) -> None:
    assert repr(combine(values)) == repr(reference_combine(values))
