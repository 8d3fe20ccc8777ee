"""The due-diligence scenario (`battrace demo`, after the CFP steps): over the CFP trades
already made, each customer asks its supplier for DD answers on the Annex X materials,
suppliers answer bottom tier first (with smelter/refiner lists and evidence documents), and
the car maker reads the DD report of its vehicle. All through the HTTP API, like the CFP steps.

Facility ids here (CID99xxxx) are fictional: no real smelter or refiner is described.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from battrace.cli.demo.client import DT, ContractClient
from battrace.cli.demo.companies import Login
from battrace.cli.demo.scene import Scene, Step

DD = "/api/v1/diligence"
ALL = ["cobalt", "natural_graphite", "lithium", "nickel"]
CATHODE = ["cobalt", "lithium", "nickel"]
# (customer, supplier, materials asked), top tier first
ASKS = (
    ("oem", "pack", ALL),
    ("pack", "cell", ALL),
    ("cell", "cam", CATHODE),
    ("cell", "anode", ["natural_graphite"]),
    ("cell", "electrolyte", ALL),
    ("cell", "separator", ALL),
    ("cam", "lithium", ["lithium"]),
)
COMPANY_WIDE = (
    "BR49.POLICY",
    "BR49.COMMUNICATED",
    "BR49.CONTRACTS",
    "BR49.SENIOR_MANAGEMENT",
    "BR49.GRIEVANCE",
    "BR50.RISK_ASSESSMENT",
    "BR50.RISK_PLAN",
    "BR51.VERIFICATION",
    "BR52.PUBLIC_REPORT",
)
PER_MATERIAL = {
    "MAT.CONTAINED": "yes",
    "MAT.CAHRA": "no",
    "MAT.FORCED_CHILD_LABOUR": "no",
    "MAT.ENVIRONMENT_ASSESSED": "yes",
    "MAT.CHAIN_OF_CUSTODY": "yes",
    "MAT.SUPPLIERS_RESPONDED": 100,
    "MAT.FACILITIES_AUDITED": "yes",
}
LITHIUM_REFINERY = {
    "material": "lithium",
    "facilityId": "CID990101",
    "name": "Minato Lithium Yokkaichi Refinery",
    "country": "JAPAN",
    "scheme": "OTHER",
    "status": "conformant",
    "validTo": "2027-12-31",
}
COBALT_REFINERY = {
    "material": "cobalt",
    "facilityId": "CID990201",
    "name": "Kita Cobalt Refinery",
    "country": "FINLAND",
    "scheme": "RMAP",
    "status": "conformant",
    "validTo": "2027-06-30",
}
COBALT_REFINERY_2 = {
    "material": "cobalt",
    "facilityId": "CID990202",
    "name": "Minami Cobalt Works",
    "country": "INDONESIA",
    "scheme": "RMAP",
    "status": "active",
}
NICKEL_SMELTER = {
    "material": "nickel",
    "facilityId": "CID990203",
    "name": "Higashi Nickel Smelter",
    "country": "INDONESIA",
    "status": "not_enrolled",
}
# What each supplier lists and how it departs from a clean answer.
FACILITIES = {
    "lithium": [LITHIUM_REFINERY],
    "cam": [LITHIUM_REFINERY, COBALT_REFINERY, COBALT_REFINERY_2, NICKEL_SMELTER],
    "anode": [],
    "electrolyte": [LITHIUM_REFINERY],  # LiPF6 carries lithium
    "separator": [],
    "cell": [LITHIUM_REFINERY, COBALT_REFINERY, NICKEL_SMELTER],
    "pack": [LITHIUM_REFINERY, COBALT_REFINERY, NICKEL_SMELTER],
}
OVERRIDES: dict[str, dict[tuple[str, str | None], Any]] = {
    "cam": {("MAT.CAHRA", "cobalt"): "unknown", ("MAT.SUPPLIERS_RESPONDED", "nickel"): 60},
    "anode": {("MAT.CONTAINED", "natural_graphite"): "no"},  # synthetic graphite only
    "electrolyte": {("MAT.CONTAINED", m): "no" for m in ALL if m != "lithium"},
    "separator": {("MAT.CONTAINED", m): "no" for m in ALL},
    "cell": {("MAT.CONTAINED", "natural_graphite"): "no"},
    "pack": {("MAT.CONTAINED", "natural_graphite"): "no"},
}
SIGNERS = {
    "lithium": "Kenji Mori",
    "cam": "Yui Kawano",
    "anode": "Daiki Kuroda",
    "electrolyte": "Rin Seiryu",
    "separator": "Mei Shirakaba",
    "cell": "Aoi Hikari",
    "pack": "Sho Tsubame",
}


def _answers(supplier: str, materials: list[str], evidence: list[str]) -> list[dict[str, Any]]:
    overrides = OVERRIDES.get(supplier, {})
    answers: list[dict[str, Any]] = [
        {"code": code, "value": overrides.get((code, None), "yes")} for code in COMPANY_WIDE
    ]
    if evidence:
        answers[0]["evidence"] = evidence  # the policy, and what verifies it
    for material in materials:
        for code, value in PER_MATERIAL.items():
            answers.append(
                {
                    "code": code,
                    "material": material,
                    "value": overrides.get((code, material), value),
                }
            )
    return answers


def _trade_id(api: ContractClient, customer: Login, supplier: Login) -> str:
    """The customer's live trade with this supplier (one sent back earlier does not count)."""
    live = {
        status["tradeId"]
        for status in api.items(
            "GET",
            DT,
            token=customer.token,
            params={"dataTarget": "status", "statusTarget": "REQUEST"},
        )
        if status["requestStatus"]["cfpResponseStatus"] not in ("REJECT", "CANCEL")
    }
    trades = api.items("GET", DT, token=customer.token, params={"dataTarget": "tradeRequest"})
    for trade in trades:
        if trade["upstreamOperatorId"] == supplier.operator_id and trade["tradeId"] in live:
            return str(trade["tradeId"])
    msg = f"no trade from {customer.company.short} to {supplier.company.short}"
    raise LookupError(msg)


def _evidence(api: ContractClient, me: Login) -> list[str]:
    """The cathode maker backs its policy with a document and a third-party audit report."""
    made = []
    for title, kind, confidentiality, third_party, text in (
        ("Responsible minerals policy", "policy", "customer", "false", "Policy text, rev. 4"),
        ("Cobalt supply-chain audit 2026", "audit_report", "hash_only", "true", "Findings"),
    ):
        row = api.obj(
            "POST",
            f"{DD}/evidence",
            token=me.token,
            expect=201,
            params={
                "documentType": kind,
                "title": title,
                "fileName": f"{kind}.txt",
                "confidentiality": confidentiality,
                "thirdParty": third_party,
                "validTo": "2027-12-31",
            },
            content=f"{me.company.name}: {text}".encode(),
            headers={"Content-Type": "text/plain"},
        )
        made.append(str(row["evidenceId"]))
    return made


def _ask_and_answer(scene: Scene) -> None:
    """Ask top-down, answer bottom-up, then print what the car maker's report says."""
    api, console, logins = scene.api, scene.console, scene.logins
    asked: dict[str, list[tuple[str, list[str]]]] = {}
    for customer, supplier, materials in ASKS:
        trade_id = _trade_id(api, logins[customer], logins[supplier])
        request = api.obj(
            "POST",
            f"{DD}/requests",
            token=logins[customer].token,
            expect=201,
            body={
                "tradeId": trade_id,
                "materials": materials,
                "message": "Please answer for the Annex X materials in this part.",
            },
        )
        asked.setdefault(supplier, []).append((str(request["requestId"]), materials))
        console.print(
            f"  {logins[customer].company.short:<20} → {logins[supplier].company.short}: "
            f"{', '.join(materials)}",
            highlight=False,
        )
    for supplier in ("lithium", "cam", "anode", "electrolyte", "separator", "cell", "pack"):
        me = logins[supplier]
        evidence = _evidence(api, me) if supplier == "cam" else []
        for request_id, materials in asked[supplier]:
            facilities = [f for f in FACILITIES[supplier] if f["material"] in materials]
            api.obj(
                "PUT",
                f"{DD}/requests/{request_id}/answer",
                token=me.token,
                body={
                    "answers": _answers(supplier, materials, evidence),
                    "facilities": facilities,
                    "signer": {
                        "name": SIGNERS[supplier],
                        "title": "Sustainability",
                        "email": me.company.email,
                    },
                },
            )
            api.obj("POST", f"{DD}/requests/{request_id}/submit", token=me.token, expect=201)
        console.print(f"  {me.company.short:<20} answered and submitted", highlight=False)
    _print_report(api, console, logins["oem"])


def _print_report(api: ContractClient, console: Console, oem: Login) -> None:
    report = api.obj("GET", f"{DD}/report", token=oem.token, params={"traceId": oem.product_trace})
    table = Table(
        title=f"DD of {report['partsName']} as {oem.company.short} sees it",
        caption="worst case over every tier; unknown is never counted as fine",
        title_justify="left",
        caption_justify="left",
    )
    for column in ("material", "complete", "facilities conformant", "worst band"):
        table.add_column(column, justify="left" if column == "material" else "right")
    for material, view in report["byMaterial"].items():
        facilities = view["facilities"]
        bands = {risk["band"] for risk in view["risk"].values()}
        worst = next(b for b in ("high", "medium", "low") if b in bands)
        share = facilities["conformantShare"]
        table.add_row(
            material,
            f"{view['completeness'] * 100:.0f} %",
            f"{facilities['conformant']}/{facilities['total']}"
            + (f" ({share * 100:.0f} %)" if share is not None else ""),
            worst,
        )
    console.print(table)
    console.print(
        f"  {len(report['redFlags'])} red flags, {len(report['missingAnswers'])} missing "
        f"answers; HTML: GET {DD}/report?traceId={oem.product_trace}&format=html",
        highlight=False,
    )


STEPS = (
    Step("Due diligence: customers ask for Annex X answers, suppliers answer", _ask_and_answer),
)
