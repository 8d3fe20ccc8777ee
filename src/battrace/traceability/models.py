"""Traceability tables: parts, structures, trades with their request status, CFP values,
disclosure decisions, certificates and notifications.

Every row that belongs to one company carries `operator_id`, leading its primary key.
A trade belongs to two companies (customer downstream, supplier upstream) and carries both.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from battrace.ids import PlantId, TraceId
from battrace.store.base import ModelBase, str_enum, utcnow


class AmountUnit(enum.StrEnum):
    LITER = "liter"
    KILOGRAM = "kilogram"
    CUBIC_METER = "cubic-meter"
    KILOWATT_HOUR = "kilowatt-hour"
    MEGAJOULE = "megajoule"
    TON_KILOMETER = "ton-kilometer"
    SQUARE_METER = "square-meter"
    UNIT = "unit"


class CfpResponseStatus(enum.StrEnum):
    NOT_COMPLETED = "NOT_COMPLETED"
    COMPLETED = "COMPLETED"
    REJECT = "REJECT"
    CANCEL = "CANCEL"


class TradeTreeStatus(enum.StrEnum):
    TERMINATED = "TERMINATED"
    UNTERMINATED = "UNTERMINATED"


class CfpType(enum.StrEnum):
    PRE_PRODUCTION = "preProduction"
    MAIN_PRODUCTION = "mainProduction"
    PRE_COMPONENT = "preComponent"
    MAIN_COMPONENT = "mainComponent"


class NotificationType(enum.StrEnum):
    REQUEST_NEW = "REQUEST_NEW"
    CFP_RESPONSED = "CFP_RESPONSED"
    CFP_UPDATED = "CFP_UPDATED"
    REQUEST_REJECTED = "REQUEST_REJECTED"
    REQUEST_CANCELED = "REQUEST_CANCELED"
    REPLY_MESSAGE_REGISTERED = "REPLY_MESSAGE_REGISTERED"
    DD_RESPONSED = "DD_RESPONSED"  # battrace: a due-diligence answer (requestType DD only)


class Part(ModelBase):
    __tablename__ = "parts"
    __table_args__ = (
        ForeignKeyConstraint(["operator_id", "plant_id"], ["plants.operator_id", "plants.id"]),
        Index("ix_parts_trace_id", "trace_id", unique=True),
        Index("ix_parts_listing", "operator_id", "parts_name", "support_parts_name", "trace_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    plant_id: Mapped[PlantId]
    parts_name: Mapped[str] = mapped_column(String(50))
    support_parts_name: Mapped[str | None] = mapped_column(String(50))
    terminated_flag: Mapped[bool]
    amount_required_unit: Mapped[AmountUnit | None] = mapped_column(str_enum(AmountUnit))
    parts_label_name: Mapped[str | None] = mapped_column(String(50))
    parts_add_info1: Mapped[str | None] = mapped_column(String(50))
    parts_add_info2: Mapped[str | None] = mapped_column(String(50))
    parts_add_info3: Mapped[str | None] = mapped_column(String(50))
    is_parent: Mapped[bool] = mapped_column(
        default=False, comment="registered as the parent of a parts structure (parentFlag)"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# A trace id names one (operator, plant, partsName, supportPartsName) tuple.
Index(
    "uq_parts_identity",
    Part.operator_id,
    Part.plant_id,
    Part.parts_name,
    func.coalesce(Part.support_parts_name, ""),
    unique=True,
)


class PartEdge(ModelBase):
    """One child in a parent's structure, with the amount needed per unit of the parent."""

    __tablename__ = "part_edges"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "parent_trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["operator_id", "child_trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            ondelete="CASCADE",
        ),
        Index("ix_part_edges_child", "operator_id", "child_trace_id"),
        Index("ix_part_edges_parent", "parent_trace_id"),
        Index("ix_part_edges_child_trace", "child_trace_id"),  # downstream walks
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    parent_trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    child_trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    amount_required: Mapped[Decimal]


class Trade(ModelBase):
    """A CFP request on one bought-in part, with its request status (1:1, one row)."""

    __tablename__ = "trades"
    __table_args__ = (
        ForeignKeyConstraint(
            ["downstream_operator_id", "downstream_trace_id"],
            ["parts.operator_id", "parts.trace_id"],
        ),
        ForeignKeyConstraint(
            ["upstream_operator_id", "upstream_trace_id"],
            ["parts.operator_id", "parts.trace_id"],
        ),
        Index("ix_trades_downstream", "downstream_operator_id", "created_at"),
        Index("ix_trades_upstream", "upstream_operator_id", "created_at"),
        Index("ix_trades_downstream_trace", "downstream_trace_id"),
        Index("ix_trades_upstream_trace", "upstream_trace_id"),
        # At most one open request per downstream part, whoever races to send it.
        Index(
            "ux_trades_open_request",
            "downstream_operator_id",
            "downstream_trace_id",
            unique=True,
            postgresql_where=text("cfp_response_status IN ('NOT_COMPLETED', 'COMPLETED')"),
            sqlite_where=text("cfp_response_status IN ('NOT_COMPLETED', 'COMPLETED')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="tradeId")
    status_id: Mapped[uuid.UUID] = mapped_column(unique=True, comment="statusId (requestId)")
    downstream_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    upstream_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    downstream_trace_id: Mapped[TraceId]
    upstream_trace_id: Mapped[TraceId | None]
    request_type: Mapped[str] = mapped_column(String(16), default="CFP")
    message: Mapped[str | None] = mapped_column(String(1000))
    reply_message: Mapped[str | None] = mapped_column(String(1000))
    response_due_date: Mapped[date | None]
    cfp_response_status: Mapped[CfpResponseStatus] = mapped_column(str_enum(CfpResponseStatus))
    trade_tree_status: Mapped[TradeTreeStatus] = mapped_column(str_enum(TradeTreeStatus))
    completed_count: Mapped[int] = mapped_column(default=0)
    completed_count_modified_at: Mapped[datetime]
    trades_count: Mapped[int] = mapped_column(default=1)
    trades_count_modified_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CfpValue(ModelBase):
    """One of the 4 rows of a part's CFP set (own / component x pre / main)."""

    __tablename__ = "cfp_values"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            ondelete="CASCADE",
        ),
        Index("ix_cfp_values_trace", "trace_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    cfp_type: Mapped[CfpType] = mapped_column(str_enum(CfpType), primary_key=True)
    cfp_id: Mapped[uuid.UUID]
    ghg_emission: Mapped[Decimal | None]
    ghg_declared_unit: Mapped[str] = mapped_column(String(32))
    dqr_type: Mapped[str] = mapped_column(String(32))
    ter: Mapped[Decimal | None]
    ger: Mapped[Decimal | None]
    tir: Mapped[Decimal | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Disclosure(ModelBase):
    """What a supplier releases to one customer about one of its parts (contract cfpAcl)."""

    __tablename__ = "disclosures"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            ondelete="CASCADE",
        ),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="the supplier")
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    released_to_operator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("operators.id"), primary_key=True
    )
    total_cfp: Mapped[bool | None] = mapped_column(comment="TOTALCFP released; null = undecided")
    total_dqr: Mapped[bool | None] = mapped_column(comment="TOTALDQR released")
    certificate: Mapped[bool | None] = mapped_column(comment="certificates released")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Certificate(ModelBase):
    __tablename__ = "cfp_certificates"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            ondelete="CASCADE",
        ),
        Index("ix_cfp_certificates_trace", "operator_id", "trace_id", unique=True),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="cfpCertificationId")
    trace_id: Mapped[TraceId]
    description: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateFile(ModelBase):
    """An uploaded file; attached to a certificate once `certificate_id` is set."""

    __tablename__ = "certificate_files"
    __table_args__ = (Index("ix_certificate_files_certificate", "operator_id", "certificate_id"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="fileId")
    certificate_id: Mapped[uuid.UUID | None]
    file_name: Mapped[str] = mapped_column(String(256))
    extension: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateBlob(ModelBase):
    """File contents when certificates are kept in the database (no certificate_dir)."""

    __tablename__ = "certificate_blobs"

    file_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Notification(ModelBase):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_listing", "operator_id", "notified_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("operators.id"), comment="the recipient"
    )
    notification_type: Mapped[NotificationType] = mapped_column(str_enum(NotificationType))
    request_type: Mapped[str] = mapped_column(
        String(16), default="CFP", server_default="CFP", comment="CFP or DD"
    )
    notified_from_operator_id: Mapped[uuid.UUID]
    trade_id: Mapped[uuid.UUID]
    status_id: Mapped[uuid.UUID]
    downstream_operator_id: Mapped[uuid.UUID]
    upstream_operator_id: Mapped[uuid.UUID]
    downstream_trace_id: Mapped[TraceId]
    upstream_trace_id: Mapped[TraceId | None]
    notified_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartTotal(ModelBase):
    """A part's stored CFP total per stage, as its owner sees it (`traceability.totals`).

    Derived data: the totals `traceability.rollup` computes, kept so that a roll-up reads a
    supplier's total at the company boundary instead of walking the supplier's whole upstream.
    Values are exact decimals written as text (None = unknown); a row holds for the default
    disclosure policy it was computed under.
    """

    __tablename__ = "part_totals"

    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    disclose_by_default: Mapped[bool]
    declared_unit: Mapped[str | None] = mapped_column(String(32))
    pre_emission: Mapped[str | None] = mapped_column(String(64))
    pre_ter: Mapped[str | None] = mapped_column(String(64))
    pre_ger: Mapped[str | None] = mapped_column(String(64))
    pre_tir: Mapped[str | None] = mapped_column(String(64))
    main_emission: Mapped[str | None] = mapped_column(String(64))
    main_ter: Mapped[str | None] = mapped_column(String(64))
    main_ger: Mapped[str | None] = mapped_column(String(64))
    main_tir: Mapped[str | None] = mapped_column(String(64))


class PendingTotal(ModelBase):
    """A part whose inputs changed in a transaction not yet settled: database triggers on
    the tables below write it, `traceability.totals.settle` recomputes it and everything
    downstream of it, and removes it, before the transaction commits."""

    __tablename__ = "part_totals_pending"

    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)


class StaleTotal(ModelBase):
    """A part whose stored total a settlement dropped instead of recomputing (more parts were
    affected than it recomputes inline); `traceability.totals.refill` stores it again."""

    __tablename__ = "part_totals_stale"

    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
