"""Footprint tables: an operator's emission factors (secondary data) and which factor it
applies to which of its parts. Both belong to one operator, whose id leads the keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from battrace.ids import TraceId
from battrace.store.base import ModelBase, str_enum, utcnow
from battrace.traceability.models import AmountUnit


class EmissionFactor(ModelBase):
    """kgCO2e per unit of a material or process, from a named source and year."""

    __tablename__ = "emission_factors"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[AmountUnit] = mapped_column(str_enum(AmountUnit))
    kg_co2e_per_unit: Mapped[Decimal]
    source: Mapped[str] = mapped_column(String(256))
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartFactorAssignment(ModelBase):
    """The factor an operator applies to one of its parts while the part has no known value."""

    __tablename__ = "part_factor_assignments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["operator_id", "trace_id"], ["parts.operator_id", "parts.trace_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["operator_id", "factor_id"],
            ["emission_factors.operator_id", "emission_factors.id"],
            ondelete="CASCADE",
        ),
        Index("ix_part_factor_assignments_factor", "operator_id", "factor_id"),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trace_id: Mapped[TraceId] = mapped_column(primary_key=True)
    factor_id: Mapped[uuid.UUID]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
