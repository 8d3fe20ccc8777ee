"""The resolver keeps each public answer per worker under the passport's stamp; a write
through any worker (here a second app on the same database) is seen by the next request to
every worker, whatever it changed: the model, the passport, its lifecycle, its readings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from battrace.app import create_app
from battrace.settings import Settings
from battrace.store import Database
from tests.passport.world import GTIN, MODEL_DATA
from tests.support import A, B, login_a, login_b

P = "/api/v1/passports"


def _issue(client: TestClient, headers: dict[str, str], serials: list[str]) -> list[str]:
    made = client.post(
        f"{P}/models",
        headers=headers,
        json={"name": "Pack 80", "category": "ev", "gtin": GTIN, "data": MODEL_DATA},
    )
    assert made.status_code == 201, made.text
    batch = client.post(
        f"{P}/batches",
        headers=headers,
        json={"modelId": made.json()["modelId"], "batteries": serials, "publish": True},
    )
    assert batch.status_code == 201, batch.text
    return [made.json()["modelId"], *batch.json()["passportIds"]]


def _public(client: TestClient, path: str, status: int = 200) -> dict[str, Any]:
    answer = client.get(path, headers={"Accept": "application/json"})
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
def second(settings: Settings, seeded: Database) -> Iterator[TestClient]:
    """Another worker of the same deployment: its own process state, the same database."""
    with TestClient(create_app(settings, database=seeded), client=("127.0.0.1", 2)) as other:
        yield other


def test_kept_answers_are_the_fresh_ones_and_follow_every_write(
    client: TestClient, second: TestClient
) -> None:
    a = login_a(second)
    model_id, passport_id = _issue(second, a, ["C-1"])
    by_id, link = f"/passport/{passport_id}", f"/01/{GTIN}/21/C-1"
    fresh = client.get(f"{by_id}?format=json")
    kept = client.get(f"{by_id}?format=json")
    assert fresh.status_code == kept.status_code == 200
    assert kept.content == fresh.content  # byte for byte
    assert client.get(link, headers={"Accept": "application/json"}).content == fresh.content
    html = client.get(by_id, headers={"Accept-Language": "ja"})
    assert "バッテリーパスポート" in html.text and "450" in html.text
    assert client.get(f"{by_id}?lang=en").text != html.text  # each language kept apart

    # The model changes (public data) through the other worker.
    changed = second.put(
        f"{P}/models/{model_id}", headers=a, json={"data": {"general": {"weight": 451}}}
    )
    assert changed.status_code == 200, changed.text
    assert _public(client, f"{by_id}?format=json")["sections"]["general"]["weight"] == 451
    assert _public(client, link)["sections"]["general"]["weight"] == 451
    assert "451" in client.get(by_id, headers={"Accept-Language": "ja"}).text

    # A successor (same battery identifier) made by the other worker: the old passport
    # names it, and the GS1 link now answers the successor.
    successor = second.post(
        f"{P}/successors",
        headers=a,
        json={
            "predecessorIds": [passport_id],
            "status": "repurposed",
            "category": "stationary",
            "newOperatorId": str(B.operator_id),
        },
    )
    assert successor.status_code == 201, successor.text
    successor_id = successor.json()["passportId"]
    assert _public(client, by_id)["successors"] == [successor_id]
    assert _public(client, link)["passportId"] == successor_id
    assert _public(client, f"/passport/{successor_id}")["responsibleOperator"]["operatorId"] == (
        str(B.operator_id)
    )

    # Waste (responsibility moves back to A), then recycling: a tombstone.
    b = login_b(second)
    waste = second.post(
        f"{P}/{successor_id}/waste", headers=b, json={"newOperatorId": str(A.operator_id)}
    )
    assert waste.status_code == 200, waste.text
    assert _public(client, link)["responsibleOperator"]["operatorId"] == str(A.operator_id)
    ended = second.post(f"{P}/{successor_id}/recycled", headers=a, json={"reason": "shredded"})
    assert ended.status_code == 200, ended.text
    gone = _public(client, link, 410)
    assert gone["ended"] is True and gone["sections"] == {}
    assert client.get(f"/passport/{successor_id}").status_code == 410


def test_a_draft_is_not_kept_once_published(client: TestClient, second: TestClient) -> None:
    a = login_a(second)
    model = second.post(f"{P}/models", headers=a, json={"name": "M", "category": "lmt"}).json()
    made = second.post(
        f"{P}", headers=a, json={"modelId": model["modelId"], "batteryIdentifier": "LMT-9"}
    )
    draft = made.json()["passportId"]
    assert client.get(f"/passport/{draft}?format=json").status_code == 404
    published = second.post(f"{P}/publish", headers=a, json={"passportIds": [draft]})
    assert published.status_code == 200
    assert _public(client, f"/passport/{draft}")["publication"] == "active"


def test_readings_by_a_grantee_reach_kept_answers(settings: Settings, seeded: Database) -> None:
    """A deployment whose public reads dynamic data: readings sent by an operator the
    responsible one authorised (not the passport's owner) still renew the kept answer."""
    public_dynamic = json.dumps({"attributes": {"performance.stateOfCharge": "public"}})
    configured = settings.model_copy(update={"passport_access_policy": public_dynamic})
    first, other = (
        TestClient(create_app(configured, database=seeded), client=("127.0.0.1", port))
        for port in (1, 2)
    )
    with first as client, other as second:
        a, b = login_a(second), login_b(second)
        _model_id, passport_id = _issue(second, a, ["R-1"])
        assert _public(client, f"/passport/{passport_id}")["dynamic"] == {}
        granted = second.post(
            f"{P}/grants",
            headers=a,
            json={
                "granteeOperatorId": str(B.operator_id),
                "interest": "owner",
                "passportId": passport_id,
                "mayReport": True,
            },
        )
        assert granted.status_code == 201, granted.text
        assert _public(client, f"/passport/{passport_id}")["dynamic"] == {}
        sent = second.post(
            f"{P}/readings",
            headers=b,
            json={
                "readings": [
                    {
                        "passportId": passport_id,
                        "metric": "stateOfCharge",
                        "measuredAt": "2026-05-01T10:00:00Z",
                        "value": 77,
                    }
                ]
            },
        )
        assert sent.status_code in (200, 201), sent.text
        dynamic = _public(client, f"/passport/{passport_id}")["dynamic"]
        assert dynamic["stateOfCharge"]["value"] == "77"


def test_the_cache_can_be_turned_off(settings: Settings, seeded: Database) -> None:
    off = settings.model_copy(update={"passport_cache_entries": 0})
    with TestClient(create_app(off, database=seeded), client=("127.0.0.1", 3)) as client:
        a = login_a(client)
        _model_id, passport_id = _issue(client, a, ["O-1"])
        assert _public(client, f"/passport/{passport_id}")["serial"] == "O-1"
        assert _public(client, f"/passport/{passport_id}")["serial"] == "O-1"
