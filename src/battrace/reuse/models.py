"""Second-life tables. Every row has an owning operator, and `operator_id` leads its keys.

A battery is referred to by its passport id (no foreign key: the passport is another context).
An intake's diagnostics and an assessment's inputs and results are JSON documents, written
once and read as a whole; the columns beside them are what listings and searches filter on.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from battrace.store.base import ModelBase, str_enum, utcnow


class ListingStatus(enum.StrEnum):
    OPEN = "open"
    RESERVED = "reserved"
    HANDED_OVER = "handed_over"
    WITHDRAWN = "withdrawn"


class ReservationStatus(enum.StrEnum):
    HELD = "held"
    ACCEPTED = "accepted"
    RELEASED = "released"
    COMMISSIONED = "commissioned"


class ReuseIntake(ModelBase):
    """One diagnostics intake of one battery (its normalised document)."""

    __tablename__ = "reuse_intakes"
    __table_args__ = (Index("ix_reuse_intakes_passport", "operator_id", "passport_id"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID]
    label: Mapped[str] = mapped_column(String(200))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_name: Mapped[str | None] = mapped_column(String(256))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_rows: Mapped[int | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReuseIntakeGrant(ModelBase):
    """The intake's owner lets another operator read it (and its assessments)."""

    __tablename__ = "reuse_intake_grants"
    __table_args__ = (Index("ix_reuse_intake_grants_grantee", "grantee_operator_id"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    intake_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    grantee_operator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("operators.id"), primary_key=True
    )
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReuseTable(ModelBase):
    """A version of an operator's grading rules (per chemistry family, "*" for all) or price
    table; the newest version is the one in force."""

    __tablename__ = "reuse_tables"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True, comment="grading | prices")
    chemistry: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReuseAssessment(ModelBase):
    """State of health, grade, remaining life and value of one intake, with the inputs and the
    method version that reproduce them."""

    __tablename__ = "reuse_assessments"
    __table_args__ = (
        Index("ix_reuse_assessments_intake", "operator_id", "intake_id"),
        Index("ix_reuse_assessments_passport", "operator_id", "passport_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    intake_id: Mapped[uuid.UUID]
    passport_id: Mapped[uuid.UUID]
    method_version: Mapped[str] = mapped_column(String(16))
    input_hash: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
    grade: Mapped[str] = mapped_column(String(32))
    route: Mapped[str] = mapped_column(String(16))
    soh: Mapped[Decimal]
    residual_value: Mapped[Decimal]
    passport_updated: Mapped[bool] = mapped_column(default=False)
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReuseListing(ModelBase):
    """A graded battery offered for its next use. `visible_to` empty: every operator."""

    __tablename__ = "reuse_listings"
    __table_args__ = (Index("ix_reuse_listings_status", "status", "grade"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    assessment_id: Mapped[uuid.UUID]
    passport_id: Mapped[uuid.UUID]
    grade: Mapped[str] = mapped_column(String(32))
    chemistry: Mapped[str] = mapped_column(String(32))
    capacity_kwh: Mapped[Decimal]
    soh: Mapped[Decimal]
    life_p10_years: Mapped[Decimal]
    life_p50_years: Mapped[Decimal]
    value: Mapped[Decimal]
    location: Mapped[str] = mapped_column(String(200))
    visible_to: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[ListingStatus] = mapped_column(str_enum(ListingStatus))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReuseReservation(ModelBase):
    """An integrator's hold on a listing; the lister accepts or releases it."""

    __tablename__ = "reuse_reservations"
    __table_args__ = (
        Index("ix_reuse_reservations_lister", "lister_operator_id", "status"),
        Index("ix_reuse_reservations_listing", "listing_id"),
        Index("ix_reuse_reservations_proposal", "proposal_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    listing_id: Mapped[uuid.UUID]
    lister_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    passport_id: Mapped[uuid.UUID]
    status: Mapped[ReservationStatus] = mapped_column(str_enum(ReservationStatus))
    message: Mapped[str | None] = mapped_column(String(1000))
    system_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    proposal_id: Mapped[uuid.UUID | None]


class ProposalState(enum.StrEnum):
    OPEN = "open"
    COMMISSIONED = "commissioned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ReuseSystemProposal(ModelBase):
    """An integrator's proposal of one second-life system made of packs it reserved from one
    or more listers (`reuse.proposals`); the reservations name it (`proposal_id`)."""

    __tablename__ = "reuse_system_proposals"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    battery_identifier: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState, length=16))
    system_id: Mapped[uuid.UUID | None]
    refused_by: Mapped[uuid.UUID | None]
    reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class ReuseSystem(ModelBase):
    """A second-life system (one or more packs under one successor passport) and the health
    band its packs' assessments predicted."""

    __tablename__ = "reuse_systems"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID]
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), comment="repurposed | re-used | remanufactured")
    predecessors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    predicted: Mapped[dict[str, Any]] = mapped_column(JSON)
    commissioned_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReuseHealthUpdate(ModelBase):
    """A periodic health reading of a system in use, against its predicted band."""

    __tablename__ = "reuse_health_updates"
    __table_args__ = (Index("ix_reuse_health_updates_system", "operator_id", "system_id"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    system_id: Mapped[uuid.UUID]
    efc_since: Mapped[Decimal]
    soh: Mapped[Decimal]
    expected_p50: Mapped[Decimal]
    expected_p10: Mapped[Decimal]
    below_band: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReuseNotification(ModelBase):
    """Something an operator should know: a reservation, a hand-over, a drifting system."""

    __tablename__ = "reuse_notifications"
    __table_args__ = (Index("ix_reuse_notifications_created", "operator_id", "created_at"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID]
    message: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
