"""The KD width model: sparsity coefficient, capacity function and predicted optimal width.

With F_alive = F - dead latents and L0 the mean number of active latents per token:

    alpha   = 1 - L0 / F_alive                       (sparsity coefficient)
    g(alpha) = (1 - alpha) * ln(1 / (1 - alpha))     (capacity function)
    d*_S    = F_alive * g(alpha) = L0 * ln(F_alive / L0)   (predicted optimal dictionary width)

For the toy experiment, with F ground-truth features of which k are active per sample (exactly,
or on average with probability 1 - alpha each), k = F (1 - alpha) and d*_S = k ln(F / k). Beside
it, the toy's exact reference has a known law: delta(k, F), the statistical dimension of the
descent cone of non-negative basis pursuit (``toy_delta``), where its exact recovery switches on.

Trial-level figures are means over layers of the per-layer values, never the formula applied to
means. Training, tables, renderings and model cards all call this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

KD_COLUMNS = ("alive_frac", "alpha", "g_alpha", "d_star")


def alive_width(width: ArrayLike, dead: ArrayLike = 0) -> FloatArray:
    """F_alive = F - dead."""
    return np.asarray(width, dtype=np.float64) - np.asarray(dead, dtype=np.float64)


def sparsity_alpha(l0: ArrayLike, width: ArrayLike, dead: ArrayLike = 0) -> FloatArray:
    """alpha = 1 - L0 / F_alive."""
    return 1.0 - np.asarray(l0, dtype=np.float64) / alive_width(width, dead)


def capacity_g(alpha: ArrayLike) -> FloatArray:
    """g(alpha) = (1 - alpha) ln(1 / (1 - alpha)); 0 at alpha = 1 (its limit) and at alpha = 0."""
    density = 1.0 - np.asarray(alpha, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = -density * np.log(density)
    return np.where(density > 0, g, 0.0)


def d_star(l0: ArrayLike, width: ArrayLike, dead: ArrayLike = 0) -> FloatArray:
    """d*_S = F_alive g(alpha) = L0 ln(F_alive / L0): the predicted optimal dictionary width."""
    f_alive = alive_width(width, dead)
    return f_alive * capacity_g(sparsity_alpha(l0, width, dead))


def toy_d_star(alpha: ArrayLike, features: ArrayLike) -> FloatArray:
    """d*_S = k ln(F / k), k = F (1 - alpha): F features, each active with probability 1 - alpha."""
    features = np.asarray(features, dtype=np.float64)
    return features * capacity_g(alpha)


def toy_delta(k: ArrayLike, features: ArrayLike) -> FloatArray:
    """delta(k, F): the width at which non-negative basis pursuit starts to recover k-sparse x.

    The statistical dimension of the descent cone of min 1ᵀz subject to z ≥ 0 at a k-sparse
    non-negative x in R^F (Amelunxen, Lotz, McCoy and Tropp, "Living on the edge", 2014):

        delta(k, F) = inf over tau ≥ 0 of k (1 + tau²) + (F − k) E[(g − tau)₊²],  g ~ N(0, 1),

    with E[(g − tau)₊²] = (1 + tau²) Q(tau) − tau phi(tau) (Q the normal tail, phi its density).
    A Gaussian W with d rows recovers x exactly with high probability once d > delta and fails
    once d < delta, the window around it O(√F) wide. For k/F → 0 it approaches 2k ln(F/k), slowly:
    at F/k = 4 to 2,048 it is 0.56–0.68 of it, 1.11–1.35 × k ln(F/k).
    """
    pairs = np.broadcast_arrays(np.asarray(k, dtype=np.float64), np.asarray(features, np.float64))
    out = [_delta(float(a), float(b)) for a, b in zip(pairs[0].flat, pairs[1].flat, strict=True)]
    return np.asarray(out, dtype=np.float64).reshape(pairs[0].shape)


def _delta(k: float, features: float) -> float:
    if not 0 < k < features:
        raise ValueError(f"delta(k, F) needs 0 < k < F, got k = {k:g}, F = {features:g}")

    def tail(tau: float) -> float:  # Q(tau) = P(g > tau)
        return 0.5 * math.erfc(tau / math.sqrt(2))

    def density(tau: float) -> float:
        return math.exp(-tau * tau / 2) / math.sqrt(2 * math.pi)

    # The objective is convex in tau; half its derivative, k tau − (F − k) E[(g − tau)₊], rises
    # from −(F − k) phi(0) at 0 and is positive by tau = sqrt(2 ln F) + 10: one root, found by
    # bisection to the last bit (math only: the renderings call this without scipy installed).
    def slope(tau: float) -> float:
        return k * tau - (features - k) * (density(tau) - tau * tail(tau))

    low, high = 0.0, math.sqrt(2 * math.log(features)) + 10
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        low, high = (middle, high) if slope(middle) < 0 else (low, middle)
    tau = (low + high) / 2
    excess = (1 + tau * tau) * tail(tau) - tau * density(tau)
    return k * (1 + tau * tau) + (features - k) * excess


def with_kd_columns(layers: pd.DataFrame) -> pd.DataFrame:
    """A copy of a layer table with ``alive_frac, alpha, g_alpha, d_star`` computed per row."""
    out = layers.copy()
    f_alive = alive_width(out["width"], out["dead"])
    out["alive_frac"] = f_alive / out["width"].to_numpy(dtype=np.float64)
    out["alpha"] = sparsity_alpha(out["l0"], out["width"], out["dead"])
    out["g_alpha"] = capacity_g(out["alpha"])
    out["d_star"] = d_star(out["l0"], out["width"], out["dead"])
    return out


@dataclass(frozen=True)
class TrialKD:
    """Trial-level KD quantities: means over layers of the per-layer values."""

    l0: float
    dead: float
    alpha: float
    g_alpha: float
    d_star: float
    mse: float
    layers: int


def trial_kd(final_layers: pd.DataFrame) -> TrialKD:
    """Means over layers of one checkpoint's per-layer rows (one row per layer)."""
    per_layer = with_kd_columns(final_layers)
    return TrialKD(
        l0=float(per_layer["l0"].mean()),
        dead=float(per_layer["dead"].mean()),
        alpha=float(per_layer["alpha"].mean()),
        g_alpha=float(per_layer["g_alpha"].mean()),
        d_star=float(per_layer["d_star"].mean()),
        mse=float(per_layer["mse"].mean()),
        layers=len(per_layer),
    )


def toy_constant(ratios: ArrayLike) -> float:
    """c in transition ≈ c · d*_S: the geometric mean of the cells' transition / d*_S ratios."""
    return float(np.exp(np.mean(np.log(np.asarray(ratios, dtype=np.float64)))))


@dataclass(frozen=True)
class ToyLawFit:
    """A toy read-out's fitted law over its uncensored cells, log T = a + b log d*_S, and c, the
    geometric mean of T / d*_S (the constant if b were 1), each with its 95% interval (``_low``,
    ``_high``); NaN where it cannot be computed. The summary table's fit columns."""

    c: float
    c_low: float
    c_high: float
    a: float
    a_low: float
    a_high: float
    b: float
    b_low: float
    b_high: float


def toy_power_law(d_star_values: ArrayLike, transitions: ArrayLike) -> tuple[float, float]:
    """(a, b) of the least-squares line log(transition) = a + b log(d*_S).

    b is 1 when the transition is proportional to d*_S (then e^a is the constant). Both are NaN
    with fewer than two distinct d*_S values, where no line can be fitted.
    """
    x = np.log(np.asarray(d_star_values, dtype=np.float64))
    y = np.log(np.asarray(transitions, dtype=np.float64))
    if len(np.unique(x)) < 2:
        return float("nan"), float("nan")
    b, a = np.polyfit(x, y, 1)
    return float(a), float(b)
