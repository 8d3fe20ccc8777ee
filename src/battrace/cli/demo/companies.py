"""The demo's companies in the database, and their logins through the API.

Operators, accounts and the demo's API key are made with the identity services directly
(there is no HTTP API for creating companies); everything after that is an API call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from battrace.cli.demo.client import AUTH_INFO, ContractClient
from battrace.cli.demo.data import COMPANIES, DEMO_API_KEY, DEMO_PASSWORD, LOOP_COMPANIES, Company
from battrace.cli.seeds import ensure_key
from battrace.identity import accounts, operators, passwords
from battrace.identity.models import ApplicationAttribute, Operator
from battrace.settings import Settings
from battrace.store import Database


def registered(database: Database) -> set[str]:
    """Those of the demo's corporate numbers that are registered already."""
    wanted = [company.open_operator_id for company in COMPANIES]
    with database.transaction(write=False) as session:
        query = select(Operator.open_operator_id).where(Operator.open_operator_id.in_(wanted))
        return set(session.scalars(query))


def register_companies(settings: Settings, database: Database) -> None:
    """Operators, logins (argon2, at the settings' cost) and the demo's API key, at once."""
    passwords.configure(
        time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib
    )
    with database.transaction() as session:
        ids = []
        for company in (*COMPANIES, *LOOP_COMPANIES):
            operator = operators.create_operator(
                session,
                name=company.name,
                address=company.address,
                open_operator_id=company.open_operator_id,
            )
            session.flush()  # the account references the operator
            accounts.create_account(
                session, operator_id=operator.id, email=company.email, password=DEMO_PASSWORD
            )
            ids.append(operator.id)
        ensure_key(session, DEMO_API_KEY, "battrace demo", ApplicationAttribute.APPLICATION, ids)


@dataclass
class Login:
    """One company's session and what it registered."""

    company: Company
    token: str
    operator_id: str
    plant_id: str = ""
    product_trace: str = ""
    child_traces: dict[str, str] = field(default_factory=dict)


def log_in(api: ContractClient, company: Company) -> Login:
    token = api.login(company.email, DEMO_PASSWORD)
    me = api.obj("GET", AUTH_INFO, token=token, params={"dataTarget": "operator"})
    return Login(company, token, str(me["operatorId"]))


def show_companies(console: Console) -> None:
    """Who is in the demo and how to log in as them."""
    table = Table(
        title=f"Demo companies: password {escape(DEMO_PASSWORD)}, apiKey {DEMO_API_KEY}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    for column in ("company", "corporate number", "login"):
        table.add_column(column, no_wrap=True)
    for company in (*COMPANIES, *LOOP_COMPANIES):
        table.add_row(company.short, company.open_operator_id, company.email)
    console.print(table)
