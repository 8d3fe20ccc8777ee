"""The roll-up: a part's CFP per stage and origin, with every contribution and every gap.

Which value a part has follows `traceability.rollup` (the contract's `*Total` rows): a
terminated part or a parent counts its own `*Production` + `*Component` values (a parent also
amountRequired x each child's total); an answered bought-in part counts what its supplier
disclosed; otherwise the owner's own values, else the part is unknown. Totals and DQR are
combined by `traceability.rollup.combine` node by node, so they are those of the contract.

On top of that, for one root: every known value is a `Contribution` carrying the part, the
supplier, the quantity of the part per unit of the root (the sum over all paths of the product
of amounts, computed once per node) and its provenance (primary = answered or the viewer's
own, secondary = an emission factor, assumed = a what-if value). Every unknown value is an
`UnknownPart` with its reason and its quantity share: the part's quantity per unit of the root
divided by the quantity of all the root's input parts (non-parent parts) counted in the same
unit. Nothing unknown is counted as 0: a stage with an unknown term has `total` None, and
`known` is the sum of what is known.

Arithmetic is exact `Decimal` below `FLOAT_PATH_MIN_NODES` reachable parts; above, the float64
kernel of `fastpath` computes the same quantities, rounded to 5 decimals (bound there).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from battrace.footprint import fastpath
from battrace.footprint.factors import Factor
from battrace.footprint.graph import FootprintGraph, PartNode
from battrace.footprint.plan import (
    DECIMAL_PRECISION,
    ZERO,
    Computed,
    Local,
    Plan,
    Provenance,
    Replacement,
    UnknownReason,
    decimal_kernel,
    plan,
    round5,
    share,
)
from battrace.traceability.cfp import Dqr, Stage

FLOAT_PATH_MIN_NODES = 20_000

Engine = Literal["auto", "decimal", "float"]


class Origin(enum.StrEnum):
    OWN = "own"  # the root's own *Production value
    COMPONENTS = "components"  # everything else


@dataclass(frozen=True)
class Contribution:
    trace_id: uuid.UUID
    parts_name: str
    supplier_operator_id: uuid.UUID | None  # who the value comes from (the viewer for its own)
    origin: Origin
    provenance: Provenance
    quantity: Decimal  # of the part per unit of the root, summed over all paths
    value: Decimal  # kgCO2e per unit of the part
    emission: Decimal  # quantity x value, kgCO2e per unit of the root


@dataclass(frozen=True)
class UnknownPart:
    trace_id: uuid.UUID
    parts_name: str
    supplier_operator_id: uuid.UUID | None
    reason: UnknownReason
    quantity: Decimal
    unit: str | None
    quantity_share: Decimal | None  # of the root's input parts in the same unit; None if n/a


@dataclass(frozen=True)
class StageFootprint:
    stage: Stage
    total: Decimal | None  # None while any term is unknown
    own: Decimal | None
    components: Decimal | None
    known: Decimal  # the sum of every known contribution
    primary: Decimal
    secondary: Decimal
    assumed: Decimal
    dqr: Dqr
    contributions: tuple[Contribution, ...]
    unknown: tuple[UnknownPart, ...]

    @property
    def primary_share(self) -> Decimal | None:
        return share(self.primary, self.known)


@dataclass(frozen=True)
class Footprint:
    viewer: uuid.UUID
    root: uuid.UUID
    parts_name: str
    unit: str | None  # kgCO2e per unit of the root
    stages: Mapping[Stage, StageFootprint]
    exact: bool  # Decimal path (True) or float path rounded to 5 decimals (False)

    @property
    def total(self) -> Decimal | None:
        values = [stage.total for stage in self.stages.values()]
        return None if any(v is None for v in values) else sum((v or ZERO for v in values), ZERO)

    @property
    def known(self) -> Decimal:
        return sum((stage.known for stage in self.stages.values()), ZERO)

    @property
    def primary_share(self) -> Decimal | None:
        known = self.known
        primary = sum((stage.primary for stage in self.stages.values()), ZERO)
        return share(primary, known)

    @property
    def unknown_parts(self) -> tuple[uuid.UUID, ...]:
        seen = dict.fromkeys(u.trace_id for stage in self.stages.values() for u in stage.unknown)
        return tuple(seen)


def _assemble(graph: FootprintGraph, work: Plan, computed: Computed, *, exact: bool) -> Footprint:
    def edge_value(value: Decimal) -> Decimal:
        return value if exact else round5(value)

    quantities = computed.quantities
    inputs: dict[str | None, Decimal] = {}
    for trace_id in work.order:
        node = graph.node(trace_id)
        if trace_id != work.root and trace_id not in work.edges:
            unit = node.amount_required_unit
            inputs[unit] = inputs.get(unit, ZERO) + quantities[trace_id]
    stages = {}
    with localcontext() as context:
        context.prec = DECIMAL_PRECISION
        for stage in Stage:
            contributions: list[Contribution] = []
            unknown: dict[uuid.UUID, UnknownPart] = {}
            own: Decimal | None = ZERO
            components_known = True
            for trace_id in work.order:
                node = graph.node(trace_id)
                quantity = quantities[trace_id]
                for term in work.local[trace_id][stage]:
                    is_own = trace_id == work.root and term.production
                    if term.emission is None:
                        own = None if is_own else own
                        components_known = components_known and is_own
                        if trace_id not in unknown:
                            unknown[trace_id] = _unknown_part(
                                node, term, quantity, leaf=trace_id not in work.edges,
                                inputs=inputs, is_root=trace_id == work.root,
                            )  # fmt: skip
                        continue
                    if is_own:
                        own = term.emission
                    contributions.append(
                        Contribution(
                            trace_id=trace_id,
                            parts_name=node.parts_name,
                            supplier_operator_id=term.supplier,
                            origin=Origin.OWN if is_own else Origin.COMPONENTS,
                            provenance=term.provenance,
                            quantity=quantity,
                            value=term.emission,
                            emission=edge_value(quantity * term.emission),
                        )
                    )
            root_total = computed.root[stage]

            def summed(kind: Provenance, items: Sequence[Contribution] = contributions) -> Decimal:
                return sum((c.emission for c in items if c.provenance == kind), ZERO)

            known = sum((c.emission for c in contributions), ZERO)
            components: Decimal | None = None
            if components_known:
                components = sum(
                    (c.emission for c in contributions if c.origin == Origin.COMPONENTS), ZERO
                )
            stages[stage] = StageFootprint(
                stage=stage,
                total=root_total.emission,
                own=own,
                components=components,
                known=known,
                primary=summed(Provenance.PRIMARY),
                secondary=summed(Provenance.SECONDARY),
                assumed=summed(Provenance.ASSUMED),
                dqr=root_total.dqr,
                contributions=tuple(contributions),
                unknown=tuple(unknown.values()),
            )
    root = graph.node(work.root)
    return Footprint(graph.viewer, work.root, root.parts_name, root.declared_unit, stages, exact)


def _unknown_part(
    node: PartNode,
    term: Local,
    quantity: Decimal,
    *,
    leaf: bool,
    inputs: Mapping[str | None, Decimal],
    is_root: bool,
) -> UnknownPart:
    unit = node.amount_required_unit
    among = inputs.get(unit, ZERO)
    assert term.reason is not None  # noqa: S101 (unknown terms carry their reason)
    return UnknownPart(
        node.trace_id,
        node.parts_name,
        term.supplier,
        term.reason,
        quantity,
        unit,
        share(quantity, among) if leaf and not is_root else None,
    )


def roll_up(
    graph: FootprintGraph,
    root: uuid.UUID,
    *,
    factors: Mapping[uuid.UUID, Factor] | None = None,
    replacements: Mapping[uuid.UUID, Replacement] | None = None,
    engine: Engine = "auto",
) -> Footprint:
    """The footprint of `root` (a part of the graph) per stage and origin.

    `factors` maps trace ids to the emission factor the viewer assigned; it is used only for a
    part with no known value. `replacements` substitutes a part's whole value (what-if).
    `engine` "auto" takes the exact Decimal path below FLOAT_PATH_MIN_NODES reachable parts.
    Raises NotFound (root not in the graph), UnitMismatch, StructureCycle.
    """
    work = plan(graph, root, factors=factors, replacements=replacements)
    use_float = engine == "float" or (engine == "auto" and len(work.order) >= FLOAT_PATH_MIN_NODES)
    if use_float:
        return _assemble(graph, work, fastpath.float_kernel(work), exact=False)
    return _assemble(graph, work, decimal_kernel(work), exact=True)
