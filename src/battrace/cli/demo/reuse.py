"""The demo's second-life round (`battrace demo`, after the passports): the pack maker issues
a passport for one of its packs, takes it back after its first life, records the intake (a fade
history from the analytic law of `benchmarks/fade_fixtures.py`, an inspection, a DCIR pulse),
assesses it, lists it; the car maker's storage business reserves it and the pack maker hands it
over as a repurposed stationary battery with a new passport. Everything goes through the HTTP
API.
"""

from __future__ import annotations

from typing import Any

from battrace.cli.demo.companies import Login
from battrace.cli.demo.scene import Scene, Step

R = "/api/v1/reuse"
P = "/api/v1/passports"
GTIN = "04012345000009"
MODEL = {
    "general": {"weight": 400},
    "materials": {
        "chemistry": {"shortName": "NMC622", "clearName": "Lithium nickel manganese cobalt oxide"},
        "composition": [
            {
                "component": "cathode",
                "name": "NMC 622 active material",
                "mass": 90.0,
                "share": 22.5,
            },
            {"component": "anode", "name": "Copper foil", "mass": 20.0, "share": 5.0},
        ],
    },
    "performance": {"ratedCapacity": 150, "ratedEnergy": 60, "nominalVoltage": 400},
}


def _issue_pack(scene: Scene, pack: Login) -> str:
    """One published passport for the returned pack, through the passport API."""
    model = scene.api.obj(
        "POST",
        f"{P}/models",
        token=pack.token,
        expect=201,
        body={"name": "Demo pack 60 kWh", "category": "ev", "gtin": GTIN, "data": MODEL},
    )
    batch = scene.api.obj(
        "POST",
        f"{P}/batches",
        token=pack.token,
        expect=201,
        body={"modelId": str(model["modelId"]), "publish": True, "batteries": ["DEMO-0001"]},
    )
    return str(batch["passportIds"][0])


def _document() -> dict[str, Any]:
    # soh = 1 − 0.0009·N^0.75 at EFC 0…1000, rounded as a capacity tester prints it
    history = [{"efc": n, "soh": round(1 - 0.0009 * n**0.75, 4)} for n in range(0, 1001, 200)]
    return {
        "rated": {
            "chemistry": "NMC622",
            "rated_capacity_ah": 150,
            "rated_energy_wh": 60000,
            "certified_energy_wh": 58000,
            "nominal_voltage_v": 400,
            "mass_kg": 400,
            "rated_power_w": 150000,
            "initial_resistance_mohm": 100,
            "calendar_expiry": "2036-05-01",
            "purchase_price": 9000,
        },
        "inspection": {"isolation_resistance_ohm_per_v": 520, "bms_operational": True},
        "ocv_v": 386.0,
        "capacity_checks": [
            {
                "capacity_ah": 124.5,
                "energy_wh": 49300,
                "charge_energy_wh": 52400,
                "temperature_c": 24.6,
                "c_rate": 0.33,
            }
        ],
        "pulses": [
            {
                "soc_pct": 50,
                "temperature_c": 24.8,
                "duration_s": 10,
                "voltage_before_v": 381.2,
                "voltage_after_v": 369.4,
                "current_before_a": 0,
                "current_after_a": 100,
            }
        ],
        "self_discharge": {"hours": 48, "soc_loss_pct": 0.3},
        "bms": {
            "full_cycles": 1200,
            "energy_throughput_kwh": 66000,
            "lifetime_data_complete": True,
        },
        "history": history,
    }


def build_second_life(scene: Scene) -> dict[str, Any]:
    """Returns the assessment and the new system as the API answered them."""
    api, console, logins = scene.api, scene.console, scene.logins
    pack, oem = logins["pack"], logins["oem"]
    passport = _issue_pack(scene, pack)
    intake = api.obj(
        "POST",
        f"{R}/intakes",
        token=pack.token,
        expect=201,
        body={
            "passportId": passport,
            "label": "Returned pack DEMO-0001",
            "document": _document(),
        },
    )
    assessed = api.obj(
        "POST", f"{R}/intakes/{intake['intakeId']}/assessments", token=pack.token, expect=201
    )
    listing = api.obj(
        "POST",
        f"{R}/listings",
        token=pack.token,
        expect=201,
        body={"assessmentId": assessed["assessmentId"], "location": "Nagoya"},
    )
    held = api.obj(
        "POST",
        f"{R}/listings/{listing['listingId']}/reservations",
        token=oem.token,
        expect=201,
        body={"message": "for the dealership's storage"},
    )
    system = api.obj(
        "POST",
        f"{R}/handovers",
        token=pack.token,
        expect=201,
        body={
            "reservationIds": [held["reservationId"]],
            "status": "repurposed",
            "label": "Dealership storage 1",
        },
    )
    results = assessed["results"]
    life, value = results["life"], results["valuation"]
    health = results["health"]
    console.print(
        f"Returned pack DEMO-0001: SOH {float(health['soh']):.3f}, R/R₀ "
        f"{float(health['resistance_growth']):.2f}, grade {assessed['grade']}, remaining life "
        f"P50 {float(life['n_rem_p50']):,.0f} / P10 {float(life['n_rem_p10']):,.0f} EFC, value "
        f"{float(value['residual_value']):,.0f} ({value['route']}; UBV-1, "
        f"{assessed['inputHash'][:12]}…)"
    )
    console.print(f"Handed over to the car maker's storage: new passport {system['passportId']}")
    return {"assessment": assessed, "system": system}


def _play(scene: Scene) -> None:
    build_second_life(scene)


STEPS = (Step("Second life: a used pack from intake to a storage passport", _play),)
