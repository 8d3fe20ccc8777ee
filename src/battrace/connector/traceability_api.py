"""The traceability-system endpoints the reference web client calls (digest section 9.4):
disclosure (`/cfpAcl`, `/cfpCertificationAcl`), `/notifications` and `/replyMessages`; the
certificate files are in `certificates_api`.

These answer 200 on success and ``{"errors": [{"errorCode", "errorDescription"}]}`` on
failure (`routing.TraceabilityRoute`). The key comes in `x-api-key` (the reference BFF's
header) or `apiKey`.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector.callers import Caller
from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, Raw, State, TraceabilityRoute
from battrace.connector.shapes import rfc3339
from battrace.ids import TraceId
from battrace.inputs.fields import (
    bool_field,
    contract_object,
    optional_uuid,
    required_uuid,
    timestamp_field,
)
from battrace.state import AppState
from battrace.traceability import disclosure, notifications, trades

router = APIRouter(route_class=TraceabilityRoute)


def own_operator(caller: Caller, value: object, name: str = "operatorId") -> None:
    """The `operatorId` a traceability-system call names must be the caller's own."""
    if value is None or value == "":
        raise errors.InvalidRequest(f"{name}は必須項目です。")
    if str(value) != str(caller.operator_id):
        raise errors.AccessDenied("認証情報と事業者識別子が一致しません。")


# ------------------------------------------------------------------------ disclosure


ACL_GROUPS = {"TOTALCFP": "total_cfp", "TOTALDQR": "total_dqr"}


@router.post("/cfpAcl")
def post_cfp_acl(caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = contract_object(raw)
    own_operator(caller, body.get("operatorId"))
    customer = required_uuid(body.get("releasedToOperatorId"), "releasedToOperatorId")
    trace_id = TraceId(required_uuid(body.get("traceId"), "traceId"))
    acl = body.get("acl")
    if not isinstance(acl, list) or not acl:
        raise errors.InvalidRequest("aclは必須項目です。")
    decisions: dict[str, bool] = {}
    for item in acl:
        group = item.get("aclItemGroup") if isinstance(item, dict) else None
        if not isinstance(group, str) or group not in ACL_GROUPS:
            raise errors.InvalidRequest(f"aclItemGroup: cannot be allowed '{group}'.")
        decisions[ACL_GROUPS[group]] = bool_field(item.get("releasedFlag"), "releasedFlag")
    with state.writing() as session:
        disclosure.set_disclosure(
            session, caller=caller.operator_id, trace_id=trace_id, customer=customer, **decisions
        )
    return json_response({"traceId": str(trace_id)})


def _decisions(
    request: Request, caller: Caller, state: AppState
) -> list[tuple[dict[str, str], disclosure.Released]]:
    """The caller's disclosure decisions on one of its parts, per customer, with the server's
    default standing in for decisions not taken (GET /cfpAcl and /cfpCertificationAcl)."""
    params = request.query_params
    own_operator(caller, params.get("operatorId"))
    trace_id = TraceId(required_uuid(params.get("traceId"), "traceId"))
    with state.reading() as session:
        rows = disclosure.list_disclosures(session, caller=caller.operator_id, trace_id=trace_id)
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
def get_cfp_acl(request: Request, caller: ApiCaller, state: State) -> Response:
    return json_response(
        [
            {
                **names,
                "acl": [
                    {"aclItemGroup": "TOTALCFP", "releasedFlag": released.total_cfp},
                    {"aclItemGroup": "TOTALDQR", "releasedFlag": released.total_dqr},
                ],
            }
            for names, released in _decisions(request, caller, state)
        ]
    )


@router.post("/cfpCertificationAcl")
def post_certification_acl(caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = contract_object(raw)
    own_operator(caller, body.get("operatorId"))
    customer = required_uuid(body.get("releasedToOperatorId"), "releasedToOperatorId")
    trace_id = TraceId(required_uuid(body.get("traceId"), "traceId"))
    flag = bool_field(body.get("releasedFlag"), "releasedFlag")
    with state.writing() as session:
        disclosure.set_disclosure(
            session,
            caller=caller.operator_id,
            trace_id=trace_id,
            customer=customer,
            certificate=flag,
        )
    return json_response({"traceId": str(trace_id)})


@router.get("/cfpCertificationAcl")
def get_certification_acl(request: Request, caller: ApiCaller, state: State) -> Response:
    return json_response(
        [
            {**names, "releasedFlag": released.certificate}
            for names, released in _decisions(request, caller, state)
        ]
    )


# --------------------------------------------------------------- notifications, replies


@router.get("/notifications")
def get_notifications(request: Request, caller: ApiCaller, state: State) -> Response:
    params = request.query_params
    own_operator(caller, params.get("operatorId"))
    notified_from = timestamp_field(params.get("notifiedAtFrom"), "notifiedAtFrom")
    notified_to = timestamp_field(params.get("notifiedAtTo"), "notifiedAtTo")
    after = optional_uuid(params.get("after"), "after")
    with state.reading() as session:
        rows, next_id = notifications.list_notifications(
            session,
            caller=caller.operator_id,
            notified_from=notified_from,
            notified_to=notified_to,
            after=after,
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


@router.post("/replyMessages")
def post_reply_message(caller: ApiCaller, state: State, raw: Raw) -> Response:
    body = contract_object(raw)
    own_operator(caller, body.get("operatorId"))
    request_id = required_uuid(body.get("requestId"), "requestId")
    reply = body.get("replyMessage")
    if reply is not None and not isinstance(reply, str):
        raise errors.InvalidRequest("replyMessage: must be a string.")
    with state.writing() as session:
        trades.set_reply_message(
            session, caller=caller.operator_id, status_id=request_id, reply_message=reply
        )
    return json_response({"requestId": str(request_id)})
