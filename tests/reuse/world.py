"""Companies and passports for the second-life service tests, made through the services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from battrace.cli.demo.reuse import GTIN
from battrace.cli.demo.reuse import MODEL as MODEL_DATA
from battrace.cli.seeds import TUTORIAL_COMPANIES
from battrace.identity import operators
from battrace.passport import battery_models, issuing
from battrace.passport.models import BatteryCategory
from battrace.store import Database


@dataclass
class Market:
    """A reuser (A, responsible for the packs), an integrator (B) and a stranger (C)."""

    reuser: uuid.UUID
    integrator: uuid.UUID
    stranger: uuid.UUID
    packs: list[uuid.UUID]


def make_market(database: Database, packs: int = 3) -> Market:
    a, b = (c.operator_id for c in TUTORIAL_COMPANIES)
    with database.transaction() as session:
        stranger = operators.create_operator(
            session, name="Stranger", address="Elsewhere 1", open_operator_id="9999999999999"
        ).id
        model = battery_models.create_model(
            session,
            caller=a,
            name="Pack 60",
            category=BatteryCategory.EV,
            gtin=GTIN,
            data=MODEL_DATA,
        )
        issued = issuing.create_batch(
            session,
            caller=a,
            model_id=model.id,
            batteries=[issuing.NewBattery(serial=f"SN{k:04d}") for k in range(packs)],
            publish=True,
        )
    return Market(reuser=a, integrator=b, stranger=stranger, packs=list(issued.passport_ids))
