"""Which footprints a ListFootprints query selects (pure functions over served documents).

v3 (mandatory): `productId`, `companyId`, `geography`, `classification`, `validOn`,
`validAfter`, `validBefore`, `status`; a repeated parameter matches any of its values, the
different parameters must all match, matching ignores case, and a value nothing has simply
selects nothing. v2 (optional): the OData `$filter` subset the specification defines
(`eq lt le gt ge` on six properties, `and`, `any` on company and product ids); anything else
is refused as not implemented.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from battrace.errors import InvalidRequest

V3_CRITERIA = (
    "productId",
    "companyId",
    "geography",
    "classification",
    "validOn",
    "validAfter",
    "validBefore",
    "status",
)
_DATE_CRITERIA = ("validOn", "validAfter", "validBefore")
_VALIDITY_YEARS = 3


class FilterNotImplemented(InvalidRequest):
    """A v2 `$filter` outside the subset the specification defines."""


def parse_moment(text: str) -> datetime:
    """An RFC 3339 date-time (fractions and `Z` allowed); a bare date is its midnight UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"{text!r} is not an ISO 8601 date-time.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def validity(document: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
    """The footprint's validity period: as given, else three years from the reference end."""
    pcf = document.get("pcf") or {}
    try:
        start_text = document.get("validityPeriodStart")
        end_text = document.get("validityPeriodEnd")
        reference_end = parse_moment(str(pcf["referencePeriodEnd"]))
        start = parse_moment(start_text) if start_text else reference_end
        if end_text:
            end = parse_moment(end_text)
        else:
            end = start.replace(year=start.year + _VALIDITY_YEARS)
    except (InvalidRequest, KeyError, ValueError):
        return None
    return start, end


@dataclass(frozen=True)
class Criteria:
    """v3 query criteria: for each given parameter, the values any of which must match."""

    values: Mapping[str, Sequence[str]]

    @classmethod
    def from_query(cls, query: Sequence[tuple[str, str]]) -> Criteria:
        values: dict[str, list[str]] = {}
        for name, value in query:
            if name in V3_CRITERIA:
                values.setdefault(name, []).append(value)
        for name in _DATE_CRITERIA:
            for value in values.get(name, []):
                parse_moment(value)  # refuse a malformed date before matching anything
        return cls(values)

    @classmethod
    def from_event_data(cls, data: Mapping[str, Any]) -> Criteria:
        """The criteria of a v3 RequestCreated event (`productId: [...]`, `validOn: "..."`)."""
        pairs: list[tuple[str, str]] = []
        for name in V3_CRITERIA:
            given = data.get(name)
            if isinstance(given, list):
                pairs.extend((name, str(item)) for item in given)
            elif isinstance(given, str):
                pairs.append((name, given))
        return cls.from_query(pairs)

    def __bool__(self) -> bool:
        return bool(self.values)

    def matches(self, document: Mapping[str, Any]) -> bool:
        return all(
            any(_MATCHERS[name](document, value) for value in wanted)
            for name, wanted in self.values.items()
        )


def _lower_set(values: object) -> set[str]:
    return {str(v).lower() for v in values} if isinstance(values, list) else set()


def _geography(document: Mapping[str, Any], value: str) -> bool:
    pcf = document.get("pcf") or {}
    fields = ("geographyCountry", "geographyRegionOrSubregion", "geographyCountrySubdivision")
    return value.lower() in {str(pcf[f]).lower() for f in fields if pcf.get(f)}


def _valid_on(document: Mapping[str, Any], value: str) -> bool:
    period = validity(document)
    moment = parse_moment(value)
    return period is not None and period[0] <= moment <= period[1]


def _valid_after(document: Mapping[str, Any], value: str) -> bool:
    period = validity(document)
    return period is not None and period[0] > parse_moment(value)


def _valid_before(document: Mapping[str, Any], value: str) -> bool:
    period = validity(document)
    return period is not None and period[1] < parse_moment(value)


_MATCHERS: dict[str, Callable[[Mapping[str, Any], str], bool]] = {
    "productId": lambda d, v: v.lower() in _lower_set(d.get("productIds")),
    "companyId": lambda d, v: v.lower() in _lower_set(d.get("companyIds")),
    "classification": lambda d, v: v.lower() in _lower_set(d.get("productClassifications")),
    "geography": _geography,
    "validOn": _valid_on,
    "validAfter": _valid_after,
    "validBefore": _valid_before,
    "status": lambda d, v: str(d.get("status", "")).lower() == v.lower(),
}


# ------------------------------------------------------------------ v2 $filter (OData)

_V2_PROPERTIES = {
    "created": ("created",),
    "updated": ("updated",),
    "productCategoryCpc": ("productCategoryCpc",),
    "pcf/geographyCountry": ("pcf", "geographyCountry"),
    "pcf/referencePeriodStart": ("pcf", "referencePeriodStart"),
    "pcf/referencePeriodEnd": ("pcf", "referencePeriodEnd"),
}
_V2_DATES = {"created", "updated", "pcf/referencePeriodStart", "pcf/referencePeriodEnd"}
_COMPARISON = re.compile(r"^\s*([A-Za-z/]+)\s+(eq|lt|le|gt|ge)\s+'((?:[^']|'')*)'\s*$")
_ANY = re.compile(
    r"^\s*(companyIds|productIds)/any\(\s*(\w+)\s*:\s*\(\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)\s*\)\s*$"
)
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}

V2Filter = Callable[[Mapping[str, Any]], bool]


def parse_v2_filter(expression: str) -> V2Filter:
    """A predicate for a v2 `$filter`; FilterNotImplemented outside the defined subset."""
    clauses = [_clause(part) for part in re.split(r"\s+and\s+", expression.strip())]
    return lambda document: all(clause(document) for clause in clauses)


def _clause(text: str) -> V2Filter:
    found_any = _ANY.match(text)
    if found_any:
        collection, variable, compared, value = found_any.groups()
        if variable != compared:
            raise FilterNotImplemented(f"$filter: {text!r} compares an unknown variable.")
        wanted = value.replace("''", "'")
        return lambda document: wanted in (document.get(collection) or [])
    found = _COMPARISON.match(text)
    if not found or found.group(1) not in _V2_PROPERTIES:
        raise FilterNotImplemented(f"$filter: {text.strip()!r} is not supported.")
    name, operator, value = found.group(1), found.group(2), found.group(3).replace("''", "'")
    path = _V2_PROPERTIES[name]
    compare = _OPERATORS[operator]
    if name in _V2_DATES:
        try:
            wanted_moment = parse_moment(value)
        except InvalidRequest:
            raise FilterNotImplemented(f"$filter: {value!r} is not a date-time.") from None

        def by_moment(document: Mapping[str, Any]) -> bool:
            found_value = _lookup(document, path)
            if found_value is None:
                return False
            try:
                return compare(parse_moment(str(found_value)), wanted_moment)
            except InvalidRequest:
                return False

        return by_moment

    def by_text(document: Mapping[str, Any]) -> bool:
        found_value = _lookup(document, path)
        return found_value is not None and compare(str(found_value), value)

    return by_text


def _lookup(document: Mapping[str, Any], path: tuple[str, ...]) -> object:
    current: object = document
    for step in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(step)
    return current
