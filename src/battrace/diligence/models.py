"""Due-diligence tables: questionnaire templates, DD requests over trades, immutable response
versions with their facility lists, evidence documents, and facility assurance lists.

A template's questions and a response's answers are stored as JSON documents: both are
written once as a whole (a template version and a submitted response never change), and read
as a whole. Facilities get a table of their own because roll-ups query them set-wise.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from battrace.diligence.answers import StoredAnswer
from battrace.store.base import ModelBase, str_enum, utcnow


class DdRequestStatus(enum.StrEnum):
    """Where a DD request stands. SENT_BACK and CANCELLED end it; ANSWERED may be answered
    again (a new version supersedes the last)."""

    SENT = "SENT"
    IN_PROGRESS = "IN_PROGRESS"
    ANSWERED = "ANSWERED"
    SENT_BACK = "SENT_BACK"
    CANCELLED = "CANCELLED"


class Confidentiality(enum.StrEnum):
    """Who may read an evidence document's content (Art. 52(2) "due regard for business
    confidentiality"). Its SHA-256 and metadata are always shown to the customer it answers."""

    PUBLIC = "public"
    CUSTOMER = "customer"
    HASH_ONLY = "hash_only"


class AssuranceScheme(enum.StrEnum):
    RMAP = "RMAP"
    """RMI's Responsible Minerals Assurance Process."""
    COPPER_MARK = "COPPER_MARK"
    """The Copper Mark (and its Joint Due Diligence Standard)."""
    OTHER = "OTHER"
    """Any other scheme (an assurance list keeps its name as written)."""


class AssuranceStatus(enum.StrEnum):
    CONFORMANT = "conformant"
    ACTIVE = "active"
    """Enrolled, assessment under way."""
    NOT_ENROLLED = "not_enrolled"
    UNKNOWN = "unknown"


class DdTemplate(ModelBase):
    """One version of a questionnaire. Built-in templates have no owner."""

    __tablename__ = "dd_templates"
    __table_args__ = (
        Index("ix_dd_templates_code", "owner_operator_id", "code", "version"),
        Index("ux_dd_templates_version", "owner_operator_id", "code", "version", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_operator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("operators.id"))
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DdRequest(ModelBase):
    """A customer's DD request to the supplier of one trade."""

    __tablename__ = "dd_requests"
    __table_args__ = (
        Index("ix_dd_requests_downstream", "downstream_operator_id", "created_at"),
        Index("ix_dd_requests_upstream", "upstream_operator_id", "created_at"),
        Index("ix_dd_requests_trade", "trade_id"),
        # At most one open DD request per trade.
        Index(
            "ux_dd_requests_open",
            "trade_id",
            unique=True,
            postgresql_where=text("status IN ('SENT', 'IN_PROGRESS')"),
            sqlite_where=text("status IN ('SENT', 'IN_PROGRESS')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trade_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("trades.id"))
    downstream_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    upstream_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dd_templates.id"))
    materials: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[DdRequestStatus] = mapped_column(str_enum(DdRequestStatus))
    due_date: Mapped[date | None]
    message: Mapped[str | None] = mapped_column(String(1000))
    reply_message: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DdResponse(ModelBase):
    """A supplier's answer to a request: a draft (no `submitted_at`) or an immutable version."""

    __tablename__ = "dd_responses"
    __table_args__ = (
        Index("ix_dd_responses_request", "request_id", "version"),
        # One draft per request, each submitted version once.
        Index(
            "ux_dd_responses_draft",
            "request_id",
            unique=True,
            postgresql_where=text("version IS NULL"),
            sqlite_where=text("version IS NULL"),
        ),
        Index("ux_dd_responses_version", "request_id", "version", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dd_requests.id"))
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    version: Mapped[int | None] = mapped_column(comment="1, 2, … once submitted; null: draft")
    supersedes_id: Mapped[uuid.UUID | None]
    answers: Mapped[list[StoredAnswer]] = mapped_column(JSON)
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    signer_email: Mapped[str | None] = mapped_column(String(254))
    release_upstream: Mapped[bool] = mapped_column(
        default=False, comment="the customer may see upstream facility identities"
    )
    source_workbook: Mapped[str | None] = mapped_column(String(64), comment="e.g. EMRT 2.1")
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DdFacility(ModelBase):
    """A smelter, refiner or mine named in a response, with its assurance as declared."""

    __tablename__ = "dd_facilities"
    __table_args__ = (Index("ix_dd_facilities_response", "response_id", "material"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dd_responses.id", ondelete="CASCADE")
    )
    material: Mapped[str] = mapped_column(String(32))
    facility_id: Mapped[str | None] = mapped_column(String(16), comment="CID + 6 digits")
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))
    scheme: Mapped[AssuranceScheme | None] = mapped_column(str_enum(AssuranceScheme))
    status: Mapped[AssuranceStatus] = mapped_column(str_enum(AssuranceStatus))
    valid_to: Mapped[date | None]


class DdEvidence(ModelBase):
    """An evidence document a supplier uploaded; content kept in the database."""

    __tablename__ = "dd_evidence"
    __table_args__ = (Index("ix_dd_evidence_owner", "operator_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    document_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(256))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    confidentiality: Mapped[Confidentiality] = mapped_column(str_enum(Confidentiality))
    issuer: Mapped[str | None] = mapped_column(String(200))
    third_party: Mapped[bool] = mapped_column(
        default=False, comment="issued by an independent verifier (audit report, certificate)"
    )
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    # Listings, reports and hash checks never need the bytes; `evidence.read_content` loads them.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DdAssurance(ModelBase):
    """An operator's reference list of facility assurances (RMAP, Copper Mark, …)."""

    __tablename__ = "dd_assurances"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    facility_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    scheme: Mapped[AssuranceScheme] = mapped_column(str_enum(AssuranceScheme))
    status: Mapped[AssuranceStatus] = mapped_column(str_enum(AssuranceStatus))
    valid_to: Mapped[date | None]
