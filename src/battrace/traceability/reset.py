"""Data reset (`PUT /dataReset`, undocumented in the contract, present in the reference):
remove the plants, parts, structures, CFP values, disclosures, certificates, notifications and
trades of some operators, so a test suite can start again. Trades go if either side is reset,
since a trade belongs to both. Operators, accounts, keys and the audit log stay.

Other contexts forget their own rows first (`footprint.factors.forget_operators`,
`diligence.reset.forget_operators`); the endpoint calls them in that order.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.identity.models import Plant
from battrace.ids import OperatorId
from battrace.traceability import certificates
from battrace.traceability.models import (
    CfpValue,
    Disclosure,
    Notification,
    Part,
    PartEdge,
    Trade,
)


def trades_of(session: Session, operator_ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """Every trade either side of which is one of `operator_ids`."""
    return list(
        session.scalars(
            select(Trade.id).where(
                or_(
                    Trade.downstream_operator_id.in_(operator_ids),
                    Trade.upstream_operator_id.in_(operator_ids),
                )
            )
        )
    )


def reset_operators(
    session: Session,
    *,
    caller: OperatorId,
    operator_ids: Collection[uuid.UUID],
    store: certificates.FileStore,
) -> int:
    """Delete the traceability data of `operator_ids` (certificate files from `store`);
    returns how many parts went."""
    ops = list(operator_ids)
    if not ops:
        return 0
    trade_ids = trades_of(session, ops)
    owned_parts = list(
        session.execute(select(Part.operator_id, Part.trace_id).where(Part.operator_id.in_(ops)))
    )
    for owner, trace_id in owned_parts:
        certificates.delete_certificates_of_part(
            session, caller=OperatorId(owner), trace_id=trace_id, store=store
        )
    session.execute(
        delete(Notification).where(
            or_(Notification.operator_id.in_(ops), Notification.trade_id.in_(trade_ids))
        )
    )
    session.execute(
        delete(Disclosure).where(
            or_(Disclosure.operator_id.in_(ops), Disclosure.released_to_operator_id.in_(ops))
        )
    )
    session.execute(delete(CfpValue).where(CfpValue.operator_id.in_(ops)))
    session.execute(delete(Trade).where(Trade.id.in_(trade_ids)))
    session.execute(delete(PartEdge).where(PartEdge.operator_id.in_(ops)))
    session.execute(delete(Part).where(Part.operator_id.in_(ops)))
    session.execute(delete(Plant).where(Plant.operator_id.in_(ops)))
    record_event(
        session,
        action=AuditAction.DATA_RESET,
        actor=caller,
        target_type="operator",
        target_id=caller,
        change={
            "operators": sorted(str(o) for o in ops),
            "parts": len(owned_parts),
            "trades": len(trade_ids),
        },
    )
    return len(owned_parts)
