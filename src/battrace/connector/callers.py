"""Who is calling: the API-key and bearer-token checks every authenticated API route runs
(through `routing.ApiCaller` / `routing.ApiGrant`).

Authentication follows the reference pipeline in order: client address, `apiKey` header,
key lookup, address allow-list, `Authorization: Bearer`, token verification. API-key errors
are `[auth]` errors even on data endpoints, as in the reference.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from starlette.requests import Request

from battrace.connector.errors import (
    AUTHENTICATION_REQUIRED,
    INVALID_KEY,
    INVALID_TOKEN,
    IP_NOT_AUTHORIZED,
    NO_PRIVILEGES,
    ContractError,
    RequestContext,
    Source,
)
from battrace.identity.api_keys import ApiKeyGrant
from battrace.ids import OperatorId
from battrace.settings import Settings
from battrace.state import AppState, find_grant, peer_address, verify_access_token


@dataclass(frozen=True)
class Caller:
    """The verified operator behind a request."""

    operator_id: OperatorId
    account_id: uuid.UUID
    grant: ApiKeyGrant


def client_address(request: Request, settings: Settings) -> str | None:
    address = peer_address(request, settings.trusted_proxy_hops)
    if address is None and settings.trusted_proxy_hops > 0:
        raise ContractError(403, Source.AUTH, IP_NOT_AUTHORIZED)
    return address


def check_api_key(request: Request, state: AppState, *, header: str = "apikey") -> ApiKeyGrant:
    """The grant of the request's API key. Raises ContractError 403 as the reference does."""
    address = client_address(request, state.settings)
    key = request.headers.get(header)
    if not key:
        raise ContractError(403, Source.AUTH, NO_PRIVILEGES)
    grant = find_grant(state, key)
    if grant is None:
        raise ContractError(403, Source.AUTH, INVALID_KEY)
    if state.settings.ip_check and not grant.allows_address(address):
        raise ContractError(403, Source.AUTH, IP_NOT_AUTHORIZED)
    return grant


def bearer_token(request: Request) -> str:
    value = request.headers.get("authorization", "")
    if not value.startswith("Bearer ") or len(value) <= len("Bearer "):
        raise ContractError(401, Source.AUTH, AUTHENTICATION_REQUIRED)
    return value[len("Bearer ") :]


def authenticate(
    request: Request, state: AppState, context: RequestContext, *, header: str = "apikey"
) -> Caller:
    """API key, then bearer token. Sets the operator id that error details report."""
    grant = check_api_key(request, state, header=header)
    claims = verify_access_token(state, bearer_token(request))
    if claims is None:
        raise ContractError(401, Source.AUTH, INVALID_TOKEN)
    if not grant.allows_operator(claims.operator_id):
        raise ContractError(403, Source.AUTH, NO_PRIVILEGES)
    context.operator_id = str(claims.operator_id)
    request.state.operator_id = claims.operator_id  # for the request log (operations.access)
    return Caller(OperatorId(claims.operator_id), claims.account_id, grant)
