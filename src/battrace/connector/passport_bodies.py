"""Reading passport API bodies and shaping passport API answers (JSON, camelCase).

Every reader raises `ValidationFailed` naming the field; nothing here touches storage.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector import wire
from battrace.connector.errors import RequestContext, Source
from battrace.connector.runtime import Caller, answer, authenticate, state_of
from battrace.passport.grants import GrantRequest
from battrace.passport.identifiers import passport_identifier
from battrace.passport.issuing import IssuedBatch, NewBattery
from battrace.passport.models import BatteryModel, Passport, PassportGrant
from battrace.passport.readings import IngestResult

E = TypeVar("E", bound=enum.Enum)
Work = Callable[[Request, Caller, bytes], Response]


async def serve(request: Request, work: Work) -> Response:
    """Authenticate, run `work` in a worker thread, answer failures in the contract's shape."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        caller = authenticate(request, state_of(request), context)
        return work(request, caller, raw)

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


def public_base(request: Request) -> str:
    """The resolver's base address (settings' `public_url`, else this server's)."""
    return state_of(request).settings.public_url or str(request.base_url)


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


# ---------------------------------------------------------------------------- answers


def model_json(model: BatteryModel) -> dict[str, Any]:
    return {
        "modelId": str(model.id),
        "operatorId": str(model.operator_id),
        "name": model.name,
        "category": model.category.value,
        "traceId": str(model.trace_id) if model.trace_id else None,
        "gtin": model.gtin,
        "data": model.data,
        "provenance": model.provenance,
        "version": model.version,
        "headHash": model.head_hash,
        "updatedAt": model.updated_at.isoformat(),
    }


def passport_summary(passport: Passport) -> dict[str, Any]:
    return {
        "passportId": str(passport.id),
        "passportIdentifier": passport_identifier(passport.id),
        "batteryIdentifier": passport.battery_identifier,
        "gtin": passport.gtin,
        "serial": passport.serial,
        "modelId": str(passport.model_id) if passport.model_id else None,
        "batchId": str(passport.batch_id) if passport.batch_id else None,
        "category": passport.category.value,
        "status": passport.status.value,
        "publication": passport.publication.value,
        "responsibleOperatorId": str(passport.responsible_operator_id),
        "ended": passport.ended_at is not None,
        "version": passport.version,
        "createdAt": passport.created_at.isoformat(),
    }


def grant_json(grant: PassportGrant) -> dict[str, Any]:
    return {
        "grantId": str(grant.id),
        "grantorOperatorId": str(grant.grantor_operator_id),
        "granteeOperatorId": str(grant.grantee_operator_id),
        "passportId": str(grant.passport_id) if grant.passport_id else None,
        "modelId": str(grant.model_id) if grant.model_id else None,
        "interest": grant.interest,
        "mayReport": grant.may_report,
        "validFrom": grant.valid_from.isoformat(),
        "validUntil": grant.valid_until.isoformat() if grant.valid_until else None,
        "revokedAt": grant.revoked_at.isoformat() if grant.revoked_at else None,
    }


def batch_json(issued: IssuedBatch) -> dict[str, Any]:
    return {
        "batchId": str(issued.batch.id),
        "modelId": str(issued.batch.model_id),
        "label": issued.batch.label,
        "size": len(issued.passport_ids),
        "passportIds": [str(each) for each in issued.passport_ids],
    }


def ingest_json(result: IngestResult) -> dict[str, Any]:
    return {"received": result.received, "stored": result.stored, "passports": result.passports}


__all__ = [
    "batch_json",
    "battery_of",
    "body",
    "data_of",
    "decimal_of",
    "flag",
    "grant_json",
    "grant_request_of",
    "ingest_json",
    "json_list",
    "member",
    "model_json",
    "moment",
    "optional_uuid",
    "passport_summary",
    "public_base",
    "serve",
    "text",
    "uuid_list",
    "uuid_of",
]
