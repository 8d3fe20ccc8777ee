"""Plants (sites) of an operator: list and create-or-update (contract #3, #4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.identity.models import Plant
from battrace.identity.operators import NO_PRIVILEGES, RECORD_NOT_FOUND
from battrace.ids import OperatorId, new_id


@dataclass(frozen=True)
class PlantWrite:
    plant_id: uuid.UUID | None
    operator_id: uuid.UUID
    name: str
    address: str
    open_plant_id: str
    global_plant_id: str | None


def list_plants(session: Session, *, caller: OperatorId) -> list[Plant]:
    return list(
        session.scalars(
            select(Plant).where(Plant.operator_id == caller).order_by(Plant.open_plant_id)
        )
    )


def get_plant(session: Session, *, caller: OperatorId, plant_id: uuid.UUID) -> Plant | None:
    return session.get(Plant, (caller, plant_id))


def save_plant(session: Session, *, caller: OperatorId, plant: PlantWrite) -> Plant:
    """Create (no plant id) or update one of the caller's plants.

    Raises AccessDenied (another operator's id), NotFound (unknown plant id),
    InvalidRequest (openPlantId or globalPlantId already used by another of the caller's plants).
    """
    if plant.operator_id != caller:
        raise AccessDenied(NO_PRIVILEGES)
    row: Plant | None = None
    if plant.plant_id is not None:
        row = get_plant(session, caller=caller, plant_id=plant.plant_id)
        if row is None:
            raise NotFound(RECORD_NOT_FOUND)
    own_id = row.id if row is not None else None
    _check_unique(session, caller, Plant.open_plant_id, plant.open_plant_id, own_id, "openPlantId")
    if plant.global_plant_id is not None:
        _check_unique(
            session, caller, Plant.global_plant_id, plant.global_plant_id, own_id, "globalPlantId"
        )
    if row is None:
        row = Plant(operator_id=caller, id=new_id())
        session.add(row)
    row.name = plant.name
    row.address = plant.address
    row.open_plant_id = plant.open_plant_id
    row.global_plant_id = plant.global_plant_id
    record_event(
        session,
        action=AuditAction.PLANT_SAVE,
        actor=caller,
        target_type="plant",
        target_id=row.id,
        change={"name": plant.name, "openPlantId": plant.open_plant_id},
    )
    return row


def _check_unique(
    session: Session,
    caller: OperatorId,
    column: object,
    value: str,
    own_id: uuid.UUID | None,
    field: str,
) -> None:
    holder = session.scalar(
        select(Plant.id).where(Plant.operator_id == caller, column == value)  # type: ignore[arg-type]
    )
    if holder is not None and holder != own_id:
        raise InvalidRequest(f"{field}: {value} is already exists.")
