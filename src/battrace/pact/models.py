"""PACT tables. Every row belongs to one company and carries `operator_id`, leading its key.

Footprints are stored as the JSON document they are served or were received as (a PACT
ProductFootprint is a document with its own versioning rules), next to the few columns the
host filters and pages on.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from battrace.ids import TraceId
from battrace.store.base import ModelBase, str_enum, utcnow


class FootprintStatus(enum.StrEnum):
    ACTIVE = "Active"
    DEPRECATED = "Deprecated"


class PactClient(ModelBase):
    """A client credential a company issues to one counterparty (OAuth2 client credentials)."""

    __tablename__ = "pact_clients"
    __table_args__ = (Index("ix_pact_clients_client_id", "client_id", unique=True),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64), comment="sha256 hex of the secret")
    counterparty_name: Mapped[str] = mapped_column(String(256))
    counterparty_operator_id: Mapped[uuid.UUID | None] = mapped_column(
        comment="the counterparty when it is a company on this platform"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class PactPublication(ModelBase):
    """A company's decision to publish one product's CFP to one PACT client."""

    __tablename__ = "pact_publications"

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    client_row_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PactFootprint(ModelBase):
    """One ProductFootprint made from a product's CFP; a changed CFP makes a new one and
    deprecates this one (`preceding_id` chains them)."""

    __tablename__ = "pact_footprints"
    __table_args__ = (
        Index("ix_pact_footprints_id", "id", unique=True),
        Index("ix_pact_footprints_listing", "operator_id", "created_at", "id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="the PACT pfId")
    version: Mapped[int] = mapped_column(comment="number of footprints this one supersedes")
    preceding_id: Mapped[uuid.UUID | None]
    status: Mapped[FootprintStatus] = mapped_column(str_enum(FootprintStatus))
    digest: Mapped[str] = mapped_column(String(64), comment="sha256 of the CFP figures")
    figures: Mapped[dict[str, object]] = mapped_column(JSON, comment="mapping input")
    v2_servable: Mapped[bool] = mapped_column(comment="expressible in v2 (no piece unit)")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What ListFootprints filters on, taken from the figures when the footprint is made.
    reference_period_start: Mapped[datetime | None]
    reference_period_end: Mapped[datetime | None]
    valid_from: Mapped[datetime | None] = mapped_column(comment="validity period start")
    valid_to: Mapped[datetime | None] = mapped_column(comment="validity period end")


class PactFootprintTerm(ModelBase):
    """One value of a served footprint's field that ListFootprints filters on (`productIds`,
    `companyIds`, `pcf/geographyCountry`, `productCategoryCpc`): as served, and folded to
    lower case for v3's case-insensitive matching."""

    __tablename__ = "pact_footprint_terms"
    __table_args__ = (
        Index("ix_pact_footprint_terms_lookup", "operator_id", "field", "folded", "footprint_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    footprint_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="the PACT pfId")
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(1000), primary_key=True)
    folded: Mapped[str] = mapped_column(String(1000), comment="value.lower()")


class RemoteHost(ModelBase):
    """A PACT host of one of the company's suppliers, and the state of pulling from it."""

    __tablename__ = "pact_remote_hosts"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), comment="the supplier, as the company names it")
    base_url: Mapped[str] = mapped_column(String(1000))
    auth_base_url: Mapped[str | None] = mapped_column(String(1000))
    spec_version: Mapped[int] = mapped_column(comment="2 or 3")
    client_id: Mapped[str] = mapped_column(String(256))
    client_secret: Mapped[str] = mapped_column(Text, comment="sealed (identity.sealing)")
    ca_file: Mapped[str | None] = mapped_column(String(1000), comment="trusted CA bundle")
    attempts: Mapped[int] = mapped_column(default=0, comment="failed pulls in a row")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_pulled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceivedFootprint(ModelBase):
    """A ProductFootprint pulled from (or sent by) a remote host, with where it came from."""

    __tablename__ = "pact_received_footprints"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    host_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    pf_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    spec_version: Mapped[str] = mapped_column(String(32))
    version: Mapped[int | None] = mapped_column(comment="v2 version; None for v3")
    status: Mapped[str] = mapped_column(String(16))
    company_name: Mapped[str] = mapped_column(String(256))
    product_name: Mapped[str] = mapped_column(String(1000))
    document: Mapped[dict[str, object]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(32), comment="unsigned, verified or failed")
    signature_note: Mapped[str | None] = mapped_column(Text, comment="signer or why not")
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class FootprintAnswer(ModelBase):
    """A received footprint answering one of the company's bought-in parts (provenance)."""

    __tablename__ = "pact_footprint_answers"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    host_id: Mapped[uuid.UUID]
    pf_id: Mapped[uuid.UUID]
    pf_version: Mapped[int | None]
    verified: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExchangeEntry(ModelBase):
    """One PACT exchange, for the company's log: who, what, outcome."""

    __tablename__ = "pact_exchange_log"
    __table_args__ = (Index("ix_pact_exchange_log_listing", "operator_id", "at"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    direction: Mapped[str] = mapped_column(String(8), comment="in or out")
    action: Mapped[str] = mapped_column(String(64))
    counterparty: Mapped[str] = mapped_column(String(256))
    outcome: Mapped[str] = mapped_column(String(16), comment="ok or failed")
    detail: Mapped[str | None] = mapped_column(Text)


class OutgoingEvent(ModelBase):
    """A CloudEvent to deliver to a remote host, with its retry state (back-off, 72 h)."""

    __tablename__ = "pact_outbox"
    __table_args__ = (Index("ix_pact_outbox_due", "delivered_at", "next_attempt_at"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="the CloudEvent id")
    target_url: Mapped[str] = mapped_column(String(1000), comment="the events endpoint")
    host_id: Mapped[uuid.UUID | None] = mapped_column(comment="credentials to use, if known")
    spec_version: Mapped[int]
    event: Mapped[dict[str, object]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    given_up_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncomingRequest(ModelBase):
    """A RequestCreated event a PACT client sent to the company, and how it was answered."""

    __tablename__ = "pact_incoming_requests"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    client_row_id: Mapped[uuid.UUID]
    spec_version: Mapped[int]
    source: Mapped[str] = mapped_column(String(1000))
    criteria: Mapped[dict[str, object]] = mapped_column(JSON)
    answer: Mapped[str | None] = mapped_column(String(16), comment="fulfilled or rejected")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentRequest(ModelBase):
    """A RequestCreated event the company sent to a remote host, awaiting its answer."""

    __tablename__ = "pact_sent_requests"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    host_id: Mapped[uuid.UUID]
    criteria: Mapped[dict[str, object]] = mapped_column(JSON)
    answer: Mapped[str | None] = mapped_column(String(16), comment="fulfilled or rejected")
    answer_detail: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
