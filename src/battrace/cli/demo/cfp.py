"""The CFP scenario (DESIGN's request → link → answer → roll-up flow), in three steps:

1. every company logs in, creates its plant and registers its product structure;
2. customers look their suppliers up by corporate number and ask them for the CFP of the
   parts they buy, top tier first;
3. suppliers answer bottom tier first: they link their own product to the request, release
   CFP, DQR and certificates to the customer, and register their CFP. One supplier sends a
   request back once, and the customer asks again; one uploads a PDF certificate.

The numbers in comments (#3, T5, …) are the reference tutorial's calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from battrace.cli.demo.bodies import cfp_set, part_body, plant_body, trade_request_body
from battrace.cli.demo.certificate import upload_certificate
from battrace.cli.demo.client import AUTH_INFO, DT, ContractClient
from battrace.cli.demo.companies import Login, log_in
from battrace.cli.demo.data import (
    CERTIFICATE_NAME,
    CERTIFIED_BY,
    COMPANIES,
    COMPANY,
    PRODUCTS,
    REQUEST_AGAIN,
    SEND_BACK_REASON,
    SENDS_BACK,
    UNIT_SHORT,
    Company,
    Footprint,
    Input,
    tiers,
)
from battrace.cli.demo.report import exact, product_total, read_cfp
from battrace.cli.demo.scene import Scene, Step


def _set_up(api: ContractClient, me: Login) -> None:
    """Plant, then the product and its structure (#3, #5 / #6)."""
    company = me.company
    plant = api.obj(
        "PUT",
        AUTH_INFO,
        token=me.token,
        expect=201,
        params={"dataTarget": "plant"},
        body=plant_body(
            me.operator_id, company.open_plant_id, company.plant, company.plant_address
        ),
    )
    me.plant_id = str(plant["plantId"])
    product = PRODUCTS[company.key]
    parent = part_body(
        me.operator_id,
        me.plant_id,
        product.name,
        label=product.label,
        unit=product.unit,
        support=product.period,
        terminated=product.terminated,
    )
    if product.terminated:
        saved = api.obj(
            "PUT", DT, token=me.token, expect=201, params={"dataTarget": "parts"}, body=parent
        )
        me.product_trace = str(saved["traceId"])
        return
    children = [
        part_body(
            me.operator_id,
            me.plant_id,
            item.name,
            label=item.label,
            unit=item.unit,
            support=item.support,
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


def _request(api: ContractClient, me: Login, item: Input, message: str) -> None:
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
        body=trade_request_body(
            me.operator_id,
            me.child_traces[item.name],
            supplier["operatorId"],
            message=message,
            due=due,
        ),
    )


def _open_requests(api: ContractClient, me: Login) -> list[dict[str, Any]]:
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


def _send_back(api: ContractClient, me: Login, received: dict[str, Any], reason: str) -> None:
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


def _link_and_release(api: ContractClient, me: Login, received: dict[str, Any]) -> None:
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


def _cfp_rows(trace_id: str, unit: str, own: Footprint) -> list[dict[str, Any]]:
    return cfp_set(
        trace_id,
        pre_production=own.pre_production,
        main_production=own.main_production,
        pre_component=own.pre_component,
        main_component=own.main_component,
        unit=f"kgCO2e/{unit}",
        pre_dqr=own.pre_dqr,
        main_dqr=own.main_dqr,
    )


def _register_cfp(api: ContractClient, me: Login) -> None:
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


def _own_requests(api: ContractClient, me: Login) -> list[dict[str, Any]]:
    return api.items(
        "GET", DT, token=me.token, params={"dataTarget": "status", "statusTarget": "REQUEST"}
    )


def _answer(scene: Scene, company: Company) -> None:
    """One company's turn: check its own requests, answer those it received, register CFP."""
    api, logins, say = scene.api, scene.logins, scene.say
    me = logins[company.key]
    product = PRODUCTS[company.key]
    if product.inputs:
        sent = [
            s["requestStatus"]["cfpResponseStatus"]
            for s in _own_requests(api, me)
            if s["requestStatus"]["cfpResponseStatus"] not in ("REJECT", "CANCEL")
        ]
        say(
            company.short,
            f"{sent.count('COMPLETED')} of its {len(sent)} requests answered",
        )
        for item in product.inputs:
            if item.supplier == CERTIFIED_BY:
                names = _certificate_names(api, me, me.child_traces[item.name])
                say("", f"sees {COMPANY[item.supplier].short}'s certificate {names}")
    waiting = _open_requests(api, me)
    if company.key == SENDS_BACK and waiting:
        _send_back_and_ask_again(scene, me, waiting[0])
        waiting = _open_requests(api, me)
    for received in waiting:
        _link_and_release(api, me, received)
    _register_cfp(api, me)
    total = product_total(me, me.product_trace, read_cfp(api, me, me.product_trace))
    cfp = f"{product.name}, {exact(total.total)} kgCO2e/{UNIT_SHORT[product.unit]}"
    customers = sorted(
        {
            login.company.short
            for received in waiting
            for login in logins.values()
            if login.operator_id == received["tradeModel"]["downstreamOperatorId"]
        }
    )
    if customers:
        say(company.short, f"answers {', '.join(customers)}: {cfp}")
    else:
        say(company.short, f"registers its own CFP: {cfp}")
    if company.key == CERTIFIED_BY:
        size = upload_certificate(api, me)
        say("", f"uploads certificate {CERTIFICATE_NAME} ({size})")


def _certificate_names(api: ContractClient, me: Login, trace_id: str) -> str:
    """The supplier's certificate files a customer sees for a bought part (#18)."""
    certificates = api.items(
        "GET", DT, token=me.token, params={"dataTarget": "cfpCertification", "traceId": trace_id}
    )
    names = [str(f["fileName"]) for c in certificates for f in c["cfpCertificationFileInfo"] or []]
    return ", ".join(names) or "(none)"


def _send_back_and_ask_again(scene: Scene, me: Login, received: dict[str, Any]) -> None:
    """The supplier sends a request back with a reason (#16 REJECT); the customer asks again."""
    api, logins, say = scene.api, scene.logins, scene.say
    _send_back(api, me, received, SEND_BACK_REASON)
    customer = next(
        login
        for login in logins.values()
        if login.operator_id == received["tradeModel"]["downstreamOperatorId"]
    )
    say(me.company.short, f"sends back {customer.company.short}'s request (REJECT):")
    say("", f'"{SEND_BACK_REASON}"')
    item = next(i for i in PRODUCTS[customer.company.key].inputs if i.supplier == me.company.key)
    _request(api, customer, item, REQUEST_AGAIN)
    say(customer.company.short, f'asks again: "{REQUEST_AGAIN}"')


def _set_up_all(scene: Scene) -> None:
    for company in _top_down():
        me = scene.logins[company.key] = log_in(scene.api, company)
        _set_up(scene.api, me)
        product = PRODUCTS[company.key]
        shape = f"with {len(product.inputs)} parts" if product.inputs else "(terminated part)"
        scene.say(company.short, f"{company.plant}; {product.name} {shape}")


def _ask_all(scene: Scene) -> None:
    for company in _top_down():
        me = scene.logins[company.key]
        for item in PRODUCTS[company.key].inputs:
            if item.supplier is not None:
                _request(scene.api, me, item, f"Please send the CFP of {item.label}.")
                scene.say(company.short, f"→ {COMPANY[item.supplier].short}: {item.label}")


def _answer_all(scene: Scene) -> None:
    tier = tiers()
    for company in sorted(COMPANIES, key=lambda c: -tier[c.key]):
        _answer(scene, company)


def _top_down() -> list[Company]:
    tier = tiers()
    return sorted(COMPANIES, key=lambda c: tier[c.key])


STEPS = (
    Step("Each company logs in, creates its plant and registers its product", _set_up_all),
    Step("Customers ask their suppliers for CFP, top tier first", _ask_all),
    Step("Suppliers answer bottom tier first: link, release, register CFP", _answer_all),
)
