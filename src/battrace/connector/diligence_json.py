"""The JSON shapes of the due-diligence API's answers (templates, requests with their
responses, evidence)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from battrace.diligence import answering, evidence, requesting
from battrace.diligence.facilities import facilities_of
from battrace.diligence.models import DdEvidence, DdFacility, DdRequest, DdResponse
from battrace.diligence.templates import Template
from battrace.ids import OperatorId
from battrace.store.base import utcnow


def template_json(template: Template) -> dict[str, Any]:
    return {
        "templateId": str(template.id),
        "code": template.code,
        "version": template.version,
        "builtIn": template.owner_operator_id is None,
        "title": {"ja": template.title_ja, "en": template.title_en},
        "questions": [q.to_dict() for q in template.questions],
    }


def request_json(request: DdRequest) -> dict[str, Any]:
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


def response_json(
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
                    evidence_json(documents[uuid.UUID(e)])
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


def evidence_json(row: DdEvidence) -> dict[str, Any]:
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


def request_detail(session: Session, caller: OperatorId, request_id: uuid.UUID) -> dict[str, Any]:
    request = requesting.visible_request(session, caller=caller, request_id=request_id)
    found = answering.versions(session, caller=caller, request_id=request_id)
    cited = {uuid.UUID(e) for r in found for a in r.answers for e in a.get("evidence", [])}
    documents = evidence.documents(session, cited)
    facilities = facilities_of(session, [r.id for r in found])
    return {
        **request_json(request),
        "responses": [response_json(r, facilities[r.id], documents) for r in found],
    }
