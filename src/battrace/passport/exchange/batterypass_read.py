"""Reading Battery Pass 1.2 aspects into battrace attribute values: the reader (type checks,
every problem by its path in the aspects) and the general product information, labels,
carbon footprint, due diligence and materials aspects. See `batterypass_import`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from battrace.passport.document import PassportDocument
from battrace.passport.exchange.batterypass import CATEGORY, STATUS
from battrace.passport.exchange.common import (
    JSON,
    Source,
    as_uuid,
    day_of,
    first_lower,
    split_street,
    year_month_of,
)
from battrace.passport.problems import Problem
from battrace.passport.schema import COMPONENTS

_STATUS_BACK = {value: key for key, value in STATUS.items()}
_LABEL_BACK = {
    "SeparateCollection": "separateCollection",
    "HazardousMaterial": "hazardousMaterial",
    "CarbonFootPrint": "carbonFootprint",
    "ExtinguishingAgent": "extinguishingAgent",
}


@dataclass(frozen=True, slots=True)
class Imported:
    document: PassportDocument
    left_out: tuple[Problem, ...]  # values read but not kept, by source path, with the reason


class AspectReader(Source):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self.left_out: list[Problem] = []

    def put(self, path: str, value: object, origin: str) -> None:
        if value is not None and value != []:
            self.values[path] = value
            self.origin(path, origin)

    def address(self, value: object, where: str, key: str) -> JSON | None:
        postal = self.obj(value, where, key)
        if postal is None:
            return None
        at = f"{where}.{key}"
        line = self.text(postal, at, "streetAddress")
        country = self.text(postal, at, "addressCountry")
        code = self.text(postal, at, "postalCode")
        if line is None or country is None or code is None:
            return None
        street, city = split_street(line)
        address: JSON = {"street": street, "postalCode": code, "country": country}
        if city:
            address["city"] = city
        return address

    def party(self, value: object, where: str, key: str) -> JSON | None:
        contact = self.obj(value, where, key)
        if contact is None:
            return None
        at = f"{where}.{key}"
        party: JSON = {"name": self.text(contact, at, "contactName")}
        for field, target in (
            ("identifier", "identifier"),
            ("emailAddress", "email"),
            ("webAddress", "webAddress"),
        ):
            text = self.text(contact, at, field, required=False)
            if text:
                party[target] = text
        address = self.address(contact, at, "postalAddress")
        if address:
            party["address"] = address
        return party if party["name"] else None

    def reading(self, value: object, where: str, key: str, value_key: str) -> JSON | None:
        entry = self.obj(value, where, key)
        if entry is None:
            return None
        at = f"{where}.{key}"
        number = self.number(entry, at, value_key)
        moment = self.text(entry, at, "lastUpdate")
        return None if number is None or moment is None else {"value": number, "measuredAt": moment}


def general(r: AspectReader, aspect: JSON) -> None:
    at = "GeneralProductInformation"
    r.put(
        "general.batteryIdentifier",
        r.text(aspect, at, "productIdentifier"),
        f"{at}.productIdentifier",
    )
    urn = r.text(aspect, at, "batteryPassportIdentifier")
    if urn is not None:
        parsed = as_uuid(urn)
        r.put(
            "general.passportIdentifier",
            f"urn:uuid:{parsed}" if parsed else urn,
            f"{at}.batteryPassportIdentifier",
        )
    category = r.text(aspect, at, "batteryCategory")
    if category is not None and category not in CATEGORY:
        r.problems.append(
            Problem(f"{at}.batteryCategory", f"{category!r} is not a battery category")
        )
    r.put("general.category", category if category in CATEGORY else None, f"{at}.batteryCategory")
    r.put(
        "general.manufacturer",
        r.party(aspect, at, "manufacturerInformation"),
        f"{at}.manufacturerInformation",
    )
    r.put(
        "general.responsibleOperator",
        r.party(aspect, at, "operatorInformation"),
        f"{at}.operatorInformation",
    )
    made = r.text(aspect, at, "manufacturingDate")
    r.put(
        "general.manufacturingDate",
        year_month_of(made) if made else None,
        f"{at}.manufacturingDate",
    )
    status = r.text(aspect, at, "batteryStatus")
    if status is not None and status not in _STATUS_BACK:
        r.problems.append(Problem(f"{at}.batteryStatus", f"{status!r} is not a battery status"))
    r.put("general.status", _STATUS_BACK.get(status or ""), f"{at}.batteryStatus")
    r.put("general.weight", r.number(aspect, at, "batteryMass"), f"{at}.batteryMass")
    address = r.address(aspect, at, "manufacturingPlace")
    r.put(
        "general.manufacturingPlace",
        {"address": address} if address else None,
        f"{at}.manufacturingPlace",
    )
    service = r.text(aspect, at, "puttingIntoService", required=False)
    r.put(
        "general.puttingIntoService",
        day_of(service) if service else None,
        f"{at}.puttingIntoService",
    )
    warranty = r.text(aspect, at, "warrentyPeriod", required=False)
    if warranty:
        months = warranty[2:4]
        if warranty.startswith("--") and months.isdigit():
            r.put("general.warrantyPeriod", int(months), f"{at}.warrentyPeriod")
        else:
            r.problems.append(Problem(f"{at}.warrentyPeriod", "must be a calendar month, --MM"))


def labeling(r: AspectReader, aspect: JSON, _: str) -> None:
    at = "Labeling"
    r.put(
        "labels.declarationOfConformity",
        r.text(aspect, at, "declarationOfConformity"),
        f"{at}.declarationOfConformity",
    )
    r.put(
        "labels.testReports", r.text(aspect, at, "resultOfTestReport"), f"{at}.resultOfTestReport"
    )
    labels = []
    for index, entry in enumerate(r.arr(aspect, at, "labels")):
        where = f"{at}.labels[{index}]"
        subject = r.text(entry, where, "labelingSubject")
        symbol = r.text(entry, where, "labelingSymbol")
        meaning = r.obj(entry, where, "labelingMeaning", required=False) or {}
        text = meaning.get("en") or next((v for v in meaning.values() if isinstance(v, str)), None)
        if subject not in _LABEL_BACK:
            r.problems.append(Problem(f"{where}.labelingSubject", f"{subject!r} is not a subject"))
        elif symbol is not None:
            label: JSON = {"subject": _LABEL_BACK[subject], "symbol": symbol}
            if text:
                label["meaning"] = text
            labels.append(label)
    r.put("labels.labels", labels, f"{at}.labels")


def carbon_footprint(r: AspectReader, aspect: JSON, _: str) -> None:
    at = "CarbonFootprintForBatteries"
    r.put(
        "carbonFootprint.carbonFootprint",
        r.number(aspect, at, "batteryCarbonFootprint"),
        f"{at}.batteryCarbonFootprint",
    )
    stages = []
    for index, entry in enumerate(r.arr(aspect, at, "carbonFootprintPerLifecycleStage")):
        where = f"{at}.carbonFootprintPerLifecycleStage[{index}]"
        stage = r.text(entry, where, "lifecycleStage")
        value = r.number(entry, where, "carbonFootprint")
        if stage is not None and value is not None:
            stages.append({"stage": first_lower(stage), "value": value})
    r.put("carbonFootprint.stages", stages, f"{at}.carbonFootprintPerLifecycleStage")
    r.put(
        "carbonFootprint.performanceClass",
        r.text(aspect, at, "carbonFootprintPerformanceClass"),
        f"{at}.carbonFootprintPerformanceClass",
    )
    r.put(
        "carbonFootprint.study",
        r.text(aspect, at, "carbonFootprintStudy"),
        f"{at}.carbonFootprintStudy",
    )
    r.put(
        "carbonFootprint.absoluteCarbonFootprint",
        r.number(aspect, at, "absoluteCarbonFootprint", required=False),
        f"{at}.absoluteCarbonFootprint",
    )


def due_diligence(r: AspectReader, aspect: JSON, _: str) -> None:
    at = "SupplyChainDueDiligence"
    r.put(
        "dueDiligence.report",
        r.text(aspect, at, "supplyChainDueDiligenceReport"),
        f"{at}.supplyChainDueDiligenceReport",
    )
    r.put(
        "dueDiligence.thirdPartyAssurances",
        r.text(aspect, at, "thirdPartyAussurances", required=False),
        f"{at}.thirdPartyAussurances",
    )
    r.put(
        "dueDiligence.supplyChainIndices",
        r.number(aspect, at, "supplyChainIndicies", required=False),
        f"{at}.supplyChainIndicies",
    )


def read_location(r: AspectReader, entry: object, where: str, key: str) -> JSON | None:
    location = r.obj(entry, where, key)
    if location is None:
        return None
    name = r.text(location, f"{where}.{key}", "componentName")
    identifier = r.text(location, f"{where}.{key}", "componentId", required=False)
    if name is None:
        return None
    return {"componentName": name, **({"componentId": identifier} if identifier else {})}


def materials(r: AspectReader, aspect: JSON, _: str) -> None:
    at = "MaterialComposition"
    chemistry = r.obj(aspect, at, "batteryChemistry")
    if chemistry is not None:
        r.put(
            "materials.chemistry",
            {
                "shortName": r.text(chemistry, f"{at}.batteryChemistry", "shortName"),
                "clearName": r.text(chemistry, f"{at}.batteryChemistry", "clearName"),
            },
            f"{at}.batteryChemistry",
        )
    rows: list[JSON] = []
    critical: dict[str, JSON] = {}
    for index, entry in enumerate(r.arr(aspect, at, "batteryMaterials")):
        where = f"{at}.batteryMaterials[{index}]"
        place = read_location(r, entry, where, "batteryMaterialLocation") or {
            "componentName": "other"
        }
        name = r.text(entry, where, "batteryMaterialName")
        row: JSON = {
            "component": place["componentName"]
            if place["componentName"] in COMPONENTS
            else "other",
            "name": name,
            "casNumber": r.text(entry, where, "batteryMaterialIdentifier"),
            "mass": r.number(entry, where, "batteryMaterialMass"),
            "critical": r.flag(entry, where, "isCriticalRawMaterial"),
        }
        component_id = place.get("componentId") or (
            None if row["component"] == place["componentName"] else place["componentName"]
        )
        if component_id:
            row["componentId"] = component_id
        rows.append({key: value for key, value in row.items() if value is not None})
        if row["critical"] and name:
            critical.setdefault(
                name,
                {"name": name, **({"casNumber": row["casNumber"]} if row["casNumber"] else {})},
            )
    r.put("materials.composition", rows, f"{at}.batteryMaterials")
    r.put("materials.criticalRawMaterials", list(critical.values()), f"{at}.batteryMaterials")
    substances = []
    for index, entry in enumerate(r.arr(aspect, at, "hazardousSubstances")):
        where = f"{at}.hazardousSubstances[{index}]"
        substance: JSON = {
            "name": r.text(entry, where, "hazardousSubstanceName"),
            "casNumber": r.text(entry, where, "hazardousSubstanceIdentifier"),
            "hazardClass": r.text(entry, where, "hazardousSubstanceClass"),
            "concentration": r.number(entry, where, "hazardousSubstanceConcentration"),
            "impacts": [
                i for i in r.arr(entry, where, "hazardousSubstanceImpact") if isinstance(i, str)
            ],
            "location": read_location(r, entry, where, "hazardousSubstanceLocation"),
        }
        substances.append(
            {key: value for key, value in substance.items() if value not in (None, [])}
        )
    r.put("materials.hazardousSubstances", substances, f"{at}.hazardousSubstances")
