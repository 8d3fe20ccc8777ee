"""The Battery Pass 1.2.1 PerformanceAndDurability aspect: static technical properties of the
model and the battery's condition (each dynamic value with its last update).

The aspect requires values the Commission's guidance keeps to some categories: the capacity
threshold for exhaustion and the state of certified energy (EV only), and the evolution of
self-discharge (not for EVs). For EVs the evolution is derived as the current self-discharge
rate minus the initial one; for other categories the EV-only values cannot be given, so their
aspect is reported as not producible rather than filled with invented numbers.
"""

from __future__ import annotations

from typing import Any

from battrace.passport.document import JsonValue
from battrace.passport.exchange.common import JSON, Needs

COMPONENTS = ("pack", "module", "cell")


def _dynamic(needs: Needs, key: str, field: str, value_field: str) -> JSON:
    reading = needs.need(f"performance.{key}", f"batteryCondition.{field}") or {}
    return {value_field: reading.get("value"), "lastUpdate": reading.get("measuredAt")}


def _resistances(values: dict[str, Any]) -> list[JSON]:
    return [
        {"ohmicResistance": values[component], "batteryComponent": component}
        for component in COMPONENTS
        if component in values
    ]


def _fade_value(needs: Needs, key: str, field: str) -> JsonValue:
    reading = needs.need(f"performance.{key}", f"batteryTechicalProperties.{field}") or {}
    return reading.get("value")


def _self_discharge_evolution(needs: Needs) -> JSON:
    current = needs.need("performance.currentSelfDischargeRate", "currentSelfDischargingRate") or {}
    if needs.get("general.category") == "ev":
        initial = needs.need("performance.initialSelfDischarge", "initialSelfDischarge")
        if not current or initial is None:
            return {}
        return {
            "evolutionOfSelfDischargeValue": round(current["value"] - initial, 6),
            "lastUpdate": current["measuredAt"],
        }
    evolution = needs.need("performance.selfDischargeEvolution", "evolutionOfSelfDischarge") or {}
    return {
        "evolutionOfSelfDischargeValue": evolution.get("value"),
        "lastUpdate": evolution.get("measuredAt"),
    }


def performance(needs: Needs) -> JSON:
    """The aspect; each value it requires and the document lacks is noted in `needs`."""
    temperature = needs.need("performance.idleTemperatureRange", "temperatureRangeIdleState") or {}
    power = needs.need("performance.remainingPowerCapability", "remainingPowerCapability") or {}
    if power and "atStateOfCharge" not in power:
        needs.require("performance.remainingPowerCapability.atStateOfCharge", "atSoC")
    exposure = needs.need("performance.temperatureExposure", "temperatureInformation") or {}
    for key in ("hoursAboveUpperCharging", "hoursBelowLowerCharging"):
        if exposure and key not in exposure:
            needs.require(f"performance.temperatureExposure.{key}", "timeExtreme…TempCharging")
    soce = needs.ev_only("performance.stateOfCertifiedEnergy", "stateOfCertifiedEnergy") or {}
    current = needs.get("performance.currentSelfDischargeRate") or {}
    technical = {
        "originalPowerCapability": [
            {"atSoC": point["stateOfCharge"], "powerCapabilityAt": point["power"]}
            for point in needs.need("performance.powerCapabilityAtSoc", "originalPowerCapability")
            or []
        ],
        "ratedMaximumPower": needs.need("performance.maximumPower", "ratedMaximumPower"),
        "powerCapabilityRatio": needs.need("performance.powerEnergyRatio", "powerCapabilityRatio"),
        "ratedEnergy": needs.need("performance.ratedEnergy", "ratedEnergy"),
        "expectedNumberOfCycles": needs.need(
            "performance.expectedLifetimeCycles", "expectedNumberOfCycles"
        ),
        "initialSelfDischarge": needs.need(
            "performance.initialSelfDischarge", "initialSelfDischarge"
        ),
        "roundtripEfficiency": needs.need(
            "performance.initialRoundTripEfficiency", "roundtripEfficiency"
        ),
        "ratedCapacity": needs.need("performance.ratedCapacity", "ratedCapacity"),
        "initialInternalResistance": _resistances(
            needs.need("performance.initialInternalResistance", "initialInternalResistance") or {}
        ),
        "expectedLifetime": needs.need("performance.expectedLifetimeYears", "expectedLifetime"),
        "nominalVoltage": needs.need("performance.nominalVoltage", "nominalVoltage"),
        "minimumVoltage": needs.need("performance.minimumVoltage", "minimumVoltage"),
        "maximumVoltage": needs.need("performance.maximumVoltage", "maximumVoltage"),
        "capacityThresholdForExhaustion": needs.ev_only(
            "performance.capacityThresholdForExhaustion", "capacityThresholdForExhaustion"
        ),
        "lifetimeReferenceTest": needs.need(
            "performance.lifetimeReferenceTest", "lifetimeReferenceTest"
        ),
        "cRateLifeCycleTest": needs.need("performance.cRateLifeCycleTest", "cRateLifeCycleTest"),
        "temperatureRangeIdleState": {
            "minimum": temperature.get("lower"),
            "maximum": temperature.get("upper"),
        },
        "roundTripEfficiencyat50PerCentCycleLife": needs.need(
            "performance.roundTripEfficiencyAt50PercentLife",
            "roundTripEfficiencyat50PerCentCycleLife",
        ),
        "roundTripEfficiencyFade": _fade_value(
            needs, "roundTripEfficiencyFade", "roundTripEfficiencyFade"
        ),
        "powerFade": _fade_value(needs, "powerFade", "powerFade"),
    }
    increase = (
        needs.need("performance.internalResistanceIncrease", "internalResistanceIncrease") or {}
    )
    condition = {
        "energyThroughput": _dynamic(
            needs, "energyThroughput", "energyThroughput", "energyThroughputValue"
        ),
        "capacityThroughput": _dynamic(
            needs, "capacityThroughput", "capacityThroughput", "capacityThroughputValue"
        ),
        "numberOfFullCycles": _dynamic(
            needs, "fullCycles", "numberOfFullCycles", "numberOfFullCyclesValue"
        ),
        "stateOfCertifiedEnergy": {
            "stateOfCertifiedEnergyValue": soce.get("value"),
            "lastUpdate": soce.get("measuredAt"),
        },
        "capacityFade": _dynamic(needs, "capacityFade", "capacityFade", "capacityFadeValue"),
        "remainingEnergy": _dynamic(
            needs, "remainingEnergy", "remainingEnergy", "remainingEnergyValue"
        ),
        "remainingCapacity": _dynamic(
            needs, "remainingCapacity", "remainingCapacity", "remainingCapacityValue"
        ),
        "negativeEvents": [
            {
                "negativeEvent": f"{event['kind']}: {event.get('description', '')}".rstrip(": "),
                "lastUpdate": event["occurredAt"],
            }
            for event in needs.get("performance.negativeEvents") or []
        ],
        "temperatureInformation": {
            "timeExtremeHighTemp": exposure.get("hoursAboveUpper"),
            "timeExtremeLowTemp": exposure.get("hoursBelowLower"),
            "timeExtremeHighTempCharging": exposure.get("hoursAboveUpperCharging"),
            "timeExtremeLowTempCharging": exposure.get("hoursBelowLowerCharging"),
            "lastUpdate": exposure.get("measuredAt"),
        },
        "remainingPowerCapability": {
            "remainingPowerCapabilityValue": {
                "rPCLastUpdated": power.get("measuredAt"),
                "atSoC": power.get("atStateOfCharge"),
                "powerCapabilityAt": power.get("value"),
            },
            "lastUpdate": power.get("measuredAt"),
        },
        "evolutionOfSelfDischarge": _self_discharge_evolution(needs),
        "currentSelfDischargingRate": {
            "currentSelfDischargingRateValue": current.get("value"),
            "lastUpdate": current.get("measuredAt"),
        },
        "internalResistanceIncrease": [
            {
                "internalResistanceIncreaseValue": increase[key],
                "lastUpdate": increase["measuredAt"],
                "batteryComponent": component,
            }
            for component, key in (("pack", "value"), ("module", "module"), ("cell", "cell"))
            if key in increase
        ],
        "remainingRoundTripEnergyEfficiency": _dynamic(
            needs,
            "remainingRoundTripEfficiency",
            "remainingRoundTripEnergyEfficiency",
            "remainingRoundTripEnergyEfficiencyValue",
        ),
        "stateOfCharge": _dynamic(needs, "stateOfCharge", "stateOfCharge", "stateOfChargeValue"),
    }
    return {"batteryTechicalProperties": technical, "batteryCondition": condition}
