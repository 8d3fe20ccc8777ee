"""The JSON Canonicalization Scheme (RFC 8785): one byte string per JSON value, so that a
signature made over a value by one system verifies over the same value parsed and
re-serialised by another.

Object members are sorted by their names' UTF-16 code units, no whitespace is written,
strings are escaped as ECMAScript's JSON.stringify escapes them, and numbers are written as
ECMAScript writes an IEEE 754 double (shortest round-trip digits).
"""

from __future__ import annotations

import functools
import json
import json.encoder
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any


def canonical_json(value: Any) -> bytes:  # noqa: ANN401 (any JSON value)
    """`value` (dicts, lists, str, int, float, bool, None) in its RFC 8785 form, UTF-8."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts).encode("utf-8")


def _write(value: Any, out: list[str]) -> None:  # noqa: ANN401
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int | float):
        out.append(_number(value))
    elif isinstance(value, dict):
        out.append("{")
        names = sorted(value, key=_utf16_key)
        for index, name in enumerate(names):
            if not isinstance(name, str):
                msg = f"object member names must be strings, not {type(name).__name__}"
                raise TypeError(msg)
            if index:
                out.append(",")
            out.append(_string(name))
            out.append(":")
            _write(value[name], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        msg = f"{type(value).__name__} is not a JSON value"
        raise TypeError(msg)


@functools.lru_cache(maxsize=4096)
def _utf16_key(name: str) -> bytes:
    # Member names repeat from value to value (a footprint's dozens of field names).
    return name.encode("utf-16-be")


# Python's encoder escapes exactly what JSON.stringify escapes (quote, backslash, the control
# characters: \b \t \n \f \r by name, the others as lowercase \u00xx); this is the function
# `json.dumps(text, ensure_ascii=False)` ends in, without its per-call set-up (signing and
# verifying a footprint spent most of their time there).
_string: Callable[[str], str] = json.encoder.encode_basestring


def _number(number: float) -> str:
    """ECMAScript's Number::toString of the double nearest `number`."""
    value = float(number)
    if not math.isfinite(value):
        msg = "NaN and infinities have no JSON form"
        raise ValueError(msg)
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript requires.
    parsed = Decimal(repr(abs(value)))
    digits_tuple = parsed.as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits).rstrip("0") or "0"
    exponent = int(digits_tuple.exponent) + len(digits_tuple.digits)  # n: value = 0.d x 10^n
    k = len(digits)
    if k <= exponent <= 21:
        return sign + digits + "0" * (exponent - k)
    if 0 < exponent <= 21:
        return sign + digits[:exponent] + "." + digits[exponent:]
    if -6 < exponent <= 0:
        return sign + "0." + "0" * (-exponent) + digits
    power = exponent - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"
