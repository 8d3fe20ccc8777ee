"""Recycled content over the supply chain, walked to the company boundary and stored per part
like the CFP totals (`traceability.totals`).

A part's content per unit (the rule is `content`'s; what follows is `rollup`'s definition):

* a terminated part: its own declaration (`PartContent`), as its CFP counts its own values;
* otherwise its own declaration, plus `amountRequired` x each child's content, plus, for a
  bought-in part whose request was answered, the supplier part's content as far as the
  supplier releases its totals to this customer (`traceability.disclosure`, the decision that
  releases its CFP total); a withheld total or a request not answered yet make every element
  unknown, and so does a cycle: every part of one (parts made of themselves through
  structures and answered trades) is unknown whichever part a walk starts from
  (`traceability.walk.fold_upstream`), so a stored content always equals a fresh walk.

**Stored totals.** Each part's content in its owner's view is kept in
`recycling_content_totals`, beside its CFP total and settled with it: this module registers a
companion of the CFP settlement (`traceability.totals.register`), so the transaction that
changes an input (a declaration, a structure, a trade, a disclosure decision) recomputes the
content of everything downstream before it commits, or, past the settlement budget, drops
those rows with the CFP totals and the background refill stores them again. A roll-up walks
the viewer's own parts and reads its suppliers' parts at their stored content, a supplier's
content being one total per unit of the part it sold: never its structure or its sources. A
part without a stored row, or any part while a change is pending, is walked as before: a
stored content is a shortcut to the same digits.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from battrace.recycling.content import Content, ElementContent, combine
from battrace.recycling.models import ContentTotal, PartContent
from battrace.recycling.rules import Element
from battrace.store.base import Decimal5
from battrace.traceability import totals
from battrace.traceability.disclosure import released_to
from battrace.traceability.models import PartTotal
from battrace.traceability.supply_walk import Key, SupplyWalk, TraceKeys
from battrace.traceability.walk import fold_upstream

UNKNOWN: Content = dict.fromkeys(Element)
_ONE = Decimal(1)
_BATCH = 5_000


def encode(content: Content) -> str:
    """A content as the stored JSON text (exact decimals as strings, None = unknown)."""
    return json.dumps(
        {
            element.value: None
            if value is None
            else [str(value.mass_kg), str(value.pre_consumer_kg), str(value.post_consumer_kg)]
            for element, value in sorted(content.items())
        },
        separators=(",", ":"),
    )


def decode(text: str) -> Content:
    found: dict[str, Any] = json.loads(text)
    return {
        Element(name): None if value is None else ElementContent(*map(Decimal, value))
        for name, value in found.items()
    }


class ContentWalk:
    """The content of the parts reachable upstream of some roots (see the module).

    `stored` as for `SupplyWalk`: False walks every tier, True stops at stored contents even
    while changes are pending (the settlement), None stops there only when nothing is
    pending. `fresh` parts are always walked (the ones a settlement recomputes)."""

    def __init__(
        self,
        session: Session,
        *,
        disclose_by_default: bool,
        fresh: Collection[Key] = (),
        stored: bool | None = None,
    ) -> None:
        self.session = session
        self.disclose_by_default = disclose_by_default  # the server's policy (as for the CFP)
        self.ids = TraceKeys(session)
        self.boundary: dict[Key, Content] = {}
        self.walk = SupplyWalk(
            session,
            fresh=fresh,
            stored=stored,
            cfp=False,
            disclosures=True,
            boundary=self._read_stored,
            disclose_by_default=disclose_by_default,
        )
        self.declared: dict[Key, dict[Element, ElementContent]] = {}
        self.computed: dict[Key, Content] = {}

    def load(self, roots: Collection[Key], *, detail_for: Key | None = None) -> ContentWalk:
        walk = self.walk
        walk.load_keys(roots, detail_for=None if detail_for is None else walk.ids.uuid(detail_for))
        self._read_declared([key for key in walk.parts if key not in walk.stored])
        return self

    def walked(self) -> set[Key]:
        """The parts the walk expanded (not read as stored)."""
        return self.walk.parts.keys() - self.walk.stored

    def owner(self, key: Key) -> Key | None:
        part = self.walk.parts.get(key)
        return None if part is None else part[0]

    # ------------------------------------------------------------------ reading
    def _read_stored(self, candidates: set[Key]) -> set[Key]:
        ids = self.ids
        policy = self.disclose_by_default
        found = set()
        for trace, text in self.session.connection().execute(
            select(ids.column(ContentTotal.trace_id), ContentTotal.content).where(
                ids.among(ContentTotal.trace_id, candidates),
                ContentTotal.disclose_by_default == policy,
            )
        ):
            self.boundary[trace] = decode(text)
            found.add(trace)
        return found

    def _read_declared(self, keys: list[Key]) -> None:
        ids = self.ids
        read = Decimal5().bulk_reader(ids.dialect)
        connection = self.session.connection()
        for start in range(0, len(keys), _BATCH * 10):
            for trace, element, *masses in connection.execute(
                select(
                    ids.column(PartContent.trace_id),
                    PartContent.element,
                    Decimal5.unprocessed(PartContent.mass_kg),
                    Decimal5.unprocessed(PartContent.pre_consumer_kg),
                    Decimal5.unprocessed(PartContent.post_consumer_kg),
                ).where(ids.among(PartContent.trace_id, keys[start : start + _BATCH * 10]))
            ):
                values = masses if read is None else [read(m) for m in masses]
                self.declared.setdefault(trace, {})[Element(element)] = ElementContent(*values)

    # ---------------------------------------------------------------- computing
    def content(self, key: Key) -> Content:
        """The part's content per unit in its owner's view (memoised; every part of a cycle
        is unknown whichever part the walk starts from, see `walk.fold_upstream`)."""
        if key not in self.computed and key not in self.walk.parts:
            return UNKNOWN
        return fold_upstream(
            key,
            self.computed,
            self._inputs,
            self._compute,
            known=self.walk.parts,
            on_cycle=lambda _part: UNKNOWN,
        )

    def _upstream(self, key: Key) -> Key | None:
        """The supplier part whose content this part takes, if the supplier releases it."""
        answered = self.walk.answered(key)
        if answered is None:
            return None
        released = self.walk.released.get(answered)
        if released is None:
            uuid_of = self.ids.uuid
            supplier, trace, customer = answered
            released = self.walk.released[answered] = released_to(
                self.session,
                supplier=uuid_of(supplier),
                trace_id=self.ids.trace_id(trace),
                customer=uuid_of(customer),
                disclose_by_default=self.disclose_by_default,
            )
        return answered[1] if released.total_cfp else None

    def _inputs(self, key: Key) -> list[Key]:
        """The parts `key`'s content is made of: its children, then the supplier's part."""
        walk = self.walk
        if key in walk.stored or walk.parts[key][1]:
            return []
        inputs = list(walk.children.get(key, ((), ()))[0])
        upstream = self._upstream(key)
        if upstream is not None:
            inputs.append(upstream)
        return inputs

    def _compute(self, key: Key) -> Content:
        """A part's content from its inputs' (a missing one, not walked, is unknown)."""
        computed, walk = self.computed, self.walk
        if key in walk.stored:
            return self.boundary[key]
        if walk.parts[key][1]:  # like the CFP: a terminated part counts its own values only
            return dict(self.declared.get(key, {}))
        terms: list[tuple[Decimal, Content]] = []
        if key in self.declared:
            terms.append((_ONE, self.declared[key]))
        children, amounts = walk.children.get(key, ((), ()))
        terms.extend(
            (amount, computed.get(child, UNKNOWN))
            for child, amount in zip(children, amounts, strict=True)
        )
        upstream = self._upstream(key)
        if upstream is not None:
            terms.append((_ONE, computed.get(upstream, UNKNOWN)))
        elif key in walk.trades:  # requested, not answered, or withheld
            terms.append((_ONE, UNKNOWN))
        return combine(terms)


# ----------------------------------------------------------- the stored totals
def _with_cfp_totals(
    session: Session, ids: TraceKeys, keys: Collection[Key], policy: bool
) -> set[Key]:
    """The keys that have a stored CFP total under the server's policy (a content row
    references it)."""
    listed = list(keys)
    found: set[Key] = set()
    for start in range(0, len(listed), _BATCH * 10):
        found.update(
            key
            for (key,) in session.connection().execute(
                select(ids.column(PartTotal.trace_id)).where(
                    ids.among(PartTotal.trace_id, listed[start : start + _BATCH * 10]),
                    PartTotal.disclose_by_default == policy,
                )
            )
        )
    return found


def _store(session: Session, walk: ContentWalk, keys: Collection[Key]) -> int:
    """Replace the content rows of `keys` (those with a CFP total) by what `walk` computes."""
    ids = walk.ids
    connection = session.connection()
    listed = list(keys)
    for start in range(0, len(listed), _BATCH * 10):
        connection.execute(
            delete(ContentTotal).where(
                ids.among(ContentTotal.trace_id, listed[start : start + _BATCH * 10])
            )
        )
    policy = walk.disclose_by_default
    rows = [
        {"trace_id": ids.uuid(key), "disclose_by_default": policy, "content": encode(content)}
        for key in _with_cfp_totals(session, ids, listed, policy)
        for content in (walk.content(key),)
    ]
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(ContentTotal), rows[start : start + _BATCH])
    return len(rows)


def store_recomputed(session: Session, keys: Collection[Key], disclose_by_default: bool) -> int:
    """The settlement's step: recompute `keys` (their rows are gone), the rest as stored."""
    if not keys:
        return 0
    walk = ContentWalk(
        session, fresh=keys, stored=True, disclose_by_default=disclose_by_default
    ).load(keys)
    return _store(session, walk, keys)


def store_walked(session: Session, keys: Collection[Key], disclose_by_default: bool) -> int:
    """The refill's step: `keys` and every part below them walked for want of a row."""
    if not keys:
        return 0
    walk = ContentWalk(session, stored=True, disclose_by_default=disclose_by_default).load(keys)
    return _store(session, walk, walk.walked())


def store_missing(session: Session, disclose_by_default: bool) -> int:
    """Every part that has a CFP total and no content row under the server's policy."""
    ids = TraceKeys(session)
    policy = disclose_by_default
    have = select(ContentTotal.trace_id).where(ContentTotal.disclose_by_default == policy)
    missing = {
        key
        for (key,) in session.connection().execute(
            select(ids.column(PartTotal.trace_id)).where(
                PartTotal.disclose_by_default == policy, ~PartTotal.trace_id.in_(have)
            )
        )
    }
    return store_walked(session, missing, disclose_by_default)


def stored_content(
    session: Session, keys: Collection[Key], *, disclose_by_default: bool = True
) -> Mapping[Key, Content]:
    """The stored rows of `keys` under the server's policy (for checks and tests)."""
    walk = ContentWalk(session, disclose_by_default=disclose_by_default)
    walk._read_stored(set(keys))
    return walk.boundary


totals.register(
    totals.Companion(
        name="recycled-content",
        inputs=frozenset({PartContent.__tablename__}),
        store=store_recomputed,
        fill=store_walked,
        missing=store_missing,
    )
)
