"""Passport tables: battery models, passports, their links, grants, versions and readings.

A passport's rows are keyed by the passport id, not by an operator: responsibility for a
battery moves between companies over its life (Art. 77(7)-(8)), and a key that changed with it
would break every link and every copy of the history. `responsible_operator_id` leads the
indexes instead, so a company's passports are still found and filtered by it first.

Attribute values are kept as one JSON document per Annex XIII section (`data`:
`{section: {attribute: value}}`); readings of dynamic data are rows with exact decimals.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from battrace.ids import TraceId
from battrace.passport.catalogue import BatteryStatus
from battrace.passport.catalogue import Category as BatteryCategory
from battrace.store.base import ModelBase, str_enum, utcnow

# The category and status of a battery are the catalogue's (`passport.catalogue`): one enum
# each, named here as the tables and the services have always named them.


class Publication(enum.StrEnum):
    """Whether the passport is shown at all; a separate axis from the battery's status."""

    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class BatteryModel(ModelBase):
    """A battery model (type): the model-level data every passport of the model shares."""

    __tablename__ = "passport_models"
    __table_args__ = (Index("ix_passport_models_operator", "operator_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    name: Mapped[str] = mapped_column(String(256))
    category: Mapped[BatteryCategory] = mapped_column(str_enum(BatteryCategory))
    trace_id: Mapped[TraceId | None] = mapped_column(comment="the operator's product (part)")
    gtin: Mapped[str | None] = mapped_column(String(14))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    provenance: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="per section filled from the platform: source, taken at"
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Passport(ModelBase):
    """One battery's passport. The passport id is not the battery identifier: one battery
    can have several passports over its life (a repurposed one gets a new passport)."""

    __tablename__ = "passports"
    __table_args__ = (
        Index("ix_passports_responsible", "responsible_operator_id", "created_at"),
        Index("ix_passports_gs1", "gtin", "serial"),
        Index("ix_passports_battery_identifier", "battery_identifier"),
        Index("ix_passports_model", "model_id"),
        Index("ix_passports_batch", "batch_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="passport identifier")
    responsible_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    issuer_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    model_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("passport_models.id"))
    batch_id: Mapped[uuid.UUID | None]
    battery_identifier: Mapped[str] = mapped_column(String(80))
    gtin: Mapped[str | None] = mapped_column(String(14))
    serial: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[BatteryCategory] = mapped_column(str_enum(BatteryCategory))
    status: Mapped[BatteryStatus] = mapped_column(str_enum(BatteryStatus))
    publication: Mapped[Publication] = mapped_column(str_enum(Publication))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(comment="recycled: the passport ceased")


class PassportLink(ModelBase):
    """A successor passport made from a predecessor (re-use, repurposing, remanufacturing)."""

    __tablename__ = "passport_links"
    __table_args__ = (Index("ix_passport_links_predecessor", "predecessor_id"),)

    successor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("passports.id"), primary_key=True)
    predecessor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("passports.id"), primary_key=True)


class PassportGrant(ModelBase):
    """Access for a person with a legitimate interest, per passport or per model; valid while
    the grantor is responsible, within its dates, and until revoked."""

    __tablename__ = "passport_grants"
    __table_args__ = (
        Index("ix_passport_grants_grantor", "grantor_operator_id", "created_at"),
        Index("ix_passport_grants_grantee", "grantee_operator_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    grantor_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    grantee_operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    passport_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("passports.id"))
    model_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("passport_models.id"))
    interest: Mapped[str] = mapped_column(String(32), comment="owner, repairer, reuser, ...")
    may_report: Mapped[bool] = mapped_column(default=False, comment="may send dynamic data")
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PassportVersion(ModelBase):
    """One change of a passport or a model, chained by hash to the one before."""

    __tablename__ = "passport_versions"

    subject_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="passport or model")
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    recorded_at: Mapped[datetime]
    actor_operator_id: Mapped[uuid.UUID]
    actor_account_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[list[Any]] = mapped_column(JSON, comment="[{path, group, before, after}]")
    change_digests: Mapped[list[Any]] = mapped_column(JSON, comment="sha256 of each change")
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PassportReading(ModelBase):
    """One timestamped value of a dynamic attribute of one battery; the series is kept."""

    __tablename__ = "passport_readings"

    passport_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("passports.id"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(48), primary_key=True)
    measured_at: Mapped[datetime] = mapped_column(primary_key=True)
    value: Mapped[Decimal]
    note: Mapped[str | None] = mapped_column(String(512))
    source: Mapped[str | None] = mapped_column(String(128))
    method: Mapped[str | None] = mapped_column(String(128))
    reported_by_operator_id: Mapped[uuid.UUID]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PassportBatch(ModelBase):
    """A production run issued in one call."""

    __tablename__ = "passport_batches"
    __table_args__ = (Index("ix_passport_batches_operator", "operator_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("passport_models.id"))
    label: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = [
    "BatteryCategory",
    "BatteryModel",
    "BatteryStatus",
    "Passport",
    "PassportBatch",
    "PassportGrant",
    "PassportLink",
    "PassportReading",
    "PassportVersion",
    "Publication",
]
