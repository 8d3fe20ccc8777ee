"""The due-diligence context's part of a data reset (`PUT /dataReset`): forget the DD requests,
responses and facilities on the reset trades or of the reset operators, and those operators'
evidence, assurance lists and templates. `traceability.reset` then removes the trades.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from battrace.diligence.models import (
    DdAssurance,
    DdEvidence,
    DdFacility,
    DdRequest,
    DdResponse,
    DdTemplate,
)


def forget_operators(
    session: Session, *, operator_ids: Sequence[uuid.UUID], trade_ids: Sequence[uuid.UUID]
) -> None:
    """For a data reset: the DD requests on these trades or of these operators, with their
    responses and facilities, and the operators' evidence, assurances and templates."""
    request_ids = select(DdRequest.id).where(
        or_(
            DdRequest.trade_id.in_(trade_ids),
            DdRequest.downstream_operator_id.in_(operator_ids),
            DdRequest.upstream_operator_id.in_(operator_ids),
        )
    )
    response_ids = select(DdResponse.id).where(DdResponse.request_id.in_(request_ids))
    session.execute(delete(DdFacility).where(DdFacility.response_id.in_(response_ids)))
    session.execute(delete(DdResponse).where(DdResponse.request_id.in_(request_ids)))
    session.execute(delete(DdRequest).where(DdRequest.id.in_(request_ids)))
    session.execute(delete(DdEvidence).where(DdEvidence.operator_id.in_(operator_ids)))
    session.execute(delete(DdAssurance).where(DdAssurance.operator_id.in_(operator_ids)))
    session.execute(delete(DdTemplate).where(DdTemplate.owner_operator_id.in_(operator_ids)))
