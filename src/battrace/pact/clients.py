"""PACT client credentials: what a company issues to one counterparty so that it can pull
the footprints published to it (OAuth2 client credentials, RFC 6749 section 4.4).

The secret is shown once and stored as a SHA-256 hash (it is 32 random bytes, so a fast hash
is enough; a password hash would only slow down every token request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Uuid, bindparam, case, null, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.ids import new_id
from battrace.pact.models import PactClient
from battrace.store import version
from battrace.store.base import utcnow


@dataclass(frozen=True)
class IssuedCredential:
    client: PactClient
    secret: str  # shown once


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_client(
    session: Session,
    *,
    caller: uuid.UUID,
    counterparty_name: str,
    counterparty_operator_id: uuid.UUID | None = None,
) -> IssuedCredential:
    """A new client credential bound to one counterparty of the caller."""
    name = counterparty_name.strip()
    if not name or len(name) > 256:
        raise InvalidRequest("counterparty: give the counterparty's name (at most 256 characters).")
    secret = secrets.token_urlsafe(32)
    client = PactClient(
        operator_id=caller,
        id=new_id(),
        client_id=f"pact-{secrets.token_hex(8)}",
        secret_hash=_hash(secret),
        counterparty_name=name,
        counterparty_operator_id=counterparty_operator_id,
        created_at=utcnow(),
    )
    session.add(client)
    session.flush()
    record_event(
        session,
        action=AuditAction.PACT_CLIENT_ISSUE,
        actor=caller,
        target_type="pact_client",
        target_id=client.id,
        change={"clientId": client.client_id, "counterparty": name},
    )
    return IssuedCredential(client, secret)


def authenticate_client(session: Session, *, client_id: str, secret: str) -> PactClient | None:
    """The live client with these credentials, or None (unknown, wrong secret, revoked)."""
    client = session.scalar(select(PactClient).where(PactClient.client_id == client_id))
    if client is None or client.revoked_at is not None:
        return None
    if not hmac.compare_digest(client.secret_hash, _hash(secret)):
        return None
    return client


def live_client(
    session: Session, *, operator_id: uuid.UUID, client_row_id: uuid.UUID
) -> PactClient | None:
    """The operator's client, unless it was revoked (one primary-key read)."""
    client = session.get(PactClient, (operator_id, client_row_id))
    return None if client is None or client.revoked_at is not None else client


def _live_version_query() -> Select[Any]:
    operator_id = bindparam("operator_id", type_=Uuid())
    live = (
        select(PactClient.id)
        .where(
            PactClient.operator_id == operator_id,
            PactClient.id == bindparam("client_row_id", type_=Uuid()),
            PactClient.revoked_at.is_(None),
        )
        .exists()
    )
    return select(case((live, version.number_of(operator_id)), else_=null()))


# One statement, built once (parameters `operator_id`, `client_row_id`): the owner's data
# version (`store.version`) while the client is live, NULL once it is revoked or unknown;
# what a cached answer for the client is valid under.
LIVE_VERSION = _live_version_query()


def own_client(session: Session, *, caller: uuid.UUID, client_row_id: uuid.UUID) -> PactClient:
    client = session.get(PactClient, (caller, client_row_id))
    if client is None:
        raise NotFound(f"PACT client {client_row_id} was not found.")
    return client


def list_clients(session: Session, *, caller: uuid.UUID) -> list[PactClient]:
    return list(
        session.scalars(
            select(PactClient)
            .where(PactClient.operator_id == caller)
            .order_by(PactClient.created_at)
        )
    )


def revoke_client(session: Session, *, caller: uuid.UUID, client_row_id: uuid.UUID) -> PactClient:
    client = own_client(session, caller=caller, client_row_id=client_row_id)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        record_event(
            session,
            action=AuditAction.PACT_CLIENT_REVOKE,
            actor=caller,
            target_type="pact_client",
            target_id=client.id,
        )
    return client
