"""The loop's dashboard: lots by status, kWh sent to a second life, tonnes collected and
recovered per element, recycled content booked against the Art. 8 minimums, and the CO2e the
loop avoided; as data, CSV and a self-contained HTML page with inline SVG charts.

Scope `platform` adds up every operator's data, and shows a figure only when at least
`MIN_CONTRIBUTORS` operators contribute to it (otherwise it is withheld, so that no total
reveals one company's volumes); scope `own` shows the caller's data only. Recovered tonnes
are the usable final outputs of recycler reports; recycled content is the recycled share of
the element mass booked into mass-balance periods (what material makers bought).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from battrace.footprint.charts import Chart, Line, Rect, Text
from battrace.notes import Note
from battrace.recycling import impact
from battrace.recycling.content import ART8_ELEMENTS, ART8_MINIMUMS
from battrace.recycling.models import (
    BalanceEntry,
    CustodyEvent,
    CustodyLot,
    Fraction,
    LotStatus,
    ReportElement,
    ReportLine,
)
from battrace.recycling.rules import HUNDRED, ZERO, Element
from battrace.store.base import tidy_decimal, utcnow

MIN_CONTRIBUTORS = 3
TONNE = Decimal(1000)
# Assumptions for the dashboard's second-life figure (shown with it).
SECOND_LIFE_CYCLES = Decimal(1500)
NEW_STORAGE_KG_PER_KWH = Decimal(80)
NEW_STORAGE_CYCLES = Decimal(5000)


@dataclass(frozen=True)
class ContentRow:
    element: Element
    element_kg: Decimal
    recycled_kg: Decimal
    share_percent: Decimal | None
    minimum_2031: Decimal
    minimum_2036: Decimal


@dataclass(frozen=True)
class Dashboard:
    scope: str
    generated_at: datetime
    lots_by_status: dict[LotStatus, tuple[int, int]] | None  # lots, units
    second_life_kwh: Decimal | None
    collected_t: Decimal | None
    recovered_t: dict[Element, Decimal] | None
    content: tuple[ContentRow, ...] | None
    second_life_avoided: impact.Figure | None
    material_avoided: impact.Figure | None
    withheld: tuple[str, ...] = field(default=())

    @property
    def avoided_t(self) -> Decimal:
        figures = (self.second_life_avoided, self.material_avoided)
        return sum((f.kg_co2e for f in figures if f is not None), ZERO) / TONNE


def _scoped(statement: Any, column: Any, caller: uuid.UUID, scope: str) -> Any:  # noqa: ANN401
    return statement if scope == "platform" else statement.where(column == caller)


def _enough(session: Session, statement: Any, scope: str) -> bool:  # noqa: ANN401
    return scope == "own" or (session.scalar(statement) or 0) >= MIN_CONTRIBUTORS


def build(session: Session, *, caller: uuid.UUID, scope: str = "platform") -> Dashboard:
    if scope not in ("platform", "own"):
        scope = "platform"
    withheld: list[str] = []
    products = CustodyLot.fraction == Fraction.PRODUCTS

    def enough(name: str, statement: Any) -> bool:  # noqa: ANN401
        ok = _enough(session, statement, scope)
        if not ok:
            withheld.append(name)
        return ok

    holders = select(func.count(distinct(CustodyLot.custodian_operator_id))).where(products)
    lots: dict[LotStatus, tuple[int, int]] | None = None
    second_life = collected = None
    if enough("custody", holders):
        rows = session.execute(
            _scoped(
                select(
                    CustodyLot.status,
                    func.count(),
                    func.coalesce(func.sum(CustodyLot.units), 0),
                ).where(products),
                CustodyLot.custodian_operator_id,
                caller,
                scope,
            ).group_by(CustodyLot.status)
        ).all()
        lots = {LotStatus(status): (int(n), int(units)) for status, n, units in rows}
        scoped = _scoped(
            select(CustodyLot).where(products), CustodyLot.custodian_operator_id, caller, scope
        )
        chosen = session.scalars(scoped).all()
        second_life = sum(
            (
                lot.energy_kwh
                for lot in chosen
                if lot.status == LotStatus.FOR_REPURPOSING and lot.energy_kwh
            ),
            ZERO,
        )
        collected = _collected_t(session, [lot.id for lot in chosen])
    recovered: dict[Element, Decimal] | None = None
    reporters = select(func.count(distinct(ReportLine.operator_id)))
    if enough("recovered", reporters):
        statement = _scoped(
            select(ReportElement.element, ReportElement.mass_kg).join(
                ReportLine,
                (ReportLine.operator_id == ReportElement.operator_id)
                & (ReportLine.report_id == ReportElement.report_id)
                & (ReportLine.line == ReportElement.line),
            ),
            ReportElement.operator_id,
            caller,
            scope,
        ).where(ReportLine.side == "out", ReportLine.final.is_(True), ReportLine.usable.is_(True))
        recovered = {}
        for element, mass in session.execute(statement):
            key = Element(element)
            recovered[key] = recovered.get(key, ZERO) + mass / TONNE
    content = None
    bookers = select(func.count(distinct(BalanceEntry.operator_id)))
    if enough("recycled content", bookers):
        content = _content(session, caller, scope)
    return Dashboard(
        scope=scope,
        generated_at=utcnow(),
        lots_by_status=lots,
        second_life_kwh=second_life,
        collected_t=collected,
        recovered_t=recovered,
        content=content,
        second_life_avoided=_second_life(second_life),
        material_avoided=None
        if recovered is None
        else impact.material_avoided({e: t * TONNE for e, t in recovered.items()}),
        withheld=tuple(withheld),
    )


def _collected_t(session: Session, lot_ids: list[uuid.UUID]) -> Decimal:
    total = ZERO
    for start in range(0, len(lot_ids), 900):
        total += (
            session.scalar(
                select(func.coalesce(func.sum(CustodyEvent.mass_in_kg), 0)).where(
                    CustodyEvent.lot_id.in_(lot_ids[start : start + 900]),
                    CustodyEvent.sequence == 1,
                )
            )
            or ZERO
        )
    return Decimal(total) / TONNE


def _content(session: Session, caller: uuid.UUID, scope: str) -> tuple[ContentRow, ...]:
    statement = _scoped(
        select(
            BalanceEntry.element,
            BalanceEntry.mass_kg,
            BalanceEntry.pre_consumer_kg,
            BalanceEntry.post_consumer_kg,
        ),
        BalanceEntry.operator_id,
        caller,
        scope,
    )
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for element, mass, pre, post in session.execute(statement):
        before = totals.get(element, (ZERO, ZERO))
        totals[element] = (before[0] + mass, before[1] + pre + post)
    rows = []
    for element in ART8_ELEMENTS:
        mass, recycled = totals.get(element.value, (ZERO, ZERO))
        first, second = ART8_MINIMUMS[element]
        share = (HUNDRED * recycled / mass).quantize(Decimal("0.01")) if mass else None
        rows.append(ContentRow(element, mass, recycled, share, first.percent, second.percent))
    return tuple(rows)


def _second_life(kwh: Decimal | None) -> impact.Figure | None:
    if not kwh:
        return None
    return impact.second_life_avoided(
        capacity_kwh=kwh,
        cycles=SECOND_LIFE_CYCLES,
        new_kg_co2e_per_kwh=NEW_STORAGE_KG_PER_KWH,
        new_lifetime_cycles=NEW_STORAGE_CYCLES,
        new_source=Note(
            f"dashboard assumption: {NEW_STORAGE_KG_PER_KWH} kgCO2e per kWh of new stationary "
            "storage",
            "dashboard_storage",
            kg=NEW_STORAGE_KG_PER_KWH,
        ),
    )


class _Writer:
    """A CSV writer that spells decimals without trailing zeros."""

    def __init__(self, writer: Any) -> None:  # noqa: ANN401 (csv's writer type is private)
        self._writer = writer

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([tidy_decimal(v) if isinstance(v, Decimal) else v for v in row])


def to_csv(board: Dashboard) -> str:
    """One row per figure: section, item, value, unit."""
    out = io.StringIO()
    writer = _Writer(csv.writer(out, lineterminator="\n"))
    writer.writerow(["section", "item", "value", "unit"])
    for status, (lots, units) in (board.lots_by_status or {}).items():
        writer.writerow(["lots by status", status.value, lots, "lots"])
        writer.writerow(["units by status", status.value, units, "units"])
    if board.second_life_kwh is not None:
        writer.writerow(["second life", "capacity", board.second_life_kwh, "kWh"])
    if board.collected_t is not None:
        writer.writerow(["collected", "products", board.collected_t, "t"])
    for element, tonnes in sorted((board.recovered_t or {}).items()):
        writer.writerow(["recovered", element.value, tonnes, "t"])
    for row in board.content or ():
        writer.writerow(["recycled content", row.element.value, row.share_percent or "", "%"])
    for name, figure in (
        ("second life", board.second_life_avoided),
        ("recycled material", board.material_avoided),
    ):
        if figure is not None:
            writer.writerow(["CO2e avoided", name, figure.kg_co2e, "kgCO2e"])
    for name in board.withheld:
        writer.writerow(["withheld", name, "", f"fewer than {MIN_CONTRIBUTORS} operators"])
    return out.getvalue()


def to_json(board: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON-ready values (decimals as numbers via `float` of exact text)."""

    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    def fig(found: impact.Figure | None) -> dict[str, Any] | None:
        if found is None:
            return None
        return {
            "kgCO2e": num(found.kg_co2e),
            "assumptions": [str(line) for line in found.assumptions],
        }

    return {
        "scope": board.scope,
        "generatedAt": board.generated_at.isoformat(),
        "lotsByStatus": None
        if board.lots_by_status is None
        else {s.value: {"lots": n, "units": u} for s, (n, u) in board.lots_by_status.items()},
        "secondLifeKwh": num(board.second_life_kwh),
        "collectedTonnes": num(board.collected_t),
        "recoveredTonnes": None
        if board.recovered_t is None
        else {e.value: num(t) for e, t in sorted(board.recovered_t.items())},
        "recycledContent": None
        if board.content is None
        else [
            {
                "element": r.element.value,
                "elementKg": num(r.element_kg),
                "recycledKg": num(r.recycled_kg),
                "sharePercent": num(r.share_percent),
                "minimum2031Percent": num(r.minimum_2031),
                "minimum2036Percent": num(r.minimum_2036),
            }
            for r in board.content
        ],
        "co2eAvoided": {
            "secondLife": fig(board.second_life_avoided),
            "recycledMaterial": fig(board.material_avoided),
            "totalTonnes": num(board.avoided_t),
        },
        "withheld": list(board.withheld),
        "minContributors": MIN_CONTRIBUTORS,
    }


def _bars(
    chart_id: str,
    title: str,
    items: Iterable[tuple[str, Decimal]],
    unit: str,
    markers: dict[str, tuple[Decimal, Decimal]] | None = None,
) -> Chart:
    """Horizontal bars, one per item; `markers` draws the two Art. 8 minimums per item."""
    listed = list(items)
    peak = max([value for _, value in listed] + [Decimal(1)])
    if markers:
        peak = max(peak, *(second for _, second in markers.values()))
    width, left, row = 560.0, 150.0, 28.0
    scale = (width - left - 80) / float(peak)
    rects, texts, lines = [], [], []
    for n, (label, value) in enumerate(listed):
        y = 10 + n * row
        rects.append(
            Rect(left, y, float(value) * scale, row - 8, "#2b6cb0", f"{label}: {value} {unit}")
        )
        texts.append(Text(left - 6, y + 14, label, anchor="end"))
        texts.append(Text(left + float(value) * scale + 4, y + 14, f"{value} {unit}"))
        for target, colour in zip(
            (markers or {}).get(label, ()), ("#dd6b20", "#c53030"), strict=False
        ):
            x = left + float(target) * scale
            lines.append(Line(((x, y - 2), (x, y + row - 6)), stroke=colour, width=2))
    notes = ("Orange: the 2031 minimum, red: the 2036 minimum (Art. 8).",) if markers else ()
    return Chart(
        chart_id,
        title,
        title,
        width,
        20 + len(listed) * row,
        tuple(rects),
        tuple(lines),
        (),
        tuple(texts),
        notes,
    )


def charts(board: Dashboard) -> tuple[Chart, ...]:
    found = []
    if board.lots_by_status:
        found.append(
            _bars(
                "lots",
                "Lots of collected products by status",
                ((s.value, Decimal(n)) for s, (n, _) in board.lots_by_status.items()),
                "lots",
            )
        )
    if board.recovered_t:
        found.append(
            _bars(
                "recovered",
                "Material recovered per element",
                (
                    (e.value, t.quantize(Decimal("0.001")))
                    for e, t in sorted(board.recovered_t.items())
                ),
                "t",
            )
        )
    if board.content:
        found.append(
            _bars(
                "content",
                "Recycled content booked against Art. 8",
                ((r.element.value, r.share_percent or ZERO) for r in board.content),
                "%",
                markers={r.element.value: (r.minimum_2031, r.minimum_2036) for r in board.content},
            )
        )
    return tuple(found)


def render_html(board: Dashboard) -> str:
    """The dashboard as one HTML page: no scripts, no external resources."""
    env = Environment(
        loader=PackageLoader("battrace.recycling", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("dashboard.html.j2").render(
        board=board, charts=charts(board), min_contributors=MIN_CONTRIBUTORS
    )
