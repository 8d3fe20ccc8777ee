"""due diligence: templates, requests, response versions, facilities, evidence, assurances;
notifications get a request type (CFP or DD)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import battrace.store.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dd_assurances",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.String(length=16), nullable=False),
        sa.Column(
            "scheme",
            sa.Enum(
                "RMAP", "COPPER_MARK", "OTHER", name="assurancescheme", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "conformant",
                "active",
                "not_enrolled",
                "unknown",
                name="assurancestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_dd_assurances_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", "facility_id", name=op.f("pk_dd_assurances")),
    )
    op.create_table(
        "dd_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=256), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "confidentiality",
            sa.Enum(
                "public",
                "customer",
                "hash_only",
                name="confidentiality",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("issuer", sa.String(length=200), nullable=True),
        sa.Column(
            "third_party",
            sa.Boolean(),
            nullable=False,
            comment="issued by an independent verifier (audit report, certificate)",
        ),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_dd_evidence_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dd_evidence")),
    )
    with op.batch_alter_table("dd_evidence", schema=None) as batch_op:
        batch_op.create_index("ix_dd_evidence_owner", ["operator_id", "created_at"], unique=False)

    op.create_table(
        "dd_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_operator_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title_ja", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_operator_id"],
            ["operators.id"],
            name=op.f("fk_dd_templates_owner_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dd_templates")),
    )
    with op.batch_alter_table("dd_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dd_templates_code", ["owner_operator_id", "code", "version"], unique=False
        )

    op.create_table(
        "dd_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trade_id", sa.Uuid(), nullable=False),
        sa.Column("downstream_operator_id", sa.Uuid(), nullable=False),
        sa.Column("upstream_operator_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "SENT",
                "IN_PROGRESS",
                "ANSWERED",
                "SENT_BACK",
                "CANCELLED",
                name="ddrequeststatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.Column("reply_message", sa.String(length=1000), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["downstream_operator_id"],
            ["operators.id"],
            name=op.f("fk_dd_requests_downstream_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["dd_templates.id"],
            name=op.f("fk_dd_requests_template_id_dd_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["trade_id"], ["trades.id"], name=op.f("fk_dd_requests_trade_id_trades")
        ),
        sa.ForeignKeyConstraint(
            ["upstream_operator_id"],
            ["operators.id"],
            name=op.f("fk_dd_requests_upstream_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dd_requests")),
    )
    with op.batch_alter_table("dd_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dd_requests_downstream", ["downstream_operator_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_dd_requests_trade", ["trade_id"], unique=False)
        batch_op.create_index(
            "ix_dd_requests_upstream", ["upstream_operator_id", "created_at"], unique=False
        )

    op.create_table(
        "dd_responses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column(
            "version", sa.Integer(), nullable=True, comment="1, 2, … once submitted; null: draft"
        ),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=True),
        sa.Column("signer_title", sa.String(length=200), nullable=True),
        sa.Column("signer_email", sa.String(length=254), nullable=True),
        sa.Column(
            "release_upstream",
            sa.Boolean(),
            nullable=False,
            comment="the customer may see upstream facility identities",
        ),
        sa.Column("source_workbook", sa.String(length=64), nullable=True, comment="e.g. EMRT 2.1"),
        sa.Column("submitted_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_dd_responses_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["dd_requests.id"], name=op.f("fk_dd_responses_request_id_dd_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dd_responses")),
    )
    with op.batch_alter_table("dd_responses", schema=None) as batch_op:
        batch_op.create_index("ix_dd_responses_request", ["request_id", "version"], unique=False)

    op.create_table(
        "dd_facilities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("material", sa.String(length=32), nullable=False),
        sa.Column("facility_id", sa.String(length=16), nullable=True, comment="CID + 6 digits"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column(
            "scheme",
            sa.Enum(
                "RMAP", "COPPER_MARK", "OTHER", name="assurancescheme", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "conformant",
                "active",
                "not_enrolled",
                "unknown",
                name="assurancestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["dd_responses.id"],
            name=op.f("fk_dd_facilities_response_id_dd_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dd_facilities")),
    )
    with op.batch_alter_table("dd_facilities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dd_facilities_response", ["response_id", "material"], unique=False
        )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "request_type",
                sa.String(length=16),
                server_default="CFP",
                nullable=False,
                comment="CFP or DD",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("request_type")

    with op.batch_alter_table("dd_facilities", schema=None) as batch_op:
        batch_op.drop_index("ix_dd_facilities_response")

    op.drop_table("dd_facilities")
    with op.batch_alter_table("dd_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_dd_responses_request")

    op.drop_table("dd_responses")
    with op.batch_alter_table("dd_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_dd_requests_upstream")
        batch_op.drop_index("ix_dd_requests_trade")
        batch_op.drop_index("ix_dd_requests_downstream")

    op.drop_table("dd_requests")
    with op.batch_alter_table("dd_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_dd_templates_code")

    op.drop_table("dd_templates")
    with op.batch_alter_table("dd_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_dd_evidence_owner")

    op.drop_table("dd_evidence")
    op.drop_table("dd_assurances")
