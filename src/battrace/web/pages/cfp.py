"""A part's CFP set (the 4 values, their DQR and unit) with the contract's validation shown
beside each field, the part's certificates (upload, download, delete), and what the part's
owner discloses to each customer whose request it answers."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.ids import OperatorId, TraceId
from battrace.inputs import validators
from battrace.traceability import answers, certificates, cfp, disclosure, parts, rules
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, flag, number
from battrace.web.views import operator_names, own_part

# Form field -> the contract row it fills (cfpModel index as the body is built below).
ROWS = (
    ("pre_own", "preProduction", "preProcessing", "pre"),
    ("main_own", "mainProduction", "mainProcessing", "main"),
    ("pre_component", "preComponent", "preProcessing", "pre"),
    ("main_component", "mainComponent", "mainProcessing", "main"),
)
DQR_KEYS = ("TeR", "GeR", "TiR")
FIELD_PATHS = {name: f"cfpModel[{index}].ghgEmission" for index, (name, *_rest) in enumerate(ROWS)}
FIELD_PATHS |= {f"pre_{key}": f"cfpModel[0].dqrValue.{key}" for key in DQR_KEYS}
FIELD_PATHS |= {f"main_{key}": f"cfpModel[1].dqrValue.{key}" for key in DQR_KEYS}
FIELD_PATHS["unit"] = "cfpModel[0].ghgDeclaredUnit"


def _stored_values(rows: dict[str, Any]) -> dict[str, str]:
    def text(value: Decimal | None) -> str:
        return "" if value is None else format(value, "f")

    values: dict[str, str] = {}
    for name, cfp_type, _dqr_type, stage in ROWS:
        row = rows.get(cfp_type)
        values[name] = text(row.ghg_emission) if row else ""
        if row is not None and cfp_type.endswith("Production"):
            values |= {
                f"{stage}_TeR": text(row.ter),
                f"{stage}_GeR": text(row.ger),
                f"{stage}_TiR": text(row.tir),
            }
            values["unit"] = row.ghg_declared_unit
    return values


def _show(
    ctx: Ctx,
    trace_id: TraceId,
    values: dict[str, str],
    form_errors: FormErrors,
    status: int = 200,
) -> Response:
    part = own_part(ctx, trace_id)
    values = {**dict.fromkeys((*FIELD_PATHS, "cfpId"), ""), **values}
    if not values.get("unit") and part.amount_required_unit is not None:
        values["unit"] = f"kgCO2e/{part.amount_required_unit.value}"
    return ctx.render(
        "cfp_form.html",
        status=status,
        part=part,
        values=values,
        errors=form_errors,
        paths=FIELD_PATHS,
        units=[
            (unit, ctx.unit_name(unit))
            for unit in rules.DECLARED_UNITS
            if part.amount_required_unit is None
            or unit == f"kgCO2e/{part.amount_required_unit.value}"
            or unit == values["unit"]
        ],
    )


@page("/parts/{trace_id:uuid}/cfp")
def cfp_form(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    caller = ctx.operator_id

    def read(session: Session) -> dict[str, Any]:
        return {
            row.cfp_type.value: row
            for row in cfp.own_rows(session, owner=caller, trace_id=trace_id)
        }

    rows = ctx.state.read(read)
    values = _stored_values(rows)
    values["cfpId"] = str(next(iter(rows.values())).cfp_id) if rows else ""
    return _show(ctx, trace_id, values, FormErrors())


@page("/parts/{trace_id:uuid}/cfp", methods=("POST",))
def cfp_save(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    names = [name for name, *_ in ROWS] + [f"{s}_{k}" for s in ("pre", "main") for k in DQR_KEYS]
    values = {name: ctx.value(name) for name in (*names, "unit", "cfpId")}
    form_errors = FormErrors()
    numbers = {name: number(values[name], FIELD_PATHS[name], form_errors) for name in names}
    body = [
        {
            "cfpId": values["cfpId"] or None,
            "traceId": str(trace_id),
            "ghgEmission": numbers[name],
            "ghgDeclaredUnit": values["unit"],
            "cfpType": cfp_type,
            "dqrType": dqr_type,
            "dqrValue": {key: numbers[f"{stage}_{key}"] for key in DQR_KEYS},
        }
        for name, cfp_type, dqr_type, stage in ROWS
    ]
    caller = ctx.operator_id
    if ctx.value("edit"):  # back from the confirmation, to change a value
        return _show(ctx, trace_id, values, form_errors)
    if not form_errors:  # a value that is not a number is shown alone, as typed
        try:
            cfp_set = validators.read_cfp_set(body)
            conflicts = ctx.state.read(
                lambda s: answers.unit_conflicts(
                    s, caller=caller, trace_id=trace_id, declared_unit=values["unit"]
                )
            )
            if conflicts:  # the customer could not use it: refused before it is sent
                form_errors.add(
                    FIELD_PATHS["unit"], f"must be kgCO2e/{conflicts[0]} (the customer's unit)"
                )
                return _show(ctx, trace_id, values, form_errors, status=400)
            if not ctx.value("confirm"):
                customers = ctx.state.read(lambda s: _customers(s, caller, trace_id))
                if customers:  # saving answers them at once: show what will be sent first
                    return _confirm(ctx, trace_id, values, numbers, customers)
            ctx.state.write(lambda s: cfp.register_cfp(s, caller=caller, cfp_set=cfp_set))
        except errors.InvalidRequest as exc:
            form_errors.place(exc)
        else:
            return ctx.redirect(f"/parts/{trace_id}", flash="cfp.saved")
    return _show(ctx, trace_id, values, form_errors, status=400)


def _customers(session: Session, caller: OperatorId, trace_id: TraceId) -> list[str]:
    """The names of the customers whose open requests saving this part's CFP answers."""
    answered = answers.trades_answered_by(session, caller=caller, trace_id=trace_id)
    names = operator_names(session, [trade.downstream_operator_id for trade in answered])
    return sorted({names.get(trade.downstream_operator_id, "") for trade in answered})


def _confirm(
    ctx: Ctx,
    trace_id: TraceId,
    values: dict[str, str],
    numbers: dict[str, Decimal | None],
    customers: list[str],
) -> Response:
    flagged = answers.outside_dqr_scale(
        {
            f"{ctx.t('cfp.stage_' + stage)} {key}": numbers[f"{stage}_{key}"]
            for stage in ("pre", "main")
            for key in DQR_KEYS
        }
    )
    return ctx.render(
        "cfp_confirm.html",
        part=own_part(ctx, trace_id),
        values=values,
        numbers=numbers,
        customers=customers,
        flagged=flagged,
    )


@page("/parts/{trace_id:uuid}/certificates", methods=("POST",))
def certificate_upload(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    upload = ctx.files.get("file")
    if upload is None:
        return ctx.redirect(f"/parts/{trace_id}", flash="cert.missing")
    stem, _, extension = upload.file_name.rpartition(".")
    description = ctx.value("description") or None
    caller = ctx.operator_id
    max_bytes = ctx.state.settings.certificate_max_bytes

    def store(session: Session) -> None:
        if parts.get_own_part(session, caller=caller, trace_id=trace_id) is None:
            raise errors.NotFound("part")
        slot = certificates.create_upload_slots(
            session, caller=caller, files=[(upload.file_name, extension if stem else "")]
        )[0]
        certificates.store_upload(
            session,
            owner=caller,
            file_id=slot.file_id,
            content=upload.content,
            content_type=upload.content_type,
            store=ctx.state.file_store,
            max_bytes=max_bytes,
        )
        existing = certificates.certificate_of_part(session, owner=caller, trace_id=trace_id)
        certificates.attach_files(
            session,
            caller=caller,
            trace_id=trace_id,
            certificate_id=existing.id if existing else None,
            description=description,
            file_ids=[slot.file_id],
        )

    try:
        ctx.state.write(store)
    except errors.InvalidRequest as exc:
        return ctx.redirect(f"/parts/{trace_id}", flash=f"!{exc.message}")
    return ctx.redirect(f"/parts/{trace_id}", flash="cert.uploaded")


def file_response(file_name: str, extension: str, content: bytes) -> Response:
    """A certificate file as a download: never rendered inline, never sniffed."""
    ascii_name = (
        file_name.encode("ascii", "ignore").decode().replace('"', "") or f"file.{extension}"
    )
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@page("/parts/{trace_id:uuid}/certificates/{file_id:uuid}")
def certificate_download(ctx: Ctx) -> Response:
    file_id: uuid.UUID = ctx.request.path_params["file_id"]
    caller = ctx.operator_id
    row, content = ctx.state.read(
        lambda s: certificates.read_file(
            s, owner=caller, file_id=file_id, store=ctx.state.file_store
        )
    )
    return file_response(row.file_name, row.extension, content)


@page("/parts/{trace_id:uuid}/certificates/{file_id:uuid}/delete", methods=("POST",))
def certificate_delete(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    file_id: uuid.UUID = ctx.request.path_params["file_id"]
    caller = ctx.operator_id
    ctx.state.write(
        lambda s: certificates.delete_files(
            s, caller=caller, trace_id=trace_id, file_id=file_id, store=ctx.state.file_store
        )
    )
    return ctx.redirect(f"/parts/{trace_id}", flash="cert.deleted")


@page("/parts/{trace_id:uuid}/disclosure", methods=("POST",))
def disclosure_save(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    try:
        customer = uuid.UUID(ctx.value("customer"))
    except ValueError as exc:
        raise errors.NotFound("customer") from exc
    caller = ctx.operator_id
    ctx.state.write(
        lambda s: disclosure.set_disclosure(
            s,
            caller=caller,
            trace_id=trace_id,
            customer=customer,
            total_cfp=flag(ctx.value("total_cfp")),
            total_dqr=flag(ctx.value("total_dqr")),
            certificate=flag(ctx.value("certificate")),
        )
    )
    return ctx.redirect(f"/parts/{trace_id}", flash="disclosure.saved")
