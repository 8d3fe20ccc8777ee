"""What a PACT client sees: the footprints published to it, listed, filtered and paged, or
one by id; each signed by its owner when the host gives a JWKS address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from battrace.errors import NotFound
from battrace.identity import signing
from battrace.pact.mapping import with_signature
from battrace.pact.models import PactClient, PactFootprint, PactPublication
from battrace.pact.publishing import document

Condition = ColumnElement[bool]  # `pact.selection`: the filters of a query, as SQL


class SignatureCache:
    """Signatures of served footprints, kept per process: a footprint's served form only
    changes with its status, so its signature can be reused (a rotated key stays published,
    so an older signature still verifies). Bounded; the oldest entries go first."""

    def __init__(self, entries: int = 100_000) -> None:
        self._entries = entries
        self._signatures: dict[tuple[object, ...], str] = {}

    def get(self, key: tuple[object, ...]) -> str | None:
        return self._signatures.get(key)

    def put(self, key: tuple[object, ...], signature: str) -> None:
        if len(self._signatures) >= self._entries:
            self._signatures.pop(next(iter(self._signatures)))
        self._signatures[key] = signature


@dataclass(frozen=True)
class Page:
    footprints: list[dict[str, Any]]
    more: bool


def _visible(client: PactClient, version: int) -> Select[PactFootprint]:
    query = (
        select(PactFootprint)
        .join(
            PactPublication,
            (PactPublication.operator_id == PactFootprint.operator_id)
            & (PactPublication.trace_id == PactFootprint.trace_id),
        )
        .where(
            PactFootprint.operator_id == client.operator_id,
            PactPublication.client_row_id == client.id,
        )
    )
    if version == 2:
        query = query.where(PactFootprint.v2_servable)
    return query


def _documents(
    session: Session,
    client: PactClient,
    rows: list[PactFootprint],
    version: int,
    jwks_url: str | None,
    cache: SignatureCache | None = None,
) -> list[dict[str, Any]]:
    documents = [document(row, version) for row in rows]
    if jwks_url is None:
        return documents
    sign = None
    for row, served in zip(rows, documents, strict=True):
        key = (row.id, row.status, row.updated_at, version, jwks_url)
        jws = None if cache is None else cache.get(key)
        if jws is None:
            if sign is None:
                sign = signing.signer(session, caller=client.operator_id)
            jws = str(sign(dict(served)))
            if cache is not None:
                cache.put(key, jws)
        with_signature(served, jws=jws, signer=str(served["companyName"]), jwks_url=jwks_url)
    return documents


def list_footprints(
    session: Session,
    *,
    client: PactClient,
    version: int,
    limit: int,
    offset: int,
    condition: Condition | None = None,
    jwks_url: str | None = None,
    cache: SignatureCache | None = None,
) -> Page:
    """One page of the footprints published to `client` that meet `condition`, oldest
    first: the database filters and pages, so a page costs the same however many there are."""
    query = _visible(client, version).order_by(PactFootprint.created_at, PactFootprint.id)
    if condition is not None:
        query = query.where(condition)
    rows = list(session.scalars(query.offset(offset).limit(limit + 1)))
    more = len(rows) > limit
    return Page(_documents(session, client, rows[:limit], version, jwks_url, cache), more)


def matching_footprints(
    session: Session,
    *,
    client: PactClient,
    version: int,
    condition: Condition,
    jwks_url: str | None,
) -> list[dict[str, Any]]:
    """Every footprint published to `client` that meets `condition` (a RequestCreated)."""
    query = _visible(client, version).where(condition)
    rows = list(session.scalars(query.order_by(PactFootprint.created_at, PactFootprint.id)))
    return _documents(session, client, rows, version, jwks_url)


def get_footprint(
    session: Session,
    *,
    client: PactClient,
    version: int,
    pf_id: uuid.UUID,
    jwks_url: str | None = None,
    cache: SignatureCache | None = None,
) -> dict[str, Any]:
    """One footprint published to `client`; NotFound for any other id (no existence leaks)."""
    row = session.scalar(_visible(client, version).where(PactFootprint.id == pf_id))
    if row is None:
        raise NotFound(f"No footprint {pf_id}.")
    return _documents(session, client, [row], version, jwks_url, cache)[0]
