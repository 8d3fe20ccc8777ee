"""Recycler report pages: the caller's period reports with their recycling efficiency and
material recovery rates against the Annex XII targets, a report's detail, and the form that
submits one (one input batch, up to five output fractions), read by the API's body reader."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from starlette.responses import Response

from battrace import errors
from battrace.inputs import recycling_bodies as body_of
from battrace.recycling import materials, reports
from battrace.recycling.rules import Category, Element
from battrace.traceability import parts
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors

OUTPUTS = range(1, 6)
REPORT_FIELDS = (
    "facility",
    "periodStart",
    "periodEnd",
    "memberState",
    "category",
    "chemistry",
    "massKg",
    "deductedKg",
    *(f"in{e.value}" for e in Element),
    *(
        f"out{k}{n}"
        for n in OUTPUTS
        for k in ("Name", "Kg", "Element", "ElementKg", "Purity", "Intermediate")
    ),
)


def _reports(
    ctx: Ctx, values: dict[str, str], form_errors: FormErrors, status: int = 200
) -> Response:
    caller = ctx.operator_id
    rows = ctx.state.read(lambda s: reports.list_reports(s, caller=caller))
    return ctx.render(
        "recycling_reports.html",
        status=status,
        reports=rows,
        values=values,
        errors=form_errors,
        categories=[(c.value, c.value) for c in Category],
        elements=[(e.value, e.value) for e in Element],
        outputs=OUTPUTS,
    )


@page("/recycling/reports")
def report_list(ctx: Ctx) -> Response:
    return _reports(ctx, dict.fromkeys(REPORT_FIELDS, ""), FormErrors())


def _body(values: dict[str, str]) -> dict[str, Any]:
    outputs = []
    for n in OUTPUTS:
        if not values[f"outName{n}"] and not values[f"outKg{n}"]:
            continue
        intermediate = values[f"outIntermediate{n}"] == "1"
        element = values[f"outElement{n}"]
        outputs.append(
            {
                "name": values[f"outName{n}"],
                "massKg": values[f"outKg{n}"],
                "final": not intermediate,
                "counts": not intermediate,
                "usable": not intermediate,
                "elements": {element: values[f"outElementKg{n}"]} if element else {},
                "purityPercent": values[f"outPurity{n}"],
            }
        )
    return {
        "facility": values["facility"],
        "periodStart": values["periodStart"],
        "periodEnd": values["periodEnd"],
        "memberState": values["memberState"],
        "category": values["category"],
        "inputs": [
            {
                "chemistry": values["chemistry"],
                "massKg": values["massKg"],
                "deductedKg": values["deductedKg"],
                "elements": {
                    e.value: values[f"in{e.value}"] for e in Element if values[f"in{e.value}"]
                },
            }
        ],
        "outputs": outputs,
    }


@page("/recycling/reports", methods=("POST",))
def report_submit(ctx: Ctx) -> Response:
    values = {name: ctx.value(name) for name in REPORT_FIELDS}
    caller = ctx.operator_id
    try:
        write = body_of.report(_body(values))
        view = ctx.state.write(lambda s: reports.submit_report(s, caller=caller, report=write))
    except errors.InvalidRequest as exc:
        return _reports(ctx, values, FormErrors().place(exc), status=400)
    except errors.AccessDenied as exc:
        return _reports(ctx, values, FormErrors(general=[exc.message]), status=403)
    return ctx.redirect(f"/recycling/reports/{view.report_id}", flash="rec.report_saved")


@page("/recycling/reports/{report_id:uuid}")
def report_detail(ctx: Ctx) -> Response:
    report_id: uuid.UUID = ctx.request.path_params["report_id"]
    caller = ctx.operator_id
    view = ctx.state.read(lambda s: reports.get_report(s, caller=caller, report_id=report_id))
    return ctx.render("recycling_report.html", report=view)


@page("/recycling/content")
def content_page(ctx: Ctx) -> Response:
    """A product's recycled content against Art. 8 (pick a part and a date)."""
    caller = ctx.operator_id
    own, _ = ctx.state.read(
        lambda s: parts.list_parts(
            s, caller=caller, part_filter=parts.PartFilter(parent_only=True), limit=500, after=None
        )
    )
    chosen, placed = ctx.value("traceId"), ctx.value("placedOnMarket") or "2031-08-18"
    result, form_errors = None, FormErrors()
    if chosen:
        try:
            trace_id = body_of.uuid_field(chosen, "traceId")
            when = body_of.date_field(placed, "placedOnMarket") or date(2031, 8, 18)
            lmt = ctx.value("lmt") == "1"
            result = ctx.state.read(
                lambda s: materials.model_content(
                    s,
                    caller=caller,
                    trace_id=trace_id,
                    placed_on_market=when,
                    lmt=lmt,
                    disclose_by_default=ctx.state.settings.disclose_by_default,
                )
            )
        except errors.InvalidRequest as exc:
            form_errors.place(exc)
    return ctx.render(
        "recycling_content.html",
        products=[(str(p.trace_id), p.parts_name) for p in own],
        chosen=chosen,
        placed=placed,
        result=result,
        errors=form_errors,
    )


@page("/recycling/content/passport", methods=("POST",))
def content_to_passport(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    trace_id = body_of.uuid_field(ctx.value("traceId"), "traceId")
    placed = ctx.value("placedOnMarket")
    when = body_of.date_field(placed, "placedOnMarket") or date(2031, 8, 18)
    found = ctx.state.write(
        lambda s: materials.model_content(
            s,
            caller=caller,
            trace_id=trace_id,
            placed_on_market=when,
            fill_passport=True,
            disclose_by_default=ctx.state.settings.disclose_by_default,
        )
    )
    flash = "rec.passport_filled" if found.passport_models else "rec.passport_none"
    return ctx.redirect(
        f"/recycling/content?traceId={trace_id}&placedOnMarket={placed}", flash=flash
    )
