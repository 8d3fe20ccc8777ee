"""The one place that knows the contract's error shape.

Contract API errors are ``{"code": "[<source>] <Kind>", "message": …, "detail": …}`` where
`detail` is ``id: <operatorId>, timeStamp: <UTC ms>, dataTarget: <dt>, method: <M>`` for the
`dataspace` and `auth` sources, and the traceability error code for `traceability`.
The traceability-system endpoints the reference web client calls use
``{"errors": [{"errorCode": …, "errorDescription": …}]}`` instead.

Domain errors are mapped here by walking the exception's MRO, so a new subclass inherits the
mapping of its parent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from starlette.responses import Response

from battrace import errors

KIND_BY_STATUS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "AccessDenied",
    404: "NotFound",
    413: "PayloadTooLarge",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
    504: "Timeout",
}

INVALID_REQUEST = "Invalid request parameters"
VALIDATION_FAILED = "Validation failed"
AUTHENTICATION_REQUIRED = "Authentication required"
INVALID_TOKEN = "Invalid or expired token"
INVALID_CREDENTIALS = "Invalid credentials"
NO_PRIVILEGES = "You do not have the necessary privileges"
INVALID_KEY = "Invalid key"
IP_NOT_AUTHORIZED = "IP address not authorized for this API key"
ENDPOINT_NOT_FOUND = "Endpoint Not Found"
UNEXPECTED = "Unexpected error occurred"
OUTER_SERVICE = "Unexpected error occurred in outer service"


class Source(StrEnum):
    DATASPACE = "dataspace"
    AUTH = "auth"
    TRACEABILITY = "traceability"


class ContractError(Exception):
    """An error raised by the connector itself, with its status and source decided."""

    def __init__(
        self, status: int, source: Source, message: str, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.source = source
        self.message = message
        self.detail = detail


@dataclass
class RequestContext:
    """What the `detail` string reports about the request being answered."""

    method: str
    data_target: str = ""
    operator_id: str = ""


def timestamp_now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def standard_detail(context: RequestContext) -> str:
    return (
        f"id: {context.operator_id}, timeStamp: {timestamp_now()}, "
        f"dataTarget: {context.data_target}, method: {context.method}"
    )


def json_text(body: object) -> str:
    """The contract's JSON text of a body: compact, non-ASCII as is."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def json_bytes(body: object) -> bytes:
    """`json_text` as the UTF-8 bytes a response sends (the form answers are kept in)."""
    return json_text(body).encode()


def json_array_bytes(items: list[bytes]) -> bytes:
    """`json_bytes` of a list, from the `json_bytes` of its items (byte for byte the same)."""
    return b"[" + b",".join(items) + b"]"


def json_response(
    body: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return json_text_response(json_text(body), status, headers)


def json_text_response(
    content: str | bytes, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A response with JSON already made (`json_text`, or `json_bytes` kept from before).

    A lone surrogate that reached a message (UTF-8 cannot encode it) is sent as its JSON
    escape (`\\ud800`) instead of breaking the response."""
    if isinstance(content, str):
        content = content.encode("utf-8", "backslashreplace")
    return Response(content, status_code=status, media_type="application/json", headers=headers)


def contract_error_response(
    status: int, source: Source, message: str, context: RequestContext, detail: str | None = None
) -> Response:
    kind = KIND_BY_STATUS.get(status, "InternalServerError")
    if kind == "InternalServerError":
        status = 500
    body = {
        "code": f"[{source}] {kind}",
        "message": message,
        "detail": detail if detail is not None else standard_detail(context),
    }
    return json_response(body, status)


def _domain_status(exc: errors.BattraceError) -> tuple[int, str, str | None, bool]:
    """(status, message, detail, is_traceability) for a domain error."""
    if isinstance(exc, errors.BusinessRuleViolation):
        return 400, exc.message, exc.detail, True
    if isinstance(exc, errors.ValidationFailed):
        return 400, f"{VALIDATION_FAILED}, {exc.message}", None, False
    if isinstance(exc, errors.InvalidParameters):
        return 400, f"{INVALID_REQUEST}, {exc.message}", None, False
    table: list[tuple[type[errors.BattraceError], int]] = [
        (errors.InvalidRequest, 400),
        (errors.Conflict, 400),
        (errors.Unauthenticated, 401),
        (errors.AccessDenied, 403),
        (errors.NotFound, 404),
        (errors.Unavailable, 503),
    ]
    for klass in type(exc).__mro__:
        for mapped, status in table:
            if klass is mapped:
                return status, exc.message, None, False
    return 500, UNEXPECTED, None, False


def domain_error_response(
    exc: errors.BattraceError, source: Source, context: RequestContext
) -> Response:
    status, message, detail, traceability = _domain_status(exc)
    if traceability:
        return contract_error_response(status, Source.TRACEABILITY, message, context, detail or "")
    return contract_error_response(status, source, message, context)


# --- the traceability-system endpoints' own error shape -------------------------------------


class TraceabilityCode(StrEnum):
    """Error codes of the traceability-system endpoints (reference MSG codes where known)."""

    REQUIRED = "MSGAECO0001"
    INVALID = "MSGAECO0002"
    NOT_FOUND = "MSGAECO0003"
    FORBIDDEN = "MSGAECP0025"
    UNEXPECTED = "MSGAECO0013"
    UNAUTHENTICATED = "MSGAECO0004"


def traceability_error_response(status: int, code: str, description: str) -> Response:
    return json_response({"errors": [{"errorCode": code, "errorDescription": description}]}, status)


def traceability_domain_error(exc: errors.BattraceError) -> Response:
    status, message, detail, _ = _domain_status(exc)
    code = {
        400: TraceabilityCode.INVALID,
        401: TraceabilityCode.UNAUTHENTICATED,
        403: TraceabilityCode.FORBIDDEN,
        404: TraceabilityCode.NOT_FOUND,
    }.get(status, TraceabilityCode.UNEXPECTED)
    # The traceability error shape knows 400 and 500 only for business errors; keep the
    # HTTP status honest (401/403/404) but name the reference code family in the body.
    return traceability_error_response(status, detail or code, message)
