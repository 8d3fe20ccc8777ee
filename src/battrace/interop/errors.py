"""PACT's own error bodies (`{"code", "message"}`) and the RFC 6749 token errors; the one
place the PACT surface turns domain errors into HTTP, per spec version."""

from __future__ import annotations

from starlette.responses import JSONResponse

from battrace import errors


class PactError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(version: int, message: str) -> PactError:
    """v2 says NoSuchFootprint, v3 NotFound (the conformance suite checks each)."""
    return PactError(404, "NoSuchFootprint" if version == 2 else "NotFound", message)


def bad_request(message: str) -> PactError:
    return PactError(400, "BadRequest", message)


def unauthenticated(version: int, message: str) -> PactError:
    """A missing or invalid token: v2's default 400 BadRequest, v3's required 401."""
    return PactError(400 if version == 2 else 401, "BadRequest", message)


def token_expired() -> PactError:
    return PactError(401, "TokenExpired", "The access token has expired.")


def from_domain(version: int, exc: errors.BattraceError) -> PactError:
    from battrace.pact.filters import FilterNotImplemented  # noqa: PLC0415

    if isinstance(exc, FilterNotImplemented):
        return PactError(400, "NotImplemented", exc.message)
    if isinstance(exc, errors.NotFound):
        return not_found(version, exc.message)
    if isinstance(exc, errors.AccessDenied):
        return PactError(403, "AccessDenied", exc.message)
    if isinstance(exc, errors.InvalidRequest):
        return bad_request(exc.message)
    return PactError(500, "InternalError", "The host could not answer; try again later.")


def response(error: PactError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(
        {"code": error.code, "message": error.message}, status_code=error.status, headers=headers
    )


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    """An RFC 6749 section 5.2 error."""
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="pact"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )
