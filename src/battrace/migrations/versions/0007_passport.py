"""battery passport: models, passports, predecessor links, access grants, hash-chained
versions, dynamic readings, production batches; accounts get a role (`authority`)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import battrace.store.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CATEGORY = sa.Enum(
    "ev",
    "lmt",
    "industrial",
    "stationary",
    "industrial-no-bms",
    name="batterycategory",
    native_enum=False,
    length=32,
)


def _time() -> battrace.store.base.UTCDateTime:
    return battrace.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column(
                "role",
                sa.Enum("member", "authority", name="accountrole", native_enum=False, length=32),
                nullable=False,
                server_default="member",
            )
        )
    op.create_table(
        "passport_models",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("category", _CATEGORY, nullable=False),
        sa.Column("trace_id", sa.Uuid(), nullable=True, comment="the operator's product (part)"),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column(
            "provenance",
            sa.JSON(),
            nullable=False,
            comment="per section filled from the platform: source, taken at",
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_passport_models_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_models")),
    )
    op.create_index("ix_passport_models_operator", "passport_models", ["operator_id", "name"])
    op.create_table(
        "passports",
        sa.Column("id", sa.Uuid(), nullable=False, comment="passport identifier"),
        sa.Column("responsible_operator_id", sa.Uuid(), nullable=False),
        sa.Column("issuer_operator_id", sa.Uuid(), nullable=False),
        sa.Column("model_id", sa.Uuid(), nullable=True),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.Column("battery_identifier", sa.String(length=80), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.Column("category", _CATEGORY, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "original",
                "repurposed",
                "re-used",
                "remanufactured",
                "waste",
                name="batterystatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "publication",
            sa.Enum(
                "draft", "active", "archived", name="publication", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.Column("ended_at", _time(), nullable=True, comment="recycled: the passport ceased"),
        sa.ForeignKeyConstraint(
            ["responsible_operator_id"],
            ["operators.id"],
            name=op.f("fk_passports_responsible_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["issuer_operator_id"],
            ["operators.id"],
            name=op.f("fk_passports_issuer_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["passport_models.id"], name=op.f("fk_passports_model_id_passport_models")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passports")),
    )
    op.create_index(
        "ix_passports_responsible", "passports", ["responsible_operator_id", "created_at"]
    )
    op.create_index("ix_passports_gs1", "passports", ["gtin", "serial"])
    op.create_index("ix_passports_battery_identifier", "passports", ["battery_identifier"])
    op.create_index("ix_passports_model", "passports", ["model_id"])
    op.create_index("ix_passports_batch", "passports", ["batch_id"])
    op.create_table(
        "passport_links",
        sa.Column("successor_id", sa.Uuid(), nullable=False),
        sa.Column("predecessor_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["successor_id"],
            ["passports.id"],
            name=op.f("fk_passport_links_successor_id_passports"),
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["passports.id"],
            name=op.f("fk_passport_links_predecessor_id_passports"),
        ),
        sa.PrimaryKeyConstraint("successor_id", "predecessor_id", name=op.f("pk_passport_links")),
    )
    op.create_index("ix_passport_links_predecessor", "passport_links", ["predecessor_id"])
    op.create_table(
        "passport_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("grantor_operator_id", sa.Uuid(), nullable=False),
        sa.Column("grantee_operator_id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=True),
        sa.Column("model_id", sa.Uuid(), nullable=True),
        sa.Column(
            "interest", sa.String(length=32), nullable=False, comment="owner, repairer, reuser, ..."
        ),
        sa.Column("may_report", sa.Boolean(), nullable=False, comment="may send dynamic data"),
        sa.Column("valid_from", _time(), nullable=False),
        sa.Column("valid_until", _time(), nullable=True),
        sa.Column("revoked_at", _time(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grantor_operator_id"],
            ["operators.id"],
            name=op.f("fk_passport_grants_grantor_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["grantee_operator_id"],
            ["operators.id"],
            name=op.f("fk_passport_grants_grantee_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["passport_id"], ["passports.id"], name=op.f("fk_passport_grants_passport_id_passports")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["passport_models.id"],
            name=op.f("fk_passport_grants_model_id_passport_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_grants")),
    )
    op.create_index(
        "ix_passport_grants_grantor", "passport_grants", ["grantor_operator_id", "created_at"]
    )
    op.create_index("ix_passport_grants_grantee", "passport_grants", ["grantee_operator_id"])
    op.create_table(
        "passport_versions",
        sa.Column("subject_id", sa.Uuid(), nullable=False, comment="passport or model"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _time(), nullable=False),
        sa.Column("actor_operator_id", sa.Uuid(), nullable=False),
        sa.Column("actor_account_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False, comment="[{path, group, before, after}]"),
        sa.Column("change_digests", sa.JSON(), nullable=False, comment="sha256 of each change"),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", "number", name=op.f("pk_passport_versions")),
    )
    op.create_table(
        "passport_readings",
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(length=48), nullable=False),
        sa.Column("measured_at", _time(), nullable=False),
        sa.Column("value", battrace.store.base.Decimal5(precision=15, scale=5), nullable=False),
        sa.Column("note", sa.String(length=512), nullable=True),
        sa.Column("source", sa.String(length=128), nullable=True),
        sa.Column("method", sa.String(length=128), nullable=True),
        sa.Column("reported_by_operator_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passports.id"],
            name=op.f("fk_passport_readings_passport_id_passports"),
        ),
        sa.PrimaryKeyConstraint(
            "passport_id", "metric", "measured_at", name=op.f("pk_passport_readings")
        ),
    )
    op.create_table(
        "passport_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_passport_batches_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["passport_models.id"],
            name=op.f("fk_passport_batches_model_id_passport_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_batches")),
    )
    op.create_index(
        "ix_passport_batches_operator", "passport_batches", ["operator_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_passport_batches_operator", table_name="passport_batches")
    op.drop_table("passport_batches")
    op.drop_table("passport_readings")
    op.drop_table("passport_versions")
    op.drop_index("ix_passport_grants_grantee", table_name="passport_grants")
    op.drop_index("ix_passport_grants_grantor", table_name="passport_grants")
    op.drop_table("passport_grants")
    op.drop_index("ix_passport_links_predecessor", table_name="passport_links")
    op.drop_table("passport_links")
    for name in ("batch", "model", "battery_identifier", "gs1", "responsible"):
        op.drop_index(f"ix_passports_{name}", table_name="passports")
    op.drop_table("passports")
    op.drop_index("ix_passport_models_operator", table_name="passport_models")
    op.drop_table("passport_models")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("role")
