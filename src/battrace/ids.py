"""Typed identifiers, so that a trace id cannot be passed where an operator id is expected."""

from __future__ import annotations

import uuid
from typing import NewType

OperatorId = NewType("OperatorId", uuid.UUID)
AccountId = NewType("AccountId", uuid.UUID)
PlantId = NewType("PlantId", uuid.UUID)
TraceId = NewType("TraceId", uuid.UUID)
TradeId = NewType("TradeId", uuid.UUID)
StatusId = NewType("StatusId", uuid.UUID)
CfpId = NewType("CfpId", uuid.UUID)

NIL_UUID = uuid.UUID(int=0)


def new_id() -> uuid.UUID:
    """A fresh random (version 4) id; ids are made in Python so SQLite and PostgreSQL agree."""
    return uuid.uuid4()
