"""The float engine of the roll-up: the rules of `footprint.plan` and `footprint.rollup` applied
to a graph in columns (`footprint.columns`), in array operations from classification to the
footprint's figures.

Each part reached has up to two terms per stage, in slots: slot 0 its own *Production value
(present for a part valued by its owner; unknown if it has no CFP set), slot 1 everything
else (its *Component value, a supplier's disclosed total, an emission factor, a what-if value,
or "unknown" for a part with nothing). Emissions per unit of the root are counted in integer
units of 0.00001 kgCO2e, rounded from the float product half to even (a product within 1e-6
of a half unit is recomputed in Decimal, as the Decimal engine would round it), so every sum
of a stage (known, primary, own, components…) is the exact sum of the contributions listed.
The `Contribution` and `UnknownPart` objects are built only when read (`result.Rows`).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from functools import partial

import numpy as np
import numpy.typing as npt

from battrace.errors import NotFound
from battrace.footprint import fastpath
from battrace.footprint.columns import (
    COMPONENT,
    PRODUCTION,
    STAGES,
    Bools,
    Floats,
    GraphColumns,
    Ints,
    dqr_floats,
)
from battrace.footprint.factors import Factor
from battrace.footprint.plan import (
    Kind,
    Provenance,
    Replacement,
    StructureCycle,
    UnknownReason,
    round5,
    share,
)
from battrace.footprint.result import (
    Contribution,
    Footprint,
    Origin,
    Rows,
    StageFootprint,
    UnknownPart,
)
from battrace.footprint.units import UnitMismatch, declared_for
from battrace.traceability.stages import Dqr

SCALE = 100_000  # integer units of 0.00001 kgCO2e
PROVENANCES = (Provenance.PRIMARY, Provenance.SECONDARY, Provenance.ASSUMED)
REASONS = tuple(UnknownReason)


def _decimal(value: float) -> Decimal | None:
    return None if math.isnan(value) else round5(Decimal(repr(value)))


def _units(value: int) -> Decimal:
    return Decimal(value).scaleb(-5)


class _Terms:
    """The terms of every row (rows not reached have none): values, ratings, who and why.

    `value` and `present` have the shape (stages, slots, rows), `dqr` (stages, slots, 3,
    rows): one contiguous row per term kind. `value` and `dqr` are the graph's own arrays
    until a part is valued otherwise (`replace` copies them first).
    """

    def __init__(self, columns: GraphColumns, reached: Bools) -> None:
        kind = columns.kind
        own = (kind == Kind.PARENT) | (kind == Kind.OWN)
        boundary, nothing = kind == Kind.BOUNDARY, kind == Kind.NONE
        self.value: Floats = columns.value
        self.dqr: Floats = columns.dqr
        self.copied = False
        self.present = np.empty(self.value.shape, dtype=np.bool_)
        self.present[:, PRODUCTION] = own & reached
        self.present[:, COMPONENT] = (~own | columns.has_own) & reached
        self.provenance = np.zeros(columns.size, dtype=np.int8)  # index into PROVENANCES
        self.supplier = np.where(own, columns.owner, columns.supplier)
        reason = np.full(columns.size, REASONS.index(UnknownReason.NO_VALUES), dtype=np.int8)
        reason[boundary] = np.where(
            columns.released[boundary],
            REASONS.index(UnknownReason.SUPPLIER_INCOMPLETE),
            REASONS.index(UnknownReason.WITHHELD),
        )
        reason[nothing] = np.where(
            columns.supplier[nothing] > 0,
            REASONS.index(UnknownReason.NOT_ANSWERED),
            REASONS.index(UnknownReason.NOT_REQUESTED),
        )
        self.reason = reason
        # a unit is checked where a value is used: own values, a disclosed answer with a value
        answered = ~np.isnan(self.value[:, COMPONENT]).all(axis=0)
        self.checked = ((own & columns.has_own) | (boundary & answered)) & reached
        self.unit = np.where(boundary, columns.answer_unit, columns.declared_unit)

    def known(self, stage: int) -> Bools:
        """(slots, rows): a present term of the stage is known (a NONE row's slot is NaN)."""
        return np.asarray(self.present[stage] & ~np.isnan(self.value[stage]))

    def all_unknown(self, row: int) -> bool:
        """No present term of the row is known, in any stage."""
        return not (self.present[:, :, row] & ~np.isnan(self.value[:, :, row])).any()

    def replace(self, row: int, values: list[float], dqr: list[tuple[float, float, float]]) -> None:
        """The row valued otherwise (a factor or a what-if): one term per stage, slot 1."""
        if not self.copied:
            self.value, self.dqr, self.copied = self.value.copy(), self.dqr.copy(), True
        self.present[:, PRODUCTION, row] = False
        self.present[:, COMPONENT, row] = True
        self.value[:, PRODUCTION, row] = math.nan
        self.value[:, COMPONENT, row] = values
        self.dqr[:, COMPONENT, :, row] = dqr
        self.supplier[row] = 0
        self.checked[row] = False


def _row(columns: GraphColumns, trace_id: uuid.UUID) -> int:
    at = columns.index.get(trace_id)
    if at is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    return at


def roll_up_columns(
    columns: GraphColumns,
    root: uuid.UUID,
    *,
    factors: Mapping[uuid.UUID, Factor] | None = None,
    replacements: Mapping[uuid.UUID, Replacement] | None = None,
) -> Footprint:
    """`footprint.rollup.roll_up` on columns, in float64 rounded to 5 decimals."""
    start = _row(columns, root)
    expand = columns.kind == Kind.PARENT
    replaced = {_row(columns, t): r for t, r in (replacements or {}).items()}
    if replaced:
        expand[list(replaced)] = False
    try:
        graph = fastpath.reach(columns.indptr, columns.child, columns.amount, expand, start)
    except fastpath.Cyclic as exc:
        names = ", ".join(
            f"{columns.names[at]} ({columns.trace_ids[at]})" for at in exc.rows[:5].tolist()
        )
        raise StructureCycle(f"a parts structure contains itself: {names}") from None
    terms = _Terms(columns, graph.reached)
    for row, replacement in replaced.items():
        if graph.reached[row]:
            terms.replace(
                row,
                [float(replacement.values[stage]) for stage in STAGES],
                [dqr_floats(replacement.dqr.get(stage)) for stage in STAGES],
            )
            terms.provenance[row] = PROVENANCES.index(Provenance.ASSUMED)
    terms.checked[start] = False  # the root's unit is what its result is declared in
    _check_units(columns, graph, terms)  # own values first, as the Decimal engine does
    _apply_factors(columns, graph, terms, factors or {})
    return _assemble(columns, graph, terms, expand)


def _apply_factors(
    columns: GraphColumns, graph: fastpath.Reach, terms: _Terms, factors: Mapping[uuid.UUID, Factor]
) -> None:
    """A factor values a part that is not expanded, not replaced and has no known term
    (cradle-to-gate: counted in pre-processing, main production 0)."""
    assumed = PROVENANCES.index(Provenance.ASSUMED)
    for trace_id, factor in factors.items():
        row = columns.index.get(trace_id, -1)
        if (
            row < 0
            or not graph.reached[row]
            or terms.provenance[row] == assumed
            or columns.kind[row] == Kind.PARENT
            or not terms.all_unknown(row)
        ):
            continue
        if row != graph.root:
            amount_unit = columns.units[int(columns.amount_unit[row])]
            declared = declared_for(factor.unit)
            if amount_unit is not None and declared != declared_for(amount_unit):
                raise UnitMismatch(
                    trace_id=trace_id,
                    parts_name=columns.names[row],
                    amount_unit=amount_unit,
                    declared_unit=declared,
                )
        terms.replace(row, [float(factor.kg_co2e_per_unit), 0.0], [dqr_floats(None)] * len(STAGES))
        terms.provenance[row] = PROVENANCES.index(Provenance.SECONDARY)


def _check_units(columns: GraphColumns, graph: fastpath.Reach, terms: _Terms) -> None:
    wrong = terms.checked & ~columns.fits[columns.amount_unit, terms.unit]
    if wrong.any():
        candidates = np.flatnonzero(wrong)
        row = int(candidates[np.argmin(graph.rank[candidates])])  # the first listed
        raise UnitMismatch(
            trace_id=columns.trace_ids[row],
            parts_name=columns.names[row],
            amount_unit=str(columns.units[int(columns.amount_unit[row])]),
            declared_unit=str(columns.units[int(terms.unit[row])]),
        )


def _emission_units(quantity: Floats, value: Floats) -> npt.NDArray[np.int64]:
    """round5(quantity x value) in integer units of 0.00001, exact on half-unit ties."""
    scaled = value * quantity
    scaled *= SCALE
    units = np.rint(scaled)
    np.subtract(scaled, units, out=scaled)
    np.abs(scaled, out=scaled)  # 0.5 on a tie between two units
    for at in np.flatnonzero(scaled >= 0.5 - 1e-6).tolist():
        exact = Decimal(repr(float(quantity[at]))) * Decimal(repr(float(value[at])))
        units[at] = float(round5(exact).scaleb(5))
    return units.astype(np.int64)


def _assemble(
    columns: GraphColumns, graph: fastpath.Reach, terms: _Terms, expand: Bools
) -> Footprint:
    root = graph.root
    quantity = fastpath.quantities(graph)
    leaf = graph.reached & ~expand
    leaf[root] = False
    inputs = np.bincount(
        columns.amount_unit[leaf], weights=quantity[leaf], minlength=len(columns.units)
    ).astype(np.float64)
    totals, ratings = fastpath.root_totals(graph, quantity, terms.value, terms.present, terms.dqr)
    otherwise = [np.flatnonzero(terms.provenance == p) for p in range(len(PROVENANCES))]
    stages = {}
    for s, stage in enumerate(STAGES):
        value, present = terms.value[s], terms.present[s]
        known = terms.known(s)
        units = np.stack(
            [_emission_units(quantity, np.where(known[slot], value[slot], 0.0)) for slot in (0, 1)]
        )  # (slots, rows), 0 where not known
        known_units = int(units.sum())
        secondary, assumed = (int(units[:, otherwise[p]].sum()) for p in (1, 2))
        own: Decimal | None = Decimal(0)
        own_units = 0
        if present[PRODUCTION, root]:
            own = _decimal(float(value[PRODUCTION, root]))
            own_units = int(units[PRODUCTION, root])
        unknown = present & ~known
        own_unknown = bool(unknown[PRODUCTION, root])
        components_unknown = int(unknown.sum()) > int(own_unknown)  # any but the root's own
        missing = np.flatnonzero(unknown.any(axis=0))
        stages[stage] = StageFootprint(
            stage=stage,
            total=_decimal(float(totals[s])),
            own=own,
            components=None if components_unknown else _units(known_units - own_units),
            known=_units(known_units),
            primary=_units(known_units - secondary - assumed),
            secondary=_units(secondary),
            assumed=_units(assumed),
            dqr=Dqr(*(_decimal(v) for v in ratings[s].tolist())),
            contributions=Rows(
                int(known.sum()),
                partial(_contributions, columns, graph, terms, quantity, known, units, value),
            ),
            unknown=Rows(
                int(missing.size),
                partial(_unknown_parts, columns, graph, terms, quantity, missing, leaf, inputs),
            ),
        )
    return Footprint(
        columns.viewer,
        columns.trace_ids[root],
        columns.names[root],
        columns.units[int(columns.declared_unit[root])],
        stages,
        exact=False,
    )


def _contributions(
    columns: GraphColumns,
    graph: fastpath.Reach,
    terms: _Terms,
    quantity: Floats,
    known: Bools,
    units: npt.NDArray[np.int64],
    value: Floats,
) -> tuple[Contribution, ...]:
    slots, rows = np.nonzero(known)
    listed = np.lexsort((slots, graph.rank[rows]))  # canonical order, slot 0 before slot 1
    result = []
    for row, slot in zip(rows[listed].tolist(), slots[listed].tolist(), strict=True):
        result.append(
            Contribution(
                trace_id=columns.trace_ids[row],
                parts_name=columns.names[row],
                supplier_operator_id=columns.operators[int(terms.supplier[row])],
                origin=Origin.OWN
                if row == graph.root and slot == PRODUCTION
                else Origin.COMPONENTS,
                provenance=PROVENANCES[int(terms.provenance[row])],
                quantity=Decimal(repr(float(quantity[row]))),
                value=Decimal(repr(float(value[slot, row]))),
                emission=_units(int(units[slot, row])),
            )
        )
    return tuple(result)


def _unknown_parts(
    columns: GraphColumns,
    graph: fastpath.Reach,
    terms: _Terms,
    quantity: Floats,
    missing: Ints,
    leaf: Bools,
    inputs: Floats,
) -> tuple[UnknownPart, ...]:
    result = []
    for row in missing[np.argsort(graph.rank[missing])].tolist():
        unit = int(columns.amount_unit[row])
        among = Decimal(repr(float(inputs[unit])))
        amount = Decimal(repr(float(quantity[row])))
        result.append(
            UnknownPart(
                trace_id=columns.trace_ids[row],
                parts_name=columns.names[row],
                supplier_operator_id=columns.operators[int(terms.supplier[row])],
                reason=REASONS[int(terms.reason[row])],
                quantity=amount,
                unit=columns.units[unit],
                quantity_share=share(amount, among) if leaf[row] else None,
            )
        )
    return tuple(result)
