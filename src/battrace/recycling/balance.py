"""Mass balance of custody steps, and of a lot's whole custody history.

A custody step takes a lot in and hands it on (transport, storage, hand-over, dismantling)::

    mass in = mass out + losses     (within a tolerance)

The tolerance is stated, never implied: `Tolerance(relative, absolute)` allows
|in - out - losses| <= max(absolute, relative * in); the default is 0.5 % of the mass in or
0.5 kg, whichever is larger (weighbridges read to about that). Along a history, each step
must start from what the step before it handed on (same tolerance), and a lot whose unit count
drops without a dismantling (units turned into modules, cells or fractions) or a declared loss
has lost track of batteries: that is flagged, not refused, since the batteries may still turn
up; a mass imbalance is refused when the step is recorded.

`check_history` works on plain tuples so that a history of 100,000 steps checks in well under
a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from battrace.errors import InvalidRequest
from battrace.store.base import tidy_decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Tolerance:
    relative: Decimal = Decimal("0.005")
    absolute_kg: Decimal = Decimal("0.5")

    def allowed(self, mass_in: Decimal) -> Decimal:
        return max(self.absolute_kg, self.relative * mass_in)


DEFAULT_TOLERANCE = Tolerance()


def imbalance(mass_in: Decimal, mass_out: Decimal, losses: Decimal) -> Decimal:
    """in - out - losses (positive: mass unaccounted for; negative: mass appeared)."""
    return mass_in - mass_out - losses


def check_step(
    mass_in: Decimal,
    mass_out: Decimal,
    losses: Decimal = ZERO,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> None:
    """Refuse (InvalidRequest) a step whose masses do not balance within the tolerance."""
    for name, value in (("massInKg", mass_in), ("massOutKg", mass_out), ("lossKg", losses)):
        if not value.is_finite() or value < ZERO:
            raise InvalidRequest(f"{name}: must be 0 kg or more, not {value}.")
    gap = imbalance(mass_in, mass_out, losses)
    allowed = tolerance.allowed(mass_in)
    if abs(gap) > allowed:
        raise InvalidRequest(
            f"mass balance: {tidy_decimal(mass_in)} kg in is not {tidy_decimal(mass_out)} kg "
            f"out + {tidy_decimal(losses)} kg losses (off by {tidy_decimal(gap)} kg; the "
            f"tolerance is {tidy_decimal(allowed)} kg)."
        )


class Step(NamedTuple):
    """One step of a history, in the order it happened."""

    sequence: int
    mass_in: Decimal
    mass_out: Decimal
    losses: Decimal
    units_in: int | None
    units_out: int | None
    splits_units: bool  # a dismantling: units become modules, cells or fractions
    units_lost_declared: int


class Finding(NamedTuple):
    sequence: int
    kind: str  # "imbalance", "discontinuity", "lost-units"
    message: str


@dataclass(frozen=True)
class HistoryCheck:
    steps: int
    mass_in_kg: Decimal  # what the first step took in
    mass_out_kg: Decimal  # what the last step handed on
    losses_kg: Decimal
    findings: tuple[Finding, ...]

    @property
    def balanced(self) -> bool:
        return not any(f.kind != "lost-units" for f in self.findings)

    @property
    def lost_track(self) -> bool:
        return any(f.kind == "lost-units" for f in self.findings)


Mass = Decimal | int  # kg, or kg scaled by `scale` as a whole number (SQLite's storage)


def check_history(
    steps: Iterable[Sequence[Any]],
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    *,
    scale: int = 1,
) -> HistoryCheck:
    """Every step balanced, each starting from what the previous one handed on, and the unit
    count kept (see the module). `steps` are `Step`s or plain tuples in its order; their
    masses may be whole numbers of kg / `scale` (the database's scaled integers), compared
    exactly without making a Decimal per value: |gap| > max(absolute, relative x in) is
    |gap| > absolute and |gap| x den > num x in, with relative = num / den."""
    num, den = tolerance.relative.as_integer_ratio()
    absolute: Mass = tolerance.absolute_kg * scale
    if scale != 1 and absolute == int(absolute):
        absolute = int(absolute)
    findings: list[Finding] = []
    count = 0
    first_in: Mass | None = None
    previous_out: Mass | None = None
    losses: Mass = 0
    previous_units: int | None = None

    def kg(value: Mass) -> Decimal:
        return Decimal(value) / scale if scale != 1 else Decimal(value)

    for step in steps:
        count += 1
        sequence, mass_in, mass_out, lost, units_in, units_out, splits, declared = step
        gap = mass_in - mass_out - lost
        if gap < 0:
            gap = -gap
        if gap > absolute and gap * den > num * mass_in:
            findings.append(
                Finding(
                    sequence,
                    "imbalance",
                    f"{kg(mass_in)} kg in, {kg(mass_out)} out, {kg(lost)} lost",
                )
            )
        if first_in is None:
            first_in = mass_in
        elif previous_out is not None:
            jump = mass_in - previous_out
            if jump < 0:
                jump = -jump
            if jump > absolute and jump * den > num * mass_in:
                findings.append(
                    Finding(
                        sequence,
                        "discontinuity",
                        f"took in {kg(mass_in)} kg; "
                        f"the step before handed on {kg(previous_out)} kg",
                    )
                )
        if units_in is not None:
            if previous_units is not None and units_in < previous_units:
                findings.append(
                    Finding(
                        sequence,
                        "lost-units",
                        f"{previous_units - units_in} units missing between steps",
                    )
                )
            if units_out is not None and not splits and units_out + declared < units_in:
                findings.append(
                    Finding(
                        sequence,
                        "lost-units",
                        f"{units_in - units_out - declared} of {units_in} units unaccounted for",
                    )
                )
        previous_out = mass_out
        previous_units = None if splits else units_out
        losses += lost
    return HistoryCheck(
        steps=count,
        mass_in_kg=ZERO if first_in is None else kg(first_in),
        mass_out_kg=ZERO if previous_out is None else kg(previous_out),
        losses_kg=kg(losses),
        findings=tuple(findings),
    )
