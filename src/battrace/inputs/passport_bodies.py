"""Reading what passport surfaces receive (API bodies, CLI files): each reader raises
`ValidationFailed` naming the field; nothing here touches storage."""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from battrace import errors
from battrace.footprint.declaration import BatteryData, VehicleCategory
from battrace.inputs import wire
from battrace.passport.grants import GrantRequest
from battrace.passport.issuing import NewBattery

E = TypeVar("E", bound=enum.Enum)


def body(raw: bytes) -> Mapping[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise errors.ValidationFailed("request body: must be JSON.") from None
    if not isinstance(value, Mapping):
        raise errors.ValidationFailed("request body: must be a JSON object.")
    wire.reject_nul(value)
    return value


def json_list(raw: bytes) -> list[Any]:
    try:
        value = json.loads(raw or b"[]")
    except (ValueError, UnicodeDecodeError):
        raise errors.ValidationFailed("request body: must be JSON.") from None
    if isinstance(value, Mapping):
        value = value.get("readings")
    if not isinstance(value, list):
        raise errors.ValidationFailed("request body: a list of readings.")
    wire.reject_nul(value)
    return value


def uuid_of(value: object, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise errors.ValidationFailed(f"{name}: must be a UUID.") from None


def optional_uuid(value: object, name: str) -> uuid.UUID | None:
    return None if value in (None, "") else uuid_of(value, name)


def uuid_list(value: object, name: str) -> list[uuid.UUID]:
    if not isinstance(value, list) or not value:
        raise errors.ValidationFailed(f"{name}: a non-empty list of UUIDs.")
    return [uuid_of(each, f"{name}[{index}]") for index, each in enumerate(value)]


def text(value: object, name: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise errors.ValidationFailed(f"{name}: required.")
        return None
    if not isinstance(value, str):
        raise errors.ValidationFailed(f"{name}: must be text.")
    return value


def member(kind: type[E], value: object, name: str, *, required: bool = True) -> E | None:
    if value is None and not required:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(each.value) for each in kind)
        raise errors.ValidationFailed(f"{name}: one of {allowed}.") from None


def flag(value: object, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise errors.ValidationFailed(f"{name}: true or false.")
    return value


def moment(value: object, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise errors.ValidationFailed(f"{name}: an ISO 8601 time with a zone.") from None
    if parsed.tzinfo is None:
        raise errors.ValidationFailed(f"{name}: give the time zone (e.g. Z).")
    return parsed


def decimal_of(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise errors.ValidationFailed(f"{name}: a number.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise errors.ValidationFailed(f"{name}: a number.") from None
    if not number.is_finite():
        raise errors.ValidationFailed(f"{name}: a number.")
    return number


def battery_of(value: object, name: str) -> NewBattery:
    """`{serial, gtin?, batteryIdentifier?, data?}` or a bare serial string."""
    if isinstance(value, str):
        return NewBattery(serial=value)
    if not isinstance(value, Mapping):
        raise errors.ValidationFailed(f"{name}: an object or a serial.")
    data = value.get("data")
    if data is not None and not isinstance(data, Mapping):
        raise errors.ValidationFailed(f"{name}.data: an object of sections.")
    return NewBattery(
        serial=text(value.get("serial"), f"{name}.serial"),
        gtin=text(value.get("gtin"), f"{name}.gtin"),
        identifier=text(value.get("batteryIdentifier"), f"{name}.batteryIdentifier"),
        data=data,
    )


def grant_request_of(values: Mapping[str, Any]) -> GrantRequest:
    return GrantRequest(
        grantee_operator_id=uuid_of(values.get("granteeOperatorId"), "granteeOperatorId"),
        interest=text(values.get("interest"), "interest", required=True) or "",
        passport_id=optional_uuid(values.get("passportId"), "passportId"),
        model_id=optional_uuid(values.get("modelId"), "modelId"),
        valid_from=moment(values.get("validFrom"), "validFrom"),
        valid_until=moment(values.get("validUntil"), "validUntil"),
        may_report=flag(values.get("mayReport"), "mayReport"),
    )


def data_of(values: Mapping[str, Any], name: str = "data") -> Mapping[str, Any]:
    data = values.get(name)
    if not isinstance(data, Mapping):
        raise errors.ValidationFailed(f"{name}: an object of sections.")
    return data


def optional_decimal(values: Mapping[str, Any], name: str) -> Decimal | None:
    value = values.get(name)
    return None if value is None else decimal_of(value, name)


def battery_data_of(values: Mapping[str, Any]) -> BatteryData | None:
    """What the CFP declaration needs beyond the roll-up; None without `usableEnergyKwh`."""
    if values.get("usableEnergyKwh") is None:
        return None
    vehicle = member(VehicleCategory, values.get("vehicleCategory"), "vehicleCategory")
    assert vehicle is not None  # noqa: S101 (required)
    return BatteryData(
        usable_energy_kwh=decimal_of(values["usableEnergyKwh"], "usableEnergyKwh"),
        vehicle_category=vehicle,
        warranty_years=decimal_of(values.get("warrantyYears"), "warrantyYears"),
        distribution_kg_co2e=optional_decimal(values, "distributionKgCO2e"),
        end_of_life_kg_co2e=optional_decimal(values, "endOfLifeKgCO2e"),
        study_link=text(values.get("studyLink"), "studyLink"),
    )


def shares_of(values: Mapping[str, Any]) -> dict[str, Decimal]:
    raw_shares = values.get("shares")
    if not isinstance(raw_shares, Mapping):
        raise errors.ValidationFailed("shares: an object of element: percent.")
    return {str(name): decimal_of(share, f"shares.{name}") for name, share in raw_shares.items()}


def whole_number(value: str | None, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    assert value is not None  # noqa: S101 (checked)
    if not value.isdigit():
        raise errors.InvalidParameters(f"{name}: a whole number.")
    return int(value)


__all__ = [
    "battery_data_of",
    "battery_of",
    "body",
    "data_of",
    "decimal_of",
    "flag",
    "grant_request_of",
    "json_list",
    "member",
    "moment",
    "optional_decimal",
    "optional_uuid",
    "shares_of",
    "text",
    "uuid_list",
    "uuid_of",
    "whole_number",
]
