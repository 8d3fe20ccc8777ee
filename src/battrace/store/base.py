"""ORM base, naming convention and portable column types.

Portable means the same migration and the same Python values on SQLite and PostgreSQL:
UUIDs made in Python, timestamps always timezone-aware UTC, and exact decimals (the contract
allows at most 5 decimal places, so SQLite keeps them as integers scaled by 10^5 and
PostgreSQL as NUMERIC(15, 5)).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Dialect,
    MetaData,
    Numeric,
    Uuid,
    type_coerce,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute
from sqlalchemy.types import NullType, TypeDecorator, TypeEngine

from battrace.ids import PlantId, TraceId

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DECIMAL_PLACES = 5
_SCALE = Decimal(10) ** DECIMAL_PLACES


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; SQLite drops tzinfo, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime given to a UTC column"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Decimal5(TypeDecorator[Decimal]):
    """An exact decimal with at most 5 places: NUMERIC(15,5), or a scaled integer on SQLite."""

    impl = Numeric(15, DECIMAL_PLACES)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(15, DECIMAL_PLACES, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:  # noqa: ANN401 (int or Decimal by dialect)
        if value is None:
            return None
        scaled = value * _SCALE
        if scaled != scaled.to_integral_value():
            msg = f"{value} has more than {DECIMAL_PLACES} decimal places"
            raise ValueError(msg)
        if dialect.name == "sqlite":
            return int(scaled)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:  # noqa: ANN401
        if value is None:
            return None
        if dialect.name == "sqlite":
            return _from_scaled(value)
        return value if isinstance(value, Decimal) else Decimal(value)

    @staticmethod
    def unprocessed(column: QueryableAttribute[Any]) -> ColumnElement[Any]:
        """`column` as the driver returns it, for `bulk_reader`."""
        return type_coerce(column, NullType())

    def bulk_reader(self, dialect: Dialect) -> Callable[[Any], Decimal | None] | None:
        """`process_result_value` for millions of `unprocessed` values; None when the driver's
        values are final already (PostgreSQL's Decimal).

        Every value comes back exactly as a row of this type would give it. SQLite's scaled
        integers repeat (ratings, the common amounts), so each distinct one is decoded once.
        """
        if dialect.name != "sqlite":
            return None
        decoded: dict[int, Decimal] = {}

        def read(value: int | None) -> Decimal | None:
            if value is None:
                return None
            found = decoded.get(value)
            if found is None:
                found = decoded[value] = _from_scaled(value)
            return found

        return read


def _from_scaled(value: int) -> Decimal:
    """SQLite's stored integer (value x 10^5) back to the exact Decimal."""
    return Decimal(int(value)).scaleb(-DECIMAL_PLACES)


def tidy_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (10.000 -> 10, not 1E+1)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(Decimal(1))
    return normal


def str_enum(enum_class: type[enum.Enum], length: int = 32) -> SAEnum:
    """Store a StrEnum by its value in a plain VARCHAR (no native enum, no CHECK churn)."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


class ModelBase(DeclarativeBase):
    """The one declarative base; every table gets deterministic constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # The typed ids (battrace.ids) are NewTypes over uuid.UUID; SQLAlchemy does not look
    # through a NewType, so each one used in a `Mapped[...]` is the same `Uuid` column type as
    # a plain `uuid.UUID` (the schema is unchanged) while values read from rows carry the type.
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        Decimal: Decimal5(),
        TraceId: Uuid(),
        PlantId: Uuid(),
    }
