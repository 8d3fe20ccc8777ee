"""Positive controls: the world is what the attempts assume, and a foreign token with a
bound key is refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.connector.sovereignty.world import (
    NO_PRIVILEGES,
    PDF_B,
    World,
    answered_ok,
    download_url,
    dt,
)


def test_world_is_what_the_attempts_assume(client: TestClient, world: World) -> None:
    """The refusals above mean something: the owners and the trade partners do see the data."""
    w = world
    a, b = w.headers["A"], w.headers["B"]
    assert [
        p["traceId"] for p in answered_ok(client.get(dt(f"parts&traceId={w.part_a}"), headers=a))
    ] == [w.part_a]
    structure = answered_ok(client.get(dt(f"partsStructure&traceId={w.part_a}"), headers=a))
    assert [c["traceId"] for c in structure["childrenPartsModel"]] == [w.a1]
    [received] = answered_ok(client.get(dt("tradeResponse"), headers=b))
    assert received["tradeModel"]["tradeId"] == w.trade_id
    assert received["partsModel"]["amountRequired"] is None  # A's amount stays A's
    assert received["statusModel"]["requestStatus"]["cfpResponseStatus"] == "COMPLETED"
    # A sees B's released values and certificate through its own part A1.
    assert answered_ok(client.get(dt(f"cfp&traceIds={w.a1}"), headers=a)) == [
        {
            "cfpId": None,
            "traceId": w.a1,
            "ghgEmission": 1.5,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": "preProductionResponse",
            "dqrType": "preProcessingResponse",
            "dqrValue": {"TeR": 1.1, "GeR": 1.2, "TiR": 1.3},
        },
        {
            "cfpId": None,
            "traceId": w.a1,
            "ghgEmission": 10,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": "mainProductionResponse",
            "dqrType": "mainProcessingResponse",
            "dqrValue": {"TeR": 2.1, "GeR": 2.2, "TiR": 2.3},
        },
    ]
    assert answered_ok(client.get(dt(f"cfpCertification&traceId={w.a1}"), headers=a)) == [
        {
            "cfpCertificationId": w.cert_b,
            "traceId": w.a1,
            "cfpCertificationDescription": "B社 CFP証明書",
            "cfpCertificationFileInfo": [
                {"operatorId": w.op_b, "fileId": w.file_b, "fileName": "b-cfp.pdf"}
            ],
        }
    ]
    link = answered_ok(download_url(client, a, w.op_a, w.op_b, w.file_b, "OTHER", w.trade_id))
    assert link["fileName"] == "b-cfp.pdf"
    assert client.get(link["URL"]).content == PDF_B
    # C's own key and token work for C.
    assert answered_ok(client.get(dt("parts"), headers=w.headers["C"])) == [w.part_c_json]


def test_foreign_token_with_bound_key_is_refused(client: TestClient, world: World) -> None:
    """Sample-APIKey1 is bound to A and B: C's (valid) token is refused with it, on every
    surface, while the same token works with C's own key."""
    w = world
    bad = w.headers["C@key1"]
    for method, url in [
        ("GET", dt("parts")),
        ("GET", dt("tradeRequest")),
        ("GET", "/api/v1/authInfo?dataTarget=operator"),
        ("GET", f"/cfpAcl?operatorId={w.op_c}&traceId={w.part_c}"),
    ]:
        response = client.request(method, url, headers=bad)
        assert response.status_code == 403, (url, response.text)
        if url.startswith("/cfpAcl"):
            assert response.json() == {
                "errors": [{"errorCode": "MSGAECP0025", "errorDescription": NO_PRIVILEGES}]
            }
        else:
            body = response.json()
            assert body["code"] == "[auth] AccessDenied"
            assert body["message"] == NO_PRIVILEGES
            assert body["detail"].startswith("id: , timeStamp: ")
        good = client.request(method, url, headers=w.headers["C"])
        assert good.status_code == 200, good.text
