"""Export of a battrace passport document as one Catena-X battery pass 6.1.0 document.

The document is produced only when every value its schema requires is there; otherwise each
missing value is reported by its battrace path. What the passport record knows but the
document does not (version, issue and expiry dates, backup reference, publication state)
comes in `CatenaXMetadata`. Catena-X names companies and sites by business partner numbers:
the manufacturer's and the responsible operator's BPNL, the plant's BPNA must be in the
document (`bpnl`, `bpna` fields). Conversions: categories `stationary` and `industrial-no-bms`
become `industrial`; the manufacturing month becomes its first day; an original passport's
predecessor is the nil UUID (the schema asks for a dummy value); `purpose` is `automotive`
(a must in Catena-X). The format requires the EV-only capacity threshold and state of
certified energy for every category: other categories cannot be exported without inventing
them, and are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from battrace.passport.document import PassportDocument
from battrace.passport.exchange.catenax_materials import materials
from battrace.passport.exchange.catenax_performance import performance
from battrace.passport.exchange.common import JSON, Needs, as_uuid, month_start
from battrace.passport.problems import Problem, refuse

TARGET = "Catena-X battery pass 6.1.0"
SPEC_VERSION = "urn:samm:io.catenax.battery.battery_pass:6.1.0"
NIL_UUID = "00000000-0000-0000-0000-000000000000"
CATEGORY = {
    "ev": "EV",
    "lmt": "LMT",
    "industrial": "industrial",
    "stationary": "industrial",
    "industrial-no-bms": "industrial",
}
PUBLICATION = ("draft", "approved", "invalid", "expired")
# What a round trip through the document loses (the exchange tests hold the export to it).
# Besides: companies and plants arrive as their BPNL / BPNA only; a reading's source and method;
# stationary and industrial-no-bms become industrial; critical raw materials only as flags;
# label meanings beyond the 100-character header.
NOT_CARRIED = (
    "carbonFootprint.absoluteCarbonFootprint",
    "carbonFootprint.provisional",
    "carbonFootprint.source",
    "dueDiligence.summary",
    "dueDiligence.source",
    "dueDiligence.supplyChainIndices",
    "circularity.renewableContent",  # per material only
    "performance.cRateLifeCycleTest",
    "performance.maximumPower",
    "performance.powerEnergyRatio",
    "performance.remainingLifetimeCycles",
    "performance.remainingLifetimeYears",
    "performance.temperatureExposure",
    "performance.currentSelfDischargeRate",  # a plain number there: no time for a reading
)
KEYS_NOT_CARRIED = {
    "materials.chemistry": ("clearName",),
    "materials.composition": ("mass",),
    "circularity.recycledContent": ("preConsumerShare", "postConsumerShare"),
    "circularity.dismantling": ("title",),
    "performance.remainingPowerCapability": ("atStateOfCharge",),
}
URL = "URL"


@dataclass(frozen=True, slots=True)
class CatenaXMetadata:
    """What the passport record knows and the document does not."""

    version: str
    issued: date
    expires: date  # at least the battery's expected lifetime
    backup_reference: str
    status: str | None = None  # draft | approved | invalid | expired
    last_modified: date | None = None


@dataclass(frozen=True, slots=True)
class CatenaXExport:
    document: JSON | None  # None when a required value is missing
    problems: tuple[Problem, ...]


def doc(content: str, header: str, content_type: str = URL) -> JSON:
    """A Catena-X documentation entry (its header holds at most 100 characters)."""
    return {"content": content, "contentType": content_type, "header": header[:100]}


def export_passport(
    document: PassportDocument, metadata: CatenaXMetadata, *, strict: bool = False
) -> CatenaXExport:
    """The Catena-X document; with `strict`, `ValidationFailed` listing every missing value."""
    needs = Needs(document, TARGET)
    if metadata.status is not None and metadata.status not in PUBLICATION:
        needs.fail("metadata.status", f"must be one of {', '.join(PUBLICATION)}")
    out: JSON = {
        "specVersion": SPEC_VERSION,
        "identification": _identification(needs),
        "operation": _operation(needs),
        "characteristics": _characteristics(needs),
        "sustainability": _sustainability(needs),
        "materials": _materials(needs),
        "performance": performance(needs),
        "conformity": _conformity(needs),
        "safety": _safety(needs),
        "metadata": _metadata(needs, metadata),
        "commercial": {"purpose": ["automotive"]},
        "handling": _handling(needs),
    }
    instructions = needs.get("general.instructionsForUse")
    if instructions:
        out["sources"] = [
            {
                "content": instructions,
                "category": "User Manuals and Guides",
                "type": URL,
                "header": "Instructions for use",
            }
        ]
    if needs.problems:
        if strict:
            refuse(f"{TARGET} export", needs.problems)
        return CatenaXExport(None, tuple(needs.problems))
    return CatenaXExport(out, ())


def _identification(needs: Needs) -> JSON:
    model = needs.need("general.model", "identification.type") or {}
    if model and "name" not in model:
        needs.require("general.model.name", "identification.type.nameAtManufacturer")
    chemistry = needs.need("materials.chemistry", "identification.chemistry") or {}
    serial = needs.get("general.serialNumber")
    batch = needs.get("general.batchNumber")
    gtin = needs.get("general.gtin")
    identification: JSON = {
        "type": {
            "manufacturerPartId": model.get("identifier"),
            "nameAtManufacturer": model.get("name"),
        },
        "codes": [{"key": "GTIN", "value": gtin}] if gtin else [],
        "dataCarrier": {
            "carrierType": "QR",
            "carrierLayout": needs.need("labels.dataCarrierLayout", "dataCarrier.carrierLayout"),
        },
        "classification": [],
    }
    if serial:
        identification["serial"] = [{"key": "partInstanceId", "value": serial}]
    if batch:
        identification["batch"] = [{"key": "batchId", "value": batch}]
    return {
        "category": CATEGORY.get(needs.get("general.category"), ""),
        "idDmc": needs.need("general.batteryIdentifier", "identification.idDmc"),
        "chemistry": chemistry.get("shortName"),
        "identification": identification,
    }


def _bpn(needs: Needs, path: str, key: str, field: str) -> str | None:
    holder = needs.need(path, field) or {}
    if holder and key not in holder:
        needs.require(f"{path}.{key}", field)
    value = holder.get(key)
    return str(value) if value else None


def _operation(needs: Needs) -> JSON:
    manufacturer: JSON = {
        "facility": [
            {
                "facility": _bpn(
                    needs, "general.manufacturingPlace", "bpna", "operation.manufacturer.facility"
                )
            }
        ],
        "manufacturer": _bpn(
            needs, "general.manufacturer", "bpnl", "operation.manufacturer.manufacturer"
        ),
    }
    made = needs.get("general.manufacturingDate")
    if made:
        manufacturer["manufacturingDate"] = month_start(made)
    operation: JSON = {"manufacturer": manufacturer}
    service = needs.get("general.puttingIntoService")
    if service:
        operation["intoServiceDate"] = service
    return operation


def _characteristics(needs: Needs) -> JSON:
    return {
        "warranty": {
            "lifeValue": needs.need("general.warrantyPeriod", "characteristics.warranty"),
            "lifeUnit": "unit:month",
        },
        "physicalDimension": {
            "weight": {
                "value": needs.need("general.weight", "characteristics.physicalDimension.weight"),
                "unit": "unit:kilogram",
            }
        },
    }


def _sustainability(needs: Needs) -> JSON:
    end_of_life = needs.need("circularity.endOfLife", "sustainability.documents") or {}
    collection = [
        doc(end_of_life[key], header)
        for key, header in (
            ("separateCollection", "Separate collection"),
            ("collectionPoints", "Collection points"),
        )
        if key in end_of_life
    ]
    prevention = (
        [doc(end_of_life["wastePrevention"], "Waste prevention")]
        if "wastePrevention" in end_of_life
        else []
    )
    status = needs.need("general.status", "sustainability.status")
    return {
        "documents": {"separateCollection": collection, "wastePrevention": prevention},
        "carbonFootprint": _footprints(needs),
        "status": status,
    }


def _footprints(needs: Needs) -> list[JSON]:
    total = needs.get("carbonFootprint.carbonFootprint")
    if total is None:
        return []
    study = needs.get("carbonFootprint.study")
    place = needs.get("general.manufacturingPlace") or {}
    plant = [{"facility": place["bpna"]}] if "bpna" in place else []
    performance_class = needs.get("carbonFootprint.performanceClass")

    def footprint(value: float, lifecycle: str) -> JSON:
        entry: JSON = {
            "value": value,
            "rulebook": [],
            "lifecycle": lifecycle,
            "unit": "kg CO2e/kWh",
            "type": "Climate Change Total",
            "manufacturingPlant": plant,
            "declaration": [doc(study, "Carbon footprint study")] if study else [],
        }
        if performance_class:
            entry["performanceClass"] = performance_class
        return entry

    stages = needs.get("carbonFootprint.stages") or []
    return [footprint(total, "total")] + [footprint(s["value"], s["stage"]) for s in stages]


def _critical_names(needs: Needs) -> set[str]:
    return {row["name"].lower() for row in needs.get("materials.criticalRawMaterials") or []}


def _materials(needs: Needs) -> JSON:
    return materials(needs, _critical_names(needs))


def _conformity(needs: Needs) -> JSON:
    def documents(path: str, header: str) -> list[JSON]:
        value = needs.get(path)
        return [doc(value, header)] if value else []

    conformity: JSON = {
        "declarationOfConformity": documents(
            "labels.declarationOfConformity", "EU declaration of conformity"
        ),
        "resultOfTestReport": documents("labels.testReports", "Results of test reports"),
        "thirdPartyAssurance": documents(
            "dueDiligence.thirdPartyAssurances", "Third-party assurances"
        ),
        "dueDiligencePolicy": documents("dueDiligence.report", "Due diligence report"),
    }
    number = needs.get("labels.declarationOfConformityId")
    if number:
        conformity["declarationOfConformityId"] = number
    return conformity


def _safety(needs: Needs) -> JSON:
    agents = []
    for index, agent in enumerate(
        needs.need("circularity.extinguishingAgents", "safety.usableExtinguishAgent") or []
    ):
        if "fireClass" not in agent:
            needs.require(
                f"circularity.extinguishingAgents[{index}].fireClass",
                "usableExtinguishAgent.fireClass",
            )
        agents.append({"media": agent["agent"], "fireClass": agent.get("fireClass")})
    measures = needs.get("circularity.safetyMeasures")
    dismantling = needs.get("circularity.dismantling") or []
    return {
        "usableExtinguishAgent": agents,
        "safetyMeasures": [doc(measures, "Safety measures")] if measures else [],
        "meaningOfLabels": [_label(label) for label in needs.get("labels.labels") or []],
        "dismantling": [_dismantling(d) for d in dismantling if d["kind"] != "removalManual"],
        "removalFromAppliance": [
            _dismantling(d) for d in dismantling if d["kind"] == "removalManual"
        ],
    }


def _label(label: dict[str, Any]) -> JSON:
    """The subject, then as much of the meaning as the 100-character header holds."""
    meaning = label.get("meaning")
    return doc(label["symbol"], f"{label['subject']}: {meaning}" if meaning else label["subject"])


def _dismantling(document: dict[str, Any]) -> JSON:
    return doc(document["uri"], document["kind"], document.get("mediaType", URL))


def _metadata(needs: Needs, metadata: CatenaXMetadata) -> JSON:
    identifier = needs.need("general.passportIdentifier", "metadata.passportIdentifier")
    parsed = as_uuid(identifier) if identifier else None
    if identifier and parsed is None:
        needs.fail("general.passportIdentifier", "must be a UUID (urn:uuid:…)")
    predecessors = needs.get("general.predecessorPassports") or []
    predecessor = as_uuid(predecessors[0]) if predecessors else None
    if len(predecessors) > 1:
        needs.fail(
            "general.predecessorPassports", "holds one predecessor; this passport has several"
        )
    if predecessors and predecessor is None:
        needs.fail("general.predecessorPassports[0]", "must be a UUID (urn:uuid:…)")
    out: JSON = {
        "version": metadata.version,
        "expirationDate": metadata.expires.isoformat(),
        "issueDate": metadata.issued.isoformat(),
        "economicOperatorId": _bpn(
            needs, "general.responsibleOperator", "bpnl", "metadata.economicOperatorId"
        ),
        "passportIdentifier": str(parsed) if parsed else None,
        "predecessor": str(predecessor) if predecessor else NIL_UUID,
        "backupReference": metadata.backup_reference,
    }
    if metadata.status:
        out["status"] = metadata.status
    if metadata.last_modified:
        out["lastModification"] = metadata.last_modified.isoformat()
    return out


def _handling(needs: Needs) -> JSON:
    sources = needs.get("circularity.sparePartSources") or []
    parts = needs.get("circularity.partNumbers") or []
    for index, source in enumerate(sources):
        if "bpnl" not in source:
            needs.require(
                f"circularity.sparePartSources[{index}].bpnl", "handling.content.producer.id"
            )
    for index, part in enumerate(parts):
        if "name" not in part:
            needs.require(f"circularity.partNumbers[{index}].name", "sparePart.nameAtManufacturer")
    return {
        "content": {
            "producer": [{"id": source.get("bpnl")} for source in sources],
            "sparePart": [
                {"manufacturerPartId": part["partNumber"], "nameAtManufacturer": part.get("name")}
                for part in parts
            ],
        },
        "applicable": bool(sources or parts),
    }
