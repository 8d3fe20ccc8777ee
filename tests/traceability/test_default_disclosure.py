"""A server that withholds by default (`BATTRACE_DISCLOSE_BY_DEFAULT=false`): a supplier
that has decided nothing shows its customer nothing, through the readers the contract calls
with `state.settings` (the response rows and the customer's totals), until it releases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from battrace.settings import Settings
from battrace.store import Database
from tests.support import DT, A, B, TutorialChain, tutorial_chain


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"disclose_by_default": False})


def _rows(client: TestClient, chain: TutorialChain, trace_id: str) -> dict[str, object]:
    response = client.get(f"{DT}?dataTarget=cfp&traceIds={trace_id}", headers=chain.a)
    assert response.status_code == 200, response.text
    return {row["cfpType"]: row["ghgEmission"] for row in response.json()}


def test_an_undecided_supplier_discloses_nothing_until_it_releases(
    client: TestClient, seeded: Database
) -> None:
    chain = tutorial_chain(client, parent_cfp=True)
    assert _rows(client, chain, chain.a_child) == {
        "preProductionResponse": None,
        "mainProductionResponse": None,
    }
    assert _rows(client, chain, chain.parent)["preComponentTotal"] is None
    released = client.post(
        "/cfpAcl",
        headers=chain.b,
        json={
            "operatorId": str(B.operator_id),
            "releasedToOperatorId": str(A.operator_id),
            "traceId": chain.b_part,
            "acl": [{"aclItemGroup": "TOTALCFP", "releasedFlag": True}],
        },
    )
    assert released.status_code in (200, 201), released.text
    assert _rows(client, chain, chain.a_child) == {
        "preProductionResponse": 1.5,
        "mainProductionResponse": 10,
    }
    assert _rows(client, chain, chain.parent)["preComponentTotal"] == 7.5  # 5 kg x 1.5
