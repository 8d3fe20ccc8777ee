"""The recycling API end to end: a pack collected, handed over, dismantled and recycled; a
recycler's report; a recovered cobalt lot offered, taken and confirmed into a trade; the
cathode maker's mass balance; the pack's recycled content against Art. 8 and into its
passport; the impact figures and the dashboard. Errors in the contract's shape."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from battrace.cli.seeds import DATA_SPACE_KEY
from battrace.passport import battery_models
from battrace.passport.models import BatteryCategory
from battrace.store import Database
from tests.recycling.loop import (
    COLLECTOR,
    MATERIAL,
    PACK,
    RECYCLER,
    SeedCompany,
    part,
    plant,
    register_cfp,
    seed_loop,
    trade,
)
from tests.support import login

API = "/api/v1/recycling"
Headers = dict[str, str]


@pytest.fixture
def heads(client: TestClient, database: Database) -> dict[SeedCompany, Headers]:
    seed_loop(database)
    return {
        company: login(client, company.email, company.password, DATA_SPACE_KEY)
        for company in (COLLECTOR, RECYCLER, MATERIAL, PACK)
    }


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_custody_through_the_api(client: TestClient, heads: dict[SeedCompany, Headers]) -> None:
    c, r = heads[COLLECTOR], heads[RECYCLER]
    lot = _ok(
        client.post(
            f"{API}/lots",
            headers=c,
            json={
                "code": "LOT-7",
                "productType": "battery",
                "memberState": "FR",
                "massKg": "450.5",
                "itemIds": ["BAT-9", "BAT-10"],
                "chemistry": "NMC",
                "energyKwh": 120,
            },
        ),
        201,
    )
    lot_id = lot["lotId"]
    assert (lot["status"], lot["massKg"], lot["units"]) == ("collected", 450.5, 2)
    # an unbalanced step is refused in the contract's error shape, nothing stored
    refused = client.post(
        f"{API}/lots/{lot_id}/events", headers=c, json={"kind": "stored", "massOutKg": 400}
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "[dataspace] BadRequest"
    assert "off by 50.5 kg" in refused.json()["message"]
    # another operator does not see the lot; no token, no answer
    assert client.get(f"{API}/lots/{lot_id}", headers=r).status_code == 404
    assert client.get(f"{API}/lots/{lot_id}", headers={"apiKey": DATA_SPACE_KEY}).status_code == 401
    _ok(
        client.post(
            f"{API}/lots/{lot_id}/handover",
            headers=c,
            json={"receiverOperatorId": str(RECYCLER.operator_id)},
        ),
        201,
    )
    _ok(client.post(f"{API}/lots/{lot_id}/acceptance", headers=r, json={"massReceivedKg": 450}))
    children = _ok(
        client.post(
            f"{API}/lots/{lot_id}/dismantling",
            headers=r,
            json={
                "outputs": [
                    {"fraction": "black-mass", "massKg": 200},
                    {"fraction": "aluminium", "massKg": 249},
                ],
                "lossKg": 1,
            },
        ),
        201,
    )
    assert [child["fraction"] for child in children] == ["black-mass", "aluminium"]
    detail = _ok(client.get(f"{API}/lots/{lot_id}", headers=c))
    assert [e["kind"] for e in detail["events"]] == ["collected", "handed-over", "dismantled"]
    assert detail["massBalance"]["balanced"] is True
    assert detail["massBalance"]["lossesKg"] == 1  # the 0.5 kg at hand-over is within tolerance
    assert detail["items"] == ["BAT-10", "BAT-9"]
    recycled = _ok(
        client.post(
            f"{API}/lots/{children[0]['lotId']}/events",
            headers=r,
            json={"kind": "recycled", "massOutKg": 200},
        ),
        201,
    )
    assert recycled["kind"] == "recycled"
    bad_kind = client.post(
        f"{API}/lots/{lot_id}/events", headers=c, json={"kind": "teleported", "massOutKg": 1}
    )
    assert bad_kind.status_code == 400 and "kind: must be one of" in bad_kind.json()["message"]


REPORT = {
    "facility": "Plant 1",
    "periodStart": "2026-01-01",
    "periodEnd": "2026-12-31",
    "memberState": "FR",
    "category": "lithium-based",
    "inputs": [
        {"chemistry": "NMC", "massKg": 1000, "deductedKg": 200, "elements": {"Co": 40, "Li": 16}}
    ],
    "outputs": [
        {"name": "black mass", "massKg": 300, "final": False, "counts": False, "usable": False},
        {"name": "cobalt sulphate", "massKg": 150, "elements": {"Co": 38}, "purityPercent": 99.5},
        {"name": "lithium carbonate", "massKg": 50, "elements": {"Li": 9}},
    ],
}


def test_reports_through_the_api(client: TestClient, heads: dict[SeedCompany, Headers]) -> None:
    r = heads[RECYCLER]
    impossible = {**REPORT, "outputs": [{"name": "Co", "massKg": 50, "elements": {"Co": 41}}]}
    refused = client.post(f"{API}/reports", headers=r, json=impossible)
    assert refused.status_code == 400
    assert "41 kg of Co recovered is more than the 40 kg put in" in refused.json()["message"]
    assert _ok(client.get(f"{API}/reports", headers=r)) == []
    report = _ok(client.post(f"{API}/reports", headers=r, json=REPORT), 201)
    rates = report["rates"]
    # 200 / 800 = 25 % efficiency; Co 38/40 = 95 %; Li 9/16 = 56.25 %
    assert rates["recyclingEfficiencyPercent"] == 25
    assert rates["efficiencyTargets"][0]["gapPercent"] == 40  # 65 - 25
    assert rates["materialRecovery"]["Co"]["ratePercent"] == 95
    assert rates["materialRecovery"]["Li"]["targets"][1]["gapPercent"] == 23.75
    read = _ok(client.get(f"{API}/reports/{report['reportId']}", headers=r))
    assert read["rates"] == rates
    # the collector holds no recycler permit
    refused = client.post(f"{API}/reports", headers=heads[COLLECTOR], json=REPORT)
    assert refused.status_code == 403


def test_recycled_content_market_and_passport(
    client: TestClient, database: Database, heads: dict[SeedCompany, Headers]
) -> None:
    with database.transaction() as session:
        sulphate = part(session, RECYCLER, plant(session, RECYCLER), "CoSO4")["CoSO4"]
        m_plant = plant(session, MATERIAL)
        bought = part(session, MATERIAL, m_plant, "CoSO4 in", bought=["CoSO4 in"])["CoSO4 in"]
        cathode = part(session, MATERIAL, m_plant, "Cathode")["Cathode"]
        pack = part(
            session, PACK, plant(session, PACK), "Pack", [("Cathode", 20)], bought=["Cathode"]
        )
        model = battery_models.create_model(
            session,
            caller=PACK.operator_id,
            name="Pack",
            category=BatteryCategory.EV,
            trace_id=pack["Pack"],
        )
    r, m, p = heads[RECYCLER], heads[MATERIAL], heads[PACK]
    lot = _ok(
        client.post(
            f"{API}/materialLots",
            headers=r,
            json={
                "traceId": str(sulphate),
                "element": "Co",
                "grade": "battery",
                "massKg": 1000,
                "elementFraction": "0.2",
                "postConsumerPercent": 100,
                "cfpKgCO2ePerKg": 2.5,
                "certificate": "CERT-1",
            },
        ),
        201,
    )
    offer = _ok(
        client.post(
            f"{API}/offers",
            headers=r,
            json={
                "lotId": lot["lotId"],
                "quantityKg": 1000,
                "public": False,
                "viewers": [str(MATERIAL.operator_id)],
            },
        ),
        201,
    )
    assert _ok(client.get(f"{API}/offers", headers=p)) == []
    seen = _ok(client.get(f"{API}/offers?element=Co", headers=m))
    assert [o["offerId"] for o in seen] == [offer["offerId"]]
    assert seen[0]["cfpKgCO2ePerKg"] == 2.5 and seen[0]["viewers"] == []
    ask = _ok(
        client.post(
            f"{API}/asks",
            headers=m,
            json={"traceId": str(bought), "element": "Co", "quantityKg": 1000},
        ),
        201,
    )
    taken = _ok(
        client.post(
            f"{API}/asks/{ask['askId']}/take", headers=m, json={"offerId": offer["offerId"]}
        )
    )
    assert taken["status"] == "requested" and taken["tradeId"]
    matched = _ok(
        client.post(
            f"{API}/asks/{ask['askId']}/confirmation",
            headers=r,
            json={"askOperatorId": str(MATERIAL.operator_id)},
        )
    )
    assert matched["status"] == "matched"
    booked = _ok(
        client.post(
            f"{API}/balance/bookings",
            headers=m,
            json={"tradeId": taken["tradeId"], "quantity": 1000, "site": "Lyon", "period": "2031"},
        ),
        201,
    )
    assert booked == [{"element": "Co", "massKg": 200, "source": f"trade {taken['tradeId']}"}]
    _ok(
        client.post(
            f"{API}/balance/bookings",
            headers=m,
            json={
                "site": "Lyon",
                "period": "2031",
                "element": "Co",
                "massKg": 600,
                "source": "virgin",
            },
        ),
        201,
    )
    allocation = _ok(client.get(f"{API}/balance?site=Lyon&element=Co&period=2031", headers=m))
    assert allocation["sharePercent"] == 25
    _ok(
        client.post(
            f"{API}/balance/application",
            headers=m,
            json={
                "traceId": str(cathode),
                "site": "Lyon",
                "element": "Co",
                "period": "2031",
                "elementKgPerUnit": "0.1",
                "producedUnits": 5000,
            },
        ),
        201,
    )
    with database.transaction() as session:
        register_cfp(session, MATERIAL, cathode, "12")
        trade(session, PACK, pack["Cathode"], MATERIAL, cathode)
    _ok(
        client.put(
            f"{API}/content",
            headers=p,
            json={"traceId": str(pack["Pack"]), "element": "Li", "massKg": "0.8"},
        )
    )
    query = f"traceId={pack['Pack']}&placedOnMarket=2032-01-01"
    content = _ok(client.get(f"{API}/content?{query}", headers=p))
    assert content["sharesPercent"] == {"Co": 25, "Li": 0, "Ni": None, "Pb": None}
    art8 = {row["element"]: row for row in content["art8"]}
    assert art8["Co"]["met"] is True and art8["Li"]["gapPercent"] == 6
    filled = _ok(client.post(f"{API}/content/passport?{query}", headers=p))
    assert filled["passportModels"] == [str(model.id)]
    # the cathode maker's own part is not the pack maker's to read
    foreign = client.get(f"{API}/content?traceId={cathode}&placedOnMarket=2032-01-01", headers=p)
    assert foreign.status_code == 404
    over = client.put(
        f"{API}/content",
        headers=p,
        json={"traceId": str(pack["Pack"]), "element": "Li", "massKg": 1, "preConsumerKg": 2},
    )
    assert over.status_code == 400 and "a share over 100 %" in over.json()["message"]


def test_impact_and_dashboard(client: TestClient, heads: dict[SeedCompany, Headers]) -> None:
    p = heads[PACK]
    second = _ok(
        client.post(
            f"{API}/impact/secondLife",
            headers=p,
            json={
                "capacityKwh": 40,
                "cycles": 1500,
                "newLifetimeCycles": 5000,
                "newKgCO2ePerKwh": 80,
                "repurposingKgCO2e": 100,
            },
        )
    )
    assert second["kgCO2e"] == 860 and len(second["assumptions"]) == 4
    material = _ok(
        client.post(f"{API}/impact/material", headers=p, json={"recoveredKg": {"Co": 10}})
    )
    assert material["kgCO2e"] == 220  # 10 kg x (30 - 8) default factors
    cost = _ok(
        client.post(
            f"{API}/impact/costRecovered",
            headers=p,
            json={"residualValue": 3000, "purchasePrice": 12000},
        )
    )
    assert cost == {"costRecoveredPercent": 25}
    refused = client.post(f"{API}/impact/material", headers=p, json={"recoveredKg": [1]})
    assert refused.status_code == 400
    board = _ok(client.get(f"{API}/dashboard", headers=p))
    assert board["withheld"] == ["custody", "recovered", "recycled content"]
    own = _ok(client.get(f"{API}/dashboard?scope=own", headers=p))
    assert own["withheld"] == [] and own["lotsByStatus"] == {}
    csv = client.get(f"{API}/dashboard?format=csv", headers=p)
    assert csv.status_code == 200 and csv.text.startswith("section,item,value,unit")
    html = client.get(f"{API}/dashboard?format=html&scope=own", headers=p)
    assert html.status_code == 200 and "<h1>The loop</h1>" in html.text
    assert client.get(f"{API}/dashboard?format=pdf", headers=p).status_code == 400
