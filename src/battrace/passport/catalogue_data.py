"""The catalogue's rows: one `Attribute` per Annex XIII attribute of battrace's document.

Data-point numbers are those of the Commission's table (`guidance.py`); an attribute with none
is carried because the exchange formats ask for it (Battery Pass 1.2, Catena-X 6.1.0) or
because the platform fills it (provenance of platform-filled sections). Default access groups
follow the Regulation: Annex XIII point 1 public, points 2 and 4 legitimate interest, point 3
authorities; the tests check them against the guidance's own tier column.
"""

from __future__ import annotations

from battrace.passport.catalogue import AccessGroup, Attribute, Level, Section

PUBLIC = AccessGroup.PUBLIC
PLI = AccessGroup.LEGITIMATE_INTEREST
AUTHORITIES = AccessGroup.AUTHORITIES
MODEL = Level.MODEL
ITEM = Level.ITEM

CATEGORIES = ("ev", "lmt", "industrial", "stationary", "industrial-no-bms")
STATUSES = ("original", "repurposed", "re-used", "remanufactured", "waste")


def _static(
    section: Section,
    key: str,
    label: str,
    access: AccessGroup,
    level: Level,
    data_points: tuple[int, ...],
    value_type: str,
    unit: str | None = None,
    *,
    choices: tuple[str, ...] = (),
    required: bool = False,
) -> Attribute:
    return Attribute(
        section, key, label, access, level, False, data_points, value_type, unit, choices, required
    )


def _reading(key: str, label: str, data_points: tuple[int, ...], unit: str | None) -> Attribute:
    """A dynamic item value of Annex XIII point 4: the latest reading with its time."""
    return Attribute(Section.PERFORMANCE, key, label, PLI, ITEM, True, data_points, "reading", unit)


G = Section.GENERAL
L = Section.LABELS
C = Section.CARBON_FOOTPRINT
D = Section.DUE_DILIGENCE
M = Section.MATERIALS
R = Section.CIRCULARITY
P = Section.PERFORMANCE

ATTRIBUTES: tuple[Attribute, ...] = (
    # --- general product information (Annex VI part A, Art. 77(3), Annex XIII 4(c))
    _static(
        G,
        "passportIdentifier",
        "Passport identifier",
        PUBLIC,
        ITEM,
        (1,),
        "identifier",
        required=True,
    ),
    _static(
        G,
        "batteryIdentifier",
        "Unique battery identifier",
        PUBLIC,
        ITEM,
        (1, 7),
        "identifier",
        required=True,
    ),
    _static(
        G,
        "category",
        "Battery category",
        PUBLIC,
        MODEL,
        (6,),
        "enum",
        choices=CATEGORIES,
        required=True,
    ),
    _static(
        G,
        "responsibleOperator",
        "Operator responsible for the passport",
        PUBLIC,
        ITEM,
        (2,),
        "party",
    ),
    _static(G, "manufacturer", "Manufacturer", PUBLIC, MODEL, (3, 4, 5), "party"),
    _static(G, "model", "Model identification", PUBLIC, MODEL, (7,), "modelIdentification"),
    _static(G, "gtin", "GTIN of the model", PUBLIC, MODEL, (7,), "gtin"),
    _static(G, "serialNumber", "Serial number", PUBLIC, ITEM, (7,), "identifier"),
    _static(G, "batchNumber", "Batch number", PUBLIC, ITEM, (7,), "identifier"),
    _static(G, "manufacturingPlace", "Place of manufacture", PUBLIC, ITEM, (8,), "place"),
    _static(
        G,
        "manufacturingDate",
        "Date of manufacture (year and month)",
        PUBLIC,
        ITEM,
        (9,),
        "yearMonth",
    ),
    _static(G, "weight", "Weight", PUBLIC, MODEL, (10,), "positive", "kg"),
    _static(
        G,
        "warrantyPeriod",
        "Commercial warranty for the calendar life",
        PUBLIC,
        MODEL,
        (35,),
        "positiveInteger",
        "month",
    ),
    _static(G, "instructionsForUse", "Instructions for use", PUBLIC, MODEL, (44,), "uri"),
    _static(
        G,
        "predecessorPassports",
        "Passports this battery was made from",
        PUBLIC,
        ITEM,
        (),
        "identifierList",
    ),
    _static(G, "puttingIntoService", "Date put into service", PLI, ITEM, (), "date"),
    Attribute(
        G, "status", "Status of the battery", PLI, ITEM, True, (67,), "enum", choices=STATUSES
    ),
    # --- labels and conformity (Art. 13, 18; Annex XIII 1(q)-(r), 3)
    _static(L, "labels", "Labels and symbols on the battery", PUBLIC, MODEL, (40, 41), "labelList"),
    _static(
        L, "declarationOfConformity", "EU declaration of conformity", PUBLIC, MODEL, (42,), "uri"
    ),
    _static(
        L,
        "declarationOfConformityId",
        "Number of the EU declaration of conformity",
        PUBLIC,
        MODEL,
        (42,),
        "identifier",
    ),
    _static(
        L,
        "testReports",
        "Results of test reports proving compliance",
        AUTHORITIES,
        MODEL,
        (50,),
        "uri",
    ),
    # --- carbon footprint (Art. 7, Annex XIII 1(c)); the EU method is not adopted
    _static(
        C,
        "carbonFootprint",
        "Carbon footprint per functional unit",
        PUBLIC,
        MODEL,
        (17,),
        "positive",
        "kg CO2e/kWh",
    ),
    _static(
        C,
        "stages",
        "Carbon footprint per life-cycle stage",
        PUBLIC,
        MODEL,
        (17,),
        "lifecycleStageList",
        "kg CO2e/kWh",
    ),
    _static(
        C,
        "absoluteCarbonFootprint",
        "Absolute carbon footprint of the battery",
        PUBLIC,
        MODEL,
        (),
        "positive",
        "kg CO2e",
    ),
    _static(
        C,
        "performanceClass",
        "Carbon footprint performance class",
        PUBLIC,
        MODEL,
        (18,),
        "identifier",
    ),
    _static(
        C, "study", "Public version of the carbon footprint study", PUBLIC, MODEL, (17,), "uri"
    ),
    _static(C, "provisional", "Declared under a provisional method", PUBLIC, MODEL, (), "boolean"),
    _static(C, "source", "Where the declaration was taken from", PUBLIC, MODEL, (), "provenance"),
    # --- supply-chain due diligence (Art. 52, Annex XIII 1(d))
    _static(
        D, "report", "Due diligence report (responsible sourcing)", PUBLIC, MODEL, (19,), "uri"
    ),
    _static(D, "summary", "Responsible sourcing information", PUBLIC, MODEL, (19,), "text"),
    _static(D, "thirdPartyAssurances", "Third-party assurances", PUBLIC, MODEL, (), "uri"),
    _static(D, "supplyChainIndices", "Supply chain indices", PUBLIC, MODEL, (), "number"),
    _static(D, "source", "Where the report was taken from", PUBLIC, MODEL, (), "provenance"),
    # --- materials and composition (Annex VI A(7)-(10), Annex XIII 2(a))
    _static(M, "chemistry", "Chemistry", PUBLIC, MODEL, (12,), "chemistry"),
    _static(
        M,
        "hazardousSubstances",
        "Hazardous substances other than Hg, Cd, Pb",
        PUBLIC,
        MODEL,
        (13,),
        "hazardousSubstanceList",
    ),
    _static(
        M,
        "criticalRawMaterials",
        "Critical raw materials above 0.1 % w/w",
        PUBLIC,
        MODEL,
        (15,),
        "criticalRawMaterialList",
    ),
    _static(
        M,
        "composition",
        "Detailed composition (cathode, anode, electrolyte)",
        PLI,
        MODEL,
        (45,),
        "compositionList",
    ),
    # --- circularity (Annex XIII 1(e)-(f), 1(s), 2(b)-(d); Annex VI A(9))
    _static(
        R,
        "recycledContent",
        "Recycled content of Co, Li, Ni, Pb",
        PUBLIC,
        MODEL,
        (20, 21, 22, 23),
        "recycledContentList",
        "%",
    ),
    _static(
        R, "renewableContent", "Share of renewable content", PUBLIC, MODEL, (24,), "percent", "%"
    ),
    _static(
        R, "extinguishingAgents", "Usable extinguishing agents", PUBLIC, MODEL, (14,), "textList"
    ),
    _static(
        R,
        "endOfLife",
        "Prevention and management of waste batteries",
        PUBLIC,
        MODEL,
        (43,),
        "endOfLife",
    ),
    _static(R, "partNumbers", "Part numbers for components", PLI, MODEL, (46,), "partList"),
    _static(
        R,
        "sparePartSources",
        "Sources for replacement spares",
        PLI,
        MODEL,
        (47,),
        "sparePartSourceList",
    ),
    _static(R, "dismantling", "Dismantling information", PLI, MODEL, (48,), "documentList"),
    _static(R, "safetyMeasures", "Safety measures", PLI, MODEL, (49,), "uri"),
    # --- performance and durability, static model values (Annex XIII 1(g)-(p), Annex IV)
    _static(P, "ratedCapacity", "Rated capacity", PUBLIC, MODEL, (11, 25), "positive", "Ah"),
    _static(P, "ratedEnergy", "Certified usable energy", PUBLIC, MODEL, (), "positive", "kWh"),
    _static(P, "minimumVoltage", "Minimal voltage", PUBLIC, MODEL, (26,), "number", "V"),
    _static(P, "nominalVoltage", "Nominal voltage", PUBLIC, MODEL, (27,), "number", "V"),
    _static(P, "maximumVoltage", "Maximum voltage", PUBLIC, MODEL, (28,), "number", "V"),
    _static(
        P,
        "originalPowerCapability",
        "Original power capability",
        PUBLIC,
        MODEL,
        (29,),
        "positive",
        "W",
    ),
    _static(
        P,
        "powerCapabilityAtSoc",
        "Original power capability by state of charge",
        PUBLIC,
        MODEL,
        (29,),
        "powerPointList",
        "W",
    ),
    _static(
        P,
        "maximumPower",
        "Power limits (rated maximum power)",
        PUBLIC,
        MODEL,
        (30,),
        "positive",
        "W",
    ),
    _static(
        P, "powerEnergyRatio", "Ratio of power to energy", PUBLIC, MODEL, (), "positive", "W/Wh"
    ),
    _static(
        P,
        "expectedLifetimeCycles",
        "Expected lifetime in cycles",
        PUBLIC,
        MODEL,
        (31,),
        "positiveInteger",
        "cycle",
    ),
    _static(
        P,
        "lifetimeReferenceTest",
        "Reference test for the expected lifetime",
        PUBLIC,
        MODEL,
        (32,),
        "uri",
    ),
    _static(
        P,
        "expectedLifetimeYears",
        "Expected lifetime in calendar years",
        PUBLIC,
        MODEL,
        (),
        "positive",
        "year",
    ),
    _static(
        P,
        "capacityThresholdForExhaustion",
        "Capacity threshold for exhaustion",
        PUBLIC,
        MODEL,
        (33,),
        "percent",
        "%",
    ),
    _static(
        P,
        "idleTemperatureRange",
        "Temperature range when not in use",
        PUBLIC,
        MODEL,
        (34,),
        "temperatureRange",
        "°C",
    ),
    _static(
        P,
        "initialRoundTripEfficiency",
        "Initial round trip energy efficiency",
        PUBLIC,
        MODEL,
        (36,),
        "percent",
        "%",
    ),
    _static(
        P,
        "roundTripEfficiencyAt50PercentLife",
        "Round trip efficiency at 50 % of cycle life",
        PUBLIC,
        MODEL,
        (37,),
        "percent",
        "%",
    ),
    _static(
        P,
        "initialInternalResistance",
        "Internal cell and pack resistance",
        PUBLIC,
        MODEL,
        (38,),
        "resistance",
        "Ω",
    ),
    _static(
        P,
        "cRateLifeCycleTest",
        "C-rate of the cycle-life test",
        PUBLIC,
        MODEL,
        (39,),
        "positive",
        "C",
    ),
    _static(
        P, "cycleLifeTest", "Conditions of the cycle-life test", PUBLIC, MODEL, (), "cycleLifeTest"
    ),
    _static(
        P,
        "initialSelfDischarge",
        "Initial self-discharge rate",
        PUBLIC,
        MODEL,
        (),
        "percent",
        "%/month",
    ),
    # --- performance and durability, dynamic item values (Annex XIII 4(a)-(d), Art. 14)
    _reading("remainingCapacity", "Remaining capacity", (51, 62), "Ah"),
    _reading("capacityFade", "Capacity fade", (52,), "%"),
    _reading("remainingPowerCapability", "Remaining power capability", (53, 63), "W"),
    _reading("powerFade", "Power fade", (54,), "%"),
    _reading("internalResistance", "Internal resistance (pack, ohmic)", (55, 66), "Ω"),
    _reading("internalResistanceIncrease", "Internal resistance increase", (56,), "%"),
    _reading("remainingRoundTripEfficiency", "Remaining round trip efficiency", (57, 64), "%"),
    _reading("roundTripEfficiencyFade", "Round trip efficiency fade", (58,), "%"),
    _reading(
        "remainingLifetimeCycles", "Expected lifetime in cycles (current estimate)", (59,), "cycle"
    ),
    _reading(
        "remainingLifetimeYears", "Expected lifetime in years (current estimate)", (60,), "year"
    ),
    _reading("stateOfCertifiedEnergy", "State of certified energy (SOCE)", (61,), "%"),
    _reading("remainingEnergy", "Remaining usable energy", (), "kWh"),
    _reading("selfDischargeRate", "Self-discharge rate (evolution)", (65,), "%/month"),
    _reading("fullCycles", "Number of full charge-discharge cycles", (68,), "cycle"),
    _reading("energyThroughput", "Energy throughput", (), "kWh"),
    _reading("capacityThroughput", "Capacity throughput", (), "Ah"),
    _reading("stateOfCharge", "State of charge", (71,), "%"),
    Attribute(
        P,
        "temperatureExposure",
        "Time spent at extreme temperatures",
        PLI,
        ITEM,
        True,
        (70,),
        "temperatureExposure",
        "h",
    ),
    Attribute(
        P,
        "negativeEvents",
        "Negative events (deep discharge, overheating, accidents)",
        PLI,
        ITEM,
        True,
        (69,),
        "negativeEventList",
    ),
)
