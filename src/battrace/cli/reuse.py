"""`battrace reuse …`: second life from the command line, acting as one operator (`--as` its
corporate number) on the configured database, through the same services as the API and web.

    battrace reuse intake pack.json --as 1234567890123 --passport-id … [--cycler run.csv]
    battrace reuse assess --as 1234567890123 --intake-id …
    battrace reuse verify --as 1234567890123 --assessment-id …
    battrace reuse table prices prices.json --as 1234567890123
    battrace reuse listings --as 1234567890124 [--grade A]
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from battrace.cli.common import console, open_database, reported

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from battrace.reuse.cycler import CyclerFile

reuse_app = typer.Typer(no_args_is_help=True, help="Second life: intake, health, grade, value.")

AS = typer.Option("--as", help="corporate number (openOperatorId) of the operator acting")


def _operator(session: Session, open_operator_id: str) -> uuid.UUID:
    from battrace.identity import operators  # noqa: PLC0415

    return operators.find_by_open_id(session, open_operator_id).id


def _read_cycler(path: Path) -> CyclerFile:
    from rich.progress import Progress  # noqa: PLC0415

    from battrace.reuse.cycler import read_cycler_csv  # noqa: PLC0415

    with Progress(console=console, transient=True) as progress, path.open("rb") as source:
        task = progress.add_task(f"checking {path.name}", total=None)
        return read_cycler_csv(source, progress=lambda n: progress.update(task, completed=n))


@reuse_app.command("intake")
def intake(
    document: Annotated[Path, typer.Argument(help="the diagnostics document (JSON)")],
    open_operator_id: Annotated[str, AS],
    passport_id: Annotated[str, typer.Option("--passport-id", help="the battery's passport")],
    cycler: Annotated[Path | None, typer.Option(help="a cycler export (CSV)")] = None,
    label: Annotated[str, typer.Option(help="a name for the intake")] = "",
) -> None:
    """Record an intake; with --cycler its fade history comes from the CSV (every row checked)."""
    from battrace.reuse import intakes  # noqa: PLC0415

    with reported():
        body = json.loads(document.read_text(encoding="utf-8"))
        checked = _read_cycler(cycler) if cycler else None
        if checked is not None:
            console.print(f"{checked.rows:,} rows, {len(checked.cycles):,} cycles checked")
        with open_database() as database, database.transaction() as session:
            row = intakes.record_intake(
                session,
                caller=_operator(session, open_operator_id),
                passport_id=uuid.UUID(passport_id),
                label=label or document.stem,
                document=body,
                cycler=checked,
                source_name=cycler.name if cycler else None,
            )
            console.print(f"intake [bold]{row.id}[/] recorded")


@reuse_app.command("assess")
def assess(
    open_operator_id: Annotated[str, AS],
    intake_id: Annotated[str, typer.Option("--intake-id", help="the intake to assess")],
) -> None:
    """Assess an intake with your tables in force and print the result."""
    from battrace.reuse import assessments  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        row = assessments.assess_intake(
            session, caller=_operator(session, open_operator_id), intake_id=uuid.UUID(intake_id)
        )
        life = row.results.get("life") or {}
        value = row.results["valuation"]
        console.print(f"assessment [bold]{row.id}[/] ({row.method_version}, {row.input_hash})")
        console.print(f"SOH {float(row.soh):.3f} · grade [bold]{row.grade}[/] · route {row.route}")
        if life:
            console.print(
                f"remaining life P50 {life['n_rem_p50']:,.0f} EFC ({life['years_p50']:.1f} y), "
                f"P10 {life['n_rem_p10']:,.0f} EFC{' · knee guard' if life['knee'] else ''}"
            )
        console.print(
            f"value {value['residual_value']:,.0f} (repurpose {value['repurpose_value']}, "
            f"recycle {value['recycle']['value']:,.0f})"
        )


@reuse_app.command("verify")
def verify(
    open_operator_id: Annotated[str, AS],
    assessment_id: Annotated[str, typer.Option("--assessment-id", help="the assessment")],
) -> None:
    """Recompute an assessment from its stored inputs; exit 1 if a number differs."""
    from battrace.reuse import assessments  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction(write=False) as session:
        same = assessments.verify(
            session,
            caller=_operator(session, open_operator_id),
            assessment_id=uuid.UUID(assessment_id),
        )
    console.print("reproduced" if same else "[red]differs[/]")
    if not same:
        raise typer.Exit(1)


@reuse_app.command("table")
def table(
    kind: Annotated[str, typer.Argument(help="grading or prices")],
    values: Annotated[Path, typer.Argument(help="the table (JSON)")],
    open_operator_id: Annotated[str, AS],
    chemistry: Annotated[str, typer.Option(help="a chemistry family, * for all")] = "*",
) -> None:
    """Store the next version of one of your tables."""
    from battrace.reuse import rules  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        row = rules.set_table(
            session,
            caller=_operator(session, open_operator_id),
            kind=kind,
            values=json.loads(values.read_text(encoding="utf-8")),
            chemistry=chemistry,
        )
        console.print(f"{row.kind} table for {row.chemistry}: version {row.version}")


@reuse_app.command("listings")
def listings(
    open_operator_id: Annotated[str, AS],
    grade: Annotated[list[str] | None, typer.Option(help="grades wanted")] = None,
) -> None:
    """Open listings you may see, cheapest per kWh first."""
    from battrace.reuse import market  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction(write=False) as session:
        found = market.search_listings(
            session, caller=_operator(session, open_operator_id), grades=grade or []
        )
        for row in found:
            console.print(
                f"{row.id} {row.grade} {row.chemistry} {row.capacity_kwh} kWh "
                f"life {row.life_p10_years}-{row.life_p50_years} y value {row.value} {row.location}"
            )
        console.print(f"{len(found)} listing(s)")
