"""The transition rule: where a normalised loss curve first falls to a level.

The normalised loss is the held-out loss divided by the loss of predicting x̂ = 0 (1 means nothing
recovered). The transition width is the smallest d_S at which the seed-mean normalised loss falls
to ε, interpolated linearly in log(width) against log(loss) between the last grid width above ε and
the first at or below it, so it does not move with the grid the way "the first grid width below ε"
would. A curve that never reaches ε is *censored*: its transition lies beyond the widest width
swept, which is then a lower bound, never a measurement. A curve already at or below ε at the
narrowest width has its transition there (an upper bound the grid cannot refine).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

# Losses are clamped here before the logarithm: exact recovery (lp, active-set) gives a loss of 0.
LOSS_FLOOR = 1e-12


class Transition(NamedTuple):
    """Where each curve falls to the level: ``width`` (the widest width when ``censored``)."""

    width: npt.NDArray[np.float64]
    censored: npt.NDArray[np.bool_]


def transition_widths(widths: npt.ArrayLike, curves: npt.ArrayLike, level: float) -> Transition:
    """The transition of each row of ``curves`` [rows, widths] (or of one curve [widths]).

    ``widths`` ascend. Vectorised over rows, for the bootstrap's thousands of resampled curves.
    """
    grid = np.asarray(widths, dtype=np.float64)
    w = np.log(grid)
    loss = np.log(np.maximum(np.atleast_2d(np.asarray(curves, dtype=np.float64)), LOSS_FLOOR))
    below = loss <= np.log(level)
    censored = ~below.any(axis=1)
    first = np.where(censored, len(w) - 1, below.argmax(axis=1))
    before = np.maximum(first - 1, 0)
    rows = np.arange(len(loss))
    fall = loss[rows, before] - loss[rows, first]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(fall > 0, (loss[rows, before] - np.log(level)) / fall, 1.0)
    log_width = w[before] + np.clip(share, 0.0, 1.0) * (w[first] - w[before])
    on_grid = (first == 0) | censored
    return Transition(np.where(on_grid, grid[first], np.exp(log_width)), censored)
