"""The append-only audit log table. Triggers made by the migration refuse UPDATE and DELETE."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from battrace.store.base import ModelBase, utcnow


class AuditEvent(ModelBase):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_actor", "actor_operator_id", "occurred_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_operator_id: Mapped[uuid.UUID | None]
    actor_account_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(64), comment="source:subject:action tag")
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str | None] = mapped_column(String(64), comment="sha256 of the change")
