"""The one domain error tree.

Services raise these; they never know HTTP. Each surface maps them in one place
(`battrace.connector.errors` for the contract API). A row the caller may not see is
`NotFound`, never `AccessDenied`, so that its existence does not leak.

`message` is what a user can act on. `detail` is optional machine-readable context, e.g.
the traceability-system error code (``MSGAECP0014``) that the contract carries in `detail`.
"""

from __future__ import annotations


class BattraceError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidRequest(BattraceError):
    """The input breaks a rule; nothing was changed."""


class ValidationFailed(InvalidRequest):
    """Body validation failed. `message` holds the ozzo-style list of field errors."""


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
