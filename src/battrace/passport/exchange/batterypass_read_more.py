"""Reading the Battery Pass 1.2 Circularity and PerformanceAndDurability aspects into battrace
attribute values. See `batterypass_import`."""

from __future__ import annotations

from battrace.passport.exchange.batterypass_read import AspectReader
from battrace.passport.exchange.common import JSON, first_lower
from battrace.passport.problems import Problem
from battrace.passport.schema import DOCUMENT_KINDS, EVENT_KINDS


def circularity(r: AspectReader, aspect: JSON, _: str) -> None:
    at = "Circularity"
    documents = []
    for index, entry in enumerate(r.arr(aspect, at, "dismantlingAndRemovalInformation")):
        where = f"{at}.dismantlingAndRemovalInformation[{index}]"
        kind = r.text(entry, where, "documentType")
        uri = r.text(entry, where, "documentURL")
        media = r.text(entry, where, "mimeType")
        if kind is not None and first_lower(kind) not in DOCUMENT_KINDS:
            r.problems.append(Problem(f"{where}.documentType", f"{kind!r} is not a document type"))
        elif kind is not None and uri is not None:
            document: JSON = {"kind": first_lower(kind), "uri": uri}
            if media:
                document["mediaType"] = media
            documents.append(document)
    r.put("circularity.dismantling", documents, f"{at}.dismantlingAndRemovalInformation")
    sources = []
    for index, entry in enumerate(r.arr(aspect, at, "sparePartSources")):
        where = f"{at}.sparePartSources[{index}]"
        source: JSON = {
            "name": r.text(entry, where, "nameOfSupplier"),
            "address": r.address(entry, where, "addressOfSupplier"),
            "email": r.text(entry, where, "emailAddressOfSupplier"),
            "webAddress": r.text(entry, where, "supplierWebAddress"),
            "parts": [
                {
                    "partNumber": r.text(part, f"{where}.components[{i}]", "partNumber"),
                    "name": r.text(part, f"{where}.components[{i}]", "partName"),
                }
                for i, part in enumerate(r.arr(entry, where, "components"))
            ],
        }
        sources.append({key: value for key, value in source.items() if value is not None})
    r.put("circularity.sparePartSources", sources, f"{at}.sparePartSources")
    recycled = []
    for index, entry in enumerate(r.arr(aspect, at, "recycledContent")):
        where = f"{at}.recycledContent[{index}]"
        material = r.text(entry, where, "recycledMaterial")
        pre = r.number(entry, where, "preConsumerShare")
        post = r.number(entry, where, "postConsumerShare")
        if material is not None and pre is not None and post is not None:
            recycled.append(
                {
                    "material": material.lower(),
                    "share": round(pre + post, 9),
                    "preConsumerShare": pre,
                    "postConsumerShare": post,
                }
            )
    r.put("circularity.recycledContent", recycled, f"{at}.recycledContent")
    safety = r.obj(aspect, at, "safetyMeasures") or {}
    r.put(
        "circularity.safetyMeasures",
        r.text(safety, f"{at}.safetyMeasures", "safetyInstructions"),
        f"{at}.safetyMeasures.safetyInstructions",
    )
    agents = r.arr(safety, f"{at}.safetyMeasures", "extinguishingAgent")
    r.put(
        "circularity.extinguishingAgents",
        [{"agent": agent} for agent in agents if isinstance(agent, str) and agent],
        f"{at}.safetyMeasures.extinguishingAgent",
    )
    end = r.obj(aspect, at, "endOfLifeInformation") or {}
    where = f"{at}.endOfLifeInformation"
    end_of_life = {
        "wastePrevention": r.text(end, where, "wastePrevention"),
        "separateCollection": r.text(end, where, "separateCollection"),
        "collectionPoints": r.text(end, where, "informationOnCollection"),
    }
    r.put("circularity.endOfLife", {k: v for k, v in end_of_life.items() if v} or None, where)
    r.put(
        "circularity.renewableContent",
        r.number(aspect, at, "renewableContent"),
        f"{at}.renewableContent",
    )


_STATIC = (
    ("maximumPower", "ratedMaximumPower"),
    ("powerEnergyRatio", "powerCapabilityRatio"),
    ("ratedEnergy", "ratedEnergy"),
    ("expectedLifetimeCycles", "expectedNumberOfCycles"),
    ("initialSelfDischarge", "initialSelfDischarge"),
    ("initialRoundTripEfficiency", "roundtripEfficiency"),
    ("ratedCapacity", "ratedCapacity"),
    ("expectedLifetimeYears", "expectedLifetime"),
    ("nominalVoltage", "nominalVoltage"),
    ("minimumVoltage", "minimumVoltage"),
    ("maximumVoltage", "maximumVoltage"),
    ("cRateLifeCycleTest", "cRateLifeCycleTest"),
    ("roundTripEfficiencyAt50PercentLife", "roundTripEfficiencyat50PerCentCycleLife"),
)
_INTEGERS = ("expectedLifetimeCycles",)
_READINGS = (
    ("energyThroughput", "energyThroughput", "energyThroughputValue"),
    ("capacityThroughput", "capacityThroughput", "capacityThroughputValue"),
    ("fullCycles", "numberOfFullCycles", "numberOfFullCyclesValue"),
    ("capacityFade", "capacityFade", "capacityFadeValue"),
    ("remainingEnergy", "remainingEnergy", "remainingEnergyValue"),
    ("remainingCapacity", "remainingCapacity", "remainingCapacityValue"),
    ("currentSelfDischargeRate", "currentSelfDischargingRate", "currentSelfDischargingRateValue"),
    (
        "remainingRoundTripEfficiency",
        "remainingRoundTripEnergyEfficiency",
        "remainingRoundTripEnergyEfficiencyValue",
    ),
    ("stateOfCharge", "stateOfCharge", "stateOfChargeValue"),
)


def _left_out(r: AspectReader, where: str, why: str) -> None:
    r.left_out.append(Problem(where, why))


def performance(r: AspectReader, aspect: JSON, category: str) -> None:
    at = "PerformanceAndDurability"
    technical = r.obj(aspect, at, "batteryTechicalProperties") or {}
    tp = f"{at}.batteryTechicalProperties"
    for key, field in _STATIC:
        value = r.number(technical, tp, field)
        if value is not None and key in _INTEGERS:
            value = int(value)
        r.put(f"performance.{key}", value, f"{tp}.{field}")
    r.put(
        "performance.lifetimeReferenceTest",
        r.text(technical, tp, "lifetimeReferenceTest"),
        f"{tp}.lifetimeReferenceTest",
    )
    points = []
    for index, entry in enumerate(r.arr(technical, tp, "originalPowerCapability")):
        where = f"{tp}.originalPowerCapability[{index}]"
        soc, power = r.number(entry, where, "atSoC"), r.number(entry, where, "powerCapabilityAt")
        if soc is not None and power is not None:
            points.append({"stateOfCharge": soc, "power": power})
    r.put("performance.powerCapabilityAtSoc", points, f"{tp}.originalPowerCapability")
    resistance = {}
    for index, entry in enumerate(r.arr(technical, tp, "initialInternalResistance")):
        where = f"{tp}.initialInternalResistance[{index}]"
        component = r.text(entry, where, "batteryComponent")
        ohm = r.number(entry, where, "ohmicResistance")
        if component is not None and ohm is not None:
            resistance[component] = ohm
    r.put(
        "performance.initialInternalResistance",
        resistance or None,
        f"{tp}.initialInternalResistance",
    )
    idle = r.obj(technical, tp, "temperatureRangeIdleState") or {}
    lower = r.number(idle, f"{tp}.temperatureRangeIdleState", "minimum")
    upper = r.number(idle, f"{tp}.temperatureRangeIdleState", "maximum")
    if lower is not None and upper is not None:
        r.put(
            "performance.idleTemperatureRange",
            {"lower": lower, "upper": upper},
            f"{tp}.temperatureRangeIdleState",
        )
    threshold = r.number(technical, tp, "capacityThresholdForExhaustion")
    if category == "ev":
        r.put(
            "performance.capacityThresholdForExhaustion",
            threshold,
            f"{tp}.capacityThresholdForExhaustion",
        )
    elif threshold is not None:
        _left_out(r, f"{tp}.capacityThresholdForExhaustion", "for EV batteries only")
    for field in ("powerFade", "roundTripEfficiencyFade"):
        if r.number(technical, tp, field) is not None:
            _left_out(r, f"{tp}.{field}", "a battrace reading needs its time; the aspect has none")
    _condition(r, r.obj(aspect, at, "batteryCondition") or {}, f"{at}.batteryCondition", category)


def _condition(r: AspectReader, condition: JSON, at: str, category: str) -> None:
    for key, field, value_key in _READINGS:
        r.put(f"performance.{key}", r.reading(condition, at, field, value_key), f"{at}.{field}")
    soce = r.reading(condition, at, "stateOfCertifiedEnergy", "stateOfCertifiedEnergyValue")
    if category == "ev":
        r.put("performance.stateOfCertifiedEnergy", soce, f"{at}.stateOfCertifiedEnergy")
    elif soce is not None:
        _left_out(r, f"{at}.stateOfCertifiedEnergy", "for EV batteries only")
    evolution = r.reading(
        condition, at, "evolutionOfSelfDischarge", "evolutionOfSelfDischargeValue"
    )
    if category != "ev":
        r.put("performance.selfDischargeEvolution", evolution, f"{at}.evolutionOfSelfDischarge")
    elif evolution is not None:
        _left_out(r, f"{at}.evolutionOfSelfDischarge", "not for EV batteries (derived on export)")
    _events(r, condition, at)
    _exposure_power_resistance(r, condition, at)


def _events(r: AspectReader, condition: JSON, at: str) -> None:
    events = []
    for index, entry in enumerate(r.arr(condition, at, "negativeEvents")):
        where = f"{at}.negativeEvents[{index}]"
        text = r.text(entry, where, "negativeEvent")
        moment = r.text(entry, where, "lastUpdate")
        if text is None or moment is None:
            continue
        kind, _, description = text.partition(": ")
        event: JSON = {"kind": kind if kind in EVENT_KINDS else "other", "occurredAt": moment}
        described = description if kind in EVENT_KINDS else text
        if described:
            event["description"] = described
        events.append(event)
    r.put("performance.negativeEvents", events, f"{at}.negativeEvents")


def _exposure_power_resistance(r: AspectReader, condition: JSON, at: str) -> None:
    heat = r.obj(condition, at, "temperatureInformation") or {}
    where = f"{at}.temperatureInformation"
    exposure = {
        "hoursAboveUpper": r.number(heat, where, "timeExtremeHighTemp"),
        "hoursBelowLower": r.number(heat, where, "timeExtremeLowTemp"),
        "hoursAboveUpperCharging": r.number(heat, where, "timeExtremeHighTempCharging"),
        "hoursBelowLowerCharging": r.number(heat, where, "timeExtremeLowTempCharging"),
        "measuredAt": r.text(heat, where, "lastUpdate"),
    }
    if exposure["hoursAboveUpper"] is not None and exposure["measuredAt"]:
        r.put(
            "performance.temperatureExposure",
            {k: v for k, v in exposure.items() if v is not None},
            where,
        )
    power = r.obj(condition, at, "remainingPowerCapability") or {}
    where = f"{at}.remainingPowerCapability.remainingPowerCapabilityValue"
    value = r.obj(power, f"{at}.remainingPowerCapability", "remainingPowerCapabilityValue") or {}
    watts = r.number(value, where, "powerCapabilityAt")
    moment = r.text(value, where, "rPCLastUpdated")
    soc = r.number(value, where, "atSoC")
    if watts is not None and moment is not None:
        reading: JSON = {"value": watts, "measuredAt": moment}
        if soc is not None:
            reading["atStateOfCharge"] = soc
        r.put("performance.remainingPowerCapability", reading, f"{at}.remainingPowerCapability")
    increase: JSON = {}
    for index, entry in enumerate(r.arr(condition, at, "internalResistanceIncrease")):
        where = f"{at}.internalResistanceIncrease[{index}]"
        component = r.text(entry, where, "batteryComponent")
        number = r.number(entry, where, "internalResistanceIncreaseValue")
        moment = r.text(entry, where, "lastUpdate")
        if component is None or number is None or moment is None:
            continue
        increase["value" if component == "pack" else component] = number
        if component == "pack":
            increase["measuredAt"] = moment
    if "value" in increase:
        r.put(
            "performance.internalResistanceIncrease", increase, f"{at}.internalResistanceIncrease"
        )
