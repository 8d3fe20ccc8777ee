"""battrace's own bulk save of parts structures (`POST /api/v1/parts/structures`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from battrace.audit.models import AuditEvent
from battrace.connector import parts_api
from battrace.store import Database
from battrace.traceability.models import Part, PartEdge
from tests.support import DT, A, B, create_plant, login_a, login_b, part

URL = "/api/v1/parts/structures"


@dataclass
class World:
    a: dict[str, str]
    b: dict[str, str]
    plant: str
    b_plant: str


@pytest.fixture
def world(client: TestClient, seeded: Database) -> World:
    a, b = login_a(client), login_b(client)
    return World(
        a,
        b,
        create_plant(client, a, A.operator_id, "1234567890123012345"),
        create_plant(client, b, B.operator_id, "1234567890124012345"),
    )


def structure(plant: str, parent: str, children: list[str]) -> dict[str, Any]:
    return {
        "parentPartsModel": part(A.operator_id, plant, parent),
        "childrenPartsModel": [part(A.operator_id, plant, name, amount=2) for name in children],
    }


def stored(database: Database) -> tuple[int, int, int]:
    """Parts, edges and audit events stored."""
    with database.transaction(write=False) as session:
        return (
            session.scalar(select(func.count()).select_from(Part)) or 0,
            session.scalar(select(func.count()).select_from(PartEdge)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def test_a_batch_is_saved_and_answered_in_the_contract_shape(
    client: TestClient, world: World, seeded: Database
) -> None:
    batch = [
        structure(world.plant, "電池パック", ["モジュール", "筐体"]),
        structure(world.plant, "モジュール", ["セル", "バスバー"]),
        structure(world.plant, "セル", []),
    ]
    response = client.post(URL, headers=world.a, json=batch)
    assert response.status_code == 201, response.text
    saved = response.json()
    assert [s["parentPartsModel"]["partsName"] for s in saved] == [
        "電池パック",
        "モジュール",
        "セル",
    ]
    pack, module, cell = saved
    assert [c["partsName"] for c in pack["childrenPartsModel"]] == ["モジュール", "筐体"]
    assert pack["childrenPartsModel"][0]["amountRequired"] == 2
    # one part per identity: the pack's child is the module saved as a parent after it
    assert pack["childrenPartsModel"][0]["traceId"] == module["parentPartsModel"]["traceId"]
    assert module["childrenPartsModel"][0]["traceId"] == cell["parentPartsModel"]["traceId"]
    assert cell["childrenPartsModel"] == []
    # what the contract reads back is what the bulk answered, key for key
    again = client.get(
        f"{DT}?dataTarget=partsStructure&traceId={pack['parentPartsModel']['traceId']}",
        headers=world.a,
    )
    assert again.status_code == 200, again.text
    assert again.json()["parentPartsModel"] == pack["parentPartsModel"]
    assert sorted(again.json()["childrenPartsModel"], key=lambda c: c["partsName"]) == sorted(
        pack["childrenPartsModel"], key=lambda c: c["partsName"]
    )
    assert stored(seeded)[:2] == (5, 4)
    # the same batch again updates the same parts: nothing new
    repeated = client.post(URL, headers=world.a, json=batch)
    assert repeated.status_code == 201, repeated.text
    assert stored(seeded)[:2] == (5, 4)
    # another operator sees none of it
    assert client.get(f"{DT}?dataTarget=parts", headers=world.b).json() == []


def test_a_refused_item_writes_nothing_and_is_named(
    client: TestClient, world: World, seeded: Database
) -> None:
    before = stored(seeded)
    bad_child = structure(world.plant, "パックB", ["子1", "子2"])
    del bad_child["childrenPartsModel"][1]["amountRequired"]
    bad_parent = structure(world.plant, "パックC", [])
    bad_parent["parentPartsModel"]["partsName"] = ""
    response = client.post(
        URL,
        headers=world.a,
        json=[structure(world.plant, "パックA", ["子"]), bad_child, bad_parent],
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "[dataspace] BadRequest"
    # the contract's own wording for each rule, each path led by the structure's index
    assert body["message"] == (
        "Validation failed, [1].childrenPartsModel[1]: (amountRequired: is required.); "
        "[2].parentPartsModel: (partsName: cannot be blank.)."
    )
    single = dict(bad_child)
    contract = client.put(f"{DT}?dataTarget=partsStructure", headers=world.a, json=single)
    assert contract.json()["message"] == (
        "Validation failed, childrenPartsModel[1]: (amountRequired: is required.)."
    )
    assert stored(seeded) == before


def test_a_structure_refused_by_the_save_names_its_index(
    client: TestClient, world: World, seeded: Database
) -> None:
    before = stored(seeded)
    # the third structure closes a cycle through the first two: refused at save time
    batch = [
        structure(world.plant, "上", ["中"]),
        structure(world.plant, "中", ["下"]),
        structure(world.plant, "下", ["上"]),
    ]
    response = client.post(URL, headers=world.a, json=batch)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith("Validation failed, [2].childrenPartsModel[0]: (traceId: "), message
    assert "a parts structure cannot contain itself" in message
    # a plant that is not the caller's, on a later structure's child
    other_plant = structure(world.plant, "親", ["子"])
    other_plant["childrenPartsModel"][0]["plantId"] = world.b_plant
    response = client.post(
        URL, headers=world.a, json=[structure(world.plant, "別", []), other_plant]
    )
    assert response.status_code == 400, response.text
    assert response.json()["message"] == (
        "Validation failed, [1].childrenPartsModel[0]: (plantId: is not a plant of this operator.)."
    )
    assert stored(seeded) == before


def test_another_operators_part_is_refused(
    client: TestClient, world: World, seeded: Database
) -> None:
    b_part = client.put(
        f"{DT}?dataTarget=parts", headers=world.b, json=part(B.operator_id, world.b_plant, "部品B")
    ).json()["traceId"]
    before = stored(seeded)
    # a part written in another operator's name
    theirs = structure(world.plant, "親", [])
    theirs["childrenPartsModel"] = [part(B.operator_id, world.b_plant, "部品B", amount=1)]
    response = client.post(
        URL, headers=world.a, json=[structure(world.plant, "自分", ["子"]), theirs]
    )
    assert response.status_code == 403, response.text
    assert response.json()["message"] == "[1]: You do not have the necessary privileges"
    # another operator's part named by its trace id, under the caller's name: not found
    named = structure(world.plant, "親", ["子"])
    named["childrenPartsModel"][0]["traceId"] = b_part
    response = client.post(URL, headers=world.a, json=[named])
    assert response.status_code == 404, response.text
    assert response.json()["message"] == f"[0]: traceId: {b_part} was not found."
    assert stored(seeded) == before
    # without an API key or a token, refused as the contract refuses it
    assert client.post(URL, json=[named]).status_code == 403
    assert client.post(URL, headers={"apiKey": world.a["apiKey"]}, json=[named]).status_code == 401


def test_bounds_are_refused_before_anything_is_read(
    client: TestClient, world: World, seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stored(seeded)
    monkeypatch.setattr(parts_api, "MAX_STRUCTURES", 3)
    monkeypatch.setattr(parts_api, "MAX_PARTS", 7)
    many = [structure(world.plant, f"部品{i}", []) for i in range(4)]
    response = client.post(URL, headers=world.a, json=many)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Validation failed, body: at most 3 structures a request (4 sent)."
    )
    wide = [
        structure(world.plant, "親", ["子1", "子2", "子3"]),
        structure(world.plant, "親2", ["子4"] * 3),
    ]
    response = client.post(URL, headers=world.a, json=wide)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Validation failed, body: at most 7 parts (parents and children) a request (8 sent)."
    )
    # the body bound: 413 from Content-Length, before it is read
    limit = client.app.state.battrace.settings.upload_max_bytes  # type: ignore[attr-defined]
    response = client.post(
        URL,
        headers={**world.a, "content-type": "application/json"},
        content=b"[" + b" " * limit + b"]",
    )
    assert response.status_code == 413
    assert response.json()["message"] == f"request body: larger than {limit} bytes."
    # not an array; an item of the wrong JSON type, named by its index
    response = client.post(URL, headers=world.a, json={"parentPartsModel": {}})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Validation failed, body: must be a JSON array of parts structures."
    )
    typed = [structure(world.plant, "親", []), {"parentPartsModel": {"partsName": 5}}]
    response = client.post(URL, headers=world.a, content=json.dumps(typed).encode())
    assert response.status_code == 400
    assert response.json()["message"].startswith(
        "Validation failed, [1].parentPartsModel.partsName: Unmarshal type error"
    ), response.text
    assert stored(seeded) == before


def test_an_empty_batch_saves_nothing(client: TestClient, world: World) -> None:
    response = client.post(URL, headers=world.a, json=[])
    assert response.status_code == 201
    assert response.json() == []


def test_the_endpoint_is_in_battraces_openapi(client: TestClient, seeded: Database) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"][URL]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    assert schema["maxItems"] == parts_api.MAX_STRUCTURES
