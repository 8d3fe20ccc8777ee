"""A complete, plausible passport document per category: for the demo, tests and benchmarks.

The figures describe an invented 75 kWh NMC 811 EV pack (and its LMT / stationary siblings);
they are consistent with each other (voltages ordered, stage sums equal to the total, recycled
shares adding up) so that validation and every export accept them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from battrace.passport.catalogue import BatteryStatus, Category
from battrace.passport.document import PassportDocument, reading

_ADDRESS = {
    "street": "1-2-3 Minato Mirai",
    "postalCode": "220-0012",
    "city": "Yokohama",
    "country": "JP",
}
_PLANT = {
    "street": "Industriestrasse 7",
    "postalCode": "38440",
    "city": "Wolfsburg",
    "country": "DE",
}
_MEASURED = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def _model_values(category: Category) -> dict[str, object]:
    ev = category is Category.EV
    return {
        "general.manufacturer": {
            "name": "Kanto Cell Works K.K.",
            "identifier": "1234567890123",
            "bpnl": "BPNL000000000KCW",
            "address": _ADDRESS,
            "email": "passport@kantocell.example",
            "webAddress": "https://kantocell.example",
        },
        "general.model": {"identifier": "KCW-P75-811", "name": "P75 pack"},
        "general.gtin": "04012345000016",
        "general.weight": 452.5,
        "general.warrantyPeriod": 12,
        "general.instructionsForUse": "https://kantocell.example/p75/manual.pdf",
        "labels.labels": [
            {
                "subject": "separateCollection",
                "symbol": "https://kantocell.example/sym/bin.svg",
                "meaning": "Collect separately; do not dispose of with household waste.",
            },
            {
                "subject": "extinguishingAgent",
                "symbol": "https://kantocell.example/sym/ext.svg",
                "meaning": "Water in large quantities.",
            },
        ],
        "labels.declarationOfConformity": "https://kantocell.example/p75/doc.pdf",
        "labels.declarationOfConformityId": "DoC-P75-2026-01",
        "labels.testReports": "https://kantocell.example/p75/test-reports.pdf",
        "carbonFootprint.carbonFootprint": 62.4,
        "carbonFootprint.stages": [
            {"stage": "rawMaterialExtraction", "value": 38.1},
            {"stage": "mainProduction", "value": 20.3},
            {"stage": "distribution", "value": 1.2},
            {"stage": "recycling", "value": 2.8},
        ],
        "carbonFootprint.absoluteCarbonFootprint": 4680.0,
        "carbonFootprint.performanceClass": "B",
        "carbonFootprint.study": "https://kantocell.example/p75/cfp-study.pdf",
        "carbonFootprint.provisional": True,
        "carbonFootprint.source": {
            "origin": "battrace CFP declaration",
            "version": "3",
            "reference": "P75 declaration",
            "takenAt": "2026-10-01T00:00:00Z",
        },
        "dueDiligence.report": "https://kantocell.example/dd-report-2026.pdf",
        "dueDiligence.summary": "Co, Li, Ni and graphite sourced from audited refiners.",
        "dueDiligence.thirdPartyAssurances": "https://kantocell.example/dd-assurance-2026.pdf",
        "dueDiligence.supplyChainIndices": 0.82,
        "dueDiligence.source": {
            "origin": "battrace DD report",
            "version": "2026.1",
            "takenAt": "2026-10-01T00:00:00Z",
        },
        "materials.chemistry": {
            "shortName": "NMC811",
            "clearName": "Lithium nickel manganese cobalt oxide / graphite",
        },
        "materials.hazardousSubstances": [
            {
                "name": "Lithium hexafluorophosphate",
                "casNumber": "21324-40-3",
                "hazardClass": "AcuteToxicity",
                "concentration": 1.2,
                "impacts": ["H301 Toxic if swallowed"],
                "location": {"componentName": "electrolyte"},
            },
        ],
        "materials.criticalRawMaterials": [
            {"name": "Cobalt", "casNumber": "7440-48-4", "share": 1.9},
            {"name": "Lithium", "casNumber": "7439-93-2", "share": 1.4},
            {"name": "Natural graphite", "casNumber": "7782-42-5", "share": 9.8},
        ],
        "materials.composition": [
            {
                "component": "cathode",
                "name": "NMC 811 active material",
                "casNumber": "346417-97-8",
                "mass": 98.0,
                "share": 21.7,
                "critical": True,
            },
            {
                "component": "anode",
                "name": "Graphite",
                "casNumber": "7782-42-5",
                "mass": 44.5,
                "share": 9.8,
                "critical": True,
            },
            {
                "component": "electrolyte",
                "name": "Lithium hexafluorophosphate",
                "casNumber": "21324-40-3",
                "mass": 5.4,
                "share": 1.2,
                "critical": False,
            },
        ],
        "circularity.recycledContent": [
            {
                "material": "cobalt",
                "share": 16.0,
                "preConsumerShare": 10.0,
                "postConsumerShare": 6.0,
            },
            {
                "material": "lithium",
                "share": 6.0,
                "preConsumerShare": 4.0,
                "postConsumerShare": 2.0,
            },
            {"material": "nickel", "share": 6.0, "preConsumerShare": 3.0, "postConsumerShare": 3.0},
            {"material": "lead", "share": 0.0, "preConsumerShare": 0.0, "postConsumerShare": 0.0},
        ],
        "circularity.renewableContent": 3.5,
        "circularity.extinguishingAgents": ["water", "class D powder"],
        "circularity.endOfLife": {
            "wastePrevention": "https://kantocell.example/eol/prevention",
            "separateCollection": "https://kantocell.example/eol/collection",
            "collectionPoints": "https://kantocell.example/eol/points",
        },
        "circularity.partNumbers": [
            {"partNumber": "KCW-M12", "name": "module"},
            {"partNumber": "KCW-BMS3", "name": "BMS board"},
        ],
        "circularity.sparePartSources": [
            {
                "name": "Kanto Cell Service",
                "bpnl": "BPNL000000000KCS",
                "address": _ADDRESS,
                "email": "spares@kantocell.example",
                "webAddress": "https://kantocell.example/spares",
                "parts": [{"partNumber": "KCW-M12", "name": "module"}],
            },
        ],
        "circularity.dismantling": [
            {
                "kind": "dismantlingManual",
                "uri": "https://kantocell.example/p75/dismantling.pdf",
                "mediaType": "application/pdf",
                "title": "P75 dismantling manual",
            },
        ],
        "circularity.safetyMeasures": "https://kantocell.example/p75/safety.pdf",
        "performance.ratedCapacity": 200.0,
        "performance.ratedEnergy": 75.0,
        "performance.minimumVoltage": 280.0,
        "performance.nominalVoltage": 370.0,
        "performance.maximumVoltage": 420.0,
        "performance.originalPowerCapability": 250000.0,
        "performance.powerCapabilityAtSoc": [
            {"stateOfCharge": 20.0, "power": 180000.0},
            {"stateOfCharge": 80.0, "power": 250000.0},
        ],
        "performance.maximumPower": 260000.0,
        "performance.powerEnergyRatio": 3.3,
        "performance.expectedLifetimeCycles": 2000,
        "performance.lifetimeReferenceTest": "https://kantocell.example/p75/cycle-test.pdf",
        "performance.expectedLifetimeYears": 12,
        "performance.capacityThresholdForExhaustion": 70.0 if ev else None,
        "performance.idleTemperatureRange": {"lower": -30.0, "upper": 60.0},
        "performance.initialRoundTripEfficiency": 95.0,
        "performance.roundTripEfficiencyAt50PercentLife": 92.0,
        "performance.initialInternalResistance": {"pack": 0.085, "module": 0.007, "cell": 0.0009},
        "performance.cRateLifeCycleTest": 0.33,
        "performance.cycleLifeTest": {
            "temperature": 25.0,
            "depthOfDischarge": 80.0,
            "chargeRate": 0.33,
            "dischargeRate": 1.0,
        },
        "performance.initialSelfDischarge": 2.0,
    }


def _item_values(category: Category, serial: str) -> dict[str, object]:
    ev = category is Category.EV
    at = _MEASURED
    return {
        "general.responsibleOperator": {
            "name": "Kanto Cell Works K.K.",
            "identifier": "1234567890123",
            "bpnl": "BPNL000000000KCW",
            "address": _ADDRESS,
        },
        "general.serialNumber": serial,
        "general.batchNumber": "LOT-2026-11",
        "general.manufacturingPlace": {
            "name": "Wolfsburg pack plant",
            "identifier": "1234567890123000001",
            "bpna": "BPNA000000000WOB",
            "address": _PLANT,
        },
        "general.manufacturingDate": "2026-02",
        "general.puttingIntoService": "2026-04-15",
        "performance.remainingCapacity": reading(
            194.0, at, source="BMS", method="coulomb counting"
        ),
        "performance.capacityFade": reading(3.0, at, source="BMS"),
        "performance.remainingPowerCapability": reading(243000.0, at, source="BMS"),
        "performance.powerFade": reading(2.8, at, source="BMS"),
        "performance.internalResistance": reading(0.088, at, source="BMS"),
        "performance.internalResistanceIncrease": reading(3.5, at, source="BMS"),
        "performance.remainingRoundTripEfficiency": reading(94.6, at, source="BMS"),
        "performance.roundTripEfficiencyFade": reading(0.4, at, source="BMS"),
        "performance.remainingLifetimeCycles": reading(1850, at, source="BMS", method="model"),
        "performance.remainingLifetimeYears": reading(11.5, at, source="BMS", method="model"),
        "performance.stateOfCertifiedEnergy": reading(97.0, at, source="BMS") if ev else None,
        "performance.remainingEnergy": reading(72.8, at, source="BMS"),
        "performance.selfDischargeRate": None if ev else reading(2.1, at, source="BMS"),
        "performance.fullCycles": reading(150, at, source="BMS"),
        "performance.energyThroughput": reading(11200.0, at, source="BMS"),
        "performance.capacityThroughput": reading(30000.0, at, source="BMS"),
        "performance.stateOfCharge": reading(64.0, at, source="BMS"),
        "performance.temperatureExposure": {
            "hoursAboveUpper": 3.5,
            "hoursBelowLower": 12.0,
            "hoursAboveUpperCharging": 0.5,
            "hoursBelowLowerCharging": 1.0,
            "measuredAt": "2026-11-20T08:30:00Z",
            "source": "BMS",
        },
        "performance.negativeEvents": [
            {
                "kind": "deepDischarge",
                "description": "Parked 5 weeks at 0 % state of charge",
                "occurredAt": "2026-07-03T00:00:00Z",
            },
        ],
    }


def example_document(
    category: Category | str = Category.EV,
    *,
    serial: str = "P75-000001",
    passport_identifier: str = "urn:uuid:5b0c8f44-2d6e-4a8b-9d3e-7f1a2b3c4d5e",
    status: BatteryStatus = BatteryStatus.ORIGINAL,
) -> PassportDocument:
    """A complete document: every attribute the category takes, filled consistently."""
    category = Category(category)
    document = PassportDocument.new(
        passport_identifier=passport_identifier,
        battery_identifier=f"(01)04012345000016(21){serial}",
        category=category,
        status=status,
    )
    values = {**_model_values(category), **_item_values(category, serial)}
    return document.with_values(values)
