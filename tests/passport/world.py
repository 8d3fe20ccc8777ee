"""Companies and passports for the passport tests, made through the domain services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from battrace.identity import accounts, operators
from battrace.identity.models import AccountRole, Plant
from battrace.passport import battery_models, issuing
from battrace.passport.access import Reader
from battrace.passport.models import BatteryCategory
from battrace.store import Database

GTIN = "04012345000009"  # a valid GTIN-14 (check digit 9)

MODEL_DATA = {
    "general": {"weight_kg": 450, "chemistry": "NMC811"},
    "materials": {"hazardous_substances": ["none above 0.1 %"], "cathode_composition": "NMC811"},
    "circularity": {"dismantling_information": "exploded diagram v3", "renewable_share": 12},
    "labels": {"test_reports": "TR-2027-001", "ce_marking": True},
    "performance": {"rated_capacity_ah": 180, "nominal_voltage_v": 355},
}


@dataclass
class World:
    """A pack maker (responsible), a car maker, a recycler, a stranger and an authority."""

    pack_maker: uuid.UUID
    car_maker: uuid.UUID
    recycler: uuid.UUID
    stranger: uuid.UUID
    agency: uuid.UUID
    agency_account: uuid.UUID
    plant: uuid.UUID
    models: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def authority(self) -> Reader:
        return Reader(operator_id=self.agency, authority=True)

    def reader(self, operator_id: uuid.UUID) -> Reader:
        return Reader(operator_id=operator_id)


def _company(session: Session, name: str, number: int) -> uuid.UUID:
    return operators.create_operator(
        session, name=name, address=f"{name} street 1", open_operator_id=f"{number:013d}"
    ).id


def make_world(database: Database) -> World:
    with database.transaction() as session:
        pack = _company(session, "Pack maker", 1)
        plant = uuid.uuid4()
        session.add(
            Plant(
                operator_id=pack,
                id=plant,
                name="Pack plant",
                address="Kyoto plant",
                open_plant_id="0000000000001000001",
            )
        )
        agency = _company(session, "Market surveillance", 5)
        account = accounts.create_account(
            session,
            operator_id=agency,
            email="inspector@example.com",
            password="Inspector&pass1",
            role=AccountRole.AUTHORITY,
        ).id
        return World(
            pack_maker=pack,
            car_maker=_company(session, "Car maker", 2),
            recycler=_company(session, "Recycler", 3),
            stranger=_company(session, "Stranger", 4),
            agency=agency,
            agency_account=account,
            plant=plant,
        )


def make_model(
    session: Session,
    world: World,
    *,
    category: BatteryCategory = BatteryCategory.EV,
    name: str = "Pack 80",
    operator: uuid.UUID | None = None,
) -> uuid.UUID:
    model = battery_models.create_model(
        session,
        caller=operator or world.pack_maker,
        name=name,
        category=category,
        gtin=GTIN,
        data=MODEL_DATA,
    )
    return model.id


def issue(
    session: Session,
    world: World,
    model_id: uuid.UUID,
    serials: Sequence[str],
    *,
    publish: bool = True,
) -> list[uuid.UUID]:
    issued = issuing.create_batch(
        session,
        caller=world.pack_maker,
        model_id=model_id,
        batteries=[issuing.NewBattery(serial=serial) for serial in serials],
        publish=publish,
    )
    return list(issued.passport_ids)
