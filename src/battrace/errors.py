"""The one domain error tree.

Services raise these; they never know HTTP. Each surface maps them in one place
(`battrace.connector.errors` for the contract API). A row the caller may not see is
`NotFound`, never `AccessDenied`, so that its existence does not leak.

`message` is what a user can act on. `detail` is optional machine-readable context, e.g.
the traceability-system error code (``MSGAECP0014``) that the contract carries in `detail`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class BattraceError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidRequest(BattraceError):
    """The input breaks a rule; nothing was changed."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (`cfpModel[0].dqrValue.TeR`, the wire's field
    path; "" for the input as a whole) and what, in the rule's words."""

    path: str
    message: str


class ValidationFailed(InvalidRequest):
    """Body validation failed. `problems` lists each problem with its field path; `message`
    is the whole list as the API words it (the ozzo-style list of field errors)."""

    def __init__(
        self, message: str, *, problems: Sequence[Problem] = (), detail: str | None = None
    ) -> None:
        super().__init__(message, detail=detail)
        self.problems = tuple(problems)


def invalid_field(path: str, message: str) -> ValidationFailed:
    """One field's problem, worded as the API lists it: ``<path>: <message>.``, where a
    dotted path nests (``a.b: m`` reads ``a: (b: m.).``)."""
    head, _, rest = path.partition(".")
    text = f"{head}: ({rest}: {message}.)." if rest else f"{path}: {message}."
    return ValidationFailed(text, problems=[Problem(path, message)])


class InvalidParameters(InvalidRequest):
    """A query parameter is malformed. `message` holds the parameter details."""


class BusinessRuleViolation(InvalidRequest):
    """A rule of the traceability system refuses the request (carries an MSG code)."""


class Unauthenticated(BattraceError):
    """No valid credentials."""


class AccessDenied(BattraceError):
    """Credentials are valid but do not permit this action."""


class NotFound(BattraceError):
    """No such row, or none the caller may see."""


class Conflict(BattraceError):
    """The request raced another change; retrying may succeed."""


class Unavailable(BattraceError):
    """A dependency (database, storage) is not available."""
