"""second life: diagnostics intakes and their grants, per-operator grading and price tables,
assessments (inputs, method version, hash, results), listings, reservations, second-life systems,
their health updates, and notifications

Revision ID: 0008
Revises: 0007 (the passport's tables; the brief's 0006 before passport-core was merged)
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import battrace.store.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reuse_assessments",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("method_version", sa.String(length=16), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("soh", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column(
            "residual_value", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column("passport_updated", sa.Boolean(), nullable=False),
        sa.Column("assessed_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_assessments_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_assessments")),
    )
    with op.batch_alter_table("reuse_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reuse_assessments_intake", ["operator_id", "intake_id"], unique=False
        )
        batch_op.create_index(
            "ix_reuse_assessments_passport", ["operator_id", "passport_id"], unique=False
        )

    op.create_table(
        "reuse_health_updates",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("system_id", sa.Uuid(), nullable=False),
        sa.Column("efc_since", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column("soh", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column(
            "expected_p50", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "expected_p10", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column("below_band", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_health_updates_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_health_updates")),
    )
    with op.batch_alter_table("reuse_health_updates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reuse_health_updates_system", ["operator_id", "system_id"], unique=False
        )

    op.create_table(
        "reuse_intake_grants",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("grantee_operator_id", sa.Uuid(), nullable=False),
        sa.Column("granted_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grantee_operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_intake_grants_grantee_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_intake_grants_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "intake_id", "grantee_operator_id", name=op.f("pk_reuse_intake_grants")
        ),
    )
    with op.batch_alter_table("reuse_intake_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reuse_intake_grants_grantee", ["grantee_operator_id"], unique=False
        )

    op.create_table(
        "reuse_intakes",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("source_name", sa.String(length=256), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("source_rows", sa.Integer(), nullable=True),
        sa.Column("recorded_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_reuse_intakes_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_intakes")),
    )
    with op.batch_alter_table("reuse_intakes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reuse_intakes_passport", ["operator_id", "passport_id"], unique=False
        )

    op.create_table(
        "reuse_listings",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("chemistry", sa.String(length=32), nullable=False),
        sa.Column(
            "capacity_kwh", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column("soh", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column(
            "life_p10_years", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column(
            "life_p50_years", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False
        ),
        sa.Column("value", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("visible_to", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "reserved",
                "handed_over",
                "withdrawn",
                name="listingstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_reuse_listings_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_listings")),
    )
    with op.batch_alter_table("reuse_listings", schema=None) as batch_op:
        batch_op.create_index("ix_reuse_listings_status", ["status", "grade"], unique=False)

    op.create_table(
        "reuse_notifications",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_notifications_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_notifications")),
    )
    with op.batch_alter_table("reuse_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reuse_notifications_created", ["operator_id", "created_at"], unique=False
        )

    op.create_table(
        "reuse_reservations",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("lister_operator_id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "held",
                "accepted",
                "released",
                "commissioned",
                name="reservationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.Column("system_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lister_operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_reservations_lister_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_reservations_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_reservations")),
    )
    with op.batch_alter_table("reuse_reservations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reuse_reservations_lister", ["lister_operator_id", "status"], unique=False
        )
        batch_op.create_index("ix_reuse_reservations_listing", ["listing_id"], unique=False)

    op.create_table(
        "reuse_systems",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.String(length=16),
            nullable=False,
            comment="repurposed | re-used | remanufactured",
        ),
        sa.Column("predecessors", sa.JSON(), nullable=False),
        sa.Column("predicted", sa.JSON(), nullable=False),
        sa.Column(
            "commissioned_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_reuse_systems_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_systems")),
    )
    op.create_table(
        "reuse_tables",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="grading | prices"),
        sa.Column("chemistry", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_reuse_tables_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "kind", "chemistry", "version", name=op.f("pk_reuse_tables")
        ),
    )


def downgrade() -> None:
    op.drop_table("reuse_tables")
    op.drop_table("reuse_systems")
    with op.batch_alter_table("reuse_reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_reservations_listing")
        batch_op.drop_index("ix_reuse_reservations_lister")

    op.drop_table("reuse_reservations")
    with op.batch_alter_table("reuse_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_notifications_created")

    op.drop_table("reuse_notifications")
    with op.batch_alter_table("reuse_listings", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_listings_status")

    op.drop_table("reuse_listings")
    with op.batch_alter_table("reuse_intakes", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_intakes_passport")

    op.drop_table("reuse_intakes")
    with op.batch_alter_table("reuse_intake_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_intake_grants_grantee")

    op.drop_table("reuse_intake_grants")
    with op.batch_alter_table("reuse_health_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_health_updates_system")

    op.drop_table("reuse_health_updates")
    with op.batch_alter_table("reuse_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_assessments_passport")
        batch_op.drop_index("ix_reuse_assessments_intake")

    op.drop_table("reuse_assessments")
