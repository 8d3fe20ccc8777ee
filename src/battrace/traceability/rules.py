"""The rules of a part and of a CFP set, as pure functions (no session, no HTTP).

A rule reads the values as sent (`str | None`, `Decimal | None`: what a body binds to, before
anything is known to be valid) and returns the problems it finds, `Problem(path, message)`
with the contract's field names as paths, in the order the traceability system lists them.
The messages are the traceability system's own words (the Ouranos reference's), so the
contract's surface (`inputs.validators`) joins them into its error text unchanged, the web
places the same problems beside its fields, and the services (`parts.save_structure`,
`cfp.register_cfp`) hold every other caller (PACT answers, recycled lots, seeds) to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from battrace.errors import Problem, ValidationFailed
from battrace.traceability.models import AmountUnit, CfpType
from battrace.traceability.stages import DQR_TYPE, STAGE_OF, Dqr

MAX_AMOUNT = Decimal("99999.99999")  # amounts, emissions and DQR ratings: 0 to this
AMOUNT_PLACES = 5
NAME_LENGTH = 50  # partsName, supportPartsName, the label and the three add-info fields
MAX_CHILDREN = 50  # children of one parts structure
UNITS = tuple(unit.value for unit in AmountUnit)
DECLARED_UNITS = tuple(f"kgCO2e/{unit}" for unit in UNITS)
BASE_CFP_TYPES = tuple(cfp_type.value for cfp_type in CfpType)
DQR_TYPES = tuple(DQR_TYPE.values())
DQR_KEYS = ("TeR", "GeR", "TiR")
PART_TEXTS = ("partsLabelName", "partsAddInfo1", "partsAddInfo2", "partsAddInfo3")

BLANK = "cannot be blank"


def _number(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount_problem(value: Decimal | None) -> str | None:
    """An amount, an emission or a DQR rating: from 0 to 99999.99999, at most 5 decimals
    (judged on the digits sent). None (not sent) passes: whether it is needed is the
    caller's rule."""
    if value is None:
        return None
    value = Decimal(value)  # a whole number computed in a service may come as an int
    if value < 0:
        return "must be no less than 0"
    if value > MAX_AMOUNT:
        return f"must be no greater than {_number(MAX_AMOUNT)}"
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > AMOUNT_PLACES:
        return "must be a value up to the 5th decimal place"
    return None


def _length_problem(text: str | None, *, low: int) -> str | None:
    if not text or low <= len(text) <= NAME_LENGTH:
        return None
    if low == 0:
        return f"the length must be no more than {NAME_LENGTH}"
    return f"the length must be between {low} and {NAME_LENGTH}"


def _choice_problem(value: str | None, allowed: Sequence[str]) -> str | None:
    return None if not value or value in allowed else f"cannot be allowed '{value}'"


def _first(*messages: str | None) -> str | None:
    return next((message for message in messages if message is not None), None)


def part_problems(
    *,
    parts_name: str | None,
    support_parts_name: str | None,
    terminated_flag: bool | None,
    amount_required: Decimal | None,
    amount_required_unit: str | None,
    texts: Mapping[str, str | None],
    child: bool,
) -> list[Problem]:
    """A part's field rules: a name of 1 to 50 characters, the flag set, texts of at most 50;
    a child needs its amount (see `amount_problem`) and unit, a parent has no amount."""
    found = {
        "partsName": _first(BLANK if not parts_name else None, _length_problem(parts_name, low=1)),
        "supportPartsName": _length_problem(support_parts_name, low=0),
        "terminatedFlag": BLANK if terminated_flag is None else None,
        "amountRequired": (
            ("is required" if amount_required is None else amount_problem(amount_required))
            if child
            else (None if amount_required is None else "must be blank")
        ),
        "amountRequiredUnit": _first(
            "is required" if child and amount_required_unit is None else None,
            _choice_problem(amount_required_unit, UNITS),
        ),
    }
    found.update({name: _length_problem(texts.get(name), low=0) for name in PART_TEXTS})
    return [Problem(path, message) for path, message in found.items() if message is not None]


@dataclass(frozen=True)
class CfpRowInput:
    """One row of a CFP set as sent: its fields are not yet known to be valid."""

    cfp_id: str | None
    trace_id: str | None
    unit: str | None
    cfp_type: str | None
    dqr_type: str | None
    ghg_emission: Decimal | None
    dqr: Dqr


def cfp_row_problems(row: CfpRowInput) -> list[Problem]:
    """One row's rules, in the reference's order: the fields (emission, unit, cfpType,
    dqrType), then the cfpType/dqrType pairing (path ""), then the ratings (`dqrValue.*`)."""
    fields = {
        "ghgEmission": amount_problem(row.ghg_emission),
        "ghgDeclaredUnit": BLANK if not row.unit else _choice_problem(row.unit, DECLARED_UNITS),
        "cfpType": BLANK if not row.cfp_type else _choice_problem(row.cfp_type, BASE_CFP_TYPES),
        "dqrType": BLANK if not row.dqr_type else _choice_problem(row.dqr_type, DQR_TYPES),
    }
    found = [Problem(path, message) for path, message in fields.items() if message is not None]
    if row.cfp_type in BASE_CFP_TYPES:
        stage = STAGE_OF[CfpType(row.cfp_type)]
        if row.dqr_type != DQR_TYPE[stage]:
            found.append(Problem("", "ensure the combination of cfpType and dqrType is correct"))
    found.extend(dqr_problems(row.dqr, "dqrValue."))
    return found


def dqr_problems(dqr: Dqr, prefix: str = "") -> list[Problem]:
    """The ratings' range: each, when set, as an amount (`amount_problem`)."""
    ratings = zip(DQR_KEYS, (dqr.ter, dqr.ger, dqr.tir), strict=True)
    return [
        Problem(f"{prefix}{key}", message)
        for key, value in ratings
        if (message := amount_problem(value)) is not None
    ]


def _dqr_consistent(rows: Sequence[CfpRowInput], dqr_type: str) -> bool:
    """The reference's rule: the first rating with any value is the one all must equal."""
    first: Dqr | None = None
    for row in rows:
        if row.dqr_type != dqr_type:
            continue
        if first is None or first == Dqr.empty():
            first = row.dqr
        elif row.dqr != first:
            return False
    return True


_STAGE_MEMBERS = {
    "preProcessing": "preProduction or preComponent",
    "mainProcessing": "mainProduction or mainComponent",
}


def cfp_set_problems(rows: Sequence[CfpRowInput]) -> list[Problem]:
    """The set rules (digest 6.2), each about the set as a whole (path ""), in the reference's
    order: exactly 4 rows, each base cfpType present, one cfpId, traceId and unit, no ratings
    without an emission in their stage, one rating per dqrType."""
    found: list[str] = []
    if len(rows) != len(BASE_CFP_TYPES):
        found.append("cfp models must be 4 elements")
    present = {row.cfp_type for row in rows}
    found.extend(f"cfpType {t} is insufficient" for t in BASE_CFP_TYPES if t not in present)
    for key, values in (
        ("cfpId", {row.cfp_id for row in rows}),
        ("traceId", {row.trace_id for row in rows}),
        ("ghgDeclaredUnit", {row.unit for row in rows}),
    ):
        if len(values) > 1:
            found.append(f"ensure all objects have the same {key}")
    for dqr_type, members in _STAGE_MEMBERS.items():
        group = [row for row in rows if row.dqr_type == dqr_type]
        rated = any((value or 0) > 0 for row in group for value in vars(row.dqr).values())
        emitted = any((row.ghg_emission or 0) > 0 for row in group)
        if rated and not emitted:
            found.append(f"set ghgEmission to a value greater than 0 for cfpType of {members}")
    if not all(_dqr_consistent(rows, dqr_type) for dqr_type in DQR_TYPES):
        found.append("different dqrValues are set for the same dqrType")
    return [Problem("", message) for message in found]


def refuse(problems: Sequence[Problem]) -> None:
    """Raise ValidationFailed listing `problems` (``path: message``, "; "-joined), if any."""
    if problems:
        text = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems)
        raise ValidationFailed(text if text.endswith(".") else f"{text}.", problems=problems)
