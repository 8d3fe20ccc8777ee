"""The charts' words (battrace.footprint.charts.ChartLabels): English unless the caller passes
others, and then every word a chart draws is the caller's."""

from __future__ import annotations

import dataclasses
import re

from battrace.footprint.charts import ENGLISH, Chart, ChartLabels, pareto, stage_bars, supply_tree
from battrace.footprint.hotspots import rank_parts
from battrace.footprint.report import render_html
from tests.footprint.test_report import pack, rolled


def words(chart: Chart) -> set[str]:
    return (
        {chart.title, chart.description, *chart.notes}
        | {text.text for text in chart.texts}
        | {rect.tooltip for rect in chart.rects}
        | {dot.tooltip for dot in chart.dots}
    )


def marked() -> ChartLabels:
    """Every label as `«field»` (with its placeholders), so a test can tell where each went."""
    return ChartLabels(
        **{
            f.name: "«"
            + f.name
            + "»"
            + "".join(
                f" {{{p}}}"
                for p in ("name", "count", "share", "rows")
                if f"{{{p}}}" in getattr(ENGLISH, f.name)
            )
            for f in dataclasses.fields(ChartLabels)
        }
    )


def test_english_is_the_default() -> None:
    g = pack(module_answered=False)
    footprint = rolled(g)
    drawn = words(stage_bars(footprint, unit="kgCO2e/unit"))
    assert "Footprint by stage and origin" in drawn
    assert "own processes" in drawn and "total unknown" in drawn
    assert "primary" in words(supply_tree(footprint, g, unit="kgCO2e/unit"))


def test_every_drawn_word_comes_from_the_labels() -> None:
    g = pack(module_answered=False)
    footprint = rolled(g)
    labels = marked()
    charts = (
        stage_bars(footprint, unit="kgCO2e/unit", labels=labels),
        pareto(footprint, unit="kgCO2e/unit", labels=labels),
        supply_tree(footprint, g, unit="kgCO2e/unit", labels=labels),
    )
    drawn = " ".join(word for chart in charts for word in words(chart))
    unmarked = re.sub(r"«\w+»", "", drawn)
    english = {
        value.split("{")[0].strip()
        for value in (getattr(ENGLISH, f.name) for f in dataclasses.fields(ChartLabels))
    }
    leaked = {word for word in english if len(word) > 3 and word in unmarked}
    assert not leaked
    assert "«stages_title»" in drawn and "«stage_incomplete» 2" in drawn
    assert f"«tree_description» {footprint.parts_name}" in drawn
    page = render_html(footprint, g, labels=labels)
    assert "«stage_pre»" in page and "«pareto_title»" in page


def test_the_pareto_curve_starts_at_the_first_bar_and_is_drawn_over_the_bars() -> None:
    footprint = rolled(pack(module_answered=True))
    chart = pareto(footprint, unit="kgCO2e/unit")
    (curve,) = chart.overlay  # over the bars, not hidden behind the first one
    assert curve not in chart.lines
    first_bar, first_dot = chart.rects[0], chart.dots[0]
    assert curve.points[0] == (first_dot.x, first_dot.y)
    assert first_bar.x < curve.points[0][0] < first_bar.x + first_bar.width  # above bar 1
    # The height of the first point is the first bar's share of the known total, not 0.
    plot_top, base = 30.0, 360.0 - 120.0
    first_share = (base - curve.points[0][1]) / (base - plot_top)
    expected = float(rank_parts(footprint)[0].cumulative_share or 0)
    assert 0 < expected < 1 and abs(first_share - expected) < 1e-9
    ys = [y for _, y in curve.points]
    assert ys == sorted(ys, reverse=True)  # cumulative: never falls
    assert abs(ys[-1] - plot_top) < 1e-6  # ends at 100 %


def test_every_chart_text_is_at_least_11_units() -> None:
    g = pack(module_answered=False)
    footprint = rolled(g)
    for chart in (
        stage_bars(footprint, unit="kgCO2e/unit"),
        pareto(footprint, unit="kgCO2e/unit"),
        supply_tree(footprint, g, unit="kgCO2e/unit"),
    ):
        assert min(text.size for text in chart.texts) >= 11, chart.chart_id
