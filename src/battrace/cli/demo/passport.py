"""The demo's battery passport round (`battrace demo`, after the DD steps): the pack maker makes a
battery model of its pack, takes the manufacturer, carbon footprint (provisional) and
due-diligence summary from the platform, and issues passports for a production batch; the
car maker, granted a legitimate interest, reads one and sends its state-of-health data, then
repurposes it into a stationary storage battery with a passport of its own. All through the
HTTP API, like the other steps.
"""

from __future__ import annotations

from typing import Any

from battrace.cli.demo.scene import Scene, Step

P = "/api/v1/passports"
GTIN = "04512345000011"  # a fictional GTIN-14 with a valid check digit
BATCH = 24
MODEL_DATA = {
    "general": {"weight": 412.5, "warrantyPeriod": 96},
    "materials": {
        "chemistry": {"shortName": "NMC811", "clearName": "Lithium nickel manganese cobalt oxide"}
    },
    "performance": {
        "ratedCapacity": 180,
        "ratedEnergy": 64,
        "minimumVoltage": 300,
        "nominalVoltage": 355,
        "maximumVoltage": 403,
        "expectedLifetimeCycles": 2000,
        "capacityThresholdForExhaustion": 70,
    },
    "circularity": {"safetyMeasures": "https://pack.example/p80/safety.pdf"},
}


def build_passports(scene: Scene) -> dict[str, Any]:
    """Issue, share, read, report and repurpose; print what each party sees."""
    api, console, logins = scene.api, scene.console, scene.logins
    pack, oem = logins["pack"], logins["oem"]
    model = api.obj(
        "POST",
        f"{P}/models",
        token=pack.token,
        expect=201,
        body={
            "name": "Demo pack P80",
            "category": "ev",
            "gtin": GTIN,
            "traceId": pack.product_trace or None,
            "data": MODEL_DATA,
        },
    )
    model_id = str(model["modelId"])
    api.obj(
        "POST",
        f"{P}/models/{model_id}/fill",
        token=pack.token,
        body={"usableEnergyKwh": 60, "vehicleCategory": "M1", "warrantyYears": 8},
    )
    batch = api.obj(
        "POST",
        f"{P}/batches",
        token=pack.token,
        expect=201,
        body={
            "modelId": model_id,
            "label": "P80 lot 1",
            "publish": True,
            "batteries": [f"P80-{n:05d}" for n in range(1, BATCH + 1)],
        },
    )
    first = str(batch["passportIds"][0])
    console.print(
        f"  {pack.company.short}: {batch['size']} passports issued (batch {batch['label']})"
    )
    api.obj(
        "POST",
        f"{P}/grants",
        token=pack.token,
        expect=201,
        body={
            "granteeOperatorId": oem.operator_id,
            "interest": "owner",
            "modelId": model_id,
            "mayReport": True,
        },
    )
    api.obj(
        "POST",
        f"{P}/grants",
        token=pack.token,
        expect=201,
        body={"granteeOperatorId": oem.operator_id, "interest": "repurposer", "passportId": first},
    )
    api.obj(
        "POST",
        f"{P}/readings",
        token=oem.token,
        expect=201,
        body=[
            {
                "passportId": first,
                "metric": metric,
                "measuredAt": "2026-10-01T09:00:00Z",
                "value": value,
            }
            for metric, value in (
                ("remainingCapacity", 151.2),
                ("capacityFade", 16),
                ("fullCycles", 1180),
                ("stateOfCharge", 48),
            )
        ],
    )
    public = api.obj("GET", f"/passport/{first}", params={"format": "json"})
    seen = api.obj("GET", f"{P}/{first}", token=oem.token)
    own = api.obj("GET", f"{P}/{first}", token=pack.token)
    shown = []
    for name, view in (("public", public), ("owner", seen), ("responsible", own)):
        values = sum(len(section) for section in view["sections"].values())
        extra = " + status + dynamic" if view["dynamic"] else ""
        shown.append(f"{name} {values}{extra}")
    console.print("  values shown to " + "; ".join(shown), highlight=False)
    storage = api.obj(
        "POST",
        f"{P}/successors",
        token=oem.token,
        expect=201,
        body={
            "predecessorIds": [first],
            "status": "repurposed",
            "category": "stationary",
            "battery": {"batteryIdentifier": "ESS-DEMO-0001"},
            "reason": "second life as home storage",
        },
    )
    console.print(
        f"  {oem.company.short}: repurposed it into a stationary battery, passport "
        f"{str(storage['passportId'])[:8]}… (QR: /01/{GTIN}/21/P80-00001)",
        highlight=False,
    )
    return {"modelId": model_id, "passports": batch["size"], "repurposed": storage["passportId"]}


def _play(scene: Scene) -> None:
    build_passports(scene)


STEPS = (Step("Battery passports: a batch of packs, read by the car maker, one repurposed", _play),)
