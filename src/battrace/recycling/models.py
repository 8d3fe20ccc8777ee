"""Recycling tables: permits, custody lots with their items and events, recycler reports,
declared recycled content, mass-balance bookings, recovered-material lots, offers and asks.

Company data carries `operator_id` leading its key. A custody lot is shared by the operators
in its chain of custody (like a trade by its two companies): it is keyed by its own id and
every event names the operator that recorded it; who may see a lot is decided by
`custody.visible_lot` (an operator that held it or was offered it).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from battrace.ids import TraceId
from battrace.store.base import ModelBase, str_enum, utcnow


class Role(enum.StrEnum):
    """An activity a waste operator is permitted for (declared with the permit reference)."""

    COLLECTOR = "collector"
    TRANSPORTER = "transporter"
    STORAGE = "storage"
    TREATMENT = "treatment"  # preparation for recycling: dismantling, sorting
    RECYCLER = "recycler"
    REPURPOSER = "repurposer"


class EventKind(enum.StrEnum):
    TAKEN_BACK = "taken-back"
    COLLECTED = "collected"
    TRANSPORTED = "transported"
    STORED = "stored"
    HANDED_OVER = "handed-over"
    SENT_FOR_REPURPOSING = "sent-for-repurposing"
    SENT_FOR_RECYCLING = "sent-for-recycling"
    DISMANTLED = "dismantled"
    RECYCLED = "recycled"


class LotStatus(enum.StrEnum):
    COLLECTED = "collected"
    IN_TRANSIT = "in-transit"
    STORED = "stored"
    AWAITING_HANDOVER = "awaiting-handover"
    RECEIVED = "received"
    FOR_REPURPOSING = "for-repurposing"
    FOR_RECYCLING = "for-recycling"
    DISMANTLED = "dismantled"
    RECYCLED = "recycled"


class Fraction(enum.StrEnum):
    """What a lot holds: whole products, or what dismantling made of them."""

    PRODUCTS = "products"
    MODULES = "modules"
    CELLS = "cells"
    BLACK_MASS = "black-mass"
    COPPER = "copper"
    ALUMINIUM = "aluminium"
    STEEL = "steel"
    PLASTICS = "plastics"
    OTHER = "other"


class Permit(ModelBase):
    __tablename__ = "recycling_permits"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), primary_key=True)
    permit_ref: Mapped[str] = mapped_column(String(100))
    valid_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustodyLot(ModelBase):
    __tablename__ = "recycling_lots"
    __table_args__ = (
        Index("ix_recycling_lots_custodian", "custodian_operator_id", "created_at"),
        Index("ix_recycling_lots_receiver", "receiver_operator_id"),
        Index("ix_recycling_lots_parent", "parent_lot_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    product_type: Mapped[str] = mapped_column(String(64), comment="battery, drive unit, ...")
    fraction: Mapped[Fraction] = mapped_column(str_enum(Fraction))
    chemistry: Mapped[str | None] = mapped_column(String(32))
    member_state: Mapped[str] = mapped_column(String(2), comment="country of collection")
    created_by_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    custodian_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    receiver_operator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("operators.id"), comment="offered in a hand-over not yet accepted"
    )
    parent_lot_id: Mapped[uuid.UUID | None] = mapped_column(comment="the lot dismantled")
    status: Mapped[LotStatus] = mapped_column(str_enum(LotStatus))
    mass_kg: Mapped[Decimal]
    units: Mapped[int | None]
    energy_kwh: Mapped[Decimal | None] = mapped_column(comment="usable capacity, if known")
    last_sequence: Mapped[int] = mapped_column(default=0)
    lost_track: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LotItem(ModelBase):
    """One identified product in a lot (a battery passport id or a serial number)."""

    __tablename__ = "recycling_lot_items"

    lot_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recycling_lots.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)


class CustodyEvent(ModelBase):
    __tablename__ = "recycling_custody_events"
    __table_args__ = (Index("ix_recycling_custody_events_operator", "operator_id", "lot_id"),)

    lot_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recycling_lots.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("operators.id"), comment="who recorded it"
    )
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    occurred_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(200))
    mass_in_kg: Mapped[Decimal]
    mass_out_kg: Mapped[Decimal]
    loss_kg: Mapped[Decimal]
    units_in: Mapped[int | None]
    units_out: Mapped[int | None]
    units_lost_declared: Mapped[int] = mapped_column(default=0)
    receiver_operator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("operators.id"))
    accepted_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(ModelBase):
    """A recycler's period report (Delegated Regulation (EU) 2025/606 documentation)."""

    __tablename__ = "recycling_reports"
    __table_args__ = (Index("ix_recycling_reports_period", "operator_id", "period_end"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    facility: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    member_state: Mapped[str] = mapped_column(String(2), comment="of collection")
    category: Mapped[str] = mapped_column(String(32), comment="Annex XII Part B category")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportLine(ModelBase):
    """An input batch (side "in") or an output fraction (side "out") of a report."""

    __tablename__ = "recycling_report_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "report_id"],
            ["recycling_reports.operator_id", "recycling_reports.id"],
            ondelete="CASCADE",
        ),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(100), comment="chemistry or fraction name")
    mass_kg: Mapped[Decimal]
    deducted_kg: Mapped[Decimal]
    final: Mapped[bool]
    counts: Mapped[bool]
    usable: Mapped[bool]
    purity_percent: Mapped[Decimal | None]
    destination: Mapped[str | None] = mapped_column(String(200))


class ReportElement(ModelBase):
    __tablename__ = "recycling_report_elements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "report_id", "line"],
            [
                "recycling_report_lines.operator_id",
                "recycling_report_lines.report_id",
                "recycling_report_lines.line",
            ],
            ondelete="CASCADE",
        ),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line: Mapped[int] = mapped_column(primary_key=True)
    element: Mapped[str] = mapped_column(String(2), primary_key=True)
    mass_kg: Mapped[Decimal]


class PartContent(ModelBase):
    """Element content per unit of one of the owner's parts, with the recycled part by origin
    (`content`); `basis` says where the recycled figures come from."""

    __tablename__ = "recycling_part_content"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            ondelete="CASCADE",
        ),
        Index("ix_recycling_part_content_trace", "trace_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    element: Mapped[str] = mapped_column(String(2), primary_key=True)
    mass_kg: Mapped[Decimal]
    pre_consumer_kg: Mapped[Decimal]
    post_consumer_kg: Mapped[Decimal]
    basis: Mapped[str] = mapped_column(String(32), comment="declared, mass-balance, lot")
    certificate: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ContentTotal(ModelBase):
    """A part's recycled content per unit as its owner sees it, stored like its CFP total
    (`content_totals`): derived data, so that a roll-up reads a supplier's content at the
    company boundary instead of walking the supplier's upstream. `content` is JSON text,
    ``{"Co": ["mass", "pre", "post"], "Ni": null}`` (exact decimals as text; null = unknown;
    an element not named contributes nothing). The row goes with the part's CFP total
    (`part_totals`, ON DELETE CASCADE): a settlement that replaces or drops that total drops
    this one too."""

    __tablename__ = "recycling_content_totals"
    __table_args__ = (
        ForeignKeyConstraint(["trace_id"], ["part_totals.trace_id"], ondelete="CASCADE"),
    )

    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    disclose_by_default: Mapped[bool]
    content: Mapped[str] = mapped_column(Text)


class BalanceEntry(ModelBase):
    """Element mass booked into a site's balance period (mass balance, `content`)."""

    __tablename__ = "recycling_balance_entries"
    __table_args__ = (
        Index("ix_recycling_balance_period", "operator_id", "site", "element", "period"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(100))
    element: Mapped[str] = mapped_column(String(2))
    period: Mapped[str] = mapped_column(String(16))
    mass_kg: Mapped[Decimal]
    pre_consumer_kg: Mapped[Decimal]
    post_consumer_kg: Mapped[Decimal]
    source: Mapped[str] = mapped_column(String(200), comment="a trade id, or what was bought")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaterialLot(ModelBase):
    """A lot of recovered material a recycler sells, tracked as one of its parts."""

    __tablename__ = "recycling_material_lots"
    __table_args__ = (
        ForeignKeyConstraint(["operator_id", "trace_id"], ["parts.operator_id", "parts.trace_id"]),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trace_id: Mapped[TraceId]
    element: Mapped[str] = mapped_column(String(2))
    grade: Mapped[str] = mapped_column(String(64))
    mass_kg: Mapped[Decimal] = mapped_column(comment="kg of material")
    element_fraction: Mapped[Decimal] = mapped_column(comment="kg of element per kg")
    pre_consumer_percent: Mapped[Decimal]
    post_consumer_percent: Mapped[Decimal]
    certificate: Mapped[str | None] = mapped_column(String(200))
    cfp_kg_co2e_per_kg: Mapped[Decimal | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Offer(ModelBase):
    __tablename__ = "recycling_offers"
    __table_args__ = (Index("ix_recycling_offers_status", "status", "created_at"),)

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lot_id: Mapped[uuid.UUID]
    quantity_kg: Mapped[Decimal]
    public: Mapped[bool] = mapped_column(comment="seen by every operator, else by the listed")
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfferViewer(ModelBase):
    __tablename__ = "recycling_offer_viewers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "offer_id"],
            ["recycling_offers.operator_id", "recycling_offers.id"],
            ondelete="CASCADE",
        ),
        Index("ix_recycling_offer_viewers_viewer", "viewer_operator_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    offer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    viewer_operator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("operators.id"), primary_key=True
    )


class Ask(ModelBase):
    __tablename__ = "recycling_asks"
    __table_args__ = (
        ForeignKeyConstraint(["operator_id", "trace_id"], ["parts.operator_id", "parts.trace_id"]),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(comment="the part the material is bought into")
    element: Mapped[str] = mapped_column(String(2))
    grade: Mapped[str | None] = mapped_column(String(64))
    quantity_kg: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16))
    offer_operator_id: Mapped[uuid.UUID | None]
    offer_id: Mapped[uuid.UUID | None]
    trade_id: Mapped[uuid.UUID | None] = mapped_column(comment="the trade a match made")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
