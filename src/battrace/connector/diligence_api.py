"""battrace's due-diligence endpoints (`/api/v1/diligence/…`).

Same authentication (`apiKey` + Bearer) and the same `{code, message, detail}` error shape as
the contract API (source `dataspace`). Every call is scoped to the caller's operator: a
request, document or product the caller is not a party to is "not found".

- templates: `GET /templates`, `GET /templates/{id}`, `POST /templates`
- requests: `POST /requests`, `GET /requests[?direction=sent|received]`, `GET /requests/{id}`,
  `POST /requests/{id}/cancel`, `POST /requests/{id}/sendBack`, `PUT /requests/{id}/answer`,
  `PUT /requests/{id}/workbook` (a CMRT/EMRT file fills the draft), `POST /requests/{id}/submit`
- evidence: `POST /evidence?…` (the file is the body), `GET /evidence`, `GET /evidence/{id}`,
  `GET /evidence/{id}/content`
- `PUT /assurances` (a CSV/xlsx facility assurance list), `GET /notifications`,
  `GET /report?traceId=…[&format=json|html]`
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector import wire
from battrace.connector.errors import RequestContext, Source, json_response
from battrace.connector.params import uuid_param
from battrace.connector.runtime import Caller, answer, authenticate, state_of
from battrace.diligence import (
    answering,
    evidence,
    report,
    requesting,
    rollup,
    templates,
    workbook_answers,
    workbooks,
)
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.diligence.facilities import FacilityWrite, facilities_of, import_assurances
from battrace.diligence.models import DdEvidence, DdFacility, DdRequest, DdResponse
from battrace.diligence.templates import Template
from battrace.ids import OperatorId
from battrace.store.base import utcnow
from battrace.traceability import notifications

router = APIRouter(prefix="/api/v1/diligence", tags=["due diligence (battrace)"])

Work = Callable[[Request, Caller, bytes], Response]


async def _serve(request: Request, work: Work) -> Response:
    def endpoint(request: Request, context: RequestContext, raw: bytes) -> Response:
        caller = authenticate(request, state_of(request), context)
        return work(request, caller, raw)

    return await answer(request, RequestContext(method=request.method), Source.DATASPACE, endpoint)


def _body(raw: bytes) -> Mapping[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise errors.ValidationFailed("request body: must be JSON.") from None
    if not isinstance(body, Mapping):
        raise errors.ValidationFailed("request body: must be a JSON object.")
    wire.reject_nul(body)
    return body


def _uuid(value: object, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise errors.ValidationFailed(f"{name}: must be a UUID.") from None


def _date(value: object, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise errors.ValidationFailed(f"{name}: must be a date YYYY-MM-DD.") from None


def _text(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise errors.ValidationFailed(f"{name}: must be text.")


def _list(value: object, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.ValidationFailed(f"{name}: must be a list.")
    return value


# ----------------------------------------------------------------------------- templates


def template_json(template: Template) -> dict[str, Any]:
    return {
        "templateId": str(template.id),
        "code": template.code,
        "version": template.version,
        "builtIn": template.owner_operator_id is None,
        "title": {"ja": template.title_ja, "en": template.title_en},
        "questions": [q.to_dict() for q in template.questions],
    }


@router.get("/templates")
async def list_templates(request: Request) -> Response:
    """The built-in templates and the caller's own, every version."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        found = state_of(request).read(
            lambda s: templates.list_templates(s, caller=caller.operator_id)
        )
        return json_response([template_json(t) for t in found])

    return await _serve(request, work)


@router.get("/templates/{template_id}")
async def get_template(request: Request, template_id: str) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(template_id, "templateId")
        found = state_of(request).read(
            lambda s: templates.get_template(s, template_id=wanted, caller=caller.operator_id)
        )
        return json_response(template_json(found))

    return await _serve(request, work)


@router.post("/templates")
async def define_template(request: Request) -> Response:
    """Define (the next version of) one of the caller's templates:
    `{code, title: {ja, en}, questions: [...]}`."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        body = _body(raw)
        title = body.get("title") if isinstance(body.get("title"), Mapping) else {}
        assert isinstance(title, Mapping)  # noqa: S101 (narrowed above)
        made = state_of(request).write(
            lambda s: templates.define_template(
                s,
                caller=caller.operator_id,
                code=str(body.get("code") or ""),
                title_ja=str(title.get("ja") or ""),
                title_en=str(title.get("en") or ""),
                questions=body.get("questions"),
            )
        )
        return json_response(template_json(made), 201)

    return await _serve(request, work)


# ------------------------------------------------------------------------------ requests


def _request_json(request: DdRequest) -> dict[str, Any]:
    return {
        "requestId": str(request.id),
        "tradeId": str(request.trade_id),
        "downstreamOperatorId": str(request.downstream_operator_id),
        "upstreamOperatorId": str(request.upstream_operator_id),
        "templateId": str(request.template_id),
        "materials": list(request.materials),
        "status": request.status.value,
        "dueDate": request.due_date.isoformat() if request.due_date else None,
        "overdue": bool(
            request.due_date
            and request.due_date < utcnow().date()
            and request.status in requesting.OPEN
        ),
        "message": request.message,
        "replyMessage": request.reply_message,
        "createdAt": request.created_at.isoformat(),
        "updatedAt": request.updated_at.isoformat(),
    }


def _response_json(
    response: DdResponse,
    facilities: list[DdFacility],
    documents: Mapping[uuid.UUID, DdEvidence],
) -> dict[str, Any]:
    return {
        "responseId": str(response.id),
        "version": response.version,
        "supersedes": str(response.supersedes_id) if response.supersedes_id else None,
        "submittedAt": response.submitted_at.isoformat() if response.submitted_at else None,
        "signer": {
            "name": response.signer_name,
            "title": response.signer_title,
            "email": response.signer_email,
        },
        "releaseUpstream": response.release_upstream,
        "sourceWorkbook": response.source_workbook,
        "answers": [
            {
                **{k: v for k, v in a.items() if k != "evidence"},
                "evidence": [
                    _evidence_json(documents[uuid.UUID(e)])
                    for e in a.get("evidence", [])
                    if uuid.UUID(e) in documents
                ],
            }
            for a in response.answers
        ],
        "facilities": [
            {
                "material": f.material,
                "facilityId": f.facility_id,
                "name": f.name,
                "country": f.country,
                "scheme": f.scheme.value if f.scheme else None,
                "status": f.status.value,
                "validTo": f.valid_to.isoformat() if f.valid_to else None,
            }
            for f in facilities
        ],
    }


def _evidence_json(row: DdEvidence) -> dict[str, Any]:
    return {
        "evidenceId": str(row.id),
        "documentType": row.document_type,
        "title": row.title,
        "fileName": row.file_name,
        "contentType": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "confidentiality": row.confidentiality.value,
        "issuer": row.issuer,
        "thirdParty": row.third_party,
        "validFrom": row.valid_from.isoformat() if row.valid_from else None,
        "validTo": row.valid_to.isoformat() if row.valid_to else None,
    }


def _request_detail(session: Session, caller: OperatorId, request_id: uuid.UUID) -> dict[str, Any]:
    request = requesting.visible_request(session, caller=caller, request_id=request_id)
    found = answering.versions(session, caller=caller, request_id=request_id)
    cited = {uuid.UUID(e) for r in found for a in r.answers for e in a.get("evidence", [])}
    documents = evidence.documents(session, cited)
    facilities = facilities_of(session, [r.id for r in found])
    return {
        **_request_json(request),
        "responses": [_response_json(r, facilities[r.id], documents) for r in found],
    }


@router.post("/requests")
async def send_request(request: Request) -> Response:
    """Ask the supplier of one of the caller's trades for DD answers:
    `{tradeId, templateId?, materials: [...], dueDate?, message?}` (default: built-in)."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        body = _body(raw)
        trade_id = _uuid(body.get("tradeId"), "tradeId")
        template_id = (
            _uuid(body["templateId"], "templateId")
            if body.get("templateId")
            else BUILTIN_TEMPLATE_ID
        )
        materials = [str(m) for m in _list(body.get("materials"), "materials")]
        due = _date(body.get("dueDate"), "dueDate")
        message = _text(body.get("message"), "message")

        def send(session: Session) -> dict[str, Any]:
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
            return _request_json(made)

        return json_response(state_of(request).write(send), 201)

    return await _serve(request, work)


@router.get("/requests")
async def list_requests(request: Request) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        direction = request.query_params.get("direction")
        found = state_of(request).read(
            lambda s: requesting.list_requests(s, caller=caller.operator_id, direction=direction)
        )
        return json_response([_request_json(r) for r in found])

    return await _serve(request, work)


@router.get("/requests/{request_id}")
async def get_request(request: Request, request_id: str) -> Response:
    """One request with its responses (newest first; the supplier also sees its draft)."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(request_id, "requestId")
        detail = state_of(request).read(lambda s: _request_detail(s, caller.operator_id, wanted))
        return json_response(detail)

    return await _serve(request, work)


@router.post("/requests/{request_id}/cancel")
async def cancel_request(request: Request, request_id: str) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(request_id, "requestId")
        done = state_of(request).write(
            lambda s: _request_json(
                requesting.cancel_request(s, caller=caller.operator_id, request_id=wanted)
            )
        )
        return json_response(done)

    return await _serve(request, work)


@router.post("/requests/{request_id}/sendBack")
async def send_back(request: Request, request_id: str) -> Response:
    """The supplier declines: `{replyMessage}`."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(request_id, "requestId")
        reply = _text(_body(raw).get("replyMessage"), "replyMessage")
        done = state_of(request).write(
            lambda s: _request_json(
                requesting.send_back(
                    s, caller=caller.operator_id, request_id=wanted, reply_message=reply
                )
            )
        )
        return json_response(done)

    return await _serve(request, work)


def answer_writes(body: Mapping[str, Any]) -> list[answering.AnswerWrite]:
    writes = []
    for i, item in enumerate(_list(body.get("answers"), "answers")):
        if not isinstance(item, Mapping):
            raise errors.ValidationFailed(f"answers[{i}]: must be an object.")
        writes.append(
            answering.AnswerWrite(
                code=str(item.get("code") or ""),
                material=_text(item.get("material"), f"answers[{i}].material"),
                value=item.get("value"),
                comment=_text(item.get("comment"), f"answers[{i}].comment"),
                evidence=tuple(
                    _uuid(e, f"answers[{i}].evidence")
                    for e in _list(item.get("evidence"), f"answers[{i}].evidence")
                ),
            )
        )
    return writes


def facility_writes(body: Mapping[str, Any]) -> list[FacilityWrite]:
    writes = []
    for i, item in enumerate(_list(body.get("facilities"), "facilities")):
        if not isinstance(item, Mapping):
            raise errors.ValidationFailed(f"facilities[{i}]: must be an object.")
        writes.append(
            FacilityWrite(
                material=str(item.get("material") or ""),
                facility_id=_text(item.get("facilityId"), f"facilities[{i}].facilityId"),
                name=str(item.get("name") or ""),
                country=_text(item.get("country"), f"facilities[{i}].country"),
                scheme=_text(item.get("scheme"), f"facilities[{i}].scheme"),
                status=_text(item.get("status"), f"facilities[{i}].status"),
                valid_to=_date(item.get("validTo"), f"facilities[{i}].validTo"),
            )
        )
    return writes


def signer_of(body: Mapping[str, Any]) -> answering.Signer:
    signer = body.get("signer") or {}
    if not isinstance(signer, Mapping):
        raise errors.ValidationFailed("signer: must be an object.")
    return answering.Signer(
        name=_text(signer.get("name"), "signer.name"),
        title=_text(signer.get("title"), "signer.title"),
        email=_text(signer.get("email"), "signer.email"),
    )


@router.put("/requests/{request_id}/answer")
async def save_answer(request: Request, request_id: str) -> Response:
    """The supplier's draft: `{answers: [{code, material?, value, comment?, evidence: [ids]}],
    facilities: [{material, facilityId?, name, country?, scheme?, status?, validTo?}],
    signer: {name, title, email}, releaseUpstream}`; replaces the previous draft."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(request_id, "requestId")
        body = _body(raw)
        answers, facilities, signer = answer_writes(body), facility_writes(body), signer_of(body)
        release = body.get("releaseUpstream", False)
        if not isinstance(release, bool):
            raise errors.ValidationFailed("releaseUpstream: must be true or false.")

        def save(session: Session) -> dict[str, Any]:
            answering.save_draft(
                session,
                caller=caller.operator_id,
                request_id=wanted,
                answers=answers,
                facilities=facilities,
                signer=signer,
                release_upstream=release,
            )
            return _request_detail(session, caller.operator_id, wanted)

        return json_response(state_of(request).write(save))

    return await _serve(request, work)


@router.put("/requests/{request_id}/workbook")
async def import_workbook(request: Request, request_id: str) -> Response:
    """Fill the supplier's draft from a CMRT or EMRT workbook (the file is the body): its
    smelter list becomes the facility list, its declaration the matching answers."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(request_id, "requestId")

        def fill(session: Session) -> dict[str, Any]:
            result = workbook_answers.fill_draft(
                session, caller=caller.operator_id, request_id=wanted, content=raw
            )
            return {
                **_request_detail(session, caller.operator_id, wanted),
                "workbook": result,
            }

        return json_response(state_of(request).write(fill))

    return await _serve(request, work)


@router.post("/requests/{request_id}/submit")
async def submit(request: Request, request_id: str) -> Response:
    """Freeze the draft as the next immutable version."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(request_id, "requestId")

        def done(session: Session) -> dict[str, Any]:
            answering.submit(session, caller=caller.operator_id, request_id=wanted)
            return _request_detail(session, caller.operator_id, wanted)

        return json_response(state_of(request).write(done), 201)

    return await _serve(request, work)


# ------------------------------------------------------------------------------ evidence


@router.post("/evidence")
async def upload_evidence(request: Request) -> Response:
    """Store a document: the body is the file, its `Content-Type` the file's type; query
    `documentType, title, fileName, confidentiality[, issuer, thirdParty, validFrom, validTo]`."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        query = request.query_params
        write = evidence.EvidenceWrite(
            document_type=query.get("documentType", ""),
            title=query.get("title", ""),
            file_name=query.get("fileName", ""),
            content_type=request.headers.get("content-type", "").split(";")[0].strip(),
            confidentiality=query.get("confidentiality", ""),
            issuer=query.get("issuer"),
            third_party=query.get("thirdParty", "false").lower() == "true",
            valid_from=_date(query.get("validFrom"), "validFrom"),
            valid_to=_date(query.get("validTo"), "validTo"),
        )
        row = state_of(request).write(
            lambda s: _evidence_json(
                evidence.store_evidence(s, caller=caller.operator_id, write=write, content=raw)
            )
        )
        return json_response(row, 201)

    return await _serve(request, work)


@router.get("/evidence")
async def list_evidence(request: Request) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        rows = state_of(request).read(
            lambda s: [_evidence_json(r) for r in evidence.list_own(s, caller=caller.operator_id)]
        )
        return json_response(rows)

    return await _serve(request, work)


@router.get("/evidence/{evidence_id}")
async def get_evidence(request: Request, evidence_id: str) -> Response:
    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(evidence_id, "evidenceId")
        row = state_of(request).read(
            lambda s: _evidence_json(
                evidence.visible_evidence(s, caller=caller.operator_id, evidence_id=wanted)
            )
        )
        return json_response(row)

    return await _serve(request, work)


@router.get("/evidence/{evidence_id}/content")
async def get_evidence_content(request: Request, evidence_id: str) -> Response:
    """The file, for its owner, or for a customer it was cited to unless it is hash-only."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        wanted = _uuid(evidence_id, "evidenceId")
        row = state_of(request).read(
            lambda s: evidence.read_content(s, caller=caller.operator_id, evidence_id=wanted)
        )
        return Response(
            row.content,
            media_type=row.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(row.file_name)}",
                "X-Content-SHA256": row.sha256,
            },
        )

    return await _serve(request, work)


def _quoted(name: str) -> str:
    from urllib.parse import quote  # noqa: PLC0415

    return quote(name, safe="")


# --------------------------------------------------------------- assurances, notifications


@router.put("/assurances")
async def put_assurances(request: Request) -> Response:
    """Replace the caller's facility assurance list (CSV or xlsx body with columns
    `CID, scheme, status, valid_to`); facilities answered later take their status from it."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        entries = workbooks.parse_assurance_list(raw)
        count = state_of(request).write(
            lambda s: import_assurances(s, caller=caller.operator_id, entries=entries)
        )
        return json_response({"imported": count})

    return await _serve(request, work)


@router.get("/notifications")
async def list_dd_notifications(request: Request) -> Response:
    """The caller's DD notifications, newest first (CFP ones stay at `/notifications`)."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        rows, _ = state_of(request).read(
            lambda s: notifications.list_notifications(
                s,
                caller=caller.operator_id,
                notified_from=None,
                notified_to=None,
                after=None,
                limit=100,
                request_type="DD",
            )
        )
        return json_response(
            [
                {
                    "notificationId": str(r.id),
                    "notificationType": r.notification_type.value,
                    "requestId": str(r.status_id),
                    "tradeId": str(r.trade_id),
                    "notifiedFromOperatorId": str(r.notified_from_operator_id),
                    "notifiedAt": r.notified_at.isoformat(),
                }
                for r in rows
            ]
        )

    return await _serve(request, work)


# -------------------------------------------------------------------------------- report


@router.get("/report")
async def get_report(request: Request) -> Response:
    """A product's DD report across its supply chain, as JSON or a self-contained HTML page."""

    def work(request: Request, caller: Caller, raw: bytes) -> Response:
        trace_id = uuid_param(request.query_params, "traceId", required=True)
        assert trace_id is not None  # noqa: S101 (required)
        output = request.query_params.get("format") or "json"
        if output not in ("json", "html"):
            raise errors.InvalidParameters("format: must be json or html.")
        day = _date(request.query_params.get("asOf"), "asOf") or utcnow().date()
        picture = state_of(request).read(
            lambda s: rollup.product_dd(s, viewer=caller.operator_id, trace_id=trace_id, day=day)
        )
        if output == "html":
            return Response(report.render_html(picture), media_type="text/html; charset=utf-8")
        return json_response(report.to_dict(picture))

    return await _serve(request, work)


__all__ = ["router"]
