"""A whole production batch exported as an NDJSON stream
(`GET /api/v1/passports/batches/{batchId}/export`): every passport once, each line the single
export of that passport, refusals as error lines, other operators' batches not found."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from battrace.passport import batch_export, transfer
from battrace.passport.access import Reader
from battrace.store import Database
from tests.passport.world import GTIN, MODEL_DATA
from tests.support import A, B, login_a, login_b

P = "/api/v1/passports"


def _batch(
    client: TestClient, headers: dict[str, str], serials: list[str], *, publish: bool = True
) -> dict[str, Any]:
    model = client.post(
        f"{P}/models",
        headers=headers,
        json={"name": "Pack 80", "category": "ev", "gtin": GTIN, "data": MODEL_DATA},
    )
    assert model.status_code == 201, model.text
    made = client.post(
        f"{P}/batches",
        headers=headers,
        json={"modelId": model.json()["modelId"], "batteries": serials, "publish": publish},
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def _stream(client: TestClient, headers: dict[str, str], batch_id: str, kind: str) -> list[Any]:
    response = client.get(f"{P}/batches/{batch_id}/export?format={kind}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


@pytest.mark.parametrize("kind", ["battrace", "batterypass", "catenax"])
def test_every_passport_once_each_line_its_single_export(
    client: TestClient, seeded: Database, kind: str
) -> None:
    a, b = login_a(client), login_b(client)
    batch = _batch(client, a, [f"BX-{n}" for n in range(6)])
    ended = batch["passportIds"][2]  # handed to a waste operator who recycles it
    waste = client.post(f"{P}/{ended}/waste", headers=a, json={"newOperatorId": str(B.operator_id)})
    assert waste.status_code == 200, waste.text
    gone = client.post(f"{P}/{ended}/recycled", headers=b, json={"reason": "shredded"})
    assert gone.status_code == 200, gone.text
    lines = _stream(client, a, batch["batchId"], kind)
    ids = [line["passportId"] for line in lines]
    assert len(ids) == len(set(ids)) and set(ids) == set(batch["passportIds"])
    for line in lines:
        passport_id = line["passportId"]
        single = client.get(f"{P}/{passport_id}/export?format={kind}", headers=a)
        if "error" in line:
            assert single.status_code == 404
            error = {**single.json(), "detail": line["error"]["detail"]}
            assert line == {"passportId": passport_id, "error": error}
        else:
            assert single.status_code == 200
            assert line == {"passportId": passport_id, **single.json()}
            assert line["format"] == kind
    assert [line["passportId"] for line in lines if "error" in line] == [ended]


def test_another_operators_batch_and_an_unknown_one_are_not_found(
    client: TestClient, seeded: Database
) -> None:
    a, b = login_a(client), login_b(client)
    draft = _batch(client, a, ["BX-D1", "BX-D2"], publish=False)
    single = client.get(f"{P}/{draft['passportIds'][0]}/export", headers=b)
    assert single.status_code == 404 and single.json()["code"] == "[dataspace] NotFound"
    theirs = client.get(f"{P}/batches/{draft['batchId']}/export", headers=b)
    unknown = client.get(f"{P}/batches/{uuid.uuid4()}/export", headers=a)
    for refused in (theirs, unknown):
        assert refused.status_code == 404, refused.text
        assert refused.json()["code"] == single.json()["code"]
        assert "batchId" in refused.json()["message"]
    assert len(_stream(client, a, draft["batchId"], "battrace")) == 2
    bad = client.get(f"{P}/batches/{draft['batchId']}/export?format=pdf", headers=a)
    assert bad.status_code == 400 and "format" in bad.json()["message"]
    assert bad.json()["code"] == "[dataspace] BadRequest"
    malformed = client.get(f"{P}/batches/not-a-batch/export", headers=a)
    assert malformed.status_code == 400 and "batchId" in malformed.json()["message"]
    assert client.get(f"{P}/batches/{draft['batchId']}/export").status_code == 403


def test_the_batch_is_read_in_chunks_each_passport_once(
    client: TestClient, seeded: Database
) -> None:
    a = login_a(client)
    batch = _batch(client, a, [f"BC-{n}" for n in range(7)])
    wanted = uuid.UUID(batch["batchId"])
    with seeded.transaction(write=False) as session:
        reader = Reader(operator_id=A.operator_id)
        made = list(
            batch_export.export_batch(
                session,
                caller=A.operator_id,
                reader=reader,
                batch_id=wanted,
                format=transfer.Format.BATTRACE,
                chunk=3,
            )
        )
    assert sorted(str(line.passport_id) for line in made) == sorted(batch["passportIds"])
    assert all(line.exported is not None and line.error is None for line in made)
