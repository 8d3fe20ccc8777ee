"""Bad input is refused with the error shape of its API, never a 500 (hardening items 5, 7,
8, 9): deep nesting, lone surrogates, NUL bytes, over-long strings, over-large bodies, wrong
JSON types, and the headers every answer carries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from battrace.app import create_app
from battrace.diligence.models import DdResponse
from battrace.settings import Settings
from battrace.store import Database
from tests.connector.test_data_reset import ask_dd
from tests.connector.test_traceability_api import trace_headers
from tests.support import DT, A, B, TutorialChain, tutorial_chain

DD = "/api/v1/diligence"
DEEP = b"[" * 10_000 + b"]" * 10_000


def _refused(response: Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def chain(client: TestClient, seeded: Database) -> TutorialChain:
    return tutorial_chain(client)


def test_deep_nesting_is_refused_on_every_parser(client: TestClient, chain: TutorialChain) -> None:
    deep_object = b'{"a":' + DEEP + b"}"
    contract = client.put(f"{DT}?dataTarget=parts", headers=chain.a, content=deep_object)
    assert "exceeded max depth" in _refused(contract)["message"]
    own = client.post(f"{DD}/requests", headers=chain.a, content=deep_object)
    assert "nested too deeply" in _refused(own)["message"]
    trace = client.post("/cfpAcl", headers=trace_headers(chain.b), content=deep_object)
    assert _refused(trace)["errors"][0]["errorCode"] == "MSGAECO0002"
    # 40 levels parse in Python, and are still refused
    forty = b'{"acl":' + b"[" * 40 + b"]" * 40 + b"}"
    assert _refused(client.post(f"{DD}/requests", headers=chain.a, content=forty))


def test_lone_surrogates_and_nul_are_refused(client: TestClient, chain: TutorialChain) -> None:
    body = b'{"tradeId": "%s", "materials": ["\\ud800"]}' % chain.trade_id.encode()
    answer = _refused(client.post(f"{DD}/requests", headers=chain.a, content=body))
    assert "lone surrogate" in answer["message"]
    key = b'{"\\udfff": 1}'
    assert _refused(client.put(f"{DT}?dataTarget=parts", headers=chain.a, content=key))
    nul = client.post(
        f"{DD}/evidence",
        params={"documentType": "audit_report", "title": "RMAP\x00", "fileName": "a.pdf"},
        content=b"%PDF-1.4",
        headers={**chain.b, "Content-Type": "application/pdf"},
    )
    assert "title" in _refused(nul)["message"]


def test_empty_acl_item_group_is_refused(client: TestClient, chain: TutorialChain) -> None:
    response = client.post(
        "/cfpAcl",
        headers=trace_headers(chain.b),
        json={
            "operatorId": str(B.operator_id),
            "releasedToOperatorId": str(A.operator_id),
            "traceId": chain.b_part,
            "acl": [{"aclItemGroup": [], "releasedFlag": True}],
        },
    )
    assert _refused(response)["errors"][0]["errorCode"] == "MSGAECO0002"


def _answer(client: TestClient, chain: TutorialChain, request_id: str, body: object) -> Response:
    return client.put(f"{DD}/requests/{request_id}/answer", headers=chain.b, json=body)


def test_long_strings_are_refused_on_both_databases(
    client: TestClient, chain: TutorialChain, seeded: Database
) -> None:
    request_id = ask_dd(client, chain)
    huge = _answer(client, chain, request_id, {"signer": {"name": "x" * 1_000_000}})
    assert "signer.name" in _refused(huge)["message"]
    # longer than its column (200) but short of the parser's bound: the flush check refuses
    long = _answer(client, chain, request_id, {"signer": {"name": "x" * 201}})
    assert "signer_name: must be at most 200 characters" in _refused(long)["message"]
    with seeded.transaction(write=False) as session:
        assert session.scalars(select(DdResponse.signer_name)).all() == []


def test_bodies_past_the_limit_are_refused_before_reading(
    client: TestClient, chain: TutorialChain
) -> None:
    big = b'{"a": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    response = client.put(f"{DT}?dataTarget=parts", headers=chain.a, content=big)
    assert _refused(response, 413)["code"] == "[dataspace] PayloadTooLarge"
    own = client.post(f"{DD}/requests", headers=chain.a, content=big)
    assert _refused(own, 413)["message"].startswith("request body: larger than")


def test_wrong_types_are_refused(client: TestClient, chain: TutorialChain) -> None:
    slot = client.post(
        "/fileUploadUrl",
        headers=trace_headers(chain.b),
        json={"operatorId": str(B.operator_id), "fileInfo": [{"fileName": 7, "extension": "pdf"}]},
    )
    assert "fileName" in _refused(slot)["errors"][0]["errorDescription"]
    for description in (5, ["a"]):
        info = client.post(
            "/cfpCertificationInfo",
            headers=trace_headers(chain.b),
            json={
                "operatorId": str(B.operator_id),
                "traceId": chain.b_part,
                "cfpCertificationDescription": description,
                "cfpCertificationFileInfo": [],
            },
        )
        assert "cfpCertificationDescription" in _refused(info)["errors"][0]["errorDescription"]
    template = client.post(
        f"{DD}/requests",
        headers=chain.a,
        json={"tradeId": chain.trade_id, "templateId": {}, "materials": ["cobalt"]},
    )
    assert "templateId" in _refused(template)["message"]
    materials = client.post(
        f"{DD}/requests", headers=chain.a, json={"tradeId": chain.trade_id, "materials": [1]}
    )
    assert "materials" in _refused(materials)["message"]


def test_an_empty_answer_body_keeps_the_draft(
    client: TestClient, chain: TutorialChain, seeded: Database
) -> None:
    request_id = ask_dd(client, chain)
    saved = _answer(client, chain, request_id, {"signer": {"name": "Hanako Sato"}})
    assert saved.status_code == 200, saved.text
    assert _refused(_answer(client, chain, request_id, {}))
    with seeded.transaction(write=False) as session:
        assert session.scalars(select(DdResponse.signer_name)).all() == ["Hanako Sato"]


def test_security_headers(client: TestClient, chain: TutorialChain) -> None:
    login = client.post(
        "/auth/login",
        json={"operatorAccountId": A.email, "accountPassword": A.password},
        headers={"apiKey": chain.a["apiKey"]},
    )
    assert login.headers["cache-control"] == "no-store"
    assert login.headers["x-content-type-options"] == "nosniff"
    report = client.get(
        "/api/v1/footprint", params={"traceId": chain.parent, "format": "html"}, headers=chain.a
    )
    assert report.status_code == 200, report.text
    assert "script-src" not in report.headers["content-security-policy"]
    assert "default-src 'none'" in report.headers["content-security-policy"]
    assert report.headers["x-frame-options"] == "DENY"
    assert report.headers["x-content-type-options"] == "nosniff"


def test_links_trust_no_foreign_host(
    chain: TutorialChain, settings: Settings, seeded: Database
) -> None:
    unset = settings.model_copy(update={"public_url": None})
    app = create_app(unset, database=seeded)
    peer = ("127.0.0.1", 50000)
    with TestClient(app, base_url="http://evil.example", client=peer) as other:
        body = {
            "operatorId": str(B.operator_id),
            "fileInfo": [{"fileName": "a", "extension": "pdf"}],
        }
        refused = other.post("/fileUploadUrl", headers=trace_headers(chain.b), json=body)
        assert "BATTRACE_PUBLIC_URL" in _refused(refused)["errors"][0]["errorDescription"]
    with TestClient(app, base_url="http://localhost:8000", client=peer) as local:
        made = local.post("/fileUploadUrl", headers=trace_headers(chain.b), json=body)
        assert made.status_code == 200, made.text
        assert made.json()[0]["URL"].startswith("http://localhost:8000/files/")
