"""The combine rule of CFP totals: emissions add up (unknown if any term is), and each
data-quality indicator is the emission-weighted mean of the terms that rate it.

`RatedEmission` is the one shape of an emission with its rating: a term of a sum, a stage
total, a part's own value. `combine_values` is the same rule on plain tuples, for the loader's
millions of parts; both do the same operations in the same order, so they give the same digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from battrace.traceability.stages import Dqr

QUANTUM = Decimal("0.00001")
_ZERO = Decimal(0)

# One CFP value or stage total: emissions and the three ratings (ter, ger, tir).
Values = tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]
UNKNOWN: Values = (None, None, None, None)


def round_up5(value: Decimal | None) -> Decimal | None:
    """Round away from zero to 5 decimals (the contract's rule for sent values)."""
    return None if value is None else value.quantize(QUANTUM, rounding=ROUND_UP)


@dataclass(frozen=True)
class RatedEmission:
    """An emission (None: unknown) with its data-quality rating."""

    emission: Decimal | None
    dqr: Dqr

    @classmethod
    def of(cls, values: Values) -> RatedEmission:
        return cls(values[0], Dqr(values[1], values[2], values[3]))


def combine(terms: Sequence[RatedEmission]) -> RatedEmission:
    """Sum emissions (unknown if any term is) and weight each DQR indicator by emissions."""
    return RatedEmission.of(
        combine_values(
            [(term.emission, term.dqr.ter, term.dqr.ger, term.dqr.tir) for term in terms]
        )
    )


def combine_values(terms: Iterable[Values]) -> Values:
    """`combine` on plain tuples: the same operations in the same order, so the same digits.

    While every weighted term rates all three indicators, their three weights are one sum
    (the same additions in the same order), so it is added up once.
    """
    emission: Decimal | None = _ZERO
    ter_sum = ger_sum = tir_sum = weight = ter_weight = ger_weight = tir_weight = _ZERO
    shared = True
    for value, ter, ger, tir in terms:
        if value is None:
            emission = None
            continue
        if emission is not None:
            emission += value
        if value <= 0:
            continue
        if shared and ter is not None and ger is not None and tir is not None:
            ter_sum += ter * value
            ger_sum += ger * value
            tir_sum += tir * value
            weight += value
            continue
        if shared:
            shared = False
            ter_weight = ger_weight = tir_weight = weight
        if ter is not None:
            ter_sum += ter * value
            ter_weight += value
        if ger is not None:
            ger_sum += ger * value
            ger_weight += value
        if tir is not None:
            tir_sum += tir * value
            tir_weight += value
    if shared:
        ter_weight = ger_weight = tir_weight = weight
    return (
        emission,
        ter_sum / ter_weight if ter_weight > 0 else None,
        ger_sum / ger_weight if ger_weight > 0 else None,
        tir_sum / tir_weight if tir_weight > 0 else None,
    )
