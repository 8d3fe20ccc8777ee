"""Companies of the loop for recycling tests: a collector, a carrier, a recycler, a cathode
(material) maker and a pack maker, with logins, and permits where their work needs them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from battrace.cli.seeds import DATA_SPACE_KEY, SeedCompany, ensure_company, ensure_key
from battrace.identity import plants
from battrace.identity.models import ApplicationAttribute
from battrace.recycling import permits
from battrace.recycling.models import Role
from battrace.store import Database
from battrace.traceability import cfp, parts, trades
from battrace.traceability.cfp import CfpRowWrite, CfpSetWrite
from battrace.traceability.models import AmountUnit, CfpType
from battrace.traceability.parts import ChildWrite, PartWrite
from battrace.traceability.stages import Dqr


def _company(n: int, name: str) -> SeedCompany:
    return SeedCompany(
        uuid.uuid5(uuid.NAMESPACE_URL, f"battrace-test-recycling-{name}"),
        name,
        "Lyon",
        f"87654321000{n:02d}",
        f"RECTEST000000000{n:04d}",
        f"rec{n}@example.com",
        f"Rec&user_0{n}",
    )


COLLECTOR, CARRIER, RECYCLER, MATERIAL, PACK = (
    _company(1, "Collector"),
    _company(2, "Carrier"),
    _company(3, "Recycler"),
    _company(4, "Cathode maker"),
    _company(5, "Pack maker"),
)
COMPANIES = (COLLECTOR, CARRIER, RECYCLER, MATERIAL, PACK)
PERMITS = {
    COLLECTOR: (Role.COLLECTOR, Role.STORAGE),
    CARRIER: (Role.TRANSPORTER,),
    RECYCLER: (Role.TREATMENT, Role.RECYCLER, Role.STORAGE),
    PACK: (Role.COLLECTOR,),  # a producer taking back its batteries (Art. 61)
}


def seed_loop(database: Database) -> None:
    with database.transaction() as session:
        for company in COMPANIES:
            ensure_company(session, company)
        ensure_key(session, DATA_SPACE_KEY, "DataPlatform", ApplicationAttribute.DATA_SPACE)
        session.flush()
        for company, roles in PERMITS.items():
            for role in roles:
                permits.declare_permit(
                    session,
                    caller=company.operator_id,
                    role=role,
                    permit_ref=f"P-{company.name}-{role.value}",
                    valid_until=date(2099, 12, 31),
                )


def plant(session: Session, company: SeedCompany) -> uuid.UUID:
    row = plants.save_plant(
        session,
        caller=company.operator_id,
        plant=plants.PlantWrite(
            None, company.operator_id, "Plant", "Lyon", f"{company.open_operator_id}000001", None
        ),
    )
    session.flush()
    return row.id


def part(
    session: Session,
    company: SeedCompany,
    plant_id: uuid.UUID,
    name: str,
    children: Sequence[tuple[str, Decimal]] = (),
    *,
    unit: AmountUnit = AmountUnit.KILOGRAM,
    bought: Sequence[str] = (),
) -> dict[str, uuid.UUID]:
    """A part (with its children, by name), trace ids by name; the `bought` children are
    left unterminated, to take their supplier's answer."""

    def write(part_name: str, terminated: bool) -> PartWrite:
        return PartWrite(None, company.operator_id, plant_id, part_name, None, terminated, unit)

    saved = parts.save_structure(
        session,
        caller=company.operator_id,
        parent=write(name, not children and name not in bought),
        children=[
            ChildWrite(write(child, child not in bought), amount) for child, amount in children
        ],
    )
    session.flush()
    found = {name: saved.parent.trace_id}
    found.update({child.part.parts_name: child.part.trace_id for child in saved.children})
    return found


def trade(
    session: Session,
    customer: SeedCompany,
    bought: uuid.UUID,
    supplier: SeedCompany,
    sold: uuid.UUID,
) -> uuid.UUID:
    """The customer asks the supplier about `bought`; the supplier links `sold`."""
    request = trades.request_trade(
        session,
        caller=customer.operator_id,
        request=trades.TradeRequestWrite(
            None, None, customer.operator_id, supplier.operator_id, bought, None, None
        ),
    )
    trades.link_part(session, caller=supplier.operator_id, trade_id=request.id, trace_id=sold)
    session.flush()
    return request.id


def register_cfp(
    session: Session, company: SeedCompany, trace_id: uuid.UUID, main: str, unit: str = "kilogram"
) -> None:
    """A CFP set on a part (kgCO2e per unit, main production only) so its trades are answered."""
    rows = [
        CfpRowWrite(
            kind, Decimal(main) if kind == CfpType.MAIN_PRODUCTION else Decimal(0), Dqr.empty()
        )
        for kind in CfpType
    ]
    cfp.register_cfp(
        session,
        caller=company.operator_id,
        cfp_set=CfpSetWrite(trace_id, None, f"kgCO2e/{unit}", rows),
    )
    session.flush()
