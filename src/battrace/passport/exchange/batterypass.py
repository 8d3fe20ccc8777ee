"""Export of a battrace passport document as the seven Battery Pass 1.2 aspects.

Battery Pass 1.2 (the data model DIN DKE SPEC 99100 follows) has no whole-passport schema: a
passport is seven aspect documents. Each aspect is produced only when the document holds every
value the aspect's schema requires; otherwise the aspect is left out and each missing value is
reported by its battrace path. What the aspects cannot hold is listed in `NOT_CARRIED`.

Conversions: the passport identifier becomes `urn:uuid:` + 32 hex digits (the aspect's pattern
allows no hyphen); the manufacturing month becomes the first of the month at midnight UTC;
statuses are capitalised (`re-used` → `Reused`); an address line is `street, city` (no city
field); the warranty is an `xsd:gMonth` (`--MM`), so only warranties of 1 to 12 months fit.
The Performance aspect asks for the evolution of self-discharge, which the Commission's
guidance does not fill for EV batteries: for them it is derived as the current self-discharge
rate minus the initial one (percentage points per month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from battrace.passport.document import PassportDocument
from battrace.passport.exchange.batterypass_performance import performance
from battrace.passport.exchange.common import (
    JSON,
    Needs,
    as_uuid,
    city_street,
    first_upper,
    midnight,
    month_start,
)
from battrace.passport.problems import Problem, refuse

TARGET = "Battery Pass 1.2"
ASPECTS = (
    "GeneralProductInformation",
    "Labeling",
    "CarbonFootprintForBatteries",
    "SupplyChainDueDiligence",
    "MaterialComposition",
    "Circularity",
    "PerformanceAndDurability",
)
ASPECT_URNS = {
    "GeneralProductInformation": "urn:samm:io.BatteryPass.GeneralProductInformation:1.2.0",
    "Labeling": "urn:samm:io.BatteryPass.Labels:1.2.0",
    "CarbonFootprintForBatteries": "urn:samm:io.BatteryPass.CarbonFootprint:1.2.0",
    "SupplyChainDueDiligence": "urn:samm:io.BatteryPass.SupplyChainDueDiligence:1.2.0",
    "MaterialComposition": "urn:samm:io.BatteryPass.MaterialComposition:1.2.0",
    "Circularity": "urn:samm:io.BatteryPass.Circularity:1.2.0",
    "PerformanceAndDurability": "urn:samm:io.BatteryPass.Performance:1.2.1",
}
STATUS = {
    "original": "Original",
    "repurposed": "Repurposed",
    "re-used": "Reused",
    "remanufactured": "Remanufactured",
    "waste": "Waste",
}
CATEGORY = {
    "ev": "ev",
    "lmt": "lmt",
    "industrial": "industrial",
    "stationary": "stationary",
    "industrial-no-bms": "industrial",
}
LABEL_SUBJECT = {
    "separateCollection": "SeparateCollection",
    "cadmium": "HazardousMaterial",
    "lead": "HazardousMaterial",
    "hazardousMaterial": "HazardousMaterial",
    "carbonFootprint": "CarbonFootPrint",
    "extinguishingAgent": "ExtinguishingAgent",
}
HAZARD_CLASSES = ("AcuteToxicity", "SkinCorrosionOrIrritation", "EyeDamageOrIrritation")
# The aspect's own e-mail pattern (its character class lacks a backslash, so most real
# addresses fail it): an address that does not match is left out rather than rejected.
_GPI_EMAIL = re.compile(r"^[w.-]+@[w.-]+.[A-Za-z]{2,}$")

# What a round trip through the aspects loses (the exchange tests hold the export to it):
# attributes the aspects have no field for, and keys dropped inside the values that remain.
# Besides: an e-mail only if it fits the General aspect's (defective) pattern; a reading's
# source and method; industrial-no-bms becomes industrial; critical raw materials only as flags
# on the composition; labels other than the four subjects; warranties above 12 months.
NOT_CARRIED = (
    "general.model",
    "general.gtin",
    "general.serialNumber",
    "general.batchNumber",
    "general.instructionsForUse",
    "general.predecessorPassports",
    "labels.declarationOfConformityId",
    "labels.dataCarrierLayout",
    "carbonFootprint.provisional",
    "carbonFootprint.source",
    "dueDiligence.summary",
    "dueDiligence.source",
    "materials.restrictedSubstances",
    "circularity.partNumbers",
    "performance.cycleLifeTest",
    "performance.originalPowerCapability",
    "performance.internalResistance",
    "performance.remainingLifetimeCycles",
    "performance.remainingLifetimeYears",
    "performance.powerFade",  # a plain number in the aspect: no time for a reading
    "performance.roundTripEfficiencyFade",
)
KEYS_NOT_CARRIED = {
    "general.manufacturer": ("bpnl", "email"),
    "general.responsibleOperator": ("bpnl", "email"),
    "general.manufacturingPlace": ("name", "identifier", "bpna"),
    "materials.composition": ("share", "recycledShare", "renewableShare"),
    "circularity.extinguishingAgents": ("fireClass",),
    "circularity.dismantling": ("title",),
    "circularity.sparePartSources": ("bpnl",),
    "performance.temperatureExposure": ("source", "method"),
}


@dataclass(frozen=True, slots=True)
class BatteryPassExport:
    aspects: dict[str, JSON]  # the aspects that could be produced, by aspect name
    problems: tuple[Problem, ...]  # why the others could not (battrace paths)

    @property
    def complete(self) -> bool:
        return len(self.aspects) == len(ASPECTS)


def export_aspects(document: PassportDocument, *, strict: bool = False) -> BatteryPassExport:
    """The Battery Pass 1.2 aspects of `document`; with `strict`, any aspect that cannot be
    produced raises `ValidationFailed` with every missing value by path."""
    aspects: dict[str, JSON] = {}
    problems: list[Problem] = []
    for name, build in _BUILDERS.items():
        needs = Needs(document, f"{TARGET} {name}")
        aspect = build(needs)
        if needs.problems:
            problems.extend(needs.problems)
        else:
            aspects[name] = aspect
    if strict and problems:
        refuse(f"{TARGET} export", problems)
    return BatteryPassExport(aspects, tuple(problems))


def _passport_urn(needs: Needs) -> str | None:
    identifier = needs.need("general.passportIdentifier", "batteryPassportIdentifier")
    if identifier is None:
        return None
    parsed = as_uuid(identifier)
    if parsed is not None:
        return f"urn:uuid:{parsed.hex}"
    if re.match(r"^urn:[a-z0-9]+:[a-z0-9]+$", identifier):
        return str(identifier)
    needs.fail("general.passportIdentifier", "must be a UUID or urn:<letters>:<letters>")
    return None


def _postal(address: dict[str, Any]) -> JSON:
    return {
        "addressCountry": address["country"],
        "postalCode": address["postalCode"],
        "streetAddress": city_street(address),
    }


def _contact(needs: Needs, path: str, field: str) -> JSON:
    party = needs.need(path, field) or {}
    if not party:
        return {}
    if "identifier" not in party:
        needs.require(f"{path}.identifier", f"{field}.identifier")
    if "address" not in party:
        needs.require(f"{path}.address", f"{field}.postalAddress")
        return {}
    contact: JSON = {
        "contactName": party["name"],
        "postalAddress": _postal(party["address"]),
        "identifier": party.get("identifier", ""),
    }
    if "email" in party and _GPI_EMAIL.match(party["email"]):
        contact["emailAddress"] = party["email"]
    if "webAddress" in party:
        contact["webAddress"] = party["webAddress"]
    return contact


def _general(needs: Needs) -> JSON:
    place = needs.need("general.manufacturingPlace", "manufacturingPlace") or {}
    if place and "address" not in place:
        needs.require("general.manufacturingPlace.address", "manufacturingPlace")
    made = needs.need("general.manufacturingDate", "manufacturingDate")
    service = needs.need("general.puttingIntoService", "puttingIntoService")
    months = needs.need("general.warrantyPeriod", "warrentyPeriod")
    if months is not None and not 1 <= months <= 12:
        needs.fail(
            "general.warrantyPeriod",
            f"writes the warranty as a calendar month (--MM); {months} months cannot be written",
        )
    status = needs.need("general.status", "batteryStatus")
    return {
        "productIdentifier": needs.need("general.batteryIdentifier", "productIdentifier"),
        "batteryPassportIdentifier": _passport_urn(needs),
        "batteryCategory": CATEGORY.get(needs.get("general.category"), ""),
        "manufacturerInformation": _contact(
            needs, "general.manufacturer", "manufacturerInformation"
        ),
        "manufacturingDate": midnight(month_start(made)) if made else None,
        "batteryStatus": STATUS.get(status or "", ""),
        "batteryMass": needs.need("general.weight", "batteryMass"),
        "manufacturingPlace": _postal(place["address"]) if "address" in place else None,
        "operatorInformation": _contact(
            needs, "general.responsibleOperator", "operatorInformation"
        ),
        "puttingIntoService": midnight(service) if service else None,
        "warrentyPeriod": f"--{months:02d}" if months else None,
    }


def _labeling(needs: Needs) -> JSON:
    labels = []
    for label in needs.need("labels.labels", "labels") or []:
        subject = LABEL_SUBJECT.get(label["subject"])
        if subject is None:
            continue
        meaning = {"en": label["meaning"]} if "meaning" in label else {}
        labels.append(
            {
                "labelingSymbol": label["symbol"],
                "labelingMeaning": meaning,
                "labelingSubject": subject,
            }
        )
    return {
        "declarationOfConformity": needs.need(
            "labels.declarationOfConformity", "declarationOfConformity"
        ),
        "resultOfTestReport": needs.need("labels.testReports", "resultOfTestReport"),
        "labels": labels,
    }


def _carbon_footprint(needs: Needs) -> JSON:
    stages = needs.need("carbonFootprint.stages", "carbonFootprintPerLifecycleStage") or []
    aspect: JSON = {
        "batteryCarbonFootprint": needs.need(
            "carbonFootprint.carbonFootprint", "batteryCarbonFootprint"
        ),
        "carbonFootprintPerLifecycleStage": [
            {"lifecycleStage": first_upper(stage["stage"]), "carbonFootprint": stage["value"]}
            for stage in stages
        ],
        "carbonFootprintPerformanceClass": needs.need(
            "carbonFootprint.performanceClass", "carbonFootprintPerformanceClass"
        ),
        "carbonFootprintStudy": needs.need("carbonFootprint.study", "carbonFootprintStudy"),
    }
    absolute = needs.get("carbonFootprint.absoluteCarbonFootprint")
    if absolute is not None:
        aspect["absoluteCarbonFootprint"] = absolute
    return aspect


def _due_diligence(needs: Needs) -> JSON:
    aspect: JSON = {
        "supplyChainDueDiligenceReport": needs.need(
            "dueDiligence.report", "supplyChainDueDiligenceReport"
        )
    }
    if needs.get("dueDiligence.thirdPartyAssurances"):
        aspect["thirdPartyAussurances"] = needs.get("dueDiligence.thirdPartyAssurances")
    if needs.get("dueDiligence.supplyChainIndices") is not None:
        aspect["supplyChainIndicies"] = needs.get("dueDiligence.supplyChainIndices")
    return aspect


def _location(name: str, identifier: str | None) -> JSON:
    return {"componentName": name, **({"componentId": identifier} if identifier else {})}


def _materials(needs: Needs) -> JSON:
    chemistry = needs.need("materials.chemistry", "batteryChemistry") or {}
    if chemistry and "clearName" not in chemistry:
        needs.require("materials.chemistry.clearName", "batteryChemistry.clearName")
    materials = []
    for index, row in enumerate(needs.need("materials.composition", "batteryMaterials") or []):
        for key, field in (
            ("casNumber", "batteryMaterialIdentifier"),
            ("mass", "batteryMaterialMass"),
            ("critical", "isCriticalRawMaterial"),
        ):
            if key not in row:
                needs.require(f"materials.composition[{index}].{key}", field)
        materials.append(
            {
                "batteryMaterialLocation": _location(row["component"], row.get("componentId")),
                "batteryMaterialIdentifier": row.get("casNumber"),
                "batteryMaterialName": row["name"],
                "batteryMaterialMass": row.get("mass"),
                "isCriticalRawMaterial": row.get("critical"),
            }
        )
    substances = []
    for index, row in enumerate(
        needs.need("materials.hazardousSubstances", "hazardousSubstances") or []
    ):
        path = f"materials.hazardousSubstances[{index}]"
        for key, field in (
            ("casNumber", "hazardousSubstanceIdentifier"),
            ("concentration", "hazardousSubstanceConcentration"),
            ("location", "hazardousSubstanceLocation"),
        ):
            if key not in row:
                needs.require(f"{path}.{key}", field)
        if row.get("hazardClass") not in HAZARD_CLASSES:
            needs.fail(f"{path}.hazardClass", f"must be one of {', '.join(HAZARD_CLASSES)}")
        location = row.get("location") or {}
        substances.append(
            {
                "hazardousSubstanceClass": row.get("hazardClass"),
                "hazardousSubstanceName": row["name"],
                "hazardousSubstanceConcentration": row.get("concentration"),
                "hazardousSubstanceImpact": list(row.get("impacts", [])),
                "hazardousSubstanceLocation": _location(
                    location.get("componentName", ""), location.get("componentId")
                ),
                "hazardousSubstanceIdentifier": row.get("casNumber"),
            }
        )
    return {
        "batteryChemistry": {
            "shortName": chemistry.get("shortName"),
            "clearName": chemistry.get("clearName"),
        },
        "batteryMaterials": materials,
        "hazardousSubstances": substances,
    }


def _circularity(needs: Needs) -> JSON:
    documents = [
        {
            "documentType": first_upper(doc["kind"]),
            "mimeType": doc.get("mediaType"),
            "documentURL": doc["uri"],
        }
        for doc in needs.need("circularity.dismantling", "dismantlingAndRemovalInformation") or []
    ]
    for index, doc in enumerate(documents):
        if doc["mimeType"] is None:
            needs.require(f"circularity.dismantling[{index}].mediaType", "mimeType")
    sources = []
    for index, source in enumerate(
        needs.need("circularity.sparePartSources", "sparePartSources") or []
    ):
        path = f"circularity.sparePartSources[{index}]"
        for key in ("address", "email", "webAddress", "parts"):
            if key not in source:
                needs.require(f"{path}.{key}", f"sparePartSources.{key}")
        for part_index, part in enumerate(source.get("parts", [])):
            if "name" not in part:
                needs.require(f"{path}.parts[{part_index}].name", "components.partName")
        sources.append(
            {
                "nameOfSupplier": source["name"],
                "addressOfSupplier": _postal(source["address"]) if "address" in source else None,
                "emailAddressOfSupplier": source.get("email"),
                "supplierWebAddress": source.get("webAddress"),
                "components": [
                    {"partName": part.get("name"), "partNumber": part["partNumber"]}
                    for part in source.get("parts", [])
                ],
            }
        )
    recycled = []
    for index, row in enumerate(needs.need("circularity.recycledContent", "recycledContent") or []):
        if "preConsumerShare" not in row or "postConsumerShare" not in row:
            needs.require(
                f"circularity.recycledContent[{index}].preConsumerShare",
                "preConsumerShare and postConsumerShare",
            )
        recycled.append(
            {
                "preConsumerShare": row.get("preConsumerShare"),
                "recycledMaterial": first_upper(row["material"]),
                "postConsumerShare": row.get("postConsumerShare"),
            }
        )
    end_of_life = needs.need("circularity.endOfLife", "endOfLifeInformation") or {}
    for key in ("wastePrevention", "separateCollection", "collectionPoints"):
        if end_of_life and key not in end_of_life:
            needs.require(f"circularity.endOfLife.{key}", f"endOfLifeInformation.{key}")
    agents = (
        needs.need("circularity.extinguishingAgents", "safetyMeasures.extinguishingAgent") or []
    )
    return {
        "dismantlingAndRemovalInformation": documents,
        "sparePartSources": sources,
        "recycledContent": recycled,
        "safetyMeasures": {
            "safetyInstructions": needs.need("circularity.safetyMeasures", "safetyInstructions"),
            "extinguishingAgent": [agent["agent"] for agent in agents],
        },
        "endOfLifeInformation": {
            "wastePrevention": end_of_life.get("wastePrevention"),
            "separateCollection": end_of_life.get("separateCollection"),
            "informationOnCollection": end_of_life.get("collectionPoints"),
        },
        "renewableContent": needs.need("circularity.renewableContent", "renewableContent"),
    }


_BUILDERS = {
    "GeneralProductInformation": _general,
    "Labeling": _labeling,
    "CarbonFootprintForBatteries": _carbon_footprint,
    "SupplyChainDueDiligence": _due_diligence,
    "MaterialComposition": _materials,
    "Circularity": _circularity,
    "PerformanceAndDurability": performance,
}
