"""`battrace passport …`: battery passports from the command line, acting as one operator
(`--as` its corporate number) on the configured database, through the same domain services
as the API.

    battrace passport model --as 1234567890123 --name "Pack 80" --category ev --gtin 04012345000009
    battrace passport create --as 1234567890123 --model-id … --serials serials.txt [--publish]
    battrace passport import doc.json --as 1234567890123 [--format batterypass|catenax]
    battrace passport export <passport id> --as 1234567890123 --format catenax --out cx.json
    battrace passport export --batch <batch id> --as 1234567890123 --out batch.ndjson
    battrace passport status <passport id> [--as …]
    battrace passport qr <passport id> --out label.svg|label.png [--base https://…]
    battrace passport readings readings.csv --as 1234567890123
    battrace passport check history.json | passport.json
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from battrace.cli.common import console, open_database, reported

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from battrace.passport.transfer import Format

passport_app = typer.Typer(no_args_is_help=True, help="Battery passports.")

AS = typer.Option("--as", help="corporate number (openOperatorId) of the operator acting")


def _operator(session: Session, open_operator_id: str) -> uuid.UUID:
    from battrace.identity import operators  # noqa: PLC0415

    return operators.find_by_open_id(session, open_operator_id).id


def _uuid(text: str, name: str) -> uuid.UUID:
    from battrace.errors import InvalidRequest  # noqa: PLC0415

    try:
        return uuid.UUID(text.removeprefix("urn:uuid:"))
    except ValueError:
        raise InvalidRequest(f"{name}: {text!r} is not a UUID.") from None


def _json_file(path: Path) -> Any:  # noqa: ANN401 (any JSON)
    from battrace.errors import InvalidRequest  # noqa: PLC0415

    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InvalidRequest(f"{path}: not a readable JSON file ({exc}).") from None


@passport_app.command("model")
def model(
    open_operator_id: Annotated[str, AS],
    name: Annotated[str, typer.Option(help="the model's name")],
    category: Annotated[str, typer.Option(help="ev | lmt | industrial | stationary | …")],
    gtin: Annotated[str | None, typer.Option(help="the model's GTIN")] = None,
    trace_id: Annotated[str | None, typer.Option(help="your product (part) it is")] = None,
    data: Annotated[Path | None, typer.Option(help="model data JSON {section: {…}}")] = None,
) -> None:
    """Add a battery model."""
    from battrace.errors import InvalidRequest  # noqa: PLC0415
    from battrace.passport import battery_models  # noqa: PLC0415
    from battrace.passport.models import BatteryCategory  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        try:
            kind = BatteryCategory(category)
        except ValueError:
            raise InvalidRequest(f"category: {category!r} is not a category.") from None
        made = battery_models.create_model(
            session,
            caller=_operator(session, open_operator_id),
            name=name,
            category=kind,
            gtin=gtin,
            trace_id=_uuid(trace_id, "traceId") if trace_id else None,
            data=_json_file(data) if data else None,
        )
        console.print(f"model [bold]{made.id}[/]")


@passport_app.command("create")
def create(
    open_operator_id: Annotated[str, AS],
    model_id: Annotated[str, typer.Option("--model-id", help="the batteries' model")],
    serials: Annotated[Path, typer.Option(help="a file of serial numbers, one per line")],
    label: Annotated[str, typer.Option(help="the batch's label")] = "",
    publish: Annotated[bool, typer.Option(help="publish at once")] = False,
) -> None:
    """Issue passports for a production batch in one transaction, with progress."""
    from battrace.passport import issuing  # noqa: PLC0415

    lines = [line.strip() for line in serials.read_text().splitlines() if line.strip()]
    columns = (TextColumn("issuing"), BarColumn(), MofNCompleteColumn())
    with (
        reported(),
        open_database() as database,
        Progress(*columns, console=console) as progress,
    ):
        task = progress.add_task("issuing", total=len(lines))
        with database.transaction() as session:
            issued = issuing.create_batch(
                session,
                caller=_operator(session, open_operator_id),
                model_id=_uuid(model_id, "modelId"),
                batteries=[issuing.NewBattery(serial=serial) for serial in lines],
                label=label,
                publish=publish,
                progress=lambda done, _total: progress.update(task, completed=done),
            )
    console.print(f"batch [bold]{issued.batch.id}[/]: {len(issued.passport_ids)} passports")


@passport_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="a passport document (JSON)")],
    open_operator_id: Annotated[str, AS],
    format: Annotated[str, typer.Option(help="battrace | batterypass | catenax")] = "battrace",
    model_id: Annotated[str | None, typer.Option("--model-id", help="an existing model")] = None,
    publish: Annotated[bool, typer.Option(help="publish at once")] = False,
) -> None:
    """Import a passport another system produced as a new passport of yours: original, or
    the successor of passports here it names, or waste (validated; every problem by path;
    nothing stored on refusal)."""
    from battrace.errors import InvalidRequest  # noqa: PLC0415
    from battrace.passport import transfer  # noqa: PLC0415

    with reported():
        try:
            kind = transfer.Format(format)
        except ValueError:
            raise InvalidRequest(f"format: {format!r}; battrace, batterypass or catenax.") from None
        document = transfer.read_document(_json_file(path), kind)
        with open_database() as database, database.transaction() as session:
            made = transfer.import_document(
                session,
                caller=_operator(session, open_operator_id),
                document=document,
                model_id=_uuid(model_id, "modelId") if model_id else None,
                publish=publish,
            )
            console.print(
                f"passport [bold]{made.passport.id}[/] ({made.passport.battery_identifier}), "
                f"model {made.model_id}, {made.readings} readings"
            )


@passport_app.command("export")
def export(
    passport_id: Annotated[str | None, typer.Argument(help="the passport")] = None,
    open_operator_id: Annotated[str | None, AS] = None,
    format: Annotated[str, typer.Option(help="battrace | batterypass | catenax")] = "battrace",
    out: Annotated[Path | None, typer.Option(help="write here instead of the terminal")] = None,
    batch: Annotated[
        str | None, typer.Option(help="a batch of the operator acting, as NDJSON lines")
    ] = None,
) -> None:
    """Export one passport as the operator acting (or, without --as, the public) sees it;
    with --batch (and --as) every passport of the operator's batch, one JSON line each
    (`{passportId, format, content, problems}`, or `{passportId, error: {message}}`)."""
    from battrace.errors import InvalidRequest  # noqa: PLC0415
    from battrace.passport import transfer  # noqa: PLC0415
    from battrace.passport.access import PUBLIC_READER, Reader  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        try:
            kind = transfer.Format(format)
        except ValueError:
            raise InvalidRequest(f"format: {format!r}; battrace, batterypass or catenax.") from None
        if batch is not None:
            if not open_operator_id:
                raise InvalidRequest("--batch: name the operator acting with --as.")
            _export_batch(session, _operator(session, open_operator_id), batch, kind, out)
            return
        if passport_id is None:
            raise InvalidRequest("passportId: name a passport, or a batch with --batch.")
        reader = (
            Reader(operator_id=_operator(session, open_operator_id))
            if open_operator_id
            else PUBLIC_READER
        )
        made = transfer.export(
            session, reader=reader, passport_id=_uuid(passport_id, "passportId"), format=kind
        )
    for problem in made.problems:
        console.print(f"[yellow]missing:[/] {problem.path}: {problem.message}")
    if made.content is None:
        console.print(f"[red]error:[/] the passport cannot be given as {format} yet")
        raise typer.Exit(1)
    text = json.dumps(made.content, ensure_ascii=False, indent=2)
    if out is None:
        print(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")


def _export_batch(
    session: Session, operator: uuid.UUID, batch: str, kind: Format, out: Path | None
) -> None:
    from battrace.passport import batch_export  # noqa: PLC0415
    from battrace.passport.access import Reader  # noqa: PLC0415

    lines = batch_export.export_batch(
        session,
        caller=operator,
        reader=Reader(operator_id=operator),
        batch_id=_uuid(batch, "batchId"),
        format=kind,
    )
    target = out.open("w", encoding="utf-8") if out is not None else None
    written = 0
    try:
        for each in lines:
            line: dict[str, Any] = {"passportId": str(each.passport_id)}
            if each.error is not None:
                line["error"] = {"message": each.error.message}
            elif each.exported is not None:
                line["format"] = each.exported.format.value
                line["content"] = each.exported.content
                line["problems"] = [
                    {"path": p.path, "message": p.message} for p in each.exported.problems
                ]
            text = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
            print(text, file=target)
            written += 1
    finally:
        if target is not None:
            target.close()
    if out is not None:
        console.print(f"wrote {written} passports to {out}")


@passport_app.command("status")
def status(
    passport_id: Annotated[str, typer.Argument(help="the passport")],
    open_operator_id: Annotated[str | None, AS] = None,
) -> None:
    """A passport's status, publication, responsible operator and latest dynamic data."""
    from battrace.passport import lookup  # noqa: PLC0415
    from battrace.passport.access import PUBLIC_READER, Reader  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        reader = (
            Reader(operator_id=_operator(session, open_operator_id))
            if open_operator_id
            else PUBLIC_READER
        )
        view = lookup.view_passport(
            session, reader=reader, passport_id=_uuid(passport_id, "passportId")
        )
    table = Table(show_header=False)
    for name, value in (
        ("passport", view.identifier),
        ("battery", view.battery_identifier),
        ("category", view.category),
        ("status", view.status.value if view.status else "(not shown to you)"),
        ("publication", view.publication.value),
        ("responsible", view.responsible_operator_name),
        ("ended", view.ended_at.isoformat() if view.ended_at else "no"),
        ("version", f"{view.version} ({view.head_hash[:16]}…)"),
        ("shown as", view.role.value),
    ):
        table.add_row(name, value)
    for metric, reading in view.latest.items():
        table.add_row(
            metric, f"{reading.to_dict()['value']} {reading.unit} at {reading.measured_at}"
        )
    console.print(table)


@passport_app.command("qr")
def qr_code(
    passport_id: Annotated[str, typer.Argument(help="the passport")],
    out: Annotated[Path, typer.Option(help="label.svg or label.png")],
    base: Annotated[
        str, typer.Option(help="the resolver's public address")
    ] = "http://localhost:8000",
) -> None:
    """The QR code of a passport's public address (GS1 Digital Link when it has a GTIN)."""
    from battrace.errors import InvalidRequest  # noqa: PLC0415
    from battrace.passport import lookup, qr  # noqa: PLC0415
    from battrace.passport.access import PUBLIC_READER  # noqa: PLC0415

    with reported():
        if out.suffix not in (".svg", ".png"):
            raise InvalidRequest("out: a .svg or .png file.")
        with open_database() as database, database.transaction() as session:
            view = lookup.view_passport(
                session, reader=PUBLIC_READER, passport_id=_uuid(passport_id, "passportId")
            )
        address = qr.address(base, passport_id=view.passport_id, gtin=view.gtin, serial=view.serial)
        out.write_bytes(qr.svg(address) if out.suffix == ".svg" else qr.png(address))
    console.print(f"wrote {out} → {address}")


@passport_app.command("readings")
def upload_readings(
    path: Annotated[Path, typer.Argument(help="CSV: passportId, metric, measuredAt, value")],
    open_operator_id: Annotated[str, AS],
) -> None:
    """Send dynamic data for many batteries from a CSV file."""
    from battrace.passport import readings  # noqa: PLC0415

    with reported():
        parsed = readings.parse_csv(path.read_text(encoding="utf-8-sig"))
        with open_database() as database, database.transaction() as session:
            result = readings.record_readings(
                session, caller=_operator(session, open_operator_id), readings=parsed
            )
    console.print(
        f"{result.received} readings received, {result.stored} stored, {result.passports} batteries"
    )


@passport_app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="a history copy or a passport document")],
) -> None:
    """Verify a copy of a passport's history (the hash chain), or validate a passport
    document and show its completeness against the Commission's table."""
    from battrace.passport import history  # noqa: PLC0415
    from battrace.passport.completeness import completeness  # noqa: PLC0415
    from battrace.passport.document import PassportDocument  # noqa: PLC0415
    from battrace.passport.validation import problems  # noqa: PLC0415

    with reported():
        data = _json_file(path)
        if isinstance(data, dict) and isinstance(data.get("versions"), list):
            found = history.verify_chain(data["versions"])
            for broken in found:
                console.print(f"[red]{broken}[/]")
            if found:
                raise typer.Exit(1)
            console.print(f"hash chain of {len(data['versions'])} versions verified")
            return
        wrong = problems(data if isinstance(data, dict) else {})
        for problem in wrong:
            console.print(f"[red]{problem.path}[/]: {problem.message}")
        if wrong:
            raise typer.Exit(1)
        result = completeness(PassportDocument.from_json(data))
        summary = result.summary()
        console.print(
            f"valid; {summary['complete']} data points complete, {summary['missing']} mandatory "
            f"missing, {summary['pending']} pending"
        )
        for entry in result.missing:
            console.print(f"  missing {entry.number}. {entry.name}")


__all__ = ["passport_app"]
