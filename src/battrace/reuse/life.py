"""Remaining useful life: a fade law fitted to the capacity history, solved for the second-life
end of life, with a knee guard, a calendar cap and a P10/P50 band from a residual bootstrap.

The law is soh(N) = 1 − a·N^z over equivalent full cycles N, z bounded to [0.4, 1.2] (0.5 for
SEI/calendar-dominated fade, towards 1 for linear cycling fade). With three or more points a
and z are fitted by least squares (a in closed form for each z; z on a grid of 81 values,
refined by a parabola through the best three). With fewer, z is the chemistry's default and a
follows from the current point; the P10 then uses the chemistry's conservative z.

- N_rem = N(soh_eol) − N_now (P50, the fit's own value).
- Knee guard: the recent slope (least squares over the checks in the last quarter of the
  history's EFC span, at least the last two) above 1.5 × the fitted slope at N_now caps N_rem
  at (soh_now − soh_eol) / recent slope: a conservative linear extrapolation.
- Calendar cap: N_rem ≤ EFC per year × years (the use's cap, or the years left before the
  manufacturer's calendar expiry if sooner).
- P10: the 10th percentile of N_rem over `n_boot` refits to the fitted curve plus resampled
  residuals, with the same guard and cap, never above P50. The resampling indices depend only
  on the seed and the number of points, so a battery gets the same band alone or in a fleet.

Everything is computed on arrays of batteries with equally many points (`remaining_life`); one
battery is a fleet of one, so both paths run the same arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

Z_BOUNDS = (0.4, 1.2)
KNEE_RATIO = 1.5
RECENT_FRACTION = 0.25
N_BOOT = 100
SEED = 1974
_GRID = 81
_CHUNK = 256

# Fade exponent per chemistry family when only one point is known: (default z, conservative z
# for the P10). LFP fades close to √N early on; NMC/NCA closer to linear [R].
CHEMISTRY_Z = {
    "LFP": (0.55, 0.75),
    "NMC": (0.75, 1.0),
    "NCA": (0.75, 1.0),
    "LMO": (0.7, 1.0),
    "LTO": (0.5, 0.7),
}
DEFAULT_Z = (0.75, 1.0)


@dataclass(frozen=True)
class Life:
    """One battery's remaining life (EFC) and the fit behind it."""

    a: float
    z: float
    fitted: bool
    n_now: float
    soh_now: float
    model_slope: float
    recent_slope: float | None
    knee: bool
    capped: bool
    n_rem_p50: float
    n_rem_p10: float

    @property
    def relative_uncertainty(self) -> float:
        return (self.n_rem_p50 - self.n_rem_p10) / self.n_rem_p50 if self.n_rem_p50 > 0 else 0.0


@dataclass(frozen=True)
class LifeArrays:
    a: Array
    z: Array
    model_slope: Array
    recent_slope: Array  # NaN where no knee check was possible
    knee: NDArray[np.bool_]
    capped: NDArray[np.bool_]
    n_rem_p50: Array
    n_rem_p10: Array

    def row(self, k: int, *, fitted: bool, n_now: float, soh_now: float) -> Life:
        recent = float(self.recent_slope[k])
        return Life(
            a=float(self.a[k]),
            z=float(self.z[k]),
            fitted=fitted,
            n_now=n_now,
            soh_now=soh_now,
            model_slope=float(self.model_slope[k]),
            recent_slope=None if np.isnan(recent) else recent,
            knee=bool(self.knee[k]),
            capped=bool(self.capped[k]),
            n_rem_p50=float(self.n_rem_p50[k]),
            n_rem_p10=float(self.n_rem_p10[k]),
        )


def _power(logn: Array, positive: NDArray[np.bool_], z: Array) -> Array:
    """n**z with 0**z = 0, from log n; z broadcasts over the last axis."""
    return np.where(positive, np.exp(z[..., None] * logn), 0.0)


def _fit_a(x: Array, y: Array) -> Array:
    den = (x * x).sum(axis=-1)
    num = (x * y).sum(axis=-1)
    return np.where(den > 0, np.maximum(num, 0.0) / np.where(den > 0, den, 1.0), 0.0)


def fit_fade(n: Array, y: Array) -> tuple[Array, Array]:
    """Least-squares a, z of y = a·n^z (y = 1 − soh).

    `n` has shape (B, P); `y` has shape (B, K, P): K series per battery over the same cycles
    (K = 1 for the fit itself, K = `n_boot` for the bootstrap). For each z of a grid the best a
    is closed-form and the squared error is Σy² − max(Σxy, 0)²/Σx² (x = n^z), so the whole grid
    is one batched matrix product; a parabola through the best grid point and its neighbours
    refines z. Returns a, z of shape (B, K).
    """
    positive = n > 0
    with np.errstate(divide="ignore"):
        logn = np.where(positive, np.log(np.where(positive, n, 1.0)), 0.0)
    grid = np.linspace(*Z_BOUNDS, _GRID)
    x = _power(logn[:, None, :], positive[:, None, :], np.broadcast_to(grid, (len(n), _GRID)))
    sxx = (x * x).sum(axis=-1)  # (B, G)
    sxy = np.maximum(y @ np.swapaxes(x, 1, 2), 0.0)  # (B, K, G)
    explained = sxy * sxy / np.where(sxx > 0, sxx, 1.0)[:, None, :]
    syy = (y * y).sum(axis=-1)[..., None]
    sse = syy - explained
    best = np.clip(explained.argmax(axis=-1), 1, _GRID - 2)
    around = np.take_along_axis(sse, np.stack([best - 1, best, best + 1], axis=-1), axis=-1)
    curvature = around[..., 0] - 2.0 * around[..., 1] + around[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature > 0, 0.5 * (around[..., 0] - around[..., 2]) / curvature, 0.0)
    step = grid[1] - grid[0]
    z = np.clip(grid[best] + np.clip(shift, -1.0, 1.0) * step, *Z_BOUNDS)
    # the grid's ends: keep the end point itself when it is the best
    at_end = explained.argmax(axis=-1)
    z = np.where(at_end == 0, grid[0], np.where(at_end == _GRID - 1, grid[-1], z))
    a = _fit_a(_power(logn[:, None, :], positive[:, None, :], z), y)
    return a, z


def _n_eol(a: Array, z: Array, soh_eol: Array) -> Array:
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(a > 0, ((1.0 - soh_eol) / np.where(a > 0, a, 1.0)) ** (1.0 / z), np.inf)


def _recent_slope(n: Array, soh: Array) -> Array:
    """SOH lost per EFC over the recent window of each row (least squares)."""
    last = n[:, -1:]
    window = (n >= last - RECENT_FRACTION * (last - n[:, :1])) | (
        np.arange(n.shape[1]) >= n.shape[1] - 2
    )
    w = window.astype(np.float64)
    count = w.sum(axis=-1, keepdims=True)
    mean_n = (w * n).sum(axis=-1, keepdims=True) / count
    mean_s = (w * soh).sum(axis=-1, keepdims=True) / count
    dn = (n - mean_n) * w
    den = (dn * dn).sum(axis=-1)
    slope = (dn * (soh - mean_s)).sum(axis=-1) / np.where(den > 0, den, 1.0)
    return np.where(den > 0, -slope, np.nan)


def _guard(
    n_rem: Array, knee: NDArray[np.bool_], knee_limit: Array, cap: Array
) -> tuple[Array, NDArray[np.bool_]]:
    guarded = np.where(knee, np.minimum(n_rem, knee_limit), n_rem)
    return np.minimum(guarded, cap), guarded > cap


def _bootstrap_p10(
    n: Array,
    y: Array,
    a: Array,
    z: Array,
    idx: NDArray[np.int64],
    soh_eol: Array,
    n_now: Array,
    knee: NDArray[np.bool_],
    knee_limit: Array,
    cap_efc: Array,
) -> Array:
    """P10 of the remaining life over refits to the fitted curve plus resampled residuals."""
    fitted = a[:, None] * np.where(n > 0, n, 0.0) ** z[:, None]
    residual = y - fitted
    y_boot = fitted[:, None, :] + residual[:, idx]
    a_b, z_b = fit_fade(n, y_boot)
    rem_b = np.maximum(_n_eol(a_b, z_b, soh_eol[:, None]) - n_now[:, None], 0.0)
    rem_b, _ = _guard(rem_b, knee[:, None], knee_limit[:, None], cap_efc[:, None])
    return np.asarray(np.percentile(rem_b, 10.0, axis=-1), dtype=np.float64)


def remaining_life(
    n: Array,
    soh: Array,
    *,
    soh_eol: Array,
    cap_efc: Array,
    z_default: Array,
    z_conservative: Array,
    n_boot: int = N_BOOT,
    seed: int = SEED,
) -> LifeArrays:
    """Remaining life of B batteries whose histories all have P points: `n`, `soh` of shape
    (B, P), increasing in n, the last point the current one. Per-battery parameters are (B,)."""
    n_now, soh_now = n[:, -1], soh[:, -1]
    points = n.shape[1]
    y = 1.0 - soh
    if points >= 3:
        a, z = (v[:, 0] for v in fit_fade(n, y[:, None, :]))
    else:
        z = z_default.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(n_now > 0, np.maximum(y[:, -1], 0.0) / n_now**z, 0.0)
    n_rem = np.maximum(_n_eol(a, z, soh_eol) - n_now, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        model_slope = np.where(n_now > 0, a * z * n_now ** (z - 1.0), 0.0)
    recent = _recent_slope(n, soh) if points >= 3 else np.full(n_now.shape, np.nan)
    knee = np.nan_to_num(recent, nan=0.0) > KNEE_RATIO * model_slope
    with np.errstate(divide="ignore", invalid="ignore"):
        knee_limit = np.where(
            knee, np.maximum(soh_now - soh_eol, 0.0) / np.where(knee, recent, 1.0), np.inf
        )
    p50, capped = _guard(n_rem, knee, knee_limit, cap_efc)

    if points >= 3:
        idx = np.random.default_rng([seed, points]).integers(0, points, size=(n_boot, points))
        p10 = np.concatenate(
            [
                _bootstrap_p10(
                    n[rows],
                    y[rows],
                    a[rows],
                    z[rows],
                    idx,
                    soh_eol[rows],
                    n_now[rows],
                    knee[rows],
                    knee_limit[rows],
                    cap_efc[rows],
                )
                for rows in (slice(k, k + _CHUNK) for k in range(0, len(n), _CHUNK))
            ]
        )
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            a_c = np.where(n_now > 0, np.maximum(y[:, -1], 0.0) / n_now**z_conservative, 0.0)
        rem_c = np.maximum(_n_eol(a_c, z_conservative, soh_eol) - n_now, 0.0)
        p10, _ = _guard(rem_c, knee, knee_limit, cap_efc)
    return LifeArrays(
        a=a,
        z=z,
        model_slope=model_slope,
        recent_slope=recent,
        knee=knee,
        capped=capped,
        n_rem_p50=p50,
        n_rem_p10=np.minimum(p10, p50),
    )


def soh_at(life: Life, efc_since: float, *, soh_eol: float, p10: bool = False) -> float:
    """The SOH expected `efc_since` cycles after the assessment, on the P50 (or P10) path: a
    straight line from the current SOH to `soh_eol` over the remaining life."""
    n_rem = life.n_rem_p10 if p10 else life.n_rem_p50
    if n_rem <= 0:
        return soh_eol
    return life.soh_now - (life.soh_now - soh_eol) * min(efc_since / n_rem, 1.0)
