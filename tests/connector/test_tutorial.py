"""The reference tutorial's 18 calls (digest 10.2), verbatim, against battrace."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from battrace.store import Database
from tests.support import DT, A, B, cfp_set, login, part, trade_request


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_tutorial_flow(client: TestClient, seeded: Database) -> None:
    # 1. A logs in; the token is a JWT whose payload carries operator_id and a numeric exp.
    response = client.post(
        "/auth/login",
        headers={"apiKey": "Sample-APIKey1"},
        json={"operatorAccountId": A.email, "accountPassword": A.password},
    )
    assert response.status_code == 201
    tokens = response.json()
    assert set(tokens) == {"accessToken", "refreshToken"}
    claims = _claims(tokens["accessToken"])
    assert claims["operator_id"] == str(A.operator_id)
    assert claims["email"] == A.email
    assert isinstance(claims["exp"], int)
    assert claims["exp"] - int(claims["iat"]) == 3600  # type: ignore[call-overload]
    a = {"apiKey": "Sample-APIKey1", "Authorization": f"Bearer {tokens['accessToken']}"}

    # 2. A reads its own operator.
    response = client.get("/api/v1/authInfo?dataTarget=operator", headers=a)
    assert response.status_code == 200
    assert response.json() == {
        "operatorId": str(A.operator_id),
        "operatorName": "A社",
        "operatorAddress": "東京都渋谷区xx",
        "openOperatorId": "1234567890123",
        "operatorAttribute": {"globalOperatorId": "1234ABCD5678EFGH0123"},
    }

    # 3. A creates its plant.
    response = client.put(
        "/api/v1/authInfo?dataTarget=plant",
        headers=a,
        json={
            "openPlantId": "1234567890123012345",
            "operatorId": str(A.operator_id),
            "plantAddress": "xx県xx市xxxx町1-1-1234",
            "plantId": None,
            "plantName": "A工場",
            "plantAttribute": {},
        },
    )
    assert response.status_code == 201
    plant_a = response.json()
    assert plant_a["plantAttribute"] == {"globalPlantId": None}
    assert plant_a["plantName"] == "A工場"

    # 4. A creates its parent part 部品A.
    body = part(A.operator_id, plant_a["plantId"], "部品A", support="modelA")
    body.update(
        partsLabelName="PartsA",
        partsAddInfo1="Ver3.0",
        partsAddInfo2="2024-12-01-2024-12-31",
        partsAddInfo3="任意の情報が入ります",
    )
    response = client.put(f"{DT}?dataTarget=parts", headers=a, json=body)
    assert response.status_code == 201, response.text
    part_a = response.json()
    assert part_a["traceId"] is not None
    assert part_a["amountRequired"] is None
    assert list(part_a) == list(body) or set(part_a) == set(body)

    # 5. A registers the structure: 部品A needs 5 kg of 部品A1.
    child = part(A.operator_id, plant_a["plantId"], "部品A1", support="modelA-1", amount=5)
    parent = dict(part_a)
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a,
        json={"parentPartsModel": parent, "childrenPartsModel": [child]},
    )
    assert response.status_code == 201, response.text
    structure = response.json()
    assert structure["parentPartsModel"]["traceId"] == part_a["traceId"]
    a1 = structure["childrenPartsModel"][0]
    assert a1["amountRequired"] == 5

    # 6. A looks B up by corporate number.
    response = client.get(
        "/api/v1/authInfo?dataTarget=operator&openOperatorId=1234567890124", headers=a
    )
    assert response.status_code == 200
    assert response.json()["operatorId"] == str(B.operator_id)

    # 7. A asks B for the CFP of A1.
    response = client.put(
        f"{DT}?dataTarget=tradeRequest",
        headers=a,
        json=trade_request(
            A.operator_id, a1["traceId"], B.operator_id, "来月中にご回答をお願いします。"
        ),
    )
    assert response.status_code == 201, response.text
    request = response.json()
    trade_id = request["tradeModel"]["tradeId"]
    status_id = request["statusModel"]["statusId"]
    assert request["tradeModel"]["upstreamTraceId"] is None
    assert request["statusModel"]["requestStatus"] == {
        "completedCount": None,
        "completedCountModifiedAt": None,
        "tradesCount": None,
        "tradesCountModifiedAt": None,
    }
    assert request["statusModel"]["responseDueDate"] == "2024-12-31"

    # 8. - 10. B logs in, creates its plant and its terminated product 部品B.
    b = login(client, B.email, B.password)
    response = client.put(
        "/api/v1/authInfo?dataTarget=plant",
        headers=b,
        json={
            "openPlantId": "1234567890124012345",
            "operatorId": str(B.operator_id),
            "plantAddress": "xx県xx市xxxx町2-1-1234",
            "plantId": None,
            "plantName": "B工場",
            "plantAttribute": {},
        },
    )
    plant_b = response.json()["plantId"]
    response = client.put(
        f"{DT}?dataTarget=parts",
        headers=b,
        json=part(B.operator_id, plant_b, "部品B", support="modelB", terminated=True),
    )
    assert response.status_code == 201
    part_b = response.json()["traceId"]

    # 11. B sees the request, with A's part (amount masked).
    response = client.get(f"{DT}?dataTarget=tradeResponse", headers=b)
    assert response.status_code == 200
    [received] = response.json()
    assert received["statusModel"]["requestStatus"]["cfpResponseStatus"] == "NOT_COMPLETED"
    assert received["statusModel"]["requestStatus"]["tradeTreeStatus"] == "UNTERMINATED"
    assert received["statusModel"]["requestStatus"]["completedCount"] == 0
    assert received["statusModel"]["requestStatus"]["tradesCount"] == 1
    assert received["statusModel"]["message"] == "来月中にご回答をお願いします。"
    assert received["tradeModel"]["upstreamTraceId"] is None
    assert received["partsModel"]["traceId"] == a1["traceId"]
    assert received["partsModel"]["amountRequired"] is None

    # 12. B links 部品B.
    response = client.put(
        f"{DT}?dataTarget=tradeResponse&tradeId={trade_id}&traceId={part_b}", headers=b
    )
    assert response.status_code == 201, response.text
    assert response.json() == {
        "tradeId": trade_id,
        "downstreamOperatorId": str(A.operator_id),
        "upstreamOperatorId": str(B.operator_id),
        "downstreamTraceId": a1["traceId"],
        "upstreamTraceId": part_b,
    }

    # 13. B registers the CFP of 部品B; the request becomes COMPLETED.
    response = client.put(f"{DT}?dataTarget=cfp", headers=b, json=cfp_set(part_b, 1.5, 10.0))
    assert response.status_code == 201, response.text
    stored = response.json()
    assert len(stored) == 4
    assert len({row["cfpId"] for row in stored}) == 1
    assert stored[0]["cfpId"] is not None

    # 15. A lists the requests it sent.
    response = client.get(f"{DT}?dataTarget=tradeRequest", headers=a)
    assert response.json() == [
        {
            "tradeId": trade_id,
            "downstreamOperatorId": str(A.operator_id),
            "upstreamOperatorId": str(B.operator_id),
            "downstreamTraceId": a1["traceId"],
            "upstreamTraceId": part_b,
        }
    ]

    # 16. A checks the status: answered, tree terminated, 1 of 1.
    response = client.get(
        f"{DT}?dataTarget=status&statusTarget=REQUEST&traceId={a1['traceId']}", headers=a
    )
    [status] = response.json()
    assert status["statusId"] == status_id
    assert status["requestStatus"]["cfpResponseStatus"] == "COMPLETED"
    assert status["requestStatus"]["tradeTreeStatus"] == "TERMINATED"
    assert status["requestStatus"]["completedCount"] == 1
    assert status["requestStatus"]["tradesCount"] == 1

    # 17. A registers CFP against A1 (as the tutorial writes it).
    response = client.put(f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(a1["traceId"], 3.0, 20.0))
    assert response.status_code == 201, response.text

    # 18. A reads the CFP of A1: B's answer, as Response rows with B's real DQR.
    response = client.get(f"{DT}?dataTarget=cfp&traceIds={a1['traceId']}", headers=a)
    assert response.status_code == 200
    assert response.json() == [
        {
            "cfpId": None,
            "traceId": a1["traceId"],
            "ghgEmission": 1.5,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": "preProductionResponse",
            "dqrType": "preProcessingResponse",
            "dqrValue": {"TeR": 1, "GeR": 2, "TiR": 3},
        },
        {
            "cfpId": None,
            "traceId": a1["traceId"],
            "ghgEmission": 10,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": "mainProductionResponse",
            "dqrType": "mainProcessingResponse",
            "dqrValue": {"TeR": 2, "GeR": 3, "TiR": 4},
        },
    ]

    # And the parent 部品A, once it has its own CFP, totals A's own values plus 5 x B's answer
    # (digest 8.2 worked example: 3.0 + 5 x 1.5 = 10.5 and 20.0 + 5 x 10 = 70.0).
    response = client.put(
        f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(part_a["traceId"], 3.0, 20.0)
    )
    assert response.status_code == 201
    response = client.get(f"{DT}?dataTarget=cfp&traceIds={part_a['traceId']}", headers=a)
    rows = {row["cfpType"]: row for row in response.json()}
    assert rows["preProductionTotal"]["ghgEmission"] == 3
    assert rows["preComponentTotal"]["ghgEmission"] == 7.5
    assert rows["mainProductionTotal"]["ghgEmission"] == 20
    assert rows["mainComponentTotal"]["ghgEmission"] == 50
    # pre DQR: (1 x 3 + 1 x 7.5) / 10.5 = 1 for TeR; GeR (2 x 3 + 2 x 7.5)/10.5 = 2; TiR 3.
    assert rows["preProductionTotal"]["dqrValue"] == {"TeR": 1, "GeR": 2, "TiR": 3}
    assert [row["cfpType"] for row in response.json()] == [
        "preProduction",
        "preComponent",
        "mainProduction",
        "mainComponent",
        "preProductionTotal",
        "preComponentTotal",
        "mainProductionTotal",
        "mainComponentTotal",
    ]
