"""battrace's second-life endpoints (`/api/v1/reuse/…`). Same authentication (`apiKey` +
Bearer) and `{code, message, detail}` error shape as the other battrace APIs; everything is
scoped to the caller, and what it may not see is "not found".

- intakes: `POST /intakes` `{passportId, label, document}`, `POST /intakes/cycler`
  (multipart: `passportId`, `label`, `document` JSON, `cycler` CSV file), `GET /intakes`,
  `GET /intakes/{id}`, `POST /intakes/{id}/grants` `{operatorId}`
- assessments: `POST /intakes/{id}/assessments`, `GET /assessments[?intakeId]`,
  `GET /assessments/{id}`, `GET /assessments/{id}/verify`
- tables: `GET /tables`, `PUT /tables/{grading|prices}[?chemistry=]` (the table is the body)
- market: `GET /listings[?grade&chemistry&minCapacityKwh&minLifeYears&maxValue]`,
  `POST /listings` `{assessmentId, location, visibleTo}`, `GET /listings/{id}`,
  `POST /listings/{id}/withdraw`, `POST /listings/{id}/reservations` `{message}`,
  `GET /reservations`, `POST /reservations/{id}/release`,
  `POST /handovers` `{reservationIds, status, label, batteryIdentifier}` (one lister's packs;
  packs of several listers go through `/proposals`, `reuse_proposals_api`)
- in use: `GET /systems`, `POST /systems/{id}/health` `{efcSince, soh}`,
  `GET /systems/{id}/health`, `GET /notifications`
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector.callers import Caller
from battrace.connector.errors import json_response
from battrace.connector.reuse_json import (
    assessment_json,
    health_json,
    intake_json,
    listing_json,
    notification_json,
    reservation_json,
    system_json,
    table_json,
)
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State
from battrace.inputs.fields import json_object, list_field, text_field, uuid_field, uuid_param
from battrace.reuse import assessments, intakes, market, monitoring, rules
from battrace.reuse.cycler import read_cycler_csv
from battrace.state import AppState

router = APIRouter(
    prefix="/api/v1/reuse", tags=["second life (battrace)"], route_class=ContractRoute
)


def _number(value: object, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value)) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise errors.ValidationFailed(f"{name}: must be a number.") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise errors.ValidationFailed(f"{name}: must be a number.")
    return number


def _required_number(value: object, name: str) -> float:
    found = _number(value, name)
    if found is None:
        raise errors.ValidationFailed(f"{name}: is required.")
    return found


# ------------------------------------------------------------------------------- intakes


@router.post("/intakes")
def record_intake(caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = json_object(raw)
    passport_id = uuid_field(body.get("passportId"), "passportId")
    label = text_field(body.get("label"), "label") or ""
    with state.writing() as session:
        row = intakes.record_intake(
            session,
            caller=caller.operator_id,
            passport_id=passport_id,
            label=label,
            document=body.get("document") or {},
        )
        answer = intake_json(row)
    return json_response(answer, 201)


@router.post("/intakes/cycler")
async def record_cycler_intake(request: Request, caller: ApiCaller, state: State) -> Response:
    """An intake whose fade history and latest check come from a cycler CSV (streamed from
    the spooled upload, every row checked)."""
    async with request.form() as form:
        return await _cycler_intake(form, caller, state)


async def _cycler_intake(form: FormData, caller: Caller, state: AppState) -> Response:
    upload = form.get("cycler")
    if not isinstance(upload, UploadFile):
        raise errors.ValidationFailed("cycler: attach the cycler CSV file.")
    passport_id = uuid_field(form.get("passportId"), "passportId")
    try:
        document = json.loads(str(form.get("document") or "{}"))
    except ValueError:
        raise errors.ValidationFailed("document: must be JSON.") from None
    if not isinstance(document, dict):
        raise errors.ValidationFailed("document: must be a JSON object.")

    def work() -> dict[str, Any]:
        cycler = read_cycler_csv(upload.file)
        with state.writing() as session:
            row = intakes.record_intake(
                session,
                caller=caller.operator_id,
                passport_id=passport_id,
                label=str(form.get("label") or ""),
                document=document,
                cycler=cycler,
                source_name=upload.filename,
            )
            return intake_json(row)

    answer = await run_in_threadpool(work)
    return json_response(answer, 201)


@router.get("/intakes")
def list_intakes(request: Request, caller: ApiCaller, state: State) -> Response:
    passport_id = uuid_param(request.query_params, "passportId")
    with state.reading() as session:
        found = intakes.list_intakes(session, caller=caller.operator_id, passport_id=passport_id)
        answer = [intake_json(row, with_document=False) for row in found]
    return json_response(answer)


@router.get("/intakes/{intake_id}")
def get_intake(intake_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(intake_id, "intakeId")
    with state.reading() as session:
        answer = intake_json(
            intakes.visible_intake(session, caller=caller.operator_id, intake_id=wanted)
        )
    return json_response(answer)


@router.post("/intakes/{intake_id}/grants")
def grant_intake(intake_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    wanted = uuid_field(intake_id, "intakeId")
    grantee = uuid_field(json_object(raw).get("operatorId"), "operatorId")
    with state.writing() as session:
        intakes.grant_intake(session, caller=caller.operator_id, intake_id=wanted, grantee=grantee)
    return json_response({"intakeId": str(wanted), "operatorId": str(grantee)}, 201)


# --------------------------------------------------------------------------- assessments


@router.post("/intakes/{intake_id}/assessments")
def assess_intake(intake_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(intake_id, "intakeId")
    with state.writing() as session:
        row = assessments.assess_intake(session, caller=caller.operator_id, intake_id=wanted)
        answer = assessment_json(row)
    return json_response(answer, 201)


@router.get("/assessments")
def list_assessments(request: Request, caller: ApiCaller, state: State) -> Response:
    intake_id = uuid_param(request.query_params, "intakeId")
    with state.reading() as session:
        found = assessments.list_assessments(
            session, caller=caller.operator_id, intake_id=intake_id
        )
        answer = [assessment_json(row, full=False) for row in found]
    return json_response(answer)


@router.get("/assessments/{assessment_id}")
def get_assessment(assessment_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(assessment_id, "assessmentId")
    with state.reading() as session:
        answer = assessment_json(
            assessments.visible_assessment(session, caller=caller.operator_id, assessment_id=wanted)
        )
    return json_response(answer)


@router.get("/assessments/{assessment_id}/verify")
def verify_assessment(assessment_id: str, caller: ApiCaller, state: State) -> Response:
    """Recompute the assessment from its stored inputs and method version."""
    wanted = uuid_field(assessment_id, "assessmentId")
    with state.reading() as session:
        same = assessments.verify(session, caller=caller.operator_id, assessment_id=wanted)
    return json_response({"assessmentId": str(wanted), "reproduced": same})


# -------------------------------------------------------------------------------- tables


@router.get("/tables")
def list_tables(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [table_json(t) for t in rules.list_tables(session, caller=caller.operator_id)]
    return json_response(answer)


@router.put("/tables/{kind}")
def set_table(kind: str, request: Request, caller: ApiCaller, state: State, raw: Raw) -> Response:
    values = json_object(raw)
    chemistry = request.query_params.get("chemistry", rules.ALL)
    with state.writing() as session:
        row = rules.set_table(
            session, caller=caller.operator_id, kind=kind, values=values, chemistry=chemistry
        )
        answer = table_json(row)
    return json_response(answer, 201)


# -------------------------------------------------------------------------------- market


@router.get("/listings")
def search_listings(request: Request, caller: ApiCaller, state: State) -> Response:
    query = request.query_params
    with state.reading() as session:
        found = market.search_listings(
            session,
            caller=caller.operator_id,
            grades=[g for g in query.getlist("grade") if g],
            chemistry=query.get("chemistry"),
            min_capacity_kwh=_number(query.get("minCapacityKwh"), "minCapacityKwh"),
            min_life_years=_number(query.get("minLifeYears"), "minLifeYears"),
            max_value=_number(query.get("maxValue"), "maxValue"),
        )
        answer = [listing_json(row) for row in found]
    return json_response(answer)


@router.post("/listings")
def create_listing(caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = json_object(raw)
    assessment_id = uuid_field(body.get("assessmentId"), "assessmentId")
    visible_to = [
        uuid_field(v, f"visibleTo[{n}]")
        for n, v in enumerate(list_field(body.get("visibleTo"), "visibleTo"))
    ]
    with state.writing() as session:
        row = market.create_listing(
            session,
            caller=caller.operator_id,
            assessment_id=assessment_id,
            location=text_field(body.get("location"), "location") or "",
            visible_to=visible_to,
        )
        answer = listing_json(row)
    return json_response(answer, 201)


@router.get("/listings/{listing_id}")
def get_listing(listing_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(listing_id, "listingId")
    with state.reading() as session:
        answer = listing_json(
            market.visible_listing(session, caller=caller.operator_id, listing_id=wanted)
        )
    return json_response(answer)


@router.post("/listings/{listing_id}/withdraw")
def withdraw_listing(listing_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(listing_id, "listingId")
    with state.writing() as session:
        answer = listing_json(
            market.withdraw_listing(session, caller=caller.operator_id, listing_id=wanted)
        )
    return json_response(answer)


@router.post("/listings/{listing_id}/reservations")
def reserve(listing_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    wanted = uuid_field(listing_id, "listingId")
    message = text_field(json_object(raw).get("message"), "message")
    with state.writing() as session:
        answer = reservation_json(
            market.reserve(session, caller=caller.operator_id, listing_id=wanted, message=message)
        )
    return json_response(answer, 201)


@router.get("/reservations")
def list_reservations(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [
            reservation_json(r)
            for r in market.list_reservations(session, caller=caller.operator_id)
        ]
    return json_response(answer)


@router.post("/reservations/{reservation_id}/release")
def release(reservation_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(reservation_id, "reservationId")
    with state.writing() as session:
        answer = reservation_json(
            market.release(session, caller=caller.operator_id, reservation_id=wanted)
        )
    return json_response(answer)


@dataclass(frozen=True)
class SystemRequest:
    """A body asking for one system made of reserved batteries (a hand-over, a proposal)."""

    reservation_ids: list[uuid.UUID]
    status: str
    label: str
    battery_identifier: str | None


def system_request(raw: bytes) -> SystemRequest:
    body = json_object(raw)
    return SystemRequest(
        reservation_ids=[
            uuid_field(v, f"reservationIds[{n}]")
            for n, v in enumerate(list_field(body.get("reservationIds"), "reservationIds"))
        ],
        status=text_field(body.get("status"), "status") or "repurposed",
        label=text_field(body.get("label"), "label") or "",
        battery_identifier=text_field(body.get("batteryIdentifier"), "batteryIdentifier"),
    )


@router.post("/handovers")
def hand_over(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """The lister accepts held reservations: one successor passport, one system."""
    wanted = system_request(raw)
    with state.writing() as session:
        system = market.hand_over(
            session,
            caller=caller.operator_id,
            reservation_ids=wanted.reservation_ids,
            status=wanted.status,
            label=wanted.label,
            battery_identifier=wanted.battery_identifier,
        )
        answer = system_json(system)
    return json_response(answer, 201)


# -------------------------------------------------------------------------------- in use


@router.get("/systems")
def list_systems(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [
            system_json(s) for s in monitoring.list_systems(session, caller=caller.operator_id)
        ]
    return json_response(answer)


@router.post("/systems/{system_id}/health")
def record_health(system_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    wanted = uuid_field(system_id, "systemId")
    body = json_object(raw)
    with state.writing() as session:
        update = monitoring.record_health(
            session,
            caller=caller.operator_id,
            system_id=wanted,
            efc_since=_required_number(body.get("efcSince"), "efcSince"),
            soh=_required_number(body.get("soh"), "soh"),
        )
        answer = health_json(update)
    return json_response(answer, 201)


@router.get("/systems/{system_id}/health")
def health_updates(system_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(system_id, "systemId")
    with state.reading() as session:
        answer = [
            health_json(u)
            for u in monitoring.health_updates(session, caller=caller.operator_id, system_id=wanted)
        ]
    return json_response(answer)


@router.get("/notifications")
def list_notifications(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        answer = [
            notification_json(n)
            for n in monitoring.list_notifications(session, caller=caller.operator_id)
        ]
    return json_response(answer)
