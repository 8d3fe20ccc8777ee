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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from battrace.errors import Problem, ValidationFailed
from battrace.inputs import gojson

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


def struct(go_name: str, /, **fields: GoType) -> GoType:
    return GoType(go_name, "object", fields)


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


def parse_json(raw: bytes) -> object:
    """Decode a request body the way Echo + Go's `json.Decoder` do.

    No body at all binds nothing (`None`). A syntax error raises BindError with Go's message;
    a body that ends early (or holds only white space) raises BindError with an empty detail,
    as the reference does. Only the first JSON value is read; what follows it is ignored.
    """
    if raw == b"":
        return None
    try:
        end = gojson.first_value_end(raw)
    except gojson.GoSyntaxError as exc:
        raise BindError(str(exc)) from exc
    except gojson.Truncated as exc:
        raise BindError("") from exc
    text = raw[:end].decode("utf-8", errors="replace")
    value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    check_json_value(value)
    return value


NUL = "\x00"


def bind_object(raw: bytes, go_type: GoType) -> dict[str, Any]:
    """A JSON body bound to an object type (`parse_json`, then `bind`); `null` reads as {}."""
    value = bind(parse_json(raw), go_type)
    return value if isinstance(value, dict) else {}


MAX_TEXT = 65_536  # characters in any one JSON string; fields have their own, smaller bounds


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored as text, or None. Go accepts U+0000 and lone surrogates
    (`"\\ud800"`), but PostgreSQL stores neither and UTF-8 cannot encode the latter."""
    if len(text) > MAX_TEXT:
        return f"must be at most {MAX_TEXT} characters"
    if NUL in text:
        return "must not contain the NUL character (U+0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain a lone surrogate (U+D800 to U+DFFF)"
    return None


def check_json_value(value: object) -> None:
    """Raise BindError for the first string (or key) of a JSON value that `text_problem`
    refuses, or for nesting deeper than `gojson.MAX_DEPTH`. Iterative: a hostile value
    cannot exhaust the stack here."""
    pending: list[tuple[object, str, int]] = [(value, "", 0)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                raise BindError(f"{path or 'body'}: {problem}")
        elif isinstance(item, (dict, list)):
            if depth >= gojson.MAX_DEPTH:
                raise BindError(f"{path or 'body'}: nested too deeply")
            if isinstance(item, dict):
                for key, child in item.items():
                    where = f"{path}.{printable(key)}" if path else printable(key)
                    problem = text_problem(str(key))
                    if problem is not None:
                        raise BindError(f"{where}: {problem}")
                    pending.append((child, where, depth + 1))
            else:
                pending.extend((child, f"{path}[{at}]", depth + 1) for at, child in enumerate(item))


def printable(key: object) -> str:
    """A key as an error message may echo it (a refused key must not break the answer)."""
    text = str(key)[:100]
    return text.encode("utf-8", "replace").decode("utf-8").replace(NUL, "\\u0000")


reject_nul = check_json_value  # the name other modules used before the checks grew


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
            first_error.append(
                f"{path}: Unmarshal type error: expected={go_type.name}, got={kind}."
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
        """Sorted `key: message` entries, "; "-joined, with a final "." (kept off a message
        that ends in a space, as the contract's openPlantId example shows)."""
        parts = []
        for key in sorted(self, key=lambda k: k.encode()):
            value = self[key]
            if isinstance(value, Errors):
                parts.append(f"{key}: ({value.render()})")
            else:
                parts.append(f"{key}: {value}")
        text = "; ".join(parts)
        return text if text.endswith(" ") else text + "."

    def problems(self, prefix: str = "") -> list[Problem]:
        """Each field error with its path (`prefix` + name, nested names joined by ".")."""
        found: list[Problem] = []
        for key in sorted(self, key=lambda k: k.encode()):
            value = self[key]
            if isinstance(value, Errors):
                found.extend(value.problems(f"{prefix}{key}."))
            else:
                found.append(Problem(f"{prefix}{key}", value))
        return found


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


UUID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def valid_uuid_text(value: object) -> bool:
    """What google/uuid's Parse accepts for a 36-character id (any case, any version)."""
    return isinstance(value, str) and UUID_PATTERN.fullmatch(value) is not None


def uuid_required(value: object) -> str | None:
    """The reference's StringUUIDValid: blank, or a well-formed UUID."""
    if value is None or value == "":
        return "cannot be blank"
    return None if valid_uuid_text(value) else "invalid UUID"


def nil_or_uuid(value: object) -> str | None:
    """The reference's StringPtrNilOrUUIDValid: null, or a UUID ("" is not one)."""
    if value is None:
        return None
    return None if valid_uuid_text(value) else "invalid UUID"


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


_EMAIL_LOCAL = re.compile(r"[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+")
_EMAIL_HOST = re.compile(r"[^\s]+\.[^\s]+")


def is_email(value: object) -> str | None:
    """govalidator's IsExistingEmail without its DNS look-up (battrace may run offline)."""
    if value is None or value == "":
        return None
    message = "must be a valid email address"
    if not isinstance(value, str) or not 6 <= len(value.encode()) <= 254:
        return message
    at = value.rfind("@")
    if at <= 0 or at > len(value) - 3:
        return message
    local, host = value[:at], value[at + 1 :]
    if (
        len(local.encode()) > 64
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or not _EMAIL_LOCAL.fullmatch(local)
    ):
        return message
    if host != "localhost" and not _EMAIL_HOST.fullmatch(host):
        return message
    return None


def _go_number(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


MAX_AMOUNT = Decimal("99999.99999")
ZERO = Decimal(0)
AMOUNT_RULES: tuple[Rule, ...] = (number_range(ZERO, MAX_AMOUNT), max_decimals(5))


def fail(errors: Errors | str, problems: Sequence[Problem] = ()) -> ValidationFailed:
    """The ValidationFailed error for collected field errors, or for a prepared message and
    the problems it lists."""
    if isinstance(errors, Errors):
        return ValidationFailed(errors.render(), problems=errors.problems())
    return ValidationFailed(errors, problems=problems)


def join_errors(messages: list[str], *, always_period: bool = False) -> str:
    """Several error groups as one message, like the reference's JoinErrors: duplicates
    dropped, "; "-joined, a final "." unless there is one (AUTH's version always adds it)."""
    unique: list[str] = []
    for message in messages:
        if message not in unique:
            unique.append(message)
    text = "; ".join(unique)
    return text + "." if always_period or not text.endswith(".") else text


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
