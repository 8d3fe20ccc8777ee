"""The second-life API end to end: a pack from intake to a new storage passport, and the
error shape of its refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from battrace.store import Database
from tests.reuse.builders import intake_doc
from tests.reuse.world import make_market
from tests.support import login_a, login_b

R = "/api/v1/reuse"
FIXTURES = Path(__file__).parent.parent / "reuse" / "fixtures"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_pack_goes_from_intake_to_a_storage_passport(
    client: TestClient, seeded: Database
) -> None:
    world = make_market(seeded)
    a, b = login_a(client), login_b(client)
    intake = _ok(
        client.post(
            f"{R}/intakes",
            headers=a,
            json={"passportId": str(world.packs[0]), "label": "pack 0", "document": intake_doc()},
        ),
        201,
    )
    assessed = _ok(client.post(f"{R}/intakes/{intake['intakeId']}/assessments", headers=a), 201)
    assert assessed["grade"] == "A"
    assert assessed["methodVersion"] == "UBV-1"
    assert assessed["results"]["life"]["n_rem_p10"] <= assessed["results"]["life"]["n_rem_p50"]
    verified = _ok(client.get(f"{R}/assessments/{assessed['assessmentId']}/verify", headers=a))
    assert verified["reproduced"] is True
    listing = _ok(
        client.post(
            f"{R}/listings",
            headers=a,
            json={"assessmentId": assessed["assessmentId"], "location": "Osaka"},
        ),
        201,
    )
    found = _ok(client.get(f"{R}/listings?grade=A&minCapacityKwh=50", headers=b))
    assert [f["listingId"] for f in found] == [listing["listingId"]]
    held = _ok(
        client.post(f"{R}/listings/{listing['listingId']}/reservations", headers=b, json={}), 201
    )
    system = _ok(
        client.post(
            f"{R}/handovers",
            headers=a,
            json={
                "reservationIds": [held["reservationId"]],
                "status": "repurposed",
                "label": "ESS 1",
            },
        ),
        201,
    )
    assert system["operatorId"] == str(world.integrator)
    systems = _ok(client.get(f"{R}/systems", headers=b))
    assert [s["passportId"] for s in systems] == [system["passportId"]]
    update = _ok(
        client.post(
            f"{R}/systems/{system['systemId']}/health",
            headers=b,
            json={"efcSince": 100, "soh": 0.3},
        ),
        201,
    )
    assert update["belowBand"] is True
    kinds = [n["kind"] for n in _ok(client.get(f"{R}/notifications", headers=b))]
    assert "drift" in kinds and "handover" in kinds


def test_a_cycler_file_is_uploaded_with_its_document(client: TestClient, seeded: Database) -> None:
    world = make_market(seeded)
    a = login_a(client)
    doc = intake_doc(rated__rated_capacity_ah=2.5, rated__rated_energy_wh=9.25, history=None)
    with (FIXTURES / "cycler_small.csv").open("rb") as source:
        response = client.post(
            f"{R}/intakes/cycler",
            headers=a,
            data={"passportId": str(world.packs[0]), "label": "cell", "document": json.dumps(doc)},
            files={"cycler": ("cycler_small.csv", source, "text/csv")},
        )
    made = _ok(response, 201)
    assert made["sourceRows"] == 800
    assert len(made["document"]["history"]) == 39


def test_a_bad_cycler_file_is_refused_by_row_and_column(
    client: TestClient, seeded: Database
) -> None:
    world = make_market(seeded)
    a = login_a(client)
    bad = "cycle_index,test_time,current,voltage,discharge_capacity\n1,0,1,3.5,0\n1,10,1,abc,0\n"
    response = client.post(
        f"{R}/intakes/cycler",
        headers=a,
        data={"passportId": str(world.packs[0]), "document": "{}"},
        files={"cycler": ("bad.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 400
    assert "row 2, voltage: 'abc' is not a number." in response.json()["message"]
    assert _ok(client.get(f"{R}/intakes", headers=a)) == []


def test_refusals_have_the_contract_error_shape(client: TestClient, seeded: Database) -> None:
    world = make_market(seeded)
    a, b = login_a(client), login_b(client)
    unauthenticated = client.get(f"{R}/intakes")
    assert unauthenticated.status_code == 403  # no API key, as on every battrace API
    assert set(unauthenticated.json()) == {"code", "message", "detail"}
    no_token = client.get(f"{R}/intakes", headers={"apiKey": a["apiKey"]})
    assert no_token.status_code == 401
    assert set(no_token.json()) == {"code", "message", "detail"}
    bad = client.post(f"{R}/intakes", headers=a, json={"passportId": "nope"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "[dataspace] BadRequest"
    refused = client.post(
        f"{R}/intakes",
        headers=a,
        json={"passportId": str(world.packs[0]), "document": intake_doc(rated__mass_kg="heavy")},
    )
    assert refused.status_code == 400
    assert "rated.mass_kg: must be a number." in refused.json()["message"]
    intake = _ok(
        client.post(
            f"{R}/intakes",
            headers=a,
            json={"passportId": str(world.packs[0]), "document": intake_doc()},
        ),
        201,
    )
    hidden = client.get(f"{R}/intakes/{intake['intakeId']}", headers=b)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "[dataspace] NotFound"
    _ok(
        client.post(
            f"{R}/intakes/{intake['intakeId']}/grants",
            headers=a,
            json={"operatorId": str(world.integrator)},
        ),
        201,
    )
    assert _ok(client.get(f"{R}/intakes/{intake['intakeId']}", headers=b))["label"]


def test_tables_are_versioned_per_operator(client: TestClient, seeded: Database) -> None:
    a, b = login_a(client), login_b(client)
    made = _ok(client.put(f"{R}/tables/prices", headers=a, json={"logistics": 120}), 201)
    assert made["version"] == 1
    assert (
        _ok(client.put(f"{R}/tables/prices", headers=a, json={"logistics": 130}), 201)["version"]
        == 2
    )
    assert [t["values"]["logistics"] for t in _ok(client.get(f"{R}/tables", headers=a))] == [130.0]
    assert _ok(client.get(f"{R}/tables", headers=b)) == []
    refused = client.put(f"{R}/tables/grading", headers=a, json={"grades": []})
    assert refused.status_code == 400
