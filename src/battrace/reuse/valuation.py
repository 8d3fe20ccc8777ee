"""Residual value of a used battery, method UBV-1 ("used-battery value", version 1).

1. Remaining deliverable energy: E_rem = E_rated · DoD₂ · N_rem(P50) · (soh_now + soh_eol)/2 · η_rt.
2. Parity price of new storage per delivered kWh:
   c_new = P_new / (N_new · DoD_new · η_rt · soh_avg_new).
3. Risk haircut h = min(cap, base + min(per_missing · missing items, missing_cap)
   + uncertainty · (P50 − P10)/P50). Tables must keep base + missing_cap + uncertainty ≤ 1:
   then the value never rises when SOH falls (E_rem·(1 − h) is a maximum of terms increasing in
   both the P50 and the P10 energy).
4. Repurpose value: V_rep = c_new · E_rem · (1 − h) − C_repurpose (per rated kWh) − C_logistics;
   only a battery graded A/B/C may be repurposed.
5. Recycling value: V_rec = Σ_m mass_m · price_m · payable_m · recovery_m − C_recycle (per kg of
   battery) − C_logistics; metal masses from the passport's composition (or the chemistry's
   default content per kWh, flagged).
6. Residual value V = max(V_rep, V_rec, 0); the route is the argmax ("repurpose", "recycle" or
   "none"). The share of the purchase price recovered is V / purchase price.

Prices and costs come from the operator's table (`PriceTable.from_table`); the defaults below
are illustrative figures, not market data. Every result carries the method version, the inputs
and their SHA-256 so that it can be recomputed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from battrace import errors

METHOD_VERSION = "UBV-1"


@dataclass(frozen=True)
class Metal:
    price_per_kg: float
    payable: float
    recovery: float


@dataclass(frozen=True)
class PriceTable:
    # second-life use
    efc_per_year: float = 300.0
    years_cap: float = 10.0
    dod: float = 0.8
    round_trip_efficiency: float = 0.92
    # comparable new storage
    new_price_per_kwh: float = 150.0
    new_cycles: float = 6000.0
    new_dod: float = 0.9
    new_soh_avg: float = 0.9
    # costs
    repurpose_per_kwh: float = 15.0
    logistics: float = 300.0
    recycle_per_kg: float = 0.5
    # risk haircut
    haircut_base: float = 0.2
    haircut_per_missing: float = 0.05
    haircut_missing_cap: float = 0.3
    haircut_uncertainty: float = 0.5
    haircut_cap: float = 0.6
    metals: Mapping[str, Metal] = field(
        default_factory=lambda: {
            "lithium": Metal(12.0, 0.7, 0.9),
            "nickel": Metal(16.0, 0.8, 0.95),
            "cobalt": Metal(30.0, 0.8, 0.95),
            "manganese": Metal(2.0, 0.5, 0.9),
            "copper": Metal(8.5, 0.9, 0.95),
            "aluminium": Metal(2.2, 0.8, 0.9),
            "iron": Metal(0.1, 0.5, 0.9),
        }
    )

    @property
    def parity_price_per_kwh(self) -> float:
        """c_new: what new storage costs per kWh it delivers over its life."""
        return self.new_price_per_kwh / (
            self.new_cycles * self.new_dod * self.round_trip_efficiency * self.new_soh_avg
        )

    def as_table(self) -> dict[str, Any]:
        table = asdict(self)
        table["metals"] = {k: asdict(v) for k, v in self.metals.items()}
        return table

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> PriceTable:
        """An operator's table over the defaults; `InvalidRequest` names each bad entry."""
        base = cls()
        problems: list[str] = []
        values: dict[str, Any] = {}
        for name, default in asdict(base).items():
            if name == "metals":
                continue
            value = table.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                problems.append(f"{name}: must be a number ≥ 0.")
                continue
            values[name] = float(value)
        metals = dict(base.metals)
        raw = table.get("metals", {})
        if not isinstance(raw, Mapping):
            problems.append(
                "metals: must be an object of metal → {price_per_kg, payable, recovery}."
            )
            raw = {}
        for metal, entry in raw.items():
            try:
                metals[str(metal)] = Metal(
                    **{k: float(entry[k]) for k in ("price_per_kg", "payable", "recovery")}
                )
            except (KeyError, TypeError, ValueError):
                problems.append(
                    f"metals.{metal}: needs price_per_kg, payable and recovery numbers."
                )
        for name in ("dod", "round_trip_efficiency", "new_dod", "new_soh_avg", "haircut_cap"):
            if values.get(name, 0.0) > 1:
                problems.append(f"{name}: must be ≤ 1.")
        if (
            values.get("haircut_base", 0.0)
            + values.get("haircut_missing_cap", 0.0)
            + values.get("haircut_uncertainty", 0.0)
            > 1
        ):
            problems.append(
                "haircut_base + haircut_missing_cap + haircut_uncertainty: must be ≤ 1, "
                "or the value could rise as the health falls."
            )
        for name in ("new_cycles", "new_dod", "round_trip_efficiency", "new_soh_avg"):
            if values.get(name) == 0:
                problems.append(f"{name}: must be > 0.")
        if problems:
            raise errors.ValidationFailed("; ".join(problems), detail="price table")
        return cls(**values, metals=metals)


# Default metal content (kg per kWh of rated energy) by chemistry family, used only when the
# passport gives no composition. Ballpark figures for pack level [R]; replace with real data.
DEFAULT_CONTENT_KG_PER_KWH: dict[str, dict[str, float]] = {
    "LFP": {"lithium": 0.09, "iron": 0.6, "copper": 0.5, "aluminium": 0.9},
    "NMC": {
        "lithium": 0.11,
        "nickel": 0.5,
        "cobalt": 0.15,
        "manganese": 0.15,
        "copper": 0.6,
        "aluminium": 1.0,
    },
    "NCA": {"lithium": 0.1, "nickel": 0.65, "cobalt": 0.1, "copper": 0.6, "aluminium": 1.0},
}


def haircut(prices: PriceTable, *, relative_uncertainty: float, missing: int) -> float:
    """The risk haircut h (step 3 of the method)."""
    data = min(prices.haircut_per_missing * missing, prices.haircut_missing_cap)
    unc = prices.haircut_uncertainty * min(max(relative_uncertainty, 0.0), 1.0)
    return min(prices.haircut_cap, prices.haircut_base + data + unc)


def deliverable_energy_kwh(
    prices: PriceTable, *, rated_energy_kwh: float, n_rem: float, soh_now: float, soh_eol: float
) -> float:
    """E_rem (step 1)."""
    return (
        rated_energy_kwh
        * prices.dod
        * n_rem
        * (soh_now + soh_eol)
        / 2.0
        * prices.round_trip_efficiency
    )


@dataclass(frozen=True)
class RecycleValue:
    metal_value: float
    recycle_cost: float
    logistics: float
    value: float
    contents_kg: Mapping[str, float]


def recycle_value(
    prices: PriceTable, *, contents_kg: Mapping[str, float], mass_kg: float
) -> RecycleValue:
    """V_rec (step 5); a metal without a price adds nothing."""
    metal_value = sum(
        kg * m.price_per_kg * m.payable * m.recovery
        for metal, kg in contents_kg.items()
        if (m := prices.metals.get(metal)) is not None
    )
    cost = prices.recycle_per_kg * mass_kg
    return RecycleValue(
        metal_value=metal_value,
        recycle_cost=cost,
        logistics=prices.logistics,
        value=metal_value - cost - prices.logistics,
        contents_kg=dict(contents_kg),
    )


@dataclass(frozen=True)
class Valuation:
    method_version: str
    deliverable_energy_kwh: float
    parity_price_per_kwh: float
    gross_value: float
    haircut: float
    haircut_amount: float
    repurpose_cost: float
    logistics: float
    repurpose_value: float | None
    recycle: RecycleValue
    residual_value: float
    route: str
    value_per_rated_kwh: float
    share_of_purchase_price: float | None

    def waterfall(self) -> list[tuple[str, float]]:
        """From the deliverable-energy value down to the repurpose value, then the residual."""
        steps = [
            ("deliverable energy value", self.gross_value),
            ("risk haircut", -self.haircut_amount),
            ("repurposing", -self.repurpose_cost),
            ("logistics", -self.logistics),
        ]
        return [*steps, ("residual value", self.residual_value)]


def value(
    prices: PriceTable,
    *,
    rated_energy_kwh: float,
    energy_kwh: float,
    h: float,
    repurposable: bool,
    recycle: RecycleValue,
    purchase_price: float | None,
) -> Valuation:
    """Steps 2, 4 and 6 for a battery whose remaining deliverable energy is `energy_kwh`."""
    c_new = prices.parity_price_per_kwh
    gross = c_new * energy_kwh
    cut = gross * h
    repurpose_cost = prices.repurpose_per_kwh * rated_energy_kwh
    v_rep = gross - cut - repurpose_cost - prices.logistics if repurposable else None
    options = [("none", 0.0), ("recycle", recycle.value)]
    if v_rep is not None:
        options.append(("repurpose", v_rep))
    route, best = max(options, key=lambda o: o[1])
    return Valuation(
        method_version=METHOD_VERSION,
        deliverable_energy_kwh=energy_kwh,
        parity_price_per_kwh=c_new,
        gross_value=gross,
        haircut=h,
        haircut_amount=cut,
        repurpose_cost=repurpose_cost,
        logistics=prices.logistics,
        repurpose_value=v_rep,
        recycle=recycle,
        residual_value=best,
        route=route,
        value_per_rated_kwh=best / rated_energy_kwh,
        share_of_purchase_price=best / purchase_price if purchase_price else None,
    )


def canonical_digest(value: object) -> str:
    """SHA-256 of the canonical JSON of `value` (sorted keys, no spaces)."""
    canonical = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def input_hash(inputs: Mapping[str, Any], *, digests: Mapping[str, str] | None = None) -> str:
    """SHA-256 over the method version and the digest of each input part. `digests` may give
    the digest of parts shared by many results (a fleet's one price table), computed once."""
    known = digests or {}
    parts = {k: known.get(k) or canonical_digest(v) for k, v in inputs.items()}
    return canonical_digest({"method_version": METHOD_VERSION, "parts": parts})
