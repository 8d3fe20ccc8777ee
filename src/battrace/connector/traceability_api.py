"""The traceability-system endpoints the reference web client calls (digest section 9.4).

`/cfpAcl`, `/cfpCertificationAcl`, `/notifications`, `/replyMessages`, `/fileUploadUrl`,
`/keyId`, `/cfpCertificationInfo`, `/fileDownloadUrl`, `/cfpCertifications`, plus the upload
and download targets their URLs point to. These answer 200 on success and
``{"errors": [{"errorCode", "errorDescription"}]}`` on failure. The key comes in `x-api-key`
(the reference BFF's header) or `apiKey`.

Upload and download URLs are short-lived signed links (like presigned storage URLs): whoever
holds one may send or fetch that one file until it expires, and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from battrace import errors
from battrace.connector import wire
from battrace.connector.errors import (
    ContractError,
    RequestContext,
    TraceabilityCode,
    json_response,
    traceability_domain_error,
    traceability_error_response,
)
from battrace.connector.runtime import AppState, Caller, authenticate, state_of
from battrace.connector.shapes import rfc3339
from battrace.ids import OperatorId
from battrace.store.base import utcnow
from battrace.traceability import certificates, disclosure, notifications, trades

router = APIRouter()
log = logging.getLogger("battrace.connector")

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


def _caller(request: Request, state: AppState) -> Caller:
    header = "x-api-key" if request.headers.get("x-api-key") else "apikey"
    return authenticate(request, state, RequestContext(method=request.method), header=header)


async def _answer(request: Request, work: Any) -> Response:  # noqa: ANN401 (sync callable)
    try:
        body = await request.body()
        result: Response = await run_in_threadpool(work, request, body)
    except ContractError as exc:
        code = {401: TraceabilityCode.UNAUTHENTICATED, 403: TraceabilityCode.FORBIDDEN}.get(
            exc.status, TraceabilityCode.INVALID
        )
        return traceability_error_response(exc.status, code, exc.message)
    except errors.BattraceError as exc:
        return traceability_domain_error(exc)
    except Exception:
        log.exception("unexpected error")
        return traceability_error_response(
            500,
            TraceabilityCode.UNEXPECTED,
            "システムエラーが発生しました。管理者にお問い合わせください。",
        )
    return result


def _json_object(raw: bytes) -> dict[str, Any]:
    value = wire.parse_json(raw)
    if not isinstance(value, dict):
        raise errors.InvalidRequest("request body: must be a JSON object.")
    return value


def _own_operator(caller: Caller, value: object, name: str = "operatorId") -> None:
    if value is None or value == "":
        raise errors.InvalidRequest(f"{name}は必須項目です。")
    if str(value) != str(caller.operator_id):
        raise errors.AccessDenied("認証情報と事業者識別子が一致しません。")


def _uuid(value: object, name: str, *, required: bool = True) -> uuid.UUID | None:
    if value is None or value == "":
        if required:
            raise errors.InvalidRequest(f"{name}は必須項目です。")
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise errors.InvalidRequest(f"{name}: invalid UUID") from exc


def _required_uuid(value: object, name: str) -> uuid.UUID:
    result = _uuid(value, name)
    assert result is not None  # noqa: S101 (required)
    return result


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise errors.InvalidRequest(f"{name}: must be true or false.")
    return value


# ------------------------------------------------------------------------ disclosure


ACL_GROUPS = {"TOTALCFP": "total_cfp", "TOTALDQR": "total_dqr"}


@router.post("/cfpAcl")
async def post_cfp_acl(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        body = _json_object(raw)
        _own_operator(caller, body.get("operatorId"))
        customer = _required_uuid(body.get("releasedToOperatorId"), "releasedToOperatorId")
        trace_id = _required_uuid(body.get("traceId"), "traceId")
        acl = body.get("acl")
        if not isinstance(acl, list) or not acl:
            raise errors.InvalidRequest("aclは必須項目です。")
        decisions: dict[str, bool] = {}
        for item in acl:
            group = item.get("aclItemGroup") if isinstance(item, dict) else None
            if group not in ACL_GROUPS:
                raise errors.InvalidRequest(f"aclItemGroup: cannot be allowed '{group}'.")
            decisions[ACL_GROUPS[group]] = _bool(item.get("releasedFlag"), "releasedFlag")
        state.write(
            lambda s: disclosure.set_disclosure(
                s, caller=caller.operator_id, trace_id=trace_id, customer=customer, **decisions
            )
        )
        return json_response({"traceId": str(trace_id)})

    return await _answer(request, work)


def _decisions(request: Request) -> list[tuple[dict[str, str], disclosure.Released]]:
    """The caller's disclosure decisions on one of its parts, per customer, with the server's
    default standing in for decisions not taken (GET /cfpAcl and /cfpCertificationAcl)."""
    state = state_of(request)
    caller = _caller(request, state)
    params = request.query_params
    _own_operator(caller, params.get("operatorId"))
    trace_id = _required_uuid(params.get("traceId"), "traceId")
    rows = state.read(
        lambda s: disclosure.list_disclosures(s, caller=caller.operator_id, trace_id=trace_id)
    )
    default = state.settings.disclose_by_default
    return [
        (
            {
                "releasedFromOperatorId": str(row.operator_id),
                "releasedToOperatorId": str(row.released_to_operator_id),
                "traceId": str(row.trace_id),
            },
            disclosure.resolve(row, default),
        )
        for row in rows
    ]


@router.get("/cfpAcl")
async def get_cfp_acl(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        return json_response(
            [
                {
                    **names,
                    "acl": [
                        {"aclItemGroup": "TOTALCFP", "releasedFlag": released.total_cfp},
                        {"aclItemGroup": "TOTALDQR", "releasedFlag": released.total_dqr},
                    ],
                }
                for names, released in _decisions(request)
            ]
        )

    return await _answer(request, work)


@router.post("/cfpCertificationAcl")
async def post_certification_acl(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        body = _json_object(raw)
        _own_operator(caller, body.get("operatorId"))
        customer = _required_uuid(body.get("releasedToOperatorId"), "releasedToOperatorId")
        trace_id = _required_uuid(body.get("traceId"), "traceId")
        flag = _bool(body.get("releasedFlag"), "releasedFlag")
        state.write(
            lambda s: disclosure.set_disclosure(
                s, caller=caller.operator_id, trace_id=trace_id, customer=customer, certificate=flag
            )
        )
        return json_response({"traceId": str(trace_id)})

    return await _answer(request, work)


@router.get("/cfpCertificationAcl")
async def get_certification_acl(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        return json_response(
            [
                {**names, "releasedFlag": released.certificate}
                for names, released in _decisions(request)
            ]
        )

    return await _answer(request, work)


# --------------------------------------------------------------- notifications, replies


def _timestamp(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise errors.InvalidRequest(f"{name}: must be an ISO 8601 timestamp.") from exc
    if parsed.tzinfo is None:
        raise errors.InvalidRequest(f"{name}: must carry a time zone.")
    return parsed


@router.get("/notifications")
async def get_notifications(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        params = request.query_params
        _own_operator(caller, params.get("operatorId"))
        notified_from = _timestamp(params.get("notifiedAtFrom"), "notifiedAtFrom")
        notified_to = _timestamp(params.get("notifiedAtTo"), "notifiedAtTo")
        after = _uuid(params.get("after"), "after", required=False)
        rows, next_id = state.read(
            lambda s: notifications.list_notifications(
                s,
                caller=caller.operator_id,
                notified_from=notified_from,
                notified_to=notified_to,
                after=after,
            )
        )
        return json_response(
            {
                "notifications": [
                    {
                        "notificationId": str(row.id),
                        "notificationType": row.notification_type.value,
                        "notifiedFromOperatorId": str(row.notified_from_operator_id),
                        "tradeRelation": {
                            "tradeId": str(row.trade_id),
                            "requestId": str(row.status_id),
                            "downstreamOperatorId": str(row.downstream_operator_id),
                            "upstreamOperatorId": str(row.upstream_operator_id),
                            "downstreamTraceId": str(row.downstream_trace_id),
                            **(
                                {"upstreamTraceId": str(row.upstream_trace_id)}
                                if row.upstream_trace_id
                                else {}
                            ),
                        },
                        "notifiedAt": rfc3339(row.notified_at),
                    }
                    for row in rows
                ],
                "next": str(next_id) if next_id else None,
            }
        )

    return await _answer(request, work)


@router.post("/replyMessages")
async def post_reply_message(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        body = _json_object(raw)
        _own_operator(caller, body.get("operatorId"))
        request_id = _required_uuid(body.get("requestId"), "requestId")
        reply = body.get("replyMessage")
        if reply is not None and not isinstance(reply, str):
            raise errors.InvalidRequest("replyMessage: must be a string.")
        state.write(
            lambda s: trades.set_reply_message(
                s, caller=caller.operator_id, status_id=request_id, reply_message=reply
            )
        )
        return json_response({"requestId": str(request_id)})

    return await _answer(request, work)


# ------------------------------------------------------------------------ certificates


def _link_key(state: AppState) -> str:
    """A key of its own for file links, derived from the token key: a link is never a token."""
    return hmac.new(
        state.signer.secret.encode(), b"battrace file links", hashlib.sha256
    ).hexdigest()


def _signed_link(
    state: AppState, request: Request, *, action: str, owner: uuid.UUID, file_id: uuid.UUID
) -> str:
    expires = utcnow() + timedelta(seconds=state.settings.upload_url_ttl_seconds)
    token = jwt.encode(
        {"act": action, "own": str(owner), "fid": str(file_id), "exp": int(expires.timestamp())},
        _link_key(state),
        algorithm="HS256",
    )
    base = (state.settings.public_url or str(request.base_url)).rstrip("/")
    return f"{base}/files/{file_id}?token={token}"


def _read_link(state: AppState, token: str | None, action: str, file_id: uuid.UUID) -> uuid.UUID:
    try:
        claims = jwt.decode(
            token or "",
            _link_key(state),
            algorithms=["HS256"],
            options={"require": ["exp", "act", "own", "fid"]},
        )
    except jwt.PyJWTError as exc:
        raise errors.AccessDenied("the link is invalid or has expired.") from exc
    if claims["act"] != action or claims["fid"] != str(file_id):
        raise errors.AccessDenied("the link is invalid or has expired.")
    return uuid.UUID(claims["own"])


@router.post("/fileUploadUrl")
async def post_upload_url(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        body = _json_object(raw)
        _own_operator(caller, body.get("operatorId"))
        info = body.get("fileInfo")
        if not isinstance(info, list) or not info:
            raise errors.InvalidRequest("fileInfoは必須項目です。")
        files = [
            (str(item.get("fileName") or ""), str(item.get("extension") or ""))
            for item in info
            if isinstance(item, dict)
        ]
        slots = state.write(
            lambda s: certificates.create_upload_slots(s, caller=caller.operator_id, files=files)
        )
        return json_response(
            [
                {
                    "fileId": str(slot.file_id),
                    "fileName": slot.file_name,
                    "URL": _signed_link(
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

    return await _answer(request, work)


@router.get("/keyId")
async def get_key_id(request: Request) -> Response:
    return PlainTextResponse(state_of(request).settings.key_id)


@router.put("/files/{file_id}")
async def put_file(request: Request, file_id: uuid.UUID) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        owner = _read_link(state, request.query_params.get("token"), "upload", file_id)
        state.write(
            lambda s: certificates.store_upload(
                s,
                owner=owner,
                file_id=file_id,
                content=raw,
                content_type=request.headers.get("content-type"),
                max_bytes=state.settings.certificate_max_bytes,
            )
        )
        return Response(status_code=200)

    if (
        int(request.headers.get("content-length") or 0)
        > state_of(request).settings.certificate_max_bytes
    ):
        return traceability_error_response(413, TraceabilityCode.INVALID, "file: too large.")
    return await _answer(request, work)


@router.get("/files/{file_id}")
async def get_file(request: Request, file_id: uuid.UUID) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        owner = _read_link(state, request.query_params.get("token"), "download", file_id)
        row, content = state.read(lambda s: certificates.read_file(s, owner=owner, file_id=file_id))
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

    return await _answer(request, work)


@router.post("/cfpCertificationInfo")
async def post_certification_info(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        body = _json_object(raw)
        _own_operator(caller, body.get("operatorId"))
        trace_id = _required_uuid(body.get("traceId"), "traceId")
        certificate_id = _uuid(body.get("cfpCertificationId"), "cfpCertificationId", required=False)
        description = body.get("cfpCertificationDescription")
        file_info = body.get("cfpCertificationFileInfo") or []
        if not isinstance(file_info, list):
            raise errors.InvalidRequest("cfpCertificationFileInfo: must be a list.")
        file_ids = [
            _required_uuid(item.get("fileId"), "fileId")
            for item in file_info
            if isinstance(item, dict)
        ]
        certificate, files = state.write(
            lambda s: certificates.attach_files(
                s,
                caller=caller.operator_id,
                trace_id=trace_id,
                certificate_id=certificate_id,
                description=description if isinstance(description, str) else None,
                file_ids=file_ids,
            )
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

    return await _answer(request, work)


def _downloadable(
    session: Session,
    caller: OperatorId,
    file_owner: uuid.UUID,
    file_id: uuid.UUID,
    download_type: str,
    certificate_or_trade: uuid.UUID | None,
) -> tuple[str, uuid.UUID]:
    """Check the caller may read the file; return (file name, owner)."""
    if download_type == "OWN":
        if file_owner != caller:
            raise errors.NotFound("file not found")
        row, _ = certificates.read_file(session, owner=caller, file_id=file_id)
        return row.file_name, caller
    if download_type != "OTHER" or certificate_or_trade is None:
        raise errors.InvalidRequest("downloadType: cannot be allowed.")
    trade, _, files = certificates.released_certificate(
        session, caller=caller, trade_id=certificate_or_trade
    )
    match = next((f for f in files if f.id == file_id), None)
    if match is None or trade.upstream_operator_id != file_owner:
        raise errors.NotFound("file not found")
    return match.file_name, file_owner


@router.get("/fileDownloadUrl")
async def get_download_url(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        params = request.query_params
        _own_operator(caller, params.get("operatorId"))
        file_owner = _required_uuid(params.get("fileOperatorId"), "fileOperatorId")
        file_id = _required_uuid(params.get("fileId"), "fileId")
        download_type = params.get("downloadType") or ""
        reference = _uuid(params.get("cfpCertificationId"), "cfpCertificationId", required=False)
        name, owner = state.read(
            lambda s: _downloadable(
                s, caller.operator_id, file_owner, file_id, download_type, reference
            )
        )
        return json_response(
            {
                "fileId": str(file_id),
                "fileName": name,
                "URL": _signed_link(
                    state, request, action="download", owner=owner, file_id=file_id
                ),
            }
        )

    return await _answer(request, work)


@router.delete("/cfpCertifications")
async def delete_certifications(request: Request) -> Response:
    def work(request: Request, raw: bytes) -> Response:
        state = state_of(request)
        caller = _caller(request, state)
        params = request.query_params
        _own_operator(caller, params.get("operatorId"))
        trace_id = _required_uuid(params.get("traceId"), "traceId")
        file_id = _uuid(params.get("fileId"), "fileId", required=False)
        state.write(
            lambda s: certificates.delete_files(
                s, caller=caller.operator_id, trace_id=trace_id, file_id=file_id
            )
        )
        body: dict[str, str] = {"traceId": str(trace_id)}
        if file_id is not None:
            body["fileId"] = str(file_id)
        return json_response(body)

    return await _answer(request, work)
