"""The first tables of the initial schema (revision 0001): operators, their API keys,
accounts and refresh-token owners, plants, the server's secrets, the audit log, stored
certificate files and notifications, as Alembic generated them.

Kept apart from `versions/0001_initial_schema.py` only so that no module passes 500 lines;
the revision calls `create_operator_tables()` first, then creates the parts and what refers
to them. Like a migration, this never changes once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import battrace.store.base


def create_operator_tables() -> None:
    """api_keys .. plants, in Alembic's order (a later table refers to an earlier one)."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "key_hash", sa.String(length=64), nullable=False, comment="sha256 hex of the key"
        ),
        sa.Column(
            "key_prefix",
            sa.String(length=16),
            nullable=False,
            comment="first characters, for display",
        ),
        sa.Column("application_name", sa.String(length=256), nullable=False),
        sa.Column(
            "application_attribute",
            sa.Enum(
                "Application",
                "DataSpace",
                "Traceability",
                name="applicationattribute",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_operator_id", sa.Uuid(), nullable=True),
        sa.Column("actor_account_id", sa.Uuid(), nullable=True),
        sa.Column(
            "action", sa.String(length=64), nullable=False, comment="source:subject:action tag"
        ),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True, comment="sha256 of the change"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_actor", ["actor_operator_id", "occurred_at"], unique=False
        )

    op.create_table(
        "certificate_blobs",
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_certificate_blobs")),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.Uuid(), nullable=False, comment="operatorId (internal)"),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column(
            "open_operator_id",
            sa.String(length=20),
            nullable=False,
            comment="public id, the Japanese corporate number",
        ),
        sa.Column("global_operator_id", sa.String(length=256), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("global_operator_id", name=op.f("uq_operators_global_operator_id")),
        sa.UniqueConstraint("open_operator_id", name=op.f("uq_operators_open_operator_id")),
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_secrets")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=False, comment="operatorAccountId"),
        sa.Column("password_hash", sa.String(length=256), nullable=False, comment="argon2id"),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "password_changed_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_accounts_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "api_key_cidrs",
        sa.Column("api_key_id", sa.Uuid(), nullable=False),
        sa.Column("cidr", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_api_key_cidrs_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("api_key_id", "cidr", name=op.f("pk_api_key_cidrs")),
    )
    op.create_table(
        "api_key_operators",
        sa.Column("api_key_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_api_key_operators_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_api_key_operators_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("api_key_id", "operator_id", name=op.f("pk_api_key_operators")),
    )
    op.create_table(
        "certificate_files",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False, comment="fileId"),
        sa.Column("certificate_id", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.String(length=256), nullable=False),
        sa.Column("extension", sa.String(length=8), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("uploaded_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_certificate_files_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_certificate_files")),
    )
    with op.batch_alter_table("certificate_files", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certificate_files_certificate", ["operator_id", "certificate_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False, comment="the recipient"),
        sa.Column(
            "notification_type",
            sa.Enum(
                "REQUEST_NEW",
                "CFP_RESPONSED",
                "CFP_UPDATED",
                "REQUEST_REJECTED",
                "REQUEST_CANCELED",
                "REPLY_MESSAGE_REGISTERED",
                name="notificationtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notified_from_operator_id", sa.Uuid(), nullable=False),
        sa.Column("trade_id", sa.Uuid(), nullable=False),
        sa.Column("status_id", sa.Uuid(), nullable=False),
        sa.Column("downstream_operator_id", sa.Uuid(), nullable=False),
        sa.Column("upstream_operator_id", sa.Uuid(), nullable=False),
        sa.Column("downstream_trace_id", sa.Uuid(), nullable=False),
        sa.Column("upstream_trace_id", sa.Uuid(), nullable=True),
        sa.Column("notified_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_notifications_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_listing", ["operator_id", "notified_at"], unique=False
        )

    op.create_table(
        "plants",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False, comment="plantId"),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("open_plant_id", sa.String(length=26), nullable=False),
        sa.Column("global_plant_id", sa.String(length=256), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_plants_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_plants")),
        sa.UniqueConstraint(
            "operator_id", "global_plant_id", name=op.f("uq_plants_operator_id_global_plant_id")
        ),
        sa.UniqueConstraint(
            "operator_id", "open_plant_id", name=op.f("uq_plants_operator_id_open_plant_id")
        ),
    )
    with op.batch_alter_table("plants", schema=None) as batch_op:
        batch_op.create_index("ix_plants_id", ["id"], unique=True)
