"""A problem found in a passport document, named by its path, and the error that carries them.

`battrace.errors.ValidationFailed` is being extended elsewhere to carry a list of
`(field_path, message)` problems; until that lands, `refuse()` raises it with a readable
message and sets a `problems` attribute itself. `Problem` is a tuple of exactly that shape,
so either form reads the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, NoReturn

from battrace.errors import ValidationFailed


class Problem(NamedTuple):
    path: str  # e.g. "performance.nominalVoltage", "materials.composition[2].share"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def refuse(subject: str, problems: Iterable[Problem | tuple[str, str]]) -> NoReturn:
    """Raise `ValidationFailed` listing every problem; `error.problems` holds them."""
    found = sorted({Problem(*problem) for problem in problems})
    shown = "; ".join(str(problem) for problem in found[:20])
    more = f" (and {len(found) - 20} more)" if len(found) > 20 else ""
    error = ValidationFailed(f"{subject}: {shown}{more}")
    error.problems = tuple(found)  # type: ignore[arg-type]  # same path and message
    raise error


def problems_of(error: ValidationFailed) -> list[Problem]:
    """The problems a `ValidationFailed` carries (empty if it carries none)."""
    return [Problem(*problem) for problem in getattr(error, "problems", [])]
