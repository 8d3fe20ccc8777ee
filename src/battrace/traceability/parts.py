"""Parts and parts structures (contract #5, #6, #8, #9, #19).

A trace id names one (operator, plant, partsName, supportPartsName) tuple: writing a part
with no trace id reuses the trace id of that tuple if it exists, and writing a known trace id
with a different tuple issues a new trace id (the contract's issuance rule). A structure
replaces the parent's children; a child may be the parent of another structure, so products
have as many levels as they need, but a structure may never contain itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import BusinessRuleViolation, NotFound
from battrace.ids import OperatorId, PlantId, TraceId
from battrace.traceability import certificates
from battrace.traceability.models import CfpValue, Disclosure, Part, PartEdge, Trade
from battrace.traceability.structures import (
    NO_PRIVILEGES,
    Child,
    ChildWrite,
    PartWrite,
    Structure,
    save_structure,
    save_structures,
)

__all__ = [
    "NO_PRIVILEGES",
    "Child",
    "ChildWrite",
    "PartFilter",
    "PartWrite",
    "Structure",
    "delete_part",
    "get_own_part",
    "get_structure",
    "list_parts",
    "save_structure",
    "save_structures",
]


@dataclass(frozen=True)
class PartFilter:
    trace_id: TraceId | None = None
    parts_name: str | None = None
    plant_id: PlantId | None = None
    parent_only: bool = False
    name_contains: str | None = None  # a part of partsName, any case (the web's search)


def get_own_part(session: Session, *, caller: OperatorId, trace_id: TraceId) -> Part | None:
    return session.get(Part, (caller, trace_id))


def get_structure(session: Session, *, caller: OperatorId, trace_id: TraceId) -> Structure:
    """A part and its direct children (#9). Raises NotFound for a part not the caller's."""
    part = get_own_part(session, caller=caller, trace_id=trace_id)
    if part is None:
        raise NotFound("record not found")
    rows = session.execute(
        select(Part, PartEdge.amount_required)
        .join(
            PartEdge,
            (PartEdge.operator_id == Part.operator_id) & (PartEdge.child_trace_id == Part.trace_id),
        )
        .where(PartEdge.operator_id == caller, PartEdge.parent_trace_id == trace_id)
        .order_by(Part.trace_id)
    ).all()
    return Structure(part, [Child(child, amount) for child, amount in rows])


def parents_of(session: Session, *, caller: OperatorId, trace_id: TraceId) -> list[Part]:
    """The caller's parts whose structure holds `trace_id` (a sub-assembly's way up), by name."""
    return list(
        session.scalars(
            select(Part)
            .join(
                PartEdge,
                (PartEdge.operator_id == Part.operator_id)
                & (PartEdge.parent_trace_id == Part.trace_id),
            )
            .where(PartEdge.operator_id == caller, PartEdge.child_trace_id == trace_id)
            .order_by(Part.parts_name, Part.trace_id)
        )
    )


def list_parts(
    session: Session,
    *,
    caller: OperatorId,
    part_filter: PartFilter,
    limit: int,
    after: uuid.UUID | None,
) -> tuple[list[Part], uuid.UUID | None]:
    """The caller's parts by partsName, supportPartsName (#8), and the next page's cursor.

    `after` is inclusive: the page starts at that trace id. An unknown cursor gives an empty page.
    """
    support = func.coalesce(Part.support_parts_name, "")
    query = select(Part).where(Part.operator_id == caller)
    if part_filter.trace_id is not None:
        query = query.where(Part.trace_id == part_filter.trace_id)
    if part_filter.parts_name is not None:
        query = query.where(Part.parts_name == part_filter.parts_name)
    if part_filter.plant_id is not None:
        query = query.where(Part.plant_id == part_filter.plant_id)
    if part_filter.parent_only:
        query = query.where(Part.is_parent.is_(True))
    if part_filter.name_contains:
        needle = part_filter.name_contains.lower()
        query = query.where(func.lower(Part.parts_name).contains(needle, autoescape=True))
    if after is not None:
        start = session.execute(
            select(Part.parts_name, support, Part.trace_id).where(
                Part.operator_id == caller, Part.trace_id == after
            )
        ).first()
        if start is None:
            return [], None
        query = query.where(tuple_(Part.parts_name, support, Part.trace_id) >= tuple(start))
    rows = list(
        session.scalars(query.order_by(Part.parts_name, support, Part.trace_id).limit(limit + 1))
    )
    next_cursor = rows[limit].trace_id if len(rows) > limit else None
    return rows[:limit], next_cursor


def delete_part(
    session: Session, *, caller: OperatorId, trace_id: TraceId, store: certificates.FileStore
) -> None:
    """Delete a part nothing references (#19), with its CFP, disclosures and certificates
    (their files removed from `store`).

    Raises BusinessRuleViolation with the reference's MSG codes, in the reference's order.
    """
    part = get_own_part(session, caller=caller, trace_id=trace_id)
    if part is None:
        raise BusinessRuleViolation("指定された部品は存在しません。", detail="MSGAECP0013")
    in_structure = session.scalar(
        select(
            exists().where(
                PartEdge.operator_id == caller,
                or_(PartEdge.child_trace_id == trace_id, PartEdge.parent_trace_id == trace_id),
            )
        )
    )
    if in_structure:
        raise BusinessRuleViolation(
            "指定された部品は部品構成が存在するため削除できません。", detail="MSGAECP0014"
        )
    if session.scalar(select(exists().where(Trade.downstream_trace_id == trace_id))):
        raise BusinessRuleViolation(
            "指定された部品は依頼済みのため削除できません。", detail="MSGAECP0015"
        )
    if session.scalar(select(exists().where(Trade.upstream_trace_id == trace_id))):
        raise BusinessRuleViolation(
            "指定された部品は受領済みの依頼に紐づいているため削除できません。", detail="MSGAECP0016"
        )
    certificates.delete_certificates_of_part(session, caller=caller, trace_id=trace_id, store=store)
    session.execute(
        delete(CfpValue).where(CfpValue.operator_id == caller, CfpValue.trace_id == trace_id)
    )
    session.execute(
        delete(Disclosure).where(Disclosure.operator_id == caller, Disclosure.trace_id == trace_id)
    )
    session.delete(part)
    record_event(
        session,
        action=AuditAction.PART_DELETE,
        actor=caller,
        target_type="part",
        target_id=trace_id,
        change={"partsName": part.parts_name, "supportPartsName": part.support_parts_name},
    )
