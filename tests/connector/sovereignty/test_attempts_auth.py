"""Sovereignty attempts on authInfo (#1-#4), and a token only good with a key bound to its operator:
each is one call by one company against another's data (see `attempts.check_attempt`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.connector.sovereignty.attempts import (
    AUTH_DENIED,
    Attempt,
    attempt_params,
    auth,
    check_attempt,
    ok,
    operator_json_of,
    traceability,
)
from tests.connector.sovereignty.world import NO_PRIVILEGES, World, dt
from tests.support import A, B, part

ATTEMPTS: list[Attempt] = [
    # ----------------------------------------------------------------- authInfo (#1-#4)
    Attempt(
        "plants-C-lists-only-its-own",
        "C",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        ok(lambda w: [w.plant_c_json]),
    ),
    Attempt(
        "put-plant-C-as-A",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
        body=lambda w: {
            "plantId": w.plant_a,
            "operatorId": w.op_a,
            "plantName": "乗っ取り工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890123012345",
            "plantAttribute": {},
        },
    ),
    Attempt(
        "put-plant-C-new-for-A",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
        body=lambda w: {
            "plantId": None,
            "operatorId": w.op_a,
            "plantName": "偽工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890123099999",
            "plantAttribute": {},
        },
    ),
    Attempt(
        "put-plant-C-own-id-on-A-plant",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        auth(404, "record not found"),
        body=lambda w: {
            "plantId": w.plant_a,
            "operatorId": w.op_c,
            "plantName": "乗っ取り工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890125099999",
            "plantAttribute": {},
        },
        foreign=lambda w: w.plant_a,
    ),
    Attempt(
        "put-plant-B-as-customer",
        "B",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
        body=lambda w: {
            "plantId": w.plant_a,
            "operatorId": w.op_a,
            "plantName": "乗っ取り工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890123012345",
            "plantAttribute": {},
        },
    ),
    Attempt(
        "operator-C-reads-its-own",
        "C",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=operator",
        ok(lambda w: w.operator_c_json),
    ),
    # The operator directory is public by contract (#2, #17): the five OperatorModel fields.
    Attempt(
        "operator-C-looks-up-A-by-corporate-number",
        "C",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=operator&openOperatorId=1234567890123",
        ok(lambda w: operator_json_of(A)),
    ),
    Attempt(
        "operator-C-lists-A-and-B",
        "C",
        "GET",
        lambda w: f"/api/v1/authInfo?dataTarget=operator&operatorIds={w.op_a},{w.op_b}",
        ok(lambda w: [operator_json_of(A), operator_json_of(B)]),
    ),
    Attempt(
        "put-operator-C-as-A",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=operator",
        AUTH_DENIED,
        body=lambda w: {
            "operatorId": w.op_a,
            "operatorName": "乗っ取り",
            "operatorAddress": "xx",
            "openOperatorId": "1234567890123",
            "operatorAttribute": {"globalOperatorId": "1234ABCD5678EFGH0123"},
        },
    ),
    Attempt(
        "put-operator-B-as-customer",
        "B",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=operator",
        AUTH_DENIED,
        body=lambda w: {
            "operatorId": w.op_a,
            "operatorName": "乗っ取り",
            "operatorAddress": "xx",
            "openOperatorId": "1234567890123",
            "operatorAttribute": {},
        },
    ),
    # ------------------------------------- a token is only good with a key bound to its operator
    Attempt("key1-C-token-get-parts", "C@key1", "GET", lambda w: dt("parts"), AUTH_DENIED),
    Attempt(
        "key1-C-token-put-parts",
        "C@key1",
        "PUT",
        lambda w: dt("parts"),
        AUTH_DENIED,
        body=lambda w: part(w.op_c, w.plant_c, "部品C2"),
    ),
    Attempt(
        "key1-C-token-cfp", "C@key1", "GET", lambda w: dt(f"cfp&traceIds={w.part_c}"), AUTH_DENIED
    ),
    Attempt(
        "key1-C-token-plants",
        "C@key1",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
    ),
    Attempt(
        "key1-C-token-change-password",
        "C@key1",
        "POST",
        lambda w: "/auth/change",
        AUTH_DENIED,
        body=lambda w: {"newPassword": "Hijack&pass1"},
    ),
    Attempt(
        "key1-C-token-notifications",
        "C@key1",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_c}",
        traceability(403, "MSGAECP0025", NO_PRIVILEGES),
    ),
    Attempt("keyC-A-token-get-parts", "A@keyC", "GET", lambda w: dt("parts"), AUTH_DENIED),
]


@pytest.mark.parametrize("attempt", attempt_params(ATTEMPTS))
def test_cross_operator_attempt(client: TestClient, world: World, attempt: Attempt) -> None:
    check_attempt(client, world, attempt)
