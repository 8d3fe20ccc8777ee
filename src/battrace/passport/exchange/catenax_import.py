"""Import of a Catena-X battery pass 6.1.0 document into battrace's passport document.

Every field read is type-checked and every problem named by its path in the Catena-X document
(`performance.rated.voltage.nominal`); the battrace document made is then validated, its
problems reported at their source; on refusal nothing is returned. Companies arrive as BPNLs
only (their names and addresses are not in the format): the party's name is its BPNL. Values a
battrace document cannot hold for the category (the EV-only capacity threshold and SOCE on
other batteries) or without a time are listed in `left_out`, with the metadata the passport
record keeps (`CatenaXMetadata`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from battrace.passport.document import PassportDocument
from battrace.passport.exchange.batterypass_read import AspectReader
from battrace.passport.exchange.catenax import NIL_UUID, PUBLICATION, CatenaXMetadata
from battrace.passport.exchange.catenax_read import materials, performance
from battrace.passport.exchange.common import JSON, as_uuid, checked_import, year_month_of
from battrace.passport.problems import Problem
from battrace.passport.schema import DOCUMENT_KINDS, LABEL_SUBJECTS, LIFECYCLE_STAGES

CATEGORY = {"EV": "ev", "LMT": "lmt", "industrial": "industrial"}
MASS_TO_KG = {"unit:kilogram": 1.0, "unit:gram": 0.001, "unit:tonneMetricTon": 1000.0}
MONTHS_PER = {"unit:month": 1, "unit:year": 12}


@dataclass(frozen=True, slots=True)
class CatenaXImported:
    document: PassportDocument
    metadata: CatenaXMetadata | None
    left_out: tuple[Problem, ...]


def import_passport(data: object) -> CatenaXImported:
    """battrace's document from a Catena-X battery pass; `ValidationFailed` with every
    problem by its path in `data` when it cannot make a valid passport."""
    r = AspectReader()
    root: JSON = dict(data) if isinstance(data, Mapping) else {}
    if not isinstance(data, Mapping):
        r.problems.append(Problem("$", "must be an object"))
    identification = r.obj(root, "$", "identification") or {}
    _identification(r, identification)
    _operation(r, r.obj(root, "$", "operation") or {})
    _characteristics(r, r.obj(root, "$", "characteristics") or {})
    _sustainability(r, r.obj(root, "$", "sustainability") or {})
    materials(r, r.obj(root, "$", "materials") or {})
    performance(r, r.obj(root, "$", "performance") or {}, str(r.values.get("general.category")))
    _conformity(r, r.obj(root, "$", "conformity") or {})
    _safety(r, r.obj(root, "$", "safety") or {})
    _handling(r, r.obj(root, "$", "handling", required=False) or {})
    for index, source in enumerate(r.arr(root, "$", "sources", required=False)):
        if isinstance(source, Mapping) and source.get("category") == "User Manuals and Guides":
            r.put(
                "general.instructionsForUse",
                r.text(source, f"sources[{index}]", "content"),
                f"sources[{index}].content",
            )
    metadata = _metadata(r, r.obj(root, "$", "metadata") or {})
    document = checked_import(r.values, r, "Catena-X battery pass import")
    return CatenaXImported(document, metadata, tuple(r.left_out))


def first_content(r: AspectReader, container: object, where: str, key: str) -> str | None:
    """The content of the first documentation entry of a list (the rest are left out)."""
    entries = r.arr(container, where, key)
    if not entries:
        return None
    if len(entries) > 1:
        r.left_out.append(Problem(f"{where}.{key}[1]", "battrace keeps one document here"))
    return r.text(entries[0], f"{where}.{key}[0]", "content")


def _identification(r: AspectReader, block: JSON) -> None:
    at = "identification"
    category = r.text(block, at, "category")
    if category is not None and category not in CATEGORY:
        r.problems.append(Problem(f"{at}.category", f"{category!r} batteries have no passport"))
    r.put("general.category", CATEGORY.get(category or ""), f"{at}.category")
    r.put("general.batteryIdentifier", r.text(block, at, "idDmc"), f"{at}.idDmc")
    chemistry = r.text(block, at, "chemistry")
    r.put("materials.chemistry", {"shortName": chemistry} if chemistry else None, f"{at}.chemistry")
    inner = r.obj(block, at, "identification") or {}
    at = f"{at}.identification"
    for key, wanted, target in (
        ("serial", "partInstanceId", "general.serialNumber"),
        ("batch", "batchId", "general.batchNumber"),
    ):
        for index, entry in enumerate(r.arr(inner, at, key, required=False)):
            name = r.text(entry, f"{at}.{key}[{index}]", "key")
            if name == wanted:
                r.put(
                    target, r.text(entry, f"{at}.{key}[{index}]", "value"), f"{at}.{key}[{index}]"
                )
    part = r.obj(inner, at, "type") or {}
    model = {
        "identifier": r.text(part, f"{at}.type", "manufacturerPartId"),
        "name": r.text(part, f"{at}.type", "nameAtManufacturer"),
    }
    r.put("general.model", {k: v for k, v in model.items() if v} or None, f"{at}.type")
    for index, code in enumerate(r.arr(inner, at, "codes")):
        if isinstance(code, Mapping) and code.get("key") == "GTIN":
            r.put(
                "general.gtin",
                r.text(code, f"{at}.codes[{index}]", "value"),
                f"{at}.codes[{index}].value",
            )
    carrier = r.obj(inner, at, "dataCarrier") or {}
    r.put(
        "labels.dataCarrierLayout",
        r.text(carrier, f"{at}.dataCarrier", "carrierLayout"),
        f"{at}.dataCarrier.carrierLayout",
    )


def _party(bpnl: str | None) -> JSON | None:
    return {"name": bpnl, "bpnl": bpnl} if bpnl else None


def _operation(r: AspectReader, block: JSON) -> None:
    at = "operation"
    service = r.text(block, at, "intoServiceDate", required=False)
    r.put("general.puttingIntoService", service, f"{at}.intoServiceDate")
    maker = r.obj(block, at, "manufacturer") or {}
    at = f"{at}.manufacturer"
    r.put("general.manufacturer", _party(r.text(maker, at, "manufacturer")), f"{at}.manufacturer")
    made = r.text(maker, at, "manufacturingDate", required=False)
    r.put(
        "general.manufacturingDate",
        year_month_of(made) if made else None,
        f"{at}.manufacturingDate",
    )
    facilities = r.arr(maker, at, "facility")
    if facilities:
        bpna = r.text(facilities[0], f"{at}.facility[0]", "facility")
        r.put("general.manufacturingPlace", {"bpna": bpna} if bpna else None, f"{at}.facility[0]")


def _characteristics(r: AspectReader, block: JSON) -> None:
    at = "characteristics"
    warranty = r.obj(block, at, "warranty") or {}
    value = r.number(warranty, f"{at}.warranty", "lifeValue")
    unit = r.text(warranty, f"{at}.warranty", "lifeUnit")
    if value is not None and unit in MONTHS_PER:
        r.put("general.warrantyPeriod", round(value * MONTHS_PER[unit]), f"{at}.warranty.lifeValue")
    elif value is not None:
        r.left_out.append(Problem(f"{at}.warranty.lifeUnit", f"{unit}: battrace keeps months"))
    dimension = r.obj(block, at, "physicalDimension") or {}
    weight = r.obj(dimension, f"{at}.physicalDimension", "weight") or {}
    where = f"{at}.physicalDimension.weight"
    mass, mass_unit = r.number(weight, where, "value"), r.text(weight, where, "unit")
    if mass is not None and mass_unit in MASS_TO_KG:
        r.put("general.weight", mass * MASS_TO_KG[mass_unit], f"{where}.value")
    elif mass is not None:
        r.problems.append(
            Problem(f"{where}.unit", f"{mass_unit!r} is not a mass unit battrace reads")
        )


def _sustainability(r: AspectReader, block: JSON) -> None:
    at = "sustainability"
    status = r.text(block, at, "status")
    r.put("general.status", status, f"{at}.status")
    documents = r.obj(block, at, "documents") or {}
    end_of_life: JSON = {}
    for index, entry in enumerate(r.arr(documents, f"{at}.documents", "separateCollection")):
        where = f"{at}.documents.separateCollection[{index}]"
        key = (
            "collectionPoints"
            if r.text(entry, where, "header") == "Collection points"
            else "separateCollection"
        )
        end_of_life[key] = r.text(entry, where, "content")
    prevention = first_content(r, documents, f"{at}.documents", "wastePrevention")
    if prevention:
        end_of_life["wastePrevention"] = prevention
    r.put(
        "circularity.endOfLife",
        {k: v for k, v in end_of_life.items() if v} or None,
        f"{at}.documents",
    )
    stages = []
    for index, entry in enumerate(r.arr(block, at, "carbonFootprint")):
        where = f"{at}.carbonFootprint[{index}]"
        value = r.number(entry, where, "value")
        lifecycle = r.text(entry, where, "lifecycle")
        if r.text(entry, where, "type") != "Climate Change Total" or value is None:
            r.left_out.append(Problem(where, "battrace keeps the climate change total only"))
        elif lifecycle in LIFECYCLE_STAGES:
            stages.append({"stage": lifecycle, "value": value})
        else:
            r.put("carbonFootprint.carbonFootprint", value, f"{where}.value")
            r.put(
                "carbonFootprint.performanceClass",
                r.text(entry, where, "performanceClass", required=False),
                f"{where}.performanceClass",
            )
            r.put(
                "carbonFootprint.study",
                first_content(r, entry, where, "declaration"),
                f"{where}.declaration",
            )
    r.put("carbonFootprint.stages", stages, f"{at}.carbonFootprint")


def _conformity(r: AspectReader, block: JSON) -> None:
    at = "conformity"
    for key, target in (
        ("declarationOfConformity", "labels.declarationOfConformity"),
        ("resultOfTestReport", "labels.testReports"),
        ("thirdPartyAssurance", "dueDiligence.thirdPartyAssurances"),
        ("dueDiligencePolicy", "dueDiligence.report"),
    ):
        r.put(target, first_content(r, block, at, key), f"{at}.{key}")
    r.put(
        "labels.declarationOfConformityId",
        r.text(block, at, "declarationOfConformityId", required=False),
        f"{at}.declarationOfConformityId",
    )


def _safety(r: AspectReader, block: JSON) -> None:
    at = "safety"
    agents = []
    for index, entry in enumerate(r.arr(block, at, "usableExtinguishAgent")):
        where = f"{at}.usableExtinguishAgent[{index}]"
        agent = {
            "agent": r.text(entry, where, "media"),
            "fireClass": r.text(entry, where, "fireClass"),
        }
        agents.append({k: v for k, v in agent.items() if v})
    r.put(
        "circularity.extinguishingAgents",
        [a for a in agents if "agent" in a],
        f"{at}.usableExtinguishAgent",
    )
    r.put(
        "circularity.safetyMeasures",
        first_content(r, block, at, "safetyMeasures"),
        f"{at}.safetyMeasures",
    )
    labels = []
    for index, entry in enumerate(r.arr(block, at, "meaningOfLabels")):
        where = f"{at}.meaningOfLabels[{index}]"
        header, symbol = r.text(entry, where, "header"), r.text(entry, where, "content")
        if header is None or symbol is None:
            continue
        subject, _, meaning = header.partition(": ")
        label: JSON = {
            "subject": subject if subject in LABEL_SUBJECTS else "other",
            "symbol": symbol,
        }
        described = meaning if subject in LABEL_SUBJECTS else header
        if described:
            label["meaning"] = described
        labels.append(label)
    r.put("labels.labels", labels, f"{at}.meaningOfLabels")
    documents = []
    for key in ("dismantling", "removalFromAppliance"):
        for index, entry in enumerate(r.arr(block, at, key, required=key == "dismantling")):
            where = f"{at}.{key}[{index}]"
            header, uri = r.text(entry, where, "header"), r.text(entry, where, "content")
            media = r.text(entry, where, "contentType")
            if uri is None:
                continue
            kind = (
                header
                if header in DOCUMENT_KINDS
                else ("removalManual" if key == "removalFromAppliance" else "otherManual")
            )
            document: JSON = {"kind": kind, "uri": uri}
            if media and media != "URL":
                document["mediaType"] = media
            documents.append(document)
    r.put("circularity.dismantling", documents, f"{at}.dismantling")


def _handling(r: AspectReader, block: JSON) -> None:
    at = "handling"
    content = r.obj(block, at, "content", required=False) or {}
    producers = [
        r.text(entry, f"{at}.content.producer[{index}]", "id")
        for index, entry in enumerate(r.arr(content, f"{at}.content", "producer", required=False))
    ]
    r.put(
        "circularity.sparePartSources",
        [_party(p) for p in producers if p],
        f"{at}.content.producer",
    )
    parts = []
    for index, entry in enumerate(r.arr(content, f"{at}.content", "sparePart", required=False)):
        where = f"{at}.content.sparePart[{index}]"
        part = {
            "partNumber": r.text(entry, where, "manufacturerPartId"),
            "name": r.text(entry, where, "nameAtManufacturer"),
        }
        if part["partNumber"]:
            parts.append({k: v for k, v in part.items() if v})
    r.put("circularity.partNumbers", parts, f"{at}.content.sparePart")


def _date(r: AspectReader, block: JSON, key: str, *, required: bool = True) -> date | None:
    text = r.text(block, "metadata", key, required=required)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        r.problems.append(Problem(f"metadata.{key}", f"{text!r} is not a calendar date"))
        return None


def _metadata(r: AspectReader, block: JSON) -> CatenaXMetadata | None:
    at = "metadata"
    identifier = r.text(block, at, "passportIdentifier")
    parsed = as_uuid(identifier) if identifier else None
    if identifier and parsed is None:
        r.problems.append(Problem(f"{at}.passportIdentifier", "must be a UUID"))
    r.put(
        "general.passportIdentifier",
        f"urn:uuid:{parsed}" if parsed else None,
        f"{at}.passportIdentifier",
    )
    predecessor = r.text(block, at, "predecessor")
    before = as_uuid(predecessor) if predecessor else None
    if before is not None and str(before) != NIL_UUID:
        r.put("general.predecessorPassports", [f"urn:uuid:{before}"], f"{at}.predecessor")
    r.put(
        "general.responsibleOperator",
        _party(r.text(block, at, "economicOperatorId")),
        f"{at}.economicOperatorId",
    )
    status = r.text(block, at, "status", required=False)
    if status is not None and status not in PUBLICATION:
        r.problems.append(Problem(f"{at}.status", f"must be one of {', '.join(PUBLICATION)}"))
    version = r.text(block, at, "version")
    backup = r.text(block, at, "backupReference")
    issued, expires = _date(r, block, "issueDate"), _date(r, block, "expirationDate")
    modified = _date(r, block, "lastModification", required=False)
    if version is None or backup is None or issued is None or expires is None:
        return None
    return CatenaXMetadata(version, issued, expires, backup, status, modified)
