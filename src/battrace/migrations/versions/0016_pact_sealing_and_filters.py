"""PACT: secrets sealed at rest, and what ListFootprints filters on kept beside each footprint

- `signing_keys.private_key` and `pact_remote_hosts.client_secret` are sealed
  (`identity.sealing`: AES-256-GCM under the first of BATTRACE_SECRET_KEYS, else under a key
  kept in `server_secrets`); the downgrade opens them again, so it needs the same keys;
- `pact_footprints` gains the reference and validity periods, `pact_footprint_terms` holds
  the served ids, country and CPC code of each footprint; both are filled from the stored
  figures, as `pact.filters.index_of` fills them for new footprints.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import battrace.store.base
from battrace.identity import sealing
from battrace.settings import Settings

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIOD_COLUMNS = ("reference_period_start", "reference_period_end", "valid_from", "valid_to")
PERIOD_COMMENTS = {"valid_from": "validity period start", "valid_to": "validity period end"}
_SEALED = (
    # table, column, the row's key beside operator_id (the sealed value's place is
    # "<table>.<column>:<operator id>:<key>", as the services seal it)
    ("signing_keys", "private_key", "kid", sa.String()),
    ("pact_remote_hosts", "client_secret", "id", sa.Uuid()),
)
_COMMENTS = {
    ("signing_keys", "private_key"): (
        "raw Ed25519 seed, base64url",
        "raw Ed25519 seed, base64url, sealed (identity.sealing)",
    ),
    ("pact_remote_hosts", "client_secret"): (
        "needed in clear to authenticate",
        "sealed (identity.sealing)",
    ),
}


def upgrade() -> None:
    for name in PERIOD_COLUMNS:
        op.add_column(
            "pact_footprints",
            sa.Column(
                name,
                battrace.store.base.UTCDateTime(timezone=True),
                nullable=True,
                comment=PERIOD_COMMENTS.get(name),
            ),
        )
    op.create_table(
        "pact_footprint_terms",
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("footprint_id", sa.Uuid(), nullable=False, comment="the PACT pfId"),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=False),
        sa.Column("folded", sa.String(length=1000), nullable=False, comment="value.lower()"),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_pact_footprint_terms_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint(
            "operator_id", "footprint_id", "field", "value", name=op.f("pk_pact_footprint_terms")
        ),
    )
    op.create_index(
        "ix_pact_footprint_terms_lookup",
        "pact_footprint_terms",
        ["operator_id", "field", "folded", "footprint_id"],
        unique=False,
    )
    _index_existing_footprints()
    _comment(new=True)
    ring = _ring(create=True)
    for table, column, key, key_type in _SEALED:
        _rewrite(table, column, key, key_type, lambda value, where: ring.seal(value, context=where))


def downgrade() -> None:
    ring = _ring(create=False)
    for table, column, key, key_type in _SEALED:
        _rewrite(table, column, key, key_type, lambda value, where: ring.open(value, context=where))
    _comment(new=False)
    op.drop_index("ix_pact_footprint_terms_lookup", table_name="pact_footprint_terms")
    op.drop_table("pact_footprint_terms")
    with op.batch_alter_table("pact_footprints") as batch:
        for name in PERIOD_COLUMNS:
            batch.drop_column(name)


class _Ring:
    """The configured keys (the first seals) and the key kept in the database (opens its own
    values; seals when no keys are configured)."""

    def __init__(self, configured: sealing.KeyRing | None, stored: sealing.KeyRing | None) -> None:
        self.configured = configured
        self.stored = stored

    def seal(self, value: str, *, context: str) -> str:
        if sealing.is_sealed(value):
            return value
        ring = self.configured or self.stored
        assert ring is not None  # noqa: S101 (_ring(create=True) makes the stored key)
        return ring.seal(value, context=context)

    def open(self, value: str, *, context: str) -> str:
        if not sealing.is_sealed(value):
            return value
        kid = sealing.key_id(value)
        ring = self.stored if kid == sealing.STORED_KID else self.configured
        if ring is None:
            raise sealing.SealingError(
                f"a value is sealed with key {kid!r}, which is not available to open it."
            )
        return ring.open(value, context=context)


def _ring(*, create: bool) -> _Ring:
    configured = sealing.KeyRing.from_entries(Settings().secret_keys)
    bind = op.get_bind()
    secrets = sa.table("server_secrets", sa.column("name"), sa.column("value"))
    stored = bind.execute(
        sa.select(secrets.c.value).where(secrets.c.name == sealing.STORED_SECRET)
    ).scalar()
    if stored is None and create and configured is None:
        stored = sealing.new_entry().partition(":")[2]
        op.execute(
            sa.table(
                "server_secrets",
                sa.column("name", sa.String),
                sa.column("value", sa.Text),
                sa.column("created_at", battrace.store.base.UTCDateTime(timezone=True)),
            )
            .insert()
            .values(name=sealing.STORED_SECRET, value=stored, created_at=datetime.now(UTC))
        )
    return _Ring(configured, None if stored is None else sealing.stored_ring(str(stored)))


def _rewrite(
    table: str,
    column: str,
    key: str,
    key_type: Any,  # noqa: ANN401 (a column type)
    change: Any,  # noqa: ANN401 (value, place -> value)
) -> None:
    bind = op.get_bind()
    rows = sa.table(
        table, sa.column("operator_id", sa.Uuid()), sa.column(key, key_type), sa.column(column)
    )
    owner, row_key = rows.c.operator_id, rows.c[key]
    for owner_id, key_value, value in bind.execute(sa.select(owner, row_key, rows.c[column])).all():
        new_value = change(value, f"{table}.{column}:{owner_id}:{key_value}")
        if new_value != value:
            bind.execute(
                rows.update()
                .where(owner == owner_id, row_key == key_value)
                .values({column: new_value})
            )


def _comment(*, new: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps no column comments
    for (table, column), (old_comment, new_comment) in _COMMENTS.items():
        op.alter_column(
            table,
            column,
            existing_type=sa.Text(),
            existing_nullable=False,
            comment=new_comment if new else old_comment,
            existing_comment=old_comment if new else new_comment,
        )


def _index_existing_footprints() -> None:
    bind = op.get_bind()
    footprints = sa.table(
        "pact_footprints",
        sa.column("operator_id", sa.Uuid()),
        sa.column("id", sa.Uuid()),
        sa.column("figures", sa.JSON()),
        *(
            sa.column(name, battrace.store.base.UTCDateTime(timezone=True))
            for name in PERIOD_COLUMNS
        ),
    )
    terms = sa.table(
        "pact_footprint_terms",
        sa.column("operator_id", sa.Uuid()),
        sa.column("footprint_id", sa.Uuid()),
        sa.column("field", sa.String()),
        sa.column("value", sa.String()),
        sa.column("folded", sa.String()),
    )
    rows = bind.execute(
        sa.select(footprints.c.operator_id, footprints.c.id, footprints.c.figures)
    ).all()
    for operator_id, pf_id, figures in rows:
        start = _moment(figures.get("reference_period_start"))
        end = _moment(figures.get("reference_period_end"))
        valid_to = None
        if end is not None:
            try:
                valid_to = end.replace(year=end.year + 3)
            except ValueError:  # 29 February: no default validity
                valid_to = None
        bind.execute(
            footprints.update()
            .where(footprints.c.operator_id == operator_id, footprints.c.id == pf_id)
            .values(
                reference_period_start=start,
                reference_period_end=end,
                valid_from=end if valid_to is not None else None,
                valid_to=valid_to,
            )
        )
        values = [("productIds", f"urn:uuid:{figures['trace_id']}")]
        values += [("companyIds", str(c)) for c in dict.fromkeys(figures.get("company_ids") or [])]
        if figures.get("geography_country"):
            values.append(("pcf/geographyCountry", str(figures["geography_country"])))
        values.append(("productCategoryCpc", str(figures.get("cpc") or "4642")))
        for field, value in values:
            bind.execute(
                terms.insert().values(
                    operator_id=operator_id,
                    footprint_id=pf_id,
                    field=field,
                    value=value,
                    folded=value.lower(),
                )
            )


def _moment(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
