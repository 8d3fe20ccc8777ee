"""The one walk of the supply chain: the parts reachable upstream of some roots, read
breadth-first in a few set-based queries per tier, never one per part.

Per tier: the parts, their structures (children, amounts), the newest open request on each
(trades), and, when the walk is for CFP, their CFP values and what answering suppliers
released. A tier's trace ids go to the database as one parameter, and only the columns the
callers need come back, as plain values: a million parts is millions of rows, so the walk
keeps plain tuples keyed by the trace id as the database spells it (`Key`).

Who walks it: the CFP totals (`supply.SupplyGraph`, following answered requests and stopping
at stored totals), the trade tree progress of structure saves and links
(`tree_progress.refresh_downstream_of`, following every linked request), and the due-diligence
roll-up (`diligence.rollup`, the owner's own structure only).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Executable,
    String,
    Uuid,
    any_,
    bindparam,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy import literal_column as sql_column
from sqlalchemy.orm import InstrumentedAttribute, Session

from battrace.ids import TraceId
from battrace.store.base import Decimal5
from battrace.traceability import disclosure
from battrace.traceability.combine import Values
from battrace.traceability.disclosure import Released
from battrace.traceability.models import (
    CfpResponseStatus,
    CfpValue,
    Disclosure,
    Part,
    PartEdge,
    PartTotal,
    PendingTotal,
    Trade,
)
from battrace.traceability.stages import COMPONENT, PRODUCTION, Stage

OPEN = (CfpResponseStatus.NOT_COMPLETED, CfpResponseStatus.COMPLETED)
STAGES = tuple(Stage)
COMPLETED = CfpResponseStatus.COMPLETED.value

# A trace or operator id as the database spells it: compared and hashed, never parsed.
Key = str
# Where each CfpType sits in a part's value slots (production, component per stage).
SLOT = {
    cfp_type: 2 * index + column
    for index, stage in enumerate(STAGES)
    for column, cfp_type in enumerate((PRODUCTION[stage], COMPONENT[stage]))
}
STORED_NAMES = tuple(
    f"{stage.value}_{name}" for stage in STAGES for name in ("emission", "ter", "ger", "tir")
)
_STORED_VALUES = tuple(getattr(PartTotal, name) for name in STORED_NAMES)


class Follow(Enum):
    """Which requests the walk crosses to the supplier's part."""

    ANSWERED = "answered"  # completed and linked: what CFP totals are made of
    LINKED = "linked"  # any open request with a linked part: the trade tree
    NONE = "none"  # none: the owner's own structure


class TraceKeys:
    """Trace ids in the database's own spelling, and a tier of them as one parameter."""

    def __init__(self, session: Session) -> None:
        self.dialect = session.get_bind().dialect
        self.postgresql = self.dialect.name == "postgresql"
        self._uuids: dict[Key, uuid.UUID] = {}

    def key(self, value: uuid.UUID) -> Key:
        return str(value) if self.postgresql else value.hex  # Uuid's CHAR(32) on SQLite

    def uuid(self, key: Key) -> uuid.UUID:
        found = self._uuids.get(key)
        if found is None:
            found = self._uuids[key] = uuid.UUID(key)
        return found

    def trace_id(self, key: Key) -> TraceId:
        """`uuid(key)` for a key known to name a part."""
        return TraceId(self.uuid(key))

    @staticmethod
    def column(column: InstrumentedAttribute[Any]) -> ColumnElement[str]:
        return cast(column, String)

    def among(self, column: InstrumentedAttribute[Any], keys: Collection[Key]) -> Any:  # noqa: ANN401 (a SQL condition)
        """`column IN keys` with one bound parameter however many keys there are."""
        if self.postgresql:  # one text: the driver would quote an array element by element
            listed = func.string_to_array(bindparam(None, ",".join(keys), String), ",")
            return column == any_(cast(listed, ARRAY(Uuid)))
        return column.in_(
            select(sql_column("value")).select_from(func.json_each(json.dumps(list(keys))))
        )


def trace_id_among(session: Session, column: Any, trace_ids: Collection[uuid.UUID]) -> Any:  # noqa: ANN401 (a SQL condition)
    """`column IN trace_ids` as one parameter, for reads of many parts at once."""
    ids = TraceKeys(session)
    return ids.among(column, [ids.key(trace_id) for trace_id in trace_ids])


class SupplyWalk:
    """The parts reachable upstream from some roots, as plain values (see the module).

    `fresh` parts are always expanded and their stored totals ignored (the parts a
    settlement recomputes); `stored=False` ignores every stored total, `True` uses them
    even while changes are pending (the settlement, which recomputes what they affect),
    and `None` uses them only when nothing is pending. `cfp=False` leaves CFP values and
    disclosures unread (a walk for the shape of the chain only); `disclosures=True` reads
    what answering suppliers released even then.

    `boundary` replaces the reader of stored CFP totals: given the parts the walk may stop
    at, it returns those it has a stored value for (keeping the values itself), and the walk
    stops there. Recycled content (`recycling.content_totals`) walks the chain this way.
    """

    def __init__(
        self,
        session: Session,
        *,
        fresh: Collection[Key] = (),
        stored: bool | None = None,
        cfp: bool = True,
        disclosures: bool | None = None,
        follow: Follow = Follow.ANSWERED,
        boundary: Callable[[set[Key]], set[Key]] | None = None,
        disclose_by_default: bool = True,
    ) -> None:
        self.session = session
        # the server's policy for decisions not taken; read with `cfp` or `stored` only
        self.disclose_by_default = disclose_by_default
        self.ids = TraceKeys(session)
        self.cfp = cfp
        self.disclosures = cfp if disclosures is None else disclosures
        self.boundary = boundary
        self.follow = follow
        self.queries = 0
        self.fresh = frozenset(fresh)
        self.use_stored = stored
        self.expand_all: set[Key] = set()  # the roots
        self.expand_owner: Key | None = None
        # parts read as their stored total only: no values, structure or trade loaded
        self.stored: set[Key] = set()
        self.units: dict[Key, str | None] = {}
        # per part key: (operator key, terminated_flag, is_parent)
        self.parts: dict[Key, tuple[Key, bool, bool]] = {}
        # per part key: [declared unit, pre production, pre component, main ..., main ...]
        self.values: dict[Key, list[Any]] = {}
        # per parent key: its children's keys and the amounts required, in child order
        self.children: dict[Key, tuple[list[Key], list[Decimal]]] = {}
        # per part key: (downstream operator, upstream operator, upstream trace, status)
        self.trades: dict[Key, tuple[Key, Key, Key | None, str]] = {}
        self.released: dict[tuple[Key, Key, Key], Released] = {}
        self.totals: dict[Key, tuple[Values, ...]] = {}

    # ------------------------------------------------------------------ loading
    def load(
        self, roots: Iterable[uuid.UUID], *, detail_for: uuid.UUID | None = None
    ) -> SupplyWalk:
        """Read the parts below `roots`; the roots and the parts `detail_for` owns are
        expanded (their values, structure and trade read), the others may stop at their
        stored totals."""
        key = self.ids.key
        return self.load_keys({key(root) for root in roots}, detail_for=detail_for)

    def load_keys(
        self, roots: Collection[Key], *, detail_for: uuid.UUID | None = None
    ) -> SupplyWalk:
        """`load` for trace ids already in the database's spelling."""
        if self.use_stored is None:
            self.use_stored = not pending(self.session)
        self.expand_all.update(roots)
        if detail_for is not None:
            self.expand_owner = self.ids.key(detail_for)
        frontier = set(roots) - self.parts.keys()
        while frontier:
            following = self._load_tier(frontier)
            frontier = following - self.parts.keys()
        return self

    def _rows(self, statement: Executable) -> Sequence[Any]:
        """Core rows, not the ORM's, fetched in one go: nothing here is an entity, and at
        millions of rows the ORM's row handling or a driver call per row would cost more
        than the database."""
        self.queries += 1
        return self.session.connection().execute(statement).all()

    def _load_tier(self, keys: set[Key]) -> set[Key]:
        """One tier's rows; returns the trace ids they lead to (children, answering parts)."""
        ids, rows = self.ids, self._rows
        amount = Decimal5().bulk_reader(ids.dialect)
        parts = self.parts
        for trace, operator, terminated, is_parent in rows(
            select(
                ids.column(Part.trace_id),
                ids.column(Part.operator_id),
                Part.terminated_flag,
                Part.is_parent,
            ).where(ids.among(Part.trace_id, keys))
        ):
            parts[trace] = (operator, terminated, is_parent)
        keys = self._expanded(keys)
        if not keys:
            return set()
        if self.cfp:
            self._load_values(keys)
        following: set[Key] = set()
        children = self.children
        for parent, operator, child, required in rows(
            select(
                ids.column(PartEdge.parent_trace_id),
                ids.column(PartEdge.operator_id),
                ids.column(PartEdge.child_trace_id),
                Decimal5.unprocessed(PartEdge.amount_required),
            )
            .where(ids.among(PartEdge.parent_trace_id, keys))
            .order_by(PartEdge.child_trace_id)
        ):
            owner = parts.get(parent)
            if owner is not None and owner[0] == operator:
                structure = children.get(parent)
                if structure is None:
                    structure = children[parent] = ([], [])
                structure[0].append(child)
                structure[1].append(required if amount is None else amount(required))  # type: ignore[arg-type]
                following.add(child)
        if self.follow is Follow.NONE:
            return following
        trades = self.trades
        for row in rows(
            select(
                ids.column(Trade.downstream_trace_id),
                ids.column(Trade.downstream_operator_id),
                ids.column(Trade.upstream_operator_id),
                ids.column(Trade.upstream_trace_id),
                type_coerce(Trade.cfp_response_status, String),
            )
            .where(ids.among(Trade.downstream_trace_id, keys), Trade.cfp_response_status.in_(OPEN))
            .order_by(Trade.created_at)
        ):
            if row[0] in parts:
                trades[row[0]] = row[1:]  # oldest first: the newest stays
        for trace in keys:
            upstream = self._followed(trace)
            if upstream is not None:
                following.add(upstream)
        if self.disclosures:
            self._load_disclosures(keys)
        return following

    def _expanded(self, keys: set[Key]) -> set[Key]:
        """The keys to walk further; the others get their stored totals (see the class)."""
        if not self.use_stored:
            return keys
        owner = self.expand_owner
        parts = self.parts
        candidates = {
            key
            for key in keys
            if key in parts
            and key not in self.expand_all
            and key not in self.fresh
            and parts[key][0] != owner
        }
        if not candidates:
            return keys
        found = (
            self._read_stored(candidates) if self.boundary is None else self.boundary(candidates)
        )
        self.stored |= found
        return keys - self.stored

    def _read_stored(self, candidates: set[Key]) -> set[Key]:
        """The stored CFP totals of `candidates` under the current default policy."""
        ids = self.ids
        found = set()
        policy = self.disclose_by_default
        for trace, unit, *values in self._rows(
            select(
                ids.column(PartTotal.trace_id),
                PartTotal.declared_unit,
                *_STORED_VALUES,
            ).where(
                ids.among(PartTotal.trace_id, candidates),
                PartTotal.disclose_by_default == policy,
            )
        ):
            self.totals[trace] = (read_stored(values[:4]), read_stored(values[4:]))
            self.units[trace] = unit
            found.add(trace)
        return found

    def _load_values(self, keys: set[Key]) -> None:
        ids, parts, values = self.ids, self.parts, self.values
        read = Decimal5().bulk_reader(ids.dialect)
        slot = {cfp_type.value: at + 1 for cfp_type, at in SLOT.items()}
        for trace, operator, cfp_type, unit, *measured in self._rows(
            select(
                ids.column(CfpValue.trace_id),
                ids.column(CfpValue.operator_id),
                type_coerce(CfpValue.cfp_type, String),
                CfpValue.ghg_declared_unit,
                *(
                    Decimal5.unprocessed(column)
                    for column in (CfpValue.ghg_emission, CfpValue.ter, CfpValue.ger, CfpValue.tir)
                ),
            ).where(ids.among(CfpValue.trace_id, keys))
        ):
            owner = parts.get(trace)
            if owner is None or owner[0] != operator:
                continue
            row = values.get(trace)
            if row is None:
                row = values[trace] = [unit, None, None, None, None]  # the first row's unit
            row[slot[cfp_type]] = tuple(measured) if read is None else tuple(map(read, measured))

    def _load_disclosures(self, keys: set[Key]) -> None:
        """What each answering supplier released to its customer, for the whole tier at once."""
        wanted = {answered for answered in map(self.answered, keys) if answered is not None}
        if not wanted:
            return
        ids = self.ids
        default = self.disclose_by_default
        decided: dict[tuple[Key, Key, Key], Disclosure] = {}
        for row in self._rows(
            select(
                ids.column(Disclosure.operator_id),
                ids.column(Disclosure.trace_id),
                ids.column(Disclosure.released_to_operator_id),
                Disclosure.total_cfp,
                Disclosure.total_dqr,
                Disclosure.certificate,
            ).where(ids.among(Disclosure.trace_id, {trace for _, trace, _ in wanted}))
        ):
            decided[(row[0], row[1], row[2])] = row
        for key in wanted:
            self.released[key] = disclosure.resolve(decided.get(key), default)

    def answered(self, key: Key) -> tuple[Key, Key, Key] | None:
        """(supplier, supplier's part, customer) of the answered request on `key`, if any."""
        trade = self.trades.get(key)
        if trade is None or trade[2] is None or trade[3] != COMPLETED:
            return None
        return (trade[1], trade[2], trade[0])

    def _followed(self, key: Key) -> Key | None:
        """The supplier's part the walk goes on to from `key`, if any."""
        if self.follow is Follow.ANSWERED:
            answered = self.answered(key)
            return None if answered is None else answered[1]
        if self.follow is Follow.LINKED:
            trade = self.trades.get(key)
            return None if trade is None else trade[2]
        return None

    def owned_below(self, roots: Iterable[uuid.UUID], owner: uuid.UUID) -> list[Key]:
        """The parts `owner` holds reachable from `roots` through its own structures."""
        wanted = self.ids.key(owner)
        seen: set[Key] = set()
        frontier = [self.ids.key(root) for root in roots]
        found = []
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            part = self.parts.get(current)
            if part is None or current in self.stored or part[0] != wanted:
                continue
            found.append(current)
            frontier.extend(self.children.get(current, ((), ()))[0])
        return found


def pending(session: Session) -> bool:
    """True when some change to a total's inputs is not settled yet (visible to `session`)."""
    return session.execute(select(PendingTotal.trace_id).limit(1)).first() is not None


def read_stored(values: Sequence[str | None]) -> Values:
    emission, ter, ger, tir = (None if value is None else Decimal(value) for value in values)
    return (emission, ter, ger, tir)
