"""battrace's due-diligence endpoints (`/api/v1/diligence/…`): templates and requests.

Same authentication (`apiKey` + Bearer) and the same `{code, message, detail}` error shape as
the contract API (source `dataspace`). Every call is scoped to the caller's operator: a
request, document or product the caller is not a party to is "not found".

- templates: `GET /templates`, `GET /templates/{id}`, `POST /templates`
- requests: `POST /requests`, `GET /requests[?direction=sent|received]`, `GET /requests/{id}`,
  `POST /requests/{id}/cancel`, `POST /requests/{id}/sendBack`, `PUT /requests/{id}/answer`,
  `PUT /requests/{id}/workbook` (a CMRT/EMRT file fills the draft), `POST /requests/{id}/submit`
- evidence, assurances, notifications and the report: `diligence_files_api`.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter
from starlette.responses import Response

from battrace import errors
from battrace.connector.diligence_json import request_detail, request_json, template_json
from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State, Upload
from battrace.diligence import answering, requesting, templates, workbook_answers, workbooks
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.inputs.diligence_bodies import answer_writes, facility_writes, signer_of
from battrace.inputs.fields import (
    date_field,
    json_object,
    text_field,
    text_list_field,
    uuid_field,
)

PREFIX = "/api/v1/diligence"
router = APIRouter(prefix=PREFIX, tags=["due diligence (battrace)"], route_class=ContractRoute)


# ----------------------------------------------------------------------------- templates


@router.get("/templates")
def list_templates(caller: ApiCaller, state: State) -> Response:
    """The built-in templates and the caller's own, every version."""
    with state.reading() as session:
        found = templates.list_templates(session, caller=caller.operator_id)
    return json_response([template_json(t) for t in found])


@router.get("/templates/{template_id}")
def get_template(template_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(template_id, "templateId")
    with state.reading() as session:
        found = templates.get_template(session, template_id=wanted, caller=caller.operator_id)
    return json_response(template_json(found))


@router.post("/templates")
def define_template(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Define (the next version of) one of the caller's templates:
    `{code, title: {ja, en}, questions: [...]}`."""
    body = json_object(raw)
    title = body.get("title") if isinstance(body.get("title"), Mapping) else {}
    assert isinstance(title, Mapping)  # noqa: S101 (narrowed above)
    with state.writing() as session:
        made = templates.define_template(
            session,
            caller=caller.operator_id,
            code=str(body.get("code") or ""),
            title_ja=str(title.get("ja") or ""),
            title_en=str(title.get("en") or ""),
            questions=body.get("questions"),
        )
    return json_response(template_json(made), 201)


# ------------------------------------------------------------------------------ requests


@router.post("/requests")
def send_request(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Ask the supplier of one of the caller's trades for DD answers:
    `{tradeId, templateId?, materials: [...], dueDate?, message?}` (default: built-in)."""
    body = json_object(raw)
    trade_id = uuid_field(body.get("tradeId"), "tradeId")
    template = body.get("templateId")
    template_id = (
        BUILTIN_TEMPLATE_ID if template in (None, "") else uuid_field(template, "templateId")
    )
    materials = text_list_field(body.get("materials"), "materials")
    due = date_field(body.get("dueDate"), "dueDate")
    message = text_field(body.get("message"), "message")
    with state.writing() as session:
        templates.ensure_builtin(session)
        made = requesting.send_request(
            session,
            caller=caller.operator_id,
            trade_id=trade_id,
            template_id=template_id,
            materials=materials,
            due_date=due,
            message=message,
        )
        answer = request_json(made)
    return json_response(answer, 201)


@router.get("/requests")
def list_requests(caller: ApiCaller, state: State, direction: str | None = None) -> Response:
    with state.reading() as session:
        found = requesting.list_requests(session, caller=caller.operator_id, direction=direction)
    return json_response([request_json(r) for r in found])


@router.get("/requests/{request_id}")
def get_request(request_id: str, caller: ApiCaller, state: State) -> Response:
    """One request with its responses (newest first; the supplier also sees its draft)."""
    wanted = uuid_field(request_id, "requestId")
    with state.reading() as session:
        detail = request_detail(session, caller.operator_id, wanted)
    return json_response(detail)


@router.post("/requests/{request_id}/cancel")
def cancel_request(request_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(request_id, "requestId")
    with state.writing() as session:
        done = request_json(
            requesting.cancel_request(session, caller=caller.operator_id, request_id=wanted)
        )
    return json_response(done)


@router.post("/requests/{request_id}/sendBack")
def send_back(request_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """The supplier declines: `{replyMessage}`."""
    wanted = uuid_field(request_id, "requestId")
    reply = text_field(json_object(raw).get("replyMessage"), "replyMessage")
    with state.writing() as session:
        done = request_json(
            requesting.send_back(
                session, caller=caller.operator_id, request_id=wanted, reply_message=reply
            )
        )
    return json_response(done)


@router.put("/requests/{request_id}/answer")
def save_answer(request_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """The supplier's draft: `{answers: [{code, material?, value, comment?, evidence: [ids]}],
    facilities: [{material, facilityId?, name, country?, scheme?, status?, validTo?}],
    signer: {name, title, email}, releaseUpstream}`; replaces the previous draft."""
    wanted = uuid_field(request_id, "requestId")
    body = json_object(raw)
    if not body.keys() & {"answers", "facilities", "signer", "releaseUpstream"}:
        # An empty (or misspelt) body would replace the whole draft with nothing.
        raise errors.ValidationFailed(
            "request body: must give answers, facilities, signer or releaseUpstream."
        )
    answers, facilities, signer = answer_writes(body), facility_writes(body), signer_of(body)
    release = body.get("releaseUpstream", False)
    if not isinstance(release, bool):
        raise errors.ValidationFailed("releaseUpstream: must be true or false.")
    with state.writing() as session:
        answering.save_draft(
            session,
            caller=caller.operator_id,
            request_id=wanted,
            answers=answers,
            facilities=facilities,
            signer=signer,
            release_upstream=release,
        )
        detail = request_detail(session, caller.operator_id, wanted)
    return json_response(detail)


@router.put("/requests/{request_id}/workbook")
def import_workbook(request_id: str, caller: ApiCaller, state: State, raw: Upload) -> Response:
    """Fill the supplier's draft from a CMRT or EMRT workbook (the file is the body): its
    smelter list becomes the facility list, its declaration the matching answers."""
    wanted = uuid_field(request_id, "requestId")
    parsed = workbooks.parse_workbook(raw)  # before the transaction: no lock while it parses
    with state.writing() as session:
        result = workbook_answers.fill_draft(
            session, caller=caller.operator_id, request_id=wanted, parsed=parsed
        )
        detail = {**request_detail(session, caller.operator_id, wanted), "workbook": result}
    return json_response(detail)


@router.post("/requests/{request_id}/submit")
def submit(request_id: str, caller: ApiCaller, state: State) -> Response:
    """Freeze the draft as the next immutable version."""
    wanted = uuid_field(request_id, "requestId")
    with state.writing() as session:
        answering.submit(session, caller=caller.operator_id, request_id=wanted)
        detail = request_detail(session, caller.operator_id, wanted)
    return json_response(detail, 201)


__all__ = ["router"]
