"""The `performance` block of the Catena-X battery pass: rated values of the model and dynamic
values of the battery (each with its time, as `{value, time}` records)."""

from __future__ import annotations

from battrace.passport.exchange.common import JSON, Needs

TEXT = "text/plain"


def _record(needs: Needs, key: str, field: str) -> JSON:
    reading = needs.need(f"performance.{key}", f"performance.dynamic.{field}") or {}
    return {"value": reading.get("value"), "time": reading.get("measuredAt")}


def _at_soc(needs: Needs, soc: float) -> float | None:
    for point in needs.get("performance.powerCapabilityAtSoc") or []:
        if point["stateOfCharge"] == soc:
            return float(point["power"])
    needs.require("performance.powerCapabilityAtSoc", f"performance.rated.power.at{soc:.0f}SoC")
    return None


def _rated(needs: Needs) -> JSON:
    test = (
        needs.need("performance.cycleLifeTest", "performance.rated.lifetime.cycleLifeTesting") or {}
    )
    for key in ("temperature", "depthOfDischarge", "chargeRate", "dischargeRate"):
        if test and key not in test:
            needs.require(f"performance.cycleLifeTest.{key}", f"cycleLifeTesting.{key}")
    resistance = (
        needs.need("performance.initialInternalResistance", "performance.rated.resistance") or {}
    )
    if resistance and "cell" not in resistance:
        needs.require(
            "performance.initialInternalResistance.cell", "performance.rated.resistance.cell"
        )
    idle = needs.need("performance.idleTemperatureRange", "performance.rated.temperature") or {}
    reference = needs.need("performance.lifetimeReferenceTest", "performance.rated.lifetime.report")
    rated: JSON = {
        "voltage": {
            "min": needs.need("performance.minimumVoltage", "voltage.min"),
            "max": needs.need("performance.maximumVoltage", "voltage.max"),
            "nominal": needs.need("performance.nominalVoltage", "voltage.nominal"),
        },
        "roundTripEfficiency": {
            "depthOfDischarge": test.get("depthOfDischarge"),
            "initial": needs.need(
                "performance.initialRoundTripEfficiency", "roundTripEfficiency.initial"
            ),
            "50PercentLife": needs.need(
                "performance.roundTripEfficiencyAt50PercentLife",
                "roundTripEfficiency.50PercentLife",
            ),
        },
        "resistance": {
            key: resistance[key] for key in ("cell", "module", "pack") if key in resistance
        },
        "power": {
            "value": needs.need("performance.originalPowerCapability", "power.value"),
            "at20SoC": _at_soc(needs, 20.0),
            "at80SoC": _at_soc(needs, 80.0),
        },
        "capacity": {
            "value": needs.need("performance.ratedCapacity", "capacity.value"),
            "thresholdExhaustion": needs.ev_only(
                "performance.capacityThresholdForExhaustion", "capacity.thresholdExhaustion"
            ),
        },
        "temperature": {"lower": idle.get("lower"), "upper": idle.get("upper")},
        "selfDischargingRate": needs.need(
            "performance.initialSelfDischarge", "rated.selfDischargingRate"
        ),
        "lifetime": {
            "expectedYears": needs.need(
                "performance.expectedLifetimeYears", "lifetime.expectedYears"
            ),
            "report": [
                {"content": reference, "contentType": "URL", "header": "Lifetime reference test"}
            ]
            if reference
            else [],
            "cycleLifeTesting": {
                "temperature": test.get("temperature"),
                "cycles": needs.need(
                    "performance.expectedLifetimeCycles", "cycleLifeTesting.cycles"
                ),
                "depthOfDischarge": test.get("depthOfDischarge"),
                "appliedChargeRate": test.get("chargeRate"),
                "appliedDischargeRate": test.get("dischargeRate"),
            },
        },
    }
    energy = needs.get("performance.ratedEnergy")
    if energy is not None:
        rated["energy"] = {"value": energy}
    return rated


def _components(needs: Needs, key: str, field: str) -> JSON:
    reading = needs.need(f"performance.{key}", field) or {}
    if reading and "cell" not in reading:
        needs.require(f"performance.{key}.cell", f"{field}.cell")
    time = reading.get("measuredAt")
    out = {"pack": {"value": reading.get("value"), "time": time}}
    for component in ("module", "cell"):
        if component in reading:
            out[component] = {"value": reading[component], "time": time}
    return out


def _dynamic(needs: Needs) -> JSON:
    soce = needs.ev_only("performance.stateOfCertifiedEnergy", "dynamic.energy.soce") or {}
    current = (
        needs.need("performance.currentSelfDischargeRate", "dynamic.selfDischargingRate") or {}
    )
    dynamic: JSON = {
        "stateOfCharge": _record(needs, "stateOfCharge", "stateOfCharge"),
        "fullCycles": _record(needs, "fullCycles", "fullCycles"),
        "selfDischargingRate": current.get("value"),
        "power": {
            "fade": _record(needs, "powerFade", "power.fade"),
            "remaining": _record(needs, "remainingPowerCapability", "power.remaining"),
        },
        "capacity": {
            "fade": _record(needs, "capacityFade", "capacity.fade"),
            "throughput": _record(needs, "capacityThroughput", "capacity.throughput"),
            "capacity": _record(needs, "remainingCapacity", "capacity.capacity"),
        },
        "roundTripEfficiency": {
            "fade": _record(needs, "roundTripEfficiencyFade", "roundTripEfficiency.fade"),
            "remaining": _record(
                needs, "remainingRoundTripEfficiency", "roundTripEfficiency.remaining"
            ),
        },
        "resistance": {
            "increase": _components(
                needs, "internalResistanceIncrease", "dynamic.resistance.increase"
            ),
            "remaining": _components(needs, "internalResistance", "dynamic.resistance.remaining"),
        },
        "energy": {
            "soce": {"value": soce.get("value"), "time": soce.get("measuredAt")},
            "remaining": _record(needs, "remainingEnergy", "energy.remaining"),
        },
    }
    throughput = needs.get("performance.energyThroughput")
    if throughput:
        dynamic["energy"]["throughput"] = {
            "value": throughput["value"],
            "time": throughput["measuredAt"],
        }
    events = needs.get("performance.negativeEvents") or []
    if events:
        dynamic["negativeEvents"] = [
            {
                "content": event.get("description", event["kind"]),
                "contentType": TEXT,
                "header": f"{event['kind']} {event['occurredAt']}",
            }
            for event in events
        ]
    return dynamic


def performance(needs: Needs) -> JSON:
    return {"rated": _rated(needs), "dynamic": _dynamic(needs)}
