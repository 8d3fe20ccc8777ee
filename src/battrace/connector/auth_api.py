"""The user authentication system's endpoints (digest section 3).

`/auth/login`, `/auth/refresh`, `/auth/change`, `/api/v1/systemAuth/token|apiKey`,
`/api/v1/authInfo` (operator #1 #2 #17, plant #3 #4) and the health checks. Errors here carry
the `[auth]` source.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from battrace.connector import wire
from battrace.connector.errors import (
    ENDPOINT_NOT_FOUND,
    INVALID_CREDENTIALS,
    INVALID_TOKEN,
    NO_PRIVILEGES,
    ContractError,
    RequestContext,
    Source,
    json_response,
)
from battrace.connector.params import unexpected, uuid_list_param
from battrace.connector.runtime import answer, authenticate, check_api_key, state_of
from battrace.connector.shapes import operator_json, plant_json
from battrace.diligence import reset as dd_reset
from battrace.errors import InvalidParameters
from battrace.footprint import factors
from battrace.identity import accounts, operators, plants
from battrace.identity.accounts import LoginPolicy
from battrace.identity.passwords import password_policy_error
from battrace.traceability import reset as reset_data

router = APIRouter()

LOGIN = wire.struct(
    "authentication.LoginInputModel", operatorAccountId=wire.STRING, accountPassword=wire.STRING
)
REFRESH = wire.struct("authentication.RefreshInputModel", refreshToken=wire.STRING)
CHANGE = wire.struct("authentication.ChangePasswordModel", newPassword=wire.STRING)
ID_TOKEN = wire.struct("authentication.VerifyTokenParam", idToken=wire.STRING)
API_KEY_CHECK = wire.struct(
    "authentication.VerifyApiKeyParam", apiKey=wire.STRING, ipAddress=wire.STRING
)
OPERATOR = wire.struct(
    "traceability.PutOperatorInput",
    operatorId=wire.STRING,
    operatorName=wire.STRING,
    operatorAddress=wire.STRING,
    openOperatorId=wire.STRING,
    operatorAttribute=wire.struct(
        "traceability.OperatorAttributeInput", globalOperatorId=wire.STRING
    ),
)
PLANT = wire.struct(
    "traceability.PutPlantInput",
    plantId=wire.STRING,
    operatorId=wire.STRING,
    plantName=wire.STRING,
    plantAddress=wire.STRING,
    openPlantId=wire.STRING,
    plantAttribute=wire.struct("traceability.PlantAttributeInput", globalPlantId=wire.STRING),
)


def _object(raw: bytes, go_type: wire.GoType, *, system: bool = False) -> dict[str, Any]:
    try:
        value = wire.bind(wire.parse_json(raw), go_type)
    except wire.BindError as exc:
        if system:  # the system-to-system endpoints report bind errors as parameter errors
            raise InvalidParameters(exc.message) from exc
        raise
    return value if isinstance(value, dict) else {}


def _context(request: Request) -> RequestContext:
    return RequestContext(method=request.method)


# ----------------------------------------------------------------------------- health


@router.get("/api/v1/authInfo/health")
@router.get("/api/v1/datatransport/health")
async def health() -> Response:
    return json_response({"isSystemHealthy": True})


# ------------------------------------------------------------------------------- /auth


@router.post("/auth/login")
async def login(request: Request) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        grant = check_api_key(request, state)
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
        tokens = state.write(
            lambda session: accounts.login(
                session,
                email=body["operatorAccountId"],
                password=body["accountPassword"],
                signer=state.signer,
                policy=policy,
                may_serve=grant.allows_operator,
            )
        )
        if tokens is None:
            raise ContractError(401, Source.AUTH, INVALID_CREDENTIALS)
        return json_response(
            {"accessToken": tokens.access_token, "refreshToken": tokens.refresh_token}, 201
        )

    return await answer(request, _context(request), Source.AUTH, endpoint)


@router.post("/auth/refresh")
async def refresh(request: Request) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        grant = check_api_key(request, state)
        body = _object(raw, REFRESH)
        errors = wire.Errors()
        wire.collect(errors, "refreshToken", body.get("refreshToken"), wire.required)
        if errors:
            raise wire.fail(errors)
        access = state.read(
            lambda session: accounts.refresh_access_token(
                session,
                refresh_token=body["refreshToken"],
                signer=state.signer,
                may_serve=grant.allows_operator,
            )
        )
        return json_response({"accessToken": access}, 201)

    return await answer(request, _context(request), Source.AUTH, endpoint)


@router.post("/auth/logout")
async def logout(request: Request) -> Response:
    """battrace extension: revoke a refresh token (the contract has no logout)."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        check_api_key(request, state)
        body = _object(raw, REFRESH)
        errors = wire.Errors()
        wire.collect(errors, "refreshToken", body.get("refreshToken"), wire.required)
        if errors:
            raise wire.fail(errors)
        state.write(
            lambda session: accounts.revoke_refresh_token(
                session, refresh_token=body["refreshToken"]
            )
        )
        return json_response({}, 201)

    return await answer(request, _context(request), Source.AUTH, endpoint)


@router.post("/auth/change")
async def change_password(request: Request) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        body = _object(raw, CHANGE)
        new_password = body.get("newPassword")
        message = password_policy_error(new_password or "")
        if message is not None:
            raise wire.fail(f"newPassword: {message}.")
        state.write(
            lambda session: accounts.change_password(
                session, account_id=caller.account_id, new_password=new_password or ""
            )
        )
        return json_response({}, 201)

    return await answer(request, _context(request), Source.AUTH, endpoint)


@router.put("/dataReset")
async def data_reset(request: Request) -> Response:
    """Undocumented in the contract, present in the reference: delete the plants, parts, CFP
    and trades of every operator the API key is bound to. The caller must be one of them;
    a key bound to no operator resets nothing."""

    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        if not state.settings.data_reset:
            check_api_key(request, state)
            raise ContractError(404, Source.DATASPACE, ENDPOINT_NOT_FOUND)
        caller = authenticate(request, state, context)
        operator_ids = sorted(caller.grant.operators)
        if operator_ids and caller.operator_id not in operator_ids:
            raise ContractError(403, Source.AUTH, NO_PRIVILEGES)

        def reset(session: Session) -> None:
            trade_ids = reset_data.trades_of(session, operator_ids)
            dd_reset.forget_operators(session, operator_ids=operator_ids, trade_ids=trade_ids)
            factors.forget_operators(session, operator_ids=operator_ids)
            reset_data.reset_operators(
                session, caller=caller.operator_id, operator_ids=operator_ids
            )

        if operator_ids:
            state.write(reset)
        return json_response(None)

    return await answer(request, _context(request), Source.AUTH, endpoint)


# ------------------------------------------------------------------- system-to-system


def _require_system_key(request: Request) -> None:
    grant = check_api_key(request, state_of(request))
    if not grant.is_system:
        raise ContractError(403, Source.AUTH, "Invalid key")


@router.post("/api/v1/systemAuth/token")
async def verify_token(request: Request) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        _require_system_key(request)
        body = _object(raw, ID_TOKEN, system=True)
        errors = wire.Errors()
        wire.collect(errors, "idToken", body.get("idToken"), wire.required)
        if errors:
            raise wire.fail(errors)
        claims = state_of(request).signer.verify(body["idToken"])
        return json_response({"operatorId": str(claims.operator_id) if claims else None})

    return await answer(request, _context(request), Source.AUTH, endpoint)


@router.post("/api/v1/systemAuth/apiKey")
async def verify_api_key(request: Request) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        _require_system_key(request)
        body = _object(raw, API_KEY_CHECK, system=True)
        errors = wire.Errors()
        wire.collect(errors, "apiKey", body.get("apiKey"), wire.required)
        wire.collect(errors, "ipAddress", body.get("ipAddress"), wire.required)
        if errors:
            raise wire.fail(errors)
        state = state_of(request)
        from battrace.identity import api_keys  # noqa: PLC0415 (keeps the module list short)

        grant = state.read(lambda session: api_keys.find_grant(session, body["apiKey"]))
        valid_ip = grant is not None and grant.allows_address(body["ipAddress"])
        return json_response({"isApiKeyValid": grant is not None, "isIpAddressValid": valid_ip})

    return await answer(request, _context(request), Source.AUTH, endpoint)


# ------------------------------------------------------------------------ authInfo


def _data_target(request: Request) -> RequestContext:
    return RequestContext(
        method=request.method, data_target=request.query_params.get("dataTarget", "")
    )


@router.get("/api/v1/authInfo")
async def get_auth_info(request: Request) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        params = request.query_params
        if context.data_target == "operator":
            open_id = params.get("openOperatorId")
            ids_given = "operatorIds" in params
            if open_id and ids_given:
                raise InvalidParameters("only one of operatorIds and openOperatorId can be set.")
            if ids_given:
                ids = uuid_list_param(params, "operatorIds", maximum=100, required=True) or []
                rows = state.read(lambda s: operators.list_operators(s, ids))
                return json_response([operator_json(row) for row in rows])
            if open_id:
                if len(open_id) > 256:
                    raise unexpected("openOperatorId")
                row = state.read(lambda s: operators.find_by_open_id(s, open_id))
            else:
                row = state.read(lambda s: operators.get_operator(s, caller.operator_id))
            return json_response(operator_json(row))
        if context.data_target == "plant":
            plant_rows = state.read(lambda s: plants.list_plants(s, caller=caller.operator_id))
            return json_response([plant_json(plant) for plant in plant_rows])
        raise unexpected("dataTarget")

    return await answer(request, _data_target(request), Source.AUTH, endpoint)


@router.put("/api/v1/authInfo")
async def put_auth_info(request: Request) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        state = state_of(request)
        caller = authenticate(request, state, context)
        if context.data_target == "operator":
            change = _operator_update(_object(raw, OPERATOR))
            row = state.write(
                lambda s: operators.update_operator(s, caller=caller.operator_id, change=change)
            )
            return json_response(operator_json(row), 201)
        if context.data_target == "plant":
            plant = read_plant(_object(raw, PLANT))
            saved = state.write(
                lambda s: plants.save_plant(s, caller=caller.operator_id, plant=plant)
            )
            return json_response(plant_json(saved), 201)
        raise unexpected("dataTarget")

    return await answer(request, _data_target(request), Source.AUTH, endpoint)


def _attribute_errors(body: dict[str, Any], name: str, key: str, fields: wire.Errors) -> str:
    """Field errors first, then `<name>: (<key>: …)`, as the reference's AUTH JoinErrors."""
    attribute = body.get(name)
    messages = [fields.render()] if fields else []
    if isinstance(attribute, dict):
        nested = wire.Errors()
        wire.collect(nested, key, attribute.get(key), wire.rune_length(0, 256))
        if nested:
            messages.append(f"{name}: ({nested.render()})")
    if not messages:
        return ""
    if len(messages) == 1 and fields:
        return messages[0]
    return wire.join_errors(messages, always_period=True)


def _operator_update(body: dict[str, Any]) -> operators.OperatorUpdate:
    errors = wire.Errors()
    wire.collect(
        errors,
        "openOperatorId",
        body.get("openOperatorId"),
        wire.required,
        wire.rune_length(1, 20),
    )
    wire.collect(
        errors,
        "operatorAddress",
        body.get("operatorAddress"),
        wire.required,
        wire.rune_length(1, 256),
    )
    wire.collect(errors, "operatorAttribute", body.get("operatorAttribute"), _present)
    wire.collect(errors, "operatorId", body.get("operatorId"), wire.uuid_required)
    wire.collect(
        errors, "operatorName", body.get("operatorName"), wire.required, wire.rune_length(1, 256)
    )
    message = _attribute_errors(body, "operatorAttribute", "globalOperatorId", errors)
    if message:
        raise wire.fail(message)
    operator_id = wire.as_uuid(body["operatorId"])
    assert operator_id is not None  # noqa: S101 (validated above)
    return operators.OperatorUpdate(
        operator_id=operator_id,
        name=body["operatorName"],
        address=body["operatorAddress"],
        open_operator_id=body["openOperatorId"],
        global_operator_id=(body.get("operatorAttribute") or {}).get("globalOperatorId"),
    )


def _present(value: object) -> str | None:
    """An attribute object must be sent ({} is fine)."""
    return "cannot be blank" if value is None else None


def _open_plant_id(value: object) -> str | None:
    """openPlantId: at most 26 characters, present, and its last 6 bytes an integer (the
    reference uses Go's strconv.Atoi, so a sign is accepted)."""
    if value is not None and isinstance(value, str) and len(value) > 26:
        return "the length must be no more than 26"
    if value is None:
        return "is required"
    tail = str(value).encode()[-6:]
    digits = tail[1:] if tail[:1] in (b"+", b"-") else tail
    if len(str(value).encode()) < 6 or not digits or not digits.isdigit():
        return "the last 6 digits must always be numeric "
    return None


def read_plant(body: dict[str, Any]) -> plants.PlantWrite:
    """A plant body (#4) checked by the contract's rules; the web forms use it too."""
    errors = wire.Errors()
    wire.collect(errors, "openPlantId", body.get("openPlantId"), _open_plant_id)
    wire.collect(errors, "operatorId", body.get("operatorId"), wire.uuid_required)
    wire.collect(
        errors, "plantAddress", body.get("plantAddress"), wire.required, wire.rune_length(1, 256)
    )
    wire.collect(errors, "plantAttribute", body.get("plantAttribute"), _present)
    wire.collect(errors, "plantId", body.get("plantId"), wire.nil_or_uuid)
    wire.collect(
        errors, "plantName", body.get("plantName"), wire.required, wire.rune_length(1, 256)
    )
    message = _attribute_errors(body, "plantAttribute", "globalPlantId", errors)
    if message:
        raise wire.fail(message)
    operator_id = wire.as_uuid(body["operatorId"])
    assert operator_id is not None  # noqa: S101
    plant_id = wire.as_uuid(body.get("plantId"))
    return plants.PlantWrite(
        plant_id=None if plant_id is None or plant_id.int == 0 else plant_id,
        operator_id=operator_id,
        name=body["plantName"],
        address=body["plantAddress"],
        open_plant_id=body["openPlantId"],
        global_plant_id=(body.get("plantAttribute") or {}).get("globalPlantId"),
    )


__all__ = ["INVALID_TOKEN", "NO_PRIVILEGES", "router"]
