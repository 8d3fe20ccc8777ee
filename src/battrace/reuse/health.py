"""State of health from an intake: capacity and energy SOH, state of certified energy, resistance
growth, power fade, round-trip efficiency, self-discharge rate and module spread.

Measurements outside reference conditions are normalised or flagged, and each rule applied is
listed in the result so a reader sees why a number is what it is:

- a capacity/energy check counts as reference only at 25 ± 5 °C and C-rate ≤ C/2; the best
  reference check is used, else the best check with the flag `capacity_out_of_reference`;
- a DCIR pulse is corrected to 25 °C with an Arrhenius law, R25 = R(T)·exp(−Ea/k·(1/T − 1/T25)),
  using the chemistry's activation energy; pulses outside 0–45 °C are excluded and flagged;
- power fade is 1 − R_BOL/R (power at a fixed voltage window scales with 1/R).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from battrace.reuse.diagnostics import CapacityCheck, Intake
from battrace.reuse.signals import ohmic_resistance_mohm

BOLTZMANN_EV = 8.617333262e-5
T_REF_C = 25.0
# Activation energy (eV) of the DC resistance per chemistry, for the Arrhenius correction.
# Literature values for Li-ion cells lie around 0.2–0.4 eV [R]; these are defaults.
ACTIVATION_ENERGY_EV = {"LFP": 0.30, "NMC": 0.25, "NCA": 0.25, "LMO": 0.25, "LTO": 0.20}
DEFAULT_ACTIVATION_ENERGY_EV = 0.25
REFERENCE_TEMPERATURE_BAND_C = 5.0
REFERENCE_MAX_C_RATE = 0.5
PULSE_TEMPERATURE_RANGE_C = (0.0, 45.0)


@dataclass(frozen=True)
class Flag:
    """A measurement that was not used as given, and the rule that decided it."""

    code: str
    rule: str


@dataclass(frozen=True)
class Health:
    soh_c: float
    soh_e: float | None
    soce: float | None
    soh: float
    basis: str  # "energy" or "capacity": which SOH grading and valuation use
    resistance_mohm: float | None
    resistance_growth: float | None
    power_fade: float | None
    remaining_power_w: float | None
    round_trip_efficiency: float | None
    self_discharge_pct_day: float | None
    module_spread: float | None
    module_voltage_spread_mv: float | None
    ohmic_resistance_mohm: float | None
    flags: tuple[Flag, ...] = field(default=())
    rules: tuple[str, ...] = field(default=())

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.flags)


def chemistry_family(chemistry: str) -> str:
    """'NMC811' → 'NMC', 'LFP' → 'LFP': the key of the per-chemistry tables."""
    upper = chemistry.upper()
    for family in ("LFP", "NMC", "NCA", "LMO", "LTO"):
        if upper.startswith(family):
            return family
    return upper


def is_reference(check: CapacityCheck) -> bool:
    return (
        abs(check.temperature_c - T_REF_C) <= REFERENCE_TEMPERATURE_BAND_C
        and check.c_rate <= REFERENCE_MAX_C_RATE
    )


def arrhenius_to_reference(resistance: float, temperature_c: float, ea_ev: float) -> float:
    """A resistance measured at `temperature_c` as it would be at 25 °C."""
    t = temperature_c + 273.15
    t_ref = T_REF_C + 273.15
    return resistance * math.exp(-ea_ev / BOLTZMANN_EV * (1.0 / t - 1.0 / t_ref))


def assess_health(intake: Intake) -> Health:
    """The state-of-health metrics of one intake, with the normalisation rules applied."""
    rated = intake.rated
    flags: list[Flag] = []
    rules: list[str] = [
        f"capacity check is reference at {T_REF_C:g}±{REFERENCE_TEMPERATURE_BAND_C:g} °C and "
        f"C-rate ≤ {REFERENCE_MAX_C_RATE:g}C"
    ]
    reference = [c for c in intake.capacity_checks if is_reference(c)]
    candidates = reference or list(intake.capacity_checks)
    check = max(candidates, key=lambda c: (c.c_rate <= REFERENCE_MAX_C_RATE, -c.c_rate))
    if not reference:
        flags.append(
            Flag(
                "capacity_out_of_reference",
                f"check at {check.temperature_c:g} °C, {check.c_rate:g}C used as measured; "
                "not at reference conditions",
            )
        )
    soh_c = check.capacity_ah / rated.rated_capacity_ah
    soh_e = check.energy_wh / rated.rated_energy_wh if check.energy_wh is not None else None
    soce = (
        check.energy_wh / rated.certified_energy_wh
        if check.energy_wh is not None and rated.certified_energy_wh
        else None
    )
    rte = (
        check.energy_wh / check.charge_energy_wh
        if check.energy_wh is not None and check.charge_energy_wh
        else None
    )

    family = chemistry_family(rated.chemistry)
    ea = ACTIVATION_ENERGY_EV.get(family, DEFAULT_ACTIVATION_ENERGY_EV)
    low, high = PULSE_TEMPERATURE_RANGE_C
    corrected = []
    for n, pulse in enumerate(intake.pulses):
        if not low <= pulse.temperature_c <= high:
            flags.append(
                Flag("pulse_out_of_range", f"pulse {n} at {pulse.temperature_c:g} °C excluded")
            )
            continue
        corrected.append(arrhenius_to_reference(pulse.resistance_mohm, pulse.temperature_c, ea))
    if intake.pulses:
        rules.append(f"DCIR corrected to 25 °C by Arrhenius with Ea = {ea:g} eV ({family})")
    resistance = statistics.median(corrected) if corrected else None
    growth = power_fade = remaining_power = None
    if resistance is not None and rated.initial_resistance_mohm:
        growth = resistance / rated.initial_resistance_mohm
        power_fade = 1.0 - 1.0 / growth
        if rated.rated_power_w:
            remaining_power = rated.rated_power_w / growth
        rules.append("power fade = 1 − R_BOL/R")
    elif resistance is not None:
        flags.append(Flag("no_initial_resistance", "resistance growth unknown: no R_BOL"))

    rest = intake.self_discharge
    self_discharge = rest.soc_loss_pct / rest.hours * 24.0 if rest else None

    capacities = [m.capacity_ah for m in intake.modules if m.capacity_ah is not None]
    spread = (
        (max(capacities) - min(capacities)) / statistics.fmean(capacities)
        if len(capacities) >= 2 and statistics.fmean(capacities) > 0
        else None
    )
    voltages = [m.ocv_v for m in intake.modules if m.ocv_v is not None]
    voltage_spread = (max(voltages) - min(voltages)) * 1000.0 if len(voltages) >= 2 else None
    ohmic = [r for r in (ohmic_resistance_mohm(s) for s in intake.spectra) if r is not None]

    basis = "energy" if soh_e is not None else "capacity"
    return Health(
        soh_c=soh_c,
        soh_e=soh_e,
        soce=soce,
        soh=soh_e if soh_e is not None else soh_c,
        basis=basis,
        resistance_mohm=resistance,
        resistance_growth=growth,
        power_fade=power_fade,
        remaining_power_w=remaining_power,
        round_trip_efficiency=rte,
        self_discharge_pct_day=self_discharge,
        module_spread=spread,
        module_voltage_spread_mv=voltage_spread,
        ohmic_resistance_mohm=statistics.median(ohmic) if ohmic else None,
        flags=tuple(flags),
        rules=tuple(rules),
    )
