"""The roll-up: a part's CFP per stage and origin, with every contribution and every gap.

Which value a part has follows `traceability.rollup` (the contract's `*Total` rows): a
terminated part or a parent counts its own `*Production` + `*Component` values (a parent also
amountRequired x each child's total); an answered bought-in part counts what its supplier
disclosed; otherwise the owner's own values, else the part is unknown. Totals and DQR are
combined by `traceability.combine.combine` node by node, so they are those of the contract.

On top of that, for one root: every known value is a `Contribution` carrying the part, the
supplier, the quantity of the part per unit of the root (the sum over all paths of the product
of amounts, computed once per node) and its provenance (primary = answered or the viewer's
own, secondary = an emission factor, assumed = a what-if value). Every unknown value is an
`UnknownPart` with its reason and its quantity share: the part's quantity per unit of the root
divided by the quantity of all the root's input parts (non-parent parts) counted in the same
unit. Nothing unknown is counted as 0: a stage with an unknown term has `total` None, and
`known` is the sum of what is known.

Arithmetic is exact `Decimal` below `FLOAT_PATH_MIN_NODES` parts in the graph; above, the
float engine (`footprint.columnar`, over the graph's columns) computes the same figures,
rounded to 5 decimals (the bound is in `footprint.fastpath`). Both list contributions and
unknown parts in the same order: by level below the root, ties by place in the graph.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext
from typing import Literal

from battrace.footprint.columnar import roll_up_columns
from battrace.footprint.columns import GraphColumns, columns_of
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
    decimal_kernel,
    plan,
    share,
)
from battrace.footprint.result import Contribution, Footprint, Origin, StageFootprint, UnknownPart
from battrace.traceability.stages import Stage

FLOAT_PATH_MIN_NODES = 20_000

Engine = Literal["auto", "decimal", "float"]


def _assemble(graph: FootprintGraph, work: Plan, computed: Computed) -> Footprint:
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
                            emission=quantity * term.emission,
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
    return Footprint(graph.viewer, work.root, root.parts_name, root.declared_unit, stages, True)


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
    graph: FootprintGraph | GraphColumns,
    root: uuid.UUID,
    *,
    factors: Mapping[uuid.UUID, Factor] | None = None,
    replacements: Mapping[uuid.UUID, Replacement] | None = None,
    engine: Engine = "auto",
) -> Footprint:
    """The footprint of `root` (a part of the graph) per stage and origin.

    `factors` maps trace ids to the emission factor the viewer assigned; it is used only for a
    part with no known value. `replacements` substitutes a part's whole value (what-if).
    `engine` "auto" takes the exact Decimal engine for a graph of fewer than
    FLOAT_PATH_MIN_NODES parts, the float engine otherwise; a graph given as columns is
    always rolled up by the float engine.
    Raises NotFound (root not in the graph), UnitMismatch, StructureCycle.
    """
    if isinstance(graph, GraphColumns):
        if engine == "decimal":
            raise ValueError("the Decimal engine needs the object graph, not its columns")
        return roll_up_columns(graph, root, factors=factors, replacements=replacements)
    if engine == "float" or (engine == "auto" and len(graph.nodes) >= FLOAT_PATH_MIN_NODES):
        return roll_up_columns(columns_of(graph), root, factors=factors, replacements=replacements)
    work = plan(graph, root, factors=factors, replacements=replacements)
    return _assemble(graph, work, decimal_kernel(work))
