"""The reference tutorial's companies, accounts and API keys (digest section 10.1).

With these, the 18 calls of the Ouranos tutorial run verbatim against battrace.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.identity import accounts, api_keys, operators
from battrace.identity.models import Account, ApiKey, ApplicationAttribute, Operator
from battrace.identity.tokens import token_hash
from battrace.ids import OperatorId


@dataclass(frozen=True)
class SeedCompany:
    operator_id: uuid.UUID
    name: str
    address: str
    open_operator_id: str
    global_operator_id: str
    email: str
    password: str


TUTORIAL_COMPANIES = (
    SeedCompany(
        uuid.UUID("b39e6248-c888-56ca-d9d0-89de1b1adc8e"),
        "A社",
        "東京都渋谷区xx",
        "1234567890123",
        "1234ABCD5678EFGH0123",
        "oem_a@example.com",
        "oemA&user_01",
    ),
    SeedCompany(
        uuid.UUID("15572d1c-ec13-0d78-7f92-dd4278871373"),
        "B社",
        "東京都渋谷区xx",
        "1234567890124",
        "1234ABCD5678EFGH0124",
        "supplier_b@example.com",
        "supplierB&user_01",
    ),
)
APPLICATION_KEY = "Sample-APIKey1"
DATA_SPACE_KEY = "Sample-APIKey2"
ANY_ADDRESS = ["0.0.0.0/0", "::/0"]


def ensure_company(session: Session, company: SeedCompany) -> bool:
    """Create the company and its login unless they exist. True if anything was created."""
    created = False
    if session.get(Operator, company.operator_id) is None:
        operators.create_operator(
            session,
            name=company.name,
            address=company.address,
            open_operator_id=company.open_operator_id,
            global_operator_id=company.global_operator_id,
            operator_id=company.operator_id,
        )
        operators.set_listing(session, caller=OperatorId(company.operator_id), listed=True)
        session.flush()  # the account below references the operator
        created = True
    if session.scalar(select(Account.id).where(Account.email == company.email)) is None:
        accounts.create_account(
            session, operator_id=company.operator_id, email=company.email, password=company.password
        )
        created = True
    return created


def ensure_key(
    session: Session,
    key: str,
    name: str,
    attribute: ApplicationAttribute,
    operator_ids: list[uuid.UUID] | None = None,
) -> bool:
    if session.scalar(select(ApiKey.id).where(ApiKey.key_hash == token_hash(key))) is not None:
        return False
    api_keys.issue_api_key(
        session,
        application_name=name,
        attribute=attribute,
        cidrs=ANY_ADDRESS,
        operator_ids=operator_ids,
        key=key,
    )
    return True


def seed_ouranos_tutorial(session: Session) -> list[str]:
    """Create what the tutorial expects; idempotent. Returns what was created."""
    created = [c.name for c in TUTORIAL_COMPANIES if ensure_company(session, c)]
    if ensure_key(
        session,
        APPLICATION_KEY,
        "Application-Vendor-A",
        ApplicationAttribute.APPLICATION,
        [c.operator_id for c in TUTORIAL_COMPANIES],
    ):
        created.append(APPLICATION_KEY)
    if ensure_key(session, DATA_SPACE_KEY, "DataPlatform", ApplicationAttribute.DATA_SPACE):
        created.append(DATA_SPACE_KEY)
    return created
