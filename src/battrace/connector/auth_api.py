"""The user authentication system's endpoints (digest section 3).

`/auth/login`, `/auth/refresh`, `/auth/change`, `/api/v1/systemAuth/token|apiKey`,
`/api/v1/authInfo` (operator #1 #2 #17, plant #3 #4) and the health checks. Errors here carry
the `[auth]` source.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from battrace.connector.callers import check_api_key, client_address
from battrace.connector.errors import (
    ENDPOINT_NOT_FOUND,
    INVALID_CREDENTIALS,
    INVALID_TOKEN,
    NO_PRIVILEGES,
    ContractError,
    Source,
    json_response,
)
from battrace.connector.routing import (
    ApiCaller,
    ApiGrant,
    AuthRoute,
    DataTargetAuthRoute,
    Raw,
    State,
)
from battrace.connector.shapes import operator_json, plant_json
from battrace.diligence import reset as dd_reset
from battrace.errors import InvalidParameters, Problem
from battrace.footprint import factors
from battrace.identity import accounts, api_keys, operators, plants
from battrace.identity.accounts import LoginPolicy
from battrace.identity.api_keys import ApiKeyGrant
from battrace.identity.passwords import password_policy_error
from battrace.inputs import wire
from battrace.inputs.fields import unexpected, uuid_list_param
from battrace.inputs.identity_bodies import OPERATOR, PLANT, read_operator_update, read_plant
from battrace.state import login_throttle_keys, verify_access_token
from battrace.traceability import reset as reset_data

router = APIRouter(route_class=AuthRoute)
auth_info = APIRouter(route_class=DataTargetAuthRoute)

LOGIN = wire.struct(
    "authentication.LoginInputModel", operatorAccountId=wire.STRING, accountPassword=wire.STRING
)
REFRESH = wire.struct("authentication.RefreshInputModel", refreshToken=wire.STRING)
CHANGE = wire.struct("authentication.ChangePasswordModel", newPassword=wire.STRING)
ID_TOKEN = wire.struct("authentication.VerifyTokenParam", idToken=wire.STRING)
API_KEY_CHECK = wire.struct(
    "authentication.VerifyApiKeyParam", apiKey=wire.STRING, ipAddress=wire.STRING
)


def _object(raw: bytes, go_type: wire.GoType, *, system: bool = False) -> dict[str, Any]:
    try:
        value = wire.bind(wire.parse_json(raw), go_type)
    except wire.BindError as exc:
        if system:  # the system-to-system endpoints report bind errors as parameter errors
            raise InvalidParameters(exc.message) from exc
        raise
    return value if isinstance(value, dict) else {}


# ----------------------------------------------------------------------------- health


@router.get("/api/v1/authInfo/health")
@router.get("/api/v1/datatransport/health")
async def health() -> Response:
    return json_response({"isSystemHealthy": True})


# ------------------------------------------------------------------------------- /auth


TOO_MANY_FAILURES = "Too many failed logins, try again later"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post("/auth/login")
def login(request: Request, grant: ApiGrant, state: State, raw: Raw) -> Response:
    body = _object(raw, LOGIN)
    errors = wire.Errors()
    wire.collect(
        errors, "operatorAccountId", body.get("operatorAccountId"), wire.required, wire.is_email
    )
    wire.collect(errors, "accountPassword", body.get("accountPassword"), wire.required)
    if errors:
        raise wire.fail(errors)
    settings = state.settings
    policy = LoginPolicy(
        settings.login_max_failures,
        settings.login_lockout_seconds,
        settings.refresh_token_ttl_seconds,
    )
    email: str = body["operatorAccountId"]
    throttled = login_throttle_keys(client_address(request, settings), email)
    if not state.login_failures.allows(*throttled):
        raise ContractError(429, Source.AUTH, TOO_MANY_FAILURES)
    with state.writing() as session:
        tokens = accounts.login(
            session,
            email=body["operatorAccountId"],
            password=body["accountPassword"],
            signer=state.signer,
            policy=policy,
            may_serve=grant.allows_operator,
        )
    if tokens is None:
        state.login_failures.failed(*throttled)
        raise ContractError(401, Source.AUTH, INVALID_CREDENTIALS)
    return json_response(
        {"accessToken": tokens.access_token, "refreshToken": tokens.refresh_token},
        201,
        headers=NO_STORE,
    )


def _refresh_token(raw: bytes) -> str:
    body = _object(raw, REFRESH)
    errors = wire.Errors()
    wire.collect(errors, "refreshToken", body.get("refreshToken"), wire.required)
    if errors:
        raise wire.fail(errors)
    token: str = body["refreshToken"]
    return token


@router.post("/auth/refresh")
def refresh(grant: ApiGrant, state: State, raw: Raw) -> Response:
    token = _refresh_token(raw)
    with state.reading() as session:
        access = accounts.refresh_access_token(
            session, refresh_token=token, signer=state.signer, may_serve=grant.allows_operator
        )
    return json_response({"accessToken": access}, 201, headers=NO_STORE)


@router.post("/auth/logout")
def logout(grant: ApiGrant, state: State, raw: Raw) -> Response:
    """battrace extension: revoke a refresh token (the contract has no logout)."""
    token = _refresh_token(raw)
    with state.writing() as session:
        account_id = accounts.revoke_refresh_token(session, refresh_token=token)
    if account_id is not None:
        state.generations.forget(account_id)
    return json_response({}, 201)


@router.post("/auth/change")
def change_password(caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = _object(raw, CHANGE)
    new_password = body.get("newPassword")
    message = password_policy_error(new_password or "")
    if message is not None:
        raise wire.fail(f"newPassword: {message}.", [Problem("newPassword", message)])
    with state.writing() as session:
        accounts.change_password(
            session, account_id=caller.account_id, new_password=new_password or ""
        )
    state.generations.forget(caller.account_id)
    return json_response({}, 201)


def _reset_switch(request: Request, state: State) -> None:
    """`/dataReset` exists only where the settings allow it; elsewhere it is answered like
    any unknown endpoint (after the API key, as the reference does)."""
    if not state.settings.data_reset:
        check_api_key(request, state)
        raise ContractError(404, Source.DATASPACE, ENDPOINT_NOT_FOUND)


@router.put("/dataReset", dependencies=[Depends(_reset_switch)])
def data_reset(caller: ApiCaller, state: State) -> Response:
    """Undocumented in the contract, present in the reference (which resets every operator
    bound to the API key): here it deletes the plants, parts, CFP and trades of the calling
    operator only. An API key is often shared by several companies (the tutorial's is), so
    the key never widens what a reset may touch."""
    operator_ids = [caller.operator_id]
    with state.writing() as session:
        trade_ids = reset_data.trades_of(session, operator_ids)
        dd_reset.forget_operators(session, operator_ids=operator_ids, trade_ids=trade_ids)
        factors.forget_operators(session, operator_ids=operator_ids)
        reset_data.reset_operators(
            session, caller=caller.operator_id, operator_ids=operator_ids, store=state.file_store
        )
    return json_response(None)


# ------------------------------------------------------------------- system-to-system


def system_grant(grant: ApiGrant) -> ApiKeyGrant:
    """The dependency of the system-to-system routes: a system API key."""
    if not grant.is_system:
        raise ContractError(403, Source.AUTH, "Invalid key")
    return grant


SystemGrant = Annotated[ApiKeyGrant, Depends(system_grant)]


@router.post("/api/v1/systemAuth/token")
def verify_token(_grant: SystemGrant, state: State, raw: Raw) -> Response:
    body = _object(raw, ID_TOKEN, system=True)
    errors = wire.Errors()
    wire.collect(errors, "idToken", body.get("idToken"), wire.required)
    if errors:
        raise wire.fail(errors)
    claims = verify_access_token(state, body["idToken"])
    return json_response({"operatorId": str(claims.operator_id) if claims else None})


@router.post("/api/v1/systemAuth/apiKey")
def verify_api_key(_grant: SystemGrant, state: State, raw: Raw) -> Response:
    body = _object(raw, API_KEY_CHECK, system=True)
    errors = wire.Errors()
    wire.collect(errors, "apiKey", body.get("apiKey"), wire.required)
    wire.collect(errors, "ipAddress", body.get("ipAddress"), wire.required)
    if errors:
        raise wire.fail(errors)
    with state.reading() as session:
        grant = api_keys.find_grant(session, body["apiKey"])
    valid_ip = grant is not None and grant.allows_address(body["ipAddress"])
    return json_response({"isApiKeyValid": grant is not None, "isIpAddressValid": valid_ip})


# ------------------------------------------------------------------------ authInfo


@auth_info.get("/api/v1/authInfo")
def get_auth_info(request: Request, caller: ApiCaller, state: State) -> Response:
    params = request.query_params
    data_target = params.get("dataTarget", "")
    if data_target == "operator":
        open_id = params.get("openOperatorId")
        ids_given = "operatorIds" in params
        if open_id and ids_given:
            raise InvalidParameters("only one of operatorIds and openOperatorId can be set.")
        if ids_given:
            ids = uuid_list_param(params, "operatorIds", maximum=100, required=True) or []
            with state.reading() as session:
                rows = operators.list_operators(session, ids)
            return json_response([operator_json(row) for row in rows])
        if open_id and len(open_id) > 256:
            raise unexpected("openOperatorId")
        with state.reading() as session:
            row = (
                operators.find_by_open_id(session, open_id)
                if open_id
                else operators.get_operator(session, caller.operator_id)
            )
        return json_response(operator_json(row))
    if data_target == "plant":
        with state.reading() as session:
            plant_rows = plants.list_plants(session, caller=caller.operator_id)
        return json_response([plant_json(plant) for plant in plant_rows])
    raise unexpected("dataTarget")


@auth_info.put("/api/v1/authInfo")
def put_auth_info(request: Request, caller: ApiCaller, state: State, raw: Raw) -> Response:
    data_target = request.query_params.get("dataTarget", "")
    if data_target == "operator":
        change = read_operator_update(_object(raw, OPERATOR))
        with state.writing() as session:
            row = operators.update_operator(session, caller=caller.operator_id, change=change)
        return json_response(operator_json(row), 201)
    if data_target == "plant":
        plant = read_plant(_object(raw, PLANT))
        with state.writing() as session:
            saved = plants.save_plant(session, caller=caller.operator_id, plant=plant)
        return json_response(plant_json(saved), 201)
    raise unexpected("dataTarget")


__all__ = ["INVALID_TOKEN", "NO_PRIVILEGES", "auth_info", "router"]
