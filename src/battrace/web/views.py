"""What several pages show the same way: a request's state in the words of the operators'
screens, operator names for ids (public directory data), and the caller's own part."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from battrace import errors
from battrace.identity import operators
from battrace.ids import TraceId
from battrace.traceability import parts
from battrace.traceability.models import CfpResponseStatus, Part, Trade
from battrace.web.app import Ctx

NOT_REQUESTED = "not_requested"


def trade_state(trade: Trade | None) -> str:
    """not_requested, registering_parts (the supplier has not linked a part yet),
    registering_cfp (linked, no CFP yet), answered, sent_back or cancelled."""
    if trade is None:
        return NOT_REQUESTED
    status = trade.cfp_response_status
    if status == CfpResponseStatus.COMPLETED:
        return "answered"
    if status == CfpResponseStatus.REJECT:
        return "sent_back"
    if status == CfpResponseStatus.CANCEL:
        return "cancelled"
    return "registering_cfp" if trade.upstream_trace_id is not None else "registering_parts"


def is_overdue(trade: Trade, today: date) -> bool:
    return (
        trade.cfp_response_status == CfpResponseStatus.NOT_COMPLETED
        and trade.response_due_date is not None
        and trade.response_due_date < today
    )


def operator_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = list({i for i in ids if i is not None})
    return {row.id: row.name for row in operators.list_operators(session, wanted)}


def own_part(ctx: Ctx, trace_id: TraceId) -> Part:
    """The caller's part, or the "not found" page (another operator's part is not found)."""
    caller = ctx.operator_id
    part = ctx.state.read(lambda s: parts.get_own_part(s, caller=caller, trace_id=trace_id))
    if part is None:
        raise errors.NotFound("part")
    return part
