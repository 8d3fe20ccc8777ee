"""Classification of a roll-up: which parts a root reaches, each part's own terms per stage
(with provenance, supplier and, if unknown, the reason), the edges that are expanded, and the
exact Decimal kernel over them.

The rules are those of `traceability.rollup` (see `footprint.rollup`); units are checked here
(`footprint.units`), cycles too (refused on write, so a cycle here is a corrupt graph). The
result, a `Plan`, is what both kernels (Decimal here, float64 in `fastpath`) compute on.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from graphlib import CycleError, TopologicalSorter

from battrace.errors import InvalidRequest
from battrace.footprint.factors import Factor
from battrace.footprint.graph import FootprintGraph, PartNode
from battrace.footprint.units import check_unit, declared_for
from battrace.traceability.combine import RatedEmission, combine
from battrace.traceability.stages import Dqr, Stage

# Enough digits that sums of products of 5-decimal amounts along deep paths stay exact.
DECIMAL_PRECISION = 120
ZERO = Decimal(0)
QUANTUM = Decimal("0.00001")


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """A ratio to 28 significant digits (shares are not exact; sums and products are)."""
    return Context(prec=28).divide(part, whole) if whole else None


def round5(value: Decimal) -> Decimal:
    """The float path's edge: 5 decimals, half to even."""
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


class StructureCycle(InvalidRequest):
    """The graph contains a structure that contains itself (refused on write; checked here)."""


class Provenance(enum.StrEnum):
    PRIMARY = "primary"  # answered by the supplier, or the viewer's own registered value
    SECONDARY = "secondary"  # an emission factor from the viewer's table
    ASSUMED = "assumed"  # a what-if value
    UNKNOWN = "unknown"


class UnknownReason(enum.StrEnum):
    NOT_REQUESTED = "NOT_REQUESTED"  # bought-in, no open request, no own value
    NOT_ANSWERED = "NOT_ANSWERED"  # requested, no answer yet
    WITHHELD = "WITHHELD"  # answered, the supplier withheld its total from this viewer
    SUPPLIER_INCOMPLETE = "SUPPLIER_INCOMPLETE"  # released, but unknown upstream of it
    NO_VALUES = "NO_VALUES"  # the viewer's own part has no (or an empty) CFP value


class Kind(enum.IntEnum):
    """Which value a part has, before factors and what-if values (the codes of the columns)."""

    PARENT = 0  # is_parent, not terminated: own values plus amount x each child's total
    OWN = 1  # terminated (parent or not), or a part its owner valued: own values only
    BOUNDARY = 2  # bought in and answered: what the supplier disclosed to the viewer
    NONE = 3  # bought in, requested or not, no answer and no own values


def kind_of(node: PartNode) -> Kind:
    if node.terminated or node.is_parent:
        return Kind.PARENT if node.is_parent and not node.terminated else Kind.OWN
    if node.boundary is not None:
        return Kind.BOUNDARY
    return Kind.OWN if node.own is not None else Kind.NONE


@dataclass(frozen=True)
class Replacement:
    """A what-if value for one part: its whole CFP per stage, per unit of the part."""

    values: Mapping[Stage, Decimal]
    dqr: Mapping[Stage, Dqr] = field(default_factory=dict)


@dataclass(frozen=True)
class Local:
    """One of a part's own terms for a stage (a CFP row, or the whole value of a leaf)."""

    production: bool  # the part's *Production row (the root's own origin)
    emission: Decimal | None
    dqr: Dqr
    provenance: Provenance
    supplier: uuid.UUID | None
    reason: UnknownReason | None = None


@dataclass(frozen=True)
class Plan:
    """What the kernels compute on: reachable parts, their terms and the edges expanded."""

    root: uuid.UUID
    order: tuple[uuid.UUID, ...]  # parents before children
    local: Mapping[uuid.UUID, Mapping[Stage, tuple[Local, ...]]]
    edges: Mapping[uuid.UUID, tuple[tuple[uuid.UUID, Decimal], ...]]  # expanded parents only


@dataclass(frozen=True)
class Computed:
    quantities: Mapping[uuid.UUID, Decimal]
    root: Mapping[Stage, RatedEmission]


def _own_locals(node: PartNode, *, check: bool) -> dict[Stage, tuple[Local, ...]]:
    if node.own is None:
        unknown = Local(True, None, Dqr.empty(), Provenance.UNKNOWN, node.operator_id)
        return {stage: (_unknown(unknown, UnknownReason.NO_VALUES),) for stage in Stage}
    if check:
        _check(node, node.declared_unit)
    result: dict[Stage, tuple[Local, ...]] = {}
    for stage in Stage:
        values = node.own[stage]
        result[stage] = tuple(
            _unknown(local, UnknownReason.NO_VALUES) if local.emission is None else local
            for local in (
                Local(True, values.production.emission, values.production.dqr,
                      Provenance.PRIMARY, node.operator_id),
                Local(False, values.component.emission, values.component.dqr,
                      Provenance.PRIMARY, node.operator_id),
            )
        )  # fmt: skip
    return result


def _unknown(local: Local, reason: UnknownReason) -> Local:
    return Local(local.production, None, local.dqr, Provenance.UNKNOWN, local.supplier, reason)


def _check(node: PartNode, declared_unit: str | None) -> None:
    check_unit(
        trace_id=node.trace_id,
        parts_name=node.parts_name,
        amount_unit=node.amount_required_unit,
        declared_unit=declared_unit,
    )


def _boundary_locals(node: PartNode, *, check: bool) -> dict[Stage, tuple[Local, ...]]:
    boundary = node.boundary
    assert boundary is not None  # noqa: S101 (called for boundary nodes only)
    reason = (
        UnknownReason.SUPPLIER_INCOMPLETE if boundary.released.total_cfp else UnknownReason.WITHHELD
    )
    result: dict[Stage, tuple[Local, ...]] = {}
    for stage in Stage:
        total = boundary.totals.get(stage)
        emission = None if total is None else total.emission
        dqr = Dqr.empty() if total is None else total.dqr
        local = Local(False, emission, dqr, Provenance.PRIMARY, boundary.supplier_operator_id)
        result[stage] = (local if emission is not None else _unknown(local, reason),)
    if check and any(local.emission is not None for (local,) in result.values()):
        _check(node, boundary.declared_unit)
    return result


def _leaf_locals(node: PartNode, *, check: bool) -> tuple[dict[Stage, tuple[Local, ...]], bool]:
    """A part's own terms and whether its children count (parents only)."""
    kind = kind_of(node)
    if kind is Kind.PARENT or kind is Kind.OWN:
        return _own_locals(node, check=check), kind is Kind.PARENT
    if kind is Kind.BOUNDARY:
        return _boundary_locals(node, check=check), False
    reason = (
        UnknownReason.NOT_ANSWERED
        if node.requested_from is not None
        else UnknownReason.NOT_REQUESTED
    )
    local = Local(False, None, Dqr.empty(), Provenance.UNKNOWN, node.requested_from, reason)
    return dict.fromkeys(Stage, (local,)), False


def _secondary(node: PartNode, factor: Factor, *, check: bool) -> dict[Stage, tuple[Local, ...]]:
    """A factor's value is cradle-to-gate: counted in pre-processing, main production 0."""
    if check:
        _check(node, declared_for(factor.unit))
    values = {Stage.PRE: factor.kg_co2e_per_unit, Stage.MAIN: ZERO}
    return {
        stage: (Local(False, values[stage], Dqr.empty(), Provenance.SECONDARY, None),)
        for stage in Stage
    }


def _replaced(replacement: Replacement) -> dict[Stage, tuple[Local, ...]]:
    return {
        stage: (
            Local(
                False,
                replacement.values[stage],
                replacement.dqr.get(stage, Dqr.empty()),
                Provenance.ASSUMED,
                None,
            ),
        )
        for stage in Stage
    }


def plan(
    graph: FootprintGraph,
    root: uuid.UUID,
    *,
    factors: Mapping[uuid.UUID, Factor] | None = None,
    replacements: Mapping[uuid.UUID, Replacement] | None = None,
) -> Plan:
    """Classify every part reachable from `root`; raises UnitMismatch, StructureCycle."""
    factors = factors or {}
    replacements = replacements or {}
    local: dict[uuid.UUID, Mapping[Stage, tuple[Local, ...]]] = {}
    edges: dict[uuid.UUID, tuple[tuple[uuid.UUID, Decimal], ...]] = {}
    children_of: dict[uuid.UUID, set[uuid.UUID]] = {}
    stack = [root]
    while stack:
        trace_id = stack.pop()
        if trace_id in local:
            continue
        node = graph.node(trace_id)
        check = trace_id != root
        if trace_id in replacements:
            terms, expand = _replaced(replacements[trace_id]), False
        else:
            terms, expand = _leaf_locals(node, check=check)
            factor = factors.get(trace_id)
            if (
                factor is not None
                and not expand
                and all(term.emission is None for stage in Stage for term in terms[stage])
            ):
                terms = _secondary(node, factor, check=check)
        local[trace_id] = terms
        if expand:
            edges[trace_id] = tuple((edge.child, edge.amount_required) for edge in node.children)
            children_of[trace_id] = {edge.child for edge in node.children}
            stack.extend(children_of[trace_id])
        else:
            children_of[trace_id] = set()
    try:
        children_first = tuple(TopologicalSorter(children_of).static_order())
    except CycleError as exc:
        names = ", ".join(f"{graph.node(t).parts_name} ({t})" for t in exc.args[1][:-1])
        msg = f"a parts structure contains itself: {names}"
        raise StructureCycle(msg) from exc
    return Plan(root, canonical_order(graph, children_first, children_of), local, edges)


def canonical_order(
    graph: FootprintGraph,
    children_first: tuple[uuid.UUID, ...],
    children_of: Mapping[uuid.UUID, set[uuid.UUID]],
) -> tuple[uuid.UUID, ...]:
    """Parts by level (the longest path from the root), ties by their place in the graph: the
    order both engines list contributions and unknown parts in (`footprint.fastpath`)."""
    level: dict[uuid.UUID, int] = {}
    for trace_id in reversed(children_first):  # parents first: a part's level is final
        below = level.setdefault(trace_id, 0) + 1
        for child in children_of[trace_id]:
            level[child] = max(level.get(child, 0), below)
    place = {trace_id: at for at, trace_id in enumerate(graph.nodes)}
    return tuple(sorted(level, key=lambda trace_id: (level[trace_id], place[trace_id])))


def decimal_kernel(work: Plan) -> Computed:
    """Exact quantities per part and the root's nested totals (memoised per part)."""
    with localcontext() as context:
        context.prec = DECIMAL_PRECISION
        quantities: dict[uuid.UUID, Decimal] = dict.fromkeys(work.order, ZERO)
        quantities[work.root] = Decimal(1)
        for trace_id in work.order:
            for child, amount in work.edges.get(trace_id, ()):
                quantities[child] += quantities[trace_id] * amount
        totals: dict[uuid.UUID, dict[Stage, RatedEmission]] = {}
        for trace_id in reversed(work.order):
            totals[trace_id] = {}
            for stage in Stage:
                terms = [
                    RatedEmission(term.emission, term.dqr) for term in work.local[trace_id][stage]
                ]
                for child, amount in work.edges.get(trace_id, ()):
                    below = totals[child][stage]
                    emission = None if below.emission is None else amount * below.emission
                    terms.append(RatedEmission(emission, below.dqr))
                totals[trace_id][stage] = combine(terms)
        return Computed(quantities, totals[work.root])
