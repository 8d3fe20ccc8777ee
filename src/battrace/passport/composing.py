"""One battery's whole passport document (`document.PassportDocument`), composed from its
model's data, its own data, its own fields (identifiers, category, status, responsible
operator, predecessors) and the latest of its dynamic readings."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from battrace.identity.models import Operator
from battrace.passport.document import PassportDocument, reading, timestamp
from battrace.passport.identifiers import passport_identifier
from battrace.passport.models import BatteryCategory, BatteryModel, Passport
from battrace.passport.readings import (
    EVENT_METRICS,
    READING_METRICS,
    TEMPERATURE_METRICS,
    LatestReading,
)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def dynamic_values(
    latest: Mapping[str, LatestReading], events: Sequence[LatestReading]
) -> dict[str, Any]:
    """`performance.*` values from the latest readings and the negative events."""
    values: dict[str, Any] = {}
    for metric, each in latest.items():
        if metric in READING_METRICS:
            values[f"performance.{metric}"] = reading(
                each.value, each.measured_at, source=each.source, method=each.method
            )
    hours = {metric: latest[metric] for metric in TEMPERATURE_METRICS if metric in latest}
    if "hoursAboveUpper" in hours and "hoursBelowLower" in hours:
        exposure: dict[str, Any] = {name: _number(each.value) for name, each in hours.items()}
        exposure["measuredAt"] = timestamp(max(each.measured_at for each in hours.values()))
        values["performance.temperatureExposure"] = exposure
    if events:
        values["performance.negativeEvents"] = [
            {
                "kind": EVENT_METRICS[each.metric],
                "occurredAt": timestamp(each.measured_at),
                **({"description": each.note} if each.note else {}),
            }
            for each in events
        ]
    return values


def identity_values(
    *,
    passport_id: uuid.UUID,
    battery_identifier: str,
    category: BatteryCategory,
    status: str,
    serial: str | None = None,
    gtin: str | None = None,
    responsible: Operator | None = None,
    model: BatteryModel | None = None,
    predecessors: Sequence[uuid.UUID] = (),
) -> dict[str, Any]:
    return {
        "general.passportIdentifier": passport_identifier(passport_id),
        "general.batteryIdentifier": battery_identifier,
        "general.category": category.value,
        "general.status": status,
        "general.serialNumber": serial,
        "general.gtin": gtin or (model.gtin if model else None),
        "general.responsibleOperator": {
            "name": responsible.name,
            "identifier": responsible.open_operator_id,
        }
        if responsible
        else None,
        "general.model": {"identifier": str(model.id), "name": model.name} if model else None,
        "general.predecessorPassports": [passport_identifier(each) for each in predecessors]
        or None,
    }


def passport_document(
    passport: Passport,
    *,
    model: BatteryModel | None,
    responsible: Operator | None,
    predecessors: Sequence[uuid.UUID] = (),
    latest: Mapping[str, LatestReading] | None = None,
    events: Sequence[LatestReading] = (),
) -> PassportDocument:
    composed = PassportDocument.compose(model.data if model else {}, passport.data)
    return composed.with_values(
        {
            **identity_values(
                passport_id=passport.id,
                battery_identifier=passport.battery_identifier,
                category=passport.category,
                status=passport.status.value,
                serial=passport.serial,
                gtin=passport.gtin,
                responsible=responsible,
                model=model,
                predecessors=predecessors,
            ),
            **dynamic_values(latest or {}, events),
        }
    )


def model_document(model: BatteryModel, data: Mapping[str, Any] | None = None) -> PassportDocument:
    """A model's shared data as a document (with the model as its identity), for checks and
    the model's completeness."""
    composed = PassportDocument.compose(data if data is not None else model.data, {})
    return composed.with_values(
        identity_values(
            passport_id=model.id,
            battery_identifier=f"MODEL-{str(model.id)[:8].upper()}",
            category=model.category,
            status="original",
            model=model,
        )
    )


__all__ = ["dynamic_values", "identity_values", "model_document", "passport_document"]
