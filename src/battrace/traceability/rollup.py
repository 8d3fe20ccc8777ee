"""The supply-chain graph behind CFP totals, and the rows `GET cfp` (#14) returns.

A part's total for a stage (pre-processing / main production) is, exactly in `Decimal`:

* a terminated part: its own `*Production` + `*Component` values;
* a parent part (it has a structure): own `*Production` + `*Component` + the sum over its
  children of `amountRequired` x the child's total;
* a bought-in part whose request was answered: the supplier part's total, as far as the
  supplier disclosed it to this customer (a withheld value is unknown, never 0);
* otherwise its own values if it has any, else unknown.

A sum with an unknown term is unknown (`None`). Data-quality ratings are averaged per
indicator weighted by each term's emissions; a term whose rating is unknown is left out of
that indicator's average. This deliberately departs from the reference dummy, whose totals
ignore `amountRequired` and whose DQR are constants (digest sections 6.3, 8.2, 11.8).

The graph is read breadth-first, four set-based queries per tier of the chain (parts, CFP
values, structures, open requests), never one per part: a tier's trace ids go to the
database as one parameter, and only the columns the totals need come back, as plain values.
A million parts is millions of rows, so the graph is kept as plain tuples keyed by the trace
id as the database spells it, and UUIDs and result objects are made only for the parts a
caller asks about. Totals are computed without recursion, depth first in the order the
definition above visits the parts, so a cycle in the data gives the same (unknown) terms
whichever way it is computed.

Every part's total is also stored (`part_totals`, kept by `traceability.totals` in the
transaction that changes an input). The loader expands the parts a caller needs in detail
(the roots, and the parts of the operator whose view it builds); any other part whose
stored total holds is read as that total, and the walk stops there: a customer's roll-up
reads its own parts and the totals at its suppliers' boundary, not their whole upstream.
A part without a stored total, or any part while some change is still pending settlement,
is walked as before, so a stored total is a shortcut to the same digits, never a source.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Executable,
    Select,
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

from battrace.store import collector
from battrace.store.base import Decimal5
from battrace.traceability import disclosure
from battrace.traceability.cfp import COMPONENT, PRODUCTION, Dqr, Stage
from battrace.traceability.disclosure import Released, released_to
from battrace.traceability.models import (
    CfpResponseStatus,
    CfpType,
    CfpValue,
    Disclosure,
    Part,
    PartEdge,
    PartTotal,
    PendingTotal,
    Trade,
)

QUANTUM = Decimal("0.00001")
_CHUNK = 900
_OPEN = (CfpResponseStatus.NOT_COMPLETED, CfpResponseStatus.COMPLETED)
_ZERO = Decimal(0)
_STAGES = tuple(Stage)

# A trace or operator id as the database spells it: compared and hashed, never parsed.
Key = str
# One CFP value or stage total: emissions and the three ratings (ter, ger, tir).
Values = tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]
_UNKNOWN: Values = (None, None, None, None)
_UNKNOWN_TOTAL: tuple[Values, ...] = (_UNKNOWN,) * len(_STAGES)
# Where each CfpType sits in a part's value slots (production, component per stage).
_SLOT = {
    cfp_type: 2 * index + column
    for index, stage in enumerate(_STAGES)
    for column, cfp_type in enumerate((PRODUCTION[stage], COMPONENT[stage]))
}


def round_up5(value: Decimal | None) -> Decimal | None:
    """Round away from zero to 5 decimals (the contract's rule for sent values)."""
    return None if value is None else value.quantize(QUANTUM, rounding=ROUND_UP)


@dataclass(frozen=True)
class StageTotal:
    emission: Decimal | None
    dqr: Dqr


@dataclass(frozen=True)
class Term:
    emission: Decimal | None
    dqr: Dqr


def combine(terms: Sequence[Term]) -> StageTotal:
    """Sum emissions (unknown if any term is) and weight each DQR indicator by emissions."""
    emission, ter, ger, tir = _combine(
        [(term.emission, term.dqr.ter, term.dqr.ger, term.dqr.tir) for term in terms]
    )
    return StageTotal(emission, Dqr(ter, ger, tir))


def _combine(terms: Iterable[Values]) -> Values:
    """`combine` on plain tuples: the same operations in the same order, so the same digits.

    While every weighted term rates all three indicators, their three weights are one sum
    (the same additions in the same order), so it is added up once.
    """
    emission: Decimal | None = _ZERO
    ter_sum = ger_sum = tir_sum = weight = ter_weight = ger_weight = tir_weight = _ZERO
    shared = True
    for value, ter, ger, tir in terms:
        if value is None:
            emission = None
            continue
        if emission is not None:
            emission += value
        if value <= 0:
            continue
        if shared and ter is not None and ger is not None and tir is not None:
            ter_sum += ter * value
            ger_sum += ger * value
            tir_sum += tir * value
            weight += value
            continue
        if shared:
            shared = False
            ter_weight = ger_weight = tir_weight = weight
        if ter is not None:
            ter_sum += ter * value
            ter_weight += value
        if ger is not None:
            ger_sum += ger * value
            ger_weight += value
        if tir is not None:
            tir_sum += tir * value
            tir_weight += value
    if shared:
        ter_weight = ger_weight = tir_weight = weight
    return (
        emission,
        ter_sum / ter_weight if ter_weight > 0 else None,
        ger_sum / ger_weight if ger_weight > 0 else None,
        tir_sum / tir_weight if tir_weight > 0 else None,
    )


def _stage_total(values: Values) -> StageTotal:
    return StageTotal(values[0], Dqr(values[1], values[2], values[3]))


@dataclass(frozen=True)
class TradeLink:
    """The newest open request on a part: who asked whom, and the part that answers it."""

    downstream_operator_id: uuid.UUID
    upstream_operator_id: uuid.UUID
    upstream_trace_id: uuid.UUID | None
    cfp_response_status: CfpResponseStatus

    @property
    def answered(self) -> bool:
        return (
            self.cfp_response_status == CfpResponseStatus.COMPLETED
            and self.upstream_trace_id is not None
        )


class RawBoundary(NamedTuple):
    """An answered request as the customer may see it: the supplier, its part, what it
    released, and its totals per stage as disclosed (None where withheld or unknown)."""

    supplier: uuid.UUID
    supplier_trace_id: uuid.UUID
    released: Released
    totals: tuple[Values, ...]
    declared_unit: str | None


class RawPart(NamedTuple):
    """A part as its owner sees it, in plain values (`SupplyGraph.owned_from`)."""

    trace_id: uuid.UUID
    terminated: bool
    is_parent: bool
    # [declared unit, pre production, pre component, main production, main component], each
    # value (emission, ter, ger, tir) or None; None = no CFP set registered
    values: list[Any] | None
    children: list[uuid.UUID]
    amounts: list[Decimal]
    requested_from: uuid.UUID | None  # the supplier of the newest open request, if any
    boundary: RawBoundary | None  # set when that request is answered


@dataclass(frozen=True)
class SupplyNode:
    """One part of the graph as its owner sees it (made on request, not kept)."""

    trace_id: uuid.UUID
    operator_id: uuid.UUID
    terminated_flag: bool
    is_parent: bool
    unit: str | None  # the declared unit of its CFP set, if it has one
    values: Mapping[CfpType, Term]  # its CFP set, as far as registered
    children: tuple[tuple[uuid.UUID, Decimal], ...]  # its structure, by child trace id
    trade: TradeLink | None  # the newest open request on it, if any

    @property
    def answered_trade(self) -> TradeLink | None:
        return self.trade if self.trade is not None and self.trade.answered else None


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


def _rows_of(model: type[CfpValue]) -> Select[Any]:
    """SELECT of a table's columns (bookkeeping timestamps left out) as plain rows."""
    return select(*(c for c in model.__table__.c if c.key not in ("created_at", "updated_at")))


class SupplyGraph:
    """The parts reachable upstream from some roots: structures and answered trades.

    `fresh` parts are always expanded and their stored totals ignored (the parts a
    settlement recomputes); `stored=False` ignores every stored total, `True` uses them
    even while changes are pending (the settlement, which recomputes what they affect),
    and `None` uses them only when nothing is pending.
    """

    def __init__(
        self, session: Session, *, fresh: Collection[Key] = (), stored: bool | None = None
    ) -> None:
        self.session = session
        self._ids = TraceKeys(session)
        self._fresh = frozenset(fresh)
        self._use_stored = stored
        self._expand_all: set[Key] = set()  # the roots
        self._expand_owner: Key | None = None
        # parts read as their stored total only: no values, structure or trade loaded
        self._stored: set[Key] = set()
        self._units: dict[Key, str | None] = {}
        # per part key: (operator key, terminated_flag, is_parent)
        self._parts: dict[Key, tuple[Key, bool, bool]] = {}
        # per part key: [declared unit, pre production, pre component, main ..., main ...]
        self._values: dict[Key, list[Any]] = {}
        # per parent key: its children's keys and the amounts required, in child order
        self._children: dict[Key, tuple[list[Key], list[Decimal]]] = {}
        # per part key: (downstream operator, upstream operator, upstream trace, status)
        self._trades: dict[Key, tuple[Key, Key, Key | None, str]] = {}
        self._released: dict[tuple[Key, Key, Key], Released] = {}
        self._totals: dict[Key, tuple[Values, ...]] = {}

    # ------------------------------------------------------------------ loading
    def load(
        self, roots: Iterable[uuid.UUID], *, detail_for: uuid.UUID | None = None
    ) -> SupplyGraph:
        """Read the parts below `roots`; the roots and the parts `detail_for` owns are
        expanded (their values, structure and trade read), the others may stop at their
        stored totals."""
        key = self._ids.key
        return self.load_keys({key(root) for root in roots}, detail_for=detail_for)

    def load_keys(
        self, roots: Collection[Key], *, detail_for: uuid.UUID | None = None
    ) -> SupplyGraph:
        """`load` for trace ids already in the database's spelling."""
        if self._use_stored is None:
            self._use_stored = not _pending(self.session)
        self._expand_all.update(roots)
        if detail_for is not None:
            self._expand_owner = self._ids.key(detail_for)
        frontier = set(roots) - self._parts.keys()
        while frontier:
            following = self._load_tier(frontier)
            frontier = following - self._parts.keys()
        return self

    def _rows(self, statement: Executable) -> Sequence[Any]:
        """Core rows, not the ORM's, fetched in one go: nothing here is an entity, and at
        millions of rows the ORM's row handling or a driver call per row would cost more
        than the database."""
        return self.session.connection().execute(statement).all()

    def _load_tier(self, keys: set[Key]) -> set[Key]:
        """One tier's rows; returns the trace ids they lead to (children, answering parts)."""
        ids, rows = self._ids, self._rows
        amount = Decimal5().bulk_reader(ids.dialect)
        parts = self._parts
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
        self._load_values(keys)
        following: set[Key] = set()
        children = self._children
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
        trades = self._trades
        for row in rows(
            select(
                ids.column(Trade.downstream_trace_id),
                ids.column(Trade.downstream_operator_id),
                ids.column(Trade.upstream_operator_id),
                ids.column(Trade.upstream_trace_id),
                type_coerce(Trade.cfp_response_status, String),
            )
            .where(ids.among(Trade.downstream_trace_id, keys), Trade.cfp_response_status.in_(_OPEN))
            .order_by(Trade.created_at)
        ):
            if row[0] in parts:
                trades[row[0]] = row[1:]  # oldest first: the newest stays
        for trace in keys:
            answered = self._answered(trace)
            if answered is not None:
                following.add(answered[1])
        self._load_disclosures(keys)
        return following

    def _expanded(self, keys: set[Key]) -> set[Key]:
        """The keys to walk further; the others get their stored totals (see the class)."""
        if not self._use_stored:
            return keys
        owner = self._expand_owner
        parts = self._parts
        candidates = {
            key
            for key in keys
            if key in parts
            and key not in self._expand_all
            and key not in self._fresh
            and parts[key][0] != owner
        }
        if not candidates:
            return keys
        ids = self._ids
        policy = disclosure.default_policy(self.session)
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
            self._totals[trace] = (_read_stored(values[:4]), _read_stored(values[4:]))
            self._units[trace] = unit
            self._stored.add(trace)
        return keys - self._stored

    def _load_values(self, keys: set[Key]) -> None:
        ids, parts, values = self._ids, self._parts, self._values
        read = Decimal5().bulk_reader(ids.dialect)
        slot = {cfp_type.value: at + 1 for cfp_type, at in _SLOT.items()}
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
        wanted = {answered for answered in map(self._answered, keys) if answered is not None}
        if not wanted:
            return
        ids = self._ids
        default = disclosure.default_policy(self.session)
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
            self._released[key] = disclosure.resolve(decided.get(key), default)

    # ---------------------------------------------------------------- reading
    def node(self, trace_id: uuid.UUID) -> SupplyNode | None:
        """The part as its owner sees it, or None if the graph does not hold it (or holds
        only its stored total)."""
        key = self._ids.key(trace_id)
        part = self._parts.get(key)
        if part is None or key in self._stored:
            return None
        as_uuid = self._ids.uuid
        operator, terminated, is_parent = part
        values = self._values.get(key)
        own = {}
        if values is not None:
            for cfp_type, at in _SLOT.items():
                value = values[at + 1]
                if value is not None:
                    own[cfp_type] = Term(value[0], Dqr(value[1], value[2], value[3]))
        trade = self._trades.get(key)
        return SupplyNode(
            trace_id=trace_id,
            operator_id=as_uuid(operator),
            terminated_flag=bool(terminated),
            is_parent=bool(is_parent),
            unit=None if values is None else values[0],
            values=own,
            children=tuple(
                (as_uuid(child), amount)
                for child, amount in zip(*self._children.get(key, ((), ())), strict=True)
            ),
            trade=None
            if trade is None
            else TradeLink(
                downstream_operator_id=as_uuid(trade[0]),
                upstream_operator_id=as_uuid(trade[1]),
                upstream_trace_id=None if trade[2] is None else as_uuid(trade[2]),
                cfp_response_status=CfpResponseStatus(trade[3]),
            ),
        )

    # ------------------------------------------------- plain views, for bulk readers
    def owned_from(self, roots: Iterable[uuid.UUID], owner: uuid.UUID) -> list[RawPart]:
        """The parts `owner` holds reachable from `roots` through its own structures, as
        plain values (what `node` gives, without an object per value): the way to read tens
        of thousands of parts at once."""
        key, as_uuid = self._ids.key, self._ids.uuid
        wanted = key(owner)
        parts, seen = self._parts, set()
        frontier = [key(root) for root in roots]
        found = []
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            part = parts.get(current)
            if part is None or current in self._stored or part[0] != wanted:
                continue
            children, amounts = self._children.get(current, ((), ()))
            frontier.extend(children)
            trade = self._trades.get(current)
            found.append(
                RawPart(
                    as_uuid(current),
                    bool(part[1]),
                    bool(part[2]),
                    self._values.get(current),
                    [as_uuid(child) for child in children],
                    list(amounts),
                    None if trade is None else as_uuid(trade[1]),
                    self._boundary(current),
                )
            )
        return found

    def _answered(self, key: Key) -> tuple[Key, Key, Key] | None:
        """(supplier, supplier's part, customer) of the answered request on `key`, if any."""
        trade = self._trades.get(key)
        if trade is None or trade[2] is None or trade[3] != _COMPLETED:
            return None
        return (trade[1], trade[2], trade[0])

    def _boundary(self, key: Key) -> RawBoundary | None:
        answered = self._answered(key)
        if answered is None:
            return None
        released = self._released_to(*answered)
        supplier, upstream, _ = answered
        return RawBoundary(
            self._ids.uuid(supplier),
            self._ids.uuid(upstream),
            released,
            _disclose(released, self._total(upstream)),
            self._unit(upstream),
        )

    def unit(self, trace_id: uuid.UUID) -> str | None:
        return self._unit(self._ids.key(trace_id))

    def _unit(self, key: Key) -> str | None:
        if key in self._stored:
            return self._units[key]
        values = self._values.get(key)
        return None if values is None else values[0]

    def stored_rows(self, keys: Iterable[Key]) -> list[dict[str, Any]]:
        """`part_totals` rows of the given parts (those the graph holds), computed now."""
        policy = disclosure.default_policy(self.session)
        rows = []
        for key in keys:
            if key not in self._parts:
                continue
            (pre, main) = self._total(key)
            row = {"trace_id": self._ids.uuid(key), "disclose_by_default": policy}
            row["declared_unit"] = self._unit(key)
            for name, value in zip(_STORED_NAMES, (*pre, *main), strict=True):
                row[name] = None if value is None else str(value)
            rows.append(row)
        return rows

    def computed(self) -> set[Key]:
        """The parts the graph holds that it did not read as stored totals."""
        return self._parts.keys() - self._stored

    def released(self, trade: TradeLink) -> Released:
        assert trade.upstream_trace_id is not None  # noqa: S101 (answered trades are linked)
        key = self._ids.key
        return self._released_to(
            key(trade.upstream_operator_id),
            key(trade.upstream_trace_id),
            key(trade.downstream_operator_id),
        )

    def _released_to(self, supplier: Key, trace: Key, customer: Key) -> Released:
        found = self._released.get((supplier, trace, customer))
        if found is None:
            as_uuid = self._ids.uuid
            found = self._released[(supplier, trace, customer)] = released_to(
                self.session,
                supplier=as_uuid(supplier),
                trace_id=as_uuid(trace),
                customer=as_uuid(customer),
            )
        return found

    # ---------------------------------------------------------------- computing
    def disclosed(self, trade: TradeLink) -> dict[Stage, StageTotal]:
        """The supplier's total for an answered trade, as the customer may see it."""
        assert trade.upstream_trace_id is not None  # noqa: S101
        upstream = self._total(self._ids.key(trade.upstream_trace_id))
        disclosed = _disclose(self.released(trade), upstream)
        return dict(zip(_STAGES, map(_stage_total, disclosed), strict=True))

    def total(self, trace_id: uuid.UUID) -> dict[Stage, StageTotal]:
        """The part's total per stage, in its owner's own view (memoised, cycle-safe)."""
        totals = self._total(self._ids.key(trace_id))
        return dict(zip(_STAGES, map(_stage_total, totals), strict=True))

    def _upstream(self, key: Key) -> Sequence[Key]:
        """The parts `key`'s total is made of, in the order the definition reads them."""
        part = self._parts[key]
        if part[1]:
            return ()
        if part[2]:
            structure = self._children.get(key)
            return () if structure is None else structure[0]
        answered = self._answered(key)
        return () if answered is None else (answered[1],)

    def _total(self, key: Key) -> tuple[Values, ...]:
        """Totals per stage, depth first without recursion.

        A part's total needs those of the parts it is made of; a part met again while its
        own total is being computed (a cycle) counts as unknown there, and the parts on that
        path keep the totals computed so, as the recursive definition would have them.
        """
        totals, parts = self._totals, self._parts
        if key in totals:
            return totals[key]
        if key not in parts:
            return _UNKNOWN_TOTAL
        visiting = {key}
        stack = [(key, iter(self._upstream(key)))]
        while stack:
            current, pending = stack[-1]
            for upstream in pending:
                if upstream not in totals and upstream not in visiting and upstream in parts:
                    visiting.add(upstream)
                    stack.append((upstream, iter(self._upstream(upstream))))
                    break
            else:
                stack.pop()
                totals[current] = self._compute(current)
                visiting.discard(current)
        return totals[key]

    def _compute(self, key: Key) -> tuple[Values, ...]:
        """A part's total from its upstream totals (missing ones are unknown: a cycle)."""
        _, terminated, is_parent = self._parts[key]
        values = self._values.get(key)
        if terminated or is_parent:
            pre, main = _own_terms(values, 0), _own_terms(values, 1)
            structure = None if terminated else self._children.get(key)
            if structure is not None:
                totals = self._totals
                for child, required in zip(*structure, strict=True):
                    child_pre, child_main = totals.get(child, _UNKNOWN_TOTAL)
                    emission = child_pre[0]
                    pre.append(
                        child_pre
                        if emission is None
                        else (required * emission, child_pre[1], child_pre[2], child_pre[3])
                    )
                    emission = child_main[0]
                    main.append(
                        child_main
                        if emission is None
                        else (required * emission, child_main[1], child_main[2], child_main[3])
                    )
            return (_combine(pre), _combine(main))
        answered = self._answered(key)
        if answered is not None:
            released = self._released_to(*answered)
            return _disclose(released, self._totals.get(answered[1], _UNKNOWN_TOTAL))
        if values is not None:
            return tuple(_combine(_own_terms(values, stage)) for stage in range(len(_STAGES)))
        return _UNKNOWN_TOTAL

    def own_terms(self, trace_id: uuid.UUID, stage: Stage) -> list[Term]:
        """A part's own values for a stage as terms of its total (one unknown term if any
        of the two is missing)."""
        values = self._values.get(self._ids.key(trace_id))
        return [
            Term(value[0], Dqr(value[1], value[2], value[3]))
            for value in _own_terms(values, _STAGES.index(stage))
        ]

    def child_terms(self, trace_id: uuid.UUID, stage: Stage) -> list[Term]:
        """Each child's total for a stage times the amount the structure needs of it."""
        at = _STAGES.index(stage)
        terms = []
        for child, required in zip(
            *self._children.get(self._ids.key(trace_id), ((), ())), strict=True
        ):
            emission, ter, ger, tir = self._total(child)[at]
            terms.append(
                Term(None if emission is None else required * emission, Dqr(ter, ger, tir))
            )
        return terms


_COMPLETED = CfpResponseStatus.COMPLETED.value
_STORED_NAMES = tuple(
    f"{stage.value}_{name}" for stage in _STAGES for name in ("emission", "ter", "ger", "tir")
)
_STORED_VALUES = tuple(getattr(PartTotal, name) for name in _STORED_NAMES)


def _read_stored(values: Sequence[str | None]) -> Values:
    emission, ter, ger, tir = (None if value is None else Decimal(value) for value in values)
    return (emission, ter, ger, tir)


def _pending(session: Session) -> bool:
    """True when some change to a total's inputs is not settled yet (visible to `session`)."""
    return session.execute(select(PendingTotal.trace_id).limit(1)).first() is not None


def _disclose(released: Released, upstream: tuple[Values, ...]) -> tuple[Values, ...]:
    """A supplier's totals as far as it released them (a withheld value is unknown)."""
    return tuple(
        (
            value[0] if released.total_cfp else None,
            *(value[1:] if released.total_dqr else (None, None, None)),
        )
        for value in upstream
    )


def _own_terms(values: list[Any] | None, stage: int) -> list[Values]:
    if values is None:
        return [_UNKNOWN]
    production, component = values[2 * stage + 1], values[2 * stage + 2]
    if production is None or component is None:
        return [_UNKNOWN]
    return [production, component]


# ------------------------------------------------------------------------- #14 rows


@dataclass(frozen=True)
class CfpRow:
    """One row of `GET cfp`, in the contract's terms."""

    cfp_id: uuid.UUID | None
    trace_id: uuid.UUID
    ghg_emission: Decimal | None
    ghg_declared_unit: str
    cfp_type: str
    dqr_type: str
    dqr: Dqr


_OWN_ORDER = (
    CfpType.PRE_PRODUCTION,
    CfpType.PRE_COMPONENT,
    CfpType.MAIN_PRODUCTION,
    CfpType.MAIN_COMPONENT,
)


def _rounded(dqr: Dqr) -> Dqr:
    return Dqr(round_up5(dqr.ter), round_up5(dqr.ger), round_up5(dqr.tir))


def _own_rows(rows: Mapping[CfpType, Any]) -> list[CfpRow]:
    return [
        CfpRow(
            row.cfp_id,
            row.trace_id,
            row.ghg_emission,
            row.ghg_declared_unit,
            row.cfp_type.value,
            row.dqr_type,
            Dqr(row.ter, row.ger, row.tir),
        )
        for row in (rows[t] for t in _OWN_ORDER if t in rows)
    ]


def _total_rows(graph: SupplyGraph, node: SupplyNode, cfp_id: uuid.UUID) -> list[CfpRow]:
    rows = []
    unit = node.unit or ""
    for stage in Stage:
        own = graph.own_terms(node.trace_id, stage)
        children = [] if node.terminated_flag else graph.child_terms(node.trace_id, stage)
        whole = combine(own + children)
        production = own[0].emission if len(own) == 2 else None
        component = combine(own[1:] + children).emission if len(own) == 2 else None
        dqr = _rounded(whole.dqr)
        dqr_type = f"{stage.value}ProcessingTotal"
        rows.append(
            CfpRow(
                cfp_id,
                node.trace_id,
                round_up5(production),
                unit,
                f"{stage.value}ProductionTotal",
                dqr_type,
                dqr,
            )
        )
        rows.append(
            CfpRow(
                cfp_id,
                node.trace_id,
                round_up5(component),
                unit,
                f"{stage.value}ComponentTotal",
                dqr_type,
                dqr,
            )
        )
    # contract order: preProductionTotal, preComponentTotal, mainProductionTotal, mainComponentTotal
    return rows


def _response_rows(graph: SupplyGraph, node: SupplyNode, trade: TradeLink) -> list[CfpRow]:
    assert trade.upstream_trace_id is not None  # noqa: S101
    unit = graph.unit(trade.upstream_trace_id) or ""
    disclosed = graph.disclosed(trade)
    return [
        CfpRow(
            None,
            node.trace_id,
            round_up5(disclosed[stage].emission),
            unit,
            f"{stage.value}ProductionResponse",
            f"{stage.value}ProcessingResponse",
            _rounded(disclosed[stage].dqr),
        )
        for stage in Stage
    ]


@collector.pausing
def cfp_rows(
    session: Session, *, caller: uuid.UUID, trace_ids: Sequence[uuid.UUID]
) -> list[CfpRow]:
    """What `GET cfp` returns for the caller's parts, grouped in the order asked.

    Parts the caller does not own contribute nothing, exactly like unknown trace ids.
    """
    wanted = list(dict.fromkeys(trace_ids))
    own: dict[uuid.UUID, dict[CfpType, Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in session.execute(
            _rows_of(CfpValue).where(
                CfpValue.operator_id == caller,
                CfpValue.trace_id.in_(wanted[start : start + _CHUNK]),
            )
        ):
            own.setdefault(row.trace_id, {})[row.cfp_type] = row
    roots = [
        trace_id
        for start in range(0, len(wanted), _CHUNK)
        for trace_id in session.scalars(
            select(Part.trace_id).where(
                Part.operator_id == caller, Part.trace_id.in_(wanted[start : start + _CHUNK])
            )
        )
    ]
    graph = SupplyGraph(session).load(roots)
    result: list[CfpRow] = []
    for trace_id in wanted:
        node = graph.node(trace_id)
        if node is None or node.operator_id != caller:
            continue
        rows = own.get(trace_id, {})
        if node.terminated_flag or node.is_parent:
            if not rows:
                continue
            result.extend(_own_rows(rows))
            if node.is_parent:
                result.extend(_total_rows(graph, node, next(iter(rows.values())).cfp_id))
            continue
        trade = node.answered_trade
        if trade is not None:
            result.extend(_response_rows(graph, node, trade))
        elif rows:
            result.extend(_own_rows(rows))
    return result
