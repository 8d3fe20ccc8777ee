"""recycling: permits, custody lots, items and events, recycler reports with their lines and
element masses, declared part content, mass-balance bookings, recovered-material lots, offers
(with their viewers) and asks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import battrace.store.base
from battrace.migrations import recycling_tables

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    recycling_tables.create_recycling_roots()

    op.create_table(
        "recycling_custody_events",
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False, comment="who recorded it"),
        sa.Column(
            "kind",
            sa.Enum(
                "taken-back",
                "collected",
                "transported",
                "stored",
                "handed-over",
                "sent-for-repurposing",
                "sent-for-recycling",
                "dismantled",
                "recycled",
                name="eventkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column(
            "mass_in_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "mass_out_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column("loss_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column("units_in", sa.Integer(), nullable=True),
        sa.Column("units_out", sa.Integer(), nullable=True),
        sa.Column("units_lost_declared", sa.Integer(), nullable=False),
        sa.Column("receiver_operator_id", sa.Uuid(), nullable=True),
        sa.Column("accepted_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["recycling_lots.id"],
            name=op.f("fk_recycling_custody_events_lot_id_recycling_lots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_custody_events_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["receiver_operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_custody_events_receiver_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("lot_id", "sequence", name=op.f("pk_recycling_custody_events")),
    )
    with op.batch_alter_table("recycling_custody_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recycling_custody_events_operator", ["operator_id", "lot_id"], unique=False
        )

    op.create_table(
        "recycling_lot_items",
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["recycling_lots.id"],
            name=op.f("fk_recycling_lot_items_lot_id_recycling_lots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lot_id", "item_id", name=op.f("pk_recycling_lot_items")),
    )
    op.create_table(
        "recycling_offer_viewers",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("viewer_operator_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id", "offer_id"],
            ["recycling_offers.operator_id", "recycling_offers.id"],
            name=op.f("fk_recycling_offer_viewers_operator_id_offer_id_recycling_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["viewer_operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_offer_viewers_viewer_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "offer_id", "viewer_operator_id", name=op.f("pk_recycling_offer_viewers")
        ),
    )
    with op.batch_alter_table("recycling_offer_viewers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recycling_offer_viewers_viewer", ["viewer_operator_id"], unique=False
        )

    op.create_table(
        "recycling_report_lines",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=3), nullable=False),
        sa.Column(
            "name", sa.String(length=100), nullable=False, comment="chemistry or fraction name"
        ),
        sa.Column("mass_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column(
            "deducted_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("usable", sa.Boolean(), nullable=False),
        sa.Column(
            "purity_percent", battrace.store.base.Decimal5(precision=15, scale=5), nullable=True
        ),
        sa.Column("destination", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id", "report_id"],
            ["recycling_reports.operator_id", "recycling_reports.id"],
            name=op.f("fk_recycling_report_lines_operator_id_report_id_recycling_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "report_id", "line", name=op.f("pk_recycling_report_lines")
        ),
    )
    op.create_table(
        "recycling_asks",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "trace_id", sa.Uuid(), nullable=False, comment="the part the material is bought into"
        ),
        sa.Column("element", sa.String(length=2), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=True),
        sa.Column(
            "quantity_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offer_operator_id", sa.Uuid(), nullable=True),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.Column("trade_id", sa.Uuid(), nullable=True, comment="the trade a match made"),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            name=op.f("fk_recycling_asks_operator_id_trace_id_parts"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_recycling_asks_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_recycling_asks")),
    )
    op.create_table(
        "recycling_material_lots",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("element", sa.String(length=2), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=False),
        sa.Column(
            "mass_kg",
            battrace.store.base.Decimal5(precision=15, scale=5),
            nullable=False,
            comment="kg of material",
        ),
        sa.Column(
            "element_fraction",
            battrace.store.base.Decimal5(precision=15, scale=5),
            nullable=False,
            comment="kg of element per kg",
        ),
        sa.Column(
            "pre_consumer_percent",
            battrace.store.base.Decimal5(precision=15, scale=5),
            nullable=False,
        ),
        sa.Column(
            "post_consumer_percent",
            battrace.store.base.Decimal5(precision=15, scale=5),
            nullable=False,
        ),
        sa.Column("certificate", sa.String(length=200), nullable=True),
        sa.Column(
            "cfp_kg_co2e_per_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=True
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            name=op.f("fk_recycling_material_lots_operator_id_trace_id_parts"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_material_lots_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_recycling_material_lots")),
    )
    op.create_table(
        "recycling_part_content",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("element", sa.String(length=2), nullable=False),
        sa.Column("mass_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column(
            "pre_consumer_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "post_consumer_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "basis", sa.String(length=32), nullable=False, comment="declared, mass-balance, lot"
        ),
        sa.Column("certificate", sa.String(length=200), nullable=True),
        sa.Column("updated_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            name=op.f("fk_recycling_part_content_operator_id_trace_id_parts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "trace_id", "element", name=op.f("pk_recycling_part_content")
        ),
    )
    with op.batch_alter_table("recycling_part_content", schema=None) as batch_op:
        batch_op.create_index("ix_recycling_part_content_trace", ["trace_id"], unique=False)

    op.create_table(
        "recycling_report_elements",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("element", sa.String(length=2), nullable=False),
        sa.Column("mass_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id", "report_id", "line"],
            [
                "recycling_report_lines.operator_id",
                "recycling_report_lines.report_id",
                "recycling_report_lines.line",
            ],
            name=op.f(
                "fk_recycling_report_elements_operator_id_report_id_line_recycling_report_lines"
            ),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "report_id", "line", "element", name=op.f("pk_recycling_report_elements")
        ),
    )


def downgrade() -> None:
    op.drop_table("recycling_report_elements")
    with op.batch_alter_table("recycling_part_content", schema=None) as batch_op:
        batch_op.drop_index("ix_recycling_part_content_trace")

    op.drop_table("recycling_part_content")
    op.drop_table("recycling_material_lots")
    op.drop_table("recycling_asks")
    op.drop_table("recycling_report_lines")
    with op.batch_alter_table("recycling_offer_viewers", schema=None) as batch_op:
        batch_op.drop_index("ix_recycling_offer_viewers_viewer")

    op.drop_table("recycling_offer_viewers")
    op.drop_table("recycling_lot_items")
    with op.batch_alter_table("recycling_custody_events", schema=None) as batch_op:
        batch_op.drop_index("ix_recycling_custody_events_operator")

    op.drop_table("recycling_custody_events")
    with op.batch_alter_table("recycling_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_recycling_reports_period")

    op.drop_table("recycling_reports")
    op.drop_table("recycling_permits")
    with op.batch_alter_table("recycling_offers", schema=None) as batch_op:
        batch_op.drop_index("ix_recycling_offers_status")

    op.drop_table("recycling_offers")
    with op.batch_alter_table("recycling_lots", schema=None) as batch_op:
        batch_op.drop_index("ix_recycling_lots_receiver")
        batch_op.drop_index("ix_recycling_lots_parent")
        batch_op.drop_index("ix_recycling_lots_custodian")

    op.drop_table("recycling_lots")
    with op.batch_alter_table("recycling_balance_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_recycling_balance_period")

    op.drop_table("recycling_balance_entries")
