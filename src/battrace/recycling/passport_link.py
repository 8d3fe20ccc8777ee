"""The one place where recycling moves a battery passport (`battrace.passport`, built in
parallel): a collected battery becomes waste and responsibility moves to the collecting
operator (Regulation (EU) 2023/1542 Art. 77, Annex XIII 4(c) status `waste`); a recycled
battery's passport ends (Art. 77(8)); a model's recycled-content shares fill its passport.

Until the passport's service functions are merged these calls change nothing and say so: each
returns the item ids it moved (none yet), so the callers and their tests do not change when the
passport lands.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from decimal import Decimal

from sqlalchemy.orm import Session

from battrace.recycling.rules import Element


def mark_waste(
    session: Session, *, caller: uuid.UUID, item_ids: Collection[str], responsible: uuid.UUID
) -> list[str]:
    """The items' passports take status `waste`, responsibility moving to `responsible`."""
    del session, caller, item_ids, responsible
    return []


def end_passports(session: Session, *, caller: uuid.UUID, item_ids: Collection[str]) -> list[str]:
    """The items were recycled: their passports end."""
    del session, caller, item_ids
    return []


def fill_recycled_content(
    session: Session,
    *,
    caller: uuid.UUID,
    model_trace_id: uuid.UUID,
    shares: Mapping[Element, tuple[Decimal, Decimal] | None],
) -> bool:
    """Write a model's recycled content (pre-, post-consumer percent per element); True when a
    passport model took it."""
    del session, caller, model_trace_id, shares
    return False
