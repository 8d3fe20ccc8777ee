"""Register a product, or any part, with its structure: the parent and its children with the
amount of each per unit of the parent. A child opened from its own page gets a structure of
its own, so a product has as many levels as it needs. Checked by the contract's rules (#5/#6)
and saved by the same service as `PUT partsStructure`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.identity import plants
from battrace.ids import TraceId
from battrace.inputs import validators
from battrace.traceability import parts
from battrace.traceability.models import AmountUnit
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, number

BLANK_ROWS = 3
PART_FIELDS = ("plantId", "partsName", "supportPartsName", "amountRequiredUnit", "partsLabelName")


@dataclass
class PartRow:
    """One part as the form shows it (text as typed)."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PART_FIELDS, ""))
    trace_id: str = ""
    amount: str = ""
    terminated: bool = False

    @property
    def blank(self) -> bool:
        return not (self.values["partsName"] or self.amount or self.values["supportPartsName"])


def _row_of(part: Any, amount: Decimal | None = None) -> PartRow:  # noqa: ANN401 (a Part)
    unit = part.amount_required_unit.value if part.amount_required_unit else ""
    return PartRow(
        {
            "plantId": str(part.plant_id),
            "partsName": part.parts_name,
            "supportPartsName": part.support_parts_name or "",
            "amountRequiredUnit": unit,
            "partsLabelName": part.parts_label_name or "",
        },
        str(part.trace_id),
        "" if amount is None else format(amount, "f"),
        part.terminated_flag,
    )


def _body(ctx: Ctx, row: PartRow, *, child: bool, amount: Decimal | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "traceId": row.trace_id or None,
        "operatorId": str(ctx.operator_id),
        "terminatedFlag": row.terminated,
        "amountRequired": amount if child else None,
    }
    for name in PART_FIELDS:
        body[name] = row.values[name] or None
    return body


def _form(
    ctx: Ctx,
    parent: PartRow,
    children: list[PartRow],
    form_errors: FormErrors,
    *,
    status: int = 200,
) -> Response:
    caller = ctx.operator_id
    plant_rows = ctx.state.read(lambda s: plants.list_plants(s, caller=caller))
    rows = [c for c in children if not c.blank]
    more = int(ctx.value("rows") or BLANK_ROWS) if ctx.value("rows").isdigit() else BLANK_ROWS
    rows += [PartRow() for _ in range(min(max(more, 1), 50))]
    return ctx.render(
        "structure.html",
        status=status,
        parent=parent,
        children=rows,
        errors=form_errors,
        plants=[(str(p.id), p.name) for p in plant_rows],
        units=[(unit.value, ctx.t(f"unit.{unit.value}")) for unit in AmountUnit],
    )


@page("/parts/new")
def new_product(ctx: Ctx) -> Response:
    return _form(ctx, PartRow(), [], FormErrors())


@page("/parts/{trace_id:uuid}/structure")
def edit_structure(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    caller = ctx.operator_id
    structure = ctx.state.read(lambda s: parts.get_structure(s, caller=caller, trace_id=trace_id))
    children = [_row_of(c.part, c.amount_required) for c in structure.children]
    return _form(ctx, _row_of(structure.parent), children, FormErrors())


def _read_rows(ctx: Ctx) -> tuple[PartRow, list[PartRow]]:
    parent = PartRow({name: ctx.value(f"parent_{name}") for name in PART_FIELDS})
    parent.trace_id = ctx.value("parent_traceId")
    columns = {
        name: ctx.values(f"child_{name}")
        for name in (*PART_FIELDS, "traceId", "amount", "terminated")
    }
    count = len(columns["partsName"])
    children = []
    for index in range(count):

        def cell(name: str, i: int = index) -> str:
            values = columns[name]
            return values[i] if i < len(values) else ""

        row = PartRow(
            {name: cell(name) for name in PART_FIELDS},
            cell("traceId"),
            cell("amount"),
            cell("terminated") == "1",
        )
        if not row.blank:
            if not row.values["plantId"]:
                row.values["plantId"] = parent.values["plantId"]
            children.append(row)
    return parent, children


@page("/parts/structure", methods=("POST",))
def save_structure(ctx: Ctx) -> Response:
    parent, children = _read_rows(ctx)
    form_errors = FormErrors()
    amounts = [
        number(row.amount, f"childrenPartsModel[{i}].amountRequired", form_errors)
        for i, row in enumerate(children)
    ]
    parent_body = _body(ctx, parent, child=False, amount=None)
    child_bodies = [
        _body(ctx, row, child=True, amount=amount)
        for row, amount in zip(children, amounts, strict=True)
    ]
    caller = ctx.operator_id
    if form_errors:  # a value that is not a number is shown alone, as typed
        return _form(ctx, parent, children, form_errors, status=400)
    try:
        if child_bodies:
            parent_write, child_writes = validators.read_structure(
                {"parentPartsModel": parent_body, "childrenPartsModel": child_bodies}
            )
        else:
            parent_write, child_writes = validators.read_parent_part(parent_body), []

        def save(session: Session) -> uuid.UUID:
            saved = parts.save_structure(
                session, caller=caller, parent=parent_write, children=child_writes
            )
            return saved.parent.trace_id

        trace_id = ctx.state.write(save)
    except errors.InvalidRequest as exc:
        # A parent alone is read as a part (#5): its problems name the part's own fields.
        form_errors.place(exc, prefix="" if child_bodies else "parentPartsModel.")
        return _form(ctx, parent, children, form_errors, status=400)
    return ctx.redirect(f"/parts/{trace_id}", flash="parts.saved")
