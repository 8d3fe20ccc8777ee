"""API keys: issued at random, shown once, stored as SHA-256; optional CIDR allow-list and
optional binding to operators.

Keys are high-entropy random strings, so a fast hash is the right one (a memory-hard hash
would only slow every request). The reference tutorial's fixed keys (`Sample-APIKey1`) are
stored the same way.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest
from battrace.identity.models import ApiKey, ApiKeyCidr, ApiKeyOperator, ApplicationAttribute
from battrace.identity.tokens import new_opaque_token, token_hash
from battrace.ids import new_id

SYSTEM_ATTRIBUTES = frozenset({ApplicationAttribute.DATA_SPACE, ApplicationAttribute.TRACEABILITY})


@dataclass(frozen=True)
class ApiKeyGrant:
    """What a presented API key allows: its attribute, addresses and operators."""

    id: uuid.UUID
    attribute: ApplicationAttribute
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    operators: frozenset[uuid.UUID]

    def allows_address(self, address: str | None) -> bool:
        if not self.networks:
            return True
        if address is None:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip.version == net.version and ip in net for net in self.networks)

    def allows_operator(self, operator_id: uuid.UUID) -> bool:
        return not self.operators or operator_id in self.operators

    @property
    def is_system(self) -> bool:
        return self.attribute in SYSTEM_ATTRIBUTES


def parse_cidr(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError as exc:
        raise InvalidRequest(f"cidr: {cidr} is not an IPv4 or IPv6 network.") from exc


def issue_api_key(
    session: Session,
    *,
    application_name: str,
    attribute: ApplicationAttribute,
    cidrs: list[str] | None = None,
    operator_ids: list[uuid.UUID] | None = None,
    key: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key (random unless `key` is given, as for the tutorial seeds).

    Returns the row and the plain key, which is never stored and cannot be shown again.
    """
    plain = key or new_opaque_token("btk_")
    networks = [parse_cidr(cidr) for cidr in cidrs or []]
    row = ApiKey(
        id=new_id(),
        key_hash=token_hash(plain),
        key_prefix=plain[:8],
        application_name=application_name,
        application_attribute=attribute,
    )
    session.add(row)
    session.flush()  # need the key row before its CIDR and operator rows reference it
    for network in networks:
        session.add(ApiKeyCidr(api_key_id=row.id, cidr=str(network)))
    for operator_id in operator_ids or []:
        session.add(ApiKeyOperator(api_key_id=row.id, operator_id=operator_id))
    record_event(
        session,
        action=AuditAction.APIKEY_ISSUE,
        actor=None,
        target_type="api_key",
        target_id=row.id,
        change={"application": application_name, "attribute": attribute.value},
    )
    return row, plain


def find_grant(session: Session, key: str) -> ApiKeyGrant | None:
    """The grant for a presented key, or None for an unknown or revoked key."""
    row = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == token_hash(key), ApiKey.revoked_at.is_(None))
    )
    if row is None:
        return None
    cidrs = session.scalars(select(ApiKeyCidr.cidr).where(ApiKeyCidr.api_key_id == row.id))
    operators = session.scalars(
        select(ApiKeyOperator.operator_id).where(ApiKeyOperator.api_key_id == row.id)
    )
    return ApiKeyGrant(
        id=row.id,
        attribute=row.application_attribute,
        networks=tuple(ipaddress.ip_network(cidr) for cidr in cidrs),
        operators=frozenset(operators),
    )
