"""Parts and parts structures (contract #5, #6, #8, #9, #19).

A trace id names one (operator, plant, partsName, supportPartsName) tuple: writing a part
with no trace id reuses the trace id of that tuple if it exists, and writing a known trace id
with a different tuple issues a new trace id (the contract's issuance rule). A structure
replaces the parent's children; a child may be the parent of another structure, so products
have as many levels as they need, but a structure may never contain itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, BusinessRuleViolation, NotFound, Problem, invalid_field
from battrace.identity.models import Plant
from battrace.ids import OperatorId, new_id
from battrace.traceability import certificates, rules, tree_progress
from battrace.traceability.models import AmountUnit, CfpValue, Disclosure, Part, PartEdge, Trade

NO_PRIVILEGES = "You do not have the necessary privileges"


@dataclass(frozen=True)
class PartWrite:
    """A part as a client writes it (the fields of the contract's PartsModel)."""

    trace_id: uuid.UUID | None
    operator_id: uuid.UUID
    plant_id: uuid.UUID
    parts_name: str
    support_parts_name: str | None
    terminated_flag: bool
    amount_required_unit: AmountUnit | None
    parts_label_name: str | None = None
    parts_add_info1: str | None = None
    parts_add_info2: str | None = None
    parts_add_info3: str | None = None


@dataclass(frozen=True)
class ChildWrite:
    part: PartWrite
    amount_required: Decimal


@dataclass(frozen=True)
class Child:
    part: Part
    amount_required: Decimal


@dataclass(frozen=True)
class Structure:
    parent: Part
    children: list[Child]


@dataclass(frozen=True)
class PartFilter:
    trace_id: uuid.UUID | None = None
    parts_name: str | None = None
    plant_id: uuid.UUID | None = None
    parent_only: bool = False
    name_contains: str | None = None  # a part of partsName, any case (the web's search)


def get_own_part(session: Session, *, caller: OperatorId, trace_id: uuid.UUID) -> Part | None:
    return session.get(Part, (caller, trace_id))


_KNOWN_PLANTS = "battrace.parts.known_plants"  # plants found by this session (one transaction)


def _identity_matches(part: Part, write: PartWrite) -> bool:
    return (
        part.plant_id == write.plant_id
        and part.parts_name == write.parts_name
        and (part.support_parts_name or "") == (write.support_parts_name or "")
    )


def _find_by_identity(session: Session, caller: OperatorId, write: PartWrite) -> Part | None:
    return session.scalar(
        select(Part).where(
            Part.operator_id == caller,
            Part.plant_id == write.plant_id,
            Part.parts_name == write.parts_name,
            func.coalesce(Part.support_parts_name, "") == (write.support_parts_name or ""),
        )
    )


def _own_plant(session: Session, caller: OperatorId, plant_id: uuid.UUID) -> bool:
    """Whether the plant is the caller's, asked once per session: an import of thousands
    of parts on one plant would otherwise read it (and flush the part before) per part."""
    known: set[tuple[uuid.UUID, uuid.UUID]] = session.info.setdefault(_KNOWN_PLANTS, set())
    if (caller, plant_id) in known:
        return True
    if session.get(Plant, (caller, plant_id)) is None:
        return False
    known.add((caller, plant_id))
    return True


def _check_rules(write: PartWrite, amount: Decimal | None, field: str) -> None:
    """The part's field rules (`rules.part_problems`), a child's with its amount."""
    unit = write.amount_required_unit
    problems = rules.part_problems(
        parts_name=write.parts_name,
        support_parts_name=write.support_parts_name,
        terminated_flag=write.terminated_flag,
        amount_required=amount,
        amount_required_unit=unit.value if unit is not None else None,
        texts=dict(
            zip(
                rules.PART_TEXTS,
                (
                    write.parts_label_name,
                    write.parts_add_info1,
                    write.parts_add_info2,
                    write.parts_add_info3,
                ),
                strict=True,
            )
        ),
        child=field.startswith("children"),
    )
    rules.refuse([Problem(_path(field, p.path), p.message) for p in problems])


def _save_part(session: Session, caller: OperatorId, write: PartWrite, field: str) -> Part:
    """Create or update one part; `field` names it in error messages."""
    if write.operator_id != caller:
        raise AccessDenied(NO_PRIVILEGES)
    if not _own_plant(session, caller, write.plant_id):
        raise invalid_field(_path(field, "plantId"), "is not a plant of this operator")
    part: Part | None = None
    if write.trace_id is not None:
        part = get_own_part(session, caller=caller, trace_id=write.trace_id)
        if part is None:
            raise NotFound(f"traceId: {write.trace_id} was not found.")
        if not _identity_matches(part, write):
            part = None  # a new tuple is a new part: issue a new trace id
    if part is None:
        part = _find_by_identity(session, caller, write)
    if part is None:
        part = Part(operator_id=caller, trace_id=new_id(), is_parent=False)
        session.add(part)
    part.plant_id = write.plant_id
    part.parts_name = write.parts_name
    part.support_parts_name = write.support_parts_name
    part.terminated_flag = write.terminated_flag
    part.amount_required_unit = write.amount_required_unit
    part.parts_label_name = write.parts_label_name
    part.parts_add_info1 = write.parts_add_info1
    part.parts_add_info2 = write.parts_add_info2
    part.parts_add_info3 = write.parts_add_info3
    return part


def _path(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


def save_structure(
    session: Session, *, caller: OperatorId, parent: PartWrite, children: Sequence[ChildWrite]
) -> Structure:
    """Create or update a parent part and replace its children (#6; #5 is this with none).

    Raises AccessDenied (a part of another operator), NotFound (unknown trace id),
    ValidationFailed (a part's field rules, plant not the caller's, a child listed twice, a
    cycle).
    """
    for item in (parent, *(child.part for child in children)):
        if item.operator_id != caller:
            raise AccessDenied(NO_PRIVILEGES)
    _check_rules(parent, None, "parentPartsModel" if children else "")
    for index, child in enumerate(children):
        _check_rules(child.part, child.amount_required, f"childrenPartsModel[{index}]")
    parent_part = _save_part(session, caller, parent, "parentPartsModel" if children else "")
    parent_part.is_parent = True
    saved: list[Child] = []
    seen: set[uuid.UUID] = set()
    for index, child in enumerate(children):
        part = _save_part(session, caller, child.part, f"childrenPartsModel[{index}]")
        if part.trace_id in seen:
            raise invalid_field(
                f"childrenPartsModel[{index}].traceId", f"{part.trace_id} is listed twice"
            )
        if part.trace_id == parent_part.trace_id:
            raise invalid_field(
                f"childrenPartsModel[{index}].traceId", "a part cannot contain itself"
            )
        seen.add(part.trace_id)
        saved.append(Child(part, child.amount_required))
    session.flush()  # need every part row before edges reference them
    _check_no_cycle(session, caller, parent_part.trace_id, [child.part.trace_id for child in saved])
    session.execute(
        delete(PartEdge).where(
            PartEdge.operator_id == caller, PartEdge.parent_trace_id == parent_part.trace_id
        )
    )
    for saved_child in saved:
        session.add(
            PartEdge(
                operator_id=caller,
                parent_trace_id=parent_part.trace_id,
                child_trace_id=saved_child.part.trace_id,
                amount_required=saved_child.amount_required,
            )
        )
    # A part that became terminated, or a structure that changed, changes the progress of
    # every request resting on it.
    session.flush()  # the edges above must be visible to the walk
    tree_progress.refresh_downstream_of(
        session, [parent_part.trace_id, *(c.part.trace_id for c in saved)]
    )
    record_event(
        session,
        action=AuditAction.STRUCTURE_SAVE,
        actor=caller,
        target_type="part",
        target_id=parent_part.trace_id,
        change={
            "parent": str(parent_part.trace_id),
            "children": {str(c.part.trace_id): str(c.amount_required) for c in saved},
        },
    )
    return Structure(parent_part, saved)


def _check_no_cycle(
    session: Session, caller: OperatorId, parent: uuid.UUID, children: list[uuid.UUID]
) -> None:
    """Refuse children that are the parent or one of its ancestors (a structure in itself)."""
    ancestors: set[uuid.UUID] = set()
    frontier = {parent}
    while frontier:
        rows = session.scalars(
            select(PartEdge.parent_trace_id).where(
                PartEdge.operator_id == caller, PartEdge.child_trace_id.in_(frontier)
            )
        ).all()
        frontier = set(rows) - ancestors
        ancestors |= frontier
    for index, child in enumerate(children):
        if child in ancestors:
            raise invalid_field(
                f"childrenPartsModel[{index}].traceId",
                f"{child} contains this parent; a parts structure cannot contain itself",
            )


def get_structure(session: Session, *, caller: OperatorId, trace_id: uuid.UUID) -> Structure:
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
    session: Session, *, caller: OperatorId, trace_id: uuid.UUID, store: certificates.FileStore
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
