"""A customer's view of an answered request shows "signed by X, verified"; the signed
answer downloads as JSON and verifies against the supplier's published keys, and a changed
value does not."""

from __future__ import annotations

import copy

from fastapi import FastAPI
from fastapi.testclient import TestClient

from battrace.identity.signing import verify_value
from battrace.store import Database
from tests.support import tutorial_chain
from tests.web.support import A, B, WebUser


def test_signed_answer_view_and_download(
    app: FastAPI, client: TestClient, seeded: Database
) -> None:
    chain = tutorial_chain(client)
    user = WebUser(app)
    user.login(A)
    page = user.get(f"/requests/{chain.trade_id}")
    assert page.status_code == 200
    assert "Signed by B社, verified" in page.text or "B社の署名あり・検証済み" in page.text
    download = user.get(f"/requests/{chain.trade_id}/signed-answer.json")
    assert download.status_code == 200
    body = download.json()
    assert body["signer"] == "B社"
    rows = {r["cfpType"]: r["ghgEmission"] for r in body["value"]["rows"]}
    assert rows == {"preProductionResponse": "1.50000", "mainProductionResponse": "10.00000"}
    keys = client.get(f"https://testserver{body['jwks']}").json()
    assert verify_value(body["value"], body["signature"], keys).verified
    changed = copy.deepcopy(body["value"])
    changed["rows"][0]["ghgEmission"] = "0.1"
    outcome = verify_value(changed, body["signature"], keys)
    assert not outcome.verified and "does not match" in outcome.reason
    # the supplier has no customer's view of its own answer
    supplier = WebUser(app)
    supplier.login(B)
    assert supplier.get(f"/requests/{chain.trade_id}/signed-answer.json").status_code == 404
