"""The disclosure rules: withheld CFP, DQR and certificates; decided per customer; never
the supplier's structure; nothing passed on by an intermediary."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.connector.sovereignty.attempts import acl_body, amend, cert_acl_body
from tests.connector.sovereignty.world import (
    World,
    answered_ok,
    download_url,
    dt,
    release,
    snapshot,
)
from tests.support import cfp_set, part, trade_request


def _response_rows(client: TestClient, w: World, trace_id: str) -> dict[str, dict[str, Any]]:
    rows = answered_ok(client.get(dt(f"cfp&traceIds={trace_id}"), headers=w.headers["A"]))
    assert [row["cfpType"] for row in rows] == ["preProductionResponse", "mainProductionResponse"]
    assert all(row["traceId"] == trace_id and row["cfpId"] is None for row in rows)
    return {row["cfpType"]: row for row in rows}


def _totals(client: TestClient, w: World) -> dict[str, dict[str, Any]]:
    rows = answered_ok(client.get(dt(f"cfp&traceIds={w.part_a}"), headers=w.headers["A"]))
    assert {row["traceId"] for row in rows} == {w.part_a}
    return {row["cfpType"]: row for row in rows}


def test_withheld_total_cfp_reaches_the_customer_as_null(client: TestClient, world: World) -> None:
    w = world
    release(client, w, customer=w.op_a, trace_id=w.part_b, cfp=False)
    rows = _response_rows(client, w, w.a1)
    assert rows["preProductionResponse"]["ghgEmission"] is None
    assert rows["mainProductionResponse"]["ghgEmission"] is None
    # the DQR was not withheld
    assert rows["preProductionResponse"]["dqrValue"] == {"TeR": 1.1, "GeR": 1.2, "TiR": 1.3}
    assert rows["mainProductionResponse"]["dqrValue"] == {"TeR": 2.1, "GeR": 2.2, "TiR": 2.3}
    # A's totals cannot reveal the withheld value: the component total is unknown, not 0,
    # and the total DQR is A's own (an unknown emission carries no weight).
    totals = _totals(client, w)
    assert totals["preProductionTotal"]["ghgEmission"] == 3
    assert totals["preComponentTotal"]["ghgEmission"] is None
    assert totals["mainComponentTotal"]["ghgEmission"] is None
    assert totals["preProductionTotal"]["dqrValue"] == {"TeR": 1, "GeR": 2, "TiR": 3}
    # B still sees its own values.
    own = answered_ok(client.get(dt(f"cfp&traceIds={w.part_b}"), headers=w.headers["B"]))
    assert {row["cfpType"]: row["ghgEmission"] for row in own}["preProduction"] == 1.5


def test_withheld_total_dqr_reaches_the_customer_as_null(client: TestClient, world: World) -> None:
    w = world
    release(client, w, customer=w.op_a, trace_id=w.part_b, dqr=False)
    rows = _response_rows(client, w, w.a1)
    assert rows["preProductionResponse"]["ghgEmission"] == 1.5
    assert rows["mainProductionResponse"]["ghgEmission"] == 10
    for row in rows.values():
        assert row["dqrValue"] == {"TeR": None, "GeR": None, "TiR": None}
    # B's DQR does not flow into A's totals either: they carry A's own ratings only.
    totals = _totals(client, w)
    assert totals["preComponentTotal"]["ghgEmission"] == 7.5
    assert totals["preProductionTotal"]["dqrValue"] == {"TeR": 1, "GeR": 2, "TiR": 3}
    assert totals["mainProductionTotal"]["dqrValue"] == {"TeR": 2, "GeR": 3, "TiR": 4}


def test_released_dqr_is_weighted_into_the_customer_totals(
    client: TestClient, world: World
) -> None:
    """The control for the test above: released, B's DQR does move A's total DQR."""
    totals = _totals(client, world)
    # pre: (1 x 3 + 1.1 x 7.5) / 10.5 = 1.07142857 -> rounded up to 5 decimals
    assert totals["preProductionTotal"]["dqrValue"]["TeR"] == 1.07143


def test_withheld_certificate_is_described_as_null(client: TestClient, world: World) -> None:
    w = world
    a = w.headers["A"]
    release(client, w, customer=w.op_a, trace_id=w.part_b, certificate=False)
    assert answered_ok(client.get(dt(f"cfpCertification&traceId={w.a1}"), headers=a)) == [
        {
            "cfpCertificationId": w.cert_b,
            "traceId": w.a1,
            "cfpCertificationDescription": None,
            "cfpCertificationFileInfo": None,
        }
    ]
    response = download_url(client, a, w.op_a, w.op_b, w.file_b, "OTHER", w.trade_id)
    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"errorCode": "MSGAECO0003", "errorDescription": "file not found"}]
    }
    # CFP values were not withheld.
    assert _response_rows(client, w, w.a1)["preProductionResponse"]["ghgEmission"] == 1.5
    # B still has its certificate.
    own = answered_ok(
        client.get(dt(f"cfpCertification&traceId={w.part_b}"), headers=w.headers["B"])
    )
    assert own[0]["cfpCertificationFileInfo"][0]["fileId"] == w.file_b


def test_disclosure_is_decided_per_customer(client: TestClient, world: World) -> None:
    """B answers A and C with the same part; withholding from C leaves A's view alone."""
    w = world
    c = w.headers["C"]
    # C's product 部品C製品 needs 部品C1, bought in from B.
    structure = answered_ok(
        client.put(
            dt("partsStructure"),
            headers=c,
            json={
                "parentPartsModel": part(w.op_c, w.plant_c, "部品C製品"),
                "childrenPartsModel": [part(w.op_c, w.plant_c, "部品C1", amount=2)],
            },
        ),
        201,
    )
    c1 = structure["childrenPartsModel"][0]["traceId"]
    request = answered_ok(
        client.put(dt("tradeRequest"), headers=c, json=trade_request(w.op_c, c1, w.op_b)), 201
    )
    trade_c = request["tradeModel"]["tradeId"]
    response = client.put(
        dt(f"tradeResponse&tradeId={trade_c}&traceId={w.part_b}"), headers=w.headers["B"]
    )
    assert response.status_code == 201, response.text
    release(client, w, customer=w.op_c, trace_id=w.part_b, cfp=False, dqr=False, certificate=False)

    rows = answered_ok(client.get(dt(f"cfp&traceIds={c1}"), headers=c))
    assert [(r["cfpType"], r["ghgEmission"], r["dqrValue"]) for r in rows] == [
        ("preProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
        ("mainProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
    ]
    assert answered_ok(client.get(dt(f"cfpCertification&traceId={c1}"), headers=c)) == [
        {
            "cfpCertificationId": w.cert_b,
            "traceId": c1,
            "cfpCertificationDescription": None,
            "cfpCertificationFileInfo": None,
        }
    ]
    response = download_url(client, c, w.op_c, w.op_b, w.file_b, "OTHER", trade_c)
    assert response.status_code == 404, response.text
    # A, released, still sees everything.
    rows_a = _response_rows(client, w, w.a1)
    assert rows_a["preProductionResponse"]["ghgEmission"] == 1.5
    assert rows_a["preProductionResponse"]["dqrValue"] == {"TeR": 1.1, "GeR": 1.2, "TiR": 1.3}
    certification = answered_ok(
        client.get(dt(f"cfpCertification&traceId={w.a1}"), headers=w.headers["A"])
    )
    assert certification[0]["cfpCertificationDescription"] == "B社 CFP証明書"
    # C's trade with B never shows A: C's request list has its own trade only.
    assert [t["tradeId"] for t in answered_ok(client.get(dt("tradeRequest"), headers=c))] == [
        trade_c
    ]
    # And B's trade list shows two customers, each only its own part.
    received = answered_ok(client.get(dt("tradeResponse"), headers=w.headers["B"]))
    assert {r["partsModel"]["traceId"] for r in received} == {w.a1, c1}


def test_customer_never_sees_the_supplier_structure(client: TestClient, world: World) -> None:
    """B answers with a parent part made of two of its own parts: A gets B's totals as two
    Response rows and nothing of B's structure, by any read."""
    w = world
    a, b = w.headers["A"], w.headers["B"]
    # A adds a second bought-in child 部品A2 to 部品A and asks B for it.
    structure = answered_ok(client.get(dt(f"partsStructure&traceId={w.part_a}"), headers=a))
    a2_body = part(w.op_a, w.plant_a, "部品A2", support="modelA-2", amount=1)
    structure = answered_ok(
        client.put(
            dt("partsStructure"),
            headers=a,
            json={
                "parentPartsModel": structure["parentPartsModel"],
                "childrenPartsModel": [*structure["childrenPartsModel"], a2_body],
            },
        ),
        201,
    )
    a2 = next(c["traceId"] for c in structure["childrenPartsModel"] if c["partsName"] == "部品A2")
    request = answered_ok(
        client.put(dt("tradeRequest"), headers=a, json=trade_request(w.op_a, a2, w.op_b)), 201
    )
    trade_2 = request["tradeModel"]["tradeId"]
    # B builds 部品B2 = 2 x 部品B2-1 + 3 x 部品B2-2 (both terminated), each with CFP.
    children = [
        part(w.op_b, w.plant_b, "部品B2-1", support="秘密の配合1", terminated=True, amount=2),
        part(w.op_b, w.plant_b, "部品B2-2", support="秘密の配合2", terminated=True, amount=3),
    ]
    b2_structure = answered_ok(
        client.put(
            dt("partsStructure"),
            headers=b,
            json={
                "parentPartsModel": part(w.op_b, w.plant_b, "部品B2", support="modelB2"),
                "childrenPartsModel": children,
            },
        ),
        201,
    )
    b2 = b2_structure["parentPartsModel"]["traceId"]
    b2_children = [c["traceId"] for c in b2_structure["childrenPartsModel"]]
    for trace_id, pre, main in [(b2_children[0], 1, 2), (b2_children[1], 3, 4), (b2, 5, 6)]:
        answered_ok(client.put(dt("cfp"), headers=b, json=cfp_set(trace_id, pre, main)), 201)
    answered_ok(client.put(dt(f"tradeResponse&tradeId={trade_2}&traceId={b2}"), headers=b), 201)

    b_ids = [b2, *b2_children]
    b_names = ["部品B2", "秘密の配合", "modelB2"]
    seen: list[str] = []

    def read(url: str) -> Response:
        response = client.get(url, headers=a)
        seen.append(response.text)
        return response

    for trace_id in b_ids:
        assert answered_ok(read(dt(f"parts&traceId={trace_id}"))) == []
        response = read(dt(f"partsStructure&traceId={trace_id}"))
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "[dataspace] NotFound"
        assert response.json()["message"] == "record not found"
        assert answered_ok(read(dt(f"cfpCertification&traceId={trace_id}"))) == []
    assert answered_ok(read(dt(f"cfp&traceIds={','.join(b_ids)}"))) == []

    # A2's CFP: exactly B2's disclosed totals, as the two Response rows.
    rows = answered_ok(read(dt(f"cfp&traceIds={a2}")))
    # pre: own 5 + component 0 + 2 x (1 + 0) + 3 x (3 + 0) = 16; main: 6 + 2 x 2 + 3 x 4 = 22
    assert [(r["traceId"], r["cfpType"], r["ghgEmission"]) for r in rows] == [
        (a2, "preProductionResponse", 16),
        (a2, "mainProductionResponse", 22),
    ]
    # A's own views of its parent and its lists name no B part.
    parent_rows = answered_ok(read(dt(f"cfp&traceIds={w.part_a},{w.a1},{a2}")))
    assert {r["traceId"] for r in parent_rows} <= {w.part_a, w.a1, a2}
    answered_ok(read(dt("parts")))
    answered_ok(read(dt(f"partsStructure&traceId={w.part_a}")))
    answered_ok(read(dt("tradeRequest")))
    answered_ok(read(dt("status&statusTarget=REQUEST")))
    answered_ok(read(f"/notifications?operatorId={w.op_a}"))
    # Only the trade's own link names B2 (A's tradeRequest.upstreamTraceId); nothing else of
    # B's, not its children's ids, not a name.
    text = "\n".join(seen)
    for secret in [*b2_children, *b_names]:
        assert secret not in text, f"A saw {secret}"


def test_an_intermediary_cannot_pass_on_what_it_was_not_given(
    client: TestClient, world: World
) -> None:
    """C buys 部品A1 from A, which buys it from B. A can answer only with its own part; C gets
    A's total, which holds B's values only as far as B released them to A, and never B's
    certificate."""
    w = world
    a, c = w.headers["A"], w.headers["C"]
    structure = answered_ok(
        client.put(
            dt("partsStructure"),
            headers=c,
            json={
                "parentPartsModel": part(w.op_c, w.plant_c, "部品C製品"),
                "childrenPartsModel": [part(w.op_c, w.plant_c, "部品C1", amount=2)],
            },
        ),
        201,
    )
    c1 = structure["childrenPartsModel"][0]["traceId"]
    request = answered_ok(
        client.put(dt("tradeRequest"), headers=c, json=trade_request(w.op_c, c1, w.op_a)), 201
    )
    trade_ca = request["tradeModel"]["tradeId"]

    # A cannot answer with B's part.
    response = client.put(dt(f"tradeResponse&tradeId={trade_ca}&traceId={w.part_b}"), headers=a)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "[dataspace] NotFound"
    assert response.json()["message"] == f"traceId: {w.part_b} was not found."
    # It answers with its own 部品A1 (bought in from B), on which it registered CFP as the
    # tutorial does; the total of 部品A1 is what B disclosed to A.
    answered_ok(client.put(dt("cfp"), headers=a, json=cfp_set(w.a1, 3.0, 20.0)), 201)
    response = client.put(dt(f"tradeResponse&tradeId={trade_ca}&traceId={w.a1}"), headers=a)
    assert response.status_code == 201, response.text
    rows = answered_ok(client.get(dt(f"cfp&traceIds={c1}"), headers=c))
    assert [(r["cfpType"], r["ghgEmission"]) for r in rows] == [
        ("preProductionResponse", 1.5),
        ("mainProductionResponse", 10),
    ]

    # B withholds both from A: C cannot get them through A either.
    release(client, w, customer=w.op_a, trace_id=w.part_b, cfp=False, dqr=False)
    rows = answered_ok(client.get(dt(f"cfp&traceIds={c1}"), headers=c))
    assert [(r["cfpType"], r["ghgEmission"], r["dqrValue"]) for r in rows] == [
        ("preProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
        ("mainProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
    ]
    # B's certificate (released to A) is not C's: A has none of its own on 部品A1.
    assert answered_ok(client.get(dt(f"cfpCertification&traceId={c1}"), headers=c)) == []
    for owner in (w.op_b, w.op_a):
        response = download_url(client, c, w.op_c, owner, w.file_b, "OTHER", trade_ca)
        assert response.status_code == 404, response.text
        assert response.json() == {
            "errors": [{"errorCode": "MSGAECO0003", "errorDescription": "file not found"}]
        }


def test_a_redirected_request_does_not_carry_the_previous_supplier_reply(
    client: TestClient, world: World
) -> None:
    """A asks B, B leaves a reply message (not a send-back), A then moves the request to C
    (allowed while B has linked nothing). B's words are B's and A's: C must not read them."""
    w = world
    a, b, c = w.headers["A"], w.headers["B"], w.headers["C"]
    structure = answered_ok(
        client.put(
            dt("partsStructure"),
            headers=a,
            json={
                "parentPartsModel": part(w.op_a, w.plant_a, "製品X"),
                "childrenPartsModel": [part(w.op_a, w.plant_a, "部品X1", amount=1)],
            },
        ),
        201,
    )
    x1 = structure["childrenPartsModel"][0]["traceId"]
    request = answered_ok(
        client.put(dt("tradeRequest"), headers=a, json=trade_request(w.op_a, x1, w.op_b)), 201
    )
    trade_id = request["tradeModel"]["tradeId"]
    status_id = request["statusModel"]["statusId"]
    secret = "B社の社外秘: 原価は1個100円です"
    response = client.post(
        "/replyMessages",
        headers=b,
        json={"operatorId": w.op_b, "requestId": status_id, "replyMessage": secret},
    )
    assert answered_ok(response) == {"requestId": status_id}

    body = amend(trade_request(w.op_a, x1, w.op_c), trade_id, status_id)
    body["statusModel"]["message"] = "お願いします。"
    response = client.put(dt("tradeRequest"), headers=a, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["statusModel"]["replyMessage"] is None
    seen = [
        client.get(url, headers=c).text
        for url in (
            dt("tradeResponse"),
            dt("status"),
            dt("status&statusTarget=RESPONSE"),
            f"/notifications?operatorId={w.op_c}",
        )
    ]
    assert all(secret not in text for text in seen), seen
    [received] = answered_ok(client.get(dt("tradeResponse"), headers=c))
    assert received["statusModel"]["replyMessage"] is None
    assert received["tradeModel"]["upstreamOperatorId"] == w.op_c
    # B no longer has the request.
    assert [
        r["tradeModel"]["tradeId"] for r in answered_ok(client.get(dt("tradeResponse"), headers=b))
    ] == [w.trade_id]


@pytest.mark.parametrize("path", ["/cfpAcl", "/cfpCertificationAcl"])
def test_release_to_an_unknown_operator_is_refused_cleanly(
    client: TestClient, world: World, path: str
) -> None:
    w = world
    unknown = str(uuid.uuid4())
    make = acl_body if path == "/cfpAcl" else cert_acl_body
    before = snapshot(w)
    response = client.post(path, headers=w.headers["B"], json=make(w.op_b, unknown, w.part_b, True))
    # 404, like an unknown upstreamOperatorId on #7.
    assert response.status_code == 404, response.text
    assert response.json() == {
        "errors": [
            {
                "errorCode": "MSGAECO0003",
                "errorDescription": f"releasedToOperatorId: {unknown} was not found.",
            }
        ]
    }
    assert snapshot(w) == before
