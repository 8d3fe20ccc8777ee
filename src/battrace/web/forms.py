"""Form values to contract bodies and back: numbers typed in a form, and the contract's
validation messages split per field so a page can show each next to its input.

The rules themselves are the contract's (`connector.validators`, `connector.wire`): a form is
turned into the body the API would receive and checked by the same readers, message for
message. Only what a form adds (text that is not a number) is checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

_FIELD = re.compile(r"^([A-Za-z][\w]*(?:\[\d+\])?): (.*)$", re.DOTALL)


@dataclass
class FormErrors:
    """Messages per field path (`parentPartsModel.partsName`) and those about the whole form."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, message)


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ";" and depth == 0 and text[index + 1 : index + 2] == " ":
            parts.append(text[start:index])
            start = index + 2
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def parse_contract_message(
    message: str, errors: FormErrors | None = None, prefix: str = ""
) -> FormErrors:
    """Split `a: msg; b: (c: msg.)` into {"a": "msg", "b.c": "msg"}; the rest is general."""
    result = errors if errors is not None else FormErrors()
    text = message.strip()
    if (text.endswith(".") and not text.endswith(").")) or text.endswith(")."):
        text = text[:-1]
    for part in _split_top(text):
        match = _FIELD.match(part)
        if match is None:
            result.general.append(part)
            continue
        name, rest = match.group(1), match.group(2).strip()
        path = f"{prefix}{name}"
        if rest.startswith("(") and rest.endswith(")"):
            parse_contract_message(rest[1:-1], result, prefix=f"{path}.")
        else:
            result.add(path, rest.rstrip("."))
    return result


def number(text: str, path: str, errors: FormErrors, *, required: bool = False) -> Decimal | None:
    """A number typed in a form (full-width digits and commas accepted), or None if blank."""
    cleaned = text.strip().replace(",", "").translate(_FULL_WIDTH)
    if not cleaned:
        if required:
            errors.add(path, "cannot be blank")
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        errors.add(path, "must be a number")
        return None
    if not value.is_finite():
        errors.add(path, "must be a number")
        return None
    return value


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "on", "yes", "y", "はい")


def optional(text: str) -> str | None:
    return text.strip() or None
