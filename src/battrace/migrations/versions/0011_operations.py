"""operator versions: the data version per operator instead of one row every write updates

`store.version`: a write raises the numbers of the operators it affects; the global
`data_version` row stays for the rare write whose operators cannot be told.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operator_versions",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("operator_id", name=op.f("pk_operator_versions")),
    )


def downgrade() -> None:
    op.drop_table("operator_versions")
