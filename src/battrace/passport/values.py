"""Checks on attribute values as they are written: `{section: {key: value}}` with sections and
keys of the catalogue. The passport's own fields (identifiers, category, status, responsible
operator, predecessors) are set by the services, never as data; dynamic values come as
readings. Whole-document checks (structure and cross-field rules) are `validation`'s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from battrace.errors import InvalidRequest
from battrace.passport import validation
from battrace.passport.access import SECTIONS
from battrace.passport.catalogue import find
from battrace.passport.document import PassportDocument
from battrace.passport.problems import refuse

MAX_DOCUMENT_BYTES = 256 * 1024
# Set from the passport's columns by `composing`, never written as data.
OWN_PATHS = frozenset(
    {
        "general.passportIdentifier",
        "general.batteryIdentifier",
        "general.category",
        "general.status",
        "general.responsibleOperator",
        "general.serialNumber",
        "general.gtin",
        "general.model",
        "general.predecessorPassports",
    }
)


def check_sections(data: object, *, field: str = "data") -> dict[str, dict[str, Any]]:
    """A copy of `data` if it is `{section: {key: JSON value}}` of writable attributes."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InvalidRequest(f"{field}: must be an object of sections.")
    checked: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        if section not in SECTIONS:
            known = ", ".join(SECTIONS)
            raise InvalidRequest(f"{field}.{section}: unknown section; one of {known}.")
        if not isinstance(values, Mapping):
            raise InvalidRequest(f"{field}.{section}: must be an object of attributes.")
        for name in values:
            path = f"{section}.{name}"
            item = find(path)
            if item is None:
                raise InvalidRequest(f"{field}.{path}: no such attribute in the catalogue.")
            if path in OWN_PATHS:
                raise InvalidRequest(f"{field}.{path}: set by the passport itself, not as data.")
            if item.dynamic:
                raise InvalidRequest(f"{field}.{path}: a dynamic value; send it as a reading.")
        checked[section] = dict(values)
    try:
        size = len(json.dumps(checked, allow_nan=False))
    except (TypeError, ValueError):
        raise InvalidRequest(f"{field}: values must be plain JSON (finite numbers).") from None
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidRequest(f"{field}: larger than {MAX_DOCUMENT_BYTES} bytes.")
    return checked


def check_document(document: PassportDocument, *, subject: str = "data") -> None:
    """Refuse (`ValidationFailed`, every problem by path) a document with problems."""
    found = validation.problems(document)
    if found:
        refuse(subject, found)


def merged(base: Mapping[str, Any], update: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`base` with `update`'s attributes set; a None value removes the attribute."""
    result = {section: dict(values) for section, values in base.items()}
    for section, values in update.items():
        target = result.setdefault(section, {})
        for name, value in values.items():
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value
        if not target:
            result.pop(section)
    return result


__all__ = ["OWN_PATHS", "check_document", "check_sections", "merged"]
