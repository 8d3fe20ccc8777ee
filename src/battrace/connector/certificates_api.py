"""The traceability-system endpoints for CFP certificates (digest section 9.4):
`/fileUploadUrl`, `/keyId`, `/cfpCertificationInfo`, `/fileDownloadUrl`, `/cfpCertifications`,
and the upload and download targets (`/files/{id}`) their signed links point to
(`file_links`). Same error shape and key headers as `traceability_api`.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from battrace import errors
from battrace.connector.errors import ContractError, Source, json_response
from battrace.connector.file_links import read_link, signed_link
from battrace.connector.routing import ApiCaller, Raw, State, TraceabilityRoute
from battrace.connector.traceability_api import own_operator
from battrace.ids import OperatorId, TraceId, TradeId
from battrace.inputs.fields import (
    contract_items,
    contract_object,
    contract_text,
    optional_uuid,
    required_uuid,
)
from battrace.traceability import certificates

router = APIRouter(route_class=TraceabilityRoute)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
}


# ------------------------------------------------------------------------ certificates


@router.post("/fileUploadUrl")
def post_upload_url(request: Request, caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = contract_object(raw)
    own_operator(caller, body.get("operatorId"))
    info = body.get("fileInfo")
    if not isinstance(info, list) or not info:
        raise errors.InvalidRequest("fileInfoは必須項目です。")
    files = [
        (
            contract_text(item.get("fileName"), "fileName") or "",
            contract_text(item.get("extension"), "extension") or "",
        )
        for item in contract_items(info, "fileInfo")
    ]
    with state.writing() as session:
        slots = certificates.create_upload_slots(session, caller=caller.operator_id, files=files)
    return json_response(
        [
            {
                "fileId": str(slot.file_id),
                "fileName": slot.file_name,
                "URL": signed_link(
                    state,
                    request,
                    action="upload",
                    owner=caller.operator_id,
                    file_id=slot.file_id,
                ),
            }
            for slot in slots
        ]
    )


@router.get("/keyId")
async def get_key_id(state: State) -> Response:
    return PlainTextResponse(state.settings.key_id)


def _size_limit(request: Request, state: State) -> None:
    """An upload over `certificate_max_bytes` is refused before its body is read."""
    if int(request.headers.get("content-length") or 0) > state.settings.certificate_max_bytes:
        raise ContractError(413, Source.TRACEABILITY, "file: too large.")


@router.put("/files/{file_id}", dependencies=[Depends(_size_limit)])
def put_file(request: Request, file_id: uuid.UUID, state: State, raw: Raw) -> Response:
    owner = read_link(state, request.query_params.get("token"), "upload", file_id)
    with state.writing() as session:
        certificates.store_upload(
            session,
            owner=owner,
            file_id=file_id,
            content=raw,
            content_type=request.headers.get("content-type"),
            max_bytes=state.settings.certificate_max_bytes,
            store=state.file_store,
        )
    return Response(status_code=200)


@router.get("/files/{file_id}")
def get_file(request: Request, file_id: uuid.UUID, state: State) -> Response:
    owner = read_link(state, request.query_params.get("token"), "download", file_id)
    with state.reading() as session:
        row, content = certificates.read_file(
            session, owner=owner, file_id=file_id, store=state.file_store
        )
    media = row.content_type or CONTENT_TYPES.get(row.extension, "application/octet-stream")
    safe_name = row.file_name.encode("ascii", "ignore").decode() or f"{row.id}.{row.extension}"
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name.replace(chr(34), "")}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/cfpCertificationInfo")
def post_certification_info(caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = contract_object(raw)
    own_operator(caller, body.get("operatorId"))
    trace_id = TraceId(required_uuid(body.get("traceId"), "traceId"))
    certificate_id = optional_uuid(body.get("cfpCertificationId"), "cfpCertificationId")
    description = contract_text(
        body.get("cfpCertificationDescription"), "cfpCertificationDescription"
    )
    file_ids = [
        required_uuid(item.get("fileId"), "fileId")
        for item in contract_items(body.get("cfpCertificationFileInfo"), "cfpCertificationFileInfo")
    ]
    with state.writing() as session:
        certificate, files = certificates.attach_files(
            session,
            caller=caller.operator_id,
            trace_id=trace_id,
            certificate_id=certificate_id,
            description=description,
            file_ids=file_ids,
        )
    return json_response(
        {
            "cfpCertificationId": str(certificate.id),
            "traceId": str(trace_id),
            "cfpCertificationDescription": certificate.description,
            "cfpCertificationFileInfo": [
                {
                    "operatorId": str(caller.operator_id),
                    "fileId": str(f.id),
                    "fileName": f.file_name,
                }
                for f in files
            ],
        }
    )


def _downloadable(
    session: Session,
    caller: OperatorId,
    file_owner: uuid.UUID,
    file_id: uuid.UUID,
    download_type: str,
    certificate_or_trade: uuid.UUID | None,
    store: certificates.FileStore,
    disclose_by_default: bool,
) -> tuple[str, uuid.UUID]:
    """Check the caller may read the file; return (file name, owner)."""
    if download_type == "OWN":
        if file_owner != caller:
            raise errors.NotFound("file not found")
        row, _ = certificates.read_file(session, owner=caller, file_id=file_id, store=store)
        return row.file_name, caller
    if download_type != "OTHER" or certificate_or_trade is None:
        raise errors.InvalidRequest("downloadType: cannot be allowed.")
    trade, _, files = certificates.released_certificate(
        session,
        caller=caller,
        trade_id=TradeId(certificate_or_trade),
        disclose_by_default=disclose_by_default,
    )
    match = next((f for f in files if f.id == file_id), None)
    if match is None or trade.upstream_operator_id != file_owner:
        raise errors.NotFound("file not found")
    return match.file_name, file_owner


@router.get("/fileDownloadUrl")
def get_download_url(request: Request, caller: ApiCaller, state: State) -> Response:
    params = request.query_params
    own_operator(caller, params.get("operatorId"))
    file_owner = required_uuid(params.get("fileOperatorId"), "fileOperatorId")
    file_id = required_uuid(params.get("fileId"), "fileId")
    download_type = params.get("downloadType") or ""
    reference = optional_uuid(params.get("cfpCertificationId"), "cfpCertificationId")
    with state.reading() as session:
        name, owner = _downloadable(
            session,
            caller.operator_id,
            file_owner,
            file_id,
            download_type,
            reference,
            state.file_store,
            state.settings.disclose_by_default,
        )
    return json_response(
        {
            "fileId": str(file_id),
            "fileName": name,
            "URL": signed_link(state, request, action="download", owner=owner, file_id=file_id),
        }
    )


@router.delete("/cfpCertifications")
def delete_certifications(request: Request, caller: ApiCaller, state: State) -> Response:
    params = request.query_params
    own_operator(caller, params.get("operatorId"))
    trace_id = TraceId(required_uuid(params.get("traceId"), "traceId"))
    file_id = optional_uuid(params.get("fileId"), "fileId")
    with state.writing() as session:
        certificates.delete_files(
            session,
            caller=caller.operator_id,
            trace_id=trace_id,
            file_id=file_id,
            store=state.file_store,
        )
    body: dict[str, str] = {"traceId": str(trace_id)}
    if file_id is not None:
        body["fileId"] = str(file_id)
    return json_response(body)
