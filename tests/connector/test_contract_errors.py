"""Every documented error example of the contract (digest Appendix A), status and body.

Each case sends the bad request the example describes and checks the status, the `code`,
the exact `message` and the shape of `detail`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from battrace.store import Database
from tests.support import DT, A, B, cfp_set, create_plant, login_a, login_b, part, trade_request

DETAIL = re.compile(
    r"^id: (?P<id>[0-9a-f-]*), timeStamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z, "
    r"dataTarget: (?P<dt>[A-Za-z]*), method: (?P<method>[A-Z]+)$"
)


@dataclass
class World:
    a: dict[str, str]
    b: dict[str, str]
    plant: str
    parent: str
    child: str
    b_part: str


@pytest.fixture
def world(client: TestClient, seeded: Database) -> World:
    a, b = login_a(client), login_b(client)
    plant = create_plant(client, a, A.operator_id, "1234567890123012345")
    b_plant = create_plant(client, b, B.operator_id, "1234567890124012345")
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a,
        json={
            "parentPartsModel": part(A.operator_id, plant, "部品A"),
            "childrenPartsModel": [part(A.operator_id, plant, "部品A1", amount=5)],
        },
    )
    structure = response.json()
    b_part = client.put(
        f"{DT}?dataTarget=parts",
        headers=b,
        json=part(B.operator_id, b_plant, "部品B", terminated=True),
    ).json()["traceId"]
    return World(
        a,
        b,
        plant,
        structure["parentPartsModel"]["traceId"],
        structure["childrenPartsModel"][0]["traceId"],
        b_part,
    )


def assert_error(
    response: Any,
    status: int,
    code: str,
    message: str,
    *,
    method: str,
    data_target: str = "",
    operator: str | None = None,
) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code
    assert body["message"] == message
    match = DETAIL.match(body["detail"])
    assert match, body["detail"]
    assert match["method"] == method
    assert match["dt"] == data_target
    if operator is not None:
        assert match["id"] == operator


# ------------------------------------------------------------------ invalid dataTarget


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", DT),
        ("PUT", DT),
        ("DELETE", DT),
        ("GET", "/api/v1/authInfo"),
        ("PUT", "/api/v1/authInfo"),
    ],
)
def test_unknown_data_target(client: TestClient, world: World, method: str, path: str) -> None:
    response = client.request(method, f"{path}?dataTarget=hoge", headers=world.a)
    source = "auth" if "authInfo" in path else "dataspace"
    assert_error(
        response,
        400,
        f"[{source}] BadRequest",
        "Invalid request parameters, dataTarget: Unexpected query parameter",
        method=method,
        data_target="hoge",
        operator=str(A.operator_id),
    )


def test_delete_only_knows_parts(client: TestClient, world: World) -> None:
    response = client.delete(f"{DT}?dataTarget=cfp&traceId={world.child}", headers=world.a)
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "Invalid request parameters, dataTarget: Unexpected query parameter"
    )


# ------------------------------------------------------------------ authentication


def test_missing_api_key(client: TestClient, world: World) -> None:
    response = client.get(
        f"{DT}?dataTarget=parts", headers={"Authorization": world.a["Authorization"]}
    )
    assert_error(
        response,
        403,
        "[auth] AccessDenied",
        "You do not have the necessary privileges",
        method="GET",
        data_target="parts",
        operator="",
    )


def test_unknown_api_key(client: TestClient, world: World) -> None:
    headers = {**world.a, "apiKey": "no-such-key"}
    response = client.get(f"{DT}?dataTarget=parts", headers=headers)
    assert_error(
        response,
        403,
        "[auth] AccessDenied",
        "Invalid key",
        method="GET",
        data_target="parts",
        operator="",
    )


def test_missing_token(client: TestClient, world: World) -> None:
    response = client.get(f"{DT}?dataTarget=parts", headers={"apiKey": world.a["apiKey"]})
    assert_error(
        response,
        401,
        "[auth] Unauthorized",
        "Authentication required",
        method="GET",
        data_target="parts",
        operator="",
    )


@pytest.mark.parametrize("token", ["Bearer ", "Basic abc", "bearer x.y.z", "Bearer not-a-jwt"])
def test_bad_token(client: TestClient, world: World, token: str) -> None:
    response = client.get(
        f"{DT}?dataTarget=parts", headers={"apiKey": world.a["apiKey"], "Authorization": token}
    )
    assert response.status_code == 401
    expected = (
        "Invalid or expired token" if token == "Bearer not-a-jwt" else "Authentication required"
    )
    assert response.json()["message"] == expected
    assert response.json()["code"] == "[auth] Unauthorized"


def test_wrong_password(client: TestClient, seeded: Database) -> None:
    response = client.post(
        "/auth/login",
        headers={"apiKey": "Sample-APIKey1"},
        json={"operatorAccountId": A.email, "accountPassword": "wrong"},
    )
    assert_error(response, 401, "[auth] Unauthorized", "Invalid credentials", method="POST")


def test_unknown_endpoint(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/nothing?dataTarget=parts", headers=world.a)
    assert_error(
        response,
        404,
        "[dataspace] NotFound",
        "Endpoint Not Found",
        method="GET",
        data_target="parts",
        operator="",
    )
    assert client.post(f"{DT}?dataTarget=parts", headers=world.a).status_code == 404
    # as in the reference, the API key is checked before the route is looked up
    response = client.get("/api/v1/nothing?dataTarget=parts")
    assert response.status_code == 403
    assert response.json()["message"] == "You do not have the necessary privileges"


def test_other_methods_on_datatransport_are_unknown_endpoints(
    client: TestClient, world: World
) -> None:
    for method in ("POST", "PATCH", "OPTIONS"):
        response = client.request(method, f"{DT}?dataTarget=parts", headers=world.a)
        assert_error(
            response,
            404,
            "[dataspace] NotFound",
            "Endpoint Not Found",
            method=method,
            data_target="parts",
            operator="",
        )
    head = client.head(f"{DT}?dataTarget=parts", headers=world.a)
    assert head.status_code == 404
    assert head.content == b""
    denied = client.post(f"{DT}?dataTarget=parts")
    assert denied.status_code == 403
    assert denied.json()["message"] == "You do not have the necessary privileges"


# ------------------------------------------------------------------------- /auth


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "/auth/login",
            {"operatorAccountId": "", "accountPassword": "x"},
            "Validation failed, operatorAccountId: cannot be blank.",
        ),
        (
            "/auth/login",
            {"operatorAccountId": "nobody", "accountPassword": "x"},
            "Validation failed, operatorAccountId: must be a valid email address.",
        ),
        (
            "/auth/login",
            {"operatorAccountId": A.email, "accountPassword": ""},
            "Validation failed, accountPassword: cannot be blank.",
        ),
        (
            "/auth/login",
            {"operatorAccountId": 1, "accountPassword": "x"},
            "Validation failed, operatorAccountId: Unmarshal type error: expected=string, got=number.",
        ),
        (
            "/auth/login",
            b'{"operatorAccountId":,}',
            "Validation failed, invalid character ',' looking for beginning of value",
        ),
        (
            "/auth/refresh",
            {"refreshToken": ""},
            "Validation failed, refreshToken: cannot be blank.",
        ),
        (
            "/auth/refresh",
            {"refreshToken": 1},
            "Validation failed, refreshToken: Unmarshal type error: expected=string, got=number.",
        ),
        (
            "/auth/refresh",
            b'{"refreshToken":,}',
            "Validation failed, invalid character ',' looking for beginning of value",
        ),
    ],
)
def test_auth_validation(
    client: TestClient, seeded: Database, path: str, body: Any, message: str
) -> None:
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.post(path, headers={"apiKey": "Sample-APIKey1"}, **kwargs)
    assert_error(response, 400, "[auth] BadRequest", message, method="POST")


def test_refresh_with_unknown_token(client: TestClient, seeded: Database) -> None:
    response = client.post(
        "/auth/refresh", headers={"apiKey": "Sample-APIKey1"}, json={"refreshToken": "btr_unknown"}
    )
    assert_error(response, 401, "[auth] Unauthorized", "Invalid credentials", method="POST")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"newPassword": ""}, "Validation failed, newPassword: cannot be blank."),
        (
            {"newPassword": 1},
            "Validation failed, newPassword: Unmarshal type error: expected=string, got=number.",
        ),
        (
            b'{"newPassword":,}',
            "Validation failed, invalid character ',' looking for beginning of value",
        ),
        (
            {"newPassword": "Ab1!"},
            "Validation failed, newPassword: the length must be between 8 and 20.",
        ),
        (
            {"newPassword": "abcdefg1!"},
            "Validation failed, newPassword: must include at least one upper case letter.",
        ),
        (
            {"newPassword": "ABCDEFG1!"},
            "Validation failed, newPassword: must include at least one lower case letter.",
        ),
        (
            {"newPassword": "Abcdefgh!"},
            "Validation failed, newPassword: must include at least one digit.",
        ),
        (
            {"newPassword": "Abcdefgh1"},
            "Validation failed, newPassword: must include at least one special character.",
        ),
    ],
)
def test_change_password_validation(
    client: TestClient, world: World, body: Any, message: str
) -> None:
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.post("/auth/change", headers=world.a, **kwargs)
    assert_error(
        response, 400, "[auth] BadRequest", message, method="POST", operator=str(A.operator_id)
    )


# ---------------------------------------------------------------------- authInfo


def operator_body(**changes: Any) -> dict[str, Any]:
    body = {
        "operatorId": str(A.operator_id),
        "operatorName": "A社",
        "operatorAddress": "東京都",
        "openOperatorId": A.open_operator_id,
        "operatorAttribute": {"globalOperatorId": A.global_operator_id},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (operator_body(operatorName=""), "Validation failed, operatorName: cannot be blank."),
        (
            operator_body(operatorName="x" * 257),
            "Validation failed, operatorName: the length must be between 1 and 256.",
        ),
        (
            operator_body(operatorName=1),
            "Validation failed, operatorName: Unmarshal type error: expected=string, got=number.",
        ),
        (
            b'{"operatorName":,}',
            "Validation failed, invalid character ',' looking for beginning of value",
        ),
        (operator_body(openOperatorId="9999999999999"), "openOperatorId: field is immutable."),
        (
            operator_body(operatorAttribute={"globalOperatorId": B.global_operator_id}),
            f"globalOperatorId: {B.global_operator_id} is already exists.",
        ),
    ],
)
def test_put_operator_errors(client: TestClient, world: World, body: Any, message: str) -> None:
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.put("/api/v1/authInfo?dataTarget=operator", headers=world.a, **kwargs)
    assert_error(response, 400, "[auth] BadRequest", message, method="PUT", data_target="operator")


def test_put_operator_of_another(client: TestClient, world: World) -> None:
    response = client.put(
        "/api/v1/authInfo?dataTarget=operator",
        headers=world.a,
        json=operator_body(operatorId=str(B.operator_id)),
    )
    assert_error(
        response,
        403,
        "[auth] AccessDenied",
        "You do not have the necessary privileges",
        method="PUT",
        data_target="operator",
    )


def plant_body(**changes: Any) -> dict[str, Any]:
    body = {
        "plantId": None,
        "operatorId": str(A.operator_id),
        "plantName": "第二工場",
        "plantAddress": "xx県",
        "openPlantId": "1234567890123099999",
        "plantAttribute": {},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (plant_body(plantName=""), "Validation failed, plantName: cannot be blank."),
        (
            plant_body(plantName="x" * 257),
            "Validation failed, plantName: the length must be between 1 and 256.",
        ),
        (
            plant_body(plantName=1),
            "Validation failed, plantName: Unmarshal type error: expected=string, got=number.",
        ),
        (
            b'{"plantName":,}',
            "Validation failed, invalid character ',' looking for beginning of value",
        ),
        (
            plant_body(openPlantId="1234567890123abcdef"),
            "Validation failed, openPlantId: the last 6 digits must always be numeric ",
        ),
        (
            plant_body(openPlantId="1234567890123012345"),
            "openPlantId: 1234567890123012345 is already exists.",
        ),
    ],
)
def test_put_plant_errors(client: TestClient, world: World, body: Any, message: str) -> None:
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.put("/api/v1/authInfo?dataTarget=plant", headers=world.a, **kwargs)
    assert_error(response, 400, "[auth] BadRequest", message, method="PUT", data_target="plant")


def test_put_unknown_plant(client: TestClient, world: World) -> None:
    response = client.put(
        "/api/v1/authInfo?dataTarget=plant",
        headers=world.a,
        json=plant_body(plantId="00000000-0000-4000-8000-000000000001"),
    )
    assert_error(
        response, 404, "[auth] NotFound", "record not found", method="PUT", data_target="plant"
    )


def test_operator_query_errors(client: TestClient, world: World) -> None:
    both = client.get(
        f"/api/v1/authInfo?dataTarget=operator&openOperatorId=1&operatorIds={A.operator_id}",
        headers=world.a,
    )
    assert_error(
        both,
        400,
        "[auth] BadRequest",
        "Invalid request parameters, only one of operatorIds and openOperatorId can be set.",
        method="GET",
        data_target="operator",
    )
    for bad in ("", "nope", ",".join([str(A.operator_id)] * 101)):
        response = client.get(
            f"/api/v1/authInfo?dataTarget=operator&operatorIds={bad}", headers=world.a
        )
        assert_error(
            response,
            400,
            "[auth] BadRequest",
            "Invalid request parameters, operatorIds: Unexpected query parameter",
            method="GET",
            data_target="operator",
        )
    unknown = client.get(
        "/api/v1/authInfo?dataTarget=operator&openOperatorId=0000000000000", headers=world.a
    )
    assert_error(
        unknown, 404, "[auth] NotFound", "record not found", method="GET", data_target="operator"
    )


# ------------------------------------------------------------------------- parts


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"partsName": ""}, "Validation failed, partsName: cannot be blank."),
        (
            {"partsName": 1},
            "Validation failed, partsName: Unmarshal type error: expected=string, got=number.",
        ),
        (
            {"amountRequiredUnit": "キログラム"},
            "Validation failed, amountRequiredUnit: cannot be allowed 'キログラム'.",
        ),
        ({"amountRequired": 1}, "Validation failed, amountRequired: must be blank."),
        (
            {"partsName": "x" * 51},
            "Validation failed, partsName: the length must be between 1 and 50.",
        ),
    ],
)
def test_put_parts_errors(
    client: TestClient, world: World, change: dict[str, Any], message: str
) -> None:
    body = part(A.operator_id, world.plant, "部品X")
    body.update(change)
    response = client.put(f"{DT}?dataTarget=parts", headers=world.a, json=body)
    assert_error(
        response,
        400,
        "[dataspace] BadRequest",
        message,
        method="PUT",
        data_target="parts",
        operator=str(A.operator_id),
    )


def test_put_parts_malformed(client: TestClient, world: World) -> None:
    response = client.put(f"{DT}?dataTarget=parts", headers=world.a, content=b'{"partsName":,}')
    assert_error(
        response,
        400,
        "[dataspace] BadRequest",
        "Validation failed, invalid character ',' looking for beginning of value",
        method="PUT",
        data_target="parts",
    )


def test_put_parts_of_another_operator(client: TestClient, world: World) -> None:
    response = client.put(
        f"{DT}?dataTarget=parts", headers=world.a, json=part(B.operator_id, world.plant, "部品X")
    )
    assert_error(
        response,
        403,
        "[dataspace] AccessDenied",
        "You do not have the necessary privileges",
        method="PUT",
        data_target="parts",
    )


@pytest.mark.parametrize(
    ("parent_change", "message"),
    [
        ({"partsName": ""}, "Validation failed, parentPartsModel: (partsName: cannot be blank.)."),
        (
            {"partsName": "x" * 51},
            "Validation failed, parentPartsModel: (partsName: the length must be between 1 and 50.).",
        ),
        (
            {"partsName": 1},
            "Validation failed, parentPartsModel.partsName: Unmarshal type error: expected=string, got=number.",
        ),
        (
            {"amountRequired": 1},
            "Validation failed, parentPartsModel: (amountRequired: must be blank.).",
        ),
    ],
)
def test_put_structure_errors(
    client: TestClient, world: World, parent_change: dict[str, Any], message: str
) -> None:
    parent = part(A.operator_id, world.plant, "部品A")
    parent.update(parent_change)
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=world.a,
        json={"parentPartsModel": parent, "childrenPartsModel": []},
    )
    assert_error(
        response, 400, "[dataspace] BadRequest", message, method="PUT", data_target="partsStructure"
    )


def test_put_structure_child_needs_amount(client: TestClient, world: World) -> None:
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=world.a,
        json={
            "parentPartsModel": part(A.operator_id, world.plant, "部品A"),
            "childrenPartsModel": [part(A.operator_id, world.plant, "部品A2")],
        },
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Validation failed, childrenPartsModel[0]: (amountRequired: is required.)."
    )


@pytest.mark.parametrize(
    ("victim", "code", "message"),
    [
        ("parent", "MSGAECP0014", "指定された部品は部品構成が存在するため削除できません。"),
        ("child", "MSGAECP0014", "指定された部品は部品構成が存在するため削除できません。"),
        ("unknown", "MSGAECP0013", "指定された部品は存在しません。"),
    ],
)
def test_delete_part_refused(
    client: TestClient, world: World, victim: str, code: str, message: str
) -> None:
    trace = {
        "parent": world.parent,
        "child": world.child,
        "unknown": "00000000-0000-4000-8000-000000000009",
    }[victim]
    response = client.delete(f"{DT}?dataTarget=parts&traceId={trace}", headers=world.a)
    assert response.status_code == 400
    assert response.json() == {
        "code": "[traceability] BadRequest",
        "message": message,
        "detail": code,
    }


def test_delete_part_with_trades(client: TestClient, world: World) -> None:
    # A requests CFP for a part outside any structure; B links its part to that request.
    lonely = client.put(
        f"{DT}?dataTarget=parts", headers=world.a, json=part(A.operator_id, world.plant, "単品")
    ).json()["traceId"]
    # a part that is a parent (of no children) is not part of a structure: it may be requested
    request = client.put(
        f"{DT}?dataTarget=tradeRequest",
        headers=world.a,
        json=trade_request(A.operator_id, lonely, B.operator_id),
    ).json()
    response = client.delete(f"{DT}?dataTarget=parts&traceId={lonely}", headers=world.a)
    assert response.json() == {
        "code": "[traceability] BadRequest",
        "message": "指定された部品は依頼済みのため削除できません。",
        "detail": "MSGAECP0015",
    }
    trade_id = request["tradeModel"]["tradeId"]
    client.put(
        f"{DT}?dataTarget=tradeResponse&tradeId={trade_id}&traceId={world.b_part}", headers=world.b
    )
    response = client.delete(f"{DT}?dataTarget=parts&traceId={world.b_part}", headers=world.b)
    assert response.json() == {
        "code": "[traceability] BadRequest",
        "message": "指定された部品は受領済みの依頼に紐づいているため削除できません。",
        "detail": "MSGAECP0016",
    }


def test_delete_part(client: TestClient, world: World) -> None:
    free = client.put(
        f"{DT}?dataTarget=parts", headers=world.a, json=part(A.operator_id, world.plant, "消す部品")
    ).json()["traceId"]
    response = client.delete(f"{DT}?dataTarget=parts&traceId={free}", headers=world.a)
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{DT}?dataTarget=parts&traceId={free}", headers=world.a).json() == []


# ------------------------------------------------------------------------- trades


def request_with(**changes: Any) -> dict[str, Any]:
    body = trade_request(A.operator_id, "00000000-0000-4000-8000-000000000001", B.operator_id)
    for key, value in changes.items():
        section = "tradeModel" if key in body["tradeModel"] else "statusModel"
        body[section][key] = value
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            request_with(downstreamTraceId=""),
            "Validation failed, downstreamTraceId: cannot be blank.",
        ),
        (
            request_with(responseDueDate="2024/12/31"),
            "Validation failed, responseDueDate: must be a valid date.",
        ),
        (
            request_with(message="x" * 1001),
            "Validation failed, message: the length must be no more than 1000.",
        ),
        (
            request_with(message=1),
            "Validation failed, message: Unmarshal type error: expected=string, got=number.",
        ),
        (
            request_with(requestType="hoge"),
            "Validation failed, requestType: cannot be allowed 'hoge'.",
        ),
        (
            b'{"tradeModel":,}',
            "Validation failed, invalid character ',' looking for beginning of value",
        ),
    ],
)
def test_put_trade_request_errors(
    client: TestClient, world: World, body: Any, message: str
) -> None:
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.put(f"{DT}?dataTarget=tradeRequest", headers=world.a, **kwargs)
    assert_error(
        response, 400, "[dataspace] BadRequest", message, method="PUT", data_target="tradeRequest"
    )


def status_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusId": "00000000-0000-4000-8000-000000000001",
        "tradeId": "00000000-0000-4000-8000-000000000002",
        "requestStatus": {"cfpResponseStatus": "CANCEL", "tradeTreeStatus": None},
        "message": None,
        "replyMessage": None,
        "requestType": "CFP",
        "responseDueDate": None,
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (status_body(statusId=""), "Validation failed, statusId: cannot be blank."),
        (
            status_body(replyMessage="x" * 1001),
            "Validation failed, replyMessage: the length must be no more than 1000.",
        ),
        (
            status_body(replyMessage=1),
            "Validation failed, replyMessage: Unmarshal type error: expected=string, got=number.",
        ),
        (
            b'{"statusId":,}',
            "Validation failed, invalid character ',' looking for beginning of value",
        ),
        (
            status_body(requestStatus={"cfpResponseStatus": "COMPLETED"}),
            "Validation failed, requestStatus: (cfpResponseStatus: cannot be allowed 'COMPLETED').",
        ),
    ],
)
def test_put_status_errors(client: TestClient, world: World, body: Any, message: str) -> None:
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.put(f"{DT}?dataTarget=status", headers=world.a, **kwargs)
    assert_error(
        response, 400, "[dataspace] BadRequest", message, method="PUT", data_target="status"
    )


# ---------------------------------------------------------------------------- cfp


def cfp_with(world: World, index: int = 0, **changes: Any) -> list[dict[str, Any]]:
    rows = cfp_set(world.b_part, 1.5, 10)
    rows[index].update(changes)
    return rows


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda w: [dict(row, traceId="") for row in cfp_with(w)],
            "Validation failed, cfpModel[0]: (traceId: cannot be blank.); cfpModel[1]: (traceId: "
            "cannot be blank.); cfpModel[2]: (traceId: cannot be blank.); cfpModel[3]: (traceId: "
            "cannot be blank.).",
        ),
        (
            lambda w: cfp_with(w, cfpType=1),
            "Validation failed, cfpType: Unmarshal type error: expected=string, got=number.",
        ),
        (
            lambda w: [*cfp_with(w), cfp_with(w)[0]],
            "Validation failed, cfp models must be 4 elements",
        ),
        (
            lambda w: cfp_with(w)[:3],
            "Validation failed, cfp models must be 4 elements; cfpType mainComponent is insufficient",
        ),
        (
            lambda w: [
                dict(
                    row,
                    cfpType="preProduction",
                    dqrType="preProcessing",
                    dqrValue={"TeR": 1, "GeR": 2, "TiR": 3},
                )
                if row["cfpType"] == "mainProduction"
                else row
                for row in cfp_set(w.b_part, 1.5, 10, main_component=1)
            ],
            "Validation failed, cfpType mainProduction is insufficient",
        ),
        (
            lambda w: cfp_with(w, 2, cfpId="00000000-0000-4000-8000-000000000001"),
            "Validation failed, ensure all objects have the same cfpId",
        ),
        (
            lambda w: cfp_with(w, ghgEmission=1.123456),
            "Validation failed, cfpModel[0]: (ghgEmission: must be a value up to the 5th decimal place.).",
        ),
        (
            lambda w: [
                dict(row, dqrType="mainProcessing", dqrValue={"TeR": 2, "GeR": 3, "TiR": 4})
                if row["cfpType"] == "preProduction"
                else row
                for row in cfp_set(w.b_part, 1.5, 10, pre_component=1)
            ],
            "Validation failed, cfpModel[0]: (ensure the combination of cfpType and dqrType is correct.).",
        ),
        (
            lambda w: cfp_with(w, dqrValue={"TeR": 9, "GeR": 2, "TiR": 3}),
            "Validation failed, different dqrValues are set for the same dqrType.",
        ),
        (
            lambda w: cfp_with(w, ghgEmission=0),
            "Validation failed, set ghgEmission to a value greater than 0 for cfpType of preProduction or "
            "preComponent.",
        ),
        (
            lambda w: cfp_with(w, traceId="", cfpType="hoge", ghgEmission=-1),
            "Validation failed, cfpModel[0]: (cfpType: cannot be allowed 'hoge'; ghgEmission: must be no "
            "less than 0; traceId: cannot be blank.); cfpType preProduction is insufficient; ensure all "
            "objects have the same traceId; set ghgEmission to a value greater than 0 for cfpType of "
            "preProduction or preComponent.",
        ),
    ],
)
def test_put_cfp_errors(client: TestClient, world: World, make: Any, message: str) -> None:
    response = client.put(f"{DT}?dataTarget=cfp", headers=world.b, json=make(world))
    assert_error(
        response,
        400,
        "[dataspace] BadRequest",
        message,
        method="PUT",
        data_target="cfp",
        operator=str(B.operator_id),
    )


@pytest.mark.parametrize(
    ("make", "prefix"),
    [
        # The contract's examples show the first error only: a blank traceId also differs from
        # the other rows', and an unknown cfpType leaves a type missing; those follow it.
        (
            lambda w: cfp_with(w, traceId=""),
            "Validation failed, cfpModel[0]: (traceId: cannot be blank.).",
        ),
        (
            lambda w: cfp_with(w, cfpType="hoge"),
            "Validation failed, cfpModel[0]: (cfpType: cannot be allowed 'hoge'.).",
        ),
    ],
)
def test_put_cfp_first_errors(client: TestClient, world: World, make: Any, prefix: str) -> None:
    response = client.put(f"{DT}?dataTarget=cfp", headers=world.b, json=make(world))
    assert response.status_code == 400
    assert response.json()["message"].startswith(prefix.removesuffix("."))


def test_put_cfp_malformed_and_empty(client: TestClient, world: World) -> None:
    response = client.put(f"{DT}?dataTarget=cfp", headers=world.b, content=b'[{"cfpId":,}]')
    assert response.json()["message"] == (
        "Validation failed, invalid character ',' looking for beginning of value"
    )
    response = client.put(f"{DT}?dataTarget=cfp", headers=world.b, json=[])
    assert response.status_code == 400
    assert response.json()["message"].startswith("Validation failed, cfp models must be 4 elements")


# ------------------------------------------------------------------ query parameters


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("dataTarget=parts&limit=0", "limit"),
        ("dataTarget=parts&limit=101", "limit"),
        ("dataTarget=parts&limit=ten", "limit"),
        ("dataTarget=parts&after=xyz", "after"),
        ("dataTarget=parts&traceId=xyz", "traceId"),
        ("dataTarget=parts&plantId=xyz", "plantId"),
        ("dataTarget=parts&parentFlag=yes", "parentFlag"),
        ("dataTarget=partsStructure", "traceId"),
        ("dataTarget=partsStructure&traceId=1", "traceId"),
        ("dataTarget=tradeRequest&traceIds=1,2", "traceIds"),
        ("dataTarget=tradeResponse&limit=-1", "limit"),
        ("dataTarget=status&statusTarget=BOTH", "statusTarget"),
        ("dataTarget=status&statusId=1", "statusId"),
        ("dataTarget=cfp", "traceIds"),
        ("dataTarget=cfp&traceIds=abc", "traceIds"),
        ("dataTarget=cfpCertification", "traceId"),
    ],
)
def test_get_query_errors(client: TestClient, world: World, query: str, param: str) -> None:
    response = client.get(f"{DT}?{query}", headers=world.a)
    data_target = query.split("&", maxsplit=1)[0].split("=")[1]
    assert_error(
        response,
        400,
        "[dataspace] BadRequest",
        f"Invalid request parameters, {param}: Unexpected query parameter",
        method="GET",
        data_target=data_target,
    )


def test_too_many_cfp_trace_ids(client: TestClient, world: World) -> None:
    ids = ",".join([world.child] * 51)
    response = client.get(f"{DT}?dataTarget=cfp&traceIds={ids}", headers=world.a)
    assert (
        response.json()["message"]
        == "Invalid request parameters, traceIds: Unexpected query parameter"
    )


@pytest.mark.parametrize("query", ["tradeId=bad&traceId={b}", "tradeId={b}", "traceId={b}"])
def test_put_trade_response_query_errors(client: TestClient, world: World, query: str) -> None:
    response = client.put(
        f"{DT}?dataTarget=tradeResponse&{query.format(b=world.b_part)}", headers=world.b
    )
    param = "tradeId" if "tradeId={b}" not in query else "traceId"
    assert_error(
        response,
        400,
        "[dataspace] BadRequest",
        f"Invalid request parameters, {param}: Unexpected query parameter",
        method="PUT",
        data_target="tradeResponse",
    )


def test_delete_query_error(client: TestClient, world: World) -> None:
    response = client.delete(f"{DT}?dataTarget=parts&traceId=nope", headers=world.a)
    assert_error(
        response,
        400,
        "[dataspace] BadRequest",
        "Invalid request parameters, traceId: Unexpected query parameter",
        method="DELETE",
        data_target="parts",
    )
