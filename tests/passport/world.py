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
    "general": {"weight": 450, "warrantyPeriod": 96},
    "materials": {
        "chemistry": {"shortName": "NMC811", "clearName": "Lithium nickel manganese cobalt oxide"},
        "composition": [{"component": "cathode", "name": "NMC 811 active material", "share": 21.7}],
    },
    "circularity": {
        "renewableContent": 12,
        "safetyMeasures": "https://pack.example/safety.pdf",
    },
    "labels": {
        "declarationOfConformity": "https://pack.example/doc.pdf",
        "testReports": "https://pack.example/test-reports.pdf",
    },
    "performance": {
        "ratedCapacity": 180,
        "minimumVoltage": 300,
        "nominalVoltage": 355,
        "maximumVoltage": 400,
    },
}
# Of MODEL_DATA, what is not public: point 2 (legitimate interest) and point 3 (authorities).
INTEREST_ONLY = ("materials.composition", "circularity.safetyMeasures")
AUTHORITIES_ONLY = ("labels.testReports",)


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
