"""A product's footprint report in three forms: a JSON-ready dict (footprint and, if given, its
EU battery declaration), a CSV with one row per contribution and per unknown part, and a
self-contained HTML page with inline SVG charts (`charts`) and the declaration table.

JSON numbers are the values rounded up to 5 decimals (the contract's edge rule); the CSV keeps
the exact values, so its rows add up to the footprint's totals. The HTML page is rendered by
Jinja2 with autoescaping from `templates/report.html.j2`; it loads nothing from elsewhere.
"""

from __future__ import annotations

import csv
import functools
import heapq
import io
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup, escape

from battrace.footprint.charts import (
    ENGLISH,
    ChartLabels,
    number,
    pareto,
    percent,
    stage_bars,
    supply_tree,
)
from battrace.footprint.declaration import DECLARED_UNIT, Declaration
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.plan import ZERO, share
from battrace.footprint.report_words import Words, english
from battrace.footprint.result import Contribution, Footprint, StageFootprint, UnknownPart
from battrace.notes import Note
from battrace.traceability.combine import round_up5
from battrace.traceability.stages import Dqr

JsonValue = Any  # what json.dumps accepts: dict, list, str, float, bool, None

CSV_COLUMNS = (
    "row",  # contribution | unknown
    "stage",
    "part",
    "trace_id",
    "supplier",
    "supplier_operator_id",
    "origin",
    "provenance",
    "quantity",  # of the part per unit of the product, over all paths
    "quantity_unit",
    "value",  # kgCO2e per unit of the part
    "emission",  # quantity x value, kgCO2e per unit of the product
    "share",  # of the footprint's known total, both stages
    "unknown_reason",
    "quantity_share",  # unknown parts: of the product's input parts in the same unit
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Contribution rows the HTML report lists, largest first; the others are summed in one row
# (a product of 20,000 parts has some 80,000 contributions: the CSV lists them all).
REPORT_CONTRIBUTIONS = 500


def _json_number(value: Decimal | None) -> float | None:
    rounded = round_up5(value)
    return None if rounded is None else float(rounded)


def _supplier_label(operator_id: uuid.UUID | None, names: Mapping[uuid.UUID, str]) -> str:
    if operator_id is None:
        return ""
    return names.get(operator_id, str(operator_id))


def _dqr_dict(dqr: Dqr) -> dict[str, JsonValue]:
    return {
        "TeR": _json_number(dqr.ter),
        "GeR": _json_number(dqr.ger),
        "TiR": _json_number(dqr.tir),
    }


def _part_keys(
    part: Contribution | UnknownPart, names: Mapping[uuid.UUID, str]
) -> dict[str, JsonValue]:
    return {
        "traceId": str(part.trace_id),
        "partsName": part.parts_name,
        "supplierOperatorId": _optional_str(part.supplier_operator_id),
        "supplier": _supplier_label(part.supplier_operator_id, names) or None,
    }


def _contribution_dict(
    contribution: Contribution, known: Decimal, names: Mapping[uuid.UUID, str]
) -> dict[str, JsonValue]:
    return {
        **_part_keys(contribution, names),
        "origin": contribution.origin.value,
        "provenance": contribution.provenance.value,
        "quantity": _json_number(contribution.quantity),
        "value": _json_number(contribution.value),
        "emission": _json_number(contribution.emission),
        "share": _json_number(share(contribution.emission, known)),
    }


def _unknown_dict(part: UnknownPart, names: Mapping[uuid.UUID, str]) -> dict[str, JsonValue]:
    return {
        **_part_keys(part, names),
        "reason": part.reason.value,
        "quantity": _json_number(part.quantity),
        "unit": part.unit,
        "quantityShare": _json_number(part.quantity_share),
    }


def _optional_str(value: object | None) -> str | None:
    return None if value is None else str(value)


def _stage_dict(
    stage: StageFootprint, known: Decimal, names: Mapping[uuid.UUID, str]
) -> dict[str, JsonValue]:
    return {
        "total": _json_number(stage.total),
        "own": _json_number(stage.own),
        "components": _json_number(stage.components),
        "known": _json_number(stage.known),
        "primary": _json_number(stage.primary),
        "secondary": _json_number(stage.secondary),
        "assumed": _json_number(stage.assumed),
        "primaryShare": _json_number(stage.primary_share),
        "dqr": _dqr_dict(stage.dqr),
        "contributions": [_contribution_dict(c, known, names) for c in stage.contributions],
        "unknown": [_unknown_dict(u, names) for u in stage.unknown],
    }


def footprint_to_dict(
    footprint: Footprint, *, supplier_names: Mapping[uuid.UUID, str] | None = None
) -> dict[str, JsonValue]:
    """The footprint as JSON-ready data (camelCase keys; numbers rounded up to 5 decimals)."""
    names = supplier_names or {}
    known = footprint.known
    return {
        "traceId": str(footprint.root),
        "partsName": footprint.parts_name,
        "viewerOperatorId": str(footprint.viewer),
        "unit": footprint.unit,
        "exact": footprint.exact,
        "complete": footprint.total is not None,
        "total": _json_number(footprint.total),
        "known": _json_number(known),
        "primaryShare": _json_number(footprint.primary_share),
        "stages": {
            stage.value: _stage_dict(values, known, names)
            for stage, values in footprint.stages.items()
        },
        "unknownParts": [str(trace_id) for trace_id in footprint.unknown_parts],
    }


def declaration_to_dict(
    declaration: Declaration, *, supplier_names: Mapping[uuid.UUID, str] | None = None
) -> dict[str, JsonValue]:
    """The declaration as JSON-ready data, with Battery Pass 1.2 names where they exist."""
    names = supplier_names or {}
    return {
        "provisional": declaration.provisional,
        "methodNote": declaration.method_note,
        "regulation": "Regulation (EU) 2023/1542, Art. 7 and Annex II",
        "functionalUnit": "1 kWh of the total energy delivered over the service life",
        "unit": DECLARED_UNIT,
        "traceId": str(declaration.trace_id),
        "partsName": declaration.parts_name,
        "battery": {
            "vehicleCategory": declaration.vehicle_category.value,
            "usableEnergyKwh": _json_number(declaration.usable_energy_kwh),
            "fullEquivalentCyclesPerYear": _json_number(declaration.cycles_per_year),
            "cyclesJustification": declaration.cycles_justification,
            "serviceLifeYears": _json_number(declaration.service_life_years),
            "totalEnergyKwh": _json_number(declaration.total_energy_kwh),
        },
        "complete": declaration.complete,
        "batteryCarbonFootprint": _json_number(declaration.kg_co2e_per_kwh),
        "carbonFootprintPerLifecycleStage": [
            {
                "lifecycleStage": stage.stage.value,
                "label": stage.stage.label,
                "carbonFootprint": _json_number(stage.kg_co2e_per_kwh),
                "kgCo2ePerBattery": _json_number(stage.kg_co2e_per_battery),
            }
            for stage in declaration.stages
        ],
        "kgCo2ePerBattery": _json_number(declaration.kg_co2e_per_battery),
        "carbonFootprintStudy": declaration.study_link,
        "unknownParts": [_unknown_dict(part, names) for part in declaration.unknown_parts],
        "missingInputs": [stage.value for stage in declaration.missing_inputs],
        "warnings": list(declaration.warnings),
        "exact": declaration.exact,
    }


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _exact(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def footprint_csv(
    footprint: Footprint, *, supplier_names: Mapping[uuid.UUID, str] | None = None
) -> str:
    """One row per contribution and per unknown part and stage, with exact values; the
    contributions of a stage add up to its known value (its total when nothing is unknown)."""
    names = supplier_names or {}
    known = footprint.known
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for stage, values in footprint.stages.items():
        for c in values.contributions:
            writer.writerow(
                (
                    "contribution",
                    stage.value,
                    _cell(c.parts_name),
                    c.trace_id,
                    _cell(_supplier_label(c.supplier_operator_id, names)),
                    _optional_str(c.supplier_operator_id) or "",
                    c.origin.value,
                    c.provenance.value,
                    _exact(c.quantity),
                    "",
                    _exact(c.value),
                    _exact(c.emission),
                    _exact(round_up5(share(c.emission, known))),
                    "",
                    "",
                )
            )
        for u in values.unknown:
            writer.writerow(
                (
                    "unknown",
                    stage.value,
                    _cell(u.parts_name),
                    u.trace_id,
                    _cell(_supplier_label(u.supplier_operator_id, names)),
                    _optional_str(u.supplier_operator_id) or "",
                    "",
                    "unknown",
                    _exact(u.quantity),
                    u.unit or "",
                    "",
                    "",
                    "",
                    u.reason.value,
                    _exact(round_up5(u.quantity_share)),
                )
            )
    return out.getvalue()


def _declaration_rows(declaration: Declaration) -> list[dict[str, str]]:
    total = declaration.kg_co2e_per_kwh
    return [
        {
            "stage": stage.stage.label,
            "name": stage.stage.value,
            "per_battery": number(stage.kg_co2e_per_battery, 5),
            "per_kwh": number(stage.kg_co2e_per_kwh, 5),
            "share": percent(
                None
                if total is None or stage.kg_co2e_per_kwh is None
                else share(stage.kg_co2e_per_kwh, total)
            ),
        }
        for stage in declaration.stages
    ]


@functools.cache
def _template() -> Template:
    """The report template, compiled once per process (compiling costs more than rendering)."""
    env = Environment(
        loader=PackageLoader("battrace.footprint", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2")


def _emphasis(words: Words) -> Callable[..., Markup]:
    """`emphasised(key, word_key, **values)`: the words of `key` with the `{word}` in it (the
    words of `word_key`) in <strong>, every part escaped."""

    def emphasised(key: str, word_key: str, **values: object) -> Markup:
        text = escape(words(key, word="\x00", **values))
        strong = Markup("<strong>%s</strong>") % words(word_key)
        return Markup(text.replace("\x00", strong))  # noqa: S704 (escaped above)

    return emphasised


def render_html(
    footprint: Footprint,
    graph: FootprintGraph,
    *,
    declaration: Declaration | None = None,
    supplier_names: Mapping[uuid.UUID, str] | None = None,
    generated_at: datetime | None = None,
    labels: ChartLabels = ENGLISH,
    words: Words = english,
) -> str:
    """The report as one HTML page: summary, three inline SVG charts, unknown parts, the
    largest contributions (the rest summed in one row), and the declaration table when
    `declaration` is given. `labels` are the words of the charts and the stage names,
    `words(key, **values)` its headings (`report_words`), in the reader's language (English
    by default)."""
    names = supplier_names or {}
    unit = footprint.unit or words("fp_file.per_unit")
    known = footprint.known
    stages = [
        {
            "label": labels.stage(stage),
            "total": number(values.total),
            "own": number(values.own),
            "components": number(values.components),
            "known": number(values.known),
            "primary_share": percent(values.primary_share),
            "unknown": len(values.unknown),
        }
        for stage, values in footprint.stages.items()
    ]
    every = [(stage, c) for stage, values in footprint.stages.items() for c in values.contributions]
    # The page lists the largest contributions; the rest is one summary row (the CSV has all).
    contributions = heapq.nlargest(REPORT_CONTRIBUTIONS, every, key=lambda item: item[1].emission)
    listed = {id(c) for _, c in contributions}
    rest = [c.emission for _, c in every if id(c) not in listed]
    unknown = [
        {
            "stage": labels.stage(stage),
            "name": u.parts_name,
            "trace_id": str(u.trace_id),
            "supplier": _supplier_label(u.supplier_operator_id, names),
            "reason": u.reason.value,
            "quantity": number(u.quantity, 5),
            "unit": u.unit or "",
            "quantity_share": percent(u.quantity_share),
        }
        for stage, values in footprint.stages.items()
        for u in values.unknown
    ]
    rest_emission = sum(rest, ZERO)
    return _template().render(
        footprint=footprint,
        unit=unit,
        total=number(footprint.total),
        known=number(known),
        primary_share=percent(footprint.primary_share),
        stages=stages,
        charts=(
            stage_bars(footprint, unit=unit, labels=labels),
            pareto(footprint, unit=unit, labels=labels),
            supply_tree(footprint, graph, unit=unit, labels=labels),
        ),
        contributions=[
            {
                "name": c.parts_name,
                "stage": labels.stage(c_stage),
                "supplier": _supplier_label(c.supplier_operator_id, names),
                "origin": c.origin.value,
                "provenance": c.provenance.value,
                "quantity": number(c.quantity, 5),
                "value": number(c.value, 5),
                "emission": number(c.emission, 5),
                "share": percent(share(c.emission, known)),
            }
            for c_stage, c in contributions
        ],
        contributions_total=len(every),
        rest={
            "count": len(rest),
            "emission": number(rest_emission, 5),
            "share": percent(share(rest_emission, known)),
        },
        unknown=unknown,
        declaration=declaration,
        declaration_rows=[] if declaration is None else _declaration_rows(declaration),
        declaration_total=None if declaration is None else number(declaration.kg_co2e_per_kwh, 5),
        declaration_per_battery=(
            None if declaration is None else number(declaration.kg_co2e_per_battery, 5)
        ),
        generated_at=None if generated_at is None else generated_at.isoformat(timespec="seconds"),
        w=words,
        emphasised=_emphasis(words),
        say=lambda line: words(line.key, **line.values) if isinstance(line, Note) else str(line),
    )


__all__ = [
    "CSV_COLUMNS",
    "declaration_to_dict",
    "footprint_csv",
    "footprint_to_dict",
    "render_html",
]
