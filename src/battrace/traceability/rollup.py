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

The graph is read breadth-first in a few set-based queries per tier, never one per part.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

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
    Trade,
)

QUANTUM = Decimal("0.00001")
_CHUNK = 900
_OPEN = (CfpResponseStatus.NOT_COMPLETED, CfpResponseStatus.COMPLETED)


def round_up5(value: Decimal | None) -> Decimal | None:
    """Round away from zero to 5 decimals (the contract's rule for sent values)."""
    return None if value is None else value.quantize(QUANTUM, rounding=ROUND_UP)


@dataclass
class Node:
    part: Part
    rows: dict[CfpType, CfpValue] = field(default_factory=dict)
    children: list[tuple[uuid.UUID, Decimal]] = field(default_factory=list)
    trade: Trade | None = None  # the newest open request on this part, if any

    @property
    def answered_trade(self) -> Trade | None:
        trade = self.trade
        if (
            trade is not None
            and trade.cfp_response_status == CfpResponseStatus.COMPLETED
            and trade.upstream_trace_id is not None
        ):
            return trade
        return None

    @property
    def unit(self) -> str | None:
        return next(iter(self.rows.values())).ghg_declared_unit if self.rows else None


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
    emission: Decimal | None = Decimal(0)
    for term in terms:
        emission = None if emission is None or term.emission is None else emission + term.emission

    def weighted(pick: str) -> Decimal | None:
        numerator = Decimal(0)
        weight = Decimal(0)
        for term in terms:
            value = getattr(term.dqr, pick)
            if value is None or term.emission is None or term.emission <= 0:
                continue
            numerator += value * term.emission
            weight += term.emission
        return numerator / weight if weight > 0 else None

    return StageTotal(emission, Dqr(weighted("ter"), weighted("ger"), weighted("tir")))


def _rows_of(model: type[Part] | type[CfpValue] | type[PartEdge] | type[Trade]) -> Select[Any]:
    """SELECT of a table's columns (bookkeeping timestamps left out) as plain rows."""
    return select(*(c for c in model.__table__.c if c.key not in ("created_at", "updated_at")))


def _chunks(ids: Iterable[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    batch: list[uuid.UUID] = []
    for item in ids:
        batch.append(item)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class SupplyGraph:
    """The parts reachable upstream from some roots: structures and answered trades."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.nodes: dict[uuid.UUID, Node] = {}
        self._released: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], Released] = {}
        self._totals: dict[uuid.UUID, dict[Stage, StageTotal]] = {}
        self._visiting: set[uuid.UUID] = set()

    # ------------------------------------------------------------------ loading
    def load(self, roots: Iterable[uuid.UUID]) -> SupplyGraph:
        frontier = {root for root in roots if root not in self.nodes}
        while frontier:
            self._load_tier(frontier)
            following: set[uuid.UUID] = set()
            for trace_id in frontier:
                node = self.nodes.get(trace_id)
                if node is None:
                    continue
                following.update(child for child, _ in node.children)
                trade = node.answered_trade
                if trade is not None and trade.upstream_trace_id is not None:
                    following.add(trade.upstream_trace_id)
            frontier = following - self.nodes.keys()
        return self

    def _load_tier(self, trace_ids: set[uuid.UUID]) -> None:
        """Plain rows, not ORM objects: a tier can be thousands of rows, and nothing here is
        written back, so identity-map bookkeeping is pure cost."""
        session = self.session
        for batch in _chunks(trace_ids):
            for part in session.execute(_rows_of(Part).where(Part.trace_id.in_(batch))):
                self.nodes[part.trace_id] = Node(part)  # type: ignore[arg-type]
            for row in session.execute(_rows_of(CfpValue).where(CfpValue.trace_id.in_(batch))):
                node = self.nodes.get(row.trace_id)
                if node is not None and node.part.operator_id == row.operator_id:
                    node.rows[row.cfp_type] = row  # type: ignore[assignment]
            for edge in session.execute(
                _rows_of(PartEdge)
                .where(PartEdge.parent_trace_id.in_(batch))
                .order_by(PartEdge.child_trace_id)
            ):
                node = self.nodes.get(edge.parent_trace_id)
                if node is not None and node.part.operator_id == edge.operator_id:
                    node.children.append((edge.child_trace_id, edge.amount_required))
            for trade in session.execute(
                _rows_of(Trade)
                .where(Trade.downstream_trace_id.in_(batch), Trade.cfp_response_status.in_(_OPEN))
                .order_by(Trade.created_at)
            ):
                node = self.nodes.get(trade.downstream_trace_id)
                if node is not None:
                    node.trade = trade  # type: ignore[assignment]  # oldest first: newest stays
        self._load_disclosures(trace_ids)

    def _load_disclosures(self, trace_ids: set[uuid.UUID]) -> None:
        """What each answering supplier released to its customer, for the whole tier at once."""
        keys = set()
        for trace_id in trace_ids:
            node = self.nodes.get(trace_id)
            trade = node.answered_trade if node else None
            if trade is not None and trade.upstream_trace_id is not None:
                keys.add(
                    (
                        trade.upstream_operator_id,
                        trade.upstream_trace_id,
                        trade.downstream_operator_id,
                    )
                )
        if not keys:
            return
        default = disclosure.default_policy(self.session)
        decided: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], Disclosure] = {}
        for batch in _chunks({trace for _, trace, _ in keys}):
            for row in self.session.scalars(
                select(Disclosure).where(Disclosure.trace_id.in_(batch))
            ):
                decided[(row.operator_id, row.trace_id, row.released_to_operator_id)] = row
        for key in keys:
            self._released[key] = disclosure.resolve(decided.get(key), default)

    def released(self, trade: Trade) -> Released:
        assert trade.upstream_trace_id is not None  # noqa: S101 (answered trades are linked)
        key = (trade.upstream_operator_id, trade.upstream_trace_id, trade.downstream_operator_id)
        if key not in self._released:
            self._released[key] = released_to(
                self.session, supplier=key[0], trace_id=key[1], customer=key[2]
            )
        return self._released[key]

    # ---------------------------------------------------------------- computing
    def _own_terms(self, node: Node, stage: Stage) -> list[Term]:
        terms = []
        for cfp_type in (PRODUCTION[stage], COMPONENT[stage]):
            row = node.rows.get(cfp_type)
            if row is None:
                return [Term(None, Dqr.empty())]
            terms.append(Term(row.ghg_emission, Dqr(row.ter, row.ger, row.tir)))
        return terms

    def _child_terms(self, node: Node, stage: Stage) -> list[Term]:
        terms = []
        for child_id, amount in node.children:
            child = self.total(child_id)[stage]
            emission = None if child.emission is None else amount * child.emission
            terms.append(Term(emission, child.dqr))
        return terms

    def disclosed(self, trade: Trade) -> dict[Stage, StageTotal]:
        """The supplier's total for an answered trade, as the customer may see it."""
        assert trade.upstream_trace_id is not None  # noqa: S101
        released = self.released(trade)
        upstream = self.total(trade.upstream_trace_id)
        return {
            stage: StageTotal(
                value.emission if released.total_cfp else None,
                value.dqr if released.total_dqr else Dqr.empty(),
            )
            for stage, value in upstream.items()
        }

    def total(self, trace_id: uuid.UUID) -> dict[Stage, StageTotal]:
        """The part's total per stage, in its owner's own view (memoised, cycle-safe)."""
        if trace_id in self._totals:
            return self._totals[trace_id]
        unknown = {stage: StageTotal(None, Dqr.empty()) for stage in Stage}
        node = self.nodes.get(trace_id)
        if node is None or trace_id in self._visiting:
            return unknown
        self._visiting.add(trace_id)
        try:
            result = self._compute_total(node, unknown)
        finally:
            self._visiting.discard(trace_id)
        self._totals[trace_id] = result
        return result

    def _compute_total(
        self, node: Node, unknown: dict[Stage, StageTotal]
    ) -> dict[Stage, StageTotal]:
        part = node.part
        if part.terminated_flag:
            return {stage: combine(self._own_terms(node, stage)) for stage in Stage}
        if part.is_parent:
            return {
                stage: combine(self._own_terms(node, stage) + self._child_terms(node, stage))
                for stage in Stage
            }
        trade = node.answered_trade
        if trade is not None:
            return self.disclosed(trade)
        if node.rows:
            return {stage: combine(self._own_terms(node, stage)) for stage in Stage}
        return unknown


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


def _own_rows(node: Node) -> list[CfpRow]:
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
        for row in (node.rows[t] for t in _OWN_ORDER if t in node.rows)
    ]


def _total_rows(graph: SupplyGraph, node: Node) -> list[CfpRow]:
    rows = []
    unit = node.unit or ""
    cfp_id = next(iter(node.rows.values())).cfp_id
    for stage in Stage:
        own = graph._own_terms(node, stage)
        children = [] if node.part.terminated_flag else graph._child_terms(node, stage)
        whole = combine(own + children)
        production = own[0].emission if len(own) == 2 else None
        component = combine(own[1:] + children).emission if len(own) == 2 else None
        dqr = _rounded(whole.dqr)
        dqr_type = f"{stage.value}ProcessingTotal"
        rows.append(
            CfpRow(
                cfp_id,
                node.part.trace_id,
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
                node.part.trace_id,
                round_up5(component),
                unit,
                f"{stage.value}ComponentTotal",
                dqr_type,
                dqr,
            )
        )
    # contract order: preProductionTotal, preComponentTotal, mainProductionTotal, mainComponentTotal
    return rows


def _response_rows(graph: SupplyGraph, node: Node, trade: Trade) -> list[CfpRow]:
    assert trade.upstream_trace_id is not None  # noqa: S101
    supplier = graph.nodes.get(trade.upstream_trace_id)
    unit = (supplier.unit if supplier else None) or ""
    disclosed = graph.disclosed(trade)
    return [
        CfpRow(
            None,
            node.part.trace_id,
            round_up5(disclosed[stage].emission),
            unit,
            f"{stage.value}ProductionResponse",
            f"{stage.value}ProcessingResponse",
            _rounded(disclosed[stage].dqr),
        )
        for stage in Stage
    ]


def cfp_rows(
    session: Session, *, caller: uuid.UUID, trace_ids: Sequence[uuid.UUID]
) -> list[CfpRow]:
    """What `GET cfp` returns for the caller's parts, grouped in the order asked.

    Parts the caller does not own contribute nothing, exactly like unknown trace ids.
    """
    wanted = list(dict.fromkeys(trace_ids))
    graph = SupplyGraph(session)
    own = [
        trace_id
        for batch in _chunks(wanted)
        for trace_id in session.scalars(
            select(Part.trace_id).where(Part.operator_id == caller, Part.trace_id.in_(batch))
        )
    ]
    graph.load(own)
    result: list[CfpRow] = []
    for trace_id in wanted:
        node = graph.nodes.get(trace_id)
        if node is None or node.part.operator_id != caller:
            continue
        part = node.part
        if part.terminated_flag or part.is_parent:
            if not node.rows:
                continue
            result.extend(_own_rows(node))
            if part.is_parent:
                result.extend(_total_rows(graph, node))
            continue
        trade = node.answered_trade
        if trade is not None:
            result.extend(_response_rows(graph, node, trade))
        elif node.rows:
            result.extend(_own_rows(node))
    return result
