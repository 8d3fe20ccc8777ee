"""The `battrace` command: serve, database, seeds, operators, API keys, demo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from battrace.cli.common import (
    console,
    identifier,
    open_database,
    quantity,
    reported,
    settings_from_env,
)
from battrace.cli.diligence import dd_app
from battrace.cli.pact import pact_app
from battrace.cli.passport import passport_app
from battrace.cli.recycling import recycling_app
from battrace.cli.reuse import reuse_app
from battrace.cli.secrets import secrets_app
from battrace.ids import OperatorId, TraceId

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from battrace.footprint.view import ProductFootprint
    from battrace.store import Database

app = typer.Typer(no_args_is_help=True, help="battrace: battery supply-chain data platform")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
seed_app = typer.Typer(no_args_is_help=True, help="Load seed data.")
operator_app = typer.Typer(no_args_is_help=True, help="Operators (companies) and their logins.")
apikey_app = typer.Typer(no_args_is_help=True, help="API keys for applications.")
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(operator_app, name="operator")
app.add_typer(apikey_app, name="apikey")
footprint_app = typer.Typer(no_args_is_help=True, help="CFP roll-up and reports.")
app.add_typer(footprint_app, name="footprint")
app.add_typer(dd_app, name="dd")
app.add_typer(pact_app, name="pact")
app.add_typer(secrets_app, name="secrets")
app.add_typer(passport_app, name="passport")
app.add_typer(recycling_app, name="recycling")
app.add_typer(reuse_app, name="reuse")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations (creates the schema on a new database)."""
    from battrace.migrations import current_revision, upgrade  # noqa: PLC0415

    with open_database() as database:
        upgrade(database.engine, revision)
        console.print(f"database at revision [bold]{current_revision(database.engine)}[/]")
        if revision == "head":
            _store_missing_totals(database)


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help='the revision to go back to ("base": none)')],
) -> None:
    """Undo the migrations after `revision` (their tables and columns go, with their data)."""
    from battrace.migrations import current_revision, downgrade  # noqa: PLC0415

    with open_database() as database:
        downgrade(database.engine, revision)
        console.print(f"database at revision [bold]{current_revision(database.engine)}[/]")


def _product_footprint(session: Session, viewer: OperatorId, trace_id: TraceId) -> ProductFootprint:
    """One of the viewer's products rolled up under the environment's disclosure policy."""
    from battrace.footprint import view  # noqa: PLC0415

    return view.product_footprint(
        session,
        viewer=viewer,
        trace_id=trace_id,
        disclose_by_default=settings_from_env().disclose_by_default,
    )


def _store_missing_totals(database: Database) -> None:
    """Store the CFP total of every part that has none (the parts of an upgraded database),
    and the companions' totals (recycled content) of every part that has none of those."""
    import battrace.recycling  # noqa: F401, PLC0415 (registers the recycled-content companion)
    from battrace.traceability import totals  # noqa: PLC0415

    disclose = settings_from_env().disclose_by_default
    with database.transaction() as session:
        stored = totals.store_missing(session, disclose_by_default=disclose, progress=console.print)
    if stored:
        console.print(f"stored the CFP totals of {stored:,} parts")


@seed_app.command("ouranos-tutorial")
def seed_tutorial() -> None:
    """Companies A and B, their logins, and the keys Sample-APIKey1 / Sample-APIKey2."""
    from battrace.cli.seeds import seed_ouranos_tutorial  # noqa: PLC0415

    with open_database() as database, database.transaction() as session:
        created = seed_ouranos_tutorial(session)
    console.print("created: " + (", ".join(created) if created else "nothing (already seeded)"))


@operator_app.command("add")
def operator_add(
    name: Annotated[str, typer.Option(help="company name")],
    address: Annotated[str, typer.Option(help="company address")],
    open_operator_id: Annotated[str, typer.Option("--open-id", help="corporate number")],
    email: Annotated[str, typer.Option(help="login (operatorAccountId)")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    global_operator_id: Annotated[str | None, typer.Option("--global-id")] = None,
    authority: Annotated[
        bool, typer.Option(help="the login is an authority's (reads restricted passport data)")
    ] = False,
) -> None:
    """Register a company and its first login."""
    from battrace.identity import accounts, operators  # noqa: PLC0415
    from battrace.identity.models import AccountRole  # noqa: PLC0415

    role = AccountRole.AUTHORITY if authority else AccountRole.MEMBER
    with reported(), open_database() as database, database.transaction() as session:
        operator = operators.create_operator(
            session,
            name=name,
            address=address,
            open_operator_id=open_operator_id,
            global_operator_id=global_operator_id,
        )
        session.flush()  # the account references the new operator
        accounts.create_account(
            session, operator_id=operator.id, email=email, password=password, role=role
        )
        operator_id = operator.id
    console.print(f"operatorId [bold]{operator_id}[/]")


@apikey_app.command("issue")
def apikey_issue(
    name: Annotated[str, typer.Option(help="application name")],
    attribute: Annotated[
        str, typer.Option(help="Application, DataSpace or Traceability")
    ] = "Application",
    cidr: Annotated[list[str] | None, typer.Option(help="allowed client network (repeat)")] = None,
    operator: Annotated[list[str] | None, typer.Option(help="bind to operatorId (repeat)")] = None,
) -> None:
    """Issue an API key. It is printed once and cannot be shown again."""
    from battrace.identity import api_keys  # noqa: PLC0415
    from battrace.identity.models import ApplicationAttribute  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        _, key = api_keys.issue_api_key(
            session,
            application_name=name,
            attribute=ApplicationAttribute(attribute),
            cidrs=cidr or [],
            operator_ids=[identifier(o, "--operator") for o in operator or []],
        )
    console.print(f"API key (shown once): [bold]{key}[/]")


@apikey_app.command("revoke")
def apikey_revoke(key: Annotated[str, typer.Argument(help="the key, as clients send it")]) -> None:
    """Revoke an API key (each worker stops accepting it within api_key_cache_seconds)."""
    from battrace.identity import api_keys  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        row = api_keys.revoke_api_key(session, key=key)
    console.print(f"revoked the key {row.key_prefix}… of {row.application_name}")


@app.command("rotate-jwt-secret")
def rotate_jwt_secret() -> None:
    """Give the token signing secret kept in the database a new value; restart the servers.

    Access tokens signed before stop verifying (clients refresh them; web users log in again).
    Without effect when BATTRACE_JWT_SECRET is set: rotate that value instead.
    """
    from battrace.identity.secrets import JWT_SECRET, replace_secret  # noqa: PLC0415

    if settings_from_env().jwt_secret is not None:
        console.print(
            "[yellow]BATTRACE_JWT_SECRET is set: the servers use it, not the stored one[/]"
        )
    with open_database() as database, database.transaction() as session:
        replace_secret(session, JWT_SECRET)
    console.print("token signing secret replaced; restart every server process")


@footprint_app.command("report")
def footprint_report(
    trace_id: Annotated[str, typer.Option("--trace-id", help="the product's traceId")],
    open_operator_id: Annotated[
        str, typer.Option("--as", help="corporate number of the operator whose view to use")
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="table, json, csv or html")
    ] = "table",
    out: Annotated[str | None, typer.Option(help="write to this file instead of stdout")] = None,
) -> None:
    """The CFP of a product as its owner sees it (own data + what suppliers disclosed)."""
    from pathlib import Path  # noqa: PLC0415

    from battrace.cli.footprint_table import print_table  # noqa: PLC0415
    from battrace.footprint import report  # noqa: PLC0415
    from battrace.identity import operators  # noqa: PLC0415

    if output_format not in ("table", "json", "csv", "html"):
        console.print("[red]error:[/] --format must be table, json, csv or html")
        raise typer.Exit(2)
    with reported(), open_database() as database, database.transaction(write=False) as session:
        viewer = OperatorId(operators.find_by_open_id(session, open_operator_id).id)
        product = _product_footprint(session, viewer, TraceId(identifier(trace_id, "--trace-id")))
        supply, footprint = product.graph, product.footprint
        names = dict(product.supplier_names)
        names[viewer] = operators.get_operator(session, viewer).name
        if output_format == "table" and not out:
            print_table(console, footprint, names)
            return
        if output_format == "csv":
            text = report.footprint_csv(footprint, supplier_names=names)
        elif output_format == "html":
            text = report.render_html(footprint, supply, supplier_names=names)
        else:
            import json  # noqa: PLC0415

            text = json.dumps(report.footprint_to_dict(footprint), ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        console.print(f"written to {out}")
    else:
        print(text)


@footprint_app.command("what-if")
def footprint_what_if(
    trace_id: Annotated[str, typer.Option("--trace-id", help="the product's traceId")],
    replace: Annotated[str, typer.Option(help="traceId of the part to value otherwise")],
    pre: Annotated[str, typer.Option(help="kgCO2e per unit of that part, pre-processing")],
    main: Annotated[str, typer.Option(help="kgCO2e per unit of that part, main production")],
    open_operator_id: Annotated[
        str, typer.Option("--as", help="corporate number of the operator whose view to use")
    ],
) -> None:
    """The product's CFP if one part had other values (nothing is stored)."""
    from decimal import Decimal  # noqa: PLC0415

    from battrace.footprint import view  # noqa: PLC0415
    from battrace.identity import operators  # noqa: PLC0415
    from battrace.store.base import tidy_decimal  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction(write=False) as session:
        viewer = OperatorId(operators.find_by_open_id(session, open_operator_id).id)
        product = _product_footprint(session, viewer, TraceId(identifier(trace_id, "--trace-id")))
        result = view.what_if(
            product,
            replace=TraceId(identifier(replace, "--replace")),
            pre=quantity(pre, "--pre"),
            main=quantity(main, "--main"),
        )
        name = product.graph.node(identifier(replace, "--replace")).parts_name

    def shown(value: Decimal | None) -> str:
        return "unknown" if value is None else str(tidy_decimal(value))

    console.print(
        f"{name}: total {shown(result.before.total)} -> {shown(result.after.total)} "
        f"(change {shown(result.total_delta)}) {result.before.unit}"
    )


@footprint_app.command("assign-factor")
def footprint_assign_factor(
    trace_id: Annotated[str, typer.Option("--trace-id", help="your part's traceId")],
    factor_id: Annotated[str, typer.Option("--factor-id", help="one of your emission factors")],
    open_operator_id: Annotated[str, typer.Option("--as", help="your corporate number")],
) -> None:
    """Apply an emission factor to one of your parts while it has no known value."""
    from battrace.footprint import factors  # noqa: PLC0415
    from battrace.identity import operators  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        caller = OperatorId(operators.find_by_open_id(session, open_operator_id).id)
        factors.assign_factor(
            session,
            caller=caller,
            trace_id=TraceId(identifier(trace_id, "--trace-id")),
            factor_id=identifier(factor_id, "--factor-id"),
        )
    console.print("factor assigned")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    migrate: Annotated[bool, typer.Option(help="apply migrations first")] = True,
    with_demo: Annotated[bool, typer.Option(help="seed the tutorial and demo data first")] = False,
    certfile: Annotated[str | None, typer.Option(help="TLS certificate (PEM): serve HTTPS")] = None,
    keyfile: Annotated[str | None, typer.Option(help="TLS private key (PEM)")] = None,
) -> None:
    """Run the server (contract API, traceability endpoints, docs at /docs)."""
    from battrace.cli.serving import run_uvicorn, shared_metrics  # noqa: PLC0415

    settings = settings_from_env()
    if migrate:
        db_upgrade()
    if with_demo:
        seed_tutorial()
        from battrace.cli.demo import run_demo  # noqa: PLC0415

        run_demo(settings, console=console, skip_if_present=True)
    if (certfile is None) != (keyfile is None):
        console.print("[red]error:[/] give both --certfile and --keyfile")
        raise typer.Exit(1)
    scheme = "https" if certfile else "http"
    console.print(
        f"battrace on {scheme}://{host or settings.host}:{port or settings.port} "
        f"(database {settings.database_url})"
    )
    with shared_metrics(workers):
        run_uvicorn(settings, host, port, workers, certfile, keyfile)


@app.command()
def backup(
    target: Annotated[Path, typer.Argument(help="the backup file to write")],
) -> None:
    """Back up the database (SQLite: online backup API; PostgreSQL: pg_dump, custom format)."""
    from battrace.store.backup import backup as write_backup  # noqa: PLC0415

    with reported():
        write_backup(settings_from_env().database_url, target)
    console.print(f"backed up to {target} ({target.stat().st_size:,} bytes)")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="a file `battrace backup` wrote")],
    yes: Annotated[bool, typer.Option("--yes", help="replace the data without asking")] = False,
) -> None:
    """Replace the database's data with a backup (stop the servers first)."""
    from battrace.store.backup import restore as read_backup  # noqa: PLC0415

    settings = settings_from_env()
    if not yes:
        typer.confirm(f"replace every row of {settings.database_url} with {source}?", abort=True)
    with reported():
        read_backup(settings.database_url, source)
    console.print(f"restored from {source}")


@app.command()
def demo() -> None:
    """Build a small battery supply chain through the real HTTP API and print what happened."""
    from battrace.cli.demo import run_demo  # noqa: PLC0415

    settings = settings_from_env()
    db_upgrade()
    run_demo(settings, console=console, skip_if_present=False)


def main() -> None:
    app()
