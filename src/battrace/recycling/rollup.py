"""Recycled content carried up a supply chain, as the CFP is (`content` states the rule).

The chain is read through the traceability loader (`traceability.rollup.SupplyGraph`, walking
every tier: recycled content has no stored totals) and the owners' content declarations
(`PartContent`) of the parts it reaches, in one set-based read. A part's content is its own
declaration plus `amountRequired` x each child's content; a bought-in part answered over a
trade takes the supplier part's content, as far as the supplier releases its totals to that
customer (the same decision that releases its CFP total, `traceability.disclosure`): withheld,
requested but unanswered, or a cycle make every element unknown. A terminated part counts its
own declaration only (as its CFP counts its own values); a part with none of these contributes
nothing.

Only the viewer's own parts come back; a supplier's content is seen as one total per unit of
the part it sold, never its structure, its sources or its other customers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import NotFound
from battrace.recycling.content import Content, ElementContent, combine, share_percent
from battrace.recycling.models import PartContent
from battrace.recycling.rules import Element
from battrace.store.base import Decimal5
from battrace.traceability.models import Part
from battrace.traceability.supply import SupplyGraph, SupplyNode
from battrace.traceability.supply_walk import trace_id_among

UNKNOWN: Content = dict.fromkeys(Element)
_ONE = Decimal(1)
_CHUNK = 5000


@dataclass(frozen=True)
class Rollup:
    """The viewer's parts below the roots with their content per unit."""

    viewer: uuid.UUID
    roots: tuple[uuid.UUID, ...]
    parts: Mapping[uuid.UUID, Content]

    def shares(self, trace_id: uuid.UUID) -> dict[Element, Decimal | None]:
        return {element: share_percent(value) for element, value in self.parts[trace_id].items()}


def _declared(session: Session, trace_ids: list[uuid.UUID]) -> dict[uuid.UUID, Content]:
    declared: dict[uuid.UUID, dict[Element, ElementContent | None]] = {}
    read = Decimal5().bulk_reader(session.get_bind().dialect)
    for start in range(0, len(trace_ids), _CHUNK):
        chunk = trace_ids[start : start + _CHUNK]
        for trace, element, *masses in session.execute(
            select(
                PartContent.trace_id,
                PartContent.element,
                Decimal5.unprocessed(PartContent.mass_kg),
                Decimal5.unprocessed(PartContent.pre_consumer_kg),
                Decimal5.unprocessed(PartContent.post_consumer_kg),
            ).where(trace_id_among(session, PartContent.trace_id, chunk))
        ):
            values = masses if read is None else [read(m) for m in masses]
            declared.setdefault(trace, {})[Element(element)] = ElementContent(*values)
    return declared  # type: ignore[return-value]


def _reachable(graph: SupplyGraph, roots: Iterable[uuid.UUID]) -> dict[uuid.UUID, SupplyNode]:
    nodes: dict[uuid.UUID, SupplyNode] = {}
    stack = list(roots)
    while stack:
        trace = stack.pop()
        if trace in nodes:
            continue
        node = graph.node(trace)
        if node is None:
            continue
        nodes[trace] = node
        stack.extend(child for child, _ in node.children)
        answered = node.answered_trade
        if answered is not None and answered.upstream_trace_id is not None:
            stack.append(answered.upstream_trace_id)
    return nodes


def roll_up_content(
    session: Session, *, viewer: uuid.UUID, roots: Iterable[uuid.UUID], disclose_by_default: bool
) -> Rollup:
    """Content per unit of each of the viewer's parts below `roots` (each must be its own)."""
    wanted = list(dict.fromkeys(roots))
    for trace_id in wanted:
        if session.get(Part, (viewer, trace_id)) is None:
            raise NotFound(f"traceId: {trace_id} was not found.")
    graph = SupplyGraph(session, stored=False, disclose_by_default=disclose_by_default)
    graph.load(wanted, detail_for=viewer)
    nodes = _reachable(graph, wanted)
    declared = _declared(session, list(nodes))
    computed: dict[uuid.UUID, Content] = {}
    visiting: set[uuid.UUID] = set()
    for root in wanted:
        _compute(root, graph, nodes, declared, computed, visiting)
    own = {trace: value for trace, value in computed.items() if nodes[trace].operator_id == viewer}
    return Rollup(viewer, tuple(wanted), own)


def _compute(
    root: uuid.UUID,
    graph: SupplyGraph,
    nodes: Mapping[uuid.UUID, SupplyNode],
    declared: Mapping[uuid.UUID, Content],
    computed: dict[uuid.UUID, Content],
    visiting: set[uuid.UUID],
) -> None:
    """Depth first without recursion (chains are deep); a part met again while its own
    inputs are being computed is a cycle, and unknown."""
    stack: list[tuple[uuid.UUID, bool]] = [(root, False)]
    while stack:
        trace, inputs_done = stack.pop()
        if trace in computed:
            continue
        node = nodes.get(trace)
        if node is None:
            computed[trace] = UNKNOWN
            continue
        if node.terminated_flag:  # like the CFP: a terminated part counts its own values only
            computed[trace] = dict(declared.get(trace, {}))
            continue
        upstream = _upstream(graph, node)
        if not inputs_done:
            if trace in visiting:
                computed[trace] = UNKNOWN
                continue
            visiting.add(trace)
            stack.append((trace, True))
            stack.extend((child, False) for child, _ in node.children if child not in computed)
            if upstream is not None and upstream not in computed:
                stack.append((upstream, False))
            continue
        visiting.discard(trace)
        terms: list[tuple[Decimal, Content]] = []
        if trace in declared:
            terms.append((_ONE, declared[trace]))
        terms.extend((amount, computed.get(child, UNKNOWN)) for child, amount in node.children)
        if upstream is not None:
            terms.append((_ONE, computed.get(upstream, UNKNOWN)))
        elif node.trade is not None:  # requested, not answered, or withheld
            terms.append((_ONE, UNKNOWN))
        computed[trace] = combine(terms)


def _upstream(graph: SupplyGraph, node: SupplyNode) -> uuid.UUID | None:
    """The supplier part whose content this part takes, if the supplier releases it."""
    answered = node.answered_trade
    if answered is None or answered.upstream_trace_id is None:
        return None
    if not graph.released(answered).total_cfp:
        return None
    return answered.upstream_trace_id
