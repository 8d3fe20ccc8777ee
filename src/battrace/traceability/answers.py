"""What a supplier's CFP answers: the requests (trades) of its customers that rest on one of its
parts, so that a page can show who will receive a value before it is saved, and the DQR scale
a rating is read on (a rating outside it is accepted, as the contract does, but flagged)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.ids import OperatorId, TraceId
from battrace.traceability.models import CfpResponseStatus, Part, Trade

# The PEF data-quality scale of TeR, GeR and TiR: 1 (very good) to 5 (poor).
DQR_SCALE = (Decimal(1), Decimal(5))
ANSWERING = (CfpResponseStatus.NOT_COMPLETED, CfpResponseStatus.COMPLETED)


def trades_answered_by(session: Session, *, caller: OperatorId, trace_id: TraceId) -> list[Trade]:
    """The open requests to `caller` linked to its part `trace_id`: saving the part's CFP
    answers each of them at once."""
    return list(
        session.scalars(
            select(Trade)
            .where(
                Trade.upstream_operator_id == caller,
                Trade.upstream_trace_id == trace_id,
                Trade.cfp_response_status.in_(ANSWERING),
            )
            .order_by(Trade.id)
        )
    )


def outside_dqr_scale(ratings: dict[str, Decimal | None]) -> list[str]:
    """The names of the ratings given outside the DQR scale (blank ones are not rated)."""
    low, high = DQR_SCALE
    return [
        name for name, value in ratings.items() if value is not None and not low <= value <= high
    ]


def unit_conflicts(
    session: Session, *, caller: OperatorId, trace_id: TraceId, declared_unit: str
) -> list[str]:
    """The units the customers count this part in that a CFP declared per `declared_unit`
    does not fit (`kgCO2e/kilogram` fits a part counted in `kilogram`): such an answer could
    not be used in their roll-up, so it is refused before it is sent."""
    counted = {
        part.amount_required_unit.value
        for trade in trades_answered_by(session, caller=caller, trace_id=trace_id)
        if (part := session.get(Part, (trade.downstream_operator_id, trade.downstream_trace_id)))
        is not None
        and part.amount_required_unit is not None
    }
    return sorted(unit for unit in counted if f"kgCO2e/{unit}" != declared_unit)
