"""Each read-out's fitted power law, log T = a + b log d*_S, with bootstrap intervals.

T is a cell's transition width at ε. Over a read-out's uncensored cells: ``a`` and ``b`` by least
squares in log-log (``kd.toy_power_law``; b = 1 when T is proportional to d*_S), and ``c``, the
geometric mean of T / d*_S (``kd.toy_constant``: the constant if b were 1). Their 95% intervals
are percentile intervals over ``bootstrap`` resamples of both sources of spread: the cells, drawn
with replacement, and within each drawn cell its seeds, drawn with replacement (the whole curve of
a seed; the transition recomputed from the resampled seed mean). A cell whose resampled curve
never reaches ε counts at its widest measured width, a lower bound. A resample whose cells share
one d*_S has no a or b and is left out of their intervals.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from galleryforge import kd
from galleryforge.train.toy.transition import transition_widths

FloatArray = npt.NDArray[np.float64]


class CellCurves(NamedTuple):
    """One uncensored cell of a read-out: d*_S, the measured widths and the seed curves
    [seeds, widths] of the normalised loss."""

    d_star: float
    widths: FloatArray
    curves: FloatArray


def fit_power_law(
    cells: list[CellCurves], epsilon: float, resamples: int, seed_text: str
) -> kd.ToyLawFit:
    """The fit over ``cells`` at ``epsilon`` and its intervals from ``resamples`` draws (none:
    NaN intervals); ``seed_text`` seeds the draws (the read-out's name: reproducible)."""
    nan = float("nan")
    if not cells:
        return kd.ToyLawFit(*[nan] * 9)
    d_star = np.array([c.d_star for c in cells])
    measured = np.array(
        [float(transition_widths(c.widths, c.curves.mean(axis=0), epsilon).width[0]) for c in cells]
    )
    c = kd.toy_constant(measured / d_star)
    a, b = kd.toy_power_law(d_star, measured)
    if resamples == 0:
        return kd.ToyLawFit(c, nan, nan, a, nan, nan, b, nan, nan)
    rng = np.random.default_rng(zlib.crc32(seed_text.encode()))
    log_t = np.empty((len(cells), resamples))
    for i, cell in enumerate(cells):
        seeds = len(cell.curves)
        draws = rng.integers(0, seeds, size=(resamples, seeds))
        resampled = cell.curves[draws].mean(axis=1)  # [resamples, widths]
        log_t[i] = np.log(transition_widths(cell.widths, resampled, epsilon).width)
    picks = rng.integers(0, len(cells), size=(resamples, len(cells)))
    x = np.log(d_star)[picks]  # [resamples, cells]
    y = log_t[picks, np.arange(resamples)[:, None]]
    constants = np.exp((y - x).mean(axis=1))
    dx = x - x.mean(axis=1, keepdims=True)
    spread = (dx * dx).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slopes = np.where(spread > 1e-12, (dx * y).sum(axis=1) / spread, np.nan)
    intercepts = y.mean(axis=1) - slopes * x.mean(axis=1)
    return kd.ToyLawFit(
        c,
        *_interval(constants),
        a,
        *_interval(intercepts),
        b,
        *_interval(slopes),
    )


def _interval(values: FloatArray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)
