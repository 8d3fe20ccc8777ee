"""The supplier's side of a DD request: the answer form generated from the request's template
(`dd_answer_form` maps it to the domain), the facility list, the signer and the upstream
release; saving the draft, submitting it as the next version, sending the request back;
filling the draft from a CMRT/EMRT workbook. `/dd/{id}` itself is here too: the customer
sees the request (`dd_request.html`), the supplier this form. Evidence documents have their
pages in `dd_evidence`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.diligence import answering, evidence, requesting, workbook_answers, workbooks
from battrace.diligence.models import AssuranceStatus, DdResponse
from battrace.diligence.questions import DocumentType
from battrace.diligence.workbook_cells import WorkbookInvalid
from battrace.store.base import utcnow
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, optional
from battrace.web.pages.dd_answer_form import (
    FACILITY_FIELDS,
    place_problems,
    read_answer,
    slots,
    values_from,
    values_posted,
)
from battrace.web.pages.dd_requests import dd_overdue, request_id_of, request_page_data

BLANK_FACILITY_ROWS = 3


def answer_page(
    ctx: Ctx,
    data: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    form_errors: FormErrors | None = None,
    status: int = 200,
    workbook: dict[str, Any] | None = None,
    workbook_error: WorkbookInvalid | None = None,
) -> Response:
    caller = ctx.operator_id
    request = data["dd"]
    all_slots = slots(data["dd_template"], request.materials)
    documents = ctx.state.read(lambda s: evidence.list_own(s, caller=caller))
    if values is None:
        shown = data["versions"][0] if data["versions"] else None
        values = values_from(
            shown.response if shown else None, shown.facilities if shown else [], all_slots
        )
    groups = [(None, [s for s in all_slots if s.material is None])] + [
        (m, [s for s in all_slots if s.material == m]) for m in request.materials
    ]
    columns = {name: values[f"f_{name}"] for name in FACILITY_FIELDS}
    filled = max(len(column) for column in columns.values())
    rows = [
        {name: column[row] if row < len(column) else "" for name, column in columns.items()}
        for row in range(filled + BLANK_FACILITY_ROWS)
    ]
    return ctx.render(
        "dd_answer.html",
        status=status,
        groups=[(m, group) for m, group in groups if group],
        values=values,
        errors=form_errors or FormErrors(),
        documents=documents,
        facility_rows=rows,
        statuses=[s.value for s in AssuranceStatus],
        document_types=[d.value for d in DocumentType],
        answerable=request.status in requesting.ANSWERABLE,
        workbook=workbook,
        workbook_error=workbook_error,
        overdue=dd_overdue(request, utcnow().date()),
        **data,
    )


def supplier_page_data(ctx: Ctx) -> dict[str, Any]:
    """The request's page data for its supplier; its customer has no answer form here."""
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    data = ctx.state.read(lambda s: request_page_data(s, caller, request_id))
    if data["as_customer"]:
        raise errors.NotFound("request")
    return data


def _save(ctx: Ctx, *, then_submit: bool) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    data = supplier_page_data(ctx)
    all_slots = slots(data["dd_template"], data["dd"].materials)
    form_errors = FormErrors()
    answer = read_answer(ctx, all_slots, form_errors)

    def again(status: int = 400) -> Response:
        return answer_page(
            ctx, data, values=values_posted(ctx, all_slots), form_errors=form_errors, status=status
        )

    if form_errors:
        return again()

    def write(session: Session) -> DdResponse:
        draft = answering.save_draft(
            session,
            caller=caller,
            request_id=request_id,
            answers=answer.answers,
            facilities=answer.facilities,
            signer=answer.signer,
            release_upstream=answer.release_upstream,
        )
        if then_submit:
            return answering.submit(session, caller=caller, request_id=request_id)
        return draft

    try:
        saved = ctx.state.write(write)
    except errors.InvalidRequest as exc:
        place_problems(exc.message, answer, form_errors)
        return again()
    if then_submit:
        return ctx.redirect(
            f"/dd/{request_id}", flash="=" + ctx.t("dd.submitted", version=saved.version)
        )
    return ctx.redirect(f"/dd/{request_id}", flash="dd.draft_saved")


@page("/dd/{request_id:uuid}/draft", methods=("POST",))
def save_draft(ctx: Ctx) -> Response:
    return _save(ctx, then_submit=False)


@page("/dd/{request_id:uuid}/submit", methods=("POST",))
def submit(ctx: Ctx) -> Response:
    return _save(ctx, then_submit=True)


@page("/dd/{request_id:uuid}/send-back", methods=("POST",))
def send_back(ctx: Ctx) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    reason = optional(ctx.value("reason"))
    ctx.state.write(
        lambda s: requesting.send_back(
            s, caller=caller, request_id=request_id, reply_message=reason
        )
    )
    return ctx.redirect("/dd/received", flash="dd.sent_back")


# ------------------------------------------------------------------------ workbook


@page("/dd/{request_id:uuid}/workbook", methods=("POST",))
def import_workbook(ctx: Ctx) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    upload = ctx.files.get("workbook")
    if upload is None:
        form_errors = FormErrors()
        form_errors.add("workbook", ctx.t("dd.file_missing"))
        return answer_page(ctx, supplier_page_data(ctx), form_errors=form_errors, status=400)
    try:
        parsed = workbooks.parse_workbook(upload.content)  # outside the write transaction
        result = ctx.state.write(
            lambda s: workbook_answers.fill_draft(
                s, caller=caller, request_id=request_id, parsed=parsed
            )
        )
    except WorkbookInvalid as exc:
        return answer_page(ctx, supplier_page_data(ctx), workbook_error=exc, status=400)
    return answer_page(ctx, supplier_page_data(ctx), workbook=result)


@page("/dd/{request_id:uuid}")
def request_detail(ctx: Ctx) -> Response:
    """A request as its customer sees it, or its answer form for the supplier."""
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    data = ctx.state.read(lambda s: request_page_data(s, caller, request_id))
    if not data["as_customer"]:
        return answer_page(ctx, data)
    return ctx.render(
        "dd_request.html",
        today=utcnow().date(),
        overdue=dd_overdue(data["dd"], utcnow().date()),
        **data,
    )
