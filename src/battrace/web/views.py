"""What several pages show the same way: a request's state in the words of the operators'
screens, and operator names for ids (public directory data)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from battrace.identity import operators
from battrace.traceability.models import CfpResponseStatus, Trade

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
