"""Companies of the loop for recycling tests: a collector, a carrier, a recycler, a cathode
(material) maker and a pack maker, with logins, and permits where their work needs them."""

from __future__ import annotations

import uuid
from datetime import date

from battrace.cli.seeds import DATA_SPACE_KEY, SeedCompany, ensure_company, ensure_key
from battrace.identity.models import ApplicationAttribute
from battrace.recycling import custody
from battrace.recycling.models import Role
from battrace.store import Database


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
                custody.declare_permit(
                    session,
                    caller=company.operator_id,
                    role=role,
                    permit_ref=f"P-{company.name}-{role.value}",
                    valid_until=date(2099, 12, 31),
                )
