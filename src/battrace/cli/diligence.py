"""`battrace dd …`: the due-diligence exchange from the command line, acting as one operator
(`--as` its corporate number) on the configured database, through the same domain services
as the API.

    battrace dd send --as 1234567890123 --trade-id … --materials cobalt,nickel --due 2027-03-31
    battrace dd assurances rmap.csv --as 1234567890124
    battrace dd import-workbook EMRT.xlsx --as 1234567890124 --request-id … [--submit]
    battrace dd answer answers.json --as 1234567890124 --request-id … [--submit]
    battrace dd report --as 1234567890123 --trace-id … --format html --out dd.html
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from battrace.cli.common import console, day, identifier, open_database, reported
from battrace.ids import OperatorId, TraceId

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

dd_app = typer.Typer(no_args_is_help=True, help="Due diligence: requests, answers, reports.")

AS = typer.Option("--as", help="corporate number (openOperatorId) of the operator acting")
REQUEST = typer.Option("--request-id", help="the DD request")


def _operator(session: Session, open_operator_id: str) -> OperatorId:
    from battrace.identity import operators  # noqa: PLC0415

    return OperatorId(operators.find_by_open_id(session, open_operator_id).id)


def _submit(session: Session, caller: OperatorId, request_id: uuid.UUID) -> None:
    from battrace.diligence import answering  # noqa: PLC0415

    response = answering.submit(session, caller=caller, request_id=request_id)
    console.print(f"submitted version [bold]{response.version}[/]")


@dd_app.command("send")
def send(
    open_operator_id: Annotated[str, AS],
    trade_id: Annotated[str, typer.Option("--trade-id", help="the trade to ask over")],
    materials: Annotated[str, typer.Option(help="comma-separated: cobalt,nickel,…")],
    due: Annotated[str | None, typer.Option(help="due date YYYY-MM-DD")] = None,
    message: Annotated[str | None, typer.Option(help="a message to the supplier")] = None,
    template_id: Annotated[str | None, typer.Option(help="default: the built-in one")] = None,
) -> None:
    """Send a DD request to the supplier of one of your trades."""
    from battrace.diligence import requesting, templates  # noqa: PLC0415
    from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        caller = _operator(session, open_operator_id)
        templates.ensure_builtin(session)
        request = requesting.send_request(
            session,
            caller=caller,
            trade_id=identifier(trade_id, "--trade-id"),
            template_id=identifier(template_id, "--template-id")
            if template_id
            else BUILTIN_TEMPLATE_ID,
            materials=[m.strip() for m in materials.split(",") if m.strip()],
            due_date=date.fromisoformat(due) if due else None,
            message=message,
        )
        console.print(f"DD request [bold]{request.id}[/] sent")


@dd_app.command("assurances")
def assurances(
    file: Annotated[Path, typer.Argument(help="CSV or xlsx: CID, scheme, status, valid_to")],
    open_operator_id: Annotated[str, AS],
) -> None:
    """Replace your facility assurance list (RMAP, Copper Mark, … status per CID)."""
    from battrace.diligence import workbooks  # noqa: PLC0415
    from battrace.diligence.facilities import import_assurances  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        caller = _operator(session, open_operator_id)
        entries = workbooks.parse_assurance_list(file.read_bytes())
        count = import_assurances(session, caller=caller, entries=entries)
        console.print(f"{count} facility assurances imported")


@dd_app.command("import-workbook")
def import_workbook(
    file: Annotated[Path, typer.Argument(help="a filled-in CMRT or EMRT (.xlsx / .xlsm)")],
    open_operator_id: Annotated[str, AS],
    request_id: Annotated[str, REQUEST],
    submit: Annotated[bool, typer.Option(help="submit the answer after the import")] = False,
) -> None:
    """Fill your draft answer to a request from an RMI workbook."""
    from battrace.diligence import workbook_answers, workbooks  # noqa: PLC0415

    with reported(), open_database() as database:
        with console.status(f"reading {file.name}"):
            parsed = workbooks.parse_workbook(file.read_bytes())
        with database.transaction() as session:
            caller = _operator(session, open_operator_id)
            result = workbook_answers.fill_draft(
                session,
                caller=caller,
                request_id=identifier(request_id, "--request-id"),
                parsed=parsed,
            )
            if submit:
                _submit(session, caller, identifier(request_id, "--request-id"))
        console.print(
            f"{result['kind']} {result['version']}: {result['answersRead']} answers, "
            f"{result['facilitiesRead']} facilities read "
            f"({result['facilitiesSkipped']} of other materials skipped)"
        )
        for warning in result["warnings"]:
            console.print(f"[yellow]warning:[/] {warning}")


@dd_app.command("answer")
def answer(
    file: Annotated[Path, typer.Argument(help="JSON as PUT /api/v1/diligence/…/answer takes")],
    open_operator_id: Annotated[str, AS],
    request_id: Annotated[str, REQUEST],
    submit: Annotated[bool, typer.Option(help="submit the answer after saving it")] = False,
) -> None:
    """Save your draft answer to a request from a JSON file."""
    from battrace.diligence import answering  # noqa: PLC0415
    from battrace.inputs import diligence_bodies  # noqa: PLC0415

    body: Any = json.loads(file.read_text(encoding="utf-8"))
    with reported(), open_database() as database, database.transaction() as session:
        caller = _operator(session, open_operator_id)
        answering.save_draft(
            session,
            caller=caller,
            request_id=identifier(request_id, "--request-id"),
            answers=diligence_bodies.answer_writes(body),
            facilities=diligence_bodies.facility_writes(body),
            signer=diligence_bodies.signer_of(body),
            release_upstream=bool(body.get("releaseUpstream", False)),
        )
        console.print("draft saved")
        if submit:
            _submit(session, caller, identifier(request_id, "--request-id"))


@dd_app.command("report")
def report(
    open_operator_id: Annotated[str, AS],
    trace_id: Annotated[str, typer.Option("--trace-id", help="your product's traceId")],
    output_format: Annotated[str, typer.Option("--format", help="json or html")] = "json",
    out: Annotated[Path | None, typer.Option(help="write to this file instead of stdout")] = None,
    as_of: Annotated[str | None, typer.Option(help="assess as of this date")] = None,
) -> None:
    """A product's DD report across its supply chain, as you may see it."""
    from battrace.diligence import report as dd_report  # noqa: PLC0415
    from battrace.diligence import rollup  # noqa: PLC0415
    from battrace.store.base import utcnow  # noqa: PLC0415

    if output_format not in ("json", "html"):
        console.print("[red]error:[/] --format must be json or html")
        raise typer.Exit(2)
    with reported(), open_database() as database, database.transaction(write=False) as session:
        viewer = _operator(session, open_operator_id)
        picture = rollup.product_dd(
            session,
            viewer=viewer,
            trace_id=TraceId(identifier(trace_id, "--trace-id")),
            day=day(as_of, "--as-of") if as_of else utcnow().date(),
        )
        text = (
            dd_report.render_html(picture)
            if output_format == "html"
            else json.dumps(dd_report.to_dict(picture), ensure_ascii=False, indent=2)
        )
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"written to {out}")
    else:
        print(text)
