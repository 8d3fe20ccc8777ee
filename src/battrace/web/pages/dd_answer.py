"""The supplier's side of a DD request: the answer form generated from the request's template
(company-wide questions once, per-material questions once per requested material), the
facility list, the signer and the upstream release; saving the draft, submitting it as the
next version, sending the request back; evidence documents (upload, attach to answers,
download); filling the draft from a CMRT/EMRT workbook.

Form fields are named by the question's slot in that fixed order (`a3` the value, `e3` the
documents attached, `c3` the comment kept as it was), facilities by row (`f_name`, …).
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.diligence import evidence, exchange, workbook_answers
from battrace.diligence.models import AssuranceStatus, DdResponse
from battrace.diligence.questions import AnswerType, DocumentType, Question
from battrace.diligence.templates import Template
from battrace.diligence.workbook_cells import WorkbookInvalid
from battrace.store.base import tidy_decimal, utcnow
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, flag, number, optional
from battrace.web.pages.cfp import file_response
from battrace.web.pages.dd_requests import dd_overdue, parse_date, request_id_of, request_page_data

BLANK_FACILITY_ROWS = 3
FACILITY_FIELDS = ("material", "cid", "name", "country", "status")
_PROBLEM = re.compile(r"^([\w.\[\]]+): (.*)$", re.DOTALL)
_INDEXED = re.compile(r"^(answers|facilities)\[(\d+)\](?:\.(\w+))?$")
EVIDENCE_FIELDS = {
    "documentType": "ev_type",
    "title": "ev_title",
    "fileName": "ev_file",
    "contentType": "ev_file",
    "content": "ev_file",
    "confidentiality": "ev_confidentiality",
    "validTo": "ev_valid_to",
}


@dataclass(frozen=True)
class Slot:
    """One answer the form asks for: a question, for one material or company-wide."""

    index: int
    question: Question
    material: str | None

    @property
    def name(self) -> str:
        return f"a{self.index}"


def slots(template: Template, materials: list[str]) -> list[Slot]:
    found = [q for q in template.questions if not q.per_material]
    pairs: list[tuple[Question, str | None]] = [(q, None) for q in found]
    for material in materials:
        pairs += [(q, material) for q in template.questions if q.per_material]
    return [Slot(i, q, m) for i, (q, m) in enumerate(pairs)]


def _shown(value: Any) -> str:  # noqa: ANN401 (answers are JSON values)
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format(tidy_decimal(Decimal(str(value))), "f")
    return str(value)


def values_from(
    response: DdResponse | None, facilities: list[Any], all_slots: list[Slot]
) -> dict[str, Any]:
    """The form's values from a stored answer (the draft, or else the latest version)."""
    values: dict[str, Any] = {"release_upstream": False}
    for name in FACILITY_FIELDS:
        values[f"f_{name}"] = []
    if response is None:
        return values
    stored = {(a["code"], a.get("material")): a for a in response.answers}
    for slot in all_slots:
        answer = stored.get((slot.question.code, slot.material), {})
        values[slot.name] = _shown(answer.get("value"))
        values[f"c{slot.index}"] = answer.get("comment") or ""
        values[f"e{slot.index}"] = list(answer.get("evidence", []))
    values |= {
        "signer_name": response.signer_name or "",
        "signer_title": response.signer_title or "",
        "signer_email": response.signer_email or "",
        "release_upstream": response.release_upstream,
        "f_material": [f.material for f in facilities],
        "f_cid": [f.facility_id or "" for f in facilities],
        "f_name": [f.name for f in facilities],
        "f_country": [f.country or "" for f in facilities],
        "f_status": [f.status.value for f in facilities],
    }
    return values


def values_posted(ctx: Ctx, all_slots: list[Slot]) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: ctx.value(name) for name in ("signer_name", "signer_title", "signer_email")
    }
    values["release_upstream"] = flag(ctx.value("release_upstream"))
    for slot in all_slots:
        values[slot.name] = ctx.value(slot.name)
        values[f"c{slot.index}"] = ctx.value(f"c{slot.index}")
        values[f"e{slot.index}"] = ctx.values(f"e{slot.index}")
    for name in FACILITY_FIELDS:
        values[f"f_{name}"] = ctx.values(f"f_{name}")
    return values


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
        answerable=request.status in exchange.ANSWERABLE,
        workbook=workbook,
        workbook_error=workbook_error,
        overdue=dd_overdue(request, utcnow().date()),
        **data,
    )


def _page_data(ctx: Ctx) -> dict[str, Any]:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    data = ctx.state.read(lambda s: request_page_data(s, caller, request_id))
    if data["as_customer"]:
        raise errors.NotFound("request")
    return data


# ------------------------------------------------------------------------ the answer form


@dataclass
class Answer:
    answers: list[exchange.AnswerWrite]
    answer_fields: list[str]  # the form field of each answer, to place its error
    facilities: list[exchange.FacilityWrite]
    facility_rows: list[int]
    signer: exchange.Signer
    release_upstream: bool


def _slot_value(slot: Slot, text: str, form_errors: FormErrors) -> Any:  # noqa: ANN401
    kind = slot.question.answer_type
    if kind in (AnswerType.FACILITY_LIST, AnswerType.DOCUMENT) or not text:
        return None
    if kind in (AnswerType.PERCENT, AnswerType.NUMBER):
        value = number(text, slot.name, form_errors)
        return None if value is None else float(value)
    return text


def read_answer(ctx: Ctx, all_slots: list[Slot], form_errors: FormErrors) -> Answer:
    answer = Answer([], [], [], [], exchange.Signer(None, None, None), False)
    for slot in all_slots:
        text = ctx.value(slot.name)
        comment = optional(ctx.value(f"c{slot.index}"))
        attached = []
        for raw in ctx.values(f"e{slot.index}"):
            try:
                attached.append(uuid.UUID(raw))
            except ValueError:
                form_errors.add(f"e{slot.index}", "not a document")
        value = _slot_value(slot, text, form_errors)
        if value is None and not comment and not attached and not text:
            continue
        answer.answers.append(
            exchange.AnswerWrite(slot.question.code, slot.material, value, comment, tuple(attached))
        )
        answer.answer_fields.append(slot.name)
    columns = {name: ctx.values(f"f_{name}") for name in FACILITY_FIELDS}
    for row in range(len(columns["name"])):
        cell = {name: (columns[name][row] if row < len(columns[name]) else "") for name in columns}
        if not (cell["cid"] or cell["name"] or cell["country"]):
            continue
        answer.facilities.append(
            exchange.FacilityWrite(
                material=cell["material"],
                facility_id=optional(cell["cid"]),
                name=cell["name"],
                country=optional(cell["country"]),
                status=optional(cell["status"]),
            )
        )
        answer.facility_rows.append(row)
    answer.signer = exchange.Signer(
        optional(ctx.value("signer_name")),
        optional(ctx.value("signer_title")),
        optional(ctx.value("signer_email")),
    )
    answer.release_upstream = flag(ctx.value("release_upstream"))
    return answer


def place_problems(message: str, answer: Answer, form_errors: FormErrors) -> None:
    """Put each of the domain's `where: message` problems beside the field it is about."""
    for part in message.split("; "):
        match = _PROBLEM.match(part.strip())
        if match is None:
            form_errors.general.append(part)
            continue
        where, text = match.group(1), match.group(2).rstrip(".")
        indexed = _INDEXED.match(where)
        if indexed and indexed.group(1) == "answers":
            index = int(indexed.group(2))
            if index < len(answer.answer_fields):
                form_errors.add(answer.answer_fields[index], text)
                continue
        elif indexed:
            index = int(indexed.group(2))
            if index < len(answer.facility_rows):
                column = {"facilityId": "cid"}.get(indexed.group(3) or "name", indexed.group(3))
                form_errors.add(f"f{answer.facility_rows[index]}-{column}", text)
                continue
        elif where.startswith("signer"):
            form_errors.add(f"signer_{where.partition('.')[2] or 'name'}", text)
            continue
        form_errors.general.append(part)


def _save(ctx: Ctx, *, then_submit: bool) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    data = _page_data(ctx)
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
        draft = exchange.save_draft(
            session,
            caller=caller,
            request_id=request_id,
            answers=answer.answers,
            facilities=answer.facilities,
            signer=answer.signer,
            release_upstream=answer.release_upstream,
        )
        if then_submit:
            return exchange.submit(session, caller=caller, request_id=request_id)
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
        lambda s: exchange.send_back(s, caller=caller, request_id=request_id, reply_message=reason)
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
        return answer_page(ctx, _page_data(ctx), form_errors=form_errors, status=400)
    try:
        result = ctx.state.write(
            lambda s: workbook_answers.fill_draft(
                s, caller=caller, request_id=request_id, content=upload.content
            )
        )
    except WorkbookInvalid as exc:
        return answer_page(ctx, _page_data(ctx), workbook_error=exc, status=400)
    return answer_page(ctx, _page_data(ctx), workbook=result)


# ------------------------------------------------------------------------ evidence


def _content_type(file_name: str, sent: str | None) -> str:
    if sent in evidence.ALLOWED_TYPES:
        return sent
    guessed, _ = mimetypes.guess_type(file_name)
    return guessed or sent or "application/octet-stream"


@page("/dd/{request_id:uuid}/evidence", methods=("POST",))
def upload_evidence(ctx: Ctx) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    data = _page_data(ctx)
    form_errors = FormErrors()
    upload = ctx.files.get("ev_file")
    valid_to = parse_date(ctx.value("ev_valid_to"), "ev_valid_to", form_errors, ctx)
    if upload is None:
        form_errors.add("ev_file", ctx.t("dd.file_missing"))
    if form_errors or upload is None:
        return answer_page(ctx, data, form_errors=form_errors, status=400)
    write = evidence.EvidenceWrite(
        document_type=ctx.value("ev_type"),
        title=ctx.value("ev_title") or upload.file_name,
        file_name=upload.file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1],
        content_type=_content_type(upload.file_name, upload.content_type),
        confidentiality=ctx.value("ev_confidentiality"),
        issuer=optional(ctx.value("ev_issuer")),
        third_party=flag(ctx.value("ev_third_party")),
        valid_to=valid_to,
    )
    try:
        ctx.state.write(
            lambda s: evidence.store_evidence(s, caller=caller, write=write, content=upload.content)
        )
    except errors.InvalidRequest as exc:
        for part in exc.message.rstrip(".").split("; "):
            name, _, text = part.partition(": ")
            if name in EVIDENCE_FIELDS:
                form_errors.add(EVIDENCE_FIELDS[name], text.rstrip("."))
            else:
                form_errors.general.append(part)
        return answer_page(ctx, data, form_errors=form_errors, status=400)
    return ctx.redirect(f"/dd/{request_id}#evidence", flash="dd.evidence_uploaded")


@page("/dd/evidence/{evidence_id:uuid}")
def evidence_download(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    evidence_id: uuid.UUID = ctx.request.path_params["evidence_id"]

    def read(session: Session) -> tuple[str, bytes]:
        row = evidence.read_content(session, caller=caller, evidence_id=evidence_id)
        return row.file_name, row.content

    file_name, content = ctx.state.read(read)
    extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
    return file_response(file_name, extension, content)
