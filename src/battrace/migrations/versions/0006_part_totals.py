"""stored part totals: each part's CFP total per stage, and the triggers that mark a part
pending when a row its total is made of changes; an index for walking structures downstream

A roll-up reads a supplier's total at the company boundary from `part_totals` instead of
walking the supplier's whole upstream. Triggers on the five input tables write the part
whose total a changed row feeds into `part_totals_pending`, whatever wrote it (the ORM, a
bulk statement, a cascade); `traceability.totals.settle` recomputes those parts and
everything downstream of them before the writing transaction commits (or, past a budget,
drops their rows and lists them in `part_totals_stale` for a background refill). The table starts
empty: a part without a stored total is computed from its inputs, as before
(`battrace db upgrade` then stores them all).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (the column naming the part whose total a row feeds, the columns that feed it)
# Frozen at this revision; the application's list of these tables is
# `traceability.totals_hook.TOTAL_INPUTS`.
_INPUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "parts": ("trace_id", ("operator_id", "trace_id", "terminated_flag", "is_parent")),
    "cfp_values": (
        "trace_id",
        (
            "operator_id",
            "trace_id",
            "cfp_type",
            "ghg_declared_unit",
            "ghg_emission",
            "ter",
            "ger",
            "tir",
        ),
    ),
    "part_edges": (
        "parent_trace_id",
        ("operator_id", "parent_trace_id", "child_trace_id", "amount_required"),
    ),
    "trades": (
        "downstream_trace_id",
        (
            "downstream_operator_id",
            "downstream_trace_id",
            "upstream_operator_id",
            "upstream_trace_id",
            "cfp_response_status",
            "created_at",
        ),
    ),
    "disclosures": (
        "trace_id",
        ("operator_id", "trace_id", "released_to_operator_id", "total_cfp", "total_dqr"),
    ),
}
_VALUE = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "part_totals",
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.Column("disclose_by_default", sa.Boolean(), nullable=False),
        sa.Column("declared_unit", sa.String(length=32), nullable=True),
        *(
            sa.Column(f"{stage}_{name}", _VALUE, nullable=True)
            for stage in ("pre", "main")
            for name in ("emission", "ter", "ger", "tir")
        ),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_part_totals")),
    )
    op.create_table(
        "part_totals_pending",
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_part_totals_pending")),
    )
    op.create_table(
        "part_totals_stale",
        sa.Column("trace_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_part_totals_stale")),
    )
    with op.batch_alter_table("part_edges", schema=None) as batch_op:
        batch_op.create_index("ix_part_edges_child_trace", ["child_trace_id"], unique=False)
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (key, columns) in _INPUTS.items():
        for statement in (_postgresql if postgresql else _sqlite)(table, key, columns):
            op.execute(statement)


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def _postgresql(table: str, key: str, columns: tuple[str, ...]) -> list[str]:
    """Inserts and deletes: one statement-level trigger reading the transition table (a bulk
    insert of a million rows costs one INSERT ... SELECT); updates: a row-level trigger that
    fires only when a column the total reads changed (trade counters move often)."""
    # Every name below comes from _INPUTS (constants of this file), never from input.
    rows = f"part_totals_{table}_rows"
    row = f"part_totals_{table}_row"
    pending = "INSERT INTO part_totals_pending (trace_id)"
    return [
        f"CREATE FUNCTION {rows}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
        f"{pending} SELECT DISTINCT {key} FROM changed_rows ON CONFLICT DO NOTHING; "
        "RETURN NULL; END $$",
        *(
            f"CREATE TRIGGER {rows}_{verb.lower()} AFTER {verb} ON {table} "
            f"REFERENCING {side} TABLE AS changed_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {rows}()"
            for verb, side in (("INSERT", "NEW"), ("DELETE", "OLD"))
        ),
        f"CREATE FUNCTION {row}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{pending} VALUES (OLD.{key}), (NEW.{key}) ON CONFLICT DO NOTHING; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {row}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"FOR EACH ROW WHEN ({_changed(columns, 'IS DISTINCT FROM')}) "
        f"EXECUTE FUNCTION {row}()",
    ]


def _sqlite(table: str, key: str, columns: tuple[str, ...]) -> list[str]:
    pending = "INSERT OR IGNORE INTO part_totals_pending (trace_id) VALUES"
    return [
        f"CREATE TRIGGER part_totals_{table}_insert AFTER INSERT ON {table} "
        f"BEGIN {pending} (NEW.{key}); END",
        f"CREATE TRIGGER part_totals_{table}_delete AFTER DELETE ON {table} "
        f"BEGIN {pending} (OLD.{key}); END",
        f"CREATE TRIGGER part_totals_{table}_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {table} WHEN {_changed(columns, 'IS NOT')} "
        f"BEGIN {pending} (OLD.{key}); {pending} (NEW.{key}); END",
    ]


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _INPUTS:
        if postgresql:
            for trigger in ("rows_insert", "rows_delete", "row_update"):
                op.execute(f"DROP TRIGGER part_totals_{table}_{trigger} ON {table}")
            op.execute(f"DROP FUNCTION part_totals_{table}_rows()")
            op.execute(f"DROP FUNCTION part_totals_{table}_row()")
        else:
            for verb in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER part_totals_{table}_{verb}")
    with op.batch_alter_table("part_edges", schema=None) as batch_op:
        batch_op.drop_index("ix_part_edges_child_trace")
    op.drop_table("part_totals_stale")
    op.drop_table("part_totals_pending")
    op.drop_table("part_totals")
