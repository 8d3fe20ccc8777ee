"""Data versions per operator (`store.version`): a company's write moves its own version and
those of the companies whose answers it changes through a trade, no one else's; and writes of
unrelated companies do not wait for each other (PostgreSQL, where they could)."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from battrace.state import AppState
from battrace.store import version
from battrace.traceability import totals_hook
from battrace.traceability.models import CfpValue
from tests.support import DT, A, B, cfp_set, part, tutorial_chain


def new_part(client: TestClient, headers: dict[str, str], operator: uuid.UUID, plant: str) -> str:
    made = client.put(f"{DT}?dataTarget=parts", headers=headers, json=part(operator, plant, "単体"))
    assert made.status_code == 201, made.text
    return str(made.json()["traceId"])


def plant_of(client: TestClient, headers: dict[str, str]) -> str:
    plants = client.get("/api/v1/authInfo?dataTarget=plant", headers=headers).json()
    return str(plants[0]["plantId"])


def test_a_write_moves_the_writers_version_and_its_customers_not_others(
    app: FastAPI, client: TestClient, seeded: object
) -> None:
    state: AppState = app.state.battrace
    chain = tutorial_chain(client, parent_cfp=True)  # B answers A's request
    b_alone = new_part(client, chain.b, B.operator_id, plant_of(client, chain.b))
    kept = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.parent}", headers=chain.a).json()
    assert any(row["ghgEmission"] == 7.5 for row in kept)  # 5 kg x 1.5, now kept for A
    before_a, before_b = state.data_version(A.operator_id), state.data_version(B.operator_id)

    # B's value for a part nobody asked about: B's answers change, A's do not.
    put = client.put(f"{DT}?dataTarget=cfp", headers=chain.b, json=cfp_set(b_alone, 1, 2))
    assert put.status_code == 201, put.text
    assert state.data_version(B.operator_id) > before_b
    assert state.data_version(A.operator_id) == before_a

    # B's answer to A's request changes: A's rolled-up CFP changes, so A's version moves.
    rows = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.b_part}", headers=chain.b).json()
    changed = cfp_set(chain.b_part, 7, 70, cfp_id=rows[0]["cfpId"])
    assert client.put(f"{DT}?dataTarget=cfp", headers=chain.b, json=changed).status_code == 201
    assert state.data_version(A.operator_id) > before_a
    answer = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.parent}", headers=chain.a).json()
    assert any(row["ghgEmission"] == 35 for row in answer)  # 5 kg x 7, not the kept 5 x 1.5


def test_writes_of_unrelated_companies_do_not_wait_for_each_other(
    app: FastAPI, client: TestClient, seeded: object
) -> None:
    state: AppState = app.state.battrace
    if state.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    chain = tutorial_chain(client, parent_cfp=True)
    b_alone = new_part(client, chain.b, B.operator_id, plant_of(client, chain.b))

    # A's write, stopped just before its commit: settled, versions raised, locks held.
    open_write = state.session(write=True)
    row = open_write.scalar(
        select(CfpValue).where(CfpValue.trace_id == uuid.UUID(chain.parent)).limit(1)
    )
    assert row is not None
    row.ghg_emission = Decimal(9)
    totals_hook.settle_if_touched(open_write)
    version.bump(open_write)

    answered: list[int] = []

    def b_writes() -> None:
        put = client.put(f"{DT}?dataTarget=cfp", headers=chain.b, json=cfp_set(b_alone, 3, 4))
        answered.append(put.status_code)

    other = threading.Thread(target=b_writes)
    other.start()
    other.join(timeout=20)
    try:
        assert not other.is_alive(), "B's write waited for A's open transaction"
        assert answered == [201]
    finally:
        open_write.commit()
        open_write.close()
        other.join()
