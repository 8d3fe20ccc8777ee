"""`battrace footprint report` on a terminal: the product's CFP per stage and the parts whose
value is unknown (why, and who must act), as tables; `--format json|csv|html` for files."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from battrace.footprint.result import Footprint

# Figures on a terminal: 3 decimals with thousands separators (exports keep full precision).
DISPLAY = Decimal("0.001")


def shown(value: Decimal | None) -> str:
    return "unknown" if value is None else f"{value.quantize(DISPLAY):,f}"


def print_table(console: Console, footprint: Footprint, names: Mapping[uuid.UUID, str]) -> None:
    unit = footprint.unit or "kgCO2e"
    summary = Table(title=f"{footprint.parts_name} — CFP in {unit}")
    for column in ("stage", "total", "own", "components", "known"):
        summary.add_column(column, justify="left" if column == "stage" else "right")
    for stage, values in footprint.stages.items():
        summary.add_row(
            stage.value,
            shown(values.total),
            shown(values.own),
            shown(values.components),
            shown(values.known),
        )
    summary.add_row("total", shown(footprint.total), "", "", shown(footprint.known))
    console.print(summary)
    unknown = [
        (stage, part) for stage, values in footprint.stages.items() for part in values.unknown
    ]
    if not unknown:
        console.print("every part has a known value")
        return
    missing = Table(title="parts without a known value")
    for column in ("part", "stage", "reason", "who must act"):
        missing.add_column(column)
    for stage, part in unknown:
        who = part.supplier_operator_id
        missing.add_row(
            part.parts_name,
            stage.value,
            part.reason.value.lower().replace("_", " "),
            "" if who is None else names.get(who, str(who)),
        )
    console.print(missing)
