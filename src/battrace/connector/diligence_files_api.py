"""battrace's due-diligence endpoints (`/api/v1/diligence/…`): evidence, assurance lists,
notifications and the product report. Same authentication and error shape as
`diligence_api`.

- evidence: `POST /evidence?…` (the file is the body), `GET /evidence`, `GET /evidence/{id}`,
  `GET /evidence/{id}/content`
- `PUT /assurances` (a CSV/xlsx facility assurance list), `GET /notifications`,
  `GET /report?traceId=…[&format=json|html]`
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector.diligence_api import PREFIX
from battrace.connector.diligence_json import evidence_json
from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, ContractRoute, State, Upload
from battrace.diligence import evidence, report, rollup, workbooks
from battrace.diligence.facilities import import_assurances
from battrace.ids import TraceId
from battrace.inputs.fields import date_field, required_uuid_param, uuid_field
from battrace.store.base import utcnow
from battrace.traceability import notifications

router = APIRouter(prefix=PREFIX, tags=["due diligence (battrace)"], route_class=ContractRoute)


# ------------------------------------------------------------------------------ evidence


@router.post("/evidence")
def upload_evidence(request: Request, caller: ApiCaller, state: State, raw: Upload) -> Response:
    """Store a document: the body is the file, its `Content-Type` the file's type; query
    `documentType, title, fileName, confidentiality[, issuer, thirdParty, validFrom, validTo]`."""
    query = request.query_params
    write = evidence.EvidenceWrite(
        document_type=query.get("documentType", ""),
        title=query.get("title", ""),
        file_name=query.get("fileName", ""),
        content_type=request.headers.get("content-type", "").split(";")[0].strip(),
        confidentiality=query.get("confidentiality", ""),
        issuer=query.get("issuer"),
        third_party=query.get("thirdParty", "false").lower() == "true",
        valid_from=date_field(query.get("validFrom"), "validFrom"),
        valid_to=date_field(query.get("validTo"), "validTo"),
    )
    with state.writing() as session:
        row = evidence_json(
            evidence.store_evidence(session, caller=caller.operator_id, write=write, content=raw)
        )
    return json_response(row, 201)


@router.get("/evidence")
def list_evidence(caller: ApiCaller, state: State) -> Response:
    with state.reading() as session:
        rows = [evidence_json(r) for r in evidence.list_own(session, caller=caller.operator_id)]
    return json_response(rows)


@router.get("/evidence/{evidence_id}")
def get_evidence(evidence_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(evidence_id, "evidenceId")
    with state.reading() as session:
        row = evidence_json(
            evidence.visible_evidence(session, caller=caller.operator_id, evidence_id=wanted)
        )
    return json_response(row)


@router.get("/evidence/{evidence_id}/content")
def get_evidence_content(evidence_id: str, caller: ApiCaller, state: State) -> Response:
    """The file, for its owner, or for a customer it was cited to unless it is hash-only."""
    wanted = uuid_field(evidence_id, "evidenceId")
    with state.reading() as session:
        row = evidence.read_content(session, caller=caller.operator_id, evidence_id=wanted)
    return Response(
        row.content,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.file_name, safe='')}",
            "X-Content-SHA256": row.sha256,
        },
    )


# --------------------------------------------------------------- assurances, notifications


@router.put("/assurances")
def put_assurances(caller: ApiCaller, state: State, raw: Upload) -> Response:
    """Replace the caller's facility assurance list (CSV or xlsx body with columns
    `CID, scheme, status, valid_to`); facilities answered later take their status from it."""
    entries = workbooks.parse_assurance_list(raw)
    with state.writing() as session:
        count = import_assurances(session, caller=caller.operator_id, entries=entries)
    return json_response({"imported": count})


@router.get("/notifications")
def list_dd_notifications(caller: ApiCaller, state: State) -> Response:
    """The caller's DD notifications, newest first (CFP ones stay at `/notifications`)."""
    with state.reading() as session:
        rows, _ = notifications.list_notifications(
            session,
            caller=caller.operator_id,
            notified_from=None,
            notified_to=None,
            after=None,
            limit=100,
            request_type="DD",
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


# -------------------------------------------------------------------------------- report


@router.get("/report")
def get_report(request: Request, caller: ApiCaller, state: State) -> Response:
    """A product's DD report across its supply chain, as JSON or a self-contained HTML page."""
    trace_id = TraceId(required_uuid_param(request.query_params, "traceId"))
    output = request.query_params.get("format") or "json"
    if output not in ("json", "html"):
        raise errors.InvalidParameters("format: must be json or html.")
    day = date_field(request.query_params.get("asOf"), "asOf") or utcnow().date()
    with state.reading() as session:
        picture = rollup.product_dd(session, viewer=caller.operator_id, trace_id=trace_id, day=day)
    if output == "html":
        return Response(report.render_html(picture), media_type="text/html; charset=utf-8")
    return json_response(report.to_dict(picture))


__all__ = ["router"]
