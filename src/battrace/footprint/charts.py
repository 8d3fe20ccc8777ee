"""The geometry of a footprint report's three SVG charts: stacked bars by stage and origin, a
Pareto chart of parts, and the supply chain as an indented tree coloured by contribution share.

Charts are plain data (shapes, coordinates, colours, tooltips); the templates draw them as
inline SVG and escape every text, so no part name reaches a page unescaped. Every word a
chart draws comes from a `ChartLabels` (English unless the caller passes another language).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from battrace.footprint.graph import FootprintGraph
from battrace.footprint.hotspots import Hotspot, rank_parts
from battrace.footprint.plan import ZERO, Provenance, share
from battrace.footprint.result import Footprint, Origin
from battrace.traceability.stages import Stage

ORIGIN_COLOURS: Mapping[Origin, str] = MappingProxyType(
    {Origin.OWN: "#2b6cb0", Origin.COMPONENTS: "#90cdf4"}
)
UNKNOWN_COLOUR = "#c53030"
PARETO_BARS = 15  # the rest is one "others" bar
TREE_MAX_ROWS = 250


@dataclass(frozen=True)
class ChartLabels:
    """Every word the charts draw, in one language: English by default; a surface that
    speaks another language passes its own. Names in braces are filled in: `{name}` (the
    product), `{count}`, `{share}` and `{rows}`."""

    stage_pre: str = "Raw material & pre-processing"
    stage_main: str = "Main production"
    origin_own: str = "own processes"
    origin_components: str = "components (bought-in and sub-parts)"
    stages_title: str = "Footprint by stage and origin"
    stages_description: str = (
        "Known kgCO2e per unit of {name}, per stage, split into the product's own processes "
        "and its components."
    )
    total_unknown: str = "total unknown"
    stage_incomplete: str = (
        "{count} part(s) without a value: the total is unknown, the bar shows only what is known"
    )
    pareto_title: str = "Pareto of contributions by part"
    pareto_description: str = (
        "Each part's known contribution to both stages, largest first (bars, left axis) and "
        "the cumulative share of the known total (line, right axis)."
    )
    others: str = "{count} others"
    cumulative: str = "cumulative {share}"
    no_contribution: str = "No known contribution yet."
    tree_title: str = "Supply chain"
    tree_description: str = (
        "The parts of {name} as the roll-up counted them, coloured by their contribution "
        "share and marked primary, secondary, assumed or unknown."
    )
    primary: str = "primary"
    secondary: str = "secondary (factor)"
    assumed: str = "assumed (what-if)"
    unknown: str = "unknown"
    shown_above: str = "shown above"
    repeated: str = "repeated"
    tree_colour_note: str = (
        "Box colour: the part's own contribution as a share of the known total "
        "(darker = larger). Amounts are per unit of the parent."
    )
    tree_truncated: str = "Only the first {rows} rows are drawn."

    def stage(self, stage: Stage) -> str:
        return self.stage_pre if stage == Stage.PRE else self.stage_main

    def origin(self, origin: Origin) -> str:
        return self.origin_own if origin == Origin.OWN else self.origin_components

    def provenance(self, provenance: Provenance) -> str:
        return {
            Provenance.PRIMARY: self.primary,
            Provenance.SECONDARY: self.secondary,
            Provenance.ASSUMED: self.assumed,
            Provenance.UNKNOWN: self.unknown,
        }[provenance]


ENGLISH = ChartLabels()


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    tooltip: str
    stroke: str = "none"
    dash: str = ""  # stroke-dasharray, "" for solid


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start, middle, end
    size: int = 12
    fill: str = "#1a202c"
    rotate: float = 0


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str = "#4a5568"
    width: float = 1
    dash: str = ""


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    fill: str
    tooltip: str


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    width: float
    height: float
    rects: tuple[Rect, ...] = ()
    lines: tuple[Line, ...] = ()
    dots: tuple[Dot, ...] = ()
    texts: tuple[Text, ...] = ()
    notes: tuple[str, ...] = field(default=())  # shown under the chart
    overlay: tuple[Line, ...] = ()  # drawn over the bars (a curve read across them)


def number(value: Decimal | None, places: int = 3) -> str:
    """A value for a label: fixed-point, thousands separated; "unknown" for None."""
    if value is None:
        return "unknown"
    return f"{value:,.{places}f}"


def percent(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _axis(peak: Decimal) -> tuple[Decimal, Decimal]:
    """A round tick step (about 5 ticks) and the axis top: the first tick at or above `peak`."""
    if peak <= 0:
        return Decimal(1), Decimal(1)
    raw = peak / 5
    magnitude = Decimal(10) ** raw.adjusted()
    step = next(magnitude * factor for factor in (1, 2, 5, 10) if magnitude * factor >= raw)
    return step, step * math.ceil(peak / step)


def stage_bars(footprint: Footprint, *, unit: str, labels: ChartLabels = ENGLISH) -> Chart:
    """One bar per stage stacked by origin (known values); an unknown total is marked."""
    width, height, left, top, bottom = 560.0, 300.0, 70.0, 30.0, 60.0
    plot_height = height - top - bottom
    known = {
        stage: {
            origin: sum(
                (c.emission for c in footprint.stages[stage].contributions if c.origin == origin),
                ZERO,
            )
            for origin in Origin
        }
        for stage in Stage
    }
    peak = max((sum(values.values(), ZERO) for values in known.values()), default=ZERO)
    step, ceiling = _axis(peak)
    scale = plot_height / float(ceiling)
    rects: list[Rect] = []
    texts: list[Text] = []
    lines: list[Line] = []
    tick = ZERO
    while tick <= ceiling:
        y = top + plot_height - float(tick) * scale
        lines.append(Line(((left, y), (width - 20, y)), stroke="#e2e8f0"))
        texts.append(Text(left - 6, y + 4, number(tick, 2), anchor="end", size=11))
        tick += step
    bar_width = 110.0
    for index, stage in enumerate(Stage):
        x = left + 40 + index * (bar_width + 120)
        base = top + plot_height
        for origin in Origin:
            value = known[stage][origin]
            h = float(value) * scale
            base -= h
            tooltip = f"{labels.stage(stage)}, {labels.origin(origin)}: {number(value)} {unit}"
            rects.append(Rect(x, base, bar_width, h, ORIGIN_COLOURS[origin], tooltip))
        stage_total = footprint.stages[stage].total
        missing = len(footprint.stages[stage].unknown)
        label = number(stage_total) if stage_total is not None else labels.total_unknown
        texts.append(Text(x + bar_width / 2, base - 6, label, anchor="middle", size=12))
        if stage_total is None:
            rects.append(
                Rect(
                    x,
                    base - 24,
                    bar_width,
                    4,
                    UNKNOWN_COLOUR,
                    labels.stage_incomplete.format(count=missing),
                )
            )
        texts.append(
            Text(x + bar_width / 2, height - bottom + 18, labels.stage(stage), anchor="middle")
        )
    lines.append(Line(((left, top), (left, top + plot_height), (width - 20, top + plot_height))))
    texts.append(Text(14, top + plot_height / 2, unit, anchor="middle", size=11, rotate=-90))
    legend_y = height - 18
    for index, origin in enumerate(Origin):
        x = left + index * 150
        name = labels.origin(origin)
        rects.append(Rect(x, legend_y - 10, 12, 12, ORIGIN_COLOURS[origin], name))
        texts.append(Text(x + 18, legend_y, name))
    return Chart(
        "chart-stages",
        labels.stages_title,
        labels.stages_description.format(name=footprint.parts_name),
        width,
        height,
        rects=tuple(rects),
        lines=tuple(lines),
        texts=tuple(texts),
    )


def pareto(
    footprint: Footprint,
    *,
    unit: str,
    labels: ChartLabels = ENGLISH,
    ranked: Sequence[Hotspot] | None = None,
) -> Chart:
    """Parts by contribution (both stages), largest first, with the cumulative share.
    `ranked`: `rank_parts(footprint)` when the caller has it already."""
    ranked = rank_parts(footprint) if ranked is None else ranked
    shown = list(ranked[:PARETO_BARS])
    rest = ranked[PARETO_BARS:]
    bars = [(h.label, h.emission, h.cumulative_share) for h in shown]
    if rest:
        others = labels.others.format(count=len(rest))
        bars.append((others, sum((h.emission for h in rest), ZERO), Decimal(1)))
    width, left, right, top, bottom = 720.0, 70.0, 60.0, 30.0, 120.0
    height = 360.0
    plot_width, plot_height = width - left - right, height - top - bottom
    peak = max((emission for _, emission, _ in bars), default=ZERO)
    step, ceiling = _axis(peak)
    scale = plot_height / float(ceiling)
    slot = plot_width / max(len(bars), 1)
    base_y = top + plot_height
    rects: list[Rect] = []
    texts: list[Text] = []
    lines: list[Line] = []
    dots: list[Dot] = []
    tick = ZERO
    while tick <= ceiling:
        y = base_y - float(tick) * scale
        lines.append(Line(((left, y), (left + plot_width, y)), stroke="#e2e8f0"))
        texts.append(Text(left - 6, y + 4, number(tick, 2), anchor="end", size=11))
        tick += step
    for pct in range(0, 101, 25):
        y = base_y - plot_height * pct / 100
        texts.append(Text(left + plot_width + 6, y + 4, f"{pct} %", size=11))
    known = footprint.known
    points: list[tuple[float, float]] = []
    for index, (label, emission, cumulative) in enumerate(bars):
        x = left + index * slot + slot * 0.15
        h = float(emission) * scale
        tooltip = f"{label}: {number(emission)} {unit} ({percent(share(emission, known))})"
        rects.append(Rect(x, base_y - h, slot * 0.7, h, "#dd6b20", tooltip))
        centre = x + slot * 0.35
        short = label if len(label) <= 18 else label[:17] + "…"
        texts.append(Text(centre, base_y + 14, short, anchor="end", size=11, rotate=-40))
        y = base_y - plot_height * float(cumulative or 0)
        points.append((centre, y))
        cumulative_label = labels.cumulative.format(share=percent(cumulative))
        dots.append(Dot(centre, y, 3.5, "#1a202c", cumulative_label))
    # The cumulative curve is drawn over the bars: its first point is the first bar's share.
    overlay = (Line(tuple(points), stroke="#1a202c", width=2),) if points else ()
    axis = ((left, top), (left, base_y), (left + plot_width, base_y), (left + plot_width, top))
    lines.append(Line(axis))
    texts.append(Text(14, top + plot_height / 2, unit, anchor="middle", size=11, rotate=-90))
    notes = () if bars else (labels.no_contribution,)
    return Chart(
        "chart-pareto",
        labels.pareto_title,
        labels.pareto_description,
        width,
        height,
        rects=tuple(rects),
        lines=tuple(lines),
        dots=tuple(dots),
        texts=tuple(texts),
        notes=notes,
        overlay=overlay,
    )


@dataclass(frozen=True)
class TreeRow:
    trace_id: uuid.UUID
    name: str
    depth: int
    amount: Decimal | None  # per unit of the parent (None for the root)
    emission: Decimal
    share: Decimal | None
    provenance: Provenance
    repeated: bool  # already shown under another parent; its children are not repeated


def provenances(footprint: Footprint) -> dict[uuid.UUID, Provenance]:
    """Each counted part's provenance for the chart, in one pass over the roll-up's lists:
    unknown if any of its terms is, else secondary or assumed if one is, else primary."""
    rank = {Provenance.PRIMARY: 0, Provenance.ASSUMED: 1, Provenance.SECONDARY: 2}
    found: dict[uuid.UUID, Provenance] = {}
    for stage in footprint.stages.values():
        for c in stage.contributions:
            seen = found.get(c.trace_id)
            if seen is None or rank.get(c.provenance, 0) > rank.get(seen, 0):
                found[c.trace_id] = c.provenance
    for stage in footprint.stages.values():
        for u in stage.unknown:
            found[u.trace_id] = Provenance.UNKNOWN
    return found


def tree_rows(footprint: Footprint, graph: FootprintGraph) -> tuple[TreeRow, ...]:
    """The supply chain below the root, depth first, as the roll-up counted it.

    Linear in the roll-up's lists plus the rows drawn: each part's emission and provenance
    are gathered once, not looked up per row."""
    emissions: dict[uuid.UUID, Decimal] = {}
    for stage in footprint.stages.values():
        for c in stage.contributions:
            emissions[c.trace_id] = emissions.get(c.trace_id, ZERO) + c.emission
    kinds = provenances(footprint)
    counted = kinds.keys()
    known = footprint.known
    rows: list[TreeRow] = []
    seen: set[uuid.UUID] = set()
    stack: list[tuple[uuid.UUID, int, Decimal | None]] = [(footprint.root, 0, None)]
    while stack and len(rows) < TREE_MAX_ROWS:
        trace_id, depth, amount = stack.pop()
        node = graph.node(trace_id)
        emission = emissions.get(trace_id, ZERO)
        provenance = kinds.get(trace_id, Provenance.PRIMARY)
        repeated = trace_id in seen
        seen.add(trace_id)
        rows.append(
            TreeRow(
                trace_id,
                node.parts_name,
                depth,
                amount,
                emission,
                share(emission, known),
                provenance,
                repeated,
            )
        )
        expanded = node.is_parent and not node.terminated and provenance != Provenance.ASSUMED
        if expanded and not repeated:
            children = [e for e in node.children if e.child in counted]
            stack.extend((e.child, depth + 1, e.amount_required) for e in reversed(children))
    return tuple(rows)


_PROVENANCE_DASH: Mapping[Provenance, str] = MappingProxyType(
    {
        Provenance.PRIMARY: "",
        Provenance.SECONDARY: "5 3",
        Provenance.ASSUMED: "2 2",
        Provenance.UNKNOWN: "",
    }
)


def share_colour(value: Decimal | None, peak: Decimal) -> str:
    """White to deep orange by the square root of share / the largest share."""
    if value is None or peak <= 0:
        return "#ffffff"
    t = min(1.0, max(0.0, float(value / peak)) ** 0.5)
    low, high = (255, 245, 235), (217, 72, 1)
    rgb = (round(a + (b - a) * t) for a, b in zip(low, high, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def supply_tree(
    footprint: Footprint, graph: FootprintGraph, *, unit: str, labels: ChartLabels = ENGLISH
) -> Chart:
    rows = tree_rows(footprint, graph)
    row_height, indent, box_width, top = 26.0, 22.0, 300.0, 40.0
    depth = max((row.depth for row in rows), default=0)
    width = max(720.0, 20 + depth * indent + box_width + 260)
    height = top + row_height * len(rows) + 20
    peak = max((row.share or ZERO for row in rows), default=ZERO)
    rects: list[Rect] = []
    texts: list[Text] = []
    lines: list[Line] = []
    last_at_depth: dict[int, float] = {}
    for index, row in enumerate(rows):
        x = 10 + row.depth * indent
        y = top + index * row_height
        if row.depth > 0:
            parent_y = last_at_depth.get(row.depth - 1, y)
            elbow_x = x - indent / 2
            lines.append(
                Line(((elbow_x, parent_y + 18), (elbow_x, y + 10), (x, y + 10)), stroke="#a0aec0")
            )
        last_at_depth[row.depth] = y
        unknown = row.provenance == Provenance.UNKNOWN
        fill = "#fed7d7" if unknown else share_colour(row.share, peak)
        stroke = UNKNOWN_COLOUR if unknown else "#4a5568"
        amount = "" if row.amount is None else f"{number(row.amount, 5).rstrip('0').rstrip('.')} × "
        kind = labels.provenance(row.provenance)
        tooltip = (
            f"{row.name} ({row.trace_id}): {kind}"
            + ("" if unknown else f", {number(row.emission)} {unit}, {percent(row.share)}")
            + (f", {labels.shown_above}" if row.repeated else "")
        )
        rects.append(
            Rect(
                x,
                y,
                box_width,
                20,
                fill,
                tooltip,
                stroke=stroke,
                dash=_PROVENANCE_DASH[row.provenance],
            )
        )
        name = row.name if len(row.name) <= 34 else row.name[:33] + "…"
        dark = row.share is not None and peak > 0 and row.share / peak > Decimal("0.45")
        texts.append(Text(x + 6, y + 14, f"{amount}{name}", fill="#ffffff" if dark else "#1a202c"))
        detail = kind + ("" if unknown else f" · {percent(row.share)} · {number(row.emission)}")
        texts.append(
            Text(
                x + box_width + 8,
                y + 14,
                detail + (f" ({labels.repeated})" if row.repeated else ""),
                size=11,
            )
        )
    for index, provenance in enumerate(Provenance):
        x = 10 + index * 170
        unknown = provenance == Provenance.UNKNOWN
        label = labels.provenance(provenance)
        stroke = UNKNOWN_COLOUR if unknown else "#4a5568"
        fill = "#fed7d7" if unknown else "#ffffff"
        dash = _PROVENANCE_DASH[provenance]
        rects.append(Rect(x, 10, 22, 14, fill, label, stroke=stroke, dash=dash))
        texts.append(Text(x + 28, 22, label, size=11))
    notes = [labels.tree_colour_note]
    if len(rows) >= TREE_MAX_ROWS:
        notes.append(labels.tree_truncated.format(rows=TREE_MAX_ROWS))
    return Chart(
        "chart-tree",
        labels.tree_title,
        labels.tree_description.format(name=footprint.parts_name),
        width,
        height,
        rects=tuple(rects),
        lines=tuple(lines),
        texts=tuple(texts),
        notes=tuple(notes),
    )


__all__ = [
    "ENGLISH",
    "Chart",
    "ChartLabels",
    "Dot",
    "Line",
    "Rect",
    "Text",
    "TreeRow",
    "pareto",
    "stage_bars",
    "supply_tree",
    "tree_rows",
]
