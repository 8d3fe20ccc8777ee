"""The three-tier chain refiner -> material maker -> cell maker -> pack maker, answered through
the API, and the pack maker's DD report checked against numbers worked out by hand (see
`battrace.diligence.risk` for the rules)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from battrace.store import Database
from tests.diligence.chain import DD, Chain, answer_and_submit, ask, build_chain, yes_to_controls

MATERIALS = ["cobalt", "nickel"]
LATER = "2099-12-31"


def _upload(client: TestClient, headers: dict[str, str], **query: str) -> str:
    response = client.post(
        f"{DD}/evidence",
        params={
            "documentType": "certificate",
            "title": "DD policy verification",
            "fileName": "verification.pdf",
            "confidentiality": "customer",
            **query,
        },
        content=b"%PDF-1.7 verification statement",
        headers={**headers, "Content-Type": "application/pdf"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["evidenceId"])


def _answer_chain(client: TestClient, chain: Chain) -> None:
    """Each tier asks its supplier; answers go in from the top of the chain (the refiner)."""
    to_cell = ask(client, chain.pack, MATERIALS)
    to_material = ask(client, chain.cell, MATERIALS)
    to_refiner = ask(client, chain.material, MATERIALS)
    answer_and_submit(
        client,
        chain.refiner,
        to_refiner["requestId"],
        {
            "answers": yes_to_controls(MATERIALS),
            "facilities": [
                {
                    "material": "cobalt",
                    "facilityId": "CID000001",
                    "name": "Cobalt refinery",
                    "status": "conformant",
                    "scheme": "RMAP",
                    "validTo": LATER,
                },
                {
                    "material": "nickel",
                    "facilityId": "CID000002",
                    "name": "Nickel smelter",
                    "status": "not_enrolled",
                },
            ],
        },
    )
    answer_and_submit(
        client,
        chain.material,
        to_material["requestId"],
        {
            "answers": yes_to_controls(MATERIALS, **{"MAT.CAHRA@nickel": "unknown"}),
            "facilities": [
                {
                    "material": "cobalt",
                    "facilityId": "CID000001",
                    "name": "Cobalt refinery",
                    "status": "conformant",
                    "validTo": LATER,
                },
                {
                    "material": "cobalt",
                    "facilityId": "CID000003",
                    "name": "Second refinery",
                    "status": "active",
                },
                {
                    "material": "nickel",
                    "facilityId": "CID000002",
                    "name": "Nickel smelter",
                    "status": "not_enrolled",
                },
            ],
        },
    )
    evidence = _upload(client, chain.cell.headers, thirdParty="true", validTo=LATER)
    answers = yes_to_controls(MATERIALS)
    answers[0]["evidence"] = [evidence]  # BR49.POLICY, verified by a third party
    answer_and_submit(
        client,
        chain.cell,
        to_cell["requestId"],
        {
            "answers": answers,
            "facilities": [
                {
                    "material": "cobalt",
                    "facilityId": "CID000001",
                    "name": "Cobalt refinery",
                    "status": "conformant",
                    "validTo": LATER,
                },
            ],
        },
    )


@pytest.fixture
def chain(client: TestClient, database: Database) -> Chain:
    built = build_chain(client, database)
    _answer_chain(client, built)
    return built


def _report(client: TestClient, tier_headers: dict[str, str], trace_id: str) -> dict:
    response = client.get(
        f"{DD}/report", params={"traceId": trace_id, "asOf": "2026-11-23"}, headers=tier_headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_pack_maker_report_matches_the_hand_calculation(client: TestClient, chain: Chain) -> None:
    report = _report(client, chain.pack.headers, chain.pack.product)
    assert report["materials"] == MATERIALS
    [cell] = report["suppliers"]
    assert cell["supplierName"] == "Cell maker"
    assert cell["requestStatus"] == "ANSWERED"
    assert cell["responseVersion"] == 1

    cobalt = report["byMaterial"]["cobalt"]
    # Union over all tiers: CID000001 (conformant, named by all three) and CID000003 (active,
    # named only by the material maker) -> 1 of 2 conformant.
    assert cobalt["facilities"]["total"] == 2
    assert cobalt["facilities"]["conformant"] == 1
    assert cobalt["facilities"]["conformantShare"] == 0.5
    # Only the direct supplier's facility is named; the material maker did not release its own.
    assert [f["facilityId"] for f in cobalt["facilities"]["listed"]] == ["CID000001"]
    assert cobalt["facilities"]["withheld"] == 1
    # Air: inherent max(0 cell, 0.25 material maker, 0 refiner) = 0.25; effectiveness min over
    # tiers = 0.3 (self-declared answers); residual max = 0.25 * 0.7 = 0.175 -> low.
    air = cobalt["risk"]["air"]
    assert air == {
        "inherent": 0.25,
        "controlEffectiveness": 0.3,
        "residual": 0.175,
        "band": "low",
        "redFlag": False,
    }
    assert cobalt["completeness"] == 1.0

    nickel = report["byMaterial"]["nickel"]
    assert nickel["facilities"]["total"] == 1
    assert nickel["facilities"]["conformant"] == 0
    assert nickel["facilities"]["listed"] == []  # the cell maker named no nickel smelter
    # The cell maker left MAT.FACILITIES open for nickel: 16 of 17 required answers.
    assert nickel["completeness"] == round(16 / 17, 4)
    # The material maker's "unknown" on CAHRA wins over "no" from the others.
    assert nickel["answers"]["MAT.CAHRA"] == "unknown"
    assert nickel["risk"]["human_rights"]["band"] == "high"
    assert nickel["risk"]["human_rights"]["redFlag"] is True
    # not enrolled smelter -> inherent 1; residual 1 * (1 - 0.3) at the weakest tier.
    assert nickel["risk"]["water"]["inherent"] == 1.0
    assert nickel["risk"]["water"]["residual"] == 0.7

    flags = {(f["code"], f["material"], f["origin"]) for f in report["redFlags"]}
    assert flags == {
        ("MAT.FACILITIES", "nickel", "Cell maker"),
        ("MAT.CAHRA", "nickel", "upstream of Cell maker"),
    }
    assert {"supplier": "Cell maker", "material": "nickel", "code": "MAT.FACILITIES"} in (
        report["missingAnswers"]
    )
    # Upstream names never reach the pack maker.
    text = str(report)
    assert "Material maker" not in text and "Refiner" not in text
    assert "Second refinery" not in text


def test_cell_maker_report_shows_its_direct_supplier(client: TestClient, chain: Chain) -> None:
    report = _report(client, chain.cell.headers, chain.cell.product)
    [supplier] = report["suppliers"]
    assert supplier["supplierName"] == "Material maker"
    cobalt = report["byMaterial"]["cobalt"]
    assert sorted(f["facilityId"] for f in cobalt["facilities"]["listed"]) == [
        "CID000001",
        "CID000003",
    ]
    # The material maker's own cobalt: inherent (0 + 0.5) / 2 = 0.25, residual 0.175.
    assert cobalt["risk"]["soil"]["residual"] == 0.175


def test_released_upstream_names_facilities_downstream(
    client: TestClient, database: Database
) -> None:
    chain = build_chain(client, database)
    _answer_chain(client, chain)
    requests = client.get(f"{DD}/requests?direction=received", headers=chain.cell.headers).json()
    request_id = requests[0]["requestId"]
    detail = client.get(f"{DD}/requests/{request_id}", headers=chain.cell.headers).json()
    latest = detail["responses"][0]
    body = {
        "answers": [
            {
                **{k: a[k] for k in ("code", "material", "value", "comment")},
                "evidence": [e["evidenceId"] for e in a["evidence"]],
            }
            for a in latest["answers"]
        ],
        "facilities": [
            {k: f[k] for k in ("material", "facilityId", "name", "status", "validTo")}
            for f in latest["facilities"]
        ],
        "releaseUpstream": True,
    }
    answered = answer_and_submit(client, chain.cell, request_id, body)
    assert [r["version"] for r in answered["responses"]] == [2, 1]
    report = _report(client, chain.pack.headers, chain.pack.product)
    cobalt = report["byMaterial"]["cobalt"]
    assert sorted(f["facilityId"] for f in cobalt["facilities"]["listed"]) == [
        "CID000001",
        "CID000003",
    ]
    assert cobalt["facilities"]["withheld"] == 0
    origins = {f["origin"] for f in report["redFlags"]}
    assert "Material maker (via Cell maker)" in origins


def test_supplier_without_answer_counts_as_unknown(client: TestClient, database: Database) -> None:
    chain = build_chain(client, database)
    ask(client, chain.pack, ["lithium"])
    report = _report(client, chain.pack.headers, chain.pack.product)
    lithium = report["byMaterial"]["lithium"]
    assert lithium["completeness"] == 0.0
    assert {r["band"] for r in lithium["risk"].values()} == {"high"}
    assert report["suppliers"][0]["requestStatus"] == "SENT"
    assert any(f["code"] == "NO_ANSWER" for f in report["redFlags"])


def test_report_html_is_self_contained(client: TestClient, chain: Chain) -> None:
    response = client.get(
        f"{DD}/report",
        params={"traceId": chain.pack.product, "format": "html"},
        headers=chain.pack.headers,
    )
    assert response.status_code == 200
    page = response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "Residual risk by Annex X category" in page
    assert "MAT.CAHRA" in page


def test_report_of_someone_elses_product_is_not_found(client: TestClient, chain: Chain) -> None:
    response = client.get(
        f"{DD}/report", params={"traceId": chain.cell.product}, headers=chain.pack.headers
    )
    assert response.status_code == 404
    assert response.json()["code"] == "[dataspace] NotFound"
