"""Due-diligence requests: asking the supplier of a bought-in part's trade for DD answers;
the lists of DD requests sent and received, paged; one request's page (the customer's view
with the submitted versions, the supplier's answer form from `dd_answer`), and cancelling.
Templates have their pages in `dd_templates`, one submitted version in `dd_version`.

Every read and write goes through `battrace.diligence` with the logged-in operator's id;
what the operator may not see is "not found" there, and so here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.diligence import answering, evidence, requesting, templates
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.diligence.facilities import facilities_of
from battrace.diligence.models import DdEvidence, DdFacility, DdRequest, DdResponse
from battrace.diligence.questions import Material, Question
from battrace.ids import OperatorId, TradeId
from battrace.store.base import utcnow
from battrace.traceability import trades
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors
from battrace.web.views import operator_names

MATERIALS = tuple(m.value for m in Material)
PAGE_SIZE = 20


def dd_overdue(request: DdRequest, today: date) -> bool:
    return (
        request.status in requesting.OPEN
        and request.due_date is not None
        and request.due_date < today
    )


def request_id_of(ctx: Ctx) -> uuid.UUID:
    request_id: uuid.UUID = ctx.request.path_params["request_id"]
    return request_id


# ------------------------------------------------------------------------ sending


def _trade_of_mine(session: Session, caller: OperatorId, trade_id: TradeId) -> dict[str, Any]:
    trade, part = trades.get_trade_with_part(session, caller=caller, trade_id=trade_id)
    if trade.downstream_operator_id != caller:
        raise errors.NotFound("trade")
    return {
        "trade": trade,
        "part": part,
        "names": operator_names(session, [trade.upstream_operator_id]),
        "templates": templates.list_templates(session, caller=caller),
    }


def _send_form(
    ctx: Ctx, values: dict[str, Any], form_errors: FormErrors, status: int = 200
) -> Response:
    caller, trade_id = ctx.operator_id, ctx.request.path_params["trade_id"]
    data = ctx.state.read(lambda s: _trade_of_mine(s, caller, trade_id))
    return ctx.render(
        "dd_request_form.html",
        status=status,
        values=values,
        errors=form_errors,
        materials=MATERIALS,
        **data,
    )


@page("/requests/{trade_id:uuid}/dd")
def send_form(ctx: Ctx) -> Response:
    values = {"template": str(BUILTIN_TEMPLATE_ID), "materials": [], "due": "", "message": ""}
    return _send_form(ctx, values, FormErrors())


@page("/requests/{trade_id:uuid}/dd", methods=("POST",))
def send(ctx: Ctx) -> Response:
    caller, trade_id = ctx.operator_id, ctx.request.path_params["trade_id"]
    values: dict[str, Any] = {
        "template": ctx.value("template"),
        "materials": ctx.values("materials"),
        "due": ctx.value("due"),
        "message": ctx.value("message"),
    }
    form_errors = FormErrors()
    template_id = _uuid_or_none(values["template"]) or BUILTIN_TEMPLATE_ID
    due = parse_date(values["due"], "dueDate", form_errors, ctx)
    if not values["materials"]:
        form_errors.add("materials", ctx.t("dd.pick_materials"))
    if form_errors:
        return _send_form(ctx, values, form_errors, status=400)

    def write(session: Session) -> DdRequest:
        templates.ensure_builtin(session)
        return requesting.send_request(
            session,
            caller=caller,
            trade_id=trade_id,
            template_id=template_id,
            materials=values["materials"],
            due_date=due,
            message=values["message"] or None,
        )

    try:
        made = ctx.state.write(write)
    except errors.InvalidRequest as exc:
        form_errors.place(exc)
        return _send_form(ctx, values, form_errors, status=400)
    return ctx.redirect(f"/dd/{made.id}", flash="dd.sent_flash")


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def parse_date(text: str, path: str, form_errors: FormErrors, ctx: Ctx) -> date | None:
    """A date typed in a form (YYYY-MM-DD, as `<input type=date>` sends it), or None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        form_errors.add(path, ctx.t("dd.bad_date"))
        return None


# ------------------------------------------------------------------------ listings


def part_name(session: Session, caller: OperatorId, trade_id: TradeId) -> str:
    """The customer's part a DD request is about ("" once its CFP trade is out of sight)."""
    try:
        _, part = trades.get_trade_with_part(session, caller=caller, trade_id=trade_id)
    except errors.NotFound:
        return ""
    return part.parts_name


@dataclass(frozen=True)
class RequestRow:
    request: DdRequest
    part_name: str
    latest: DdResponse | None


def _rows(
    session: Session, caller: OperatorId, direction: str, after: uuid.UUID | None
) -> dict[str, Any]:
    found, next_cursor = requesting.page_requests(
        session, caller=caller, direction=direction, after=after, limit=PAGE_SIZE
    )
    rows = []
    for request in found:
        submitted = [
            r
            for r in answering.versions(session, caller=caller, request_id=request.id)
            if r.version is not None
        ]
        rows.append(
            RequestRow(
                request,
                part_name(session, caller, TradeId(request.trade_id)),
                submitted[0] if submitted else None,
            )
        )
    others = [
        r.upstream_operator_id if direction == "sent" else r.downstream_operator_id for r in found
    ]
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "names": operator_names(session, others),
    }


def _list(ctx: Ctx, direction: str) -> Response:
    caller = ctx.operator_id
    after = _uuid_or_none(ctx.value("after"))
    data = ctx.state.read(lambda s: _rows(s, caller, direction, after))
    return ctx.render(
        "dd_list.html",
        direction=direction,
        today=utcnow().date(),
        overdue=dd_overdue,
        paged=after is not None,
        **data,
    )


@page("/dd/sent")
def sent_list(ctx: Ctx) -> Response:
    return _list(ctx, "sent")


@page("/dd/received")
def received_list(ctx: Ctx) -> Response:
    return _list(ctx, "received")


# ------------------------------------------------------------------------ one request


@dataclass(frozen=True)
class AnswerLine:
    code: str
    question: Question | None
    material: str | None
    value: Any
    comment: str | None
    documents: list[DdEvidence]


@dataclass(frozen=True)
class VersionView:
    response: DdResponse
    answers: list[AnswerLine]
    facilities: list[DdFacility]


def request_page_data(
    session: Session, caller: OperatorId, request_id: uuid.UUID
) -> dict[str, Any]:
    """A request, its part, template, parties and every version the caller may see."""
    request = requesting.visible_request(session, caller=caller, request_id=request_id)
    template = templates.template_by_id(session, request.template_id)
    found = answering.versions(session, caller=caller, request_id=request_id)
    cited = {uuid.UUID(e) for r in found for a in r.answers for e in a.get("evidence", [])}
    documents = evidence.documents(session, cited)
    facilities = facilities_of(session, [r.id for r in found])
    views = [
        VersionView(
            response,
            [
                AnswerLine(
                    a["code"],
                    template.question(a["code"]),
                    a.get("material"),
                    a.get("value"),
                    a.get("comment"),
                    [
                        documents[uuid.UUID(e)]
                        for e in a.get("evidence", [])
                        if uuid.UUID(e) in documents
                    ],
                )
                for a in response.answers
            ],
            facilities[response.id],
        )
        for response in found
    ]
    return {
        "dd": request,
        "part_name": part_name(session, caller, TradeId(request.trade_id)),
        "dd_template": template,
        "versions": views,
        "as_customer": request.downstream_operator_id == caller,
        "names": operator_names(
            session, [request.downstream_operator_id, request.upstream_operator_id]
        ),
    }


@page("/dd/{request_id:uuid}/cancel", methods=("POST",))
def cancel(ctx: Ctx) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    ctx.state.write(lambda s: requesting.cancel_request(s, caller=caller, request_id=request_id))
    return ctx.redirect(f"/dd/{request_id}", flash="dd.cancelled")
