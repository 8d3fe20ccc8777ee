"""Validation of a passport document: structure (battrace's JSON Schema), then the rules that
tie fields together. Every problem names the field it is about.

Semantic rules (run only on a structurally valid document, so each can trust the types):
- voltages: minimum ≤ nominal ≤ maximum; the idle temperature range's lower bound below upper;
- shares: percentages of dynamic readings within 0–100; a material composition adding up to at
  most 100 %; critical raw materials listed only above 0.1 % w/w (Annex VI A(10));
- sums: the carbon footprint's life-cycle stages add up to the declared total; a recycled
  content's pre- and post-consumer shares add up to its share; no stage or material twice;
- capacity and energy: the remaining value not above the rated one beyond a tolerance;
- dates: real calendar dates (the schema's formats), the manufacturing date as year and month,
  nothing measured or put into service before the battery was made, nor after `now`;
- category: attributes the Commission's guidance has "not to be filled" for the category
  (SOCE and the capacity threshold are EV-only; the Art. 14 state-of-health values of
  data points 62–66 are not for EVs) are refused.
Status transitions belong to the lifecycle service, not to a single document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from battrace.passport.catalogue import Category
from battrace.passport.document import PassportDocument, timestamp
from battrace.passport.guidance import Applicability, guidance
from battrace.passport.problems import Problem, problems_of, refuse
from battrace.passport.schema import structural_problems

__all__ = ["Problem", "problems", "problems_of", "validate"]

CAPACITY_TOLERANCE = 0.05  # a new battery may measure a little above its rated capacity
STAGE_SUM_TOLERANCE = 0.01  # kg CO2e/kWh, or 0.1 % of the total if larger: declared rounding
SHARE_SUM_TOLERANCE = 0.01  # percentage points
CRITICAL_RAW_MATERIAL_THRESHOLD = 0.1  # % w/w, Annex VI part A (10)

Rule = Callable[[PassportDocument], Iterator[Problem]]


def problems(
    document: PassportDocument | Mapping[str, Any],
    *,
    now: datetime | None = None,
    capacity_tolerance: float = CAPACITY_TOLERANCE,
) -> list[Problem]:
    """Every problem of `document` (a `PassportDocument` or its JSON form), sorted by path."""
    data = document.to_json() if isinstance(document, PassportDocument) else document
    found = [Problem(*problem) for problem in structural_problems(data)]
    if found:
        return found
    parsed = (
        document if isinstance(document, PassportDocument) else PassportDocument.from_json(data)
    )
    for rule in _rules(now, capacity_tolerance):
        found.extend(rule(parsed))
    return sorted(set(found))


def validate(
    document: PassportDocument | Mapping[str, Any],
    *,
    now: datetime | None = None,
    capacity_tolerance: float = CAPACITY_TOLERANCE,
) -> PassportDocument:
    """The document, if it has no problem; otherwise `ValidationFailed` listing them all."""
    found = problems(document, now=now, capacity_tolerance=capacity_tolerance)
    if found:
        refuse("passport document", found)
    if isinstance(document, PassportDocument):
        return document
    return PassportDocument.from_json(document)


def _rules(now: datetime | None, capacity_tolerance: float) -> tuple[Rule, ...]:
    def capacity(document: PassportDocument) -> Iterator[Problem]:
        return _remaining_not_above_rated(document, capacity_tolerance)

    def dates(document: PassportDocument) -> Iterator[Problem]:
        return _dates_in_order(document, now)

    return (
        _voltages_ordered,
        _temperature_range_ordered,
        _reading_percentages,
        _composition_shares,
        _critical_raw_materials,
        _stage_sums,
        _recycled_content,
        capacity,
        dates,
        _category_fields,
    )


def _number(document: PassportDocument, path: str) -> float | None:
    value = document.get(path)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _voltages_ordered(document: PassportDocument) -> Iterator[Problem]:
    low = _number(document, "performance.minimumVoltage")
    nominal = _number(document, "performance.nominalVoltage")
    high = _number(document, "performance.maximumVoltage")
    if low is not None and nominal is not None and nominal < low:
        yield Problem(
            "performance.nominalVoltage",
            f"{nominal:g} V is below the minimum voltage ({low:g} V)",
        )
    if high is not None and nominal is not None and nominal > high:
        yield Problem(
            "performance.nominalVoltage",
            f"{nominal:g} V is above the maximum voltage ({high:g} V)",
        )
    if low is not None and high is not None and low > high:
        yield Problem(
            "performance.minimumVoltage",
            f"{low:g} V is above the maximum voltage ({high:g} V)",
        )


def _temperature_range_ordered(document: PassportDocument) -> Iterator[Problem]:
    lower = _number(document, "performance.idleTemperatureRange.lower")
    upper = _number(document, "performance.idleTemperatureRange.upper")
    if lower is not None and upper is not None and lower >= upper:
        yield Problem(
            "performance.idleTemperatureRange.lower",
            f"{lower:g} °C is not below the upper bound ({upper:g} °C)",
        )


def _reading_percentages(document: PassportDocument) -> Iterator[Problem]:
    for item, value in document.values():
        if item.value_type == "reading" and item.unit == "%":
            share = float(value["value"])
            if not 0 <= share <= 100:
                yield Problem(f"{item.path}.value", f"{share:g} % is not within 0–100 %")


def _composition_shares(document: PassportDocument) -> Iterator[Problem]:
    rows = document.get("materials.composition") or []
    total = sum(float(row["share"]) for row in rows if "share" in row)
    if total > 100 + SHARE_SUM_TOLERANCE:
        yield Problem(
            "materials.composition",
            f"the materials' shares add up to {total:g} %, more than the whole battery",
        )


def _critical_raw_materials(document: PassportDocument) -> Iterator[Problem]:
    rows = document.get("materials.criticalRawMaterials") or []
    for index, row in enumerate(rows):
        share = row.get("share")
        if share is not None and float(share) <= CRITICAL_RAW_MATERIAL_THRESHOLD:
            yield Problem(
                f"materials.criticalRawMaterials[{index}].share",
                f"{float(share):g} % w/w: only critical raw materials above "
                f"{CRITICAL_RAW_MATERIAL_THRESHOLD:g} % are declared",
            )
    yield from _no_repeats(rows, "name", "materials.criticalRawMaterials")


def _no_repeats(rows: list[dict[str, Any]], key: str, path: str) -> Iterator[Problem]:
    counts = Counter(row.get(key) for row in rows)
    for index, row in enumerate(rows):
        if counts[row.get(key)] > 1:
            yield Problem(f"{path}[{index}].{key}", f"{row.get(key)!r} is listed more than once")


def _stage_sums(document: PassportDocument) -> Iterator[Problem]:
    stages = document.get("carbonFootprint.stages") or []
    yield from _no_repeats(stages, "stage", "carbonFootprint.stages")
    total = _number(document, "carbonFootprint.carbonFootprint")
    if not stages or total is None:
        return
    stage_sum = sum(float(stage["value"]) for stage in stages)
    if abs(stage_sum - total) > max(STAGE_SUM_TOLERANCE, 0.001 * total):
        yield Problem(
            "carbonFootprint.stages",
            f"the life-cycle stages add up to {stage_sum:g} kg CO2e/kWh, "
            f"not the declared total of {total:g}",
        )


def _recycled_content(document: PassportDocument) -> Iterator[Problem]:
    rows = document.get("circularity.recycledContent") or []
    yield from _no_repeats(rows, "material", "circularity.recycledContent")
    for index, row in enumerate(rows):
        path = f"circularity.recycledContent[{index}]"
        pre, post, share = (
            row.get("preConsumerShare"),
            row.get("postConsumerShare"),
            row.get("share"),
        )
        if pre is None or post is None:
            continue
        parts = float(pre) + float(post)
        if share is not None and abs(parts - float(share)) > SHARE_SUM_TOLERANCE:
            yield Problem(
                f"{path}.share",
                f"{float(share):g} % is not the pre- and post-consumer shares' sum ({parts:g} %)",
            )
        elif parts > 100 + SHARE_SUM_TOLERANCE:
            yield Problem(
                f"{path}.postConsumerShare", f"pre- and post-consumer add up to {parts:g} %"
            )


def _remaining_not_above_rated(document: PassportDocument, tolerance: float) -> Iterator[Problem]:
    pairs = (
        ("performance.remainingCapacity", "performance.ratedCapacity", "Ah"),
        ("performance.remainingEnergy", "performance.ratedEnergy", "kWh"),
    )
    for remaining_path, rated_path, unit in pairs:
        remaining = _number(document, f"{remaining_path}.value")
        rated = _number(document, rated_path)
        if remaining is not None and rated is not None and remaining > rated * (1 + tolerance):
            yield Problem(
                f"{remaining_path}.value",
                f"{remaining:g} {unit} is more than {tolerance:.0%} above the rated "
                f"{rated:g} {unit}",
            )


def _month_start(year_month: str) -> datetime:
    year, month = year_month.split("-")
    return datetime(int(year), int(month), 1, tzinfo=UTC)


def _moments(document: PassportDocument) -> Iterator[tuple[str, datetime]]:
    """Every time stamp of the item's life: readings, exposure, events, putting into service."""
    for item, value in document.values():
        if item.value_type in ("reading", "temperatureExposure"):
            yield f"{item.path}.measuredAt", datetime.fromisoformat(value["measuredAt"])
        elif item.value_type == "negativeEventList":
            for index, event in enumerate(value):
                at = datetime.fromisoformat(event["occurredAt"])
                yield f"{item.path}[{index}].occurredAt", at
    service = document.get("general.puttingIntoService")
    if service:
        yield (
            "general.puttingIntoService",
            datetime.combine(date.fromisoformat(service), datetime.min.time(), UTC),
        )


def _dates_in_order(document: PassportDocument, now: datetime | None) -> Iterator[Problem]:
    made = document.get("general.manufacturingDate")
    start = _month_start(made) if made else None
    for path, moment in _moments(document):  # RFC 3339: every time stamp has its offset
        if start is not None and moment < start:
            yield Problem(path, f"{timestamp(moment)} is before the battery was made ({made})")
        if now is not None and moment > now:
            yield Problem(path, f"{timestamp(moment)} is in the future")
    if start is not None and now is not None and start > now:
        yield Problem("general.manufacturingDate", f"{made} is in the future")


def _category_fields(document: PassportDocument) -> Iterator[Problem]:
    category = document.category
    for item, _ in document.values():
        if not item.applies_to(category):
            yield Problem(item.path, _not_for(category, item.data_points))


def _not_for(category: Category, numbers: tuple[int, ...]) -> str:
    table = guidance()
    takers = sorted(
        {
            other.value
            for other in Category
            for number in numbers
            if table.data_point(number).rule(other.guidance_column).status
            is not Applicability.NOT_TO_BE_FILLED
        }
    )
    points = ", ".join(str(number) for number in numbers)
    return (
        f"not to be filled for {category.value} batteries (Commission guidance, data point "
        f"{points}: for {', '.join(takers)} only)"
    )
