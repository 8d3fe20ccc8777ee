"""Operators (companies): create, look up, and the owner's own update (contract #1, #2, #17)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.identity.models import Operator
from battrace.ids import OperatorId, new_id

RECORD_NOT_FOUND = "record not found"
NO_PRIVILEGES = "You do not have the necessary privileges"


@dataclass(frozen=True)
class OperatorUpdate:
    operator_id: uuid.UUID
    name: str
    address: str
    open_operator_id: str
    global_operator_id: str | None


def create_operator(
    session: Session,
    *,
    name: str,
    address: str,
    open_operator_id: str,
    global_operator_id: str | None = None,
    operator_id: uuid.UUID | None = None,
) -> Operator:
    """Register a company. Raises InvalidRequest when a public id is already taken."""
    if session.scalar(select(Operator.id).where(Operator.open_operator_id == open_operator_id)):
        raise InvalidRequest(f"openOperatorId: {open_operator_id} is already exists.")
    _check_global_id_free(session, global_operator_id, owner=None)
    operator = Operator(
        id=operator_id or new_id(),
        name=name,
        address=address,
        open_operator_id=open_operator_id,
        global_operator_id=global_operator_id,
    )
    session.add(operator)
    record_event(
        session,
        action=AuditAction.OPERATOR_CREATE,
        actor=operator.id,
        target_type="operator",
        target_id=operator.id,
        change={"openOperatorId": open_operator_id, "name": name},
    )
    return operator


def get_operator(session: Session, operator_id: uuid.UUID) -> Operator:
    operator = session.get(Operator, operator_id)
    if operator is None:
        raise NotFound(RECORD_NOT_FOUND)
    return operator


def find_by_open_id(session: Session, open_operator_id: str) -> Operator:
    """Look a company up by its public id (corporate number). Raises NotFound."""
    operator = session.scalar(select(Operator).where(Operator.open_operator_id == open_operator_id))
    if operator is None:
        raise NotFound(RECORD_NOT_FOUND)
    return operator


def list_operators(session: Session, operator_ids: list[uuid.UUID]) -> list[Operator]:
    """The operators among `operator_ids` that exist (public directory data)."""
    if not operator_ids:
        return []
    return list(
        session.scalars(
            select(Operator)
            .where(Operator.id.in_(operator_ids))
            .order_by(Operator.open_operator_id)
        )
    )


def set_listing(session: Session, *, caller: OperatorId, listed: bool) -> Operator:
    """The caller decides whether its name and corporate number are listed in the directory
    other companies pick a supplier from."""
    operator = get_operator(session, caller)
    if operator.listed_in_directory != listed:
        operator.listed_in_directory = listed
        record_event(
            session,
            action=AuditAction.OPERATOR_LISTING,
            actor=caller,
            target_type="operator",
            target_id=caller,
            change={"listedInDirectory": listed},
        )
    return operator


def update_operator(session: Session, *, caller: OperatorId, change: OperatorUpdate) -> Operator:
    """The caller updates its own company record.

    Raises AccessDenied (someone else's record), InvalidRequest (immutable or taken ids).
    """
    if change.operator_id != caller:
        raise AccessDenied(NO_PRIVILEGES)
    operator = get_operator(session, caller)
    if change.open_operator_id != operator.open_operator_id:
        raise InvalidRequest("openOperatorId: field is immutable.")
    _check_global_id_free(session, change.global_operator_id, owner=caller)
    operator.name = change.name
    operator.address = change.address
    operator.global_operator_id = change.global_operator_id
    record_event(
        session,
        action=AuditAction.OPERATOR_UPDATE,
        actor=caller,
        target_type="operator",
        target_id=caller,
        change={
            "name": change.name,
            "address": change.address,
            "globalOperatorId": change.global_operator_id,
        },
    )
    return operator


def _check_global_id_free(
    session: Session, global_id: str | None, *, owner: uuid.UUID | None
) -> None:
    if global_id is None:
        return
    holder = session.scalar(select(Operator.id).where(Operator.global_operator_id == global_id))
    if holder is not None and holder != owner:
        raise InvalidRequest(f"globalOperatorId: {global_id} is already exists.")
