"""Evidence documents from the supplier's answer page: uploading one (shown again on the
answer form with its problems beside the fields) and downloading one, for its owner or a
customer it was cited to, as `evidence.read_content` allows.
"""

from __future__ import annotations

import mimetypes
import uuid

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.diligence import evidence
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, flag, optional
from battrace.web.pages.cfp import file_response
from battrace.web.pages.dd_answer import answer_page, supplier_page_data
from battrace.web.pages.dd_requests import parse_date, request_id_of

EVIDENCE_FIELDS = {
    "documentType": "ev_type",
    "title": "ev_title",
    "fileName": "ev_file",
    "contentType": "ev_file",
    "content": "ev_file",
    "confidentiality": "ev_confidentiality",
    "validTo": "ev_valid_to",
}


def _content_type(file_name: str, sent: str | None) -> str:
    if sent in evidence.ALLOWED_TYPES:
        return sent
    guessed, _ = mimetypes.guess_type(file_name)
    return guessed or sent or "application/octet-stream"


@page("/dd/{request_id:uuid}/evidence", methods=("POST",))
def upload_evidence(ctx: Ctx) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    data = supplier_page_data(ctx)
    form_errors = FormErrors()
    upload = ctx.files.get("ev_file")
    valid_to = parse_date(ctx.value("ev_valid_to"), "ev_valid_to", form_errors, ctx)
    if upload is None:
        form_errors.add("ev_file", ctx.t("dd.file_missing"))
    if form_errors or upload is None:
        return answer_page(ctx, data, form_errors=form_errors, status=400)
    write = evidence.EvidenceWrite(
        document_type=ctx.value("ev_type"),
        title=ctx.value("ev_title") or upload.file_name,
        file_name=upload.file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1],
        content_type=_content_type(upload.file_name, upload.content_type),
        confidentiality=ctx.value("ev_confidentiality"),
        issuer=optional(ctx.value("ev_issuer")),
        third_party=flag(ctx.value("ev_third_party")),
        valid_to=valid_to,
    )
    try:
        ctx.state.write(
            lambda s: evidence.store_evidence(s, caller=caller, write=write, content=upload.content)
        )
    except errors.InvalidRequest as exc:
        for part in exc.message.rstrip(".").split("; "):
            name, _, text = part.partition(": ")
            if name in EVIDENCE_FIELDS:
                form_errors.add(EVIDENCE_FIELDS[name], text.rstrip("."))
            else:
                form_errors.general.append(part)
        return answer_page(ctx, data, form_errors=form_errors, status=400)
    return ctx.redirect(f"/dd/{request_id}#evidence", flash="dd.evidence_uploaded")


@page("/dd/evidence/{evidence_id:uuid}")
def evidence_download(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    evidence_id: uuid.UUID = ctx.request.path_params["evidence_id"]

    def read(session: Session) -> tuple[str, bytes]:
        row = evidence.read_content(session, caller=caller, evidence_id=evidence_id)
        return row.file_name, row.content

    file_name, content = ctx.state.read(read)
    extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
    return file_response(file_name, extension, content)
