"""`battrace recycling …`: collection, custody, recycler reports, recycled content and the
loop dashboard from the command line, acting as one operator (`--as` its corporate number) on
the configured database, through the same services and body readers as the API.

    battrace recycling permit --as 8765432100003 --role recycler --ref P-123
    battrace recycling collect lot.json --as 8765432100001
    battrace recycling lot --as 8765432100001 --lot-id …
    battrace recycling report report.json --as 8765432100003
    battrace recycling content --as 8765432100005 --trace-id … --placed-on-market 2032-01-01
    battrace recycling dashboard --as 8765432100005 --format csv --out loop.csv
    battrace recycling demo          (the same as `battrace demo`: the loop is its last steps)
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from battrace.cli.common import console, open_database, reported, settings_from_env

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

recycling_app = typer.Typer(
    no_args_is_help=True, help="Recycling: custody, reports, recycled content, the loop."
)
AS = typer.Option("--as", help="corporate number (openOperatorId) of the operator acting")


def _operator(session: Session, open_operator_id: str) -> uuid.UUID:
    from battrace.identity import operators  # noqa: PLC0415

    return operators.find_by_open_id(session, open_operator_id).id


def _body(file: Path) -> dict[str, Any]:
    from battrace.errors import ValidationFailed  # noqa: PLC0415

    try:
        body = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValidationFailed(f"{file.name}: not JSON ({exc}).") from exc
    if not isinstance(body, dict):
        raise ValidationFailed(f"{file.name}: must hold a JSON object.")
    return body


@recycling_app.command("permit")
def permit(
    open_operator_id: Annotated[str, AS],
    role: Annotated[
        str, typer.Option(help="collector, transporter, storage, treatment, recycler, repurposer")
    ],
    ref: Annotated[str, typer.Option("--ref", help="the permit's reference")],
    valid_until: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
) -> None:
    """Declare a permit for an activity."""
    from battrace.inputs.recycling_bodies import enum_field  # noqa: PLC0415
    from battrace.recycling import permits  # noqa: PLC0415
    from battrace.recycling.models import Role  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        caller = _operator(session, open_operator_id)
        permits.declare_permit(
            session,
            caller=caller,
            role=enum_field(Role, role, "role"),
            permit_ref=ref,
            valid_until=date.fromisoformat(valid_until) if valid_until else None,
        )
        console.print(f"permit as [bold]{role}[/] declared")


@recycling_app.command("collect")
def collect(
    file: Annotated[Path, typer.Argument(help="JSON as POST /api/v1/recycling/lots takes")],
    open_operator_id: Annotated[str, AS],
) -> None:
    """Record a collection: a new custody lot."""
    from battrace.inputs import recycling_bodies  # noqa: PLC0415
    from battrace.recycling import custody  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        caller = _operator(session, open_operator_id)
        lot = custody.collect(
            session, caller=caller, collection=recycling_bodies.collection(_body(file))
        )
        console.print(f"lot [bold]{lot.code}[/] {lot.id} collected, {lot.mass_kg.normalize():f} kg")


@recycling_app.command("lot")
def lot(
    open_operator_id: Annotated[str, AS],
    lot_id: Annotated[str, typer.Option("--lot-id", help="the custody lot")],
) -> None:
    """A lot's events and the mass balance of its history."""
    from battrace.recycling import lots  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction(write=False) as session:
        caller = _operator(session, open_operator_id)
        wanted = uuid.UUID(lot_id)
        found = lots.visible_lot(session, caller=caller, lot_id=wanted)
        console.print(
            f"[bold]{found.code}[/] {found.status.value}, {found.mass_kg.normalize():f} kg"
        )
        for event in lots.lot_events(session, caller=caller, lot_id=wanted):
            console.print(
                f"  {event.sequence:>4} {event.kind.value:<22} {event.mass_in_kg.normalize():f} → "
                f"{event.mass_out_kg.normalize():f} kg (loss {event.loss_kg.normalize():f})"
            )
        check = lots.check_lot(session, caller=caller, lot_id=wanted)
        verdict = "[green]balanced[/]" if check.balanced else "[red]not balanced[/]"
        console.print(f"mass balance over {check.steps} steps: {verdict}")
        for finding in check.findings:
            console.print(f"  #{finding.sequence} {finding.kind}: {finding.message}")


@recycling_app.command("report")
def report(
    file: Annotated[Path, typer.Argument(help="JSON as POST /api/v1/recycling/reports takes")],
    open_operator_id: Annotated[str, AS],
) -> None:
    """Submit a recycler's period report; prints its rates and the gaps to Annex XII."""
    from battrace.inputs import recycling_bodies  # noqa: PLC0415
    from battrace.recycling import reports  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        caller = _operator(session, open_operator_id)
        view = reports.submit_report(
            session, caller=caller, report=recycling_bodies.report(_body(file))
        )
        rates = view.rates
        console.print(f"report {view.report_id}: recycling efficiency {rates.efficiency_percent} %")
        for check in rates.efficiency_checks:
            console.print(
                f"  target {check.target_percent} % by {check.deadline}: gap {check.gap_percent}"
            )
        for element, rate in rates.recovery_percent.items():
            gaps = ", ".join(
                f"{c.target_percent} % by {c.deadline}: gap {c.gap_percent}"
                for c in rates.recovery_checks[element]
            )
            console.print(f"  {element} recovery {rate} % ({gaps})")


@recycling_app.command("content")
def content(
    open_operator_id: Annotated[str, AS],
    trace_id: Annotated[str, typer.Option("--trace-id", help="the product (one of your parts)")],
    placed_on_market: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    lmt: Annotated[bool, typer.Option(help="an LMT battery (Art. 8(3) only)")] = False,
    fill_passport: Annotated[bool, typer.Option(help="write the shares into its passport")] = False,
) -> None:
    """A product's recycled content of Co, Li, Ni, Pb against Art. 8."""
    from battrace.recycling import materials  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        caller = _operator(session, open_operator_id)
        found = materials.model_content(
            session,
            caller=caller,
            trace_id=uuid.UUID(trace_id),
            placed_on_market=date.fromisoformat(placed_on_market),
            lmt=lmt,
            fill_passport=fill_passport,
            disclose_by_default=settings_from_env().disclose_by_default,
        )
        for check in found.checks:
            share = "unknown" if check.share_percent is None else f"{check.share_percent} %"
            minimum = "not yet" if check.minimum is None else f"{check.minimum.percent} %"
            console.print(
                f"  {check.element}: {share} (minimum {minimum}, gap {check.gap_percent})"
            )
        if fill_passport:
            console.print(f"passport models written: {len(found.passport_models)}")


@recycling_app.command("dashboard")
def dashboard_command(
    open_operator_id: Annotated[str, AS],
    scope: Annotated[str, typer.Option(help="platform or own")] = "platform",
    output: Annotated[str, typer.Option("--format", help="csv, html or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="write to this file (default: print)")] = None,
) -> None:
    """The loop dashboard as CSV, a self-contained HTML report, or JSON."""
    from battrace.recycling import dashboard  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction(write=False) as session:
        board = dashboard.build(session, caller=_operator(session, open_operator_id), scope=scope)
    text = (
        dashboard.to_csv(board)
        if output == "csv"
        else dashboard.render_html(board)
        if output == "html"
        else json.dumps(dashboard.to_json(board), indent=2, ensure_ascii=False)
    )
    if out is None:
        console.print(text, markup=False, highlight=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"written to {out}")


@recycling_app.command("demo")
def demo() -> None:
    """Close the loop on an example: `battrace demo`, whose steps 7 and 8 are the loop (packs
    taken back and recycled, their cobalt and nickel sold back to a cathode maker, the next
    pack's passport showing the recycled content); the steps before make the packs, passports
    and companies it starts from. Once loaded, it reads and prints the results again."""
    from battrace.cli import db_upgrade  # noqa: PLC0415
    from battrace.cli.demo import run_demo  # noqa: PLC0415

    db_upgrade()
    run_demo(settings_from_env(), console=console, skip_if_present=False)
