"""Recycling request bodies (`/api/v1/recycling/...`), read the same way by the API, the web
forms and `battrace recycling ...`: JSON-shaped mappings to the domain's write objects.

Numbers may come as JSON numbers or as decimal strings; they become exact `Decimal`s (never
floats). Every problem is a `ValidationFailed` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from battrace.errors import ValidationFailed
from battrace.ids import TraceId
from battrace.inputs.fields import date_field, list_field, text_field, uuid_field
from battrace.recycling.content import BalanceInput, ElementContent
from battrace.recycling.custody import Collection, FractionWrite, StepWrite
from battrace.recycling.materials import LotWrite
from battrace.recycling.models import EventKind, Fraction
from battrace.recycling.reports import ReportWrite
from battrace.recycling.rules import Category, Element, InputBatch, OutputFraction

E = TypeVar("E", bound=StrEnum)
ZERO = _ZERO = Decimal(0)


def decimal_field(value: object, name: str, *, default: Decimal | None = None) -> Decimal:
    """An exact number; refuses booleans, text that is no number, NaN and infinities."""
    if value is None or value == "":
        if default is None:
            raise ValidationFailed(f"{name}: is required.")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationFailed(f"{name}: must be a number.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(f"{name}: must be a number.") from None
    if not number.is_finite():
        raise ValidationFailed(f"{name}: must be a finite number.")
    return number


def optional_decimal(value: object, name: str) -> Decimal | None:
    return None if value is None or value == "" else decimal_field(value, name)


def int_field(value: object, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationFailed(f"{name}: must be a whole number.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(f"{name}: must be a whole number.") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValidationFailed(f"{name}: must be a whole number.")
    return int(number)


def enum_field(kind: type[E], value: object, name: str) -> E:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationFailed(f"{name}: must be one of {allowed}.") from None


def timestamp(value: object, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{name}: must be an ISO 8601 timestamp.") from None
    if parsed.tzinfo is None:
        raise ValidationFailed(f"{name}: must carry a time zone.")
    return parsed


def _text(body: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = text_field(body.get(name), name)
    if required and not (value or "").strip():
        raise ValidationFailed(f"{name}: is required.")
    return value


def _object(item: object, name: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise ValidationFailed(f"{name}: must be an object.")
    return item


def collection(body: Mapping[str, Any]) -> Collection:
    items = list_field(body.get("itemIds"), "itemIds")
    responsible = body.get("responsibleOperatorId")
    return Collection(
        code=_text(body, "code", required=True) or "",
        product_type=_text(body, "productType", required=True) or "",
        member_state=_text(body, "memberState", required=True) or "",
        mass_kg=decimal_field(body.get("massKg"), "massKg"),
        item_ids=tuple(str(item) for item in items),
        units=int_field(body.get("units"), "units"),
        chemistry=_text(body, "chemistry"),
        energy_kwh=optional_decimal(body.get("energyKwh"), "energyKwh"),
        place=_text(body, "place"),
        occurred_at=timestamp(body.get("occurredAt"), "occurredAt"),
        taken_back=bool(body.get("takenBack")),
        responsible=None
        if responsible in (None, "")
        else uuid_field(responsible, "responsibleOperatorId"),
    )


def step(body: Mapping[str, Any]) -> StepWrite:
    return StepWrite(
        kind=enum_field(EventKind, body.get("kind"), "kind"),
        mass_out_kg=decimal_field(body.get("massOutKg"), "massOutKg"),
        loss_kg=decimal_field(body.get("lossKg"), "lossKg", default=_ZERO),
        units_out=int_field(body.get("unitsOut"), "unitsOut"),
        units_lost_declared=int_field(body.get("unitsLostDeclared"), "unitsLostDeclared") or 0,
        place=_text(body, "place"),
        occurred_at=timestamp(body.get("occurredAt"), "occurredAt"),
        note=_text(body, "note"),
    )


def fractions(body: Mapping[str, Any]) -> list[FractionWrite]:
    found = []
    for n, raw in enumerate(list_field(body.get("outputs"), "outputs")):
        item = _object(raw, f"outputs[{n}]")
        found.append(
            FractionWrite(
                fraction=enum_field(Fraction, item.get("fraction"), f"outputs[{n}].fraction"),
                mass_kg=decimal_field(item.get("massKg"), f"outputs[{n}].massKg"),
                units=int_field(item.get("units"), f"outputs[{n}].units"),
                code=text_field(item.get("code"), f"outputs[{n}].code"),
            )
        )
    return found


def _elements(raw: object, name: str) -> dict[Element, Decimal]:
    if raw is None:
        return {}
    masses = _object(raw, name)
    return {
        enum_field(Element, key, f"{name}.{key}"): decimal_field(value, f"{name}.{key}")
        for key, value in masses.items()
    }


def report(body: Mapping[str, Any]) -> ReportWrite:
    category = enum_field(Category, body.get("category"), "category")
    start = date_field(body.get("periodStart"), "periodStart")
    end = date_field(body.get("periodEnd"), "periodEnd")
    if start is None or end is None:
        raise ValidationFailed("periodStart and periodEnd: are required.")
    inputs = []
    for n, raw in enumerate(list_field(body.get("inputs"), "inputs")):
        item = _object(raw, f"inputs[{n}]")
        inputs.append(
            InputBatch(
                category=category,
                chemistry=str(item.get("chemistry") or "").strip() or "-",
                mass_kg=decimal_field(item.get("massKg"), f"inputs[{n}].massKg"),
                deducted_kg=decimal_field(
                    item.get("deductedKg"), f"inputs[{n}].deductedKg", default=_ZERO
                ),
                elements=_elements(item.get("elements"), f"inputs[{n}].elements"),
            )
        )
    outputs, destinations = [], []
    for n, raw in enumerate(list_field(body.get("outputs"), "outputs")):
        item = _object(raw, f"outputs[{n}]")
        outputs.append(
            OutputFraction(
                name=str(item.get("name") or "").strip() or f"output {n + 1}",
                mass_kg=decimal_field(item.get("massKg"), f"outputs[{n}].massKg"),
                final=item.get("final", True) is not False,
                counts=item.get("counts", True) is not False,
                usable=item.get("usable", True) is not False,
                elements=_elements(item.get("elements"), f"outputs[{n}].elements"),
                purity_percent=optional_decimal(
                    item.get("purityPercent"), f"outputs[{n}].purityPercent"
                ),
            )
        )
        destinations.append(text_field(item.get("destination"), f"outputs[{n}].destination"))
    return ReportWrite(
        facility=_text(body, "facility", required=True) or "",
        period_start=start,
        period_end=end,
        member_state=_text(body, "memberState", required=True) or "",
        category=category,
        inputs=inputs,
        outputs=outputs,
        destinations=destinations,
    )


def element_content(body: Mapping[str, Any]) -> tuple[Element, ElementContent]:
    return enum_field(Element, body.get("element"), "element"), ElementContent(
        decimal_field(body.get("massKg"), "massKg"),
        decimal_field(body.get("preConsumerKg"), "preConsumerKg", default=_ZERO),
        decimal_field(body.get("postConsumerKg"), "postConsumerKg", default=_ZERO),
    )


def material_lot(body: Mapping[str, Any]) -> LotWrite:
    return LotWrite(
        trace_id=TraceId(uuid_field(body.get("traceId"), "traceId")),
        element=enum_field(Element, body.get("element"), "element"),
        grade=_text(body, "grade") or "",
        mass_kg=decimal_field(body.get("massKg"), "massKg"),
        element_fraction=decimal_field(body.get("elementFraction"), "elementFraction"),
        pre_consumer_percent=decimal_field(
            body.get("preConsumerPercent"), "preConsumerPercent", default=_ZERO
        ),
        post_consumer_percent=decimal_field(
            body.get("postConsumerPercent"), "postConsumerPercent", default=_ZERO
        ),
        cfp_kg_co2e_per_kg=decimal_field(body.get("cfpKgCO2ePerKg"), "cfpKgCO2ePerKg"),
        certificate=_text(body, "certificate"),
    )


def balance_input(body: Mapping[str, Any]) -> BalanceInput:
    return BalanceInput(
        decimal_field(body.get("massKg"), "massKg"),
        decimal_field(body.get("preConsumerKg"), "preConsumerKg", default=_ZERO),
        decimal_field(body.get("postConsumerKg"), "postConsumerKg", default=_ZERO),
    )


__all__ = [
    "ZERO",
    "ValidationFailed",
    "balance_input",
    "collection",
    "date_field",
    "decimal_field",
    "element_content",
    "enum_field",
    "fractions",
    "int_field",
    "list_field",
    "material_lot",
    "optional_decimal",
    "report",
    "step",
    "text_field",
    "timestamp",
    "uuid_field",
]
