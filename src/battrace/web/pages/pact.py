"""PACT publishing for the logged-in operator: the client credentials it issued (issue,
revoke; a new secret is shown once) and which products it publishes to which client."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from battrace import errors
from battrace.inputs import fields
from battrace.pact import clients, publishing
from battrace.pact.models import PactFootprint
from battrace.traceability import parts
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors

PRODUCT_CHOICES = 200  # the publish form offers the first products by name


def _show(
    ctx: Ctx, *, secret: str = "", form_errors: FormErrors | None = None, status: int = 200
) -> Response:
    caller = ctx.operator_id

    issued, published, products = ctx.state.read(
        lambda s: (
            clients.list_clients(s, caller=caller),
            publishing.publications(s, caller=caller),
            parts.list_parts(
                s,
                caller=caller,
                part_filter=parts.PartFilter(parent_only=True),
                limit=PRODUCT_CHOICES,
                after=None,
            )[0],
        )
    )
    latest: dict[uuid.UUID, PactFootprint | None] = ctx.state.read(
        lambda s: {
            p.trace_id: publishing.latest_footprint(s, owner=caller, trace_id=p.trace_id)
            for p in published
        }
    )
    names = {c.id: c.counterparty_name for c in issued}
    return ctx.render(
        "pact.html",
        status=status,
        clients=issued,
        publications=published,
        latest=latest,
        client_names=names,
        client_options=[(str(c.id), c.counterparty_name) for c in issued if c.revoked_at is None],
        product_options=[
            (
                str(p.trace_id),
                p.parts_name + (f" {p.support_parts_name}" if p.support_parts_name else ""),
            )
            for p in products
        ],
        secret=secret,
        errors=form_errors or FormErrors(),
    )


@page("/pact")
def pact_home(ctx: Ctx) -> Response:
    return _show(ctx)


@page("/pact/clients", methods=("POST",))
def pact_issue(ctx: Ctx) -> Response:
    counterparty = ctx.value("counterparty")
    try:
        made = ctx.state.write(
            lambda s: clients.issue_client(
                s, caller=ctx.operator_id, counterparty_name=counterparty
            )
        )
    except errors.InvalidRequest as exc:
        return _show(ctx, form_errors=FormErrors().place(exc), status=400)
    return _show(ctx, secret=f"{made.client.client_id} / {made.secret}")


@page("/pact/clients/revoke", methods=("POST",))
def pact_revoke(ctx: Ctx) -> Response:
    client_row_id = fields.uuid_field(ctx.value("client"), "client")
    ctx.state.write(
        lambda s: clients.revoke_client(s, caller=ctx.operator_id, client_row_id=client_row_id)
    )
    return ctx.redirect("/pact", flash="pact.revoked_done")


@page("/pact/publish", methods=("POST",))
def pact_publish(ctx: Ctx) -> Response:
    try:
        trace_id = fields.uuid_field(ctx.value("traceId"), "traceId")
        client_row_id = fields.uuid_field(ctx.value("client"), "client")
        country = ctx.value("country").upper() or None
        options = publishing.PublishOptions(geography_country=country) if country else None
        ctx.state.write(
            lambda s: publishing.publish(
                s,
                caller=ctx.operator_id,
                trace_id=trace_id,
                client_row_id=client_row_id,
                options=options,
                disclose_by_default=ctx.state.settings.disclose_by_default,
            )
        )
    except errors.InvalidRequest as exc:
        return _show(ctx, form_errors=FormErrors().place(exc), status=400)
    return ctx.redirect("/pact", flash="pact.published")


@page("/pact/unpublish", methods=("POST",))
def pact_unpublish(ctx: Ctx) -> Response:
    trace_id = fields.uuid_field(ctx.value("traceId"), "traceId")
    client_row_id = fields.uuid_field(ctx.value("client"), "client")
    ctx.state.write(
        lambda s: publishing.unpublish(
            s, caller=ctx.operator_id, trace_id=trace_id, client_row_id=client_row_id
        )
    )
    return ctx.redirect("/pact", flash="pact.unpublished")


@page("/pact/refresh", methods=("POST",))
def pact_refresh(ctx: Ctx) -> Response:
    disclose = ctx.state.settings.disclose_by_default
    ctx.state.write(
        lambda s: publishing.refresh(s, caller=ctx.operator_id, disclose_by_default=disclose)
    )
    return ctx.redirect("/pact", flash="pact.refreshed")
