"""The demo's closed loop (`battrace demo`, after second life), every call over the HTTP API:

1. the pack maker takes back two used packs (their passports become waste, the recycler
   responsible), hands the lot over; the recycler accepts it, dismantles it, reports its
   period (recycling efficiency and recovery against Annex XII) and recycles the black mass
   (the passports end);
2. the recycler offers recovered cobalt and nickel sulphate on the market; the cathode maker
   takes both offers (each becomes a trade), books them with virgin feed in its mass balance
   and applies it to a new cathode; the pack maker's next pack buys that cathode over a CFP
   request, and its passport model shows the recycled content against Art. 8;
3. not only batteries: the car maker's electric drive unit goes through the CFP roll-up (a
   magnet bought from a magnet maker), due diligence on that trade, and collection and
   dismantling by the recycler.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from rich.table import Table

from battrace.cli.demo.bodies import cfp_set, part_body, plant_body, trade_request_body
from battrace.cli.demo.client import AUTH_INFO, DT, ContractClient
from battrace.cli.demo.companies import Login, log_in
from battrace.cli.demo.data import COMPANY
from battrace.cli.demo.report import exact as _exact
from battrace.cli.demo.report import product_total, read_cfp
from battrace.cli.demo.reuse import MODEL
from battrace.cli.demo.scene import Scene, Step

REC = "/api/v1/recycling"
P = "/api/v1/passports"
DD = "/api/v1/diligence"
PLACED_ON_MARKET = "2031-09-01"
DUE = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()


def exact(value: object) -> str:
    """A number as the API gave it (JSON integers come as int), without trailing zeros."""
    return _exact(None if value is None else Decimal(str(value)))


# ------------------------------------------------------------ contract helpers
def _login(scene: Scene, key: str) -> Login:
    """The company's login; a loop company logs in and makes its plant the first time."""
    me = scene.logins.get(key)
    if me is None:
        me = scene.logins[key] = log_in(scene.api, COMPANY[key])
    if not me.plant_id:
        company = me.company
        plant = scene.api.obj(
            "PUT", AUTH_INFO, token=me.token, expect=201, params={"dataTarget": "plant"},
            body=plant_body(me.operator_id, company.open_plant_id, company.plant,
                            company.plant_address),
        )  # fmt: skip
        me.plant_id = str(plant["plantId"])
    return me


def _parts(
    api: ContractClient,
    me: Login,
    name: str,
    children: tuple[tuple[str, Any, bool], ...] = (),
    *,
    bought: bool = False,
) -> dict[str, str]:
    """A product (and its children: name, amount, terminated), trace ids by name; a part
    without children is terminated unless `bought` (it takes its supplier's answer)."""
    parent = part_body(me.operator_id, me.plant_id, name, terminated=not children and not bought)
    if not children:
        saved = api.obj(
            "PUT", DT, token=me.token, expect=201, params={"dataTarget": "parts"}, body=parent
        )
        return {name: str(saved["traceId"])}
    structure = api.obj(
        "PUT", DT, token=me.token, expect=201, params={"dataTarget": "partsStructure"},
        body={"parentPartsModel": parent, "childrenPartsModel": [
            part_body(me.operator_id, me.plant_id, child, terminated=done, amount=amount)
            for child, amount, done in children
        ]},
    )  # fmt: skip
    found = {name: str(structure["parentPartsModel"]["traceId"])}
    found.update({str(c["partsName"]): str(c["traceId"]) for c in structure["childrenPartsModel"]})
    return found


def _cfp(api: ContractClient, me: Login, trace: str, main: str) -> None:
    """A CFP set of main production only, kgCO2e per kg."""
    api.items(
        "PUT", DT, token=me.token, expect=201, params={"dataTarget": "cfp"},
        body=cfp_set(trace, pre_production=0, main_production=Decimal(main), pre_component=0,
                     main_component=0, unit="kgCO2e/kilogram", pre_dqr=None,
                     main_dqr=(2, 2, 2)),
    )  # fmt: skip


def _request_and_link(
    api: ContractClient, customer: Login, bought: str, supplier: Login, sold: str
) -> str:
    """The customer asks the supplier for `bought`'s CFP; the supplier links `sold`."""
    api.obj(
        "PUT", DT, token=customer.token, expect=201, params={"dataTarget": "tradeRequest"},
        body=trade_request_body(customer.operator_id, bought, supplier.operator_id,
                                message="loop", due=DUE),
    )  # fmt: skip
    return _link(api, supplier, bought, sold)


def _link(api: ContractClient, supplier: Login, bought: str, sold: str) -> str:
    received = api.items(
        "GET", DT, token=supplier.token, params={"dataTarget": "tradeResponse", "limit": "100"}
    )
    trade = next(
        item["tradeModel"]
        for item in received
        if item["tradeModel"]["downstreamTraceId"] == bought
        and item["tradeModel"]["upstreamTraceId"] is None
    )
    api.obj(
        "PUT", DT, token=supplier.token, expect=201,
        params={"dataTarget": "tradeResponse", "tradeId": trade["tradeId"], "traceId": sold},
    )  # fmt: skip
    return str(trade["tradeId"])


# ------------------------------------------------------------------ 1. recycling
def _recycle(scene: Scene) -> None:
    api, say = scene.api, scene.say
    pack, recycler = _login(scene, "pack"), _login(scene, "recycler")
    for me, roles in (
        (pack, ("collector",)),
        (recycler, ("collector", "treatment", "recycler", "storage")),
    ):
        for role in roles:
            permit = {"role": role, "permitRef": f"DEMO-{role}", "validUntil": None}
            api.obj("PUT", f"{REC}/permits", token=me.token, expect=201, body=permit)
    model = api.obj(
        "POST", f"{P}/models", token=pack.token, expect=201,
        body={"name": "Demo pack 60 kWh (2024)", "category": "ev", "data": MODEL},
    )  # fmt: skip
    batch = api.obj(
        "POST", f"{P}/batches", token=pack.token, expect=201,
        body={"modelId": str(model["modelId"]), "publish": True,
              "batteries": [{"batteryIdentifier": f"LOOP-000{n}"} for n in (1, 2)]},
    )  # fmt: skip
    passports = [str(p) for p in batch["passportIds"]]
    lot = api.obj(
        "POST", f"{REC}/lots", token=pack.token, expect=201,
        body={"code": "LOOP-1", "productType": "battery", "memberState": "DE", "massKg": 800,
              "itemIds": passports, "chemistry": "NMC811", "energyKwh": 120,
              "takenBack": True, "responsibleOperatorId": recycler.operator_id},
    )  # fmt: skip
    say(pack.company.short, "took back 2 packs (800 kg): passports waste, the recycler responsible")
    lot_url = f"{REC}/lots/{lot['lotId']}"
    api.obj("POST", f"{lot_url}/handover", token=pack.token, expect=201,
            body={"receiverOperatorId": recycler.operator_id})  # fmt: skip
    api.obj("POST", f"{lot_url}/acceptance", token=recycler.token,
            body={"massReceivedKg": 799, "lossKg": 1})  # fmt: skip
    fractions = api.items(
        "POST", f"{lot_url}/dismantling", token=recycler.token, expect=201,
        body={"lossKg": 4, "outputs": [
            {"fraction": f, "massKg": m}
            for f, m in (("black-mass", 420), ("aluminium", 190), ("copper", 75), ("steel", 90),
                         ("plastics", 20))
        ]},
    )  # fmt: skip
    report = api.obj("POST", f"{REC}/reports", token=recycler.token, expect=201, body=REPORT)
    api.obj("POST", f"{REC}/lots/{fractions[0]['lotId']}/events", token=recycler.token,
            expect=201, body={"kind": "recycled", "massOutKg": 420})  # fmt: skip
    ended = sum(
        1
        for row in api.items("GET", P, token=recycler.token)
        if row["passportId"] in passports and row["ended"]
    )
    rates = report["rates"]
    say(
        recycler.company.short,
        f"dismantled; report: recycling efficiency {exact(rates['recyclingEfficiencyPercent'])}"
        f" %, recovery Co {exact(rates['materialRecovery']['Co']['ratePercent'])} %, Ni "
        f"{exact(rates['materialRecovery']['Ni']['ratePercent'])} %",
    )
    say("", f"black mass recycled: {ended} passports ended")


REPORT = {
    "facility": "Hibiki Recycling Plant",
    "periodStart": "2026-01-01",
    "periodEnd": "2026-12-31",
    "memberState": "DE",
    "category": "lithium-based",
    "inputs": [
        {"chemistry": "NMC811", "massKg": 799, "deductedKg": 20,
         "elements": {"Co": 24, "Ni": 190, "Li": 28, "Cu": 76}},
    ],
    "outputs": [
        {"name": "cobalt sulphate", "massKg": 110, "elements": {"Co": 23}, "purityPercent": 99.8},
        {"name": "nickel sulphate", "massKg": 300, "elements": {"Ni": 180}, "purityPercent": 99.5},
        {"name": "lithium carbonate", "massKg": 120, "elements": {"Li": 22}},
        {"name": "copper", "massKg": 74, "elements": {"Cu": 72}},
        {"name": "aluminium", "massKg": 60},
    ],
}  # fmt: skip


# ------------------------------------------------------------- 2. back to the cathode
# element, kg of the element per kg sulphate, kg bought, kg of virgin element booked, kg of
# the element per kg of cathode
FLOWS = (("Co", "0.21", 100, 90, "0.06"), ("Ni", "0.22", 400, 1400, "0.48"))


def _flow_back(scene: Scene) -> dict[str, Any]:
    api, say = scene.api, scene.say
    recycler, cam, pack = _login(scene, "recycler"), _login(scene, "cam"), _login(scene, "pack")
    cathode = _parts(api, cam, "NCM811 cathode (recycled feed)")["NCM811 cathode (recycled feed)"]
    for element, fraction, bought_kg, virgin_kg, per_kg in FLOWS:
        sold = _parts(api, recycler, f"Recovered {element} sulphate")
        bought = _parts(api, cam, f"{element} sulphate in", bought=True)
        lot = api.obj(
            "POST", f"{REC}/materialLots", token=recycler.token, expect=201,
            body={"traceId": next(iter(sold.values())), "element": element,
                  "grade": "battery grade", "massKg": bought_kg, "elementFraction": fraction,
                  "postConsumerPercent": 100, "cfpKgCO2ePerKg": 3},
        )  # fmt: skip
        offered = {"lotId": lot["lotId"], "quantityKg": bought_kg, "public": True}
        offer = api.obj("POST", f"{REC}/offers", token=recycler.token, expect=201, body=offered)
        ask = api.obj(
            "POST", f"{REC}/asks", token=cam.token, expect=201,
            body={"traceId": next(iter(bought.values())), "element": element,
                  "grade": "battery grade", "quantityKg": bought_kg},
        )  # fmt: skip
        taken = api.obj("POST", f"{REC}/asks/{ask['askId']}/take", token=cam.token,
                        body={"offerId": offer["offerId"]})  # fmt: skip
        api.obj("POST", f"{REC}/asks/{ask['askId']}/confirmation", token=recycler.token,
                body={"askOperatorId": cam.operator_id})  # fmt: skip
        for booking in (
            {"tradeId": taken["tradeId"], "quantity": bought_kg},
            {"element": element, "massKg": virgin_kg, "source": "virgin feed"},
        ):
            api.items("POST", f"{REC}/balance/bookings", token=cam.token, expect=201,
                      body={"site": "Niihama", "period": "2030", **booking})  # fmt: skip
        api.obj(
            "POST", f"{REC}/balance/application", token=cam.token, expect=201,
            body={"traceId": cathode, "site": "Niihama", "element": element, "period": "2030",
                  "elementKgPerUnit": per_kg, "producedUnits": 500},
        )  # fmt: skip
    say(cam.company.short, "bought recovered Co and Ni on the market, mass balanced with virgin")
    _cfp(api, cam, cathode, "15")
    next_pack = _parts(api, pack, "Pack 60 kWh (2030)", (("NCM811 cathode (recycled)", 45, False),))
    _request_and_link(api, pack, next_pack["NCM811 cathode (recycled)"], cam, cathode)
    product = next_pack["Pack 60 kWh (2030)"]
    model = api.obj(
        "POST", f"{P}/models", token=pack.token, expect=201,
        body={"name": "Demo pack 60 kWh (2030)", "category": "ev", "traceId": product,
              "data": MODEL},
    )  # fmt: skip
    query = {"traceId": product, "placedOnMarket": PLACED_ON_MARKET}
    content = api.obj("GET", f"{REC}/content", token=pack.token, params=query)
    api.obj("POST", f"{REC}/content/passport", token=pack.token, params=query)
    table = Table(title="The next pack's recycled content (its passport model) against Art. 8")
    for column in ("element", "share", f"minimum on {PLACED_ON_MARKET}", "gap"):
        table.add_column(column, justify="right")
    for row in content["art8"]:
        table.add_row(
            row["element"],
            "-" if row["sharePercent"] is None else f"{exact(row['sharePercent'])} %",
            "-" if row["minimumPercent"] is None else f"{exact(row['minimumPercent'])} %",
            "-" if row["gapPercent"] is None else exact(row["gapPercent"]),
        )
    scene.console.print(table)
    say(pack.company.short, f"passport model {model['modelId']} filled with these shares")
    return dict(content["sharesPercent"])


# ------------------------------------------------------- 3. another product type
def _drive_unit(scene: Scene) -> dict[str, Any]:
    api, say = scene.api, scene.say
    oem, magnet_maker = _login(scene, "oem"), _login(scene, "magnet")
    recycler = _login(scene, "recycler")
    edu = _parts(api, oem, "EDU 150 kW", (("Stator copper", 12, True), ("Rotor magnet", 2, False)))
    magnet = _parts(api, magnet_maker, "NdFeB magnet")["NdFeB magnet"]
    _cfp(api, magnet_maker, magnet, "30")
    _cfp(api, oem, edu["Stator copper"], "4")
    _cfp(api, oem, edu["EDU 150 kW"], "40")
    trade_id = _request_and_link(api, oem, edu["Rotor magnet"], magnet_maker, magnet)
    total = product_total(oem, edu["EDU 150 kW"], read_cfp(api, oem, edu["EDU 150 kW"]))
    say(oem.company.short, f"EDU 150 kW: CFP {exact(total.main)} kgCO2e (40 own + 12 kg copper x 4 "
        "+ 2 kg magnet x 30)")  # fmt: skip
    request = api.obj(
        "POST", f"{DD}/requests", token=oem.token, expect=201,
        body={"tradeId": trade_id, "materials": ["cobalt"], "message": "EDU magnets"},
    )  # fmt: skip
    url = f"{DD}/requests/{request['requestId']}"
    api.obj(
        "PUT", f"{url}/answer", token=magnet_maker.token,
        body={"answers": [{"code": "BR49.POLICY", "value": "yes"}], "facilities": [],
              "signer": {"name": "Ren Raiden", "title": "Sustainability",
                         "email": magnet_maker.company.email}},
    )  # fmt: skip
    api.obj("POST", f"{url}/submit", token=magnet_maker.token, expect=201)
    say(magnet_maker.company.short, "answered the car maker's due-diligence request on the magnet")
    lot = api.obj(
        "POST", f"{REC}/lots", token=recycler.token, expect=201,
        body={"code": "EDU-1", "productType": "electric drive unit", "memberState": "DE",
              "massKg": 900, "itemIds": [f"EDU-SN-{n}" for n in range(1, 7)]},
    )  # fmt: skip
    fractions = api.items(
        "POST", f"{REC}/lots/{lot['lotId']}/dismantling", token=recycler.token, expect=201,
        body={"lossKg": 5, "outputs": [{"fraction": "copper", "massKg": 80},
                                       {"fraction": "steel", "massKg": 700},
                                       {"fraction": "aluminium", "massKg": 115}]},
    )  # fmt: skip
    say(recycler.company.short, f"collected 6 EDUs (900 kg), dismantled into {len(fractions)} "
        "fractions, mass balanced")  # fmt: skip
    return {"cfp": total.main, "fractions": len(fractions)}


def close_the_loop(scene: Scene) -> dict[str, Any]:
    """Steps 1 and 2 of the module; the next pack's recycled shares, percent by element."""
    _recycle(scene)
    return _flow_back(scene)


def _play_loop(scene: Scene) -> None:
    close_the_loop(scene)


def _play_drive_unit(scene: Scene) -> None:
    _drive_unit(scene)


STEPS = (
    Step("The loop: a pack collected and recycled, its cobalt and nickel in the next pack",
         _play_loop),
    Step("Not only batteries: an electric drive unit through CFP, DD and collection",
         _play_drive_unit),
)  # fmt: skip
