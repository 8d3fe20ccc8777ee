"""A three-tier battery chain for DD tests, built through the API as the companies would:
refiner R (mine/refiner) -> material maker M -> cell maker C -> pack maker P.

P's pack needs C's cell; C's cell needs M's cathode material; M's material needs R's
nickel-cobalt sulphate. Each customer asks its supplier over a CFP trade and each supplier
links its own part, so that DD requests can ride on the three trades.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from battrace.cli.seeds import DATA_SPACE_KEY, SeedCompany, ensure_company, ensure_key
from battrace.identity.models import ApplicationAttribute
from battrace.store import Database
from tests.support import DT, create_plant, login, part, trade_request

DD = "/api/v1/diligence"


def _company(n: int, name: str) -> SeedCompany:
    return SeedCompany(
        uuid.uuid5(uuid.NAMESPACE_URL, f"battrace-test-dd-{name}"),
        name,
        "東京都千代田区",
        f"98765432100{n:02d}",
        f"DDTEST0000000000{n:04d}",
        f"dd{n}@example.com",
        f"Dd&user_0{n}",
    )


PACK, CELL, MATERIAL, REFINER = (
    _company(1, "Pack maker"),
    _company(2, "Cell maker"),
    _company(3, "Material maker"),
    _company(4, "Refiner"),
)
COMPANIES = (PACK, CELL, MATERIAL, REFINER)


@dataclass
class Tier:
    company: SeedCompany
    headers: dict[str, str]
    product: str  # trace id of what it sells (or, for the pack maker, its product)
    bought: str | None = None  # trace id of its part bought from the next tier
    trade_id: str | None = None  # the trade on `bought`


@dataclass
class Chain:
    pack: Tier
    cell: Tier
    material: Tier
    refiner: Tier


def seed_companies(database: Database) -> None:
    with database.transaction() as session:
        for company in COMPANIES:
            ensure_company(session, company)
        ensure_key(session, DATA_SPACE_KEY, "DataPlatform", ApplicationAttribute.DATA_SPACE)


def build_chain(client: TestClient, database: Database) -> Chain:
    seed_companies(database)
    tiers = {}
    names = {PACK: ("Pack", "Cell"), CELL: ("Cell", "Cathode"), MATERIAL: ("Cathode", "NCM")}
    for n, company in enumerate(COMPANIES, start=1):
        headers = login(client, company.email, company.password, DATA_SPACE_KEY)
        plant = create_plant(
            client, headers, company.operator_id, f"{company.open_operator_id}00000{n}"
        )
        if company in names:
            parent, child = names[company]
            made = client.put(
                f"{DT}?dataTarget=partsStructure",
                headers=headers,
                json={
                    "parentPartsModel": part(company.operator_id, plant, parent),
                    "childrenPartsModel": [part(company.operator_id, plant, child, amount=2)],
                },
            )
            assert made.status_code == 201, made.text
            body = made.json()
            tiers[company] = Tier(
                company,
                headers,
                body["parentPartsModel"]["traceId"],
                body["childrenPartsModel"][0]["traceId"],
            )
        else:
            made = client.put(
                f"{DT}?dataTarget=parts",
                headers=headers,
                json=part(company.operator_id, plant, "NCM sulphate", terminated=True),
            )
            assert made.status_code == 201, made.text
            tiers[company] = Tier(company, headers, made.json()["traceId"])
    for customer, supplier in ((PACK, CELL), (CELL, MATERIAL), (MATERIAL, REFINER)):
        down, up = tiers[customer], tiers[supplier]
        assert down.bought is not None
        asked = client.put(
            f"{DT}?dataTarget=tradeRequest",
            headers=down.headers,
            json=trade_request(customer.operator_id, down.bought, supplier.operator_id),
        )
        assert asked.status_code == 201, asked.text
        down.trade_id = asked.json()["tradeModel"]["tradeId"]
        linked = client.put(
            f"{DT}?dataTarget=tradeResponse&tradeId={down.trade_id}&traceId={up.product}",
            headers=up.headers,
        )
        assert linked.status_code == 201, linked.text
    return Chain(tiers[PACK], tiers[CELL], tiers[MATERIAL], tiers[REFINER])


def ask(client: TestClient, customer: Tier, materials: list[str], **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"{DD}/requests",
        headers=customer.headers,
        json={"tradeId": customer.trade_id, "materials": materials, **extra},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


SIGNER = {"name": "Hanako Sato", "title": "Compliance", "email": "sato@example.com"}


def yes_to_controls(materials: list[str], **overrides: Any) -> list[dict[str, Any]]:
    """Every built-in question answered well ("yes" to controls, "no" to risks, 100 %)."""
    company = {
        "BR49.POLICY": "yes",
        "BR49.COMMUNICATED": "yes",
        "BR49.CONTRACTS": "yes",
        "BR49.SENIOR_MANAGEMENT": "yes",
        "BR49.GRIEVANCE": "yes",
        "BR50.RISK_ASSESSMENT": "yes",
        "BR50.RISK_PLAN": "yes",
        "BR51.VERIFICATION": "yes",
        "BR52.PUBLIC_REPORT": "yes",
    }
    per_material = {
        "MAT.CONTAINED": "yes",
        "MAT.CAHRA": "no",
        "MAT.FORCED_CHILD_LABOUR": "no",
        "MAT.ENVIRONMENT_ASSESSED": "yes",
        "MAT.CHAIN_OF_CUSTODY": "yes",
        "MAT.SUPPLIERS_RESPONDED": 100,
        "MAT.FACILITIES_AUDITED": "yes",
    }
    answers = [{"code": c, "value": overrides.get(c, v)} for c, v in company.items()]
    for material in materials:
        for code, value in per_material.items():
            key = f"{code}@{material}"
            answers.append({"code": code, "material": material, "value": overrides.get(key, value)})
    return answers


def answer_and_submit(
    client: TestClient, supplier: Tier, request_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    saved = client.put(
        f"{DD}/requests/{request_id}/answer",
        headers=supplier.headers,
        json={"signer": SIGNER, **body},
    )
    assert saved.status_code == 200, saved.text
    submitted = client.post(f"{DD}/requests/{request_id}/submit", headers=supplier.headers)
    assert submitted.status_code == 201, submitted.text
    return dict(submitted.json())
