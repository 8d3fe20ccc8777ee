"""PACT receiving for the logged-in operator: its suppliers' remote hosts (add, pull now),
the footprints received with their signature state ("signed by X, verified" or why not),
using one as a bought-in part's answer, and the exchange log."""

from __future__ import annotations

from starlette.responses import Response

from battrace import errors
from battrace.adapters.pact_https import HttpsTransport
from battrace.inputs import fields
from battrace.pact import exchange_log, remote
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors


def _show(ctx: Ctx, *, form_errors: FormErrors | None = None, status: int = 200) -> Response:
    caller = ctx.operator_id
    hosts, received, answers, log = ctx.state.read(
        lambda s: (
            remote.list_hosts(s, caller=caller),
            remote.received_footprints(s, caller=caller),
            remote.answers(s, caller=caller),
            exchange_log.entries(s, caller=caller, limit=100),
        )
    )
    return ctx.render(
        "pact_hosts.html",
        status=status,
        hosts=hosts,
        host_names={h.id: h.name for h in hosts},
        received=received,
        answers=answers,
        log=log,
        errors=form_errors or FormErrors(),
    )


@page("/pact/hosts")
def pact_hosts(ctx: Ctx) -> Response:
    return _show(ctx)


@page("/pact/hosts", methods=("POST",))
def pact_add_host(ctx: Ctx) -> Response:
    try:
        spec = int(ctx.value("spec", "3") or "3")
        ctx.state.write(
            lambda s: remote.add_host(
                s,
                caller=ctx.operator_id,
                name=ctx.value("name"),
                base_url=ctx.value("baseUrl"),
                client_id=ctx.value("clientId"),
                client_secret=ctx.value("clientSecret"),
                spec_version=spec,
                ca_file=ctx.value("caFile") or None,
            )
        )
    except ValueError:
        return _show(
            ctx, form_errors=FormErrors().place(errors.InvalidRequest("spec: 2 or 3.")), status=400
        )
    except errors.InvalidRequest as exc:
        return _show(ctx, form_errors=FormErrors().place(exc), status=400)
    return ctx.redirect("/pact/hosts", flash="pact.host_added")


@page("/pact/hosts/pull", methods=("POST",))
def pact_pull(ctx: Ctx) -> Response:
    host_id = fields.uuid_field(ctx.value("host"), "host")
    transport = HttpsTransport()
    try:
        result = ctx.state.write(
            lambda s: remote.pull(s, caller=ctx.operator_id, host_id=host_id, transport=transport)
        )
    finally:
        transport.close()
    if not result.ok:
        return ctx.redirect("/pact/hosts", flash=f"={result.error}")
    return ctx.redirect("/pact/hosts", flash="pact.pulled")


@page("/pact/answer", methods=("POST",))
def pact_answer(ctx: Ctx) -> Response:
    try:
        trace_id = fields.uuid_field(ctx.value("traceId"), "traceId")
        host_id = fields.uuid_field(ctx.value("host"), "host")
        pf_id = fields.uuid_field(ctx.value("footprint"), "footprint")
        ctx.state.write(
            lambda s: remote.answer_part(
                s, caller=ctx.operator_id, trace_id=trace_id, host_id=host_id, pf_id=pf_id
            )
        )
    except (errors.InvalidRequest, errors.NotFound) as exc:
        return _show(
            ctx, form_errors=FormErrors().place(errors.InvalidRequest(exc.message)), status=400
        )
    return ctx.redirect("/pact/hosts", flash="pact.answered")
