"""The parts list (search by name, products only, paging) and one part's page: its structure
with each bought-in child's request state, its CFP set, certificates and disclosure."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.identity import plants
from battrace.ids import OperatorId, PlantId, TraceId
from battrace.traceability import certificates, cfp, disclosure, parts, trades
from battrace.traceability.models import Part, Trade
from battrace.web.app import Ctx, page
from battrace.web.views import operator_names, trade_state

PAGE_SIZE = 20


@page("/parts")
def part_list(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    query = ctx.value("q")
    products_only = ctx.value("products") == "1"
    after_text = ctx.value("after")
    try:
        after = uuid.UUID(after_text) if after_text else None
    except ValueError:
        after = None
    part_filter = parts.PartFilter(parent_only=products_only, name_contains=query or None)

    def read(session: Session) -> tuple[list[Part], uuid.UUID | None, dict[PlantId, str]]:
        rows, next_cursor = parts.list_parts(
            session, caller=caller, part_filter=part_filter, limit=PAGE_SIZE, after=after
        )
        names = {p.id: p.name for p in plants.list_plants(session, caller=caller)}
        return rows, next_cursor, names

    rows, next_cursor, plant_names = ctx.state.read(read)
    return ctx.render(
        "parts.html",
        parts=rows,
        next_cursor=next_cursor,
        query=query,
        products_only=products_only,
        paged=after is not None,
        plant_names=plant_names,
    )


def latest_trades(
    session: Session, caller: OperatorId, trace_ids: list[TraceId]
) -> dict[TraceId, Trade]:
    """The newest request the caller sent on each of these parts."""
    latest: dict[TraceId, Trade] = {}
    for start in range(0, len(trace_ids), 50):
        rows, _ = trades.list_requests_sent(
            session, caller=caller, trace_ids=trace_ids[start : start + 50], limit=100, after=None
        )
        for trade in rows:  # newest first
            latest.setdefault(trade.downstream_trace_id, trade)
    return latest


def customers_of(session: Session, caller: OperatorId, trace_id: TraceId) -> list[Trade]:
    """The requests received that this part answers (one per customer, newest first)."""
    received, _ = trades.list_requests_received(session, caller=caller, limit=1000, after=None)
    seen: dict[uuid.UUID, Trade] = {}
    for trade, _part in received:
        if trade.upstream_trace_id == trace_id:
            seen.setdefault(trade.downstream_operator_id, trade)
    return list(seen.values())


def part_page_data(
    session: Session, caller: OperatorId, trace_id: TraceId, disclose_by_default: bool
) -> dict[str, Any]:
    structure = parts.get_structure(session, caller=caller, trace_id=trace_id)
    part = structure.parent
    bought = [
        c.part.trace_id
        for c in structure.children
        if not c.part.is_parent and not c.part.terminated_flag
    ]
    requests = latest_trades(session, caller, bought)
    certificate = certificates.certificate_of_part(session, owner=caller, trace_id=trace_id)
    files = (
        certificates.certificate_files(session, owner=caller, certificate_id=certificate.id)
        if certificate is not None
        else []
    )
    customer_trades = customers_of(session, caller, trace_id)
    decisions = {
        row.released_to_operator_id: row
        for row in disclosure.list_disclosures(session, caller=caller, trace_id=trace_id)
    }
    released = {
        t.downstream_operator_id: disclosure.resolve(
            decisions.get(t.downstream_operator_id), disclose_by_default
        )
        for t in customer_trades
    }
    plant_names = {p.id: p.name for p in plants.list_plants(session, caller=caller)}
    names = operator_names(
        session,
        [t.upstream_operator_id for t in requests.values()]
        + [t.downstream_operator_id for t in customer_trades],
    )
    return {
        "part": part,
        "parents": parts.parents_of(session, caller=caller, trace_id=trace_id),
        "children": structure.children,
        "bought": set(bought),
        "requests": requests,
        "cfp_rows": {
            row.cfp_type.value: row
            for row in cfp.own_rows(session, owner=caller, trace_id=trace_id)
        },
        "certificate": certificate,
        "files": files,
        "customer_trades": customer_trades,
        "released": released,
        "plant_names": plant_names,
        "names": names,
    }


@page("/parts/{trace_id:uuid}")
def part_detail(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    caller = ctx.operator_id
    disclose = ctx.state.settings.disclose_by_default
    data = ctx.state.read(lambda s: part_page_data(s, caller, trace_id, disclose))
    return ctx.render("part.html", trade_state=trade_state, **data)


@page("/parts/{trace_id:uuid}/delete", methods=("POST",))
def part_delete(ctx: Ctx) -> Response:
    trace_id = TraceId(ctx.request.path_params["trace_id"])
    caller = ctx.operator_id
    try:
        ctx.state.write(
            lambda s: parts.delete_part(
                s, caller=caller, trace_id=trace_id, store=ctx.state.file_store
            )
        )
    except errors.BusinessRuleViolation as exc:
        return ctx.render("error.html", status=400, message=exc.message)
    return ctx.redirect("/parts", flash="parts.deleted")
