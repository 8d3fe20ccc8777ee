"""Recycled content: the Art. 8 minimums, the mass-balance chain-of-custody rule, and the
arithmetic that carries recycled content up a product's structure.

**Content of a part.** Per unit of a part (its `amountRequiredUnit`), for each element X:
`m_X` kg of X in it, of which `pre_X` kg recovered from battery manufacturing waste
(pre-consumer, Art. 3(51) of Regulation (EU) 2023/1542) and `post_X` kg from post-consumer
waste. A part's content is its own declared content plus, for each child of its structure,
`amountRequired` x the child's content; a bought-in part answered over a trade takes the
supplier part's content as disclosed (like the CFP in `traceability.rollup`). The share is::

    share_X = 100 * (pre_X + post_X) / m_X

For Co, Li and Ni Art. 8(1) counts X in the active materials, for Pb in the whole battery: the
structure a maker declares decides which parts carry the element, so a pack maker declares Co,
Li, Ni on its cathode and anode materials and Pb wherever it is.

**Chain of custody: mass balance, proportional allocation.** A maker mixing recovered and
virgin feed of X at a site in a balance period (ISO 22095 mass balance; our rule pending the
Art. 8(1) delegated act) books every input's X mass and recycled mass; every output of the
period gets the same recycled share, `sum recycled in / sum X in` (a rolling average per
site, element and period, no credit banking). The recycled mass allocated to the outputs
therefore never exceeds the recycled mass booked, and a period whose outputs would claim more
X than came in (a negative balance) is refused.

**Art. 8 minimums** (Regulation (EU) 2023/1542 Art. 8(2) from 18 Aug 2031, Art. 8(3) from
18 Aug 2036): Co 16 / 26 %, Li 6 / 12 %, Ni 6 / 15 %, Pb 85 / 85 %. LMT batteries are outside
8(2) and inside 8(3). A model is compared by the date it is placed on the market.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from battrace.errors import InvalidRequest
from battrace.recycling.rules import HUNDRED, ZERO, Element, Target

ART8_ELEMENTS = (Element.COBALT, Element.LITHIUM, Element.NICKEL, Element.LEAD)
FROM_2031, FROM_2036 = date(2031, 8, 18), date(2036, 8, 18)
ART8_MINIMUMS: Mapping[Element, tuple[Target, Target]] = {
    element: (Target(FROM_2031, Decimal(first)), Target(FROM_2036, Decimal(second)))
    for element, first, second in (
        (Element.COBALT, 16, 26),
        (Element.LITHIUM, 6, 12),
        (Element.NICKEL, 6, 15),
        (Element.LEAD, 85, 85),
    )
}
_SHARE = Decimal("0.01")


@dataclass(frozen=True)
class ElementContent:
    """kg of an element per unit of a part, and the recycled kg in it by origin."""

    mass_kg: Decimal
    pre_consumer_kg: Decimal = ZERO
    post_consumer_kg: Decimal = ZERO

    @property
    def recycled_kg(self) -> Decimal:
        return self.pre_consumer_kg + self.post_consumer_kg

    def scaled(self, amount: Decimal) -> ElementContent:
        return ElementContent(
            self.mass_kg * amount, self.pre_consumer_kg * amount, self.post_consumer_kg * amount
        )

    def __add__(self, other: ElementContent) -> ElementContent:
        return ElementContent(
            self.mass_kg + other.mass_kg,
            self.pre_consumer_kg + other.pre_consumer_kg,
            self.post_consumer_kg + other.post_consumer_kg,
        )


# None: unknown (a supplier withheld or never answered); a sum with an unknown term is unknown.
Content = Mapping[Element, ElementContent | None]


def content_of_shares(
    mass_kg: Decimal, pre_percent: Decimal, post_percent: Decimal
) -> ElementContent:
    """Element content from a declared mass and recycled shares (percent), checked."""
    check_shares(pre_percent, post_percent)
    if not mass_kg.is_finite() or mass_kg < ZERO:
        raise InvalidRequest(f"massKg: must be 0 kg or more, not {mass_kg}.")
    return ElementContent(
        mass_kg, mass_kg * pre_percent / HUNDRED, mass_kg * post_percent / HUNDRED
    )


def check_shares(pre_percent: Decimal, post_percent: Decimal) -> None:
    for name, value in (("preConsumerPercent", pre_percent), ("postConsumerPercent", post_percent)):
        if not value.is_finite() or not ZERO <= value <= HUNDRED:
            raise InvalidRequest(f"{name}: must be between 0 and 100, not {value}.")
    if pre_percent + post_percent > HUNDRED:
        raise InvalidRequest(
            f"recycled shares: {pre_percent} % pre-consumer + {post_percent} % post-consumer "
            "is more than 100 %."
        )


def share_percent(content: ElementContent | None) -> Decimal | None:
    """100 * recycled / mass, to 2 decimals; None when unknown or no element."""
    if content is None or content.mass_kg == ZERO:
        return None
    return (HUNDRED * content.recycled_kg / content.mass_kg).quantize(_SHARE)


def combine(terms: Iterable[tuple[Decimal, Content]]) -> dict[Element, ElementContent | None]:
    """sum of amount x content over the terms, per element (unknown stays unknown)."""
    total: dict[Element, ElementContent | None] = {}
    for amount, content in terms:
        for element, value in content.items():
            if element in total and total[element] is None:
                continue
            if value is None:
                total[element] = None
                continue
            before = total.get(element)
            scaled = value.scaled(amount)
            total[element] = scaled if before is None else before + scaled
    return total


@dataclass(frozen=True)
class BalanceInput:
    """X booked into a site's balance period: its mass and the recycled part by origin."""

    mass_kg: Decimal
    pre_consumer_kg: Decimal = ZERO
    post_consumer_kg: Decimal = ZERO


@dataclass(frozen=True)
class Allocation:
    """The proportional allocation of a balance period to its outputs."""

    input_kg: Decimal
    recycled_kg: Decimal
    pre_share: Decimal  # fraction 0..1 of each output's X that is pre-consumer recycled
    post_share: Decimal
    outputs: tuple[ElementContent, ...]  # per output: its X and the recycled X allocated

    @property
    def share_percent(self) -> Decimal:
        return ((self.pre_share + self.post_share) * HUNDRED).quantize(_SHARE)


def allocate(inputs: Sequence[BalanceInput], outputs: Sequence[Decimal]) -> Allocation:
    """Mass balance with proportional allocation (see the module). Raises InvalidRequest for
    an input whose recycled mass exceeds its mass, and for outputs claiming more X than the
    period booked (a negative balance)."""
    for n, booked in enumerate(inputs):
        for name, value in (
            ("massKg", booked.mass_kg),
            ("preConsumerKg", booked.pre_consumer_kg),
            ("postConsumerKg", booked.post_consumer_kg),
        ):
            if not value.is_finite() or value < ZERO:
                raise InvalidRequest(f"inputs[{n}].{name}: must be 0 kg or more, not {value}.")
        if booked.pre_consumer_kg + booked.post_consumer_kg > booked.mass_kg:
            raise InvalidRequest(
                f"inputs[{n}]: {booked.pre_consumer_kg + booked.post_consumer_kg} kg recycled "
                f"is more than the {booked.mass_kg} kg booked (a share over 100 %)."
            )
    for n, mass in enumerate(outputs):
        if not mass.is_finite() or mass < ZERO:
            raise InvalidRequest(f"outputs[{n}]: must be 0 kg or more, not {mass}.")
    booked_kg = sum((b.mass_kg for b in inputs), ZERO)
    claimed = sum(outputs, ZERO)
    if claimed > booked_kg:
        raise InvalidRequest(
            f"mass balance: outputs hold {claimed} kg but only {booked_kg} kg was booked in "
            "the period (no negative balance)."
        )
    pre = sum((b.pre_consumer_kg for b in inputs), ZERO)
    post = sum((b.post_consumer_kg for b in inputs), ZERO)
    pre_share = pre / booked_kg if booked_kg else ZERO
    post_share = post / booked_kg if booked_kg else ZERO
    return Allocation(
        input_kg=booked_kg,
        recycled_kg=pre + post,
        pre_share=pre_share,
        post_share=post_share,
        outputs=tuple(ElementContent(m, m * pre_share, m * post_share) for m in outputs),
    )


@dataclass(frozen=True)
class MinimumCheck:
    element: Element
    share_percent: Decimal | None
    minimum: Target | None  # the minimum in force on the date, None before 2031 (or LMT)
    next_minimum: Target | None  # the one that comes after, if any
    gap_percent: Decimal | None  # points missing to the minimum in force; None if unknown

    @property
    def met(self) -> bool | None:
        if self.minimum is None:
            return True
        return None if self.gap_percent is None else self.gap_percent == ZERO


def check_minimums(
    shares: Mapping[Element, Decimal | None], *, placed_on_market: date, lmt: bool = False
) -> tuple[MinimumCheck, ...]:
    """Each Art. 8 element's share against the minimum in force on `placed_on_market`."""
    checks = []
    for element in ART8_ELEMENTS:
        first, second = ART8_MINIMUMS[element]
        steps = (second,) if lmt else (first, second)
        in_force = None
        upcoming = None
        for target in steps:
            if target.deadline <= placed_on_market:
                in_force = target
            elif upcoming is None:
                upcoming = target
        share = shares.get(element)
        gap = None
        if in_force is not None and share is not None:
            gap = max(ZERO, in_force.percent - share)
        checks.append(MinimumCheck(element, share, in_force, upcoming, gap))
    return tuple(checks)
