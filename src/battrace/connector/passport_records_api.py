"""battrace's passport endpoints for one passport's life (`/api/v1/passports…`): reading it
as the caller's role sees it, its data, history, completeness and QR code, dynamic data,
lifecycle steps and legitimate-interest grants. Same authentication and error shape as
`passport_api`; its fixed paths come before `/{passportId}`.

- `GET|POST /grants` (`?received=true`: grants given to the caller), `POST /grants/{id}/revoke`
- `POST /readings` (a JSON list, `{readings: [...]}`, or `text/csv`)
- `POST /successors` `{predecessorIds, status, newOperatorId?, category?, modelId?, battery?,
  data?, reason?}`
- `GET /completeness` (dashboard of the caller's passports)
- `GET /{id}`, `PUT /{id}/data`, `GET /{id}/history`, `GET /{id}/completeness`,
  `GET /{id}/qr?format=svg|png`, `GET /{id}/readings?metric=&since=&limit=`,
  `POST /{id}/waste` `{newOperatorId, reason?}`, `POST /{id}/recycled` `{reason?}`
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector import passport_json as answers
from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State
from battrace.inputs import passport_bodies as bodies
from battrace.passport import checks, grants, issuing, lifecycle, lookup, qr, readings
from battrace.passport.access import reader_for
from battrace.passport.models import BatteryCategory, BatteryStatus
from battrace.store.base import tidy_decimal

router = APIRouter(
    prefix="/api/v1/passports", tags=["battery passport (battrace)"], route_class=ContractRoute
)


# --------------------------------------------------------------------------------- grants


@router.get("/grants")
def list_grants(request: Request, caller: ApiCaller, state: State) -> Response:
    received = request.query_params.get("received") == "true"
    found = state.read(
        lambda s: grants.list_grants(s, caller=caller.operator_id, received=received)
    )
    return json_response([answers.grant_json(each) for each in found])


@router.post("/grants")
def grant(request: Request, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{granteeOperatorId, interest, passportId | modelId, validFrom?, validUntil?,
    mayReport?}`"""
    wanted = bodies.grant_request_of(bodies.body(raw))
    made = state.write(lambda s: grants.grant_access(s, caller=caller.operator_id, request=wanted))
    return json_response(answers.grant_json(made), 201)


@router.post("/grants/{grant_id}/revoke")
def revoke(grant_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = bodies.uuid_of(grant_id, "grantId")
    revoked = state.write(
        lambda s: grants.revoke_grant(s, caller=caller.operator_id, grant_id=wanted)
    )
    return json_response(answers.grant_json(revoked))


# --------------------------------------------------------------------------- dynamic data


@router.post("/readings")
def post_readings(request: Request, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """A batch of readings for many batteries, each `{passportId, metric, measuredAt, value,
    note?, source?, method?}`; CSV with those columns when sent as `text/csv`."""
    if request.headers.get("content-type", "").startswith("text/csv"):
        try:
            parsed = readings.parse_csv(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise errors.ValidationFailed("csv: must be UTF-8.") from None
    else:
        parsed = readings.parse_json(bodies.json_list(raw))
    stored = state.write(
        lambda s: readings.record_readings(s, caller=caller.operator_id, readings=parsed)
    )
    return json_response(answers.ingest_json(stored), 201)


# ------------------------------------------------------------------------------ lifecycle


@router.post("/successors")
def create_successor(caller: ApiCaller, state: State, raw: Raw) -> Response:
    values = bodies.body(raw)
    predecessors = bodies.uuid_list(values.get("predecessorIds"), "predecessorIds")
    status = bodies.member(BatteryStatus, values.get("status"), "status")
    assert status is not None  # noqa: S101 (required)
    category = bodies.member(BatteryCategory, values.get("category"), "category", required=False)
    battery = bodies.battery_of(values["battery"], "battery") if values.get("battery") else None
    made = state.write(
        lambda s: lifecycle.create_successor(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            predecessor_ids=predecessors,
            status=status,
            new_operator_id=bodies.optional_uuid(values.get("newOperatorId"), "newOperatorId"),
            category=category,
            model_id=bodies.optional_uuid(values.get("modelId"), "modelId"),
            battery=battery,
            data=values.get("data"),
            reason=bodies.text(values.get("reason"), "reason"),
            publish=values.get("publish") is not False,
        )
    )
    return json_response(answers.passport_summary(made), 201)


@router.get("/completeness")
def dashboard(caller: ApiCaller, state: State) -> Response:
    found = state.read(lambda s: checks.operator_dashboard(s, caller=caller.operator_id))
    return json_response(found)


# ------------------------------------------------------------------------- one passport


@router.get("/{passport_id}")
def get_passport(passport_id: str, caller: ApiCaller, state: State) -> Response:
    """The passport as the caller's role sees it (responsible operator, authority, a person
    with a legitimate interest, or the public)."""
    wanted = bodies.uuid_of(passport_id, "passportId")
    found = state.read(
        lambda s: lookup.view_for_login(
            s,
            operator_id=caller.operator_id,
            account_id=caller.account_id,
            passport_id=wanted,
            policy=answers.policy_of(state),
        )
    )
    return json_response(found.to_dict())


@router.put("/{passport_id}/data")
def put_data(passport_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{data: {section: {key: value|null}}, reason?}`: item-level attributes."""
    wanted = bodies.uuid_of(passport_id, "passportId")
    values = bodies.body(raw)
    data = bodies.data_of(values)
    changed = state.write(
        lambda s: issuing.update_passport(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            passport_id=wanted,
            data=data,
            reason=bodies.text(values.get("reason"), "reason"),
        )
    )
    return json_response(answers.passport_summary(changed))


@router.get("/{passport_id}/history")
def get_history(passport_id: str, caller: ApiCaller, state: State) -> Response:
    """The versions the caller's role may read (hidden changes as digests only): a hash
    chain anyone can check with `battrace passport check`."""
    wanted = bodies.uuid_of(passport_id, "passportId")

    def read(session: Session) -> list[dict[str, object]]:
        reader = reader_for(session, operator_id=caller.operator_id, account_id=caller.account_id)
        found = lookup.passport_history(
            session, reader=reader, passport_id=wanted, policy=answers.policy_of(state)
        )
        return [each.to_dict() for each in found]

    return json_response({"passportId": str(wanted), "versions": state.read(read)})


@router.get("/{passport_id}/completeness")
def get_completeness(passport_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = bodies.uuid_of(passport_id, "passportId")
    found = state.read(
        lambda s: checks.passport_completeness(s, caller=caller.operator_id, passport_id=wanted)
    )
    return json_response(found.to_json())


@router.get("/{passport_id}/qr")
def get_qr(request: Request, passport_id: str, caller: ApiCaller, state: State) -> Response:
    """The QR code of the passport's public address, `format=svg` (default) or `png`."""
    wanted = bodies.uuid_of(passport_id, "passportId")
    kind = request.query_params.get("format", "svg")
    if kind not in ("svg", "png"):
        raise errors.InvalidParameters("format: svg or png.")
    found = state.read(
        lambda s: lookup.view_for_login(
            s,
            operator_id=caller.operator_id,
            account_id=caller.account_id,
            passport_id=wanted,
            policy=answers.policy_of(state),
        )
    )
    target = qr.address(
        answers.public_base(request, state),
        passport_id=found.passport_id,
        gtin=found.gtin,
        serial=found.serial,
    )
    if kind == "png":
        return Response(qr.png(target), media_type="image/png")
    return Response(qr.svg(target, title=found.battery_identifier), media_type="image/svg+xml")


@router.get("/{passport_id}/readings")
def get_readings(request: Request, passport_id: str, caller: ApiCaller, state: State) -> Response:
    """One metric's series (`metric`, `since?`, `limit?`), if the caller's role reads
    dynamic data."""
    wanted = bodies.uuid_of(passport_id, "passportId")
    metric = request.query_params.get("metric", "")
    if metric not in readings.METRICS:
        raise errors.InvalidParameters(f"metric: one of {', '.join(readings.METRICS)}.")
    since = bodies.moment(request.query_params.get("since"), "since")

    def read(session: Session) -> list[dict[str, str]]:
        reader = reader_for(session, operator_id=caller.operator_id, account_id=caller.account_id)
        series = lookup.reading_series(
            session,
            reader=reader,
            passport_id=wanted,
            metric=metric,
            since=since,
            policy=answers.policy_of(state),
        )
        return [
            {"measuredAt": at.isoformat(), "value": str(tidy_decimal(value))}
            for at, value in series
        ]

    return json_response(
        {"passportId": str(wanted), "metric": metric, "readings": state.read(read)}
    )


@router.post("/{passport_id}/waste")
def mark_waste(passport_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    wanted = bodies.uuid_of(passport_id, "passportId")
    values = bodies.body(raw)
    new_operator = bodies.uuid_of(values.get("newOperatorId"), "newOperatorId")
    changed = state.write(
        lambda s: lifecycle.mark_waste(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            passport_id=wanted,
            new_operator_id=new_operator,
            reason=bodies.text(values.get("reason"), "reason"),
        )
    )
    return json_response(answers.passport_summary(changed))


@router.post("/{passport_id}/recycled")
def mark_recycled(passport_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    wanted = bodies.uuid_of(passport_id, "passportId")
    values = bodies.body(raw)
    changed = state.write(
        lambda s: lifecycle.end_by_recycling(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            passport_id=wanted,
            reason=bodies.text(values.get("reason"), "reason"),
        )
    )
    return json_response(answers.passport_summary(changed))
