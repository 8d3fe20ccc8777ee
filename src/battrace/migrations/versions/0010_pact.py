"""PACT interop: client credentials, publications, served and received footprints, remote
hosts, the exchange log, the event outbox and requests; operators' signing keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import battrace.store.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pact_publications",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("client_row_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "operator_id", "trace_id", "client_row_id", name=op.f("pk_pact_publications")
        ),
    )
    op.create_table(
        "pact_clients",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column(
            "secret_hash", sa.String(length=64), nullable=False, comment="sha256 hex of the secret"
        ),
        sa.Column("counterparty_name", sa.String(length=256), nullable=False),
        sa.Column(
            "counterparty_operator_id",
            sa.Uuid(),
            nullable=True,
            comment="the counterparty when it is a company on this platform",
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_pact_clients_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_pact_clients")),
    )
    op.create_index("ix_pact_clients_client_id", "pact_clients", ["client_id"], unique=True)
    op.create_table(
        "pact_exchange_log",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False, comment="in or out"),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("counterparty", sa.String(length=256), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False, comment="ok or failed"),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_pact_exchange_log_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_pact_exchange_log")),
    )
    op.create_index(
        "ix_pact_exchange_log_listing", "pact_exchange_log", ["operator_id", "at"], unique=False
    )
    op.create_table(
        "pact_footprint_answers",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=False),
        sa.Column("pf_id", sa.Uuid(), nullable=False),
        sa.Column("pf_version", sa.Integer(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("answered_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_pact_footprint_answers_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "trace_id", name=op.f("pk_pact_footprint_answers")),
    )
    op.create_table(
        "pact_footprints",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False, comment="the PACT pfId"),
        sa.Column(
            "version",
            sa.Integer(),
            nullable=False,
            comment="number of footprints this one supersedes",
        ),
        sa.Column("preceding_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("Active", "Deprecated", name="footprintstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "digest", sa.String(length=64), nullable=False, comment="sha256 of the CFP figures"
        ),
        sa.Column("figures", sa.JSON(), nullable=False, comment="mapping input"),
        sa.Column(
            "v2_servable", sa.Boolean(), nullable=False, comment="expressible in v2 (no piece unit)"
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_pact_footprints_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "trace_id", "id", name=op.f("pk_pact_footprints")),
    )
    op.create_index("ix_pact_footprints_id", "pact_footprints", ["id"], unique=True)
    op.create_index(
        "ix_pact_footprints_listing",
        "pact_footprints",
        ["operator_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "pact_incoming_requests",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=256), nullable=False),
        sa.Column("client_row_id", sa.Uuid(), nullable=False),
        sa.Column("spec_version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True, comment="fulfilled or rejected"),
        sa.Column("received_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_pact_incoming_requests_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "event_id", name=op.f("pk_pact_incoming_requests")),
    )
    op.create_table(
        "pact_outbox",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False, comment="the CloudEvent id"),
        sa.Column(
            "target_url", sa.String(length=1000), nullable=False, comment="the events endpoint"
        ),
        sa.Column("host_id", sa.Uuid(), nullable=True, comment="credentials to use, if known"),
        sa.Column("spec_version", sa.Integer(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("given_up_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_pact_outbox_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_pact_outbox")),
    )
    op.create_index(
        "ix_pact_outbox_due", "pact_outbox", ["delivered_at", "next_attempt_at"], unique=False
    )
    op.create_table(
        "pact_received_footprints",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=False),
        sa.Column("pf_id", sa.Uuid(), nullable=False),
        sa.Column("spec_version", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True, comment="v2 version; None for v3"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("company_name", sa.String(length=256), nullable=False),
        sa.Column("product_name", sa.String(length=1000), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column(
            "signature",
            sa.String(length=32),
            nullable=False,
            comment="unsigned, verified or failed",
        ),
        sa.Column("signature_note", sa.Text(), nullable=True, comment="signer or why not"),
        sa.Column("fetched_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_pact_received_footprints_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "host_id", "pf_id", name=op.f("pk_pact_received_footprints")
        ),
    )
    op.create_table(
        "pact_remote_hosts",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=256),
            nullable=False,
            comment="the supplier, as the company names it",
        ),
        sa.Column("base_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_base_url", sa.String(length=1000), nullable=True),
        sa.Column("spec_version", sa.Integer(), nullable=False, comment="2 or 3"),
        sa.Column("client_id", sa.String(length=256), nullable=False),
        sa.Column(
            "client_secret", sa.Text(), nullable=False, comment="needed in clear to authenticate"
        ),
        sa.Column("ca_file", sa.String(length=1000), nullable=True, comment="trusted CA bundle"),
        sa.Column("attempts", sa.Integer(), nullable=False, comment="failed pulls in a row"),
        sa.Column("next_attempt_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_pulled_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_pact_remote_hosts_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_pact_remote_hosts")),
    )
    op.create_table(
        "pact_sent_requests",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("host_id", sa.Uuid(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True, comment="fulfilled or rejected"),
        sa.Column("answer_detail", sa.Text(), nullable=True),
        sa.Column("sent_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_pact_sent_requests_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "event_id", name=op.f("pk_pact_sent_requests")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False, comment="raw Ed25519 seed, base64url"),
        sa.Column(
            "public_key", sa.String(length=64), nullable=False, comment="raw public key, base64url"
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_signing_keys_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "kid", name=op.f("pk_signing_keys")),
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_table("pact_sent_requests")
    op.drop_table("pact_remote_hosts")
    op.drop_table("pact_received_footprints")
    op.drop_index("ix_pact_outbox_due", table_name="pact_outbox")
    op.drop_table("pact_outbox")
    op.drop_table("pact_incoming_requests")
    op.drop_index("ix_pact_footprints_listing", table_name="pact_footprints")
    op.drop_index("ix_pact_footprints_id", table_name="pact_footprints")
    op.drop_table("pact_footprints")
    op.drop_table("pact_footprint_answers")
    op.drop_index("ix_pact_exchange_log_listing", table_name="pact_exchange_log")
    op.drop_table("pact_exchange_log")
    op.drop_index("ix_pact_clients_client_id", table_name="pact_clients")
    op.drop_table("pact_clients")
    op.drop_table("pact_publications")
