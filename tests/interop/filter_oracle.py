"""The ListFootprints filters as the specification words them, over served documents: the
reference the SQL of `pact.selection` is checked against (slow on purpose: every document
is built and inspected)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from battrace.errors import InvalidRequest
from battrace.pact.filters import AnyOf, Comparison, Criteria, V2Clause, parse_moment

Document = Mapping[str, Any]


def validity(document: Document) -> tuple[datetime, datetime] | None:
    """As given, else three years from the reference period's end."""
    pcf = document.get("pcf") or {}
    try:
        start_text = document.get("validityPeriodStart")
        end_text = document.get("validityPeriodEnd")
        reference_end = parse_moment(str(pcf["referencePeriodEnd"]))
        start = parse_moment(start_text) if start_text else reference_end
        end = parse_moment(end_text) if end_text else start.replace(year=start.year + 3)
    except (InvalidRequest, KeyError, ValueError):
        return None
    return start, end


def _lower_set(values: object) -> set[str]:
    return {str(v).lower() for v in values} if isinstance(values, list) else set()


def _geography(document: Document, value: str) -> bool:
    pcf = document.get("pcf") or {}
    fields = ("geographyCountry", "geographyRegionOrSubregion", "geographyCountrySubdivision")
    return value.lower() in {str(pcf[f]).lower() for f in fields if pcf.get(f)}


def _valid_on(document: Document, value: str) -> bool:
    period = validity(document)
    return period is not None and period[0] <= parse_moment(value) <= period[1]


def _valid_after(document: Document, value: str) -> bool:
    period = validity(document)
    return period is not None and period[0] > parse_moment(value)


def _valid_before(document: Document, value: str) -> bool:
    period = validity(document)
    return period is not None and period[1] < parse_moment(value)


V3: dict[str, Callable[[Document, str], bool]] = {
    "productId": lambda d, v: v.lower() in _lower_set(d.get("productIds")),
    "companyId": lambda d, v: v.lower() in _lower_set(d.get("companyIds")),
    "classification": lambda d, v: v.lower() in _lower_set(d.get("productClassifications")),
    "geography": _geography,
    "validOn": _valid_on,
    "validAfter": _valid_after,
    "validBefore": _valid_before,
    "status": lambda d, v: str(d.get("status", "")).lower() == v.lower(),
}


def v3_matches(criteria: Criteria, document: Document) -> bool:
    return all(
        any(V3[name](document, value) for value in wanted)
        for name, wanted in criteria.values.items()
    )


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _lookup(document: Document, name: str) -> object:
    current: object = document
    for step in name.split("/"):
        if not isinstance(current, Mapping):
            return None
        current = current.get(step)
    return current


def _v2_clause(clause: V2Clause, document: Document) -> bool:
    if isinstance(clause, AnyOf):
        return clause.value in (document.get(clause.collection) or [])
    assert isinstance(clause, Comparison)
    found = _lookup(document, clause.name)
    if found is None:
        return False
    compare = _OPERATORS[clause.operator]
    if clause.moment is not None:
        return compare(parse_moment(str(found)), clause.moment)
    return compare(str(found), clause.value)


def v2_matches(clauses: list[V2Clause], document: Document) -> bool:
    return all(_v2_clause(clause, document) for clause in clauses)
