"""the loop: stored recycled-content totals beside the CFP totals, and second-life systems
proposed from several listers

- `recycling_content_totals`: each part's recycled content per unit as its owner sees it
  (`recycling.content_totals`), one row per part with a stored CFP total, which it references
  with ON DELETE CASCADE (whatever drops or replaces a CFP total drops this one too);
  triggers on `recycling_part_content` mark the declaring part pending, as 0006 does for the
  CFP inputs, so the settlement before the commit recomputes everything downstream of it.
  The table starts empty: a part without a row is walked (`battrace db upgrade` then stores
  them all).
- `reuse_system_proposals`: an integrator's proposal of one second-life system made of packs
  reserved from one or more listers; `reuse_reservations.proposal_id` ties the reservations
  to it. The passports change only when every lister has accepted.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import battrace.store.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns of recycling_part_content a content total reads (frozen at this revision).
_CONTENT = ("operator_id", "trace_id", "element", "mass_kg", "pre_consumer_kg", "post_consumer_kg")
_TABLE = "recycling_part_content"


def upgrade() -> None:
    op.create_table(
        "recycling_content_totals",
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("disclose_by_default", sa.Boolean(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trace_id"],
            ["part_totals.trace_id"],
            name=op.f("fk_recycling_content_totals_trace_id_part_totals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_recycling_content_totals")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _postgresql() if postgresql else _sqlite():
        op.execute(statement)

    op.create_table(
        "reuse_system_proposals",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("battery_identifier", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("system_id", sa.Uuid(), nullable=True),
        sa.Column("refused_by", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("created_at", battrace.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", battrace.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_reuse_system_proposals_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "id", name=op.f("pk_reuse_system_proposals")),
    )
    with op.batch_alter_table("reuse_reservations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_reuse_reservations_proposal", ["proposal_id"], unique=False)


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in _CONTENT)


def _postgresql() -> list[str]:
    """As 0006: statement-level triggers for inserts and deletes, a row-level one for updates
    of a column the content reads."""
    rows, row = f"part_totals_{_TABLE}_rows", f"part_totals_{_TABLE}_row"
    pending = "INSERT INTO part_totals_pending (trace_id)"
    return [
        f"CREATE FUNCTION {rows}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608 (constants of this file)
        f"{pending} SELECT DISTINCT trace_id FROM changed_rows ON CONFLICT DO NOTHING; "
        "RETURN NULL; END $$",
        *(
            f"CREATE TRIGGER {rows}_{verb.lower()} AFTER {verb} ON {_TABLE} "
            f"REFERENCING {side} TABLE AS changed_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {rows}()"
            for verb, side in (("INSERT", "NEW"), ("DELETE", "OLD"))
        ),
        f"CREATE FUNCTION {row}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{pending} VALUES (OLD.trace_id), (NEW.trace_id) ON CONFLICT DO NOTHING; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {row}_update AFTER UPDATE OF {', '.join(_CONTENT)} ON {_TABLE} "
        f"FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION {row}()",
    ]


def _sqlite() -> list[str]:
    pending = "INSERT OR IGNORE INTO part_totals_pending (trace_id) VALUES"
    return [
        f"CREATE TRIGGER part_totals_{_TABLE}_insert AFTER INSERT ON {_TABLE} "
        f"BEGIN {pending} (NEW.trace_id); END",
        f"CREATE TRIGGER part_totals_{_TABLE}_delete AFTER DELETE ON {_TABLE} "
        f"BEGIN {pending} (OLD.trace_id); END",
        f"CREATE TRIGGER part_totals_{_TABLE}_update AFTER UPDATE OF {', '.join(_CONTENT)} "
        f"ON {_TABLE} WHEN {_changed('IS NOT')} "
        f"BEGIN {pending} (OLD.trace_id); {pending} (NEW.trace_id); END",
    ]


def downgrade() -> None:
    with op.batch_alter_table("reuse_reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reuse_reservations_proposal")
        batch_op.drop_column("proposal_id")
    op.drop_table("reuse_system_proposals")
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("rows_insert", "rows_delete", "row_update"):
            op.execute(f"DROP TRIGGER part_totals_{_TABLE}_{trigger} ON {_TABLE}")
        op.execute(f"DROP FUNCTION part_totals_{_TABLE}_rows()")
        op.execute(f"DROP FUNCTION part_totals_{_TABLE}_row()")
    else:
        for verb in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER part_totals_{_TABLE}_{verb}")
    op.drop_table("recycling_content_totals")
