"""Every call from second life into the battery passport, in one place.

- `record_performance`: an assessment's state of health as the passport's dynamic performance
  readings (the caller must be responsible for the passport or report for it under a grant; if
  it may not, the assessment is kept and says the passport was not updated);
- `create_successor`: the new passport of a repurposed / re-used / remanufactured battery or
  storage system made of one or more packs, linked to the originals, with the receiving
  operator responsible for it;
- `composition_kg`: the metals the passport says the battery contains, for its recycling value;
- `rated_data`: what the passport says about the battery's type, to prefill an intake.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from battrace import errors
from battrace.passport import lifecycle, lookup, readings
from battrace.passport.access import Reader
from battrace.passport.issuing import NewBattery
from battrace.passport.models import BatteryCategory, BatteryStatus
from battrace.reuse.composition import metals_from_components

SOURCE = "battrace.reuse"
SUCCESSOR_STATUSES = {
    s.value: s
    for s in (BatteryStatus.REPURPOSED, BatteryStatus.REUSED, BatteryStatus.REMANUFACTURED)
}


def passport_exists(session: Session, *, caller: uuid.UUID, passport_id: uuid.UUID) -> None:
    """Raise NotFound unless the caller can see the passport at all."""
    lookup.view_passport(session, reader=Reader(operator_id=caller), passport_id=passport_id)


def record_performance(
    session: Session,
    *,
    caller: uuid.UUID,
    passport_id: uuid.UUID,
    values: Mapping[str, float],
    measured_at: datetime,
    method: str,
) -> bool:
    """Record the values as readings; False (nothing written) if the caller may not report."""
    batch = [
        readings.Reading(
            passport_id=passport_id,
            metric=metric,
            measured_at=measured_at,
            value=Decimal(str(round(value, 5))),
            source=SOURCE,
            method=method,
        )
        for metric, value in values.items()
        if metric in readings.METRICS
    ]
    if not batch:
        return False
    try:
        readings.record_readings(session, caller=caller, readings=batch)
    except errors.NotFound:
        return False
    return True


def check_successor_status(status: str) -> None:
    if status not in SUCCESSOR_STATUSES:
        raise errors.InvalidRequest(
            f"status: one of {', '.join(SUCCESSOR_STATUSES)}, not {status!r}."
        )


def create_successor(
    session: Session,
    *,
    caller: uuid.UUID,
    predecessor_ids: Sequence[uuid.UUID],
    status: str,
    new_operator_id: uuid.UUID,
    battery_identifier: str | None,
    reason: str,
    consents: Mapping[uuid.UUID, uuid.UUID] | None = None,
) -> uuid.UUID:
    """The successor passport's id. `status` is repurposed, re-used or remanufactured; a
    repurposed system becomes stationary storage. `consents`: the operator that prepares each
    predecessor, where it is not the caller (`lifecycle.create_successor`)."""
    new_status = SUCCESSOR_STATUSES.get(status)
    if new_status is None:
        raise errors.InvalidRequest(
            f"status: one of {', '.join(SUCCESSOR_STATUSES)}, not {status!r}."
        )
    passport = lifecycle.create_successor(
        session,
        caller=caller,
        predecessor_ids=list(predecessor_ids),
        status=new_status,
        new_operator_id=new_operator_id,
        category=BatteryCategory.STATIONARY if new_status == BatteryStatus.REPURPOSED else None,
        battery=NewBattery(identifier=battery_identifier) if battery_identifier else None,
        reason=reason,
        consents=consents,
    )
    return passport.id


def _sections(session: Session, caller: uuid.UUID, passport_id: uuid.UUID) -> dict[str, Any]:
    try:
        view = lookup.view_passport(
            session, reader=Reader(operator_id=caller), passport_id=passport_id
        )
    except errors.NotFound:
        return {}
    return view.sections


def composition_kg(
    session: Session, *, caller: uuid.UUID, passport_id: uuid.UUID
) -> dict[str, float] | None:
    """Metal masses from the passport's detailed composition, as far as the caller may read
    it; None when it gives none."""
    components = _sections(session, caller, passport_id).get("materials", {}).get("composition")
    if not isinstance(components, list):
        return None
    return metals_from_components(components) or None


def rated_data(session: Session, *, caller: uuid.UUID, passport_id: uuid.UUID) -> dict[str, Any]:
    """The intake's `rated` fields the passport can fill (those the caller may read)."""
    sections = _sections(session, caller, passport_id)
    performance = sections.get("performance", {})
    chemistry = sections.get("materials", {}).get("chemistry")
    resistance = performance.get("initialInternalResistance")
    found: dict[str, Any] = {
        "chemistry": chemistry.get("shortName") if isinstance(chemistry, Mapping) else None,
        "rated_capacity_ah": _number(performance.get("ratedCapacity")),
        "rated_energy_wh": _number(performance.get("ratedEnergy"), 1000.0),
        "nominal_voltage_v": _number(performance.get("nominalVoltage")),
        "mass_kg": _number(sections.get("general", {}).get("weight")),
        "rated_power_w": _number(performance.get("originalPowerCapability")),
        "initial_resistance_mohm": _number(
            resistance.get("pack") if isinstance(resistance, Mapping) else None, 1000.0
        ),
    }
    return {k: v for k, v in found.items() if v is not None}


def _number(value: object, scale: float = 1.0) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value) * scale
