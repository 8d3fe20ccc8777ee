"""The second-life pages without a browser: a used pack from intake to a new storage passport
through the web alone, the report's charts and recomputation, and who sees what."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import FastAPI

from battrace.store import Database
from tests.reuse.builders import intake_doc
from tests.reuse.world import make_market
from tests.web.support import A, B, WebUser

FIXTURES = Path(__file__).parent.parent / "reuse" / "fixtures"


def _id(url: str, kind: str) -> str:
    found = re.search(rf"/reuse/{kind}/([0-9a-f-]{{36}})", url)
    assert found, url
    return found.group(1)


def test_a_pack_goes_from_intake_to_a_storage_passport_through_the_web(
    app: FastAPI, seeded: Database
) -> None:
    world = make_market(seeded)
    reuser, integrator = WebUser(app), WebUser(app)
    reuser.login(A)
    integrator.login(B)
    home = reuser.get("/reuse")
    assert home.status_code == 200
    assert 'id="csv-import"' in home.text
    made = reuser.post(
        "/reuse/intakes",
        {
            "passportId": str(world.packs[0]),
            "label": "Pack 0",
            "document": json.dumps(intake_doc()),
        },
    )
    assert made.status_code == 200, made.text
    intake_id = _id(str(made.url), "intakes")
    report = reuser.post(f"/reuse/intakes/{intake_id}/assess")
    assert report.status_code == 200
    assessment_id = _id(str(report.url), "assessments")
    assert '<strong id="grade">A</strong>' in report.text
    assert 'id="fade"' in report.text and 'id="waterfall"' in report.text
    assert "UBV-1" in report.text
    verified = reuser.get(f"/reuse/assessments/{assessment_id}", verify="1")
    assert 'id="verified">' in verified.text
    assert (
        "Recomputed: every number is the same." in verified.text or "一致しました" in verified.text
    )
    listed = reuser.post(
        f"/reuse/assessments/{assessment_id}/list", {"location": "Kobe", "visibleTo": ""}
    )
    assert listed.status_code == 200
    market = integrator.get("/reuse/market", grade="A")
    listing = re.search(r"/reuse/listings/([0-9a-f-]{36})/reserve", market.text)
    assert listing, market.text
    assert "Kobe" in market.text
    reserved = integrator.post(f"/reuse/listings/{listing.group(1)}/reserve")
    assert reserved.status_code == 200
    lister_view = reuser.get("/reuse/market")
    reservation = re.search(r'name="reservationId" value="([0-9a-f-]{36})"', lister_view.text)
    assert reservation, lister_view.text
    handed = reuser.post(
        "/reuse/handovers",
        {"reservationId": reservation.group(1), "status": "repurposed", "label": "Home storage 1"},
    )
    assert handed.status_code == 200
    systems = integrator.get("/reuse")
    system = re.search(r"/reuse/systems/([0-9a-f-]{36})", systems.text)
    assert system, systems.text
    page = integrator.get(f"/reuse/systems/{system.group(1)}")
    assert str(world.packs[0]) in page.text
    drifted = integrator.post(
        f"/reuse/systems/{system.group(1)}/health", {"efcSince": "100", "soh": "0.3"}
    )
    assert drifted.status_code == 200
    notices = integrator.get("/reuse")
    assert "below the predicted band" in notices.text or "SOH 0.300" in notices.text


def test_a_refused_intake_shows_its_problems_and_stores_nothing(
    app: FastAPI, seeded: Database
) -> None:
    world = make_market(seeded)
    user = WebUser(app)
    user.login(A)
    bad = "cycle_index,test_time,current,voltage,discharge_capacity\n1,0,1,3.5,0\n1,10,1,9999,0\n"
    refused = user.post(
        "/reuse/intakes",
        {"passportId": str(world.packs[0]), "label": "bad", "document": json.dumps(intake_doc())},
        files={"cycler": ("bad.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 400
    assert "9999 V is outside" in refused.text
    assert "/reuse/intakes/" not in refused.text


def test_the_upload_streams_its_progress(app: FastAPI, seeded: Database) -> None:
    world = make_market(seeded)
    user = WebUser(app)
    user.login(A)
    doc = intake_doc(rated__rated_capacity_ah=2.5, rated__rated_energy_wh=9.25, history=None)
    content = (FIXTURES / "cycler_small.csv").read_bytes()
    response = user.post(
        "/reuse/intakes",
        {"passportId": str(world.packs[0]), "label": "cell", "document": json.dumps(doc)},
        files={"cycler": ("cycler_small.csv", content, "text/csv")},
        headers={"Accept": "application/x-ndjson"},
    )
    lines = [json.loads(line) for line in response.text.splitlines() if line]
    assert lines[-1]["created"][0]["url"].startswith("/reuse/intakes/")
    assert lines[-2]["done"] == 800  # the reader's last progress report: every row


def test_another_operator_does_not_see_an_intake(app: FastAPI, seeded: Database) -> None:
    world = make_market(seeded)
    owner, other = WebUser(app), WebUser(app)
    owner.login(A)
    other.login(B)
    made = owner.post(
        "/reuse/intakes",
        {
            "passportId": str(world.packs[0]),
            "label": "Secret",
            "document": json.dumps(intake_doc()),
        },
    )
    intake_id = _id(str(made.url), "intakes")
    assert other.get(f"/reuse/intakes/{intake_id}").status_code == 404
    assert "Secret" not in other.get("/reuse").text


def test_rules_pages_save_a_new_version(app: FastAPI, seeded: Database) -> None:
    user = WebUser(app)
    user.login(A)
    page = user.get("/reuse/rules")
    assert "min_soh" in page.text
    saved = user.post("/reuse/rules", {"kind": "prices", "values": json.dumps({"logistics": 99})})
    assert saved.status_code == 200
    assert "<td>prices</td><td>*</td><td>1</td>" in saved.text
    refused = user.post("/reuse/rules", {"kind": "grading", "values": json.dumps({"grades": []})})
    assert refused.status_code == 400
