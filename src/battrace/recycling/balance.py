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

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

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


def check_history(steps: Iterable[Step], tolerance: Tolerance = DEFAULT_TOLERANCE) -> HistoryCheck:
    """Every step balanced, each starting from what the previous one handed on, and the unit
    count kept (see the module)."""
    relative, absolute = tolerance.relative, tolerance.absolute_kg
    findings: list[Finding] = []
    count = 0
    first_in = previous_out = None
    losses = ZERO
    previous_units: int | None = None
    for step in steps:
        count += 1
        sequence, mass_in, mass_out, lost, units_in, units_out, splits, declared = step
        allowed = absolute if absolute > relative * mass_in else relative * mass_in
        gap = mass_in - mass_out - lost
        if gap > allowed or -gap > allowed:
            findings.append(
                Finding(sequence, "imbalance", f"{mass_in} kg in, {mass_out} out, {lost} lost")
            )
        if first_in is None:
            first_in = mass_in
        elif previous_out is not None:
            jump = mass_in - previous_out
            if jump > allowed or -jump > allowed:
                findings.append(
                    Finding(
                        sequence,
                        "discontinuity",
                        f"took in {mass_in} kg; the step before handed on {previous_out} kg",
                    )
                )
        if units_in is not None and previous_units is not None and units_in < previous_units:
            findings.append(
                Finding(
                    sequence,
                    "lost-units",
                    f"{previous_units - units_in} units missing between steps",
                )
            )
        if (
            units_in is not None
            and units_out is not None
            and not splits
            and units_out + declared < units_in
        ):
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
        mass_in_kg=first_in if first_in is not None else ZERO,
        mass_out_kg=previous_out if previous_out is not None else ZERO,
        losses_kg=losses,
        findings=tuple(findings),
    )
