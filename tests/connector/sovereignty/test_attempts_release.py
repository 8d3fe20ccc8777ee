"""Sovereignty attempts on /cfpAcl, /cfpCertificationAcl, /notifications, /replyMessages:
each is one call by one company against another's data (see `attempts.check_attempt`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.connector.sovereignty.attempts import (
    NOT_YOUR_OPERATOR_ID,
    NOTHING,
    Attempt,
    acl_body,
    attempt_params,
    cert_acl_body,
    check_attempt,
    ok,
    ts_not_found,
)
from tests.connector.sovereignty.world import World

ATTEMPTS: list[Attempt] = [
    # ----------------------------------------------------------------------- /cfpAcl
    Attempt(
        "cfpAcl-C-as-B",
        "C",
        "POST",
        lambda w: "/cfpAcl",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: acl_body(w.op_b, w.op_c, w.part_b, True),
    ),
    Attempt(
        "cfpAcl-C-releases-B-part-to-self",
        "C",
        "POST",
        lambda w: "/cfpAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: acl_body(w.op_c, w.op_c, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfpAcl-C-withholds-B-part-from-A",
        "C",
        "POST",
        lambda w: "/cfpAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: acl_body(w.op_c, w.op_a, w.part_b, False),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfpAcl-A-releases-supplier-part-to-self",
        "A",
        "POST",
        lambda w: "/cfpAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: acl_body(w.op_a, w.op_a, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfpAcl-C-reads-as-B",
        "C",
        "GET",
        lambda w: f"/cfpAcl?operatorId={w.op_b}&traceId={w.part_b}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "cfpAcl-C-reads-B-trace",
        "C",
        "GET",
        lambda w: f"/cfpAcl?operatorId={w.op_c}&traceId={w.part_b}",
        NOTHING,
    ),
    Attempt(
        "cfpAcl-A-reads-supplier-trace",
        "A",
        "GET",
        lambda w: f"/cfpAcl?operatorId={w.op_a}&traceId={w.part_b}",
        NOTHING,
    ),
    # ---------------------------------------------------------- /cfpCertificationAcl
    Attempt(
        "certAcl-C-as-B",
        "C",
        "POST",
        lambda w: "/cfpCertificationAcl",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: cert_acl_body(w.op_b, w.op_c, w.part_b, True),
    ),
    Attempt(
        "certAcl-C-releases-B-part-to-self",
        "C",
        "POST",
        lambda w: "/cfpCertificationAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cert_acl_body(w.op_c, w.op_c, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certAcl-A-releases-supplier-part-to-self",
        "A",
        "POST",
        lambda w: "/cfpCertificationAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cert_acl_body(w.op_a, w.op_a, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certAcl-C-reads-as-B",
        "C",
        "GET",
        lambda w: f"/cfpCertificationAcl?operatorId={w.op_b}&traceId={w.part_b}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "certAcl-C-reads-B-trace",
        "C",
        "GET",
        lambda w: f"/cfpCertificationAcl?operatorId={w.op_c}&traceId={w.part_b}",
        NOTHING,
    ),
    # ------------------------------------------------------------------ /notifications
    Attempt(
        "notifications-C-as-A",
        "C",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_a}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "notifications-B-as-A",
        "B",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_a}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "notifications-C-own-are-empty",
        "C",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_c}",
        ok(lambda w: {"notifications": [], "next": None}),
    ),
    Attempt(
        "notifications-C-after-A-notification",
        "C",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_c}&after={w.notification_a}",
        ok(lambda w: {"notifications": [], "next": None}),
        foreign=lambda w: w.notification_a,
    ),
    # ------------------------------------------------------------------ /replyMessages
    Attempt(
        "reply-C-on-A-request",
        "C",
        "POST",
        lambda w: "/replyMessages",
        ts_not_found(lambda w: f"requestId: {w.status_id} was not found."),
        body=lambda w: {
            "operatorId": w.op_c,
            "requestId": w.status_id,
            "replyMessage": "横から失礼",
        },
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "reply-A-on-own-request",
        "A",
        "POST",
        lambda w: "/replyMessages",
        ts_not_found(lambda w: f"requestId: {w.status_id} was not found."),
        body=lambda w: {"operatorId": w.op_a, "requestId": w.status_id, "replyMessage": "自作自演"},
    ),
    Attempt(
        "reply-C-as-B",
        "C",
        "POST",
        lambda w: "/replyMessages",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: {
            "operatorId": w.op_b,
            "requestId": w.status_id,
            "replyMessage": "なりすまし",
        },
    ),
]


@pytest.mark.parametrize("attempt", attempt_params(ATTEMPTS))
def test_cross_operator_attempt(client: TestClient, world: World, attempt: Attempt) -> None:
    check_attempt(client, world, attempt)
