"""index part_edges by parent

The primary key of part_edges leads with operator_id, but roll-ups walk structures by
parent trace id across operators' boundaries; without this index every tier read scans
the whole table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_part_edges_parent", "part_edges", ["parent_trace_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_part_edges_parent", table_name="part_edges")
