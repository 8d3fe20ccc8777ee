"""emission factors and their assignment to parts (footprint secondary data)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import battrace.store.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNITS = (
    "liter",
    "kilogram",
    "cubic-meter",
    "kilowatt-hour",
    "megajoule",
    "ton-kilometer",
    "square-meter",
    "unit",
)


def upgrade() -> None:
    op.create_table(
        "emission_factors",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(*UNITS, name="amountunit", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "kg_co2e_per_unit",
            battrace.store.base.Decimal5(precision=15, scale=5),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_emission_factors_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_emission_factors")),
    )
    op.create_table(
        "part_factor_assignments",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("factor_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id", "trace_id"],
            ["parts.operator_id", "parts.trace_id"],
            name=op.f("fk_part_factor_assignments_operator_id_trace_id_parts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id", "factor_id"],
            ["emission_factors.operator_id", "emission_factors.id"],
            name=op.f("fk_part_factor_assignments_operator_id_factor_id_emission_factors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operator_id", "trace_id", name=op.f("pk_part_factor_assignments")),
    )
    with op.batch_alter_table("part_factor_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_part_factor_assignments_factor", ["operator_id", "factor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("part_factor_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_part_factor_assignments_factor")
    op.drop_table("part_factor_assignments")
    op.drop_table("emission_factors")
