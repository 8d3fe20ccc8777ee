"""Hotspots and what-if on a footprint: which parts and suppliers carry a product's CFP, and
what the total would be if one part's value were another.

Ranks are of known contributions (an unknown part has no rank; it is listed by the roll-up);
shares are of the known total of the stages ranked, with the cumulative share of a Pareto
chart. A what-if rolls the same graph up again with one part's value replaced; nothing is
read from or written to the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from battrace.footprint.factors import Factor
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.plan import ZERO, Replacement, share
from battrace.footprint.result import Contribution, Footprint
from battrace.footprint.rollup import roll_up
from battrace.traceability.stages import Dqr, Stage


@dataclass(frozen=True)
class Hotspot:
    key: uuid.UUID | None  # a trace id (by part) or an operator id (by supplier)
    label: str
    emission: Decimal
    share: Decimal | None  # of the known total ranked
    cumulative_share: Decimal | None


@dataclass(frozen=True)
class WhatIf:
    before: Footprint
    after: Footprint
    delta: Mapping[Stage, Decimal | None]  # after - before per stage; None if either unknown

    @property
    def total_delta(self) -> Decimal | None:
        before, after = self.before.total, self.after.total
        return None if before is None or after is None else after - before


def _rank(
    footprint: Footprint,
    stage: Stage | None,
    key: Callable[[Contribution], tuple[uuid.UUID | None, str]],
) -> tuple[Hotspot, ...]:
    stages = list(Stage) if stage is None else [stage]
    # One dictionary look-up per contribution (trace ids hash in Python, thousands per page).
    groups: dict[uuid.UUID | None, list[Any]] = {}  # group -> [emission summed, label]
    for each in stages:
        for contribution in footprint.stages[each].contributions:
            group, label = key(contribution)
            entry = groups.get(group)
            if entry is None:
                groups[group] = [contribution.emission, label]
            else:
                entry[0] += contribution.emission
    known = sum((entry[0] for entry in groups.values()), ZERO)
    ranked = sorted(groups.items(), key=lambda item: (-item[1][0], str(item[0])))
    result = []
    running = ZERO
    for group, (emission, label) in ranked:
        running += emission
        result.append(
            Hotspot(group, label, emission, share(emission, known), share(running, known))
        )
    return tuple(result)


def rank_parts(footprint: Footprint, *, stage: Stage | None = None) -> tuple[Hotspot, ...]:
    """Parts by their contribution (both stages unless one is given), largest first."""
    return _rank(footprint, stage, lambda c: (c.trace_id, c.parts_name))


def rank_suppliers(footprint: Footprint, *, stage: Stage | None = None) -> tuple[Hotspot, ...]:
    """Suppliers by the contributions of the values they gave (the viewer for its own; None
    for secondary and assumed values), largest first."""

    def supplier(contribution: Contribution) -> tuple[uuid.UUID | None, str]:
        operator = contribution.supplier_operator_id
        if operator == footprint.viewer:
            return operator, "own"
        return operator, "secondary or assumed" if operator is None else str(operator)

    return _rank(footprint, stage, supplier)


def what_if(
    graph: FootprintGraph,
    root: uuid.UUID,
    *,
    replace: uuid.UUID,
    with_values: Mapping[Stage, Decimal],
    dqr: Mapping[Stage, Dqr] | None = None,
    factors: Mapping[uuid.UUID, Factor] | None = None,
) -> WhatIf:
    """The footprint of `root` with part `replace` valued `with_values` (kgCO2e per unit of
    that part, e.g. another supplier's answer or a typed value), and the change."""
    graph.node(replace)  # NotFound for a part outside the graph
    before = roll_up(graph, root, factors=factors)
    after = roll_up(
        graph,
        root,
        factors=factors,
        replacements={replace: Replacement(dict(with_values), dict(dqr or {}))},
    )
    delta: dict[Stage, Decimal | None] = {}
    for stage in Stage:
        old, new = before.stages[stage].total, after.stages[stage].total
        delta[stage] = None if old is None or new is None else new - old
    return WhatIf(before, after, delta)
