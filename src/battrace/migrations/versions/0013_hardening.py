"""hardening: the database enforces every "at most one" rule, and accounts carry a token
generation that revokes access tokens

- `trades`: at most one open CFP request (NOT_COMPLETED or COMPLETED) per downstream part;
- `dd_requests`: at most one open DD request (SENT or IN_PROGRESS) per trade;
- `dd_responses`: at most one draft per request, and each submitted version number once;
- `dd_templates`: each (owner, code, version) once;
- `accounts.token_generation`: raised by logout and a password change; an access token
  carries the generation it was issued under and is refused once the account's is higher.

The partial unique indexes fail to build on a database that already breaks a rule (two open
requests on one part, say); close the extra rows first.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_TRADE = sa.text("cfp_response_status IN ('NOT_COMPLETED', 'COMPLETED')")
OPEN_DD_REQUEST = sa.text("status IN ('SENT', 'IN_PROGRESS')")
DRAFT = sa.text("version IS NULL")


def upgrade() -> None:
    op.create_index(
        "ux_trades_open_request",
        "trades",
        ["downstream_operator_id", "downstream_trace_id"],
        unique=True,
        postgresql_where=OPEN_TRADE,
        sqlite_where=OPEN_TRADE,
    )
    op.create_index(
        "ux_dd_requests_open",
        "dd_requests",
        ["trade_id"],
        unique=True,
        postgresql_where=OPEN_DD_REQUEST,
        sqlite_where=OPEN_DD_REQUEST,
    )
    op.create_index(
        "ux_dd_responses_draft",
        "dd_responses",
        ["request_id"],
        unique=True,
        postgresql_where=DRAFT,
        sqlite_where=DRAFT,
    )
    op.create_index(
        "ux_dd_responses_version", "dd_responses", ["request_id", "version"], unique=True
    )
    op.create_index(
        "ux_dd_templates_version",
        "dd_templates",
        ["owner_operator_id", "code", "version"],
        unique=True,
    )
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("token_generation")
    op.drop_index("ux_dd_templates_version", table_name="dd_templates")
    op.drop_index("ux_dd_responses_version", table_name="dd_responses")
    op.drop_index("ux_dd_responses_draft", table_name="dd_responses")
    op.drop_index("ux_dd_requests_open", table_name="dd_requests")
    op.drop_index("ux_trades_open_request", table_name="trades")
