"""The first tables of the recycling revision (0009): mass-balance bookings, custody lots,
offers, permits and recycler reports, the ones that refer to no other recycling table, as
Alembic generated them.

Kept apart from `versions/0009_recycling.py` only so that no module passes 500 lines; the
revision calls `create_recycling_roots()` first, then creates the tables that refer to
these. Like a migration, this never changes once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import battrace.store.base


def create_recycling_roots() -> None:
    """recycling_balance_entries .. recycling_reports, in Alembic's order."""
    op.create_table(
        "recycling_balance_entries",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site", sa.String(length=100), nullable=False),
        sa.Column("element", sa.String(length=2), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("mass_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column(
            "pre_consumer_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "post_consumer_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "source",
            sa.String(length=200),
            nullable=False,
            comment="a trade id, or what was bought",
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_balance_entries_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_recycling_balance_entries")),
    )
    with op.batch_alter_table("recycling_balance_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recycling_balance_period",
            ["operator_id", "site", "element", "period"],
            unique=False,
        )

    op.create_table(
        "recycling_lots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column(
            "product_type", sa.String(length=64), nullable=False, comment="battery, drive unit, ..."
        ),
        sa.Column(
            "fraction",
            sa.Enum(
                "products",
                "modules",
                "cells",
                "black-mass",
                "copper",
                "aluminium",
                "steel",
                "plastics",
                "other",
                name="fraction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("chemistry", sa.String(length=32), nullable=True),
        sa.Column(
            "member_state", sa.String(length=2), nullable=False, comment="country of collection"
        ),
        sa.Column("created_by_operator_id", sa.Uuid(), nullable=False),
        sa.Column("custodian_operator_id", sa.Uuid(), nullable=False),
        sa.Column(
            "receiver_operator_id",
            sa.Uuid(),
            nullable=True,
            comment="offered in a hand-over not yet accepted",
        ),
        sa.Column("parent_lot_id", sa.Uuid(), nullable=True, comment="the lot dismantled"),
        sa.Column(
            "status",
            sa.Enum(
                "collected",
                "in-transit",
                "stored",
                "awaiting-handover",
                "received",
                "for-repurposing",
                "for-recycling",
                "dismantled",
                "recycled",
                name="lotstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("mass_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.Column(
            "energy_kwh",
            battrace.store.base.Decimal5(precision=15, scale=5),
            nullable=True,
            comment="usable capacity, if known",
        ),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("lost_track", sa.Boolean(), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_lots_created_by_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["custodian_operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_lots_custodian_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["receiver_operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_lots_receiver_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recycling_lots")),
    )
    with op.batch_alter_table("recycling_lots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recycling_lots_custodian", ["custodian_operator_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_recycling_lots_parent", ["parent_lot_id"], unique=False)
        batch_op.create_index("ix_recycling_lots_receiver", ["receiver_operator_id"], unique=False)

    op.create_table(
        "recycling_offers",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column(
            "quantity_kg", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "public",
            sa.Boolean(),
            nullable=False,
            comment="seen by every operator, else by the listed",
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_offers_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_recycling_offers")),
    )
    with op.batch_alter_table("recycling_offers", schema=None) as batch_op:
        batch_op.create_index("ix_recycling_offers_status", ["status", "created_at"], unique=False)

    op.create_table(
        "recycling_permits",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "collector",
                "transporter",
                "storage",
                "treatment",
                "recycler",
                "repurposer",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("permit_ref", sa.String(length=100), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_permits_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "role", name=op.f("pk_recycling_permits")),
    )
    op.create_table(
        "recycling_reports",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("facility", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("member_state", sa.String(length=2), nullable=False, comment="of collection"),
        sa.Column(
            "category", sa.String(length=32), nullable=False, comment="Annex XII Part B category"
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_recycling_reports_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_recycling_reports")),
    )
    with op.batch_alter_table("recycling_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recycling_reports_period", ["operator_id", "period_end"], unique=False
        )
