"""The health report's two charts, drawn from a stored assessment's results (the same
`Chart` shapes the footprint report uses, rendered by the `chart_svg` macro):

- the fade curve: the capacity checks as dots, the fitted law through them, the knee guard
  where it applied, the second-life end of life, and the remaining-life band (straight lines
  from now to the end of life over the P50 and the P10 remaining life);
- the value as a waterfall: deliverable-energy value, less the risk haircut, repurposing and
  logistics, down to the repurpose value; the recycling value beside it; the residual value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from battrace.footprint.charts import Chart, Dot, Line, Rect, Text

WIDTH, HEIGHT = 640.0, 320.0
LEFT, RIGHT, TOP, BOTTOM = 56.0, 16.0, 16.0, 40.0


def fade_chart(results: Mapping[str, Any], t: Callable[..., str]) -> Chart | None:
    life = results.get("life")
    history = results.get("history") or []
    if not life or not history:
        return None
    n_now, soh_now, eol = float(life["n_now"]), float(life["soh_now"]), float(life["soh_eol"])
    p50, p10 = float(life["n_rem_p50"]), float(life["n_rem_p10"])
    x_max = max(n_now + p50, n_now * 1.2, 1.0)
    y_low = min(eol - 0.05, min(float(s) for _, s in history) - 0.02)
    y_high = max(1.0, *(float(s) for _, s in history)) + 0.01

    def px(n: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * n / x_max

    def py(soh: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (y_high - soh) / (y_high - y_low)

    a, z = float(life["a"]), float(life["z"])
    steps = 60
    fitted = tuple(
        (px(n), py(1.0 - a * n**z)) for n in (n_now * k / steps for k in range(steps + 1))
    )
    lines = [
        Line(((px(0), py(eol)), (px(x_max), py(eol))), stroke="#c53030", dash="4 3"),
        Line(fitted, stroke="#2b6cb0", width=2),
        Line(((px(n_now), py(soh_now)), (px(n_now + p50), py(eol))), stroke="#2f855a", width=2),
        Line(((px(n_now), py(soh_now)), (px(n_now + p10), py(eol))), stroke="#dd6b20", dash="6 3"),
    ]
    texts = [
        Text(px(x_max) - 4, py(eol) - 4, t("reuse.chart_eol", soh=f"{eol:.2f}"), "end", 11),
        Text(LEFT, HEIGHT - 8, "0", "middle", 11),
        Text(px(x_max), HEIGHT - 8, f"{x_max:,.0f} EFC", "end", 11),
        Text(LEFT - 6, py(1.0) + 4, "1.00", "end", 11),
        Text(LEFT - 6, py(eol) + 4, f"{eol:.2f}", "end", 11),
        Text(px(n_now + p50), py(eol) + 14, "P50", "middle", 11, "#2f855a"),
        Text(px(n_now + p10), py(eol) + 14, "P10", "middle", 11, "#dd6b20"),
    ]
    notes = [t("reuse.chart_fit", a=f"{a:.3g}", z=f"{z:.3f}")]
    if life.get("knee"):
        lines.append(Line(((px(n_now), py(y_high)), (px(n_now), py(y_low))), "#805ad5", 1, "2 2"))
        texts.append(Text(px(n_now) + 4, py(y_high) + 12, t("reuse.chart_knee"), "start", 11))
        notes.append(t("reuse.chart_knee_note"))
    dots = tuple(
        Dot(px(float(n)), py(float(s)), 3.5, "#1a202c", f"{float(n):,.0f} EFC: SOH {float(s):.3f}")
        for n, s in history
    )
    return Chart(
        chart_id="fade",
        title=t("reuse.chart_fade"),
        description=t("reuse.chart_fade_desc"),
        width=WIDTH,
        height=HEIGHT,
        lines=tuple(lines),
        dots=dots,
        texts=tuple(texts),
        notes=tuple(notes),
    )


def waterfall_chart(valuation: Mapping[str, Any], t: Callable[..., str]) -> Chart:
    steps = [(str(label), float(amount)) for label, amount in valuation["waterfall"][:-1]]
    bars: list[tuple[str, float, float, str]] = []  # label, start, end, colour
    level = 0.0
    for n, (label, amount) in enumerate(steps):
        bars.append((label, level, level + amount, "#2b6cb0" if n == 0 else "#c53030"))
        level += amount
    if valuation.get("repurpose_value") is not None:
        bars.append(("repurpose value", 0.0, level, "#4a5568"))
    recycle = float(valuation["recycle"]["value"])
    bars.append(("recycling value", 0.0, recycle, "#718096"))
    bars.append(("residual value", 0.0, float(valuation["residual_value"]), "#2f855a"))
    low = min(0.0, *(min(s, e) for _, s, e, _ in bars))
    high = max(1.0, *(max(s, e) for _, s, e, _ in bars))

    def py(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM - 20) * (high - v) / (high - low)

    slot = (WIDTH - LEFT - RIGHT) / len(bars)
    rects, texts = [], []
    for k, (label, start, end, colour) in enumerate(bars):
        x = LEFT + k * slot + slot * 0.15
        top, bottom = py(max(start, end)), py(min(start, end))
        shown = t(f"reuse.step_{label.replace(' ', '_').replace('-', '_')}")
        rects.append(
            Rect(x, top, slot * 0.7, max(bottom - top, 1.0), colour, f"{shown}: {end - start:,.0f}")
        )
        texts.append(Text(x + slot * 0.35, top - 4, f"{end - start:,.0f}", "middle", 11))
        texts.append(Text(x + slot * 0.35, HEIGHT - 24, shown, "middle", 10))
    rects.append(Rect(LEFT, py(0.0), WIDTH - LEFT - RIGHT, 0.8, "#1a202c", "0"))
    return Chart(
        chart_id="waterfall",
        title=t("reuse.chart_value"),
        description=t("reuse.chart_value_desc"),
        width=WIDTH,
        height=HEIGHT,
        rects=tuple(rects),
        texts=tuple(texts),
        notes=(t("reuse.chart_route", route=t(f"reuse.route_{valuation['route']}")),),
    )
