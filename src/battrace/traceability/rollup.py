"""The rows `GET cfp` (#14) returns: a part's own CFP set, and the roll-up as the contract
shows it (`*Total` rows of a parent, `*Response` rows of an answered bought-in part),
rounded up to 5 decimals at the edge. The totals come from `supply.SupplyGraph`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from battrace.ids import OperatorId, TraceId
from battrace.store import collector
from battrace.traceability.combine import combine, round_up5
from battrace.traceability.models import CfpType, CfpValue, Part
from battrace.traceability.stages import Dqr, Stage
from battrace.traceability.supply import SupplyGraph, SupplyNode, TradeLink

_CHUNK = 900


def _rows_of(model: type[CfpValue]) -> Select[Any]:
    """SELECT of a table's columns (bookkeeping timestamps left out) as plain rows."""
    return select(*(c for c in model.__table__.c if c.key not in ("created_at", "updated_at")))


@dataclass(frozen=True)
class CfpRow:
    """One row of `GET cfp`, in the contract's terms."""

    cfp_id: uuid.UUID | None
    trace_id: TraceId
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
    session: Session,
    *,
    caller: OperatorId,
    trace_ids: Sequence[TraceId],
    disclose_by_default: bool,
) -> list[CfpRow]:
    """What `GET cfp` returns for the caller's parts, grouped in the order asked; a supplier's
    decision not taken counts as `disclose_by_default` (the server's policy).

    Parts the caller does not own contribute nothing, exactly like unknown trace ids.
    """
    wanted = list(dict.fromkeys(trace_ids))
    own: dict[TraceId, dict[CfpType, Any]] = {}
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
    graph = SupplyGraph(session, disclose_by_default=disclose_by_default).load(roots)
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
