"""`battrace demo`: a small but realistic battery supply chain, driven through the real HTTP API.

This module owns the demo's data (eight fictional companies, their plants, products, bills of
materials and CFP figures) and the script that plays it: companies, logins and one API key
are created directly in the database with the identity services (there is no HTTP API for
creating companies); everything after that goes through the contract API of a battrace
server, exactly as the companies' own systems would call it:

1. every company logs in, creates its plant and registers its product structure;
2. customers look their suppliers up by corporate number and ask them for the CFP of the
   parts they buy, top tier first;
3. suppliers answer bottom tier first: they link their own product to the request, release
   CFP, DQR and certificates to the customer, and register their CFP. One supplier sends a
   request back once, and the customer asks again; one uploads a PDF certificate;
4. due diligence over the same trades: customers ask for answers on the Annex X materials,
   suppliers answer bottom tier first with smelter lists and evidence (`demo_dd`), and the
   car maker reads the DD report of its vehicle;
5. the car maker reads the CFP of its product: the server rolls every tier up.

The server is started in-process on a free loopback port unless `base_url` names a running
server (which must use the same database). The demo is idempotent in effect: once its
companies exist, it only reads and prints the results.

Demo logins use one public password (`DEMO_PASSWORD`) and the fixed API key `DEMO_API_KEY`,
like the reference tutorial's fixtures; the key is bound to the demo companies only.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import httpx
import uvicorn
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree
from sqlalchemy import select

from battrace.cli.seeds import ensure_key
from battrace.identity import accounts, operators, passwords
from battrace.identity.models import ApplicationAttribute, Operator
from battrace.settings import Settings
from battrace.store import Database

D = Decimal
Dqr3 = tuple[Decimal, Decimal, Decimal]

DEMO_API_KEY = "Demo-APIKey"
DEMO_PASSWORD = "Demo&user_01"
DT = "/api/v1/datatransport"
AUTH_INFO = "/api/v1/authInfo"
SERVER_START_SECONDS = 30.0


def corporate_number(base: str) -> str:
    """A 13-digit Japanese corporate number: check digit + 12-digit base (NTA rule)."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return f"{9 - total % 9}{base}"


# ----------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Company:
    key: str
    name: str
    short: str
    base_number: str
    address: str
    email: str
    plant: str
    plant_address: str

    @property
    def open_operator_id(self) -> str:
        return corporate_number(self.base_number)

    @property
    def open_plant_id(self) -> str:
        return f"{self.open_operator_id}000001"


@dataclass(frozen=True)
class Footprint:
    """A CFP set as its owner registers it (#15): kgCO2e per declared unit, with DQR.

    `*_production` are the owner's own emissions, `*_component` those of materials it buys
    without a trace (estimated from secondary data). A stage's DQR is None when nothing is
    emitted in it.
    """

    pre_production: Decimal
    pre_component: Decimal
    main_production: Decimal
    main_component: Decimal
    pre_dqr: Dqr3 | None
    main_dqr: Dqr3 | None


def _footprint(
    pre: tuple[str, str], main: tuple[str, str], pre_dqr: str | None, main_dqr: str | None
) -> Footprint:
    """Footprint from ("own", "component") per stage and DQR written as "TeR GeR TiR"."""

    def dqr(text: str | None) -> Dqr3 | None:
        if text is None:
            return None
        ter, ger, tir = (D(v) for v in text.split())
        return ter, ger, tir

    return Footprint(D(pre[0]), D(pre[1]), D(main[0]), D(main[1]), dqr(pre_dqr), dqr(main_dqr))


@dataclass(frozen=True)
class Input:
    """A child part in a company's structure: bought from a demo supplier (a CFP request is
    sent for it), or estimated in house (a terminated part whose CFP the company enters)."""

    name: str
    label: str
    amount: Decimal
    unit: str
    supplier: str | None = None
    estimate: Footprint | None = None

    @property
    def support(self) -> str:
        return COMPANY[self.supplier].short if self.supplier else "in-house estimate"


@dataclass(frozen=True)
class Product:
    company: str
    name: str
    label: str
    unit: str
    own: Footprint
    inputs: tuple[Input, ...] = ()
    kwh: Decimal | None = None
    period: str = "FY2025"

    @property
    def terminated(self) -> bool:
        return not self.inputs


COMPANIES = (
    Company(
        "oem",
        "Aozora Motors Corporation",
        "Aozora Motors",
        "999901000001",
        "1-1 Aozora-cho, Toyohashi-shi, Aichi",
        "carmaker@aozora-motors.example",
        "Tsubasa Assembly Plant",
        "5-1 Minato-cho, Toyohashi-shi, Aichi",
    ),
    Company(
        "pack",
        "Tsubame Battery Systems Co., Ltd.",
        "Tsubame Battery",
        "999901000002",
        "2-8 Showa-cho, Kariya-shi, Aichi",
        "pack@tsubame-battery.example",
        "Kariya Pack Plant",
        "3-15 Showa-cho, Kariya-shi, Aichi",
    ),
    Company(
        "cell",
        "Hikari Cell Energy Co., Ltd.",
        "Hikari Cell",
        "999901000003",
        "4-2 Hama-dori, Himeji-shi, Hyogo",
        "cells@hikari-cell.example",
        "Himeji Cell Plant",
        "10-1 Shikama-ku, Himeji-shi, Hyogo",
    ),
    Company(
        "cam",
        "Kawasemi Cathode Materials Co., Ltd.",
        "Kawasemi Cathode",
        "999901000004",
        "7-3 Isoura-cho, Niihama-shi, Ehime",
        "cam@kawasemi-cathode.example",
        "Niihama Works",
        "7-5 Isoura-cho, Niihama-shi, Ehime",
    ),
    Company(
        "anode",
        "Kurogane Graphite Co., Ltd.",
        "Kurogane Graphite",
        "999901000005",
        "1-6 Kurosaki, Kitakyushu-shi, Fukuoka",
        "anode@kurogane-graphite.example",
        "Kitakyushu Works",
        "2-20 Wakamatsu-ku, Kitakyushu-shi, Fukuoka",
    ),
    Company(
        "electrolyte",
        "Seiryu Electrolyte Co., Ltd.",
        "Seiryu Electrolyte",
        "999901000006",
        "3-3 Okinoyama, Ube-shi, Yamaguchi",
        "electrolyte@seiryu-chem.example",
        "Ube Works",
        "1-12 Okinoyama, Ube-shi, Yamaguchi",
    ),
    Company(
        "separator",
        "Shirakaba Separator Film Co., Ltd.",
        "Shirakaba Separator",
        "999901000007",
        "9-1 Moriyama, Moriyama-shi, Shiga",
        "separator@shirakaba-film.example",
        "Moriyama Film Works",
        "9-30 Moriyama, Moriyama-shi, Shiga",
    ),
    Company(
        "lithium",
        "Minato Lithium Refining Co., Ltd.",
        "Minato Lithium",
        "999901000008",
        "6-1 Kasumigaura, Yokkaichi-shi, Mie",
        "lithium@minato-lithium.example",
        "Yokkaichi Refinery",
        "6-40 Kasumigaura, Yokkaichi-shi, Mie",
    ),
)
COMPANY = {company.key: company for company in COMPANIES}
ROOT = "oem"

# Bills of materials per unit of the parent, and CFP figures in kgCO2e per declared unit.
# A 60 kWh pack of 96 prismatic NMC811 cells (172 Ah x 3.65 V = 0.6278 kWh each).
CELL_KWH = D("0.6278")
PACK_KWH = 96 * CELL_KWH
PRODUCTS = {
    product.company: product
    for product in (
        Product(
            "oem",
            "AZ-BS60-S1",
            "Traction battery system, BEV sedan S1",
            "unit",
            _footprint(("0", "0"), ("18", "0"), None, "1 1 1"),
            (
                Input("P-TB60", "Battery pack 60 kWh", D(1), "unit", supplier="pack"),
                Input(
                    "P-FRAME-ST",
                    "Battery mounting frame, steel",
                    D(14),
                    "kilogram",
                    estimate=_footprint(("0", "2.1"), ("0", "0.25"), "3 2 3", "3 2 3"),
                ),
            ),
            kwh=PACK_KWH,
        ),
        Product(
            "pack",
            "TB-60",
            "Battery pack 60 kWh, 96s1p",
            "unit",
            _footprint(("0", "0"), ("95", "0"), None, "1 1 1"),
            (
                Input("C-HC172", "Prismatic cell NMC811 172 Ah", D(96), "unit", supplier="cell"),
                Input(
                    "H-AL-42",
                    "Pack housing, aluminium",
                    D(42),
                    "kilogram",
                    estimate=_footprint(("0", "8.6"), ("0", "1.4"), "2 4 2", "2 4 2"),
                ),
                Input(
                    "E-BMS-M",
                    "Battery management system",
                    D(1),
                    "unit",
                    estimate=_footprint(("0", "38"), ("0", "6.5"), "4 3 3", "4 3 3"),
                ),
            ),
            kwh=PACK_KWH,
        ),
        Product(
            "cell",
            "HC-172",
            "Prismatic cell NMC811 172 Ah 3.65 V",
            "unit",
            _footprint(("0", "0"), ("11.2", "0"), None, "1 1 1"),
            (
                Input("M-CAM811", "Cathode active material NMC811", D("1.05"), "kilogram", "cam"),
                Input("M-GR-SYN", "Graphite anode material", D("0.68"), "kilogram", "anode"),
                Input("M-EL-12", "Electrolyte 1.2 M LiPF6", D("0.52"), "liter", "electrolyte"),
                Input("M-SEP-12", "Separator 12 um", D("9.6"), "square-meter", "separator"),
                Input(
                    "M-CAN-FOIL",
                    "Cell can, Cu/Al foils and tabs",
                    D("0.95"),
                    "kilogram",
                    estimate=_footprint(("0", "6.8"), ("0", "1.2"), "3 3 3", "3 3 3"),
                ),
            ),
            kwh=CELL_KWH,
        ),
        Product(
            "cam",
            "KC-811",
            "NMC811 cathode active material",
            "kilogram",
            _footprint(("0", "0"), ("3.8", "0"), None, "1 2 1"),
            (
                Input("R-LIOH", "Lithium hydroxide monohydrate", D("0.46"), "kilogram", "lithium"),
                Input(
                    "R-PCAM811",
                    "NMC811 precursor (pCAM)",
                    D("0.98"),
                    "kilogram",
                    estimate=_footprint(("0", "9.4"), ("0", "2.1"), "3 3 2", "3 3 2"),
                ),
            ),
        ),
        Product(
            "anode",
            "KG-SG30",
            "Synthetic graphite anode material",
            "kilogram",
            _footprint(("0.9", "1.6"), ("5.2", "0"), "2 2 2", "1 1 2"),
        ),
        Product(
            "electrolyte",
            "SE-12A",
            "Electrolyte 1.2 M LiPF6 in EC/EMC",
            "liter",
            _footprint(("0.3", "3.4"), ("0.9", "0"), "2 3 2", "1 2 1"),
        ),
        Product(
            "separator",
            "SF-12W",
            "PE separator 12 um, ceramic coated",
            "square-meter",
            _footprint(("0", "0.11"), ("0.28", "0.04"), "3 2 2", "1 1 1"),
        ),
        Product(
            "lithium",
            "LHM-BG",
            "Lithium hydroxide monohydrate, battery grade",
            "kilogram",
            _footprint(("1.2", "6.9"), ("5.1", "0.8"), "2 1 1", "1 1 1"),
        ),
    )
}

# The one request that is sent back once, and what both sides say.
SENDS_BACK = "electrolyte"
SEND_BACK_REASON = (
    "Which grade do you need? We supply SE-12A (standard) and SE-12H (high voltage); "
    "please name the grade in your request."
)
REQUEST_AGAIN = "Grade SE-12A (1.2 M LiPF6 in EC/EMC) as in spec HC-172-EL rev.3, please."
CERTIFIED_BY = "lithium"
CERTIFICATE_NAME = "LHM-BG_CFP_FY2025.pdf"

UNIT_SHORT = {"kilogram": "kg", "liter": "L", "square-meter": "m2", "unit": "unit"}


def _tiers() -> dict[str, int]:
    """Each company's distance from the car maker (the longest path, if several)."""
    tier = {ROOT: 0}
    frontier = [ROOT]
    while frontier:
        following = []
        for key in frontier:
            for item in PRODUCTS[key].inputs:
                if item.supplier is not None and tier.get(item.supplier, -1) < tier[key] + 1:
                    tier[item.supplier] = tier[key] + 1
                    following.append(item.supplier)
        frontier = following
    return tier


# ---------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class ProductTotal:
    """A company's product CFP as the company itself reads it (`GET cfp`, Total rows)."""

    company: str
    part: str
    trace_id: str
    unit: str
    pre: Decimal | None
    main: Decimal | None
    pre_dqr: tuple[Decimal | None, ...] = ()
    main_dqr: tuple[Decimal | None, ...] = ()

    @property
    def total(self) -> Decimal | None:
        return None if self.pre is None or self.main is None else self.pre + self.main


@dataclass(frozen=True)
class DemoResult:
    """What a demo run did and found.

    outcome: `built` (this run built the chain), `present` (it existed; results read back),
    `skipped` (it existed and `skip_if_present` was set; nothing was called), `blocked`
    (some of the demo's corporate numbers belong to other companies; nothing was done).
    """

    outcome: Literal["built", "present", "skipped", "blocked"]
    calls: int = 0
    product: ProductTotal | None = None
    trades_count: int | None = None
    completed_count: int | None = None
    tree_status: str | None = None
    products: tuple[ProductTotal, ...] = ()

    @property
    def product_trace_id(self) -> str | None:
        return self.product.trace_id if self.product else None

    @property
    def pre_total(self) -> Decimal | None:
        return self.product.pre if self.product else None

    @property
    def main_total(self) -> Decimal | None:
        return self.product.main if self.product else None


class DemoError(RuntimeError):
    """A call of the demo did not answer as the contract says."""


# ------------------------------------------------------------------------- the database


def _registered(database: Database) -> set[str]:
    """Those of the demo's corporate numbers that are registered already."""
    wanted = [company.open_operator_id for company in COMPANIES]
    with database.transaction(write=False) as session:
        query = select(Operator.open_operator_id).where(Operator.open_operator_id.in_(wanted))
        return set(session.scalars(query))


def _register_companies(settings: Settings, database: Database) -> None:
    """Operators, logins (argon2, at the settings' cost) and the demo's API key, at once."""
    passwords.configure(
        time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib
    )
    with database.transaction() as session:
        ids = []
        for company in COMPANIES:
            operator = operators.create_operator(
                session,
                name=company.name,
                address=company.address,
                open_operator_id=company.open_operator_id,
            )
            session.flush()  # the account references the operator
            accounts.create_account(
                session, operator_id=operator.id, email=company.email, password=DEMO_PASSWORD
            )
            ids.append(operator.id)
        ensure_key(session, DEMO_API_KEY, "battrace demo", ApplicationAttribute.APPLICATION, ids)


# --------------------------------------------------------------------------- the server


@contextmanager
def _in_process_server(settings: Settings) -> Iterator[str]:
    """Serve battrace on a free loopback port in a background thread; yield its base URL."""
    from battrace.app import create_app  # noqa: PLC0415 (only when serving)

    # The peer is ourselves on loopback: no proxy in front, and links must point here.
    local = settings.model_copy(update={"trusted_proxy_hops": 0, "public_url": None})
    app = create_app(local)
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive request waits ~40 ms for a delayed ACK.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    config = uvicorn.Config(
        app, log_level="warning", log_config=None, access_log=False, proxy_headers=False
    )
    server = uvicorn.Server(config)  # in a thread, uvicorn installs no signal handlers
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="battrace-demo", daemon=True
    )
    try:
        listener.bind(("127.0.0.1", 0))
        port = config.port = int(listener.getsockname()[1])  # for uvicorn's log lines
        thread.start()
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise DemoError("the in-process server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        if thread.is_alive():
            thread.join(timeout=SERVER_START_SECONDS)
        listener.close()
        app.state.battrace.db.dispose()  # done by the app's shutdown, unless it never started


# --------------------------------------------------------------------------- the client


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class Api:
    """HTTP calls as a company's system makes them: counted, checked, numbers kept exact."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.calls = 0

    def call(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        expect: int = 200,
        params: dict[str, str] | None = None,
        body: object = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        key_header: str | None = "apiKey",
    ) -> object:
        sent = dict(headers or {})
        if key_header is not None:
            sent[key_header] = DEMO_API_KEY
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            content = json.dumps(body, default=_json_default).encode()
            sent["Content-Type"] = "application/json"
        self.calls += 1
        response = self.http.request(method, url, params=params, content=content, headers=sent)
        if response.status_code != expect:
            raise DemoError(
                f"{method} {url} {params or ''} answered {response.status_code}: {response.text}"
            )
        if response.headers.get("content-type", "").startswith("application/json"):
            return json.loads(response.content, parse_float=Decimal)
        return response.text

    def obj(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:  # noqa: ANN401
        value = self.call(method, url, **kwargs)
        if not isinstance(value, dict):
            raise DemoError(f"{method} {url}: expected a JSON object, got {value!r}")
        return value

    def items(self, method: str, url: str, **kwargs: Any) -> list[dict[str, Any]]:  # noqa: ANN401
        value = self.call(method, url, **kwargs)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise DemoError(f"{method} {url}: expected a JSON array of objects, got {value!r}")
        return value


@dataclass
class Login:
    """One company's session and what it registered."""

    company: Company
    token: str
    operator_id: str
    plant_id: str = ""
    product_trace: str = ""
    child_traces: dict[str, str] = field(default_factory=dict)


def _login(api: Api, company: Company) -> Login:
    tokens = api.obj(
        "POST",
        "/auth/login",
        expect=201,
        body={"operatorAccountId": company.email, "accountPassword": DEMO_PASSWORD},
    )
    token = str(tokens["accessToken"])
    me = api.obj("GET", AUTH_INFO, token=token, params={"dataTarget": "operator"})
    return Login(company, token, str(me["operatorId"]))


def _dec(value: object) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else D(str(value))


def _amount(value: Decimal | None, places: str = "0.01") -> str:
    """A figure for people: rounded to `places`, thousands separated; None is "unknown"."""
    return "unknown" if value is None else f"{value.quantize(D(places)):,}"


def _exact(value: Decimal | None) -> str:
    """A figure as the API gave it (at most 5 decimals), without trailing zeros."""
    if value is None:
        return "unknown"
    text = f"{value.quantize(D('0.00001')):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# -------------------------------------------------------------------------- the script


def _part_body(
    me: Login,
    name: str,
    label: str,
    unit: str,
    support: str,
    *,
    terminated: bool,
    amount: Decimal | None = None,
) -> dict[str, object]:
    return {
        "amountRequired": amount,
        "amountRequiredUnit": unit,
        "operatorId": me.operator_id,
        "partsName": name,
        "plantId": me.plant_id,
        "supportPartsName": support,
        "terminatedFlag": terminated,
        "traceId": None,
        "partsLabelName": label,
        "partsAddInfo1": None,
        "partsAddInfo2": None,
        "partsAddInfo3": None,
    }


def _set_up(api: Api, me: Login) -> None:
    """Plant, then the product and its structure (#3, #5 / #6)."""
    company = me.company
    plant = api.obj(
        "PUT",
        AUTH_INFO,
        token=me.token,
        expect=201,
        params={"dataTarget": "plant"},
        body={
            "openPlantId": company.open_plant_id,
            "operatorId": me.operator_id,
            "plantAddress": company.plant_address,
            "plantId": None,
            "plantName": company.plant,
            "plantAttribute": {},
        },
    )
    me.plant_id = str(plant["plantId"])
    product = PRODUCTS[company.key]
    parent = _part_body(
        me, product.name, product.label, product.unit, product.period, terminated=product.terminated
    )
    if product.terminated:
        saved = api.obj(
            "PUT", DT, token=me.token, expect=201, params={"dataTarget": "parts"}, body=parent
        )
        me.product_trace = str(saved["traceId"])
        return
    children = [
        _part_body(
            me,
            item.name,
            item.label,
            item.unit,
            item.support,
            terminated=item.estimate is not None,
            amount=item.amount,
        )
        for item in product.inputs
    ]
    structure = api.obj(
        "PUT",
        DT,
        token=me.token,
        expect=201,
        params={"dataTarget": "partsStructure"},
        body={"parentPartsModel": parent, "childrenPartsModel": children},
    )
    me.product_trace = str(structure["parentPartsModel"]["traceId"])
    me.child_traces = {
        str(child["partsName"]): str(child["traceId"]) for child in structure["childrenPartsModel"]
    }


def _request(api: Api, me: Login, item: Input, message: str) -> None:
    """Look the supplier up by corporate number (#2) and ask it for the part's CFP (#7)."""
    assert item.supplier is not None  # noqa: S101 (bought inputs only)
    supplier = api.obj(
        "GET",
        AUTH_INFO,
        token=me.token,
        params={
            "dataTarget": "operator",
            "openOperatorId": COMPANY[item.supplier].open_operator_id,
        },
    )
    due = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    api.obj(
        "PUT",
        DT,
        token=me.token,
        expect=201,
        params={"dataTarget": "tradeRequest"},
        body={
            "statusModel": {
                "message": message,
                "replyMessage": None,
                "requestStatus": {},
                "requestType": "CFP",
                "statusId": None,
                "tradeId": None,
                "responseDueDate": due,
            },
            "tradeModel": {
                "downstreamOperatorId": me.operator_id,
                "downstreamTraceId": me.child_traces[item.name],
                "tradeId": None,
                "upstreamOperatorId": str(supplier["operatorId"]),
                "upstreamTraceId": None,
            },
        },
    )


def _open_requests(api: Api, me: Login) -> list[dict[str, Any]]:
    """Requests received (#12) that still wait for an answer."""
    received = api.items(
        "GET", DT, token=me.token, params={"dataTarget": "tradeResponse", "limit": "100"}
    )
    return [
        item
        for item in received
        if item["statusModel"]["requestStatus"]["cfpResponseStatus"] == "NOT_COMPLETED"
        and item["tradeModel"]["upstreamTraceId"] is None
    ]


def _send_back(api: Api, me: Login, received: dict[str, Any], reason: str) -> None:
    status = dict(received["statusModel"])
    status["requestStatus"] = {
        "cfpResponseStatus": "REJECT",
        "tradeTreeStatus": status["requestStatus"]["tradeTreeStatus"],
        "completedCount": None,
        "completedCountModifiedAt": None,
        "tradesCount": None,
        "tradesCountModifiedAt": None,
    }
    status["replyMessage"] = reason
    status["responseDueDate"] = None
    api.obj("PUT", DT, token=me.token, expect=201, params={"dataTarget": "status"}, body=status)


def _link_and_release(api: Api, me: Login, received: dict[str, Any]) -> None:
    """Link the own product to the request (#13); release CFP, DQR, certificates (T1, T2)."""
    trade = received["tradeModel"]
    api.obj(
        "PUT",
        DT,
        token=me.token,
        expect=201,
        params={
            "dataTarget": "tradeResponse",
            "tradeId": trade["tradeId"],
            "traceId": me.product_trace,
        },
    )
    customer = trade["downstreamOperatorId"]
    api.obj(
        "POST",
        "/cfpAcl",
        token=me.token,
        key_header="x-api-key",
        body={
            "operatorId": me.operator_id,
            "releasedToOperatorId": customer,
            "traceId": me.product_trace,
            "acl": [
                {"aclItemGroup": "TOTALCFP", "releasedFlag": True},
                {"aclItemGroup": "TOTALDQR", "releasedFlag": True},
            ],
        },
    )
    api.obj(
        "POST",
        "/cfpCertificationAcl",
        token=me.token,
        key_header="x-api-key",
        body={
            "operatorId": me.operator_id,
            "releasedToOperatorId": customer,
            "traceId": me.product_trace,
            "releasedFlag": True,
        },
    )


def _cfp_rows(trace_id: str, unit: str, own: Footprint) -> list[dict[str, object]]:
    def dqr(value: Dqr3 | None) -> dict[str, object]:
        ter, ger, tir = value if value is not None else (None, None, None)
        return {"TeR": ter, "GeR": ger, "TiR": tir}

    def row(
        cfp_type: str, emission: Decimal, dqr_type: str, rating: Dqr3 | None
    ) -> dict[str, object]:
        return {
            "cfpId": None,
            "traceId": trace_id,
            "ghgEmission": emission,
            "ghgDeclaredUnit": f"kgCO2e/{unit}",
            "cfpType": cfp_type,
            "dqrType": dqr_type,
            "dqrValue": dqr(rating),
        }

    return [
        row("preProduction", own.pre_production, "preProcessing", own.pre_dqr),
        row("mainProduction", own.main_production, "mainProcessing", own.main_dqr),
        row("preComponent", own.pre_component, "preProcessing", own.pre_dqr),
        row("mainComponent", own.main_component, "mainProcessing", own.main_dqr),
    ]


def _register_cfp(api: Api, me: Login) -> None:
    """CFP of the in-house estimated parts, then of the product (#15)."""
    product = PRODUCTS[me.company.key]
    for item in product.inputs:
        if item.estimate is not None:
            trace = me.child_traces[item.name]
            api.items(
                "PUT",
                DT,
                token=me.token,
                expect=201,
                params={"dataTarget": "cfp"},
                body=_cfp_rows(trace, item.unit, item.estimate),
            )
    api.items(
        "PUT",
        DT,
        token=me.token,
        expect=201,
        params={"dataTarget": "cfp"},
        body=_cfp_rows(me.product_trace, product.unit, product.own),
    )


def _certificate_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with some lines of text (ASCII), built by hand."""
    text = " ".join(
        "({}) '".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
        for line in lines
    )
    stream = f"BT /F1 11 Tf 72 760 Td 16 TL {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _upload_certificate(api: Api, me: Login) -> str:
    """Upload slot (T5), the bytes to its URL (T7), attach to the product's CFP (T8)."""
    product = PRODUCTS[me.company.key]
    own = product.own
    unit = f"kgCO2e/{UNIT_SHORT[product.unit]}"
    pdf = _certificate_pdf(
        [
            "CFP verification statement (demo document)",
            f"{me.company.name}: {product.name} {product.label}",
            f"Pre-processing {own.pre_production + own.pre_component} {unit}, "
            f"main production {own.main_production + own.main_component} {unit}",
            "Verified against ISO 14067:2018 by a fictional verification body.",
        ]
    )
    [slot] = api.items(
        "POST",
        "/fileUploadUrl",
        token=me.token,
        key_header="x-api-key",
        body={
            "operatorId": me.operator_id,
            "fileInfo": [{"fileName": CERTIFICATE_NAME, "extension": "pdf"}],
        },
    )
    api.call(
        "PUT",
        str(slot["URL"]),
        content=pdf,
        headers={"Content-Type": "application/pdf"},
        key_header=None,
    )
    api.obj(
        "POST",
        "/cfpCertificationInfo",
        token=me.token,
        key_header="x-api-key",
        body={
            "operatorId": me.operator_id,
            "traceId": me.product_trace,
            "cfpCertificationDescription": "Third-party verified CFP, FY2025",
            "cfpCertificationFileInfo": [{"fileId": slot["fileId"], "fileName": CERTIFICATE_NAME}],
        },
    )
    return f"{len(pdf):,} bytes"


def _own_requests(api: Api, me: Login) -> list[dict[str, Any]]:
    return api.items(
        "GET", DT, token=me.token, params={"dataTarget": "status", "statusTarget": "REQUEST"}
    )


def _find_product(api: Api, me: Login) -> str:
    """The trace id of the company's product, looked up by part number (#8)."""
    product = PRODUCTS[me.company.key]
    found = api.items(
        "GET",
        DT,
        token=me.token,
        params={"dataTarget": "parts", "partsName": product.name, "parentFlag": "true"},
    )
    if not found:
        raise DemoError(f"{me.company.short} has no part {product.name}")
    return str(found[0]["traceId"])


def _read_cfp(api: Api, me: Login, trace_id: str) -> dict[str, dict[str, Any]]:
    """`GET cfp` (#14) for one part, by cfpType."""
    rows = api.items("GET", DT, token=me.token, params={"dataTarget": "cfp", "traceIds": trace_id})
    return {str(row["cfpType"]): row for row in rows}


def _product_total(me: Login, trace_id: str, by_type: dict[str, dict[str, Any]]) -> ProductTotal:
    """The product's CFP per stage from its Total rows (ProductionTotal + ComponentTotal)."""

    def stage(prefix: str) -> tuple[Decimal | None, tuple[Decimal | None, ...]]:
        production = by_type.get(f"{prefix}ProductionTotal")
        component = by_type.get(f"{prefix}ComponentTotal")
        if production is None or component is None:
            return None, ()
        own, parts = _dec(production["ghgEmission"]), _dec(component["ghgEmission"])
        total = None if own is None or parts is None else own + parts
        dqr = production["dqrValue"]
        return total, (_dec(dqr["TeR"]), _dec(dqr["GeR"]), _dec(dqr["TiR"]))

    product = PRODUCTS[me.company.key]
    pre, pre_dqr = stage("pre")
    main, main_dqr = stage("main")
    return ProductTotal(
        me.company.short, product.name, trace_id, product.unit, pre, main, pre_dqr, main_dqr
    )


def _supply_tree() -> Tree:
    def grow(node: Tree, key: str) -> None:
        for item in PRODUCTS[key].inputs:
            amount = f"{item.amount} {UNIT_SHORT[item.unit]}"
            if item.supplier is None:
                node.add(f"{amount} {item.label} [dim](in-house estimate)[/]")
            else:
                supplier = PRODUCTS[item.supplier]
                child = node.add(
                    f"{amount} {item.label} [cyan]← {COMPANY[item.supplier].short}[/] "
                    f"[dim]({supplier.name})[/]"
                )
                grow(child, item.supplier)

    root = PRODUCTS[ROOT]
    tree = Tree(f"[bold]{root.name}[/] {root.label} [cyan]({COMPANY[ROOT].short})[/]")
    grow(tree, ROOT)
    return tree


def _say(console: Console, who: str, text: str) -> None:
    console.print(f"  {who:<20} {text}", highlight=False)


def _build(api: Api, console: Console) -> dict[str, Login]:
    """Steps 1 to 3: set up, request top-down, answer bottom-up."""
    tiers = _tiers()
    top_down = sorted(COMPANIES, key=lambda c: tiers[c.key])
    console.rule("1. Each company logs in, creates its plant and registers its product")
    logins: dict[str, Login] = {}
    for company in top_down:
        me = logins[company.key] = _login(api, company)
        _set_up(api, me)
        product = PRODUCTS[company.key]
        shape = f"with {len(product.inputs)} parts" if product.inputs else "(terminated part)"
        _say(console, company.short, f"{company.plant}; {product.name} {shape}")

    console.rule("2. Customers ask their suppliers for CFP, top tier first")
    for company in top_down:
        me = logins[company.key]
        for item in PRODUCTS[company.key].inputs:
            if item.supplier is not None:
                _request(api, me, item, f"Please send the CFP of {item.label}.")
                _say(console, company.short, f"→ {COMPANY[item.supplier].short}: {item.label}")

    console.rule("3. Suppliers answer bottom tier first: link, release, register CFP")
    for company in sorted(COMPANIES, key=lambda c: -tiers[c.key]):
        _answer(api, console, logins, company)
    return logins


def _answer(api: Api, console: Console, logins: dict[str, Login], company: Company) -> None:
    """One company's turn: check its own requests, answer those it received, register CFP."""
    me = logins[company.key]
    product = PRODUCTS[company.key]
    if product.inputs:
        sent = [
            s["requestStatus"]["cfpResponseStatus"]
            for s in _own_requests(api, me)
            if s["requestStatus"]["cfpResponseStatus"] not in ("REJECT", "CANCEL")
        ]
        _say(
            console,
            company.short,
            f"{sent.count('COMPLETED')} of its {len(sent)} requests answered",
        )
        for item in product.inputs:
            if item.supplier == CERTIFIED_BY:
                names = _certificate_names(api, me, me.child_traces[item.name])
                _say(console, "", f"sees {COMPANY[item.supplier].short}'s certificate {names}")
    waiting = _open_requests(api, me)
    if company.key == SENDS_BACK and waiting:
        _send_back_and_ask_again(api, console, logins, me, waiting[0])
        waiting = _open_requests(api, me)
    for received in waiting:
        _link_and_release(api, me, received)
    _register_cfp(api, me)
    total = _product_total(me, me.product_trace, _read_cfp(api, me, me.product_trace))
    cfp = f"{product.name}, {_exact(total.total)} kgCO2e/{UNIT_SHORT[product.unit]}"
    customers = sorted(
        {
            login.company.short
            for received in waiting
            for login in logins.values()
            if login.operator_id == received["tradeModel"]["downstreamOperatorId"]
        }
    )
    if customers:
        _say(console, company.short, f"answers {', '.join(customers)}: {cfp}")
    else:
        _say(console, company.short, f"registers its own CFP: {cfp}")
    if company.key == CERTIFIED_BY:
        size = _upload_certificate(api, me)
        _say(console, "", f"uploads certificate {CERTIFICATE_NAME} ({size})")


def _certificate_names(api: Api, me: Login, trace_id: str) -> str:
    """The supplier's certificate files a customer sees for a bought part (#18)."""
    certificates = api.items(
        "GET", DT, token=me.token, params={"dataTarget": "cfpCertification", "traceId": trace_id}
    )
    names = [str(f["fileName"]) for c in certificates for f in c["cfpCertificationFileInfo"] or []]
    return ", ".join(names) or "(none)"


def _send_back_and_ask_again(
    api: Api, console: Console, logins: dict[str, Login], me: Login, received: dict[str, Any]
) -> None:
    """The supplier sends a request back with a reason (#16 REJECT); the customer asks again."""
    _send_back(api, me, received, SEND_BACK_REASON)
    customer = next(
        login
        for login in logins.values()
        if login.operator_id == received["tradeModel"]["downstreamOperatorId"]
    )
    _say(console, me.company.short, f"sends back {customer.company.short}'s request (REJECT):")
    _say(console, "", f'"{SEND_BACK_REASON}"')
    item = next(i for i in PRODUCTS[customer.company.key].inputs if i.supplier == me.company.key)
    _request(api, customer, item, REQUEST_AGAIN)
    _say(console, customer.company.short, f'asks again: "{REQUEST_AGAIN}"')


def _report(api: Api, console: Console, logins: dict[str, Login]) -> DemoResult:
    """Step 5: what the car maker sees, and every company's product CFP."""
    oem = logins[ROOT]
    product = PRODUCTS[ROOT]
    console.rule(f"5. {oem.company.short} reads the CFP of {product.name}")
    trace_id = _find_product(api, oem)
    by_type = _read_cfp(api, oem, trace_id)
    result = _product_total(oem, trace_id, by_type)
    table = Table(
        title=f"{product.name} {product.label}, kgCO2e/{UNIT_SHORT[product.unit]}",
        caption="own: *ProductionTotal, from parts: *ComponentTotal",
        title_justify="left",
        caption_justify="left",
    )
    for column in ("stage", "own", "from parts", "total", "DQR TeR/GeR/TiR"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for prefix, name, total, dqr in (
        ("pre", "pre-processing", result.pre, result.pre_dqr),
        ("main", "main production", result.main, result.main_dqr),
    ):
        own = _dec(by_type.get(f"{prefix}ProductionTotal", {}).get("ghgEmission"))
        parts = _dec(by_type.get(f"{prefix}ComponentTotal", {}).get("ghgEmission"))
        ratings = "/".join(_amount(v) for v in dqr) if dqr else "-"
        table.add_row(name, _exact(own), _exact(parts), _exact(total), ratings)
    table.add_row("[bold]total[/]", "", "", f"[bold]{_exact(result.total)}[/]", "")
    if result.total is not None and product.kwh:
        table.add_row("per kWh", "", "", _amount(result.total / product.kwh), "")
    console.print(table)

    bought = next(item for item in product.inputs if item.supplier)
    statuses = api.items(
        "GET",
        DT,
        token=oem.token,
        params={
            "dataTarget": "status",
            "statusTarget": "REQUEST",
            "traceId": _child_trace(api, oem, trace_id, bought.name),
        },
    )
    state: dict[str, Any] = statuses[0]["requestStatus"] if statuses else {}
    console.print(
        f"Its request to {COMPANY[bought.supplier or ROOT].short}: "
        f"{state.get('cfpResponseStatus')}, tree {state.get('tradeTreeStatus')}\n"
        f"Requests up the chain: {state.get('tradesCount')}, answered: "
        f"{state.get('completedCount')} (tradesCount / completedCount)",
        highlight=False,
    )

    totals = [result]
    for company in COMPANIES[1:]:
        me = logins[company.key]
        found = _find_product(api, me)
        totals.append(_product_total(me, found, _read_cfp(api, me, found)))
    summary = Table(
        title="Each company's product, kgCO2e per unit of it (as the company reads it)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    for column in ("company", "product", "per", "pre", "main", "total", "per kWh"):
        left = column in ("company", "product")
        summary.add_column(column, justify="left" if left else "right", no_wrap=True)
    for company, item in zip(COMPANIES, totals, strict=True):
        spec = PRODUCTS[company.key]
        summary.add_row(
            company.short,
            spec.name,
            UNIT_SHORT[spec.unit],
            _amount(item.pre),
            _amount(item.main),
            _amount(item.total),
            _amount(item.total / spec.kwh) if spec.kwh and item.total is not None else "",
        )
    console.print(summary)
    return DemoResult(
        outcome="built",
        calls=api.calls,
        product=result,
        trades_count=state.get("tradesCount"),
        completed_count=state.get("completedCount"),
        tree_status=state.get("tradeTreeStatus"),
        products=tuple(totals),
    )


def _child_trace(api: Api, me: Login, parent: str, name: str) -> str:
    structure = api.obj(
        "GET", DT, token=me.token, params={"dataTarget": "partsStructure", "traceId": parent}
    )
    for child in structure["childrenPartsModel"]:
        if child["partsName"] == name:
            return str(child["traceId"])
    raise DemoError(f"{me.company.short}: {parent} has no child {name}")


# ---------------------------------------------------------------------------- entry point


@contextmanager
def _client(settings: Settings, base_url: str | None) -> Iterator[Api]:
    if base_url is not None:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            yield Api(http)
        return
    with (
        _in_process_server(settings) as url,
        httpx.Client(base_url=url, timeout=60, trust_env=False) as http,
    ):
        yield Api(http)


def _companies(console: Console) -> None:
    """Who is in the demo and how to log in as them."""
    table = Table(
        title=f"Demo companies: password {escape(DEMO_PASSWORD)}, apiKey {DEMO_API_KEY}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    for column in ("company", "corporate number", "login"):
        table.add_column(column, no_wrap=True)
    for company in COMPANIES:
        table.add_row(company.short, company.open_operator_id, company.email)
    console.print(table)


def run_demo(
    settings: Settings,
    *,
    console: Console,
    skip_if_present: bool,
    base_url: str | None = None,
) -> DemoResult:
    """Build the demo supply chain through the API and print what happened.

    If the demo companies exist already, return at once (`skip_if_present`) or read and
    print the current results. `base_url` targets a running server on the same database
    instead of an in-process one.
    """
    database = Database(settings.database_url)
    try:
        present = _registered(database)
        if present and len(present) < len(COMPANIES):
            taken = ", ".join(sorted(present))
            console.print(
                f"[yellow]demo not loaded:[/] corporate numbers {taken} belong to other companies"
            )
            return DemoResult(outcome="blocked")
        if present and skip_if_present:
            console.print("demo supply chain already loaded (`battrace demo` shows its results)")
            return DemoResult(outcome="skipped")
        if not present:
            _register_companies(settings, database)
    finally:
        database.dispose()

    console.rule(f"[bold]battrace demo[/]: a battery supply chain of {len(COMPANIES)} companies")
    _companies(console)
    if present:
        return _show_present(settings, console, base_url)
    with _client(settings, base_url) as api:
        console.print(f"Companies, logins and API key created; calling {api.http.base_url}")
        console.print(_supply_tree())
        logins = _build(api, console)
        from battrace.cli.demo_dd import build_due_diligence  # noqa: PLC0415

        build_due_diligence(api, console, logins)
        result = _report(api, console, logins)
    console.print(f"{result.calls} API calls.")
    return result


def _show_present(settings: Settings, console: Console, base_url: str | None) -> DemoResult:
    """The demo exists: print its current results; report, never raise, if it cannot."""
    console.print("The demo supply chain is loaded already; reading its current results.")
    calls = 0
    try:
        with _client(settings, base_url) as api:
            try:
                logins = {company.key: _login(api, company) for company in COMPANIES}
                result = _report(api, console, logins)
            finally:
                calls = api.calls
    except (DemoError, httpx.HTTPError) as exc:
        console.print(
            "[yellow]could not read the demo results[/] (did an earlier run stop half way, "
            f"or was a demo login changed?): {escape(str(exc)[:300])}"
        )
        return DemoResult(outcome="present", calls=calls)
    return replace(result, outcome="present", calls=calls)
