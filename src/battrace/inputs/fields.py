"""One set of readers for what a request carries: query parameters, JSON bodies and their
fields. Every API route (and the CLI, for the same bodies) reads through these; each raises a
domain error (`battrace.errors`) that the surface renders in its own error shape.

Wording differs by API family and is kept exactly as each family has always answered:

- query parameters of the contract API (`uuid_param`, `limit_param`, …): `InvalidParameters`
  "<name>: Unexpected query parameter", as the reference reads them;
- battrace's own JSON APIs (due diligence, footprint): `json_object`, `uuid_field`,
  `date_field`, `text_field`, `list_field` raise `ValidationFailed` ("<name>: must be …");
- the traceability-system endpoints: `contract_object`, `required_uuid`, `optional_uuid`,
  `bool_field`, `timestamp_field` raise `InvalidRequest` with the reference's wording.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from starlette.datastructures import QueryParams

from battrace.errors import InvalidParameters, InvalidRequest, ValidationFailed
from battrace.inputs import wire

# ------------------------------------------------------------- query parameters (contract)


def unexpected(name: str) -> InvalidParameters:
    return InvalidParameters(f"{name}: Unexpected query parameter")


MAX_QUERY_VALUE = 8192  # characters in one query parameter (100 UUIDs take 3,700)


def check_query(params: QueryParams) -> None:
    """Every route's query parameters, before the route reads them: no value too long to be
    a real one, none that cannot be stored as text (NUL)."""
    for name, value in params.multi_items():
        if len(value) > MAX_QUERY_VALUE or len(name) > MAX_QUERY_VALUE or wire.NUL in value:
            raise unexpected(wire.printable(name))


def uuid_param(params: QueryParams, name: str, *, required: bool = False) -> uuid.UUID | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise unexpected(name)
        return None
    if len(raw) != 36:
        raise unexpected(name)
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise unexpected(name) from exc


def required_uuid_param(params: QueryParams, name: str) -> uuid.UUID:
    found = uuid_param(params, name, required=True)
    assert found is not None  # noqa: S101 (required)
    return found


def uuid_list_param(
    params: QueryParams, name: str, *, maximum: int, required: bool = False
) -> list[uuid.UUID] | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise unexpected(name)
        return None
    items = raw.split(",")
    if len(items) > maximum:
        raise unexpected(name)
    result = []
    for item in items:
        if len(item) != 36:
            raise unexpected(name)
        try:
            result.append(uuid.UUID(item))
        except ValueError as exc:
            raise unexpected(name) from exc
    return result


MAX_LIMIT = 100


def limit_param(params: QueryParams) -> int:
    raw = params.get("limit")
    if raw is None or raw == "":
        return MAX_LIMIT
    try:
        value = int(raw, 10)
    except ValueError as exc:
        raise unexpected("limit") from exc
    if not 1 <= value <= MAX_LIMIT:
        raise unexpected("limit")
    return value


_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def bool_param(params: QueryParams, name: str) -> bool | None:
    """Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise unexpected(name)


# ------------------------------------------------------- battrace's own JSON APIs (DD, CFP)


def json_object(raw: bytes) -> Mapping[str, Any]:
    """A JSON object body (an empty body reads as `{}`)."""
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("request body: must be JSON.") from None
    except RecursionError:
        raise ValidationFailed("request body: nested too deeply.") from None
    if not isinstance(body, Mapping):
        raise ValidationFailed("request body: must be a JSON object.")
    wire.check_json_value(body)
    return body


def uuid_field(value: object, name: str) -> uuid.UUID:
    if not isinstance(value, (str, uuid.UUID)):
        raise ValidationFailed(f"{name}: must be a UUID.")
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(f"{name}: must be a UUID.") from None


def date_field(value: object, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"{name}: must be a date YYYY-MM-DD.") from None


def text_field(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValidationFailed(f"{name}: must be text.")


def plain_text(value: object, name: str) -> str:
    """A string field, absent or null read as "" (the rules say what an empty one means);
    a number, list or object is refused, never turned into text."""
    return text_field(value, name) or ""


def text_list_field(value: object, name: str) -> list[str]:
    items = list_field(value, name)
    if not all(isinstance(item, str) for item in items):
        raise ValidationFailed(f"{name}: must be a list of text.")
    return items


def list_field(value: object, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed(f"{name}: must be a list.")
    return value


# --------------------------------------------------------- traceability-system endpoints


def contract_object(raw: bytes) -> dict[str, Any]:
    """A JSON object body, malformed JSON worded as the reference's Go decoder words it."""
    value = wire.parse_json(raw)
    if not isinstance(value, dict):
        raise InvalidRequest("request body: must be a JSON object.")
    return value


def optional_uuid(value: object, name: str) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidRequest(f"{name}: invalid UUID") from exc


def required_uuid(value: object, name: str) -> uuid.UUID:
    found = optional_uuid(value, name)
    if found is None:
        raise InvalidRequest(f"{name}は必須項目です。")
    return found


def contract_text(value: object, name: str) -> str | None:
    """An optional string of a traceability-system body (absent or null: None)."""
    if value is None or isinstance(value, str):
        return value
    raise InvalidRequest(f"{name}: must be a string.")


def contract_items(value: object, name: str) -> list[dict[str, Any]]:
    """A list of objects of a traceability-system body (absent or null: empty)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidRequest(f"{name}: must be a list of objects.")
    return value


def bool_field(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidRequest(f"{name}: must be true or false.")
    return value


def timestamp_field(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequest(f"{name}: must be an ISO 8601 timestamp.") from exc
    if parsed.tzinfo is None:
        raise InvalidRequest(f"{name}: must carry a time zone.")
    return parsed
