"""DD requests and answers through the API: the request/answer state machine, notifications,
validation, immutable versions, evidence confidentiality and who may see what."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from battrace.store import Database
from tests.diligence.chain import (
    DD,
    SIGNER,
    Chain,
    answer_and_submit,
    ask,
    build_chain,
    yes_to_controls,
)


@pytest.fixture
def chain(client: TestClient, database: Database) -> Chain:
    return build_chain(client, database)


def _error(response, status: int, fragment: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert fragment in body["message"], body


def test_builtin_template_covers_articles_steps_and_categories(
    client: TestClient, chain: Chain
) -> None:
    templates = client.get(f"{DD}/templates", headers=chain.pack.headers).json()
    builtin = next(t for t in templates if t["builtIn"])
    questions = builtin["questions"]
    assert {q["oecdStep"] for q in questions} == {1, 2, 3, 4, 5}
    categories = {c for q in questions for c in q["riskCategories"]}
    assert {
        "air",
        "water",
        "soil",
        "biodiversity",
        "human_health",
        "labour_rights",
        "human_rights",
        "community_life",
        "occupational_health_safety",
    } <= categories
    articles = " ".join(q["article"] or "" for q in questions)
    for article in ("48", "49", "50", "51", "52"):
        assert f"Art. {article}" in articles or f", {article}" in articles
    assert all(q["text"]["ja"] and q["text"]["en"] for q in questions)


def test_operator_template_versions_and_privacy(client: TestClient, chain: Chain) -> None:
    definition = {
        "code": "ACME.SUPPLIER",
        "title": {"ja": "供給者調査", "en": "Supplier survey"},
        "questions": [
            {
                "code": "Q1",
                "text": {"ja": "方針?", "en": "Policy?"},
                "answerType": "yes_no",
                "oecdStep": 1,
                "required": True,
            },
            {
                "code": "Q2",
                "text": {"ja": "評価", "en": "Rating"},
                "answerType": "choice",
                "oecdStep": 2,
                "choices": [{"value": "good", "score": 1}, {"value": "bad", "score": 0}],
            },
        ],
    }
    first = client.post(f"{DD}/templates", headers=chain.pack.headers, json=definition)
    second = client.post(f"{DD}/templates", headers=chain.pack.headers, json=definition)
    assert first.status_code == second.status_code == 201
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    template_id = first.json()["templateId"]
    assert (
        client.get(f"{DD}/templates/{template_id}", headers=chain.cell.headers).status_code == 404
    )
    bad = {**definition, "questions": [{"code": "q 1", "answerType": "maybe", "oecdStep": 9}]}
    response = client.post(f"{DD}/templates", headers=chain.pack.headers, json=bad)
    _error(response, 400, "questions[0].code")
    assert "questions[0].answerType" in response.json()["message"]
    assert "questions[0].oecdStep" in response.json()["message"]


def test_request_notifies_and_a_second_open_request_is_refused(
    client: TestClient, chain: Chain
) -> None:
    request = ask(client, chain.pack, ["cobalt", "lithium"], dueDate="2099-01-31", message="お願い")
    assert request["status"] == "SENT"
    assert request["materials"] == ["cobalt", "lithium"]
    notes = client.get(f"{DD}/notifications", headers=chain.cell.headers).json()
    assert [(n["notificationType"], n["requestId"]) for n in notes] == [
        ("REQUEST_NEW", request["requestId"])
    ]
    # DD notifications stay out of the contract's CFP list
    cfp_notes = client.get(
        "/notifications",
        params={"operatorId": str(chain.cell.company.operator_id)},
        headers=chain.cell.headers,
    )
    assert cfp_notes.status_code == 200, cfp_notes.text
    cfp_types = [n["notificationType"] for n in cfp_notes.json()["notifications"]]
    assert cfp_types == ["REQUEST_NEW"]  # the CFP trade request only, not the DD one
    again = client.post(
        f"{DD}/requests",
        headers=chain.pack.headers,
        json={"tradeId": chain.pack.trade_id, "materials": ["nickel"]},
    )
    _error(again, 400, "still open")
    received = client.get(f"{DD}/requests?direction=received", headers=chain.cell.headers).json()
    assert [r["requestId"] for r in received] == [request["requestId"]]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"materials": ["cobalt"]}, "tradeId"),
        ({"tradeId": "not-a-uuid", "materials": ["cobalt"]}, "tradeId: must be a UUID"),
        ({"materials": []}, "materials"),
        ({"materials": ["copper"]}, "materials: copper is not one of"),
        ({"materials": ["cobalt"], "dueDate": "2001-01-01"}, "dueDate: must not be in the past"),
        ({"materials": ["cobalt"], "dueDate": "31/12/2099"}, "dueDate: must be a date"),
    ],
)
def test_bad_requests_are_refused(
    client: TestClient, chain: Chain, body: dict, fragment: str
) -> None:
    if "tradeId" not in body and fragment != "tradeId":
        body = {"tradeId": chain.pack.trade_id, **body}
    _error(client.post(f"{DD}/requests", headers=chain.pack.headers, json=body), 400, fragment)


def test_only_the_customer_of_a_trade_can_ask(client: TestClient, chain: Chain) -> None:
    response = client.post(
        f"{DD}/requests",
        headers=chain.cell.headers,  # the supplier of that trade, not its customer
        json={"tradeId": chain.pack.trade_id, "materials": ["cobalt"]},
    )
    _error(response, 404, "tradeId")


def test_send_back_and_cancel(client: TestClient, chain: Chain) -> None:
    request = ask(client, chain.pack, ["cobalt"])
    rid = request["requestId"]
    _error(client.post(f"{DD}/requests/{rid}/cancel", headers=chain.cell.headers), 400, "customer")
    sent_back = client.post(
        f"{DD}/requests/{rid}/sendBack", headers=chain.cell.headers, json={"replyMessage": "対象外"}
    )
    assert sent_back.status_code == 200
    assert (sent_back.json()["status"], sent_back.json()["replyMessage"]) == ("SENT_BACK", "対象外")
    notes = client.get(f"{DD}/notifications", headers=chain.pack.headers).json()
    assert notes[0]["notificationType"] == "REQUEST_REJECTED"
    # a sent-back request takes no answer; a new request may be sent
    answer = client.put(
        f"{DD}/requests/{rid}/answer", headers=chain.cell.headers, json={"answers": []}
    )
    _error(answer, 400, "SENT_BACK")
    again = ask(client, chain.pack, ["cobalt"])
    cancelled = client.post(
        f"{DD}/requests/{again['requestId']}/cancel", headers=chain.pack.headers
    )
    assert cancelled.json()["status"] == "CANCELLED"
    notes = client.get(f"{DD}/notifications", headers=chain.cell.headers).json()
    assert notes[0]["notificationType"] == "REQUEST_CANCELED"


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ({"code": "NOPE", "value": "yes"}, "answers[0].code: NOPE is not in the template"),
        ({"code": "BR49.POLICY", "value": "maybe"}, "must be yes, no or unknown"),
        ({"code": "MAT.CAHRA", "value": "no"}, "answers[0].material"),
        ({"code": "MAT.CAHRA", "material": "nickel", "value": "no"}, "requested cobalt"),
        ({"code": "BR49.POLICY", "material": "cobalt", "value": "yes"}, "company-wide"),
        ({"code": "MAT.SUPPLIERS_RESPONDED", "material": "cobalt", "value": 120}, "0 to 100"),
        (
            {
                "code": "BR49.POLICY",
                "value": "yes",
                "evidence": ["8f1f8a4e-2d2e-4f57-9a53-1c8b0f5f0a11"],
            },
            "no document",
        ),
    ],
)
def test_invalid_answers_are_refused_and_change_nothing(
    client: TestClient, chain: Chain, answer: dict, fragment: str
) -> None:
    rid = ask(client, chain.pack, ["cobalt"])["requestId"]
    response = client.put(
        f"{DD}/requests/{rid}/answer", headers=chain.cell.headers, json={"answers": [answer]}
    )
    _error(response, 400, fragment)
    detail = client.get(f"{DD}/requests/{rid}", headers=chain.cell.headers).json()
    assert detail["status"] == "SENT"
    assert detail["responses"] == []


def test_submitted_versions_are_immutable_and_superseded(client: TestClient, chain: Chain) -> None:
    rid = ask(client, chain.pack, ["cobalt"])["requestId"]
    _error(client.post(f"{DD}/requests/{rid}/submit", headers=chain.cell.headers), 400, "save")
    unsigned = client.put(
        f"{DD}/requests/{rid}/answer",
        headers=chain.cell.headers,
        json={"answers": yes_to_controls(["cobalt"])},
    )
    assert unsigned.json()["status"] == "IN_PROGRESS"
    _error(client.post(f"{DD}/requests/{rid}/submit", headers=chain.cell.headers), 400, "signer")
    first = answer_and_submit(client, chain.cell, rid, {"answers": yes_to_controls(["cobalt"])})
    assert first["status"] == "ANSWERED"
    v1 = first["responses"][0]
    # the customer is told, and sees the version but never a draft
    assert (
        client.get(f"{DD}/notifications", headers=chain.pack.headers).json()[0]["notificationType"]
        == "DD_RESPONSED"
    )
    draft = client.put(
        f"{DD}/requests/{rid}/answer",
        headers=chain.cell.headers,
        json={
            "answers": yes_to_controls(["cobalt"], **{"MAT.CAHRA@cobalt": "yes"}),
            "signer": SIGNER,
        },
    )
    assert [r["version"] for r in draft.json()["responses"]] == [None, 1]
    seen = client.get(f"{DD}/requests/{rid}", headers=chain.pack.headers).json()
    assert [r["version"] for r in seen["responses"]] == [1]
    submitted = client.post(f"{DD}/requests/{rid}/submit", headers=chain.cell.headers).json()
    v2, old = submitted["responses"]
    assert (v2["version"], v2["supersedes"]) == (2, v1["responseId"])
    assert old == v1  # version 1 is unchanged
    cahra = next(a for a in v2["answers"] if a["code"] == "MAT.CAHRA")
    assert cahra["value"] == "yes"


def _upload(
    client: TestClient, headers: dict[str, str], content: bytes, confidentiality: str
) -> str:
    response = client.post(
        f"{DD}/evidence",
        params={
            "documentType": "audit_report",
            "title": "RMAP audit",
            "fileName": "audit.pdf",
            "confidentiality": confidentiality,
            "thirdParty": "true",
            "validTo": "2099-01-01",
        },
        content=content,
        headers={**headers, "Content-Type": "application/pdf"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    return str(response.json()["evidenceId"])


def test_evidence_confidentiality(client: TestClient, chain: Chain) -> None:
    secret = b"%PDF-1.7 audit findings, confidential"
    shared = b"%PDF-1.7 audit summary"
    hash_only = _upload(client, chain.cell.headers, secret, "hash_only")
    customer = _upload(client, chain.cell.headers, shared, "customer")
    rid = ask(client, chain.pack, ["cobalt"])["requestId"]
    # before an answer cites them, the customer cannot see them at all
    for evidence_id in (hash_only, customer):
        _error(
            client.get(f"{DD}/evidence/{evidence_id}", headers=chain.pack.headers),
            404,
            "evidenceId",
        )
    answers = yes_to_controls(["cobalt"])
    answers[0]["evidence"] = [hash_only, customer]
    answer_and_submit(client, chain.cell, rid, {"answers": answers})
    detail = client.get(f"{DD}/requests/{rid}", headers=chain.pack.headers).json()
    cited = detail["responses"][0]["answers"][0]["evidence"]
    assert {e["sha256"] for e in cited} == {
        hashlib.sha256(secret).hexdigest(),
        hashlib.sha256(shared).hexdigest(),
    }
    got = client.get(f"{DD}/evidence/{customer}/content", headers=chain.pack.headers)
    assert got.status_code == 200 and got.content == shared
    refused = client.get(f"{DD}/evidence/{hash_only}/content", headers=chain.pack.headers)
    _error(refused, 404, "hash only")
    assert secret not in refused.content
    # the owner reads its own; a company elsewhere in the chain sees nothing
    own = client.get(f"{DD}/evidence/{hash_only}/content", headers=chain.cell.headers)
    assert own.content == secret
    _error(
        client.get(f"{DD}/evidence/{customer}", headers=chain.refiner.headers), 404, "evidenceId"
    )


@pytest.mark.parametrize(
    ("query", "content_type", "fragment"),
    [
        ({"confidentiality": "secret"}, "application/pdf", "confidentiality"),
        ({"documentType": "poem"}, "application/pdf", "documentType"),
        ({}, "application/x-msdownload", "contentType"),
        ({"validFrom": "2030-01-01", "validTo": "2029-01-01"}, "application/pdf", "validTo"),
    ],
)
def test_bad_evidence_is_refused(
    client: TestClient, chain: Chain, query: dict, content_type: str, fragment: str
) -> None:
    params = {
        "documentType": "policy",
        "title": "Policy",
        "fileName": "p.pdf",
        "confidentiality": "public",
        **query,
    }
    response = client.post(
        f"{DD}/evidence",
        params=params,
        content=b"%PDF-1.7",
        headers={**chain.cell.headers, "Content-Type": content_type},
    )
    _error(response, 400, fragment)
    assert client.get(f"{DD}/evidence", headers=chain.cell.headers).json() == []


def test_strangers_see_no_request(client: TestClient, chain: Chain) -> None:
    rid = ask(client, chain.pack, ["cobalt"])["requestId"]
    _error(client.get(f"{DD}/requests/{rid}", headers=chain.material.headers), 404, "requestId")
    assert client.get(f"{DD}/requests", headers=chain.material.headers).json() == []
    denied = client.put(
        f"{DD}/requests/{rid}/answer", headers=chain.material.headers, json={"answers": []}
    )
    _error(denied, 404, "requestId")


def test_calls_need_credentials(client: TestClient, chain: Chain) -> None:
    response = client.get(f"{DD}/templates", headers={"apiKey": chain.pack.headers["apiKey"]})
    assert response.status_code == 401
    assert response.json()["code"] == "[auth] Unauthorized"
