"""Reading request bodies the way the reference implementation does, message for message.

Existing Ouranos clients and conformance suites compare error strings, so a body goes through
the same two stages as in the reference server:

1. **bind** (Go `encoding/json` into typed structs): malformed JSON gives Go's syntax message;
   a JSON value of the wrong type gives ``<field.path>: Unmarshal type error:
   expected=<go type>, got=<json type>.``; `null` leaves a field unset; unknown keys are
   ignored; keys match field names case-insensitively, an exact match first.
2. **validate** (ozzo-validation): per field, the first failing rule; field errors sorted by
   name, joined with ``"; "``, ending with ``"."``; nested objects render as
   ``name: (inner errors.)`` and array elements as ``name[i]: (inner errors.)``.

Numbers are read as `Decimal`, so "at most 5 decimals" is judged on the digits sent, exactly.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from battrace.errors import ValidationFailed

# --------------------------------------------------------------------------- bind (stage 1)


@dataclass(frozen=True)
class GoType:
    """The Go type a JSON value is decoded into: what bind accepts and how it names it."""

    name: str
    json_kind: str  # "string" | "number" | "bool" | "object" | "array"
    fields: Mapping[str, GoType] = field(default_factory=dict)
    item: GoType | None = None


STRING = GoType("string", "string")
FLOAT = GoType("float64", "number")
INT = GoType("int", "number")
BOOL = GoType("bool", "bool")


def struct(name: str, **fields: GoType) -> GoType:
    return GoType(name, "object", fields)


def array_of(item: GoType) -> GoType:
    return GoType(f"[]{item.name}", "array", item=item)


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, Decimal, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class BindError(ValidationFailed):
    """The body is not JSON, or a value has the wrong JSON type."""


def _reject_constant(name: str) -> Any:  # noqa: ANN401 (json hook signature)
    raise _GoSyntaxError(name[0])


class _GoSyntaxError(ValueError):
    def __init__(self, char: str) -> None:
        super().__init__(char)
        self.char = char


def _char_repr(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char in "\n\r\t":
        return "'" + {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char] + "'"
    return f"'{char}'"


def go_syntax_message(text: str, exc: json.JSONDecodeError) -> str:
    """Translate Python's JSON error into the message Go's decoder gives for the same input."""
    pos = exc.pos
    if pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return "unexpected end of JSON input"
    char = text[pos]
    shown = _char_repr(char)
    msg = exc.msg
    if msg.startswith("Expecting value"):
        return f"invalid character {shown} looking for beginning of value"
    if msg.startswith("Expecting property name"):
        return f"invalid character {shown} looking for beginning of object key string"
    if msg.startswith("Expecting ':'"):
        return f"invalid character {shown} after object key"
    if msg.startswith("Expecting ',' delimiter"):
        inside = _innermost_container(text, pos)
        if inside == "[":
            return f"invalid character {shown} after array element"
        return f"invalid character {shown} after object key:value pair"
    if msg.startswith("Extra data"):
        return f"invalid character {shown} after top-level value"
    if msg.startswith("Invalid control character"):
        return f"invalid character {shown} in string literal"
    if msg.startswith("Invalid \\escape") or msg.startswith("Invalid \\u"):
        return f"invalid character {shown} in string escape code"
    return f"invalid character {shown} looking for beginning of value"


def _innermost_container(text: str, pos: int) -> str:
    depth: list[str] = []
    in_string = False
    escaped = False
    for char in text[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth.append(char)
        elif char in "]}" and depth:
            depth.pop()
    return depth[-1] if depth else ""


def parse_json(raw: bytes) -> object:
    """Decode a request body. An empty body is `None` (Echo binds nothing from it)."""
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = "invalid character looking for beginning of value"
        raise BindError(msg) from exc
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=Decimal, parse_constant=_reject_constant
        )
    except _GoSyntaxError as exc:
        message = f"invalid character {_char_repr(exc.char)} looking for beginning of value"
        raise BindError(message) from exc
    except json.JSONDecodeError as exc:
        raise BindError(go_syntax_message(text, exc)) from exc


def _match_key(fields: Mapping[str, GoType], key: str) -> str | None:
    if key in fields:
        return key
    folded = key.casefold()
    for name in fields:
        if name.casefold() == folded:
            return name
    return None


def bind(value: object, go_type: GoType) -> Any:  # noqa: ANN401 (JSON-shaped result)
    """Check JSON types against `go_type` and return the value with canonical key names.

    Raises BindError for the first mismatch in document order, as Go's decoder reports it.
    """
    first_error: list[str] = []
    result = _bind(value, go_type, "", first_error)
    if first_error:
        raise BindError(first_error[0])
    return result


def _bind(value: object, go_type: GoType, path: str, first_error: list[str]) -> Any:  # noqa: ANN401
    if value is None:
        return None
    kind = _json_kind(value)
    if kind != go_type.json_kind:
        if not first_error:
            name = path or go_type.name
            first_error.append(
                f"{name}: Unmarshal type error: expected={go_type.name}, got={kind}."
            )
        return None
    if go_type.json_kind == "object":
        assert isinstance(value, dict)  # noqa: S101 (kind checked above)
        bound: dict[str, Any] = {}
        for key, item in value.items():
            field_name = _match_key(go_type.fields, key)
            if field_name is None:
                continue
            child_path = f"{path}.{field_name}" if path else field_name
            bound[field_name] = _bind(item, go_type.fields[field_name], child_path, first_error)
        return bound
    if go_type.json_kind == "array":
        assert isinstance(value, list)  # noqa: S101
        assert go_type.item is not None  # noqa: S101
        return [_bind(item, go_type.item, path, first_error) for item in value]
    return value


# ------------------------------------------------------------------------ validate (stage 2)


class Errors(dict[str, "str | Errors"]):
    """ozzo-validation's `Errors`: field name -> message or nested errors."""

    def render(self) -> str:
        parts = []
        for key in sorted(self, key=lambda k: k.encode()):
            value = self[key]
            if isinstance(value, Errors):
                parts.append(f"{key}: ({value.render()})")
            else:
                parts.append(f"{key}: {value}")
        return "; ".join(parts) + "."


Rule = Callable[[Any], str | None]


def check(value: object, *rules: Rule) -> str | None:
    """The message of the first rule `value` fails, or None."""
    for rule in rules:
        message = rule(value)
        if message is not None:
            return message
    return None


def collect(errors: Errors, name: str, value: object, *rules: Rule) -> None:
    message = check(value, *rules)
    if message is not None:
        errors[name] = message


# Rules. Like ozzo's, each but `required`/`not_nil`/`nil` passes a missing (None) value.


def required(value: object) -> str | None:
    if value is None or value == "" or (isinstance(value, (list, dict)) and not value):
        return "cannot be blank"
    return None


def not_nil(value: object) -> str | None:
    return "is required" if value is None else None


def nil(value: object) -> str | None:
    return None if value is None else "must be blank"


def rune_length(low: int, high: int) -> Rule:
    def rule(value: object) -> str | None:
        if value is None or value == "" or not isinstance(value, str):
            return None
        if low <= len(value) <= high:
            return None
        if low == 0:
            return f"the length must be no more than {high}"
        return f"the length must be between {low} and {high}"

    return rule


def number_range(low: Decimal, high: Decimal) -> Rule:
    def rule(value: object) -> str | None:
        if not isinstance(value, Decimal):
            return None
        if value < low:
            return f"must be no less than {_go_number(low)}"
        if value > high:
            return f"must be no greater than {_go_number(high)}"
        return None

    return rule


def max_decimals(places: int) -> Rule:
    def rule(value: object) -> str | None:
        if not isinstance(value, Decimal):
            return None
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            return "must be a value up to the 5th decimal place"
        return None

    return rule


def one_of(*allowed: str) -> Rule:
    def rule(value: object) -> str | None:
        if value is None or value == "":
            return None
        if value not in allowed:
            return f"cannot be allowed '{value}'"
        return None

    return rule


def is_uuid(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) != 36:
        return "invalid UUID"
    try:
        uuid.UUID(value)
    except ValueError:
        return "invalid UUID"
    return None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_date(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be a valid date"
        return None
    return "must be a valid date"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and _EMAIL.match(value):
        return None
    return "must be a valid email address"


def _go_number(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


MAX_AMOUNT = Decimal("99999.99999")
ZERO = Decimal(0)
AMOUNT_RULES: tuple[Rule, ...] = (number_range(ZERO, MAX_AMOUNT), max_decimals(5))


def fail(errors: Errors | str) -> ValidationFailed:
    """The ValidationFailed error for collected field errors (or a prepared message)."""
    return ValidationFailed(errors.render() if isinstance(errors, Errors) else errors)


def join_errors(messages: list[str]) -> str:
    """Several error groups as one message: duplicates dropped, "; "-joined, final "."."""
    unique: list[str] = []
    for message in messages:
        if message not in unique:
            unique.append(message)
    text = "; ".join(unique)
    return text if text.endswith(".") else text + "."


# ------------------------------------------------------------------- small readers for values


def as_uuid(value: object) -> uuid.UUID | None:
    """A validated UUID string as a UUID (None stays None)."""
    if value is None or value == "":
        return None
    return uuid.UUID(str(value))


def as_decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
