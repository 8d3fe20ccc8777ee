"""Checks on attribute values as they are stored: a document of sections, each a mapping of
attribute names to JSON values. Semantic cross-field validation lives in `validation`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from battrace.errors import InvalidRequest
from battrace.passport.access import SECTIONS

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_DOCUMENT_BYTES = 256 * 1024


def check_sections(data: object, *, field: str = "data") -> dict[str, dict[str, Any]]:
    """A copy of `data` if it is `{section: {attribute: JSON value}}` with known sections."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InvalidRequest(f"{field}: must be an object of sections.")
    checked: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        if section not in SECTIONS:
            raise InvalidRequest(
                f"{field}.{section}: unknown section; one of {', '.join(SECTIONS)}."
            )
        if not isinstance(values, Mapping):
            raise InvalidRequest(f"{field}.{section}: must be an object of attributes.")
        for name in values:
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise InvalidRequest(
                    f"{field}.{section}.{name}: attribute names are lower_snake_case."
                )
        checked[section] = dict(values)
    try:
        size = len(json.dumps(checked, allow_nan=False))
    except (TypeError, ValueError):
        raise InvalidRequest(f"{field}: values must be plain JSON (finite numbers).") from None
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidRequest(f"{field}: larger than {MAX_DOCUMENT_BYTES} bytes.")
    return checked


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


__all__ = ["check_sections", "merged"]
