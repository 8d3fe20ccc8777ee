"""What a ListFootprints query asks for, parsed (pure functions), and what of a footprint it
is matched against (`index_of`, kept with each footprint; `pact.selection` turns both into
SQL).

v3 (mandatory): `productId`, `companyId`, `geography`, `classification`, `validOn`,
`validAfter`, `validBefore`, `status`; a repeated parameter matches any of its values, the
different parameters must all match, matching ignores case, and a value nothing has simply
selects nothing. v2 (optional): the OData `$filter` subset the specification defines
(`eq lt le gt ge` on six properties, `and`, `any` on company and product ids); anything else
is refused as not implemented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from battrace.errors import InvalidRequest
from battrace.pact.mapping import Figures, product_urn

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
VALIDITY_YEARS = 3  # a footprint without a validity period is valid 3 years from its reference end


class FilterNotImplemented(InvalidRequest):
    """A v2 `$filter` outside the subset the specification defines."""


def parse_moment(text: str) -> datetime:
    """An RFC 3339 date-time (fractions and `Z` allowed); a bare date is its midnight UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"{text!r} is not an ISO 8601 date-time.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ------------------------------------------------------------------ what a footprint offers

# The served fields a filter looks into, by the name of the field (v2's `$filter` names).
PRODUCT_IDS = "productIds"
COMPANY_IDS = "companyIds"
GEOGRAPHY_COUNTRY = "pcf/geographyCountry"
CPC = "productCategoryCpc"


@dataclass(frozen=True)
class FootprintIndex:
    """A footprint's values the filters compare: its periods, and its fields' values."""

    reference_period_start: datetime | None
    reference_period_end: datetime | None
    valid_from: datetime | None
    valid_to: datetime | None
    terms: tuple[tuple[str, str], ...]


def validity(reference_period_end: datetime | None) -> tuple[datetime, datetime] | None:
    """battrace's footprints state no validity period, so the specification's default holds:
    from the end of the reference period, for three years."""
    if reference_period_end is None:
        return None
    try:
        end = reference_period_end.replace(year=reference_period_end.year + VALIDITY_YEARS)
    except ValueError:  # 29 February
        return None
    return reference_period_end, end


def index_of(figures: Figures) -> FootprintIndex:
    """What ListFootprints filters find of a footprint made of `figures` (as `pact.mapping`
    serves it: one product id, the company's ids, the country, the CPC code)."""

    def moment(text: str) -> datetime | None:
        try:
            return parse_moment(text)
        except InvalidRequest:
            return None

    start = moment(figures.reference_period_start)
    end = moment(figures.reference_period_end)
    period = validity(end)
    terms = [(PRODUCT_IDS, product_urn(figures.trace_id))]
    terms += [(COMPANY_IDS, company_id) for company_id in dict.fromkeys(figures.company_ids)]
    if figures.geography_country:
        terms.append((GEOGRAPHY_COUNTRY, figures.geography_country))
    terms.append((CPC, figures.cpc))
    return FootprintIndex(
        reference_period_start=start,
        reference_period_end=end,
        valid_from=None if period is None else period[0],
        valid_to=None if period is None else period[1],
        terms=tuple(terms),
    )


# ------------------------------------------------------------------ v3 query parameters


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


# ------------------------------------------------------------------ v2 $filter (OData)

V2_PROPERTIES = (
    "created",
    "updated",
    CPC,
    GEOGRAPHY_COUNTRY,
    "pcf/referencePeriodStart",
    "pcf/referencePeriodEnd",
)
V2_DATES = frozenset({"created", "updated", "pcf/referencePeriodStart", "pcf/referencePeriodEnd"})
_COMPARISON = re.compile(r"^\s*([A-Za-z/]+)\s+(eq|lt|le|gt|ge)\s+'((?:[^']|'')*)'\s*$")
_ANY = re.compile(
    r"^\s*(companyIds|productIds)/any\(\s*(\w+)\s*:\s*\(\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)\s*\)\s*$"
)


@dataclass(frozen=True)
class Comparison:
    """`<property> <operator> '<value>'`; `moment` is the value read as a date-time for the
    date properties (compared as instants), None for the text ones (compared as text)."""

    name: str
    operator: str
    value: str
    moment: datetime | None


@dataclass(frozen=True)
class AnyOf:
    """`<companyIds|productIds>/any(x:(x eq '<value>'))`: the list holds the value exactly."""

    collection: str
    value: str


V2Clause = Comparison | AnyOf


def parse_v2_filter(expression: str) -> list[V2Clause]:
    """The clauses (all must hold) of a v2 `$filter`; FilterNotImplemented outside the
    defined subset."""
    return [_clause(part) for part in re.split(r"\s+and\s+", expression.strip())]


def _clause(text: str) -> V2Clause:
    found_any = _ANY.match(text)
    if found_any:
        collection, variable, compared, value = found_any.groups()
        if variable != compared:
            raise FilterNotImplemented(f"$filter: {text!r} compares an unknown variable.")
        return AnyOf(collection, value.replace("''", "'"))
    found = _COMPARISON.match(text)
    if not found or found.group(1) not in V2_PROPERTIES:
        raise FilterNotImplemented(f"$filter: {text.strip()!r} is not supported.")
    name, operator, value = found.group(1), found.group(2), found.group(3).replace("''", "'")
    moment = None
    if name in V2_DATES:
        try:
            moment = parse_moment(value)
        except InvalidRequest:
            raise FilterNotImplemented(f"$filter: {value!r} is not a date-time.") from None
    return Comparison(name, operator, value, moment)
