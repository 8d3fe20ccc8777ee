"""The EU battery carbon-footprint declaration (Regulation (EU) 2023/1542 Art. 7, Annex II) of
one battery, computed from its rolled-up `Footprint` and the battery's service data.

The method is that of the Commission's draft delegated act of 29 April 2024 (Ref.
Ares(2024)3131389), which has not been adopted: every declaration is `provisional` and carries
`METHOD_NOTE`. The functional unit is 1 kWh of the total energy the battery delivers over its
service life:

    E_total [kWh]        = E_cap,BoL [kWh] x FEqC_year [cycles/yr] x Y_service [yr]
    CF_s    [kgCO2e/kWh] = GHG_s [kgCO2e per battery] / E_total
    CF_FU   [kgCO2e/kWh] = sum over the four Annex II stages of CF_s

Raw material acquisition and pre-processing is the footprint's pre stage, main production its
main stage; distribution and end of life and recycling are entered by the operator per battery.
Arithmetic is exact `Decimal`; the declared values are rounded up to 5 decimals at the edge,
as the contract's values are. An unknown term never becomes 0: its stage and the total stay
None and the declaration lists what is missing.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from types import MappingProxyType
from urllib.parse import urlsplit

from battrace.errors import InvalidRequest
from battrace.footprint.plan import DECIMAL_PRECISION, ZERO
from battrace.footprint.report_words import english
from battrace.footprint.result import Footprint, UnknownPart
from battrace.notes import Note
from battrace.traceability.combine import round_up5
from battrace.traceability.stages import Stage

PER_BATTERY_UNIT = "kgCO2e/unit"
DECLARED_UNIT = "kgCO2e/kWh"
METHOD_NOTE = (
    "Computed with the method of the Commission's draft delegated act on the "
    "carbon footprint of electric-vehicle batteries (29 April 2024, Ref. Ares(2024)3131389), "
    "which has not been adopted. The final act may change the functional unit, the cycles per "
    "year and the end-of-life rules; this is not a legal declaration."
)
# Section 5.3 of the reference: per kWh delivered, car batteries are about 0.1-0.3; values
# above this are almost always per kWh of capacity (50-100) put in the per-FU field.
PLAUSIBLE_MAX_KG_CO2E_PER_KWH = Decimal(5)
# |sum of stages - total| may be 1 % of the total, or 0.0001 kgCO2e/kWh (five 5-decimal
# roundings), whichever is larger.
SUM_TOLERANCE_RELATIVE = Decimal("0.01")
SUM_TOLERANCE_ABSOLUTE = Decimal("0.0001")


class VehicleCategory(enum.StrEnum):
    M1 = "M1"
    N1 = "N1"
    L = "L"
    M2 = "M2"
    M3 = "M3"
    N2 = "N2"
    N3 = "N3"
    OTHER = "other"  # the operator picks the cycles and justifies them in the public study


FULL_EQUIVALENT_CYCLES_PER_YEAR: Mapping[VehicleCategory, Decimal] = MappingProxyType(
    {
        VehicleCategory.M1: Decimal(60),
        VehicleCategory.N1: Decimal(60),
        VehicleCategory.L: Decimal(20),
        VehicleCategory.M2: Decimal(250),
        VehicleCategory.M3: Decimal(250),
        VehicleCategory.N2: Decimal(250),
        VehicleCategory.N3: Decimal(250),
    }
)


class LifecycleStage(enum.StrEnum):
    """Annex II point 4, in its order; values are the Battery Pass 1.2 stage names."""

    RAW_MATERIAL = "RawMaterialExtraction"
    MAIN_PRODUCTION = "MainProduction"
    DISTRIBUTION = "Distribution"
    END_OF_LIFE = "Recycling"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS: Mapping[LifecycleStage, str] = MappingProxyType(
    {
        LifecycleStage.RAW_MATERIAL: "Raw material acquisition and pre-processing",
        LifecycleStage.MAIN_PRODUCTION: "Main product production",
        LifecycleStage.DISTRIBUTION: "Distribution",
        LifecycleStage.END_OF_LIFE: "End of life and recycling",
    }
)
FOOTPRINT_STAGE: Mapping[LifecycleStage, Stage] = MappingProxyType(
    {LifecycleStage.RAW_MATERIAL: Stage.PRE, LifecycleStage.MAIN_PRODUCTION: Stage.MAIN}
)


@dataclass(frozen=True)
class BatteryData:
    """What the operator states about the battery besides its footprint.

    `warranty_years` is the commercial warranty in years (a warranty in km must be converted
    by the operator, the shorter applying). `cycles_per_year` and `cycles_justification` are
    given for category "other" only. Distribution and end of life are kgCO2e per battery;
    None means not entered yet (the declaration is then incomplete, not refused).
    """

    usable_energy_kwh: Decimal  # E_cap,BoL
    vehicle_category: VehicleCategory
    warranty_years: Decimal
    distribution_kg_co2e: Decimal | None
    end_of_life_kg_co2e: Decimal | None
    cycles_per_year: Decimal | None = None
    cycles_justification: str | None = None
    study_link: str | None = None


@dataclass(frozen=True)
class StageDeclaration:
    stage: LifecycleStage
    kg_co2e_per_battery: Decimal | None  # GHG_s, rounded up to 5 decimals; None if unknown
    kg_co2e_per_kwh: Decimal | None  # CF_s, rounded up to 5 decimals; None if unknown


@dataclass(frozen=True)
class Declaration:
    trace_id: uuid.UUID
    parts_name: str
    vehicle_category: VehicleCategory
    usable_energy_kwh: Decimal
    cycles_per_year: Decimal
    cycles_justification: str | None
    service_life_years: Decimal
    total_energy_kwh: Decimal  # E_total
    stages: tuple[StageDeclaration, ...]  # the four Annex II stages, in order
    kg_co2e_per_kwh: Decimal | None  # CF_FU; None while anything is unknown
    kg_co2e_per_battery: Decimal | None  # sum of GHG_s (DIN's absolute CF is this / 1000)
    unknown_parts: tuple[UnknownPart, ...]  # footprint parts without a value
    missing_inputs: tuple[LifecycleStage, ...]  # operator-entered stages not entered
    warnings: tuple[Note, ...]
    study_link: str | None
    exact: bool  # the footprint came from the exact Decimal path
    provisional: bool = True
    method_note: str = METHOD_NOTE

    @property
    def complete(self) -> bool:
        return self.kg_co2e_per_kwh is not None

    def stage(self, stage: LifecycleStage) -> StageDeclaration:
        return next(each for each in self.stages if each.stage == stage)


def _require_finite(name: str, value: Decimal, *, positive: bool) -> None:
    if not value.is_finite():
        raise InvalidRequest(f"{name}: must be a finite number.")
    if positive and value <= 0:
        raise InvalidRequest(f"{name}: must be greater than 0.")
    if value < 0:
        raise InvalidRequest(f"{name}: must be 0 or more.")


def check_study_link(link: str) -> None:
    """Raise InvalidRequest unless `link` is an absolute http(s) URL."""
    parts = urlsplit(link)
    if parts.scheme not in {"http", "https"} or not parts.netloc or link != link.strip():
        raise InvalidRequest(f"studyLink: must be an http(s) URL, got {link!r}.")


def check_cf_values(
    per_stage: Mapping[LifecycleStage, Decimal], total: Decimal
) -> tuple[Note, ...]:
    """Section 5.5's checks of a declared CF set in kgCO2e/kWh: raise InvalidRequest for a
    negative value or stages that do not add up to the total; return the warnings."""
    for stage, value in per_stage.items():
        if value < 0:
            raise InvalidRequest(f"{stage.label}: {value} {DECLARED_UNIT} must be 0 or more.")
    if total < 0:
        raise InvalidRequest(f"total: {total} {DECLARED_UNIT} must be 0 or more.")
    stages_sum = sum(per_stage.values(), ZERO)
    tolerance = max(total * SUM_TOLERANCE_RELATIVE, SUM_TOLERANCE_ABSOLUTE)
    if abs(stages_sum - total) > tolerance:
        raise InvalidRequest(
            f"the life-cycle stages add up to {stages_sum} {DECLARED_UNIT}, "
            f"not to the total {total} (tolerance {tolerance})."
        )
    if total > PLAUSIBLE_MAX_KG_CO2E_PER_KWH:
        return (
            Note(
                english(
                    "fp_file.cf_implausible",
                    total=total,
                    unit=DECLARED_UNIT,
                    ceiling=PLAUSIBLE_MAX_KG_CO2E_PER_KWH,
                ),
                "fp_file.cf_implausible",
                total=total,
                unit=DECLARED_UNIT,
                ceiling=PLAUSIBLE_MAX_KG_CO2E_PER_KWH,
            ),
        )
    return ()


def _cycles(battery: BatteryData) -> Decimal:
    category = battery.vehicle_category
    if category == VehicleCategory.OTHER:
        if battery.cycles_per_year is None:
            raise InvalidRequest("cyclesPerYear: required for vehicle category 'other'.")
        if not (battery.cycles_justification or "").strip():
            raise InvalidRequest(
                "cyclesJustification: required for vehicle category 'other' "
                "(the public study must justify the cycles chosen)."
            )
        _require_finite("cyclesPerYear", battery.cycles_per_year, positive=True)
        return battery.cycles_per_year
    fixed = FULL_EQUIVALENT_CYCLES_PER_YEAR[category]
    if battery.cycles_per_year is not None and battery.cycles_per_year != fixed:
        raise InvalidRequest(
            f"cyclesPerYear: the method fixes {fixed} for category {category}; "
            "give cycles only for category 'other'."
        )
    return fixed


def _per_battery(
    footprint: Footprint, battery: BatteryData
) -> dict[LifecycleStage, Decimal | None]:
    if footprint.unit != PER_BATTERY_UNIT:
        raise InvalidRequest(
            f"{footprint.parts_name} ({footprint.root}): its CFP is declared in "
            f"{footprint.unit or 'no unit'}; a battery declaration needs it per battery "
            f"({PER_BATTERY_UNIT})."
        )
    values: dict[LifecycleStage, Decimal | None] = {
        stage: footprint.stages[source].total for stage, source in FOOTPRINT_STAGE.items()
    }
    values[LifecycleStage.DISTRIBUTION] = battery.distribution_kg_co2e
    values[LifecycleStage.END_OF_LIFE] = battery.end_of_life_kg_co2e
    for stage, value in values.items():
        if value is not None:
            _require_finite(f"{stage.label} (kgCO2e per battery)", value, positive=False)
    return values


def declare(footprint: Footprint, battery: BatteryData) -> Declaration:
    """The declaration of the battery whose footprint (kgCO2e per battery) is `footprint`.

    Raises InvalidRequest for a footprint not per battery, a value below 0 or not finite, a
    non-positive energy or service life, cycles missing or not allowed for the category, or a
    study link that is not http(s). An unknown stage gives an incomplete declaration.
    """
    _require_finite("usableEnergyKwh", battery.usable_energy_kwh, positive=True)
    _require_finite("warrantyYears", battery.warranty_years, positive=True)
    if battery.study_link is not None:
        check_study_link(battery.study_link)
    cycles = _cycles(battery)
    per_battery = _per_battery(footprint, battery)
    with localcontext() as context:
        context.prec = DECIMAL_PRECISION
        total_energy = battery.usable_energy_kwh * cycles * battery.warranty_years
        per_kwh = {
            stage: None if value is None else value / total_energy
            for stage, value in per_battery.items()
        }
        known = [value for value in per_battery.values() if value is not None]
        total_per_battery = sum(known, ZERO) if len(known) == len(per_battery) else None
        total_per_kwh = None if total_per_battery is None else total_per_battery / total_energy
    stages = tuple(
        StageDeclaration(stage, round_up5(per_battery[stage]), round_up5(per_kwh[stage]))
        for stage in LifecycleStage
    )
    declared_total = round_up5(total_per_kwh)
    warnings: tuple[Note, ...] = ()
    if declared_total is not None:
        warnings = check_cf_values(
            {each.stage: each.kg_co2e_per_kwh or ZERO for each in stages}, declared_total
        )
    unknown: dict[uuid.UUID, UnknownPart] = {}
    for source in FOOTPRINT_STAGE.values():
        for part in footprint.stages[source].unknown:
            unknown.setdefault(part.trace_id, part)
    missing = tuple(
        stage
        for stage in (LifecycleStage.DISTRIBUTION, LifecycleStage.END_OF_LIFE)
        if per_battery[stage] is None
    )
    return Declaration(
        trace_id=footprint.root,
        parts_name=footprint.parts_name,
        vehicle_category=battery.vehicle_category,
        usable_energy_kwh=battery.usable_energy_kwh,
        cycles_per_year=cycles,
        cycles_justification=battery.cycles_justification,
        service_life_years=battery.warranty_years,
        total_energy_kwh=total_energy,
        stages=stages,
        kg_co2e_per_kwh=declared_total,
        kg_co2e_per_battery=round_up5(total_per_battery),
        unknown_parts=tuple(unknown.values()),
        missing_inputs=missing,
        warnings=warnings,
        study_link=battery.study_link,
        exact=footprint.exact,
    )


__all__ = [
    "DECLARED_UNIT",
    "FULL_EQUIVALENT_CYCLES_PER_YEAR",
    "METHOD_NOTE",
    "PER_BATTERY_UNIT",
    "BatteryData",
    "Declaration",
    "LifecycleStage",
    "StageDeclaration",
    "VehicleCategory",
    "check_cf_values",
    "check_study_link",
    "declare",
]
