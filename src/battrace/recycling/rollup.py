"""Recycled content carried up a supply chain, as the CFP is (`content` states the rule,
`content_totals` the definition over the chain and the stored totals).

A roll-up walks the viewer's own parts below the roots and reads every other operator's part
at its stored content (`recycling_content_totals`, kept in the writing transaction like the
CFP's `part_totals`), walking a part only where no row is stored or a change is pending. A
bought-in part answered over a trade takes the supplier part's content as far as the supplier
releases its totals to that customer (the same decision that releases its CFP total,
`traceability.disclosure`): withheld, requested but unanswered, or a cycle make every element
unknown. A terminated part counts its own declaration only (as its CFP counts its own
values); a part with none of these contributes nothing.

Only the viewer's own parts come back; a supplier's content is seen as one total per unit of
the part it sold, never its structure, its sources or its other customers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from battrace.errors import NotFound
from battrace.recycling.content import Content, share_percent
from battrace.recycling.content_totals import UNKNOWN, ContentWalk
from battrace.recycling.rules import Element
from battrace.traceability.models import Part

__all__ = ["UNKNOWN", "Rollup", "roll_up_content"]


@dataclass(frozen=True)
class Rollup:
    """The viewer's parts below the roots with their content per unit."""

    viewer: uuid.UUID
    roots: tuple[uuid.UUID, ...]
    parts: Mapping[uuid.UUID, Content]

    def shares(self, trace_id: uuid.UUID) -> dict[Element, Decimal | None]:
        return {element: share_percent(value) for element, value in self.parts[trace_id].items()}


def roll_up_content(
    session: Session,
    *,
    viewer: uuid.UUID,
    roots: Iterable[uuid.UUID],
    disclose_by_default: bool,
    stored: bool | None = None,
) -> Rollup:
    """Content per unit of each of the viewer's parts below `roots` (each must be its own).

    `stored=False` walks every tier instead of reading suppliers' stored contents (the same
    digits, for checks and the benchmark)."""
    wanted = list(dict.fromkeys(roots))
    for trace_id in wanted:
        if session.get(Part, (viewer, trace_id)) is None:
            raise NotFound(f"traceId: {trace_id} was not found.")
    walk = ContentWalk(session, stored=stored, disclose_by_default=disclose_by_default)
    key = walk.ids.key
    mine = key(viewer)
    walk.load({key(root) for root in wanted}, detail_for=mine)
    own = {
        walk.ids.uuid(trace): walk.content(trace)
        for trace in walk.walked()
        if walk.owner(trace) == mine
    }
    return Rollup(viewer, tuple(wanted), own)
