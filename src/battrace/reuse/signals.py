"""Resistance from measured signals: a DC pulse (from its two steps, or from sampled time
series) and the ohmic resistance of an impedance spectrum."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Protocol

from battrace import errors


class Spectrum(Protocol):
    @property
    def frequencies_hz(self) -> tuple[float, ...]: ...
    @property
    def real_ohm(self) -> tuple[float, ...]: ...
    @property
    def imag_ohm(self) -> tuple[float, ...]: ...


def dcir_mohm(v_before: float, v_after: float, i_before: float, i_after: float) -> float:
    """DC internal resistance from a pulse: |dV / dI| in milliohm."""
    step = i_after - i_before
    if step == 0:
        raise errors.InvalidRequest("DCIR pulse: the current does not change.")
    return abs((v_after - v_before) / step) * 1000.0


def dcir_from_samples(
    time_s: Sequence[float], voltage_v: Sequence[float], current_a: Sequence[float], at_s: float
) -> float:
    """DCIR (milliohm) from a sampled pulse: the step is where the current changes most between
    two samples; the voltage and current `at_s` seconds after it are read by linear
    interpolation and compared with the last sample before it."""
    if not (len(time_s) == len(voltage_v) == len(current_a)) or len(time_s) < 3:
        raise errors.InvalidRequest("DCIR samples: time, voltage and current of equal length ≥ 3.")
    jumps = [abs(current_a[k + 1] - current_a[k]) for k in range(len(current_a) - 1)]
    k = max(range(len(jumps)), key=jumps.__getitem__)
    t_read = time_s[k] + at_s
    if t_read > time_s[-1]:
        raise errors.InvalidRequest(f"DCIR samples end before {at_s} s after the step.")
    j = next(i for i in range(k + 1, len(time_s)) if time_s[i] >= t_read)
    span = time_s[j] - time_s[j - 1]
    w = (t_read - time_s[j - 1]) / span if span else 1.0
    v = voltage_v[j - 1] + w * (voltage_v[j] - voltage_v[j - 1])
    i = current_a[j - 1] + w * (current_a[j] - current_a[j - 1])
    return dcir_mohm(voltage_v[k], v, current_a[k], i)


def ohmic_resistance_mohm(spectrum: Spectrum) -> float | None:
    """R0 of an impedance spectrum: the real part where the imaginary part crosses zero at the
    high-frequency end (interpolated), or the real part at the highest frequency."""
    points = sorted(
        zip(spectrum.frequencies_hz, spectrum.real_ohm, spectrum.imag_ohm, strict=True),
        reverse=True,
    )
    if not points:
        return None
    for (_, r1, x1), (_, r2, x2) in itertools.pairwise(points):
        if x1 == 0:
            return r1 * 1000.0
        if (x1 > 0) != (x2 > 0):
            return (r1 + (r2 - r1) * (x1 / (x1 - x2))) * 1000.0
    return points[0][1] * 1000.0
