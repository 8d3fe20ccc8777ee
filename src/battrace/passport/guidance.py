"""The Commission's table of the 71 passport data points, read from the packaged copy.

`data/ec-datapoint-applicability.json` is a verbatim copy of the machine-readable transcription
of "Digital Batteries Passport - data points by category" (European Commission, v1.0,
2026-07-28, Ares(2026)7579758; EC content CC BY 4.0) kept by openepcis/openepcis-dpp-ready
@ 620d799 (Apache-2.0). It is read at run time from the installed package, never from the
working directory, so a newer edition of the table is a data change, not a code change.

The table has three category columns (ev, lmt, industrial); battrace's stationary and
industrial-without-BMS categories read the industrial column.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

TABLE_FILE = "ec-datapoint-applicability.json"


class Applicability(enum.StrEnum):
    """What the Commission's guidance asks of one data point for one category."""

    MANDATORY = "mandatory"
    OPTIONAL = "optional"
    CONDITIONAL = "conditional"
    PENDING = "pending"  # not to be filled as of Feb 2027: awaits an implementing act
    NOT_TO_BE_FILLED = "notToBeFilled"


class GuidanceTier(enum.StrEnum):
    """The access tier the guidance gives a data point (Art. 77(2))."""

    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimateInterest"
    AUTHORITIES = "notifiedBodiesAndAuthorities"


@dataclass(frozen=True, slots=True)
class CategoryRule:
    status: Applicability
    note: str | None  # the guidance's condition or remark, verbatim


@dataclass(frozen=True, slots=True)
class DataPoint:
    """One row of the Commission's table."""

    number: int
    name: str
    source: str | None  # legal source, e.g. "BR Annex XIII 1 (c)"
    dynamic: bool
    tier: GuidanceTier
    rules: dict[str, CategoryRule]  # by guidance column: ev, lmt, industrial

    def rule(self, column: str) -> CategoryRule:
        return self.rules[column]


@dataclass(frozen=True, slots=True)
class Guidance:
    title: str
    version: str
    issued: str
    reference: str
    columns: tuple[str, ...]
    data_points: tuple[DataPoint, ...]

    def data_point(self, number: int) -> DataPoint:
        return self.data_points[number - 1]


def _data_point(raw: dict[str, Any]) -> DataPoint:
    rules = {
        column: CategoryRule(
            Applicability(rule["status"]), rule.get("condition") or rule.get("note")
        )
        for column, rule in raw["applicability"].items()
    }
    return DataPoint(
        number=int(raw["nr"]),
        name=str(raw["name"]),
        source=raw.get("source"),
        dynamic=raw["lifecycle"] == "dynamic",
        tier=GuidanceTier(raw["accessTier"]),
        rules=rules,
    )


@cache
def guidance() -> Guidance:
    """The packaged table, parsed once per process."""
    text = resources.files("battrace.passport").joinpath("data", TABLE_FILE).read_text("utf-8")
    raw = json.loads(text)
    points = tuple(_data_point(item) for item in raw["dataPoints"])
    if [point.number for point in points] != list(range(1, len(points) + 1)):
        raise ValueError(f"{TABLE_FILE}: data points are not numbered 1..{len(points)}")
    document = raw["document"]
    return Guidance(
        title=document["title"],
        version=document["version"],
        issued=document["issued"],
        reference=document["reference"],
        columns=tuple(raw["categories"]),
        data_points=points,
    )
