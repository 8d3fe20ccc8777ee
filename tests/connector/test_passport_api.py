"""The passport API (`/api/v1/passports…`) and the public resolver, through HTTP as a
client would use them: roles, writes only by the responsible operator, lifecycle, dynamic
data, history, QR codes, and errors in the contract's shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from battrace.app import create_app
from battrace.cli.seeds import DATA_SPACE_KEY
from battrace.identity import accounts, operators
from battrace.identity.models import AccountRole, Operator
from battrace.passport import history
from battrace.passport.catalogue import Category
from battrace.passport.examples import example_document
from battrace.settings import Settings
from battrace.store import Database
from tests.passport.reference import battery_pass_errors
from tests.passport.world import GTIN, MODEL_DATA
from tests.support import A, B, login, login_a, login_b

P = "/api/v1/passports"


@pytest.fixture
def authority(seeded: Database) -> tuple[str, str]:
    with seeded.transaction() as session:
        agency = operators.create_operator(
            session, name="Surveillance", address="x", open_operator_id="9999999999999"
        )
        accounts.create_account(
            session,
            operator_id=agency.id,
            email="inspector@example.com",
            password="Inspector&pass1",
            role=AccountRole.AUTHORITY,
        )
    return "inspector@example.com", "Inspector&pass1"


def _issue(client: TestClient, headers: dict[str, str], serials: list[str]) -> list[str]:
    made = client.post(
        f"{P}/models",
        headers=headers,
        json={"name": "Pack 80", "category": "ev", "gtin": GTIN, "data": MODEL_DATA},
    )
    assert made.status_code == 201, made.text
    batch = client.post(
        f"{P}/batches",
        headers=headers,
        json={"modelId": made.json()["modelId"], "batteries": serials, "publish": True},
    )
    assert batch.status_code == 201, batch.text
    assert batch.json()["size"] == len(serials)
    return list(batch.json()["passportIds"])


def _view(client: TestClient, headers: dict[str, str], passport_id: str) -> dict[str, Any]:
    response = client.get(f"{P}/{passport_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_role_reads_its_view_through_the_api(
    client: TestClient, seeded: Database, authority: tuple[str, str]
) -> None:
    a, b = login_a(client), login_b(client)
    (passport_id,) = _issue(client, a, ["API-1"])
    own = _view(client, a, passport_id)
    assert own["viewedAs"] == "responsibleOperator"
    assert own["sections"]["materials"]["composition"]
    assert own["status"] == "original"
    stranger = _view(client, b, passport_id)
    assert stranger["viewedAs"] == "public" and stranger["status"] is None
    assert "composition" not in stranger["sections"]["materials"]
    assert "testReports" not in stranger["sections"]["labels"]
    granted = client.post(
        f"{P}/grants",
        headers=a,
        json={
            "granteeOperatorId": str(B.operator_id),
            "interest": "owner",
            "passportId": passport_id,
        },
    )
    assert granted.status_code == 201, granted.text
    interested = _view(client, b, passport_id)
    assert interested["viewedAs"] == "legitimateInterest"
    assert interested["sections"]["materials"]["composition"]
    assert "testReports" not in interested["sections"]["labels"]
    inspector = login(client, *authority, key=DATA_SPACE_KEY)
    official = _view(client, inspector, passport_id)
    assert official["viewedAs"] == "authority"
    assert official["sections"]["labels"]["testReports"]
    revoked = client.post(f"{P}/grants/{granted.json()['grantId']}/revoke", headers=a)
    assert revoked.status_code == 200 and revoked.json()["revokedAt"]
    assert _view(client, b, passport_id)["viewedAs"] == "public"


def test_only_the_responsible_operator_writes(client: TestClient, seeded: Database) -> None:
    a, b = login_a(client), login_b(client)
    (passport_id,) = _issue(client, a, ["W-1"])
    change = {"data": {"general": {"manufacturingDate": "2026-02"}}, "reason": "stamped"}
    refused = client.put(f"{P}/{passport_id}/data", headers=b, json=change)
    assert refused.status_code == 404
    assert refused.json()["code"] == "[dataspace] NotFound"
    for path, body in (
        (f"{P}/{passport_id}/waste", {"newOperatorId": str(B.operator_id)}),
        (f"{P}/publish", {"passportIds": [passport_id]}),
        (f"{P}/successors", {"predecessorIds": [passport_id], "status": "re-used"}),
    ):
        assert client.post(path, headers=b, json=body).status_code == 404, path
    accepted = client.put(f"{P}/{passport_id}/data", headers=a, json=change)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["version"] == 2


def test_lifecycle_through_the_api_and_the_resolver(client: TestClient, seeded: Database) -> None:
    a, b = login_a(client), login_b(client)
    first, second = _issue(client, a, ["L-1", "L-2"])
    bad = client.post(
        f"{P}/successors", headers=a, json={"predecessorIds": [first], "status": "original"}
    )
    assert bad.status_code == 400 and "status" in bad.json()["message"]
    storage = client.post(
        f"{P}/successors",
        headers=a,
        json={
            "predecessorIds": [first, second],
            "status": "repurposed",
            "category": "stationary",
            "newOperatorId": str(B.operator_id),
            "battery": {"batteryIdentifier": "ESS-0001"},
            "reason": "two packs into one storage unit",
        },
    )
    assert storage.status_code == 201, storage.text
    storage_id = storage.json()["passportId"]
    assert _view(client, b, storage_id)["viewedAs"] == "responsibleOperator"
    old = client.get(f"/passport/{first}", headers={"Accept": "application/json"})
    assert old.status_code == 200 and old.json()["successors"] == [storage_id]
    waste = client.post(
        f"{P}/{storage_id}/waste", headers=b, json={"newOperatorId": str(A.operator_id)}
    )
    assert waste.status_code == 200 and waste.json()["status"] == "waste"
    assert client.post(f"{P}/{storage_id}/recycled", headers=b, json={}).status_code == 404
    ended = client.post(f"{P}/{storage_id}/recycled", headers=a, json={"reason": "shredded"})
    assert ended.status_code == 200 and ended.json()["ended"] is True
    gone = client.get(f"/passport/{storage_id}?format=json")
    assert gone.status_code == 410
    assert gone.json()["ended"] is True and gone.json()["sections"] == {}
    again = client.post(f"{P}/{storage_id}/recycled", headers=a, json={})
    assert again.status_code == 400 and "already" in again.json()["message"]


def test_the_resolver_answers_browsers_and_clients(client: TestClient, seeded: Database) -> None:
    a = login_a(client)
    (passport_id,) = _issue(client, a, ["QR-1"])
    link = f"/01/{GTIN}/21/QR-1"
    as_json = client.get(link, headers={"Accept": "application/json"})
    assert as_json.status_code == 200
    assert as_json.json()["passportId"] == passport_id
    assert as_json.json()["viewedAs"] == "public"
    assert as_json.json()["address"].endswith(link)
    english = client.get(f"/passport/{passport_id}", headers={"Accept": "text/html"})
    assert english.status_code == 200 and "Battery passport" in english.text
    japanese = client.get(link, headers={"Accept-Language": "ja,en;q=0.5"})
    assert "バッテリーパスポート" in japanese.text
    assert "NMC 811 active material" not in japanese.text  # point 2 stays hidden
    assert (
        client.get(f"/01/{GTIN}/21/NOPE", headers={"Accept": "application/json"}).status_code == 404
    )
    assert client.get("/passport/not-a-uuid").status_code == 404
    svg = client.get(f"{P}/{passport_id}/qr", headers=a)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    png = client.get(f"{P}/{passport_id}/qr?format=png", headers=a)
    assert png.content.startswith(b"\x89PNG")


def test_a_draft_is_not_resolved(client: TestClient, seeded: Database) -> None:
    a = login_a(client)
    model = client.post(f"{P}/models", headers=a, json={"name": "M", "category": "lmt"}).json()
    made = client.post(
        f"{P}", headers=a, json={"modelId": model["modelId"], "batteryIdentifier": "LMT-77"}
    )
    assert made.status_code == 201, made.text
    draft = made.json()["passportId"]
    assert client.get(f"/passport/{draft}?format=json").status_code == 404
    assert client.post(f"{P}/publish", headers=a, json={"passportIds": [draft]}).json() == {
        "published": 1
    }
    assert client.get(f"/passport/{draft}?format=json").status_code == 200


def test_readings_in_csv_and_json_then_the_series(client: TestClient, seeded: Database) -> None:
    a, b = login_a(client), login_b(client)
    (passport_id,) = _issue(client, a, ["R-1"])
    csv_text = (
        "passportId,metric,measuredAt,value\n"
        f"{passport_id},stateOfCharge,2026-03-01T08:00:00Z,80\n"
        f"{passport_id},stateOfCharge,2026-03-02T08:00:00Z,75\n"
    )
    sent = client.post(f"{P}/readings", headers={**a, "Content-Type": "text/csv"}, content=csv_text)
    assert sent.status_code == 201, sent.text
    assert sent.json() == {"received": 2, "stored": 2, "passports": 1}
    as_json = client.post(
        f"{P}/readings",
        headers=a,
        json=[
            {
                "passportId": passport_id,
                "metric": "fullCycles",
                "measuredAt": "2026-03-02T08:00:00Z",
                "value": 12,
            }
        ],
    )
    assert as_json.status_code == 201
    latest = _view(client, a, passport_id)["dynamic"]
    assert latest["stateOfCharge"]["value"] == "75" and latest["fullCycles"]["value"] == "12"
    series = client.get(f"{P}/{passport_id}/readings?metric=stateOfCharge", headers=a)
    assert [each["value"] for each in series.json()["readings"]] == ["80", "75"]
    hidden = client.get(f"{P}/{passport_id}/readings?metric=stateOfCharge", headers=b)
    assert hidden.status_code == 404
    refused = client.post(
        f"{P}/readings",
        headers=b,
        json=[
            {
                "passportId": passport_id,
                "metric": "stateOfCharge",
                "measuredAt": "2026-03-03T08:00:00Z",
                "value": 70,
            }
        ],
    )
    assert refused.status_code == 404
    bad = client.post(
        f"{P}/readings",
        headers=a,
        json=[
            {
                "passportId": passport_id,
                "metric": "mood",
                "measuredAt": "2026-03-03T08:00:00Z",
                "value": 1,
            }
        ],
    )
    assert bad.status_code == 400 and "readings[0].metric" in bad.json()["message"]


def test_history_and_completeness(client: TestClient, seeded: Database) -> None:
    a, b = login_a(client), login_b(client)
    (passport_id,) = _issue(client, a, ["H-1"])
    client.put(
        f"{P}/{passport_id}/data",
        headers=a,
        json={"data": {"general": {"manufacturingDate": "2026-02"}}, "reason": "stamped"},
    )
    for headers in (a, b):
        versions = client.get(f"{P}/{passport_id}/history", headers=headers).json()["versions"]
        assert [each["action"] for each in versions] == ["issue", "update"]
        assert history.verify_chain(versions) == []
    public = client.get(f"{P}/{passport_id}/history", headers=b).json()["versions"]
    assert all(change["path"] != "general.status" for change in public[0]["changes"])
    complete = client.get(f"{P}/{passport_id}/completeness", headers=a)
    assert complete.status_code == 200 and complete.json()["summary"]["missing"] > 0
    assert client.get(f"{P}/{passport_id}/completeness", headers=b).status_code == 404
    board = client.get(f"{P}/completeness", headers=a).json()
    assert board["passports"] == 1
    assert client.get(f"{P}/schema", headers=a).json()["type"] == "object"


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("get", f"{P}/not-a-uuid", None, "passportId"),
        ("post", f"{P}/batches", {"modelId": "x", "batteries": []}, "modelId"),
        ("post", f"{P}/models", {"name": "M", "category": "car"}, "category"),
        (
            "post",
            f"{P}/grants",
            {"granteeOperatorId": "nope", "interest": "owner"},
            "granteeOperatorId",
        ),
        ("get", f"{P}?status=broken", None, "status"),
    ],
)
def test_bad_input_gets_a_clear_400(
    client: TestClient, seeded: Database, method: str, path: str, body: Any, message: str
) -> None:
    a = login_a(client)
    response = client.request(method.upper(), path, headers=a, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "[dataspace] BadRequest"
    assert message in response.json()["message"]


def test_no_credentials_no_passport_api(client: TestClient, seeded: Database) -> None:
    response = client.get(f"{P}")
    assert response.status_code == 403
    assert response.json()["code"] == "[auth] AccessDenied"


def test_export_and_import_through_the_api(client: TestClient, seeded: Database) -> None:
    a, b = login_a(client), login_b(client)
    document = example_document(Category.LMT).to_json()
    imported = client.post(f"{P}/import?publish=true", headers=a, json=document)
    assert imported.status_code == 201, imported.text
    passport_id = imported.json()["passportId"]
    mine = client.get(f"{P}/{passport_id}/export?format=battrace", headers=a).json()
    assert mine["content"]["materials"]["composition"]
    theirs = client.get(f"{P}/{passport_id}/export?format=battrace", headers=b).json()
    assert "composition" not in theirs["content"]["materials"]
    aspects = client.get(f"{P}/{passport_id}/export?format=batterypass", headers=a).json()
    assert aspects["content"] and isinstance(aspects["problems"], list)
    bad = client.get(f"{P}/{passport_id}/export?format=pdf", headers=a)
    assert bad.status_code == 400
    refused = client.post(f"{P}/import", headers=a, json={"general": {"category": "boat"}})
    assert refused.status_code == 400 and "general" in refused.json()["message"]


def test_the_access_policy_is_a_setting(settings: Settings, seeded: Database) -> None:
    """A deployment that shows the weight only to persons with a legitimate interest and
    counts only recyclers as such."""
    policy = json.dumps(
        {"attributes": {"general.weight": "legitimateInterest"}, "interests": ["recycler"]}
    )
    app = create_app(
        settings.model_copy(update={"passport_access_policy": policy}), database=seeded
    )
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        a, b = login_a(client), login_b(client)
        (passport_id,) = _issue(client, a, ["CFG-1"])
        public = client.get(f"/passport/{passport_id}?format=json").json()
        assert "weight" not in public["sections"]["general"]
        owner = client.post(
            f"{P}/grants",
            headers=a,
            json={
                "granteeOperatorId": str(B.operator_id),
                "interest": "owner",
                "passportId": passport_id,
            },
        )
        assert owner.status_code == 201  # granted, but "owner" does not count here
        assert _view(client, b, passport_id)["viewedAs"] == "public"
        client.post(
            f"{P}/grants",
            headers=a,
            json={
                "granteeOperatorId": str(B.operator_id),
                "interest": "recycler",
                "passportId": passport_id,
            },
        )
        recycler = _view(client, b, passport_id)
        assert recycler["viewedAs"] == "legitimateInterest"
        assert recycler["sections"]["general"]["weight"] == 450


def test_a_successor_document_is_imported_through_the_api(
    client: TestClient, seeded: Database
) -> None:
    a = login_a(client)
    (original,) = _issue(client, a, ["IMP-1"])
    document = (
        example_document(Category.EV, serial="IMP-R1")
        .with_values({"general.status": "re-used"})
        .to_json()
    )
    refused = client.post(f"{P}/import", headers=a, json=document)
    assert refused.status_code == 400
    assert "general: (predecessorPassports: a re-used battery" in refused.json()["message"]
    document["general"]["predecessorPassports"] = [f"urn:uuid:{original}"]
    made = client.post(f"{P}/import?publish=true", headers=a, json=document)
    assert made.status_code == 201, made.text
    successor = made.json()["passportId"]
    assert _view(client, a, successor)["status"] == "re-used"
    assert _view(client, a, successor)["predecessors"] == [original]
    old = client.get(f"/passport/{original}?format=json").json()
    assert old["successors"] == [successor] and old["publication"] == "archived"


def test_a_non_ev_passport_exports_what_validates_and_names_what_cannot(
    client: TestClient, seeded: Database
) -> None:
    """The upstream formats require EV-only values of every battery; for an LMT battery the
    other Battery Pass aspects are produced (each valid upstream), the performance aspect and
    the Catena-X document are refused, naming the values and why."""
    with seeded.transaction() as session:
        operator = session.get(Operator, A.operator_id)
        assert operator is not None
        operator.global_operator_id = "BPNL000000000KCW"  # Catena-X names companies by BPNL
    a = login_a(client)
    lmt = example_document(Category.LMT, serial="LMT-EXP").to_json()
    made = client.post(f"{P}/import?publish=true", headers=a, json=lmt)
    assert made.status_code == 201, made.text
    passport_id = made.json()["passportId"]
    aspects = client.get(f"{P}/{passport_id}/export?format=batterypass", headers=a).json()
    assert "PerformanceAndDurability" not in aspects["content"]
    assert {"MaterialComposition", "Circularity", "Labeling"} <= set(aspects["content"])
    reported = {p["path"]: p["message"] for p in aspects["problems"]}
    assert "(data point 61)" in reported["performance.stateOfCertifiedEnergy"]
    assert "(data point 33)" in reported["performance.capacityThresholdForExhaustion"]
    for name, aspect in aspects["content"].items():
        assert battery_pass_errors(name, aspect) == [], name
    catena_x = client.get(f"{P}/{passport_id}/export?format=catenax", headers=a).json()
    assert catena_x["content"] is None
    assert {p["path"] for p in catena_x["problems"]} == {
        "performance.capacityThresholdForExhaustion",
        "performance.stateOfCertifiedEnergy",
    }
    assert all("not to fill it for lmt batteries" in p["message"] for p in catena_x["problems"])
    own = client.get(f"{P}/{passport_id}/export?format=battrace", headers=a).json()
    assert own["content"]["general"]["category"] == "lmt" and own["problems"] == []
