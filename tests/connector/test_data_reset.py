"""`PUT /dataReset` (undocumented, as in the reference): the data of the operators bound to the
API key goes, everyone else's stays, and nothing is reset for a key bound to no operator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from battrace.app import create_app
from battrace.audit.models import AuditEvent
from battrace.cli.seeds import DATA_SPACE_KEY
from battrace.diligence.models import DdRequest
from battrace.identity.models import Operator
from battrace.settings import Settings
from battrace.store import Database
from battrace.traceability.models import Part, Trade
from tests.diligence.chain import REFINER, seed_companies
from tests.support import DT, TutorialChain, create_plant, login, part, tutorial_chain


def _own_parts(client: TestClient, headers: dict[str, str]) -> list[dict]:
    response = client.get(f"{DT}?dataTarget=parts", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.fixture
def client(settings: Settings, database: Database) -> Iterator[TestClient]:
    """A test deployment: the reset is switched on explicitly."""
    on = settings.model_copy(update={"data_reset": True})
    with TestClient(create_app(on, database=database), client=("127.0.0.1", 50000)) as client:
        yield client


def test_reset_clears_the_callers_data_only(client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client, parent_cfp=True)
    seed_companies(seeded)
    other = login(client, REFINER.email, REFINER.password, DATA_SPACE_KEY)
    plant = create_plant(client, other, REFINER.operator_id, f"{REFINER.open_operator_id}000009")
    kept = client.put(
        f"{DT}?dataTarget=parts", headers=other, json=part(REFINER.operator_id, plant, "Ore")
    )
    assert kept.status_code == 201
    request = ask_dd(client, chain)
    assert request
    b_parts = _own_parts(client, chain.b)
    assert b_parts

    # A and B share the tutorial's API key: A's reset leaves B's data alone
    done = client.put("/dataReset", headers=chain.a)
    assert done.status_code == 200, done.text
    assert done.text.strip() == "null"
    assert _own_parts(client, chain.a) == []
    assert _own_parts(client, chain.b) == b_parts
    plants = client.get("/api/v1/authInfo?dataTarget=plant", headers=chain.a)
    assert plants.json() == []
    b_plants = client.get("/api/v1/authInfo?dataTarget=plant", headers=chain.b)
    assert b_plants.json() != []
    assert [p["partsName"] for p in _own_parts(client, other)] == ["Ore"]
    with seeded.transaction(write=False) as session:
        # the trade between A and B goes with A's data (it cannot stand without A's part)
        assert session.scalar(select(func.count()).select_from(Trade)) == 0
        assert session.scalar(select(func.count()).select_from(DdRequest)) == 0
        assert session.scalar(select(func.count()).select_from(Part)) == 1 + len(b_parts)
        assert session.scalar(select(func.count()).select_from(Operator)) >= 6  # operators stay
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "data:reset")
            )
            == 1
        )

    # B resets its own data too; the tutorial then runs again from the start
    assert client.put("/dataReset", headers=chain.b).status_code == 200
    assert _own_parts(client, chain.b) == []
    again = tutorial_chain(client)
    assert again.trade_id


def ask_dd(client: TestClient, chain: TutorialChain) -> str:
    response = client.post(
        "/api/v1/diligence/requests",
        headers=chain.a,
        json={"tradeId": chain.trade_id, "materials": ["cobalt"]},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["requestId"])


def test_reset_needs_a_token(client: TestClient, seeded: Database) -> None:
    response = client.put("/dataReset", headers={"apiKey": "Sample-APIKey1"})
    assert response.status_code == 401
    assert response.json()["code"] == "[auth] Unauthorized"


def test_reset_is_off_by_default(settings: Settings, seeded: Database) -> None:
    assert settings.data_reset is False  # the fixture's settings are the defaults here
    with TestClient(create_app(settings, database=seeded), client=("127.0.0.1", 50000)) as client:
        chain = tutorial_chain(client)
        response = client.put("/dataReset", headers=chain.a)
        assert response.status_code == 404
        assert response.json()["message"] == "Endpoint Not Found"
        assert len(_own_parts(client, chain.a)) == 2
