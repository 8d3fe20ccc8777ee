"""Signed answers to trades: the CFP values a supplier's answer gives its customer, as a
value that can leave the platform with a detached signature by the supplier's key
(`identity.signing`), so the customer, or anyone it passes the value to, can check where the
numbers came from against the supplier's published keys.

The value is what the customer sees of the answer (the `*Response` rows, as disclosed to it),
so a signature never reveals more than the customer may see. The platform holds the
supplier's key and signs for it when the customer asks for the signed value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from battrace.identity import signing
from battrace.identity.signing import Verification
from battrace.ids import OperatorId, TradeId
from battrace.traceability import rollup, trades
from battrace.traceability.models import CfpResponseStatus


@dataclass(frozen=True)
class SignedAnswer:
    value: dict[str, Any]
    signature: str
    signer_id: uuid.UUID
    signer: str
    verification: Verification


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def answer_value(
    session: Session, *, caller: OperatorId, trade_id: TradeId, disclose_by_default: bool
) -> dict[str, Any] | None:
    """The answer to the caller's request as a plain value, or None while it is unanswered."""
    trade = trades.get_trade(session, caller=caller, trade_id=trade_id)
    if trade.downstream_operator_id != caller:
        return None
    if trade.cfp_response_status != CfpResponseStatus.COMPLETED:
        return None
    rows = [
        row
        for row in rollup.cfp_rows(
            session,
            caller=caller,
            trace_ids=[trade.downstream_trace_id],
            disclose_by_default=disclose_by_default,
        )
        if row.cfp_type.endswith("Response")
    ]
    return {
        "tradeId": str(trade.id),
        "downstreamOperatorId": str(trade.downstream_operator_id),
        "downstreamTraceId": str(trade.downstream_trace_id),
        "upstreamOperatorId": str(trade.upstream_operator_id),
        "upstreamTraceId": _text(trade.upstream_trace_id),
        "rows": [
            {
                "cfpType": row.cfp_type,
                "ghgEmission": _text(row.ghg_emission),
                "ghgDeclaredUnit": row.ghg_declared_unit,
                "dqrType": row.dqr_type,
                "dqrValue": {
                    "TeR": _text(row.dqr.ter),
                    "GeR": _text(row.dqr.ger),
                    "TiR": _text(row.dqr.tir),
                },
            }
            for row in rows
        ],
    }


def signed_answer(
    session: Session, *, caller: OperatorId, trade_id: TradeId, disclose_by_default: bool
) -> SignedAnswer | None:
    """The answer signed by the supplier's key and checked against its published keys."""
    value = answer_value(
        session, caller=caller, trade_id=trade_id, disclose_by_default=disclose_by_default
    )
    if value is None:
        return None
    supplier = uuid.UUID(value["upstreamOperatorId"])
    jws = signing.sign_value(session, caller=supplier, value=value)
    key_set = signing.jwks(session, operator_id=supplier)
    return SignedAnswer(
        value=value,
        signature=jws,
        signer_id=supplier,
        signer=signing.signer_name(session, operator_id=supplier),
        verification=signing.verify_value(value, jws, key_set),
    )
