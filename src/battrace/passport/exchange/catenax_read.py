"""Reading the `materials` and `performance` blocks of a Catena-X battery pass into battrace
attribute values. See `catenax_import`."""

from __future__ import annotations

from battrace.passport.exchange.batterypass_read import AspectReader
from battrace.passport.exchange.common import JSON
from battrace.passport.problems import Problem
from battrace.passport.schema import COMPONENTS, EVENT_KINDS

TO_PERCENT = {
    "unit:percent": 1.0,
    "unit:partPerThousand": 0.1,
    "unit:partPerMillion": 1e-4,
    "unit:partPerBillionUs": 1e-7,
    "unit:partPerTrillionUs": 1e-10,
}


def _percent(
    r: AspectReader, entry: object, where: str, value_key: str, unit_key: str
) -> float | None:
    value = r.number(entry, where, value_key)
    unit = r.text(entry, where, unit_key)
    if value is None or unit is None:
        return None
    if unit not in TO_PERCENT:
        r.left_out.append(
            Problem(f"{where}.{unit_key}", f"{unit}: battrace keeps shares by weight")
        )
        return None
    return round(value * TO_PERCENT[unit], 12)


def _identity(r: AspectReader, entry: object, where: str, key: str) -> JSON:
    ids = r.arr(entry, where, key)
    if not ids:
        return {}
    at = f"{where}.{key}[0]"
    out: JSON = {"name": r.text(ids[0], at, "name")}
    if r.text(ids[0], at, "type") == "CAS":
        out["casNumber"] = r.text(ids[0], at, "id")
    return {k: v for k, v in out.items() if v}


def materials(r: AspectReader, block: JSON) -> None:
    at = "materials"
    active = r.obj(block, at, "active") or {}
    recycled, critical, restricted = [], {}, {}
    for metal in ("cobalt", "lithium", "nickel", "lead"):
        entry = r.obj(active, f"{at}.active", metal) or {}
        share = r.number(entry, f"{at}.active.{metal}", "recycled")
        if share is not None:
            recycled.append({"material": metal, "share": share})
        if r.flag(entry, f"{at}.active.{metal}", "critical"):
            critical[metal] = {"name": metal.capitalize()}
    r.put("circularity.recycledContent", recycled, f"{at}.active")
    hazardous = r.obj(block, at, "hazardous") or {}
    for metal in ("mercury", "cadmium", "lead"):
        where = f"{at}.hazardous.{metal}"
        restricted[metal] = _percent(
            r, r.obj(hazardous, f"{at}.hazardous", metal), where, "concentration", "materialUnit"
        )
    if all(value is not None for value in restricted.values()):
        r.put("materials.restrictedSubstances", restricted, f"{at}.hazardous")
    substances = []
    for index, entry in enumerate(r.arr(hazardous, f"{at}.hazardous", "other", required=False)):
        where = f"{at}.hazardous.other[{index}]"
        substance: JSON = _identity(r, entry, where, "materialIdentification")
        substance["concentration"] = _percent(r, entry, where, "concentration", "materialUnit")
        impacts = [
            r.text(doc, f"{where}.impactOfSubstances[{i}]", "content")
            for i, doc in enumerate(r.arr(entry, where, "impactOfSubstances"))
        ]
        substance["impacts"] = [impact for impact in impacts if impact]
        for i, doc in enumerate(r.arr(entry, where, "documentation")):
            if isinstance(doc, dict) and doc.get("header") == "hazard class":
                substance["hazardClass"] = r.text(doc, f"{where}.documentation[{i}]", "content")
        location = r.text(entry, where, "location")
        if location:
            substance["location"] = {"componentName": location}
        if r.flag(entry, where, "critical") and substance.get("name"):
            critical[substance["name"].lower()] = {"name": substance["name"]}
        substances.append({k: v for k, v in substance.items() if v not in (None, [])})
    r.put("materials.hazardousSubstances", substances, f"{at}.hazardous.other")
    rows = []
    for index, entry in enumerate(r.arr(block, at, "composition")):
        where = f"{at}.composition[{index}]"
        row: JSON = _identity(r, entry, where, "id")
        location = r.text(entry, where, "location") or "other"
        component, _, component_id = location.partition("/")
        row["component"] = component if component in COMPONENTS else "other"
        if component_id or component not in COMPONENTS:
            row["componentId"] = component_id or component
        row["share"] = _percent(r, entry, where, "concentration", "unit")
        row["critical"] = r.flag(entry, where, "critical")
        row["recycledShare"] = r.number(entry, where, "recycled")
        row["renewableShare"] = r.number(entry, where, "renewable")
        if row["critical"] and row.get("name"):
            critical[row["name"].lower()] = {"name": row["name"]}
        rows.append({k: v for k, v in row.items() if v is not None})
    r.put("materials.composition", rows, f"{at}.composition")
    r.put("materials.criticalRawMaterials", list(critical.values()), f"{at}.active")


_RATED = (
    ("minimumVoltage", "voltage", "min"),
    ("maximumVoltage", "voltage", "max"),
    ("nominalVoltage", "voltage", "nominal"),
    ("initialRoundTripEfficiency", "roundTripEfficiency", "initial"),
    ("roundTripEfficiencyAt50PercentLife", "roundTripEfficiency", "50PercentLife"),
    ("originalPowerCapability", "power", "value"),
    ("ratedCapacity", "capacity", "value"),
)


def performance(r: AspectReader, block: JSON, category: str) -> None:
    at = "performance"
    rated = r.obj(block, at, "rated") or {}
    _rated(r, rated, f"{at}.rated", category)
    _dynamic(r, r.obj(block, at, "dynamic") or {}, f"{at}.dynamic", category)


def _rated(r: AspectReader, rated: JSON, at: str, category: str) -> None:
    for key, group, field in _RATED:
        value = r.number(r.obj(rated, at, group), f"{at}.{group}", field)
        r.put(f"performance.{key}", value, f"{at}.{group}.{field}")
    energy = r.obj(rated, at, "energy", required=False)
    if energy is not None:
        r.put(
            "performance.ratedEnergy",
            r.number(energy, f"{at}.energy", "value"),
            f"{at}.energy.value",
        )
    power = r.obj(rated, at, "power") or {}
    points = [
        {"stateOfCharge": soc, "power": r.number(power, f"{at}.power", f"at{soc:.0f}SoC")}
        for soc in (20.0, 80.0)
    ]
    r.put(
        "performance.powerCapabilityAtSoc",
        [p for p in points if p["power"] is not None],
        f"{at}.power",
    )
    resistance = r.obj(rated, at, "resistance") or {}
    values = {
        k: r.number(resistance, f"{at}.resistance", k, required=k != "module")
        for k in ("pack", "module", "cell")
    }
    r.put(
        "performance.initialInternalResistance",
        {k: v for k, v in values.items() if v is not None} or None,
        f"{at}.resistance",
    )
    threshold = r.number(r.obj(rated, at, "capacity"), f"{at}.capacity", "thresholdExhaustion")
    if category == "ev":
        r.put(
            "performance.capacityThresholdForExhaustion",
            threshold,
            f"{at}.capacity.thresholdExhaustion",
        )
    elif threshold is not None:
        r.left_out.append(Problem(f"{at}.capacity.thresholdExhaustion", "for EV batteries only"))
    idle = r.obj(rated, at, "temperature") or {}
    lower, upper = (
        r.number(idle, f"{at}.temperature", "lower"),
        r.number(idle, f"{at}.temperature", "upper"),
    )
    if lower is not None and upper is not None:
        r.put(
            "performance.idleTemperatureRange",
            {"lower": lower, "upper": upper},
            f"{at}.temperature",
        )
    r.put(
        "performance.initialSelfDischarge",
        r.number(rated, at, "selfDischargingRate"),
        f"{at}.selfDischargingRate",
    )
    lifetime = r.obj(rated, at, "lifetime") or {}
    r.put(
        "performance.expectedLifetimeYears",
        r.number(lifetime, f"{at}.lifetime", "expectedYears"),
        f"{at}.lifetime.expectedYears",
    )
    reports = r.arr(lifetime, f"{at}.lifetime", "report")
    if reports:
        r.put(
            "performance.lifetimeReferenceTest",
            r.text(reports[0], f"{at}.lifetime.report[0]", "content"),
            f"{at}.lifetime.report[0]",
        )
    test = r.obj(lifetime, f"{at}.lifetime", "cycleLifeTesting") or {}
    where = f"{at}.lifetime.cycleLifeTesting"
    cycles = r.number(test, where, "cycles")
    r.put(
        "performance.expectedLifetimeCycles",
        int(cycles) if cycles is not None else None,
        f"{where}.cycles",
    )
    conditions = {
        "temperature": r.number(test, where, "temperature"),
        "depthOfDischarge": r.number(test, where, "depthOfDischarge"),
        "chargeRate": r.number(test, where, "appliedChargeRate"),
        "dischargeRate": r.number(test, where, "appliedDischargeRate"),
    }
    r.put(
        "performance.cycleLifeTest",
        {k: v for k, v in conditions.items() if v is not None} or None,
        where,
    )


def _record(r: AspectReader, block: object, where: str, key: str) -> JSON | None:
    entry = r.obj(block, where, key)
    if entry is None:
        return None
    value, moment = (
        r.number(entry, f"{where}.{key}", "value"),
        r.text(entry, f"{where}.{key}", "time"),
    )
    return None if value is None or moment is None else {"value": value, "measuredAt": moment}


_DYNAMIC = (
    ("stateOfCharge", "", "stateOfCharge"),
    ("fullCycles", "", "fullCycles"),
    ("powerFade", "power", "fade"),
    ("remainingPowerCapability", "power", "remaining"),
    ("capacityFade", "capacity", "fade"),
    ("capacityThroughput", "capacity", "throughput"),
    ("remainingCapacity", "capacity", "capacity"),
    ("roundTripEfficiencyFade", "roundTripEfficiency", "fade"),
    ("remainingRoundTripEfficiency", "roundTripEfficiency", "remaining"),
    ("remainingEnergy", "energy", "remaining"),
)


def _dynamic(r: AspectReader, dynamic: JSON, at: str, category: str) -> None:
    for key, group, field in _DYNAMIC:
        holder, where = (
            (r.obj(dynamic, at, group) or {}, f"{at}.{group}") if group else (dynamic, at)
        )
        r.put(f"performance.{key}", _record(r, holder, where, field), f"{where}.{field}")
    energy = r.obj(dynamic, at, "energy") or {}
    throughput = r.obj(energy, f"{at}.energy", "throughput", required=False)
    if throughput is not None:
        r.put(
            "performance.energyThroughput",
            _record(r, energy, f"{at}.energy", "throughput"),
            f"{at}.energy.throughput",
        )
    soce = _record(r, energy, f"{at}.energy", "soce")
    if category == "ev":
        r.put("performance.stateOfCertifiedEnergy", soce, f"{at}.energy.soce")
    elif soce is not None:
        r.left_out.append(Problem(f"{at}.energy.soce", "for EV batteries only"))
    if r.number(dynamic, at, "selfDischargingRate") is not None:
        r.left_out.append(Problem(f"{at}.selfDischargingRate", "a battrace reading needs its time"))
    resistance = r.obj(dynamic, at, "resistance") or {}
    for key, field in (
        ("internalResistanceIncrease", "increase"),
        ("internalResistance", "remaining"),
    ):
        where = f"{at}.resistance.{field}"
        levels = r.obj(resistance, f"{at}.resistance", field) or {}
        pack = _record(r, levels, where, "pack")
        if pack is None:
            continue
        for component in ("module", "cell"):
            value = _record(r, levels, where, component) if component in levels else None
            if value is not None:
                pack[component] = value["value"]
        r.put(f"performance.{key}", pack, where)
    events = []
    for index, entry in enumerate(r.arr(dynamic, at, "negativeEvents", required=False)):
        where = f"{at}.negativeEvents[{index}]"
        header, content = r.text(entry, where, "header"), r.text(entry, where, "content")
        kind, _, moment = (header or "").partition(" ")
        if not moment:
            r.problems.append(Problem(f"{where}.header", "must be the event's kind and time"))
            continue
        event: JSON = {"kind": kind if kind in EVENT_KINDS else "other", "occurredAt": moment}
        if content and content != kind:
            event["description"] = content
        events.append(event)
    r.put("performance.negativeEvents", events, f"{at}.negativeEvents")
