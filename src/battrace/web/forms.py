"""Form values to contract bodies and back: numbers typed in a form, and a refused input's
problems (`ValidationFailed.problems`) placed beside the fields they name.

The rules themselves are the domain's and the contract's (`battrace.inputs.validators`,
`battrace.inputs.wire`): a form is turned into the body the API would receive and checked by
the same readers, message for message. Only what a form adds (text that is not a number) is
checked here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from battrace import errors


@dataclass
class FormErrors:
    """Messages per field path (`parentPartsModel.partsName`) and those about the whole form."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, message)

    def translated(self, translate: Callable[[str], str]) -> FormErrors:
        """The same problems, each message passed through `translate` (a page's language)."""
        return FormErrors(
            {path: translate(text) for path, text in self.fields.items()},
            [translate(text) for text in self.general],
        )

    def place(self, exc: errors.InvalidRequest, prefix: str = "") -> FormErrors:
        """A refused input's problems beside their fields (`prefix` + the problem's path);
        problems about the whole input, and errors that name no field, above the form."""
        problems = exc.problems if isinstance(exc, errors.ValidationFailed) else ()
        if not problems:
            self.general.append(exc.message.strip())
        for problem in problems:
            message = problem.message.strip()
            if problem.path:
                self.add(f"{prefix}{problem.path}", message)
            else:
                self.general.append(message)
        return self


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
    if abs(value) > NUMBER_LIMIT:
        errors.add(path, f"must be no more than {NUMBER_LIMIT:,f}")
        return None
    if value and value.as_tuple().exponent < -DECIMAL_PLACES:  # type: ignore[operator]
        errors.add(path, f"must have at most {DECIMAL_PLACES} decimal places")
        return None
    return value


# The range of every number a form takes: a quantity, CFP or energy beyond a trillion, or
# finer than 10 decimal places, is a typing mistake (and would overflow the 28-digit
# arithmetic of rounding for display).
NUMBER_LIMIT = Decimal(10**12)
DECIMAL_PLACES = 10


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "on", "yes", "y", "はい")


def optional(text: str) -> str | None:
    return text.strip() or None
