"""Helpers for PACT tests: a published product, a client credential, a token over HTTPS."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient

from battrace.cli.seeds import TUTORIAL_COMPANIES
from battrace.pact import clients, publishing
from battrace.store import Database
from tests.support import tutorial_chain

A, B = TUTORIAL_COMPANIES
HTTPS = "https://testserver"


@dataclass
class Published:
    client_id: str
    secret: str
    client_row_id: str
    parent: str
    b_part: str
    other_client_id: str
    other_secret: str


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def token(client: TestClient, client_id: str, secret: str) -> str:
    response = client.post(
        f"{HTTPS}/auth/token",
        data={"grant_type": "client_credentials"},
        headers=basic(client_id, secret),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(client: TestClient, client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(client, client_id, secret)}"}


def publish_chain(client: TestClient, database: Database) -> Published:
    """The tutorial chain; A publishes 部品A and B publishes 部品B to one client each, and
    A has a second client it published nothing to."""
    chain = tutorial_chain(client, parent_cfp=True)
    with database.transaction() as session:
        issued = clients.issue_client(session, caller=A.operator_id, counterparty_name="EU Pack")
        other = clients.issue_client(session, caller=A.operator_id, counterparty_name="Other")
        publishing.publish(
            session,
            caller=A.operator_id,
            trace_id=uuid.UUID(chain.parent),
            client_row_id=issued.client.id,
            disclose_by_default=True,
        )
        return Published(
            issued.client.client_id,
            issued.secret,
            str(issued.client.id),
            chain.parent,
            chain.b_part,
            other.client.client_id,
            other.secret,
        )
