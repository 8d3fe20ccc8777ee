"""A product's due-diligence report as a page of the application (what `diligence.report`
gives: coverage by material and OECD step, the risk heat map by Annex X category, open red
flags, missing answers, attestations) and as the self-contained HTML file; and the upload of
the operator's facility assurance list."""

from __future__ import annotations

from starlette.responses import HTMLResponse, Response

from battrace import errors
from battrace.diligence import report, rollup, workbooks
from battrace.diligence.facilities import import_assurances
from battrace.diligence.questions import RiskCategory
from battrace.ids import TraceId
from battrace.store.base import utcnow
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors

# The HTML report carries its own <style>: it is a file to keep, so it gets a policy of its own.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _picture(ctx: Ctx) -> rollup.ProductDd:
    caller = ctx.operator_id
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    day = utcnow().date()
    return ctx.state.read(lambda s: rollup.product_dd(s, viewer=caller, trace_id=trace_id, day=day))


@page("/parts/{trace_id:uuid}/dd")
def report_page(ctx: Ctx) -> Response:
    picture = _picture(ctx)
    return ctx.render(
        "dd_report.html",
        report=report.to_dict(picture),
        categories=[c.value for c in RiskCategory],
        steps=[str(step) for step in range(1, 6)],
    )


@page("/parts/{trace_id:uuid}/dd/report.html")
def report_file(ctx: Ctx) -> Response:
    html = report.render_html(_picture(ctx), words=ctx.t)
    response = HTMLResponse(html)
    response.headers["Content-Security-Policy"] = REPORT_POLICY
    return ctx.finish(response)


@page("/dd/assurances")
def assurances_form(ctx: Ctx) -> Response:
    return ctx.render("dd_assurances.html", errors=FormErrors(), imported=None)


@page("/dd/assurances", methods=("POST",))
def assurances_upload(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    form_errors = FormErrors()
    upload = ctx.files.get("file")
    if upload is None:
        form_errors.add("file", ctx.t("dd.file_missing"))
        return ctx.render("dd_assurances.html", status=400, errors=form_errors, imported=None)
    try:
        entries = workbooks.parse_assurance_list(upload.content)
        count = ctx.state.write(lambda s: import_assurances(s, caller=caller, entries=entries))
    except errors.InvalidRequest as exc:
        form_errors.add("file", exc.message)
        return ctx.render("dd_assurances.html", status=400, errors=form_errors, imported=None)
    return ctx.render("dd_assurances.html", errors=form_errors, imported=count)
