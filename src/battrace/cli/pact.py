"""`battrace pact …`: PACT exchange from the command line, acting as one operator (`--as` its
corporate number) on the configured database, through the same domain services as the web.

    battrace pact tls --out certs/                 # a self-signed pair for `serve --certfile`
    battrace pact issue-client --as 1234567890123 --counterparty "EU Pack GmbH"
    battrace pact publish --as 1234567890123 --trace-id … --client pact-… [--country JP]
    battrace pact refresh --as 1234567890123       # new footprints for changed CFP
    battrace pact add-host --as … --name "Cell maker" --base-url https://… \
        --client-id … --client-secret …
    battrace pact pull --as … --host …
    battrace pact answer --as … --trace-id … --host … --footprint …
    battrace pact request --as … --host … --product-id urn:… --source https://me.example
    battrace pact deliver                          # queued events and due retries
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from battrace.cli.common import console, open_database, reported, settings_from_env

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

pact_app = typer.Typer(
    no_args_is_help=True, help="PACT: footprints exchanged with other data spaces."
)
AS = typer.Option("--as", help="corporate number (openOperatorId) of the operator acting")


@contextmanager
def _session() -> Iterator[Session]:
    from battrace.store import version  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        yield session
        version.bump(session)  # running servers' cached answers see the change


def _operator(session: Session, open_operator_id: str) -> uuid.UUID:
    from battrace.identity import operators  # noqa: PLC0415

    return operators.find_by_open_id(session, open_operator_id).id


def _client_row(session: Session, caller: uuid.UUID, client_id: str) -> uuid.UUID:
    from battrace.errors import NotFound  # noqa: PLC0415
    from battrace.pact import clients  # noqa: PLC0415

    for client in clients.list_clients(session, caller=caller):
        if client_id in (client.client_id, str(client.id)):
            return client.id
    raise NotFound(f"PACT client {client_id} was not found.")


@pact_app.command("tls")
def tls(
    out: Annotated[Path, typer.Option(help="directory for cert.pem and key.pem")],
    host: Annotated[list[str] | None, typer.Option(help="names the certificate is for")] = None,
) -> None:
    """Make a self-signed certificate and key for serving HTTPS locally."""
    from battrace.adapters.tls import make_self_signed  # noqa: PLC0415

    cert, key = make_self_signed(out, hosts=tuple(host or ("localhost", "127.0.0.1")))
    console.print(f"certificate {cert}\nkey         {key}")
    console.print(f"serve with: battrace serve --certfile {cert} --keyfile {key}")


@pact_app.command("issue-client")
def issue_client(
    operator: Annotated[str, AS],
    counterparty: Annotated[str, typer.Option(help="who the credential is for")],
) -> None:
    """Issue a PACT client credential to one counterparty (the secret is shown once)."""
    from battrace.pact import clients  # noqa: PLC0415

    with _session() as session:
        issued = clients.issue_client(
            session, caller=_operator(session, operator), counterparty_name=counterparty
        )
        console.print(f"client id     {issued.client.client_id}")
        console.print(f"client secret {issued.secret}")


@pact_app.command("publish")
def publish(
    operator: Annotated[str, AS],
    trace_id: Annotated[uuid.UUID, typer.Option(help="the product (a part with CFP)")],
    client: Annotated[str, typer.Option(help="the PACT client id to publish to")],
    country: Annotated[str | None, typer.Option(help="geography (ISO 3166-1 alpha-2)")] = None,
) -> None:
    """Publish a product's CFP as a PACT footprint to one client."""
    from battrace.pact import publishing  # noqa: PLC0415

    with _session() as session:
        caller = _operator(session, operator)
        options = publishing.PublishOptions(geography_country=country) if country else None
        footprint = publishing.publish(
            session,
            caller=caller,
            trace_id=trace_id,
            client_row_id=_client_row(session, caller, client),
            options=options,
            disclose_by_default=settings_from_env().disclose_by_default,
        )
        console.print(f"published footprint {footprint.id} (version {footprint.version})")


@pact_app.command("refresh")
def refresh(operator: Annotated[str, AS]) -> None:
    """New footprints (the old ones deprecated) for every published product whose CFP changed."""
    from battrace.pact import publishing  # noqa: PLC0415

    with _session() as session:
        made = publishing.refresh(
            session,
            caller=_operator(session, operator),
            disclose_by_default=settings_from_env().disclose_by_default,
        )
        console.print(f"{len(made)} new footprints")


@pact_app.command("add-host")
def add_host(
    operator: Annotated[str, AS],
    name: Annotated[str, typer.Option(help="the supplier")],
    base_url: Annotated[str, typer.Option(help="https:// base URL of its PACT host")],
    client_id: Annotated[str, typer.Option(help="the credential it issued to you")],
    client_secret: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    spec: Annotated[int, typer.Option(help="PACT version: 2 or 3")] = 3,
    ca_file: Annotated[str | None, typer.Option(help="CA bundle to trust (self-signed)")] = None,
) -> None:
    """Add a supplier's remote PACT host."""
    from battrace.pact import remote  # noqa: PLC0415

    with _session() as session:
        host = remote.add_host(
            session,
            caller=_operator(session, operator),
            name=name,
            base_url=base_url,
            client_id=client_id,
            client_secret=client_secret,
            spec_version=spec,
            ca_file=ca_file,
        )
        console.print(f"remote host {host.id}")


@pact_app.command("pull")
def pull(
    operator: Annotated[str, AS],
    host: Annotated[uuid.UUID, typer.Option(help="the remote host")],
    page_size: Annotated[int, typer.Option(help="limit per page")] = 100,
) -> None:
    """Fetch (paged), check and store every footprint a remote host lists for you."""
    from battrace.adapters.pact_https import HttpsTransport  # noqa: PLC0415
    from battrace.pact import remote  # noqa: PLC0415

    transport = HttpsTransport()
    try:
        with _session() as session:
            result = remote.pull(
                session,
                caller=_operator(session, operator),
                host_id=host,
                transport=transport,
                page_size=page_size,
            )
    finally:
        transport.close()
    if not result.ok:
        console.print(f"[red]pull failed:[/] {result.error} (next try {result.next_attempt_at})")
        raise typer.Exit(1)
    console.print(f"stored {result.stored} footprints")


@pact_app.command("answer")
def answer(
    operator: Annotated[str, AS],
    trace_id: Annotated[uuid.UUID, typer.Option(help="your bought-in part")],
    host: Annotated[uuid.UUID, typer.Option(help="the remote host")],
    footprint: Annotated[uuid.UUID, typer.Option(help="the received footprint id")],
) -> None:
    """Use a received footprint as the CFP of one of your bought-in parts."""
    from battrace.pact import remote  # noqa: PLC0415

    with _session() as session:
        made = remote.answer_part(
            session,
            caller=_operator(session, operator),
            trace_id=trace_id,
            host_id=host,
            pf_id=footprint,
        )
        state = "verified" if made.verified else "not verified"
        console.print(f"part {trace_id} answered by footprint {footprint} ({state})")


@pact_app.command("request")
def request(
    operator: Annotated[str, AS],
    host: Annotated[uuid.UUID, typer.Option(help="the remote host")],
    source: Annotated[str, typer.Option(help="your own PACT base URL (answers go there)")],
    product_id: Annotated[list[str], typer.Option(help="product id URN")],
) -> None:
    """Queue a RequestCreated event to a remote host (sent by `deliver`)."""
    from battrace.pact import events  # noqa: PLC0415

    with _session() as session:
        sent = events.send_request(
            session,
            caller=_operator(session, operator),
            host_id=host,
            criteria={"productId": product_id},
            own_base_url=source,
        )
        console.print(f"request {sent.event_id} queued")


@pact_app.command("deliver")
def deliver() -> None:
    """Deliver queued events and retry failed pulls whose back-off has passed."""
    from battrace.adapters.pact_https import HttpsTransport  # noqa: PLC0415
    from battrace.pact import events, remote  # noqa: PLC0415
    from battrace.pact.models import OutgoingEvent  # noqa: PLC0415

    transport = HttpsTransport()
    delivered = retried = 0
    try:
        with open_database() as database:
            with database.transaction() as session:
                due = [(e.operator_id, e.id) for e in events.due_events(session)]
                hosts = [(h.operator_id, h.id) for h in remote.due_hosts(session)]
            for key in due:
                with database.transaction() as session:
                    outgoing = session.get(OutgoingEvent, key)
                    if outgoing is not None:
                        delivered += events.deliver(session, outgoing=outgoing, transport=transport)
            for operator_id, host_id in hosts:
                with database.transaction() as session:
                    retried += remote.pull(
                        session, caller=operator_id, host_id=host_id, transport=transport
                    ).ok
    finally:
        transport.close()
    console.print(f"delivered {delivered} of {len(due)} events; {retried} of {len(hosts)} pulls")


@pact_app.command("demo")
def demo() -> None:
    """Two platforms over HTTPS: a European pack maker pulls a Japanese cell maker's footprint."""
    from battrace.cli.demo_pact import run_pact_demo  # noqa: PLC0415

    run_pact_demo(console)


@pact_app.command("provenance")
def provenance(
    operator: Annotated[str, AS],
    trace_id: Annotated[uuid.UUID, typer.Option(help="your product")],
) -> None:
    """Which contributions to a product's CFP come from suppliers, and which are verified."""
    from battrace.pact.provenance import contributions  # noqa: PLC0415

    with _session() as session:
        for item in contributions(session, caller=_operator(session, operator), trace_id=trace_id):
            state = "verified" if item.verified else "NOT verified"
            console.print(
                f"{item.part_name} ({item.trace_id}): {item.source} from {item.origin}, "
                f"{item.reference}, {state}",
                highlight=False,
            )
