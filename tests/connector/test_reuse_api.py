"""The second-life API end to end: a pack from intake to a new storage passport, and the
error shape of its refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from battrace.cli.demo.reuse import MODEL as MODEL_DATA
from battrace.cli.seeds import DATA_SPACE_KEY, SeedCompany, ensure_company, ensure_key
from battrace.identity.models import ApplicationAttribute
from battrace.passport import battery_models, issuing
from battrace.passport.models import BatteryCategory, BatteryStatus, Passport, Publication
from battrace.store import Database
from tests.reuse.builders import intake_doc
from tests.reuse.world import make_market
from tests.support import login, login_a, login_b

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


SECOND_LISTER = SeedCompany(
    uuid.uuid5(uuid.NAMESPACE_URL, "battrace-test-reuse-second-lister"),
    "Second reuser", "Kobe", "7777777777777", "REUSETEST0000000001",
    "second-lister@example.com", "Second&lister_01",
)  # fmt: skip


def _listing(client: TestClient, headers: dict[str, str], passport: uuid.UUID) -> str:
    intake = _ok(
        client.post(
            f"{R}/intakes", headers=headers,
            json={"passportId": str(passport), "label": "pack", "document": intake_doc()},
        ), 201,
    )  # fmt: skip
    done = _ok(client.post(f"{R}/intakes/{intake['intakeId']}/assessments", headers=headers), 201)
    return str(
        _ok(
            client.post(
                f"{R}/listings",
                headers=headers,
                json={"assessmentId": done["assessmentId"], "location": "Osaka"},
            ),
            201,
        )["listingId"]
    )


def test_packs_of_two_listers_become_one_system_through_a_proposal(
    client: TestClient, seeded: Database
) -> None:
    """A and D each list a pack; B reserves both and proposes one system; both accept; B is
    responsible for one repurposed passport linked to both originals."""
    world = make_market(seeded, packs=1)
    with seeded.transaction() as session:
        ensure_company(session, SECOND_LISTER)
        ensure_key(session, DATA_SPACE_KEY, "DataPlatform", ApplicationAttribute.DATA_SPACE)
        session.flush()
        model = battery_models.create_model(
            session, caller=SECOND_LISTER.operator_id, name="Pack 50",
            category=BatteryCategory.EV, data=MODEL_DATA,
        )  # fmt: skip
        own = issuing.create_batch(
            session, caller=SECOND_LISTER.operator_id, model_id=model.id,
            batteries=[issuing.NewBattery(identifier="D-PACK-API-1")], publish=True,
        ).passport_ids[0]  # fmt: skip
    a, b = login_a(client), login_b(client)
    d = login(client, SECOND_LISTER.email, SECOND_LISTER.password, DATA_SPACE_KEY)
    listings = [_listing(client, a, world.packs[0]), _listing(client, d, own)]
    held = [
        _ok(client.post(f"{R}/listings/{i}/reservations", headers=b, json={}), 201)
        for i in listings
    ]
    bad = client.post(f"{R}/proposals", headers=b, json={"reservationIds": "all"})
    assert bad.status_code == 400 and set(bad.json()) == {"code", "message", "detail"}
    proposal = _ok(
        client.post(
            f"{R}/proposals", headers=b,
            json={"reservationIds": [h["reservationId"] for h in held], "status": "repurposed",
                  "label": "Storage AD", "batteryIdentifier": "ESS-AD-1"},
        ), 201,
    )  # fmt: skip
    url = f"{R}/proposals/{proposal['proposalId']}"
    assert proposal["state"] == "open" and proposal["listers"] == 2
    assert len(proposal["reservations"]) == 2
    assert {r["proposalId"] for r in proposal["reservations"]} == {proposal["proposalId"]}
    # a lister sees its own reservation of the proposal, not the other lister's
    seen = _ok(client.get(url, headers=d))
    assert [r["listerOperatorId"] for r in seen["reservations"]] == [str(SECOND_LISTER.operator_id)]
    stranger = client.post(f"{url}/accept", headers=b)  # the integrator is no lister
    assert stranger.status_code == 404 and stranger.json()["code"] == "[dataspace] NotFound"
    assert _ok(client.post(f"{url}/accept", headers=a))["state"] == "open"
    done = _ok(client.post(f"{url}/accept", headers=d))
    assert done["state"] == "commissioned" and done["systemId"]
    systems = _ok(client.get(f"{R}/systems", headers=b))
    system = next(s for s in systems if s["systemId"] == done["systemId"])
    assert {p["passport_id"] for p in system["predecessors"]} == {str(world.packs[0]), str(own)}
    with seeded.transaction(write=False) as session:
        successor = session.get(Passport, uuid.UUID(system["passportId"]))
        assert successor is not None
        assert successor.responsible_operator_id == world.integrator
        assert successor.status == BatteryStatus.REPURPOSED
        for original in (world.packs[0], own):
            row = session.get(Passport, original)
            assert row is not None and row.publication == Publication.ARCHIVED
