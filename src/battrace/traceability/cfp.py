"""CFP sets: the 4 rows a part's owner registers (#15), stored exactly.

The 4 rows are own (`*Production`) and component (`*Component`) emissions for the two
life-cycle stages: raw-material acquisition and pre-processing (`pre*`, DQR `preProcessing`)
and main production (`main*`, DQR `mainProcessing`). The rules of a set are
`traceability.rules` (the contract's surface lists them in the reference's words before it
calls here); here: the same rules for every caller, ownership, create-versus-update, and the
trades it answers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound, Problem
from battrace.ids import OperatorId, TraceId, new_id
from battrace.traceability import rules, trades
from battrace.traceability.models import CfpType, CfpValue, Part
from battrace.traceability.stages import DQR_TYPE, STAGE_OF, Dqr


@dataclass(frozen=True)
class CfpRowWrite:
    cfp_type: CfpType
    ghg_emission: Decimal | None
    dqr: Dqr


@dataclass(frozen=True)
class CfpSetWrite:
    trace_id: TraceId
    cfp_id: uuid.UUID | None
    unit: str
    rows: list[CfpRowWrite]


def own_rows(session: Session, *, owner: uuid.UUID, trace_id: TraceId) -> list[CfpValue]:
    return list(
        session.scalars(
            select(CfpValue).where(CfpValue.operator_id == owner, CfpValue.trace_id == trace_id)
        )
    )


def check_cfp_set(cfp_set: CfpSetWrite) -> None:
    """Raise ValidationFailed if the set breaks a rule of `traceability.rules` (a row's
    problems named `cfpModel[i].…`, the set's as a whole)."""
    rows = [
        rules.CfpRowInput(
            cfp_id=str(cfp_set.cfp_id) if cfp_set.cfp_id is not None else None,
            trace_id=str(cfp_set.trace_id),
            unit=cfp_set.unit,
            cfp_type=row.cfp_type.value,
            dqr_type=DQR_TYPE[STAGE_OF[row.cfp_type]],
            ghg_emission=row.ghg_emission,
            dqr=row.dqr,
        )
        for row in cfp_set.rows
    ]
    problems = [
        Problem(f"cfpModel[{index}].{p.path}" if p.path else "", p.message)
        for index, row in enumerate(rows)
        for p in rules.cfp_row_problems(row)
    ]
    rules.refuse(problems + rules.cfp_set_problems(rows))


def register_cfp(session: Session, *, caller: OperatorId, cfp_set: CfpSetWrite) -> list[CfpValue]:
    """Create (no cfpId) or update (the part's cfpId) the 4-row CFP set of a caller's part.

    Creating answers every open request linked to the part; updating notifies the customers
    whose requests it answered. Raises NotFound (part or cfpId unknown to the caller),
    InvalidRequest (create on a part that has CFP already), ValidationFailed (`check_cfp_set`).
    """
    check_cfp_set(cfp_set)
    owned = select(Part.trace_id).where(
        Part.operator_id == caller, Part.trace_id == cfp_set.trace_id
    )  # (no ORM object: the part itself is not needed)
    if session.execute(owned).first() is None:
        raise NotFound(f"traceId: {cfp_set.trace_id} was not found.")
    stored = {
        row.cfp_type: row for row in own_rows(session, owner=caller, trace_id=cfp_set.trace_id)
    }
    creating = cfp_set.cfp_id is None
    if creating and stored:
        existing = next(iter(stored.values())).cfp_id
        raise InvalidRequest(
            f"traceId: {cfp_set.trace_id} has CFP already (cfpId {existing}); "
            "send that cfpId to update it."
        )
    if not creating and (not stored or next(iter(stored.values())).cfp_id != cfp_set.cfp_id):
        raise NotFound(f"cfpId: {cfp_set.cfp_id} was not found.")
    cfp_id = cfp_set.cfp_id or new_id()
    result = []
    for row in cfp_set.rows:
        value = stored.get(row.cfp_type)
        if value is None:
            value = CfpValue(operator_id=caller, trace_id=cfp_set.trace_id, cfp_type=row.cfp_type)
            session.add(value)
        value.cfp_id = cfp_id
        value.ghg_emission = row.ghg_emission
        value.ghg_declared_unit = cfp_set.unit
        value.dqr_type = DQR_TYPE[STAGE_OF[row.cfp_type]]
        value.ter, value.ger, value.tir = row.dqr.ter, row.dqr.ger, row.dqr.tir
        result.append(value)
    session.flush()  # trades below read the stored set
    record_event(
        session,
        action=AuditAction.CFP_CREATE if creating else AuditAction.CFP_UPDATE,
        actor=caller,
        target_type="part",
        target_id=cfp_set.trace_id,
        change={
            "cfpId": str(cfp_id),
            "unit": cfp_set.unit,
            "rows": {r.cfp_type.value: [str(r.ghg_emission), str(r.dqr)] for r in cfp_set.rows},
        },
    )
    trades.answer_trades_of(session, caller=caller, trace_id=cfp_set.trace_id, updated=not creating)
    return result
