"""Recycling efficiency and material recovery of a recycler's period, and the Annex XII targets.

Calculation: Commission Delegated Regulation (EU) 2025/606 of 21 March 2025 (OJ L, 4.7.2025,
in force 24 July 2025), adopted under Art. 71(4) of Regulation (EU) 2023/1542. Its Art. 1
puts the method and the documentation format in its Annex: point 2 the recycling efficiency
(r_RE), point 3 the recovery of materials (r_RM), points 4-5 the annual documentation, points
6-9 one template per battery type (lead-acid, nickel-cadmium, lithium-based, other; recital
(7)), point 10 the verification by the authorities. The Annex text itself could not be read
(see `docs/recycling.md`, "Sources"): what follows is the Annex's structure and recitals as
published, and, where marked *our rule*, its predecessor Regulation (EU) No 493/2012 Annex IV.

* recycling efficiency (Annex point 2; definition in Art. 3(60) of Regulation (EU) 2023/1542:
  output fractions accounting for recycling over the input fraction, in percent)::

      m_in  = sum over input batches of (received mass - separated non-battery fractions)
      r_RE  = 100 * sum of the final output fractions that count for recycling / m_in

  The deduction of fractions that are not part of the battery follows Art. 3(54) of
  Regulation (EU) 2023/1542 and *our rule* (493/2012 Annex IV; whether water is deducted too
  is not settled, so it is part of the deducted mass the recycler states). Intermediate
  fractions (black mass handed to a further step), energy recovery and disposal are not
  outputs of the calculation (recital (3): the method says which fractions count); an
  intermediate marked as counting is refused.
* material recovery per element X in {Co, Cu, Pb, Li, Ni} (Annex point 3, the elements of
  Annex XII Part C)::

      r_RM,X = 100 * sum over usable final outputs of m_X,out / sum over inputs of m_X,in

  Only outputs of usable quality count (recital (4): the method sets quality requirements
  for recovered materials); the purity of each output is kept with it for the
  documentation, the usability decision is the recycler's, stated per fraction.

Not implemented, for want of the Annex text: the calculation points within a chain of
facilities, the optional exclusion of some substances (secondary sources mention carbon,
phosphorus and sulphur until 2029) and the template fields beyond those above.

The targets are Annex XII Part B (efficiency, by battery category, end 2025 and end 2030) and
Part C (recovery, per element, end 2027 and end 2031); Art. 71(1) makes the recycler meet them.
Impossible reports are refused with `InvalidRequest` before anything is computed: recovered
more of an element than was put in, element masses above their fraction's mass, an output
total above the input, a negative mass.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from battrace.errors import InvalidRequest

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class Element(enum.StrEnum):
    """The elements of Annex XII Part C and of Art. 8 (copper only in Part C)."""

    COBALT = "Co"
    NICKEL = "Ni"
    LITHIUM = "Li"
    COPPER = "Cu"
    LEAD = "Pb"


class Category(enum.StrEnum):
    """Annex XII Part B battery categories (one efficiency target each)."""

    LEAD_ACID = "lead-acid"
    LITHIUM = "lithium-based"
    NICKEL_CADMIUM = "nickel-cadmium"
    OTHER = "other"


@dataclass(frozen=True)
class Target:
    deadline: date
    percent: Decimal


def _targets(*pairs: tuple[date, int]) -> tuple[Target, ...]:
    return tuple(Target(deadline, Decimal(percent)) for deadline, percent in pairs)


END_2025, END_2027, END_2030, END_2031 = (date(y, 12, 31) for y in (2025, 2027, 2030, 2031))

# Annex XII Part B: recycling efficiency by average weight.
EFFICIENCY_TARGETS: Mapping[Category, tuple[Target, ...]] = {
    Category.LEAD_ACID: _targets((END_2025, 75), (END_2030, 80)),
    Category.LITHIUM: _targets((END_2025, 65), (END_2030, 70)),
    Category.NICKEL_CADMIUM: _targets((END_2025, 80)),
    Category.OTHER: _targets((END_2025, 50)),
}
# Annex XII Part C: recovery of materials, each element separately.
RECOVERY_TARGETS: Mapping[Element, tuple[Target, ...]] = {
    Element.COBALT: _targets((END_2027, 90), (END_2031, 95)),
    Element.COPPER: _targets((END_2027, 90), (END_2031, 95)),
    Element.LEAD: _targets((END_2027, 90), (END_2031, 95)),
    Element.NICKEL: _targets((END_2027, 90), (END_2031, 95)),
    Element.LITHIUM: _targets((END_2027, 50), (END_2031, 80)),
}


@dataclass(frozen=True)
class InputBatch:
    """Waste batteries received in the period: wet mass, the separated non-battery fractions
    (casing, impurities) deducted from it, and the element masses they contain (kg)."""

    category: Category
    chemistry: str
    mass_kg: Decimal
    deducted_kg: Decimal = ZERO
    elements: Mapping[Element, Decimal] = field(default_factory=dict)

    @property
    def counted_kg(self) -> Decimal:
        return self.mass_kg - self.deducted_kg


@dataclass(frozen=True)
class OutputFraction:
    """An output of the period: `final` outputs leave the recycling chain as material that
    replaces primary raw material; `counts` says it accounts for recycling (not energy
    recovery or disposal); `usable` says its quality lets its elements count as recovered."""

    name: str
    mass_kg: Decimal
    final: bool = True
    counts: bool = True
    usable: bool = True
    elements: Mapping[Element, Decimal] = field(default_factory=dict)  # kg of each element
    purity_percent: Decimal | None = None


@dataclass(frozen=True)
class TargetCheck:
    deadline: date
    target_percent: Decimal
    rate_percent: Decimal
    gap_percent: Decimal  # points missing to the target, 0 when met

    @property
    def met(self) -> bool:
        return self.gap_percent == ZERO


@dataclass(frozen=True)
class Rates:
    input_kg: Decimal
    output_kg: Decimal
    efficiency_percent: Decimal
    recovery_percent: Mapping[Element, Decimal]  # only elements present in the input
    efficiency_checks: tuple[TargetCheck, ...]
    recovery_checks: Mapping[Element, tuple[TargetCheck, ...]]


def _non_negative(name: str, value: Decimal) -> None:
    if not value.is_finite() or value < ZERO:
        raise InvalidRequest(f"{name}: must be a mass of 0 kg or more, not {value}.")


def check_report(inputs: Sequence[InputBatch], outputs: Sequence[OutputFraction]) -> None:
    """Refuse an impossible report (InvalidRequest, message naming the line at fault)."""
    if not inputs:
        raise InvalidRequest("inputs: a report needs at least one input batch.")
    categories = {batch.category for batch in inputs}
    if len(categories) > 1:
        raise InvalidRequest(
            "inputs: one report covers one Annex XII Part B category "
            f"(got {', '.join(sorted(categories))})."
        )
    for n, batch in enumerate(inputs):
        _non_negative(f"inputs[{n}].massKg", batch.mass_kg)
        _non_negative(f"inputs[{n}].deductedKg", batch.deducted_kg)
        if batch.deducted_kg > batch.mass_kg:
            raise InvalidRequest(
                f"inputs[{n}].deductedKg: {batch.deducted_kg} kg separated is more than the "
                f"{batch.mass_kg} kg received."
            )
        _element_masses(f"inputs[{n}]", batch.elements, batch.counted_kg)
    for n, fraction in enumerate(outputs):
        _non_negative(f"outputs[{n}].massKg", fraction.mass_kg)
        if fraction.counts and not fraction.final:
            raise InvalidRequest(
                f"outputs[{n}]: {fraction.name} is an intermediate fraction; only final output "
                "fractions count for recycling efficiency."
            )
        _element_masses(f"outputs[{n}]", fraction.elements, fraction.mass_kg)
        if fraction.purity_percent is not None and not ZERO <= fraction.purity_percent <= HUNDRED:
            raise InvalidRequest(f"outputs[{n}].purityPercent: must be between 0 and 100.")
    m_in = sum((batch.counted_kg for batch in inputs), ZERO)
    if m_in <= ZERO:
        raise InvalidRequest("inputs: the input fraction must be more than 0 kg.")
    m_out = _counted_output(outputs)
    if m_out > m_in:
        raise InvalidRequest(
            f"outputs: {m_out} kg of final output is more than the {m_in} kg input fraction."
        )
    put_in = element_totals(batch.elements for batch in inputs)
    for element, recovered in _recovered(outputs).items():
        if recovered > put_in.get(element, ZERO):
            raise InvalidRequest(
                f"outputs: {recovered} kg of {element} recovered is more than the "
                f"{put_in.get(element, ZERO)} kg put in."
            )


def _element_masses(where: str, elements: Mapping[Element, Decimal], limit: Decimal) -> None:
    for element, mass in elements.items():
        _non_negative(f"{where}.elements.{element}", mass)
    total = sum(elements.values(), ZERO)
    if total > limit:
        raise InvalidRequest(
            f"{where}.elements: {total} kg of elements is more than the fraction's {limit} kg."
        )


def element_totals(masses: Iterable[Mapping[Element, Decimal]]) -> dict[Element, Decimal]:
    totals: dict[Element, Decimal] = {}
    for mapping in masses:
        for element, mass in mapping.items():
            totals[element] = totals.get(element, ZERO) + mass
    return totals


def _counted_output(outputs: Iterable[OutputFraction]) -> Decimal:
    return sum((f.mass_kg for f in outputs if f.final and f.counts), ZERO)


def _recovered(outputs: Iterable[OutputFraction]) -> dict[Element, Decimal]:
    return element_totals(f.elements for f in outputs if f.final and f.usable)


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """100 * part / whole, to 2 decimals (the documentation's precision)."""
    return (HUNDRED * part / whole).quantize(Decimal("0.01"))


def check_against(rate: Decimal, targets: Iterable[Target]) -> tuple[TargetCheck, ...]:
    return tuple(
        TargetCheck(t.deadline, t.percent, rate, max(ZERO, t.percent - rate)) for t in targets
    )


def compute_rates(inputs: Sequence[InputBatch], outputs: Sequence[OutputFraction]) -> Rates:
    """r_RE and r_RM per element of one report, with the gaps to Annex XII (see the module)."""
    check_report(inputs, outputs)
    m_in = sum((batch.counted_kg for batch in inputs), ZERO)
    m_out = _counted_output(outputs)
    efficiency = percent(m_out, m_in)
    put_in = element_totals(batch.elements for batch in inputs)
    recovered = _recovered(outputs)
    recovery = {
        element: percent(recovered.get(element, ZERO), mass)
        for element, mass in sorted(put_in.items())
        if mass > ZERO
    }
    category = inputs[0].category
    return Rates(
        input_kg=m_in,
        output_kg=m_out,
        efficiency_percent=efficiency,
        recovery_percent=recovery,
        efficiency_checks=check_against(efficiency, EFFICIENCY_TARGETS[category]),
        recovery_checks={
            element: check_against(rate, RECOVERY_TARGETS[element])
            for element, rate in recovery.items()
        },
    )
