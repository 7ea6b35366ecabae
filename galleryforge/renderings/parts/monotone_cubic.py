"""A monotone cubic through points: a smooth curve that never overshoots the data between them."""

from __future__ import annotations

import numpy as np


def smooth(x: np.ndarray, y: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Monotone cubic (Fritsch–Carlson) through (x, y) at ``xs``, for y on [0, 1].

    No new peaks or dips between the points; the result is clipped to [0, 1] against rounding.
    """
    step, slope = np.diff(x), np.diff(y) / np.diff(x)
    d = np.empty_like(y)
    d[0], d[-1] = slope[0], slope[-1]
    if len(x) > 2:
        w1, w2 = 2 * step[1:] + step[:-1], step[1:] + 2 * step[:-1]
        same = slope[:-1] * slope[1:] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            d[1:-1] = np.where(same, (w1 + w2) / (w1 / slope[:-1] + w2 / slope[1:]), 0.0)
    i = np.clip(np.searchsorted(x, xs, side="right") - 1, 0, len(step) - 1)
    t = (xs - x[i]) / step[i]
    # Cubic Hermite basis: values at both ends of the interval, slopes scaled by its length.
    ends = (1 + 2 * t) * (1 - t) ** 2 * y[i] + t**2 * (3 - 2 * t) * y[i + 1]
    slopes = t * (1 - t) ** 2 * step[i] * d[i] + t**2 * (t - 1) * step[i] * d[i + 1]
    return np.clip(ends + slopes, 0.0, 1.0)
