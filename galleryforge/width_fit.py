"""The fitted loss-against-width curve of one layer of a width family, and the knee read from it.

    L(F) = a·F^(−b) + L∞            a ≥ 0, b > 0, L∞ ≥ 0

is fitted by least squares on the seed means of the final held-out MSE at each width, in
relative terms (each residual divided by the measured mean, so that a curve spanning an order of
magnitude is fitted evenly along it): for a fixed b the problem is linear in (a, L∞) and is solved
exactly under the signs; b is searched on a log grid over [``B_RANGE``] and refined by golden
section. The **knee** is the width at which the fitted excess over the floor, a·F^(−b), falls to
``KNEE_SHARE`` (5%) of L∞:

    F_knee = (a / (share · L∞))^(1/b)

A knee beyond the widest width trained, or a fit with L∞ = 0 (a curve that does not flatten), is
*censored*: the widest width is a lower bound. A knee below the narrowest width is extrapolated
and flagged (``below_narrowest``). Intervals: ``RESAMPLES`` bootstrap resamples of the seeds, each
width's seeds drawn with replacement, refitted; 95% percentile intervals (none with one seed a
width). A resample whose knee lies beyond the widest width counts as infinitely far: when more
than 2.5% do, the interval's upper end is infinite (and its lower end at most the widest width).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

KNEE_SHARE = 0.05
"""The knee: where the fitted excess over L∞ falls to this share of L∞."""
B_RANGE = (0.01, 4.0)
RESAMPLES = 400
LEVEL = 0.95


@dataclass(frozen=True)
class Curve:
    a: float
    b: float
    floor: float
    """L∞, the loss the curve flattens to."""

    def __call__(self, widths: np.ndarray | float) -> np.ndarray:
        return self.a * np.power(np.asarray(widths, dtype=np.float64), -self.b) + self.floor

    def knee(self, share: float = KNEE_SHARE) -> float:
        """Where a·F^(−b) = share·L∞ (infinite when L∞ = 0: it never flattens)."""
        if self.floor <= 0:
            return math.inf
        if self.a <= 0:
            return 0.0
        return float((self.a / (share * self.floor)) ** (1.0 / self.b))


@dataclass(frozen=True)
class LayerFit:
    curve: Curve
    knee: float
    """The fitted knee; the widest width when ``censored``."""
    censored: bool
    """The fitted curve has not flattened within the widths trained: ``knee`` is a lower bound."""
    below_narrowest: bool
    """The knee lies below the narrowest width: extrapolated."""
    low: Curve | None
    """Lower ends of the 95% bootstrap intervals of a, b, L∞ (None with one seed a width)."""
    high: Curve | None
    knee_low: float
    """The knee's 95% interval (NaN with one seed a width; ``knee_high`` infinite when some
    resamples do not flatten within the widths)."""
    knee_high: float
    seeds: int
    """The fewest seeds at any width."""


def fit_curve(widths: Sequence[float], losses: Sequence[float]) -> Curve:
    """Least squares in relative terms (see the module docstring): b on a log grid refined
    twice around its best point, (a, L∞) exactly for each b."""
    w = np.asarray(widths, dtype=np.float64)
    y = np.asarray(losses, dtype=np.float64)
    grid = np.geomspace(*B_RANGE, 120)
    for _ in range(3):
        a, floor, error = _solve(w, y, grid)
        best = int(np.argmin(error))
        low, high = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
        grid = np.geomspace(low, high, 41)
    a, floor, error = _solve(w, y, grid)
    best = int(np.argmin(error))
    return Curve(float(a[best]), float(grid[best]), float(floor[best]))


def _solve(w: np.ndarray, y: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """(a, L∞, squared relative error) for each b, a ≥ 0 and L∞ ≥ 0: minimise
    Σ (a·u_i + L∞·v_i − 1)² with u_i = w_i^(−b)/y_i, v_i = 1/y_i, by its normal equations, or
    with one of the two at zero where the free solution breaks a sign."""
    u = np.power(w[None, :], -b[:, None]) / y[None, :]
    v = np.broadcast_to(1.0 / y, u.shape)
    uu, uv, vv = (u * u).sum(1), (u * v).sum(1), (v * v).sum(1)
    u1, v1 = u.sum(1), v.sum(1)
    det = uu * vv - uv * uv
    with np.errstate(divide="ignore", invalid="ignore"):
        free_a = (u1 * vv - v1 * uv) / det
        free_floor = (v1 * uu - u1 * uv) / det
    candidates = [
        (free_a, free_floor),
        (np.maximum(u1 / uu, 0.0), np.zeros_like(u1)),  # L∞ = 0
        (np.zeros_like(u1), np.broadcast_to(max(float(v1[0] / vv[0]), 0.0), u1.shape)),  # a = 0
    ]
    errors = []
    for a, floor in candidates:
        residual = a[:, None] * u + floor[:, None] * v - 1.0
        error = (residual**2).sum(1)
        ok = (a >= 0) & (floor >= 0) & np.isfinite(a) & np.isfinite(floor)
        errors.append(np.where(ok, error, np.inf))
    pick = np.argmin(np.stack(errors), axis=0)
    a = np.choose(pick, [c[0] for c in candidates])
    floor = np.choose(pick, [c[1] for c in candidates])
    return a, floor, np.min(np.stack(errors), axis=0)


def fit_layer(
    widths: Sequence[float],
    seeds_losses: Sequence[Sequence[float]],
    share: float = KNEE_SHARE,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> LayerFit:
    """The fit of one layer from each width's losses over seeds (``seeds_losses[i]`` at
    ``widths[i]``, widths ascending)."""
    return _fit_layer(
        tuple(float(w) for w in widths),
        tuple(tuple(float(v) for v in losses) for losses in seeds_losses),
        share,
        resamples,
        seed,
    )


@lru_cache(maxsize=256)
def _fit_layer(
    widths: tuple[float, ...],
    seeds_losses: tuple[tuple[float, ...], ...],
    share: float,
    resamples: int,
    seed: int,
) -> LayerFit:
    curve = fit_curve(widths, [float(np.mean(v)) for v in seeds_losses])
    knee, censored, below = _read_knee(curve, widths, share)
    fewest = min(len(v) for v in seeds_losses)
    if fewest < 2:
        return LayerFit(curve, knee, censored, below, None, None, math.nan, math.nan, fewest)
    rng = np.random.default_rng(seed)
    fits, knees = [], []
    for _ in range(resamples):
        means = [float(np.mean(rng.choice(np.asarray(v), size=len(v)))) for v in seeds_losses]
        refit = fit_curve(widths, means)
        fits.append((refit.a, refit.b, refit.floor))
        # Beyond the widest width a resample's knee is no measurement, only "further out".
        knees.append(refit.knee(share) if refit.knee(share) <= max(widths) else math.inf)
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(np.asarray(fits), [tail, 1 - tail], axis=0, method="inverted_cdf")
    knee_low, knee_high = np.quantile(knees, [tail, 1 - tail], method="inverted_cdf")
    knee_low = min(float(knee_low), max(widths))
    return LayerFit(
        curve,
        knee,
        censored,
        below,
        Curve(*map(float, low)),
        Curve(*map(float, high)),
        float(knee_low),
        float(knee_high),
        fewest,
    )


def _read_knee(curve: Curve, widths: Sequence[float], share: float) -> tuple[float, bool, bool]:
    """(knee, censored, below the narrowest width) of a fitted curve over ``widths``."""
    knee = curve.knee(share)
    if knee > max(widths):
        return float(max(widths)), True, False
    return knee, False, knee < min(widths)
