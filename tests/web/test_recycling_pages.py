"""The recycling pages on both databases: a lot collected, handed over, accepted and
dismantled; a recycler report against the targets; a lot offered and taken into a trade; a
pack's recycled content and the dashboard. Every text comes from the catalogue."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi import FastAPI

from battrace.passport import battery_models
from battrace.passport.models import BatteryCategory
from battrace.recycling import materials
from battrace.recycling.content import ElementContent
from battrace.recycling.rules import Element
from battrace.store import Database
from tests.recycling.loop import (
    COLLECTOR,
    MATERIAL,
    PACK,
    RECYCLER,
    part,
    plant,
    seed_loop,
)
from tests.web.support import WebUser

LOT = re.compile(r'href="/recycling/lots/([0-9a-f-]{36})">([^<]+)</a>')


def _user(app: FastAPI, company: object) -> WebUser:
    user = WebUser(app)
    user.login(company)  # type: ignore[arg-type]
    return user


def _no_missing_keys(html: str) -> None:
    missing = re.findall(r">\s*(rec\.[a-z_.\-]+)\s*<", html)
    assert not missing, missing


def test_custody_pages(app: FastAPI, database: Database) -> None:
    seed_loop(database)
    collector, recycler = _user(app, COLLECTOR), _user(app, RECYCLER)
    refused = collector.post(
        "/recycling/lots",
        {"code": "W-1", "productType": "battery", "memberState": "D", "massKg": "10"},
    )
    assert refused.status_code == 400 and "memberState" in refused.text
    page = collector.post(
        "/recycling/lots",
        {
            "code": "W-1",
            "productType": "battery",
            "memberState": "DE",
            "massKg": "300",
            "itemIds": "BAT-1, BAT-2",
            "energyKwh": "80",
        },
    )
    assert page.status_code == 200 and "BAT-1, BAT-2" in page.text
    lot_id = str(page.url).rsplit("/", 1)[1]
    unbalanced = collector.post(
        f"/recycling/lots/{lot_id}/step", {"kind": "stored", "massOutKg": "250"}
    )
    assert unbalanced.status_code == 400 and "off by 50 kg" in unbalanced.text
    collector.post(
        f"/recycling/lots/{lot_id}/handover", {"receiverOperatorId": str(RECYCLER.operator_id)}
    )
    # the receiver sees it in its list and accepts it
    assert lot_id in recycler.get("/recycling/lots").text
    accepted = recycler.post(f"/recycling/lots/{lot_id}/accept", {"massReceivedKg": "299"})
    assert accepted.status_code == 200
    dismantled = recycler.post(
        f"/recycling/lots/{lot_id}/dismantle",
        {
            "fraction1": "black-mass",
            "fractionKg1": "120",
            "fraction2": "steel",
            "fractionKg2": "178",
            "dismantleLossKg": "1",
        },
    )
    assert dismantled.status_code == 200, dismantled.text
    for lang in ("ja", "en"):
        recycler.post("/language", {"lang": lang, "next": f"/recycling/lots/{lot_id}"})
        html = recycler.get(f"/recycling/lots/{lot_id}").text
        _no_missing_keys(html)
    assert "The 3 steps balance within the tolerance" in html
    lots = {code for _, code in LOT.findall(recycler.get("/recycling/lots").text)}
    assert lots == {"W-1", "W-1/1", "W-1/2"}
    # a third operator does not see the lot
    assert _user(app, PACK).get(f"/recycling/lots/{lot_id}").status_code == 404


def test_report_page(app: FastAPI, database: Database) -> None:
    seed_loop(database)
    recycler = _user(app, RECYCLER)
    form = {
        "facility": "Plant",
        "periodStart": "2026-01-01",
        "periodEnd": "2026-12-31",
        "memberState": "FR",
        "category": "lithium-based",
        "chemistry": "NMC",
        "massKg": "1000",
        "deductedKg": "200",
        "inCo": "40",
        "inLi": "16",
        "outName1": "black mass",
        "outKg1": "300",
        "outIntermediate1": "1",
        "outName2": "cobalt sulphate",
        "outKg2": "150",
        "outElement2": "Co",
        "outElementKg2": "38",
        "outName3": "lithium carbonate",
        "outKg3": "50",
        "outElement3": "Li",
        "outElementKg3": "9",
    }
    impossible = recycler.post("/recycling/reports", {**form, "outElementKg2": "41"})
    assert impossible.status_code == 400
    assert "41 kg of Co recovered is more than the 40 kg put in" in impossible.text
    saved = recycler.post("/recycling/reports", form)
    assert saved.status_code == 200
    recycler.post("/language", {"lang": "en", "next": "/"})
    detail = recycler.get(saved.url.path)
    _no_missing_keys(detail.text)
    assert "Recycling efficiency" in detail.text and "56.25 %" in detail.text
    assert "23.75" in detail.text  # Li: 80 - 56.25 by end 2031
    listing = recycler.get("/recycling/reports").text
    assert "25 %" in listing  # 200 / 800


def test_market_content_and_dashboard_pages(app: FastAPI, database: Database) -> None:
    seed_loop(database)
    with database.transaction() as session:
        sulphate = part(session, RECYCLER, plant(session, RECYCLER), "CoSO4")["CoSO4"]
        bought = part(session, MATERIAL, plant(session, MATERIAL), "Co in", bought=["Co in"])[
            "Co in"
        ]
        pack = part(session, PACK, plant(session, PACK), "Pack", [("Cell", 2)])["Pack"]
        battery_models.create_model(
            session,
            caller=PACK.operator_id,
            name="Pack",
            category=BatteryCategory.EV,
            trace_id=pack,
        )
        materials.declare_content(
            session,
            caller=PACK.operator_id,
            trace_id=pack,
            element=Element.COBALT,
            content=ElementContent(Decimal(1), Decimal(0), Decimal("0.2")),
        )
    recycler, maker, packer = _user(app, RECYCLER), _user(app, MATERIAL), _user(app, PACK)
    for user in (recycler, maker, packer):
        user.post("/language", {"lang": "en", "next": "/"})
    registered = recycler.post(
        "/recycling/market/lots",
        {
            "traceId": str(sulphate),
            "element": "Co",
            "grade": "battery",
            "massKg": "500",
            "elementFraction": "0.2",
            "postConsumerPercent": "100",
            "cfpKgCO2ePerKg": "2.5",
        },
    )
    assert registered.status_code == 200 and "The lot was registered." in registered.text
    lot_id = re.search(r'<option value="([0-9a-f-]{36})">Co battery 500 kg', registered.text)
    assert lot_id is not None
    offered = recycler.post(
        "/recycling/market/offers",
        {"lotId": lot_id.group(1), "quantityKg": "500", "viewers": str(MATERIAL.operator_id)},
    )
    assert offered.status_code == 200
    assert "battery" not in packer.get("/recycling/market").text.split("<h2>")[1]
    asked = maker.post(
        "/recycling/market/asks",
        {"askTraceId": str(bought), "askElement": "Co", "askQuantityKg": "200"},
    )
    offer_id = re.search(r'name="offerId" value="([0-9a-f-]{36})"', asked.text)
    ask_id = re.search(r'name="askId"><option value="([0-9a-f-]{36})"', asked.text)
    assert offer_id is not None and ask_id is not None
    maker.post("/recycling/market/take", {"offerId": offer_id.group(1), "askId": ask_id.group(1)})
    confirmed = recycler.post(
        "/recycling/market/confirm",
        {"askId": ask_id.group(1), "askOperatorId": str(MATERIAL.operator_id)},
    )
    assert "Confirmed: the lot" in confirmed.text
    _no_missing_keys(confirmed.text)
    content = packer.get("/recycling/content", traceId=str(pack), placedOnMarket="2032-01-01")
    _no_missing_keys(content.text)
    assert 'id="art8"' in content.text
    filled = packer.post(
        "/recycling/content/passport", {"traceId": str(pack), "placedOnMarket": "2032-01-01"}
    )
    assert "The recycled content was written into the passport model." in filled.text
    assert "20 %" in filled.text  # Co: 0.2 of 1 kg
    board = packer.get("/recycling/dashboard")
    _no_missing_keys(board.text)
    assert "Figures built from fewer than 3 operators are withheld" in board.text
    withheld = board.text.split('id="withheld">')[1].split("</p>")[0]
    assert "recycled content" in withheld and "recycled_content" not in withheld
    packer.post("/language", {"lang": "ja", "next": "/"})
    in_japanese = packer.get("/recycling/dashboard").text
    withheld = in_japanese.split('id="withheld">')[1].split("</p>")[0]
    assert "custody" not in withheld and "回収・保管" in withheld  # named in the page language
    if "<ul><li>" not in in_japanese.split('id="loop-figures"')[1]:
        assert "<h2>前提</h2>" not in in_japanese  # no heading over nothing
    packer.post("/language", {"lang": "en", "next": "/"})
    own = packer.get("/recycling/dashboard", scope="own")
    assert own.status_code == 200
    csv = packer.get("/recycling/dashboard/loop.csv")
    assert csv.text.startswith("section,item,value,unit")
    report = packer.get("/recycling/dashboard/report.html", scope="own")
    assert "<h1>The loop</h1>" in report.text
    assert "style-src 'unsafe-inline'" in report.headers["content-security-policy"]
