"""OAuth2 client credentials for PACT (RFC 6749 section 4.4): `/auth/token`, OpenID
discovery, and the bearer-token check every PACT action makes. Tokens are JWTs (HS256, the
server's secret) naming the client, so any worker verifies them without a lookup; the
client row is still read once per request, so a revoked credential stops at once."""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from urllib.parse import unquote

import jwt
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from battrace.interop.errors import PactError, oauth_error, token_expired, unauthenticated
from battrace.interop.state import base_url, interop_state
from battrace.pact import clients
from battrace.pact.models import PactClient

router = APIRouter(include_in_schema=False)
AUDIENCE = "pact"
ISSUER = "battrace-pact"
SCOPES = "footprint:list footprint:read"
HTTPS_ONLY = "PACT is served over HTTPS only."


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        return None
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@router.post("/auth/token")
async def token(request: Request) -> Response:
    if not is_https(request):
        return oauth_error(400, "invalid_request", HTTPS_ONLY)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return oauth_error(
            400, "invalid_request", "Send the request as application/x-www-form-urlencoded."
        )
    form = await request.form()
    grant = form.get("grant_type")
    credentials = _basic_credentials(request)
    if credentials is None and "client_id" in form:
        credentials = (str(form.get("client_id")), str(form.get("client_secret") or ""))
    if credentials is None:
        return oauth_error(
            401, "invalid_client", "Authenticate with HTTP Basic client credentials."
        )
    if grant is None:
        return oauth_error(400, "invalid_request", "grant_type is required.")
    if grant != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    state = interop_state(request)

    def check() -> PactClient | None:
        session = state.session(write=False)
        try:
            return clients.authenticate_client(
                session, client_id=credentials[0], secret=credentials[1]
            )
        finally:
            session.close()

    client = await run_in_threadpool(check)
    if client is None:
        return oauth_error(401, "invalid_client", "Unknown client or wrong secret.")
    now = int(time.time())
    access_token = jwt.encode(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(client.id),
            "op": str(client.operator_id),
            "iat": now,
            "exp": now + state.token_ttl_seconds,
            "scope": SCOPES,
        },
        state.token_secret,
        algorithm="HS256",
    )
    return JSONResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": state.token_ttl_seconds,
            "scope": SCOPES,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@router.get("/.well-known/openid-configuration")
async def discovery(request: Request) -> Response:
    if not is_https(request):
        return JSONResponse({"code": "BadRequest", "message": HTTPS_ONLY}, status_code=400)
    base = base_url(request)
    return JSONResponse(
        {
            "issuer": base,
            "token_endpoint": f"{base}/auth/token",
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "grant_types_supported": ["client_credentials"],
            "response_types_supported": ["token"],
            "scopes_supported": SCOPES.split(),
        }
    )


def bearer_client_ids(request: Request, version: int) -> tuple[uuid.UUID, uuid.UUID]:
    """The (client row, operator) a valid bearer token names; PactError otherwise."""
    state = interop_state(request)
    scheme, _, token_text = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_text.strip():
        raise unauthenticated(version, "A bearer access token is required.")
    try:
        claims = jwt.decode(
            token_text.strip(),
            state.token_secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
        return uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["op"]))
    except jwt.ExpiredSignatureError:
        raise token_expired() from None
    except (jwt.PyJWTError, KeyError, ValueError):
        raise unauthenticated(version, "The access token is not valid.") from None


def require_https(request: Request) -> None:
    if not is_https(request):
        raise PactError(400, "BadRequest", HTTPS_ONLY)
