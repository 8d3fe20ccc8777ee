"""CFP totals over the supply chain: what each part's total is, in its owner's view.

A part's total for a stage (pre-processing / main production) is, exactly in `Decimal`:

* a terminated part: its own `*Production` + `*Component` values;
* a parent part (it has a structure): own `*Production` + `*Component` + the sum over its
  children of `amountRequired` x the child's total;
* a bought-in part whose request was answered: the supplier part's total, as far as the
  supplier disclosed it to this customer (a withheld value is unknown, never 0);
* otherwise its own values if it has any, else unknown.

Terms are combined by `combine` (unknown if any term is; DQR weighted by emissions). This
deliberately departs from the reference dummy, whose totals ignore `amountRequired` and
whose DQR are constants (digest sections 6.3, 8.2, 11.8).

The graph is read by `supply_walk.SupplyWalk` (a few set-based queries per tier). UUIDs and
result objects are made only for the parts a caller asks about. Totals are computed without
recursion, depth first in the order the definition above visits the parts; every part of a
cycle in the data is unknown, whichever part a walk starts from.

Every part's total is also stored (`part_totals`, kept by `traceability.totals` in the
transaction that changes an input). The walk expands the parts a caller needs in detail
(the roots, and the parts of the operator whose view it builds); any other part whose
stored total holds is read as that total, and the walk stops there: a customer's roll-up
reads its own parts and the totals at its suppliers' boundary, not their whole upstream.
A part without a stored total, or any part while some change is still pending settlement,
is walked as before, so a stored total is a shortcut to the same digits, never a source.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from battrace.ids import TraceId
from battrace.traceability.combine import UNKNOWN, RatedEmission, Values, combine_values
from battrace.traceability.disclosure import Released, released_to
from battrace.traceability.models import CfpResponseStatus, CfpType
from battrace.traceability.stages import Dqr, Stage
from battrace.traceability.supply_walk import SLOT, STAGES, STORED_NAMES, Key, SupplyWalk
from battrace.traceability.walk import fold_upstream

_UNKNOWN_TOTAL: tuple[Values, ...] = (UNKNOWN,) * len(STAGES)


@dataclass(frozen=True)
class TradeLink:
    """The newest open request on a part: who asked whom, and the part that answers it."""

    downstream_operator_id: uuid.UUID
    upstream_operator_id: uuid.UUID
    upstream_trace_id: TraceId | None
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
    supplier_trace_id: TraceId
    released: Released
    totals: tuple[Values, ...]
    declared_unit: str | None


class RawPart(NamedTuple):
    """A part as its owner sees it, in plain values (`SupplyGraph.owned_from`)."""

    trace_id: TraceId
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

    trace_id: TraceId
    operator_id: uuid.UUID
    terminated_flag: bool
    is_parent: bool
    unit: str | None  # the declared unit of its CFP set, if it has one
    values: Mapping[CfpType, RatedEmission]  # its CFP set, as far as registered
    children: tuple[tuple[uuid.UUID, Decimal], ...]  # its structure, by child trace id
    trade: TradeLink | None  # the newest open request on it, if any

    @property
    def answered_trade(self) -> TradeLink | None:
        return self.trade if self.trade is not None and self.trade.answered else None


class SupplyGraph:
    """CFP totals over a `SupplyWalk` (its options: see there)."""

    def __init__(
        self,
        session: Session,
        *,
        disclose_by_default: bool,
        fresh: Collection[Key] = (),
        stored: bool | None = None,
    ) -> None:
        self.session = session
        self.walk = SupplyWalk(
            session, fresh=fresh, stored=stored, disclose_by_default=disclose_by_default
        )
        self._ids = self.walk.ids

    def load(
        self, roots: Iterable[uuid.UUID], *, detail_for: uuid.UUID | None = None
    ) -> SupplyGraph:
        """Read the parts below `roots` (see `SupplyWalk.load`)."""
        self.walk.load(roots, detail_for=detail_for)
        return self

    def load_keys(
        self, roots: Collection[Key], *, detail_for: uuid.UUID | None = None
    ) -> SupplyGraph:
        """`load` for trace ids already in the database's spelling."""
        self.walk.load_keys(roots, detail_for=detail_for)
        return self

    # ---------------------------------------------------------------- reading
    def node(self, trace_id: TraceId) -> SupplyNode | None:
        """The part as its owner sees it, or None if the graph does not hold it (or holds
        only its stored total)."""
        key = self._ids.key(trace_id)
        part = self.walk.parts.get(key)
        if part is None or key in self.walk.stored:
            return None
        as_uuid = self._ids.uuid
        operator, terminated, is_parent = part
        values = self.walk.values.get(key)
        own = {}
        if values is not None:
            for cfp_type, at in SLOT.items():
                value = values[at + 1]
                if value is not None:
                    own[cfp_type] = RatedEmission(value[0], Dqr(value[1], value[2], value[3]))
        trade = self.walk.trades.get(key)
        return SupplyNode(
            trace_id=trace_id,
            operator_id=as_uuid(operator),
            terminated_flag=bool(terminated),
            is_parent=bool(is_parent),
            unit=None if values is None else values[0],
            values=own,
            children=tuple(
                (as_uuid(child), amount)
                for child, amount in zip(*self.walk.children.get(key, ((), ())), strict=True)
            ),
            trade=None
            if trade is None
            else TradeLink(
                downstream_operator_id=as_uuid(trade[0]),
                upstream_operator_id=as_uuid(trade[1]),
                upstream_trace_id=None if trade[2] is None else self._ids.trace_id(trade[2]),
                cfp_response_status=CfpResponseStatus(trade[3]),
            ),
        )

    # ------------------------------------------------- plain views, for bulk readers
    def owned_from(self, roots: Iterable[uuid.UUID], owner: uuid.UUID) -> list[RawPart]:
        """The parts `owner` holds reachable from `roots` through its own structures, as
        plain values (what `node` gives, without an object per value): the way to read tens
        of thousands of parts at once."""
        as_uuid = self._ids.uuid
        found = []
        for current in self.walk.owned_below(roots, owner):
            _, terminated, is_parent = self.walk.parts[current]
            children, amounts = self.walk.children.get(current, ((), ()))
            trade = self.walk.trades.get(current)
            found.append(
                RawPart(
                    self._ids.trace_id(current),
                    bool(terminated),
                    bool(is_parent),
                    self.walk.values.get(current),
                    [as_uuid(child) for child in children],
                    list(amounts),
                    None if trade is None else as_uuid(trade[1]),
                    self._boundary(current),
                )
            )
        return found

    def _boundary(self, key: Key) -> RawBoundary | None:
        answered = self.walk.answered(key)
        if answered is None:
            return None
        released = self._released_to(*answered)
        supplier, upstream, _ = answered
        return RawBoundary(
            self._ids.uuid(supplier),
            self._ids.trace_id(upstream),
            released,
            _disclose(released, self._total(upstream)),
            self._unit(upstream),
        )

    def unit(self, trace_id: uuid.UUID) -> str | None:
        return self._unit(self._ids.key(trace_id))

    def _unit(self, key: Key) -> str | None:
        if key in self.walk.stored:
            return self.walk.units[key]
        values = self.walk.values.get(key)
        return None if values is None else values[0]

    def stored_rows(self, keys: Iterable[Key]) -> list[dict[str, Any]]:
        """`part_totals` rows of the given parts (those the graph holds), computed now."""
        policy = self.walk.disclose_by_default
        rows = []
        for key in keys:
            if key not in self.walk.parts:
                continue
            (pre, main) = self._total(key)
            row = {"trace_id": self._ids.uuid(key), "disclose_by_default": policy}
            row["declared_unit"] = self._unit(key)
            for name, value in zip(STORED_NAMES, (*pre, *main), strict=True):
                row[name] = None if value is None else str(value)
            rows.append(row)
        return rows

    def owners(self, keys: Iterable[Key]) -> set[uuid.UUID]:
        """The operators owning the given parts (those the graph holds)."""
        parts = self.walk.parts
        return {self._ids.uuid(parts[key][0]) for key in keys if key in parts}

    def computed(self) -> set[Key]:
        """The parts the graph holds that it did not read as stored totals."""
        return self.walk.parts.keys() - self.walk.stored

    def released(self, trade: TradeLink) -> Released:
        assert trade.upstream_trace_id is not None  # noqa: S101 (answered trades are linked)
        key = self._ids.key
        return self._released_to(
            key(trade.upstream_operator_id),
            key(trade.upstream_trace_id),
            key(trade.downstream_operator_id),
        )

    def _released_to(self, supplier: Key, trace: Key, customer: Key) -> Released:
        found = self.walk.released.get((supplier, trace, customer))
        if found is None:
            as_uuid = self._ids.uuid
            found = self.walk.released[(supplier, trace, customer)] = released_to(
                self.session,
                supplier=as_uuid(supplier),
                trace_id=self._ids.trace_id(trace),
                customer=as_uuid(customer),
                disclose_by_default=self.walk.disclose_by_default,
            )
        return found

    # ---------------------------------------------------------------- computing
    def disclosed(self, trade: TradeLink) -> dict[Stage, RatedEmission]:
        """The supplier's total for an answered trade, as the customer may see it."""
        assert trade.upstream_trace_id is not None  # noqa: S101
        upstream = self._total(self._ids.key(trade.upstream_trace_id))
        disclosed = _disclose(self.released(trade), upstream)
        return dict(zip(STAGES, map(RatedEmission.of, disclosed), strict=True))

    def total(self, trace_id: uuid.UUID) -> dict[Stage, RatedEmission]:
        """The part's total per stage, in its owner's own view (memoised, cycle-safe)."""
        totals = self._total(self._ids.key(trace_id))
        return dict(zip(STAGES, map(RatedEmission.of, totals), strict=True))

    def _upstream(self, key: Key) -> Sequence[Key]:
        """The parts `key`'s total is made of, in the order the definition reads them."""
        part = self.walk.parts[key]
        if part[1]:
            return ()
        if part[2]:
            structure = self.walk.children.get(key)
            return () if structure is None else structure[0]
        answered = self.walk.answered(key)
        return () if answered is None else (answered[1],)

    def _total(self, key: Key) -> tuple[Values, ...]:
        """Totals per stage, memoised; every part of a cycle is unknown (see
        `walk.fold_upstream`)."""
        if key not in self.walk.parts and key not in self.walk.totals:
            return _UNKNOWN_TOTAL
        return fold_upstream(
            key,
            self.walk.totals,
            self._upstream,
            self._compute,
            known=self.walk.parts,
            on_cycle=lambda _part: _UNKNOWN_TOTAL,
        )

    def _compute(self, key: Key) -> tuple[Values, ...]:
        """A part's total from its upstream totals (missing ones are unknown: a cycle)."""
        _, terminated, is_parent = self.walk.parts[key]
        values = self.walk.values.get(key)
        if terminated or is_parent:
            pre, main = _own_terms(values, 0), _own_terms(values, 1)
            structure = None if terminated else self.walk.children.get(key)
            if structure is not None:
                totals = self.walk.totals
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
            return (combine_values(pre), combine_values(main))
        answered = self.walk.answered(key)
        if answered is not None:
            released = self._released_to(*answered)
            return _disclose(released, self.walk.totals.get(answered[1], _UNKNOWN_TOTAL))
        if values is not None:
            return tuple(combine_values(_own_terms(values, stage)) for stage in range(len(STAGES)))
        return _UNKNOWN_TOTAL

    def own_terms(self, trace_id: uuid.UUID, stage: Stage) -> list[RatedEmission]:
        """A part's own values for a stage as terms of its total (one unknown term if any
        of the two is missing)."""
        values = self.walk.values.get(self._ids.key(trace_id))
        return [
            RatedEmission(value[0], Dqr(value[1], value[2], value[3]))
            for value in _own_terms(values, STAGES.index(stage))
        ]

    def child_terms(self, trace_id: uuid.UUID, stage: Stage) -> list[RatedEmission]:
        """Each child's total for a stage times the amount the structure needs of it."""
        at = STAGES.index(stage)
        terms = []
        for child, required in zip(
            *self.walk.children.get(self._ids.key(trace_id), ((), ())), strict=True
        ):
            emission, ter, ger, tir = self._total(child)[at]
            terms.append(
                RatedEmission(None if emission is None else required * emission, Dqr(ter, ger, tir))
            )
        return terms


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
        return [UNKNOWN]
    production, component = values[2 * stage + 1], values[2 * stage + 2]
    if production is None or component is None:
        return [UNKNOWN]
    return [production, component]
