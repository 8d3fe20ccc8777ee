"""The CFP engine's endpoints: roll-up and report, hotspots, emission factors."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from battrace.store import Database
from tests.support import DT, A, cfp_set, create_plant, login_a, part, tutorial_chain


def build(client: TestClient) -> tuple[dict[str, str], dict[str, str], str, str]:
    """The tutorial chain: A's parent (own 3/20) needs 5 kg of A1, answered by B (1.5/10)."""
    chain = tutorial_chain(client, parent_cfp=True)
    return chain.a, chain.b, chain.parent, chain.a_child


def test_roll_up_and_reports(client: TestClient, seeded: Database) -> None:
    a, b, parent, _ = build(client)
    body = client.get(f"/api/v1/footprint?traceId={parent}", headers=a)
    assert body.status_code == 200, body.text
    result = body.json()
    assert result["total"] == 80.5
    assert result["complete"] is True
    assert result["stages"]["pre"]["total"] == 10.5
    assert result["stages"]["main"]["total"] == 70
    csv_text = client.get(f"/api/v1/footprint?traceId={parent}&format=csv", headers=a).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows
    html = client.get(f"/api/v1/footprint?traceId={parent}&format=html", headers=a)
    assert html.headers["content-type"].startswith("text/html")
    HTMLParser().feed(html.text)
    assert html.text.count("<svg") >= 3
    # B cannot roll up A's product; A's own view never names B's part
    refused = client.get(f"/api/v1/footprint?traceId={parent}", headers=b)
    assert refused.status_code == 404
    assert refused.json()["code"] == "[dataspace] NotFound"
    assert "部品B" not in body.text
    bad = client.get(f"/api/v1/footprint?traceId={parent}&format=pdf", headers=a)
    assert bad.json()["message"] == "Invalid request parameters, format: Unexpected query parameter"


def test_hotspots_rank_the_supplier_first(client: TestClient, seeded: Database) -> None:
    a, _, parent, _ = build(client)
    body = client.get(f"/api/v1/footprint/hotspots?traceId={parent}", headers=a).json()
    assert body["bySupplier"][0]["label"] == "B社"
    assert body["bySupplier"][0]["emission"] == 57.5
    assert body["byPart"][-1]["cumulativeShare"] == 1


def test_emission_factors(client: TestClient, seeded: Database) -> None:
    a, b, _, _ = build(client)
    added = client.put(
        "/api/v1/emissionFactors",
        headers=a,
        json={
            "name": "Aluminium, primary",
            "unit": "kilogram",
            "kgCO2ePerUnit": 16.1,
            "source": "industry average",
            "year": 2023,
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["kgCO2ePerUnit"] == 16.1
    assert [f["name"] for f in client.get("/api/v1/emissionFactors", headers=a).json()] == [
        "Aluminium, primary"
    ]
    assert client.get("/api/v1/emissionFactors", headers=b).json() == []
    refused = client.put(
        "/api/v1/emissionFactors",
        headers=a,
        json={"name": "", "unit": "キログラム", "kgCO2ePerUnit": -1, "source": "x", "year": 2023},
    )
    assert refused.status_code == 400
    assert refused.json()["message"] == (
        "Validation failed, kgCO2ePerUnit: must be no less than 0; name: cannot be blank; "
        "unit: cannot be allowed 'キログラム'."
    )


def test_declaration(client: TestClient, seeded: Database) -> None:
    """A battery whose CFP is 1,440 + 4,320 kgCO2e per unit: 60 kWh, M1 (60 cycles/yr),
    8 years = 28,800 kWh over its life."""
    a = login_a(client)
    plant = create_plant(client, a, A.operator_id, "1234567890123012345")
    pack = client.put(
        f"{DT}?dataTarget=parts",
        headers=a,
        json=part(A.operator_id, plant, "パック", terminated=True, unit="unit"),
    ).json()["traceId"]
    client.put(
        f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(pack, 4320, 1440, unit="kgCO2e/unit")
    )
    response = client.put(
        "/api/v1/footprint/declaration",
        headers=a,
        json={
            "traceId": pack,
            "usableEnergyKwh": 60,
            "vehicleCategory": "M1",
            "warrantyYears": 8,
            "distributionKgCO2e": 57.6,
            "endOfLifeKgCO2e": 28.8,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provisional"] is True
    assert body["battery"]["totalEnergyKwh"] == 28800
    assert body["batteryCarbonFootprint"] == 0.203
    assert [stage["carbonFootprint"] for stage in body["carbonFootprintPerLifecycleStage"]] == [
        0.15,
        0.05,
        0.002,
        0.001,
    ]
    refused = client.put(
        "/api/v1/footprint/declaration", headers=a, json={"traceId": pack, "vehicleCategory": "Z"}
    )
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("Validation failed, usableEnergyKwh: is required;")


def test_what_if_replaces_one_part_and_stores_nothing(client: TestClient, seeded: Database) -> None:
    a, b, parent, a_child = build(client)
    body = {"traceId": parent, "replaceTraceId": a_child, "preKgCO2e": 1.0, "mainKgCO2e": 4}
    response = client.post("/api/v1/footprint/whatIf", headers=a, json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    # own 3 / 20 plus 5 kg of the part: before 1.5 / 10 per kg, after 1 / 4 per kg
    assert result["before"] == {"pre": 10.5, "main": 70, "total": 80.5}
    assert result["after"] == {"pre": 8, "main": 40, "total": 48}
    assert result["delta"] == {"pre": -2.5, "main": -30, "total": -32.5}
    assert result["partsName"] == "部品A1"
    assert client.get(f"/api/v1/footprint?traceId={parent}", headers=a).json()["total"] == 80.5
    assert client.post("/api/v1/footprint/whatIf", headers=b, json=body).status_code == 404
    bad = client.post(
        "/api/v1/footprint/whatIf", headers=a, json={**body, "preKgCO2e": -1, "replaceTraceId": "x"}
    )
    assert bad.status_code == 400
    assert bad.json()["message"] == (
        "Validation failed, preKgCO2e: must be no less than 0; replaceTraceId: invalid UUID."
    )


def test_factor_assignment_fills_an_unknown_part(client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client, parent_cfp=True)
    a = chain.a
    structure = client.get(f"{DT}?dataTarget=partsStructure&traceId={chain.parent}", headers=a)
    parent_model = structure.json()["parentPartsModel"]
    children = structure.json()["childrenPartsModel"]
    plant = parent_model["plantId"]
    extended = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a,
        json={
            "parentPartsModel": parent_model,
            "childrenPartsModel": [*children, part(A.operator_id, plant, "部品A2", amount=2)],
        },
    )
    assert extended.status_code == 201, extended.text
    a2 = next(
        c["traceId"] for c in extended.json()["childrenPartsModel"] if c["partsName"] == "部品A2"
    )
    assert (
        client.get(f"/api/v1/footprint?traceId={chain.parent}", headers=a).json()["total"] is None
    )
    factor = client.put(
        "/api/v1/emissionFactors",
        headers=a,
        json={
            "name": "Steel",
            "unit": "kilogram",
            "kgCO2ePerUnit": 2.5,
            "source": "x",
            "year": 2024,
        },
    ).json()["factorId"]
    litre = client.put(
        "/api/v1/emissionFactors",
        headers=a,
        json={"name": "Solvent", "unit": "liter", "kgCO2ePerUnit": 1, "source": "x", "year": 2024},
    ).json()["factorId"]
    mismatch = client.put(
        "/api/v1/emissionFactors/assignment", headers=a, json={"traceId": a2, "factorId": litre}
    )
    assert mismatch.status_code == 400, mismatch.text
    assigned = client.put(
        "/api/v1/emissionFactors/assignment", headers=a, json={"traceId": a2, "factorId": factor}
    )
    assert assigned.status_code == 200, assigned.text
    rolled = client.get(f"/api/v1/footprint?traceId={chain.parent}", headers=a).json()
    assert rolled["total"] == 80.5 + 2 * 2.5
    foreign = client.put(
        "/api/v1/emissionFactors/assignment",
        headers=chain.b,
        json={"traceId": a2, "factorId": factor},
    )
    assert foreign.status_code == 404
    removed = client.delete(f"/api/v1/emissionFactors/assignment?traceId={a2}", headers=a)
    assert removed.status_code == 200
    assert (
        client.get(f"/api/v1/footprint?traceId={chain.parent}", headers=a).json()["total"] is None
    )
    again = client.delete(f"/api/v1/emissionFactors/assignment?traceId={a2}", headers=a)
    assert again.status_code == 404
