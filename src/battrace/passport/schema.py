"""battrace's own JSON Schema for its passport document, generated from the catalogue.

Each catalogue attribute names a value type; `VALUE_TYPES` defines them once (as `$defs`), and
`document_schema()` builds one object per section whose properties are that section's
attributes, closed to anything else. The API serves the result as is; `structural_problems()`
checks a document against it and names every problem by its path in the document.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from battrace.passport.catalogue import Section, attributes, in_section

SCHEMA_ID = "https://battrace.example/schemas/passport/1.0/passport.schema.json"
DOCUMENT_VERSION = "1.0"

JSON = dict[str, Any]


def _ref(name: str) -> JSON:
    return {"$ref": f"#/$defs/{name}"}


def _object(properties: JSON, required: tuple[str, ...] = ()) -> JSON:
    schema: JSON = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def _list(item: JSON) -> JSON:
    return {"type": "array", "items": item}


_YEAR_MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_GTIN = r"^[0-9]{14}$"
_CAS = r"^[0-9]{2,7}-[0-9]{2}-[0-9]$"
_COUNTRY = "^[A-Z]{2}$"
_BPNL = "^BPNL[a-zA-Z0-9]{12}$"
_BPNA = "^BPNA[a-zA-Z0-9]{12}$"
PATTERN_MESSAGES = {
    _YEAR_MONTH: "must be a year and month, YYYY-MM",
    _GTIN: "must be a GTIN of 14 digits",
    _CAS: "must be a CAS registry number such as 7440-48-4",
    _COUNTRY: "must be an ISO 3166-1 two-letter country code",
    _BPNL: "must be a Catena-X business partner number, BPNL and 12 letters or digits",
    _BPNA: "must be a Catena-X address number, BPNA and 12 letters or digits",
}

_TEXT: JSON = {"type": "string", "minLength": 1, "maxLength": 4000}
_SHORT: JSON = {"type": "string", "minLength": 1, "maxLength": 256}
_NUMBER: JSON = {"type": "number"}
_POSITIVE: JSON = {"type": "number", "minimum": 0}
_PERCENT: JSON = {"type": "number", "minimum": 0, "maximum": 100}
_DATE_TIME: JSON = {"type": "string", "format": "date-time"}

VALUE_TYPES: dict[str, JSON] = {
    "identifier": _SHORT,
    "text": _TEXT,
    "uri": {"type": "string", "format": "uri", "maxLength": 2048},
    "email": {"type": "string", "format": "email", "maxLength": 256},
    "date": {"type": "string", "format": "date"},
    "dateTime": _DATE_TIME,
    "yearMonth": {"type": "string", "pattern": _YEAR_MONTH},
    "gtin": {"type": "string", "pattern": _GTIN},
    "number": _NUMBER,
    "positive": _POSITIVE,
    "positiveInteger": {"type": "integer", "minimum": 0},
    "percent": _PERCENT,
    "boolean": {"type": "boolean"},
    "identifierList": _list(_SHORT),
    "textList": _list(_SHORT),
    "address": _object(
        {
            "street": _SHORT,
            "postalCode": _SHORT,
            "city": _SHORT,
            "country": {"type": "string", "pattern": _COUNTRY},
        },
        ("street", "postalCode", "city", "country"),
    ),
    "party": _object(
        {
            "name": _SHORT,
            "identifier": _SHORT,
            "bpnl": {"type": "string", "pattern": _BPNL},
            "address": _ref("address"),
            "email": _ref("email"),
            "webAddress": _ref("uri"),
        },
        ("name",),
    ),
    "place": _object(
        {
            "name": _SHORT,
            "identifier": _SHORT,
            "bpna": {"type": "string", "pattern": _BPNA},
            "address": _ref("address"),
        },
        ("address",),
    ),
    "modelIdentification": _object({"identifier": _SHORT, "name": _SHORT}, ("identifier",)),
    "provenance": _object(
        {"origin": _SHORT, "reference": _SHORT, "version": _SHORT, "takenAt": _DATE_TIME},
        ("origin", "takenAt"),
    ),
    "labelList": _list(
        _object(
            {
                "subject": {
                    "enum": [
                        "separateCollection",
                        "cadmium",
                        "lead",
                        "hazardousMaterial",
                        "carbonFootprint",
                        "extinguishingAgent",
                        "ceMarking",
                        "other",
                    ]
                },
                "symbol": _ref("uri"),
                "meaning": _TEXT,
            },
            ("subject", "symbol"),
        )
    ),
    "lifecycleStageList": _list(
        _object(
            {
                "stage": {
                    "enum": [
                        "rawMaterialExtraction",
                        "mainProduction",
                        "distribution",
                        "recycling",
                    ]
                },
                "value": _POSITIVE,
            },
            ("stage", "value"),
        )
    ),
    "chemistry": _object({"shortName": _SHORT, "clearName": _SHORT}, ("shortName",)),
    "cas": {"type": "string", "pattern": _CAS},
    "location": _object({"componentName": _SHORT, "componentId": _SHORT}, ("componentName",)),
    "hazardousSubstanceList": _list(
        _object(
            {
                "name": _SHORT,
                "casNumber": _ref("cas"),
                "hazardClass": _SHORT,
                "concentration": _PERCENT,
                "impacts": _list(_SHORT),
                "location": _ref("location"),
            },
            ("name",),
        )
    ),
    "criticalRawMaterialList": _list(
        _object({"name": _SHORT, "casNumber": _ref("cas"), "share": _PERCENT}, ("name",))
    ),
    "compositionList": _list(
        _object(
            {
                "component": {
                    "enum": ["cathode", "anode", "electrolyte", "separator", "casing", "other"]
                },
                "componentId": _SHORT,
                "name": _SHORT,
                "casNumber": _ref("cas"),
                "mass": _POSITIVE,
                "share": _PERCENT,
                "critical": {"type": "boolean"},
            },
            ("component", "name"),
        )
    ),
    "recycledContentList": _list(
        _object(
            {
                "material": {"enum": ["cobalt", "lithium", "nickel", "lead"]},
                "share": _PERCENT,
                "preConsumerShare": _PERCENT,
                "postConsumerShare": _PERCENT,
            },
            ("material",),
        )
    ),
    "endOfLife": _object(
        {
            "wastePrevention": _ref("uri"),
            "separateCollection": _ref("uri"),
            "collectionPoints": _ref("uri"),
        },
    ),
    "partList": _list(_object({"partNumber": _SHORT, "name": _SHORT}, ("partNumber",))),
    "sparePartSourceList": _list(
        _object(
            {
                "name": _SHORT,
                "bpnl": {"type": "string", "pattern": _BPNL},
                "address": _ref("address"),
                "email": _ref("email"),
                "webAddress": _ref("uri"),
                "parts": _ref("partList"),
            },
            ("name",),
        )
    ),
    "documentList": _list(
        _object(
            {
                "kind": {
                    "enum": [
                        "billOfMaterial",
                        "model3D",
                        "dismantlingManual",
                        "removalManual",
                        "otherManual",
                        "drawing",
                    ]
                },
                "uri": _ref("uri"),
                "mediaType": _SHORT,
                "title": {"type": "string", "minLength": 1, "maxLength": 100},
            },
            ("kind", "uri"),
        )
    ),
    "powerPointList": _list(
        _object({"stateOfCharge": _PERCENT, "power": _POSITIVE}, ("stateOfCharge", "power"))
    ),
    "temperatureRange": _object(
        {
            "lower": {"type": "number", "minimum": -100, "maximum": 200},
            "upper": {"type": "number", "minimum": -100, "maximum": 200},
        },
        ("lower", "upper"),
    ),
    "resistance": _object({"pack": _POSITIVE, "module": _POSITIVE, "cell": _POSITIVE}, ("pack",)),
    "cycleLifeTest": _object(
        {
            "temperature": _NUMBER,
            "depthOfDischarge": _PERCENT,
            "chargeRate": _POSITIVE,
            "dischargeRate": _POSITIVE,
        },
    ),
    "reading": _object(
        {"value": _NUMBER, "measuredAt": _DATE_TIME, "source": _SHORT, "method": _SHORT},
        ("value", "measuredAt"),
    ),
    "temperatureExposure": _object(
        {
            "hoursAboveUpper": _POSITIVE,
            "hoursBelowLower": _POSITIVE,
            "hoursAboveUpperCharging": _POSITIVE,
            "hoursBelowLowerCharging": _POSITIVE,
            "measuredAt": _DATE_TIME,
            "source": _SHORT,
            "method": _SHORT,
        },
        ("hoursAboveUpper", "hoursBelowLower", "measuredAt"),
    ),
    "negativeEventList": _list(
        _object(
            {
                "kind": {
                    "enum": ["deepDischarge", "overTemperature", "accident", "overCharge", "other"]
                },
                "description": _TEXT,
                "occurredAt": _DATE_TIME,
            },
            ("kind", "occurredAt"),
        )
    ),
}


def _attribute_schema(value_type: str, choices: tuple[str, ...]) -> JSON:
    if value_type == "enum":
        return {"enum": list(choices)}
    return _ref(value_type)


@cache
def _schema() -> JSON:
    sections: JSON = {}
    for section in Section:
        members = in_section(section)
        properties = {
            item.key: _attribute_schema(item.value_type, item.choices) for item in members
        }
        required = tuple(item.key for item in members if item.required)
        sections[section.value] = _object(properties, required)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "battrace battery passport document",
        "description": (
            "One battery's passport (Regulation (EU) 2023/1542, Annex XIII), grouped in seven "
            "sections. Every attribute is described in battrace's passport catalogue."
        ),
        "type": "object",
        "properties": {"schemaVersion": {"const": DOCUMENT_VERSION}, **sections},
        "required": ["schemaVersion", Section.GENERAL.value],
        "additionalProperties": False,
        "$defs": VALUE_TYPES,
    }


def document_schema() -> JSON:
    """The JSON Schema of battrace's passport document (a fresh copy the caller may keep)."""
    import copy  # noqa: PLC0415 - one use

    return copy.deepcopy(_schema())


@cache
def _validator() -> Draft202012Validator:
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def json_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """`general.manufacturer.address.city`, `materials.composition[2].share`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "$"


def structural_problems(document: object) -> list[tuple[str, str]]:
    """Every place `document` breaks the schema, as `(path, message)`, in path order."""
    problems = []
    for error in _validator().iter_errors(document):
        parts = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [key for key in error.validator_value if key not in error.instance]
            for key in missing:
                problems.append((json_path([*parts, key]), "is required"))
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            for key in error.instance:
                if key not in allowed:
                    problems.append((json_path([*parts, key]), "is not a field of this object"))
            continue
        message = error.message
        if error.validator == "pattern":
            message = PATTERN_MESSAGES.get(str(error.validator_value), message)
        problems.append((json_path(parts), message))
    return sorted(set(problems))


def value_type_names() -> set[str]:
    return {item.value_type for item in attributes() if item.value_type != "enum"}
